"""The export gate: statistical disclosure control of every table, curve and model written to disk.

:mod:`cohorts.disclosure.checks` holds the pure checks and the rules;
:mod:`cohorts.disclosure.artefacts` applies them to the toolkit's own outputs
(the report's tables and figure data, the survival tables of ``cohorts
analyze``) and collects the decisions into :class:`Gate`.  The rules and what
they do not guarantee are documented in ``docs/disclosure.md``.
"""

from cohorts.disclosure.artefacts import (
    Gate,
    gate_analysis,
    gate_figure_data,
    gate_report_table,
    gated_curve_points,
)
from cohorts.disclosure.checks import (
    EMPTY,
    LOG_COLUMNS,
    NOTE,
    SUPPORT_COLUMNS,
    Checked,
    DisclosureError,
    Rules,
    check_counts,
    check_km,
    check_model,
    check_series,
    check_table,
    load_rules,
    log_frame,
    publishable,
    strict_default,
    suppressed_rows,
)

__all__ = [
    "EMPTY",
    "LOG_COLUMNS",
    "NOTE",
    "SUPPORT_COLUMNS",
    "Checked",
    "DisclosureError",
    "Gate",
    "Rules",
    "check_counts",
    "check_km",
    "check_model",
    "check_series",
    "check_table",
    "gate_analysis",
    "gate_figure_data",
    "gate_report_table",
    "gated_curve_points",
    "load_rules",
    "log_frame",
    "publishable",
    "strict_default",
    "suppressed_rows",
]
