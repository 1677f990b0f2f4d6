"""Tests of the interest-only block of the synthetic twin (:mod:`cohorts.synth.io_stock`).

Kinds of test (each test's docstring starts with its kind):

* **hand-worked**: arithmetic written out in the test (the checklist B7 amortisation rules);
* **planted truth**: the written files agree with what the generator planted (``truth_io.parquet``);
  the voluntary repayment's mean fraction recovered from many draws (round 9);
* **property**: a rule that must hold on every row (sums, ranges, consistency over snapshots,
  streams unchanged, every column except the IO maturities equal to the panel writer's output), or a
  direction the calibration plants (perpetuals lean to low debt / income and old originations, the
  low-WOZ tail to high debt / income, round 3: the replacement rate to low debt / income, round 4:
  the thin-pension group to high debt / income);
* **cross-check of two implementations**: the per-loan tail parameters of :func:`woz_low_factor`
  against the scalar ones (same draws), and :func:`income_pension` without a rank against rho 0.

The small twin is the session fixture of ``tests/synth/conftest.py`` (scale 0.002, seed 11).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.contracts import validate_income_pension, validate_lld, validate_wealth_dwelling
from cohorts.synth import kinds as K
from cohorts.synth import streams
from cohorts.synth.generator import build_world
from cohorts.synth.io_stock import (
    IO_TYPES,
    _solve_share,
    apply_income_factors,
    debt_at_maturity,
    couple_maturities,
    income_pension,
    peaked_years,
    perpetual_weight,
    plan_extra_io,
    plan_low_income,
    plan_voluntary,
    underwater_woz,
    voluntary_mean,
    woz_low_factor,
)
from cohorts.synth.panel import cbs_persons, key_table, lld_snapshots, truth_table
from cohorts.synth.write import INCOME_PENSION_FILE, TRUTH_IO_FILE, WEALTH_DWELLING_FILE

SCALE, SEED = 0.002, 11  # as tests/synth/conftest.py (its session fixture synth_dir)


@pytest.fixture(scope="session")
def io_tables(synth_dir: Path, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The twin's files plus the three files of the interest-only block."""
    return {
        **tables,
        "income": pd.read_parquet(synth_dir / INCOME_PENSION_FILE),
        "wealth": pd.read_parquet(synth_dir / WEALTH_DWELLING_FILE),
        "truth_io": pd.read_parquet(synth_dir / TRUTH_IO_FILE),
    }


def test_streams_of_existing_blocks_unchanged() -> None:
    """Property: appending the ``io_stock`` block leaves every earlier block's stream as it was."""
    assert streams.BLOCKS[-1] == "io_stock"
    old = streams.BLOCKS[:-1]
    children = np.random.default_rng(123).bit_generator.seed_seq.spawn(len(old))
    new = streams.block_generators(123)
    for name, ss in zip(old, children):
        assert np.array_equal(np.random.Generator(np.random.PCG64(ss)).integers(0, 2**62, 5), new[name].integers(0, 2**62, 5))


def test_only_io_maturities_differ_from_the_panel_writer(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property: every column of the existing files equals the unchanged panel writer's output,
    except ``maturity_date`` of interest-only/investment parts and ``repayment_type`` of parts recoded
    fully IO or IO (``plan_fully_io``, ``plan_extra_io``), which are all ``interest_only``, originated
    before 2012 and belong to loans whose oldest part is before 2012 (the first study's cohorts are
    2012-2017), ``original_balance`` of interest-only/investment parts of the end-2016 IO households
    (round 9, ``plan_voluntary``: it only grows, the same in every snapshot; the first study reads no
    original balance), and ``birth_year`` of the CBS persons moved older by ``plan_ages`` (persons of
    pre-2012 stock loans only); the block's own stream touches nothing else."""
    world = build_world(scale=SCALE, seed=SEED)
    base = pd.concat(list(lld_snapshots(world)), ignore_index=True)
    lld = io_tables["lld"]
    assert list(lld.columns) == list(base.columns) and len(lld) == len(base)
    for col in lld.columns:
        if col not in (C.MATURITY_DATE, C.REPAYMENT_TYPE, C.ORIGINAL_BALANCE):
            pd.testing.assert_series_equal(lld[col], base[col], check_names=True)
    grown = lld[C.ORIGINAL_BALANCE].to_numpy() != base[C.ORIGINAL_BALANCE].to_numpy()
    assert grown.sum() > 0
    assert (lld.loc[grown, C.ORIGINAL_BALANCE] > base.loc[grown, C.ORIGINAL_BALANCE]).all()
    assert lld.loc[grown, C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).all()
    assert set(lld.loc[grown, C.LOAN_ID]) <= set(io_tables["truth_io"][C.LOAN_ID])
    # a part's original grows in every snapshot it appears in, to one value
    per_part = pd.Series(grown).groupby(lld[C.LOAN_PART_ID].to_numpy()).agg(["any", "all"])
    assert (per_part["any"] == per_part["all"]).all()
    assert (lld.loc[grown].groupby(C.LOAN_PART_ID)[C.ORIGINAL_BALANCE].nunique() == 1).all()
    assert lld[C.REPAYMENT_TYPE].dtype == base[C.REPAYMENT_TYPE].dtype
    recoded = lld[C.REPAYMENT_TYPE].astype(str) != base[C.REPAYMENT_TYPE].astype(str)
    assert recoded.sum() > 0
    assert (lld.loc[recoded, C.REPAYMENT_TYPE].astype(str) == C.INTEREST_ONLY).all()
    assert (base.loc[recoded, C.ORIGINATION_DATE] < pd.Timestamp("2012-01-01")).all()
    oldest = base.groupby(C.LOAN_ID)[C.ORIGINATION_DATE].transform("min")
    assert (oldest[recoded] < pd.Timestamp("2012-01-01")).all()
    # a part is recoded in every snapshot or none
    per_part = recoded.groupby(base[C.LOAN_PART_ID]).agg(["any", "all"])
    assert (per_part["any"] == per_part["all"]).all()
    same = (lld[C.MATURITY_DATE] == base[C.MATURITY_DATE]) | (lld[C.MATURITY_DATE].isna() & base[C.MATURITY_DATE].isna())
    io = lld[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES)
    assert same[~io].all()
    assert (~same[io]).sum() > 0.3 * io.sum()  # the block did change IO maturities
    cbs, cbs0 = io_tables["cbs"], cbs_persons(world)
    moved_cols = [C.BIRTH_YEAR, C.GROSS_INCOME]
    pd.testing.assert_frame_equal(cbs.drop(columns=moved_cols), cbs0.drop(columns=moved_cols))
    # birth years move (to older ages) only for persons of pre-2012 stock loans (plan_ages)
    moved = cbs[C.BIRTH_YEAR].to_numpy() != cbs0[C.BIRTH_YEAR].to_numpy()
    assert moved.sum() > 0 and (cbs[C.BIRTH_YEAR].to_numpy()[moved] < cbs0[C.BIRTH_YEAR].to_numpy()[moved]).all()
    loans = world.loans
    own = loans.loc[loans["kind"].to_numpy() == K.CODE[K.PRE_2012_STOCK], "main_pid"].to_numpy()
    partners = world.persons.set_index("person_id")["partner_id"].reindex(own).to_numpy()
    stock_persons = set(own.tolist()) | set(partners[partners >= 0].tolist())
    assert set(cbs.loc[moved, C.PERSON_ID].tolist()) <= stock_persons
    # round 5: 2017 incomes cut (plan_low_income) only for those persons, only in 2017, by the factor range
    g, g0 = cbs[C.GROSS_INCOME].to_numpy(), cbs0[C.GROSS_INCOME].to_numpy()
    cut = g != g0
    assert cut.sum() > 0 and (cbs.loc[cut, C.YEAR] == 2017).all()
    assert set(cbs.loc[cut, C.PERSON_ID].tolist()) <= stock_persons
    from cohorts.synth.params import load_params
    p = load_params().io_stock
    big = cut & (np.abs(g0) > 1000)
    ratio = g[big] / g0[big]
    assert ((ratio > p["low_income_factor_lo"] - 0.001) & (ratio < p["low_income_factor_hi"] + 0.001)).all()
    pd.testing.assert_frame_equal(io_tables["key"], key_table(world))
    pd.testing.assert_frame_equal(io_tables["truth"], truth_table(world))


def test_maturity_one_date_per_part_and_contract(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property: each loan part has one maturity over all snapshots, and the LLD passes its contract
    (maturity not before origination)."""
    lld = io_tables["lld"]
    key = lld[C.MATURITY_DATE].astype("int64")  # NaT as one value
    assert (key.groupby(lld[C.LOAN_PART_ID]).nunique() == 1).all()
    validate_lld(lld)
    assert lld[C.MATURITY_DATE].isna().sum() > 0
    assert not lld.loc[~lld[C.REPAYMENT_TYPE].isin(IO_TYPES), C.MATURITY_DATE].isna().any()


def test_truth_matches_the_planted_maturities(io_tables: dict[str, pd.DataFrame]) -> None:
    """Planted truth: the truth's first-maturity date is the earliest IO maturity of the household's
    end-2016 parts; administrative perpetuals have no dated IO part; de-facto perpetuals mature after the
    younger person's 85th-birthday year."""
    lld, truth, cbs, key = io_tables["lld"], io_tables["truth_io"], io_tables["cbs"], io_tables["key"]
    s = lld.loc[(lld[C.SNAPSHOT_YEAR] == 2016) & lld[C.REPAYMENT_TYPE].isin(IO_TYPES)]
    g = s.groupby(C.LOAN_ID)[C.MATURITY_DATE]
    t = truth.set_index(C.LOAN_ID)
    assert set(t.index) == set(s[C.LOAN_ID])
    admin = t["planted_perpetual_admin"]
    assert (g.count().reindex(t.index)[admin] == 0).all()
    assert (g.count().reindex(t.index)[~admin] == g.size().reindex(t.index)[~admin]).all()
    dated = ~admin & ~t["planted_perpetual_age"]
    assert (g.min().reindex(t.index)[dated] == t.loc[dated, "planted_first_maturity"]).all()
    assert (t.loc[dated, "planted_refi_year"] == t.loc[dated, "planted_first_maturity"].dt.year).all()
    assert t.loc[~dated, "planted_refi_year"].isna().all()
    # de-facto perpetuals: first IO year after the younger person's 85th-birthday year
    c17 = cbs.loc[cbs[C.YEAR] == 2017].set_index(C.PERSON_ID)
    age = t["planted_perpetual_age"]
    person = key.set_index(C.LOAN_ID)[C.PERSON_ID].reindex(t.index[age]).dropna()
    by = c17[C.BIRTH_YEAR].reindex(person.to_numpy()).to_numpy()
    partner = c17[C.PARTNER_ID].reindex(person.to_numpy())
    by_p = c17[C.BIRTH_YEAR].reindex(partner.fillna(-1).astype("int64").to_numpy()).to_numpy()
    younger = np.fmax(by.astype(float), np.where(np.isnan(by_p.astype(float)), -np.inf, by_p.astype(float)))
    first_year = g.min().reindex(person.index).dt.year.to_numpy()
    ok = ~np.isnan(by.astype(float))
    assert ok.sum() > 10
    assert (first_year[ok] > younger[ok] + 85).all()


def test_income_sources_add_up_and_statuses_fit_ages(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property: wages + profit + dga + pension + benefits = the 2017 gross income of the CBS file
    exactly; pensioners are >= 60; zzp persons are (employee-)self-employed unless pensioner/other;
    the files pass their contracts and have one row per person of the end-2016 stock with a 2017 record."""
    inc, cbs = io_tables["income"], io_tables["cbs"]
    validate_income_pension(inc)
    validate_wealth_dwelling(io_tables["wealth"])
    c17 = cbs.loc[cbs[C.YEAR] == 2017].set_index(C.PERSON_ID)
    i = inc.set_index(C.PERSON_ID)
    assert i.index.is_unique and i.index.isin(c17.index).all()
    total = i[[C.WAGES, C.BUSINESS_PROFIT, C.DGA_WAGE, C.PENSION_INCOME, C.BENEFITS]].sum(axis=1)
    assert np.array_equal(total.to_numpy(), c17[C.GROSS_INCOME].reindex(i.index).to_numpy())
    age = 2017 - c17[C.BIRTH_YEAR].reindex(i.index)
    status = i[C.LABOUR_STATUS]
    assert (age[status == "pensioner"] >= 60).all()
    zzp = c17[C.ZZP].reindex(i.index)
    assert status[zzp].isin(["self_employed", "employee_self_employed", "pensioner", "other"]).all()
    assert (i.loc[status == "employee", C.BUSINESS_PROFIT] == 0).all()
    assert ((i[C.AOW_SHARE] == 1.0).mean()) > 0.8
    assert set(inc[C.PERSON_ID]) == set(io_tables["wealth"][C.PERSON_ID])


def test_woz_close_to_lld_value_and_shared_in_household(io_tables: dict[str, pd.DataFrame]) -> None:
    """Planted truth / property: the key person carries the household's planted WOZ value; it is at most
    twice the LLD-implied house value (debt / current LTV; the main noise has sigma 0.2); the share below
    half that value is set by the low-WOZ tails (round 5: dated loans 16.5% x weight 10 r^9 with median
    factor 0.58 and sigma 0.08, so about a quarter of their tail falls below 0.5 after the main noise;
    perpetual loans 5.2% x 2 r with median 0.37, mostly below 0.5; the low-income group, about 2% of the
    households, 0.56 of them) and, round 7, the under-water loans (about a fifth of the dated loans maturing
    in 2032-2042, whose WOZ becomes debt / l with l about 1.15, so the ratio is their current LTV / l, below
    0.5 for current LTVs under about 0.57): 5-11% at 3,900 households (8.2% at seed 11, 4.9% without the
    under-water loans; sampling s.e. 0.45 pp), and the median ratio is close to 1 (0.9-1.05)."""
    lld, truth, key, w = io_tables["lld"], io_tables["truth_io"], io_tables["key"], io_tables["wealth"]
    s = lld.loc[lld[C.SNAPSHOT_YEAR] == 2016]
    hv = s.groupby(C.LOAN_ID)[C.CURRENT_BALANCE].sum() / (s.groupby(C.LOAN_ID)[C.CURRENT_LTV].first() / 100)
    t = truth.set_index(C.LOAN_ID)
    ratio = t["planted_woz_value"] / hv.reindex(t.index)
    assert (ratio <= 2.0).all()
    assert 0.05 <= (ratio < 0.5).mean() <= 0.11
    assert 0.9 < ratio.median() < 1.05
    person = key.set_index(C.LOAN_ID)[C.PERSON_ID].reindex(t.index).dropna().astype("int64")
    person = person[~person.duplicated(keep=False)]  # a person with two IO mortgages has one WOZ record
    wz = w.set_index(C.PERSON_ID)[C.WOZ_VALUE].reindex(person.to_numpy())
    found = wz.notna().to_numpy()
    assert found.mean() > 0.95
    assert np.allclose(wz.to_numpy()[found], t["planted_woz_value"].reindex(person.index).to_numpy()[found])


def _part(rep: str, bal: float, rate: float, orig: str, mat: str | None) -> dict:
    return {C.LOAN_ID: 1, C.REPAYMENT_TYPE: rep, C.CURRENT_BALANCE: bal, C.INTEREST_RATE: rate,
            C.ORIGINATION_DATE: pd.Timestamp(orig), C.MATURITY_DATE: pd.NaT if mat is None else pd.Timestamp(mat)}


def test_debt_at_maturity_hand_worked() -> None:
    """Hand-worked: the checklist B7 rules at a refinancing date of December 2021 (k = 60 months after
    December 2016).

    * interest-only 100,000 -> 100,000;
    * annuity 100,000 at 6% (i = 0.005), maturity December 2026 (n = 120):
      100,000 x (1.005^120 - 1.005^60) / (1.005^120 - 1) = 100,000 x (1.819397 - 1.348850) / 0.819397 = 57,426.0;
    * linear 100,000, maturity December 2036 (n = 240): 100,000 x (1 - 60/240) = 75,000;
    * savings 100,000 at 6%, originated December 2006, maturity December 2026 (N = 240, a = 180):
      capital = 100,000 x (1.005^180 - 1) / (1.005^240 - 1) = 100,000 x 1.454094 / 2.310204 = 62,942.2,
      net 37,057.8;
    * annuity maturing June 2020 (before T): 0.
    Total 100,000 + 57,426.0 + 75,000 + 37,057.8 = 269,483.8.
    """
    parts = pd.DataFrame([
        _part("interest_only", 100_000, 6.0, "2000-12-15", None),
        _part("annuity", 100_000, 6.0, "1996-12-15", "2026-12-15"),
        _part("linear", 100_000, 6.0, "2006-12-15", "2036-12-15"),
        _part("savings", 100_000, 6.0, "2006-12-15", "2026-12-15"),
        _part("annuity", 50_000, 6.0, "1990-06-15", "2020-06-15"),
    ])
    refi = pd.Series([pd.Timestamp("2021-12-15")], index=[1])
    debt = debt_at_maturity(parts, refi)
    assert debt.loc[1] == pytest.approx(100_000 + 57_426.0 + 75_000 + 37_057.8, abs=1.0)
    one = debt_at_maturity(parts.iloc[[1]], refi)
    assert one.loc[1] == pytest.approx(57_426.0, abs=0.5)
    sav = debt_at_maturity(parts.iloc[[3]], refi)
    assert sav.loc[1] == pytest.approx(37_057.8, abs=0.5)


def test_planted_debt_at_refi_bounds(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property: the planted debt at T lies between the IO balances and the debt now (guaranteed parts
    only amortise), and is missing exactly for perpetuals."""
    lld, t = io_tables["lld"], io_tables["truth_io"]
    s = lld.loc[lld[C.SNAPSHOT_YEAR] == 2016]
    io_now = s.loc[s[C.REPAYMENT_TYPE].isin(IO_TYPES)].groupby(C.LOAN_ID)[C.CURRENT_BALANCE].sum()
    t = t.set_index(C.LOAN_ID)
    dated = t["planted_refi_year"].notna()
    d = t.loc[dated, "planted_debt_at_refi"]
    assert t.loc[~dated, "planted_debt_at_refi"].isna().all()
    assert (d >= io_now.reindex(d.index) - 0.01).all()
    assert (d <= t.loc[dated, "planted_debt_now"] + 0.01).all()


def test_perpetual_weight_hand_worked() -> None:
    """Hand-worked: ranks 0, 1/2, 1 of (30, 10, 20) days are (1, 0, 1/2) -> weights 1 + 0.5 x (1 - 2r)
    = (0.5, 1.5, 1.0); mean 1; tilt 0 gives ones."""
    w = perpetual_weight(np.array([30, 10, 20]), tilt=0.5)
    assert np.allclose(w, [0.5, 1.5, 1.0])
    assert np.allclose(perpetual_weight(np.array([30, 10, 20]), tilt=0.0), 1.0)
    assert np.isclose(perpetual_weight(np.arange(101), tilt=0.8).mean(), 1.0)


def test_solve_share_hits_the_count() -> None:
    """Property: the bisection's q gives (about) the asked count of ``u < q x w``, for any weights."""
    rng = np.random.default_rng(5)
    u, w = rng.random(10_000), 0.2 + 1.6 * rng.random(10_000)
    for target in (0.0, 1_000.0, 4_321.0):
        q = _solve_share(u, w, target)
        assert abs(np.count_nonzero(u < q * w) - target) <= 1


def test_woz_low_factor_share_weight_and_size() -> None:
    """Planted truth: the tail has the asked share (s.e. 0.2 pp at 20,000 draws), its median factor is
    exp(mu), a zero weight keeps a loan out of the tail, and without the parameters nothing changes."""
    params = {"woz_low_share": 0.06, "woz_low_log_mu": -1.0, "woz_low_log_sigma": 0.3}
    f = woz_low_factor(np.random.default_rng(1), params, 20_000)
    low = f != 1.0
    assert abs(low.mean() - 0.06) < 0.01
    assert abs(np.median(f[low]) - np.exp(-1.0)) < 0.02
    w = np.r_[np.zeros(10_000), 2 * np.ones(10_000)]
    g = woz_low_factor(np.random.default_rng(1), params, 20_000, weight=w)
    assert (g[:10_000] == 1.0).all() and abs((g[10_000:] != 1.0).mean() - 0.12) < 0.015
    assert (woz_low_factor(np.random.default_rng(1), {}, 100) == 1.0).all()


_UNDERWATER = {"underwater_share": 0.25, "underwater_first_year": 2032, "underwater_last_year": 2042,
               "underwater_ltv_lo": 1.0, "underwater_ltv_hi": 1.4}


def test_underwater_woz_hand_worked() -> None:
    """Hand-worked: a loan in the window that is drawn (u < share x weight) gets WOZ = min(WOZ, debt / l);
    the draws are u then l, one each per loan.  Debt 240,000 throughout, u = 0.1 < 0.25 for every loan.
    Loan 0: year 2035, WOZ = 240,000 / l; loan 1: the same but weight 0 (never drawn); loan 2: year 2031
    (outside); loan 3: NaN year (perpetual); loans 4 and 5: the window's last and first years (2042,
    2032) count; loan 6: its WOZ 100,000 is already below 240,000 / 1.4 and stays."""
    u = np.full(7, 0.1)
    l = np.array([1.0, 1.1, 1.2, 1.3, 1.25, 1.05, 1.35])
    fake = type("Fake", (), {"random": lambda self, n: u, "uniform": lambda self, lo, hi, n: l})()
    woz = np.array([300_000.0] * 6 + [100_000.0])
    year = np.array([2035.0, 2035.0, 2031.0, np.nan, 2042.0, 2032.0, 2036.0])
    weight = np.array([1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    got = underwater_woz(fake, _UNDERWATER, woz, debt=np.full(7, 240_000.0), maturity_year=year, weight=weight)
    np.testing.assert_allclose(got, [240_000.0, 300_000.0, 300_000.0, 300_000.0, 192_000.0, 240_000.0 / 1.05, 100_000.0])


def test_underwater_woz_share_and_ltv_range() -> None:
    """Planted truth: in the window a share ``underwater_share`` x weight (s.e. 0.4 pp at 20,000 loans) ends
    with debt / WOZ in [lo, hi) (WOZ far above the debt, so the minimum is always the drawn LTV), a
    weight of 2 doubles it, nothing changes outside the window, and without ``underwater_share`` the
    WOZ is returned as given and the stream is not drawn."""
    n = 20_000
    woz, debt = np.full(n, 1e6), np.full(n, 2e5)
    year = np.r_[np.full(n // 2, 2036.0), np.full(n // 2, 2050.0)]
    got = underwater_woz(np.random.default_rng(3), _UNDERWATER, woz, debt=debt, maturity_year=year)
    ltv = debt / got
    under = got < woz
    assert not under[n // 2:].any()
    assert abs(under[: n // 2].mean() - 0.25) < 0.015
    assert (ltv[under] >= 1.0).all() and (ltv[under] < 1.4).all()
    assert abs(np.median(ltv[under]) - 1.2) < 0.02
    twice = underwater_woz(np.random.default_rng(3), _UNDERWATER, woz, debt=debt, maturity_year=year, weight=np.full(n, 2.0))
    assert abs((twice[: n // 2] < woz[: n // 2]).mean() - 0.5) < 0.02
    rng = np.random.default_rng(3)
    assert (underwater_woz(rng, {}, woz, debt=debt, maturity_year=year) == woz).all()
    assert rng.random() == np.random.default_rng(3).random()


def test_underwater_loans_in_the_window(io_tables: dict[str, pd.DataFrame]) -> None:
    """Planted truth / property: the packaged parameters put a share of the dated loans whose planted first
    maturity year is in the window under water (debt now / planted WOZ in [ltv_lo, ltv_hi)); outside the
    window only the other WOZ draws do.  At seed 11 (about 1,900 dated loans) the share in that LTV range
    is at least 12 points higher in the window than outside (the planted chance is underwater_share x
    weight, about 0.2 for weight 1)."""
    from cohorts.synth.params import load_params

    p = load_params().io_stock
    t = io_tables["truth_io"]
    dated = t["planted_refi_year"].notna().to_numpy()
    year = t["planted_refi_year"].astype("float64").to_numpy()
    ratio = t["planted_debt_now"].to_numpy() / t["planted_woz_value"].to_numpy()
    in_range = (ratio >= p["underwater_ltv_lo"]) & (ratio < p["underwater_ltv_hi"])
    window = dated & (year >= p["underwater_first_year"]) & (year <= p["underwater_last_year"])
    outside = dated & ~window & (year >= 2020)
    assert window.sum() > 300 and outside.sum() > 300
    assert in_range[window].mean() - in_range[outside].mean() >= 0.12


def test_peaked_years_share_centre_and_spread() -> None:
    """Planted truth: a share q of the years is replaced (s.e. 0.35 pp at 20,000 draws) by whole years
    around the centre with the asked spread; the others stay; the centre 2037.5 with sd 0 rounds half
    to even (2038); without the key nothing changes and nothing is drawn (two draws per year with it)."""
    years = np.repeat(np.arange(2020, 2060), 500)
    params = {"maturity_peak_share": 0.3, "maturity_peak_year": 2037.5, "maturity_peak_sd": 2.0}
    rng = np.random.default_rng(5)
    out = peaked_years(rng, params, years)
    u = np.random.default_rng(5).random(len(years))
    g = np.random.default_rng(5)
    g.random(len(years))
    z = g.standard_normal(len(years))
    assert rng.random() == g.random()  # exactly two draws per year
    moved = u < 0.3
    assert abs(moved.mean() - 0.3) < 0.011
    assert (out[~moved] == years[~moved]).all()
    assert (out[moved] == np.rint(2037.5 + 2.0 * z[moved])).all()
    assert abs(out[moved].mean() - 2037.5) < 0.05 and abs(out[moved].std() - np.sqrt(4 + 1 / 12)) < 0.05
    point = {"maturity_peak_share": 1.0, "maturity_peak_year": 2037.5, "maturity_peak_sd": 0.0}
    assert (peaked_years(np.random.default_rng(0), point, years[:3]) == 2038).all()
    r = np.random.default_rng(3)
    assert (peaked_years(r, {}, years) == years).all() and r.random() == np.random.default_rng(3).random()


def test_couple_maturities_assigns_the_peaked_years(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property: the coupled first-maturity years are the peaked years of the contracts, reassigned (the
    same multiset up to the minimum-term floor), so the peak share changes the marginal only."""
    lld = io_tables["lld"]
    snap = lld[lld[C.SNAPSHOT_YEAR] == 2016]
    io = snap[snap[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES)]
    dti = pd.Series(1.0, index=np.unique(io[C.LOAN_ID].to_numpy()))
    params = {"maturity_dti_rho": 0.0, "coupled_min_term_years": 0,
              "maturity_peak_share": 1.0, "maturity_peak_year": 2040, "maturity_peak_sd": 0.0}
    new = couple_maturities(np.random.default_rng(2), params, snap=snap, debt_to_income=dti)
    first = pd.Series(new.reindex(io[C.LOAN_PART_ID].to_numpy()).to_numpy(), index=io[C.LOAN_ID].to_numpy())
    year = first.groupby(level=0).min().dt.year.dropna()  # NaT: the panel's parts without a maturity
    assert len(year) > 2_000 and (year == 2040).all()


def test_woz_low_factor_per_loan_parameters_match_scalar() -> None:
    """Cross-check of two implementations: per-loan arrays equal to the scalar parameters give the same
    factors (same two draws per loan); loans given another mu / sigma / share get exactly
    exp(mu_i + sigma_i z) on the same draws (hand-worked from the scalar run: f^(sigma_i / sigma) x
    exp(mu_i - mu sigma_i / sigma)), and a share of 0 keeps a loan out of the tail."""
    params = {"woz_low_share": 0.3, "woz_low_log_mu": -1.0, "woz_low_log_sigma": 0.3}
    n = 5_000
    f = woz_low_factor(np.random.default_rng(7), params, n)
    g = woz_low_factor(np.random.default_rng(7), params, n, share=np.full(n, 0.3), log_mu=np.full(n, -1.0),
                       log_sigma=np.full(n, 0.3))
    assert np.array_equal(f, g)
    second = np.arange(n) >= n // 2
    mu = np.where(second, -0.6, -1.0)
    sd = np.where(second, 0.15, 0.3)
    share = np.where(np.arange(n) % 10 == 0, 0.0, 0.3)
    h = woz_low_factor(np.random.default_rng(7), params, n, share=share, log_mu=mu, log_sigma=sd)
    z = (np.log(f) + 1.0) / 0.3  # the scalar run's normal draw where the loan is in the tail
    tail = (f != 1.0) & (share > 0)
    assert np.allclose(h[tail], np.exp(mu[tail] + sd[tail] * z[tail]))
    assert (h[share == 0] == 1.0).all() and (h[(f == 1.0)] == 1.0).all()
    assert abs(np.median(h[tail & second]) - np.exp(-0.6)) < 0.02


def _persons(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({C.PERSON_ID: np.arange(n, dtype="int64"), C.BIRTH_YEAR: np.full(n, 1970),
                         C.GROSS_INCOME: rng.uniform(30_000, 90_000, n).round(), C.ZZP: np.zeros(n, dtype=bool)})


def test_replacement_coupled_to_debt_to_income() -> None:
    """Property / cross-check: without a rank (or with ``replacement_dti_rho`` 0) the output is the same
    (same draws); with rho 0.6 only the pension entitlements change, and the attainable pension per
    euro of labour income of the most stretched fifth of households (rank > 0.8) is below the least
    stretched fifth's (uniform 0.45-0.81: a Gaussian copula with rho 0.6 moves the fifths' mean
    replacement by about +-0.08 each; s.e. of a fifth's mean 0.003 at 4,000 persons)."""
    from cohorts.synth.params import load_params

    params = {**load_params().io_stock, "thin_pension_share": 0.0}  # the thin-pension group: the test below
    persons = _persons(20_000)
    rank = np.linspace(0.0, 1.0, len(persons))
    plain = income_pension(np.random.default_rng(5), {**params, "replacement_dti_rho": 0.6}, persons)
    zero = income_pension(np.random.default_rng(5), {**params, "replacement_dti_rho": 0.0}, persons, dti_rank=rank)
    pd.testing.assert_frame_equal(plain, zero)
    coupled = income_pension(np.random.default_rng(5), {**params, "replacement_dti_rho": 0.6}, persons, dti_rank=rank)
    pension_cols = [C.PENSION_ATTAINABLE_ACTIVE, C.PENSION_ATTAINABLE_INACTIVE, C.PENSION_ACCRUED]
    pd.testing.assert_frame_equal(plain.drop(columns=pension_cols), coupled.drop(columns=pension_cols))
    emp = coupled[C.LABOUR_STATUS].to_numpy() == "employee"
    top, bottom = (rank > 0.8)[emp], (rank < 0.2)[emp]

    def replacement(frame: pd.DataFrame) -> np.ndarray:
        e = frame.loc[emp]
        return (e[C.PENSION_ATTAINABLE_ACTIVE] + e[C.PENSION_ATTAINABLE_INACTIVE]).to_numpy() / e[C.WAGES].to_numpy()

    rr, rr0 = replacement(coupled), replacement(plain)
    assert rr[bottom].mean() - rr[top].mean() > 0.1
    assert abs(rr0[bottom].mean() - rr0[top].mean()) < 0.02


def test_thin_pension_group_share_weight_and_size() -> None:
    """Property / cross-check (round 4): the thin-pension group draws one extra uniform after the others,
    so every column but the pension entitlements equals the run without the group, and there each
    person's entitlements are either unchanged or ``thin_pension_factor`` (0.5 here) times them.  With
    factor 0, share q = 0.05 and power k = 7 the chance is q (k + 1) r^k: on average q; in the most
    stretched fifth (r > 0.8) q (1 - 0.8^8) / 0.2 = 0.208 (s.e. 0.008 at about 3,000 employees); in the
    least stretched fifth q 0.2^7 = 6e-7."""
    from cohorts.synth.params import load_params

    params = {**load_params().io_stock, "thin_pension_dti_power": 7}
    persons = _persons(20_000)
    rank = np.linspace(0.0, 1.0, len(persons))
    pension_cols = [C.PENSION_ATTAINABLE_ACTIVE, C.PENSION_ATTAINABLE_INACTIVE, C.PENSION_ACCRUED]
    plain = income_pension(np.random.default_rng(5), {**params, "thin_pension_share": 0.0}, persons, dti_rank=rank)
    half = income_pension(np.random.default_rng(5), {**params, "thin_pension_share": 0.05, "thin_pension_factor": 0.5},
                          persons, dti_rank=rank)
    pd.testing.assert_frame_equal(plain.drop(columns=pension_cols), half.drop(columns=pension_cols))
    att0 = (plain[C.PENSION_ATTAINABLE_ACTIVE] + plain[C.PENSION_ATTAINABLE_INACTIVE]).to_numpy()
    att1 = (half[C.PENSION_ATTAINABLE_ACTIVE] + half[C.PENSION_ATTAINABLE_INACTIVE]).to_numpy()
    pos = att0 > 1000
    ratio = att1[pos] / att0[pos]
    unchanged, halved = np.abs(ratio - 1.0) < 0.01, np.abs(ratio - 0.5) < 0.01
    assert (unchanged | halved).all() and halved.sum() > 0

    none = income_pension(np.random.default_rng(5), {**params, "thin_pension_share": 0.05, "thin_pension_factor": 0.0},
                          persons, dti_rank=rank)
    emp = (none[C.LABOUR_STATUS].to_numpy() == "employee") & (none[C.WAGES].to_numpy() > 0)
    thin = (none[C.PENSION_ATTAINABLE_ACTIVE] + none[C.PENSION_ATTAINABLE_INACTIVE]).to_numpy() == 0
    assert (att0[emp] > 0).all()
    assert thin[emp].mean() == pytest.approx(0.05, abs=0.01)
    assert thin[emp & (rank > 0.8)].mean() == pytest.approx(0.208, abs=0.03)
    assert thin[emp & (rank < 0.2)].mean() < 0.002


def test_plan_low_income_hand_worked() -> None:
    """Hand-worked (round 5): with share q = 1 and power k = 0 the chance q (k + 1) r^k is 1, so the group
    is exactly the dated households among the eligible loans: loans 1, 2 and 4 (3 is perpetual, 5 not
    eligible); their factors are lo + (hi - lo) u with u the second uniform draw of each of the three
    (the first decides membership): 0.2 + 0.2 u.  Without ``low_income_share`` no draw, empty result."""
    hh = pd.DataFrame({C.LOAN_ID: [4, 1, 3, 2, 5], "kind": ["dated", "dated", "age", "dated", "dated"]})
    dti = pd.Series([5.0, 9.0, 7.0, 3.0, 8.0], index=[1, 2, 3, 4, 5])
    params = {"low_income_share": 1.0, "low_income_dti_power": 0.0, "low_income_factor_lo": 0.2,
              "low_income_factor_hi": 0.4}
    out = plan_low_income(np.random.default_rng(9), params, households=hh, debt_to_income=dti,
                          eligible=np.array([1, 2, 3, 4]))
    u = np.random.default_rng(9)
    u.random(3)  # membership
    expected = 0.2 + 0.2 * u.random(3)
    assert out.index.tolist() == [1, 2, 4]
    np.testing.assert_allclose(out.to_numpy(), expected)
    none = plan_low_income(np.random.default_rng(9), {}, households=hh, debt_to_income=dti, eligible=np.array([1, 2]))
    assert none.empty


def test_plan_low_income_leans_to_the_stretched() -> None:
    """Property (round 5): chance q (k + 1) r^k with q = 0.05, k = 7, r the rank among the eligible dated
    households: on average q (s.e. 0.0015 at 20,000); in the most stretched fifth q (1 - 0.8^8) / 0.2 =
    0.208 (s.e. 0.006 at 4,000); in the least stretched fifth q 0.2^7 = 6e-7.  Factors in [lo, hi]."""
    n = 20_000
    hh = pd.DataFrame({C.LOAN_ID: np.arange(n), "kind": "dated"})
    dti = pd.Series(np.random.default_rng(1).permutation(n).astype(float), index=np.arange(n))
    params = {"low_income_share": 0.05, "low_income_dti_power": 7, "low_income_factor_lo": 0.15,
              "low_income_factor_hi": 0.45}
    out = plan_low_income(np.random.default_rng(2), params, households=hh, debt_to_income=dti, eligible=np.arange(n))
    r = dti.to_numpy() / (n - 1)
    inside = np.isin(np.arange(n), out.index.to_numpy())
    assert inside.mean() == pytest.approx(0.05, abs=0.006)
    assert inside[r > 0.8].mean() == pytest.approx(0.208, abs=0.025)
    assert inside[r < 0.2].sum() == 0
    assert out.between(0.15, 0.45).all() and out.std() > 0.05


def test_apply_income_factors_hand_worked() -> None:
    """Hand-worked: factor 0.5 on person 7 changes only its 2017 record, 40,001 -> 20,000 (20,000.5
    rounded half to even); its 2016 record (30,000) and person 8 (factor absent) stay."""
    frame = pd.DataFrame({C.PERSON_ID: [7, 7, 8], C.YEAR: np.array([2016, 2017, 2017], dtype=np.int16),
                          C.GROSS_INCOME: [30_000.0, 40_001.0, 50_000.0]})
    factors = pd.Series([0.5], index=pd.Index([7], name=C.PERSON_ID))
    out = next(apply_income_factors([frame.copy()], factors, year=2017))
    assert out[C.GROSS_INCOME].tolist() == [30_000.0, 20_000.0, 50_000.0]
    assert out[C.YEAR].tolist() == [2016, 2017, 2017]


def test_income_factor_keeps_the_career_pension() -> None:
    """Cross-check (round 5): a person whose 2017 income was cut by f (``income_factor`` f) has the
    wages of the cut income but the pension entitlements of the uncut one (same draws: every other
    column equal up to the rounding of the cut income)."""
    from cohorts.synth.params import load_params

    params = load_params().io_stock
    persons = _persons(2_000)
    f = np.where(np.arange(len(persons)) % 2 == 0, 0.25, 1.0)
    cut = persons.assign(**{C.GROSS_INCOME: persons[C.GROSS_INCOME].to_numpy() * f})
    rank = np.linspace(0.0, 1.0, len(persons))
    plain = income_pension(np.random.default_rng(4), params, persons, dti_rank=rank)
    low = income_pension(np.random.default_rng(4), params, cut, dti_rank=rank, income_factor=f)
    pension_cols = [C.PENSION_ATTAINABLE_ACTIVE, C.PENSION_ATTAINABLE_INACTIVE, C.PENSION_ACCRUED]
    np.testing.assert_allclose(low[pension_cols].to_numpy(), plain[pension_cols].to_numpy(), atol=1.0)
    emp = plain[C.LABOUR_STATUS].to_numpy() == "employee"
    np.testing.assert_allclose(low.loc[emp, C.WAGES].to_numpy(), plain.loc[emp, C.WAGES].to_numpy() * f[emp])
    assert (low[C.LABOUR_STATUS] == plain[C.LABOUR_STATUS]).all()


def _debt_to_income_by_loan(io_tables: dict[str, pd.DataFrame]) -> pd.Series:
    lld, key, cbs = io_tables["lld"], io_tables["key"], io_tables["cbs"]
    s = lld.loc[lld[C.SNAPSHOT_YEAR] == 2016]
    debt = s.groupby(C.LOAN_ID)[C.CURRENT_BALANCE].sum()
    c = cbs.loc[cbs[C.YEAR] == 2017].drop_duplicates(C.PERSON_ID).set_index(C.PERSON_ID)
    person = key.drop_duplicates(C.LOAN_ID).set_index(C.LOAN_ID)[C.PERSON_ID].reindex(debt.index)
    own = c[C.GROSS_INCOME].reindex(person.to_numpy()).to_numpy(dtype="float64")
    partner = c[C.PARTNER_ID].reindex(person.to_numpy()).to_numpy() if C.PARTNER_ID in c else np.full(len(own), np.nan)
    other = c[C.GROSS_INCOME].reindex(partner).to_numpy(dtype="float64")
    y = own + np.nan_to_num(other)
    return (debt / pd.Series(y, index=debt.index)).where(lambda x: np.isfinite(x) & (x > 0))


def test_perpetuals_lean_to_low_debt_to_income(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property (planted direction, ``perpetual_dti_tilt`` = 0.6): the perpetual households' median
    debt / 2017 household income is below the dated households' (about 3,500 IO households, so the
    medians' difference is many standard errors), and their share among the lowest-ratio third is above
    the highest-ratio third's."""
    t = io_tables["truth_io"].set_index(C.LOAN_ID)
    dti = _debt_to_income_by_loan(io_tables).reindex(t.index)
    perp = t["planted_perpetual_admin"] | t["planted_perpetual_age"]
    ok = dti.notna()
    assert ok.mean() > 0.9
    assert dti[ok & perp].median() < dti[ok & ~perp].median()
    third = pd.qcut(dti[ok], 3, labels=False)
    assert perp[ok][third == 0].mean() > perp[ok][third == 2].mean() + 0.1


def _low_woz_by_dti_third(io_tables: dict[str, pd.DataFrame]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per IO household with an income: WOZ below half the LLD-implied value, its debt / income third
    among them (0 lowest, 2 highest) and the perpetual flag."""
    lld, t = io_tables["lld"], io_tables["truth_io"].set_index(C.LOAN_ID)
    s = lld.loc[lld[C.SNAPSHOT_YEAR] == 2016]
    hv = s.groupby(C.LOAN_ID)[C.CURRENT_BALANCE].sum() / (s.groupby(C.LOAN_ID)[C.CURRENT_LTV].first() / 100)
    low = ((t["planted_woz_value"] / hv.reindex(t.index)) < 0.5).to_numpy()
    dti = _debt_to_income_by_loan(io_tables).reindex(t.index)
    ok = dti.notna().to_numpy()
    third = pd.qcut(dti[ok], 3, labels=False).to_numpy()
    perpetual = (t["planted_perpetual_admin"] | t["planted_perpetual_age"]).to_numpy()
    return low[ok], third, perpetual[ok]


def test_low_woz_tail_leans_to_high_debt_to_income(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property (planted direction, round 3 ``woz_low_dti_power`` = 9; perpetuals: round 9, 9): WOZ below
    half the LLD-implied value is more frequent in the highest debt / income third than in the lowest."""
    low, third, _ = _low_woz_by_dti_third(io_tables)
    assert low[third == 2].mean() > 2 * low[third == 0].mean()


def test_perpetual_low_woz_tail_concentrates_on_the_stretched(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property (planted direction, round 9 ``woz_low_dti_power_perpetual`` = 9): among the perpetual
    households, WOZ below half the LLD-implied value is more than five times as frequent in the highest
    debt / income third (of all loans) as in the lower two thirds (chance weight 10 r^9: a mean of 2.95
    against 0.026; power 1 gave 1.67 against 0.67)."""
    low, third, perpetual = _low_woz_by_dti_third(io_tables)
    top, rest = perpetual & (third == 2), perpetual & (third < 2)
    assert top.sum() > 100 and rest.sum() > 500
    assert low[top].mean() > 0.05 and low[top].mean() > 5 * low[rest].mean()


def test_fully_io_share_planted(io_tables: dict[str, pd.DataFrame]) -> None:
    """Planted truth: the truth's fully-IO flag agrees with the written end-2016 parts, and about half
    of the IO households are fully IO (``fully_io_share`` = 0.5; 3,500 households, s.e. 0.9 pp)."""
    lld, t = io_tables["lld"], io_tables["truth_io"].set_index(C.LOAN_ID)
    s = lld.loc[lld[C.SNAPSHOT_YEAR] == 2016]
    full = s[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).groupby(s[C.LOAN_ID]).all().reindex(t.index)
    assert (full.to_numpy() == t["planted_fully_io"].to_numpy()).all()
    assert abs(t["planted_fully_io"].mean() - 0.50) <= 0.03


def test_plan_extra_io_candidates_and_part_hand_worked() -> None:
    """Hand-worked (round 4): four end-2016 mortgages, all eligible and kept.  Loan 1 has an IO part
    (counts as had: 1); loan 2's parts are all from before 2012; loan 3's oldest part is from 2005 and
    its larger part from 2014 (a further advance); loan 4 originated in 2013.  A target of 3 at scale 1
    needs 2 more: the only candidates are loans 2 and 3 (oldest part before 2012, no IO part), and the
    part recoded is each one's largest part originated before 2012: 21 (the larger of 21 and 22) and 31
    (not the larger 2014 part 32)."""
    t = pd.Timestamp
    snap = pd.DataFrame({
        C.LOAN_ID: [1, 1, 2, 2, 3, 3, 4],
        C.LOAN_PART_ID: [11, 12, 21, 22, 31, 32, 41],
        C.REPAYMENT_TYPE: ["interest_only", "annuity", "annuity", "linear", "annuity", "annuity", "annuity"],
        C.ORIGINATION_DATE: [t("2004-01-01"), t("2004-01-01"), t("2008-05-01"), t("2009-01-01"), t("2005-03-01"),
                             t("2014-06-01"), t("2013-02-01")],
        C.CURRENT_BALANCE: [100.0, 50.0, 90.0, 40.0, 30.0, 200.0, 300.0],
    })
    loans = np.array([1, 2, 3, 4], dtype="int64")
    out = plan_extra_io(np.random.default_rng(0), {"io_households_target": 3}, snap=snap, eligible_loans=loans,
                        kept_loans=loans, scale=1.0)
    assert out.index.tolist() == [21, 31]
    assert (out == C.INTEREST_ONLY).all()
    # a target already met recodes nothing; the target beyond the candidates recodes all of them
    assert plan_extra_io(np.random.default_rng(0), {"io_households_target": 1}, snap=snap, eligible_loans=loans,
                         kept_loans=loans, scale=1.0).empty
    big = plan_extra_io(np.random.default_rng(0), {"io_households_target": 10}, snap=snap, eligible_loans=loans,
                        kept_loans=loans, scale=1.0)
    assert big.index.tolist() == [21, 31]


def test_low_income_group_cut_incomes_and_own_woz_tail(io_tables: dict[str, pd.DataFrame]) -> None:
    """Planted truth / property (round 5): the households whose 2017 CBS income was cut
    (``plan_low_income``: 4.5% x 8 r^7 of the dated pre-2012 stock households, factor 0.15-0.45) are
    dated, and their WOZ tail is their own: chance 0.6 unweighted at factor exp(N(-1.0, 0.08)), so with
    the main noise (sigma 0.2) about 0.6 x 0.94 = 0.56 of them have a WOZ below half the LLD-implied
    value, against about 0.165 x 0.24 x weight for the other dated households (s.e. of the group's share
    about 0.055 at some 85 households; without the group's own tail 0.26, test fails)."""
    world = build_world(scale=SCALE, seed=SEED)
    cbs, cbs0 = io_tables["cbs"], cbs_persons(world)
    cut_persons = cbs.loc[cbs[C.GROSS_INCOME].to_numpy() != cbs0[C.GROSS_INCOME].to_numpy(), C.PERSON_ID]
    key, truth, lld = io_tables["key"], io_tables["truth_io"], io_tables["lld"]
    group = np.unique(key.loc[key[C.PERSON_ID].isin(cut_persons), C.LOAN_ID].to_numpy())
    t = truth.set_index(C.LOAN_ID)
    assert len(group) >= 30 and set(group) <= set(t.index)
    assert t.loc[group, "planted_refi_year"].notna().all()  # dated only
    s = lld.loc[lld[C.SNAPSHOT_YEAR] == 2016]
    hv = s.groupby(C.LOAN_ID)[C.CURRENT_BALANCE].sum() / (s.groupby(C.LOAN_ID)[C.CURRENT_LTV].first() / 100)
    low = (t["planted_woz_value"] / hv.reindex(t.index)) < 0.5
    dated = t["planted_refi_year"].notna()
    in_group = t.index.isin(group)
    assert 0.35 <= low[in_group].mean() <= 0.8
    assert low[dated & ~in_group].mean() < 0.15


_VOLUNTARY = {"voluntary_near": 0.3, "voluntary_far": 0.1, "voluntary_half_years": 4.0,
              "voluntary_concentration": 1e12, "voluntary_max": 0.17, "voluntary_perpetual_age": 67}


def _voluntary_snap() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Four loans: 1 dated (IO part + annuity part), 2 perpetual by age, 3 dated far off (an IO part with
    balance 0), 4 not an IO household."""
    snap = pd.DataFrame({
        C.LOAN_ID: [1, 1, 2, 3, 3, 4],
        C.LOAN_PART_ID: [11, 12, 21, 31, 32, 41],
        C.REPAYMENT_TYPE: [C.INTEREST_ONLY, "annuity", "investment", C.INTEREST_ONLY, C.INTEREST_ONLY, C.INTEREST_ONLY],
        C.CURRENT_BALANCE: [100_000.0, 40_000.0, 50_000.0, 80_000.0, 0.0, 70_000.0],
        C.ORIGINAL_BALANCE: [100_000.0, 60_000.0, 60_000.0, 80_000.0, 10_000.0, 70_000.0],
    })
    hh = pd.DataFrame({C.LOAN_ID: [3, 1, 2], "kind": ["dated", "dated", "age"],
                       "first_maturity": pd.to_datetime(["2045-03-01", "2020-06-01", None])})
    births = pd.Series([1970, 1956, 1980], index=[1, 2, 3])
    return snap, hh, births


def test_plan_voluntary_hand_worked() -> None:
    """Hand-worked (round 9): near 0.3, far 0.1, half 4 years, cap 0.17; a concentration of 1e12 makes
    the Beta draw its mean (sd below 1e-6).  Loan 1 (dated, first maturity 2020: g = 4) has
    m = 0.1 + 0.2 x 2^-1 = 0.2 > cap, so v = 0.17: its IO part (current 100,000) gets
    100,000 x 0.17 / 0.83 = 20,481.93 on top of its original 100,000; its annuity part is untouched.
    Loan 2 (perpetual, main earner born 1956, 60 at the snapshot: g = 67 - 60 = 7) has
    m = 0.1 + 0.2 x 2^-1.75 = 0.1 + 0.2 x 0.297302 = 0.159460: 50,000 x 0.159460 / 0.840540 = 9,485.59
    on top of its 60,000.  Loan 3 (dated, 2045: g = 29) has m = 0.1 + 0.2 x 2^-7.25 = 0.101314:
    80,000 x 0.101314 / 0.898686 = 9,018.85 on its first part; its second part has balance 0 and keeps
    its original (not in the result).  Loan 4 is not an IO household.  Without ``voluntary_near``
    nothing is planted."""
    snap, hh, births = _voluntary_snap()
    assert voluntary_mean(np.array([4.0, 7.0, 29.0]), near=0.3, far=0.1, half_years=4.0) == pytest.approx(
        [0.2, 0.159460, 0.101314], abs=1e-6)
    out = plan_voluntary(np.random.default_rng(3), _VOLUNTARY, snap=snap, households=hh, birth_main=births)
    assert out.index.tolist() == [11, 21, 31]
    assert out.to_numpy() == pytest.approx([120_481.93, 69_485.59, 89_018.85], abs=0.05)
    assert plan_voluntary(np.random.default_rng(3), {}, snap=snap, households=hh, birth_main=births).empty


def test_plan_voluntary_bad_parameters() -> None:
    """Bad input: a mean fraction outside [0, 1), a non-positive half-life or a cap outside (0, 1) is an
    error naming the block and the keys."""
    snap, hh, births = _voluntary_snap()
    for key, value in (("voluntary_near", 1.0), ("voluntary_half_years", 0.0), ("voluntary_max", 1.0)):
        with pytest.raises(ValueError, match=rf"\[io_stock\] .*{key}"):
            plan_voluntary(np.random.default_rng(3), {**_VOLUNTARY, key: value}, snap=snap, households=hh,
                           birth_main=births)


def test_plan_voluntary_mean_fraction_recovered() -> None:
    """Planted truth (round 9): 20,000 dated households all 4 years from maturity, near 0.3, far 0.1,
    half 4, concentration 1, no effective cap: the repaid fraction (original - current) / original
    averages m = 0.2 (Beta mean; sd sqrt(0.2 x 0.8 / 2) = 0.283, SE 0.002 -> 4 SE = 0.008), most repay
    little (the Beta(0.2, 0.8) median is far below its mean) and every fraction is below the cap."""
    n = 20_000
    snap = pd.DataFrame({C.LOAN_ID: np.arange(n), C.LOAN_PART_ID: np.arange(n),
                         C.REPAYMENT_TYPE: np.full(n, C.INTEREST_ONLY),
                         C.CURRENT_BALANCE: np.full(n, 100_000.0), C.ORIGINAL_BALANCE: np.full(n, 100_000.0)})
    hh = pd.DataFrame({C.LOAN_ID: np.arange(n), "kind": "dated",
                       "first_maturity": pd.Timestamp("2020-01-01")})
    params = {**_VOLUNTARY, "voluntary_concentration": 1.0, "voluntary_max": 0.999}
    out = plan_voluntary(np.random.default_rng(8), params, snap=snap, households=hh,
                         birth_main=pd.Series(1970, index=np.arange(n)))
    orig = out.reindex(np.arange(n)).fillna(100_000.0).to_numpy()
    v = 1.0 - 100_000.0 / orig
    assert v.mean() == pytest.approx(0.2, abs=0.008)
    assert np.median(v) < 0.05 and v.max() < 0.999 + 1e-9


def test_voluntary_repayment_nears_the_maturity(io_tables: dict[str, pd.DataFrame]) -> None:
    """Property (round 9, the direction Figuur 2 shows): on the twin, the IO parts' repaid fraction
    (original - current) / original of dated households averages more with at most 5 years to their
    first maturity than with more than 15, and the perpetual households repay more than the dated ones
    more than 15 years off (older: seed 1906-1911)."""
    lld, truth = io_tables["lld"], io_tables["truth_io"].set_index(C.LOAN_ID)
    snap = lld.loc[(lld[C.SNAPSHOT_YEAR] == 2016) & lld[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES)]
    by = snap.groupby(C.LOAN_ID)[[C.ORIGINAL_BALANCE, C.CURRENT_BALANCE]].sum().reindex(truth.index)
    frac = (1.0 - by[C.CURRENT_BALANCE] / by[C.ORIGINAL_BALANCE]).to_numpy()
    refi = truth["planted_refi_year"].astype("float64").to_numpy()
    perpetual = (truth["planted_perpetual_admin"] | truth["planted_perpetual_age"]).to_numpy()
    near, far = ~perpetual & (refi - 2016 <= 5), ~perpetual & (refi - 2016 > 15)
    assert near.sum() > 30 and far.sum() > 300
    assert frac[near].mean() > frac[far].mean() + 0.05
    assert frac[perpetual].mean() > frac[far].mean()
