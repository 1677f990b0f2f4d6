"""The grid of a universe: its dimensions cut into pieces, and the atoms of the attacker's programme.

Every population a release speaks of is a box on the grid of its universe's
dimensions; :class:`_Grid` cuts each dimension at every boundary any of them
uses, so that each population is a union of grid points, and
:func:`_partition` groups the points into atoms (points that every mask
treats alike).  :func:`_outside_span` tells which atoms no sum or difference
of released counts isolates.  Used by :class:`~cohorts.disclosure.audit.programme.Programme`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts.disclosure.facts import Dim, Interval, Population, Universe


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
