"""Stage 2 of the interest-only block: maturity dates, recoded repayment types, debt at maturity.

See :mod:`cohorts.synth.io_stock` for the whole block.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.synth.io_stock._common import (
    IO_TYPES,
    SNAPSHOT,
    _date,
    _days,
    _month_index,
    _solve_share,
    _year,
    perpetual_weight,
)

_ANNUITY, _LINEAR, _SAVINGS, _LIFE, _OTHER = "annuity", "linear", "savings", "life", "other"


def plan_maturities(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    *,
    snap: pd.DataFrame,
    births: pd.DataFrame,
    debt_to_income: pd.Series | None = None,
    kinds: np.ndarray | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Plant one maturity date per IO/investment part of the end-2016 IO households.

    Parameters
    ----------
    rng : numpy.random.Generator
        The ``io_stock`` stream (a fixed number of draws per household and per part).
    params : Mapping
        The ``[io_stock]`` block.
    snap : pandas.DataFrame
        The end-2016 LLD rows (:data:`cohorts.columns.LLD_COLUMNS`), maturity = origination + term.
    births : pandas.DataFrame
        :func:`household_births` of the loans of ``snap``.
    debt_to_income : pandas.Series, optional
        End-2016 debt / 2017 household gross income by loan id: with ``perpetual_dti_tilt`` the
        perpetuals lean to the low ratios (:func:`perpetual_weight`); ``None`` = no such tilt.
        The perpetuals also lean to the older originations (``perpetual_origination_tilt``).
    kinds : ndarray of str, optional
        The households' kinds (``"admin"``, ``"age"``, ``"dated"``, in loan-id order) from an earlier
        call: kept as given (the dates are re-planned with new ``births``; the draws are the same).

    Returns
    -------
    maturity : pandas.Series
        New maturity (datetime64[ns], NaT for administrative perpetuals) by ``loan_part_id``.
    households : pandas.DataFrame
        One row per IO household (sorted by loan id): ``loan_id``, ``kind`` (``"admin"``,
        ``"age"``, ``"dated"``), ``first_maturity`` (NaT for perpetuals).
    """
    io = snap[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).to_numpy()
    parts = snap.loc[io, [C.LOAN_ID, C.LOAN_PART_ID, C.ORIGINATION_DATE, C.MATURITY_DATE]].sort_values(
        [C.LOAN_ID, C.LOAN_PART_ID], kind="stable"
    )
    loan = parts[C.LOAN_ID].to_numpy()
    hh, inv = np.unique(loan, return_inverse=True)
    n, m = len(hh), len(parts)
    natural = parts[C.MATURITY_DATE].to_numpy(dtype="datetime64[ns]")
    orig = parts[C.ORIGINATION_DATE].to_numpy(dtype="datetime64[ns]")
    first_nat = np.full(n, np.iinfo("int64").max)
    np.minimum.at(first_nat, inv, _days(natural))
    first_nat_year = _year(first_nat.astype("datetime64[D]"))
    b = births.set_index(C.LOAN_ID).reindex(hh)
    older = b["birth_older"].to_numpy().astype("int64")
    younger = b["birth_younger"].to_numpy().astype("int64")
    life = int(params["life_expectancy"])
    latest_dated = older + life - 1

    # draws: a fixed number per household and per part, whatever the outcome
    u_kind = rng.random(n)
    u_extra = rng.random(n)
    u_matured = rng.random(n)
    u_matured_day = rng.random(n)
    extra_years = rng.integers(0, int(params["age_perpetual_extra_years_max"]) + 1, size=m)

    # perpetuals lean to the older originations (weight 1 + tilt x (1 - 2 x rank), mean 1)
    first_orig = np.full(n, np.iinfo("int64").max)
    np.minimum.at(first_orig, inv, _days(orig))
    weight = perpetual_weight(first_orig, tilt=float(params.get("perpetual_origination_tilt", 0.0)))
    if debt_to_income is not None:
        dti = debt_to_income.reindex(hh).to_numpy(dtype="float64")
        dti = np.where(np.isfinite(dti), dti, np.nanmedian(dti) if np.isfinite(dti).any() else 0.0)
        weight = weight + perpetual_weight(dti, tilt=float(params.get("perpetual_dti_tilt", 0.0))) - 1.0
    weight = np.maximum(weight, 0.05)
    admin = u_kind < float(params["admin_perpetual_share"]) * weight
    forced = ~admin & (first_nat_year > latest_dated)
    free = ~admin & ~forced
    rest = float(params["perpetual_share"]) * n - admin.sum() - forced.sum()
    q = _solve_share(u_extra[free], weight[free], rest)
    age = forced | (free & (u_extra < q * weight))
    if kinds is not None:
        kinds = np.asarray(kinds)
        admin, age = kinds == "admin", kinds == "age"
    dated = ~admin & ~age

    new = natural.copy()
    new[admin[inv]] = np.datetime64("NaT")
    rows = age[inv]
    year = younger[inv] + life + int(params["age_perpetual_min_years_after"]) + extra_years
    omonth = _month_index(orig) % 12 + 1
    oday = np.minimum(orig.astype("datetime64[D]").astype("int64") - orig.astype("datetime64[M]").astype("datetime64[D]").astype("int64") + 1, 28)
    new[rows] = _date(year, omonth, oday)[rows]

    # dated households: a share has its first IO part mature in 2016-2019 (fn 28)
    y0, y1 = int(params["matured_first_year"]), int(params["matured_last_year"])
    lo = np.datetime64(f"{y0}-01-01", "D").astype("int64")
    hi = np.datetime64(f"{y1}-12-31", "D").astype("int64")
    first_part = np.r_[0, np.flatnonzero(np.diff(inv)) + 1]  # the parts are grouped by household
    # the earliest part of each household (ties: lowest part id)
    order = np.lexsort((parts[C.LOAN_PART_ID].to_numpy(), _days(natural), inv))
    earliest = order[first_part]
    start = np.maximum(lo, _days(orig[earliest]) + 1)  # strictly after origination
    day = start + np.floor(u_matured_day * np.maximum(hi - start + 1, 1)).astype("int64")
    matured = dated & (u_matured < float(params["matured_2016_2019_share"])) & (start <= hi)
    matured &= _year(day.astype("datetime64[D]")) <= latest_dated
    new[earliest[matured]] = day[matured].astype("datetime64[D]").astype("datetime64[ns]")

    first = np.full(n, np.iinfo("int64").max)
    ok = ~np.isnat(new)
    np.minimum.at(first, inv[ok], _days(new[ok]))
    first_date = np.where(dated, first, np.iinfo("int64").min).astype("datetime64[D]").astype("datetime64[ns]")
    first_date[~dated] = np.datetime64("NaT")
    kind = np.where(admin, "admin", np.where(age, "age", "dated"))
    maturity = pd.Series(new, index=pd.Index(parts[C.LOAN_PART_ID].to_numpy(), name=C.LOAN_PART_ID), name=C.MATURITY_DATE)
    return maturity.sort_index(), pd.DataFrame({C.LOAN_ID: hh, "kind": kind, "first_maturity": first_date})



def plan_fully_io(
    rng: np.random.Generator, params: Mapping[str, Any], *, snap: pd.DataFrame, debt_to_income: pd.Series | None = None
) -> pd.Series:
    """Make a share of the mixed pre-2012 IO mortgages fully interest-only (Figuur 1: about half).

    Among the end-2016 mortgages with at least one IO/investment part whose every part originated
    before ``fully_io_before_year`` (2012: the first study's cohorts are 2012-2017, so none of its
    loans change), some mixed ones get every non-IO part recoded ``interest_only`` (in every
    snapshot; the balances are not touched: the amortisation already made reads as voluntary
    repayment, Figuur 2).  The number is chosen so that ``fully_io_share`` of the IO households are
    fully IO (fewer if not enough are eligible); the chance leans to the recent originations with
    ``fully_io_origination_tilt`` (:func:`perpetual_weight` of the origination date, reversed).

    Parameters
    ----------
    rng : numpy.random.Generator
        Its own stream (one draw per eligible mortgage).
    params : Mapping
        The ``[io_stock]`` block; without ``fully_io_share`` nothing changes.
    snap : pandas.DataFrame
        The end-2016 LLD rows.
    debt_to_income : pandas.Series, optional
        By loan id; with ``fully_io_dti_tilt`` the low ratios lean to fully IO.

    Returns
    -------
    pandas.Series
        ``"interest_only"`` by ``loan_part_id`` of the recoded parts (sorted; empty if none).
    """
    empty = pd.Series([], index=pd.Index([], name=C.LOAN_PART_ID, dtype="int64"), name=C.REPAYMENT_TYPE, dtype=object)
    if "fully_io_share" not in params or len(snap) == 0:
        return empty
    rep = snap[C.REPAYMENT_TYPE].astype(str).to_numpy()
    io = np.isin(rep, IO_TYPES)
    lid = snap[C.LOAN_ID].to_numpy()
    frame = pd.DataFrame({"loan": lid, "io": io, "orig": _days(snap[C.ORIGINATION_DATE].to_numpy())})
    g = frame.groupby("loan", sort=True)
    any_io, all_io, last_orig = g["io"].any(), g["io"].all(), g["orig"].max()
    cut = np.datetime64(f"{int(params['fully_io_before_year'])}-01-01", "D").astype("int64")
    eligible = (any_io & ~all_io & (last_orig < cut)).to_numpy()
    u = rng.random(int(eligible.sum()))
    target = float(params["fully_io_share"]) * float(any_io.sum()) - float(all_io.sum())
    w = perpetual_weight(last_orig.to_numpy()[eligible], tilt=-float(params.get("fully_io_origination_tilt", 0.0)))
    if debt_to_income is not None:
        d = debt_to_income.reindex(any_io.index.to_numpy()[eligible]).to_numpy(dtype="float64")
        d = np.where(np.isfinite(d), d, np.nanmedian(d) if np.isfinite(d).any() else 0.0)
        w = w + perpetual_weight(d, tilt=float(params.get("fully_io_dti_tilt", 0.0))) - 1.0
    w = np.maximum(w, 0.0)
    q = _solve_share(u, w, target) if target > 0 else 0.0
    chosen = np.zeros(len(any_io), dtype=bool)
    chosen[np.flatnonzero(eligible)] = u < q * w
    loans = any_io.index.to_numpy()[chosen]
    parts = snap.loc[np.isin(lid, loans) & ~io, C.LOAN_PART_ID].to_numpy()
    if len(parts) == 0:
        return empty
    ids = np.unique(parts.astype("int64"))
    return pd.Series(np.full(len(ids), C.INTEREST_ONLY, dtype=object), index=pd.Index(ids, name=C.LOAN_PART_ID),
                     name=C.REPAYMENT_TYPE)


def _replace_by_part(frame: pd.DataFrame, column: str, values: pd.Series) -> None:
    """Replace ``frame[column]`` where ``loan_part_id`` is in the (sorted) index of ``values``."""
    keys = values.index.to_numpy()
    if not len(keys) or not len(frame):
        return
    ids = frame[C.LOAN_PART_ID].to_numpy()
    pos = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
    hit = keys[pos] == ids
    if hit.any():
        col = frame[column]
        if isinstance(col.dtype, pd.CategoricalDtype):
            new = col.astype(object).to_numpy().copy()
            new[hit] = values.to_numpy()[pos[hit]]
            frame[column] = pd.Categorical(new, categories=col.cat.categories, ordered=col.cat.ordered)
        else:
            new = col.to_numpy().copy()
            new[hit] = values.to_numpy()[pos[hit]]
            frame[column] = new


def apply_maturities(
    frames: Iterable[pd.DataFrame], maturity: pd.Series, *, repayment_type: pd.Series | None = None,
    original_balance: pd.Series | None = None,
) -> Iterator[pd.DataFrame]:
    """Replace ``maturity_date`` of the planned parts in LLD frames (and the recoded types and grown originals).

    Parameters
    ----------
    frames : iterable of pandas.DataFrame
        LLD pieces (:func:`cohorts.synth.panel.lld_snapshots`).
    maturity : pandas.Series
        :attr:`IoStock.maturity` (sorted by ``loan_part_id``).
    repayment_type : pandas.Series, optional
        :attr:`IoStock.repayment_type`: recoded repayment types (pre-2012 loans only), applied first.
    original_balance : pandas.Series, optional
        :attr:`IoStock.original_balance`: the IO parts' original principals grown by the voluntary
        repayment (:func:`~cohorts.synth.io_stock.repayment.plan_voluntary`).

    Yields
    ------
    pandas.DataFrame
        The same frames, ``maturity_date`` (and ``repayment_type`` / ``original_balance`` where given)
        replaced where the part is planned, in every snapshot; every other column untouched.
    """
    keys = maturity.index.to_numpy()
    values = maturity.to_numpy(dtype="datetime64[ns]")
    for frame in frames:
        if repayment_type is not None:
            _replace_by_part(frame, C.REPAYMENT_TYPE, repayment_type)
        if original_balance is not None:
            _replace_by_part(frame, C.ORIGINAL_BALANCE, original_balance)
        if len(keys) and len(frame):
            ids = frame[C.LOAN_PART_ID].to_numpy()
            pos = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
            hit = keys[pos] == ids
            if hit.any():
                mat = frame[C.MATURITY_DATE].to_numpy(dtype="datetime64[ns]").copy()
                mat[hit] = values[pos[hit]]
                frame[C.MATURITY_DATE] = mat
        yield frame


def debt_at_maturity(parts: pd.DataFrame, refi_date: pd.Series) -> pd.Series:
    """Planted debt at the refinancing date from the checklist B7 rules (independent of the engine).

    Month granularity, from 31 December 2016: ``k`` = whole months to the refinancing date
    (0 if it is in 2016 or earlier), ``n`` = months to the part's own maturity.

    * interest-only / investment: the balance (no linked capital, fn 54);
    * annuity: ``B * ((1+i)^n - (1+i)^k) / ((1+i)^n - 1)``, ``i`` = the part's rate / 1200;
    * linear and other: ``B * (1 - k / n)``;
    * savings and life: ``max(0, B - capital)``, the pledged capital growing as a savings annuity
      from origination to ``B`` at the part's maturity: ``B * ((1+i)^a - 1) / ((1+i)^N - 1)`` with
      ``a`` months from origination to the refinancing date, ``N`` to maturity (A17: the study gives
      no projection; this is the twin's assumption);
    * a guaranteed part that matures by the refinancing date: 0.

    Parameters
    ----------
    parts : pandas.DataFrame
        End-2016 LLD rows (with the planned maturities).
    refi_date : pandas.Series
        Refinancing date (datetime64) indexed by loan id; loans not in it are left out.

    Returns
    -------
    pandas.Series
        Debt at the refinancing date by loan id (float, euro).
    """
    p = parts.loc[parts[C.LOAN_ID].isin(refi_date.index)]
    rep = p[C.REPAYMENT_TYPE].astype(str).to_numpy()
    bal = p[C.CURRENT_BALANCE].to_numpy(dtype="float64")
    i = p[C.INTEREST_RATE].to_numpy(dtype="float64") / 1200.0
    end16 = SNAPSHOT * 12 + 11 - 1970 * 12  # months index of December 2016
    t = refi_date.reindex(p[C.LOAN_ID].to_numpy()).to_numpy(dtype="datetime64[ns]")
    k = np.maximum(_month_index(t) - end16, 0).astype("float64")
    mat = p[C.MATURITY_DATE].to_numpy(dtype="datetime64[ns]")
    has_mat = ~np.isnat(mat)
    n = np.where(has_mat, _month_index(mat) - end16, 10**6).astype("float64")
    a = (_month_index(t) - _month_index(p[C.ORIGINATION_DATE].to_numpy(dtype="datetime64[ns]"))).astype("float64")
    big_n = np.where(has_mat, _month_index(mat) - _month_index(p[C.ORIGINATION_DATE].to_numpy(dtype="datetime64[ns]")), 10**6)
    big_n = np.maximum(big_n, 1).astype("float64")
    out = bal.copy()
    done = k >= n
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ann = rep == _ANNUITY
        g_n, g_k = np.power(1 + i, n), np.power(1 + i, k)
        out_ann = np.where(i > 0, bal * (g_n - g_k) / (g_n - 1), bal * (1 - k / n))
        out[ann] = out_ann[ann]
        lin = np.isin(rep, (_LINEAR, _OTHER))
        out[lin] = (bal * (1 - k / n))[lin]
        sav = np.isin(rep, (_SAVINGS, _LIFE))
        cap = np.where(i > 0, bal * (np.power(1 + i, a) - 1) / (np.power(1 + i, big_n) - 1), bal * a / big_n)
        out[sav] = np.maximum(0.0, bal - cap)[sav]
    guaranteed = ~np.isin(rep, IO_TYPES)
    out[guaranteed & done] = 0.0
    out = np.clip(out, 0.0, None)
    s = pd.Series(out, index=p[C.LOAN_ID].to_numpy()).groupby(level=0).sum()
    return s.reindex(refi_date.index).fillna(0.0)




def couple_maturities(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    *,
    snap: pd.DataFrame,
    debt_to_income: pd.Series,
) -> pd.Series:
    """Re-assign the contractual IO maturities among the IO households so the late ones carry more debt.

    The panel's terms do not depend on the debt: a mortgage maturing in 2020 is as stretched as one
    maturing in 2040, so the study's forced sales fall mostly before 2030.  In the real stock the
    late maturities are the 2005-2011 originations at peak prices and income multiples (84% of the
    households that cannot refinance mature in 2030 or later, IO_TXT_forced_sale_ge10y_share).  Each
    IO household gets the earliest-maturity year of another one by a Gaussian copula: its score is
    ``rho x z(rank of debt / income) + sqrt(1 - rho^2) x N(0, 1)``, the households sorted by score get
    the first-maturity years sorted; every IO part of a household moves by the same number of years,
    never to less than ``coupled_min_term_years`` after its origination (the year distribution,
    Figuur 4, stays that of the contracts up to these floors).  One normal per household.

    Parameters
    ----------
    rng : numpy.random.Generator
        Its own stream.
    params : Mapping
        The ``[io_stock]`` block; without ``maturity_dti_rho`` nothing changes.
    snap : pandas.DataFrame
        The end-2016 LLD rows (maturity = origination + term).
    debt_to_income : pandas.Series
        By loan id (NaN = median).

    Returns
    -------
    pandas.Series
        New maturity (datetime64[ns]) by ``loan_part_id`` of the IO/investment parts (sorted).
    """
    io = snap[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).to_numpy()
    parts = snap.loc[io, [C.LOAN_ID, C.LOAN_PART_ID, C.ORIGINATION_DATE, C.MATURITY_DATE]]
    parts = parts.sort_values([C.LOAN_ID, C.LOAN_PART_ID], kind="stable")
    keys = pd.Index(parts[C.LOAN_PART_ID].to_numpy(), name=C.LOAN_PART_ID)
    natural = parts[C.MATURITY_DATE].to_numpy(dtype="datetime64[ns]")
    hh, inv = np.unique(parts[C.LOAN_ID].to_numpy(), return_inverse=True)
    z = rng.standard_normal(len(hh))
    if "maturity_dti_rho" not in params or len(hh) < 2:
        return pd.Series(natural, index=keys, name=C.MATURITY_DATE).sort_index()
    rho = float(params["maturity_dti_rho"])
    first = np.full(len(hh), np.iinfo("int64").max)
    np.minimum.at(first, inv, _days(natural))
    first_year = _year(first.astype("datetime64[D]"))
    first_orig = np.full(len(hh), np.iinfo("int64").max)
    np.minimum.at(first_orig, inv, _days(parts[C.ORIGINATION_DATE].to_numpy()))
    d = debt_to_income.reindex(hh).to_numpy(dtype="float64")
    d = np.where(np.isfinite(d), d, np.nanmedian(d) if np.isfinite(d).any() else 0.0)
    r = (pd.Series(d).rank(method="first").to_numpy() - 0.5) / len(d)
    score = rho * _probit(r) + np.sqrt(max(1.0 - rho * rho, 0.0)) * z
    new_year = np.empty(len(hh), dtype="int64")
    new_year[np.argsort(score, kind="stable")] = np.sort(peaked_years(rng, params, first_year))
    floor = _year(first_orig.astype("datetime64[D]")) + int(params.get("coupled_min_term_years", 0))
    new_year = np.maximum(new_year, floor)
    delta = (new_year - first_year)[inv]
    out = _shift_years(natural, delta)
    return pd.Series(out, index=keys, name=C.MATURITY_DATE).sort_index()


def peaked_years(rng: np.random.Generator, params: Mapping[str, Any], years: np.ndarray) -> np.ndarray:
    """The contractual first-maturity years with a share replaced by draws around the peak year.

    The contracts of the panel spread the dated maturities over 2020-2055 (the terms of
    ``[parts]``); the study's stock is more peaked: 42% of its expirations fall in the five
    years 2034-2038 and a further 10% in the years beside them (the crisis trough and the
    house values not above end 2016, seed 3365-3372, ``IO_TXT_crisis_trough_expiry_share``,
    ``IO_TXT_crisis_no_rise_share``), the originations of 2004-2008 and their refinancings.
    A year is replaced with chance ``maturity_peak_share`` by ``round(maturity_peak_year +
    maturity_peak_sd x N(0, 1))`` (half to even; the centre may be fractional).  The years are
    then assigned by the copula of
    :func:`couple_maturities`, so only the marginal changes.  Without ``maturity_peak_share`` the
    years are returned unchanged and nothing is drawn; with it, two draws per household (a uniform,
    then a normal), whatever the outcome.

    Examples
    --------
    >>> years = np.array([2020, 2030, 2040, 2050])
    >>> peaked_years(np.random.default_rng(0), {}, years).tolist()
    [2020, 2030, 2040, 2050]
    >>> p = {"maturity_peak_share": 1.0, "maturity_peak_year": 2036, "maturity_peak_sd": 0.0}
    >>> peaked_years(np.random.default_rng(0), p, years).tolist()
    [2036, 2036, 2036, 2036]
    """
    years = np.asarray(years, dtype="int64")
    if "maturity_peak_share" not in params:
        return years
    u = rng.random(len(years))
    g = rng.standard_normal(len(years))
    peak = np.rint(float(params["maturity_peak_year"]) + float(params["maturity_peak_sd"]) * g).astype("int64")
    return np.where(u < float(params["maturity_peak_share"]), peak, years)


def _probit(p: np.ndarray) -> np.ndarray:
    """Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9), vectorised."""
    p = np.asarray(p, dtype="float64")
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155922557e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)
    dd = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    lo, hi = 0.02425, 1 - 0.02425
    out = np.empty_like(p)
    m = (p >= lo) & (p <= hi)
    q = p[m] - 0.5
    r = q * q
    out[m] = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (
        ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    for sel, sign in ((p < lo, 1.0), (p > hi, -1.0)):
        t = np.sqrt(-2 * np.log(np.where(sign > 0, p[sel], 1 - p[sel])))
        out[sel] = sign * (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / (
            (((dd[0] * t + dd[1]) * t + dd[2]) * t + dd[3]) * t + 1)
    return out


def _shift_years(dates: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``dates`` moved by whole ``years`` (day of month capped at 28; NaT stays NaT)."""
    dates = np.asarray(dates, dtype="datetime64[ns]")
    nat = np.isnat(dates)
    safe = np.where(nat, np.datetime64("2000-01-01", "ns"), dates)
    m = _month_index(safe)
    day = safe.astype("datetime64[D]").astype("int64") - m.astype("datetime64[M]").astype("datetime64[D]").astype("int64") + 1
    out = _date(m // 12 + 1970 + np.asarray(years, dtype="int64"), m % 12 + 1, np.minimum(day, 28))
    out[nat | (np.asarray(years) == 0)] = dates[nat | (np.asarray(years) == 0)]
    return out
