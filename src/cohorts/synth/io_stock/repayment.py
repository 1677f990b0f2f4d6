"""Stage 5 of the interest-only block: cumulative voluntary repayment of the IO parts (round 9).

An interest-only part has no scheduled repayment, so whatever its borrower repaid of it shows only
as its original principal above its current balance.  The study measures it that way (Figuur 2: free
wealth plus the cumulative voluntary repayment, as a share of the original IO principal; seed lines
372-424 and 2488-2500): a typical fully-IO household has covered 20% ("slechts 20%"), more as the
maturity nears, yet half of those with at most five years to go still have 56% or more open; and the
perpetuals, older, have repaid more (seed 1906-1911).  Before this stage the twin planted none, so
Figuur 2 showed free wealth alone (and the annuity repayment of the parts :func:`plan_fully_io`
recodes).

Rule (parameters ``voluntary_*`` of ``[io_stock]``): a household with ``g`` years to go repays the
fraction ``v`` of its original IO principal, ``v ~ Beta(m kappa, (1 - m) kappa)`` capped at
``voluntary_max``, with mean ``m(g) = far + (near - far) 2^(-g / half)`` (:func:`voluntary_mean`).
``g`` is the years from the snapshot to the first IO maturity for a dated household, and to the year
the main earner reaches ``voluntary_perpetual_age`` for a perpetual one (it has no maturity; that age
stands in for the event year, checklist F32).  Every IO/investment part of the household gets the
same ``v``: its current balance stays (so debt, the tree and the first study are untouched), its
original principal grows by ``current x v / (1 - v)``.  The repayment is taken as made before the
first snapshot the part appears in (the part's current balance is the same in every snapshot).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.synth.io_stock._common import IO_TYPES, SNAPSHOT, _year

VOLUNTARY_KEYS: tuple[str, ...] = (
    "voluntary_near",
    "voluntary_far",
    "voluntary_half_years",
    "voluntary_concentration",
    "voluntary_max",
    "voluntary_perpetual_age",
)
"""The ``[io_stock]`` keys of the rule; without ``voluntary_near`` the stage plants nothing."""


def voluntary_mean(years_to_go: np.ndarray, *, near: float, far: float, half_years: float) -> np.ndarray:
    """Mean repaid fraction ``far + (near - far) 2^(-g / half_years)`` for ``g`` years to go (``g`` < 0 -> 0).

    Parameters
    ----------
    years_to_go : ndarray of float
        Years from the snapshot to the first IO maturity (or the perpetual's stand-in year).
    near, far : float
        The mean fraction at 0 years to go and far away, in [0, 1).
    half_years : float
        Years over which the excess ``near - far`` halves (> 0).

    Returns
    -------
    numpy.ndarray
        The mean fraction per household.

    Examples
    --------
    >>> voluntary_mean(np.array([0.0, 4.0, -3.0]), near=0.3, far=0.1, half_years=4.0).round(3).tolist()
    [0.3, 0.2, 0.3]
    """
    g = np.maximum(np.asarray(years_to_go, dtype="float64"), 0.0)
    return float(far) + (float(near) - float(far)) * np.exp2(-g / float(half_years))


def _check(params: Mapping[str, Any]) -> dict[str, float]:
    p = {k: float(params[k]) for k in VOLUNTARY_KEYS}
    if not (0.0 <= p["voluntary_far"] < 1.0 and 0.0 <= p["voluntary_near"] < 1.0):
        raise ValueError(f"[io_stock] voluntary_near / voluntary_far must lie in [0, 1): {p}")
    if p["voluntary_half_years"] <= 0.0 or p["voluntary_concentration"] <= 0.0:
        raise ValueError(f"[io_stock] voluntary_half_years and voluntary_concentration must be > 0: {p}")
    if not 0.0 < p["voluntary_max"] < 1.0:
        raise ValueError(f"[io_stock] voluntary_max must lie in (0, 1): {p}")
    return p


def plan_voluntary(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    *,
    snap: pd.DataFrame,
    households: pd.DataFrame,
    birth_main: pd.Series,
) -> pd.Series:
    """New ``original_balance`` of the IO/investment parts of the end-2016 IO households.

    Parameters
    ----------
    rng : numpy.random.Generator
        Its own child of the ``io_stock`` stream (one Beta draw per household, in loan-id order).
    params : Mapping
        The ``[io_stock]`` block (:data:`VOLUNTARY_KEYS`).
    snap : pandas.DataFrame
        The end-2016 LLD rows (repayment types recoded, maturities planned).
    households : pandas.DataFrame
        ``loan_id``, ``kind`` (``"dated"``, ``"admin"``, ``"age"``) and ``first_maturity`` of the IO
        households (:func:`~cohorts.synth.io_stock.maturity.plan_maturities`).
    birth_main : pandas.Series
        Birth year of each household's main earner by loan id (after :func:`plan_ages`).

    Returns
    -------
    pandas.Series
        float64 original balances by ``loan_part_id`` (sorted), only for the parts whose original grows;
        empty without ``voluntary_near`` in ``params``.
    """
    empty = pd.Series(np.zeros(0), index=pd.Index(np.zeros(0, dtype="int64"), name=C.LOAN_PART_ID),
                      name=C.ORIGINAL_BALANCE, dtype="float64")
    if "voluntary_near" not in params:
        return empty
    p = _check(params)
    hh = households.sort_values(C.LOAN_ID, kind="stable")
    loans = hh[C.LOAN_ID].to_numpy().astype("int64")
    dated = hh["kind"].to_numpy() == "dated"
    first_year = np.where(dated, _year(hh["first_maturity"].to_numpy(dtype="datetime64[ns]")), 0)
    age = SNAPSHOT - birth_main.reindex(loans).to_numpy(dtype="float64")
    years_to_go = np.where(dated, first_year - SNAPSHOT, p["voluntary_perpetual_age"] - age)
    m = voluntary_mean(years_to_go, near=p["voluntary_near"], far=p["voluntary_far"],
                       half_years=p["voluntary_half_years"])
    m = np.clip(np.nan_to_num(m, nan=p["voluntary_far"]), 1e-9, 1.0 - 1e-9)
    kappa = p["voluntary_concentration"]
    v = np.minimum(rng.beta(m * kappa, (1.0 - m) * kappa), p["voluntary_max"])

    io = snap[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).to_numpy()
    parts = snap.loc[io, [C.LOAN_ID, C.LOAN_PART_ID, C.CURRENT_BALANCE, C.ORIGINAL_BALANCE]]
    pos = pd.Index(loans).get_indexer(parts[C.LOAN_ID].to_numpy())
    keep = pos >= 0
    cur = parts[C.CURRENT_BALANCE].to_numpy(dtype="float64")[keep]
    vp = v[pos[keep]]
    added = np.round(cur * vp / (1.0 - vp), 2)
    new = parts[C.ORIGINAL_BALANCE].to_numpy(dtype="float64")[keep] + added
    grows = added > 0
    out = pd.Series(new[grows], index=pd.Index(parts[C.LOAN_PART_ID].to_numpy()[keep][grows], name=C.LOAN_PART_ID),
                    name=C.ORIGINAL_BALANCE)
    return out.sort_index() if len(out) else empty
