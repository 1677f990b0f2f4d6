"""Hand-worked values: boundary cases of the lookup and the rules (reference: hand-read table cells)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.errors import NormTableFallbackWarning
from cohorts.norms import apply_norm, load_tables

BASE = dict(
    year=2015, main_income=40_000.0, partner_income=0.0, main_age=40, interest_rate=4.0,
    fixed_period_years=10, savings=0.0, securities=0.0, consumer_credit=0.0, student_debt=0.0,
    observed_mortgage=100_000.0, house_value=200_000.0, interest_only_amount=0.0,
)


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def run(tables, rows: list[dict]) -> pd.DataFrame:
    return apply_norm(pd.DataFrame([{**BASE, **r} for r in rows]), tables=tables)


def test_income_exactly_on_a_row_edge_belongs_to_the_upper_row(tables):
    # financieringslast_2015.csv: "2015,below_aow,59000,60000,2.501,3.000,23.5"
    #                             "2015,below_aow,60000,61000,2.501,3.000,24.0"
    out = run(tables, [
        dict(main_income=59_999.99, interest_rate=2.8, fixed_period_years=20),
        dict(main_income=60_000.00, interest_rate=2.8, fixed_period_years=20),
    ])
    assert out["pct"].tolist() == [23.5, 24.0]


def test_rate_on_a_bracket_edge_after_rounding_to_3_decimals(tables):
    # financieringslast_2013.csv: "2013,below_aow,51000,57000,0.000,5.000,28.5"
    #                             "2013,below_aow,51000,57000,5.001,5.500,29.5"
    rates = [5.000, 5.0004, 5.0006, 5.001, 5.500, 5.5004]
    out = run(tables, [dict(year=2013, main_income=55_000, interest_rate=r) for r in rates])
    assert out["pct"].tolist() == [28.5, 28.5, 29.5, 29.5, 29.5, 29.5]


def test_fixed_period_9_vs_10_years(tables):
    # the floor (5.0%) applies below 10 years only; a higher own rate is kept
    out = run(tables, [
        dict(interest_rate=3.0, fixed_period_years=9),
        dict(interest_rate=3.0, fixed_period_years=10),
        dict(interest_rate=6.0, fixed_period_years=0),   # above the floor: own rate
    ])
    assert out["test_rate"].tolist() == [5.0, 3.0, 6.0]
    # income 40,000 -> 2015 row 34000-47000:
    # financieringslast_2015.csv: "2015,below_aow,34000,47000,4.501,5.000,27.0" (fixed 9 -> 5.0%)
    #                             "2015,below_aow,34000,47000,2.501,3.000,22.5" (fixed 10 -> 3.0%)
    assert out["pct"].tolist()[:2] == [27.0, 22.5]


def test_aow_age_edge(tables):
    out = run(tables, [
        dict(year=2015, main_age=65), dict(year=2015, main_age=66),
        dict(year=2013, main_age=65), dict(year=2013, main_age=66),
    ])
    assert out["norm_table"].tolist() == ["below_aow", "aow", "below_aow", "aow"]


def test_aow_age_is_65_in_2012(tables):
    with pytest.warns(NormTableFallbackWarning, match="2012"):
        out = run(tables, [dict(year=2012, main_age=64), dict(year=2012, main_age=65)])
    assert out["norm_table"].tolist() == ["below_aow", "aow"]


def test_below_first_and_above_last_income_row(tables):
    # financieringslast_2013.csv: first row "2013,below_aow,19000,19500,0.000,5.000,18.5"
    #                             last row  "2013,below_aow,90000,,0.000,5.000,34.0"
    out = run(tables, [
        dict(year=2013, main_income=0.0, interest_rate=4.0),
        dict(year=2013, main_income=15_000.0, interest_rate=4.0),
        dict(year=2013, main_income=250_000.0, interest_rate=4.0),
    ])
    assert out["pct"].tolist() == [18.5, 18.5, 34.0]


def test_rates_at_0_and_above_the_last_bracket(tables):
    # financieringslast_2013.csv: "2013,below_aow,90000,,6.501,,40.0" (open last bracket)
    out = run(tables, [
        dict(year=2013, main_income=100_000, interest_rate=0.0),
        dict(year=2013, main_income=100_000, interest_rate=20.0),
    ])
    assert out["pct"].tolist() == [34.0, 40.0]
    assert out["annuity_factor"].iloc[0] == pytest.approx(1 / 360, rel=1e-15)


def test_debts_larger_than_the_budget_give_zero_maximum_and_infinite_utilisation(tables):
    with np.errstate(all="raise"):  # no division warning may be raised anywhere
        out = run(tables, [
            dict(main_income=20_000, consumer_credit=40_000),
            dict(main_income=20_000, consumer_credit=40_000, observed_mortgage=0.0, interest_only_amount=0.0),
        ])
    assert out["max_monthly"].iloc[0] < 0
    assert out["max_mortgage"].tolist() == [0.0, 0.0]
    assert out["lti_util"].iloc[0] == np.inf and bool(out["high"].iloc[0])
    assert out["lti_util"].iloc[1] == 0.0 and not out["high"].iloc[1]
    assert out["max_mortgage_wlt"].tolist() == [0.0, 0.0]


def test_threshold_is_strict_and_a_parameter(tables):
    # choose an observed mortgage equal to the maximum: utilisation exactly 1
    probe = run(tables, [dict()])
    m = float(probe["max_mortgage"].iloc[0])
    rows = pd.DataFrame([{**BASE, "observed_mortgage": m}])
    assert not apply_norm(rows, tables=tables)["high"].iloc[0]
    assert apply_norm(rows, tables=tables, threshold=0.9)["high"].iloc[0]


def test_zero_interest_only_gives_the_standard_maximum_under_wlt(tables):
    out = run(tables, [dict(year=y, interest_rate=r) for y in (2013, 2014, 2015) for r in (2.0, 5.0, 7.0)])
    assert np.allclose(out["max_mortgage_wlt"], out["max_mortgage"], rtol=1e-12)
    assert not out["wlt_possible"].any()
