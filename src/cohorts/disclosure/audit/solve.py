"""Solving the attacker's programme: the feasibility interval of every target, and trials of hiding more.

:class:`_Solving` holds the solving methods of
:class:`~cohorts.disclosure.audit.programme.Programme`: :meth:`bounds` (the
witnesses first, then a warm-started pair of solves per unsettled target,
with certificates of exposure), and :meth:`change` / :meth:`revert` /
:meth:`is_exposed`, with which the gate tries secondary suppressions on the
solver as it stands.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from cohorts.disclosure.audit.exposure import _EPS, Bound, exposed, safe_level, target_key, witnessed_safe
from cohorts.disclosure.audit.solver import _optimal, _solver
from cohorts.disclosure.facts import Source


class _Solving:
    """The solving methods of :class:`~cohorts.disclosure.audit.programme.Programme` (built there)."""

    # ---------------------------------------------------------------- solving
    def _certificate(self, h) -> tuple[Source, ...]:
        duals = np.asarray(h.getSolution().row_dual)[: self.n_fact_rows]
        return tuple(self.row_source[r] for r in np.flatnonzero(np.abs(duals) > 1e-9))

    def bounds(self, *, min_units: int, protection: float, witnesses: Sequence[np.ndarray] = (),
               certificates: bool = False, known_safe: frozenset[tuple[str, str, str, str]] = frozenset()) -> list[Bound]:
        """The feasibility interval of every target (module docstring).

        Parameters
        ----------
        min_units : int
        protection : float
            Protection level as a fraction of ``min_units``.
        witnesses : sequence of numpy.ndarray
            Feasible solutions known in advance (the gate passes the true
            counts); each is checked before use.
        certificates : bool, default False
            Record, for exposed targets, the facts that pin them down.
        known_safe : frozenset of Bound.key
            Targets an earlier audit of a release with *more* facts found not
            exposed (hiding cells only widens intervals); they are not solved again.

        Raises
        ------
        ValueError
            When the released facts contradict each other or the documented
            structure, or a witness breaks a row.
        """
        n_t = len(self.target_exprs)
        if n_t == 0:
            return []
        level = safe_level(min_units=min_units, protection=protection)
        ri, ci, vv = [], [], []
        for i, e in enumerate(self.target_exprs):
            cols, vals = self._memo.arrays(e)
            ri.append(np.full(len(cols), i, dtype=np.int64))
            ci.append(cols)
            vv.append(vals)
        E = sparse.csr_matrix((np.concatenate(vv), (np.concatenate(ri), np.concatenate(ci))),
                              shape=(n_t, len(self.columns)))
        wlo = np.full(n_t, math.inf)
        whi = np.full(n_t, -math.inf)

        def absorb(x: np.ndarray) -> None:
            nonlocal wlo, whi
            v = E @ x
            wlo = np.minimum(wlo, v)
            whi = np.maximum(whi, v)

        skip = np.array([target_key(label, kind, src) in known_safe for label, kind, src in self.target_meta],
                        dtype=bool)

        def settled() -> np.ndarray:
            return skip | witnessed_safe(wlo, whi, min_units=min_units, protection=protection)

        for w in witnesses:
            broken = self.violations(w)
            if broken:
                raise ValueError("the true counts break the documented structure of the release (the codebook does "
                                 "not describe the data): " + "; ".join(broken))
            absorb(w)
        h = _solver(self.A, self.row_lo, self.row_hi)
        h.setOptionValue("presolve", "off")
        h.run()
        if not _optimal(h):
            raise ValueError("the released numbers contradict each other or the documented structure "
                             f"(universe {self.universe.name!r}): no non-negative counts satisfy them all")
        absorb(np.asarray(h.getSolution().col_value))
        todo = np.flatnonzero(~settled())
        if len(todo):
            absorb(self._push_up(E[todo], level))
        h.setOptionValue("simplex_strategy", 4)  # after a change of objective, primal simplex from the last basis
        exact_lo = np.full(n_t, math.nan)
        exact_hi = np.full(n_t, math.nan)
        certs: dict[int, tuple[Source, ...]] = {}

        self._h = h
        self._previous = np.zeros(0, dtype=np.int32)
        self._relaxed: set[int] = set()

        def optimise(i: int, sense: float) -> float:
            value = self._solve(i, sense)
            absorb(np.asarray(h.getSolution().col_value))
            if certificates:
                certs[i] = certs.get(i, ()) + self._certificate(h)
            return value

        for i in range(n_t):
            if settled()[i]:
                continue
            exact_hi[i] = math.floor(optimise(i, -1.0) + _EPS)
            if exact_hi[i] < 1 or settled()[i]:
                continue
            exact_lo[i] = max(0.0, math.ceil(optimise(i, 1.0) - _EPS))
        out: list[Bound] = []
        done = settled()
        for i, (label, kind, source) in enumerate(self.target_meta):
            if math.isfinite(exact_hi[i]) and math.isfinite(exact_lo[i]):
                lo_i, hi_i = exact_lo[i], exact_hi[i]
                bad = exposed(lo_i, hi_i, min_units=min_units, protection=protection)
                out.append(Bound(label, kind, lo_i, hi_i, bad, source=source,
                                 certificate=tuple(dict.fromkeys(certs.get(i, ()))) if bad else (),
                                 universe=self.universe.name, index=i))
            elif math.isfinite(exact_hi[i]) and exact_hi[i] < 1:
                out.append(Bound(label, kind, 0.0, 0.0, False, source=source, universe=self.universe.name, index=i))
            else:
                out.append(Bound(label, kind, max(0.0, math.ceil(wlo[i] - _EPS)), math.floor(whi[i] + _EPS), False,
                                 certified=bool(done[i]), source=source, universe=self.universe.name, index=i))
        return out

    def _solve(self, i: int, sense: float) -> float:
        """Minimum (``sense`` 1) or maximum (-1) of target ``i``, from the last basis."""
        h = self._h
        if len(self._previous):
            h.changeColsCost(len(self._previous), self._previous, np.zeros(len(self._previous)))
        e = self.target_exprs[i]
        self._previous = np.asarray(list(e), dtype=np.int32)
        h.changeColsCost(len(self._previous), self._previous, sense * np.asarray(list(e.values()), dtype=float))
        h.run()
        if not _optimal(h):
            raise RuntimeError(f"the attacker's programme could not be solved for {self.target_meta[i][0]}")
        return sense * h.getInfo().objective_function_value

    def fact_rows(self) -> dict[Source, int]:
        """The row of each released fact (by its source)."""
        return {src: r for r, src in enumerate(self.row_source[: self.n_fact_rows]) if src is not None}

    def change(self, *, relax: Sequence[int] = (), merge: Sequence[tuple[int, int]] = ()) -> list[tuple]:
        """Change the solver of the last :meth:`bounds` as if fact rows were hidden; returns how to undo it.

        ``relax``: rows that go; ``merge``: pairs ``(a, b)`` where rows ``a``
        and ``b`` go and a new row states ``a + b`` (a survival step pooled
        into the next).  Both keep the current solution feasible, so the
        primal simplex goes on from the current basis.
        """
        import highspy

        h = self._h
        inf = highspy.kHighsInf
        A = self._rows_csr()
        undo: list[tuple] = []
        for a, b in merge:
            cols = np.concatenate([A.indices[A.indptr[a]:A.indptr[a + 1]], A.indices[A.indptr[b]:A.indptr[b + 1]]])
            vals = np.concatenate([A.data[A.indptr[a]:A.indptr[a + 1]], A.data[A.indptr[b]:A.indptr[b + 1]]])
            summed = pd.Series(vals).groupby(cols).sum()
            lo = self.row_lo[a] + self.row_lo[b]
            hi = self.row_hi[a] + self.row_hi[b]
            h.addRow(lo if np.isfinite(lo) else -inf, hi if np.isfinite(hi) else inf, len(summed),
                     summed.index.to_numpy(dtype=np.int32), summed.to_numpy(dtype=float))
            undo.append(("row", h.getNumRow() - 1))
        for r in {*relax, *(a for a, _ in merge), *(b for _, b in merge)}:
            if int(r) in self._relaxed:
                continue
            self._relaxed.add(int(r))
            undo.append(("bounds", int(r)))
            h.changeRowBounds(int(r), -inf, inf)
        return undo

    def revert(self, undo: Sequence[tuple]) -> None:
        """Undo :meth:`change`."""
        import highspy

        inf = highspy.kHighsInf
        rows = sorted((item[1] for item in undo if item[0] == "row"), reverse=True)
        for item in undo:
            if item[0] == "bounds":
                r = item[1]
                self._relaxed.discard(r)
                self._h.changeRowBounds(r, self.row_lo[r] if np.isfinite(self.row_lo[r]) else -inf,
                                        self.row_hi[r] if np.isfinite(self.row_hi[r]) else inf)
        for r in rows:
            self._h.deleteRows(1, np.asarray([r], dtype=np.int32))

    def _rows_csr(self) -> sparse.csr_matrix:
        if getattr(self, "_csr", None) is None:
            self._csr = self.A.tocsr()
        return self._csr

    def is_exposed(self, i: int, *, min_units: int, protection: float) -> bool:
        """Whether target ``i`` is exposed on the solver as it stands (after :meth:`change`)."""
        hi = math.floor(self._solve(i, -1.0) + _EPS)
        if hi < 1:
            return False
        lo = max(0.0, math.ceil(self._solve(i, 1.0) - _EPS))
        return exposed(lo, hi, min_units=min_units, protection=protection)

    def _push_up(self, E: sparse.csr_matrix, level: float) -> np.ndarray:
        """A feasible point that puts as many targets as it can at ``level`` (max sum of min(target, level))."""
        n, k = len(self.columns), E.shape[0]
        top = sparse.hstack([self.A, sparse.csc_matrix((self.A.shape[0], k))])
        link = sparse.hstack([-E, sparse.identity(k, format="csr")])  # y_j - target_j <= 0
        M = sparse.vstack([top, link]).tocsc()
        h = _solver(M, np.concatenate([self.row_lo, np.full(k, -math.inf)]), np.concatenate([self.row_hi, np.zeros(k)]),
                    col_hi=np.concatenate([np.full(n, math.inf), np.full(k, level)]),
                    cost=np.concatenate([np.zeros(n), -np.ones(k)]))
        h.run()
        return np.asarray(h.getSolution().col_value)[:n] if _optimal(h) else np.zeros(n)
