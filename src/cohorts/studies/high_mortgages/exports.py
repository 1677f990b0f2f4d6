"""What the AFM 2022 report releases through the export gate: its tables, figure data and text data.

The engine's gate (:mod:`cohorts.report.gate`) knows no study; this module declares the report's
artefacts (:data:`ARTEFACTS`) and binds them to the gate (:class:`Exporter`), so
``Exporter(study, out)`` gates the report as ``cohorts reproduce`` and the notebooks do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping  # noqa: F401  (Callable: the Maker type of the tables below)
from types import MappingProxyType

import pandas as pd

from cohorts.disclosure import release_selection
from cohorts.disclosure.facts import Reading
from cohorts.report import gate as _gate
from cohorts.report.outputs import (
    AUDIT_FILE,
    LOG_FILE,
    MANIFEST_FILE,
    RELEASED,
    Artefacts,
    ExportResult,
    checker_writers,
    figure_log_row,
    write_release,
)
from cohorts.studies.high_mortgages import figures as F
from cohorts.studies.high_mortgages import sensitivity_tables as ST
from cohorts.studies.high_mortgages import tables as T
from cohorts.studies.high_mortgages import text_data as TD
from cohorts.studies.high_mortgages.comparison import Options
from cohorts.studies.high_mortgages.release import QUADRANT_FIGURES, curve_views, read_release

Maker = Callable[[Mapping[str, pd.DataFrame], Options], pd.DataFrame]

#: Table id -> function(frames, options) -> tidy table with the contributor columns the gate needs.
TABLE_DATA: Mapping[str, Maker] = MappingProxyType({
    "T1": lambda f, o: T.table_1(f["cohorts"]),
    "T2": lambda f, o: T.table_2(f["cohorts"], f["stock"]),
    "T3": lambda f, o: T.table_3(f["cohorts"]),
    "T4": lambda f, o: T.table_4(f["cohorts"]),
    "T5": lambda f, o: T.table_5(f["cohorts"], f["stock"], window=o.table_5_window),
    "B1": lambda f, o: T.table_b1(f["cohorts"], f["stock"], support=True),
    "B2": lambda f, o: T.table_b2(f["cohorts"], f["stock"], support=True),
    "B3": lambda f, o: T.table_b3(f["cohorts"], f["stock"]),
    "B4": lambda f, o: T.table_b4(f["cohorts"], among=o.table_b4_among, support=True),
    "B5": lambda f, o: T.table_b5(f["cohorts"], f["stock"], support=True),
    "B6": lambda f, o: T.table_b6(f["cohorts"]),
    "B7": lambda f, o: T.table_b7(f["cohorts"], f["stock"], support=True),
    "B8": lambda f, o: T.table_b8(f["cohorts"], f["stock"], support=True),
    # sensitivity tables (cohorts.studies.high_mortgages.sensitivity_tables): a cell is (group, cohort, variant)
    "S1": lambda f, o: ST.table_s1(f["cohorts"]),
    "S2": lambda f, o: ST.table_s2(f["cohorts"]),
})

#: Figure data file stem -> function(frames, options) -> tidy frame, for the data behind each figure.
FIGURE_DATA: Mapping[str, Maker] = MappingProxyType({
    "figure_1_data": lambda f, o: T.figure_1_data(f["cohorts"]),
    **{stem: (lambda f, o, spec=spec: T.quadrant_data(f["cohorts"], cut=spec[0], strict=spec[1],
                                                       population=spec[2]))
       for stem, spec in QUADRANT_FIGURES.items()},
    "figure_4_data": lambda f, o: T.income_data(f["cohorts"], support=True),
    "figure_5_data": lambda f, o: T.interest_only_data(f["cohorts"]),
    "figure_6_data": lambda f, o: T.income_growth_data(f["panel"]),
    "figure_7_data": lambda f, o: T.arrears_threshold_data(f["cohorts"], population=o.figure_7_population,
                                                           window=o.figure_7_window,
                                                           thresholds=F.FIGURE_7_THRESHOLDS),
    "figure_8_data": lambda f, o: T.survival_data(f["cohorts"]),
    "figure_9_data": lambda f, o: T.survival_data(f["cohorts"], starters=True),
    "figure_sweep_data": lambda f, o: T.threshold_sweep_data(f["cohorts"]),
    "figure_cox_data": lambda f, o: T.cox_data(f["cohorts"]),
    "figure_cohort_sensitivity_data": lambda f, o: T.cohort_sensitivity_data(f["cohorts"]),
})

#: Text data stem -> function(frames, options) -> tidy frame, for numbers the text quotes that no figure draws
#: (:mod:`cohorts.studies.high_mortgages.text_data`; gated by :func:`cohorts.disclosure.text_release`, written to
#: ``tables/<stem>.csv``; :mod:`cohorts.studies.high_mortgages.findings` states them).
TEXT_DATA: Mapping[str, Maker] = MappingProxyType({
    "logrank_data": lambda f, o: TD.logrank_data(f["cohorts"]),
})


def _options_dict(options: Options) -> dict:
    return {"table_5_window": options.table_5_window, "table_b4_among": options.table_b4_among,
            "figure_7_population": options.figure_7_population, "figure_7_window": options.figure_7_window}


def _read(frames: Mapping[str, pd.DataFrame], options: Options) -> dict[str, Reading]:
    o = options
    return read_release(frames, threshold=1.0, table_5_window=o.table_5_window,
                        figure_7_population=o.figure_7_population, figure_7_window=o.figure_7_window)


#: The report's artefacts as the gate takes them.
ARTEFACTS = Artefacts(
    tables=TABLE_DATA,
    figure_data=FIGURE_DATA,
    text_data=TEXT_DATA,
    figures=tuple(F.FIGURES),
    langs=T.LANGS,
    format_table=T.format_table,
    to_latex=T.to_latex,
    draw_data=F.draw_data,
    read_release=_read,
    options=Options,
    options_dict=_options_dict,
    # sensitivity tables: a cell is (group, cohort, variant); hidden before the report's tables
    cell_keys=MappingProxyType({t: ("group", "cohort", "variant") for t in ST.SENSITIVITY_TABLES}),
    # the sweep's six-year points are held to Figures 8 and 9 (cohorts.disclosure.survival.point_decisions)
    curve_views=lambda options: curve_views(threshold=1.0),  # as _read reads the run
)


class Exporter(_gate.Exporter):
    """The export gate with the report's artefacts (:class:`cohorts.report.gate.Exporter`, ``artefacts=ARTEFACTS``)."""

    artefacts = ARTEFACTS


__all__ = [
    "ARTEFACTS",
    "AUDIT_FILE",
    "FIGURE_DATA",
    "LOG_FILE",
    "MANIFEST_FILE",
    "RELEASED",
    "TABLE_DATA",
    "TEXT_DATA",
    "ExportResult",
    "Exporter",
    "checker_writers",
    "figure_log_row",
    "release_selection",
    "write_release",
]
