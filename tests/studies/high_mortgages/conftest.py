"""Fixtures of the report tests: small hand-made study frames.

The frames are built so that every table value can be worked out by hand in
the tests (the expected numbers are written there, next to the arithmetic).
Plots use the non-interactive Agg backend.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cohorts import columns as C  # noqa: E402

# row:            1       2       3       4        5       6
HAND_COHORTS = {
    C.LOAN_ID: [1, 2, 3, 4, 5, 6],
    C.COHORT: [2017, 2017, 2017, 2017, 2016, 2016],
    C.STARTER: [True, True, False, False, True, False],
    C.LTI_UTIL: [1.2, 0.8, 1.1, 0.5, 0.95, 1.3],
    C.HIGH: [True, False, True, False, False, True],
    C.LTV_UTIL: [0.95, 0.85, 1.05, 0.6, 0.9, 1.0],
    C.INTEREST_ONLY_AMOUNT: [50_000.0, 0.0, 60_000.0, 100_000.0, 0.0, 80_000.0],
    "wlt_possible": [True, False, False, False, False, True],
    C.NHG: [True, True, False, False, True, False],
    C.CONSUMER_CREDIT: [5_000.0, 0.0, 20_000.0, 0.0, 0.0, 10_000.0],
    C.ZZP: [False, False, True, False, False, True],
    C.EVENT: [True, False, False, True, False, True],
    C.DURATION: [1, 2, 2, 2, 3, 3],
    C.EXIT_TYPE: ["arrears", "observed_end", "observed_end", "arrears", "observed_end", "arrears"],
    C.INTEREST_RATE: [2.0, 2.2, 2.4, 2.6, 2.5, 2.7],
    C.LTV: [0.90, 0.80, 1.00, 0.60, 0.85, 0.95],
    C.BALANCE: [270_000.0, 200_000.0, 300_000.0, 150_000.0, 170_000.0, 190_000.0],
    C.HOUSE_VALUE: [300_000.0, 250_000.0, 300_000.0, 250_000.0, 200_000.0, 200_000.0],
    C.NET_WEALTH: [1_000.0, 5_000.0, -2_000.0, 30_000.0, 8_000.0, 500.0],
    C.STUDENT_DEBT: [10_000.0, 0.0, 0.0, 0.0, 5_000.0, 0.0],
    C.HOUSEHOLD_INCOME: [60_000.0, 50_000.0, 70_000.0, 90_000.0, 55_000.0, 65_000.0],
    C.HAS_PARTNER: [True, False, True, True, False, True],
    C.FIXED_PERIOD_YEARS: [10, 20, 5, 10, 10, 0],
}


@pytest.fixture
def hand_cohorts() -> pd.DataFrame:
    """Six new mortgages: four of cohort 2017 (rows 1-4) and two of 2016 (rows 5-6)."""
    return pd.DataFrame(HAND_COHORTS)


@pytest.fixture
def hand_stock() -> pd.DataFrame:
    """Three stock mortgages in snapshot 2017 and one in 2018 (outside the table years)."""
    return pd.DataFrame({
        C.SNAPSHOT_YEAR: [2017, 2017, 2017, 2018],
        C.LOAN_ID: [10, 11, 12, 10],
        C.NHG: [True, False, False, True],
        C.ARREARS: [False, False, True, True],
        C.INTEREST_RATE: [4.0, 4.0, 5.0, 4.0],
        C.LTV: [0.5, 0.6, 0.7, 0.5],
        C.BALANCE: [100_000.0, 200_000.0, 300_000.0, 90_000.0],
        C.HOUSE_VALUE: [200_000.0, 300_000.0, 400_000.0, 200_000.0],
        C.NET_WEALTH: [10_000.0, 20_000.0, 60_000.0, 0.0],
    })


@pytest.fixture
def hand_panel() -> pd.DataFrame:
    """Income follow-up: loans 1, 2 (starters) and 4 over k = 0, 1; loan 5 has a zero
    baseline income (left out); loan 6 has no income at k = 1 (left out there)."""
    return pd.DataFrame({
        C.LOAN_ID: [1, 1, 2, 2, 4, 4, 5, 5, 6, 6],
        C.YEARS_SINCE_ORIGINATION: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
        C.STARTER: [True, True, True, True, False, False, True, True, False, False],
        C.HOUSEHOLD_INCOME: [60_000.0, 66_000.0, 50_000.0, 60_000.0, 90_000.0, 90_000.0, 0.0, 40_000.0,
                             65_000.0, np.nan],
    })


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
