"""Hand-worked values: the disclosure checks on small hand-made tables, curves and models.

Reference: the rules as stated in cohorts.disclosure.checks and
cohorts/data/disclosure.toml; every expected decision here is worked out by
hand from those rules (planted truths, not regression values).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.disclosure import (
    LOG_COLUMNS,
    SUPPRESSED,
    Rules,
    check_counts,
    check_model,
    check_series,
    check_table,
    load_rules,
    publishable,
    release_curves,
)
from cohorts.errors import ConfigError

RULES = Rules()


def _cells(rows):
    return pd.DataFrame(rows, columns=["group", "cohort", "statistic", "n", "value"])


def test_packaged_rules_are_the_documented_defaults():
    r = load_rules()
    assert (r.min_units, r.magnitude_min_units, r.percentile_min_units) == (10, 10, 10)
    assert (r.dominance_1, r.dominance_2) == (0.5, 0.75)
    assert (r.min_at_risk, r.min_events, r.min_resid_df, r.min_events_per_param) == (10, 10, 10, 10)
    assert r.extremes_allowed is False and r.strict_real is True and r.strict_synthetic is False
    assert r.marker == "x" and r.source == "package"


def test_rules_file_overrides_a_subset_and_rejects_unknown_keys(tmp_path):
    f = tmp_path / "rules.toml"
    f.write_text("[frequency]\nmin_units = 5\n[gate]\nmarker = \"*\"\n")
    r = load_rules(f)
    assert r.min_units == 5 and r.marker == "*" and r.min_events == 10 and r.source == str(f)
    f.write_text("[frequency]\nmin_unit = 5\n")
    with pytest.raises(ConfigError, match=r"unknown disclosure rule frequency.min_unit"):
        load_rules(f)
    f.write_text("[magnitude]\ndominance_1 = 1.5\n")
    with pytest.raises(ConfigError, match=r"dominance_1 must be in \(0, 1\], but was 1.5"):
        load_rules(f)
    f.write_text("[survival]\nmin_events = \"ten\"\n")
    with pytest.raises(ConfigError, match="must be int"):
        load_rules(f)
    f.write_text("[frequency]\nmin_units = -3\n")
    with pytest.raises(ConfigError, match=r"min_units must be >= 1, but was -3"):
        load_rules(f)


def test_protection_level_is_a_percentage_of_the_minimum_cell_size(tmp_path):
    assert load_rules().protection_level == 1.0  # packaged: [audit] protection_level = 100
    f = tmp_path / "rules.toml"
    f.write_text("[audit]\nprotection_level = 50\n")
    assert load_rules(f).protection_level == 0.5
    for bad in ("0", "150", "-5"):
        f.write_text(f"[audit]\nprotection_level = {bad}\n")
        with pytest.raises(ConfigError, match=rf"{f}: audit.protection_level is a percentage in \(0, 100\]"):
            load_rules(f)
    f.write_text("[audit]\nprotection = 50\n")
    with pytest.raises(ConfigError, match="unknown disclosure rule audit.protection;"):
        load_rules(f)
    with pytest.raises(FileNotFoundError, match="disclosure rules file not found"):
        load_rules(tmp_path / "missing.toml")


def test_counts_below_ten_are_suppressed_zero_is_shown():
    cells = _cells([("a", 1, "count", 9, 9.0), ("a", 2, "count", 10, 10.0), ("a", 3, "count", 0, 0.0)])
    res = check_table(cells, rules=RULES, artefact="t.csv", keys=("group", "cohort"))
    assert res.released["value"].isna().tolist() == [True, False, False]
    assert res.released["n"].isna().tolist() == [True, False, False]  # the count itself is the cell
    assert res.released["disclosure"].ne("").tolist() == [True, False, False]
    assert list(res.log.columns) == list(LOG_COLUMNS)
    assert res.log["decision"].tolist() == ["suppress", "release", "release"]
    assert res.log["count"].tolist() == [9.0, 10.0, 0.0]


def test_share_needs_ten_in_cell_denominator_and_complement():
    cells = _cells([
        ("a", 1, "share", 9, 100.0 * 5 / 9),      # denominator 9
        ("a", 2, "share", 100, 5.0),              # 5 units with the property
        ("a", 3, "share", 100, 95.0),             # 5 units without it
        ("a", 4, "share", 100, 50.0),             # 50 / 50: released
        ("a", 5, "share", 100, 0.0),              # nobody: zero cell shown
    ])
    res = check_table(cells, rules=RULES, artefact="t.csv", keys=("group", "cohort"))
    assert res.released["value"].isna().tolist() == [True, True, True, False, False]
    # a hidden share hides its denominator too: n x share would give the count back
    assert res.released["n"].isna().tolist() == [True, True, True, False, False]
    assert set(res.released.loc[:2, "disclosure"]) == {SUPPRESSED}  # the reason is in the checker's log only
    assert "units without the property >= 10" in set(res.log.loc[res.log["cell"] == "group=a; cohort=3", "rule"])
    no_complement = check_table(cells, rules=Rules(complement=False), artefact="t.csv", keys=("group", "cohort"))
    assert no_complement.released["value"].isna().tolist() == [True, True, False, False, False]


def test_mean_needs_ten_contributors_and_no_dominance():
    vals = {
        "ok": np.full(12, 100.0),
        "few": np.full(9, 100.0),
        "one_dominates": np.r_[10_000.0, np.full(11, 100.0)],       # 10000 / 11100 > 50%
        "two_dominate": np.r_[4_000.0, 4_000.0, np.full(10, 200.0)],  # 8000 / 10000 > 75%, each 40%
    }
    rows = []
    for name, v in vals.items():
        a = np.sort(np.abs(v))[::-1]
        rows.append({"group": name, "cohort": 2017, "statistic": "mean", "n": len(v), "value": v.mean(),
                     "n_contrib": len(v), "top1": a[0], "top2": a[1], "abs_total": a.sum()})
    res = check_table(pd.DataFrame(rows), rules=RULES, artefact="m.csv", keys=("group",))
    assert res.released["value"].isna().tolist() == [False, True, True, True]
    assert not set(res.released.columns) & {"n_contrib", "top1", "top2", "abs_total"}  # never exported
    dom = res.log.loc[res.log["rule"].str.startswith("two largest")]
    assert dom["measure"].round(2).tolist() == [round(200 / 1200, 2), round(200 / 900, 2),
                                                 round(10_100 / 11_100, 2), 0.8]
    # without contributor columns the dominance rule cannot be checked: suppressed
    bare = check_table(pd.DataFrame(rows).drop(columns=["top1", "top2", "abs_total"]), rules=RULES,
                       artefact="m.csv", keys=("group",))
    assert bare.released["value"].isna().all()


def test_medians_need_ten_units_and_extremes_are_never_exported():
    cells = _cells([("a", 1, "median", 9, 5.0), ("a", 2, "median", 10, 5.0), ("a", 3, "max", 1000, 7.0),
                    ("a", 4, "min", 1000, 1.0)])
    res = check_table(cells, rules=RULES, artefact="t.csv", keys=("group", "cohort"))
    assert res.released["value"].isna().tolist() == [True, False, True, True]
    assert (res.log["rule"] == "minima and maxima are never exported").sum() == 2


def test_a_suppressed_share_hides_its_count_and_denominator():
    # two cohorts, three quadrant cells each; 2016 Q2 (4 units) is primary
    frame = pd.DataFrame({
        "cohort": [2016, 2016, 2016, 2017, 2017, 2017],
        "quadrant": ["Q1", "Q2", "Q3", "Q1", "Q2", "Q3"],
        "n": [100, 4, 30, 100, 40, 30],
    })
    frame["total"] = frame.groupby("cohort")["n"].transform("sum")
    frame["share"] = 100.0 * frame["n"] / frame["total"]
    res = check_table(frame, rules=RULES, artefact="q.csv", keys=("cohort", "quadrant"), values=("share",),
                      statistic="share", count="n", denominator="total")
    r = res.released
    assert r["share"].isna().tolist() == [False, True, False, False, False, False]
    # rule 1: the hidden cell's count and denominator go with it (n / share would give them back)
    assert pd.isna(r.loc[1, "n"]) and pd.isna(r.loc[1, "total"])
    assert r.loc[0, "n"] == 100 and r.loc[0, "total"] == 134


def test_secondary_decisions_of_the_audit_hide_the_cell_and_say_what_they_protect():
    frame = pd.DataFrame({"cohort": [2016, 2016, 2016], "quadrant": ["Q1", "Q2", "Q3"], "n": [100, 4, 30]})
    frame["total"] = frame["n"].sum()
    frame["share"] = 100.0 * frame["n"] / frame["total"]
    why = "cohort=2016; quadrant=Q2 (else narrowed to [4, 4])"
    res = check_table(frame, rules=RULES, artefact="q.csv", keys=("cohort", "quadrant"), values=("share",),
                      statistic="share", count="n", denominator="total",
                      extra={("cohort=2016; quadrant=Q3", "cell"): why})
    r = res.released
    assert r["share"].isna().tolist() == [False, True, True]
    assert pd.isna(r.loc[2, "n"])
    # the released note is the same for primary and secondary cells: it must not tell which one is small
    assert r.loc[2, "disclosure"] == r.loc[1, "disclosure"] == SUPPRESSED
    secondary = res.log.loc[res.log["decision"] == "suppress (secondary)"]
    assert secondary["cell"].tolist() == ["cohort=2016; quadrant=Q3"] and secondary["protects"].tolist() == [why]
    # deterministic: the same input gives the same decisions
    again = check_table(frame, rules=RULES, artefact="q.csv", keys=("cohort", "quadrant"), values=("share",),
                        statistic="share", count="n", denominator="total",
                        extra={("cohort=2016; quadrant=Q3", "cell"): why})
    pd.testing.assert_frame_equal(r, again.released)


def test_km_curve_is_cut_small_steps_pooled_and_a_pooled_run_estimated_as_one_step():
    curve = pd.DataFrame({
        "group": "g", "time": [1.0, 2.0, 3.0, 4.0, 5.0],
        "n_at_risk": [100.0, 80.0, 60.0, 40.0, 9.0],
        "n_events": [12.0, 3.0, 0.0, 8.0, 5.0],
        "n_censored": [8.0, 17.0, 20.0, 23.0, 4.0],
    })
    s = np.cumprod(1 - curve["n_events"] / curve["n_at_risk"])
    curve["surv"] = s
    res = release_curves(curve, rules=RULES, artefact="km.csv", by=("group",), events="n_events",
                         sums=("n_censored",))
    r = res.released
    # t1: 12 events, shown; t2: 3 pending -> pooled; t3: 0 new but 3 pending -> pooled;
    # t4: 3 + 8 = 11 -> shown with the pooled counts; t5: 9 at risk -> cut
    assert r["surv"].notna().tolist() == [True, False, False, True, False]
    assert r.loc[3, "n_events"] == 11.0 and r.loc[3, "n_censored"] == 17.0 + 20.0 + 23.0
    # hand-worked: the run t2..t4 is one step, 11 events against the 80 at risk at its start
    assert r.loc[3, "surv"] == pytest.approx((1 - 12 / 100) * (1 - 11 / 80), rel=1e-12)
    assert r.loc[3, "surv"] != pytest.approx(s[3], rel=1e-6)  # not the exact estimate, which would factorise
    # Greenwood over the released runs: sum of D / (N (N - D))
    assert r.loc[3, "std_err"] == pytest.approx(np.sqrt(12 / (100 * 88) + 11 / (80 * 69)), rel=1e-12)
    # pooled rows hide their events and censorings and keep their at-risk number (the audit bounds what
    # at-risk differences reveal: d + c per step, with both hidden)
    assert np.isnan(r.loc[1, "n_events"]) and np.isnan(r.loc[1, "n_censored"]) and r.loc[1, "n_at_risk"] == 80.0
    assert np.isnan(r.loc[4, "n_at_risk"]) and r["disclosure"].tolist()[4].startswith("cut")
    assert {"release", "pool", "cut"} <= set(res.log["decision"])


def test_series_of_cumulative_counts_pools_small_bands():
    frame = pd.DataFrame({"threshold": [0.6, 0.7, 0.8, 0.9], "above": [100.0, 95.0, 80.0, 0.0],
                          "total": 200.0, "share": [50.0, 47.5, 40.0, 0.0]})
    res = check_series(frame, rules=RULES, artefact="f7.csv", order="threshold", counts=("above",),
                       values=("share",), complements={"above": "total"})
    # 0.7 differs from 0.6 by 5 -> suppressed; 0.8 differs from the last shown (0.6) by 20 -> shown
    assert res.released["share"].notna().tolist() == [True, False, True, True]


def test_model_refused_without_enough_events_or_degrees_of_freedom():
    summary = pd.DataFrame({"covariate": ["high", "starter"], "coef": [0.1, 0.2]})
    ok = check_model(summary, rules=RULES, artefact="cox.csv", n_events=20, n_params=2, resid_df=100)
    assert not ok.refused and len(ok.released) == 2
    few = check_model(summary, rules=RULES, artefact="cox.csv", n_events=19, n_params=2, resid_df=100)
    assert few.refused and few.released.empty
    assert "events per coefficient" in " ".join(few.reasons())
    small = check_model(summary, rules=RULES, artefact="cox.csv", n_events=500, n_params=2, resid_df=9)
    assert small.refused


def test_check_counts_suppresses_the_shared_test_statistic():
    frame = pd.DataFrame({"population": ["all", "all"], "group": ["high", "within"], "n": [50.0, 500.0],
                          "observed": [4.0, 40.0], "p": [0.3, 0.3]})
    res = check_counts(frame, rules=RULES, artefact="logrank.csv", keys=("population", "group"),
                       counts=("n", "observed"), values=("p",), by=("population",))
    assert res.released["p"].isna().all()
    assert res.released["observed"].isna().tolist() == [True, False]


def test_publishable_shows_the_marker_never_a_number():
    cells = _cells([("a", 1, "count", 3, 3.0), ("a", 2, "count", 30, 30.0)])
    res = check_table(cells, rules=RULES, artefact="t.csv", keys=("group", "cohort"))
    pub = publishable(res.released, marker="x")
    assert pub.loc[0, "value"] == "x" and pub.loc[0, "n"] == "x"
    assert pub.loc[1, "value"] == 30.0 and pub.loc[1, "n"] == 30


def test_selection_table_pools_a_small_drop_with_the_next_steps():
    from cohorts.disclosure import release_selection
    from cohorts.selection import drop_step, selection_frame, unit_step

    steps = [drop_step("cohorts", "loan parts", "a", 1000, 997, "three dropped"),       # 3: too few alone
             drop_step("cohorts", "loan parts", "b", 997, 997, "none"),                 # 0: still open
             drop_step("cohorts", "loan parts", "c", 997, 980, "seventeen dropped"),    # run of 20: released
             unit_step("cohorts", "mortgages", "d", 980, 700, "parts to mortgages"),
             drop_step("cohorts", "mortgages", "e", 700, 650, "fifty dropped"),
             drop_step("stock", "loan parts", "f", 500, 495, "five dropped")]           # open at the end
    sel = selection_frame(steps)
    out = release_selection(sel, rules=RULES)
    # hand-worked: steps a and b show the marker; step c shows the run's counts 1000 -> 980, 20 dropped
    assert out.loc[0, ["rows_in", "rows_out", "rows_dropped"]].tolist() == ["x", "x", "x"]
    assert out.loc[1, ["rows_in", "rows_out", "rows_dropped"]].tolist() == ["x", "x", "x"]
    assert out.loc[2, ["rows_in", "rows_out", "rows_dropped"]].tolist() == [1000, 980, 20]
    assert "with the 2 step(s) above" in out.loc[2, "rule"]
    assert out.loc[4, ["rows_in", "rows_out", "rows_dropped"]].tolist() == [700, 650, 50]
    assert out.loc[5, ["rows_in", "rows_out", "rows_dropped"]].tolist() == ["x", "x", "x"]
    # no released number gives a small drop back: differences of released counts along the chain
    shown = out.loc[out["rows_in"] != "x"]
    assert ((shown["rows_in"].astype(int) - shown["rows_out"].astype(int)).isin([0, 20, 50, 280])).all()
    assert sel.loc[0, "rows_dropped"] == 3  # the input is not changed
