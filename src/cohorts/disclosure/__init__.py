"""The export gate: statistical disclosure control of everything a run writes for release.

:mod:`cohorts.disclosure.rules`
    the rules (thresholds as data) and their validation;
:mod:`cohorts.disclosure.checks`, :mod:`cohorts.disclosure.survival`
    the primary rules per cell, curve and model;
:mod:`cohorts.disclosure.facts`, :mod:`cohorts.disclosure.readers`, :mod:`cohorts.disclosure.audit`
    the attacker: released numbers read as linear facts, and the feasibility
    interval of every hidden cell and difference population;
:mod:`cohorts.disclosure.secondary`
    secondary suppression over the whole run until the audit finds nothing;
:mod:`cohorts.disclosure.artefacts`
    the toolkit's own artefacts (the report's tables and figure data, the
    survival tables of ``cohorts analyze``) as releases, and :class:`Gate`.

The threat model, the rules and what the gate does not guarantee are in
``docs/disclosure.md``.
"""

from cohorts.disclosure.artefacts import (
    Gate,
    analysis_releases,
    figure_release,
    gated_curve_points,
    release_selection,
    table_release,
    text_release,
)
from cohorts.disclosure.audit import Audit, Bound, attack
from cohorts.disclosure.checks import (
    EMPTY,
    LOG_COLUMNS,
    NOTE,
    SUPPORT_COLUMNS,
    SUPPRESSED,
    Checked,
    check_counts,
    check_model,
    check_series,
    check_table,
    log_frame,
    publishable,
    suppressed_rows,
)
from cohorts.disclosure.rules import DisclosureError, Rules, load_rules, strict_default
from cohorts.disclosure.secondary import Protected, Release, protect
from cohorts.disclosure.survival import release_cif, release_curves

__all__ = [
    "EMPTY",
    "LOG_COLUMNS",
    "NOTE",
    "SUPPORT_COLUMNS",
    "SUPPRESSED",
    "Audit",
    "Bound",
    "Checked",
    "DisclosureError",
    "Gate",
    "Protected",
    "Release",
    "Rules",
    "analysis_releases",
    "attack",
    "check_counts",
    "check_model",
    "check_series",
    "check_table",
    "figure_release",
    "gated_curve_points",
    "load_rules",
    "log_frame",
    "protect",
    "publishable",
    "release_cif",
    "release_curves",
    "release_selection",
    "strict_default",
    "suppressed_rows",
    "table_release",
    "text_release",
]
