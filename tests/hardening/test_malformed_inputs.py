"""Regression/property check: malformed raw inputs through ``cohorts build`` give a clear error, lose nothing.

Each case starts from the hand-built tiny panel (tests/tiny_panel.py), breaks
one thing, writes the three files to disk (parquet, or CSV where the defect is
a text one), and runs ``cohorts build`` through the CLI into a folder that
already holds a good build.  Every case must exit with code 2, name the file,
the column, the rule and the first offending ids (or the file and why it
cannot be read), and leave the output folder byte-for-byte as it was.

Cases already checked at the frame level in tests/test_contracts.py and
tests/test_io.py are run here end to end through the CLI and on disk; the
cross-file cases (id types that cannot match, a key table that links nothing,
a repeated CSV header) are new.

Decisions documented here:

* **Extra columns** are ignored (a real extract has many more columns than the
  toolkit reads); a column whose name appears *twice* in a CSV header is an
  error, because which one is meant is ambiguous.
* **A key-table person with no CBS record at all** is not a contract error:
  like a main earner without a t+1 record, the mortgage is a counted
  exclusion in ``selection.csv`` ("main earner has a CBS record at t+1").
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.cli import main
from cohorts.errors import NormTableFallbackWarning
from cohorts.io import write_parquet

from tiny_panel import tiny_cbs, tiny_key, tiny_lld

STEMS = {"lld": "lld_loan_parts", "cbs": "cbs_persons", "key": "key_table"}


def _frames() -> dict[str, pd.DataFrame]:
    return {"lld": tiny_lld(), "cbs": tiny_cbs(), "key": tiny_key()}


def _write(folder: Path, frames: dict[str, pd.DataFrame], *, csv: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, frame in frames.items():
        if kind in csv:
            frame.to_csv(folder / f"{STEMS[kind]}.csv", index=False)
        else:
            write_parquet(frame, folder / f"{STEMS[kind]}.parquet")
    return folder


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("good")
    data = _write(base / "data", _frames())
    with pytest.warns(NormTableFallbackWarning):
        assert main(["build", "--data", str(data), "--out", str(base / "out"), "--quiet"]) == 0
    return base / "out"


def _set(frame: pd.DataFrame, col: str, row: int, value: object) -> pd.DataFrame:
    frame = frame.copy()
    frame[col] = frame[col].astype(object)
    frame.loc[row, col] = value
    return frame


@dataclass(frozen=True)
class Case:
    """One malformed input: how to break the panel and what the error must say."""

    name: str
    make: Callable[[Path], None]  # writes the broken data folder
    expect: tuple[str, ...]       # substrings of the error message


def _broken(kind: str, change: Callable[[pd.DataFrame], pd.DataFrame], *, csv: tuple[str, ...] = ()):
    def make(folder: Path) -> None:
        frames = _frames()
        frames[kind] = change(frames[kind])
        _write(folder, frames, csv=csv)
    return make


def _raw_text(kind: str, text: str, *, others_csv: bool = False):
    def make(folder: Path) -> None:
        frames = _frames()
        del frames[kind]
        _write(folder, frames, csv=tuple(frames) if others_csv else ())
        (folder / f"{STEMS[kind]}.csv").write_text(text)
    return make


def _truncated_parquet(folder: Path) -> None:
    _write(folder, _frames())
    p = folder / "key_table.parquet"
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _decimal_comma(folder: Path) -> None:
    frames = _frames()
    _write(folder, frames, csv=("lld",))
    p = folder / "lld_loan_parts.csv"
    lines = p.read_text().splitlines()
    header = lines[0].split(",")
    i = header.index(C.INTEREST_RATE)
    # a Dutch export: semicolons would be another format; here a quoted decimal comma in one row
    row = lines[3].split(",")
    row[i] = '"2,5"'
    lines[3] = ",".join(row)
    p.write_text("\n".join(lines) + "\n")


def _repeated_header(folder: Path) -> None:
    frames = _frames()
    frames["key"] = frames["key"].assign(extra=frames["key"][C.PERSON_ID])
    _write(folder, frames, csv=("key",))
    p = folder / "key_table.csv"
    text = p.read_text().splitlines()
    text[0] = text[0].replace("extra", C.PERSON_ID)
    p.write_text("\n".join(text) + "\n")


def _text_ids_with_leading_zeros(folder: Path) -> None:
    frames = _frames()
    key = frames["key"].astype({C.PERSON_ID: str})
    key.loc[2, C.PERSON_ID] = "0004"  # CBS RIN numbers are text with leading zeros
    frames["key"] = key
    _write(folder, frames, csv=("key",))


def _loan_ids_do_not_match(folder: Path) -> None:
    frames = _frames()
    frames["key"] = frames["key"].assign(**{C.LOAN_ID: frames["key"][C.LOAN_ID] + 1000})
    _write(folder, frames)


CASES = [
    Case("missing column", _broken("lld", lambda d: d.drop(columns=[C.CURRENT_LTV])),
         ("lld_loan_parts.parquet", "'current_ltv'", "column present")),
    Case("wrong type (text in an integer column)", _broken("lld", lambda d: _set(d, C.SNAPSHOT_YEAR, 3, "2O15"),
                                                           csv=("lld",)),
         ("lld_loan_parts.csv", "'snapshot_year'", "parseable as int", "row 4 (", "loan_id=1")),
    Case("unparseable date", _broken("lld", lambda d: _set(d, C.ORIGINATION_DATE, 5, "31-02-2015x"), csv=("lld",)),
         ("lld_loan_parts.csv", "'origination_date'", "parseable as date", "row 6 (", "loan_id=2")),
    Case("negative amount", _broken("lld", lambda d: _set(d, C.CURRENT_BALANCE, 6, -5.0)),
         ("lld_loan_parts.parquet", "'current_balance'", ">= 0", "row 7 (", "loan_id=2")),
    Case("absurd amount", _broken("cbs", lambda d: _set(d, C.GROSS_INCOME, 9, 7e12)),
         ("cbs_persons.parquet", "'gross_income'", "absurd amount", "row 10 (", "person_id=2")),
    Case("LTV of 0", _broken("lld", lambda d: _set(d, C.CURRENT_LTV, 0, 0.0)),
         ("lld_loan_parts.parquet", "'current_ltv'", "> 0", "row 1 (", "loan_id=1")),
    Case("duplicate loan-part rows", _broken("lld", lambda d: pd.concat([d, d.iloc[[2]]], ignore_index=True)),
         ("lld_loan_parts.parquet", "unique (snapshot_year, loan_id, loan_part_id)", "loan_id=1")),
    Case("one loan mapped to two people",
         _broken("key", lambda d: pd.concat([d, pd.DataFrame({C.LOAN_ID: [8], C.PERSON_ID: [99]})],
                                            ignore_index=True)),
         ("key_table.parquet", "unique (loan_id)", "loan_id=8, person_id=7", "loan_id=8, person_id=99")),
    Case("empty file", _raw_text("key", ""), ("key_table.csv", "cannot be read")),
    Case("header only", _raw_text("key", "loan_id,person_id\n"), ("key_table.csv", "at least one row")),
    Case("truncated parquet", _truncated_parquet, ("key_table.parquet", "cannot be read")),
    Case("decimal comma", _decimal_comma,
         ("lld_loan_parts.csv", "'interest_rate'", "parseable as float", "row 3 (", "'2,5'")),
    Case("column named twice in a CSV header", _repeated_header,
         ("key_table.csv", "'person_id'", "column named once in the header")),
    Case("text ids that cannot match integer ids", _text_ids_with_leading_zeros,
         ("key_table.csv", "'person_id'", "same id type in every input", "'0004'")),
    Case("key table that links nothing", _loan_ids_do_not_match,
         ("key table", "loan ids of the two files do not match")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input_fails_clearly_and_keeps_the_previous_output(case, tmp_path, good_build, capsys):
    out = tmp_path / "out"
    shutil.copytree(good_build, out)
    before = _digest(out)
    data = tmp_path / "data"
    case.make(data)
    capsys.readouterr()
    code = main(["build", "--data", str(data), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    for text in case.expect:
        assert text in err, f"{text!r} not in:\n{err}"
    assert _digest(out) == before  # nothing half-written, nothing lost


def test_malformed_input_into_a_new_folder_creates_nothing(tmp_path):
    data = tmp_path / "data"
    _broken("lld", lambda d: _set(d, C.CURRENT_BALANCE, 6, -5.0))(data)
    assert main(["build", "--data", str(data), "--out", str(tmp_path / "new"), "--quiet"]) == 2
    assert not (tmp_path / "new").exists()


def test_extra_columns_are_ignored(tmp_path, good_build):
    frames = _frames()
    frames["lld"] = frames["lld"].assign(LoanPurpose="purchase", Region=3)
    frames["cbs"] = frames["cbs"].assign(GBAGESLACHT=1)
    data = _write(tmp_path / "data", frames, csv=("cbs",))
    with pytest.warns(NormTableFallbackWarning):
        assert main(["build", "--data", str(data), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "cohorts.parquet"),
                                  pd.read_parquet(good_build / "cohorts.parquet"))


def test_csv_ids_as_plain_integers_link_with_parquet_ids(tmp_path, good_build):
    data = _write(tmp_path / "data", _frames(), csv=("lld", "key"))  # cbs stays parquet (integer ids)
    with pytest.warns(NormTableFallbackWarning):
        assert main(["build", "--data", str(data), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert len(pd.read_parquet(tmp_path / "out" / "cohorts.parquet")) == 4


def test_key_person_without_any_cbs_record_is_a_counted_exclusion(tmp_path):
    frames = _frames()
    key = frames["key"].copy()
    key.loc[key[C.LOAN_ID] == 8, C.PERSON_ID] = 4242  # no CBS record at all
    frames["key"] = key
    data = _write(tmp_path / "data", frames)
    with pytest.warns(NormTableFallbackWarning):
        assert main(["build", "--data", str(data), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    cohorts = pd.read_parquet(tmp_path / "out" / "cohorts.parquet")
    assert sorted(cohorts[C.LOAN_ID]) == [1, 2, 13]
    sel = pd.read_csv(tmp_path / "out" / "selection.csv")
    main_rule = sel.loc[(sel["population"] == "cohorts") & sel["rule"].str.contains("main earner")]
    assert main_rule["rows_dropped"].sum() == 2  # loan 10 (no 2018 record, as before) and loan 8
