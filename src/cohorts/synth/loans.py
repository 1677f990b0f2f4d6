"""Mortgages: who gets one, how large, on what terms, and what happens to it.

Two populations are drawn.  *New-type* loans originate in 2012..2018 and carry
a planted household, LTI utilisation and arrears hazard; the analysable ones
meet the Tabel B3 counts exactly and the excluded kinds are drawn on top.
*Old* loans (oldest part before 2012) fill the linkable stock of Tabel B3 per
snapshot.  Loan parts are built in :mod:`cohorts.synth.parts`.

Layout: the terms of a loan are drawn by :mod:`cohorts.synth.terms`, its
follow-up by :mod:`cohorts.synth.follow_up`, the old loans by
:mod:`cohorts.synth.stock`; this module draws the new-type loans and
re-exports the others' public names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from cohorts.columns import COHORT_YEARS, LAST_SNAPSHOT
from cohorts.synth import kinds as K
from cohorts.synth.cells import cohort_index, solve_cells
from cohorts.synth.follow_up import SNAPSHOTS, simulate_follow_up
from cohorts.synth.households import draw_new_households
from cohorts.synth.norm import norm_maximum
from cohorts.synth.params import SynthParams
from cohorts.synth.stock import draw_old_loans, old_stock_presence, present_counts
from cohorts.synth.terms import (
    _expected_premium,
    _io_value_share,
    _ltv,
    _piecewise_quantile,
    draw_min_fixed,
    term_premium,
)

__all__ = [
    "HOUSEHOLD_COLUMNS", "SNAPSHOTS", "Counts", "draw_min_fixed", "draw_new_loans", "draw_old_loans",
    "old_stock_presence", "planted_counts", "present_counts", "simulate_follow_up", "term_premium",
]

HOUSEHOLD_COLUMNS = (
    "main_age", "birth_year", "has_partner", "partner_birth_year", "main_income", "partner_income",
    "main_zzp", "partner_zzp", "main_savings", "partner_savings", "main_securities", "partner_securities",
    "main_other_debts", "consumer_credit", "main_student_debt", "partner_student_debt", "main_growth",
    "partner_growth",
)


@dataclass(frozen=True)
class Counts:
    """Planted counts at a given scale (Tabel B3 x scale, rounded).

    Attributes
    ----------
    new, new_high, starters, starters_high : ndarray of int64
        Analysable new mortgages per cohort 2012..2017.
    stock : ndarray of int64
        Linkable single-mortgage stock per snapshot 2012..2017.
    """

    new: np.ndarray
    new_high: np.ndarray
    starters: np.ndarray
    starters_high: np.ndarray
    stock: np.ndarray


def planted_counts(params: SynthParams, *, scale: float) -> Counts:
    """Tabel B3 counts times ``scale``, rounded half to even (``numpy.round``).

    Parameters
    ----------
    params : SynthParams
        Generator parameters (the ``[population]`` block).
    scale : float
        Population scale, > 0.

    Returns
    -------
    Counts

    Raises
    ------
    ValueError
        If ``scale`` is not positive or the rounded counts are inconsistent
        (e.g. more high starters than starters).
    """
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, but was {scale}")
    pop = params.population
    get = {k: np.round(np.asarray(pop[k], dtype="float64") * scale).astype(np.int64)
           for k in ("new", "new_high", "starters", "starters_high", "stock")}
    c = Counts(**get)
    if np.any(c.starters_high > np.minimum(c.starters, c.new_high)) or np.any(c.new_high - c.starters_high > c.new - c.starters):
        raise ValueError(f"scale {scale} gives inconsistent Tabel B3 counts")
    return c


def _cells_exact(n: int, nh: int, s: int, sh: int) -> np.ndarray:
    """Cell codes with exactly the given counts (0 within, 1 high, 2 starter, 3 starter high)."""
    return np.repeat(np.array([0, 1, 2, 3], dtype=np.int8), [n - nh - s + sh, nh - sh, s - sh, sh])


def _cells_random(rng: np.random.Generator, size: int, n: int, nh: int, s: int, sh: int) -> np.ndarray:
    p = np.array([n - nh - s + sh, nh - sh, s - sh, sh], dtype="float64")
    return rng.choice(4, size=size, p=p / p.sum()).astype(np.int8)


def _draw_kinds(rng: np.random.Generator, params: SynthParams, counts: Counts, scale: float) -> pd.DataFrame:
    """Rows of new-type loans: origination year, first snapshot, kind, cell, pair."""
    m = params.messiness
    blocks: dict[str, list[np.ndarray]] = {"kind": [], "cell": [], "orig_year": [], "first_seen": [], "pair": []}

    def add(kind: str, cell: np.ndarray, orig: int, first: np.ndarray | int, pair: np.ndarray | None = None) -> None:
        k = len(cell)
        blocks["kind"].append(np.full(k, K.CODE[kind], dtype=np.int8))
        blocks["cell"].append(cell.astype(np.int8))
        blocks["orig_year"].append(np.full(k, orig, dtype=np.int16))
        blocks["first_seen"].append(np.broadcast_to(np.asarray(first, dtype=np.int16), (k,)).copy())
        blocks["pair"].append(np.full(k, -1, dtype=np.int64) if pair is None else pair)

    next_pair = 0
    for i, year in enumerate(COHORT_YEARS):
        n, nh, s, sh = (int(v[i]) for v in (counts.new, counts.new_high, counts.starters, counts.starters_high))
        add(K.ANALYSABLE, _cells_exact(n, nh, s, sh), year, year)
        for kind in K.SHARE_KINDS:
            if kind == K.ORIGINATION_YEAR_MISMATCH and year >= COHORT_YEARS[-1]:
                continue  # first reported in 2018 at the earliest: never linkable
            k = int(round(m[kind] * n))
            first: np.ndarray | int = year
            if kind == K.ORIGINATION_YEAR_MISMATCH:
                lag = 1 + (rng.random(k) < m["mismatch_lag2_share"]).astype(np.int16)
                first = np.minimum(year + lag, COHORT_YEARS[-1])
            add(kind, _cells_random(rng, k, n, nh, s, sh), year, first)
        k = int(round(m["multi_mortgage_pairs"] * n))
        pair = np.repeat(np.arange(next_pair, next_pair + k, dtype=np.int64), 2)
        add(K.MULTI_MORTGAGE, np.repeat(_cells_random(rng, k, n, nh, s, sh), 2), year, year, pair)
        next_pair += k
    k = int(round(m["cohort_2018"] * scale))
    last = (int(v[-1]) for v in (counts.new, counts.new_high, counts.starters, counts.starters_high))
    add(K.COHORT_2018, _cells_random(rng, k, *last), LAST_SNAPSHOT, LAST_SNAPSHOT)
    return pd.DataFrame({name: np.concatenate(parts) for name, parts in blocks.items()})



def draw_new_loans(
    rngs: dict[str, np.random.Generator],
    params: SynthParams,
    *,
    counts: Counts,
    scale: float,
) -> pd.DataFrame:
    """New-type loans (originations 2012..2018) with households and planted terms.

    Parameters
    ----------
    rngs : dict of str to numpy.random.Generator
        Block streams (see :mod:`cohorts.synth.streams`).
    params : SynthParams
        Generator parameters.
    counts : Counts
        Planted Tabel B3 counts at this scale.
    scale : float
        Population scale (1.0 = the report's population).

    Returns
    -------
    pandas.DataFrame
        One row per loan: ``kind, cell, orig_year, first_seen, pair``, the
        household columns of :func:`cohorts.synth.households.draw_new_households`,
        ``n_parts, io, io_share, fixed_min, rate, max_mortgage, lti_util,
        balance_first, ltv_first, house_value_first, nhg, owner_occupied,
        ltv_missing_first, hazard_first, hazard``.
    """
    rng = rngs["population"]
    frame = _draw_kinds(rng, params, counts, scale)
    n = len(frame)
    cell = frame["cell"].to_numpy()
    orig = frame["orig_year"].to_numpy()
    ci = cohort_index(orig)
    starter = cell >= 2
    high = (cell % 2) == 1
    pop = params.population

    hh = draw_new_households(rngs["households"], orig_year=orig, cell=cell, params=params)
    hh_cols = {c: hh[c].to_numpy(copy=True) for c in hh.columns}
    # The second loan of a multi-mortgage pair belongs to the same household.
    pair = frame["pair"].to_numpy()
    in_pair = np.flatnonzero(pair >= 0)
    first_of_pair, second_of_pair = in_pair[0::2], in_pair[1::2]
    for c in hh_cols:
        hh_cols[c][second_of_pair] = hh_cols[c][first_of_pair]
    # A household planted with a missing partner record has a partner.
    lone = (frame["kind"].to_numpy() == K.CODE[K.MISSING_CBS_PARTNER]) & ~hh_cols["has_partner"]
    hh_cols["has_partner"][lone] = True
    hh_cols["partner_income"][lone] = np.round(0.4 * hh_cols["main_income"][lone])

    rng = rngs["loans"]
    r = params.rates
    p_long = np.where(starter, np.asarray(r["fixed10_starters"])[ci], np.asarray(r["fixed10_new"])[ci])
    fixed_min = draw_min_fixed(rng, params, p_long)
    rate_cells = solve_cells(r["new"], r["new_high"], r["starters"], r["starters_high"], population=pop)
    rate = rate_cells[ci, cell] + term_premium(params, fixed_min) - _expected_premium(params, p_long)
    rate = np.round(np.maximum(rate + rng.normal(0.0, params.parts["loan_rate_sd"], n), 0.5), 2)

    n_parts = 1 + rng.choice(len(params.parts["n_parts_probs"]), size=n, p=np.asarray(params.parts["n_parts_probs"]))
    io_p = params.interest_only
    io_cells = solve_cells(io_p["new"], io_p["new_high"], io_p["starters"], io_p["starters_high"], population=pop,
                           lower=0.001, upper=0.999)
    io = rng.random(n) < io_cells[ci, cell]
    io_value = _io_value_share(rng, params, io)
    # The interest-only part pays io_rate_premium more than the other parts (parts.py), so the
    # mortgage pays it on the interest-only share of its balance (about io_value / mean LTV of the
    # cell); centred on the cell mean so that the means of Tabel B1 hold (TXT_io_rate_premium).
    ltv_mean = np.asarray(solve_cells(params.ltv["new"], params.ltv["new_high"], params.ltv["starters"],
                                      params.ltv["starters_high"], population=pop))[ci, cell]
    premium = params.parts["io_rate_premium"] * np.minimum(io_value * 100.0 / ltv_mean, 0.95)
    group = ci * 4 + cell
    premium_mean = np.bincount(group, weights=premium, minlength=24) / np.maximum(np.bincount(group, minlength=24), 1)
    rate = np.round(np.maximum(rate + premium - premium_mean[group], 0.5), 2)

    # Maximum mortgage by the generator's own row-by-row reading of the norm
    # (cohorts.synth.norm, written apart from the pipeline's engine so that the
    # round trip can see an error in either); households whose maximum is
    # implausibly small gain income until it is not (their debts are kept:
    # Tabel 3, B4 and B6 describe the high groups with their debts; only
    # after five raises are the debts dropped).
    todo = np.arange(n)
    max_mortgage = np.zeros(n)
    for attempt in range(8):
        m = norm_maximum(
            year=orig[todo],
            main_income=hh_cols["main_income"][todo],
            partner_income=hh_cols["partner_income"][todo],
            main_age=hh_cols["main_age"][todo],
            interest_rate=rate[todo],
            fixed_period_years=fixed_min[todo] // 12,
            savings=hh_cols["main_savings"][todo] + hh_cols["partner_savings"][todo],
            securities=hh_cols["main_securities"][todo] + hh_cols["partner_securities"][todo],
            consumer_credit=hh_cols["consumer_credit"][todo],
            student_debt=hh_cols["main_student_debt"][todo] + hh_cols["partner_student_debt"][todo],
        )
        max_mortgage[todo] = m
        todo = todo[m < params.utilisation["min_max_mortgage"]]
        if len(todo) == 0 or attempt == 7:
            break
        if attempt >= 5:  # a last resort for very large debts
            for c in ("consumer_credit", "main_other_debts", "main_student_debt", "partner_student_debt"):
                hh_cols[c][todo] = 0.0
        hh_cols["main_income"][todo] = np.round(hh_cols["main_income"][todo] * params.utilisation["income_bump"])
    # a pair's second loan must keep the first loan's household
    for c in hh_cols:
        hh_cols[c][second_of_pair] = hh_cols[c][first_of_pair]
    hh = pd.DataFrame(hh_cols)

    u = params.utilisation
    # Utilisation by inverse CDF of one uniform per loan.
    u_util = rng.random(n)
    util = np.where(
        high,
        np.where(
            starter,
            _piecewise_quantile(u_util, u["high_edges"], u["high_probs_starters"]),
            _piecewise_quantile(u_util, u["high_edges"], u["high_probs_others"]),
        ),
        np.where(
            starter,
            np.minimum(_piecewise_quantile(u_util, u["within_edges"], u["within_probs_starters"])
                       * np.asarray(u["within_scale_starters"])[ci], u["within_edges"][-1]),
            np.minimum(_piecewise_quantile(u_util, u["within_edges"], u["within_probs_others"])
                       * np.asarray(u["within_scale_others"])[ci], u["within_edges"][-1]),
        ),
    )
    util[second_of_pair] *= u["second_loan_factor"]
    balance = util * max_mortgage

    lp = params.ltv
    ltv_cells = solve_cells(lp["new"], lp["new_high"], lp["starters"], lp["starters_high"], population=pop)
    top_cells = solve_cells(lp["top_new"], lp["top_new_high"], lp["top_starters"], lp["top_starters_high"],
                            population=pop, lower=0.0, upper=0.95)
    limit = np.where(orig >= LAST_SNAPSHOT, 100.0, np.asarray(lp["limit"], dtype="float64")[ci])
    # The LTV rises with the loan's rank by size within its cohort and cell.
    rho = np.where(high, np.asarray(lp["size_correlation_high"], dtype="float64")[ci],
                   np.asarray(lp["size_correlation"], dtype="float64")[ci])
    by_group = pd.Series(balance).groupby([orig, cell])
    rank = by_group.rank(pct=True).to_numpy() - 0.5 / by_group.transform("size").to_numpy()
    z = rho * ndtri(np.clip(rank, 1e-9, 1 - 1e-9)) + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    ltv = _ltv(params, ltv_cells[ci, cell], top_cells[ci, cell], limit, ndtr(z))
    # The interest-only part is planted as a share of the house value (at most
    # 50%); an interest-only mortgage has at least two parts.
    io_share = np.where(io, np.minimum(io_value * 100.0 / ltv, 0.95), 0.0)
    n_parts = np.where(io & (n_parts == 1), 2, n_parts)
    nhg_p = params.nhg
    nhg_cells = solve_cells(nhg_p["new"], nhg_p["new_high"], nhg_p["starters"], nhg_p["starters_high"], population=pop,
                            lower=0.001, upper=0.999)
    nhg = rng.random(n) < nhg_cells[ci, cell]
    kind = frame["kind"].to_numpy()

    a = params.arrears
    factor = np.array([1.0, a["high_factor"], a["starter_factor"], a["starter_high_factor"]])[cell]
    # within the norm the hazard rises with utilisation (Figure 7, the threshold sweep)
    util_factor = np.where(high, 1.0, np.asarray(a["within_util_factor"])[
        np.searchsorted(np.asarray(a["within_util_edges"]), util, side="right")])
    # the origination year has its own cell factors (Tabel 5 is the first year; Figures 8/9 the later years)
    first_factor = np.asarray(a["first_year_cell_factor"], dtype="float64")[cell] * util_factor
    factor = factor * util_factor
    hazard_first = a["first_year"] * first_factor * np.asarray(a["cohort_first_factor"])[ci]
    hazard = a["later_years"] * factor

    out = pd.concat([frame, hh], axis=1)
    out["n_parts"] = n_parts.astype(np.int8)
    out["io"] = io
    out["io_share"] = io_share
    out["fixed_min"] = fixed_min
    out["rate"] = rate
    out["max_mortgage"] = max_mortgage
    out["lti_util"] = util
    out["balance_first"] = balance
    out["ltv_first"] = ltv
    out["nhg"] = nhg
    out["owner_occupied"] = kind != K.CODE[K.NOT_OWNER_OCCUPIED]
    out["ltv_missing_first"] = kind == K.CODE[K.HOUSE_VALUE_MISSING]
    out["hazard_first"] = hazard_first
    out["hazard"] = hazard
    out["exit_factor"] = np.where(high, params.messiness["high_exit_factor"], 1.0)
    return out

