"""Regression/property check: files, dtypes, determinism, manifest and the CLI of the generator."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.cli import main
from cohorts.synth import INTENDED, write_synthetic
from cohorts.synth.panel import TRUTH_COLUMNS
from cohorts.synth.write import DATA_FILES, MANIFEST_FILE, README_FILE

TINY = 0.001

LLD_DTYPES = {
    C.SNAPSHOT_YEAR: "int16", C.LOAN_ID: "int64", C.LOAN_PART_ID: "int64",
    C.ORIGINATION_DATE: "datetime64[ns]", C.MATURITY_DATE: "datetime64[ns]",
    C.CURRENT_BALANCE: "float64", C.ORIGINAL_BALANCE: "float64", C.CURRENT_LTV: "float64",
    C.INTEREST_RATE: "float64", C.FIXED_PERIOD_MONTHS: "int16", C.REPAYMENT_TYPE: "object",
    C.NHG: "bool", C.ARREARS: "bool", C.OWNER_OCCUPIED: "bool",
}
CBS_DTYPES = {
    C.PERSON_ID: "int64", C.YEAR: "int16", C.BIRTH_YEAR: "int16", C.PARTNER_ID: "Int64",
    C.GROSS_INCOME: "float64", C.ZZP: "bool", C.SAVINGS: "float64", C.SECURITIES: "float64",
    C.OTHER_DEBTS: "float64", C.STUDENT_DEBT: "float64",
}


def _bytes(d: Path) -> dict[str, bytes]:
    return {name: (d / name).read_bytes() for name in (*DATA_FILES, README_FILE, MANIFEST_FILE)}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "a", scale=TINY, seed=5)
    write_synthetic(tmp_path / "b", scale=TINY, seed=5)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")


def test_different_seed_gives_different_data(tmp_path: Path, synth_dir: Path) -> None:
    write_synthetic(tmp_path / "c", scale=0.002, seed=12)
    for name in DATA_FILES:
        assert (tmp_path / "c" / name).read_bytes() != (synth_dir / name).read_bytes(), name


def test_columns_and_dtypes(tables: dict[str, pd.DataFrame]) -> None:
    lld, cbs, key = tables["lld"], tables["cbs"], tables["key"]
    assert tuple(lld.columns) == C.LLD_COLUMNS
    assert {c: str(t) for c, t in lld.dtypes.items()} == LLD_DTYPES
    assert tuple(cbs.columns) == C.CBS_COLUMNS
    assert {c: str(t) for c, t in cbs.dtypes.items()} == CBS_DTYPES
    assert tuple(key.columns) == C.KEY_COLUMNS
    assert {str(t) for t in key.dtypes} == {"int64"}
    truth = tables["truth"]
    assert tuple(truth.columns) == TRUTH_COLUMNS
    assert str(truth[C.COHORT].dtype) == "Int16" and str(truth[C.MAIN_ID].dtype) == "Int64"
    assert set(truth["intended"]) <= set(INTENDED)


def test_value_rules(tables: dict[str, pd.DataFrame]) -> None:
    lld, cbs, key = tables["lld"], tables["cbs"], tables["key"]
    assert lld[C.SNAPSHOT_YEAR].between(C.FIRST_SNAPSHOT, C.LAST_SNAPSHOT).all()
    assert not lld.duplicated([C.SNAPSHOT_YEAR, C.LOAN_ID, C.LOAN_PART_ID]).any()
    assert (lld[C.CURRENT_BALANCE] >= 0).all() and (lld[C.ORIGINAL_BALANCE] > 0).all()
    assert set(lld[C.REPAYMENT_TYPE]) <= set(C.REPAYMENT_TYPES)
    assert (lld[C.ORIGINATION_DATE] == lld[C.ORIGINATION_DATE].dt.normalize()).all()
    dated = lld[C.MATURITY_DATE].notna()  # missing = the lender's perpetual coding (cohorts.synth.io_stock)
    assert (lld.loc[dated, C.MATURITY_DATE] > lld.loc[dated, C.ORIGINATION_DATE]).all()
    assert lld.loc[~dated, C.REPAYMENT_TYPE].isin(["interest_only", "investment"]).all()
    assert set(np.unique(lld[C.FIXED_PERIOD_MONTHS])) <= {0, 12, 60, 120, 180, 240, 360}
    # current_ltv is a loan-level value: the same on every part of a loan in a snapshot
    assert (lld.groupby([C.SNAPSHOT_YEAR, C.LOAN_ID])[C.CURRENT_LTV].nunique(dropna=False) == 1).all()
    # rows are sorted, so the bytes do not depend on anything but the seed
    order = lld[[C.SNAPSHOT_YEAR, C.LOAN_PART_ID]].to_numpy()
    assert (np.diff(order[:, 0]) >= 0).all()
    assert cbs[C.YEAR].between(2012, 2019).all()
    assert not cbs.duplicated([C.PERSON_ID, C.YEAR]).any()
    for col in (C.SAVINGS, C.SECURITIES, C.OTHER_DEBTS, C.STUDENT_DEBT):
        assert (cbs[col] >= 0).all(), col
    assert key[C.LOAN_ID].is_unique and key[C.LOAN_ID].is_monotonic_increasing


def test_manifest_matches_files(synth_dir: Path) -> None:
    manifest = json.loads((synth_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["seed"] == 11 and manifest["scale"] == 0.002 and manifest["synthetic"] is True
    assert str(synth_dir) not in json.dumps(manifest)
    for entry in manifest["files"]:
        path = synth_dir / entry["name"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        if entry["rows"] is not None:
            assert entry["rows"] == len(pd.read_parquet(path))
    assert {e["name"] for e in manifest["files"]} == {*DATA_FILES, README_FILE}


def test_cli_writes_and_replaces_an_earlier_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data"
    assert main(["synth", "--scale", str(TINY), "--seed", "3", "--out", str(out)]) == 0
    first = _bytes(out)
    assert main(["synth", "--scale", str(TINY), "--seed", "4", "--out", str(out)]) == 0
    assert _bytes(out) != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no temporary folders left
    assert "lld_loan_parts.parquet" in capsys.readouterr().out


def test_cli_refuses_a_folder_that_is_not_synthetic_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["synth", "--scale", str(TINY), "--seed", "3", "--out", str(out)]) == 2
    assert "refusing to replace" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"]


@pytest.mark.parametrize(("scale", "seed", "match"), [(0.0, 1, "scale must be a positive"), (0.001, -1, "seed must be")])
def test_invalid_scale_and_seed(tmp_path: Path, scale: float, seed: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        write_synthetic(tmp_path / "x", scale=scale, seed=seed)
    assert list(tmp_path.iterdir()) == []


def test_snapshot_pieces_keep_loans_whole_and_join_to_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made in small pieces, the LLD is the same rows as in one piece, and no loan is split over two pieces."""
    import cohorts.synth.panel as P
    from cohorts.synth.generator import build_world

    world = build_world(scale=TINY, seed=5)
    whole = list(P.lld_snapshots(world))
    assert len(whole) == 7  # one piece per snapshot at this size
    monkeypatch.setattr(P, "SNAPSHOT_PIECE_PARTS", 50)
    pieces = list(P.lld_snapshots(world))
    assert len(pieces) > 7 * 2
    most_parts = int(pd.concat(whole).groupby([C.SNAPSHOT_YEAR, C.LOAN_ID]).size().max())
    assert max(len(p) for p in pieces) < 50 + most_parts  # a cut moves back to a loan's first part at most
    for a, b in zip(pieces, pieces[1:]):
        same_year = a[C.SNAPSHOT_YEAR].iloc[-1] == b[C.SNAPSHOT_YEAR].iloc[0]
        assert not (same_year and a[C.LOAN_ID].iloc[-1] == b[C.LOAN_ID].iloc[0])
    pd.testing.assert_frame_equal(pd.concat(pieces, ignore_index=True), pd.concat(whole, ignore_index=True))
