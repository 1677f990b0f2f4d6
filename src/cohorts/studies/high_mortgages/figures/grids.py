"""Heat map and quadrant bars: Figure 1 (utilisation x LTV grid) and Figures 2, 3, B1, B2 (quadrants)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from cohorts import columns as C
from cohorts.classify import DEFAULT_EDGES, QUADRANTS
from cohorts.studies.high_mortgages import tables as T
from cohorts.report.style import PALETTE, SEQUENTIAL_CMAP, luminance
from cohorts.studies.high_mortgages.figures.common import (
    _hidden,
    MARKER,
    _note_suppressed,
    _styled,
    _t,
    _values,
)


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
    """Figure 1 drawn from its data (:func:`cohorts.studies.high_mortgages.tables.figure_1_data`, gated or not).

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
    """Figures 2, 3, B1, B2 drawn from their data (:func:`cohorts.studies.high_mortgages.tables.quadrant_data`, gated or not).

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
