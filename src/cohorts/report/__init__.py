"""The report: its tables and figures as functions, the house style, and the comparison.

Public API
----------
load_study(data_dir, build_dir, *, scale=None, seed=None, mapping=None, threshold=1.0, rebuild=False, stock_columns=None) -> Study
    Generate (synthetic), build or reuse, and read the study data
    (:mod:`cohorts.report.study`).
tables
    ``table_1`` ... ``table_5``, ``table_b1`` ... ``table_b8`` (tidy frames),
    the data behind every figure (``figure_1_data``, ``quadrant_data``,
    ``income_data``, ``interest_only_data``, ``income_growth_data``,
    ``arrears_threshold_data``, ``survival_data``, ``threshold_sweep_data``,
    ``cox_data``, ``cohort_sensitivity_data``), ``wide``, ``format_table``,
    ``to_latex`` (:mod:`cohorts.report.tables`).
figures
    ``figure_1`` ... ``figure_9``, ``figure_b1``, ``figure_b2``,
    ``figure_sweep``, ``figure_cox``, ``figure_cohort_sensitivity``, each
    ``(frame, *, ..., lang="en", ax=None) -> Axes``; ``draw(name, frames)``;
    ``plot_*(data, *, lang, ax)`` and ``draw_data(name, data)`` draw a figure
    from its (gated) data, suppressed cells as gaps marked ``x``
    (:mod:`cohorts.report.figures`).
Exporter(study, out, *, strict=None, rules=None, lang="en", options=None)
    The one export gate: ``.table("T2")``, ``.figure("figure_1")`` gate,
    draw from the released data and write atomically; ``.finish()`` (or the
    ``with`` block) writes ``disclosure_log.csv`` and ``manifest.json``
    (:mod:`cohorts.report.exports`).  ``cohorts reproduce`` and the notebooks
    write only through it.
house_style(), new_figure(), export_figure(fig, path_stem)
    The house style and deterministic PDF + PNG export (:mod:`cohorts.report.style`).
compare
    The comparison with the published numbers: ``compare.compare(results)``,
    ``StudyResults``, ``summarize(comparison)`` (:mod:`cohorts.report.compare`).

The command ``cohorts reproduce`` lives in :mod:`cohorts.report.command`.
"""

from cohorts.report import compare, figures, tables
from cohorts.report.compare import Options, StudyResults, load_targets, load_tolerances, summarize
from cohorts.report.exports import Exporter, ExportResult
from cohorts.report.study import Study, load_study
from cohorts.report.style import export_figure, house_style, new_figure

__all__ = [
    "ExportResult",
    "Exporter",
    "Options",
    "Study",
    "StudyResults",
    "compare",
    "export_figure",
    "figures",
    "house_style",
    "load_study",
    "load_targets",
    "load_tolerances",
    "new_figure",
    "summarize",
    "tables",
]
