"""What every primary check shares: the log's columns and decisions, the notes, :class:`Checked`, log rows.

The constants of the log (:data:`LOG_COLUMNS`, the decisions) and of released
frames (:data:`NOTE`, :data:`SUPPRESSED`, :data:`EMPTY`, :data:`REFUSED`), the
:class:`Checked` result, the helpers that make log rows and hideable
columns, and :func:`publishable`, which writes the marker in every
suppressed cell.  Re-exported by :mod:`cohorts.disclosure.checks`.
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
