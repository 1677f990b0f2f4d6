"""Stand-in tables for the missing 2016/2017 norm tables, and the release tables S1 and S2.

Kind: planted truth with hand-worked values.  Four 2016 households are
planted so that their high flag flips between the 2013, 2014 and 2015
tables; their maxima are worked by hand from the table cells quoted below
(``src/cohorts/norms/data/financieringslast_*.csv``) and footnote 37's
annuity.  S1 is checked against a hand count on a planted frame and
against the published Tabel 1 (``report_targets.csv``); the codebook test
checks that what the release states about S1/S2 holds on the planted units
(the gate's witness).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.codebook import standin_family, units_frame, wlt_family
from cohorts.disclosure.facts import UNITS
from cohorts.errors import CohortsWarning
from cohorts.norms import apply_norm
from cohorts.norms.sensitivity import standin_lti_util, standin_tables
from cohorts.studies.high_mortgages.release import read_table
from cohorts.studies.high_mortgages.sensitivity_tables import table_s1, table_s2
from cohorts.studies.high_mortgages import tables as T

BASE = dict(
    year=2016, main_income=40_000, partner_income=0, main_age=30, interest_rate=3.0, fixed_period_years=10,
    savings=0, securities=0, consumer_credit=0, student_debt=0, observed_mortgage=0, house_value=300_000,
    interest_only_amount=0,
)
#: observed mortgages of the planted households A-D
OBSERVED = {"A": 210_000, "B": 190_000, "C": 150_000, "D": 230_000}


def annuity(rate_percent: float) -> float:
    rm = rate_percent / 1200
    return rm * (1 + rm) ** 360 / ((1 + rm) ** 360 - 1)


# Income 40,000, test rate 3.0 (fixed 10 years: the contract rate):
#   financieringslast_2013.csv: "2013,below_aow,27000,44000,0.000,5.000,27.5"   -> 27.5
#   financieringslast_2014.csv: "2014,below_aow,28000,55000,0.000,4.000,25.5"   -> 25.5
#   financieringslast_2015.csv: "2015,below_aow,34000,47000,2.501,3.000,22.5"   -> 22.5
# maximum = pct/100 x 40,000 / 12 / annuity(3.0), annuity(3.0) = 0.00421604:
#   2013: 916.67 / 0.00421604 = 217,423   2014: 850.00 / 0.00421604 = 201,611   2015: 750.00 / 0.00421604 = 177,892
PCT = {2013: 27.5, 2014: 25.5, 2015: 22.5}
MAXIMUM = {y: p / 100 * 40_000 / 12 / annuity(3.0) for y, p in PCT.items()}
# high (observed > maximum):   A 210,000: 2014, 2015   B 190,000: 2015   C 150,000: never   D 230,000: always
HIGH = {2013: {"D"}, 2014: {"A", "D"}, 2015: {"A", "B", "D"}}


def planted() -> pd.DataFrame:
    rows = pd.DataFrame([{**BASE, "observed_mortgage": v} for v in OBSERVED.values()])
    with warnings.catch_warnings():  # 2016 uses the 2015 table: the fallback notice is not under test here
        warnings.simplefilter("ignore", CohortsWarning)
        frame = apply_norm(rows.rename(columns={"year": C.COHORT}), columns={"year": C.COHORT})
    frame[C.STARTER] = [True, True, False, False]
    return frame


def test_hand_worked_maxima():
    assert annuity(3.0) == pytest.approx(0.00421604, abs=1e-8)
    assert MAXIMUM[2013] == pytest.approx(217_423, abs=1)
    assert MAXIMUM[2014] == pytest.approx(201_611, abs=1)
    assert MAXIMUM[2015] == pytest.approx(177_892, abs=1)


@pytest.mark.parametrize("table_year", [2013, 2014, 2015])
def test_standin_utilisation_is_the_hand_worked_one(table_year):
    frame = planted()
    lti = standin_lti_util(frame, table_year=table_year, columns={"year": C.COHORT})
    expected = np.array(list(OBSERVED.values())) / MAXIMUM[table_year]
    np.testing.assert_allclose(lti, expected, rtol=1e-9)
    flips = {k for k, u in zip(OBSERVED, lti, strict=True) if u > 1}
    assert flips == HIGH[table_year]


def test_the_build_uses_2015_for_2016_and_standin_2015_repeats_it():
    frame = planted()
    assert set(frame["norm_table_year"]) == {2015}
    np.testing.assert_allclose(standin_lti_util(frame, table_year=2015, columns={"year": C.COHORT}),
                               frame[C.LTI_UTIL], rtol=1e-12)


def test_standin_leaves_other_years_alone_and_keeps_the_years_parameters():
    frame = planted()
    other = frame.copy()
    other[C.COHORT] = 2015
    assert np.isnan(standin_lti_util(other, table_year=2013, columns={"year": C.COHORT})).all()
    # a partner of 20,000 weighs 50% in 2016 (lookup 50,000) but 33.33% in 2013 (46,666): with the 2013 table
    # standing in for 2016 the lookup income is still 50,000 -> row "44000,51000": 28.0 at 3.0%
    # ("2013,below_aow,44000,51000,0.000,5.000,28.0")
    two = frame.iloc[[0]].drop(columns=[c for c in frame.columns if c not in (*BASE, C.COHORT) or c == "year"])
    two["partner_income"] = 20_000
    lti = standin_lti_util(two, table_year=2013, columns={"year": C.COHORT})
    expected_max = 28.0 / 100 * 60_000 / 12 / annuity(3.0)
    assert lti[0] == pytest.approx(210_000 / expected_max, rel=1e-9)


def test_standin_tables_copy_the_grids_and_refuse_unknown_years():
    t = standin_tables(2014)
    assert t.table_year(2016) == 2016 and t.table_year(2017) == 2017
    assert t.grids[(2016, "below_aow")].pct is t.grids[(2014, "below_aow")].pct
    assert "stand-in: the 2014 tables" in t.sources[2017]
    with pytest.raises(ValueError, match="table_year 2011 has no tables"):
        standin_tables(2011)


def test_table_s2_planted_shares():
    s2 = table_s2(planted())
    new = s2.loc[(s2["group"] == "new") & (s2["cohort"] == 2016)].set_index("variant")
    # 4 households: high under 2013 {D} = 25%, 2014 {A, D} = 50%, 2015 {A, B, D} = 75%
    assert list(new["n"]) == [4, 4, 4]
    assert list(new["value"]) == [25.0, 50.0, 75.0]
    assert list(new["as_built"]) == [False, False, True]
    starters = s2.loc[(s2["group"] == "starters") & (s2["cohort"] == 2016)].set_index("variant")
    # starters A, B: 2013 none, 2014 {A}, 2015 {A, B}
    assert list(starters["value"]) == [0.0, 50.0, 100.0]
    empty = s2.loc[s2["cohort"] == 2017]
    assert (empty["n"] == 0).all() and empty["value"].isna().all()


def _s1_frame() -> pd.DataFrame:
    # the 2014 household of test_wlt_readings (high, IO 100,000 of 200,000, contract rate 3.0 fixed 5 years):
    # wlt_possible False at the test rate, True at the contract rate; copies and a variant without IO part
    row = dict(year=2014, main_income=40_000, partner_income=0, main_age=30, interest_rate=3.0,
               fixed_period_years=5, savings=0, securities=0, consumer_credit=0, student_debt=0,
               observed_mortgage=200_000, house_value=220_000, interest_only_amount=100_000)
    rows = pd.DataFrame([row, row, {**row, "interest_rate": 5.5}, {**row, "interest_only_amount": 0}])
    frame = apply_norm(rows.rename(columns={"year": C.COHORT}), columns={"year": C.COHORT})
    frame[C.STARTER] = [True, False, False, True]
    return frame


def test_table_s1_hand_counts_and_published_rows():
    s1 = table_s1(_s1_frame())
    cell = s1.loc[(s1["cohort"] == 2014)].set_index(["group", "variant"])
    # new_high_io 2014: rows 1-3 (row 4 has no IO part).  At 5.5% (row 3) the test rate is the contract
    # rate, and 200,000 is above both WLT maxima.  Test rate: none of 3 fits; contract rate: rows 1, 2 -> 2/3.
    assert cell.loc[("new_high_io", "toetsrente"), "n"] == 3
    assert cell.loc[("new_high_io", "toetsrente"), "value"] == 0.0
    assert cell.loc[("new_high_io", "contract"), "value"] == pytest.approx(200 / 3)
    assert cell.loc[("starters_high_io", "contract"), "value"] == 100.0  # row 1 only
    assert bool(cell.loc[("new_high_io", "toetsrente"), "as_built"]) is True  # built with the default reading
    assert bool(cell.loc[("new_high_io", "contract"), "as_built"]) is False
    # published (report_targets.csv: T1_new_high_io_2014 = 32.3, T1_N_new_high_io_2014 = 9647)
    assert cell.loc[("new_high_io", "published"), "value"] == 32.3
    assert cell.loc[("new_high_io", "published"), "n"] == 9647
    assert cell.loc[("starters_high_io", "published"), "value"] == 33.3
    assert len(s1) == 2 * 6 * 3


def test_formatted_layout_rows_per_group_and_variant():
    out = T.format_table(table_s2(planted()), lang="en")
    assert list(out.columns) == ["2016", "2017"]
    assert out.loc["New mortgages: 2015 table (build)", "2016"] == "75.0%"
    assert out.loc["First-time buyers: 2014 table", "2016"] == "50.0%"
    nl = T.format_table(table_s1(_s1_frame()), lang="nl")
    assert nl.loc["Nieuw met LTI-benutting >100% en aflossingsvrij deel: gepubliceerd (AFM 2022)", "2014"] == "32,3%"


def _fact_sums(frame: pd.DataFrame, reading, units: pd.DataFrame) -> list[tuple[float, float]]:
    """(stated value, value on the units) of every fact of a reading, with the units as the truth."""
    pairs = []
    for fact in reading.facts:
        total = 0.0
        for term in fact.terms:
            mask = np.ones(len(units), dtype=bool)
            for dim, allowed in term.population.items:
                col = units[dim].to_numpy()
                if hasattr(allowed, "contains"):
                    mask &= np.array([allowed.contains(float(v)) for v in col])
                else:
                    mask &= np.isin(col, list(allowed))
            total += getattr(term, "coef", 1.0) * units.loc[mask, term.family].sum()
        pairs.append((fact.value, total))
    return pairs


@pytest.mark.parametrize("tid", ["S1", "S2"])
def test_codebook_reading_holds_on_the_units(tid):
    # the release's description of S1/S2 must be true of the data: every count it states equals the count
    # of the planted units (the gate's witness) in the family and population it names
    frame = pd.concat([planted(), _s1_frame()], ignore_index=True)
    frame[C.LOAN_ID] = range(len(frame))
    for col, value in ((C.EVENT, False), (C.DURATION, 1), (C.NHG, False), (C.ZZP, False), (C.LTV_UTIL, 0.5)):
        frame[col] = value
    stock = pd.DataFrame({C.SNAPSHOT_YEAR: pd.Series([], dtype="int64"), C.LOAN_ID: pd.Series([], dtype="int64"),
                          C.NHG: pd.Series([], dtype=bool), C.ARREARS: pd.Series([], dtype=bool)})
    units = units_frame({"cohorts": frame, "stock": stock})
    for fam in (wlt_family("contract"), standin_family(2013)):
        assert fam in units.columns
    table = table_s1(frame) if tid == "S1" else table_s2(frame)
    reading = read_table(tid, table, artefact=f"table_{tid}.csv")
    pairs = _fact_sums(table, reading, units)
    assert pairs, "the reader states facts"
    for stated, true in pairs:
        assert stated == pytest.approx(true), (stated, true)
    if tid == "S1":  # published rows state nothing about the data; each of the 24 data cells states its n
        assert not [f for f in reading.facts if "variant=published" in f.source.cell]
        assert len([f for f in reading.facts if f.source.what == "n"]) == 24
        fams = {t.family for f in reading.facts for t in f.terms}
        assert fams == {UNITS, "wlt", wlt_family("contract")}  # the as-built reading is Tabel 1's family
    if tid == "S2":
        fams = {t.family for f in reading.facts for t in f.terms}
        assert {UNITS, standin_family(2013), standin_family(2014)} <= fams
        assert standin_family(2015) not in fams  # the as-built row reads as LTI > 100%
