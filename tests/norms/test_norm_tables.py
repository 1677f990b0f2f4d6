"""Regression/property check: loading and validating Trhk tables; user-supplied tables."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts.errors import CohortsWarning, ContractError, NormTableFallbackWarning
from cohorts.norms import NormTables, apply_norm, load_tables

HEADER = "year,table,income_from,income_to,rate_from,rate_to,pct\n"

# A small, valid 2016 table set: 2 income rows x 2 rate brackets, for both ages.
# (Invented numbers for the tests, not an official table.)
USER_2016 = HEADER + "\n".join(
    [
        "2016,below_aow,0,50000,0.000,4.000,20.0",
        "2016,below_aow,0,50000,4.001,,21.0",
        "2016,below_aow,50000,,0.000,4.000,25.0",
        "2016,below_aow,50000,,4.001,,26.0",
        "2016,aow,0,50000,0.000,4.000,22.0",
        "2016,aow,0,50000,4.001,,23.0",
        "2016,aow,50000,,0.000,4.000,27.0",
        "2016,aow,50000,,4.001,,28.0",
    ]
) + "\n"

BASE = dict(
    year=2016, main_income=60_000.0, partner_income=0.0, main_age=40, interest_rate=3.0,
    fixed_period_years=10, savings=0.0, securities=0.0, consumer_credit=0.0, student_debt=0.0,
    observed_mortgage=100_000.0, house_value=200_000.0, interest_only_amount=0.0,
)


def write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_packaged_tables_and_their_shapes():
    t = load_tables()
    assert t.years == (2013, 2014, 2015)
    # shapes from SOURCES.md / check_output.txt (published rows x rate columns)
    shapes = {k: g.pct.shape for k, g in t.grids.items()}
    assert shapes == {
        (2013, "aow"): (39, 5), (2013, "below_aow"): (26, 5),
        (2014, "aow"): (31, 5), (2014, "below_aow"): (26, 5),
        (2015, "aow"): (75, 12), (2015, "below_aow"): (60, 12),
        (2015, "aow_no_hra"): (53, 12), (2015, "below_aow_no_hra"): (67, 12),
    }
    assert [t.table_year(y) for y in range(2010, 2020)] == [2013, 2013, 2013, 2013, 2014, 2015, 2015, 2015, 2015, 2015]


def test_norm_tables_are_read_only():
    t = load_tables()
    with pytest.raises(TypeError):
        t.grids[(2016, "aow")] = t.grids[(2015, "aow")]  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        t.grids[(2015, "aow")].pct[0, 0] = 99.0
    with pytest.raises(AttributeError):
        t.grids = {}  # type: ignore[misc]


def test_round_trip_of_the_long_format(tmp_path):
    frame = load_tables().to_frame()
    frame.to_csv(tmp_path / "all.csv", index=False)
    again = load_tables(tmp_path)
    for key, grid in load_tables().grids.items():
        np.testing.assert_array_equal(again.grids[key].pct, grid.pct)
    assert again.sources[2015] == str(tmp_path / "all.csv")


def test_user_table_adds_a_year_and_is_used_without_warning(tmp_path):
    tables = load_tables(write(tmp_path, USER_2016))
    assert tables.years == (2013, 2014, 2015, 2016)
    rows = pd.DataFrame([
        {**BASE},                                             # 60,000, 3.0% -> "2016,below_aow,50000,,0.000,4.000,25.0"
        {**BASE, "main_income": 49_999.0, "interest_rate": 4.0006},  # 4.001 -> "2016,below_aow,0,50000,4.001,,21.0"
        {**BASE, "main_age": 70},                             # -> "2016,aow,50000,,0.000,4.000,27.0"
        {**BASE, "year": 2017},                               # 2017 falls back to the user's 2016
    ])
    with pytest.warns(NormTableFallbackWarning, match="no Trhk table for 2017; used 2016 for 2017"):
        out = apply_norm(rows, tables=tables)
    assert out["pct"].tolist() == [25.0, 21.0, 27.0, 25.0]
    assert out["norm_table_year"].tolist() == [2016, 2016, 2016, 2016]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        apply_norm(rows.iloc[:3], tables=tables)


def test_user_year_without_no_hra_rule_warns_for_interest_only_rows(tmp_path):
    tables = load_tables(write(tmp_path, USER_2016))
    rows = pd.DataFrame([{**BASE}, {**BASE, "interest_only_amount": 40_000.0}])
    with pytest.warns(CohortsWarning, match="no no-HRA table or footnote rule for table year\\(s\\) 2016"):
        out = apply_norm(rows, tables=tables)
    assert np.isnan(out["pct_nohra"]).all()
    assert out["max_mortgage_wlt"].iloc[0] == out["max_mortgage"].iloc[0]   # no IO: standard maximum
    assert np.isnan(out["max_mortgage_wlt"].iloc[1])
    assert not out["wlt_possible"].any()


def test_user_year_replaces_the_packaged_year_entirely(tmp_path):
    text = USER_2016.replace("2016,", "2015,")
    tables = load_tables(write(tmp_path, text))
    assert not tables.has_table(2015, "below_aow_no_hra")
    out = apply_norm(pd.DataFrame([{**BASE, "year": 2015}]), tables=tables)
    assert out["pct"].iloc[0] == 25.0


def broken(lines_to_change: dict[int, str] | None = None, drop: tuple[int, ...] = (), extra: tuple[str, ...] = ()) -> str:
    lines = USER_2016.strip().split("\n")
    for i, new in (lines_to_change or {}).items():
        lines[i] = new
    lines = [ln for i, ln in enumerate(lines) if i not in drop] + list(extra)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (broken({0: "year,table,income_from,income_to,rate_from,pct"}), "missing rate_to"),
        (broken({3: "2016,below_aow,50000,,4.001,,-26.0"}), r"in \(0, 100\]"),
        (broken({3: "2016,below_aow,50000,,4.001,,x"}), "a number"),
        (broken({1: "2016,under_aow,0,50000,0.000,4.000,20.0"}), "one of below_aow"),
        (broken({1: "2016,below_aow,0,50000,0.0005,4.000,20.0"}), "at most 3 decimals"),
        (broken(extra=("2016,below_aow,0,50000,0.000,4.000,20.0",)), "one line per"),
        (broken(drop=(4,)), "full grid"),
        # income gap: first row ends at 49,000, next starts at 50,000
        (broken({1: "2016,below_aow,0,49000,0.000,4.000,20.0", 2: "2016,below_aow,0,49000,4.001,,21.0"}), "no gap"),
        # income overlap
        (broken({1: "2016,below_aow,0,51000,0.000,4.000,20.0", 2: "2016,below_aow,0,51000,4.001,,21.0"}), "no overlap"),
        # rate gap: 4.000 then 4.101
        (broken({2: "2016,below_aow,0,50000,4.101,,21.0", 4: "2016,below_aow,50000,,4.101,,26.0"}), "no gap: next rate_from"),
        # first bracket not starting at 0
        (broken({1: "2016,below_aow,0,50000,1.000,4.000,20.0", 3: "2016,below_aow,50000,,1.000,4.000,25.0"}), "starts at 0.000"),
        # last bracket closed
        (broken({2: "2016,below_aow,0,50000,4.001,20.000,21.0", 4: "2016,below_aow,50000,,4.001,20.000,26.0"}), "last rate bracket is open"),
        # percentage falls with income
        (broken({3: "2016,below_aow,50000,,0.000,4.000,19.0"}), "does not decrease with income"),
        # percentage falls with the rate
        (broken({2: "2016,below_aow,0,50000,4.001,,19.5"}), "does not decrease with the rate"),
        # aow table missing
        (broken(drop=(5, 6, 7, 8)), "tables below_aow and aow present"),
        # one no-HRA table without the other
        (broken(extra=("2016,aow_no_hra,0,,0.000,,10.0",)), "both present or both absent"),
    ],
)
def test_bad_user_tables_are_refused_with_file_rule_and_line(tmp_path, text, rule):
    write(tmp_path, text, "bad.csv")
    with pytest.raises(ContractError, match=rule) as info:
        load_tables(tmp_path)
    assert "bad.csv" in str(info.value)


def test_monotonicity_error_names_the_line(tmp_path):
    write(tmp_path, broken({3: "2016,below_aow,50000,,0.000,4.000,19.0"}), "bad.csv")
    with pytest.raises(ContractError, match="line 4"):
        load_tables(tmp_path)


def test_same_year_in_two_files_is_refused(tmp_path):
    write(tmp_path, USER_2016, "a.csv")
    write(tmp_path, USER_2016, "b.csv")
    with pytest.raises(ContractError, match="each year in one file only"):
        load_tables(tmp_path)


def test_missing_or_empty_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="table directory not found"):
        load_tables(tmp_path / "nope")
    with pytest.raises(ContractError, match=r"no \*.csv file found"):
        load_tables(tmp_path)


def test_norm_tables_type():
    assert isinstance(load_tables(), NormTables)
