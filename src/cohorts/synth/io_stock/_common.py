"""Shared constants and date helpers of the interest-only block (:mod:`cohorts.synth.io_stock`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts import columns as C

IO_TYPES: tuple[str, ...] = (C.INTEREST_ONLY, "investment")
"""Repayment types that are "non-guaranteed" (checklist A1): interest-only and investment-linked."""

SNAPSHOT = 2016
"""The study's LLD snapshot (31 December 2016)."""

INCOME_YEAR = 2017
"""The year of the CBS income and of the 1-January stocks of the two new files."""


def _days(dates: pd.Series | np.ndarray) -> np.ndarray:
    """datetime64 -> int64 days since 1970 (NaT -> minimum int64)."""
    return np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]").astype("int64")


def _year(dates: np.ndarray) -> np.ndarray:
    return np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[Y]").astype("int64") + 1970


def _month_index(dates: np.ndarray) -> np.ndarray:
    """Months since January 1970 of each date."""
    return np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[M]").astype("int64")


def _date(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[ns] of (year, month, day); ``day`` must be valid in every month (<= 28)."""
    m = (np.asarray(year, dtype="int64") - 1970) * 12 + np.asarray(month, dtype="int64") - 1
    return (m.astype("datetime64[M]").astype("datetime64[D]") + (np.asarray(day, dtype="int64") - 1)).astype(
        "datetime64[ns]"
    )



def perpetual_weight(first_origination_days: np.ndarray, *, tilt: float) -> np.ndarray:
    """Relative chance of a household to be perpetual by the age of its mortgage.

    ``1 + tilt x (1 - 2 r)`` with ``r`` in [0, 1] the rank of the first IO part's origination
    date (0 = oldest); the weights average 1, so the shares of the ``[io_stock]`` block hold.

    Parameters
    ----------
    first_origination_days : ndarray of int64
        Origination date of each household's earliest IO part (days since 1970).
    tilt : float
        0 = no tilt (every household alike), up to 1.

    Returns
    -------
    numpy.ndarray
        Weight per household.
    """
    n = len(first_origination_days)
    if n < 2 or tilt == 0.0:
        return np.ones(n)
    r = (pd.Series(first_origination_days).rank(method="average").to_numpy() - 1.0) / (n - 1)
    return 1.0 + float(tilt) * (1.0 - 2.0 * r)


def _solve_share(u: np.ndarray, weight: np.ndarray, target: float) -> float:
    """q such that the count of ``u < q x weight`` is about ``target`` (bisection, q in [0, 1/min w])."""
    if len(u) == 0 or target <= 0:
        return 0.0
    lo, hi = 0.0, 1.0 / max(float(weight.min()), 1e-9)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if np.count_nonzero(u < mid * weight) < target:
            lo = mid
        else:
            hi = mid
    return hi



def power_weight(rank: np.ndarray, power: float | np.ndarray) -> np.ndarray:
    """(k + 1) r^k for a rank r in [0, 1] (1 = most stretched): mean 1 over uniform ranks, concentrated
    on the top ranks for large k (the low-WOZ tail, the thin-pension and the low-income groups)."""
    k = np.asarray(power, dtype="float64")
    return (k + 1.0) * np.asarray(rank, dtype="float64") ** k


def _lookup(keys: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``ids`` in the sorted ``keys`` and whether each is there (``keys`` non-empty)."""
    pos = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
    return pos, keys[pos] == ids
