"""Planted truth: the comparison with published numbers, on targets set to hand-computed values.

Planted truth: the targets below are set to values computed by hand from the
six-row frame of conftest.py (or deliberately off by a known amount), so the
verdict of every row is known in advance.  The last tests run the packaged
target list to check that every row is mapped to a statistic or to a reason.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cohorts.studies.high_mortgages import comparison as K

TARGET_COLUMNS = ["id", "source", "quantity", "group", "cohort_year", "horizon_years", "threshold", "value", "unit",
                  "kind", "note"]


def target(id_, source, quantity, group, year, value, unit="percent", *, kind="table_cell", horizon=np.nan,
           threshold=np.nan, note=np.nan):
    return dict(zip(TARGET_COLUMNS, [id_, source, quantity, group, year, horizon, threshold, value, unit, kind, note],
                    strict=True))


@pytest.fixture
def planted() -> pd.DataFrame:
    rows = [
        target("T2_new_2017", "Tabel 2", "share with NHG", "new", "2017", 50.0),
        target("T2_starters_high_2016", "Tabel 2", "share with NHG", "starters_high", "2016", 40.0),
        target("TB1_new_2017", "Tabel B1", "mean mortgage interest rate", "new", "2017", 2.3),
        target("TB3_new_2016", "Tabel B3", "number of households", "new", "2016", 4.0, "count"),
        target("TB3_new_2017", "Tabel B3", "number of households", "new", "2017", 8.0, "count"),
        target("TB3_new_high_2017", "Tabel B3", "number of households", "new_high", "2017", 4.0, "count"),
        target("TB7_new_2017", "Tabel B7", "mean mortgage debt", "new", "2017", 230_000 * 1.05, "euro"),
        target("TB8_stock_2012", "Tabel B8", "mean house value", "stock", "2012", np.nan, "euro"),
        target("TXT_lti_lt60_share_2017", "text", "share of new mortgages with LTI utilisation below the threshold",
               "new", "2017", 25.0, kind="text_statement", threshold=60.0),
        target("TXT_ltv_gt80_share_2017", "text", "share of new mortgages with LTV utilisation above the threshold",
               "new", "2017", 50.0, kind="text_statement", threshold=80.0, note="lower_bound; 'Meer dan de helft'"),
        target("TXT_lti_gt100_share_2017", "text",
               "share of new mortgages with LTI utilisation above 100% (high mortgages)", "new", "2017", 5.0,
               kind="text_statement", note="approx; upper_bound"),
        target("F8_km_high_1y", "Figuur 8 (text)",
               "cumulative share with arrears (100 minus Kaplan-Meier survival %)", "new_high", "2012-2017", 100.0,
               kind="text_statement", horizon=2.0),
        target("F8_km_within_1y", "Figuur 8 (text)",
               "cumulative share with arrears (100 minus Kaplan-Meier survival %)", "within_norm", "2012-2017", 30.0,
               kind="text_statement", horizon=1.0),
        target("F8_N_within_y1", "Figuur 8 (caption)", "number followed", "within_norm", "2012-2017", 6.0, "count",
               kind="figure_annotation", horizon=1.0),
        target("TXT_boats", "text", "share of households owning a boat", "new", "2017", 3.0, kind="text_statement"),
        target("EXT_rate", "Hoofdstuk 4", "a number from elsewhere", "external", "2021", 1.0,
               kind="text_statement"),
        target("DEF_min_test_rate", "Bijlage 3", "minimum test rate", np.nan, np.nan, 5.0, kind="definition"),
    ]
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


@pytest.fixture
def comparison(hand_cohorts, hand_panel, hand_stock, planted) -> pd.DataFrame:
    res = K.StudyResults(hand_cohorts, hand_panel, hand_stock, scale=0.5)
    return K.compare(res, targets=planted).set_index("id")


def test_columns_and_excluded_rows(comparison, planted):
    assert list(comparison.reset_index().columns) == list(K.COMPARISON_COLUMNS)
    assert "EXT_rate" not in comparison.index and "DEF_min_test_rate" not in comparison.index
    assert len(comparison) == len(planted) - 2


def test_exact_planted_values_are_within(comparison):
    for id_ in ("T2_new_2017", "TB1_new_2017", "TXT_lti_lt60_share_2017", "F8_km_high_1y"):
        r = comparison.loc[id_]
        assert r["status"] == "compared", id_
        assert r["abs_diff"] == pytest.approx(0.0, abs=1e-9), id_
        assert bool(r["within"]), id_


def test_counts_are_divided_by_the_scale(comparison):
    r = comparison.loc["TB3_new_2017"]
    assert r["reproduced"] == pytest.approx(4 / 0.5)  # four 2017 mortgages at scale 0.5
    assert bool(r["within"])
    assert "divided by scale 0.5" in r["note"]
    r = comparison.loc["F8_N_within_y1"]  # at risk at duration 1 among the within-norm rows 2, 4, 5
    assert r["reproduced"] == pytest.approx(3 / 0.5)


def test_euro_mean_off_by_5_percent_is_outside_3_percent_but_within_3_se(comparison):
    r = comparison.loc["TB7_new_2017"]
    assert r["reproduced"] == pytest.approx(230_000)
    assert r["abs_diff"] == pytest.approx(0.05 * 230_000)
    # without a standard error the fixed 3% alone would apply: 11,500 > 7,245
    fixed = K.tolerance_for("euro", 230_000 * 1.05, n=None, tolerances=K.load_tolerances(), se=float("nan"))
    assert fixed == pytest.approx(0.03 * 230_000 * 1.05)
    # 2017 debts 270, 200, 300, 150 (thousand): mean 230, squared deviations 1600 + 900 + 4900 + 6400 = 13,800,
    # sd = sqrt(13,800 / 3) = 67.823; report N = TB3_new_2017 = 8: SE = 67,823 / sqrt(8) = 23,979
    sd = math.sqrt(13_800e6 / 3)
    assert r["report_se"] == pytest.approx(sd / math.sqrt(8))
    assert r["sample_se"] == pytest.approx(sd / math.sqrt(4))  # the run's N: 8 x scale 0.5
    assert r["tolerance"] == pytest.approx(3 * sd / math.sqrt(8))  # 71,937 > 7,245
    assert r["within"]
    assert r["score"] == pytest.approx(0.05 * 230_000 / (3 * sd / math.sqrt(8)))


def test_km_horizon_is_years_after_origination_plus_one(comparison):
    r = comparison.loc["F8_km_within_1y"]  # 1 year after origination = duration 2: 100 * 1/3
    assert r["reproduced"] == pytest.approx(100.0 / 3)
    # Greenwood: within-norm rows 2, 4, 5 (durations 2, 2*, 3); at t = 2: n = 3, d = 1, S = 2/3,
    # var = S^2 * 1 / (3 * 2); the study is the report's N x 0.5, so the report's SE is x sqrt(0.5)
    se = 100 * (2 / 3) * math.sqrt(1 / 6) * math.sqrt(0.5)
    assert r["report_se"] == pytest.approx(se)
    assert r["tolerance"] == pytest.approx(3 * se)  # 57.7 > the fixed 0.5
    assert r["tolerance_kind"] == "cum_incidence"
    assert r["within"]  # |33.3 - 30| is noise at three mortgages


def test_bounds_are_one_sided(comparison):
    low = comparison.loc["TXT_ltv_gt80_share_2017"]  # rows 1, 2, 3 of 2017 above 80%: 75 >= 50
    assert low["bound"] == "at_least"
    assert low["reproduced"] == pytest.approx(75.0)
    assert low["abs_diff"] == pytest.approx(25.0)
    assert bool(low["within"]) and low["score"] == 0.0
    high = comparison.loc["TXT_lti_gt100_share_2017"]  # rows 1, 3: 50, but "at most 5"
    assert high["bound"] == "at_most"
    assert high["reproduced"] == pytest.approx(50.0)
    # tolerance 3 SE at N = 8: 300 sqrt(.05 * .95 / 8) = 23.1 < 45
    assert high["tolerance"] == pytest.approx(300 * math.sqrt(0.05 * 0.95 / 8))
    assert not high["within"]
    assert high["score"] == pytest.approx(45.0 / high["tolerance"])


def test_share_tolerance_uses_report_n(comparison):
    # T2_new_2017: p = 0.5 and the report's N (TB3_new_2017) = 8: 3 * 100 * sqrt(.25 / 8)
    r = comparison.loc["T2_new_2017"]
    assert r["tolerance"] == pytest.approx(3 * 100 * math.sqrt(0.25 / 8))
    # the sampling noise of the study itself: N = 8 x scale 0.5 = 4 expected rows
    assert r["sample_se"] == pytest.approx(100 * math.sqrt(0.25 / 4))
    assert math.isnan(comparison.loc["TB3_new_2017", "sample_se"])  # a whole population: no SE


def test_not_reproducible_and_no_data_have_reasons(comparison):
    assert comparison.loc["TB8_stock_2012", "status"] == "not_reproducible"
    assert "'-'" in comparison.loc["TB8_stock_2012", "reason"]
    assert comparison.loc["TXT_boats", "status"] == "not_reproducible"
    assert "no rule" in comparison.loc["TXT_boats", "reason"]
    assert comparison.loc["T2_starters_high_2016", "status"] == "no_data"  # no starter above the norm in 2016
    assert not comparison.loc[comparison["status"] != "compared", "within"].any()
    assert (comparison.loc[comparison["status"] != "compared", "reason"].str.len() > 0).all()


def test_report_n(planted):
    row = planted.set_index("id").loc["T2_new_2017"].copy()
    row["id"] = "T2_new_2017"
    assert K.report_n(planted, row) == 8.0
    row["cohort_year"] = "2012-2017"
    assert K.report_n(planted, row) == 12.0  # 4 + 8
    row["group"], row["cohort_year"] = "within_norm", "2017"
    assert K.report_n(planted, row) == 4.0  # new 8 - new_high 4
    row["group"] = "starters"
    assert K.report_n(planted, row) is None  # no starters column in the planted B3


def test_tolerance_for_each_kind():
    tol = K.load_tolerances()
    assert K.tolerance_for("share", 50.0, n=100, tolerances=tol) == pytest.approx(15.0)
    assert K.tolerance_for("share", 50.0, n=None, tolerances=tol) == pytest.approx(1.0)
    assert K.tolerance_for("share", 0.0, n=100, tolerances=tol) == pytest.approx(1.0)
    assert K.tolerance_for("count", 1000.0, n=None, tolerances=tol) == pytest.approx(20.0)
    assert K.tolerance_for("euro", 100_000.0, n=None, tolerances=tol) == pytest.approx(3000.0)
    assert K.tolerance_for("cum_incidence", 4.6, n=None, tolerances=tol) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no tolerance for kind"):
        K.tolerance_for("weight", 1.0, n=None, tolerances=tol)


def test_tolerance_file_is_checked(tmp_path):
    p = tmp_path / "tol.csv"
    K.load_tolerances().drop(index="euro").reset_index().to_csv(p, index=False)
    with pytest.raises(ValueError, match="no tolerance for kind"):
        K.load_tolerances(p)


def test_every_packaged_target_maps_to_a_rule_or_a_reason(hand_cohorts, hand_panel, hand_stock):
    targets = K.load_targets()
    comparable = K.comparable_targets(targets)
    assert not (comparable["group"] == "external").any()
    assert not (comparable["kind"] == "definition").any()
    unmatched = [r["id"] for _, r in comparable.iterrows() if K.match_rule(r) is None]
    assert unmatched == []
    out = K.compare(K.StudyResults(hand_cohorts, hand_panel, hand_stock, scale=1.0), targets=targets)
    assert out["id"].tolist() == comparable["id"].tolist()
    assert set(out["status"]) <= set(K.STATUSES)
    not_repro = out.loc[out["status"] == "not_reproducible", "id"].tolist()
    assert sorted(not_repro) == ["TB8_stock_2012", "TXT_lti_gt90_2021_vs_2017_ratio"]


def test_summary_text(comparison):
    text = K.summarize(comparison.reset_index(), n_excluded=2, scale=0.5)
    comp = comparison[comparison["status"] == "compared"]
    lines = text.splitlines()
    for line, klass in zip(lines[:3], ["recomputed", "planted", "unclassified"], strict=True):
        sub = comp[comp["class"] == klass]
        assert line.startswith(f"{klass.capitalize()} targets")
        assert f": {int(sub['within'].sum())} of {len(sub)} within tolerance" in line
    assert "This is the headline." in lines[0]
    # by hand from the planted frame: recomputed TB3_new_high_2017, the three TXT_ shares and F8_N_within_y1;
    # planted T2_new_2017, TB1_, the two TB3_ counts and TB7_ (T2_starters_high_2016 has no data: no 2016
    # starter is high); the two F8_km_*_1y ids are not packaged targets
    assert (comp["class"] == "recomputed").sum() == 5 and (comp["class"] == "planted").sum() == 5
    assert (comp["class"] == K.UNCLASSIFIED).sum() == 2
    assert lines[3].startswith(f"All: {int(comp['within'].sum())} of {len(comp)} comparable targets within tolerance")
    assert "2 target row(s) left out" in text
    assert "TB7_new_2017" in text


def test_class_column_comes_from_the_class_file(comparison):
    assert comparison.loc["T2_new_2017", "class"] == "planted"  # NHG flag drawn with the published share
    assert comparison.loc["TB3_new_high_2017", "class"] == "recomputed"  # high = above the pipeline's norm
    assert comparison.loc["TXT_lti_lt60_share_2017", "class"] == "recomputed"
    assert comparison.loc["TXT_boats", "class"] == K.UNCLASSIFIED  # not a packaged target


def test_every_comparable_target_has_exactly_one_class():
    classes = K.load_target_classes()
    comparable = K.comparable_targets(K.load_targets())
    assert not classes["id"].duplicated().any()
    assert set(classes["class"]) == set(K.CLASSES)
    assert sorted(classes["id"]) == sorted(comparable["id"])
    assert (classes["reason"].str.len() > 20).all()


def test_class_file_is_checked(tmp_path):
    good = K.load_target_classes()
    bad = good.copy()
    bad.loc[0, "class"] = "both"
    p = tmp_path / "classes.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(ValueError, match=r"class not one of .* e\.g\. \['T2_new_2012'\]"):
        K.load_target_classes(p)
    pd.concat([good, good.head(1)]).to_csv(p, index=False)
    with pytest.raises(ValueError, match="id appears more than once"):
        K.load_target_classes(p)


def test_scale_must_be_positive(hand_cohorts, hand_panel, hand_stock):
    with pytest.raises(ValueError, match="scale must be a positive number"):
        K.StudyResults(hand_cohorts, hand_panel, hand_stock, scale=0.0)
