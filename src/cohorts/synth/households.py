"""Household finances (CBS side) of the synthetic mortgages.

Values are drawn for the *base year* of a household: the year t+1 after the
mortgage is first observed (income of t+1, positions on 1 January t+1), as the
report links them (Bijlage 2).  :mod:`cohorts.synth.panel` turns them into one
CBS record per person per year.  All euro amounts are whole euros.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from cohorts.columns import FIRST_SNAPSHOT
from cohorts.synth.cells import cohort_index, solve_cells, solve_cells_high_factor
from cohorts.synth.params import SynthParams


def _lognormal_mean(rng: np.random.Generator, mean: np.ndarray, sigma: float) -> np.ndarray:
    """Lognormal draws with the given (arithmetic) mean."""
    mu = np.log(np.maximum(mean, 1.0)) - 0.5 * sigma**2
    return rng.lognormal(mu, sigma)


def _uncapped_mean(capped_mean: np.ndarray, sigma: float, cap: float) -> np.ndarray:
    """Mean of a lognormal whose mean after capping at ``cap`` is ``capped_mean``.

    E[min(X, c)] = m Phi((ln c - mu - s^2) / s) + c (1 - Phi((ln c - mu) / s)),
    mu = ln m - s^2 / 2; solved for m by a fixed number of multiplicative steps.
    """
    target = np.minimum(np.asarray(capped_mean, dtype="float64"), 0.95 * cap)
    m = target.copy()
    for _ in range(30):
        mu = np.log(m) - 0.5 * sigma**2
        capped = m * ndtr((np.log(cap) - mu - sigma**2) / sigma) + cap * (1.0 - ndtr((np.log(cap) - mu) / sigma))
        m = m * target / capped
    return m


def _debt_score(debts: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Normal score of each household's debts among the households with debts of its group.

    ``Phi^-1((rank - 1/2) / m)`` with rank 1..m by amount (ties in row order) among the
    ``m`` households of the same ``group`` with ``debts > 0``; 0 for households without
    debts.  Deterministic: a function of the amounts and the row order only.
    """
    n = len(debts)
    score = np.zeros(n)
    holders = np.flatnonzero(debts > 0)
    if len(holders) == 0:
        return score
    g = np.asarray(group, dtype="int64")[holders]
    order = holders[np.lexsort((debts[holders], g))]  # by group, then amount; stable on row order
    g_sorted = np.asarray(group, dtype="int64")[order]
    starts = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    rank = np.arange(len(order)) - np.repeat(starts, sizes)  # 0-based rank within the group
    score[order] = ndtri((rank + 0.5) / np.repeat(sizes, sizes))
    return score


def _split_assets(
    rng: np.random.Generator,
    assets: np.ndarray,
    has_partner: np.ndarray,
    *,
    securities_share: float,
    securities_fraction: float,
    partner_share: float,
) -> dict[str, np.ndarray]:
    """Split household financial assets into savings / securities of main and partner."""
    n = len(assets)
    holds = rng.random(n) < securities_share
    sec = np.where(holds, assets * securities_fraction * rng.uniform(0.5, 1.5, n), 0.0)
    sec = np.minimum(sec, assets)
    sav = assets - sec
    p_share = np.where(has_partner, partner_share * rng.uniform(0.5, 1.5, n), 0.0)
    return {
        "main_savings": np.round(sav * (1 - p_share)),
        "partner_savings": np.round(sav * p_share),
        "main_securities": np.round(sec * (1 - p_share)),
        "partner_securities": np.round(sec * p_share),
    }


def draw_new_households(
    rng: np.random.Generator,
    *,
    orig_year: np.ndarray,
    cell: np.ndarray,
    params: SynthParams,
) -> pd.DataFrame:
    """Households of new mortgages, one row per loan.

    Parameters
    ----------
    rng : numpy.random.Generator
        The ``households`` stream.
    orig_year : ndarray of int
        Origination year (2012..2018; 2018 uses the 2017 parameters).
    cell : ndarray of int8
        Cell code (see :mod:`cohorts.synth.cells`): starter x high.
    params : SynthParams
        Generator parameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``main_age, birth_year, has_partner, partner_birth_year,
        main_income, partner_income, main_zzp, partner_zzp, main_savings,
        partner_savings, main_securities, partner_securities, main_other_debts,
        consumer_credit, main_student_debt, partner_student_debt, main_growth,
        partner_growth``; incomes and positions refer to the base year
        ``orig_year + 1``.
    """
    pop = params.population
    n = len(cell)
    ci = cohort_index(orig_year)
    starter = cell >= 2
    high = (cell % 2) == 1
    age_p, inc_p = params.age, params.income

    # Age at origination: starters <= 35, others 36+.
    young = np.floor(rng.triangular(age_p["starter_min"], age_p["starter_mode"], 36, n))
    old = age_p["nonstarter_min"] + np.floor(rng.exponential(age_p["nonstarter_mean_excess"], n))
    main_age = np.where(starter, np.minimum(young, 35), np.minimum(old, age_p["nonstarter_max"])).astype(np.int16)
    birth_year = (orig_year - main_age).astype(np.int16)

    p_partner = np.where(high, inc_p["partner_high"], inc_p["partner_within"])
    has_partner = rng.random(n) < p_partner
    partner_birth_year = (birth_year + np.round(rng.normal(1.5, 3.0, n))).astype(np.int16)

    # Household income (Figure 4), split over main earner and partner.
    means = solve_cells_high_factor(
        inc_p["new"], inc_p["starters"], population=pop,
        high_factor=inc_p["high_factor"] * np.asarray(inc_p["high_cohort_others"], dtype="float64"),
        starter_high_factor=inc_p["high_factor"] * np.asarray(inc_p["high_cohort_starters"], dtype="float64"),
    )
    mean = means[ci, cell]
    k = 1.0 / (p_partner + inc_p["single_factor"] * (1 - p_partner))
    hh = _lognormal_mean(rng, mean, inc_p["sigma"]) * k * np.where(has_partner, 1.0, inc_p["single_factor"])
    hh = np.maximum(hh, inc_p["floor"])
    share = np.where(has_partner, rng.uniform(inc_p["main_share_low"], inc_p["main_share_high"], n), 1.0)
    main_income = np.round(hh * share)
    partner_income = np.where(has_partner, np.round(hh - main_income), 0.0)

    # Self-employment (Tabel 4).
    z = params.zzp
    zzp_cells = solve_cells(z["new"], z["new_high"], z["starters"], z["starters_high"], population=pop, lower=0.001, upper=0.999)
    main_zzp = rng.random(n) < zzp_cells[ci, cell]
    partner_zzp = has_partner & (rng.random(n) < z["partner"])

    # Consumer credit (Tabel 3 shares, Tabel B4 means among holders) and other debts above the cap.
    cc = params.consumer_credit
    ck_share = solve_cells(
        cc["share_new"], cc["share_new_high"], cc["share_starters"], cc["share_starters_high"],
        population=pop, lower=0.001, upper=0.999,
    )[ci, cell]
    # Tabel B4 means are among holders: the cells are weighted by holder counts.
    holders = {g: np.asarray(pop[g], dtype="float64") * np.asarray(cc[f"share_{g}"], dtype="float64")
               for g in ("new", "new_high", "starters", "starters_high")}
    ck_mean = solve_cells(
        cc["mean_new"], cc["mean_new_high"], cc["mean_starters"], cc["mean_starters_high"],
        population=holders, lower=500.0,
    )[ci, cell]
    has_ck = rng.random(n) < ck_share
    ck_amount = np.clip(np.round(_lognormal_mean(rng, _uncapped_mean(ck_mean, cc["sigma"], cc["cap"]), cc["sigma"])),
                        100, cc["cap"])
    above = ~has_ck & (rng.random(n) < cc["above_cap_share"] / (1 - ck_share))
    above_amount = np.round(rng.uniform(cc["cap"] + 1, cc["above_cap_max"], n))
    consumer_credit = np.where(has_ck, ck_amount, 0.0)
    main_other_debts = np.where(has_ck, ck_amount, np.where(above, above_amount, 0.0))

    # Student debt (Tabel B6).
    sd = params.student_debt
    sd_share = solve_cells(
        sd["share_new"], sd["share_new_high"], sd["share_starters"], sd["share_starters_high"],
        population=pop, lower=0.001, upper=0.999,
    )[ci, cell]
    has_sd = rng.random(n) < sd_share
    sd_amount = np.round(_lognormal_mean(rng, np.full(n, sd["mean"], dtype="float64"), sd["sigma"]))
    by_partner = has_partner & (rng.random(n) < sd["partner_share"])
    main_sd = np.where(has_sd & ~by_partner, sd_amount, 0.0)
    partner_sd = np.where(has_sd & by_partner, sd_amount, 0.0)

    # Financial assets so that net wealth has about the published median (Tabel B5).
    w = params.wealth
    med = np.array([w["new"], w["new_high"], w["starters"], w["starters_high"]], dtype="float64").T  # (6, 4)
    med = med * np.asarray(w["cell_factor"], dtype="float64") * np.asarray(w["cohort_factor"], dtype="float64").T
    debts_typical = ck_share * ck_mean + sd_share * sd["mean"]
    asset_median = med[ci, cell] + w["debts_factor"] * debts_typical
    # Households who borrow also hold savings: among households with debts, the log assets
    # are correlated (normal copula, [wealth] debts_correlation) with the size of their debts,
    # ranked within the origination year and cell.  Each cell keeps its lognormal distribution
    # of assets; only the large debts no longer meet the smallest assets as often (negative
    # net wealth, TXT_negative_wealth_share).  With debts_correlation = 0 the draws are those
    # of rng.lognormal(log(asset_median), sigma).
    debts = main_other_debts + main_sd + partner_sd
    z = rng.standard_normal(n)
    rho = float(w["debts_correlation"])
    if rho != 0.0:
        score = _debt_score(debts, np.asarray(orig_year, dtype="int64") * 4 + cell)
        z = np.where(debts > 0, rho * score + np.sqrt(1.0 - rho**2) * z, z)
    assets = np.exp(np.log(asset_median) + w["sigma"] * z)
    parts = _split_assets(
        rng, assets, has_partner,
        securities_share=w["securities_share"], securities_fraction=w["securities_fraction"],
        partner_share=w["partner_asset_share"],
    )

    growth_mean = np.where(starter, inc_p["growth_starters"], inc_p["growth_others"])
    return pd.DataFrame(
        {
            "main_age": main_age,
            "birth_year": birth_year,
            "has_partner": has_partner,
            "partner_birth_year": partner_birth_year,
            "main_income": main_income,
            "partner_income": partner_income,
            "main_zzp": main_zzp,
            "partner_zzp": partner_zzp,
            **parts,
            "main_other_debts": main_other_debts,
            "consumer_credit": consumer_credit,
            "main_student_debt": main_sd,
            "partner_student_debt": partner_sd,
            "main_growth": growth_mean,
            "partner_growth": growth_mean,
        }
    )


def draw_stock_households(
    rng: np.random.Generator,
    *,
    oldest_year: np.ndarray,
    params: SynthParams,
    first_seen: np.ndarray | None = None,
) -> pd.DataFrame:
    """Households of old (pre-2012) stock loans, one row per loan.

    ``first_seen`` (the loan's first snapshot, default 2012) selects the
    wealth level ``[wealth] stock_by_entry`` of the households whose lender
    joined the LLD that year.

    Same columns as :func:`draw_new_households`; ``main_age`` is the age in
    the oldest part's origination year.  Levels are plausible rather than
    published (the report gives medians of the stock only for wealth, Tabel B5).
    """
    n = len(oldest_year)
    sl, inc_p, w, cc, sd, z = (
        params.stock_loans, params.income, params.wealth, params.consumer_credit, params.student_debt, params.zzp,
    )
    main_age = np.clip(np.round(rng.normal(sl["main_age_at_origination_mean"], 6.0, n)), 20, 60).astype(np.int16)
    birth_year = (oldest_year - main_age).astype(np.int16)
    has_partner = rng.random(n) < sl["partner_share"]
    partner_birth_year = (birth_year + np.round(rng.normal(1.5, 3.0, n))).astype(np.int16)
    hh = rng.lognormal(np.log(inc_p["stock_median"]), inc_p["stock_sigma"], n)
    hh = hh * np.where(has_partner, inc_p["stock_couple_factor"], inc_p["stock_single_factor"])
    hh = np.maximum(hh, inc_p["floor"])
    share = np.where(has_partner, rng.uniform(inc_p["main_share_low"], inc_p["main_share_high"], n), 1.0)
    main_income = np.round(hh * share)
    partner_income = np.where(has_partner, np.round(hh - main_income), 0.0)
    main_zzp = rng.random(n) < z["stock"]
    partner_zzp = has_partner & (rng.random(n) < z["partner"])
    has_ck = rng.random(n) < cc["stock_share"]
    ck = np.clip(np.round(_lognormal_mean(rng, np.full(n, float(cc["stock_mean"])), cc["sigma"])), 100, cc["cap"])
    above = ~has_ck & (rng.random(n) < cc["above_cap_share"])
    main_other_debts = np.where(has_ck, ck, np.where(above, np.round(rng.uniform(cc["cap"] + 1, cc["above_cap_max"], n)), 0.0))
    has_sd = rng.random(n) < sd["stock_share"]
    sd_amount = np.round(_lognormal_mean(rng, np.full(n, float(sd["mean"])), sd["sigma"]))
    entry = np.zeros(n, dtype="int64") if first_seen is None else np.asarray(first_seen, dtype="int64") - FIRST_SNAPSHOT
    entry_factor = np.asarray(w["stock_by_entry"], dtype="float64")[entry]
    assets = rng.lognormal(np.log(entry_factor * (w["stock"] + w["debts_factor"] * cc["stock_share"] * cc["stock_mean"])),
                           w["sigma"], n)
    parts = _split_assets(
        rng, assets, has_partner,
        securities_share=w["securities_share"], securities_fraction=w["securities_fraction"],
        partner_share=w["partner_asset_share"],
    )
    growth = np.full(n, inc_p["growth_others"])
    return pd.DataFrame(
        {
            "main_age": main_age,
            "birth_year": birth_year,
            "has_partner": has_partner,
            "partner_birth_year": partner_birth_year,
            "main_income": main_income,
            "partner_income": partner_income,
            "main_zzp": main_zzp,
            "partner_zzp": partner_zzp,
            **parts,
            "main_other_debts": main_other_debts,
            "consumer_credit": np.where(has_ck, ck, 0.0),
            "main_student_debt": np.where(has_sd, sd_amount, 0.0),
            "partner_student_debt": np.zeros(n),
            "main_growth": growth,
            "partner_growth": growth,
        }
    )
