"""Hand-worked values: tables and figure data on the hand-made frames of conftest.py.

Planted truth: every expected number below is worked out by hand from the six
rows of ``HAND_COHORTS`` (rows 1-4 are cohort 2017, rows 5-6 cohort 2016), the
stock and the panel; the arithmetic is in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts import columns as C
from cohorts.studies.high_mortgages import tables as T


def cell(table: pd.DataFrame, group: str, year: int, column: str = "value") -> float:
    hit = table.loc[(table["group"] == group) & (table["cohort"] == year), column]
    assert len(hit) == 1, (group, year)
    return float(hit.iloc[0])


def test_tidy_layout(hand_cohorts, hand_stock):
    t = T.table_2(hand_cohorts, hand_stock)
    assert list(t.columns) == list(T.TIDY_COLUMNS)
    # 4 groups + stock, 6 cohort years each
    assert len(t) == 5 * 6
    assert set(t["group"]) == {*T.GROUPS, T.STOCK}


def test_table_2_nhg_by_hand(hand_cohorts, hand_stock):
    t = T.table_2(hand_cohorts, hand_stock)
    assert cell(t, "new", 2017) == pytest.approx(50.0)  # rows 1, 2 of 1-4
    assert cell(t, "new_high", 2017) == pytest.approx(50.0)  # row 1 of 1, 3
    assert cell(t, "starters", 2017) == pytest.approx(100.0)  # rows 1, 2
    assert cell(t, "starters_high", 2017) == pytest.approx(100.0)  # row 1
    assert cell(t, "stock", 2017) == pytest.approx(100.0 / 3)  # 1 of 3 stock rows of 2017
    assert cell(t, "stock", 2017, "n") == 3
    assert math.isnan(cell(t, "starters_high", 2016))  # nobody: starter 5 is within the norm
    assert cell(t, "starters_high", 2016, "n") == 0
    assert math.isnan(cell(t, "new", 2013))


def test_tables_3_4_6_shares_by_hand(hand_cohorts):
    t3, t4, b6 = T.table_3(hand_cohorts), T.table_4(hand_cohorts), T.table_b6(hand_cohorts)
    assert cell(t3, "new", 2017) == pytest.approx(50.0)  # rows 1, 3 have consumer credit
    assert cell(t3, "new_high", 2017) == pytest.approx(100.0)
    assert cell(t3, "starters", 2017) == pytest.approx(50.0)
    assert cell(t4, "new", 2017) == pytest.approx(25.0)  # row 3 zzp
    assert cell(t4, "new_high", 2016) == pytest.approx(100.0)  # row 6
    assert cell(t4, "starters", 2017) == pytest.approx(0.0)
    assert cell(b6, "new", 2017) == pytest.approx(25.0)  # row 1 student debt
    assert cell(b6, "starters", 2016) == pytest.approx(100.0)  # row 5


def test_table_5_windows_by_hand(hand_cohorts, hand_stock):
    ever = T.table_5(hand_cohorts, hand_stock, window="ever")
    first = T.table_5(hand_cohorts, hand_stock)  # the default: first arrears in the origination year
    assert cell(ever, "new", 2017) == pytest.approx(50.0)  # rows 1 (duration 1) and 4 (duration 2)
    assert cell(first, "new", 2017) == pytest.approx(25.0)  # only row 1 at duration 1
    assert cell(ever, "starters_high", 2017) == pytest.approx(100.0)
    assert cell(ever, "stock", 2017) == pytest.approx(100.0 / 3)  # stock uses the snapshot's flag
    with pytest.raises(ValueError, match="window must be one of"):
        T.table_5(hand_cohorts, hand_stock, window="all")


def test_table_1_denominator_is_high_with_interest_only(hand_cohorts):
    t1 = T.table_1(hand_cohorts)
    assert set(t1["group"]) == {"new_high_io", "starters_high_io"}
    # 2017 high with interest-only: rows 1 (WLT) and 3 (not) -> 50%, N = 2
    assert cell(t1, "new_high_io", 2017) == pytest.approx(50.0)
    assert cell(t1, "new_high_io", 2017, "n") == 2
    assert cell(t1, "starters_high_io", 2017) == pytest.approx(100.0)  # row 1
    assert cell(t1, "new_high_io", 2016) == pytest.approx(100.0)  # row 6


def test_means_medians_counts_by_hand(hand_cohorts, hand_stock):
    b1 = T.table_b1(hand_cohorts, hand_stock)
    assert cell(b1, "new", 2017) == pytest.approx((2.0 + 2.2 + 2.4 + 2.6) / 4)
    assert cell(b1, "new_high", 2017) == pytest.approx((2.0 + 2.4) / 2)
    assert cell(b1, "stock", 2017) == pytest.approx(13.0 / 3)
    b2 = T.table_b2(hand_cohorts, hand_stock)
    assert cell(b2, "new", 2017) == pytest.approx((90 + 80 + 100 + 60) / 4)
    assert cell(b2, "stock", 2017) == pytest.approx(60.0)
    b3 = T.table_b3(hand_cohorts, hand_stock)
    assert [cell(b3, g, 2017) for g in T.GROUPS] == [4, 2, 2, 1]
    assert [cell(b3, g, 2016) for g in T.GROUPS] == [2, 1, 1, 0]
    assert cell(b3, "stock", 2017) == 3
    b5 = T.table_b5(hand_cohorts, hand_stock)
    assert cell(b5, "new", 2017) == pytest.approx((1_000 + 5_000) / 2)  # median of -2000, 1000, 5000, 30000
    assert cell(b5, "stock", 2017) == pytest.approx(20_000)
    b7, b8 = T.table_b7(hand_cohorts, hand_stock), T.table_b8(hand_cohorts, hand_stock)
    assert cell(b7, "new", 2017) == pytest.approx(920_000 / 4)
    assert cell(b8, "new", 2017) == pytest.approx(1_100_000 / 4)


def test_support_columns_by_hand(hand_cohorts, hand_stock):
    b5 = T.table_b5(hand_cohorts, hand_stock, support=True).set_index(["group", "cohort"])
    support = list(T.SUPPORT_COLUMNS)
    # absolute values 2000, 1000, 5000, 30000
    assert b5.loc[("new", 2017), support].tolist() == [4, 30_000.0, 5_000.0, 38_000.0]
    assert b5.loc[("stock", 2017), support].tolist() == [3, 60_000.0, 20_000.0, 90_000.0]
    assert b5.loc[(T.GROUPS[3], 2016), support].tolist() == [0, 0.0, 0.0, 0.0]  # an empty cell
    one = b5.loc[(T.GROUPS[3], 2017), support].tolist()  # a cell of one household
    assert one[0] == 1 and one[2] == 0.0 and one[1] == one[3]


def test_table_b4_holders_or_all(hand_cohorts):
    holders = T.table_b4(hand_cohorts)
    everyone = T.table_b4(hand_cohorts, among="all")
    assert cell(holders, "new", 2017) == pytest.approx((5_000 + 20_000) / 2)
    assert cell(holders, "new", 2017, "n") == 2
    assert cell(everyone, "new", 2017) == pytest.approx(25_000 / 4)
    with pytest.raises(ValueError, match="among must be one of"):
        T.table_b4(hand_cohorts, among="some")


def test_all_tables_ids(hand_cohorts, hand_stock):
    tabs = T.all_tables(hand_cohorts, hand_stock)
    assert list(tabs) == ["T1", "T2", "T3", "T4", "T5", "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8"]
    for tid, tab in tabs.items():
        assert (tab["table"] == tid).all()
        assert tid in T.NUMBER_FORMATS


def test_population_masks(hand_cohorts):
    def rows(group, **kw):
        return (np.flatnonzero(T.population_mask(hand_cohorts, group, **kw)) + 1).tolist()

    assert rows("new_high") == [1, 3, 6]
    assert rows("within_norm") == [2, 4, 5]
    assert rows("starters_within_norm") == [2, 5]
    assert rows("non_starters") == [3, 4, 6]
    assert rows("new_io") == [1, 3, 4, 6]
    assert rows("starters_high_io") == [1]
    assert rows("new_high", threshold=0.9) == [1, 3, 5, 6]  # lti_util > 0.9
    with pytest.raises(ValueError, match="group must be one of"):
        T.population_mask(hand_cohorts, "everyone")


def test_cohort_selection_strings(hand_cohorts):
    assert T.cohort_selection(hand_cohorts, "2017").sum() == 4
    assert T.cohort_selection(hand_cohorts, "2012-2017").sum() == 6
    assert T.cohort_selection(hand_cohorts, "2017-2017").sum() == 4
    assert T.cohort_selection(hand_cohorts, None).sum() == 6
    assert T.cohort_selection(hand_cohorts, [2016]).sum() == 2


def test_wide_layout_and_formats(hand_cohorts, hand_stock):
    w = T.wide(T.table_2(hand_cohorts, hand_stock))
    assert list(w.columns) == [*T.GROUPS, "stock"]
    assert list(w.index) == list(C.COHORT_YEARS)
    w1 = T.wide(T.table_1(hand_cohorts))
    assert list(w1.index) == ["new_high_io", "starters_high_io"]  # Tabel 1: years as columns
    assert list(w1.columns) == [str(y) for y in C.COHORT_YEARS]
    f = T.format_table(T.table_b1(hand_cohorts, hand_stock), lang="nl")
    assert f.loc[2017, "Nieuwe hypotheken"] == "2,30%"
    assert f.loc[2012, "Nieuwe hypotheken"] == "-"
    assert T.format_number(40442, decimals=0) == "40,442"
    assert T.format_number(40442, decimals=0, lang="nl") == "40.442"
    assert T.format_number(35.84, decimals=1, suffix="%", lang="nl") == "35,8%"
    assert T.format_number(float("nan"), decimals=1) == "-"


def test_to_latex_is_booktabs(hand_cohorts, hand_stock):
    tex = T.to_latex(T.table_2(hand_cohorts, hand_stock), caption="NHG share", label="tab:t2")
    for token in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{lrrrrr}", r"\label{tab:t2}"):
        assert token in tex
    assert r"50\%" in tex and " 50%" not in tex  # percent signs escaped
    assert "2017 & " in tex


def test_figure_1_grid_by_hand(hand_cohorts):
    g = T.figure_1_data(hand_cohorts, year=2017, lti_edges=(0.6, 1.0), ltv_edges=(0.9, 1.0))
    assert len(g) == 3 * 3
    assert g["share"].sum() == pytest.approx(100.0)
    share = g.set_index(["lti_category", "ltv_category"])["share"]
    # row 4 (lti .5, ltv .6): lowest LTI, lowest LTV; row 2 (.8, .85): middle LTI, lowest LTV
    labels_lti = list(g["lti_category"].cat.categories)
    labels_ltv = list(g["ltv_category"].cat.categories)
    assert share[(labels_lti[0], labels_ltv[0])] == pytest.approx(25.0)
    assert share[(labels_lti[1], labels_ltv[0])] == pytest.approx(25.0)
    assert share[(labels_lti[2], labels_ltv[1])] == pytest.approx(25.0)  # row 1: lti 1.2, ltv .95
    assert share[(labels_lti[2], labels_ltv[2])] == pytest.approx(25.0)  # row 3: lti 1.1, ltv 1.05


def test_quadrants_by_hand(hand_cohorts):
    q = T.quadrant_data(hand_cohorts, cut=1.0).set_index([C.COHORT, "quadrant"])["share"]
    assert [q[(2017, k)] for k in ("Q1", "Q2", "Q3", "Q4")] == pytest.approx([50.0, 0.0, 25.0, 25.0])
    q90 = T.quadrant_data(hand_cohorts, cut=0.9, strict=False).set_index([C.COHORT, "quadrant"])["share"]
    assert [q90[(2017, k)] for k in ("Q1", "Q2", "Q3", "Q4")] == pytest.approx([50.0, 0.0, 0.0, 50.0])
    # starters 2016: row 5 (lti .95, ltv .9): Q1 at 100%, Q4 at >= 90%
    s = T.quadrant_data(hand_cohorts, cut=0.9, strict=False, population="starters")
    s = s.set_index([C.COHORT, "quadrant"])["share"]
    assert s[(2016, "Q4")] == pytest.approx(100.0)


def test_income_and_interest_only_by_hand(hand_cohorts):
    inc = T.income_data(hand_cohorts)
    assert cell(inc, "new", 2017) == pytest.approx(270_000 / 4)
    assert cell(inc, "starters_high", 2017) == pytest.approx(60_000)
    io = T.interest_only_data(hand_cohorts)
    assert cell(io, "new", 2017) == pytest.approx(75.0)  # rows 1, 3, 4
    assert cell(io, "starters", 2017) == pytest.approx(50.0)


def test_income_growth_by_hand(hand_panel):
    g = T.income_growth_data(hand_panel, max_years=1).set_index(["group", C.YEARS_SINCE_ORIGINATION])
    assert g.loc[("starters", 1), "median_growth"] == pytest.approx(15.0)  # +10% and +20%
    assert g.loc[("starters", 1), "n"] == 2  # loan 5: zero baseline, left out
    assert g.loc[("new", 1), "median_growth"] == pytest.approx(10.0)  # 0, 10, 20
    assert g.loc[("new", 1), "n"] == 3  # loan 6: no income at k = 1
    assert g.loc[("new", 0), "n"] == 4
    assert g.loc[("new", 0), "median_growth"] == pytest.approx(0.0)


def test_income_growth_is_a_median_of_skewed_growth():
    """Three households growing 0%, +10% and +50% in a year: median 10 (the mean would be 20)."""
    panel = pd.DataFrame({
        C.LOAN_ID: [1, 1, 2, 2, 3, 3],
        C.YEARS_SINCE_ORIGINATION: [0, 1, 0, 1, 0, 1],
        C.STARTER: [True] * 6,
        C.HOUSEHOLD_INCOME: [50_000.0, 50_000.0, 40_000.0, 44_000.0, 60_000.0, 90_000.0],
    })
    g = T.income_growth_data(panel, max_years=1).set_index(["group", C.YEARS_SINCE_ORIGINATION])
    assert g.loc[("starters", 1), "median_growth"] == pytest.approx(10.0)
    assert g.loc[("starters", 1), "p25_growth"] == pytest.approx(5.0)  # numpy's linear interpolation
    assert g.loc[("starters", 1), "p75_growth"] == pytest.approx(30.0)


def test_arrears_threshold_by_hand(hand_cohorts):
    new = T.arrears_threshold_data(hand_cohorts, population="new", window="ever", thresholds=(1.0,)).iloc[0]
    assert new["n_events"] == 3  # rows 1, 4, 6
    assert new["share_events"] == pytest.approx(200.0 / 3)  # rows 1 and 6 at >= 100%
    st_ = T.arrears_threshold_data(hand_cohorts, thresholds=(1.0,)).iloc[0]  # default: starters
    assert st_["population"] == "starters"
    assert st_["n_mortgages"] == 3 and st_["n_events"] == 1
    assert st_["share_events"] == pytest.approx(100.0)
    with pytest.raises(ValueError, match="population must be one of"):
        T.arrears_threshold_data(hand_cohorts, population="stock")


def test_arrears_threshold_window_defaults_to_the_first_year(hand_cohorts):
    # default window: first arrears in the origination year (duration 1), the arrears of Tabel 5
    first = T.arrears_threshold_data(hand_cohorts, population="new", thresholds=(1.0,)).iloc[0]
    assert first["window"] == "first_year"
    assert first["n_mortgages"] == 6 and first["n_events"] == 1  # row 1 only (rows 4, 6 at duration 2, 3)
    assert first["share_events"] == pytest.approx(100.0)  # row 1 at 120%
    ever = T.arrears_threshold_data(hand_cohorts, population="new", window="ever", thresholds=(1.0,)).iloc[0]
    assert ever["window"] == "ever" and ever["n_events"] == 3
    frame = T.figure_7_frame(hand_cohorts, population="new")
    assert frame[C.EVENT].tolist() == [True, False, False, False, False, False]
    assert hand_cohorts[C.EVENT].sum() == 3  # the input is not changed
    with pytest.raises(ValueError, match="window must be one of"):
        T.arrears_threshold_data(hand_cohorts, window="last_year")


def test_survival_by_hand(hand_cohorts):
    s = T.survival_data(hand_cohorts, times=(1, 2, 3)).set_index(["category", "time"])
    # within: rows 2 (2, censored), 4 (2, event), 5 (3, censored): S(2) = 1 - 1/3
    assert s.loc[("within", 2), "surv"] == pytest.approx(2.0 / 3)
    assert s.loc[("within", 3), "cum_inc"] == pytest.approx(1.0 / 3)
    assert s.loc[("within", 3), "n_at_risk"] == 1
    # high: rows 1 (1, event), 3 (2, censored), 6 (3, event): S(1) = 2/3, S(3) = 2/3 * (1 - 1/1) = 0
    assert s.loc[("high", 1), "surv"] == pytest.approx(2.0 / 3)
    assert s.loc[("high", 3), "surv"] == pytest.approx(0.0)
    assert s.loc[("high", 1), "n_at_risk"] == 3
    assert list(pd.unique(s.index.get_level_values(0))) == ["within", "high"]


def test_threshold_sweep_counts_by_hand(hand_cohorts):
    sw = T.threshold_sweep_data(hand_cohorts, thresholds=(0.9, 1.0, 1.25), horizon=3, starters=False)
    n_above = sw.loc[sw["group"] == "above"].set_index("threshold")["n"]
    assert n_above.tolist() == [4, 3, 1]  # lti > .9: rows 1, 3, 5, 6; > 1: 1, 3, 6; > 1.25: 6
    assert (sw.groupby("threshold")["n"].sum() == 6).all()
    # at 100%: above = rows 1, 3, 6 (durations 1 event, 2 censored, 3 event): 1 - S(3) = 1
    at_100 = sw.loc[(sw["threshold"] == 1.0) & (sw["group"] == "above"), "km_cum_inc"].iloc[0]
    assert at_100 == pytest.approx(1.0)


def test_cox_and_cohort_sensitivity_by_hand(hand_cohorts):
    cox = T.cox_data(hand_cohorts, covariates=(C.HIGH,))
    assert cox["covariate"].tolist() == [C.HIGH]
    assert cox["hr"].iloc[0] == pytest.approx(math.exp(cox["coef"].iloc[0]))
    sens = T.cohort_sensitivity_data(hand_cohorts)
    per_cohort = sens.loc[sens["view"] == "cohort"]
    assert set(per_cohort[C.COHORT]) == {"2016", "2017"}
    # 2017 within: rows 2 (2, censored) and 4 (2, event): 1 - S(2) = 1/2
    hit = per_cohort.loc[(per_cohort[C.COHORT] == "2017") & (per_cohort["group"] == "within")
                         & (per_cohort["time"] == 2), "km_cum_inc"]
    assert hit.iloc[0] == pytest.approx(0.5)


@st.composite
def cohort_frames(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    floats = st.floats(min_value=0.0, max_value=2.0, allow_nan=False)
    lti = np.array(draw(st.lists(floats, min_size=n, max_size=n)))
    ltv = np.array(draw(st.lists(floats, min_size=n, max_size=n)))
    bools = st.lists(st.booleans(), min_size=n, max_size=n)
    return pd.DataFrame({
        C.COHORT: draw(st.lists(st.sampled_from(C.COHORT_YEARS), min_size=n, max_size=n)),
        C.STARTER: draw(bools),
        C.LTI_UTIL: lti,
        C.HIGH: lti > 1.0,
        C.LTV_UTIL: ltv,
        C.NHG: draw(bools),
        C.ZZP: draw(bools),
        C.INTEREST_ONLY_AMOUNT: np.where(draw(bools), 1000.0, 0.0),
        C.CONSUMER_CREDIT: np.where(draw(bools), 500.0, 0.0),
        C.STUDENT_DEBT: np.where(draw(bools), 500.0, 0.0),
        "wlt_possible": draw(bools),
    })


@settings(max_examples=40, deadline=None)
@given(cohort_frames())
def test_shares_are_percentages_and_quadrants_sum_to_100(df):
    for tab in (T.table_1(df), T.table_3(df), T.table_4(df), T.table_b6(df), T.interest_only_data(df)):
        v = tab["value"].dropna()
        assert ((v >= 0) & (v <= 100)).all()
    q = T.quadrant_data(df, cut=0.9, strict=False)
    sums = q.groupby(C.COHORT)["share"].sum()
    present = q.groupby(C.COHORT)["n"].sum() > 0
    assert np.allclose(sums[present], 100.0)
    assert q["n"].sum() == len(df)
    # the share of high mortgages does not rise with the threshold
    shares = [T.population_mask(df, "new_high", threshold=t).mean() for t in (0.8, 0.9, 1.0, 1.1, 1.2)]
    assert all(a >= b for a, b in zip(shares, shares[1:], strict=False))
