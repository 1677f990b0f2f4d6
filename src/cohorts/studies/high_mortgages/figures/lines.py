"""Line and bar charts by group: Figures 4, 5 and 6 (income, interest-only, income growth) and Figure 7 (arrears by threshold)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cohorts import columns as C
from cohorts.studies.high_mortgages import tables as T
from cohorts.report.style import LINE_PALETTE, LINESTYLES, MARKERS, PALETTE
from cohorts.studies.high_mortgages.figures.common import (
    _hidden,
    _mark_points,
    MARKER,
    _note_suppressed,
    _styled,
    suppressed,
    _t,
    _values,
)


# --------------------------------------------------------------------------
# Figures 4, 5, 6
# --------------------------------------------------------------------------
def plot_group_lines(data: pd.DataFrame, *, scale: float = 1.0, lang: str = "en", ax: Axes) -> Axes:
    """Figures 4 and 5 drawn from their tidy data (``group, cohort, value``; gated or not).

    One line per group over the cohorts; a suppressed point is omitted (the
    line has a gap there) and marked ``x`` above the x-axis.  Values are
    divided by ``scale``.
    """
    hidden_any = False
    gaps = _hidden(data, "value")
    for k, group in enumerate(pd.unique(data["group"])):
        hit = (data["group"] == group).to_numpy()
        sub = data.loc[hit].assign(_gap=gaps[hit]).sort_values("cohort")
        colour = LINE_PALETTE[k % len(LINE_PALETTE)]
        ax.plot(sub["cohort"].astype(int).to_numpy(), _values(sub["value"]) / scale, color=colour,
                linestyle=LINESTYLES[k % len(LINESTYLES)], marker=MARKERS[k % len(MARKERS)], label=_t(lang, group))
        if sub["_gap"].any():
            hidden_any = True
            _mark_points(ax, sub.loc[sub["_gap"], "cohort"].astype(int).tolist(), colour=colour)
    ax.set_xticks(list(C.COHORT_YEARS))
    ax.set_xlabel(_t(lang, "cohort"))
    # below the axes: inside, a legend of four groups covers a line whatever the data
    ax.legend(ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.2), handlelength=2.5)
    if hidden_any:
        _note_suppressed(ax, lang=lang)
    return ax


def plot_figure_4(data: pd.DataFrame, *, lang: str = "en", ax: Axes) -> Axes:
    """Figure 4 drawn from its data (:func:`cohorts.studies.high_mortgages.tables.income_data`, gated or not)."""
    plot_group_lines(data, scale=1000.0, lang=lang, ax=ax)
    ax.set_ylabel(_t(lang, "income"))
    return ax


def plot_figure_5(data: pd.DataFrame, *, lang: str = "en", ax: Axes) -> Axes:
    """Figure 5 drawn from its data (:func:`cohorts.studies.high_mortgages.tables.interest_only_data`, gated or not)."""
    plot_group_lines(data, scale=1.0, lang=lang, ax=ax)
    ax.set_ylabel(_t(lang, "share_households"))
    ax.set_ylim(0, 100)
    return ax


@_styled()
def figure_4(
    cohorts: pd.DataFrame, *, groups: Sequence[str] = T.GROUPS, lang: str = "en", ax: Axes | None = None
) -> Axes:
    """Figure 4: mean gross household income by cohort for each group (euro 1,000)."""
    return plot_figure_4(T.income_data(cohorts, groups=groups), lang=lang, ax=ax)


@_styled()
def figure_5(
    cohorts: pd.DataFrame, *, groups: Sequence[str] = T.GROUPS, lang: str = "en", ax: Axes | None = None
) -> Axes:
    """Figure 5: share of households with (partly) interest-only mortgages by cohort and group."""
    return plot_figure_5(T.interest_only_data(cohorts, groups=groups), lang=lang, ax=ax)


def plot_figure_6(data: pd.DataFrame, *, lang: str = "en", ax: Axes) -> Axes:
    """Figure 6 drawn from its data (:func:`cohorts.studies.high_mortgages.tables.income_growth_data`, gated or not).

    The first group is drawn with its interquartile range, the N per year of
    the first group under the x-axis.  A suppressed year is omitted (gap) and
    its N shows the marker ``x``.
    """
    groups = list(pd.unique(data["group"]))
    gaps = suppressed(data)
    for k, group in enumerate(groups):
        hit = (data["group"] == group).to_numpy()
        sub = data.loc[hit]
        k_ = sub[C.YEARS_SINCE_ORIGINATION].astype(int).to_numpy()
        ax.plot(k_, _values(sub["median_growth"]), color=PALETTE[k], linestyle=LINESTYLES[k], marker=MARKERS[k],
                label=_t(lang, group))
        if k == 0:
            ax.fill_between(k_, _values(sub["p25_growth"]), _values(sub["p75_growth"]), color=PALETTE[k],
                            alpha=0.15, linewidth=0)
    first = data.loc[(data["group"] == groups[0]).to_numpy()] if groups else data
    years = first[C.YEARS_SINCE_ORIGINATION].astype(int).tolist()
    ns = _values(first["n"])
    labels = [f"{k}\n{MARKER if not np.isfinite(n) else T.format_number(float(n), decimals=0, lang=lang)}"
              for k, n in zip(years, ns, strict=True)]
    ax.set_xticks(years, labels, fontsize="x-small")
    ax.set_xlabel(_t(lang, "years_since_n"))
    ax.set_ylabel(_t(lang, "growth"))
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.legend()
    if gaps.any():
        _note_suppressed(ax, lang=lang)
    return ax


@_styled()
def figure_6(
    panel: pd.DataFrame,
    *,
    groups: Sequence[str] = ("starters", "new"),
    max_years: int = 6,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Figure 6: median nominal income growth by years since origination (0 = baseline).

    Starters are drawn with their interquartile range; all new mortgages (the
    text's comparison) as a second line.  The N per year is printed under the
    x-axis for the first group.
    """
    data = T.income_growth_data(panel, groups=groups, max_years=max_years)
    return plot_figure_6(data, lang=lang, ax=ax)


# --------------------------------------------------------------------------
# Figure 7
# --------------------------------------------------------------------------
FIGURE_7_THRESHOLDS: tuple[float, ...] = tuple(np.round(np.arange(0.4, 1.501, 0.05), 2))


def plot_figure_7(data: pd.DataFrame, *, lang: str = "en", ax: Axes) -> Axes:
    """Figure 7 drawn from its data (:func:`cohorts.studies.high_mortgages.tables.arrears_threshold_data`, gated or not).

    A suppressed threshold is omitted from both lines (a gap) and marked
    ``x``; the legend's title gives the numbers of arrears and of mortgages
    of a released threshold (``x`` when none is released).
    """
    data = data.sort_values("threshold")
    gaps = _hidden(data, "share_events") | _hidden(data, "share_mortgages")
    x = 100.0 * data["threshold"].to_numpy(dtype="float64")
    ax.plot(x, _values(data["share_events"]), color=PALETTE[0], linestyle="-", marker=MARKERS[0],
            label=_t(lang, "arrears"))
    # with a marker too: a released threshold between two suppressed ones is a single point, not a line
    ax.plot(x, _values(data["share_mortgages"]), color=PALETTE[1], linestyle="--", marker=MARKERS[1], markersize=2.5,
            label=_t(lang, "share_mortgages"))
    if len(x):  # also when every point is suppressed (no data to scale the axis to)
        ax.set_xlim(float(x.min()) - 2.5, float(x.max()) + 2.5)
    ax.set_xlabel(_t(lang, "threshold"))
    ax.set_ylabel(_t(lang, "share_arrears_mortgages"))
    ax.set_ylim(0, 100)
    ax.axvline(100.0, color="grey", linewidth=0.5)
    n_events, n_mort = _values(data["n_events"]), _values(data["n_mortgages"])
    shown = np.isfinite(n_events) & np.isfinite(n_mort)
    if not len(data):
        e, m = "0", "0"
    elif shown.any():
        e, m = (T.format_number(float(v[shown][0]), decimals=0, lang=lang) for v in (n_events, n_mort))
    else:
        e, m = MARKER, MARKER
    ax.legend(title=_t(lang, "n_events_mortgages", e=e, m=m), ncols=1, loc="upper center",
              bbox_to_anchor=(0.5, -0.2))
    if gaps.any():
        _mark_points(ax, x[gaps], colour=PALETTE[0])
        _note_suppressed(ax, lang=lang)
    return ax


@_styled()
def figure_7(
    cohorts: pd.DataFrame,
    *,
    population: str = "starters",
    window: str = "first_year",
    thresholds: Sequence[float] = FIGURE_7_THRESHOLDS,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Figure 7: share of all arrears in mortgages at or above each initial LTI-utilisation threshold.

    ``population="starters"`` (default) matches the report's N; ``"new"``
    uses all new mortgages (targets README, ambiguity 1).  ``window="first_year"``
    (default) counts first arrears in the origination year, as Tabel 5 (the
    caption's 3,321 = Tabel B3 x Tabel 5 starters); ``"ever"`` every first
    arrears during follow-up (:func:`cohorts.studies.high_mortgages.tables.figure_7_frame`).
    The share of mortgages above each threshold is drawn for reference.
    """
    data = T.arrears_threshold_data(cohorts, population=population, window=window, thresholds=thresholds)
    return plot_figure_7(data, lang=lang, ax=ax)
