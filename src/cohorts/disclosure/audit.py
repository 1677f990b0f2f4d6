"""The attacker: how narrowly every hidden count can be pinned down from what was released.

Statistical offices audit a table with suppressed cells by computing, for each
hidden cell, the *feasibility interval*: the smallest and largest value it can
take given every released number and what is known of the table's structure
(cells are non-negative counts, parts add up to totals).  τ-ARGUS calls this
the audit; R's ``sdcTable`` computes it with ``attack()``.  Here the same is
done over everything a run releases, across files:

1. the released numbers are read as linear facts over the counts of
   populations (:mod:`cohorts.disclosure.facts`, :mod:`cohorts.disclosure.readers`);
2. the universe is cut into *atoms*, the coarsest pieces of which every
   released or hidden population is a union.  Each family has its own atoms
   (those of its own populations; the families of one survival chain share
   theirs); the unit counts are cut by every population of every family, so
   that "a family counts a subset of the units" holds atom by atom and the
   programme is exact;
3. the linear programme ``facts = values, counts >= 0`` with the structure of
   each :class:`~cohorts.disclosure.facts.Family` and
   :class:`~cohorts.disclosure.facts.Chain` is solved (HiGHS, through
   ``highspy``) for the minimum and maximum of every *target*:

   * each hidden cell, and the complement of each hidden share;
   * every *difference population* an attacker can form by adding and
     subtracting released counts of one family: the atoms of the family's
     own populations that lie in their linear span (non-starters as all
     minus starters, within-norm non-starters by inclusion-exclusion, one
     cohort as pooled minus leave-one-out, a band between two thresholds),
     with their complements, and the difference of each released population
     with every released population inside it that differs from it in one
     dimension only (starters vs all, a cohort vs all cohorts, a threshold vs
     the next);

4. a target is **exposed** when its interval ``[lo, hi]`` (rounded inward to
   whole units, as an attacker knows counts are integers) meets the small
   counts ``1 .. m-1`` and is narrower than the protection width ``p x m``
   (``m`` = ``Rules.min_units``, ``p`` = ``Rules.protection_level``).  With
   the defaults (m = 10, p = 100%) a count may not be narrowed to fewer than
   10 possible values around a small number: ``[0, 9]``, ``[4, 4]`` and
   ``[8, 15]`` are exposed; ``[0, 12]``, ``[3, 13]`` and ``[40, 45]`` (not
   small) are not.

The criterion uses only released information, so the gate
(:mod:`cohorts.disclosure.secondary`) and an outside attacker who reads the
released files agree on it.  Bounds are those of the continuous relaxation,
rounded inward; an integer attacker could in rare cases do better (the same
caveat applies to τ-ARGUS and ``sdcTable``).  Atoms that no sum or difference
of released counts isolates (a cell of two unrelated cross-classifications)
are bounded only through their margins and are not targets of their own.

Speed: every solution the solver visits is a feasible point, and a target
whose values over the feasible points seen so far already spread over
``p x m``, or reach ``m - 1 + p x m``, cannot be exposed.  Such *witnesses*
(the true counts when the gate supplies them, one programme that pushes every
target up at once, and each optimum found on the way) settle most targets;
the rest get their own pair of solves, warm-started from the previous basis.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from cohorts.disclosure.facts import (
    UNITS,
    Dim,
    Fact,
    Interval,
    Population,
    Reading,
    Source,
    Target,
    Term,
    Universe,
)

_EPS = 1e-6


# --------------------------------------------------------------------------
# the grid of the universe
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Axis:
    """One dimension cut into pieces: categorical values, or points and open intervals between cuts."""

    dim: Dim
    pieces: tuple
    cuts: tuple[float, ...] = ()

    def member(self, c: object) -> np.ndarray:
        if c is None:
            return np.ones(len(self.pieces), dtype=bool)
        if isinstance(c, Interval):
            if not self.dim.numeric:
                raise ValueError(f"dimension {self.dim.name!r} is categorical; an interval constraint is not allowed")
            return np.array([c.contains(x) for x in self.pieces], dtype=bool)
        if self.dim.numeric:
            raise ValueError(f"dimension {self.dim.name!r} is numeric; constrain it with an Interval")
        unknown = set(c) - set(self.pieces)
        if unknown:
            raise ValueError(f"dimension {self.dim.name!r} has no value(s) {sorted(unknown, key=str)}; "
                             f"it has {list(self.pieces)}")
        return np.array([v in c for v in self.pieces], dtype=bool)

    def index(self, values: np.ndarray) -> np.ndarray:
        """The piece of each value (categorical: position in the domain; numeric: point or open interval)."""
        if not self.dim.numeric:
            pos = pd.Index(list(self.pieces), dtype=object).get_indexer(pd.Index(values, dtype=object))
            if (pos < 0).any():
                bad = pd.unique(np.asarray(values, dtype=object)[pos < 0])[:5]
                raise ValueError(f"dimension {self.dim.name!r} has no value(s) {list(bad)}")
            return pos.astype(np.int64)
        x = np.asarray(values, dtype="float64")
        if np.isnan(x).any():
            raise ValueError(f"dimension {self.dim.name!r}: {int(np.isnan(x).sum())} missing value(s)")
        cs = np.asarray(self.cuts, dtype="float64")
        if len(cs) == 0:
            return np.zeros(len(x), dtype=np.int64)
        i = np.searchsorted(cs, x, side="left")
        on = (i < len(cs)) & (cs[np.minimum(i, len(cs) - 1)] == x)
        return np.where(on, 2 * i + 1, 2 * i).astype(np.int64)

    def describe(self, present: np.ndarray) -> str | None:
        """The pieces ``present`` (boolean per piece) in words; None when all are present."""
        if present.all():
            return None
        if not self.dim.numeric:
            vals = [str(v) for v, p in zip(self.pieces, present, strict=True) if p]
            return f"{self.dim.name}={vals[0]}" if len(vals) == 1 else f"{self.dim.name} in {{{', '.join(vals)}}}"
        spans = []
        k = 0
        while k < len(present):
            if not present[k]:
                k += 1
                continue
            j = k
            while j + 1 < len(present) and present[j + 1]:
                j += 1
            spans.append(self._span(k, j))
            k = j + 1
        return " or ".join(spans)

    def _span(self, k: int, j: int) -> str:
        cs, name = self.cuts, self.dim.name

        def lower(piece: int) -> str:
            if piece == 0:
                return ""
            c = cs[(piece - 1) // 2]
            return f"{'>=' if piece % 2 == 1 else '>'}{c:g}"

        def upper(piece: int) -> str:
            if piece == 2 * len(cs):
                return ""
            c = cs[piece // 2]
            return f"{'<=' if piece % 2 == 1 else '<'}{c:g}"
        if k == j and k % 2 == 1:
            return f"{name}={cs[k // 2]:g}"
        lo, hi = lower(k), upper(j)
        return f"{name} " + " & ".join(x for x in (lo, hi) if x) if (lo or hi) else f"{name} any"


def _axis(dim: Dim, cuts: Iterable[float]) -> _Axis:
    if not dim.numeric:
        return _Axis(dim, tuple(dim.values))
    cs = tuple(sorted(set(cuts)))
    if not cs:
        return _Axis(dim, (0.0,), ())
    reps: list[float] = [cs[0] - 1.0]
    for i, c in enumerate(cs):
        nxt = cs[i + 1] if i + 1 < len(cs) else c + 2.0
        reps += [c, (c + nxt) / 2.0]
    return _Axis(dim, tuple(reps), cs)


class _Grid:
    """Every combination of the pieces of the universe's dimensions (the finest possible atoms)."""

    def __init__(self, universe: Universe, populations: Iterable[Population]):
        cuts: dict[str, set[float]] = {d.name: set() for d in universe.dims if d.numeric}
        for p in populations:
            for name, c in p.items:
                dim = universe.dim(name)  # raises for an unknown dimension
                if isinstance(c, Interval):
                    if not dim.numeric:
                        raise ValueError(f"dimension {name!r} of universe {universe.name!r} is categorical")
                    cuts[name].update(c.cuts())
        self.axes = [_axis(d, cuts.get(d.name, ())) for d in universe.dims]
        self.shape = tuple(len(a.pieces) for a in self.axes)
        self.size = int(np.prod(self.shape))
        self._cache: dict[Population, np.ndarray] = {}

    def mask(self, pop: Population) -> np.ndarray:
        """Boolean over the flattened grid: the points of ``pop``."""
        hit = self._cache.get(pop)
        if hit is not None:
            return hit
        out = np.ones(self.shape, dtype=bool)
        for k, axis in enumerate(self.axes):
            m = axis.member(pop.constraint(axis.dim.name))
            if not m.all():
                shape = [1] * len(self.shape)
                shape[k] = len(m)
                out = out & m.reshape(shape)
        flat = np.ascontiguousarray(out).reshape(-1)
        self._cache[pop] = flat
        return flat

    def points(self) -> dict[str, np.ndarray]:
        """Per dimension, the value (or a representative number) of each grid point."""
        idx = np.indices(self.shape).reshape(len(self.shape), -1)
        return {a.dim.name: np.asarray(a.pieces, dtype=object)[idx[k]] for k, a in enumerate(self.axes)}

    def locate(self, frame: pd.DataFrame) -> np.ndarray:
        """The grid point of each row of a unit-level frame (one column per dimension)."""
        idx = [a.index(frame[a.dim.name].to_numpy()) for a in self.axes]
        return np.ravel_multi_index(idx, self.shape).astype(np.int64)

    def describe(self, points: np.ndarray) -> str:
        """A readable description of a set of grid points (per dimension, the values present)."""
        idx = np.unravel_index(points, self.shape)
        parts = []
        for k, axis in enumerate(self.axes):
            present = np.zeros(len(axis.pieces), dtype=bool)
            present[np.unique(idx[k])] = True
            text = axis.describe(present)
            if text:
                parts.append(text)
        return "; ".join(parts) or "all"


def _partition(masks: Sequence[np.ndarray], size: int) -> np.ndarray:
    """Atom id per point: points with the same membership in every mask share an atom."""
    ids = np.zeros(size, dtype=np.int64)
    for m in masks:
        ids = ids * 2 + m
        if ids.max(initial=0) > 2 ** 40:
            _, ids = np.unique(ids, return_inverse=True)
    _, ids = np.unique(ids, return_inverse=True)
    return ids.astype(np.int64)


def _outside_span(R: np.ndarray) -> np.ndarray:
    """For each column k of ``R``: whether the unit vector e_k lies outside the row space of ``R``.

    The projections of a few fixed random vectors on the null space of ``R``
    are zero at k exactly when e_k is in the row space (almost surely).
    """
    if R.shape[1] == 0:
        return np.zeros(0, dtype=bool)
    if R.shape[0] == 0:
        return np.ones(R.shape[1], dtype=bool)
    W = np.random.default_rng(20221).standard_normal((R.shape[1], 8))
    gram = R @ R.T
    proj = W - R.T @ (np.linalg.pinv(gram, hermitian=True) @ (R @ W))
    return np.abs(proj).max(axis=1) > 1e-7


# --------------------------------------------------------------------------
# bounds
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Bound:
    """The feasibility interval of one target.

    Attributes
    ----------
    label : str
        What is bounded (the hidden cell, or the difference population).
    kind : str
        ``"count"`` or ``"complement"`` (a hidden cell); ``"difference"`` or
        ``"difference complement"``.
    lo, hi : float
        Smallest and largest value, rounded inward to whole units.  For a
        ``certified`` target they are the witnessed spread only (the true
        interval contains it).
    exposed : bool
        Whether the interval is narrower than the protection allows (module docstring).
    certified : bool
        Settled by witnesses, without solving for it.
    source : Source or None
        The hidden cell's source (None for difference populations).
    certificate : tuple of Source
        For exposed targets: the released facts that pin it down (non-zero
        duals of its bounding programmes), the candidates for secondary
        suppression.
    """

    label: str
    kind: str
    lo: float
    hi: float
    exposed: bool
    certified: bool = False
    source: Source | None = None
    certificate: tuple[Source, ...] = ()
    universe: str = ""
    index: int = -1

    @property
    def key(self) -> tuple[str, str, str, str]:
        """:func:`target_key` of this target (for ``known_safe``)."""
        return target_key(self.label, self.kind, self.source)


def target_key(label: str, kind: str, source: Source | None) -> tuple[str, str, str, str]:
    """What names one target across audits: its label and kind, and the file and column it is hidden in
    (labels repeat across files: Tabel T4 and T5 both have ``group=starters_high; cohort=2012``)."""
    return (label, kind, source.artefact if source is not None else "", source.what if source is not None else "")


def exposed(lo: float, hi: float, *, min_units: int, protection: float) -> bool:
    """Whether ``[lo, hi]`` pins a count down: it meets 1..m-1 and is narrower than ``protection x m``."""
    if hi < 1 or lo > min_units - 1:
        return False
    return (hi - lo) < protection * min_units - _EPS


def stays_safe(lo: float, hi: float, *, min_units: int, protection: float) -> bool:
    """Whether ``[lo, hi]`` is safe for a reason that holds for any wider interval (wide enough, or
    reaching the safe level); ``[0, 0]`` or an interval above ``m`` is safe but may not stay so."""
    return (hi - lo) >= protection * min_units - _EPS or hi >= safe_level(min_units=min_units,
                                                                           protection=protection) - _EPS


def witnessed_safe(wlo: np.ndarray, whi: np.ndarray, *, min_units: int, protection: float) -> np.ndarray:
    """Targets that feasible points alone prove safe: the smallest and largest value seen are ``wlo, whi``.

    Only reasons that hold for every interval containing ``[wlo, whi]``:
    the spread is at least ``protection x m`` wide, or the target reaches the
    safe level.  A target whose witnessed values are all at least ``m`` may
    still reach below ``m``, and must be solved.
    """
    level = safe_level(min_units=min_units, protection=protection)
    return (whi >= level - _EPS) | (whi - wlo >= protection * min_units - _EPS)


def safe_level(*, min_units: int, protection: float) -> float:
    """A target that can reach this value is not exposed, whatever its minimum."""
    return (min_units - 1) + protection * min_units


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints a banner to the C-level standard output once per process; keep it off the user's screen."""
    try:
        fd = os.dup(1)
    except OSError:  # no file descriptor 1
        yield
        return
    sys.stdout.flush()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            try:
                yield
            finally:
                os.dup2(fd, 1)
    finally:
        os.close(fd)


def _solver(A: sparse.csc_matrix, row_lo: np.ndarray, row_hi: np.ndarray, col_hi: np.ndarray | None = None,
            cost: np.ndarray | None = None):
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    inf = highspy.kHighsInf
    n = A.shape[1]
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = np.zeros(n) if cost is None else cost
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, inf) if col_hi is None else np.where(np.isfinite(col_hi), col_hi, inf)
    lp.row_lower_ = np.where(np.isfinite(row_lo), row_lo, -inf)
    lp.row_upper_ = np.where(np.isfinite(row_hi), row_hi, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    h.passModel(lp)
    return h


def _optimal(h) -> bool:
    import highspy

    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


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


class Programme:
    """The attacker's linear programme of one universe: counts of atoms, facts, structure and targets.

    Parameters
    ----------
    universe : Universe
    facts : sequence of Fact
        Released facts about this universe.
    targets : sequence of Target
        Hidden cells.
    differences : bool, default True
        Also bound the difference populations (module docstring).
    """

    def __init__(self, universe: Universe, facts: Sequence[Fact], targets: Sequence[Target], *,
                 differences: bool = True, cache: dict | None = None):
        self.universe = universe
        self.facts = list(facts)
        terms: list[Term] = [t for f in self.facts for t in f.terms] + [t for g in targets for t in g.terms]
        for t in terms:
            universe.family(t.family)
        key = (universe.name, differences, frozenset((t.family, t.population) for t in terms))
        skeleton = cache.get(key) if cache is not None else None
        if skeleton is not None:
            self.__dict__.update({k: v for k, v in skeleton.items()})
        else:
            self._memo = _Memo()
            self.grid = _Grid(universe, (t.population for t in terms))
            point_values = self.grid.points()
            self._exists = {f.name: (np.asarray(f.exists(point_values), dtype=bool) if f.exists is not None
                                     else np.ones(self.grid.size, dtype=bool)) for f in universe.families}
            self._pops: dict[str, set[Population]] = {f.name: set() for f in universe.families}
            for t in terms:
                self._pops[t.family].add(t.population)
            self._partitions()
            self._structure = self._structural_rows()
            self.target_exprs: list[dict[int, float]] = []
            self.target_meta: list[tuple[str, str, Source | None]] = []
            if differences:
                chain = {n for ch in universe.chains for n in ch.families}
                for fam in universe.families:
                    self._difference_targets(fam.name,
                                             with_complement=fam.parent is not None and fam.name not in chain)
            self._differences = (self.target_exprs, self.target_meta)
            if cache is not None:
                cache[key] = {k: getattr(self, k) for k in ("grid", "_exists", "_pops", "_group_of", "_ids", "_col",
                                                            "columns", "_rep", "_structure", "_differences", "_memo")}
        self._rows()
        hidden_exprs, hidden_meta = [], []
        for g in targets:
            e = self._expr(g.terms)
            if e:
                hidden_exprs.append(e)
                hidden_meta.append((g.source.cell, g.kind, g.source))
        self.target_exprs = hidden_exprs + list(self._differences[0])
        self.target_meta = hidden_meta + list(self._differences[1])
        self._dedupe_targets()

    # ---------------------------------------------------------------- atoms and columns
    def _partitions(self) -> None:
        """Atoms per family: its own populations; units are cut by everything; a chain step by the later steps.

        The families of a survival chain at time t (``at_risk[t]``,
        ``events[t]``) share the atoms of the populations of every family at
        times >= t (the censorings of t count with t + 1, the total with every
        step): early steps are at least as fine as later ones, so each
        structural row sums the finer step over the atoms of the coarser one,
        and any solution of these rows can be split down to the finest atoms
        (later steps in proportion to what the earlier step leaves), which
        keeps the programme exact while its later steps stay small.
        """
        uni = self.universe
        group_of = {f.name: f.name for f in uni.families}
        step_of: dict[str, int] = {}
        totals: set[str] = set()
        for ch in uni.chains:
            for k, (r, ev) in enumerate(zip(ch.at_risk, ch.events, strict=True)):
                step_of[r] = step_of[ev] = k
                group_of[r] = group_of[ev] = f"{ch.at_risk[0]}@{k}"
                if ch.censored is not None:
                    step_of[ch.censored[k]] = k + 1
                    group_of[ch.censored[k]] = f"{ch.at_risk[0]}@{k + 1}"
            for f in uni.families:  # a family inside a chain family (competing exits) steps with it
                if f.parent in step_of and f.name not in step_of:
                    step_of[f.name] = step_of[f.parent]
                    group_of[f.name] = group_of[f.parent]
            if ch.total is not None:
                totals.add(ch.total)
        members: dict[str, list[str]] = {}
        for name, g in group_of.items():
            members.setdefault(g, []).append(name)

        def own(names: Sequence[str]) -> list[np.ndarray]:
            return [self.grid.mask(p) for n in names for p in sorted(self._pops[n])] + [self._exists[n] for n in names]

        total_masks = own(sorted(totals))
        masks: dict[str, list[np.ndarray]] = {}
        for g, names in members.items():
            step = step_of.get(names[0])
            if step is None:
                masks[g] = own(names)
            else:
                later = [n for n, k in step_of.items() if k >= step]
                masks[g] = own(later) + total_masks
        everything = [m for ms in masks.values() for m in ms]
        self._group_of = group_of
        self._ids = {g: _partition(everything if UNITS in names else masks[g], self.grid.size)
                     for g, names in members.items()}
        self._col: dict[tuple[str, int], int] = {}
        self.columns: list[tuple[str, int]] = []
        reps: list[int] = []
        for f in uni.families:
            ids = self._ids[group_of[f.name]]
            live = np.flatnonzero(self._exists[f.name])
            atoms, first = np.unique(ids[live], return_index=True)
            for atom, k in zip(atoms, first, strict=True):
                self._col[(f.name, int(atom))] = len(self.columns)
                self.columns.append((f.name, int(atom)))
                reps.append(int(live[k]))
        self._rep = np.asarray(reps, dtype=np.int64)

    def _cols_in(self, family: str, pop: Population) -> np.ndarray:
        hit = self._memo.cols.get((family, pop))
        if hit is None:
            ids = self._ids[self._group_of[family]]
            atoms = np.unique(ids[self.grid.mask(pop) & self._exists[family]])
            hit = np.asarray([self._col[(family, int(a))] for a in atoms], dtype=np.int64)
            self._memo.cols[(family, pop)] = hit
        return hit

    def _expr(self, terms: Sequence[Term]) -> dict[int, float]:
        """The columns and coefficients of a sum of terms (kept across audits; callers must not change it)."""
        key = tuple(terms)
        hit = self._memo.exprs.get(key)
        if hit is not None:
            return hit
        out: dict[int, float] = {}
        for t in terms:
            for c in self._cols_in(t.family, t.population):
                out[int(c)] = out.get(int(c), 0.0) + t.coef
        hit = {c: v for c, v in out.items() if abs(v) > 1e-12}
        self._memo.exprs[key] = hit
        return hit

    def _inside(self, child: str, parent: str) -> dict[int, list[int]]:
        """For each column of ``child``: the columns of ``parent`` whose atoms lie inside its atom."""
        child_ids = self._ids[self._group_of[child]]
        out: dict[int, list[int]] = {}
        for (name, _), col, rep in zip(self.columns, range(len(self.columns)), self._rep, strict=True):
            if name != parent or not self._exists[child][rep]:
                continue
            key = self._col.get((child, int(child_ids[rep])))
            if key is not None:
                out.setdefault(key, []).append(col)
        return out

    # ---------------------------------------------------------------- rows
    def _structural_rows(self) -> tuple[list[dict[int, float]], list[float], list[float]]:
        """The rows of the documented structure (families inside parents, survival chains)."""
        rows: list[dict[int, float]] = []
        lo: list[float] = []
        hi: list[float] = []

        def add(e: Mapping[int, float], a: float, b: float) -> None:
            rows.append(dict(e))
            lo.append(a)
            hi.append(b)

        uni = self.universe
        for fam in uni.families:  # a family counts a subset of its parent's units, atom by atom
            if fam.parent is None:
                continue
            for col, parents in self._inside(fam.name, fam.parent).items():
                add({**{p: -1.0 for p in parents}, col: 1.0}, -math.inf, 0.0)
        for ch in uni.chains:
            for col, entry in self._inside(ch.at_risk[0], ch.entry).items():
                add({**{p: -1.0 for p in entry}, col: 1.0}, 0.0, 0.0)
            for r, ev in zip(ch.at_risk, ch.events, strict=True):  # events within those at risk (same atoms)
                for (name, atom), col in self._col.items():
                    if name == ev and (r, atom) in self._col:
                        add({col: 1.0, self._col[(r, atom)]: -1.0}, -math.inf, 0.0)
            for k in range(len(ch.at_risk)):
                # those at risk at t+1 (and, when counted, those censored at t) come from those at risk at t
                # without an event: summed over the atoms of step t+1, which the atoms of step t refine
                later = [ch.at_risk[k + 1]] if k + 1 < len(ch.at_risk) else []
                if ch.censored is not None:
                    later.append(ch.censored[k])
                if not later:
                    continue
                coarse = self._ids[self._group_of[later[0]]]
                rows_k: dict[int, dict[int, float]] = {}
                for fam in later:
                    for (name, atom), col in self._col.items():
                        if name == fam:
                            rows_k.setdefault(atom, {})[col] = 1.0
                for fam, sign in ((ch.at_risk[k], -1.0), (ch.events[k], 1.0)):
                    for (name, _), col, rep in zip(self.columns, range(len(self.columns)), self._rep, strict=True):
                        if name == fam and int(coarse[rep]) in rows_k:
                            rows_k[int(coarse[rep])][col] = sign
                for row in rows_k.values():
                    add(row, 0.0 if ch.censored is not None else -math.inf, 0.0)
            if ch.total is not None:
                rows_total: dict[int, dict[int, float]] = {}
                for ev in ch.events:
                    for col, fine in self._inside(ch.total, ev).items():
                        row = rows_total.setdefault(col, {col: 1.0})
                        for c in fine:
                            row[c] = row.get(c, 0.0) - 1.0
                for row in rows_total.values():
                    add(row, 0.0, 0.0)
        return rows, lo, hi

    def _rows(self) -> None:
        """The matrix of the released facts (one row each, in order) and of the structure, with their bounds."""
        ri: list[np.ndarray] = []
        ci: list[np.ndarray] = []
        data: list[np.ndarray] = []
        lo: list[float] = []
        hi: list[float] = []
        sources: list[Source | None] = []
        for f in self.facts:
            e = self._expr(f.terms)
            if not e:
                if abs(f.value) > 0.5:
                    raise ValueError(f"{f.source.artefact}: {f.source.cell} ({f.source.what}) = {f.value:g} counts a "
                                     "population that cannot exist in this universe")
                continue
            cols, vals = self._memo.arrays(e)
            ri.append(np.full(len(cols), len(lo), dtype=np.int64))
            ci.append(cols)
            data.append(vals)
            lo.append(f.value)
            hi.append(f.value)
            sources.append(f.source)
        self.n_fact_rows = len(lo)
        s_rows, s_lo, s_hi = self._structure
        s_ri, s_ci, s_data = self._memo.structure(s_rows)
        ri.append(s_ri + len(lo))
        ci.append(s_ci)
        data.append(s_data)
        lo.extend(s_lo)
        hi.extend(s_hi)
        sources.extend([None] * len(s_rows))
        self.A = sparse.csc_matrix((np.concatenate(data), (np.concatenate(ri), np.concatenate(ci))),
                                   shape=(len(lo), len(self.columns)))
        self.row_lo = np.asarray(lo, dtype=float)
        self.row_hi = np.asarray(hi, dtype=float)
        self.row_source = sources

    # ---------------------------------------------------------------- targets
    def _difference_targets(self, family: str, *, with_complement: bool) -> None:
        pops = sorted(self._pops[family])
        if not pops:
            return
        cols = np.asarray([c for c, (f, _) in enumerate(self.columns) if f == family], dtype=np.int64)
        if len(cols) == 0:
            return
        reps = self._rep[cols]
        member = np.stack([self.grid.mask(p)[reps] for p in pops])  # populations x columns
        own = _partition(list(member), len(cols))
        n_own = int(own.max()) + 1
        first = np.zeros(n_own, dtype=np.int64)
        first[own[::-1]] = np.arange(len(own))[::-1]
        R = member[:, first].astype(float)
        free = _outside_span(R)
        inside = R.any(axis=0)
        parent = self.universe.family(family).parent
        inside_parent = self._inside(family, parent) if with_complement and parent is not None else {}
        for k in np.flatnonzero(inside & ~free):
            atom_cols = cols[own == k]
            label = f"{family}: {self.grid.describe(self._points_of(atom_cols))}"
            self._add_target({int(c): 1.0 for c in atom_cols}, label, "difference")
            if inside_parent:
                comp = {p: 1.0 for c in atom_cols for p in inside_parent.get(int(c), [])}
                for c in atom_cols:
                    comp[int(c)] = comp.get(int(c), 0.0) - 1.0
                self._add_target(comp, f"{parent} without {label}", "difference complement")
        # a released population minus each largest one inside it that differs in one dimension only
        for i, p in enumerate(pops):
            inner = [j for j in range(len(pops)) if j != i and (member[j] <= member[i]).all()
                     and (member[j] < member[i]).any() and _one_dimension_apart(pops[i], pops[j])]
            for j in inner:
                if any(k != j and (member[j] <= member[k]).all() and (member[j] < member[k]).any() for k in inner):
                    continue
                diff = cols[member[i] & ~member[j]]
                self._add_target({int(c): 1.0 for c in diff}, f"{family}: ({p}) minus ({pops[j]})", "difference")

    def _points_of(self, cols: np.ndarray) -> np.ndarray:
        family = self.columns[int(cols[0])][0]
        ids = self._ids[self._group_of[family]]
        atoms = [self.columns[int(c)][1] for c in cols]
        return np.flatnonzero(np.isin(ids, atoms) & self._exists[family])

    def _add_target(self, expr: dict[int, float], label: str, kind: str) -> None:
        if expr:
            self.target_exprs.append(expr)
            self.target_meta.append((label, kind, None))

    def _dedupe_targets(self) -> None:
        seen: set[tuple] = set()
        exprs, meta = [], []
        for e, m in zip(self.target_exprs, self.target_meta, strict=True):
            key = self._memo.key(e)
            if key and key not in seen:
                seen.add(key)
                exprs.append(e)
                meta.append(m)
        self.target_exprs, self.target_meta = exprs, meta

    # ---------------------------------------------------------------- the truth, as a witness
    def counts(self, units: pd.DataFrame) -> np.ndarray:
        """The programme's variables computed from unit-level data (the gate's witness).

        Parameters
        ----------
        units : pandas.DataFrame
            One row per unit with a column per dimension of the universe and
            a column per family holding the unit's count in it (0/1; the
            ``units`` column is 1).  A family without a column counts 0.
        """
        if self._memo.counts is not None and self._memo.counts[0] is units:
            return self._memo.counts[1].copy()  # the same units on the same atoms (a later audit of one run)
        point = self.grid.locate(units)
        x = np.zeros(len(self.columns))
        for fam in self.universe.families:
            if fam.name not in units.columns:
                continue
            w = units[fam.name].to_numpy(dtype="float64")
            ok = w != 0
            if not ok.any():
                continue
            if not self._exists[fam.name][point[ok]].all():
                raise ValueError(f"family {fam.name!r}: {int((~self._exists[fam.name][point[ok]]).sum())} unit(s) "
                                 "counted where the universe says the count is structurally zero")
            ids = self._ids[self._group_of[fam.name]][point[ok]]
            sums = pd.Series(w[ok]).groupby(ids).sum()
            for atom, v in sums.items():
                x[self._col[(fam.name, int(atom))]] += v
        self._memo.counts = (units, x.copy())
        return x

    def violations(self, x: np.ndarray, *, tol: float = 1e-6) -> list[str]:
        """The rows ``x`` breaks (a witness must break none), with their sources."""
        ax = self.A @ x
        bad = np.flatnonzero((ax < self.row_lo - tol) | (ax > self.row_hi + tol) | (x < -tol).any())
        out = []
        for r in bad[:20]:
            src = self.row_source[r]
            what = f"{src.artefact}: {src.cell} ({src.what})" if src is not None else "structure"
            out.append(f"{what}: {ax[r]:g} not in [{self.row_lo[r]:g}, {self.row_hi[r]:g}]")
        return out

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


def _one_dimension_apart(a: Population, b: Population) -> bool:
    da, db = dict(a.items), dict(b.items)
    return sum(da.get(k) != db.get(k) for k in set(da) | set(db)) == 1


# --------------------------------------------------------------------------
# an audit of a whole release
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Audit:
    """The result of attacking one release: every bound, the exposed ones first.

    Attributes
    ----------
    bounds : tuple of Bound
    n_facts, n_targets : int
    """

    bounds: tuple[Bound, ...]
    n_facts: int
    n_targets: int

    @property
    def exposures(self) -> list[Bound]:
        """The exposed targets."""
        return [b for b in self.bounds if b.exposed]

    def table(self) -> pd.DataFrame:
        """One row per bounded target: ``label, kind, lo, hi, exposed, certified, artefact``."""
        return pd.DataFrame([{"label": b.label, "kind": b.kind, "lo": b.lo, "hi": b.hi, "exposed": b.exposed,
                              "certified": b.certified,
                              "artefact": b.source.artefact if b.source is not None else ""} for b in self.bounds],
                            columns=["label", "kind", "lo", "hi", "exposed", "certified", "artefact"])


def attack(readings: Mapping[str, Reading] | Reading, universes: Mapping[str, Universe], *, min_units: int,
           protection: float, units: Mapping[str, pd.DataFrame] | None = None, certificates: bool = False,
           differences: bool = True, known_safe: frozenset[tuple[str, str, str, str]] = frozenset(),
           cache: dict | None = None, keep: dict | None = None) -> Audit:
    """Bound every hidden cell and every difference population of a release (module docstring).

    Parameters
    ----------
    readings : Reading or mapping of universe name -> Reading
        What the release tells, per universe (a single Reading when there is one universe).
    universes : mapping of name -> Universe
    min_units : int
        The frequency threshold ``m``.
    protection : float
        Protection level as a fraction of ``m`` (1.0 = 100%).
    units : mapping of universe name -> DataFrame, optional
        Unit-level data per universe (see :meth:`Programme.counts`): the
        gate's witness, which speeds the audit up and changes no bound.
    certificates : bool
        Record the facts behind each exposure.
    differences : bool
        Also bound the difference populations.
    known_safe : frozenset of Bound.key
        See :meth:`Programme.bounds`.
    cache : dict, optional
        Keeps the parts of the programmes that depend only on which
        populations are spoken of, for repeated audits of a changing release.
    keep : dict, optional
        Receives the programme of each universe (for trials of secondary decisions).

    Returns
    -------
    Audit
    """
    if isinstance(readings, Reading):
        if len(universes) != 1:
            raise ValueError("a single Reading needs exactly one universe")
        readings = {next(iter(universes)): readings}
    bounds: list[Bound] = []
    n_facts = n_targets = 0
    for name, reading in readings.items():
        if name not in universes:
            raise ValueError(f"no universe {name!r}; known: {sorted(universes)}")
        if not reading.facts and not reading.targets:
            continue
        prog = Programme(universes[name], reading.facts, reading.targets, differences=differences, cache=cache)
        witnesses = [prog.counts(units[name])] if units is not None and name in units else []
        bounds.extend(prog.bounds(min_units=min_units, protection=protection, witnesses=witnesses,
                                  certificates=certificates, known_safe=known_safe))
        if keep is not None:
            keep[name] = prog
        n_facts += len(reading.facts)
        n_targets += len(prog.target_exprs)
    bounds.sort(key=lambda b: not b.exposed)
    return Audit(tuple(bounds), n_facts, n_targets)
