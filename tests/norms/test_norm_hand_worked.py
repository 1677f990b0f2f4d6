"""Hand-worked values: one example per table year (reference: the Trhk table cells).

Each expected value is built from table cells looked up by hand in
``src/cohorts/norms/data/financieringslast_<year>.csv`` (quoted line by line
below) and the report's formulas (Bijlage 3, footnote 37), written out here.
The annuity factor is recomputed in the report's own form
``rm (1+rm)^360 / ((1+rm)^360 - 1)``, which differs from the code's form.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cohorts.errors import NormTableFallbackWarning
from cohorts.norms import annuity_factor, apply_norm, load_tables

BASE = dict(
    year=2015,
    main_income=0.0,
    partner_income=0.0,
    main_age=40,
    interest_rate=4.0,
    fixed_period_years=10,
    savings=0.0,
    securities=0.0,
    consumer_credit=0.0,
    student_debt=0.0,
    observed_mortgage=100_000.0,
    house_value=200_000.0,
    interest_only_amount=0.0,
)


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def report_af(rate_pct: float) -> float:
    """Footnote 37, literally: rm (rm+1)^(30*12) / ((rm+1)^(30*12) - 1), rm = rate / 12."""
    rm = rate_pct / 100 / 12
    return rm * (rm + 1) ** 360 / ((rm + 1) ** 360 - 1)


def one(tables, **kw) -> pd.Series:
    return apply_norm(pd.DataFrame([{**BASE, **kw}]), tables=tables).iloc[0]


def test_annuity_factor_matches_textbook_payment():
    # External reference: a 30-year EUR 100,000 annuity at 5% costs EUR 536.82 a month,
    # at 4% EUR 477.42, at 6% EUR 599.55 (standard amortisation tables).
    assert annuity_factor(np.array([5.0, 4.0, 6.0])) * 100_000 == pytest.approx([536.82, 477.42, 599.55], abs=0.005)
    assert float(annuity_factor(5.2)) == pytest.approx(report_af(5.2), rel=1e-12)
    assert float(annuity_factor(0.0)) == pytest.approx(1 / 360, rel=1e-15)


def test_2013_below_aow_with_wealth_and_debts(tables):
    r = one(
        tables,
        year=2013, main_income=45_000, partner_income=30_000, main_age=40,
        interest_rate=5.2, fixed_period_years=10, savings=10_000, securities=5_000,
        consumer_credit=1_000, student_debt=10_000,
        observed_mortgage=340_000, house_value=280_000, interest_only_amount=113_000,
    )
    wealth = 0.03 * (10_000 + 5_000)                       # 450
    lookup = 45_000 + 0.3333 * 30_000 + wealth             # 55,449 -> row 51000-57000
    charge = 45_000 + 30_000 + wealth                      # 75,450
    # financieringslast_2013.csv: "2013,below_aow,51000,57000,5.001,5.500,29.5"
    pct = 29.5
    max_monthly = pct / 100 * charge / 12 - 0.02 * 1_000 - 0.0075 * 10_000   # 1854.8125 - 95
    af = report_af(5.2)
    max_mortgage = max_monthly / af
    assert r.lookup_income == pytest.approx(55_449.0, rel=1e-12)
    assert r.lookup_income == pytest.approx(lookup, rel=1e-12)
    assert r.charge_income == pytest.approx(75_450.0, rel=1e-12)
    assert r.test_rate == 5.2
    assert r.norm_table == "below_aow" and r.norm_table_year == 2013
    assert r.pct == pct
    assert r.max_monthly == pytest.approx(1_759.8125, rel=1e-12)
    assert r.annuity_factor == pytest.approx(af, rel=1e-12)
    assert r.max_mortgage == pytest.approx(max_mortgage, rel=1e-12)
    assert r.lti_util == pytest.approx(340_000 / max_mortgage, rel=1e-12)
    assert r.ltv == pytest.approx(340_000 / 280_000, rel=1e-12)
    assert r.ltv_limit == 1.05
    assert r.ltv_util == pytest.approx(340_000 / 280_000 / 1.05, rel=1e-12)
    # af(5.2%) = 0.0054911 -> max ~ 1759.81 / 0.0054911 ~ 320,480: utilisation ~ 1.061, high
    assert r.max_mortgage == pytest.approx(320_480, rel=1e-3)
    assert bool(r.high)
    # no-HRA, 2013 footnote: pct - 1.5 x toetsrente - 0.25 = 29.5 - 7.8 - 0.25
    assert r.pct_nohra == pytest.approx(21.45, rel=1e-12)
    s = 113_000 / 340_000
    b = 21.45 / 29.5
    wlt = max_monthly / ((1 - s) * af + s * (5.2 / 1200) / b)
    assert r.max_mortgage_wlt == pytest.approx(wlt, rel=1e-12)
    # at 5.2% the grossed-up interest rm / b = 0.00596 exceeds the annuity factor 0.00549,
    # so the WLT maximum (~311,650) is below the standard one: not possible here
    assert r.max_mortgage_wlt == pytest.approx(311_650, rel=1e-3)
    assert not r.wlt_possible


def test_2014_aow_short_fixed_period_uses_5_percent(tables):
    r = one(
        tables,
        year=2014, main_income=25_000, partner_income=20_000, main_age=70,
        interest_rate=3.5, fixed_period_years=5,
        observed_mortgage=150_000, house_value=250_000, interest_only_amount=50_000,
    )
    lookup = 25_000 + 0.3333 * 20_000                      # 31,666 -> aow row 31000-32000
    # test rate = max(3.5, 5.0) = 5.0 -> bracket 4.501-5.000
    # financieringslast_2014.csv: "2014,aow,31000,32000,4.501,5.000,29.5"
    pct = 29.5
    max_monthly = pct / 100 * 45_000 / 12                  # 1106.25
    max_mortgage = max_monthly / report_af(5.0)
    assert r.lookup_income == pytest.approx(lookup, rel=1e-12)
    assert r.test_rate == 5.0
    assert r.norm_table == "aow" and r.norm_table_year == 2014
    assert r.pct == pct
    assert r.max_monthly == pytest.approx(1_106.25, rel=1e-12)
    assert r.max_mortgage == pytest.approx(max_mortgage, rel=1e-12)
    # 1106.25 / 0.00536821623 = 206,074.9...
    assert r.max_mortgage == pytest.approx(206_075, abs=1)
    assert r.ltv_limit == 1.04
    # no-HRA, 2014 footnote as written: pct - 1.6 x toetsrente, then + 0.1
    assert r.pct_nohra == pytest.approx(29.5 - 1.6 * 5.0 + 0.1, rel=1e-12)  # 21.6
    assert not r.high and not r.wlt_possible


def test_2015_high_mortgage_that_fits_under_wlt(tables):
    r = one(
        tables,
        year=2015, main_income=50_000, partner_income=30_000, main_age=35,
        interest_rate=2.8, fixed_period_years=20,
        observed_mortgage=400_000, house_value=420_000, interest_only_amount=200_000,
    )
    lookup = 50_000 + 0.3333 * 30_000                      # 59,999 -> row 59000-60000
    # financieringslast_2015.csv: "2015,below_aow,59000,60000,2.501,3.000,23.5"
    #                             "2015,below_aow_no_hra,59000,60000,2.501,3.000,20.0"
    pct, pct_nohra = 23.5, 20.0
    max_monthly = pct / 100 * 80_000 / 12                  # 1566.67
    af = report_af(2.8)
    max_mortgage = max_monthly / af                        # ~381,280
    s = 200_000 / 400_000
    wlt = max_monthly / ((1 - s) * af + s * (2.8 / 1200) / (pct_nohra / pct))   # ~457,380
    assert r.lookup_income == pytest.approx(lookup, rel=1e-12)
    assert r.pct == pct and r.pct_nohra == pct_nohra
    assert r.max_mortgage == pytest.approx(max_mortgage, rel=1e-12)
    assert r.lti_util == pytest.approx(400_000 / max_mortgage, rel=1e-12)
    assert r.lti_util > 1.0 and bool(r.high)
    assert r.max_mortgage_wlt == pytest.approx(wlt, rel=1e-12)
    assert 400_000 <= wlt and bool(r.wlt_possible)
    # by hand: af(2.8%) = 0.0023333 x 2.31412 / 1.31412 = 0.0041089;
    # 1566.67 / 0.0041089 ~ 381,290; WLT: 1566.67 / (0.5 x 0.0041089 + 0.5 x 0.0023333 / 0.85106) ~ 457,390
    assert r.max_mortgage == pytest.approx(381_290, rel=1e-3)
    assert r.max_mortgage_wlt == pytest.approx(457_390, rel=1e-3)
    assert r.ltv_limit == 1.03


def test_2016_falls_back_to_2015_with_its_own_weight_and_ltv_limit(tables):
    row = dict(
        year=2016, main_income=50_000, partner_income=30_000, main_age=35,
        interest_rate=2.8, fixed_period_years=20,
        observed_mortgage=400_000, house_value=420_000, interest_only_amount=0,
    )
    with pytest.warns(NormTableFallbackWarning, match=r"no Trhk table for 2016; used 2015 for 2016"):
        r = one(tables, **row)
    lookup = 50_000 + 0.5 * 30_000                         # 65,000 -> 2015 row 65000-66000
    assert r.lookup_income == lookup
    assert r.norm_table_year == 2015
    # financieringslast_2015.csv: "2015,below_aow,65000,66000,2.501,3.000,24.5"
    assert r.pct == 24.5
    assert r.max_monthly == pytest.approx(24.5 / 100 * 80_000 / 12, rel=1e-12)
    assert r.ltv_limit == 1.02


def test_2012_uses_2013_tables_and_says_so(tables):
    with pytest.warns(NormTableFallbackWarning, match=r"2012.*used 2013 for 2012"):
        r = one(tables, year=2012, main_income=45_000, interest_rate=5.2, house_value=100_000)
    # ltv limit 106% (inferred for 2012); weight 0.3333 (no partner here)
    # financieringslast_2013.csv: "2013,below_aow,44000,51000,5.001,5.500,29.0"
    assert r.norm_table_year == 2013
    assert r.pct == 29.0
    assert r.ltv_limit == 1.06
    assert r.lookup_income == 45_000


def test_fallback_warns_once_per_call_naming_all_years(tables):
    rows = pd.DataFrame([{**BASE, "year": y} for y in (2012, 2013, 2016, 2017, 2017, 2018, 2016)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = apply_norm(rows, tables=tables)
    fallback = [w for w in caught if issubclass(w.category, NormTableFallbackWarning)]
    assert len(fallback) == 1
    msg = str(fallback[0].message)
    assert "no Trhk table for 2012, 2016, 2017, 2018" in msg
    assert "used 2013 for 2012; 2015 for 2016, 2017, 2018" in msg
    assert fallback[0].filename == __file__  # stacklevel=2 points at the caller
    assert out["norm_table_year"].tolist() == [2013, 2013, 2015, 2015, 2015, 2015, 2015]


def test_no_warning_when_every_year_has_a_table(tables):
    rows = pd.DataFrame([{**BASE, "year": y} for y in (2013, 2014, 2015)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = apply_norm(rows, tables=tables)
    assert out["norm_table_year"].tolist() == [2013, 2014, 2015]
