"""The selection table: every exclusion is an explicit, counted step with a reason.

Each pipeline step that can remove rows appends one :class:`Step`; steps that
change the unit of observation (loan parts -> mortgage-snapshots -> mortgages)
are recorded too, with nothing dropped, so that the table reconciles exactly
from the raw loan parts to the final cohort: within a unit, ``rows_in`` of a
step equals ``rows_out`` of the step before, and ``rows_out = rows_in -
rows_dropped`` for every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SELECTION_COLUMNS = ("step", "population", "kind", "unit", "rule", "rows_in", "rows_out", "rows_dropped", "reason")


@dataclass(frozen=True)
class Step:
    """One row of the selection table.

    Attributes
    ----------
    population : str
        ``"cohorts"`` (new mortgages) or ``"stock"``.
    kind : str
        ``"drop"`` (rows removed by a rule) or ``"unit change"`` (rows
        aggregated into a coarser unit; nothing removed).
    unit : str
        What a row is after this step: ``"loan parts"``, ``"mortgage-snapshots"``, ``"mortgages"``.
    rule : str
        The rule applied, short.
    rows_in, rows_out : int
        Rows before and after the step (for a unit change, ``rows_in`` counts the
        previous unit and ``rows_out`` the new one).
    rows_dropped : int
        ``rows_in - rows_out`` for a drop; 0 for a unit change.
    reason : str
        Why rows are dropped, or what the aggregation does.
    """

    population: str
    kind: str
    unit: str
    rule: str
    rows_in: int
    rows_out: int
    rows_dropped: int
    reason: str


def keep_rows(df: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The rows of ``df`` where ``mask`` is true, numbered 0..n-1: one copy.

    (``df.loc[mask].reset_index(drop=True)`` copies twice; with millions of
    rows per step that doubles the memory the step needs.)
    """
    out = df.take(np.flatnonzero(np.asarray(mask, dtype=bool)))
    out.index = pd.RangeIndex(len(out))
    return out


def drop_step(population: str, unit: str, rule: str, before: int, after: int, reason: str) -> Step:
    """A step that removes ``before - after`` rows of the same unit."""
    if after > before:
        raise ValueError(f"selection step '{rule}': rows_out ({after}) exceeds rows_in ({before})")
    return Step(population, "drop", unit, rule, int(before), int(after), int(before - after), reason)


def unit_step(population: str, unit: str, rule: str, before: int, after: int, reason: str) -> Step:
    """A step that aggregates ``before`` rows into ``after`` rows of a new unit (nothing dropped)."""
    return Step(population, "unit change", unit, rule, int(before), int(after), 0, reason)


def selection_frame(steps: list[Step]) -> pd.DataFrame:
    """The selection table as a DataFrame with columns :data:`SELECTION_COLUMNS`."""
    rows = [{"step": i + 1, **{k: getattr(s, k) for k in SELECTION_COLUMNS[1:]}} for i, s in enumerate(steps)]
    return pd.DataFrame(rows, columns=list(SELECTION_COLUMNS))


def check_reconciles(table: pd.DataFrame) -> None:
    """Raise ``ValueError`` if the selection table does not reconcile.

    Within each population, consecutive steps chain (``rows_in`` of a step equals
    ``rows_out`` of the previous one), and every drop step satisfies
    ``rows_out = rows_in - rows_dropped``; unit changes drop nothing.
    """
    for pop, sub in table.groupby("population", sort=False):
        prev_out = None
        for row in sub.itertuples(index=False):  # a few dozen steps at most
            if row.kind == "drop" and row.rows_out != row.rows_in - row.rows_dropped:
                raise ValueError(f"selection step {row.step} ({row.rule}): rows_out != rows_in - rows_dropped")
            if row.kind == "unit change" and row.rows_dropped != 0:
                raise ValueError(f"selection step {row.step} ({row.rule}): a unit change drops nothing")
            if prev_out is not None and row.rows_in != prev_out:
                raise ValueError(
                    f"selection ({pop}) step {row.step} ({row.rule}): rows_in {row.rows_in} != previous rows_out {prev_out}"
                )
            prev_out = row.rows_out
