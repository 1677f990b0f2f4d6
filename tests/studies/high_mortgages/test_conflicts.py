"""Source conflicts as data: safe expressions, the rounding rule, the conflict status and bad input.

Kinds of test: hand-worked values (every expression and interval is worked out
in the test, next to the assertion), published tables (the packaged conflicts
recompute numbers from the report's Tabel B3 and Tabel 1, checked against the
figures quoted in the targets README, e.g. 83,856 / 447,719 = 18.7%) and error
messages for bad input (file, line and id named).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.studies.high_mortgages import comparison as K
from cohorts.report import conflicts as X

TARGET_COLUMNS = ["id", "source", "quantity", "group", "cohort_year", "horizon_years", "threshold", "value", "unit",
                  "kind", "note"]


def target(id_, source, quantity, group, year, value, unit="percent", *, kind="table_cell", note=np.nan):
    return dict(zip(TARGET_COLUMNS, [id_, source, quantity, group, year, np.nan, np.nan, value, unit, kind, note],
                    strict=True))


# --------------------------------------------------------------------------
# expressions
# --------------------------------------------------------------------------
def test_evaluate_hand_worked():
    v = {"a": 2.0, "b": 6.0, "c": 4.0}
    assert X.evaluate("a + b * c", v) == pytest.approx(26.0)  # 2 + 24
    assert X.evaluate("(a + b) / c", v) == pytest.approx(2.0)  # 8 / 4
    assert X.evaluate("-a + 10 - c", v) == pytest.approx(4.0)
    assert X.evaluate("100 * sum(a, b) / sum(a, b, c)", v) == pytest.approx(66.66666667)  # 800 / 12
    assert X.evaluate("min(a, b, c) + max(a, b, c)", v) == pytest.approx(8.0)
    assert X.evaluate("abs(a - b) + round(c / 3)", v) == pytest.approx(5.0)  # 4 + round(1.33)
    assert X.expression_ids("sum(a, b) / max(c, a)") == ["a", "b", "c"]


def test_interval_propagates_the_rounding_hand_worked():
    # a = 1.3 shown with one decimal: [1.25, 1.35]; b = 20 shown as an integer: [19.5, 20.5]
    iv = {"a": X.Interval(1.25, 1.35), "b": X.Interval(19.5, 20.5)}
    r = X.evaluate_interval("a * b", iv)
    assert (r.lo, r.hi) == pytest.approx((1.25 * 19.5, 1.35 * 20.5))  # (24.375, 27.675)
    r = X.evaluate_interval("b - a", iv)
    assert (r.lo, r.hi) == pytest.approx((19.5 - 1.35, 20.5 - 1.25))  # the extremes combine crosswise
    r = X.evaluate_interval("100 * a / b", iv)
    assert (r.lo, r.hi) == pytest.approx((125 / 20.5, 135 / 19.5))  # (6.098, 6.923)
    with pytest.raises(ZeroDivisionError):
        X.evaluate_interval("a / (b - 20)", iv)  # the divisor's interval [-0.5, 0.5] holds 0


def test_shown_decimals_and_half_unit():
    assert X.shown_decimals("13.0") == 1 and X.half_unit("13.0") == pytest.approx(0.05)
    assert X.shown_decimals("6500") == 0 and X.half_unit("6500") == pytest.approx(0.5)
    assert X.half_unit("4.57") == pytest.approx(0.005)
    assert X.half_unit(1.3) == pytest.approx(0.05)  # a float: shortest form "1.3"
    assert X.half_unit(20.0) == pytest.approx(0.5)  # "20"


@pytest.mark.parametrize("expr, what", [
    ("a ** 2", "Pow"),
    ("__import__('os')", "Call"),
    ("a.real", "Attribute"),
    ("'text'", "Constant"),
    ("a if b else c", "IfExp"),
    ("a[0]", "Subscript"),
    ("lambda: 1", "Lambda"),
    ("a < b", "Compare"),
    ("round(a, 2)", "Call"),
    ("min(a, key=b)", "Call"),
    ("True + a", "Constant"),
])
def test_disallowed_constructs_are_refused(expr, what):
    with pytest.raises(ValueError, match=f"malformed expression .*{what} is not allowed"):
        X.parse_expression(expr)


def test_syntax_errors_are_refused():
    with pytest.raises(ValueError, match=r"malformed expression 'a \+': invalid syntax"):
        X.parse_expression("a +")


# --------------------------------------------------------------------------
# the conflict check
# --------------------------------------------------------------------------
def _targets(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


@pytest.fixture
def small_targets() -> pd.DataFrame:
    return _targets([
        target("TB3_new_2017", "Tabel B3", "number of households", "new", "2017", 1000.0, "count"),
        target("TB3_new_high_2017", "Tabel B3", "number of households", "new_high", "2017", 187.0, "count"),
        target("TXT_high_19", "text", "share high", "new", "2017", 19.0, kind="text_statement"),
        target("TXT_high_20", "text", "share high", "new", "2017", 20.0, kind="text_statement"),
        target("TXT_high_lt19", "text", "share high", "new", "2017", 19.0, kind="text_statement",
               note="upper_bound"),
        target("TXT_high_gt18", "text", "share high", "new", "2017", 18.0, kind="text_statement",
               note="lower_bound"),
        target("TXT_high_gt19", "text", "share high", "new", "2017", 19.0, kind="text_statement",
               note="lower_bound"),
    ])


def _conflicts(rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(X.CONFLICT_COLUMNS, r, strict=True)) for r in rows],
                        columns=list(X.CONFLICT_COLUMNS))


def test_contradiction_only_beyond_rounding(small_targets):
    e = "100 * TB3_new_high_2017 / TB3_new_2017"  # 18.7; rounding: [18.65, 18.75] / [999.5, 1000.5] x 100
    conf = _conflicts([(i, "arithmetic", "TB3_new_high_2017 TB3_new_2017", e, np.nan, "r")
                       for i in ("TXT_high_19", "TXT_high_20", "TXT_high_lt19", "TXT_high_gt18", "TXT_high_gt19")])
    out = X.check_conflicts(conf, small_targets).set_index("id")
    lo, hi = 100 * 186.5 / 1000.5, 100 * 187.5 / 999.5  # 18.6407, 18.7594
    assert out.loc["TXT_high_19", "implied"] == pytest.approx(18.7)
    assert (out.loc["TXT_high_19", "implied_low"], out.loc["TXT_high_19", "implied_high"]) == pytest.approx((lo, hi))
    # 19 stands for [18.5, 19.5]: it overlaps [18.64, 18.76]; no contradiction
    assert not out.loc["TXT_high_19", "contradiction"]
    assert "no contradiction beyond rounding" in out.loc["TXT_high_19", "conflict_check"]
    # 20 stands for [19.5, 20.5]: disjoint
    assert out.loc["TXT_high_20", "contradiction"]
    # "less than 19": (-inf, 19.5] holds 18.7; "more than 18": [17.5, inf) holds it; "more than 19": [18.5, inf) too
    assert not out.loc["TXT_high_lt19", "contradiction"]
    assert not out.loc["TXT_high_gt18", "contradiction"]
    assert not out.loc["TXT_high_gt19", "contradiction"]


def test_bounds_decide_the_side(small_targets):
    t = small_targets.copy()
    t.loc[t["id"] == "TXT_high_gt19", "value"] = 19.5  # "more than 19.5": [19.45, inf) vs [18.64, 18.76]
    t.loc[t["id"] == "TXT_high_gt19", "value_text"] = "19.5"
    t.loc[t["id"] == "TXT_high_lt19", "value"] = 18.0  # "less than 18": (-inf, 18.5]
    t.loc[t["id"] == "TXT_high_lt19", "value_text"] = "18"
    e = "100 * TB3_new_high_2017 / TB3_new_2017"
    conf = _conflicts([(i, "arithmetic", "TB3_new_high_2017 TB3_new_2017", e, np.nan, "r")
                       for i in ("TXT_high_lt19", "TXT_high_gt19")])
    out = X.check_conflicts(conf, t).set_index("id")
    assert out.loc["TXT_high_lt19", "contradiction"]
    assert out.loc["TXT_high_gt19", "contradiction"]
    # far on the allowed side: "less than 25" and "more than 10" hold 18.7 (a two-sided reading would not)
    t = pd.concat([t, _targets([
        target("TXT_high_lt25", "text", "share high", "new", "2017", 25.0, kind="text_statement", note="upper_bound"),
        target("TXT_high_gt10", "text", "share high", "new", "2017", 10.0, kind="text_statement", note="lower_bound"),
    ])], ignore_index=True)
    conf = _conflicts([(i, "arithmetic", "TB3_new_high_2017 TB3_new_2017", e, np.nan, "r")
                       for i in ("TXT_high_lt25", "TXT_high_gt10")])
    out = X.check_conflicts(conf, t).set_index("id")
    assert not out.loc["TXT_high_lt25", "contradiction"]
    assert not out.loc["TXT_high_gt10", "contradiction"]


def test_method_conflicts_and_missing_ids(small_targets):
    conf = _conflicts([
        ("TXT_high_20", "method", "TB3_new_2017", "", np.nan, "cannot follow from the method"),
        ("TXT_high_19", "arithmetic", "TB3_new_2016", "TB3_new_2016", np.nan, "r"),
    ])
    out = X.check_conflicts(conf, small_targets).set_index("id")
    assert out.loc["TXT_high_20", "contradiction"]
    assert out.loc["TXT_high_20", "conflict_check"] == "method: cannot follow from the method"
    assert not out.loc["TXT_high_19", "contradiction"]
    assert "not evaluated" in out.loc["TXT_high_19", "conflict_check"]
    assert "TB3_new_2016" in out.loc["TXT_high_19", "conflict_check"]


def test_comparison_status_and_summary(hand_cohorts, hand_panel, hand_stock):
    # four 2017 mortgages at scale 0.5: TB3_new_2017 = 8 reproduced; rows 1 and 3 high: 50% high
    t = _targets([
        target("TB3_new_2017", "Tabel B3", "number of households", "new", "2017", 8.0, "count"),
        target("TB3_new_high_2017", "Tabel B3", "number of households", "new_high", "2017", 4.0, "count"),
        target("TXT_lti_gt100_a", "text", "share of new mortgages with LTI utilisation above 100%", "new", "2017",
               60.0, kind="text_statement"),
        target("TXT_lti_gt100_b", "text", "share of new mortgages with LTI utilisation above 100%", "new", "2017",
               50.0, kind="text_statement"),
        target("TXT_lti_gt100_c", "text", "share of new mortgages with LTI utilisation above 100%", "new", "2017",
               50.0, kind="text_statement"),
    ])
    e = "100 * TB3_new_high_2017 / TB3_new_2017"  # 50, in [100 * 3.5 / 8.5, 100 * 4.5 / 7.5] = [41.2, 60.0]
    conf = _conflicts([
        ("TXT_lti_gt100_a", "arithmetic", "TB3_new_high_2017 TB3_new_2017", "2 * " + e, np.nan, "twice"),
        ("TXT_lti_gt100_b", "arithmetic", "TB3_new_high_2017 TB3_new_2017", e, np.nan, "same"),
        ("TXT_lti_gt100_c", "method", "TB3_new_2017", "", np.nan, "by the method"),
    ])
    res = K.StudyResults(hand_cohorts, hand_panel, hand_stock, scale=0.5)
    out = K.compare(res, targets=t, conflicts=conf).set_index("id")
    assert out.loc["TXT_lti_gt100_a", "status"] == "source_conflict"  # 100 (82.4-120) vs [59.5, 60.5]
    assert out.loc["TXT_lti_gt100_a", "implied"] == pytest.approx(100.0)
    assert out.loc["TXT_lti_gt100_b", "status"] == "compared"  # 50 vs [49.5, 50.5]: no contradiction
    assert out.loc["TXT_lti_gt100_c", "status"] == "method_conflict"
    assert out.loc["TB3_new_2017", "status"] == "compared" and out.loc["TB3_new_2017", "conflict_kind"] == ""
    # conflict rows keep their numbers and verdicts
    assert out.loc["TXT_lti_gt100_a", "reproduced"] == pytest.approx(50.0)
    assert out.loc["TXT_lti_gt100_c", "within"]
    text = K.summarize(out.reset_index(), scale=0.5)
    assert "Source conflicts" in text and "TXT_lti_gt100_a" in text.split("Source conflicts")[1].splitlines()[0]
    assert "Method conflicts" in text and "TXT_lti_gt100_c" in text
    assert "All: 3 of 3 comparable targets" in text  # the two conflict rows are not counted


# --------------------------------------------------------------------------
# the packaged file
# --------------------------------------------------------------------------
def test_packaged_conflicts_recompute_the_readme_numbers():
    targets = K.load_targets()
    conf = K.load_conflicts(targets=targets)
    assert not conf["id"].duplicated().any()
    out = X.check_conflicts(conf, targets).set_index("id")
    # targets README: Tabel B3 pooled 83,856 high of 447,719 new
    assert out.loc["SUM_high_share_approx20", "implied"] == pytest.approx(100 * 83_856 / 447_719)
    assert out.loc["TXT_io_share_new_high_2012", "implied"] == pytest.approx(100 * 7_779 / 9_586)  # 81.1%
    assert out.loc["FB1_N_2012", "implied"] == 13_991
    assert out.loc["TXT_households_per_year_min", "implied"] == 30_433
    # every listed conflict is confirmed: arithmetic beyond rounding, or a method conflict
    assert out["contradiction"].all()
    assert set(out["conflict_kind"]) == {"arithmetic", "method"}
    assert (out["conflict_kind"] == "method").sum() == 14  # Tabel 1 (12) and its two quotes in the text


# --------------------------------------------------------------------------
# bad input: file, line and id named
# --------------------------------------------------------------------------
def _write_conflicts(tmp_path, rows) -> str:
    p = tmp_path / "conf.csv"
    _conflicts(rows).to_csv(p, index=False)
    return str(p)


@pytest.mark.parametrize("row, message", [
    (("TXT_nope", "arithmetic", "TB3_new_2017", "TB3_new_2017", "", "r"), r"line 3, id 'TXT_nope': id is not in"),
    (("TB3_new_high_2017", "arithmetic", "TB3_new_2017", "TB3_new_2017 + TB3_gone", "", "r"),
     r"line 3, id 'TB3_new_high_2017': expression reads unknown id\(s\) \['TB3_gone'\]"),
    (("TB3_new_high_2017", "arithmetic", "TB3_new_2017", "TB3_new_2017 +", "", "r"),
     r"line 3, id 'TB3_new_high_2017': malformed expression"),
    (("TB3_new_high_2017", "arithmetic", "TB3_new_2017", "TB3_new_2017 ** 2", "", "r"),
     r"line 3, id 'TB3_new_high_2017': malformed expression .*Pow"),
    (("TB3_new_2017", "arithmetic", "TB3_new_2017", "TB3_new_2017", "", "r"),
     r"line 3, id 'TB3_new_2017': id appears more than once \(first on line 2\)"),
    (("TB3_new_high_2017", "arithmetic", "TB3_new_2017", "TB3_new_2017", "999", "r"),
     r"line 3, id 'TB3_new_high_2017': implied 999 but the expression gives 1000"),
    (("TB3_new_high_2017", "sometimes", "TB3_new_2017", "", "", "r"), r"line 3, .*kind 'sometimes'"),
    (("TB3_new_high_2017", "method", "TB3_new_2017", "TB3_new_2017", "", "r"), r"line 3, .*method conflict has no"),
    (("TB3_new_high_2017", "arithmetic", "TXT_high_20", "TB3_new_2017", "", "r"),
     r"line 3, .*not named in conflicts_with"),
])
def test_bad_conflict_rows_are_refused(tmp_path, small_targets, row, message):
    first = ("TB3_new_2017", "method", "TXT_high_20", "", "", "a method conflict")
    p = _write_conflicts(tmp_path, [first, row])
    with pytest.raises(X.SourceDataError, match=message) as exc:
        X.load_conflicts(p, targets=small_targets)
    assert str(p) in str(exc.value)


def test_a_good_conflict_file_loads(tmp_path, small_targets):
    p = _write_conflicts(tmp_path, [("TXT_high_20", "arithmetic", "TB3_new_high_2017 TB3_new_2017",
                                     "100 * TB3_new_high_2017 / TB3_new_2017", "18.7", "r")])
    conf = X.load_conflicts(p, targets=small_targets)
    assert conf["line"].tolist() == [2] and conf["implied"].tolist() == [18.7]


def test_targets_with_a_duplicate_id_are_refused(tmp_path):
    t = K.load_targets().drop(columns="value_text")
    bad = pd.concat([t.head(3), t.iloc[[1]]])
    p = tmp_path / "targets.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(X.SourceDataError, match=rf"{p}: targets: .*line 5, id '{t['id'].iloc[1]}': id appears more"
                                                r" than once \(first on line 3\)"):
        K.load_targets(p)


def test_targets_keep_the_printed_value_text():
    t = K.load_targets().set_index("id")
    assert t.loc["T4_new_high_2017", "value_text"] == "14.5"
    assert t.loc["TB1_stock_2015", "value_text"] == "4.57"


def test_class_file_with_an_unknown_or_duplicate_id_is_refused(tmp_path):
    targets = K.load_targets()
    good = K.load_target_classes(targets=targets)
    p = tmp_path / "classes.csv"
    bad = good.copy()
    bad.loc[2, "id"] = "T9_nowhere_2017"
    bad.to_csv(p, index=False)
    with pytest.raises(X.SourceDataError,
                       match=rf"{p}: .*id is not in the target list: 1 row\(s\), e\.g\. \['T9_nowhere_2017'\] at "
                             r"line\(s\) \[4\]"):
        K.load_target_classes(p, targets=targets)
    pd.concat([good.head(3), good.iloc[[0]]]).to_csv(p, index=False)
    with pytest.raises(X.SourceDataError, match=r"id appears more than once: 2 row\(s\), .* at line\(s\) \[2, 5\]"):
        K.load_target_classes(p)


def test_compare_refuses_a_class_file_id_not_among_the_packaged_targets(hand_cohorts, hand_panel, hand_stock,
                                                                        monkeypatch, tmp_path):
    bad = K.load_target_classes()
    bad.loc[0, "id"] = "T9_nowhere_2017"
    p = tmp_path / "classes.csv"
    bad.to_csv(p, index=False)
    real = K._data_path
    monkeypatch.setattr(K, "_data_path", lambda name: p if name == "target_classes.csv" else real(name))
    with pytest.raises(X.SourceDataError, match=r"classes\.csv: .*id is not in the target list.*T9_nowhere_2017"):
        K.compare(K.StudyResults(hand_cohorts, hand_panel, hand_stock))
