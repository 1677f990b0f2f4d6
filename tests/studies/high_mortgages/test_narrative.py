"""Hand-worked checks of cohorts.studies.high_mortgages.narrative and .phrases: small released frames in, exact sentences out.

Kind: every test here is a hand-worked value.  Each frame is a released
table or figure data written out by hand in the layout the export gate
writes (formatted cells as text with ``x`` for a suppressed cell; figure
data with the suppressed values missing), and each expected sentence was
worked out by reading that frame, not by running the code.  Suppressed cells
are in most frames, so the sentences that say "suppressed" are checked too.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cohorts.studies.high_mortgages import narrative as N
from cohorts.studies.high_mortgages import phrases as P
from cohorts.studies.high_mortgages import tables as T

NAN = math.nan
YEARS = [str(y) for y in range(2012, 2018)]
EN = T.GROUP_LABELS["en"]


def _wide(columns: dict[str, list[str]]) -> pd.DataFrame:
    """A released table with years as rows (Tabel 2-5, B1-B8) as ``Released.table`` reads it."""
    frame = pd.DataFrame({EN[g]: v for g, v in columns.items()}, index=YEARS)
    frame.index.name = "Year"
    return frame


def _rows(rows: dict[str, list[str]], years=YEARS) -> pd.DataFrame:
    """A released table with years as columns (Tabel 1, S1, S2)."""
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(years))


# --------------------------------------------------------------------------
# cells and phrases
# --------------------------------------------------------------------------
def test_cells_parse_the_report_formats_and_the_marker():
    assert P.parse_cell("42%") == P.Cell("42%", 42.0, False)
    assert P.parse_cell("12,066") == P.Cell("12,066", 12066.0, False)
    assert P.parse_cell("4,89%", lang="nl").value == pytest.approx(4.89)
    assert P.parse_cell("40.442", lang="nl").value == 40442.0
    assert P.parse_cell("x") == P.Cell("x", None, True)
    assert P.parse_cell("-") == P.Cell("-", None, False)
    with pytest.raises(ValueError, match="neither the marker 'x'"):
        P.parse_cell("n/a")


def test_phrases():
    cells = {2012: P.Cell("0.0%", 0.0, False), 2013: P.Cell("x", None, True), 2014: P.Cell("48.4%", 48.4, False),
             2015: P.Cell("x", None, True)}
    assert P.series(cells) == "0.0% in 2012 and 48.4% in 2014; suppressed in 2013 and 2015"
    assert P.span(cells) == "from 0.0% (2012) to 48.4% (2014); suppressed in 2013 and 2015"
    assert P.extremes(cells) == "between 0.0% (2012) and 48.4% (2014); suppressed in 2013 and 2015"
    assert P.series({2012: P.Cell("x", None, True)}) == "suppressed in every year"
    assert P.years([2012, 2013, 2014]) == "2012–2014"
    assert P.years([2012, 2014]) == "2012 and 2014"
    assert P.years([2012, 2013]) == "2012 and 2013"
    assert P.years([2012, 2013, 2015, 2016, 2017]) == "2012, 2013 and 2015–2017"


def test_every_names_the_years_it_holds_and_fails():
    assert P.every([2012, 2013, 2014], [], what="a holds") == "A holds in every year where both are shown (2012–2014)"
    assert P.every([2013], [2012, 2015], what="a holds", example="e.g. 1 of 3") == \
        "A holds in 2013 (e.g. 1 of 3), but not in 2012 and 2015"
    assert P.every([], [2012], what="a holds") == "A holds in no year where both are shown (2012)"
    assert P.every([], [], what="a holds").startswith("Whether a holds cannot be said")


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------
def test_table_caption_names_the_statistic_and_the_marker():
    assert N.table_caption("T2") == (
        "**Table 2: Share of households with NHG.** Rows: origination year (the mortgage stock: snapshot year); "
        "columns: the groups. `x`: suppressed by the disclosure gate.")
    assert N.table_caption("B3").endswith("disclosure gate. Counts are the data's own, unscaled.")
    assert N.table_caption("table_B5").startswith(
        "**Table B5: Median net wealth excluding the own home (euro).** Rows: origination year")
    assert "high mortgages (LTI utilisation above the norm) with interest-only parts" in N.table_caption("T1")
    with pytest.raises(ValueError, match="unknown table 'T9'"):
        N.table_caption("T9")


def test_table_1_row_labels_name_the_denominator():
    assert EN["new_high_io"] == "New, LTI utilisation >100%, with interest-only parts"
    assert EN["starters_high_io"] == "First-time buyers, LTI utilisation >100%, with interest-only parts"


def test_table_b3_counts_and_the_minority_claim():
    b3 = _wide({"new": ["404", "479", "1,069", "1,038", "1,183", "x"],
                "new_high": ["96", "81", "185", "192", "231", "x"],
                "starters": ["140", "160", "358", "375", "433", "111"],
                "starters_high": ["43", "31", "67", "200", "95", "21"],  # 2015: 200 of 375 is more than half
                "stock": ["9,055", "11,912", "17,271", "19,289", "21,461", "20,356"]})
    assert N.table_b3(b3) == "\n".join([
        "Households in the analysis, first and last year shown:",
        "- New mortgages: from 404 (2012) to 1,183 (2016); suppressed in 2017.",
        "- New, LTI utilisation >100%: from 96 (2012) to 231 (2016); suppressed in 2017.",
        "- First-time buyers: from 140 (2012) to 111 (2017).",
        "- First-time buyers, LTI utilisation >100%: from 43 (2012) to 21 (2017).",
        "- Mortgage stock: from 9,055 (2012) to 20,356 (2017).",
        "",
        "High mortgages are fewer than half of the new mortgages in every year where both are shown "
        "(2012–2016; e.g. 231 of 1,183 in 2016).",
        "High mortgages are fewer than half of the first-time buyers in 2012–2014, 2016 and 2017 "
        "(e.g. 21 of 111 in 2017), but not in 2015."])


def test_table_1_states_each_share_and_the_suppressed_years():
    t1 = _rows({EN["new_high_io"]: ["0.0%", "0.0%", "x", "48.4%", "72.7%", "x"],
                EN["starters_high_io"]: ["x", "x", "0.0%", "x", "x", "x"]})
    assert N.table_1(t1) == (
        "Of the high new mortgages with interest-only parts, the share that fits under the actual-cost test "
        "(WLT possibly applied) is 0.0% in 2012, 0.0% in 2013, 48.4% in 2015 and 72.7% in 2016; suppressed in "
        "2014 and 2017. Of the high first-time buyers with interest-only parts, the share that fits under the "
        "actual-cost test (WLT possibly applied) is 0.0% in 2014; suppressed in 2012, 2013 and 2015–2017.")


def test_table_s1_readings_beside_the_published_row():
    g, s = EN["new_high_io"], EN["starters_high_io"]
    years = ["2014", "2015", "2016"]
    s1 = _rows({f"{g}: published (AFM 2022)": ["32.3%", "28.4%", "34.0%"],
                f"{g}: IO part at the test rate (build)": ["x", "48.4%", "72.7%"],
                f"{g}: IO part at the contract rate": ["16.2%", "63.4%", "72.7%"],
                f"{s}: published (AFM 2022)": ["33.3%", "28.8%", "34.3%"],
                f"{s}: IO part at the test rate (build)": ["0.0%", "x", "x"],
                f"{s}: IO part at the contract rate": ["x", "46.2%", "x"]}, years=years)
    assert N.table_s1(s1) == (
        "**High new mortgages with interest-only parts.** Published (AFM 2022): 32.3% in 2014, 28.4% in 2015 and "
        "34.0% in 2016. IO part at the test rate (the build): 48.4% in 2015 and 72.7% in 2016; suppressed in 2014. "
        "IO part at the contract rate: 16.2% in 2014, 63.4% in 2015 and 72.7% in 2016. Where both readings are "
        "shown, the contract-rate reading gives the higher share in 2015 and the same share in 2016.\n\n"
        "**High first-time buyers with interest-only parts.** Published (AFM 2022): 33.3% in 2014, 28.8% in 2015 "
        "and 34.3% in 2016. IO part at the test rate (the build): 0.0% in 2014; suppressed in 2015 and 2016. "
        "IO part at the contract rate: 46.2% in 2015; suppressed in 2014 and 2016. No year shows both readings.")
    with pytest.raises(ValueError, match="S1 has no row for group 'new_high_io'"):
        N.table_s1(s1.iloc[1:])


def test_table_s2_stand_in_shares():
    s2 = _rows({"New mortgages: 2013 table": ["3.1%", "x"],
                "New mortgages: 2014 table": ["5.6%", "x"],
                "New mortgages: 2015 table (build)": ["19.5%", "x"],
                "First-time buyers: 2013 table": ["4.8%", "x"],
                "First-time buyers: 2014 table": ["7.9%", "x"],
                "First-time buyers: 2015 table (build)": ["21.9%", "18.9%"]}, years=["2016", "2017"])
    assert N.table_s2(s2) == "\n".join([
        "- 2016, new mortgages: the share of high mortgages is 19.5% with the 2015 table (the build), 5.6% with "
        "the 2014 table and 3.1% with the 2013 table.",
        "- 2017, new mortgages: the share of high mortgages is suppressed under every table.",
        "- 2016, first-time buyers: the share of high mortgages is 21.9% with the 2015 table (the build), 7.9% "
        "with the 2014 table and 4.8% with the 2013 table.",
        "- 2017, first-time buyers: the share of high mortgages is 18.9% with the 2015 table (the build); with the "
        "2014 table and the 2013 table it is suppressed."])


def test_table_2_nhg_comparisons():
    t2 = _wide({"new": ["42%", "48%", "47%", "50%", "36%", "x"],
                "new_high": ["35%", "43%", "42%", "52%", "34%", "x"],
                "starters": ["56%", "69%", "70%", "72%", "36%", "55%"],  # 2016: a tie as shown
                "starters_high": ["49%", "61%", "64%", "69%", "48%", "x"],
                "stock": ["17%", "21%", "27%", "29%", "40%", "29%"]})  # 2016: not the lowest
    assert N.table_2(t2) == (
        "First-time buyers more often have NHG than all new mortgages in 2012–2015 (2015: 72% against 50%), but "
        "not in 2016. The stock has the lowest NHG share of the groups shown in 2012–2015 and 2017, "
        "but not in 2016. Suppressed: all new mortgages (2017), high mortgages (2017) and first-time buyers "
        "with high mortgages (2017).")


def test_table_b5_wealth_comparisons():
    b5 = _wide({"new": ["12,066", "16,220", "16,796", "17,773", "18,334", "x"],
                "new_high": ["4,021", "5,763", "8,089", "11,108", "8,558", "x"],
                "starters": ["3,912", "5,605", "6,475", "7,304", "8,352", "10,882"],
                "starters_high": ["673", "322", "2,588", "12,000", "4,705", "x"],  # 2015: not the least
                "stock": ["18,791", "19,226", "21,062", "22,280", "23,441", "25,368"]})
    assert N.table_b5(b5) == (
        "First-time buyers have less net wealth than the stock in every year where both are shown (2012–2017; "
        "2017: 10,882 against 25,368 euro). First-time buyers with high mortgages have less net wealth than the "
        "stock in every year where both are shown (2012–2016; 2016: 4,705 against 23,441 euro). First-time "
        "buyers with high mortgages have the least net wealth of the groups shown in 2012–2014 and 2016, but "
        "not in 2015. Suppressed: all new mortgages (2017), high mortgages (2017) and first-time buyers "
        "with high mortgages (2017).")


# --------------------------------------------------------------------------
# figure data and the selection
# --------------------------------------------------------------------------
def test_selection_sentences_and_reconciliation():
    sel = pd.DataFrame([
        (1, "input", "cohorts", "raw LLD loan parts", "as read", 100, 100, 0, "loan parts"),
        (2, "unit change", "cohorts", "one row per mortgage", "summed", 100, 40, 0, "mortgages"),
        (3, "drop", "cohorts", "originated in or after 2012", "existing stock", 40, 10, 30, "mortgages"),
        (4, "drop", "cohorts", "main earner has a CBS record", "no record", 10, 8, 2, "mortgages"),
        (5, "result", "cohorts", "analysable new mortgages", "cohorts.parquet", 8, 8, 0, "mortgages"),
    ], columns=["step", "kind", "population", "rule", "reason", "rows_in", "rows_out", "rows_dropped", "unit"])
    assert N.selection(sel.set_index("step")) == (
        "The linked data hold 100 loan parts (step 1). After the selection there are 8 mortgages (analysable new "
        "mortgages, step 5). The largest drop is step 3, 'originated in or after 2012': 30 mortgages (existing "
        "stock). Every step reconciles: its records out are its records in less those dropped, and within each "
        "population each step starts from the previous step's records out (a change of unit aside), so no record "
        "leaves uncounted.")
    broken = sel.copy()
    broken.loc[3, "rows_out"] = 7  # step 4 drops 2 of 10 but keeps 7
    broken.loc[4, ["rows_in", "rows_out"]] = 7
    assert N.selection(broken).endswith("The table does not reconcile at step(s) 4.")


def test_follow_up_numbers_at_risk():
    data = pd.DataFrame({"category": ["within"] * 3 + ["high"] * 3, "time": [1.0, 2.0, 3.0] * 2,
                         "n_at_risk": [3638.0, 3388.0, NAN, 839.0, NAN, NAN]})
    assert N.follow_up(data) == (
        "Mortgages within the norm: 3,638 at risk in year 1, 3,388 still at risk in year 2; the number of year 3 "
        "is not released (cut or suppressed by the disclosure gate). High mortgages: 839 at risk in year 1; the "
        "numbers of years 2 and 3 are not released (cut or suppressed by the "
        "disclosure gate).")


def _quadrants(shares: dict[int, list[float]]) -> pd.DataFrame:
    rows = [(y, q, s) for y, v in shares.items() for q, s in zip(("Q1", "Q2", "Q3", "Q4"), v, strict=True)]
    return pd.DataFrame(rows, columns=["cohort", "quadrant", "share"])


def test_quadrants():
    data = _quadrants({2012: [43.06, 21.53, NAN, NAN], 2013: [57.41, 19.21, 13.36, 10.02],
                       2014: [NAN, NAN, NAN, NAN]})
    assert N.quadrants(data) == (
        "Of the new mortgages, Q1 (within both norms) holds between 43.1% (2012) and 57.4% (2013); suppressed "
        "in 2014. Q1 holds more than half in 2013, but not in 2012. Q2 (above the LTV limit only): between 19.2% "
        "(2013) and 21.5% (2012); suppressed in 2014. Q3 (above the LTI norm only): 13.4% in 2013; suppressed "
        "in 2012 and 2014. Q4 (above both): 10.0% in 2013; suppressed in 2012 and 2014.")


def test_figure_1_all_shown_cells_empty_or_a_largest_cell():
    data = pd.DataFrame({"lti_category": ["<=60%", "<=60%", "60-70%", "60-70%"],
                         "ltv_category": ["<=60%", ">120%", "<=60%", ">120%"],
                         "n": [NAN, 0.0, NAN, NAN], "share": [NAN, 0.0, NAN, NAN]})
    assert N.figure_1(data) == (
        "Most cells of the grid are suppressed. Every cell that holds any 2017 new mortgage is suppressed; the "
        "cells shown are the empty ones (0 mortgages), so the grid shows only where there are none.")
    data.loc[0, ["n", "share"]] = [12.0, 30.0]
    data.loc[2, ["n", "share"]] = [28.0, 70.0]
    assert N.figure_1(data) == (
        "Some cells of the grid are suppressed. The largest cell shown is LTI utilisation 60-70% with LTV "
        "utilisation <=60%: 70.0% of the 2017 new mortgages (28 mortgages).")


def _groups(values: dict[str, list[float]]) -> pd.DataFrame:
    rows = [(g, 2012 + i, v) for g, vs in values.items() for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["group", "cohort", "value"])


def test_figure_4_compares_means_without_quoting_them():
    data = _groups({"new": [70351.9, 70526.6, NAN], "new_high": [51402.8, 71000.0, NAN],
                    "starters": [55053.9, 56000.0, 57000.0], "starters_high": [40000.0, NAN, 50000.0]})
    assert N.figure_4(data) == (
        "High mortgages have a lower mean income than all new mortgages in 2012, but not in 2013. First-time "
        "buyers have a lower mean income than all new mortgages in every year where both are shown (2012 and "
        "2013). First-time buyers with high mortgages have a lower mean income than all first-time buyers in "
        "every year where both are shown (2012 and 2014). The mean is suppressed for all new mortgages in 2014, "
        "high mortgages in 2014 and first-time buyers with high mortgages in 2013.")


def test_figure_5_interest_only_shares():
    data = _groups({"new": [84.406, 52.916, NAN], "new_high": [77.08, NAN, 80.0], "starters": [NAN, NAN, 20.72],
                    "starters_high": [NAN, NAN, NAN]})
    assert N.figure_5(data) == "\n".join([
        "The share falls from the first to the last cohort shown for all new mortgages; it does not fall for "
        "high mortgages.",
        "",
        "- All new mortgages: from 84.4% (2012) to 52.9% (2013); suppressed in 2014.",
        "- High mortgages: from 77.1% (2012) to 80.0% (2014); suppressed in 2013.",
        "- First-time buyers: 20.7% in 2014; suppressed in 2012 and 2013.",
        "- First-time buyers with high mortgages: suppressed in every year."])


def test_figure_6_income_growth():
    rows = [("starters", 0, 1577, 0.0, 0.0, 0.0), ("starters", 1, 1484, 4.2805, 1.0665, 7.7429),
            ("starters", 2, NAN, NAN, NAN, NAN), ("new", 0, 4477, 0.0, 0.0, 0.0),
            ("new", 1, 4217, 2.8966, -0.4303, 6.3544), ("new", 2, 3695, 5.609, 0.7071, 10.8374)]
    data = pd.DataFrame(rows, columns=["group", "years_since_origination", "n", "median_growth", "p25_growth",
                                       "p75_growth"])
    assert N.figure_6(data) == (
        "After 1 year the median income of first-time buyers has grown by 4.3% (interquartile range 1.1% to "
        "7.7%, N = 1,484), against 2.9% for all new mortgages (N = 4,217). First-time buyers' median growth is the "
        "higher in every year after origination where both are shown (year 1). The median is suppressed for "
        "first-time buyers in year 2.")


def test_alt_text_is_description_then_summary():
    data = _groups({"new": [84.406, 52.9], "new_high": [77.08, NAN], "starters": [NAN, NAN],
                    "starters_high": [NAN, NAN]})
    alt = N.alt_text("figure_5", data)
    assert alt.startswith(N.DESCRIPTIONS["figure_5"] + " The share falls")
    assert "\n" not in alt and "*" not in alt
    with pytest.raises(ValueError, match="no alt text for figure 'figure_9'"):
        N.alt_text("figure_9", data)
