"""What happens to a new-type loan after origination: arrears and exit, snapshot by snapshot.

:func:`simulate_follow_up` walks the snapshots (:data:`SNAPSHOTS`) from each
loan's first one, drawing arrears from its planted hazard (made stratified
within strata by :func:`_stratified`, so planted rates are met without
sampling noise) and exits at the year's exit rate.
"""

from __future__ import annotations

import numpy as np

from cohorts.columns import FIRST_SNAPSHOT, LAST_SNAPSHOT
from cohorts.synth.params import SynthParams

SNAPSHOTS = np.arange(FIRST_SNAPSHOT, LAST_SNAPSHOT + 1)

def simulate_follow_up(
    rng: np.random.Generator,
    *,
    first_seen: np.ndarray,
    orig_year: np.ndarray,
    hazard_first: np.ndarray,
    hazard: np.ndarray,
    params: SynthParams,
    exit_factor: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exits and arrears flags of new-type loans over the snapshots 2012..2018.

    A loan without earlier arrears gets a first arrears at snapshot t with
    probability ``hazard_first`` in its origination year and ``hazard`` later
    (stratified draws: within a stratum of equal hazards the number of first
    arrears is the planted rate up to rounding); after that the flag is seen again with ``repeat_prob`` per snapshot (it may
    disappear and come back).  Between snapshots a loan leaves the data with
    ``new_exit_rate`` by years since origination, times ``exit_factor``
    (plus ``exit_after_arrears`` after a flagged snapshot).

    Parameters
    ----------
    rng : numpy.random.Generator
        The ``follow_up`` stream.
    first_seen, orig_year : ndarray of int
        First snapshot and origination year per loan.
    hazard_first, hazard : ndarray of float
        Planted annual hazard of a first arrears in the origination year and later.
    params : SynthParams
        Generator parameters (``[arrears]``, ``[messiness]``).
    exit_factor : ndarray of float, optional
        Per-loan multiplier of ``new_exit_rate`` (default 1; high mortgages
        get ``[messiness] high_exit_factor``).

    Returns
    -------
    last_seen : ndarray of int16
        Last snapshot in which the loan is present.
    arrears_bits : ndarray of int16
        Bit ``t - 2012`` set when the loan is flagged at snapshot t.
    """
    n = len(first_seen)
    a, m = params.arrears, params.messiness
    last = np.full(n, LAST_SNAPSHOT, dtype=np.int16)
    had = np.zeros(n, dtype=bool)
    bits = np.zeros(n, dtype=np.int16)
    exit_rate = np.asarray(m["new_exit_rate"], dtype="float64")
    exit_mult = np.ones(n) if exit_factor is None else np.asarray(exit_factor, dtype="float64")
    # Loans with the same origination year and hazards form a stratum.
    stratum = np.unique(np.column_stack([orig_year, hazard_first, hazard]), axis=0, return_inverse=True)[1].ravel()
    for t in SNAPSHOTS:
        active = (first_seen <= t) & (t <= last)
        hz = np.where(orig_year == t, hazard_first, hazard)
        u_event, u_repeat, u_exit = rng.random(n), rng.random(n), rng.random(n)
        u_event = _stratified(rng, u_event, active & ~had, stratum)
        event = active & ~had & (u_event < hz)
        flag = event | (active & had & (u_repeat < a["repeat_prob"]))
        had |= event
        bits |= flag.astype(np.int16) << np.int16(t - FIRST_SNAPSHOT)
        if t < LAST_SNAPSHOT:
            since = np.clip(t - orig_year, 0, len(exit_rate) - 1)
            p_exit = exit_rate[since] * exit_mult + np.where(flag, a["exit_after_arrears"], 0.0)
            last = np.where(active & (u_exit < p_exit), t, last).astype(np.int16)
    return last, bits


def _stratified(rng: np.random.Generator, u: np.ndarray, mask: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    """``u`` with its values under ``mask`` made stratified within each stratum.

    In a stratum of m loans, the loans (in random order) get (i + u_i) / m,
    i = 0..m-1: still uniform per loan, but the number below any rate h is
    within one of h x m, so planted arrears rates are met without the sampling
    noise of independent draws (Figures 8/9 rest on the 2012 cohort alone).
    """
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return u
    s = stratum[idx]
    order = np.lexsort((rng.random(len(idx)), s))
    s_sorted = s[order]
    first = np.searchsorted(s_sorted, s_sorted, side="left")
    size = np.searchsorted(s_sorted, s_sorted, side="right") - first
    out = u.copy()
    out[idx[order]] = (np.arange(len(idx)) - first + u[idx[order]]) / size
    return out
