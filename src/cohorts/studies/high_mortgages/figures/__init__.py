"""The report's figures, one function per figure, each drawing on an Axes.

Every function takes the study frames it needs (``cohorts``, ``panel``) and
keyword options, draws on ``ax`` (a new house-style figure when ``ax`` is
None) and returns that Axes.  Nothing is shown or saved here; export with
:func:`cohorts.report.style.export_figure`.  The numbers drawn come from
:mod:`cohorts.studies.high_mortgages.tables` (``*_data`` functions), so what is plotted is
what is tested.

Each figure is drawn by a ``plot_*`` function from its data frame alone
(``figure_1`` computes :func:`~cohorts.studies.high_mortgages.tables.figure_1_data` and calls
:func:`plot_figure_1`, and so on).  The export gate
(:mod:`cohorts.studies.high_mortgages.exports`) draws every exported figure with
:func:`draw_data` from the data *as released* by the disclosure gate: a
suppressed cell is missing (NaN, with a ``disclosure`` note) and is drawn as
a gap marked ``x`` (a blank hatched grid cell, an omitted bar segment, an
omitted line or curve point; a pooled run of Kaplan-Meier steps is drawn as
unknown, never as a flat line), so a figure and its ``<name>_data.csv`` show
the same numbers.

Labels are English by default; ``lang="nl"`` gives the report's Dutch.  The
interpretation choices (Figure 7 on starters, >= 90% in Figures 3 and B2,
duration 1 = origination year) are documented in
:mod:`cohorts.studies.high_mortgages.tables` and are parameters here too.
"""

from __future__ import annotations

from cohorts.studies.high_mortgages.figures.common import (
    MARKER,
    suppressed,
    TEXT,
)
from cohorts.studies.high_mortgages.figures.grids import (
    figure_1,
    figure_2,
    figure_3,
    figure_b1,
    figure_b2,
    plot_figure_1,
    plot_quadrants,
    QUADRANT_COLOURS,
)
from cohorts.studies.high_mortgages.figures.lines import (
    figure_4,
    figure_5,
    figure_6,
    figure_7,
    FIGURE_7_THRESHOLDS,
    plot_figure_4,
    plot_figure_5,
    plot_figure_6,
    plot_figure_7,
    plot_group_lines,
)
from cohorts.studies.high_mortgages.figures.survival import (
    figure_8,
    figure_9,
    plot_survival,
)
from cohorts.studies.high_mortgages.figures.models import (
    cox_label,
    COX_LABELS,
    figure_cohort_sensitivity,
    figure_cox,
    figure_sweep,
    plot_figure_cohort_sensitivity,
    plot_figure_cox,
    plot_figure_sweep,
)
from cohorts.studies.high_mortgages.figures.registry import (
    draw,
    draw_data,
    FIGURES,
    FigureSpec,
)
# the house-style colours were part of this module's namespace before the split (tests draw with them)
from cohorts.report.style import LINE_PALETTE, LINESTYLES, MARKERS, PALETTE, SEQUENTIAL_CMAP  # noqa: F401

__all__ = [
    "COX_LABELS",
    "FIGURES",
    "FIGURE_7_THRESHOLDS",
    "FigureSpec",
    "MARKER",
    "QUADRANT_COLOURS",
    "TEXT",
    "cox_label",
    "draw",
    "draw_data",
    "figure_1",
    "figure_2",
    "figure_3",
    "figure_4",
    "figure_5",
    "figure_6",
    "figure_7",
    "figure_8",
    "figure_9",
    "figure_b1",
    "figure_b2",
    "figure_cohort_sensitivity",
    "figure_cox",
    "figure_sweep",
    "plot_figure_1",
    "plot_figure_4",
    "plot_figure_5",
    "plot_figure_6",
    "plot_figure_7",
    "plot_figure_cohort_sensitivity",
    "plot_figure_cox",
    "plot_figure_sweep",
    "plot_group_lines",
    "plot_quadrants",
    "plot_survival",
    "suppressed",
]
