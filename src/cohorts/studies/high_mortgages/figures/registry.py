"""The registry of the report's figures: :data:`FIGURES`, :func:`draw` and :func:`draw_data` (used by the export gate)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cohorts.report.style import house_style, new_figure
from cohorts.studies.high_mortgages.figures.common import _t
from cohorts.studies.high_mortgages.figures.grids import (
    figure_1,
    figure_2,
    figure_3,
    figure_b1,
    figure_b2,
    plot_figure_1,
    plot_quadrants,
)
from cohorts.studies.high_mortgages.figures.lines import (
    figure_4,
    figure_5,
    figure_6,
    figure_7,
    plot_figure_4,
    plot_figure_5,
    plot_figure_6,
    plot_figure_7,
)
from cohorts.studies.high_mortgages.figures.survival import figure_8, figure_9, plot_survival
from cohorts.studies.high_mortgages.figures.models import (
    figure_cohort_sensitivity,
    figure_cox,
    figure_sweep,
    plot_figure_cohort_sensitivity,
    plot_figure_cox,
    plot_figure_sweep,
)


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
        The figure's data (:data:`cohorts.studies.high_mortgages.exports.FIGURE_DATA`), gated
        (:meth:`cohorts.studies.high_mortgages.Exporter.prepare_figure`) or not.
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
