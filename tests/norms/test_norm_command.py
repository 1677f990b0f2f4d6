"""Regression/property check: the ``cohorts norm`` command (module cohorts.norms.command)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest

from cohorts.errors import ContractError
from cohorts.norms import OUTPUT_COLUMNS, command

ROW = dict(
    year=2014, main_income=40_000, partner_income=0, main_age=30, interest_rate=4.5,
    fixed_period_years=10, savings=0, securities=0, consumer_credit=0, student_debt=0,
    observed_mortgage=150_000, house_value=200_000, interest_only_amount=0,
)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cohorts norm")
    command.add_arguments(parser)
    return parser.parse_args(argv)


def write_input(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_writes_input_plus_computed_columns(tmp_path):
    src = write_input(tmp_path / "in.csv", [ROW, {**ROW, "main_income": 80_000}])
    out = tmp_path / "sub" / "out.csv"
    assert command.run(parse([str(src), "--out", str(out)])) == 0
    result = pd.read_csv(out)
    assert list(result.columns) == list(ROW) + list(OUTPUT_COLUMNS[:10]) + ["ltv"] + list(OUTPUT_COLUMNS[10:])
    assert len(result) == 2
    # income 40,000 -> 2014 row 28000-55000; 4.5% -> bracket 4.001-4.500:
    # financieringslast_2014.csv: "2014,below_aow,28000,55000,4.001,4.500,26.5"
    assert result["pct"].iloc[0] == 26.5
    assert list(tmp_path.joinpath("sub").iterdir()) == [out]  # no temporary file left


def test_threshold_option(tmp_path):
    src = write_input(tmp_path / "in.csv", [ROW])
    command.run(parse([str(src), "--out", str(tmp_path / "a.csv")]))
    command.run(parse([str(src), "--out", str(tmp_path / "b.csv"), "--threshold", "0.5"]))
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    util = a["lti_util"].iloc[0]
    assert 0.5 < util <= 1.0
    assert not a["high"].iloc[0] and b["high"].iloc[0]


def test_bad_rows_name_the_data_rows_and_write_nothing(tmp_path):
    rows = [ROW, {**ROW, "main_income": -1}, ROW, {**ROW, "interest_rate": 25}, {**ROW, "year": None}]
    src = write_input(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    with pytest.raises(ContractError) as info:
        command.run(parse([str(src), "--out", str(out)]))
    msg = str(info.value)
    assert "'main_income' breaks rule '>= 0' in 1 row(s), e.g. row 2" in msg
    assert "'interest_rate'" in msg and "row 4" in msg
    assert "'year' breaks rule 'not missing' in 1 row(s), e.g. row 5" in msg
    assert not out.exists()
    assert isinstance(info.value, ValueError)  # cli.main turns ValueError into exit code 2


def test_tables_option_uses_the_user_folder(tmp_path):
    tdir = tmp_path / "tables"
    tdir.mkdir()
    (tdir / "t2016.csv").write_text(
        "year,table,income_from,income_to,rate_from,rate_to,pct\n"
        "2016,below_aow,0,,0.000,,30.0\n"
        "2016,aow,0,,0.000,,31.0\n",
        encoding="utf-8",
    )
    src = write_input(tmp_path / "in.csv", [{**ROW, "year": 2016}])
    command.run(parse([str(src), "--out", str(tmp_path / "out.csv"), "--tables", str(tdir)]))
    result = pd.read_csv(tmp_path / "out.csv")
    assert result["pct"].iloc[0] == 30.0 and result["norm_table_year"].iloc[0] == 2016


def test_missing_input_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="input CSV not found"):
        command.run(parse([str(tmp_path / "none.csv"), "--out", str(tmp_path / "o.csv")]))


def test_out_is_required():
    with pytest.raises(SystemExit):
        parse(["in.csv"])


def test_through_the_cohorts_entry_point(tmp_path, capsys):
    from cohorts.cli import main

    src = write_input(tmp_path / "in.csv", [ROW, {**ROW, "house_value": 0}])
    out = tmp_path / "out.csv"
    assert main(["norm", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cohorts norm: error:" in err and "'house_value' breaks rule '> 0'" in err and "row 2" in err
    assert not out.exists()
    src = write_input(tmp_path / "in.csv", [ROW])
    assert main(["norm", str(src), "--out", str(out)]) == 0
    assert out.exists()
