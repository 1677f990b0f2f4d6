"""The start-year sweep, its worst timing and the fast count path (sweep.py).

Kinds:
* cross-check of two implementations: ``fast_counts`` (validated once, numpy only) equals
  ``counts(outcomes(...))`` for every scenario and several start years on the committed sample
  (real Trhk tables) and on a random frame (tiny tables, with low incomes, high LTVs, consumer credit
  and both A2 / A16 options); ``sweep(fast=True)`` equals ``sweep(fast=False)`` row for row;
* property: the ``worst`` row of each shock scenario has the maximum ``fail_annuity`` (or
  ``forced_sale`` with ``worst_by``) and is the earliest of tied maxima; the counts are nested
  (residual <= forced sale <= fail annuity <= must refinance) in every row; the base row equals
  ``counts(outcomes(base))``; a shock scenario whose start year lies after every household's
  tested year gives the base counts (its paths equal the trend before S), on the sample;
* hand-worked: ties in a four-row frame go to the earliest year; a scenario timed by its floor ranks
  by ``at_floor`` (ties earliest), the others by step-4 failures; ``at_floor`` on the sample equals
  the refinancing years counted by hand in S+5 .. S+9 (the crisis's floor year-ends S+4 .. S+8, README
  G36, read on 1 January of T);
* bad input: an unknown scenario name, a start year outside the declared range (the error names
  the scenario and the range), a trend scenario given a start year, a negative debt.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts import scenarios as SC
from cohorts.errors import NormTableFallbackWarning
from cohorts.norms.tables import load_tables
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.studies.interest_only.population import build_population, read_inputs
from cohorts.studies.interest_only.project import TESTED_YEAR, counts, outcomes, prepare
from cohorts.studies.interest_only.study_data import scenarios_path
from cohorts.studies.interest_only.sweep import (
    AT_FLOOR,
    COUNT_COLUMNS,
    WORST,
    compile_counts,
    fast_counts,
    floor_count,
    mark_worst,
    sweep,
    worst_start_years,
)

from io_tree_helpers import household, params, tables  # noqa: F401  (fixtures)
from sample import SAMPLE

SCENARIOS = SC.load_scenarios(scenarios_path())
START_YEARS = (2020, 2026, 2030, 2032, 2041, 2050)


@pytest.fixture(scope="module")
def sample_prepared():
    """The committed sample (scale 0.01) prepared with the real tables; made-up social-assistance levels."""
    inp = read_inputs(SAMPLE)
    pop = build_population(inp.lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling)
    # test values (not official amounts), so that the low-income measurement flag takes both values
    prm = load_parameters().replace(social_assistance_single=14_000.0, social_assistance_couple=20_000.0)
    with warnings.catch_warnings():  # the packaged tables stop at 2015: the study's 2019 falls back, by design
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        return prepare(pop.households, pop.parts, params=prm, tables=load_tables(), scenarios=SCENARIOS)


@pytest.fixture(scope="module")
def sample_sweep(sample_prepared):
    return sweep(sample_prepared, scenarios=SCENARIOS)


def _random(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows, parts = [], []
    for i in range(n):
        partner = bool(rng.random() < 0.5)
        hid = i + 1
        debt = float(rng.uniform(50_000, 600_000))
        refi = int(rng.integers(2017, 2065))
        rows.append(household(
            household_id=hid, main_birth_year=int(rng.integers(1940, 1998)), has_partner=partner, refi_year=refi,
            debt_now=debt, house_value_now=float(rng.uniform(80_000, 700_000)),
            wages_main=float(rng.uniform(0, 110_000)),
            labour_status_main=str(rng.choice(["employee", "self_employed", "pensioner", "other"])),
            pension_attainable_active_main=float(rng.uniform(0, 40_000)),
            pension_accrued_main=float(rng.uniform(0, 20_000)), aow_share_main=1.0,
            wages_partner=float(rng.uniform(0, 60_000)) if partner else 0.0,
            labour_status_partner="employee" if partner else "other", aow_share_partner=1.0 if partner else 0.0,
            perpetual=bool(rng.random() < 0.3), income_now=float(rng.uniform(5_000, 90_000)),
            social_assistance=15_000.0,
            savings=float(rng.uniform(0, 250_000)) * (rng.random() < 0.6), securities=0.0, cash=0.0,
            other_debts=float(rng.uniform(0, 40_000)) * (rng.random() < 0.3),
        ))
        parts.append({IO.HOUSEHOLD_ID: hid, C.REPAYMENT_TYPE: "interest_only", C.CURRENT_BALANCE: debt,
                      C.INTEREST_RATE: 3.5, C.ORIGINATION_DATE: pd.Timestamp("2000-01-01"),
                      C.MATURITY_DATE: pd.Timestamp(f"{refi}-06-30")})
        if rng.random() < 0.4:  # an annuity part that amortises until T
            parts.append({IO.HOUSEHOLD_ID: hid, C.REPAYMENT_TYPE: "annuity",
                          C.CURRENT_BALANCE: float(rng.uniform(10_000, 150_000)), C.INTEREST_RATE: 4.0,
                          C.ORIGINATION_DATE: pd.Timestamp("2010-01-01"), C.MATURITY_DATE: pd.Timestamp("2040-01-01")})
    hh = pd.DataFrame(rows)
    hh[IO.REFI_YEAR] = hh[IO.REFI_YEAR].astype("Int64")
    return hh, pd.DataFrame(parts)


@pytest.fixture
def random_prepared(params, tables):  # noqa: F811
    hh, parts = _random(300, seed=7)
    return prepare(hh, parts, params=params, tables=tables, scenarios=SCENARIOS)


# ---------------------------------------------------------------- cross-checks (fast vs slow)
def test_fast_counts_equal_slow_counts_on_the_sample(sample_prepared):
    kernel = compile_counts(sample_prepared)
    seen_vulnerable = seen_residual = False
    for name, sc in SCENARIOS.items():
        for s in (START_YEARS if sc.is_shock else (None,)):
            slow = counts(outcomes(sample_prepared, scenario=sc, start_year=s))
            assert fast_counts(kernel, scenario=sc, start_year=s) == slow, (name, s)
            seen_vulnerable |= 0 < slow["vulnerable"] < slow["forced_sale"]
            seen_residual |= slow["residual_debt"] > 0
    assert seen_vulnerable and seen_residual  # the comparison covers every flag


@pytest.mark.parametrize("wealth_grows, netting", [(True, "once"), (False, "once"), (True, "at_refi")])
def test_fast_counts_equal_slow_counts_on_random_households(random_prepared, wealth_grows, netting):
    kernel = compile_counts(random_prepared)
    totals = dict.fromkeys(COUNT_COLUMNS, 0)
    for name, sc in SCENARIOS.items():
        for s in (START_YEARS if sc.is_shock else (None,)):
            slow = counts(outcomes(random_prepared, scenario=sc, start_year=s, wealth_grows=wealth_grows, netting=netting))
            fast = fast_counts(kernel, scenario=sc, start_year=s, wealth_grows=wealth_grows, netting=netting)
            assert fast == slow, (name, s)
            totals = {k: totals[k] + slow[k] for k in totals}
    assert all(totals[k] > 0 for k in ("fail_annuity", "forced_sale", "residual_debt", "afford_fail",
                                       "not_agile_at_event", "wealth_repay"))


def test_sweep_fast_equals_sweep_slow(random_prepared):
    years = {"recession": [2020, 2032, 2050], "high_rate": [2031, 2032], "housing_crisis": [2030, 2044]}
    fast = sweep(random_prepared, scenarios=SCENARIOS, start_years=years)
    slow = sweep(random_prepared, scenarios=SCENARIOS, start_years=years, fast=False)
    pd.testing.assert_frame_equal(fast, slow)
    assert len(fast) == 1 + 3 + 2 + 2


# ---------------------------------------------------------------- properties on the sample sweep
def test_sweep_shape_and_worst_is_the_earliest_maximum(sample_sweep):
    sw = sample_sweep
    assert len(sw) == 1 + 3 * 31
    assert list(sw.columns[:2]) == [IO.SCENARIO, IO.START_YEAR]
    for name, g in sw[sw[IO.START_YEAR].notna()].groupby(IO.SCENARIO):
        assert g[IO.START_YEAR].tolist() == list(range(2020, 2051))
        w = g[g[WORST]]
        assert len(w) == 1
        column = AT_FLOOR if name == "housing_crisis" else "fail_annuity"  # the crisis is timed by its floor
        top = g[column].max()
        assert int(w[column].iloc[0]) == top
        assert int(w[IO.START_YEAR].iloc[0]) == int(g.loc[g[column] == top, IO.START_YEAR].min())
    assert not sw.loc[sw[IO.START_YEAR].isna(), WORST].any()
    worst = worst_start_years(sw)
    assert set(worst) == {"recession", "high_rate", "housing_crisis"}


def test_worst_by_forced_sale(sample_prepared, sample_sweep):
    by6 = mark_worst(sample_sweep, worst_by="forced_sale")
    for _, g in sample_sweep[sample_sweep[IO.START_YEAR].notna()].groupby(IO.SCENARIO):
        hit = g[by6.loc[g.index]]
        assert len(hit) == 1 and int(hit["forced_sale"].iloc[0]) == g["forced_sale"].max()
    again = sweep(sample_prepared, scenarios={"recession": SCENARIOS["recession"]},
                  start_years={"recession": [2030, 2031, 2032]}, worst_by="forced_sale")
    assert again[WORST].sum() == 1
    assert int(again.loc[again[WORST], "forced_sale"].iloc[0]) == again["forced_sale"].max()


def test_counts_are_nested_in_every_row(sample_sweep):
    sw = sample_sweep
    assert (sw["residual_debt"] <= sw["forced_sale"]).all()
    assert (sw["forced_sale"] <= sw["fail_annuity"]).all()
    assert (sw["fail_annuity"] <= sw["must_refinance"]).all()
    assert (sw["core_risk"] <= sw["vulnerable"]).all() and (sw["vulnerable"] <= sw["forced_sale"]).all()
    assert (sw["perpetual"] + sw["wealth_repay"] + sw["must_refinance"] == sw["households"]).all()


def test_base_row_equals_counts_of_outcomes(sample_prepared, sample_sweep):
    base = sample_sweep[sample_sweep[IO.SCENARIO] == "base"]
    assert len(base) == 1 and pd.isna(base[IO.START_YEAR].iloc[0])
    expected = counts(outcomes(sample_prepared, scenario=SCENARIOS["base"]))
    assert base[list(COUNT_COLUMNS)].iloc[0].to_dict() == expected


def test_shock_after_every_tested_year_equals_base(sample_prepared):
    s = 2032
    keep = sample_prepared.households[TESTED_YEAR].to_numpy() < s  # flows of T < S and stocks of 1 Jan T <= S: trend
    sub = dataclasses.replace(
        sample_prepared,
        households=sample_prepared.households[keep].reset_index(drop=True),
        financing_pct={r: f[keep] for r, f in sample_prepared.financing_pct.items()},
    )
    assert keep.sum() > 2_000
    base = counts(outcomes(sub, scenario=SCENARIOS["base"]))
    assert base["fail_annuity"] > 0
    for name in ("recession", "high_rate", "housing_crisis"):
        assert fast_counts(sub, scenario=SCENARIOS[name], start_year=s) == base, name
        assert counts(outcomes(sub, scenario=SCENARIOS[name], start_year=s)) == base, name
    # ... while on the whole sample the shock does change the counts at the same start year
    base_all = counts(outcomes(sample_prepared, scenario=SCENARIOS["base"]))
    for name in ("recession", "high_rate", "housing_crisis"):
        assert fast_counts(sample_prepared, scenario=SCENARIOS[name], start_year=s) != base_all, name


def test_at_floor_counts_the_refinancing_years_of_the_five_year_trough(sample_prepared, sample_sweep):
    """Planted by hand: the crisis stays at its floor for the year-ends S+4 .. S+8 (README G36, seed 3365),
    which are the house values of 1 January S+5 .. S+9, the date a refinancing year T reads (A5 default,
    ``stock_timing="start_of_year"``)."""
    hh = sample_prepared.households
    t = hh.loc[~hh[IO.PERPETUAL].to_numpy(dtype=bool), TESTED_YEAR].to_numpy()
    crisis = sample_sweep[sample_sweep[IO.SCENARIO] == "housing_crisis"]
    for s, n in zip(crisis[IO.START_YEAR], crisis[AT_FLOOR]):
        assert int(n) == int(((t >= s + 5) & (t <= s + 9)).sum()), s
    assert crisis[AT_FLOOR].max() > 0
    # the scenarios without a floor have none; the recession is timed by step-4 failures
    assert sample_sweep.loc[sample_sweep[IO.SCENARIO] != "housing_crisis", AT_FLOOR].isna().all()
    assert floor_count(np.array([2034, 2035, 2036, 2039, 2040, 2040]), SCENARIOS["housing_crisis"], 2030) == 3
    assert floor_count(np.array([2034, 2035, 2039, 2040]), SCENARIOS["housing_crisis"], 2030,
                       counts=np.array([7, 2, 5, 1])) == 7  # distinct years with their counts


def test_the_alternative_reading_times_the_crisis_by_step4_failures(sample_sweep):
    by4 = mark_worst(sample_sweep)  # no timed_by: every scenario by its step-4 failures (Figuur 24's rule)
    g = sample_sweep[sample_sweep[IO.SCENARIO] == "housing_crisis"]
    assert int(g.loc[by4.loc[g.index], "fail_annuity"].iloc[0]) == g["fail_annuity"].max()


# ---------------------------------------------------------------- hand-worked ties
def test_ties_go_to_the_earliest_start_year():
    frame = pd.DataFrame({
        IO.SCENARIO: ["base", "x", "x", "x", "x"],
        IO.START_YEAR: pd.array([None, 2033, 2031, 2032, 2034], dtype="Int64"),
        "fail_annuity": [9, 5, 7, 7, 6],
        "forced_sale": [1, 4, 2, 3, 4],
    })
    assert mark_worst(frame).tolist() == [False, False, True, False, False]  # 2031 and 2032 tie: 2031
    assert mark_worst(frame, worst_by="forced_sale").tolist() == [False, True, False, False, False]  # 2033 before 2034
    assert worst_start_years(frame.assign(worst=mark_worst(frame))) == {"x": 2031}
    with pytest.raises(ValueError, match="worst_by"):
        mark_worst(frame, worst_by="residual_debt")
    with pytest.raises(ValueError, match="'x' has 2 rows"):
        worst_start_years(frame.assign(worst=[False, True, True, False, False]))


def test_a_scenario_timed_by_its_floor_ranks_by_at_floor():
    frame = pd.DataFrame({
        IO.SCENARIO: ["x", "x", "x", "y", "y"],
        IO.START_YEAR: pd.array([2030, 2031, 2032, 2030, 2031], dtype="Int64"),
        "fail_annuity": [9, 5, 7, 3, 4],
        AT_FLOOR: pd.array([10, 12, 12, None, None], dtype="Int64"),
    })
    marked = mark_worst(frame, timed_by={"x": "floor", "y": "outcome"})
    assert marked.tolist() == [False, True, False, False, True]  # x: 2031 (tie with 2032: earliest); y: step 4
    with pytest.raises(ValueError, match="'y' is timed by 'at_floor'"):
        mark_worst(frame, timed_by={"y": "floor"})


# ---------------------------------------------------------------- bad input and progress
def test_bad_input(random_prepared):
    with pytest.raises(ValueError, match=r"unknown scenario name\(s\) \['recesion'\].*known"):
        sweep(random_prepared, scenarios=SCENARIOS, start_years={"recesion": [2030]})
    with pytest.raises(ValueError, match=r"'high_rate'.*\[2051\].*2020\.\.2050"):
        sweep(random_prepared, scenarios=SCENARIOS, start_years={"high_rate": [2032, 2051]})
    with pytest.raises(ValueError, match=r"'recession': start year 2019 .*2020\.\.2050"):
        fast_counts(random_prepared, scenario=SCENARIOS["recession"], start_year=2019)
    with pytest.raises(ValueError, match="trend scenario"):
        fast_counts(random_prepared, scenario=SCENARIOS["base"], start_year=2030)
    with pytest.raises(ValueError, match="trend scenario"):
        sweep(random_prepared, scenarios=SCENARIOS, start_years={"base": [2030]})
    hh = random_prepared.households.copy()
    hh.loc[3, IO.DEBT_AT_T] = -1.0
    with pytest.raises(ValueError, match=f"'{IO.DEBT_AT_T}' must be finite and >= 0"):
        compile_counts(dataclasses.replace(random_prepared, households=hh))


def test_unprepared_rate_is_refused(params, tables):  # noqa: F811
    hh, parts = _random(20, seed=3)
    prep = prepare(hh, parts, params=params, tables=tables, scenarios={"base": SCENARIOS["base"]})
    with pytest.raises(ValueError, match="were not prepared"):
        fast_counts(prep, scenario=SCENARIOS["high_rate"], start_year=2020)


def test_progress_lines(random_prepared):
    lines: list[str] = []
    sweep(random_prepared, scenarios=SCENARIOS, start_years={"recession": [2030, 2031]}, progress=lines.append)
    assert any("recession" in line for line in lines)
    assert lines[-1].startswith("sweep: 65 runs in")  # base 1 + recession 2 + 31 + 31


def test_unknown_social_assistance_warns_once(random_prepared):
    hh = random_prepared.households.drop(columns=[IO.SOCIAL_ASSISTANCE])
    prep = dataclasses.replace(random_prepared, households=hh,
                               params=random_prepared.params.replace(
                                   social_assistance_single=None, social_assistance_couple=None,
                                   social_assistance_net_single_monthly=None, social_assistance_net_couple_monthly=None,
                                   social_assistance_net_single_pension_monthly=None,
                                   social_assistance_net_couple_pension_monthly=None))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kernel = compile_counts(prep)
        slow = counts(outcomes(prep, scenario=SCENARIOS["base"]))
    assert len(caught) == 0  # prepare() gave the run's one note; compile_counts and outcomes do not repeat it
    fast = fast_counts(kernel, scenario=SCENARIOS["base"])
    assert fast.keys() == slow.keys()
    np.testing.assert_array_equal(np.array(list(fast.values()), dtype=float), np.array(list(slow.values()), dtype=float))
    assert np.isnan(fast["vulnerable"]) or slow["forced_sale"] == 0
