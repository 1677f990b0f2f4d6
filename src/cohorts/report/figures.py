"""The report's figures, one function per figure, each drawing on an Axes.

Every function takes the study frames it needs (``cohorts``, ``panel``) and
keyword options, draws on ``ax`` (a new house-style figure when ``ax`` is
None) and returns that Axes.  Nothing is shown or saved here; export with
:func:`cohorts.report.style.export_figure`.  The numbers drawn come from
:mod:`cohorts.report.tables` (``*_data`` functions), so what is plotted is
what is tested.

Labels are English by default; ``lang="nl"`` gives the report's Dutch.  The
interpretation choices (Figure 7 on starters, >= 90% in Figures 3 and B2,
duration 1 = origination year) are documented in
:mod:`cohorts.report.tables` and are parameters here too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from cohorts import columns as C
from cohorts.classify import DEFAULT_EDGES, QUADRANTS
from cohorts.report import tables as T
from cohorts.report.style import LINE_PALETTE, LINESTYLES, MARKERS, PALETTE, house_style, luminance, new_figure

_TEXT = {
    "en": {
        "lti_util": "LTI utilisation",
        "ltv_util": "LTV utilisation",
        "share_new": "share of new mortgages (%)",
        "share_starters": "share of first-time buyers (%)",
        "share_households": "share of households (%)",
        "cohort": "origination year",
        "income": "mean gross household income (euro 1,000)",
        "growth": "median income growth since origination (%)",
        "years_since": "years since origination",
        "years_since_n": "years since origination (below: N)",
        "threshold": "initial LTI utilisation at or above (%)",
        "share_arrears": "share of all arrears (%)",
        "share_mortgages": "share of mortgages",
        "arrears": "arrears",
        "surv": "share without arrears (%)",
        "year_after": "year after origination (1 = origination year)",
        "at_risk": "number at risk",
        "within": "within norm",
        "high": "high (LTI > {thr:g}%)",
        "cum_inc": "cumulative arrears after {h} years (%)",
        "lti_threshold": "LTI-utilisation threshold (%)",
        "above": "above threshold",
        "below": "at or below threshold",
        "hr": "hazard ratio of first arrears",
        "Q1": "Q1 within both",
        "Q2": "Q2 LTV above",
        "Q3": "Q3 LTI above",
        "Q4": "Q4 both above",
        "starters": "first-time buyers",
        "new": "all new mortgages",
        "new_high": "new, LTI > 100%",
        "starters_high": "first-time buyers, LTI > 100%",
        "cohort_arrears": "cumulative arrears {h} yr after origination (%)",
    },
    "nl": {
        "lti_util": "LTI-benutting",
        "ltv_util": "LTV-benutting",
        "share_new": "aandeel nieuwe hypotheken (%)",
        "share_starters": "aandeel koopstarters (%)",
        "share_households": "aandeel huishoudens (%)",
        "cohort": "jaar van afsluiten",
        "income": "gemiddeld bruto huishoudinkomen (x 1.000 euro)",
        "growth": "mediane inkomensontwikkeling sinds afsluiten (%)",
        "years_since": "jaren na afsluiten",
        "years_since_n": "jaren na afsluiten (daaronder: N)",
        "threshold": "initiële LTI-benutting vanaf (%)",
        "share_arrears": "aandeel van alle achterstanden (%)",
        "share_mortgages": "aandeel hypotheken",
        "arrears": "achterstanden",
        "surv": "aandeel zonder betalingsachterstand (%)",
        "year_after": "jaar na afsluiten (1 = jaar van afsluiten)",
        "at_risk": "aantal gevolgd",
        "within": "binnen norm",
        "high": "hoog (LTI > {thr:g}%)",
        "cum_inc": "achterstand na {h} jaar (%)",
        "lti_threshold": "grens LTI-benutting (%)",
        "above": "boven de grens",
        "below": "op of onder de grens",
        "hr": "hazard ratio eerste achterstand",
        "Q1": "K1 binnen beide",
        "Q2": "K2 LTV boven",
        "Q3": "K3 LTI boven",
        "Q4": "K4 beide boven",
        "starters": "koopstarters",
        "new": "alle nieuwe hypotheken",
        "new_high": "nieuw, LTI > 100%",
        "starters_high": "koopstarters, LTI > 100%",
        "cohort_arrears": "achterstand {h} jaar na afsluiten (%)",
    },
}
#: Figure labels in English (``"en"``) and Dutch (``"nl"``).
TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({k: MappingProxyType(v) for k, v in _TEXT.items()})


def _t(lang: str, key: str, **kw: object) -> str:
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {tuple(TEXT)}, but was {lang!r}")
    return TEXT[lang][key].format(**kw)


def _styled(*, width: str = "single", aspect: float = 0.75) -> Callable[[Callable[..., Axes]], Callable[..., Axes]]:
    """Decorator: when ``ax`` is None, draw on a new house-style figure of the given size.

    The whole drawing then happens inside :func:`cohorts.report.style.house_style`;
    with a given ``ax`` the caller's style applies.
    """
    def deco(fn: Callable[..., Axes]) -> Callable[..., Axes]:
        @functools.wraps(fn)
        def wrapper(*args: object, ax: Axes | None = None, **kwargs: object) -> Axes:
            if ax is not None:
                return fn(*args, ax=ax, **kwargs)
            with house_style():
                _, new = new_figure(width=width, aspect=aspect)
                return fn(*args, ax=new, **kwargs)
        return wrapper
    return deco


def _pct_axis(ax: Axes, axis: str = "y", *, xmax: float = 100.0) -> None:
    fmt = PercentFormatter(xmax=xmax, decimals=0, symbol="")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


# --------------------------------------------------------------------------
# Figure 1
# --------------------------------------------------------------------------
@_styled(width="double", aspect=0.5)
def figure_1(
    cohorts: pd.DataFrame,
    *,
    year: int = 2017,
    lti_edges: Sequence[float] = DEFAULT_EDGES,
    ltv_edges: Sequence[float] = DEFAULT_EDGES,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Figure 1: LTI x LTV utilisation grid of one cohort (% of its new mortgages).

    LTI categories rise downwards, LTV categories to the right, as in the
    report; the lines mark the 100% cut of both norms (quadrants Q1 top-left
    to Q4 bottom-right).  Each cell is annotated with its share.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``lti_util``, ``ltv_util``, ``cohort``.
    year : int, default 2017
    lti_edges, ltv_edges : sequence of float
        Category edges (fractions); 1.0 must be one of them for the quadrant lines.
    lang : {"en", "nl"}, default "en"
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    data = T.figure_1_data(cohorts, year=year, lti_edges=lti_edges, ltv_edges=ltv_edges)
    grid = data.pivot(index="lti_category", columns="ltv_category", values="share")
    grid = grid.loc[data["lti_category"].cat.categories, data["ltv_category"].cat.categories]
    values = grid.to_numpy(dtype="float64")
    vmax = np.nanmax(values) if np.isfinite(values).any() else 1.0
    ax.imshow(values, cmap="cividis", vmin=0.0, vmax=max(vmax, 1e-9), aspect="auto")
    import matplotlib as mpl

    cmap = mpl.colormaps["cividis"]
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            colour = cmap(v / vmax if vmax > 0 else 0.0)
            text_colour = "black" if luminance(mpl.colors.to_hex(colour)) > 0.5 else "white"
            ax.text(j, i, "-" if not np.isfinite(v) else f"{v:.1f}", ha="center", va="center", fontsize=6,
                    color=text_colour)
    ax.set_xticks(range(values.shape[1]), list(grid.columns), rotation=45, ha="right")
    ax.set_yticks(range(values.shape[0]), list(grid.index))
    ax.set_xlabel(_t(lang, "ltv_util"))
    ax.set_ylabel(_t(lang, "lti_util"))
    for edges, line in ((list(lti_edges), ax.axhline), (list(ltv_edges), ax.axvline)):
        if 1.0 in edges:
            line(edges.index(1.0) + 0.5, color="white", linewidth=1.2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    return ax


# --------------------------------------------------------------------------
# Figures 2, 3, B1, B2
# --------------------------------------------------------------------------
def _quadrant_figure(
    cohorts: pd.DataFrame, *, cut: float, strict: bool, population: str, lang: str, ax: Axes | None
) -> Axes:
    data = T.quadrant_data(cohorts, cut=cut, strict=strict, population=population)
    wide = data.pivot(index=C.COHORT, columns="quadrant", values="share").reindex(columns=list(QUADRANTS))
    wide = wide.reindex(list(C.COHORT_YEARS))
    x = np.arange(len(wide))
    bottom = np.zeros(len(wide))
    for k, q in enumerate(QUADRANTS):
        v = np.nan_to_num(wide[q].to_numpy(dtype="float64"))
        ax.bar(x, v, bottom=bottom, color=PALETTE[k], edgecolor="white", linewidth=0.4, width=0.75,
               label=_t(lang, q))
        bottom += v
    ax.set_xticks(x, [str(y) for y in wide.index])
    ax.set_xlabel(_t(lang, "cohort"))
    ax.set_ylabel(_t(lang, "share_starters" if population == "starters" else "share_new"))
    ax.set_ylim(0, 100)
    ax.legend(ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.2), handlelength=1.0)
    return ax


@_styled(aspect=0.9)
def figure_2(cohorts: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Axes:
    """Figure 2: quadrant shares per cohort at 100% of both norms (above = > 100%)."""
    return _quadrant_figure(cohorts, cut=1.0, strict=True, population="new", lang=lang, ax=ax)


@_styled(aspect=0.9)
def figure_3(cohorts: pd.DataFrame, *, strict: bool = False, lang: str = "en", ax: Axes | None = None) -> Axes:
    """Figure 3: quadrant shares per cohort at 90% of both norms.

    ``strict=False`` (default) counts a side as above when utilisation >= 90%
    (the text's "90% of meer"); ``strict=True`` uses > 90% ("boven 90%").
    """
    return _quadrant_figure(cohorts, cut=0.9, strict=strict, population="new", lang=lang, ax=ax)


@_styled(aspect=0.9)
def figure_b1(cohorts: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Axes:
    """Figure B1: as Figure 2, for starters."""
    return _quadrant_figure(cohorts, cut=1.0, strict=True, population="starters", lang=lang, ax=ax)


@_styled(aspect=0.9)
def figure_b2(cohorts: pd.DataFrame, *, strict: bool = False, lang: str = "en", ax: Axes | None = None) -> Axes:
    """Figure B2: as Figure 3, for starters (``strict`` as in :func:`figure_3`)."""
    return _quadrant_figure(cohorts, cut=0.9, strict=strict, population="starters", lang=lang, ax=ax)


# --------------------------------------------------------------------------
# Figures 4, 5, 6
# --------------------------------------------------------------------------
def _group_lines(data: pd.DataFrame, *, scale: float, lang: str, ax: Axes) -> Axes:
    for k, group in enumerate(pd.unique(data["group"])):
        sub = data.loc[data["group"] == group].sort_values("cohort")
        ax.plot(sub["cohort"], sub["value"] / scale, color=LINE_PALETTE[k % len(LINE_PALETTE)],
                linestyle=LINESTYLES[k % len(LINESTYLES)], marker=MARKERS[k % len(MARKERS)],
                label=_t(lang, group))
    ax.set_xticks(list(C.COHORT_YEARS))
    ax.set_xlabel(_t(lang, "cohort"))
    ax.legend()
    return ax


@_styled()
def figure_4(
    cohorts: pd.DataFrame, *, groups: Sequence[str] = T.GROUPS, lang: str = "en", ax: Axes | None = None
) -> Axes:
    """Figure 4: mean gross household income by cohort for each group (euro 1,000)."""
    _group_lines(T.income_data(cohorts, groups=groups), scale=1000.0, lang=lang, ax=ax)
    ax.set_ylabel(_t(lang, "income"))
    return ax


@_styled()
def figure_5(
    cohorts: pd.DataFrame, *, groups: Sequence[str] = T.GROUPS, lang: str = "en", ax: Axes | None = None
) -> Axes:
    """Figure 5: share of households with (partly) interest-only mortgages by cohort and group."""
    _group_lines(T.interest_only_data(cohorts, groups=groups), scale=1.0, lang=lang, ax=ax)
    ax.set_ylabel(_t(lang, "share_households"))
    ax.set_ylim(0, 100)
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
    for k, group in enumerate(groups):
        sub = data.loc[data["group"] == group]
        k_ = sub[C.YEARS_SINCE_ORIGINATION].to_numpy()
        ax.plot(k_, sub["median_growth"], color=PALETTE[k], linestyle=LINESTYLES[k], marker=MARKERS[k],
                label=_t(lang, group))
        if k == 0:
            ax.fill_between(k_, sub["p25_growth"], sub["p75_growth"], color=PALETTE[k], alpha=0.15, linewidth=0)
    first = data.loc[data["group"] == groups[0]]
    ax.set_xticks(first[C.YEARS_SINCE_ORIGINATION].tolist(),
                  [f"{k}\n{T.format_number(float(n), decimals=0, lang=lang)}"
                   for k, n in zip(first[C.YEARS_SINCE_ORIGINATION], first["n"], strict=True)],
                  fontsize="x-small")
    ax.set_xlabel(_t(lang, "years_since_n"))
    ax.set_ylabel(_t(lang, "growth"))
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.legend()
    return ax


# --------------------------------------------------------------------------
# Figure 7
# --------------------------------------------------------------------------
FIGURE_7_THRESHOLDS: tuple[float, ...] = tuple(np.round(np.arange(0.4, 1.501, 0.05), 2))


@_styled()
def figure_7(
    cohorts: pd.DataFrame,
    *,
    population: str = "starters",
    thresholds: Sequence[float] = FIGURE_7_THRESHOLDS,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Figure 7: share of all arrears in mortgages at or above each initial LTI-utilisation threshold.

    ``population="starters"`` (default) matches the report's N; ``"new"``
    uses all new mortgages (targets README, ambiguity 1).  The share of
    mortgages above each threshold is drawn for reference.
    """
    data = T.arrears_threshold_data(cohorts, population=population, thresholds=thresholds)
    x = 100.0 * data["threshold"].to_numpy()
    ax.plot(x, data["share_events"], color=PALETTE[0], linestyle="-", marker=MARKERS[0], label=_t(lang, "arrears"))
    ax.plot(x, data["share_mortgages"], color=PALETTE[1], linestyle="--", label=_t(lang, "share_mortgages"))
    ax.set_xlabel(_t(lang, "threshold"))
    ax.set_ylabel(_t(lang, "share_arrears"))
    ax.set_ylim(0, 100)
    ax.axvline(100.0, color="grey", linewidth=0.5)
    n_events = int(data["n_events"].iloc[0]) if len(data) else 0
    n_mort = int(data["n_mortgages"].iloc[0]) if len(data) else 0
    ax.legend(title=f"N = {n_events:,} / {n_mort:,}")
    return ax


# --------------------------------------------------------------------------
# Figures 8, 9 and the survival extras
# --------------------------------------------------------------------------
def _at_risk_table(ax: Axes, at: pd.DataFrame, *, lang: str) -> None:
    """Numbers at risk under the x-axis label, one row per group (labels carry a 2-character sort key)."""
    ax.annotate(_t(lang, "at_risk"), xy=(0.0, -0.25), xycoords="axes fraction", ha="left", va="top",
                fontsize="small", style="italic", annotation_clip=False)
    for row, (group, tab) in enumerate(at.groupby("group", sort=True)):
        y = -0.32 - 0.07 * row
        ax.annotate(str(group)[2:], xy=(0.0, y), xycoords="axes fraction", ha="right", va="top", fontsize="small",
                    annotation_clip=False)
        for t, n in zip(tab["time"], tab["n_at_risk"], strict=True):
            ax.annotate(T.format_number(float(n), decimals=0, lang=lang), xy=(t, y),
                        xycoords=("data", "axes fraction"), ha="center", va="top", fontsize="x-small",
                        annotation_clip=False)


def _survival_figure(
    cohorts: pd.DataFrame, *, starters: bool, threshold: float | None, lang: str, ax: Axes | None, ci: bool
) -> Axes:
    from cohorts.survival.km import fit_km

    frame = T.survival_frame(cohorts, starters=starters, threshold=threshold)
    thr = 100.0 * (1.0 if threshold is None else threshold)
    labels = {"within": _t(lang, "within"), "high": _t(lang, "high", thr=thr)}
    order = {"within": "1 ", "high": "2 "}  # sort key: within first (fit_km sorts the labels)
    frame["category"] = frame["category"].map(lambda c: order[c] + labels[c])
    res = fit_km(frame, duration=C.DURATION, event=C.EVENT, group="category")
    res.plot(ax=ax, at_risk=False, ci=ci)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles, [n[2:] for n in names], title=None, loc="lower left")
    _at_risk_table(ax, res.at(list(range(1, 8))), lang=lang)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0, symbol=""))
    ax.set_ylabel(_t(lang, "surv"))
    ax.set_xlabel(_t(lang, "year_after"))
    ax.set_xlim(0, 7.4)
    ax.set_xticks(list(range(1, 8)))
    return ax


@_styled(aspect=0.85)
def figure_8(
    cohorts: pd.DataFrame, *, threshold: float | None = None, ci: bool = True, lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Figure 8: Kaplan-Meier share without arrears, within the norm vs high, with numbers at risk.

    x = 1 is the origination year; the numbers at risk at x = k are the N the
    report prints under the figure.  ``threshold`` (fraction) redefines
    "high"; ``None`` uses the ``high`` column (> 100%).
    """
    return _survival_figure(cohorts, starters=False, threshold=threshold, lang=lang, ax=ax, ci=ci)


@_styled(aspect=0.85)
def figure_9(
    cohorts: pd.DataFrame, *, threshold: float | None = None, ci: bool = True, lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Figure 9: as Figure 8, for starters."""
    return _survival_figure(cohorts, starters=True, threshold=threshold, lang=lang, ax=ax, ci=ci)


@_styled()
def figure_sweep(
    cohorts: pd.DataFrame,
    *,
    thresholds: Sequence[float] = (0.8, 0.9, 1.0, 1.1, 1.2),
    horizon: int = 7,
    starters: bool = True,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """The robustness sweep: cumulative arrears at ``horizon`` above vs at/below each threshold.

    Points with 95% intervals; the report quotes starters above 90% (8.4%)
    and 80% (7.6%) after 6 years (duration 7).
    """
    data = T.threshold_sweep_data(cohorts, thresholds=thresholds, horizon=horizon, starters=starters)
    for k, (group, key) in enumerate((("within", "below"), ("above", "above"))):
        sub = data.loc[data["group"] == group].sort_values("threshold")
        x = 100.0 * sub["threshold"].to_numpy() + (1.0 if k else -1.0)
        y = 100.0 * sub["km_cum_inc"].to_numpy()
        lo = 100.0 * sub["km_cum_inc_lower"].to_numpy()
        hi = 100.0 * sub["km_cum_inc_upper"].to_numpy()
        err = np.vstack([np.nan_to_num(y - lo), np.nan_to_num(hi - y)])
        ax.errorbar(x, y, yerr=err, fmt=MARKERS[k], color=PALETTE[k], capsize=2, linestyle=LINESTYLES[k],
                    label=_t(lang, key))
    ax.set_xticks([100.0 * t for t in thresholds])
    ax.set_xlabel(_t(lang, "lti_threshold"))
    ax.set_ylabel(_t(lang, "cum_inc", h=horizon - 1))
    ax.legend()
    return ax


@_styled(aspect=0.8)
def figure_cox(
    cohorts: pd.DataFrame,
    *,
    covariates: Sequence[str] = (C.HIGH, C.STARTER, f"C({C.COHORT})"),
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Forest plot of Cox hazard ratios of first arrears (log scale, 95% intervals).

    The report states the comparison only in words; the default model has the
    high flag, the starter flag and cohort dummies (reference 2012).
    """
    data = T.cox_data(cohorts, covariates=covariates)
    y = np.arange(len(data))[::-1]
    hr = data["hr"].to_numpy(dtype="float64")
    xerr = np.vstack([hr - data["hr_lower"].to_numpy(dtype="float64"), data["hr_upper"].to_numpy(dtype="float64") - hr])
    ax.errorbar(hr, y, xerr=xerr, fmt="o", color=PALETTE[0], capsize=2)
    ax.axvline(1.0, color="grey", linewidth=0.6)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_yticks(y, list(data["covariate"]))
    ax.set_xlabel(_t(lang, "hr"))
    n, e = int(data["n"].iloc[0]), int(data["n_events"].iloc[0])
    ax.set_title(f"N = {n:,}, {e:,} arrears", loc="left")
    return ax


@_styled()
def figure_cohort_sensitivity(
    cohorts: pd.DataFrame,
    *,
    horizon: int = 2,
    starters: bool = False,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Cohort sensitivity: cumulative arrears at duration ``horizon`` per cohort, within vs high.

    ``horizon=2`` (one year after origination) is the longest follow-up that
    every cohort, including 2017, has.
    """
    data = T.cohort_sensitivity_data(cohorts, starters=starters)
    data = data.loc[(data["view"] == "cohort") & (data["time"] == horizon)]
    for k, (group, cat) in enumerate((("within", "within"), ("above", "high"))):
        sub = data.loc[data["group"] == group].sort_values(C.COHORT)
        y = 100.0 * sub["km_cum_inc"].to_numpy()
        err = np.vstack([np.nan_to_num(y - 100.0 * sub["km_cum_inc_lower"].to_numpy()),
                         np.nan_to_num(100.0 * sub["km_cum_inc_upper"].to_numpy() - y)])
        x = sub[C.COHORT].astype(int).to_numpy(dtype="float64") + (0.1 if k else -0.1)
        ax.errorbar(x, y, yerr=err, fmt=MARKERS[k], color=PALETTE[k], capsize=2, linestyle=LINESTYLES[k],
                    label=_t(lang, cat, thr=100.0))
    ax.set_xticks(list(C.COHORT_YEARS))
    ax.set_xlabel(_t(lang, "cohort"))
    ax.set_ylabel(_t(lang, "cohort_arrears", h=horizon - 1))
    ax.legend()
    return ax


# --------------------------------------------------------------------------
# registry (used by ``cohorts reproduce`` and the notebooks)
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class FigureSpec:
    """How to draw one figure for export.

    Attributes
    ----------
    function : callable
        The figure function.
    frame : str
        ``"cohorts"`` or ``"panel"``: the frame passed first.
    width : str
        ``"single"`` or ``"double"`` column.
    aspect : float
        Height / width.
    """

    function: Callable[..., Axes]
    frame: str
    width: str = "single"
    aspect: float = 0.75


FIGURES: Mapping[str, FigureSpec] = MappingProxyType({
    "figure_1": FigureSpec(figure_1, "cohorts", "double", 0.5),
    "figure_2": FigureSpec(figure_2, "cohorts", "single", 0.9),
    "figure_3": FigureSpec(figure_3, "cohorts", "single", 0.9),
    "figure_4": FigureSpec(figure_4, "cohorts"),
    "figure_5": FigureSpec(figure_5, "cohorts"),
    "figure_6": FigureSpec(figure_6, "panel"),
    "figure_7": FigureSpec(figure_7, "cohorts"),
    "figure_8": FigureSpec(figure_8, "cohorts", "single", 0.85),
    "figure_9": FigureSpec(figure_9, "cohorts", "single", 0.85),
    "figure_b1": FigureSpec(figure_b1, "cohorts", "single", 0.9),
    "figure_b2": FigureSpec(figure_b2, "cohorts", "single", 0.9),
    "figure_sweep": FigureSpec(figure_sweep, "cohorts"),
    "figure_cox": FigureSpec(figure_cox, "cohorts", "single", 0.8),
    "figure_cohort_sensitivity": FigureSpec(figure_cohort_sensitivity, "cohorts"),
})
"""Every exported figure: name -> :class:`FigureSpec`."""


def draw(name: str, frames: Mapping[str, pd.DataFrame], *, lang: str = "en", **options: object) -> Figure:
    """Draw a registered figure in the house style at its journal size; returns the Figure.

    Parameters
    ----------
    name : str
        Key of :data:`FIGURES`.
    frames : mapping
        ``{"cohorts": ..., "panel": ...}``.
    lang : {"en", "nl"}, default "en"
    **options
        Passed to the figure function.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    spec = FIGURES[name]
    with house_style():
        fig, ax = new_figure(width=spec.width, aspect=spec.aspect)
        spec.function(frames[spec.frame], lang=lang, ax=ax, **options)
    return fig
