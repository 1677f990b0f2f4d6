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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from cohorts.disclosure.rules import Rules

#: Columns of ``disclosure_log.csv`` (``protects``: for a secondary decision, the cell or difference it protects).
LOG_COLUMNS: tuple[str, ...] = ("artefact", "cell", "rule", "count", "measure", "limit", "decision", "protects")
#: Name of the note column added to every released frame ("" = released as computed).
NOTE = "disclosure"
#: Columns that carry contributor information for the magnitude rules; never released.
SUPPORT_COLUMNS: tuple[str, ...] = ("n_contrib", "top1", "top2", "abs_total")
#: Statistics understood by :func:`check_table`.
STATISTICS: tuple[str, ...] = ("count", "share", "mean", "median", "percentile", "min", "max")
#: Note of a released cell whose population is empty (no number exists; not a suppression).
EMPTY = "empty: no units in the population"
#: Decisions in the log.
RELEASE, SUPPRESS, SECONDARY, CUT, POOL, REFUSE = "release", "suppress", "suppress (secondary)", "cut", "pool", "refuse"
CUT_SECONDARY, POOL_SECONDARY = "cut (secondary)", "pool (secondary)"
#: Note of a suppressed row in a released frame.  It never says why: the rule that failed (a count
#: below the threshold, or the protection of another cell) would tell the attacker about its value.
SUPPRESSED = "suppressed (disclosure control)"
#: Note of a refused model.
REFUSED = "refused (disclosure control)"

#: A secondary decision of the run's audit: (cell label, action) -> what it protects.
Extra = Mapping[tuple[str, str], str]


class Checked(NamedTuple):
    """What a check returns: the releasable frame and the log rows.

    Attributes
    ----------
    released : pandas.DataFrame
        The input's rows and columns (contributor columns removed) plus
        ``disclosure``: "" where released as computed, else what was done;
        suppressed cells are NaN.  Empty (no rows) when refused.
    log : pandas.DataFrame
        Columns :data:`LOG_COLUMNS`, one row per check.
    """

    released: pd.DataFrame
    log: pd.DataFrame

    @property
    def needs_suppression(self) -> bool:
        """Whether any cell was suppressed, pooled, cut or the artefact refused."""
        return bool((self.log["decision"] != RELEASE).any())

    @property
    def refused(self) -> bool:
        """Whether the whole artefact was refused (a model failing its rules)."""
        return bool((self.log["decision"] == REFUSE).any())

    def reasons(self) -> list[str]:
        """One line per cell (curve point, model) that was not released: ``cell: decision (rule: count; ...)``."""
        bad = self.log.loc[self.log["decision"] != RELEASE]
        out: dict[str, list[str]] = {}
        decision: dict[str, str] = {}
        for r in bad.itertuples():
            out.setdefault(r.cell, []).append(f"{r.rule}: {_fmt(r.count)}")
            decision.setdefault(r.cell, r.decision)
        return [f"{cell} {decision[cell]} ({'; '.join(why)})" for cell, why in out.items()]


def _fmt(x: object) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:g}" if isinstance(x, float) else str(x)


def _log(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(LOG_COLUMNS)).astype({"count": "float64", "measure": "float64",
                                                                 "limit": "float64"})


def _row(artefact: str, cell: str, rule: str, count: float, limit: float, ok: bool, *,
         measure: float = float("nan"), fail: str = SUPPRESS, protects: str = "") -> dict:
    return {"artefact": artefact, "cell": cell, "rule": rule, "count": float(count), "measure": float(measure),
            "limit": float(limit), "decision": RELEASE if ok else fail, "protects": protects}


def secondary_row(artefact: str, cell: str, protects: str, *, count: float = float("nan"),
                  decision: str = SECONDARY) -> dict:
    """The log row of a secondary decision of the audit, naming what it protects."""
    return _row(artefact, cell, "secondary: the audit found what this cell protects recoverable without it",
                count, float("nan"), False, fail=decision, protects=protects)


def _cell_label(row: Mapping, keys: Sequence[str]) -> str:
    return "; ".join(f"{k}={row[k]}" for k in keys) if keys else "all"


def _count_ok(x: float, minimum: int, rules: Rules) -> bool:
    if not np.isfinite(x):
        return False
    return x >= minimum or (rules.zero_allowed and x == 0)


def log_frame(logs: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """All log rows of a run in one frame (``disclosure_log.csv``), in the order given."""
    frames = [lg for lg in logs if len(lg)]
    if not frames:
        return _log([])
    return pd.concat(frames, ignore_index=True)


def suppressed_rows(released: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the rows with a suppression note (an ``empty`` note is not one)."""
    note = released[NOTE].fillna("").astype(str)
    return (note.ne("") & ~note.str.startswith("empty")).to_numpy()


def publishable(released: pd.DataFrame, *, marker: str = "x") -> pd.DataFrame:
    """The frame as exported: in rows with a disclosure note, every missing cell shows ``marker``.

    Columns that hold a marker become text; other cells keep their values, so
    a released number is written exactly as computed.
    """
    out = released.copy()
    if NOTE not in out.columns or out.empty:
        return out
    noted = suppressed_rows(out)
    for col in out.columns:
        if col == NOTE:
            continue
        hit = noted & out[col].isna().to_numpy()
        if hit.any():
            out[col] = out[col].astype(object)
            out.loc[hit, col] = marker
    return out


# --------------------------------------------------------------------------
# tables of cells
# --------------------------------------------------------------------------
def _hideable(series: pd.Series) -> pd.Series:
    """A numeric column that can hold missing values: integers stay integers (nullable), else float."""
    if pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.astype("Int64")
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _num(frame: pd.DataFrame, col: str | None) -> np.ndarray | None:
    if col is None or col not in frame.columns:
        return None
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")


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


# --------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------
def check_model(
    summary: pd.DataFrame,
    *,
    rules: Rules,
    artefact: str,
    n_events: float,
    n_params: int,
    resid_df: float,
    label: str = "model",
) -> Checked:
    """Release a model summary only with enough residual degrees of freedom and events per coefficient.

    Parameters
    ----------
    summary : pandas.DataFrame
        The coefficient table.
    rules : Rules
    artefact, label : str
        File name and which model (for the log).
    n_events : float
        Events the model is fitted on.
    n_params : int
        Estimated coefficients.
    resid_df : float
        Residual degrees of freedom (observations minus coefficients).

    Returns
    -------
    Checked
        ``released`` is the summary (with an empty ``disclosure`` note) or,
        when refused, an empty frame with its columns.
    """
    epp = n_events / n_params if n_params > 0 else float("nan")
    log = [
        _row(artefact, label, f"residual degrees of freedom >= {rules.min_resid_df}", resid_df, rules.min_resid_df,
             bool(np.isfinite(resid_df) and resid_df >= rules.min_resid_df), fail=REFUSE),
        _row(artefact, label, f"events per coefficient >= {rules.min_events_per_param}", n_events,
             rules.min_events_per_param, bool(np.isfinite(epp) and epp >= rules.min_events_per_param),
             measure=epp, fail=REFUSE),
    ]
    refused = any(r["decision"] == REFUSE for r in log)
    out = summary.iloc[0:0].copy() if refused else summary.copy()
    out[NOTE] = pd.Series([""] * len(out), index=out.index, dtype=object)
    return Checked(out.reset_index(drop=True), _log(log))
