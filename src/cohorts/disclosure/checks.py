"""The export gate: statistical disclosure control of every table, curve and model written to disk.

Microdata may leave the CBS Remote Access environment only as checked
aggregate output.  Every exporter of the toolkit hands its numbers *and the
counts behind them* to one of the pure checks here; each check returns the
releasable frame and one log row per checked cell, curve point or model:

:func:`check_table`
    cells of counts, shares, means, medians/percentiles (and minima/maxima,
    which are never released), with primary suppression and a simple
    secondary suppression over the partitions whose total is known;
:func:`check_counts`
    rows of several counts (e.g. the log-rank table's ``n`` and ``observed``);
:func:`check_series`
    cumulative counts along an ordered axis (Figure 7: arrears above each
    threshold), where differences of successive points are counts too;
:func:`check_km`
    Kaplan-Meier and cumulative-incidence curves and their at-risk tables:
    cut where too few remain at risk, small steps pooled;
:func:`check_model`
    regression output: residual degrees of freedom and events per
    coefficient, else refused.

The rules are data (:data:`DEFAULT_RULES_FILE`, package data
``cohorts/data/disclosure.toml``, documented in ``docs/disclosure.md``) and are
loaded with :func:`load_rules`.

Released frames keep their rows and columns; a suppressed cell holds NaN and
its row a non-empty ``disclosure`` note (what was suppressed and why); a cell
of an empty population has the note :data:`EMPTY` (no number exists; shown
as ``-`` in the formatted tables, empty in the CSV).
:func:`publishable` turns such a frame into the exported one, with the
:attr:`Rules.marker` in every suppressed cell: a marker, never a number.
Log rows have the columns :data:`LOG_COLUMNS`; :func:`log_frame` collects them
into ``disclosure_log.csv``.

Strict mode (:func:`strict_default`; default on real data) is applied by the
commands: an artefact that needed any suppression or refusal makes the
command fail with :class:`DisclosureError` before anything is written.

What the checks do not guarantee
--------------------------------
* Secondary suppression is the simple rule of :func:`check_table`: a
  partition (cells that add up to a published or known total) with exactly one
  suppressed cell gets its smallest other non-empty cell suppressed too.  It
  does not protect against differencing between nested or overlapping
  populations published in separate cells or files (e.g. all new mortgages
  minus first-time buyers), nor against the sum of several suppressed cells
  being small.
* Censoring counts of survival curves are pooled with the events but not
  checked themselves; competing-event counts of cumulative-incidence curves
  likewise.
* Model checks look at the whole model, not at sparse levels of a categorical
  covariate.
The output checker of the statistical office remains the last word.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from cohorts.errors import ConfigError

#: Columns of ``disclosure_log.csv``.
LOG_COLUMNS: tuple[str, ...] = ("artefact", "cell", "rule", "count", "measure", "limit", "decision")
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

DEFAULT_RULES_FILE = "disclosure.toml"


class DisclosureError(ValueError):
    """Strict mode: artefacts needed suppression or were refused, so nothing was written.

    Attributes
    ----------
    reasons : dict of str to list of str
        Artefact -> the reasons (rule and cell), as in the message.
    """

    def __init__(self, reasons: Mapping[str, Sequence[str]], *, max_per_artefact: int = 5):
        self.reasons = {k: list(v) for k, v in reasons.items()}
        head = (f"disclosure control (strict mode): {len(self.reasons)} artefact(s) need suppression or were "
                "refused; nothing was written (see docs/disclosure.md; --no-strict writes them with "
                "suppressed cells and disclosure_log.csv):")
        lines = [head]
        for name, why in self.reasons.items():
            more = f" (+{len(why) - max_per_artefact} more)" if len(why) > max_per_artefact else ""
            lines.append(f"  - {name}: " + "; ".join(why[:max_per_artefact]) + more)
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Rules:
    """The thresholds of the export gate (see ``cohorts/data/disclosure.toml`` for each one's meaning).

    Attributes
    ----------
    marker : str
        What a suppressed cell shows.
    strict_real, strict_synthetic : bool
        Default of strict mode on real and on synthetic data.
    min_units : int
        Frequency rule: units in a count cell and in a share's denominator.
    complement : bool
        Frequency rule also for the units without the property of a share.
    zero_allowed : bool
        Empty (0) cells and complements may be shown.
    magnitude_min_units : int
        Contributing units of a mean.
    dominance_1, dominance_2 : float
        Largest / two largest absolute contributions at most this share of the cell total.
    percentile_min_units : int
        Units behind a median or percentile.
    extremes_allowed : bool
        Whether minima and maxima may be released (default False: never).
    min_at_risk, min_events : int
        Survival curves: cut below ``min_at_risk`` at risk; steps of fewer than
        ``min_events`` events pooled.
    min_resid_df, min_events_per_param : int
        Models: residual degrees of freedom, events per estimated coefficient.
    source : str
        Where the rules came from (``"package"`` or a file path).
    """

    marker: str = "x"
    strict_real: bool = True
    strict_synthetic: bool = False
    min_units: int = 10
    complement: bool = True
    zero_allowed: bool = True
    magnitude_min_units: int = 10
    dominance_1: float = 0.50
    dominance_2: float = 0.75
    percentile_min_units: int = 10
    extremes_allowed: bool = False
    min_at_risk: int = 10
    min_events: int = 10
    min_resid_df: int = 10
    min_events_per_param: int = 10
    source: str = "package"

    def to_dict(self) -> dict:
        """Plain-dict form, for manifests."""
        return asdict(self)


# TOML (section, key) -> Rules field, type
_FIELDS: Mapping[tuple[str, str], tuple[str, type]] = {
    ("gate", "marker"): ("marker", str),
    ("gate", "strict_real"): ("strict_real", bool),
    ("gate", "strict_synthetic"): ("strict_synthetic", bool),
    ("frequency", "min_units"): ("min_units", int),
    ("frequency", "complement"): ("complement", bool),
    ("frequency", "zero_allowed"): ("zero_allowed", bool),
    ("magnitude", "min_units"): ("magnitude_min_units", int),
    ("magnitude", "dominance_1"): ("dominance_1", float),
    ("magnitude", "dominance_2"): ("dominance_2", float),
    ("percentile", "min_units"): ("percentile_min_units", int),
    ("extremes", "allowed"): ("extremes_allowed", bool),
    ("survival", "min_at_risk"): ("min_at_risk", int),
    ("survival", "min_events"): ("min_events", int),
    ("model", "min_resid_df"): ("min_resid_df", int),
    ("model", "min_events_per_param"): ("min_events_per_param", int),
}


def _values_from_toml(raw: Mapping, source: str) -> dict:
    values: dict = {}
    for section, body in raw.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        for key, value in body.items():
            if (section, key) not in _FIELDS:
                known = ", ".join(f"{s}.{k}" for s, k in _FIELDS)
                raise ConfigError(f"{source}: unknown disclosure rule {section}.{key}; known rules: {known}")
            name, typ = _FIELDS[(section, key)]
            ok = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
            if typ is float and isinstance(value, int) and not isinstance(value, bool):
                value, ok = float(value), True
            if not ok:
                raise ConfigError(f"{source}: {section}.{key} must be {typ.__name__}, but was {value!r}")
            if typ is int and value < 1:
                raise ConfigError(f"{source}: {section}.{key} must be >= 1, but was {value!r}")
            if typ is float and not 0 < value <= 1:
                raise ConfigError(f"{source}: {section}.{key} must be in (0, 1], but was {value!r}")
            values[name] = value
    return values


def load_rules(path: str | Path | None = None) -> Rules:
    """The disclosure rules: the packaged defaults, overridden by ``path`` when given.

    Parameters
    ----------
    path : path-like, optional
        A TOML file with any subset of the sections and keys of the packaged
        ``cohorts/data/disclosure.toml``.

    Returns
    -------
    Rules

    Raises
    ------
    ConfigError
        Invalid TOML, an unknown key, or a value of the wrong type or range.
    FileNotFoundError
        If ``path`` does not exist.
    """
    text = resources.files("cohorts").joinpath("data", DEFAULT_RULES_FILE).read_text(encoding="utf-8")
    values = _values_from_toml(tomllib.loads(text), "package disclosure.toml")
    source = "package"
    if path is not None:
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        values.update(_values_from_toml(raw, str(path)))
        source = str(path)
    return Rules(**values, source=source)


def strict_default(*, synthetic: bool, rules: Rules) -> bool:
    """Strict mode unless overridden: ``rules.strict_synthetic`` on synthetic data, else ``rules.strict_real``."""
    return rules.strict_synthetic if synthetic else rules.strict_real


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
         measure: float = float("nan"), fail: str = SUPPRESS) -> dict:
    return {"artefact": artefact, "cell": cell, "rule": rule, "count": float(count), "measure": float(measure),
            "limit": float(limit), "decision": RELEASE if ok else fail}


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
    partitions: Sequence[Sequence[str]] = (),
) -> Checked:
    """Primary and secondary suppression of a table of cells.

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
        Columns that name a cell (for the log).
    values : sequence of str, default ("value",)
        Columns that hold the published statistic(s); NaN when suppressed.
    statistic : str, optional
        One of :data:`STATISTICS` for every row; default: the ``statistic`` column.
    n, count, denominator : str
        Column names (see ``cells``).
    partitions : sequence of sequence of str
        Secondary suppression: each entry lists the key columns whose levels
        group cells into a partition of a known total (``[]`` = all cells;
        ``["cohort"]`` = the cells of each cohort).  In a partition with
        exactly one suppressed cell, the smallest other non-empty cell (by
        ``count``, else ``n``; first in row order on ties) is suppressed too,
        repeated until no partition has exactly one.

    Returns
    -------
    Checked
        Contributor columns are dropped from the released frame; a count
        column below the frequency rule is suppressed with its cell.

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
    nn = _num(cells, n)
    cnt = _num(cells, count)
    den = _num(cells, denominator) if denominator else nn
    support = {c: _num(cells, c) for c in SUPPORT_COLUMNS}
    first_value = _num(cells, values[0]) if values else None
    records = cells.to_dict("records")
    log: list[dict] = []
    bad = np.zeros(len(cells), dtype=bool)
    reason = [""] * len(cells)
    size = np.zeros(len(cells))
    for i, (rec, stat) in enumerate(zip(records, stats, strict=True)):
        label = _cell_label(rec, keys)
        checks: list[dict] = []
        if stat == "count":
            k = nn[i]
            size[i] = k
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
            size[i] = k if np.isfinite(k) else 0.0
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
            size[i] = units
            m = rules.magnitude_min_units
            checks.append(_row(artefact, label, f"contributors >= {m}", units, m,
                               np.isfinite(units) and units >= m))
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
            size[i] = units
            m = rules.percentile_min_units
            checks.append(_row(artefact, label, f"units >= {m}", units, m, np.isfinite(units) and units >= m))
        else:  # min, max
            checks.append(_row(artefact, label, "minima and maxima are never exported", nn[i], float("nan"),
                               rules.extremes_allowed))
        log.extend(checks)
        failed = [c["rule"] for c in checks if c["decision"] != RELEASE]
        if failed:
            bad[i] = True
            reason[i] = "suppressed: " + "; ".join(failed)

    # secondary suppression
    if partitions and len(cells):
        key_frame = cells[[c for p in partitions for c in p]].astype(str) if any(partitions) else None
        changed = True
        while changed:
            changed = False
            for part in partitions:
                groups = (np.zeros(len(cells), dtype="int64") if not part
                          else key_frame.groupby(list(part), sort=False).ngroup().to_numpy())
                for g in np.unique(groups):
                    idx = np.flatnonzero(groups == g)
                    if len(idx) < 2 or bad[idx].sum() != 1:
                        continue
                    cand = [j for j in idx if not bad[j] and size[j] > 0]
                    if not cand:
                        continue
                    j = min(cand, key=lambda t: (size[t], t))
                    bad[j] = True
                    reason[j] = f"suppressed: secondary (recoverable from the total over {list(part) or 'all cells'})"
                    log.append(_row(artefact, _cell_label(records[j], keys),
                                    f"secondary: partition over {list(part) or 'all cells'} had one suppressed cell",
                                    size[j], float("nan"), False, fail=SECONDARY))
                    changed = True

    released = cells.drop(columns=[c for c in SUPPORT_COLUMNS if c in cells.columns]).copy()
    for col in values:
        released[col] = pd.to_numeric(released[col], errors="coerce").astype("float64")
        released.loc[bad, col] = np.nan
    for col in {n, count, denominator} - {None}:
        if col in released.columns:
            small = bad & ~np.array([_count_ok(x, rules.min_units, rules) for x in _num(released, col)], dtype=bool)
            if small.any():
                released[col] = _hideable(released[col])
                released.loc[small, col] = np.nan
    # cells of an empty population (no units): no number exists, which is not a suppression; say so
    first_num = _num(released, values[0]) if values else None
    for i in range(len(released)):
        if not bad[i] and first_num is not None and np.isnan(first_num[i]) and (nn[i] == 0 or
                                                                              (den is not None and den[i] == 0)):
            reason[i] = EMPTY
    released[NOTE] = reason
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
) -> Checked:
    """Rows of several counts (each must be 0 or at least ``rules.min_units``).

    A row failing any count has its failing counts and ``values`` suppressed;
    with ``by``, every row of the same ``by`` group loses its ``values`` (e.g.
    the log-rank statistic shared by the groups of one test).
    """
    log: list[dict] = []
    bad = np.zeros(len(frame), dtype=bool)
    out = frame.copy()
    reason = [""] * len(frame)
    records = frame.to_dict("records")
    for col in counts:
        x = _num(frame, col)
        ok = np.array([_count_ok(v, rules.min_units, rules) for v in x], dtype=bool)
        for i, rec in enumerate(records):
            log.append(_row(artefact, _cell_label(rec, keys), f"{col} >= {rules.min_units}", x[i], rules.min_units,
                            bool(ok[i])))
            if not ok[i]:
                reason[i] = (reason[i] + "; " if reason[i] else "suppressed: ") + f"{col} < {rules.min_units}"
        if (~ok).any():
            out[col] = _hideable(out[col])
            out.loc[~ok, col] = np.nan
        bad |= ~ok
    if by and bad.any():
        grp = frame.groupby(list(by), sort=False).ngroup().to_numpy()
        hit = np.isin(grp, grp[bad])
        for i in np.flatnonzero(hit & ~bad):
            reason[i] = "suppressed: another row of the same test failed the frequency rule"
        bad = hit
    for col in values:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
        out.loc[bad, col] = np.nan
    out[NOTE] = reason
    return Checked(out.reset_index(drop=True), _log(log))


# --------------------------------------------------------------------------
# cumulative series and survival curves
# --------------------------------------------------------------------------
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
) -> Checked:
    """Cumulative counts along an ordered axis (e.g. arrears above each threshold).

    A point is released when every count in ``counts`` is 0 or at least
    ``rules.min_units``, its difference to the previous *released* point is 0
    or at least ``rules.min_units`` (so no small band can be recovered by
    differencing), and, for ``complements = {count: total}``, ``total - count``
    passes too.  Points failing are suppressed (the band is pooled with the
    next point).
    """
    complements = dict(complements or {})
    out = frame.copy()
    log: list[dict] = []
    bad = np.zeros(len(frame), dtype=bool)
    reason = [""] * len(frame)
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
            fails = []
            for col in counts:
                x = nums[col][i]
                ok = _count_ok(x, rules.min_units, rules)
                log.append(_row(artefact, label, f"{col} >= {rules.min_units}", x, rules.min_units, ok))
                if not ok:
                    fails.append(f"{col} < {rules.min_units}")
                if last is not None:
                    dx = abs(x - last[col])
                    ok = _count_ok(dx, rules.min_units, rules)
                    log.append(_row(artefact, label, f"change in {col} since the previous shown point >= "
                                    f"{rules.min_units}", dx, rules.min_units, ok, fail=POOL))
                    if not ok:
                        fails.append(f"change in {col} < {rules.min_units}")
                if col in complements:
                    c = nums[complements[col]][i] - x
                    ok = _count_ok(c, rules.min_units, rules)
                    log.append(_row(artefact, label, f"{complements[col]} - {col} >= {rules.min_units}", c,
                                    rules.min_units, ok))
                    if not ok:
                        fails.append(f"{complements[col]} - {col} < {rules.min_units}")
            if fails:
                bad[i] = True
                reason[i] = "suppressed: " + "; ".join(fails)
            else:
                last = {col: nums[col][i] for col in counts}
                vals = [value_arrays[v][i] for v in values]
                if any(np.isnan(v) for v in vals) and any(nums[c][i] == 0 for c in nums):
                    reason[i] = EMPTY  # a share of nothing (e.g. no events at all): no number exists
    for col in values:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
        out.loc[bad, col] = np.nan
    for col in counts:
        if bad.any():
            out[col] = _hideable(out[col])
            out.loc[bad, col] = np.nan
    out[NOTE] = reason
    return Checked(out.reset_index(drop=True), _log(log))


def check_km(
    curve: pd.DataFrame,
    *,
    rules: Rules,
    artefact: str,
    by: Sequence[str] = (),
    time: str = "time",
    at_risk: str = "n_at_risk",
    events: str | None = "n_events",
    survival: str | None = None,
    cum_inc: str | None = None,
    values: Sequence[str] = ("surv", "std_err", "surv_lower", "surv_upper"),
    pooled: Sequence[str] = ("n_events", "n_censored"),
) -> Checked:
    """Cut and pool a survival curve (Kaplan-Meier or cumulative incidence) and its at-risk table.

    Per curve (rows of one ``by`` group, in order of ``time``):

    * **cut**: from the first time with fewer than ``rules.min_at_risk`` at
      risk on, every row is suppressed (estimates, counts and the number at
      risk);
    * **pool**: the events since the previous released row (this row's
      included) must be 0 or at least ``rules.min_events``; a row with fewer is
      suppressed and its events carried to the next row.  A released row's
      ``pooled`` counts are the sums since the previous released row.  Events
      still pending at the end of a curve are never released (the curve ends at
      its last released step).

    Parameters
    ----------
    curve : pandas.DataFrame
        One row per time per curve.
    rules : Rules
    artefact : str
    by : sequence of str
        Columns naming a curve (e.g. ``["population", "group"]``).
    time, at_risk : str
        Time and number-at-risk columns.
    events : str or None, default "n_events"
        Events at each time.  ``None``: derived from the published estimate,
        as anyone could, by ``d_t = round(n_t (1 - S_t / S_prev))`` with
        ``S`` from ``survival`` or ``1 - cum_inc`` (exact for the annual,
        integer durations of this study, where every listed time is the only
        event time since the previous one).
    survival, cum_inc : str, optional
        The survival or cumulative-incidence column used when ``events`` is None.
    values : sequence of str
        Estimate columns suppressed with their row.
    pooled : sequence of str
        Count columns summed over pooled rows into the next released row.

    Returns
    -------
    Checked
        The released frame has the same rows and a ``disclosure`` note
        (``"pooled into the next step"``, ``"cut: fewer than 10 at risk"``).
    """
    if events is None and survival is None and cum_inc is None:
        raise ValueError(f"{artefact}: check_km needs an events column or a survival / cum_inc column")
    out = curve.copy()
    values = [v for v in values if v in out.columns]
    pooled = [p for p in pooled if p in out.columns]
    for col in [*values, *pooled, at_risk]:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    log: list[dict] = []
    bad = np.zeros(len(curve), dtype=bool)
    cut = np.zeros(len(curve), dtype=bool)
    reason = [""] * len(curve)
    groups = curve.groupby(list(by), sort=False).ngroup().to_numpy() if by else np.zeros(len(curve), dtype="int64")
    n_risk = _num(curve, at_risk)
    if events is not None:
        d_all = _num(curve, events)
    else:
        s = _num(curve, survival) if survival is not None else 1.0 - _num(curve, cum_inc)
    records = curve.to_dict("records")
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        idx = idx[np.argsort(curve[time].to_numpy()[idx], kind="stable")]
        pending = 0.0
        sums = dict.fromkeys(pooled, 0.0)
        s_prev = 1.0
        is_cut = False
        for i in idx:
            label = _cell_label(records[i], [*by, time])
            if events is not None:
                d = d_all[i] if np.isfinite(d_all[i]) else 0.0
            else:
                s_i = s[i]
                d = float(round(n_risk[i] * (1.0 - s_i / s_prev))) if (np.isfinite(s_i) and s_prev > 0
                                                                          and np.isfinite(n_risk[i])) else 0.0
                s_prev = s_i if np.isfinite(s_i) else s_prev
                d = max(d, 0.0)
            if not is_cut:
                ok = bool(np.isfinite(n_risk[i]) and n_risk[i] >= rules.min_at_risk)
                log.append(_row(artefact, label, f"at risk >= {rules.min_at_risk}", n_risk[i], rules.min_at_risk,
                                ok, fail=CUT))
                is_cut = not ok
            if is_cut:
                bad[i] = cut[i] = True
                reason[i] = f"cut: fewer than {rules.min_at_risk} at risk"
                continue
            pending += d
            for p in pooled:
                v = out.at[out.index[i], p]
                sums[p] += v if np.isfinite(v) else 0.0
            ok = pending == 0 or pending >= rules.min_events
            log.append(_row(artefact, label, f"events since the previous shown step 0 or >= {rules.min_events}",
                            pending, rules.min_events, ok, fail=POOL))
            if ok:
                for p in pooled:
                    out.at[out.index[i], p] = sums[p]
                pending, sums = 0.0, dict.fromkeys(pooled, 0.0)
            else:
                bad[i] = True
                reason[i] = f"pooled into the next step: fewer than {rules.min_events} events"
    for col in [*values, *pooled]:
        out.loc[bad, col] = np.nan
    out.loc[cut, at_risk] = np.nan
    out[NOTE] = reason
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
