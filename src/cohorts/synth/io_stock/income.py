"""Stage 3 of the interest-only block: 2017 income by source, labour status, pension and AOW entitlements,
and (round 5) the low-registered-income group whose 2017 CBS income is cut.

See :mod:`cohorts.synth.io_stock` for the whole block.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from cohorts import columns as C
from cohorts.synth.io_stock._common import INCOME_YEAR, _lookup, power_weight


def income_pension(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    persons: pd.DataFrame,
    *,
    dti_rank: np.ndarray | None = None,
    income_factor: np.ndarray | None = None,
) -> pd.DataFrame:
    """Income by source, labour status, pension and AOW entitlements for 2017 (INPATAB, PAS, AOW-AANSPRAKEN).

    The sources add up exactly to the person's 2017 ``gross_income`` of the CBS persons file:
    employees have wages, self-employed own-business profit (the 2015-2017 mean of the real file is
    the 2017 value here, fn 56: assumption), employee-self-employed both, dga a dga wage, benefit
    recipients benefits, pensioners pension plus benefits (AOW), 'other' (income below
    ``other_income_max``) wages.  A negative gross income (entrepreneurs) is business profit.

    Parameters
    ----------
    rng : numpy.random.Generator
        Drawn from the ``io_stock`` stream.
    params : Mapping
        The ``[io_stock]`` block.
    persons : pandas.DataFrame
        One row per person: ``person_id``, ``birth_year``, ``gross_income`` (2017), ``zzp``.
    dti_rank : ndarray of float, optional
        Rank in [0, 1] of the person's household by end-2016 debt / 2017 income (1 = most
        stretched).  With ``replacement_dti_rho`` > 0 in ``params`` the replacement draw is coupled to
        it by a Gaussian copula (stretched households accrue less pension: fewer full careers,
        entrepreneurs); ``None`` or rho 0 = independent.  The same random draws either way.  With
        ``thin_pension_share`` q > 0 (round 4) a further uniform per person puts it, with chance
        q (k + 1) r^k (r the rank, k = ``thin_pension_dti_power``), in a thin-pension group whose
        replacement rate is multiplied by ``thin_pension_factor`` (chance q for everyone without a
        rank); without the key no extra draw.
    income_factor : ndarray of float, optional
        Per person, the factor :func:`plan_low_income` put on the 2017 gross income (1 = none): the
        pension entitlements are built on the income before it (the low 2017 income is a registration
        matter, not a career: seed fn 27).  ``None`` = 1 for everyone.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`cohorts.columns.INCOME_PENSION_COLUMNS`, one row per person, year 2017.
    """
    p = params
    n = len(persons)
    g = persons[C.GROSS_INCOME].to_numpy(dtype="float64")
    age = INCOME_YEAR - persons[C.BIRTH_YEAR].to_numpy().astype("int64")
    zzp = persons[C.ZZP].to_numpy().astype(bool)
    u_status, u_zzp, u_split, u_rr, u_active, u_frac, u_inactive, u_aow, u_aow_size = (rng.random(n) for _ in range(9))

    pens_age, early = int(p["pension_age"]), int(p["early_retirement_age"])
    pensioner = ((age >= pens_age) & (u_status < float(p["pensioner_share_old"]))) | (
        (age >= early) & (age < pens_age) & (u_status < float(p["pensioner_share_early"]))
    )
    negative = g < 0
    pensioner &= ~negative
    other = ~pensioner & ~negative & (g < float(p["other_income_max"]))
    working = ~pensioner & ~other & ~negative
    emp_self = working & zzp & (u_zzp < float(p["employee_self_employed_share_of_zzp"]))
    self_emp = (working & zzp & ~emp_self) | negative
    dga_cut = float(p["dga_share"])
    dga = working & ~zzp & (u_zzp < dga_cut)
    benefits_status = working & ~zzp & (u_zzp >= dga_cut) & (u_zzp < dga_cut + float(p["benefits_share"]))
    employee = working & ~zzp & ~dga & ~benefits_status

    status = np.full(n, "employee", dtype=object)
    for name, mask in (("self_employed", self_emp), ("employee_self_employed", emp_self), ("dga", dga),
                       ("benefits", benefits_status), ("pensioner", pensioner), ("other", other)):
        status[mask] = name

    zero = np.zeros(n)
    wage_share = float(p["wage_share_lo"]) + (float(p["wage_share_hi"]) - float(p["wage_share_lo"])) * u_split
    pens_share = float(p["pension_share_lo"]) + (float(p["pension_share_hi"]) - float(p["pension_share_lo"])) * u_split
    es_wage = np.round(g * wage_share)
    pens_part = np.round(g * pens_share)
    wages = np.where(employee | other, g, np.where(emp_self, es_wage, zero))
    profit = np.where(self_emp, g, np.where(emp_self, g - es_wage, zero))
    dga_wage = np.where(dga, g, zero)
    pension = np.where(pensioner, pens_part, zero)
    benefits = np.where(benefits_status, g, np.where(pensioner, g - pens_part, zero))

    labour = np.maximum(wages + profit + dga_wage, 0.0)
    rho = float(p.get("replacement_dti_rho", 0.0))
    if dti_rank is not None and rho != 0.0:
        # Gaussian copula: a high debt / income rank pulls the replacement draw down
        eps = 1e-6
        z_d = ndtri(np.clip(1.0 - np.asarray(dti_rank, dtype="float64"), eps, 1 - eps))
        z_u = ndtri(np.clip(u_rr, eps, 1 - eps))
        u_rr = ndtr(rho * z_d + np.sqrt(1.0 - rho * rho) * z_u)
    rr = float(p["replacement_lo"]) + (float(p["replacement_hi"]) - float(p["replacement_lo"])) * u_rr
    # cohort gradient of the attainable pension (older cohorts: fuller careers, more generous schemes)
    rr = rr + float(p.get("replacement_age_slope", 0.0)) * (age - float(p.get("replacement_ref_age", 50)))
    rr = np.clip(rr, float(p.get("replacement_min", 0.0)), float(p.get("replacement_max", 1.0)))
    q = float(p.get("thin_pension_share", 0.0))
    if q > 0.0:
        # round 4: a thin-pension group (broken careers, no or small schemes), concentrated on the most
        # stretched households: chance q (k + 1) r^k, r = dti_rank (q for everyone without a rank)
        u_thin = rng.random(n)
        k = float(p.get("thin_pension_dti_power", 0.0))
        chance = np.full(n, q) if dti_rank is None else q * power_weight(dti_rank, k)
        thin = u_thin < np.clip(chance, 0.0, 1.0)
        rr = np.where(thin, rr * float(p["thin_pension_factor"]), rr)
    to_career = 1.0 if income_factor is None else 1.0 / np.asarray(income_factor, dtype="float64")
    full = rr * labour * to_career
    frac = float(p["inactive_fraction_max"]) * u_frac
    active_emp = employee & (u_active < float(p["active_share_employee"]))
    active_es = emp_self & (u_active < float(p["active_share_employee_self_employed"]))
    active_pens = pensioner & (u_active < float(p["active_share_pensioner"]))
    att_active = np.where(active_emp, full * (1 - frac), zero)
    att_active = np.where(active_es, rr * wages * to_career * (1 - frac), att_active)
    att_active = np.where(active_pens, rr * np.maximum(g, 0) * to_career * frac, att_active)
    att_inactive = np.where(active_emp, full * frac, zero)
    att_inactive = np.where(active_es, rr * wages * to_career * frac, att_inactive)
    att_inactive = np.where(employee & ~active_emp, full * frac, att_inactive)
    others = (self_emp | dga | benefits_status | other | (emp_self & ~active_es)) & (
        u_inactive < float(p["inactive_share_non_employee"])
    )
    base = rr * np.maximum(np.maximum(labour, g), 0.0) * to_career
    att_inactive = np.where(others, base * float(p["inactive_size_max"]) * u_frac, att_inactive)
    start, end = float(p["career_start_age"]), float(p["pension_age_pas"])
    accrual = np.clip((age - start) / (end - start), 0.0, 1.0)
    accrued = np.where(pensioner, att_active + att_inactive, (att_active + att_inactive) * accrual)

    partial = u_aow < float(p["aow_partial_share"])
    lo = float(p["aow_partial_lo"])
    aow = np.where(partial, np.floor((lo + (1 - lo) * u_aow_size) * 50) / 50, 1.0)

    return pd.DataFrame(
        {
            C.PERSON_ID: persons[C.PERSON_ID].to_numpy().astype("int64"),
            C.YEAR: np.full(n, INCOME_YEAR, dtype=np.int16),
            C.WAGES: wages,
            C.BUSINESS_PROFIT: profit,
            C.DGA_WAGE: dga_wage,
            C.PENSION_INCOME: pension,
            C.BENEFITS: benefits,
            C.LABOUR_STATUS: status,
            C.PENSION_ATTAINABLE_ACTIVE: np.round(att_active),
            C.PENSION_ATTAINABLE_INACTIVE: np.round(att_inactive),
            C.PENSION_ACCRUED: np.round(accrued),
            C.AOW_SHARE: aow,
        }
    )




def plan_low_income(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    *,
    households: pd.DataFrame,
    debt_to_income: pd.Series,
    eligible: np.ndarray,
) -> pd.Series:
    """Round 5: a low-registered-income group, a factor on the 2017 gross income of each of its households.

    The study flags 15% + 5% of the step-6 failures failing on income for a current (2017) income
    below the social-assistance level (seed lines 1370-1380, footnote 27: self-employed income,
    unobserved pensions and AOW gaps).  Without such a group the twin flags 0.2%.  A dated household
    (``kind == "dated"``) among the ``eligible`` loans (pre-2012 stock, persons on no other loan:
    outside the first study's cohorts) is in the group with chance q (k + 1) r^k (q = ``low_income_share``, k =
    ``low_income_dti_power``, r its rank by end-2016 debt / planted income among the dated
    households, 1 = most stretched; the chances average q); its factor is uniform in
    [``low_income_factor_lo``, ``low_income_factor_hi``].  Without ``low_income_share`` (or 0) no
    draw is made and the result is empty.

    Parameters
    ----------
    rng : numpy.random.Generator
        Its own child of the ``io_stock`` stream.
    params : Mapping
        The ``[io_stock]`` block.
    households : pandas.DataFrame
        ``loan_id`` and ``kind`` of the end-2016 IO households (:func:`plan_maturities`).
    debt_to_income : pandas.Series
        End-2016 debt / planted household income by loan id (NaN = no income: rank 0.5).
    eligible : ndarray of int
        Loan ids that may be drawn.

    Returns
    -------
    pandas.Series
        float factors by loan id (sorted) of the households in the group.
    """
    q = float(params.get("low_income_share", 0.0))
    dated = households.loc[households["kind"].to_numpy() == "dated", C.LOAN_ID].to_numpy().astype("int64")
    dated = np.sort(dated[np.isin(dated, np.asarray(eligible, dtype="int64"))])
    if q <= 0.0 or len(dated) == 0:
        return pd.Series(np.zeros(0), index=pd.Index(np.zeros(0, dtype="int64"), name=C.LOAN_ID), dtype="float64")
    d = debt_to_income.reindex(dated).to_numpy(dtype="float64")
    r = pd.Series(d).rank(method="average").to_numpy()
    r = np.where(np.isfinite(d), (r - 1.0) / max(np.isfinite(d).sum() - 1, 1), 0.5)
    k = float(params.get("low_income_dti_power", 0.0))
    u_in, u_factor = rng.random(len(dated)), rng.random(len(dated))
    inside = u_in < np.clip(q * power_weight(r, k), 0.0, 1.0)
    lo, hi = float(params["low_income_factor_lo"]), float(params["low_income_factor_hi"])
    factor = lo + (hi - lo) * u_factor[inside]
    return pd.Series(factor, index=pd.Index(dated[inside], name=C.LOAN_ID), name="income_factor")


def apply_income_factors(frames: Iterable[pd.DataFrame], factors: pd.Series, *, year: int) -> Iterator[pd.DataFrame]:
    """Multiply ``gross_income`` of the ``year`` records of the persons in ``factors`` (whole euros).

    Parameters
    ----------
    frames : iterable of pandas.DataFrame
        CBS persons pieces (:func:`cohorts.synth.panel.cbs_chunks`).
    factors : pandas.Series
        Factor by person id (sorted index).
    year : int
        The only year changed.

    Yields
    ------
    pandas.DataFrame
        The same frames, every other cell untouched.
    """
    keys = factors.index.to_numpy()
    values = factors.to_numpy(dtype="float64")
    for frame in frames:
        if len(keys) and len(frame):
            pos, hit = _lookup(keys, frame[C.PERSON_ID].to_numpy())
            hit &= frame[C.YEAR].to_numpy() == year
            if hit.any():
                col = frame[C.GROSS_INCOME].to_numpy(dtype="float64").copy()
                col[hit] = np.round(col[hit] * values[pos[hit]])
                frame[C.GROSS_INCOME] = col
        yield frame
