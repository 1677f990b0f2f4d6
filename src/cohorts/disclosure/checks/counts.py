"""The primary checks of rows of several counts and of cumulative counts along an ordered axis.

:func:`check_counts` checks rows of several counts (e.g. the log-rank
table's ``n`` and ``observed``); :func:`check_series` checks cumulative
counts along an ordered axis (Figure 7: arrears above each threshold), where
the differences of successive points are counts too.  Re-exported by
:mod:`cohorts.disclosure.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cohorts.disclosure.checks.common import (
    EMPTY,
    NOTE,
    POOL,
    SUPPRESSED,
    Checked,
    Extra,
    _cell_label,
    _count_ok,
    _hideable,
    _log,
    _num,
    _row,
    secondary_row,
)
from cohorts.disclosure.rules import Rules


def check_counts(
    frame: pd.DataFrame,
    *,
    rules: Rules,
    artefact: str,
    keys: Sequence[str],
    counts: Sequence[str],
    values: Sequence[str] = (),
    by: Sequence[str] = (),
    extra: Extra | None = None,
) -> Checked:
    """Rows of several counts (each must be 0 or at least ``rules.min_units``).

    A row failing any count, or named by a secondary decision of the audit
    (``extra``: ``(cell label, "cell") -> what it protects``), has all its
    ``counts`` and ``values`` suppressed; with ``by``, every row of the same
    ``by`` group loses its ``values`` (e.g. the log-rank statistic shared by
    the groups of one test).
    """
    extra = dict(extra or {})
    log: list[dict] = []
    bad = np.zeros(len(frame), dtype=bool)
    out = frame.copy()
    records = frame.to_dict("records")
    labels = [_cell_label(rec, keys) for rec in records]
    for col in counts:
        x = _num(frame, col)
        for i in range(len(frame)):
            ok = _count_ok(x[i], rules.min_units, rules)
            log.append(_row(artefact, labels[i], f"{col} >= {rules.min_units}", x[i], rules.min_units, ok))
            bad[i] |= not ok
    for i, label in enumerate(labels):
        why = extra.get((label, "cell"))
        if why and not bad[i]:
            bad[i] = True
            log.append(secondary_row(artefact, label, why))
    note = [SUPPRESSED if b else "" for b in bad]
    for col in counts:
        out[col] = _hideable(out[col])
        out.loc[bad, col] = np.nan
    values_bad = bad.copy()
    if by and bad.any():
        grp = frame.groupby(list(by), sort=False).ngroup().to_numpy()
        values_bad = np.isin(grp, grp[bad])
        for i in np.flatnonzero(values_bad & ~bad):
            note[i] = SUPPRESSED
    for col in values:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
        out.loc[values_bad, col] = np.nan
    out[NOTE] = note
    return Checked(out.reset_index(drop=True), _log(log))


def check_series(
    frame: pd.DataFrame,
    *,
    rules: Rules,
    artefact: str,
    order: str,
    counts: Sequence[str],
    values: Sequence[str],
    complements: Mapping[str, str] | None = None,
    by: Sequence[str] = (),
    extra: Extra | None = None,
) -> Checked:
    """Cumulative counts along an ordered axis (e.g. arrears above each threshold).

    A point is released when every count in ``counts`` is 0 or at least
    ``rules.min_units``, its difference to the previous *released* point is 0
    or at least ``rules.min_units`` (so no small band can be recovered by
    differencing), and, for ``complements = {count: total}``, ``total - count``
    passes too.  A point failing, or named by a secondary decision of the
    audit (``extra``: ``(cell label, "cell") -> what it protects``), is
    suppressed whole (its band is pooled with the next point).
    """
    complements = dict(complements or {})
    extra = dict(extra or {})
    out = frame.copy()
    log: list[dict] = []
    bad = np.zeros(len(frame), dtype=bool)
    note = [""] * len(frame)
    groups = (frame.groupby(list(by), sort=False).ngroup().to_numpy() if by else np.zeros(len(frame), dtype="int64"))
    nums = {c: _num(frame, c) for c in {*counts, *complements.values()}}
    value_arrays = {v: _num(frame, v) for v in values}
    records = frame.to_dict("records")
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        idx = idx[np.argsort(frame[order].to_numpy()[idx], kind="stable")]
        last: dict[str, float] | None = None
        for i in idx:
            label = _cell_label(records[i], [*by, order])
            fails = False
            for col in counts:
                x = nums[col][i]
                ok = _count_ok(x, rules.min_units, rules)
                log.append(_row(artefact, label, f"{col} >= {rules.min_units}", x, rules.min_units, ok))
                fails |= not ok
                if last is not None:
                    dx = abs(x - last[col])
                    ok = _count_ok(dx, rules.min_units, rules)
                    log.append(_row(artefact, label, f"change in {col} since the previous shown point >= "
                                    f"{rules.min_units}", dx, rules.min_units, ok, fail=POOL))
                    fails |= not ok
                if col in complements:
                    c = nums[complements[col]][i] - x
                    ok = _count_ok(c, rules.min_units, rules)
                    log.append(_row(artefact, label, f"{complements[col]} - {col} >= {rules.min_units}", c,
                                    rules.min_units, ok))
                    fails |= not ok
            why = extra.get((label, "cell"))
            if why and not fails:
                fails = True
                log.append(secondary_row(artefact, label, why))
            if fails:
                bad[i] = True
                note[i] = SUPPRESSED
            else:
                last = {col: nums[col][i] for col in counts}
                vals = [value_arrays[v][i] for v in values]
                if any(np.isnan(v) for v in vals) and any(nums[c][i] == 0 for c in nums):
                    note[i] = EMPTY  # a share of nothing (e.g. no events at all): no number exists
    for col in values:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
        out.loc[bad, col] = np.nan
    for col in counts:
        if bad.any():
            out[col] = _hideable(out[col])
            out.loc[bad, col] = np.nan
    out[NOTE] = note
    return Checked(out.reset_index(drop=True), _log(log))
