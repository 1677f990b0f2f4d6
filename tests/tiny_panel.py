"""A tiny raw panel whose expected cohort is worked out by hand (plain builders).

The panel (``tiny_raw``) has 14 loans, each built to exercise one rule of the
report's method. Expected fates (see ``TINY_FATES``):

=====  =====================================================================
loan   story
=====  =====================================================================
1      one annuity part, originated 2014, seen 2014-2018, no arrears:
       new (cohort 2014), starter (born 1985, age 29), censored at
       duration 5 (2018 - 2014 + 1), exit "observed_end". Partner person 2.
2      originated 2013 with two parts (interest-only 100k, annuity 150k);
       in 2015 the annuity part is replaced by a new part originated 2015
       (refinancing keeps the oldest part): still cohort 2013. Arrears in
       2015 and not in 2016: event at duration 3 (2015 - 2013 + 1).
3      oldest part originated 2016, first seen 2017: origination year not
       identified -> dropped.
4      originated 2005, seen 2012-2018: existing stock -> dropped as
       "originated before 2012" (but part of the stock table).
5, 6   the same main earner (person 6) holds both in 2014 -> multi-mortgage
       household: both dropped.
7      not in the key table -> unlinkable (2 mortgage-snapshots dropped).
8      originated 2015, seen 2015-2016 only: new, censored at duration 2,
       exit "left". Non-starter (born 1970).
9      originated 2016; main earner's partner (person 10) has no 2017 record
       -> dropped.
10     originated 2017; main earner (person 11) has no 2018 record -> dropped.
11     originated 2018, first seen 2018, not in the key table (2018
       originations cannot be linked) -> unlinkable.
12     its only part is not owner-occupied -> loan part dropped.
13     originated 2016 with arrears already in 2016: event at duration 1.
14     originated 2014 with a missing current LTV at its first snapshot ->
       house value cannot be derived -> dropped.
=====  =====================================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts import columns as C

TINY_FATES = {
    1: "analysable",
    2: "analysable",
    3: "origination_year_mismatch",
    4: "pre_2012_stock",
    5: "multi_mortgage",
    6: "multi_mortgage",
    7: "unlinkable",
    8: "analysable",
    9: "missing_cbs_partner",
    10: "missing_cbs_main",
    11: "unlinkable",
    12: "not_owner_occupied",
    13: "analysable",
    14: "house_value_missing",
}


def _part(loan, part, years, orig, bal, *, rate=3.0, months=120, rtype="annuity", ltv=80.0,
          arrears=(), nhg=False, owner=True, ltv_missing_in=()):
    rows = []
    for y in years:
        rows.append(
            {
                C.SNAPSHOT_YEAR: y,
                C.LOAN_ID: loan,
                C.LOAN_PART_ID: part,
                C.ORIGINATION_DATE: pd.Timestamp(orig),
                C.MATURITY_DATE: pd.Timestamp(orig) + pd.DateOffset(years=30),
                C.CURRENT_BALANCE: float(bal),
                C.ORIGINAL_BALANCE: float(bal),
                C.CURRENT_LTV: np.nan if y in ltv_missing_in else ltv,
                C.INTEREST_RATE: rate,
                C.FIXED_PERIOD_MONTHS: months,
                C.REPAYMENT_TYPE: rtype,
                C.NHG: nhg,
                C.ARREARS: y in arrears,
                C.OWNER_OCCUPIED: owner,
            }
        )
    return rows


def tiny_lld() -> pd.DataFrame:
    rows = []
    rows += _part(1, 1, range(2014, 2019), "2014-05-01", 200_000, rate=2.5, months=240, ltv=90.0)
    # loan 2: IO part kept throughout; annuity part 22 replaced by part 23 in 2015
    rows += _part(2, 21, range(2013, 2017), "2013-03-01", 100_000, rate=4.0, months=120, rtype="interest_only",
                  ltv=100.0, arrears=(2015,))
    rows += _part(2, 22, range(2013, 2015), "2013-03-01", 150_000, rate=3.5, months=60, ltv=100.0)
    rows += _part(2, 23, range(2015, 2017), "2015-06-01", 150_000, rate=2.0, months=120, ltv=100.0)
    rows += _part(3, 31, range(2017, 2019), "2016-02-01", 180_000)
    rows += _part(4, 41, range(2012, 2019), "2005-01-01", 120_000, rate=4.5)
    rows += _part(5, 51, range(2014, 2016), "2014-01-01", 150_000)
    rows += _part(6, 61, range(2014, 2016), "2014-01-01", 90_000)
    rows += _part(7, 71, range(2015, 2017), "2015-01-01", 150_000)
    rows += _part(8, 81, range(2015, 2017), "2015-07-01", 160_000, rate=2.8, months=60)
    rows += _part(9, 91, range(2016, 2019), "2016-01-01", 210_000)
    rows += _part(10, 101, range(2017, 2019), "2017-01-01", 230_000)
    rows += _part(11, 111, [2018], "2018-01-01", 240_000)
    rows += _part(12, 121, range(2014, 2016), "2014-01-01", 100_000, owner=False)
    rows += _part(13, 131, range(2016, 2018), "2016-03-01", 250_000, arrears=(2016,), nhg=True)
    rows += _part(14, 141, range(2014, 2016), "2014-04-01", 175_000, ltv_missing_in=(2014,))
    return pd.DataFrame(rows)


def _person(pid, years, birth, income, *, partner=None, savings=10_000.0, securities=0.0, other_debts=0.0,
            student_debt=0.0, zzp=False):
    return [
        {
            C.PERSON_ID: pid,
            C.YEAR: y,
            C.BIRTH_YEAR: birth,
            C.PARTNER_ID: partner,
            C.GROSS_INCOME: float(income),
            C.ZZP: zzp,
            C.SAVINGS: savings,
            C.SECURITIES: securities,
            C.OTHER_DEBTS: other_debts,
            C.STUDENT_DEBT: student_debt,
        }
        for y in years
    ]


def tiny_cbs() -> pd.DataFrame:
    yrs = range(2012, 2020)
    rows = []
    rows += _person(1, yrs, 1985, 50_000, partner=2, student_debt=12_000)
    rows += _person(2, yrs, 1986, 30_000, partner=1, savings=5_000)
    rows += _person(3, yrs, 1970, 70_000, other_debts=60_000)  # other debts above the bound: no consumer credit
    rows += _person(4, yrs, 1980, 45_000)
    rows += _person(5, yrs, 1960, 60_000)
    rows += _person(6, yrs, 1975, 80_000)
    rows += _person(7, yrs, 1970, 55_000, partner=70, other_debts=8_000)
    rows += _person(70, yrs, 1972, 25_000, partner=7)
    rows += _person(9, yrs, 1990, 40_000, partner=10)
    rows += _person(10, [y for y in yrs if y != 2017], 1991, 35_000, partner=9)
    rows += _person(11, [y for y in yrs if y != 2018], 1988, 45_000)
    rows += _person(12, yrs, 1980, 50_000)
    rows += _person(13, yrs, 1982, 65_000, zzp=True)
    rows += _person(14, yrs, 1984, 60_000)
    df = pd.DataFrame(rows)
    df[C.PARTNER_ID] = df[C.PARTNER_ID].astype("Int64")
    return df


def tiny_key() -> pd.DataFrame:
    mapping = {1: 1, 2: 3, 3: 4, 4: 5, 5: 6, 6: 6, 8: 7, 9: 9, 10: 11, 12: 12, 13: 13, 14: 14}
    return pd.DataFrame({C.LOAN_ID: list(mapping), C.PERSON_ID: list(mapping.values())})


