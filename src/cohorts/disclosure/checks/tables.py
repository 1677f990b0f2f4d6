"""The primary check of tables of cells: counts, shares, means, medians and percentiles.

:func:`check_table` applies the frequency and magnitude rules to each cell of
a table (minima and maxima are never released) and hides every number that
states or implies a suppressed cell.  Re-exported by :mod:`cohorts.disclosure.checks`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cohorts.disclosure.checks.common import (
    EMPTY,
    NOTE,
    RELEASE,
    STATISTICS,
    SUPPORT_COLUMNS,
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


def check_table(
    cells: pd.DataFrame,
    *,
    rules: Rules,
    artefact: str,
    keys: Sequence[str],
    values: Sequence[str] = ("value",),
    statistic: str | None = None,
    n: str = "n",
    count: str | None = None,
    denominator: str | None = None,
    carried: Sequence[str] = (),
    extra: Extra | None = None,
) -> Checked:
    """Primary suppression of a table of cells, and the secondary decisions of the run's audit.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per cell.  Columns: ``keys``; ``values``; ``n`` (units behind
        the cell: a count cell's count, a share's denominator, a mean's or
        median's units); ``statistic`` (per row) unless given as an argument;
        for shares optionally ``count`` (the numerator; else
        ``round(value x n / 100)``) and ``denominator``; for means the
        contributor columns ``n_contrib`` (non-missing values), ``top1``,
        ``top2`` (the two largest absolute contributions) and ``abs_total``
        (sum of absolute contributions).  Without them a mean is suppressed
        (its dominance cannot be checked).
    rules : Rules
    artefact : str
        Name of the exported file, for the log.
    keys : sequence of str
        Columns that name a cell (the cell label ``k1=v1; k2=v2``).
    values : sequence of str, default ("value",)
        Columns that hold the published statistic(s).
    statistic : str, optional
        One of :data:`STATISTICS` for every row; default: the ``statistic`` column.
    n, count, denominator : str
        Column names (see ``cells``).
    carried : sequence of str
        Further columns that state or imply the cell's numbers (e.g. a share
        beside a count); hidden with it.
    extra : mapping, optional
        Secondary decisions of the run's audit (:mod:`cohorts.disclosure.secondary`):
        ``(cell label, "cell") -> what it protects``.

    Returns
    -------
    Checked
        A suppressed cell hides every number that states or implies it: its
        ``values``, ``n``, ``count``, ``denominator`` and ``carried`` columns
        are missing and its note is :data:`SUPPRESSED` (never the reason);
        the log keeps the rule and the count.  Contributor columns are dropped.

    Raises
    ------
    ValueError
        For an unknown statistic or missing columns.
    """
    missing = [c for c in [*keys, *values, n] if c not in cells.columns]
    if statistic is None and "statistic" not in cells.columns:
        missing.append("statistic")
    if missing:
        raise ValueError(f"{artefact}: check_table needs column(s) {missing}; the frame has {list(cells.columns)}")
    stats = np.full(len(cells), statistic, dtype=object) if statistic is not None else cells["statistic"].to_numpy()
    unknown = sorted({str(s) for s in stats} - set(STATISTICS))
    if unknown:
        raise ValueError(f"{artefact}: statistic must be one of {STATISTICS}, but got {unknown}")
    extra = dict(extra or {})
    nn = _num(cells, n)
    cnt = _num(cells, count)
    den = _num(cells, denominator) if denominator else nn
    support = {c: _num(cells, c) for c in SUPPORT_COLUMNS}
    first_value = _num(cells, values[0]) if values else None
    records = cells.to_dict("records")
    log: list[dict] = []
    bad = np.zeros(len(cells), dtype=bool)
    for i, (rec, stat) in enumerate(zip(records, stats, strict=True)):
        label = _cell_label(rec, keys)
        checks: list[dict] = []
        if stat == "count":
            k = nn[i]
            checks.append(_row(artefact, label, f"count >= {rules.min_units}", k, rules.min_units,
                               _count_ok(k, rules.min_units, rules)))
        elif stat == "share":
            d = den[i]
            if cnt is not None:
                k = cnt[i]
            elif first_value is not None and np.isfinite(first_value[i]) and np.isfinite(d):
                k = float(round(first_value[i] * d / 100.0))
            else:
                k = float("nan") if not (np.isfinite(d) and d == 0) else 0.0
            checks.append(_row(artefact, label, f"denominator >= {rules.min_units}", d, rules.min_units,
                               _count_ok(d, rules.min_units, rules)))
            checks.append(_row(artefact, label, f"units in cell >= {rules.min_units}", k, rules.min_units,
                               _count_ok(k, rules.min_units, rules)))
            if rules.complement:
                c = d - k
                checks.append(_row(artefact, label, f"units without the property >= {rules.min_units}", c,
                                   rules.min_units, _count_ok(c, rules.min_units, rules)))
        elif stat == "mean":
            units = support["n_contrib"][i] if support["n_contrib"] is not None else nn[i]
            m = rules.magnitude_min_units
            checks.append(_row(artefact, label, f"contributors >= {m}", units, m,
                               np.isfinite(units) and (units >= m or (rules.zero_allowed and units == 0))))
            if support["top1"] is None or support["abs_total"] is None:
                checks.append(_row(artefact, label, "dominance (contributions not supplied)", units, rules.dominance_1,
                                   False))
            else:
                tot, t1 = support["abs_total"][i], support["top1"][i]
                t2 = support["top2"][i] if support["top2"] is not None else float("nan")
                share1 = t1 / tot if tot > 0 else 0.0
                share2 = (t1 + (t2 if np.isfinite(t2) else 0.0)) / tot if tot > 0 else 0.0
                checks.append(_row(artefact, label, f"largest contributor <= {rules.dominance_1:g} of total", units,
                                   rules.dominance_1, share1 <= rules.dominance_1, measure=share1))
                checks.append(_row(artefact, label, f"two largest <= {rules.dominance_2:g} of total", units,
                                   rules.dominance_2, share2 <= rules.dominance_2, measure=share2))
        elif stat in ("median", "percentile"):
            units = support["n_contrib"][i] if support["n_contrib"] is not None else nn[i]
            m = rules.percentile_min_units
            checks.append(_row(artefact, label, f"units >= {m}", units, m,
                               np.isfinite(units) and (units >= m or (rules.zero_allowed and units == 0))))
        else:  # min, max
            checks.append(_row(artefact, label, "minima and maxima are never exported", nn[i], float("nan"),
                               rules.extremes_allowed))
        log.extend(checks)
        bad[i] = any(c["decision"] != RELEASE for c in checks)
        why = extra.get((label, "cell"))
        if why and not bad[i]:
            bad[i] = True
            log.append(secondary_row(artefact, label, why, count=nn[i]))
    released = cells.drop(columns=[c for c in SUPPORT_COLUMNS if c in cells.columns]).copy()
    hide = [c for c in dict.fromkeys([*values, n, count, denominator, *carried]) if c and c in released.columns]
    for col in hide:
        released[col] = _hideable(released[col])
        released.loc[bad, col] = np.nan
    note = [SUPPRESSED if b else "" for b in bad]
    # cells of an empty population (no units): no number exists, which is not a suppression; say so
    first_num = _num(released, values[0]) if values else None
    for i in range(len(released)):
        if not bad[i] and first_num is not None and np.isnan(first_num[i]) and (nn[i] == 0 or
                                                                              (den is not None and den[i] == 0)):
            note[i] = EMPTY
    released[NOTE] = note
    return Checked(released.reset_index(drop=True), _log(log))
