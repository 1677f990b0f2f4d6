"""The interest-only (IO) study's cross-section in the synthetic twin.

The AFM study on interest-only mortgages (``cohorts.studies.interest_only``; specification
``shared/targets/io_refinancing/README.md``, "README" below) takes the households with at least
one interest-only or investment loan part at the end-2016 LLD snapshot and needs, beyond the
first study's inputs, the maturity date of every IO part (with the lender's perpetual coding),
the 2017 income by source, pension and AOW entitlements and labour status, wealth beyond
savings and the WOZ value (README section 2).  This module plants them, with its own random
stream (block ``io_stock`` of :mod:`cohorts.synth.streams`), so every other column of every
existing file stays byte-identical (except ``repayment_type`` of the parts recoded by
:func:`plan_fully_io`, all of pre-2012 loans, outside the first study's 2012-2017 cohorts):

* :func:`plan_fully_io` - makes a share of the mixed pre-2012 IO mortgages fully interest-only
  (Figuur 1: about half of the IO households), leaning to low debt / income.

* :func:`plan_maturities` - one maturity date per IO/investment part of the end-2016 IO
  households (consistent over snapshots: keyed by ``loan_part_id``).  Three planted kinds of
  household (checklist B5-B6):

  - **administrative perpetual**: every IO/investment part has no maturity date (``NaT``: the
    twin's coding of the lender's "geadministreerde perpetuals", seed lines 2757-2763).  A real
    extract that codes them as a far-future date is mapped by ``perpetual_from`` in the column
    mapping's ``[lld]`` section (:mod:`cohorts.mapping`);
  - **de-facto perpetual**: every IO/investment part matures in a year after the calendar year in
    which the *younger* of main earner and partner turns ``life_expectancy`` (85), so the flag is
    the same whichever of the two the study picks as main earner (A4) and under either reading of
    the boundary year (A13);
  Which households are perpetual leans to old originations and low debt / income
  (:func:`perpetual_weight`; the shares stay those of ``[io_stock]``).

  - **dated**: the contractual maturity (origination + term) is kept; the first-maturing year
    then peaks around 2035 (Figuur 4); a few households get their first IO part maturing in
    2016-2019 (fn 28).  A dated household's first IO year is at most the year before the
    *older* person's 85th-birthday year; households whose contractual maturity is later are
    made de-facto perpetuals.

* :func:`debt_at_maturity` - the planted debt at T from the checklist B7 rules, written here
  independently of the engine (annuity at the part's own rate and maturity, linear, savings/life
  with a pledged capital that grows as a savings annuity to the balance at the part's maturity,
  IO/investment unchanged, matured guaranteed parts 0).
* :func:`income_pension` and :func:`wealth_dwelling` - the two CBS files for 2017
  (:data:`cohorts.columns.INCOME_PENSION_COLUMNS`, :data:`cohorts.columns.WEALTH_DWELLING_COLUMNS`)
  for every person of the end-2016 stock with a 2017 CBS record.
* the WOZ value: the LLD-implied value x lognormal noise, with a low-WOZ tail leaning to high
  debt / income (:func:`woz_low_factor`; A33 and the report's LTV > 200% measurement sign).
* :func:`build_io_stock` - all of the above from a world and its 2017 CBS records;
  :func:`apply_maturities` puts the planned dates (and recoded repayment types) into the LLD frames
  as they are written.

Every parameter is in the ``[io_stock]`` block of ``params.toml`` with its source; the calibration
against the study's tree is in ``docs/io_calibration.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cohorts import columns as C

IO_TYPES: tuple[str, ...] = (C.INTEREST_ONLY, "investment")
"""Repayment types that are "non-guaranteed" (checklist A1): interest-only and investment-linked."""

SNAPSHOT = 2016
"""The study's LLD snapshot (31 December 2016)."""

INCOME_YEAR = 2017
"""The year of the CBS income and of the 1-January stocks of the two new files."""

TRUTH_IO_COLUMNS: tuple[str, ...] = (
    C.LOAN_ID,
    "planted_refi_year",
    "planted_first_maturity",
    "planted_perpetual_admin",
    "planted_perpetual_age",
    "planted_fully_io",
    "planted_debt_now",
    "planted_debt_at_refi",
    "planted_woz_value",
)
"""Columns of ``truth_io.parquet`` (one row per end-2016 IO household, by loan id)."""

_ANNUITY, _LINEAR, _SAVINGS, _LIFE, _OTHER = "annuity", "linear", "savings", "life", "other"


@dataclass(frozen=True)
class IoStock:
    """What :func:`build_io_stock` plants.

    Attributes
    ----------
    maturity : pandas.Series
        New ``maturity_date`` (datetime64[ns], ``NaT`` = administrative perpetual) indexed by
        ``loan_part_id``, sorted, for the IO/investment parts of the end-2016 IO households.
    truth : pandas.DataFrame
        Columns :data:`TRUTH_IO_COLUMNS`, sorted by loan id.
    income_pension : pandas.DataFrame
        Columns :data:`cohorts.columns.INCOME_PENSION_COLUMNS`, sorted by person id.
    wealth_dwelling : pandas.DataFrame
        Columns :data:`cohorts.columns.WEALTH_DWELLING_COLUMNS`, sorted by person id.
    repayment_type : pandas.Series, optional
        New ``repayment_type`` (``"interest_only"``) by ``loan_part_id`` of the non-IO parts of the
        mixed pre-2012 IO mortgages made fully interest-only (:func:`plan_fully_io`), sorted.
    """

    maturity: pd.Series
    truth: pd.DataFrame
    income_pension: pd.DataFrame
    wealth_dwelling: pd.DataFrame
    repayment_type: pd.Series | None = None


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


def household_births(world: Any, loan_ids: np.ndarray) -> pd.DataFrame:
    """Birth years of the main person (key-table person) and partner of each loan.

    Parameters
    ----------
    world : cohorts.synth.generator.World
        The generated world (its ``loans`` with ``loan_id``/``main_pid`` and ``persons``).
    loan_ids : ndarray of int64
        Loans asked for.

    Returns
    -------
    pandas.DataFrame
        ``loan_id``, ``birth_older`` and ``birth_younger`` (equal without a partner); loans
        without a person get the birth year of the loan's planted household (``birth_year``
        column of the loans), so every loan has a value.
    """
    loans = world.loans
    per = world.persons
    pos = pd.Index(loans["loan_id"].to_numpy()).get_indexer(loan_ids)
    main = loans["main_pid"].to_numpy()[pos]
    main_birth = loans["birth_year"].to_numpy()[pos].astype("int64")
    pid = pd.Index(per["person_id"].to_numpy())
    prow = pid.get_indexer(main)
    partner = np.where(prow >= 0, per["partner_id"].to_numpy()[np.maximum(prow, 0)], -1)
    qrow = pid.get_indexer(partner)
    by_main = np.where(prow >= 0, per["birth_year"].to_numpy()[np.maximum(prow, 0)], main_birth).astype("int64")
    by_partner = np.where(qrow >= 0, per["birth_year"].to_numpy()[np.maximum(qrow, 0)], by_main).astype("int64")
    return pd.DataFrame(
        {C.LOAN_ID: loan_ids, "birth_older": np.minimum(by_main, by_partner), "birth_younger": np.maximum(by_main, by_partner)}
    )


def plan_maturities(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    *,
    snap: pd.DataFrame,
    births: pd.DataFrame,
    debt_to_income: pd.Series | None = None,
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
    frames: Iterable[pd.DataFrame], maturity: pd.Series, *, repayment_type: pd.Series | None = None
) -> Iterator[pd.DataFrame]:
    """Replace ``maturity_date`` of the planned parts in LLD frames; every other column untouched.

    Parameters
    ----------
    frames : iterable of pandas.DataFrame
        LLD pieces (:func:`cohorts.synth.panel.lld_snapshots`).
    maturity : pandas.Series
        :attr:`IoStock.maturity` (sorted by ``loan_part_id``).
    repayment_type : pandas.Series, optional
        :attr:`IoStock.repayment_type`: recoded repayment types (pre-2012 loans only), applied first.

    Yields
    ------
    pandas.DataFrame
        The same frames, ``maturity_date`` replaced where the part is planned (in every snapshot).
    """
    keys = maturity.index.to_numpy()
    values = maturity.to_numpy(dtype="datetime64[ns]")
    for frame in frames:
        if repayment_type is not None:
            _replace_by_part(frame, C.REPAYMENT_TYPE, repayment_type)
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


def _lognormal(rng: np.random.Generator, n: int, median: float, sigma: float) -> np.ndarray:
    return float(median) * np.exp(float(sigma) * rng.standard_normal(n))


def income_pension(rng: np.random.Generator, params: Mapping[str, Any], persons: pd.DataFrame) -> pd.DataFrame:
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
    rr = float(p["replacement_lo"]) + (float(p["replacement_hi"]) - float(p["replacement_lo"])) * u_rr
    # cohort gradient of the attainable pension (older cohorts: fuller careers, more generous schemes)
    rr = rr + float(p.get("replacement_age_slope", 0.0)) * (age - float(p.get("replacement_ref_age", 50)))
    rr = np.clip(rr, float(p.get("replacement_min", 0.0)), float(p.get("replacement_max", 1.0)))
    full = rr * labour
    frac = float(p["inactive_fraction_max"]) * u_frac
    active_emp = employee & (u_active < float(p["active_share_employee"]))
    active_es = emp_self & (u_active < float(p["active_share_employee_self_employed"]))
    active_pens = pensioner & (u_active < float(p["active_share_pensioner"]))
    att_active = np.where(active_emp, full * (1 - frac), zero)
    att_active = np.where(active_es, rr * wages * (1 - frac), att_active)
    att_active = np.where(active_pens, rr * np.maximum(g, 0) * frac, att_active)
    att_inactive = np.where(active_emp, full * frac, zero)
    att_inactive = np.where(active_es, rr * wages * frac, att_inactive)
    att_inactive = np.where(employee & ~active_emp, full * frac, att_inactive)
    others = (self_emp | dga | benefits_status | other | (emp_self & ~active_es)) & (
        u_inactive < float(p["inactive_share_non_employee"])
    )
    base = rr * np.maximum(np.maximum(labour, g), 0.0)
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


def wealth_dwelling(
    rng: np.random.Generator, params: Mapping[str, Any], persons: pd.DataFrame, *, status: np.ndarray, woz: np.ndarray
) -> pd.DataFrame:
    """Cash, other real estate, business assets (1 January 2017) and the dwelling's WOZ value.

    Parameters
    ----------
    rng : numpy.random.Generator
        Drawn from the ``io_stock`` stream.
    params : Mapping
        The ``[io_stock]`` block.
    persons : pandas.DataFrame
        ``person_id`` per row.
    status : ndarray of str
        Each person's labour status (:func:`income_pension`): business assets go mostly to
        entrepreneurs.
    woz : ndarray of float
        The household's WOZ value for each person (the same for main and partner).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`cohorts.columns.WEALTH_DWELLING_COLUMNS`, one row per person, year 2017.
    """
    p = params
    n = len(persons)
    u_cash, u_ore, u_bus = rng.random(n), rng.random(n), rng.random(n)
    cash = np.where(u_cash < float(p["cash_share"]), _lognormal(rng, n, p["cash_median"], p["cash_sigma"]), 0.0)
    ore = np.where(
        u_ore < float(p["other_real_estate_share"]),
        _lognormal(rng, n, p["other_real_estate_median"], p["other_real_estate_sigma"]),
        0.0,
    )
    entre = np.isin(status, ("self_employed", "employee_self_employed"))
    dga = status == "dga"
    share = np.where(entre, float(p["business_share_self_employed"]),
                     np.where(dga, float(p["business_share_dga"]), float(p["business_share_other"])))
    z = rng.standard_normal(n)
    median = np.where(dga, float(p["business_median_dga"]), float(p["business_median_self_employed"]))
    bus = np.where(u_bus < share, median * np.exp(float(p["business_sigma"]) * z), 0.0)
    return pd.DataFrame(
        {
            C.PERSON_ID: persons[C.PERSON_ID].to_numpy().astype("int64"),
            C.YEAR: np.full(n, INCOME_YEAR, dtype=np.int16),
            C.CASH: np.round(cash),
            C.OTHER_REAL_ESTATE: np.round(ore, -3),
            C.BUSINESS_ASSETS: np.round(bus, -2),
            C.WOZ_VALUE: np.round(woz, -3),
        }
    )


def woz_low_factor(
    rng: np.random.Generator, params: Mapping[str, Any], n: int, *, weight: np.ndarray | None = None
) -> np.ndarray:
    """Extra WOZ factor of the low-WOZ tail: ``exp(N(woz_low_log_mu, woz_low_log_sigma))`` for a share.

    A share ``woz_low_share`` of the loans gets a WOZ value far below the LLD-implied house value
    (WOZ underestimates, A33; and the report's measurement-error signs, current LTV above 200%),
    1 for the rest.  Two draws per loan whatever the outcome.

    Parameters
    ----------
    rng : numpy.random.Generator
        The WOZ stream (drawn after the main WOZ noise).
    params : Mapping
        The ``[io_stock]`` block (``woz_low_share``, ``woz_low_log_mu``, ``woz_low_log_sigma``;
        absent = no tail).
    n : int
        Number of loans.
    weight : ndarray, optional
        Relative chance of each loan to be in the tail (mean about 1; :func:`perpetual_weight` of
        the debt-to-income ratio with a negative tilt leans the tail to the stretched households);
        ``None`` = all alike.

    Returns
    -------
    numpy.ndarray
        Factor per loan (1.0 outside the tail).
    """
    u = rng.random(n)
    z = rng.standard_normal(n)
    w = np.ones(n) if weight is None else np.asarray(weight, dtype="float64")
    low = u < float(params.get("woz_low_share", 0.0)) * w
    return np.where(low, np.exp(float(params.get("woz_low_log_mu", 0.0)) + float(params.get("woz_low_log_sigma", 0.0)) * z), 1.0)


def _stock_persons(world: Any, loan_ids: np.ndarray) -> pd.DataFrame:
    """Main person and partner of each loan of the stock: ``loan_id``, ``person_id`` (loans in order)."""
    loans = world.loans
    pos = pd.Index(loans["loan_id"].to_numpy()).get_indexer(loan_ids)
    main = loans["main_pid"].to_numpy()[pos]
    per = world.persons
    prow = pd.Index(per["person_id"].to_numpy()).get_indexer(main)
    partner = np.where(prow >= 0, per["partner_id"].to_numpy()[np.maximum(prow, 0)], -1)
    out = pd.DataFrame(
        {C.LOAN_ID: np.r_[loan_ids, loan_ids], C.PERSON_ID: np.r_[main, partner]}
    )
    return out.loc[out[C.PERSON_ID].to_numpy() >= 0]


def _debt_to_income(world: Any, snap: pd.DataFrame, cbs_2017: pd.DataFrame) -> pd.Series:
    """End-2016 debt / 2017 gross income of main person + partner, by loan id (NaN without income)."""
    lid = snap[C.LOAN_ID].to_numpy()
    debt = pd.Series(snap[C.CURRENT_BALANCE].to_numpy(dtype="float64"), index=lid).groupby(level=0).sum()
    sp = _stock_persons(world, debt.index.to_numpy())
    inc = cbs_2017.drop_duplicates(C.PERSON_ID).set_index(C.PERSON_ID)[C.GROSS_INCOME]
    y = pd.Series(inc.reindex(sp[C.PERSON_ID].to_numpy()).to_numpy(dtype="float64"), index=sp[C.LOAN_ID].to_numpy())
    y = y.groupby(level=0).sum(min_count=1).reindex(debt.index)
    return debt / y.where(y > 0)


def build_io_stock(world: Any, *, snap: pd.DataFrame, cbs_2017: pd.DataFrame) -> IoStock:
    """Plant the IO study's cross-section of a world.

    Parameters
    ----------
    world : cohorts.synth.generator.World
        The world (``io_seed`` seeds every draw here; ``params.io_stock`` the parameters).
    snap : pandas.DataFrame
        Its end-2016 LLD rows as the panel writes them (maturity = origination + term).
    cbs_2017 : pandas.DataFrame
        Its 2017 CBS person records (``person_id``, ``birth_year``, ``gross_income``, ``zzp``).

    Returns
    -------
    IoStock
    """
    params = world.params.io_stock
    rng = np.random.default_rng(world.io_seed)
    rng_plan, rng_income, rng_wealth, rng_woz, rng_full = (
        np.random.default_rng(s) for s in rng.bit_generator.seed_seq.spawn(5)
    )
    dti = _debt_to_income(world, snap, cbs_2017)
    recoded = plan_fully_io(rng_full, params, snap=snap, debt_to_income=dti)
    snap = next(apply_maturities([snap.copy()], recoded.iloc[:0].astype("datetime64[ns]"), repayment_type=recoded))
    loans_2016 = np.unique(snap[C.LOAN_ID].to_numpy())
    births = household_births(world, loans_2016)
    maturity, hh = plan_maturities(rng_plan, params, snap=snap, births=births, debt_to_income=dti)

    # the end-2016 rows with the planned maturities
    snap = next(apply_maturities([snap.copy()], maturity))
    io = snap[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).to_numpy()
    bal = snap[C.CURRENT_BALANCE].to_numpy(dtype="float64")
    lid = snap[C.LOAN_ID].to_numpy()
    debt_now = pd.Series(bal, index=lid).groupby(level=0).sum()
    all_io = pd.Series(io, index=lid).groupby(level=0).all()
    ltv = pd.Series(snap[C.CURRENT_LTV].to_numpy(dtype="float64"), index=lid).groupby(level=0).first()

    # WOZ: the LLD-implied house value x lognormal (A33, fn 27); every loan of the stock
    loans = world.loans
    pos = pd.Index(loans["loan_id"].to_numpy()).get_indexer(debt_now.index.to_numpy())
    hpi = np.asarray(world.params.ltv["house_price_index"], dtype="float64")
    first_seen = loans["first_seen"].to_numpy().astype("int64")[pos]
    hv = loans["house_value_first"].to_numpy()[pos] * hpi[SNAPSHOT - C.FIRST_SNAPSHOT] / hpi[first_seen - C.FIRST_SNAPSHOT]
    hv = np.where(np.isfinite(ltv.to_numpy()) & (ltv.to_numpy() > 0), debt_now.to_numpy() / (ltv.to_numpy() / 100.0), hv)
    z_woz = rng_woz.standard_normal(len(hv))
    woz_factor = np.exp(float(params["woz_log_mu"]) + float(params["woz_log_sigma"]) * z_woz)
    d = dti.reindex(debt_now.index).to_numpy(dtype="float64")
    d = np.where(np.isfinite(d), d, np.nanmedian(d) if np.isfinite(d).any() else 0.0)
    # the tail leans to the high debt-to-income ratios (tilt > 0 = more tail among the stretched)
    tail_weight = np.maximum(perpetual_weight(d, tilt=-float(params.get("woz_low_dti_tilt", 0.0))), 0.0)
    woz_factor = woz_factor * woz_low_factor(rng_woz, params, len(hv), weight=tail_weight)
    woz_loan = pd.Series(np.round(hv * woz_factor, -3), index=debt_now.index)

    refi = hh.loc[hh["kind"] == "dated"].set_index(C.LOAN_ID)["first_maturity"]
    debt_t = debt_at_maturity(snap, refi)
    h = hh[C.LOAN_ID].to_numpy()
    first = hh["first_maturity"].to_numpy(dtype="datetime64[ns]")
    dated = hh["kind"].to_numpy() == "dated"
    truth = pd.DataFrame(
        {
            C.LOAN_ID: h.astype("int64"),
            "planted_refi_year": pd.arrays.IntegerArray(np.where(dated, _year(first), 0).astype(np.int16), ~dated),
            "planted_first_maturity": first,
            "planted_perpetual_admin": hh["kind"].to_numpy() == "admin",
            "planted_perpetual_age": hh["kind"].to_numpy() == "age",
            "planted_fully_io": all_io.reindex(h).to_numpy(dtype=bool),
            "planted_debt_now": debt_now.reindex(h).to_numpy(),
            "planted_debt_at_refi": np.where(dated, debt_t.reindex(h).to_numpy(), np.nan),
            "planted_woz_value": woz_loan.reindex(h).to_numpy(),
        }
    )

    # persons of the stock with a 2017 CBS record (the first loan of a person gives the WOZ)
    sp = _stock_persons(world, loans_2016)
    # a person with several end-2016 loans lives in the dwelling of an IO loan if there is one
    sp = sp.assign(_io=sp[C.LOAN_ID].isin(h)).sort_values("_io", ascending=False, kind="stable")
    sp = sp.drop_duplicates(C.PERSON_ID, keep="first").drop(columns="_io")
    rec = cbs_2017.drop_duplicates(C.PERSON_ID).set_index(C.PERSON_ID)
    sp = sp.loc[sp[C.PERSON_ID].isin(rec.index)].sort_values(C.PERSON_ID, kind="stable")
    persons = rec.reindex(sp[C.PERSON_ID].to_numpy()).reset_index()
    inc = income_pension(rng_income, params, persons)
    woz = woz_loan.reindex(sp[C.LOAN_ID].to_numpy()).to_numpy()
    wealth = wealth_dwelling(rng_wealth, params, persons, status=inc[C.LABOUR_STATUS].to_numpy(), woz=woz)
    return IoStock(maturity=maturity, truth=truth, income_pension=inc, wealth_dwelling=wealth, repayment_type=recoded)
