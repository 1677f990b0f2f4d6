"""Regression/property check: the values section of a column mapping (cohorts.recode).

Reference: hand-worked values. Small frames and TOML files are written by hand
and the recoded values, the failures (file, column, code, number of rows, first
rows) and the refusals of bad mapping files are checked against what the rules
in the cohorts.recode docstring give, worked out by hand in each test. The CLI
tests check that a recoded extract builds to the same outputs as the canonical
tiny panel (4 mortgages, hand-worked in tests/tiny_panel.py) and that nothing is
written when the mapping or its codes fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.cli import main
from cohorts.errors import ConfigError, ContractError
from cohorts.io import iter_input, load_mapping, read_input, write_parquet
from cohorts.recode import code_key, parse_values, recode

from tiny_panel import tiny_cbs, tiny_key, tiny_lld

MAPPING = """
[lld.values.repayment_type]
annuity = ["ANNU", "ANN"]
interest_only = "BULL"
linear = ["LINR", 7]

[lld.values.nhg]
true = "Y"
false = ["N"]
"""

#: the extract's codes for the tiny panel's canonical values (one of two codes for annuity)
TO_CODE = {"annuity": "ANNU", "interest_only": "BULL", "linear": "LINR"}


def _coded_lld() -> pd.DataFrame:
    """The tiny panel's loan parts in the extract's codes: repayment types ANNU/ANN/BULL, NHG as Y/N."""
    lld = tiny_lld()
    codes = lld[C.REPAYMENT_TYPE].map(TO_CODE)
    codes[lld.index % 2 == 1] = codes[lld.index % 2 == 1].replace("ANNU", "ANN")  # both annuity codes occur
    lld[C.REPAYMENT_TYPE] = codes
    lld[C.NHG] = np.where(lld[C.NHG], "Y", "N")
    return lld


def _write_data(folder: Path, lld: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lld.to_csv(folder / "lld_loan_parts.csv", index=False)
    write_parquet(tiny_cbs(), folder / "cbs_persons.parquet")
    write_parquet(tiny_key(), folder / "key_table.parquet")
    return folder


def _mapping(tmp_path: Path, text: str = MAPPING) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the mapping file
def test_values_section_is_read_code_by_code(tmp_path):
    m = load_mapping(_mapping(tmp_path))
    assert m.values == {
        "lld": {
            "repayment_type": {"ANNU": "annuity", "ANN": "annuity", "BULL": "interest_only", "LINR": "linear",
                               "7": "linear"},
            "nhg": {"Y": "true", "N": "false"},
        }
    }
    assert m.to_dict()["values"]["lld"]["nhg"] == {"Y": "true", "N": "false"}


def test_code_key_hand_worked():
    assert [code_key(v) for v in (" ANNU ", 7, np.int64(7), 7.0, "7", True)] == ["ANNU", "7", "7", "7", "7", "true"]
    assert code_key(7.5) == "7.5"


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("[lld.values.current_ltv]\nannuity = 'A'\n", ["[lld.values.current_ltv]", "unknown column 'current_ltv'",
                                                      "repayment_type, nhg, arrears, owner_occupied"]),
        ("[lld.values.repaymnet_type]\nannuity = 'A'\n", ["[lld.values.repaymnet_type]", "unknown column"]),
        ("[key.values.loan_id]\n'1' = 'A'\n", ["[key.values.loan_id]", "unknown column", "are: none"]),
        ("[lld.values.repayment_type]\nannuit = ['ANNU']\n", ["[lld.values.repayment_type]", "key 'annuit'",
                                                             "unknown target value", "annuity, linear"]),
        ("[lld.values.nhg]\nyes = 'Y'\n", ["[lld.values.nhg]", "key 'yes'", "unknown target value", "true, false"]),
        ("[lld.values.repayment_type]\nannuity = 'A'\nlinear = ['B', ' A ']\n",
         ["[lld.values.repayment_type]", "code 'A' is listed under both 'annuity' and 'linear'"]),
        ("[lld.values.repayment_type]\nannuity = [1.5]\n", ["key 'annuity'", "code 1.5", "text or a whole number"]),
        ("[lld.values.nhg]\ntrue = [true]\n", ["key 'true'", "code True", "text or a whole number"]),
        ("[lld.values.nhg]\ntrue = ' '\n", ["key 'true'", "empty code"]),
        ("[lld.values]\nnhg = 'Y'\n", ["[lld.values.nhg] must be a table"]),
        ("[lld]\nvalues = 3\n", ["[lld.values] must be a table"]),
    ],
)
def test_bad_values_section_names_file_and_key(tmp_path, text, needles):
    path = _mapping(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_mapping(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: ")
    for needle in needles:
        assert needle in msg


def test_cbs_flag_can_be_recoded():
    assert parse_values({"zzp": {"true": ["J"], "false": "N"}}, kind="cbs", source="m.toml") == {
        "zzp": {"J": "true", "N": "false"}}


# ------------------------------------------------------------------ recoding a frame
def test_recode_hand_worked_frame():
    df = pd.DataFrame({
        C.LOAN_ID: [1, 2, 3, 4, 5, 6],
        C.LOAN_PART_ID: [1, 1, 1, 1, 1, 1],
        C.SNAPSHOT_YEAR: [2015] * 6,
        C.REPAYMENT_TYPE: [" ANNU", "LINR", None, "XX", "ANN", "XX"],
        C.NHG: ["Y", "N", "N", "Y", None, "Q"],
        C.CURRENT_BALANCE: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    })
    values = {C.REPAYMENT_TYPE: {"ANNU": "annuity", "ANN": "annuity", "LINR": "linear"},
              C.NHG: {"Y": "true", "N": "false"}}
    out, failures, reported = recode(df, values, kind="lld", source="lld.csv", mapping_source="m.toml", row_offset=10)
    assert out[C.REPAYMENT_TYPE].astype(object).where(out[C.REPAYMENT_TYPE].notna(), None).tolist() == [
        "annuity", "linear", None, None, "annuity", None]
    assert out[C.NHG].astype(object).where(out[C.NHG].notna(), None).tolist() == ["true", "false", "false", "true",
                                                                                 None, None]
    assert out[C.CURRENT_BALANCE] is df[C.CURRENT_BALANCE] or out[C.CURRENT_BALANCE].equals(df[C.CURRENT_BALANCE])
    assert df[C.REPAYMENT_TYPE].tolist()[0] == " ANNU"  # the input frame is not changed
    assert [(f.source, f.column, f.n_rows) for f in failures] == [
        ("lld.csv", C.REPAYMENT_TYPE, 2), ("lld.csv", C.NHG, 1)]
    assert failures[0].rule == "a code listed in [lld.values.repayment_type] of m.toml (unlisted code 'XX')"
    assert failures[0].examples == ("row 14 (loan_id=4, loan_part_id=1, snapshot_year=2015): 'XX'",
                                    "row 16 (loan_id=6, loan_part_id=1, snapshot_year=2015): 'XX'")
    assert "(unlisted code 'Q')" in failures[1].rule
    assert reported[C.REPAYMENT_TYPE].tolist() == [False, False, False, True, False, True]
    assert reported[C.NHG].tolist() == [False, False, False, False, False, True]


def test_unlisted_codes_counted_most_frequent_first():
    df = pd.DataFrame({C.LOAN_ID: range(6), C.REPAYMENT_TYPE: ["B", "A", "B", "C", "ANNU", "B"]})
    _, failures, _ = recode(df, {C.REPAYMENT_TYPE: {"ANNU": "annuity"}}, kind="lld", source="f", mapping_source="m")
    assert [(f.rule.rsplit("code ", 1)[1], f.n_rows) for f in failures] == [("'B')", 3), ("'A')", 1), ("'C')", 1)]


# ------------------------------------------------------------------ reading an extract
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_read_input_recodes_to_the_canonical_frame(tmp_path, suffix):
    coded = _coded_lld()
    path = tmp_path / f"lld{suffix}"
    coded.to_csv(path, index=False) if suffix == ".csv" else write_parquet(coded, path)
    got = read_input(path, "lld", load_mapping(_mapping(tmp_path)))
    want = read_input(_canonical(tmp_path, suffix), "lld")
    pd.testing.assert_frame_equal(got, want)
    assert got[C.REPAYMENT_TYPE].value_counts().to_dict() == {"annuity": 38, "interest_only": 4}
    assert int(got[C.NHG].sum()) == 2  # loan 13's two snapshots


def _canonical(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"canonical{suffix}"
    tiny_lld().to_csv(path, index=False) if suffix == ".csv" else write_parquet(tiny_lld(), path)
    return path


def test_integer_codes_in_parquet(tmp_path):
    lld = tiny_lld()
    lld[C.REPAYMENT_TYPE] = lld[C.REPAYMENT_TYPE].map({"annuity": 1, "interest_only": 4}).astype("int64")
    write_parquet(lld, tmp_path / "lld.parquet")
    mapping = _mapping(tmp_path, "[lld.values.repayment_type]\nannuity = 1\ninterest_only = [4]\n")
    got = read_input(tmp_path / "lld.parquet", "lld", load_mapping(mapping))
    assert got[C.REPAYMENT_TYPE].astype(str).tolist() == tiny_lld()[C.REPAYMENT_TYPE].tolist()


def _with_bad_codes() -> pd.DataFrame:
    lld = _coded_lld()
    lld.loc[[4, 9], C.REPAYMENT_TYPE] = "SPAAR"  # rows 5 and 10 of the file
    lld.loc[20, C.REPAYMENT_TYPE] = "ANNUITY"  # row 21
    lld.loc[7, C.REPAYMENT_TYPE] = None  # row 8: a missing value, reported by the contract, not as a code
    return lld


def test_unlisted_codes_are_failures_naming_file_column_code_rows(tmp_path):
    path = tmp_path / "lld.csv"
    _with_bad_codes().to_csv(path, index=False)
    mapping = _mapping(tmp_path)
    with pytest.raises(ContractError) as exc:
        read_input(path, "lld", load_mapping(mapping))
    rows = {(f.column, f.rule, f.n_rows) for f in exc.value.failures}
    section = f"[lld.values.repayment_type] of {mapping}"
    assert rows == {
        (C.REPAYMENT_TYPE, f"a code listed in {section} (unlisted code 'SPAAR')", 2),
        (C.REPAYMENT_TYPE, f"a code listed in {section} (unlisted code 'ANNUITY')", 1),
        (C.REPAYMENT_TYPE, "not missing", 1),  # row 8 only: the unlisted rows are not counted twice
    }
    msg = str(exc.value)
    assert str(path) in msg and "'SPAAR'" in msg and "in 2 row(s)" in msg and "row 5 (" in msg and "row 10 (" in msg
    assert "row 21 (" in msg and ": 'ANNUITY'" in msg


@pytest.mark.parametrize("rows", [3, 7, 1000])
def test_chunked_reading_reports_the_same_counts(tmp_path, rows):
    path = tmp_path / "lld.csv"
    _with_bad_codes().to_csv(path, index=False)
    m = load_mapping(_mapping(tmp_path))
    with pytest.raises(ContractError) as exc:
        list(iter_input(path, "lld", m, rows=rows))
    counts = {(f.rule.rsplit("(", 1)[-1], f.n_rows) for f in exc.value.failures}
    assert counts == {("unlisted code 'SPAAR')", 2), ("unlisted code 'ANNUITY')", 1), ("not missing", 1)}


# ------------------------------------------------------------------ the command
def test_cli_build_with_recoded_extract_equals_the_canonical_build(tmp_path, capsys):
    data = _write_data(tmp_path / "data", _coded_lld())
    mapping = _mapping(tmp_path)
    canonical = tmp_path / "canonical"
    canonical.mkdir()
    tiny_lld().to_csv(canonical / "lld_loan_parts.csv", index=False)
    write_parquet(tiny_cbs(), canonical / "cbs_persons.parquet")
    write_parquet(tiny_key(), canonical / "key_table.parquet")
    with pytest.warns(UserWarning, match="no Trhk table"):
        assert main(["build", "--data", str(data), "--mapping", str(mapping), "--out", str(tmp_path / "a")]) == 0
    with pytest.warns(UserWarning, match="no Trhk table"):
        assert main(["build", "--data", str(canonical), "--out", str(tmp_path / "b")]) == 0
    a = pd.read_parquet(tmp_path / "a" / "cohorts.parquet")
    assert len(a) == 4
    pd.testing.assert_frame_equal(a, pd.read_parquet(tmp_path / "b" / "cohorts.parquet"))
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["mapping"]["values"]["lld"]["repayment_type"]["ANN"] == "annuity"


def test_cli_build_with_unlisted_codes_writes_nothing(tmp_path, capsys):
    data = _write_data(tmp_path / "data", _with_bad_codes())
    code = main(["build", "--data", str(data), "--mapping", str(_mapping(tmp_path)), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "lld_loan_parts.csv" in err and "repayment_type" in err and "'SPAAR'" in err and "in 2 row(s)" in err
    assert not (tmp_path / "out").exists()


def test_cli_build_keeps_previous_outputs_when_the_mapping_fails(tmp_path, capsys):
    data = _write_data(tmp_path / "data", _coded_lld())
    out = tmp_path / "out"
    with pytest.warns(UserWarning, match="no Trhk table"):
        assert main(["build", "--data", str(data), "--mapping", str(_mapping(tmp_path)), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = _mapping(tmp_path, MAPPING.replace('interest_only = "BULL"', 'interest_onyl = "BULL"'))
    assert main(["build", "--data", str(data), "--mapping", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "key 'interest_onyl'" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    _write_data(tmp_path / "data", _with_bad_codes())
    assert main(["build", "--data", str(data), "--mapping", str(_mapping(tmp_path)), "--out", str(out)]) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
