"""The report's figures, one function per figure, each drawing on an Axes.

Every function takes the study frames it needs (``cohorts``, ``panel``) and
keyword options, draws on ``ax`` (a new house-style figure when ``ax`` is
None) and returns that Axes.  Nothing is shown or saved here; export with
:func:`cohorts.report.style.export_figure`.  The numbers drawn come from
:mod:`cohorts.report.tables` (``*_data`` functions), so what is plotted is
what is tested.

Each figure is drawn by a ``plot_*`` function from its data frame alone
(``figure_1`` computes :func:`~cohorts.report.tables.figure_1_data` and calls
:func:`plot_figure_1`, and so on).  The export gate
(:mod:`cohorts.report.exports`) draws every exported figure with
:func:`draw_data` from the data *as released* by the disclosure gate: a
suppressed cell is missing (NaN, with a ``disclosure`` note) and is drawn as
a gap marked ``x`` (a blank hatched grid cell, an omitted bar segment, an
omitted line or curve point; a pooled run of Kaplan-Meier steps is drawn as
unknown, never as a flat line), so a figure and its ``<name>_data.csv`` show
the same numbers.

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
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter, PercentFormatter

from cohorts import columns as C
from cohorts.classify import DEFAULT_EDGES, QUADRANTS
from cohorts.disclosure import NOTE, suppressed_rows
from cohorts.report import tables as T
from cohorts.report.style import (
    LINE_PALETTE,
    LINESTYLES,
    MARKERS,
    PALETTE,
    SEQUENTIAL_CMAP,
    house_style,
    luminance,
    new_figure,
)

#: What a suppressed cell, bar or point shows in a figure (the gate's default marker).
MARKER = "x"

_TEXT = {
    "en": {
        "lti_util": "LTI utilisation",
        "ltv_util": "LTV utilisation",
        "share_new": "share of new mortgages (%)",
        "share_starters": "share of first-time buyers (%)",
        "share_households": "share of households (%)",
        "cohort": "origination year",
        "grid_share": "share of new mortgages (%), N = {n}",
        "cohort_n": "origination year (above each bar: N)",
        "quadrant_cut": "above: utilisation {op} {cut:g}% of the norm (LTI, LTV)",
        "income": "mean gross household income (euro 1,000)",
        "growth": "median income growth since origination (%)",
        "years_since": "years since origination",
        "years_since_n": "years since origination (below: N)",
        "threshold": "initial LTI utilisation at or above (%)",
        "share_arrears": "share of all arrears (%)",
        "share_mortgages": "share of all mortgages",
        "arrears": "share of all arrears",
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
        "cohort_arrears": "cumulative arrears (%)\n{h} yr after origination",
        "suppressed": "{marker}: not shown (disclosure control)",
        "refused": "model not shown (disclosure control)",
        "pooled": "pooled steps (disclosure control)",
        "n_events_mortgages": "{e} arrears among {m} mortgages",
        "share_arrears_mortgages": "% of all arrears / mortgages",
        "n_arrears": "N = {n}, {e} with arrears",
    },
    "nl": {
        "lti_util": "LTI-benutting",
        "ltv_util": "LTV-benutting",
        "share_new": "aandeel nieuwe hypotheken (%)",
        "share_starters": "aandeel koopstarters (%)",
        "share_households": "aandeel huishoudens (%)",
        "cohort": "jaar van afsluiten",
        "grid_share": "aandeel nieuwe hypotheken (%), N = {n}",
        "cohort_n": "jaar van afsluiten (boven elke staaf: N)",
        "quadrant_cut": "boven: benutting {op} {cut:g}% van de norm (LTI, LTV)",
        "income": "gemiddeld bruto huishoudinkomen (x 1.000 euro)",
        "growth": "mediane inkomensontwikkeling sinds afsluiten (%)",
        "years_since": "jaren na afsluiten",
        "years_since_n": "jaren na afsluiten (daaronder: N)",
        "threshold": "initiële LTI-benutting vanaf (%)",
        "share_arrears": "aandeel van alle achterstanden (%)",
        "share_mortgages": "aandeel van alle hypotheken",
        "arrears": "aandeel van alle achterstanden",
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
        "cohort_arrears": "achterstand (%)\n{h} jaar na afsluiten",
        "suppressed": "{marker}: niet getoond (geheimhouding)",
        "refused": "model niet getoond (geheimhouding)",
        "pooled": "samengevoegde stappen (geheimhouding)",
        "n_events_mortgages": "{e} achterstanden bij {m} hypotheken",
        "share_arrears_mortgages": "% van alle achterstanden /\nhypotheken",
        "n_arrears": "N = {n}, waarvan {e} met achterstand",
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
# gated data: suppressed cells are missing and drawn as gaps
# --------------------------------------------------------------------------
def suppressed(data: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the rows of figure data that the disclosure gate suppressed, pooled or cut.

    Rows of gated data carry a ``disclosure`` note: empty where released as
    computed, ``empty: ...`` for a population without units (no number
    exists, which is not a suppression), else what the gate did.  Data that
    did not pass the gate (no ``disclosure`` column) has no suppressed rows.

    Parameters
    ----------
    data : pandas.DataFrame
        Figure data, as computed or as released by
        the gate (:meth:`cohorts.report.Exporter.prepare_figure`).

    Returns
    -------
    numpy.ndarray of bool, shape (len(data),)
    """
    if NOTE not in data.columns:
        return np.zeros(len(data), dtype=bool)
    return suppressed_rows(data)


def _hidden(data: pd.DataFrame, column: str) -> np.ndarray:
    """Rows whose ``column`` the gate hid: a suppression note and no value.

    The gate may hide only some cells of a row (the counts ``n``, ``n_events``
    of a released estimate); such a row's value is drawn, not marked.
    """
    return suppressed(data) & ~np.isfinite(_values(data[column]))


def _values(series: pd.Series) -> np.ndarray:
    """Numbers as float64, the marker and missing values as NaN."""
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()


def _note_suppressed(ax: Axes, *, lang: str) -> None:
    """The legend of the marker, above the upper right corner of the axes."""
    ax.annotate(_t(lang, "suppressed", marker=MARKER), xy=(1.0, 1.04), xycoords="axes fraction", ha="right",
                va="bottom", fontsize="x-small", style="italic", annotation_clip=False)


def _mark_points(ax: Axes, x: Sequence[float], *, colour: str, row: int = 0) -> None:
    """The marker at each omitted point, just above the x-axis (``row`` 1, 2 ... stacked above row 0)."""
    for xx in x:
        ax.annotate(MARKER, xy=(float(xx), 0.02 + 0.06 * row), xycoords=("data", "axes fraction"), ha="center",
                    va="bottom",
                    fontsize="x-small", color=colour, annotation_clip=False)


# --------------------------------------------------------------------------
# Figure 1
# --------------------------------------------------------------------------
def plot_figure_1(
    data: pd.DataFrame,
    *,
    lti_edges: Sequence[float] = DEFAULT_EDGES,
    ltv_edges: Sequence[float] = DEFAULT_EDGES,
    lang: str = "en",
    ax: Axes,
) -> Axes:
    """Figure 1 drawn from its data (:func:`cohorts.report.tables.figure_1_data`, gated or not).

    A suppressed cell is left blank, hatched and labelled with the marker
    ``x``; a cell of an empty population shows ``-``.
    """
    import matplotlib as mpl
    import matplotlib.patheffects  # noqa: F401  (mpl.patheffects)

    lti_order = list(data["lti_category"].cat.categories) if isinstance(data["lti_category"].dtype,
                                                                         pd.CategoricalDtype) \
        else list(pd.unique(data["lti_category"]))
    ltv_order = list(data["ltv_category"].cat.categories) if isinstance(data["ltv_category"].dtype,
                                                                         pd.CategoricalDtype) \
        else list(pd.unique(data["ltv_category"]))
    work = data.assign(_share=_values(data["share"]), _gap=_hidden(data, "share").astype("float64"))
    grid = work.pivot(index="lti_category", columns="ltv_category", values="_share").loc[lti_order, ltv_order]
    gaps = work.pivot(index="lti_category", columns="ltv_category", values="_gap").loc[lti_order, ltv_order]
    values = grid.to_numpy(dtype="float64")
    hidden = gaps.to_numpy(dtype="float64") > 0
    vmax = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    # 0 (an empty cell) is the lightest colour, the largest share the darkest
    cmap = mpl.colormaps[SEQUENTIAL_CMAP].with_extremes(bad="white")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0.0, vmax=max(vmax, 1e-9), aspect="auto")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if hidden[i, j]:
                ax.add_patch(mpl.patches.Rectangle((j - 0.5, i - 0.5), 1.0, 1.0, facecolor="white",
                                                   edgecolor="#BBBBBB", hatch="////", linewidth=0.0))
                ax.text(j, i, MARKER, ha="center", va="center", fontsize=6, color="black")
                continue
            if not np.isfinite(v):
                ax.text(j, i, "-", ha="center", va="center", fontsize=6, color="black")
                continue
            colour = cmap(v / vmax if vmax > 0 else 0.0)
            text_colour = "black" if luminance(mpl.colors.to_hex(colour)) > 0.5 else "white"
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=6, color=text_colour)
    ax.set_xticks(range(values.shape[1]), [_category_label(c) for c in grid.columns], rotation=45, ha="right")
    ax.set_yticks(range(values.shape[0]), [_category_label(c) for c in grid.index])
    ax.set_xlabel(_t(lang, "ltv_util"))
    ax.set_ylabel(_t(lang, "lti_util"))
    outline = [mpl.patheffects.withStroke(linewidth=2.6, foreground="white")]  # visible on dark and white cells
    for edges, line in ((list(lti_edges), ax.axhline), (list(ltv_edges), ax.axvline)):
        if 1.0 in edges:
            line(edges.index(1.0) + 0.5, color="black", linewidth=1.2, path_effects=outline)
    n_total = _grid_total(work)
    n_text = MARKER if n_total is None else T.format_number(n_total, decimals=0, lang=lang)
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(_t(lang, "grid_share", n=n_text))
    bar.ax.tick_params(labelsize="x-small")
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    if hidden.any():
        _note_suppressed(ax, lang=lang)
    return ax


def _category_label(category: object) -> str:
    """A utilisation category as printed: ``<=60%`` -> ``\u2264 60%``, ``>120%`` -> ``> 120%``."""
    text = str(category)
    if text.startswith("<="):
        return "\u2264 " + text[2:].lstrip()
    if text.startswith(">="):
        return "\u2265 " + text[2:].lstrip()
    if text[:1] in "<>":
        return text[0] + " " + text[1:].lstrip()
    return text


def _grid_total(work: pd.DataFrame) -> float | None:
    """The N of the Figure 1 grid: the sum of the cells' numbers when all are released, else implied by a
    released cell (n / share); None when no released cell implies it."""
    n = _values(work["n"]) if "n" in work.columns else np.full(len(work), np.nan)
    if len(n) and np.isfinite(n).all():
        return float(n.sum())
    share = work["_share"].to_numpy(dtype="float64")
    ok = np.isfinite(n) & np.isfinite(share) & (share > 0)
    return float(np.round(100.0 * n[ok][0] / share[ok][0])) if ok.any() else None


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
    return plot_figure_1(data, lti_edges=lti_edges, ltv_edges=ltv_edges, lang=lang, ax=ax)


# --------------------------------------------------------------------------
# Figures 2, 3, B1, B2
# --------------------------------------------------------------------------
#: The colour of each quadrant in Figures 2, 3, B1 and B2 (bars and legend swatches).
QUADRANT_COLOURS: Mapping[str, str] = MappingProxyType(dict(zip(QUADRANTS, PALETTE, strict=True)))


def plot_quadrants(
    data: pd.DataFrame,
    *,
    population: str = "new",
    cut: float | None = None,
    strict: bool = True,
    lang: str = "en",
    ax: Axes,
) -> Axes:
    """Figures 2, 3, B1, B2 drawn from their data (:func:`cohorts.report.tables.quadrant_data`, gated or not).

    Stacked bars of the quadrant shares per cohort.  A suppressed quadrant is
    omitted (the released quadrants of that cohort are stacked without it); a
    cohort without mortgages has bars of height 0.  Above each bar the
    cohort's N (the sum of its quadrants' numbers) is printed when every
    quadrant's number is released, else the marker ``x``.  With ``cut``
    (fraction) the legend's title states the cut of both norms (``strict``:
    above means > cut, else >= cut), so Figures 2 and 3 differ in their labels.
    """
    work = data.assign(_share=_values(data["share"]), _n=_values(data["n"]),
                       _gap=_hidden(data, "share").astype("float64"),
                       quadrant=data["quadrant"].astype(str), cohort=data[C.COHORT].astype(int))
    index, columns = list(C.COHORT_YEARS), list(QUADRANTS)
    share = work.pivot(index=C.COHORT, columns="quadrant", values="_share").reindex(index=index, columns=columns)
    counts = work.pivot(index=C.COHORT, columns="quadrant", values="_n").reindex(index=index, columns=columns)
    gaps = work.pivot(index=C.COHORT, columns="quadrant", values="_gap").reindex(
        index=index, columns=columns).fillna(0.0) > 0
    x = np.arange(len(share))
    bottom = np.zeros(len(share))
    for q in QUADRANTS:
        shown = ~gaps[q].to_numpy()
        v = np.nan_to_num(share[q].to_numpy(dtype="float64"))  # an empty population: a bar of height 0
        ax.bar(x[shown], v[shown], bottom=bottom[shown], color=QUADRANT_COLOURS[q], edgecolor="white",
               linewidth=0.4, width=0.75, label=_t(lang, q))  # the container's label; the legend uses swatches
        bottom[shown] += v[shown]
    hidden = gaps.to_numpy().any(axis=1)
    n = counts.to_numpy(dtype="float64")
    known = np.isfinite(n).all(axis=1) & ~hidden
    present = np.isin(np.asarray(index), work[C.COHORT].to_numpy())  # a cohort not in the data gets no label
    for xx, ok, total in zip(x[present], known[present], n.sum(axis=1)[present], strict=True):
        text = T.format_number(float(total), decimals=0, lang=lang) if ok else MARKER
        ax.text(float(xx), 101.5, text, ha="center", va="bottom", fontsize="x-small")
    ax.set_xticks(x, [str(y) for y in share.index])
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.set_xlabel(_t(lang, "cohort_n"))
    ax.set_ylabel(_t(lang, "share_starters" if population == "starters" else "share_new"))
    ax.set_ylim(0, 110)
    ax.set_yticks(range(0, 101, 20))
    # swatches from the colour map, not from the drawn bars (a quadrant may have no drawn bar at all)
    swatches = [Patch(facecolor=QUADRANT_COLOURS[q], edgecolor="white", linewidth=0.4, label=_t(lang, q))
                for q in QUADRANTS]
    title = None if cut is None else _t(lang, "quadrant_cut", op=">" if strict else "\u2265", cut=100.0 * cut)
    ax.legend(handles=swatches, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.2), handlelength=1.0,
              title=title, title_fontsize="small")
    if hidden.any():
        _note_suppressed(ax, lang=lang)
    return ax


def _quadrant_figure(
    cohorts: pd.DataFrame, *, cut: float, strict: bool, population: str, lang: str, ax: Axes
) -> Axes:
    data = T.quadrant_data(cohorts, cut=cut, strict=strict, population=population)
    return plot_quadrants(data, population=population, cut=cut, strict=strict, lang=lang, ax=ax)


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
    """Figure 4 drawn from its data (:func:`cohorts.report.tables.income_data`, gated or not)."""
    plot_group_lines(data, scale=1000.0, lang=lang, ax=ax)
    ax.set_ylabel(_t(lang, "income"))
    return ax


def plot_figure_5(data: pd.DataFrame, *, lang: str = "en", ax: Axes) -> Axes:
    """Figure 5 drawn from its data (:func:`cohorts.report.tables.interest_only_data`, gated or not)."""
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
    """Figure 6 drawn from its data (:func:`cohorts.report.tables.income_growth_data`, gated or not).

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
    """Figure 7 drawn from its data (:func:`cohorts.report.tables.arrears_threshold_data`, gated or not).

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
    arrears during follow-up (:func:`cohorts.report.tables.figure_7_frame`).
    The share of mortgages above each threshold is drawn for reference.
    """
    data = T.arrears_threshold_data(cohorts, population=population, window=window, thresholds=thresholds)
    return plot_figure_7(data, lang=lang, ax=ax)


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


def _survival_runs(note: np.ndarray, hidden: np.ndarray) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Released runs and hidden (pooled or suppressed) runs of one curve's points, as ``[start, stop)`` indices.

    Point 0 is the start of the curve (time 0, survival 1, always released);
    points cut by the gate (note ``cut ...``) end the curve and are in no run.
    """
    state = np.where(hidden, "hidden", "shown")
    state[np.char.startswith(note.astype(str), "cut")] = "cut"
    released: list[tuple[int, int]] = []
    pooled: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(state) + 1):
        if i == len(state) or state[i] != state[start]:
            if state[start] == "shown":
                released.append((start, i))
            elif state[start] == "hidden":
                pooled.append((start, i))
            start = i
    return released, pooled


#: How far (in years) the last released Kaplan-Meier step is drawn after its time.
_LAST_STEP: float = 0.3


def plot_survival(data: pd.DataFrame, *, threshold: float = 1.0, lang: str = "en", ax: Axes) -> Axes:
    """Figures 8 and 9 drawn from their data (:func:`cohorts.report.tables.survival_data`, gated or not).

    Released steps are drawn as a step curve with its 95% band.  A run of
    steps the gate pooled (or suppressed) is not drawn as a flat line (that
    would say "no arrears"): the curve stops at the start of the run, a dotted
    connector joins it to the next released step (when there is one), and
    each pooled time is marked ``x`` above the x-axis in the curve's colour,
    with the note "pooled steps (disclosure control)".  A cut curve ends at
    its last released step; the numbers at risk are those of the data (a
    hidden number is not printed).
    """
    from matplotlib.lines import Line2D

    gaps = _hidden(data, "surv")
    pooled_any = False
    handles: list[Line2D] = []
    for k, cat in enumerate(("within", "high")):
        hit = (data["category"] == cat).to_numpy()
        sub = data.loc[hit].assign(_gap=gaps[hit]).sort_values("time")
        t = np.concatenate([[0.0], sub["time"].to_numpy(dtype="float64")])
        y = np.concatenate([[1.0], _values(sub["surv"])])
        lo = np.concatenate([[1.0], _values(sub["surv_lower"])])
        hi = np.concatenate([[1.0], _values(sub["surv_upper"])])
        hidden = np.concatenate([[False], sub["_gap"].to_numpy(dtype=bool) | ~np.isfinite(_values(sub["surv"]))])
        note = sub[NOTE].fillna("").astype(str).to_numpy() if NOTE in sub.columns else np.full(len(sub), "")
        released, pooled = _survival_runs(np.concatenate([[""], note]), hidden)
        label = _t(lang, "within") if cat == "within" else _t(lang, "high", thr=100.0 * threshold)
        colour = LINE_PALETTE[k]
        for i, (a, b) in enumerate(released):
            # a released value holds until the next row's time when that row is pooled (known up to then)
            end = b + 1 if b < len(t) and any(p[0] == b for p in pooled) else b
            tt = np.append(t[a:b], t[end - 1]) if end > b else t[a:b]
            yy, ll, uu = (np.append(v[a:b], v[b - 1]) if end > b else v[a:b] for v in (y, lo, hi))
            if b == len(t) and b > 1:
                # the last released step: a short stub after it, so its value and band are seen
                # (a step at the last time would otherwise be a bare vertical drop without a band)
                tt = np.append(tt, t[-1] + _LAST_STEP)
                yy, ll, uu = (np.append(v, v[-1]) for v in (yy, ll, uu))
            ax.step(tt, yy, where="post", color=colour, linestyle=LINESTYLES[k], label=label if i == 0 else None)
            ax.fill_between(tt, ll, uu, step="post", color=colour, alpha=0.2, linewidth=0)
        for a, b in pooled:
            pooled_any = True
            nxt = [r for r in released if r[0] == b]
            if nxt:  # dotted connector from the last known value to the next released step
                ax.plot([t[a], t[b]], [y[a - 1], y[b]], color=colour, linestyle=":", linewidth=1.0)
            ax.plot(t[a:b], np.full(b - a, 0.03 + 0.05 * k), transform=ax.get_xaxis_transform(), linestyle="none",
                    marker="x", markersize=3.5, color=colour, clip_on=False)
        handles.append(Line2D([], [], color=colour, linestyle=LINESTYLES[k], label=label))
        y_row = -0.32 - 0.07 * k
        ax.annotate(label, xy=(0.0, y_row), xycoords="axes fraction", ha="right", va="top", fontsize="small",
                    annotation_clip=False)
        risk = sub.loc[np.isfinite(_values(sub["n_at_risk"]))]
        for tt_, n in zip(risk["time"], _values(risk["n_at_risk"]), strict=True):
            ax.annotate(T.format_number(float(n), decimals=0, lang=lang), xy=(tt_, y_row),
                        xycoords=("data", "axes fraction"), ha="center", va="top", fontsize="x-small",
                        annotation_clip=False)
    if pooled_any:
        handles.append(Line2D([], [], color="black", linestyle=":", marker="x", markersize=3.5,
                              label=_t(lang, "pooled")))
    ax.annotate(_t(lang, "at_risk"), xy=(0.0, -0.25), xycoords="axes fraction", ha="left", va="top",
                fontsize="small", style="italic", annotation_clip=False)
    ax.legend(handles=handles, loc="best")
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))  # whole percents only
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0, symbol=""))
    low = np.nanmin(_values(data["surv_lower"])) if np.isfinite(_values(data["surv_lower"])).any() else 0.9
    ax.set_ylim(max(0.0, min(0.9, np.floor(low * 20.0) / 20.0)), 1.005)
    ax.set_ylabel(_t(lang, "surv"))
    ax.set_xlabel(_t(lang, "year_after"))
    ax.set_xlim(0, 7.4)
    ax.set_xticks(list(range(1, 8)))
    return ax


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


def _points_with_intervals(
    ax: Axes, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, k: int, label: str,
    hidden: np.ndarray,
) -> bool:
    """Points with intervals at the released ``x``; the omitted (``hidden``) points marked ``x``."""
    shown = np.isfinite(y)
    err = np.vstack([np.nan_to_num(y[shown] - lo[shown]), np.nan_to_num(hi[shown] - y[shown])])
    ax.errorbar(x[shown], y[shown], yerr=err, fmt=MARKERS[k], color=PALETTE[k], capsize=2,
                linestyle=LINESTYLES[k], label=label)
    if hidden.any():
        _mark_points(ax, x[hidden], colour=PALETTE[k], row=k)  # series on the same x: one row each
    return bool(hidden.any())


def _percent_floor(ax: Axes, values: pd.Series) -> None:
    """A y-axis of percentages from 0 (0 to 10 when no point is released)."""
    if np.isfinite(_values(values)).any():
        ax.set_ylim(bottom=0.0)
    else:
        ax.set_ylim(0.0, 10.0)


def _cum_inc_points(ax: Axes, sub: pd.DataFrame, x: np.ndarray, *, k: int, label: str) -> bool:
    """KM cumulative incidence (percent) with its interval at ``x``; gaps where ``sub['_gap']``."""
    return _points_with_intervals(
        ax, x, 100.0 * _values(sub["km_cum_inc"]), 100.0 * _values(sub["km_cum_inc_lower"]),
        100.0 * _values(sub["km_cum_inc_upper"]), k=k, label=label, hidden=sub["_gap"].to_numpy())


def plot_figure_sweep(data: pd.DataFrame, *, horizon: int | None = None, lang: str = "en", ax: Axes) -> Axes:
    """The threshold sweep drawn from its data (:func:`cohorts.report.tables.threshold_sweep_data`, gated or not).

    Points with 95% intervals above and at/below each threshold at one
    ``horizon`` (default: the largest time in the data); a suppressed point
    is omitted and marked ``x``.
    """
    h = int(data["time"].max()) if horizon is None and len(data) else int(horizon or 0)
    data = data.loc[(data["time"] == h).to_numpy()]
    gaps = _hidden(data, "km_cum_inc")
    hidden_any = False
    for k, (group, key) in enumerate((("within", "below"), ("above", "above"))):
        hit = (data["group"] == group).to_numpy()
        sub = data.loc[hit].assign(_gap=gaps[hit]).sort_values("threshold")
        x = 100.0 * sub["threshold"].to_numpy(dtype="float64") + (1.0 if k else -1.0)
        hidden_any |= _cum_inc_points(ax, sub, x, k=k, label=_t(lang, key))
    ticks = sorted(100.0 * float(t) for t in pd.unique(data["threshold"]))
    ax.set_xticks(ticks)
    if ticks:
        ax.set_xlim(ticks[0] - 5.0, ticks[-1] + 5.0)
    _percent_floor(ax, data["km_cum_inc"])
    ax.set_xlabel(_t(lang, "lti_threshold"))
    ax.set_ylabel(_t(lang, "cum_inc", h=h - 1))
    ax.legend()
    if hidden_any:
        _note_suppressed(ax, lang=lang)
    return ax


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
    plot_figure_sweep(data, horizon=horizon, lang=lang, ax=ax)
    ax.set_xticks([100.0 * t for t in thresholds])
    return ax


#: Plain tick values of the hazard-ratio axis (log scale): no 3x10^-1 labels.
_HR_TICKS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)

_COX_LABELS = {
    "en": {C.HIGH: "LTI > 100% (ref. \u2264 100%)", C.STARTER: "first-time buyer (ref. other)",
           C.COHORT: "cohort {level} (ref. {ref})"},
    "nl": {C.HIGH: "LTI > 100% (ref. \u2264 100%)", C.STARTER: "koopstarter (ref. overig)",
           C.COHORT: "jaargang {level} (ref. {ref})"},
}
#: Readable labels of the Cox model's terms in English and Dutch (``{level}``, ``{ref}`` of a factor).
COX_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({k: MappingProxyType(v) for k, v in _COX_LABELS.items()})


def cox_label(term: str, *, ref: object = None, lang: str = "en") -> str:
    """A readable label of a Cox model term (``cohort[T.2013]`` -> ``cohort 2013 (ref. 2012)``).

    ``ref`` is the reference level of a factor (treatment coding drops the
    lowest level; default: the first cohort year).  A term without a label is
    returned as it is.
    """
    _t(lang, "within")
    labels = COX_LABELS[lang]
    name, _, rest = term.partition("[T.")
    if rest and name in labels:
        return labels[name].format(level=rest.rstrip("]"), ref=C.COHORT_YEARS[0] if ref is None else ref)
    return labels.get(term, term)


def _cohort_reference(terms: Sequence[str]) -> int | None:
    """The reference cohort of the ``cohort[T.<year>]`` terms: the year before the first one shown."""
    years = [int(t[len(C.COHORT) + 3:-1]) for t in terms if t.startswith(f"{C.COHORT}[T.") and t[-1] == "]"
             and t[len(C.COHORT) + 3:-1].isdigit()]
    return min(years) - 1 if years else None


def plot_figure_cox(data: pd.DataFrame, *, lang: str = "en", ax: Axes) -> Axes:
    """The Cox forest plot drawn from its data (:func:`cohorts.report.tables.cox_data`, gated or not).

    A model refused by the disclosure gate (one row with its reason) is not
    drawn; the axes say so.
    """
    hr = _values(data["hr"])
    # a refused model is one row without estimates; a released model whose N the gate hid
    # (secondary suppression of n, n_events) still shows its hazard ratios
    shown = np.isfinite(hr) & np.isfinite(_values(data["hr_lower"])) & np.isfinite(_values(data["hr_upper"]))
    sub = data.loc[shown]
    y = np.arange(len(sub))[::-1]
    hr = hr[shown]
    xerr = np.vstack([hr - _values(sub["hr_lower"]), _values(sub["hr_upper"]) - hr])
    if len(sub):
        ax.errorbar(hr, y, xerr=xerr, fmt="o", color=PALETTE[0], capsize=2)
        ax.set_xscale("log")
        lo = float(np.nanmin(np.concatenate([_values(sub["hr_lower"]), hr, [1.0]])))
        hi = float(np.nanmax(np.concatenate([_values(sub["hr_upper"]), hr, [1.0]])))
        ticks = [v for v in _HR_TICKS if lo / 1.25 <= v <= hi * 1.25]
        ax.set_xlim(min(lo, ticks[0]) / 1.1, max(hi, ticks[-1]) * 1.1)
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    else:
        ax.text(0.5, 0.5, _t(lang, "refused"), ha="center", va="center", transform=ax.transAxes,
                fontsize="small", style="italic")
        ax.set_xticks([])  # no axis of numbers without a number drawn
    if len(sub):
        ax.axvline(1.0, color="grey", linewidth=0.6)
    terms = [str(c) for c in data["covariate"]]
    ax.set_yticks(y, [cox_label(t, ref=_cohort_reference(terms), lang=lang) for t in map(str, sub["covariate"])])
    ax.set_xlabel(_t(lang, "hr"))
    n = _values(data["n"])[:1]
    e = _values(data["n_events"])[:1]
    if len(n) and np.isfinite(n[0]) and np.isfinite(e[0]):
        ax.set_title(_t(lang, "n_arrears", n=T.format_number(float(n[0]), decimals=0, lang=lang),
                        e=T.format_number(float(e[0]), decimals=0, lang=lang)), loc="left")
    else:
        ax.set_title(f"N = {MARKER}", loc="left")
        if len(sub):  # the estimates are shown, their N is not: say why
            _note_suppressed(ax, lang=lang)
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
    return plot_figure_cox(T.cox_data(cohorts, covariates=covariates), lang=lang, ax=ax)


def plot_figure_cohort_sensitivity(data: pd.DataFrame, *, horizon: int = 2, lang: str = "en", ax: Axes) -> Axes:
    """Cohort sensitivity drawn from its data (:func:`cohorts.report.tables.cohort_sensitivity_data`, gated or not).

    Cumulative arrears at duration ``horizon`` per cohort (view ``cohort``),
    within the norm vs high; a suppressed point is omitted and marked ``x``.
    """
    keep = (data["view"] == "cohort").to_numpy() & (data["time"] == horizon).to_numpy()
    data = data.loc[keep]
    gaps = _hidden(data, "km_cum_inc")
    hidden_any = False
    for k, (group, cat) in enumerate((("within", "within"), ("above", "high"))):
        hit = (data["group"] == group).to_numpy()
        sub = data.loc[hit].assign(_gap=gaps[hit], _cohort=data.loc[hit, C.COHORT].astype(int)).sort_values("_cohort")
        x = sub["_cohort"].to_numpy(dtype="float64")  # on the year ticks; series differ in colour and marker
        hidden_any |= _cum_inc_points(ax, sub, x, k=k, label=_t(lang, cat, thr=100.0))
    years = list(C.COHORT_YEARS)
    ax.set_xticks(years)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)  # all years, also when few points are released
    _percent_floor(ax, data["km_cum_inc"])
    ax.set_xlabel(_t(lang, "cohort"))
    ax.set_ylabel(_t(lang, "cohort_arrears", h=horizon - 1))
    ax.legend(ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    if hidden_any:
        _note_suppressed(ax, lang=lang)
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
    return plot_figure_cohort_sensitivity(data, horizon=horizon, lang=lang, ax=ax)


# --------------------------------------------------------------------------
# registry (used by ``cohorts reproduce`` and the export gate of the notebooks)
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class FigureSpec:
    """How to draw one figure for export.

    Attributes
    ----------
    function : callable
        The figure function ``(frame, *, lang, ax, **options) -> Axes``.
    frame : str
        ``"cohorts"`` or ``"panel"``: the frame passed first.
    width : str
        ``"single"`` or ``"double"`` column.
    aspect : float
        Height / width.
    plot : callable, optional
        ``(data, *, lang, ax) -> Axes``: the figure drawn from its data (the
        frame written as ``<name>_data.csv``), gated or not.
    """

    function: Callable[..., Axes]
    frame: str
    width: str = "single"
    aspect: float = 0.75
    plot: Callable[..., Axes] | None = None


FIGURES: Mapping[str, FigureSpec] = MappingProxyType({
    "figure_1": FigureSpec(figure_1, "cohorts", "double", 0.5, plot_figure_1),
    "figure_2": FigureSpec(figure_2, "cohorts", "single", 0.9, functools.partial(plot_quadrants, cut=1.0)),
    "figure_3": FigureSpec(figure_3, "cohorts", "single", 0.9, functools.partial(plot_quadrants, cut=0.9,
                                                                                 strict=False)),
    "figure_4": FigureSpec(figure_4, "cohorts", plot=plot_figure_4),
    "figure_5": FigureSpec(figure_5, "cohorts", plot=plot_figure_5),
    "figure_6": FigureSpec(figure_6, "panel", plot=plot_figure_6),
    "figure_7": FigureSpec(figure_7, "cohorts", plot=plot_figure_7),
    "figure_8": FigureSpec(figure_8, "cohorts", "single", 0.85, plot_survival),
    "figure_9": FigureSpec(figure_9, "cohorts", "single", 0.85, plot_survival),
    "figure_b1": FigureSpec(figure_b1, "cohorts", "single", 0.9, functools.partial(
        plot_quadrants, population="starters", cut=1.0)),
    "figure_b2": FigureSpec(figure_b2, "cohorts", "single", 0.9, functools.partial(
        plot_quadrants, population="starters", cut=0.9, strict=False)),
    "figure_sweep": FigureSpec(figure_sweep, "cohorts", plot=plot_figure_sweep),
    "figure_cox": FigureSpec(figure_cox, "cohorts", "single", 0.8, plot_figure_cox),
    "figure_cohort_sensitivity": FigureSpec(figure_cohort_sensitivity, "cohorts", plot=plot_figure_cohort_sensitivity),
})
"""Every exported figure: name -> :class:`FigureSpec`."""


def _spec(name: str) -> FigureSpec:
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    return FIGURES[name]


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
    spec = _spec(name)
    with house_style():
        fig, ax = new_figure(width=spec.width, aspect=spec.aspect)
        spec.function(frames[spec.frame], lang=lang, ax=ax, **options)
    return fig


def draw_data(name: str, data: pd.DataFrame, *, lang: str = "en") -> Figure:
    """Draw a registered figure from its data, in the house style at its journal size.

    This is how every exported figure is drawn: from the frame written as
    ``<name>_data.csv``, as released by the disclosure gate, so the figure
    shows exactly the released numbers.  Suppressed cells (missing, with a
    ``disclosure`` note) are drawn as gaps marked ``x``: blank hatched cells
    in the Figure 1 grid, omitted bar segments, omitted line and curve points.

    Parameters
    ----------
    name : str
        Key of :data:`FIGURES`.
    data : pandas.DataFrame
        The figure's data (:data:`cohorts.report.exports.FIGURE_DATA`), gated
        (:meth:`cohorts.report.Exporter.prepare_figure`) or not.
    lang : {"en", "nl"}, default "en"

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``name`` is not a registered figure or ``lang`` is unknown.
    """
    spec = _spec(name)
    _t(lang, "within")
    with house_style():
        fig, ax = new_figure(width=spec.width, aspect=spec.aspect)
        spec.plot(data, lang=lang, ax=ax)
    return fig
