"""The primary rules of the export gate: what no released cell, curve point or model may show.

Every exporter hands its numbers *and the counts behind them* to one of the
pure checks here; each returns the releasable frame and one log row per
checked cell, curve point or model:

:func:`check_table`
    cells of counts, shares, means, medians/percentiles (and minima/maxima,
    which are never released);
:func:`check_counts`
    rows of several counts (e.g. the log-rank table's ``n`` and ``observed``);
:func:`check_series`
    cumulative counts along an ordered axis (Figure 7: arrears above each
    threshold), where differences of successive points are counts too;
:func:`check_model`
    regression output: residual degrees of freedom and events per
    coefficient, else refused.

Survival curves are released by :func:`cohorts.disclosure.survival.release_curves`.
The rules are data (:mod:`cohorts.disclosure.rules`).  What one cell passes
says nothing of what the run releases as a whole: the audit
(:mod:`cohorts.disclosure.audit`) attacks everything a run releases, and the
secondary decisions it calls for come back into these checks as ``extra``.

Released frames keep their rows and columns.  A suppressed cell hides every
number that states or implies it, and its row's ``disclosure`` note says
only :data:`SUPPRESSED` (the reason, "below 10" or "protects another cell",
would tell the attacker about its value; the log, which stays with the
output checker, says why).  A cell of an empty population has the note
:data:`EMPTY` (no number exists; ``-`` in the formatted tables).
:func:`publishable` writes the :attr:`Rules.marker` in every suppressed cell.
Log rows have the columns :data:`LOG_COLUMNS`.

Layout: what the checks share (constants, :class:`Checked`, log rows,
:func:`publishable`) is in :mod:`.common`; the checks by kind of artefact in
:mod:`.tables`, :mod:`.counts` and :mod:`.models`.  All are re-exported here.
"""

from cohorts.disclosure.checks.common import (
    CUT,
    CUT_SECONDARY,
    EMPTY,
    LOG_COLUMNS,
    NOTE,
    POOL,
    POOL_SECONDARY,
    REFUSE,
    REFUSED,
    RELEASE,
    SECONDARY,
    STATISTICS,
    SUPPORT_COLUMNS,
    SUPPRESS,
    SUPPRESSED,
    Checked,
    Extra,
    _hideable,
    _log,
    _row,
    log_frame,
    publishable,
    secondary_row,
    suppressed_rows,
)
from cohorts.disclosure.checks.counts import check_counts, check_series
from cohorts.disclosure.checks.models import check_model
from cohorts.disclosure.checks.tables import check_table

__all__ = [
    "CUT", "CUT_SECONDARY", "EMPTY", "LOG_COLUMNS", "NOTE", "POOL", "POOL_SECONDARY", "REFUSE", "REFUSED", "RELEASE",
    "SECONDARY", "STATISTICS", "SUPPORT_COLUMNS", "SUPPRESS", "SUPPRESSED", "Checked", "Extra", "check_counts",
    "check_model", "check_series", "check_table", "log_frame", "publishable", "secondary_row", "suppressed_rows",
]
