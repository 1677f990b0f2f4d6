"""Per-cell parameters from the report's published group values.

The report publishes most quantities for four overlapping groups of new
mortgages: all new, new with a high mortgage, starters and starters with a high
mortgage (Tabel 2-5, B1-B8).  The generator draws per disjoint *cell*:

====  ==========================
cell  households
====  ==========================
0     non-starter, within norm
1     non-starter, high
2     starter, within norm
3     starter, high
====  ==========================

and solves the cell values so that the group values (weighted by the Tabel B3
counts) come out as published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

N_CELLS = 4


def cell_index(*, starter: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Cell code (0-3, see module docstring) per household, as int8."""
    return (2 * np.asarray(starter, dtype=np.int8) + np.asarray(high, dtype=np.int8)).astype(np.int8)


def solve_cells(
    new: Sequence[float],
    new_high: Sequence[float],
    starters: Sequence[float],
    starters_high: Sequence[float],
    *,
    population: Mapping[str, Any],
    lower: float = -np.inf,
    upper: float = np.inf,
) -> np.ndarray:
    """Cell values (cohort x cell) whose count-weighted group means are the published ones.

    Parameters
    ----------
    new, new_high, starters, starters_high : sequence of float
        Published group value by cohort 2012..2017 (a mean or a share).
    population : Mapping
        The ``[population]`` block (Tabel B3 counts at scale 1).
    lower, upper : float
        Bounds the solved values are clipped to (e.g. 0.001 and 0.999 for shares).

    Returns
    -------
    numpy.ndarray
        Shape (6, 4), float64.
    """
    n = np.asarray(population["new"], dtype="float64")
    nh = np.asarray(population["new_high"], dtype="float64")
    s = np.asarray(population["starters"], dtype="float64")
    sh = np.asarray(population["starters_high"], dtype="float64")
    vn, vnh, vs, vsh = (np.asarray(v, dtype="float64") for v in (new, new_high, starters, starters_high))
    out = np.empty((len(n), N_CELLS))
    out[:, 3] = vsh
    out[:, 2] = (vs * s - vsh * sh) / (s - sh)
    out[:, 1] = (vnh * nh - vsh * sh) / (nh - sh)
    out[:, 0] = (vn * n - vnh * nh - vs * s + vsh * sh) / (n - nh - s + sh)
    return np.clip(out, lower, upper)


def solve_cells_high_factor(
    new: Sequence[float],
    starters: Sequence[float],
    *,
    high_factor: float | Sequence[float],
    population: Mapping[str, Any],
    starter_high_factor: float | Sequence[float] | None = None,
) -> np.ndarray:
    """Cell means when only the new and starter means are published.

    The high cells get ``high_factor`` times the within-norm mean of the same
    starter status (e.g. Figure 4: high groups have lower incomes).  Either
    factor may be one value or one per cohort; ``starter_high_factor``
    (default ``high_factor``) is the starters' factor.

    Returns
    -------
    numpy.ndarray
        Shape (6, 4), float64.
    """
    n = np.asarray(population["new"], dtype="float64")
    nh = np.asarray(population["new_high"], dtype="float64")
    s = np.asarray(population["starters"], dtype="float64")
    sh = np.asarray(population["starters_high"], dtype="float64")
    vn, vs = np.asarray(new, dtype="float64"), np.asarray(starters, dtype="float64")
    hf_n = np.broadcast_to(np.asarray(high_factor, dtype="float64"), n.shape)
    hf_s = hf_n if starter_high_factor is None else np.broadcast_to(
        np.asarray(starter_high_factor, dtype="float64"), n.shape)
    ms = vs * s / (s - sh + hf_s * sh)
    vns = (vn * n - vs * s) / (n - s)
    mn = vns * (n - s) / (n - s - (nh - sh) + hf_n * (nh - sh))
    return np.column_stack([mn, hf_n * mn, ms, hf_s * ms])


def cohort_index(year: np.ndarray) -> np.ndarray:
    """Row of a by-cohort parameter array for a year (2018 and later use 2017's row)."""
    return np.clip(np.asarray(year, dtype=np.int64) - 2012, 0, 5)
