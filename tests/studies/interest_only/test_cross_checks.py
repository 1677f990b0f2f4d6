"""README section 8 cross-checks asserted on the reproduced numbers of the committed sample.

The committed sample (``data_synthetic/``) runs through the whole chain once per module (population,
prepare with the social-assistance levels 0, a sweep over every start year, the comparison).  Each
cross-check of the targets README section 8 that applies to a reproduction is asserted on the
*reproduced* numbers, at the printed precision where the report rounds.

Kinds:
* property (identities the reproduction must satisfy whatever the data): nesting residual <= step 6
  <= step 4 in every scenario and every start year; 44 + 8 + 48 = 100 on the reproduced tree shares;
  98 + 2 = 100 (agility at the event date); 84 + 12 + 4 = 100 (time to maturity of the step-6
  failures); LTI + LTV - both = 100 for both tests (footnote 26's identity); 78/157 + its complement
  = 100; (78 - 18)/78 + 18/78 = 100; 42 <= 55 <= 60 <= 78; 12k <= 23k; 52k + 12k = 63k; 89 = 100 - 11;
  57% x 263k <= 204k (LTV-bound step-4 failures are forced sales); Box 2's law of total probability
  for the fully-IO and age > 60 shares; the worst start lies in the start window; Figuur 15 and 16
  periods agree;
* cross-check of two implementations: counts vs shares (157k -> 5% of 2.9 million; 0.84 -> 1.3
  million; 36.5 thousand -> 55,000; 1.92 - 0.84 = 1.09; 1.3 + 0.233 + 1.4 = 2.9) compare the rules'
  population counts with their sample sizes and shares; the scenario tables recomputed by
  :func:`cohorts.scenarios.paths` against closed forms (Tabel 5 nominal = real + 1.5; cumulative =
  (1 + annual)^5 - 1; crisis floor 1.025^13 x 0.918^5 = 0.90; real fall 0.653 / 1.015^5 - 1;
  5 x 0.4 pp = 2.0 pp and 3 + 2 = 5%; 9 / 23 years off trend, 5 + 5 - 1 = 9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts import scenarios as SC
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only import comparison as CMP
from cohorts.studies.interest_only.results import Results
from cohorts.studies.interest_only.rules import off_trend_years

from test_io_compare import sample_results

SHOCKS = ("recession", "high_rate", "housing_crisis")


@pytest.fixture(scope="module")
def results() -> Results:
    return sample_results(with_sweep=True)


@pytest.fixture(scope="module")
def rep(results: Results) -> pd.Series:
    """Reproduced value by target id."""
    comp = CMP.compare(results)
    return comp.set_index("id")["reproduced"]


def _n(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.array(frame[col], dtype="boolean").fillna(False).to_numpy(dtype=bool)


# --------------------------------------------------------------------------
# nesting and the tree's identities
# --------------------------------------------------------------------------
def test_nesting_in_every_scenario_and_start_year(results: Results) -> None:
    for name, o in results.outcomes.items():
        resid, forced, fail = _n(o, IO.RESIDUAL_DEBT), _n(o, IO.FORCED_SALE), _n(o, IO.FAIL_ANNUITY)
        assert not (resid & ~forced).any() and not (forced & ~fail).any(), name
        assert resid.sum() <= forced.sum() <= fail.sum(), name
    s = results.sweep
    assert s is not None and len(s) == 1 + 3 * 31
    assert ((s["residual_debt"] <= s["forced_sale"]) & (s["forced_sale"] <= s["fail_annuity"])).all()


def test_tree_shares_add_to_100(rep: pd.Series) -> None:
    # 44 + 8 + 48 = 100
    assert rep["IO_TXT_perpetual_share"] + rep["IO_TXT_wealth_repay_share"] + rep["IO_TXT_must_refi_share"] \
        == pytest.approx(100.0)


def test_agility_and_maturity_shares_add_to_100(rep: pd.Series) -> None:
    # 98 + 2 = 100; 84 + 12 + 4 = 100
    assert rep["IO_TXT_perpetual_agile_event"] + rep["IO_TXT_perpetual_not_agile_share"] == pytest.approx(100.0)
    assert rep["IO_TXT_h4_perp_agile_share"] + rep["IO_TXT_h4_perp_not_agile_share"] == pytest.approx(100.0)
    assert rep["IO_TXT_forced_sale_ge10y_share"] + rep["IO_TXT_refi_before_2030_share"] \
        + rep["IO_TXT_refi_in_past_share"] == pytest.approx(100.0)


def test_reason_shares_cover_every_failure(rep: pd.Series) -> None:
    # footnote 26: 93 + 21 - 14 = 100 (the report's 97 + 11 - 11 does not: a source conflict)
    assert rep["IO_TXT_forced_sale_lti_share"] + rep["IO_TXT_forced_sale_ltv_share"] \
        - rep["IO_TXT_forced_sale_both_share"] == pytest.approx(100.0)
    assert rep["IO_TXT_fail_annuity_lti_share"] + rep["IO_TXT_fail_annuity_ltv_share"] \
        - rep["IO_TXT_fail_annuity_both_share"] == pytest.approx(100.0)
    assert rep["IO_TXT_reason_shares_sum"] >= 100.0


def test_base_outcome_ratios(rep: pd.Series) -> None:
    # 78/157 ~ 1/2 and its complement; (78 - 18)/78 > 75% and 18/78 ~ 1/4 are complements
    assert rep["IO_SUM_fail_io50_share_of_fail_annuity"] + rep["IO_TXT_pass_io50_share_of_fail_annuity"] \
        == pytest.approx(100.0)
    assert rep["IO_TXT_sale_repays_share"] + rep["IO_F8_title_residual_share"] == pytest.approx(100.0)
    # 89 = 100 - 11
    assert rep["IO_TXT_must_refi_no_afford_risk_share"] + rep["IO_TXT_must_refi_fail_share"] == pytest.approx(100.0)
    # 42 <= 55 <= 60 <= 78 (thousands)
    assert rep["IO_TXT_core_n"] <= rep["IO_TXT_vulnerable_n"] <= rep["IO_TXT_no_meas_error_n"] \
        <= rep["IO_TXT_forced_sale_n"]
    assert rep["IO_TXT_core_share_of_vulnerable"] <= 100.0


def test_perpetual_counts(rep: pd.Series) -> None:
    # 12k <= 23k; 52k + 12k = 63k (each rounded to thousands)
    assert rep["IO_TXT_h4_perp_not_agile_afford_n"] <= rep["IO_TXT_h4_perp_not_agile_n"]
    assert abs(rep["IO_TXT_perp_afford_sell_n"] + rep["IO_TXT_perp_afford_not_sell_n"]
               - rep["IO_TXT_perp_afford_n"]) <= 1000.0


def test_ltv_bound_failures_are_forced_sales(results: Results, rep: pd.Series) -> None:
    # 57% x 263k <= 204k: a step-4 failure on the LTV also fails step 6 (same N, same V_T)
    for name, o in results.outcomes.items():
        assert not (_n(o, IO.LTV_BINDS_ANNUITY) & ~_n(o, IO.FORCED_SALE)).any(), name
    assert rep["IO_TXT_crisis_fail_annuity_ltv_share"] / 100.0 * rep["IO_TXT_f16_crisis_fail_annuity"] \
        <= rep["IO_TXT_f16_crisis_forced_sale"] + 1000.0


def test_box_2_total_probability(rep: pd.Series) -> None:
    # 0.4375 x 61 + 0.5625 x 42 ~ 50 and 0.4375 x 47 + 0.5625 x 19 ~ 31, on the reproduced shares
    p = rep["IO_TXT_perpetual_share"] / 100.0
    assert p * rep["IO_TXT_perp_fully_io_share"] + (1 - p) * rep["IO_TXT_refi_fully_io_share"] \
        == pytest.approx(rep["IO_TXT_fully_io_share"])
    assert p * rep["IO_TXT_perp_age_gt60_share"] + (1 - p) * rep["IO_TXT_refi_age_gt60_share"] \
        == pytest.approx(rep["IO_TXT_io_age_gt60_share"])


# --------------------------------------------------------------------------
# populations: counts, sample sizes and shares (two routes to one number)
# --------------------------------------------------------------------------
def test_sample_sizes(rep: pd.Series) -> None:
    # 1.92 - 0.84 ~ 1.09 (each rounded to 0.01 million)
    assert rep["IO_F1_n_io_households"] - rep["IO_F9_n"] == pytest.approx(rep["IO_F2_n"], abs=0.011)
    # 0.84 / 1.92 = 44%
    assert 100.0 * rep["IO_F9_n"] / rep["IO_F1_n_io_households"] == pytest.approx(rep["IO_TXT_perpetual_share"],
                                                                                  abs=1.0)


def test_scaling_to_the_population(results: Results, rep: pd.Series) -> None:
    cover = results.coverage
    # 0.84 -> 1.3 million; 36.5 thousand -> 55,000; 1.92 -> 2.9 million
    assert rep["IO_TXT_perpetual_n"] == pytest.approx(rep["IO_F9_n"] * cover, abs=0.06)
    assert rep["IO_TXT_vulnerable_n"] == pytest.approx(rep["IO_F11_n_vulnerable"] * 1e3 * cover, abs=600)
    assert rep["IO_TXT_io_households_pop"] == pytest.approx(rep["IO_F1_n_io_households"] * cover, abs=0.06)
    # 1.3 + 0.233 + 1.4 ~ 2.9 million
    assert rep["IO_TXT_perpetual_n"] + rep["IO_TXT_wealth_repay_n"] / 1e6 + rep["IO_TXT_must_refi_n"] \
        == pytest.approx(rep["IO_TXT_io_households_pop"], abs=0.15)


def test_counts_match_shares(rep: pd.Series) -> None:
    # 157k -> 5%, 78k -> 3%, 18k -> 1%, 233k -> 8% of 2.9 million; 157k / 1.4 million = 11%; 63k / 1.3 million = 5%
    total = rep["IO_TXT_io_households_pop"] * 1e6
    for count, share in (("IO_TXT_fail_annuity_n", "IO_TXT_fail_annuity_share"),
                         ("IO_TXT_forced_sale_n", "IO_TXT_forced_sale_share"),
                         ("IO_TXT_residual_n", "IO_TXT_residual_share"),
                         ("IO_TXT_wealth_repay_n", "IO_TXT_wealth_repay_share"),
                         ("IO_TXT_f16_crisis_fail_annuity", "IO_TXT_crisis_fail_annuity_share")):
        assert 100.0 * rep[count] / total == pytest.approx(rep[share], rel=0.03, abs=0.05), count
    assert 100.0 * rep["IO_TXT_fail_annuity_n"] / (rep["IO_TXT_must_refi_n"] * 1e6) \
        == pytest.approx(rep["IO_TXT_must_refi_fail_share"], rel=0.05)
    assert 100.0 * rep["IO_TXT_perp_afford_n"] / (rep["IO_TXT_perpetual_n"] * 1e6) \
        == pytest.approx(rep["IO_TXT_perp_afford_share"], rel=0.05)


# --------------------------------------------------------------------------
# scenarios: tables recomputed through the paths, periods, worst timing
# --------------------------------------------------------------------------
@pytest.mark.parametrize("param", ["house_value", "income", "pension", "wealth"])
def test_tabel_5_nominal_is_real_plus_inflation(rep: pd.Series, param: str) -> None:
    assert rep[f"IO_T5_{param}_nominal"] == pytest.approx(rep[f"IO_T5_{param}_real"] + rep["IO_T5_inflation_level"])
    assert rep[f"IO_T2_{param}_base"] == pytest.approx(rep[f"IO_T5_{param}_nominal"])


@pytest.mark.parametrize(("table", "scenario"), [("T6", "recession"), ("T7", "high_rate"), ("T8", "housing_crisis")])
@pytest.mark.parametrize("param", ["house_value", "income", "pension", "wealth"])
def test_cumulative_is_compounded_annual(rep: pd.Series, table: str, scenario: str, param: str) -> None:
    annual = rep[f"IO_{table}_{param}_annual"] / 100.0
    assert rep[f"IO_{table}_{param}_cum5y"] == pytest.approx(100.0 * ((1 + annual) ** 5 - 1), abs=1e-9)
    assert rep[f"IO_T2_{param}_{scenario}"] == pytest.approx(rep[f"IO_{table}_{param}_annual"])


def test_high_rate_path(results: Results, rep: pd.Series) -> None:
    # 5 x 0.4 pp = 2.0 pp, and 3% + 2.0 pp = 5%
    assert 5 * rep["IO_T7_mortgage_rate_annual"] == pytest.approx(rep["IO_T7_mortgage_rate_cum5y"])
    rate = SC.paths(results.scenarios["high_rate"])[SC.RATE]
    assert 100.0 * rate.max() == pytest.approx(rep["IO_T5_mortgage_rate_level"] + rep["IO_T7_mortgage_rate_cum5y"])


def test_crisis_arithmetic(results: Results, rep: pd.Series) -> None:
    # 1.025^13 x 0.918^5 = 0.899 ~ 0.90 (the end-2013 level, fn 70); real fall 0.653 / 1.015^5 - 1 = -39.4%
    floor = SC.paths(results.scenarios["housing_crisis"])[SC.HOUSE].min()
    assert floor == pytest.approx(1.025 ** 13 * 0.918 ** 5, rel=1e-12)
    assert round(floor, 2) == 0.90
    assert rep["IO_TXT_crisis_house_drop_real"] == pytest.approx(
        -100.0 * ((1 + rep["IO_T8_house_value_cum5y"] / 100.0) / 1.015 ** 5 - 1), abs=1e-9)
    assert round(rep["IO_TXT_crisis_house_drop_nominal"]) == 35


def test_periods(results: Results, rep: pd.Series) -> None:
    sc = results.scenarios
    # 2032-2040 = 9 years off trend (5 shock + 5 recovery - 1), 2030-2052 = 23 (5 + 5 - 1 + 15)
    for name, years in (("recession", 9), ("high_rate", 9), ("housing_crisis", 23)):
        off = off_trend_years(sc[name], sc["base"], start_year=sc[name].start_year)
        assert len(off) == years and off == list(range(off[0], off[0] + years)), name
    assert rep["IO_T2_period_conj_end"] - rep["IO_T2_period_conj_start"] + 1 == 9
    assert rep["IO_T2_period_crisis_end"] - rep["IO_T2_period_crisis_start"] + 1 == 23
    assert rep["IO_T2_conj_recovery_end"] - rep["IO_T2_conj_recovery_start"] + 1 == 5
    assert rep["IO_T2_crisis_recovery_end"] - rep["IO_T2_crisis_recovery_start"] + 1 == 15
    assert rep["IO_T2_conj_recovery_start"] - rep["IO_T2_period_conj_start"] == 5
    assert rep["IO_T2_crisis_recovery_start"] - rep["IO_T2_period_crisis_start"] == 9
    # the Figuur 15/16 periods equal each other (at the sweep's worst start years)
    for part in ("conj_start", "conj_end", "crisis_start", "crisis_end"):
        assert rep[f"IO_F15_{part}"] == rep[f"IO_F16_{part}"]
    assert rep["IO_F16_crisis_end"] - rep["IO_F16_crisis_start"] + 1 == 23


def test_worst_start_in_window(results: Results, rep: pd.Series) -> None:
    for name in SHOCKS:
        lo, hi = results.scenarios[name].start_year_range
        s = results.worst_start_year(name)
        assert lo <= s <= hi
        sweep = results.sweep.loc[results.sweep[IO.SCENARIO] == name]
        column = "at_floor" if results.scenarios[name].timed_by == "floor" else "fail_annuity"  # the crisis: its floor
        assert sweep.loc[sweep["worst"], column].iloc[0] == sweep[column].max()
        o = results.outcomes[name]
        assert int(o[IO.START_YEAR].iloc[0]) == s
    assert 2020 <= rep["IO_F24_title_worst_start"] <= 2050


def test_scenario_ranges_bracket_the_base(rep: pd.Series) -> None:
    # 'tussen de 157.000 en 182.000': the min over base/recession/high rate is at most the base, the max at least
    assert rep["IO_TXT_f16_fail_annuity_min"] <= rep["IO_TXT_fail_annuity_n"] <= rep["IO_TXT_f16_fail_annuity_max"]
    assert rep["IO_TXT_h4_refi_n_low"] <= rep["IO_TXT_forced_sale_n"]
    assert rep["IO_TXT_h4_residual_n_max"] >= rep["IO_TXT_residual_n"]
