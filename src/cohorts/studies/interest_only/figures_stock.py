"""The interest-only study's stock figures (Figuren 1, 2, 7, 8, 14, 16), drawn from the released tables.

Every function takes a file as the gate released it and read back (:func:`~.descriptives.read_released`,
or ``tree.csv`` for Figuren 8 and 16 through :func:`~.descriptives.sale_outcome` and
:func:`~.descriptives.scenario_counts`): a hidden cell holds the marker and is drawn as a hatched,
labelled gap or an "x", never as zero.  Each title states the figure's N as released.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from cohorts.report.style import PALETTE, PALETTE_EXTRA, styled

from . import columns as IO
from .figures import HIDDEN_LABEL, SCENARIO_LABELS, _sparse_ticks

HIDDEN_MARK = "x"
_HATCH = dict(color="white", edgecolor="0.3", hatch="xxx", linewidth=0.4)


def _num(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce")


def _fmt(x: float) -> str:
    return f"{x:,.0f}"


def _handles(drawn: dict[str, object], names: list[str]) -> list:
    """Legend handles copying the drawn artists (a bar's face, edge and hatch; a marker line itself)."""
    out = []
    for k in names:
        artist = drawn[k]
        if hasattr(artist, "patches"):
            p = artist.patches[0]
            out.append(Patch(facecolor=p.get_facecolor(), edgecolor=p.get_edgecolor(), hatch=p.get_hatch()))
        else:
            out.append(artist)
    return out


def _legend_from(ax: Axes, drawn: dict[str, object], order: list[str], **kwargs: object) -> None:
    """A legend whose handles copy the drawn artists (so they match what is drawn)."""
    ax.legend(_handles(drawn, order), order, **kwargs)


# --------------------------------------------------------------------------
# Figuur 1
# --------------------------------------------------------------------------
_PREVALENCE_PANELS = (
    ("mortgages", "mortgages in the LLD", (("with_io", "at least one interest-only part", PALETTE[0]),
                                           ("without_io", "no interest-only part", PALETTE_EXTRA[0]))),
    ("io_households", "households with interest-only debt", (("fully_io", "fully interest-only", PALETTE[1]),
                                                              ("partly_io", "partly interest-only", PALETTE[3]))),
)


@styled(width="double", aspect=0.32)
def plot_prevalence(prevalence: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The study's Figuur 1: IO prevalence at end 2016 (top: mortgages; bottom: IO households).

    Parameters
    ----------
    prevalence : pandas.DataFrame
        ``prevalence.csv`` as released (rounded counts, shares from them).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One stacked bar per panel (percent); a hidden cell is a hatched segment of the rest.
    """
    drawn: dict[str, object] = {}
    ylabels, ns = [], []
    for yi, (panel, label, groups) in zip((1, 0), _PREVALENCE_PANELS, strict=True):
        rows = prevalence[prevalence["panel"] == panel].set_index("group")
        share = _num(rows["share"])
        n = _num(rows["n_rounded"])
        left = 0.0
        for group, glabel, colour in groups:
            s = share.get(group, np.nan)
            if not np.isfinite(s):
                continue
            drawn[glabel] = ax.barh(yi, s, left=left, color=colour, edgecolor=colour, linewidth=0.0, height=0.6)
            ax.text(left + s / 2, yi, f"{s:.0f}%", ha="center", va="center",
                    color="white" if colour in (PALETTE[0],) else "black")
            left += s
        if left < 99.5 and share.isna().any():
            drawn[HIDDEN_LABEL] = ax.barh(yi, 100.0 - left, left=left, height=0.6, **_HATCH)
        total = float(n.sum()) if not n.isna().any() else np.nan
        ns.append(total)
        ylabels.append(f"{label}\n(N = {_fmt(total)}, rounded)" if np.isfinite(total) else f"{label}\n(N not shown)")
    ax.set_yticks([1, 0], ylabels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share (%), end 2016")
    ax.set_title("Interest-only prevalence at end 2016 (sample counts rounded to "
                 f"{int(_num(prevalence['rounding_base']).iloc[0])})", loc="left")
    order = [g for _, _, gs in _PREVALENCE_PANELS for _, g, _ in gs if g in drawn]
    order += [HIDDEN_LABEL] if HIDDEN_LABEL in drawn else []
    _legend_from(ax, drawn, order, ncols=len(order), loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False)
    return ax


# --------------------------------------------------------------------------
# Figuur 2
# --------------------------------------------------------------------------
_DIMENSION_LABELS = {"io_share": "interest-only share of the principal", "remaining_term": "years to maturity"}


@styled(width="double", aspect=0.5)
def plot_coverage(coverage: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The study's Figuur 2: median free wealth plus voluntary repayment, % of the original IO principal.

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``coverage.csv`` as released (medians; a class with fewer than the percentile rule's units is hidden).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Horizontal bars per class, the IO-share classes above the remaining-term classes; a hidden
        median is an "x" at the axis with the label "not shown".
    """
    med = _num(coverage["median"])
    n = _num(coverage["n_rounded"])
    rows = [i for i in range(len(coverage)) if coverage["dimension"].iloc[i] != "all"]
    y = []
    labels = []
    pos = 0.0
    last = None
    for i in rows:
        dim = coverage["dimension"].iloc[i]
        if last is not None and dim != last:
            pos += 0.8  # a gap between the two blocks
        last = dim
        y.append(pos)
        size = f"n = {_fmt(n.iloc[i])}" if np.isfinite(n.iloc[i]) else "n not shown"
        unit = " years" if dim == "remaining_term" else ""
        labels.append(f"{coverage['class'].iloc[i]}{unit} ({size})")
        pos += 1.0
    y = -np.asarray(y)
    colours = [PALETTE[0] if coverage["dimension"].iloc[i] == "io_share" else PALETTE_EXTRA[0] for i in rows]
    drawn: dict[str, object] = {}
    for yi, i, colour in zip(y, rows, colours, strict=True):
        dim = coverage["dimension"].iloc[i]
        if np.isfinite(med.iloc[i]):
            drawn[_DIMENSION_LABELS.get(dim, dim)] = ax.barh(yi, med.iloc[i], color=colour, height=0.7)
            ax.text(med.iloc[i], yi, f" {med.iloc[i]:.0f}%", va="center", ha="left")
        else:
            drawn[HIDDEN_LABEL] = ax.plot([0], [yi], marker="x", color="0.2", linestyle="none", markersize=6)[0]
            ax.text(0, yi, "   not shown", va="center", ha="left", color="0.3")
    ax.set_yticks(y, labels)
    overall = coverage[coverage["dimension"] == "all"]
    if len(overall) and np.isfinite(med[overall.index[0]]):
        ax.axvline(float(med[overall.index[0]]), color="0.3", linestyle="--", linewidth=0.8)
        drawn["all households with a refinancing moment"] = ax.get_lines()[-1]
    ax.set_xlim(0, max(float(np.nanmax(med.to_numpy())) if np.isfinite(med).any() else 1.0, 1.0) * 1.2)
    ax.set_xlabel("median of free wealth + cumulative voluntary repayment, % of the original interest-only principal")
    n_all = float(n[overall.index[0]]) if len(overall) else np.nan
    ax.set_title(f"Coverage of interest-only debt at end 2016 (N = {_fmt(n_all)} households with a refinancing "
                 "moment, rounded)" if np.isfinite(n_all) else "Coverage of interest-only debt at end 2016",
                 loc="left")
    names = list(drawn)
    handles = _handles(drawn, names)
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=len(names), frameon=False)
    return ax


# --------------------------------------------------------------------------
# Figuur 7
# --------------------------------------------------------------------------
_RISK = (("households", "households with a refinancing moment", PALETTE_EXTRA[0]),
         ("fail_annuity", "fail the annuity test, free wealth used (step 4)", PALETTE[0]),
         ("forced_sale", "also fail the 50% interest-only test (step 6)", PALETTE_EXTRA[1]))


@styled(width="double", aspect=0.42)
def plot_risk_by_year(risk: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The study's Figuur 7: refinancing risk by refinancing year (base scenario), population estimates.

    Parameters
    ----------
    risk : pandas.DataFrame
        ``risk_by_year.csv`` as released (long: year, group, rounded count, population).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The three nested groups overlaid per year (each bar includes the next); a hidden cell is an "x".
    """
    years = list(dict.fromkeys(risk["refinancing_year"].astype(str)))
    order = np.argsort([int(y.rstrip("+")) for y in years], kind="stable")
    years = [years[i] for i in order]
    x = np.arange(len(years))
    drawn: dict[str, object] = {}
    wide = risk.assign(pop=_num(risk["population"])).pivot(index="refinancing_year", columns="group", values="pop")
    wide = wide.reindex(years)
    top = float(np.nanmax(wide.to_numpy())) / 1000.0 if np.isfinite(wide.to_numpy()).any() else 1.0
    for k, (group, label, colour) in enumerate(_RISK):
        if group not in wide:
            continue
        v = wide[group].to_numpy() / 1000.0
        ok = np.isfinite(v)
        if ok.any():
            drawn[label] = ax.bar(x[ok], v[ok], width=0.8 - 0.2 * k, color=colour, linewidth=0.0)
        if (~ok).any():
            drawn[HIDDEN_LABEL] = ax.plot(x[~ok], np.full((~ok).sum(), 0.02 * top), marker="x", color="0.2",
                                          linestyle="none", markersize=5)[0]
    _sparse_ticks(ax, x, years)
    ax.set_xlabel("refinancing year (first interest-only part matures)")
    ax.set_ylabel("households (thousands, population estimate)")
    base = int(_num(risk["rounding_base"]).iloc[0])
    hh = _num(risk.loc[risk["group"] == "households", "n_rounded"])
    ax.set_title(f"Refinancing risk by maturity year, base scenario (N = {_fmt(hh.sum())} households, sample counts "
                 f"rounded to {base})", loc="left")
    names = [label for _, label, _ in _RISK if label in drawn] + ([HIDDEN_LABEL] if HIDDEN_LABEL in drawn else [])
    handles = _handles(drawn, names)
    ax.legend(handles, names, loc="upper left", frameon=False)
    return ax


# --------------------------------------------------------------------------
# Figuur 8
# --------------------------------------------------------------------------
@styled(width="single", aspect=0.75)
def plot_sale_outcome(sale: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The study's Figuur 8: the step-6 failures by sale outcome (base scenario).

    Parameters
    ----------
    sale : pandas.DataFrame
        :func:`~.descriptives.sale_outcome` of ``tree.csv`` as released.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Two bars (population estimates, thousands) labelled with their share of the step-6 failures;
        a hidden cell is a hatched bar marked "x" at the height public arithmetic cannot give (none).
    """
    rows = sale.set_index("outcome")
    items = (("sale_repays", "sale repays the debt", PALETTE[0]),
             ("sale_residual_debt", "residual debt after sale", PALETTE_EXTRA[1]))
    drawn: dict[str, object] = {}
    for xi, (key, label, colour) in enumerate(items):
        pop, share = float(rows.loc[key, "population"]), float(rows.loc[key, "share"])
        if np.isfinite(pop):
            drawn[label] = ax.bar(xi, pop / 1000.0, color=colour, width=0.6)
            ax.text(xi, pop / 1000.0, f"{_fmt(pop / 1000.0)}k\n({share:.0f}%)" if np.isfinite(share)
                    else f"{_fmt(pop / 1000.0)}k", ha="center", va="bottom")
        else:
            drawn[HIDDEN_LABEL] = ax.plot([xi], [0], marker="x", color="0.2", linestyle="none", markersize=7)[0]
            ax.annotate("not shown", (xi, 0), xytext=(0, 8), textcoords="offset points", ha="center",
                        va="bottom", color="0.3")
    ax.set_xticks([0, 1], ["sale repays", "residual debt"])
    ax.set_xlim(-0.6, 1.6)
    ymax = max([b.patches[0].get_height() for b in drawn.values() if hasattr(b, "patches")] or [1.0])
    ax.set_ylim(0, ymax * 1.3)
    ax.set_ylabel("households (thousands)")
    n = float(rows.loc["forced_sale", "n"])
    ax.set_title("Forced sales (step 6), base scenario, population\nestimates" + (
        f" (N = {_fmt(n)} sample households)" if np.isfinite(n) else " (N not shown)"), loc="left")
    names = [label for _, label, _ in items if label in drawn] + ([HIDDEN_LABEL] if HIDDEN_LABEL in drawn else [])
    handles = _handles(drawn, names)
    ax.legend(handles, names, loc="upper right", frameon=False)
    return ax


# --------------------------------------------------------------------------
# Figuur 14
# --------------------------------------------------------------------------
PROFILE_LABELS = {"age_over_cut": "main earner older than {cut}", "retired": "main earner retired",
                  "fully_io": "fully interest-only", "single": "single",
                  "age": "age, main earner (years)", "income": "household income (euro)",
                  "free_wealth": "free wealth (euro)", "debt": "mortgage debt (euro)", "ltv": "LTV (%)",
                  "voluntary_repaid": "voluntary repaid (euro)"}
_GROUPS = (("perpetual", "no refinancing moment (perpetual)", PALETTE[0]),
           ("all", "all households with interest-only debt", "white"))


@styled(width="double", aspect=0.55)
def plot_profile(profile: pd.DataFrame, *, age_cut: int = 60, ax: Axes | None = None) -> Axes:
    """The study's Figuur 14: perpetual vs all IO households (shares as bars, medians in a table below).

    Parameters
    ----------
    profile : pandas.DataFrame
        ``perpetual_profile.csv`` as released.
    age_cut : int, default 60
        The age in the label of ``age_over_cut`` (``data/descriptives.toml``).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    shares = profile[profile["measure"] == "share"]
    medians = profile[profile["measure"] == "median"]
    chars = list(dict.fromkeys(shares["characteristic"]))
    y = np.arange(len(chars))[::-1].astype(float)
    drawn: dict[str, object] = {}
    totals = {}
    for k, (group, label, colour) in enumerate(_GROUPS):
        rows = shares[shares["group"] == group].set_index("characteristic")
        v = _num(rows["value"]).reindex(chars).to_numpy()
        ok = np.isfinite(v)
        off = 0.2 if k == 0 else -0.2
        if ok.any():
            drawn[label] = ax.barh(y[ok] + off, v[ok], height=0.38, color=colour, edgecolor=PALETTE[0], linewidth=0.6)
        for yi, vi in zip(y[ok] + off, v[ok], strict=True):
            ax.text(vi, yi, f" {vi:.0f}%", va="center", ha="left", fontsize=6.5)
        if (~ok).any():
            drawn[HIDDEN_LABEL] = ax.plot(np.zeros((~ok).sum()), y[~ok] + off, marker="x", color="0.2",
                                          linestyle="none", markersize=5)[0]
        med = medians[medians["group"] == group]
        totals[group] = float(_num(med["n_rounded"]).max()) if len(med) else np.nan
    ax.set_yticks(y, [PROFILE_LABELS.get(c, c).format(cut=age_cut) for c in chars])
    ax.set_xlim(0, 105)
    ax.set_xlabel("share of the group (%), end 2016")
    # the medians as a table under the axes
    mchars = list(dict.fromkeys(medians["characteristic"]))
    cell = []
    for group, _, _ in _GROUPS:
        rows = medians[medians["group"] == group].set_index("characteristic")
        vals = _num(rows["value"]).reindex(mchars)
        cell.append([HIDDEN_MARK if not np.isfinite(v) else _fmt(v) for v in vals])
    table = ax.table(cellText=cell, rowLabels=["perpetual", "all IO"],
                     colLabels=[PROFILE_LABELS.get(c, c).replace(" (", "\n(").replace(", ", ",\n") for c in mchars],
                     loc="bottom", bbox=[0.0, -0.66, 1.0, 0.4], cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(6.5)
    ax.set_title(f"Households without a refinancing moment vs all (N = {_fmt(totals.get('perpetual', np.nan))} / "
                 f"{_fmt(totals.get('all', np.nan))}, rounded; table: medians, x = not shown)", loc="left")
    names = [label for _, label, _ in _GROUPS if label in drawn] + ([HIDDEN_LABEL] if HIDDEN_LABEL in drawn else [])
    handles = _handles(drawn, names)
    ax.legend(handles, names, loc="lower right", frameon=False)
    return ax


# --------------------------------------------------------------------------
# Figuur 16
# --------------------------------------------------------------------------
_COUNT_GROUPS = (("fail_annuity", "fail the annuity test (step 4)", PALETTE[0]),
                 ("forced_sale", "fail the 50% interest-only test (step 6)", PALETTE[1]),
                 ("residual_debt", "residual debt after sale", PALETTE_EXTRA[1]))


@styled(width="double", aspect=0.45)
def plot_scenario_counts(counts: pd.DataFrame, *, n_households: float | None = None, ax: Axes | None = None) -> Axes:
    """The study's Figuur 16: population counts of the nested failure groups per scenario (thousands).

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`~.descriptives.scenario_counts` of ``tree.csv`` as released.
    n_households : float, optional
        The IO households (``tree.csv``'s total) for the title's N.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Grouped bars labelled with the rounded thousands; a group that released cells cannot give is an "x".
    """
    scenarios = list(dict.fromkeys(counts[IO.SCENARIO]))
    x = np.arange(len(scenarios))
    width = 0.26
    drawn: dict[str, object] = {}
    top = float(np.nanmax(_num(counts["population"]).to_numpy())) / 1000.0 if _num(counts["population"]).notna().any() \
        else 1.0
    for k, (group, label, colour) in enumerate(_COUNT_GROUPS):
        rows = counts[counts["group"] == group].set_index(IO.SCENARIO)
        v = _num(rows["population"]).reindex(scenarios).to_numpy() / 1000.0
        ok = np.isfinite(v)
        xs = x + (k - 1) * width
        if ok.any():
            drawn[label] = ax.bar(xs[ok], v[ok], width=width, color=colour)
        for xi, vi in zip(xs[ok], v[ok], strict=True):
            ax.text(xi, vi + 0.01 * top, f"{vi:,.0f}", ha="center", va="bottom", fontsize=6.5)
        if (~ok).any():
            drawn[HIDDEN_LABEL] = ax.plot(xs[~ok], np.full((~ok).sum(), 0.02 * top), marker="x", color="0.2",
                                          linestyle="none", markersize=6)[0]
    start = counts.drop_duplicates(IO.SCENARIO).set_index(IO.SCENARIO)[IO.START_YEAR].astype(str)
    ax.set_xticks(x, [SCENARIO_LABELS.get(s, s) + ("" if start[s] == "trend" else f"\n(start {start[s]})")
                      for s in scenarios])
    ax.set_ylim(0, top * 1.18)
    ax.set_ylabel("households (thousands, population estimate)")
    n = "" if n_households is None else f" (N = {_fmt(n_households)} sample households)"
    ax.set_title(f"Households failing the tests per scenario, rounded to thousands{n}", loc="left")
    names = [label for _, label, _ in _COUNT_GROUPS if label in drawn] + (
        [HIDDEN_LABEL] if HIDDEN_LABEL in drawn else [])
    handles = _handles(drawn, names)
    ax.legend(handles, names, loc="upper left", frameon=False)
    return ax
