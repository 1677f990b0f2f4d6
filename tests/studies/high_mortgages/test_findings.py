"""Hand-worked and planted-truth checks of the findings stated from the gated release.

Kinds of test here:

* planted truth: small release frames built by hand (the layout of
  ``figure_8_data.csv``, ``figure_9_data.csv``, ``figure_sweep_data.csv`` and
  ``logrank_data.csv`` as :meth:`cohorts.studies.high_mortgages.notebook.Released.data` reads
  them, marked cells missing) with known values; the sentences must quote
  exactly those values, rounded, with the right group, and where a value is
  hidden say so without printing the hidden number (planted in the "truth"
  frame the release was cut from);
* hand-worked: the log-rank tests of the six hand-made mortgages of
  ``conftest.py`` (chi-square worked out below, step by step) and the model
  rule of the gate on them;
* the paper's numbers: every ``\\newcommand`` of ``numbers.tex`` equals the
  released value it stands for.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from cohorts.disclosure import load_rules, publishable, text_release
from cohorts.disclosure.checks import REFUSED
from cohorts.disclosure.survival import CUT_NOTE, POOLED_NOTE
from cohorts.studies.high_mortgages.findings import (
    LATEX,
    curve_finding,
    findings,
    numbers_tex,
    paper_values,
    sweep_finding,
    years_after,
)
from cohorts.studies.high_mortgages.text_data import logrank_data

# ------------------------------------------------------------------------------------------------------------
# hand-made release frames
# ------------------------------------------------------------------------------------------------------------
#: cumulative share in arrears per year 1..7 (the truth before the gate), with the interval half-widths
TRUTH = {
    "within": ([0.010, 0.018, 0.025, 0.031, 0.037, 0.042, 0.0461], 0.004),
    "high": ([0.020, 0.031, 0.044, 0.055, 0.064, 0.0712, 0.0789], 0.011),
}


def curve_frame(hidden: dict[tuple[str, int], str] | None = None, truth=TRUTH) -> pd.DataFrame:
    """``figure_8_data`` as read back: one row per category and time, ``hidden`` cells missing with a note."""
    rows = []
    for cat in ("within", "high"):
        values, half = truth[cat]
        for t, v in enumerate(values, start=1):
            note = (hidden or {}).get((cat, t), "")
            cell = np.nan if note else v
            rows.append({"category": cat, "time": float(t), "n_at_risk": 1000.0 - 100 * t, "surv": 1 - cell,
                         "cum_inc": cell, "cum_inc_lower": cell - half if not note else np.nan,
                         "cum_inc_upper": cell + half if not note else np.nan, "disclosure": note})
    return pd.DataFrame(rows)


def logrank_frame(p_all=1.354e-12, p_starters=0.0123, refused=()) -> pd.DataFrame:
    rows = []
    for pop, p, stat in (("all", p_all, 49.42), ("starters", p_starters, 6.27)):
        rows.append({"population": pop, "figure": "figure_8" if pop == "all" else "figure_9", "threshold": 1.0,
                     "statistic": np.nan if pop in refused else stat, "df": 1,
                     "p": np.nan if pop in refused else p, "disclosure": REFUSED if pop in refused else ""})
    return pd.DataFrame(rows)


SWEEP = {0.8: (0.0766, 0.0516), 0.9: (0.0866, 0.0510), 1.0: (0.0970, 0.0527), 1.1: (0.1054, 0.0569),
         1.2: (0.0918, 0.0609)}


def sweep_frame(hidden: dict[tuple[float, str], str] | None = None, values=SWEEP) -> pd.DataFrame:
    rows = []
    for t, (above, within) in values.items():
        for group, v in (("within", within), ("above", above)):
            note = (hidden or {}).get((t, group), "")
            rows.append({"threshold": t, "population": "starters", "group": group, "time": 7.0, "n": 900,
                         "events": 40, "n_at_risk": 300.0, "km_cum_inc": np.nan if note else v,
                         "km_cum_inc_lower": np.nan if note else v - 0.01,
                         "km_cum_inc_upper": np.nan if note else v + 0.01, "logrank_p": 0.001, "hr_above": 1.5,
                         "hr_lower": 1.2, "hr_upper": 1.8, "note": "", "disclosure": note})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------------------
# one population
# ------------------------------------------------------------------------------------------------------------
def test_years_after_counts_from_the_origination_year():
    assert years_after(7) == "six years" and years_after(2) == "one year" and years_after(5.0) == "four years"


def test_all_released_states_six_years_with_intervals_and_the_logrank_p():
    f = curve_finding(curve_frame(), logrank_frame(), population="all")
    assert f.time == 7
    assert f.quoted["high"].value == pytest.approx(0.0789) and f.quoted["within"].value == pytest.approx(0.0461)
    s = f.sentence()
    # hand-rounded: 0.0789 -> 7.9%, interval 0.0789 -+ 0.011 -> 6.8% to 9.0%; 0.0461 -> 4.6%, 4.2% to 5.0%
    assert s == ("Among new mortgages, 7.9% (95% CI 6.8% to 9.0%) of high mortgages had been in arrears six years "
                 "after the origination year, against 4.6% (95% CI 4.2% to 5.0%) of those within the norm "
                 "(log-rank chi2 = 49.4, 1 df, p = 1.4e-12).")


def test_swapped_groups_change_the_sentence():
    """The groups are read by their category, not by their order in the file."""
    frame = curve_frame()
    swapped = frame.iloc[::-1].reset_index(drop=True)
    assert curve_finding(swapped, logrank_frame(), population="all").sentence() == \
        curve_finding(frame, logrank_frame(), population="all").sentence()
    relabelled = frame.assign(category=frame["category"].map({"within": "high", "high": "within"}))
    s = curve_finding(relabelled, logrank_frame(), population="all").sentence()
    assert s.startswith("Among new mortgages, 4.6% (95% CI 4.2% to 5.0%) of high mortgages")


def test_starters_take_their_own_logrank_row():
    s = curve_finding(curve_frame(), logrank_frame(), population="starters").sentence()
    assert s.startswith("Among first-time buyers, 7.9%") and "chi2 = 6.3, 1 df, p = 0.012" in s


def test_a_pooled_six_year_value_is_said_so_and_the_last_common_year_is_quoted():
    hidden = {("high", 6): POOLED_NOTE, ("high", 7): POOLED_NOTE}
    f = curve_finding(curve_frame(hidden), logrank_frame(), population="all")
    assert f.time == 5 and not f.at_horizon["high"].released and f.at_horizon["within"].released
    s = f.sentence()
    assert s == ("Among new mortgages, the six-year value of high mortgages is pooled by disclosure control, "
                 "while that of mortgages within the norm is 4.6% (95% CI 4.2% to 5.0%). Four years after the "
                 "origination year, the last year both are released, 6.4% (95% CI 5.3% to 7.5%) of high mortgages "
                 "had been in arrears against 3.7% (95% CI 3.3% to 4.1%) of those within the norm (log-rank "
                 "chi2 = 49.4, 1 df, p = 1.4e-12).")
    # the hidden truths (7.1%, 7.9% and their intervals) are never printed
    for hidden_value in ("7.1%", "7.9%", "6.8%", "9.0%", "6.0%", "8.2%"):
        assert hidden_value not in s


def test_a_cut_curve_and_a_refused_test():
    hidden = {("within", t): CUT_NOTE for t in (6, 7)} | {("high", t): CUT_NOTE for t in (6, 7)}
    f = curve_finding(curve_frame(hidden), logrank_frame(refused=("all",)), population="all")
    s = f.sentence()
    assert s.startswith("Among new mortgages, the six-year values of both groups are cut by disclosure control. "
                        "Four years after the origination year, the last year both are released, 6.4%")
    assert "the log-rank test is refused by disclosure control" in s and "49.4" not in s
    assert f.time == 5


def test_no_common_year_and_no_logrank_file():
    hidden = {("high", t): POOLED_NOTE for t in range(1, 8)}
    f = curve_finding(curve_frame(hidden), None, population="all")
    assert f.time is None
    assert f.sentence().endswith("no earlier year has both groups released (the log-rank test is not released).")


def test_bad_frames_are_named():
    with pytest.raises(ValueError, match="figure_8_data: missing column"):
        curve_finding(curve_frame().drop(columns=["cum_inc_lower"]), None, population="all")
    with pytest.raises(ValueError, match="population must be one of"):
        curve_finding(curve_frame(), None, population="stock")


# ------------------------------------------------------------------------------------------------------------
# the sweep
# ------------------------------------------------------------------------------------------------------------
def test_sweep_in_one_line():
    s = sweep_finding(sweep_frame()).sentence()
    assert s == ("Moving the threshold from 80% to 120% (first-time buyers, six years after the origination year; "
                 "above vs at or below): 7.7% vs 5.2% at 80%; 8.7% vs 5.1% at 90%; 9.7% vs 5.3% at 100%; "
                 "10.5% vs 5.7% at 110%; 9.2% vs 6.1% at 120%; higher above the threshold at all five thresholds "
                 "where both are released.")


def test_sweep_with_one_threshold_released():
    hidden = {(t, g): CUT_NOTE for t in (0.9, 1.0, 1.1, 1.2) for g in ("above", "within")}
    s = sweep_finding(sweep_frame(hidden)).sentence()
    assert "7.7% vs 5.2% at 80%; at 90% both shares are cut by disclosure control;" in s
    assert s.endswith("higher above the threshold at the one threshold where both are released.")
    for value in ("8.7%", "5.1%", "9.7%", "5.3%", "10.5%", "5.7%", "9.2%", "6.1%"):
        assert value not in s


def test_sweep_with_a_hidden_cell_and_a_reversal():
    values = {**SWEEP, 1.1: (0.0500, 0.0569)}
    f = sweep_finding(sweep_frame({(1.2, "above"): POOLED_NOTE}, values=values))
    assert f.both() == [0.8, 0.9, 1.0, 1.1] and f.higher_above() == [0.8, 0.9, 1.0]
    s = f.sentence()
    assert "at 120% the share above is pooled by disclosure control" in s and "9.2%" not in s
    assert s.endswith("higher above the threshold at three of the four thresholds where both are released "
                      "(not at 110%).")


def test_sweep_quotes_figure_9_where_its_own_point_at_the_report_threshold_is_hidden():
    """Planted: the sweep's 100% point hidden (as the gate hides it when Figure 9 pools a step before it);
    Figure 9's released six-year values of first-time buyers (high 7.89%, within 4.61%, TRUTH) stand in,
    named as Figure 9's, and count in the verdict; another threshold hidden is still said to be hidden."""
    hidden = {(1.0, "above"): "suppressed (disclosure control)", (1.0, "within"): "suppressed (disclosure control)"}
    sweep = sweep_finding(sweep_frame(hidden))
    starters = curve_finding(curve_frame(), logrank_frame(), population="starters")
    s = sweep.sentence(reference=starters)
    assert ("8.7% vs 5.1% at 90%; 7.9% vs 4.6% at 100% (the report's threshold: Figure 9's released values, as "
            "the sweep's own point is not released there); 10.5% vs 5.7% at 110%") in s
    assert s.endswith("higher above the threshold at all five thresholds where both are released.")
    assert "9.7%" not in s                                  # the sweep's own hidden point is never printed
    # without a reference, or with one that cannot stand in, the point stays hidden and uncounted
    assert "at 100% both shares are suppressed by disclosure control" in sweep.sentence()
    assert sweep.sentence().endswith("at all four thresholds where both are released.")
    other = curve_finding(curve_frame(), logrank_frame(), population="all")
    assert not sweep.stands_in(other)
    cut = curve_finding(curve_frame({("high", 7): CUT_NOTE}), logrank_frame(), population="starters")
    assert not sweep.stands_in(cut) and "at 100% both shares are suppressed" in sweep.sentence(reference=cut)
    hidden_110 = sweep_finding(sweep_frame({**hidden, (1.1, "above"): POOLED_NOTE}))
    s = hidden_110.sentence(reference=starters)
    assert "at 110% the share above is pooled by disclosure control" in s and "7.9% vs 4.6% at 100%" in s
    assert s.count("7.9%") == 1                             # Figure 9 stands in at the report's threshold only
    assert not sweep_finding(sweep_frame()).stands_in(starters)   # nothing hidden: the sweep's own values
    # in the paper the report's Figure 9 is a reference to the paper's own label of it
    tex = sweep.sentence(LATEX, reference=starters)
    assert r"7.9\% vs 4.6\% at 100\% (the report's threshold: Figure~\ref{fig:f9}'s released values" in tex
    assert r"\label{fig:f9}" in (Path(__file__).parents[3] / "paper" / "main.tex").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------------------
# the log-rank test behind the text and its gate (hand-worked on the six mortgages of conftest.py)
# ------------------------------------------------------------------------------------------------------------
def test_logrank_data_by_hand(hand_cohorts):
    """All six: high = rows 1, 3, 6; within = rows 2, 4, 5.  Event times 1, 2, 3:
    t=1: 6 at risk (3 high), 1 event (high): E = 3/6 = 0.5, V = 3*3*1*5/(36*5) = 0.25;
    t=2: 5 at risk (2 high), 1 event (within): E = 2/5 = 0.4, V = 2*3*1*4/(25*4) = 0.24;
    t=3: 2 at risk (1 high), 1 event (high): E = 0.5, V = 0.25.
    O = 2, E = 1.4, V = 0.74: chi2 = 0.6^2 / 0.74.
    Starters (rows 1, 2, 5; high = row 1): one event at t=1 with 3 at risk: E = 1/3, V = 1*2*1*2/(9*2) = 2/9;
    chi2 = (2/3)^2 / (2/9) = 2."""
    out = logrank_data(hand_cohorts).set_index("population")
    assert out.loc["all", "statistic"] == pytest.approx(0.36 / 0.74, abs=1e-12)
    assert out.loc["starters", "statistic"] == pytest.approx(2.0, abs=1e-12)
    assert out.loc["starters", "p"] == pytest.approx(chi2.sf(2.0, 1), abs=1e-12)
    assert out.loc["all", "df"] == 1 and out.loc["all", "n"] == 6 and out.loc["all", "n_events"] == 3
    assert out.loc["starters", "n"] == 3 and out.loc["starters", "n_events"] == 1
    assert list(out["figure"]) == ["figure_8", "figure_9"]


def test_the_gate_releases_the_p_by_the_model_rule_and_never_the_counts(hand_cohorts, tmp_path):
    frame = logrank_data(hand_cohorts)
    strict = text_release("logrank_data", frame, rules=load_rules()).make({})
    # three and one events: fewer than the packaged events per coefficient, so both tests are refused
    assert strict.released["p"].isna().all() and set(strict.released["disclosure"]) == {REFUSED}
    assert "n" not in strict.released.columns and "n_events" not in strict.released.columns
    assert set(strict.log["decision"]) >= {"refuse"}
    toml = tmp_path / "rules.toml"
    toml.write_text("[model]\nmin_events_per_param = 2\nmin_resid_df = 2\n")
    rules = load_rules(toml)
    loose = text_release("logrank_data", frame, rules=rules).make({}).released.set_index("population")
    assert loose.loc["all", "p"] == pytest.approx(chi2.sf(0.36 / 0.74, 1), abs=1e-12)  # 3 events, 5 resid df
    assert np.isnan(loose.loc["starters", "p"]) and loose.loc["starters", "disclosure"] == REFUSED  # 1 event
    written = publishable(loose.reset_index(), marker="x")
    assert written.loc[written["population"].eq("starters"), "p"].tolist() == ["x"]
    with pytest.raises(ValueError, match="no disclosure rule"):
        text_release("other_data", frame, rules=rules)


# ------------------------------------------------------------------------------------------------------------
# the paper's numbers
# ------------------------------------------------------------------------------------------------------------
MACRO = re.compile(r"^\\newcommand\{\\([A-Za-z]+)\}\{(.*)\}$")


def macros(tex: str) -> dict[str, str]:
    out = {}
    for line in tex.splitlines():
        if line.startswith("%"):
            continue
        m = MACRO.match(line)
        assert m, line
        out[m.group(1)] = m.group(2)
    return out


def test_numbers_tex_holds_the_released_values():
    hidden = {("high", 7): POOLED_NOTE}
    fig8, fig9 = curve_frame(), curve_frame(hidden)
    found = findings(fig8, fig9, logrank_frame(), sweep_frame())
    tex = numbers_tex(found, run={"RunData": "the synthetic twin (scale 0.1, seed 20221)"})
    m = macros(tex)
    # all new mortgages: the released six-year values, as percentages with one decimal
    high8 = fig8.loc[fig8["category"].eq("high") & fig8["time"].eq(7)].iloc[0]
    within8 = fig8.loc[fig8["category"].eq("within") & fig8["time"].eq(7)].iloc[0]
    assert m["AllHigh"] == f"{100 * high8['cum_inc']:.1f}\\%" == "7.9\\%"
    assert m["AllWithin"] == f"{100 * within8['cum_inc']:.1f}\\%" == "4.6\\%"
    assert m["AllHighCI"] == (f"95\\% CI {100 * high8['cum_inc_lower']:.1f}\\% to "
                              f"{100 * high8['cum_inc_upper']:.1f}\\%")
    assert m["YearsAll"] == "six years"
    assert m["AllLogrank"] == r"log-rank $\chi^2$ = 49.4, 1 df, p = $1.4\times 10^{-12}$"
    # starters: high pooled at year 7, so the paper quotes year 6 (five years after), where both are released
    high9 = fig9.loc[fig9["category"].eq("high") & fig9["time"].eq(6)].iloc[0]
    assert m["YearsStarters"] == "five years"
    assert m["StartersHigh"] == f"{100 * high9['cum_inc']:.1f}\\%" == "7.1\\%"
    assert "pooled by disclosure control" in m["FindingStarters"] and "7.9" not in m["FindingStarters"]
    assert m["StartersLogrank"].endswith("p = 0.012")
    assert m["FindingSweep"].startswith(r"Moving the threshold from 80\% to 120\%")
    assert m["RunData"] == "the synthetic twin (scale 0.1, seed 20221)"
    assert set(paper_values(found)) <= set(m)
    assert "%" not in tex.replace("\\%", "").split("\n", 2)[2]  # no unescaped percent sign outside the header


def test_latex_style():
    assert LATEX.pct(0.0789) == "7.9\\%" and LATEX.p(0.0123) == "0.012" and LATEX.p(2e-5) == "$2.0\\times 10^{-5}$"
    with pytest.raises(ValueError, match="letters only"):
        numbers_tex(findings(curve_frame(), curve_frame(), None, None), run={"Run2": "x"})
