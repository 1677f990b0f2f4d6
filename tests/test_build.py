"""Hand-worked values: end-to-end build on the hand-built tiny panel (tests/conftest.py).

The expected cohort, selection counts, follow-up and one
maximum mortgage are worked out by hand in this file from the panel's story
and the published 2013 Trhk table; none is taken from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.build import build, cohort_summary
from cohorts.contracts import validate_cbs, validate_key, validate_lld
from cohorts.errors import NormTableFallbackWarning
from cohorts.selection import check_reconciles


def _build(lld, cbs, key):
    # the panel has a 2016 cohort, for which no official table was found: the
    # engine must say so (and use 2015)
    with pytest.warns(NormTableFallbackWarning, match="2016"):
        return build(validate_lld(lld), validate_cbs(cbs), validate_key(key))


@pytest.fixture
def result(tiny_raw):
    return _build(*tiny_raw)


def test_expected_cohort_by_hand(result):
    got = result.cohorts.set_index(C.LOAN_ID)
    assert sorted(got.index.tolist()) == [1, 2, 8, 13]
    assert got.loc[[1, 2, 8, 13], C.COHORT].tolist() == [2014, 2013, 2015, 2016]
    assert got.loc[[1, 2, 8, 13], C.STARTER].tolist() == [True, False, False, True]  # ages 29, 43, 45, 34


def test_follow_up_by_hand(result):
    got = result.cohorts.set_index(C.LOAN_ID)
    # loan 1: seen 2014..2018, no arrears: censored at 2018 - 2014 + 1 = 5, still observed at the end
    # loan 2: first arrears 2015: 2015 - 2013 + 1 = 3 (the 2016 snapshot without arrears does not undo it)
    # loan 8: last seen 2016: censored at 2016 - 2015 + 1 = 2, left the data
    # loan 13: arrears in its origination year: duration 1
    assert got.loc[[1, 2, 8, 13], C.DURATION].tolist() == [5, 3, 2, 1]
    assert got.loc[[1, 2, 8, 13], C.EVENT].tolist() == [False, True, False, True]
    assert got.loc[[1, 2, 8, 13], C.EXIT_TYPE].astype(str).tolist() == ["observed_end", "arrears", "left", "arrears"]


def test_refinanced_mortgage_keeps_oldest_part_and_origination_values(result):
    loan2 = result.cohorts.set_index(C.LOAN_ID).loc[2]
    # origination snapshot 2013: parts 21 (IO 100k at 4.0%, 120 m) and 22 (annuity 150k at 3.5%, 60 m)
    assert loan2[C.BALANCE] == 250_000
    assert loan2[C.INTEREST_RATE] == pytest.approx((100_000 * 4.0 + 150_000 * 3.5) / 250_000, abs=1e-12)
    assert loan2[C.FIXED_PERIOD_YEARS] == 5  # shortest fixed period, 60 months
    assert loan2[C.INTEREST_ONLY_AMOUNT] == 100_000
    assert loan2[C.HOUSE_VALUE] == pytest.approx(250_000 / 1.00)


def test_t_plus_one_finances_by_hand(result):
    got = result.cohorts.set_index(C.LOAN_ID)
    # loan 1, cohort 2014 -> CBS 2015: main 50k + partner 30k; savings 10k + 5k; student debt 12k
    assert got.loc[1, C.HOUSEHOLD_INCOME] == 80_000
    assert got.loc[1, C.SAVINGS] == 15_000
    assert got.loc[1, C.STUDENT_DEBT] == 12_000
    # loan 2: other debts 60k exceed the 50k bound: consumer credit 0, not capped at 50k
    assert got.loc[2, C.OTHER_DEBTS] == 60_000 and got.loc[2, C.CONSUMER_CREDIT] == 0
    # loan 8: other debts 8k (main) + 0 (partner) count as consumer credit
    assert got.loc[8, C.CONSUMER_CREDIT] == 8_000
    assert bool(got.loc[13, C.ZZP]) is True


def test_max_mortgage_of_loan2_by_hand(result):
    loan2 = result.cohorts.set_index(C.LOAN_ID).loc[2]
    # cohort 2013, no partner: lookup income = 70,000 + 0.03 * 10,000 = 70,300
    # fixed period 5 years < 10: test rate = max(3.7, 5.0) = 5.0
    # Trhk 2013 below_aow, row 70,000-72,000, bracket <= 5.000%: 32.0 %
    monthly = 0.32 * 70_300 / 12  # consumer credit 0 (debts above bound), no student debt
    rm = 5.0 / 1200
    annuity = rm / (1 - (1 + rm) ** -360)
    assert loan2[C.MAX_MORTGAGE] == pytest.approx(monthly / annuity, rel=1e-12)
    assert loan2[C.LTI_UTIL] == pytest.approx(250_000 / (monthly / annuity), rel=1e-12)
    assert bool(loan2[C.HIGH]) is False


def test_max_mortgage_of_loan1_by_hand(result):
    loan1 = result.cohorts.set_index(C.LOAN_ID).loc[1]
    # cohort 2014: lookup = 50,000 + 30,000/3 + 0.03 * 15,000 = 60,450 -> row 58,000-61,000
    # fixed 20 years: test rate = 2.5 -> bracket <= 4.000%: 26.5 %
    # charge income = 80,000 + 450; student debt charge 0.0075 * 12,000 = 90 per month
    monthly = 0.265 * 80_450 / 12 - 90
    rm = 2.5 / 1200
    annuity = rm / (1 - (1 + rm) ** -360)
    assert loan1[C.MAX_MORTGAGE] == pytest.approx(monthly / annuity, rel=1e-12)


def test_selection_counts_by_hand(result):
    sel = result.selection
    check_reconciles(sel)
    coh = sel[sel.population == "cohorts"].set_index("rule")
    # 42 raw loan parts (see conftest); loan 12's 2 parts are not owner-occupied
    assert coh.loc["raw LLD loan parts", "rows_out"] == 42
    assert coh.loc["owner-occupied loan parts", "rows_dropped"] == 2
    assert coh.loc["aggregate loan parts per loan and snapshot", "rows_out"] == 36
    assert coh.loc["linkable through the 2017 key table", "rows_dropped"] == 3  # loan 7 (2 snapshots), loan 11 (1)
    assert coh.loc["one row per mortgage", "rows_out"] == 11
    assert coh.loc["household holds one mortgage", "rows_dropped"] == 2  # loans 5 and 6
    assert coh.loc["originated in or after 2012", "rows_dropped"] == 1  # loan 4
    assert coh.loc["origination year = first snapshot year", "rows_dropped"] == 1  # loan 3
    assert coh.loc["main earner has a CBS record in t+1", "rows_dropped"] == 1  # loan 10
    assert coh.loc["partner has a CBS record in t+1", "rows_dropped"] == 1  # loan 9
    assert coh.loc["house value derivable", "rows_dropped"] == 1  # loan 14
    assert coh.loc["analysable new mortgages", "rows_out"] == 4
    stock = sel[sel.population == "stock"].set_index("rule")
    # 33 linked snapshots - 4 of loans 5/6 - loan 10 in 2017 (no 2018 record) - loan 9 in 2016
    # (partner without 2017 record) - loan 14 in 2014 (no LTV) = 26
    assert stock.loc["household holds one mortgage", "rows_in"] == 33
    assert stock.loc["linkable stock", "rows_out"] == 26 == len(result.stock)


def test_panel_rows_and_income(result):
    panel = result.panel
    # loans 1 (5 snapshots), 2 (4), 8 (2), 13 (2)
    assert panel.groupby(C.LOAN_ID).size().to_dict() == {1: 5, 2: 4, 8: 2, 13: 2}
    p1 = panel[panel[C.LOAN_ID] == 1]
    assert p1[C.YEARS_SINCE_ORIGINATION].tolist() == [0, 1, 2, 3, 4]
    assert (p1[C.HOUSEHOLD_INCOME] == 80_000).all()


def test_summary_counts(result):
    summary = cohort_summary(result.cohorts)
    assert summary.loc["all", "mortgages"] == 4
    assert summary.loc["all", "starters"] == 2
    assert summary.loc["all", "arrears"] == 2


def test_row_order_does_not_change_the_cohort(tiny_raw):
    lld, cbs, key = tiny_raw
    a = _build(lld, cbs, key).cohorts
    rng = np.random.default_rng(3)
    b = _build(
        lld.iloc[rng.permutation(len(lld))], cbs.iloc[rng.permutation(len(cbs))], key.iloc[rng.permutation(len(key))]
    ).cohorts
    pd.testing.assert_frame_equal(
        a.sort_values(C.LOAN_ID).reset_index(drop=True), b.sort_values(C.LOAN_ID).reset_index(drop=True)
    )


def test_partner_in_another_mortgage_makes_a_multi_mortgage_household(tiny_raw):
    lld, cbs, key = tiny_raw
    # person 2 (loan 1's partner) becomes the main earner of loan 12, made owner-occupied
    lld = lld.copy()
    lld.loc[lld[C.LOAN_ID] == 12, C.OWNER_OCCUPIED] = True
    lld.loc[lld[C.LOAN_ID] == 12, C.SNAPSHOT_YEAR] = [2015, 2016]
    key = key.copy()
    key.loc[key[C.LOAN_ID] == 12, C.PERSON_ID] = 2
    res = _build(lld, cbs, key)
    assert 1 not in set(res.cohorts[C.LOAN_ID])
    assert not math.isnan(res.cohorts[C.LTI_UTIL].sum())
