"""The profile figures of the interest-only study (Figuren 11-13 and 25-28), drawn from ``profiles.csv``.

Each figure compares, per class of one to three characteristics, the share of the vulnerable households
(dark blue) with that of all households with a refinancing moment (light blue), as the report does.  They
take ``profiles.csv`` as the gate released it, read back (:func:`~cohorts.studies.interest_only.profiles.
read_released_profiles`), never the microdata: a cell the gate hid is marked ``x`` and drawn as no bar
(never as zero); a count that rounds to 0 is a released 0.  The group sizes (rounded sample households
and the population estimate) are printed in the legend; when the vulnerable group was not released (its
flag needs the user-supplied social-assistance level) the figure says so.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cohorts.disclosure import Gate
from cohorts.report.style import PALETTE, PALETTE_EXTRA, figure_writers, styled

from . import columns as IO
from .profiles import (
    ALL,
    FIGURES,
    GROUPS,
    PROFILES_FILE,
    REFI_MOMENT,
    VULNERABLE,
    load_profile_classes,
    read_released_profiles,
)
from .release import as_read_back

GROUP_COLOURS = {VULNERABLE: PALETTE[0], REFI_MOMENT: PALETTE_EXTRA[0]}
GROUP_LABELS = {VULNERABLE: "vulnerable households", REFI_MOMENT: "households with a refinancing moment"}
TITLES = {
    11: "Income at the refinancing date and consumer credit (Figuur 11)",
    12: "Household type and entrepreneurs (Figuur 12)",
    13: "Mortgage debt, house value and loan-to-value now (Figuur 13)",
    25: "Current income (Figuur 25)",
    26: "Income drop at retirement (Figuur 26)",
    27: "Interest-only share at origination (Figuur 27)",
    28: "Current payment arrears (Figuur 28)",
}
HIDDEN_MARK = "x"
NOT_RELEASED = "vulnerable households: not released (their flag needs the social-assistance level, not supplied)"
#: Under the figure when the vulnerable group rests, for some households, on the packaged net social-assistance
#: level (:func:`cohorts.studies.interest_only.tree.social_assistance_level`).
NET_LEVEL_NOTE = ("vulnerable households: measurement flag on the net social-assistance level (Stcrt. 2017, 36285), "
                  "a lower bound of the study's gross level, so this group is an upper bound")


def _numbers(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64")


def _group_size(rows: pd.DataFrame) -> str:
    """``n ≈ <rounded sample count>, population ≈ <estimate>`` of a group (largest ``all`` row of the figure)."""
    alls = rows[rows[IO.PROFILE_CLASS] == ALL]
    n = _numbers(alls["n_rounded"])
    pop = _numbers(alls["population"])
    if not np.isfinite(n).any():
        return "n hidden"
    i = int(np.nanargmax(n))
    return f"n = {int(n[i]):,} sample, {int(pop[i]):,} population" if np.isfinite(pop[i]) else f"n = {int(n[i]):,}"


def draw_profile(table: pd.DataFrame, *, figure: int, ax: Axes, net_level: bool = False) -> Axes:
    """Horizontal bars of one profile figure into ``ax`` (see the module docstring).

    Parameters
    ----------
    table : pandas.DataFrame
        ``profiles.csv`` as released and read back (any figures; the rows of ``figure`` are drawn).
    figure : int
        The report's figure number (:data:`~cohorts.studies.interest_only.profiles.FIGURES`).
    ax : matplotlib.axes.Axes
    net_level : bool, default False
        The vulnerable group's measurement flag used the packaged net social-assistance level for some
        households: the figure says so (:data:`NET_LEVEL_NOTE`) when it draws that group.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the table has no rows for ``figure``.
    """
    rows = table[pd.to_numeric(table[IO.PROFILE_FIGURE], errors="coerce") == figure]
    if rows.empty:
        raise ValueError(f"profiles table has no rows for figure {figure}")
    titles = {name: p.title for name, p in load_profile_classes().items()}
    groups = [g for g in GROUPS if (rows[IO.PROFILE_GROUP] == g).any()]
    height = 0.8 / 2
    ticks: list[float] = []
    labels: list[str] = []
    headers: list[tuple[float, str]] = []
    y = 0.0
    positions: dict[tuple[str, str], float] = {}
    for panel in dict.fromkeys(rows[IO.PROFILE_PANEL]):
        headers.append((y, titles.get(panel, panel)))
        y -= 1.0
        classes = [c for c in dict.fromkeys(rows.loc[rows[IO.PROFILE_PANEL] == panel, IO.PROFILE_CLASS]) if c != ALL]
        for cls in classes:
            positions[(panel, cls)] = y
            ticks.append(y)
            labels.append(cls)
            y -= 1.0
        y -= 0.4
    top = 0.0
    for k, group in enumerate(GROUPS):
        sub = rows[(rows[IO.PROFILE_GROUP] == group) & (rows[IO.PROFILE_CLASS] != ALL)]
        if sub.empty:
            continue
        offset = (0.5 - k) * height  # vulnerable above
        ys = np.array([positions[(p, c)] for p, c in zip(sub[IO.PROFILE_PANEL], sub[IO.PROFILE_CLASS], strict=True)])
        share = _numbers(sub["share"])
        hidden = (sub["share"].astype(str) == HIDDEN_MARK).to_numpy() | (sub["n_rounded"].astype(str) == HIDDEN_MARK
                                                                           ).to_numpy()
        shown = ~hidden & np.isfinite(share)
        ax.barh(ys[shown] + offset, share[shown], height=height, color=GROUP_COLOURS[group],
                label=f"{GROUP_LABELS[group]} ({_group_size(rows[rows[IO.PROFILE_GROUP] == group])})")
        for yy, s in zip(ys[shown] + offset, share[shown], strict=True):
            ax.text(s + 0.8, yy, f"{s:.0f}%", va="center", ha="left", fontsize="x-small")
        for yy in ys[hidden] + offset:
            ax.text(0.8, yy, HIDDEN_MARK, va="center", ha="left", fontsize="x-small", fontweight="bold")
        if shown.any():
            top = max(top, float(np.nanmax(share[shown])))
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels)
    for yy, text in headers:  # each panel's title above its classes, inside the axes
        ax.text(0.005, yy, text, transform=ax.get_yaxis_transform(), ha="left", va="center", fontweight="bold",
                fontsize="small")
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, max(10.0, top * 1.18))
    ax.set_ylim(y + 0.4, 0.6)
    base = _numbers(rows["rounding_base"])
    notes = []
    if np.isfinite(base).any():
        notes.append(f"sample counts rounded to {int(np.nanmax(base))} households; shares of the rounded counts")
    if VULNERABLE not in groups:
        notes.append(NOT_RELEASED)
    elif net_level:
        notes.append(NET_LEVEL_NOTE)
    if (rows["share"].astype(str) == HIDDEN_MARK).any() or (rows["n_rounded"].astype(str) == HIDDEN_MARK).any():
        notes.append(f"{HIDDEN_MARK}: not shown (disclosure control)")
    ax.set_xlabel("\n".join(["share of the group (%)", *(textwrap.fill(n, 110) for n in notes)]), fontsize="small")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize="small", ncol=1,
              borderaxespad=0.2)
    ax.set_title(TITLES.get(figure, f"Figuur {figure}"), loc="left", pad=12 + 13 * len(groups))
    return ax


@styled(width="double", aspect=0.62)
def plot_income_credit(table: pd.DataFrame, *, ax: Axes | None = None, net_level: bool = False) -> Axes:
    """Figuur 11: income class at the refinancing date and consumer credit (see :func:`draw_profile`)."""
    return draw_profile(table, figure=11, ax=ax, net_level=net_level)


@styled(width="double", aspect=0.55)
def plot_household_type(table: pd.DataFrame, *, ax: Axes | None = None, net_level: bool = False) -> Axes:
    """Figuur 12: household type and entrepreneurs (see :func:`draw_profile`)."""
    return draw_profile(table, figure=12, ax=ax, net_level=net_level)


@styled(width="double", aspect=0.8)
def plot_debt_value(table: pd.DataFrame, *, ax: Axes | None = None, net_level: bool = False) -> Axes:
    """Figuur 13: mortgage debt, house value and LTV classes now (see :func:`draw_profile`)."""
    return draw_profile(table, figure=13, ax=ax, net_level=net_level)


@styled(width="double", aspect=0.52)
def plot_income_now(table: pd.DataFrame, *, ax: Axes | None = None, net_level: bool = False) -> Axes:
    """Figuur 25: current income (see :func:`draw_profile`)."""
    return draw_profile(table, figure=25, ax=ax, net_level=net_level)


@styled(width="double", aspect=0.5)
def plot_income_drop(table: pd.DataFrame, *, ax: Axes | None = None, net_level: bool = False) -> Axes:
    """Figuur 26: income drop at retirement (see :func:`draw_profile`)."""
    return draw_profile(table, figure=26, ax=ax, net_level=net_level)


@styled(width="double", aspect=0.46)
def plot_io_origination(table: pd.DataFrame, *, ax: Axes | None = None, net_level: bool = False) -> Axes:
    """Figuur 27: interest-only share of the original principal (see :func:`draw_profile`)."""
    return draw_profile(table, figure=27, ax=ax, net_level=net_level)


@styled(width="double", aspect=0.42)
def plot_arrears(table: pd.DataFrame, *, ax: Axes | None = None, net_level: bool = False) -> Axes:
    """Figuur 28: current payment arrears (see :func:`draw_profile`)."""
    return draw_profile(table, figure=28, ax=ax, net_level=net_level)


#: Figure number -> its plot function.
PLOTS = {11: plot_income_credit, 12: plot_household_type, 13: plot_debt_value, 25: plot_income_now,
         26: plot_income_drop, 27: plot_io_origination, 28: plot_arrears}
assert tuple(PLOTS) == FIGURES


def profile_figure_writers(gate: Gate, *, net_level: bool = False) -> dict:
    """Writers of ``figures/profile_<n>.{pdf,png}`` drawn from the gated ``profiles.csv`` as read back
    (``net_level``: as :func:`draw_profile`)."""
    table = as_read_back(gate.published(PROFILES_FILE), read_released_profiles)
    writers: dict = {}
    for number, plot in PLOTS.items():
        if (pd.to_numeric(table[IO.PROFILE_FIGURE], errors="coerce") == number).any():
            writers.update(figure_writers(plot(table, net_level=net_level).figure, f"figures/profile_{number}"))
    return writers
