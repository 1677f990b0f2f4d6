"""The interest-only (IO) study's cross-section in the synthetic twin.

The AFM study on interest-only mortgages (``cohorts.studies.interest_only``; specification
``shared/targets/io_refinancing/README.md``, "README" below) takes the households with at least
one interest-only or investment loan part at the end-2016 LLD snapshot and needs, beyond the
first study's inputs, the maturity date of every IO part (with the lender's perpetual coding),
the 2017 income by source, pension and AOW entitlements and labour status, wealth beyond
savings and the WOZ value (README section 2).  This package plants them, with its own random
stream (block ``io_stock`` of :mod:`cohorts.synth.streams`), so every other column of every
existing file stays byte-identical, except ``repayment_type`` of the parts recoded by
:func:`plan_extra_io` and :func:`plan_fully_io`, ``birth_year`` of the persons moved by
:func:`plan_ages` and the 2017 ``gross_income`` of the persons of :func:`plan_low_income` (round 5), all
of pre-2012 loans (kind ``pre_2012_stock``, persons on no other loan), outside the first study's
2012-2017 cohorts, and (round 9) ``original_balance`` of the IO/investment parts of the end-2016 IO
households (:func:`plan_voluntary`; the first study reads no original balance).  Its stages, one
module each:

* :mod:`~cohorts.synth.io_stock.ages` (before the CBS file is written): :func:`plan_extra_io` - the
  number of IO households (Figuur 1); :func:`plan_ages` - the senior households (Box 2: IO borrowers
  are older, 47% of the perpetuals' main earners above 60);
* :mod:`~cohorts.synth.io_stock.maturity`: :func:`plan_fully_io`, :func:`couple_maturities` (with
  :func:`peaked_years`, round 6: the years peak in 2035-2039), :func:`plan_maturities`,
  :func:`debt_at_maturity`, :func:`apply_maturities`;
* :mod:`~cohorts.synth.io_stock.income`: :func:`plan_low_income` (from the world alone, written into
  the CBS file by :func:`apply_income_factors`) and :func:`income_pension`;
* :mod:`~cohorts.synth.io_stock.wealth`: :func:`wealth_dwelling`, :func:`woz_low_factor`,
  :func:`underwater_woz`;
* :mod:`~cohorts.synth.io_stock.repayment`: :func:`plan_voluntary` (round 9) - the IO parts' cumulative
  voluntary repayment (original principal above the current balance, Figuur 2), more as the first
  maturity nears;
* this module: :func:`plan_stock` (stages 1-2, from the world alone) and :func:`build_io_stock`
  (the rest, from the 2017 CBS records).

The stages in detail:

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
  for every person of the end-2016 stock with a 2017 CBS record; the replacement rate of the
  attainable pension is coupled to the household's debt / income rank (round 3,
  ``replacement_dti_rho``), and a thin-pension group leans to the most stretched (round 4,
  ``thin_pension_*``).
* the WOZ value: the LLD-implied value x lognormal noise, with low-WOZ tails concentrated on high
  debt / income (:func:`woz_low_factor`; A33): a mild one for dated loans (LTV mostly 100-200%:
  residual debts), a deep one for perpetual loans (LTV > 200%: not agile at the event year) and (round
  5) a deep unweighted one for the low-registered-income group (both measurement signs); then (round 7)
  the dated loans under water, first maturity in a window, their WOZ set to debt / an LTV drawn around
  1.15 (:func:`underwater_woz`: below water in 2016, above it by the refinancing year on the trend, under
  it again in a downturn).
* :func:`plan_stock` - the recodes, ages, maturities, the low-registered-income group and the voluntary
  repayment from a world alone (the CBS persons file is written with :func:`apply_births` and :func:`apply_income_factors`); :func:`build_io_stock` - all of the above from a world and its
  2017 CBS records; :func:`apply_maturities` puts the planned dates (and recoded repayment types and
  grown original balances) into the LLD frames as they are written.

Every parameter is in the ``[io_stock]`` block of ``params.toml`` with its source; the calibration
against the study's tree is in ``docs/io_calibration.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.synth import kinds as K
from cohorts.synth.io_stock._common import (
    INCOME_YEAR,
    IO_TYPES,
    SNAPSHOT,
    _solve_share,  # noqa: F401  (re-exported for tests)
    _year,
    perpetual_weight,
    power_weight,
)
from cohorts.synth.io_stock.ages import (
    apply_births,
    first_natural_year,
    household_births,
    own_stock_loans,
    person_births,
    plan_ages,
    plan_extra_io,
)
from cohorts.synth.io_stock.income import apply_income_factors, income_pension, plan_low_income
from cohorts.synth.io_stock.maturity import (
    apply_maturities,
    couple_maturities,
    peaked_years,
    debt_at_maturity,
    plan_fully_io,
    plan_maturities,
)
from cohorts.synth.io_stock.repayment import plan_voluntary, voluntary_mean
from cohorts.synth.io_stock.wealth import underwater_woz, wealth_dwelling, woz_low_factor

__all__ = [
    "INCOME_YEAR",
    "IO_TYPES",
    "SNAPSHOT",
    "TRUTH_IO_COLUMNS",
    "IoStock",
    "StockPlan",
    "apply_births",
    "apply_income_factors",
    "apply_maturities",
    "build_io_stock",
    "couple_maturities",
    "peaked_years",
    "debt_at_maturity",
    "household_births",
    "income_pension",
    "perpetual_weight",
    "person_births",
    "plan_ages",
    "plan_extra_io",
    "plan_fully_io",
    "plan_low_income",
    "plan_maturities",
    "plan_stock",
    "plan_voluntary",
    "underwater_woz",
    "voluntary_mean",
    "wealth_dwelling",
    "woz_low_factor",
]

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
    "planted_voluntary_repaid",
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
    original_balance : pandas.Series, optional
        New ``original_balance`` by ``loan_part_id`` of the IO parts with a planted voluntary
        repayment (:func:`plan_voluntary`, round 9), sorted.
    """

    maturity: pd.Series
    truth: pd.DataFrame
    income_pension: pd.DataFrame
    wealth_dwelling: pd.DataFrame
    repayment_type: pd.Series | None = None
    original_balance: pd.Series | None = None


@dataclass(frozen=True)
class StockPlan:
    """What :func:`plan_stock` plans from the world alone (before the CBS persons file is written).

    Attributes
    ----------
    snap : pandas.DataFrame
        The end-2016 LLD rows with the recoded repayment types and the planned maturities.
    maturity : pandas.Series
        As :attr:`IoStock.maturity`.
    repayment_type : pandas.Series
        Recoded repayment types by ``loan_part_id`` (:func:`plan_extra_io` and :func:`plan_fully_io`).
    households : pandas.DataFrame
        :func:`plan_maturities`'s households (``loan_id``, ``kind``, ``first_maturity``).
    births : pandas.Series
        New birth year by person id (:func:`person_births`); :func:`apply_births` writes them.
    income_factors : pandas.Series
        Factor on the 2017 gross income by person id (sorted) of the low-registered-income group
        (:func:`plan_low_income`, round 5); :func:`apply_income_factors` writes them.  Empty without
        ``low_income_share``.
    low_income_loans : numpy.ndarray
        Sorted loan ids of the low-registered-income group (their WOZ tail: :func:`build_io_stock`).
    original_balance : pandas.Series
        As :attr:`IoStock.original_balance` (already in ``snap``).
    """

    snap: pd.DataFrame
    maturity: pd.Series
    repayment_type: pd.Series
    households: pd.DataFrame
    births: pd.Series
    income_factors: pd.Series
    low_income_loans: np.ndarray
    original_balance: pd.Series


_DROPPED_KINDS = ("unlinkable", "multi_mortgage", "not_owner_occupied", "missing_cbs_main", "missing_cbs_partner",
                  "cohort_2018")
"""Planted kinds the study's selection drops (``selection.csv`` steps 4-8)."""


def _world_debt_to_income(world: Any, snap: pd.DataFrame) -> pd.Series:
    """End-2016 debt / planted household income (main + partner, base year) by loan id."""
    lid = snap[C.LOAN_ID].to_numpy()
    debt = pd.Series(snap[C.CURRENT_BALANCE].to_numpy(dtype="float64"), index=lid).groupby(level=0).sum()
    sp = _stock_persons(world, debt.index.to_numpy())
    inc = world.persons.set_index("person_id")["income"]
    y = pd.Series(inc.reindex(sp[C.PERSON_ID].to_numpy()).to_numpy(dtype="float64"), index=sp[C.LOAN_ID].to_numpy())
    y = y.groupby(level=0).sum(min_count=1).reindex(debt.index)
    return debt / y.where(y > 0)


def plan_stock(world: Any, *, snap: pd.DataFrame) -> StockPlan:
    """Plan the IO households, their ages and maturities from the world alone.

    Parameters
    ----------
    world : cohorts.synth.generator.World
        The world (``io_seed`` seeds every draw; ``params.io_stock`` the parameters).
    snap : pandas.DataFrame
        Its end-2016 LLD rows as the panel writes them.

    Returns
    -------
    StockPlan
    """
    params = world.params.io_stock
    rng = np.random.default_rng(world.io_seed)
    seeds = rng.bit_generator.seed_seq.spawn(10)  # the first eight children are those of spawn(8)
    rng_full, rng_extra, rng_age, rng_couple = (np.random.default_rng(seeds[i]) for i in (4, 5, 6, 7))
    own = own_stock_loans(world)
    kinds = world.loans["kind"].to_numpy()
    dropped = np.isin(kinds, [K.CODE[k] for k in _DROPPED_KINDS])
    kept = np.sort(world.loans["loan_id"].to_numpy()[~dropped].astype("int64"))
    extra = plan_extra_io(rng_extra, params, snap=snap, eligible_loans=own, kept_loans=kept, scale=world.scale)
    snap = next(apply_maturities([snap.copy()], extra.iloc[:0].astype("datetime64[ns]"), repayment_type=extra))
    dti = _world_debt_to_income(world, snap)
    full = plan_fully_io(rng_full, params, snap=snap, debt_to_income=dti)
    snap = next(apply_maturities([snap], full.iloc[:0].astype("datetime64[ns]"), repayment_type=full))
    recoded = pd.concat([extra, full]).sort_index()
    snap = next(apply_maturities([snap], couple_maturities(rng_couple, params, snap=snap, debt_to_income=dti)))
    loans_2016 = np.unique(snap[C.LOAN_ID].to_numpy())
    births = household_births(world, loans_2016)
    _, hh = plan_maturities(np.random.default_rng(seeds[0]), params, snap=snap, births=births, debt_to_income=dti)
    h = hh[C.LOAN_ID].to_numpy()
    shift = plan_ages(rng_age, params, households=hh, births=births, eligible=np.isin(h, own),
                      first_natural_year=first_natural_year(snap, h))
    s = shift.reindex(births[C.LOAN_ID].to_numpy()).fillna(0).to_numpy(dtype="int64")
    births_new = births.assign(**{c: births[c].to_numpy() + s for c in ("birth_older", "birth_younger", "birth_main")})
    maturity, hh2 = plan_maturities(np.random.default_rng(seeds[0]), params, snap=snap, births=births_new,
                                    debt_to_income=dti, kinds=hh["kind"].to_numpy())
    snap = next(apply_maturities([snap], maturity))
    low = plan_low_income(np.random.default_rng(seeds[8]), params, households=hh2, debt_to_income=dti, eligible=own)
    sp = _stock_persons(world, low.index.to_numpy())
    factors = pd.Series(low.reindex(sp[C.LOAN_ID].to_numpy()).to_numpy(),
                        index=pd.Index(sp[C.PERSON_ID].to_numpy().astype("int64"), name=C.PERSON_ID), name="income_factor")
    # round 9: the IO parts' cumulative voluntary repayment (original principal above the current balance)
    original = plan_voluntary(np.random.default_rng(seeds[9]), params, snap=snap, households=hh2,
                              birth_main=births_new.set_index(C.LOAN_ID)["birth_main"])
    snap = next(apply_maturities([snap], maturity.iloc[:0], original_balance=original))
    return StockPlan(snap=snap, maturity=maturity, repayment_type=recoded, households=hh2,
                     births=person_births(world, shift), income_factors=factors.sort_index(),
                     low_income_loans=low.index.to_numpy().astype("int64"), original_balance=original)


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



def build_io_stock(world: Any, *, snap: pd.DataFrame, cbs_2017: pd.DataFrame, plan: StockPlan | None = None) -> IoStock:
    """Plant the IO study's cross-section of a world.

    Parameters
    ----------
    world : cohorts.synth.generator.World
        The world (``io_seed`` seeds every draw here; ``params.io_stock`` the parameters).
    snap : pandas.DataFrame
        Its end-2016 LLD rows as the panel writes them (maturity = origination + term).
    cbs_2017 : pandas.DataFrame
        Its 2017 CBS person records (``person_id``, ``birth_year``, ``gross_income``, ``zzp``), with
        the birth years of ``plan`` (:func:`apply_births`).
    plan : StockPlan, optional
        :func:`plan_stock` of the same world and ``snap`` (computed if not given).

    Returns
    -------
    IoStock
    """
    params = world.params.io_stock
    if plan is None:
        plan = plan_stock(world, snap=snap)
    rng = np.random.default_rng(world.io_seed)
    rng_income, rng_wealth, rng_woz = (np.random.default_rng(s) for s in rng.bit_generator.seed_seq.spawn(8)[1:4])
    dti = _debt_to_income(world, snap, cbs_2017)
    maturity, hh, recoded, snap = plan.maturity, plan.households, plan.repayment_type, plan.snap
    loans_2016 = np.unique(snap[C.LOAN_ID].to_numpy())
    io = snap[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).to_numpy()
    bal = snap[C.CURRENT_BALANCE].to_numpy(dtype="float64")
    lid = snap[C.LOAN_ID].to_numpy()
    debt_now = pd.Series(bal, index=lid).groupby(level=0).sum()
    all_io = pd.Series(io, index=lid).groupby(level=0).all()
    ltv = pd.Series(snap[C.CURRENT_LTV].to_numpy(dtype="float64"), index=lid).groupby(level=0).first()
    # the IO parts' original principal above their current balance (round 9 and the recoded parts' amortisation)
    gap = np.where(io, np.maximum(snap[C.ORIGINAL_BALANCE].to_numpy(dtype="float64") - bal, 0.0), 0.0)
    voluntary = pd.Series(gap, index=lid).groupby(level=0).sum()

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
    kinds = hh.set_index(C.LOAN_ID)["kind"].reindex(debt_now.index).to_numpy()
    perp_loan = np.isin(kinds, ("admin", "age"))
    power = float(params.get("woz_low_dti_power", 0.0))
    r_d = (pd.Series(d).rank(method="average").to_numpy() - 1.0) / max(len(d) - 1, 1)  # debt / income rank, 1 = most stretched
    if power > 0.0 and len(d) > 1:
        # (k + 1) r^k, r the debt / income rank (1 = most stretched): mean 1, the tail concentrated
        # on the stretched households (round 3: the LTV-bound failures also fail the LTI test);
        # perpetual households have their own power
        k = np.where(perp_loan, float(params.get("woz_low_dti_power_perpetual", power)), power)
        tail_weight = power_weight(r_d, k)
    else:
        tail_weight = np.maximum(perpetual_weight(d, tilt=-float(params.get("woz_low_dti_tilt", 0.0))), 0.0)
    # round 3: the perpetual households get their own (deeper) tail; dated and other loans the
    # woz_low_* tail (keys absent = one tail for all, as before)
    tails = {
        key: np.where(perp_loan, float(params.get(f"{key}_perpetual", params.get(key, 0.0))), float(params.get(key, 0.0)))
        for key in ("woz_low_share", "woz_low_log_mu", "woz_low_log_sigma")
    }
    if "low_income_woz_share" in params:
        # round 5: the low-registered-income group has its own WOZ tail (chance and depth), unweighted
        # (the report's 5% of failures with both measurement signs)
        in_low = np.isin(debt_now.index.to_numpy(), plan.low_income_loans)
        tail_weight = np.where(in_low, 1.0, tail_weight)
        for key, own_key in (("woz_low_share", "low_income_woz_share"), ("woz_low_log_mu", "low_income_woz_log_mu")):
            tails[key] = np.where(in_low, float(params[own_key]), tails[key])
    woz_factor = woz_factor * woz_low_factor(
        rng_woz, params, len(hv), weight=tail_weight,
        share=tails["woz_low_share"], log_mu=tails["woz_low_log_mu"], log_sigma=tails["woz_low_log_sigma"],
    )
    # round 7: the loans under water at the end of 2016 (first IO maturity in a window; stretched more often)
    refi = hh.loc[hh["kind"] == "dated"].set_index(C.LOAN_ID)["first_maturity"]
    woz_raw = underwater_woz(
        rng_woz, params, hv * woz_factor, debt=debt_now.to_numpy(),
        maturity_year=refi.dt.year.reindex(debt_now.index).to_numpy(dtype="float64", na_value=np.nan),
        weight=power_weight(r_d, float(params.get("underwater_dti_power", 0.0))),
    )
    woz_loan = pd.Series(np.round(woz_raw, -3), index=debt_now.index)

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
            "planted_voluntary_repaid": voluntary.reindex(h).to_numpy(),
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
    rank = pd.Series(r_d, index=debt_now.index)
    person_rank = rank.reindex(sp[C.LOAN_ID].to_numpy()).fillna(0.5).to_numpy()
    factor = plan.income_factors.reindex(persons[C.PERSON_ID].to_numpy()).fillna(1.0).to_numpy(dtype="float64")
    inc = income_pension(rng_income, params, persons, dti_rank=person_rank, income_factor=factor)
    woz = woz_loan.reindex(sp[C.LOAN_ID].to_numpy()).to_numpy()
    wealth = wealth_dwelling(rng_wealth, params, persons, status=inc[C.LABOUR_STATUS].to_numpy(), woz=woz)
    return IoStock(maturity=maturity, truth=truth, income_pension=inc, wealth_dwelling=wealth, repayment_type=recoded,
                   original_balance=plan.original_balance)
