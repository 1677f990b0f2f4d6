"""Hand-worked values: origination-year rules, t+1 timing and follow-up on small hand-made frames.

Reference: the report's appendix 2 ("Definitie van afsluitjaar", "Nieuwe
hypotheken") and chapter 2; each expected value is derived by hand in the test.
"""

from __future__ import annotations

import pandas as pd

from cohorts import columns as C
from cohorts.cohort import attach_finances, follow_up, loans_from_snapshots, select_new_mortgages


def _linked(rows):
    """Mortgage-snapshots: (loan, snapshot, oldest origination date, arrears)."""
    df = pd.DataFrame(rows, columns=[C.LOAN_ID, C.SNAPSHOT_YEAR, C.ORIGINATION_DATE, C.ARREARS])
    df[C.ORIGINATION_DATE] = pd.to_datetime(df[C.ORIGINATION_DATE])
    df[C.ORIGINATION_YEAR] = df[C.ORIGINATION_DATE].dt.year
    df[C.MAIN_ID] = df[C.LOAN_ID] * 10
    return df


def _new(rows):
    loans, _ = loans_from_snapshots(_linked(rows))
    new, steps = select_new_mortgages(loans)
    return new, steps


def test_refinancing_keeps_the_original_year():
    # a part replaced in 2016 by a part originated in 2016: the oldest (2014) stays
    new, _ = _new([(1, 2014, "2014-03-01", False), (1, 2015, "2014-03-01", False), (1, 2016, "2014-03-01", False)])
    assert new[C.COHORT].tolist() == [2014]


def test_part_added_later_with_a_newer_date_keeps_the_year():
    new, _ = _new([(1, 2013, "2013-06-01", False), (1, 2014, "2013-06-01", False)])
    assert new[C.COHORT].tolist() == [2013]


def test_older_part_appearing_later_makes_the_year_unidentified():
    # first seen 2014 with a 2014 part; in 2015 a 2010 part of the same mortgage appears
    new, steps = _new([(1, 2014, "2014-02-01", False), (1, 2015, "2010-01-01", False)])
    assert len(new) == 0
    assert {s.rule: s.rows_dropped for s in steps}["originated in or after 2012"] == 1


def test_first_seen_later_than_origination_is_dropped():
    new, steps = _new([(1, 2017, "2016-11-01", False), (2, 2016, "2016-11-01", False)])
    assert new[C.LOAN_ID].tolist() == [2]
    assert {s.rule: s.rows_dropped for s in steps}["origination year = first snapshot year"] == 1


def test_first_snapshot_2012_with_2012_origination_is_new_but_2011_is_stock():
    new, steps = _new([(1, 2012, "2012-12-31", False), (2, 2012, "2011-12-31", False)])
    assert new[C.LOAN_ID].tolist() == [1]
    assert {s.rule: s.rows_dropped for s in steps}["originated in or after 2012"] == 1


def test_2018_origination_is_outside_the_cohorts():
    new, steps = _new([(1, 2018, "2018-05-01", False)])
    assert len(new) == 0
    assert {s.rule: s.rows_dropped for s in steps}["cohort in 2012-2017"] == 1


def _cbs(rows):
    cols = [C.PERSON_ID, C.YEAR, C.BIRTH_YEAR, C.PARTNER_ID, C.GROSS_INCOME, C.ZZP, C.SAVINGS, C.SECURITIES,
            C.OTHER_DEBTS, C.STUDENT_DEBT]
    df = pd.DataFrame(rows, columns=cols)
    df[C.PARTNER_ID] = df[C.PARTNER_ID].astype("Int64")
    return df


def test_finances_come_from_year_t_plus_one():
    new = pd.DataFrame({C.LOAN_ID: [1], C.MAIN_ID: [10], C.COHORT: [2015]})
    cbs = _cbs([
        (10, 2015, 1980, 20, 40_000.0, False, 1_000.0, 0.0, 0.0, 0.0),  # year t: must not be used
        (10, 2016, 1980, 20, 50_000.0, False, 2_000.0, 500.0, 50_000.0, 3_000.0),  # year t+1
        (20, 2016, 1981, 10, 30_000.0, False, 1_000.0, 0.0, 1.0, 0.0),
    ])
    out, steps = attach_finances(new, cbs)
    row = out.iloc[0]
    assert row[C.MAIN_INCOME] == 50_000 and row[C.PARTNER_INCOME] == 30_000
    assert row[C.SAVINGS] == 3_000 and row[C.SECURITIES] == 500
    # household other debts 50,001 > 50,000: not consumer credit (set to 0, not capped)
    assert row[C.OTHER_DEBTS] == 50_001 and row[C.CONSUMER_CREDIT] == 0
    assert row[C.MAIN_AGE] == 35 and bool(row[C.STARTER]) is True  # 2015 - 1980 = 35 <= 35
    assert all(s.rows_dropped == 0 for s in steps)


def test_consumer_credit_at_the_bound_counts():
    new = pd.DataFrame({C.LOAN_ID: [1], C.MAIN_ID: [10], C.COHORT: [2015]})
    cbs = _cbs([(10, 2016, 1979, None, 50_000.0, False, 0.0, 0.0, 50_000.0, 0.0)])
    out, _ = attach_finances(new, cbs)
    assert out[C.CONSUMER_CREDIT].iloc[0] == 50_000
    assert bool(out[C.STARTER].iloc[0]) is False  # 2015 - 1979 = 36
    out2, _ = attach_finances(new, cbs, consumer_credit_bound=40_000)
    assert out2[C.CONSUMER_CREDIT].iloc[0] == 0


def test_follow_up_event_and_censoring():
    linked = _linked([
        (1, 2014, "2014-01-01", False), (1, 2015, "2014-01-01", True), (1, 2016, "2014-01-01", True),
        (2, 2014, "2014-01-01", False), (2, 2016, "2014-01-01", False),  # gap in 2015: still followed to 2016
        (3, 2017, "2017-01-01", False), (3, 2018, "2017-01-01", False),
    ])
    new = pd.DataFrame({C.LOAN_ID: [1, 2, 3], C.COHORT: [2014, 2014, 2017], C.LAST_SEEN: [2016, 2016, 2018]})
    out = follow_up(new, linked)
    assert out[C.DURATION].tolist() == [2, 3, 2]
    assert out[C.EVENT].tolist() == [True, False, False]
    assert out[C.EXIT_TYPE].astype(str).tolist() == ["arrears", "left", "observed_end"]
