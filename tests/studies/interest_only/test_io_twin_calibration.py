"""Calibration of the synthetic twin's interest-only block to the study: sample size, ages and (round 3) the tree.

Kinds of test (each test's docstring starts with its kind):

* **calibration**: twins at scale 0.03 on two seeds nobody tuned on (1 and 2; the ``[io_stock]``
  block of ``src/cohorts/synth/params.toml`` was tuned on seed 20221) are read by the study's
  unchanged population builder; the shares the block calibrates must be within a tolerance of the
  report's number.  Each tolerance = the calibration's remaining miss on seed 20221 (scale 0.1,
  ``docs/io_calibration.md``) + 3 sampling standard errors at scale 0.03 (about 57,000 IO households,
  24,500 perpetuals, 32,500 refinancing households), rounded up; the s.e. is written beside each.
* **calibration (round 3)**: the same twins through the study's unchanged chain (``prepare`` ->
  ``outcomes``, base scenario, social-assistance levels 0): the scale-free shares round 3 moved (forced
  sales per step-4 failure, the forced sales' reason overlap, LTV > 200%, maturity mix and residual
  debts, the perpetuals' agility at the event year).  Tolerance = the remaining miss on seed 20221 at
  scale 0.1 (``docs/io_calibration.md``, round 3) + 3 binomial standard errors at scale 0.03 (about
  3,100 step-4 failures, 1,300 forced sales, 25,000 perpetuals), rounded up; each test names both.
  On the round-2 generator (base commit f6e9736) 6 of these 12 (test, seed) cases fail; the step-4
  share passes there too (it guards the kept headline number IO_TXT_fail_annuity_n).
* **property**: the birth years the block moves are those of pre-2012 stock households only, moved
  to older ages (the first study's cohorts are untouched).

Round 4 (``docs/io_calibration.md``) reached the sample sizes and the forced sales (count, share of the
step-4 failures, maturity mix) at the cost of the step-4 count; the tolerances above are round 4's.
Round 5 added the measurement signs of the forced sales failing on income (a low 2017 income, with and
without LTV > 200%) and widened the LTV > 200% tolerance among all forced sales by its new miss.
* **calibration** (round 6): the refinancing years peak in the housing crisis's trough (2035-2039).
* **calibration** (round 7): the housing crisis started in 2030 forces sales and leaves residual debts at
  the study's shares (the under-water loans).
* **property** (round 5): the 2017 gross incomes the block cuts are those of pre-2012 stock persons only,
  lower, in 2017 only.
* **calibration** (round 9): about half the perpetuals not agile at the event year fail the affordability
  test (the deep WOZ tail on the stretched perpetuals), and Figuur 2's medians (the voluntary repayment).
* **calibration** (round 10): the rate rise and the recession add their step-4 failures in the same
  refinancing years with the rate on 1 January of T (the study's reading of A5), a year apart with the
  rate of year T (the alternative); at scale 0.03 the peaks are 112-133 households against 62-72 beside them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts import scenarios as SC
from cohorts.norms.tables import load_tables
from cohorts.studies.interest_only.parameters import Parameters, load_parameters
from cohorts.studies.interest_only.project import outcomes, prepare
from cohorts.studies.interest_only.study_data import scenarios_path
from cohorts.studies.interest_only import columns as S
from cohorts.studies.interest_only.population import build_population, read_inputs
from cohorts.synth import kinds as K
from cohorts.synth import write_synthetic
from cohorts.synth.generator import build_world
from cohorts.synth.panel import cbs_persons

SCALE = 0.03


@pytest.fixture(scope="module", params=[1, 2], ids=["seed1", "seed2"])
def twin(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp(f"io_twin_cal{request.param}") / "panel"
    write_synthetic(out, scale=SCALE, seed=request.param)
    return request.param, out


@pytest.fixture(scope="module")
def households(twin: tuple[int, Path]) -> pd.DataFrame:
    inp = read_inputs(twin[1])
    return build_population(inp.lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling).households


def _prepared(folder: Path, scenario: str, *, params: Parameters, others: tuple[str, ...] = ()):
    """The population of the twin in ``folder``, its prepared frame under one packaged scenario (and ``others``),
    the scenario."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the engine's package notes on a small twin
        inp = read_inputs(folder)
        pop = build_population(inp.lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling)
        packaged = SC.load_scenarios(scenarios_path())
        scenarios = {n: packaged[n] for n in (scenario, *others)}
        prep = prepare(pop.households, pop.parts, params=params, tables=load_tables(), scenarios=scenarios)
    return pop, prep, scenarios[scenario]


def _tree(folder: Path, scenario: str, *, params: Parameters, start_year: int | None = None) -> pd.DataFrame:
    """Every household's tree outcome on the twin in ``folder`` under one packaged scenario."""
    _, prep, sc = _prepared(folder, scenario, params=params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return outcomes(prep, scenario=sc, start_year=start_year)


@pytest.fixture(scope="module")
def base_outcomes(twin: tuple[int, Path]) -> pd.DataFrame:
    """Every household's tree outcome under the base scenario (social-assistance levels 0)."""
    params = load_parameters().replace(social_assistance_single=0.0, social_assistance_couple=0.0)
    return _tree(twin[1], "base", params=params)


def _gt60(hh: pd.DataFrame) -> np.ndarray:
    return (2016 - hh[S.MAIN_BIRTH_YEAR].astype("int64")).to_numpy() > 60


@pytest.mark.slow
def test_io_households_per_million(households: pd.DataFrame) -> None:
    """Calibration: IO households at scale 1 = count / scale within 1.915-1.93 million (IO_F1_n_io_households
    1.92; round 4 plants 1.924 million after the study's selection, docs/io_calibration.md; rounds 1-3 ran
    out of candidates at 1.91; the count is planted, its noise is the dropped kinds', s.e. about 0.002
    million)."""
    n = len(households) / SCALE / 1e6
    assert 1.915 <= n <= 1.93


@pytest.mark.slow
def test_perpetuals_are_older(households: pd.DataFrame) -> None:
    """Calibration: main earner above 60 (2016) among perpetuals 47% +- 2 pp (IO_TXT_perp_age_gt60_share;
    s.e. 0.32 pp, miss on seed 20221 0.3 pp), among the refinancing households 19% +- 2 pp
    (IO_TXT_refi_age_gt60_share; s.e. 0.22 pp, miss 0.03 pp after round 4, 1.4 pp after round 3)."""
    p = households[S.PERPETUAL].to_numpy(dtype=bool)
    old = _gt60(households)
    assert abs(100 * old[p].mean() - 47.0) <= 2.0
    assert abs(100 * old[~p].mean() - 19.0) <= 2.0


@pytest.mark.slow
def test_retired_perpetuals(households: pd.DataFrame) -> None:
    """Calibration: retired (labour status pensioner) main earners among perpetuals 33.3% +- 5 pp
    (IO_TXT_perpetual_retired_share, 'één derde'; the study's own tolerance; s.e. 0.3 pp)."""
    p = households[S.PERPETUAL].to_numpy(dtype=bool)
    retired = households["labour_status_main"].astype(str).to_numpy() == "pensioner"
    assert abs(100 * retired[p].mean() - 33.3) <= 5.0


@pytest.mark.slow
def test_only_pre_2012_stock_persons_age(twin: tuple[int, Path]) -> None:
    """Property: the CBS birth years differ from the panel writer's only for persons of pre-2012 stock
    loans (kind ``pre_2012_stock``), and only towards older ages; some do move.  Round 5: so do the
    2017 gross incomes of the low-registered-income group, lower, in 2017 only."""
    seed, folder = twin
    world = build_world(scale=SCALE, seed=seed)
    base = cbs_persons(world)
    written = pd.read_parquet(folder / "cbs_persons.parquet")
    assert len(written) == len(base)
    moved_cols = [C.BIRTH_YEAR, C.GROSS_INCOME]
    pd.testing.assert_frame_equal(written.drop(columns=moved_cols), base.drop(columns=moved_cols))
    cut = written[C.GROSS_INCOME].to_numpy() != base[C.GROSS_INCOME].to_numpy()
    assert cut.sum() > 100 and (written.loc[cut, C.YEAR] == 2017).all()
    assert (np.abs(written[C.GROSS_INCOME].to_numpy()[cut]) <= np.abs(base[C.GROSS_INCOME].to_numpy()[cut])).all()
    moved = written[C.BIRTH_YEAR].to_numpy() != base[C.BIRTH_YEAR].to_numpy()
    assert moved.sum() > 1000
    assert (written[C.BIRTH_YEAR].to_numpy()[moved] < base[C.BIRTH_YEAR].to_numpy()[moved]).all()
    loans = world.loans
    own = loans.loc[loans["kind"].to_numpy() == K.CODE[K.PRE_2012_STOCK], "main_pid"].to_numpy()
    per = world.persons.set_index("person_id")
    partners = per["partner_id"].reindex(own).to_numpy()
    allowed = set(own.tolist()) | set(partners[partners >= 0].tolist())
    assert set(written.loc[moved, C.PERSON_ID].tolist()) <= allowed
    assert set(written.loc[cut, C.PERSON_ID].tolist()) <= allowed


def _pct(part: np.ndarray, whole: np.ndarray) -> float:
    return 100.0 * float(np.count_nonzero(part & whole)) / max(int(np.count_nonzero(whole)), 1)


@pytest.mark.slow
def test_step4_failures_share(base_outcomes: pd.DataFrame) -> None:
    """Calibration (round 4): step-4 failures 5% of the IO households +- 1.2 pp
    (IO_TXT_fail_annuity_share; 5.86% on seed 20221 at 0.1 in round 4, 5.76% in round 5, miss 0.86, s.e. 0.1
    pp at 57,000 households.
    Round 3 kept the headline IO_TXT_fail_annuity_n at 157,000 (5.47%, tolerance 0.8); round 4's
    thin-pension group traded it for the forced sales, 171,000 at scale 1, docs/io_calibration.md)."""
    o = base_outcomes
    fa = o[S.FAIL_ANNUITY].to_numpy(dtype=bool)
    assert abs(100.0 * fa.mean() - 5.0) <= 1.2


@pytest.mark.slow
def test_forced_sales_per_step4_failure(base_outcomes: pd.DataFrame) -> None:
    """Calibration (round 4): step-6 failures (forced sales) 50% of the step-4 failures +- 7.5 pp
    (IO_SUM_fail_io50_share_of_fail_annuity; 45.3% on seed 20221 at 0.1, round 5 45.6%, miss 4.7; s.e. 0.86 pp at
    3,340 failures; round 3 gave 42.4% and round 2 39.7%, outside this tolerance)."""
    o = base_outcomes
    fa, fs = (o[c].to_numpy(dtype=bool) for c in (S.FAIL_ANNUITY, S.FORCED_SALE))
    assert abs(_pct(fs, fa) - 50.0) <= 7.5


@pytest.mark.slow
def test_forced_sales_reasons_and_measurement_flag(base_outcomes: pd.DataFrame) -> None:
    """Calibration (round 4): among forced sales, LTI and LTV both binding 14% +- 7.3 pp
    (IO_TXT_forced_sale_both_share; 9.0% on seed 20221 at 0.1, miss 5.0; round 5: 10.3%; s.e. 0.74 pp at
    1,500 forced sales; round 3: 9.8%, round 2: 4.4%: the thin-pension group's forced sales are
    income-bound), and current LTV (debt / WOZ, end 2016) above 200% among all forced sales 4% +- 11.0 pp
    (IO_TXT_meas_ltv_gt200 counts those failing on income, 7.4%, test_income_measurement_sign_of_forced_sales;
    here 11.6% in round 4, 12.4% in round 5, miss 8.4; s.e. 0.8 pp; round 3: 11.8%, round 2: 23%)."""
    o = base_outcomes
    fs = o[S.FORCED_SALE].to_numpy(dtype=bool)
    both = o[S.LTI_BINDS_IO50].to_numpy(dtype=bool) & o[S.LTV_BINDS_IO50].to_numpy(dtype=bool)
    assert abs(_pct(both, fs) - 14.0) <= 7.3
    ltv0 = o[S.DEBT_NOW].to_numpy(dtype="float64") / o[S.HOUSE_VALUE_NOW].to_numpy(dtype="float64")
    assert abs(_pct(ltv0 > 2.0, fs) - 4.0) <= 11.0


@pytest.mark.slow
def test_forced_sales_mature_late_and_mostly_repay(base_outcomes: pd.DataFrame) -> None:
    """Calibration (round 4): forced sales maturing >= 10 years after 2020 84% +- 3.6 pp
    (IO_TXT_forced_sale_ge10y_share; 84.9% on seed 20221 at 0.1, miss 0.9; s.e. 0.9 pp at 1,500 forced
    sales; round 3: 82.4%, round 2: 75.7%), and forced sales without a residual debt 75% +- 4.6 pp
    (IO_TXT_sale_repays_share; 76.3%, miss 1.3; s.e. 1.1 pp; round 3: 73.1%, round 2: 67.5%)."""
    o = base_outcomes
    fs = o[S.FORCED_SALE].to_numpy(dtype=bool)
    years = o[S.YEARS_TO_REFI].to_numpy(dtype="float64", na_value=np.nan)
    assert abs(_pct(years >= 10, fs) - 84.0) <= 3.6
    residual = o[S.RESIDUAL_DEBT].to_numpy(dtype=bool)
    assert abs(_pct(~residual, fs) - 75.0) <= 4.6


@pytest.mark.slow
def test_perpetuals_not_agile_at_event(base_outcomes: pd.DataFrame) -> None:
    """Calibration (round 3): perpetual households with house value below the debt at the event year
    2% +- 0.4 pp (IO_TXT_perpetual_not_agile_share; 1.90% on seed 20221 at 0.1 after round 4, miss 0.1;
    s.e. 0.085 pp at 25,000 perpetuals; round 3: 1.79%, round 2: 1.38%)."""
    o = base_outcomes
    p = o[S.PERPETUAL].to_numpy(dtype=bool)
    not_agile = (pd.array(o[S.AGILE_AT_EVENT], dtype="boolean") == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    assert abs(_pct(not_agile, p) - 2.0) <= 0.4


def _income_signs(o: pd.DataFrame) -> tuple[float, float]:
    """Shares (%) of the forced sales failing on income (LTI binding in the 50%-IO test) with a 2017
    income below the packaged net social-assistance level only, and with LTV > 200% too."""
    from cohorts.studies.interest_only.tree import social_assistance_level

    fs = o[S.FORCED_SALE].to_numpy(dtype=bool) & o[S.LTI_BINDS_IO50].to_numpy(dtype=bool)
    level = social_assistance_level(o, params=load_parameters())["level"].to_numpy(dtype="float64")
    low = o[S.INCOME_NOW].to_numpy(dtype="float64") < level
    high = o[S.DEBT_NOW].to_numpy(dtype="float64") / o[S.HOUSE_VALUE_NOW].to_numpy(dtype="float64") > 2.0
    return _pct(low & ~high, fs), _pct(low & high, fs)


@pytest.mark.slow
def test_income_measurement_sign_of_forced_sales(base_outcomes: pd.DataFrame) -> None:
    """Calibration (round 5): among the forced sales failing on income, a 2017 income below the
    social-assistance level (the packaged net proxy) without LTV > 200% 15% +- 2.9 pp
    (IO_TXT_meas_income_below_assistance; 14.5% on seed 20221 at 0.1, miss 0.5; s.e. 0.8 pp at about
    2,100 such forced sales at 0.03; round 4: 0.2%), and with LTV > 200% too 5% +- 1.5 pp
    (IO_TXT_meas_both; 5.0%, miss 0.0; s.e. 0.48 pp; round 4: 0.02%)."""
    income_only, both = _income_signs(base_outcomes)
    assert abs(income_only - 15.0) <= 2.9
    assert abs(both - 5.0) <= 1.5



def test_maturities_peak_in_the_crisis_trough(households: pd.DataFrame) -> None:
    """Calibration (round 6): of the households with a refinancing moment, 42% +- 1.4 pp refinance in the
    five years 2035-2039, the floor of the housing crisis started in 2030 (its year-ends 2034-2038 read
    on 1 January of T; IO_TXT_crisis_trough_expiry_share, seed 3365-3370), and 10% +- 1.2 pp in 2034 or
    2040 (IO_TXT_crisis_no_rise_share: house values not above end 2016); 2035-2039 is the busiest
    five-year span, so the floor criterion times the crisis in 2030 (IO_F15_crisis_start).  Tolerance =
    the miss on seed 20221 at scale 0.1 (42.5%, 9.85%; docs/io_calibration.md, round 6) + 3 s.e. at
    about 32,500 households (0.82 and 0.50 pp), rounded up; for the ring the scale gap instead of the
    miss: at scale 0.03 it runs 0.6-0.7 pp below scale 1.0's 10.0% (9.4% / 9.3% on seeds 1 / 2).
    Round 5's twin gave 26% in 2035-2039 and 2033-2037 as the busiest span (a crisis in 2028)."""
    t = households.loc[~households[S.PERPETUAL].to_numpy(dtype=bool), S.REFI_YEAR].to_numpy(dtype="int64")
    assert len(t) > 25_000
    trough = ((t >= 2035) & (t <= 2039)).mean() * 100
    ring = np.isin(t, (2034, 2040)).mean() * 100
    assert abs(trough - 42.0) <= 1.4, trough
    assert abs(ring - 10.0) <= 1.2, ring
    spans = {s: ((t >= s) & (t <= s + 4)).sum() for s in range(2020, 2050)}
    assert max(spans, key=spans.get) == 2035, spans


@pytest.fixture(scope="module")
def crisis_outcomes(twin: tuple[int, Path]) -> pd.DataFrame:
    """Every household's tree outcome under the housing crisis started in 2030 (the study's timing)."""
    return _tree(twin[1], "housing_crisis", params=load_parameters(), start_year=2030)


@pytest.mark.slow
def test_crisis_forced_sales_and_residual_debts(crisis_outcomes: pd.DataFrame) -> None:
    """Calibration (round 7): under the housing crisis started in 2030, forced sales 7% of the IO
    households +- 0.5 pp (IO_TXT_crisis_forced_sale_share, 204,000 / 2.9 million) and residual debts 5% +-
    0.4 pp (IO_TXT_crisis_residual_share, 147,000).  Tolerance = the miss on seed 20221 at scale 0.1 (6.9%,
    5.07%; docs/io_calibration.md, round 7) + 3 s.e. at about 57,000 households (0.32 and 0.27 pp), rounded
    up.  The round-6 twin, without the under-water loans, gave 5.5% and 3.4% at scale 1.0."""
    o = crisis_outcomes
    assert len(o) > 50_000
    forced = 100.0 * o[S.FORCED_SALE].to_numpy(dtype=bool).mean()
    residual = 100.0 * o[S.RESIDUAL_DEBT].to_numpy(dtype=bool).mean()
    assert abs(forced - 7.0) <= 0.5, forced
    assert abs(residual - 5.0) <= 0.4, residual


@pytest.mark.slow
def test_perpetuals_not_agile_and_unable_to_afford(base_outcomes: pd.DataFrame) -> None:
    """Calibration (round 9): of the perpetual households not agile at the event year, 52% +- 9 pp also
    fail the affordability test (the report's 12,000 of 23,000: IO_TXT_h4_perp_not_agile_afford_n over
    IO_TXT_perpetual_not_agile_n, seed 1600-1649).  Tolerance = the miss on seed 20221 at scale 0.1
    (50.6%; docs/io_calibration.md, round 9) + 3 s.e. at about 460 such households at 0.03 (2.3 pp), rounded
    up.  The round-7 twin (perpetual WOZ tail with power 1) gave 11.5%."""
    o = base_outcomes
    p = o[S.PERPETUAL].to_numpy(dtype=bool)
    not_agile = p & (pd.array(o[S.AGILE_AT_EVENT], dtype="boolean") == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    afford_fail = pd.array(o[S.AFFORD_FAIL], dtype="boolean").fillna(False).to_numpy(dtype=bool)
    assert not_agile.sum() > 250
    assert abs(_pct(afford_fail, not_agile) - 52.0) <= 9.0


@pytest.fixture(scope="module")
def coverage(twin: tuple[int, Path]) -> pd.DataFrame:
    """Figuur 2's coverage per household with a refinancing moment (``descriptives.coverage_ratio``)."""
    from cohorts.studies.interest_only.descriptives import coverage_ratio

    pop, prep, _ = _prepared(twin[1], "base", params=load_parameters())
    return coverage_ratio(prep.households, pop.parts)


@pytest.mark.slow
def test_coverage_of_fully_io_and_near_maturity(coverage: pd.DataFrame) -> None:
    """Calibration (round 9): free wealth plus the cumulative voluntary repayment, median % of the original
    IO principal, 20 +- 2 for the fully-IO households (IO_TXT_fully_io_median_covered) and 44 +- 7 for
    those with at most 5 years to their refinancing year (100 - IO_TXT_h4_le5y_median_open, 56% open).
    Tolerance = the miss at scale 1.0 (20 and 43-44 on seeds 1-3, rounded medians; docs/io_calibration.md,
    round 9) + 3 s.e. of the median at scale 0.03 (about 14,000 fully-IO households: 0.4; about 620 near
    maturity: 2.0), rounded up.  The round-7 twin, without voluntary repayment, gave 16 and 22."""
    c = coverage
    near = (c[S.REFI_YEAR].to_numpy(dtype="float64") - 2016) <= 5
    fully = c[S.FULLY_IO].to_numpy(dtype=bool)
    assert fully.sum() > 8_000 and near.sum() > 300
    assert abs(float(np.median(c.loc[fully, "coverage_pct"])) - 20.0) <= 2.0
    assert abs(float(np.median(c.loc[near, "coverage_pct"])) - 44.0) <= 7.0


def _added_step4_by_offset(prep, name: str, start: int, base_fail: np.ndarray) -> np.ndarray:
    """Households a shock started in ``start`` adds to the step-4 failures, by refinancing year T - start."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        o = outcomes(prep, scenario=SC.load_scenarios(scenarios_path())[name], start_year=start)
    fail = o[S.FAIL_ANNUITY].astype("boolean").fillna(False).to_numpy(dtype=bool)
    t = pd.to_numeric(o[S.REFI_YEAR]).to_numpy(dtype="float64", na_value=np.nan)
    added = fail & ~base_fail & np.isfinite(t)
    return np.bincount((t[added] - start).astype("int64").clip(0, 15), minlength=16)


@pytest.mark.parametrize("timing, same_year", [("start_of_year", True), ("in_year", False)])
def test_rate_rise_and_recession_hit_the_same_refinancing_years(twin: tuple[int, Path], timing: str, same_year: bool) -> None:
    """Calibration (round 10, A5): the report has one worst start year (2032) for the recession and the rate rise.

    That needs both shocks to add their step-4 failures in the same refinancing years. The recession acts
    through the house value on 1 January of T (largest at T = S + 5); with the rate on 1 January of T
    (``rate_timing = "start_of_year"``, the packaged choice) the rate rise does too, with the rate of year T
    itself (``"in_year"``) it peaks a year earlier, T = S + 4, and its worst start was 2033-2034 at scale 1.0
    (seed 1, S = 2032: 3,404 / 2,313 added at S + 4 / S + 5 with the rate of year T; 4,675 at S + 5 for the
    recession). At scale 0.03 the peaks hold about 100 households (Poisson s.e. about 10), so the argmax is
    stable.
    """
    params = load_parameters().replace(rate_timing=timing)
    _, prep, base_scenario = _prepared(twin[1], "base", params=params, others=("recession", "high_rate"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = outcomes(prep, scenario=base_scenario)
    base_fail = base[S.FAIL_ANNUITY].astype("boolean").fillna(False).to_numpy(dtype=bool)
    recession = _added_step4_by_offset(prep, "recession", 2032, base_fail)
    rate_rise = _added_step4_by_offset(prep, "high_rate", 2032, base_fail)
    assert int(np.argmax(recession)) == 5, recession
    assert int(np.argmax(rate_rise)) == (5 if same_year else 4), rate_rise
