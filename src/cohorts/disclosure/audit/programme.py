"""Building the attacker's linear programme of one universe: atoms, columns, rows and targets.

:class:`Programme` cuts the universe into atoms (:mod:`.grid`), makes one
column per atom of each family, one row per released fact and per piece of
documented structure (non-negative counts, parts adding up to totals,
survival chains), and the targets: hidden cells and the difference
populations an attacker can form.  Its solving methods (bounds, trials of
hiding more facts) are in :mod:`.solve`; its reusable parts in :mod:`.memo`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from cohorts.disclosure.audit.grid import _Grid, _outside_span, _partition
from cohorts.disclosure.audit.memo import _Memo
from cohorts.disclosure.audit.solve import _Solving
from cohorts.disclosure.facts import UNITS, Fact, Population, Source, Target, Term, Universe


class Programme(_Solving):
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


def _one_dimension_apart(a: Population, b: Population) -> bool:
    da, db = dict(a.items), dict(b.items)
    return sum(da.get(k) != db.get(k) for k in set(da) | set(db)) == 1
