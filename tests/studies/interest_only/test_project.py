"""Projection of households to their tested year and the tree under a scenario (project.py).

Kinds:
* hand-worked: two households projected under the base scenario, the arithmetic written out
  (growth factors, debt, free wealth, test income, maximum monthly cost, the annuity test);
* cross-check against another implementation: the projected test income and maximum monthly cost
  of :func:`outcomes` (which multiplies the components kept by :func:`prepare`) equal a direct call
  of ``income_at_refi`` with the scenario's growth factors, for every household of a random frame
  under a shock scenario and several start years, and at every rate of the high-rate path;
* property: the sweep's counts are nested (residual <= forced sale <= fail annuity) in every run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts import scenarios as SC
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.income import income_at_refi
from cohorts.studies.interest_only.project import TESTED_YEAR, counts, outcomes, prepare
from cohorts.studies.interest_only.sweep import sweep as run_sweep
from cohorts.studies.interest_only.study_data import scenarios_path

from io_tree_helpers import household, params, tables  # noqa: F401  (fixtures)

SCENARIOS = SC.load_scenarios(scenarios_path())


def _households(rows: list[dict]) -> pd.DataFrame:
    base = {IO.PERPETUAL: False, IO.INCOME_NOW: 60_000.0, IO.SOCIAL_ASSISTANCE: 10_000.0,
            IO.SAVINGS: 0.0, IO.SECURITIES: 0.0, IO.CASH: 0.0, IO.OTHER_DEBTS: 0.0}
    frame = pd.DataFrame([{**base, **household(**r)} for r in rows])
    frame[IO.REFI_YEAR] = frame[IO.REFI_YEAR].astype("Int64")
    return frame


def _io_part(hid: int, balance: float, maturity: str = "2030-01-01") -> dict:
    return {IO.HOUSEHOLD_ID: hid, C.REPAYMENT_TYPE: "interest_only", C.CURRENT_BALANCE: balance,
            C.INTEREST_RATE: 3.5, C.ORIGINATION_DATE: pd.Timestamp("2000-01-01"),
            C.MATURITY_DATE: pd.Timestamp(maturity)}


def test_two_households_by_hand(params, tables):  # noqa: F811
    # Both: born 1985, single, employee with wages 60,000 (2017), savings 30,000 -> L = 30,000,
    # CK = 0, W0 = 30,000 - 10,000 buffer = 20,000; one IO part maturing 2 Jan... 1 Jan 2030: T = 2030.
    # Base scenario, levels at 1 Jan 2030 = end 2029: house 1.025^13 = 1.378511, wealth 1.01^13 =
    # 1.138093, labour income 1.019^13 = 1.277216 (2017 = 1).
    # Age at T 45 -> labour regime; hra_end = max(2030, 1985 + 55) = 2040, 2040 - 2030 = 10 >= 10
    # -> the with-HRA table below AOW age: tiny table row 50,000+, rate 3% <= 5% -> f = 25.0%.
    # Y_T = 60,000 x 1.277216 = 76,632.97; X_T = 0.25 x 76,632.97 / 12 = 1,596.52 a month.
    # a(3%) = 0.0025 / (1 - 1.0025^-360) = 0.00421604.
    # Household 1: D = 200,000, V0 = 250,000 -> V_T = 344,627.76; N = 200,000 <= V_T and
    #   200,000 x a = 843.21 <= 1,596.52: passes the annuity test without wealth: step 3.
    # Household 2: D = 400,000, V0 = 300,000 -> V_T = 413,553.31; step 3 cost 1,686.42 > 1,596.52 fails;
    #   W_T = 20,000 x 1.138093 = 22,761.87; N = 377,238.13, cost 1,590.45 <= 1,596.52: step 4.
    common = dict(wages_main=60_000.0, labour_status_main="employee", savings=30_000.0)
    hh = _households([
        dict(household_id=1, debt_now=200_000.0, house_value_now=250_000.0, **common),
        dict(household_id=2, debt_now=400_000.0, house_value_now=300_000.0, **common),
    ])
    parts = pd.DataFrame([_io_part(1, 200_000.0), _io_part(2, 400_000.0)])
    prep = prepare(hh, parts, params=params, tables=tables, scenarios={"base": SCENARIOS["base"]})
    out = outcomes(prep, scenario=SCENARIOS["base"]).set_index(IO.HOUSEHOLD_ID)
    assert prep.households[TESTED_YEAR].tolist() == [2030, 2030]
    np.testing.assert_allclose(out[IO.DEBT_AT_T], [200_000.0, 400_000.0])
    np.testing.assert_allclose(out[IO.HOUSE_VALUE_AT_T], [344_627.76, 413_553.31], atol=0.01)
    np.testing.assert_allclose(out[IO.WEALTH_AT_T], [22_761.87, 22_761.87], atol=0.01)
    np.testing.assert_allclose(out[IO.FINANCING_PCT], [25.0, 25.0])
    np.testing.assert_allclose(out[IO.TEST_INCOME_AT_T], [76_632.97, 76_632.97], atol=0.01)
    np.testing.assert_allclose(out[IO.MAX_MONTHLY_COST], [1_596.52, 1_596.52], atol=0.01)
    assert out[IO.STEP].tolist() == [3, 4]
    assert out[IO.FAIL_ANNUITY].tolist() == [False, False]
    assert counts(out)["must_refinance"] == 2


def test_rate_on_1_january_of_the_refinancing_year_by_hand(params, tables):  # noqa: F811
    """Hand-worked (A5, ``rate_timing``): the high-rate path's rate on 1 January of T is the level of T - 1.

    Born 1985, single employee, wages 60,000 (2017), no wealth, one IO part of 330,000 maturing
    30 June 2037: T = 2037, age 52 (labour regime); hra_end = max(2030, 1985 + 55) = 2040, 3 < 10 years
    left -> the no-HRA table below AOW age, row 50,000+, rate <= 5%: f = 23.0%.
    High rate from S = 2032: the rate is 3.4, 3.8, 4.2, 4.6, 5.0% in 2032-2036 and 4.6% in 2037.
    Income (flow of 2037): 1.019^14 to 2031, 1.025^5 in 2032-2036, then the gap (1.025 / 1.019)^5 closes
    geometrically over 5 years, so 2037 = 1.019^20 x (1.025 / 1.019)^(5 x 4/5) = 1.4917031;
    Y_T = 60,000 x 1.4917031 = 89,502.19 and X_T = 0.23 x 89,502.19 / 12 = 1,715.46 a month.
    start_of_year: r = 5.0% (2036's level), a = 0.00536822, cost 330,000 x a = 1,771.51 > X_T: fails the
    annuity test (step 4: no wealth); the 50%-IO test, I = min(330,000, 0.5 x 1,000,000) = all of it,
    costs 330,000 x 0.05 / 12 = 1,375.00 <= X_T: step 5.
    in_year: r = 4.6% (2037's), a = 0.00512644, cost 1,691.73 <= X_T: passes at step 3.
    """
    hh = _households([dict(household_id=1, debt_now=330_000.0, house_value_now=1_000_000.0, refi_year=2037,
                           wages_main=60_000.0, labour_status_main="employee")])
    parts = pd.DataFrame([_io_part(1, 330_000.0, "2037-06-30")])
    scen = {"high_rate": SCENARIOS["high_rate"]}
    results = {}
    for timing in ("start_of_year", "in_year"):
        p = params.replace(rate_timing=timing)
        prep = prepare(hh, parts, params=p, tables=tables, scenarios=scen)
        results[timing] = outcomes(prep, scenario=SCENARIOS["high_rate"], start_year=2032).iloc[0]
    new, old = results["start_of_year"], results["in_year"]
    assert new[IO.RATE_AT_T] == pytest.approx(0.05) and old[IO.RATE_AT_T] == pytest.approx(0.046)
    for out in (new, old):
        assert out[IO.FINANCING_PCT] == 23.0
        assert out[IO.TEST_INCOME_AT_T] == pytest.approx(89_502.19, abs=0.01)
        assert out[IO.MAX_MONTHLY_COST] == pytest.approx(1_715.46, abs=0.01)
    assert bool(new[IO.FAIL_ANNUITY]) and new[IO.STEP] == 5 and not bool(new[IO.FORCED_SALE])
    assert not bool(old[IO.FAIL_ANNUITY]) and old[IO.STEP] == 3


def _random_households(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        partner = bool(rng.random() < 0.6)
        rows.append(dict(
            household_id=i + 1,
            main_birth_year=int(rng.integers(1940, 1995)),
            has_partner=partner,
            refi_year=int(rng.integers(2017, 2060)),
            debt_now=float(rng.uniform(50_000, 600_000)),
            house_value_now=float(rng.uniform(100_000, 800_000)),
            wages_main=float(rng.uniform(0, 120_000)),
            labour_status_main=str(rng.choice(["employee", "self_employed", "pensioner"])),
            pension_attainable_active_main=float(rng.uniform(0, 40_000)),
            pension_accrued_main=float(rng.uniform(0, 20_000)),
            aow_share_main=1.0,
            wages_partner=float(rng.uniform(0, 60_000)) if partner else 0.0,
            labour_status_partner="employee" if partner else "other",
            aow_share_partner=1.0 if partner else 0.0,
            savings=float(rng.uniform(0, 300_000)),
            other_debts=float(rng.uniform(0, 20_000)),
        ))
    hh = _households(rows)
    hh[IO.PERPETUAL] = rng.random(n) < 0.3
    parts = pd.DataFrame([_io_part(r["household_id"], r["debt_now"], f"{r['refi_year']}-06-30") for r in rows])
    return hh, parts


@pytest.mark.parametrize("name, start_years", [("recession", (2020, 2032, 2050)), ("high_rate", (2028, 2032))])
def test_outcomes_equal_a_direct_income_call(params, tables, name, start_years):  # noqa: F811
    hh, parts = _random_households(60, seed=11)
    prep = prepare(hh, parts, params=params, tables=tables, scenarios={name: SCENARIOS[name]})
    ph = prep.households
    for s in start_years:
        out = outcomes(prep, scenario=SCENARIOS[name], start_year=s)
        table = SC.paths(SCENARIOS[name], start_year=s)
        year = ph[TESTED_YEAR].to_numpy()
        wealth = out[IO.CONSUMER_CREDIT_NET].to_numpy()
        direct = income_at_refi(ph, params=params, tables=tables, year=year,
                                rate=SC.factor_at(table, year, SC.RATE, rate_timing="start_of_year"),
                                income_factor=SC.factor_at(table, year, SC.INCOME),
                                pension_factor=SC.factor_at(table, year, SC.PENSION),
                                consumer_credit_net=wealth)
        np.testing.assert_allclose(out[IO.TEST_INCOME_AT_T], direct[IO.TEST_INCOME_AT_T], rtol=1e-12)
        np.testing.assert_allclose(out[IO.FINANCING_PCT], direct[IO.FINANCING_PCT], rtol=0)
        np.testing.assert_allclose(out[IO.MAX_MONTHLY_COST], direct[IO.MAX_MONTHLY_COST], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(out[IO.HOUSE_VALUE_AT_T],
                                   ph[IO.HOUSE_VALUE_NOW] * SC.factor_at(table, year, SC.HOUSE), rtol=1e-12)


def test_sweep_counts_are_nested(params, tables):  # noqa: F811
    hh, parts = _random_households(80, seed=5)
    sweep = run_sweep(prepare(hh, parts, params=params, tables=tables, scenarios=SCENARIOS),
                      scenarios=SCENARIOS, start_years={"recession": [2025, 2032], "high_rate": [2032],
                                                       "housing_crisis": [2030]})
    assert len(sweep) == 1 + 2 + 1 + 1
    assert (sweep["residual_debt"] <= sweep["forced_sale"]).all()
    assert (sweep["forced_sale"] <= sweep["fail_annuity"]).all()
    assert (sweep["fail_annuity"] <= sweep["must_refinance"]).all()
    assert (sweep["perpetual"] == int(hh[IO.PERPETUAL].sum())).all()
