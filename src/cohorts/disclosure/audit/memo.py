"""What one audit keeps for the next audit of the same run (the ``cache`` of :func:`~cohorts.disclosure.audit.attack`).

The secondary-suppression search audits a release many times over the same
populations; :class:`_Memo` holds what depends only on the atoms (columns of
each population, expressions and their arrays, structural rows, the
witness's counts), so each later audit builds the very same programme, faster.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts.disclosure.facts import Population, Term


class _Memo:
    """What one set of atoms lets an audit keep for the next audit of the same run (see ``cache`` of :func:`attack`).

    The columns of each population, the expression of each sum of terms and
    its arrays, the key that tells duplicate targets apart, the structural
    rows as arrays and the witness's counts: each is computed once and reused
    as it is, so a later audit builds the very same programme, faster.
    """

    def __init__(self) -> None:
        self.cols: dict[tuple[str, Population], np.ndarray] = {}
        self.exprs: dict[tuple[Term, ...], dict[int, float]] = {}
        self.by_id: dict[int, tuple[dict[int, float], np.ndarray, np.ndarray, tuple]] = {}
        self.counts: tuple[pd.DataFrame, np.ndarray] | None = None
        self._structure: tuple[object, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def _entry(self, e: dict[int, float]) -> tuple[dict[int, float], np.ndarray, np.ndarray, tuple]:
        hit = self.by_id.get(id(e))
        if hit is None or hit[0] is not e:  # the expression is held in the entry, so its id is not reused
            key = tuple(sorted((c, round(v, 9)) for c, v in e.items() if abs(v) > 1e-12))
            hit = (e, np.fromiter(e.keys(), dtype=np.int64, count=len(e)),
                   np.fromiter(e.values(), dtype=float, count=len(e)), key)
            self.by_id[id(e)] = hit
        return hit

    def arrays(self, e: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
        """Columns and coefficients of ``e``, in its order."""
        hit = self._entry(e)
        return hit[1], hit[2]

    def key(self, e: dict[int, float]) -> tuple:
        """What makes two targets the same: their non-zero coefficients, sorted."""
        return self._entry(e)[3]

    def structure(self, rows: list[dict[int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row, column and value arrays of the structural rows (row numbers from 0)."""
        if self._structure is None or self._structure[0] is not rows:
            ri = [np.full(len(e), r, dtype=np.int64) for r, e in enumerate(rows)]
            cv = [self.arrays(e) for e in rows]
            self._structure = (rows, (np.concatenate([np.zeros(0, dtype=np.int64), *ri]),
                                      np.concatenate([np.zeros(0, dtype=np.int64), *(c for c, _ in cv)]),
                                      np.concatenate([np.zeros(0), *(v for _, v in cv)])))
        return self._structure[1]
