"""Aggregation of loan parts and the multi-mortgage rule, on hand-made frames.

Reference: appendix 2 of the report ("Geobserveerde hypotheekschuld",
"Woningwaarde") and the rules in the cohorts.link docstrings; expected values
are computed by hand in each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.link import aggregate_parts, link_key, multi_mortgage_loans


def _parts(rows):
    cols = [C.SNAPSHOT_YEAR, C.LOAN_ID, C.CURRENT_BALANCE, C.INTEREST_RATE, C.FIXED_PERIOD_MONTHS, C.REPAYMENT_TYPE,
            C.ORIGINATION_DATE, C.CURRENT_LTV, C.NHG, C.ARREARS]
    df = pd.DataFrame(rows, columns=cols)
    df[C.ORIGINATION_DATE] = pd.to_datetime(df[C.ORIGINATION_DATE])
    return df


def test_aggregate_sums_weights_and_takes_the_shortest_live_fixed_period():
    parts = _parts([
        (2015, 1, 100_000.0, 2.0, 240, "annuity", "2015-01-01", 80.0, False, False),
        (2015, 1, 50_000.0, 3.0, 120, "interest_only", "2014-12-01", 80.0, True, False),
        (2015, 1, 0.0, 6.0, 12, "linear", "2015-02-01", 80.0, False, True),  # repaid part: no weight, no fixed period
    ])
    m, step = aggregate_parts(parts)
    row = m.iloc[0]
    assert row[C.BALANCE] == 150_000
    assert row[C.INTEREST_RATE] == pytest.approx((100_000 * 2.0 + 50_000 * 3.0) / 150_000, abs=1e-12)
    assert row[C.FIXED_PERIOD_YEARS] == 10  # 120 months; the 12-month part has no balance
    assert row[C.INTEREST_ONLY_AMOUNT] == 50_000 and row[C.INTEREST_ONLY_SHARE] == pytest.approx(1 / 3)
    assert row[C.ORIGINATION_YEAR] == 2014  # oldest part
    assert row[C.HOUSE_VALUE] == pytest.approx(150_000 / 0.80)
    assert bool(row[C.NHG]) and bool(row[C.ARREARS])
    assert (step.rows_in, step.rows_out, step.rows_dropped) == (3, 1, 0)


def test_zero_balance_mortgage_has_plain_mean_rate_and_no_house_value():
    parts = _parts([
        (2016, 2, 0.0, 2.0, 0, "annuity", "2016-01-01", 50.0, False, False),
        (2016, 2, 0.0, 4.0, 0, "annuity", "2016-01-01", 50.0, False, False),
    ])
    row = aggregate_parts(parts)[0].iloc[0]
    assert row[C.INTEREST_RATE] == pytest.approx(3.0)
    assert row[C.FIXED_PERIOD_YEARS] == 0  # variable
    assert np.isnan(row[C.HOUSE_VALUE])


def test_missing_ltv_gives_no_house_value():
    parts = _parts([(2016, 3, 1000.0, 2.0, 120, "annuity", "2016-01-01", np.nan, False, False)])
    assert np.isnan(aggregate_parts(parts)[0][C.HOUSE_VALUE].iloc[0])


def test_same_main_earner_in_two_loans_in_one_snapshot():
    mortgages = pd.DataFrame({C.SNAPSHOT_YEAR: [2014, 2014, 2015, 2016], C.LOAN_ID: [1, 2, 3, 4]})
    key = pd.DataFrame({C.LOAN_ID: [1, 2, 3, 4], C.PERSON_ID: [10, 10, 30, 30]})
    linked, step = link_key(mortgages, key)
    cbs = pd.DataFrame({C.PERSON_ID: [10, 30, 30], C.YEAR: [2015, 2016, 2017],
                        C.PARTNER_ID: pd.array([pd.NA, pd.NA, pd.NA], dtype="Int64")})
    # person 10 holds loans 1 and 2 in 2014; person 30 holds 3 (2015) and 4 (2016): a move, not two mortgages
    assert multi_mortgage_loans(linked, cbs).tolist() == [1, 2]
    assert step.rows_dropped == 0
