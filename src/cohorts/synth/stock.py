"""Old loans (oldest part before 2012): the linkable stock of Tabel B3 per snapshot.

:func:`old_stock_presence` draws the first and last snapshot of the old loans
so that exactly the targeted number is present in each snapshot (exits at
random, entries make up the rest); :func:`draw_old_loans` gives them
households and terms; :func:`present_counts` counts the loans present per
snapshot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts.columns import COHORT_YEARS, FIRST_SNAPSHOT, LAST_SNAPSHOT
from cohorts.synth import kinds as K
from cohorts.synth.follow_up import SNAPSHOTS
from cohorts.synth.households import draw_stock_households
from cohorts.synth.params import SynthParams
from cohorts.synth.terms import _io_share, draw_min_fixed


def present_counts(first_seen: np.ndarray, last_seen: np.ndarray) -> np.ndarray:
    """Number of loans present per snapshot 2012..2018."""
    return np.array([int(np.sum((first_seen <= t) & (t <= last_seen))) for t in SNAPSHOTS], dtype=np.int64)


def old_stock_presence(
    rng: np.random.Generator,
    *,
    targets: np.ndarray,
    params: SynthParams,
) -> tuple[np.ndarray, np.ndarray]:
    """First and last snapshot of old loans so that exactly ``targets`` are present.

    Exits are drawn at random among the present loans at ``old_exit_rate``
    (more where the published stock falls), entries make up the rest (lenders
    joining the LLD report their existing loans).

    Parameters
    ----------
    rng : numpy.random.Generator
        The ``stock`` stream.
    targets : ndarray of int64
        Old loans to be present in each snapshot 2012..2017 (Tabel B3 stock minus
        the new-type loans of the stock).  No old loan enters in 2018.
    params : SynthParams
        Generator parameters (``[population]``).

    Returns
    -------
    first_seen, last_seen : ndarray of int16
    """
    pop = params.population
    exit_rate = np.asarray(pop["old_exit_rate"], dtype="float64")
    min_entry = np.asarray(pop["old_min_entry_share"], dtype="float64")
    firsts = [np.full(int(targets[0]), FIRST_SNAPSHOT, dtype=np.int16)]
    n_total = int(targets[0])
    present = np.arange(n_total)
    exits: dict[int, np.ndarray] = {}
    for j, t in enumerate(range(FIRST_SNAPSHOT + 1, LAST_SNAPSHOT + 1)):
        prev = len(present)
        if t <= COHORT_YEARS[-1]:
            target = int(targets[j + 1])
            n_exit = max(int(round(exit_rate[j] * prev)), prev - target + int(round(min_entry[j] * target)))
            n_exit = min(n_exit, prev)
            n_entry = target - prev + n_exit
        else:
            n_exit, n_entry = min(int(round(exit_rate[j] * prev)), prev), 0
        pick = rng.permutation(prev)[:n_exit]
        exits[t - 1] = present[pick]
        keep = np.ones(prev, dtype=bool)
        keep[pick] = False
        entering = np.arange(n_total, n_total + n_entry)
        present = np.concatenate([present[keep], entering])
        firsts.append(np.full(n_entry, t, dtype=np.int16))
        n_total += n_entry
    first_seen = np.concatenate(firsts)
    last_seen = np.full(n_total, LAST_SNAPSHOT, dtype=np.int16)
    for t, ids in exits.items():
        last_seen[ids] = t
    return first_seen, last_seen


def draw_old_loans(
    rngs: dict[str, np.random.Generator],
    params: SynthParams,
    *,
    targets: np.ndarray,
) -> pd.DataFrame:
    """Old loans (oldest part before 2012) of the linkable stock.

    Parameters
    ----------
    rngs : dict of str to numpy.random.Generator
        Block streams (``stock``, ``stock_households``).
    params : SynthParams
        Generator parameters.
    targets : ndarray of int64
        Old loans present per snapshot 2012..2017 (see :func:`old_stock_presence`).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`draw_new_loans` (kind ``pre_2012_stock``; planted
        utilisation and hazards missing) plus ``last_seen`` and ``arrears_bits``.
    """
    rng = rngs["stock"]
    first_seen, last_seen = old_stock_presence(rng, targets=targets, params=params)
    n = len(first_seen)
    sl = params.stock_loans
    oldest = np.floor(rng.triangular(sl["oldest_year_min"], sl["oldest_year_mode"], FIRST_SNAPSHOT, n)).astype(np.int16)
    oldest = np.minimum(oldest, FIRST_SNAPSHOT - 1).astype(np.int16)
    hh = draw_stock_households(rngs["stock_households"], oldest_year=oldest, params=params, first_seen=first_seen)
    fixed_min = draw_min_fixed(rng, params, np.full(n, sl["fixed10"]))
    n_parts = 1 + rng.choice(len(params.parts["n_parts_probs"]), size=n, p=np.asarray(params.parts["n_parts_probs"]))
    io = rng.random(n) < params.interest_only["stock"]
    io_share = _io_share(rng, params, io, n_parts)
    balance = rng.lognormal(np.log(sl["balance_median"]), sl["balance_sigma"], n)
    balance = balance * np.asarray(sl["balance_by_entry"], dtype="float64")[first_seen - FIRST_SNAPSHOT]
    top = params.ltv["stock_max"]
    mean_ltv = 100.0 * params.ltv["stock_mean"] / top
    k = params.ltv["stock_concentration"]
    ltv = np.maximum(top * rng.beta(mean_ltv * k, (1 - mean_ltv) * k, n), params.ltv["floor"])
    nhg = rng.random(n) < np.asarray(params.nhg["stock_by_entry"])[first_seen - FIRST_SNAPSHOT]
    share = np.asarray(params.arrears["stock_share"], dtype="float64")
    bits = np.zeros(n, dtype=np.int16)
    for t in SNAPSHOTS:
        flag = (first_seen <= t) & (t <= last_seen) & (rng.random(n) < share[t - FIRST_SNAPSHOT])
        bits |= flag.astype(np.int16) << np.int16(t - FIRST_SNAPSHOT)
    out = pd.DataFrame(
        {
            "kind": np.full(n, K.CODE[K.PRE_2012_STOCK], dtype=np.int8),
            "cell": np.zeros(n, dtype=np.int8),
            "orig_year": oldest,
            "first_seen": first_seen,
            "pair": np.full(n, -1, dtype=np.int64),
        }
    )
    out = pd.concat([out, hh], axis=1)
    out["n_parts"] = n_parts.astype(np.int8)
    out["io"] = io
    out["io_share"] = io_share
    out["fixed_min"] = fixed_min
    out["rate"] = np.nan
    out["max_mortgage"] = np.nan
    out["lti_util"] = np.nan
    out["balance_first"] = balance
    out["ltv_first"] = ltv
    out["nhg"] = nhg
    out["owner_occupied"] = True
    out["ltv_missing_first"] = False
    out["hazard_first"] = np.nan
    out["hazard"] = np.nan
    out["exit_factor"] = 1.0
    out["last_seen"] = last_seen
    out["arrears_bits"] = bits
    return out
