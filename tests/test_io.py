"""Regression/property check: reading raw extracts (mapping, CSV, broken files), atomic output writing.

Reference: the rules in the cohorts.io and cohorts.contracts docstrings; the
CLI test checks the hand-worked cohort size of the tiny panel (4 mortgages).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cohorts import columns as C
from cohorts.cli import main
from cohorts.errors import ConfigError, ContractError
from cohorts.io import load_mapping, read_input, read_raw, write_outputs, write_parquet

from tiny_panel import tiny_cbs, tiny_key, tiny_lld


def _write_tiny(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(tiny_lld(), folder / "lld_loan_parts.parquet")
    write_parquet(tiny_cbs(), folder / "cbs_persons.parquet")
    write_parquet(tiny_key(), folder / "key_table.parquet")
    return folder


def test_mapping_renames_columns_and_files(tmp_path):
    lld = tiny_lld().rename(columns={C.SNAPSHOT_YEAR: "PEILJAAR", C.LOAN_ID: "LoanIdentifier"})
    lld.to_csv(tmp_path / "lld.csv", index=False)
    cbs = tiny_cbs().rename(columns={C.PERSON_ID: "RINPERSOON"})
    write_parquet(cbs, tmp_path / "personen.parquet")
    write_parquet(tiny_key().rename(columns={C.LOAN_ID: "LoanIdentifier", C.PERSON_ID: "RINPERSOON"}),
                  tmp_path / "koppel.parquet")
    (tmp_path / "map.toml").write_text(
        '[lld]\nfile = "lld.csv"\n[lld.columns]\nsnapshot_year = "PEILJAAR"\nloan_id = "LoanIdentifier"\n'
        '[cbs]\nfile = "personen.parquet"\n[cbs.columns]\nperson_id = "RINPERSOON"\n'
        '[key]\nfile = "koppel.parquet"\n[key.columns]\nloan_id = "LoanIdentifier"\nperson_id = "RINPERSOON"\n'
    )
    raw = read_raw(tmp_path, mapping=load_mapping(tmp_path / "map.toml"))
    assert list(raw.lld.columns) == list(C.LLD_COLUMNS)
    assert len(raw.lld) == len(tiny_lld()) and raw.key[C.PERSON_ID].tolist() == tiny_key()[C.PERSON_ID].tolist()


def test_mapping_with_unknown_canonical_name(tmp_path):
    (tmp_path / "map.toml").write_text('[lld.columns]\nsnapshot_yr = "PEILJAAR"\n')
    with pytest.raises(ConfigError, match=r"unknown canonical column\(s\) \['snapshot_yr'\]"):
        load_mapping(tmp_path / "map.toml")


def test_csv_with_decimal_comma_is_refused(tmp_path):
    lld = tiny_lld()
    lld[C.INTEREST_RATE] = lld[C.INTEREST_RATE].map(lambda v: f"{v:.2f}".replace(".", ","))
    lld.to_csv(tmp_path / "lld.csv", index=False, sep=";")
    with pytest.raises(ContractError) as err:
        read_input(tmp_path / "lld.csv", "lld")
    # read with the default comma separator, the semicolon file has one column: every column is missing
    assert "lld.csv" in str(err.value) and "column present" in str(err.value)


def test_csv_decimal_comma_values_named(tmp_path):
    lld = tiny_lld()
    lld[C.INTEREST_RATE] = lld[C.INTEREST_RATE].map(lambda v: f"{v:.2f}".replace(".", ","))
    lld.to_csv(tmp_path / "lld.csv", index=False)  # quoted "2,50" values
    with pytest.raises(ContractError, match=r"lld.csv: column 'interest_rate' breaks rule 'parseable as float'"):
        read_input(tmp_path / "lld.csv", "lld")


def test_truncated_parquet(tmp_path):
    _write_tiny(tmp_path)
    data = (tmp_path / "key_table.parquet").read_bytes()
    (tmp_path / "key_table.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(ContractError, match=r"key_table.parquet.*cannot be read"):
        read_raw(tmp_path)


def test_missing_input_file(tmp_path):
    _write_tiny(tmp_path)
    (tmp_path / "cbs_persons.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="no cbs input found"):
        read_raw(tmp_path)


def test_write_outputs_is_all_or_nothing(tmp_path):
    def boom(path):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_outputs(tmp_path / "out", {"a.csv": lambda p: p.write_text("x"), "b.csv": boom})
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_cli_build_writes_outputs(tmp_path, capsys):
    data = _write_tiny(tmp_path / "data")
    with pytest.warns(UserWarning, match="no Trhk table for 2016"):
        code = main(["build", "--data", str(data), "--out", str(tmp_path / "out")])
    assert code == 0
    out = capsys.readouterr().out
    assert "Selection" in out and "analysable new mortgages" in out
    cohorts = pd.read_parquet(tmp_path / "out" / "cohorts.parquet")
    assert len(cohorts) == 4
    sel = pd.read_csv(tmp_path / "out" / "selection.csv")
    assert sel["rows_dropped"].sum() > 0
    assert (tmp_path / "out" / "manifest.json").exists()


def test_cli_build_bad_input_writes_nothing(tmp_path, capsys):
    data = _write_tiny(tmp_path / "data")
    bad = tiny_lld()
    bad.loc[3, C.CURRENT_BALANCE] = -10.0
    write_parquet(bad, data / "lld_loan_parts.parquet")
    code = main(["build", "--data", str(data), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "lld_loan_parts.parquet" in err and "current_balance" in err and ">= 0" in err and "row 4" in err
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- chunked reading (iter_input)
def _lld_file(tmp_path: Path, df: pd.DataFrame, suffix: str) -> Path:
    path = tmp_path / f"lld_loan_parts{suffix}"
    if suffix == ".parquet":
        write_parquet(df, path)
    else:
        df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_iter_input_chunks_equal_the_whole_file(tmp_path, suffix):
    from cohorts.io import iter_input

    path = _lld_file(tmp_path, tiny_lld(), suffix)
    whole = read_input(path, "lld")
    chunks = list(iter_input(path, "lld", rows=4))
    assert len(chunks) == -(-len(whole) // 4) and len(chunks) > 2
    as_text = {C.REPAYMENT_TYPE: str}  # each chunk has its own categories
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True).astype(as_text), whole.astype(as_text))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_iter_input_reports_file_rows_and_merges_failures_over_chunks(tmp_path, suffix):
    from cohorts.io import iter_input

    bad = tiny_lld()
    n = len(bad)
    bad.loc[1, C.CURRENT_BALANCE] = -1.0        # file row 2, first chunk
    bad.loc[n - 2, C.CURRENT_BALANCE] = -2.0    # a later chunk
    path = _lld_file(tmp_path, bad, suffix)
    seen = []
    with pytest.raises(ContractError) as exc:
        for chunk in iter_input(path, "lld", rows=4):
            seen.append(chunk)
    assert seen == []  # the first chunk failed: nothing is handed on
    (f,) = [f for f in exc.value.failures if f.column == C.CURRENT_BALANCE]
    assert f.rule == ">= 0" and f.n_rows == 2
    assert f.examples[0].startswith("row 2 ") and f.examples[1].startswith(f"row {n - 1} ")


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_iter_input_finds_duplicates_across_chunks(tmp_path, suffix):
    from cohorts.io import iter_input

    lld = tiny_lld()
    dup = pd.concat([lld, lld.iloc[[0]]], ignore_index=True)  # row 1 repeated as the last row
    path = _lld_file(tmp_path, dup, suffix)
    with pytest.raises(ContractError) as exc:
        list(iter_input(path, "lld", rows=4))
    (f,) = exc.value.failures
    assert f.rule.startswith("unique") and f.n_rows == 2
    assert f.examples[0].startswith("row 1 ") and f.examples[1].startswith(f"row {len(dup)} ")


def _tiny_data_and_build(tmp_path):
    """The tiny panel written to files, its validated inputs and build() on them (norm-table warnings off)."""
    import warnings

    from cohorts.build import build

    data = _write_tiny(tmp_path / "data")
    raw = read_raw(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return data, raw, build(raw.lld, raw.cbs, raw.key)


def test_read_and_build_in_chunks_equals_build_on_whole_frames(tmp_path):
    """The chunked CLI path gives exactly the frames of build() on the validated inputs."""
    import warnings

    from cohorts.build import read_and_build

    data, raw, whole = _tiny_data_and_build(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chunked, paths = read_and_build(data, chunk_rows=3)
    assert paths == raw.paths
    for name in ("cohorts", "panel", "stock", "selection"):
        pd.testing.assert_frame_equal(getattr(chunked, name), getattr(whole, name))


def test_cli_build_streams_the_stock_to_the_same_file(tmp_path):
    """The stock written part by part while built (stock_sink) equals build()'s stock; no temporary file is left."""
    import warnings

    data, _, whole = _tiny_data_and_build(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["build", "--data", str(data), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    written = pd.read_parquet(tmp_path / "out" / "stock.parquet")
    pd.testing.assert_frame_equal(written, whole.stock)
    assert len(whole.stock_parts) > 1  # several snapshots: several parts appended
    leftovers = [p.name for p in tmp_path.rglob(".stock-*")] + [p.name for p in tmp_path.rglob(".partial-*")] + [p.name for p in tmp_path.rglob(".cohorts-tmp-*")]
    assert leftovers == []


def test_cli_build_failure_leaves_no_temporary_stock(tmp_path, monkeypatch):
    """A failure after the stock was (partly) written removes the temporary file and writes nothing."""
    import cohorts.build as B

    data = _write_tiny(tmp_path / "data")

    def broken_manifest(*a, **k):
        raise RuntimeError("manifest failed")

    monkeypatch.setattr(B, "build_manifest", broken_manifest)
    with pytest.raises(RuntimeError, match="manifest failed"), pytest.warns(UserWarning):
        main(["build", "--data", str(data), "--out", str(tmp_path / "out"), "--quiet"])
    assert list(tmp_path.rglob(".stock-*")) == [] and list(tmp_path.rglob(".cohorts-tmp-*")) == []
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["lld", "cbs"])
def test_read_input_in_chunks_equals_whole(tmp_path, kind):
    frame = {"lld": tiny_lld, "cbs": tiny_cbs}[kind]()
    path = tmp_path / f"{kind}.parquet"
    write_parquet(frame, path)
    whole = read_input(path, kind)
    chunked = read_input(path, kind, rows=3)
    pd.testing.assert_frame_equal(chunked, whole, check_categorical=False)
    if kind == "lld":  # categories joined, values unchanged
        assert chunked[C.REPAYMENT_TYPE].astype(str).tolist() == whole[C.REPAYMENT_TYPE].astype(str).tolist()


@pytest.mark.parametrize(("first", "rows_per_chunk", "path_kind"), [
    (5, 4, "in order: inside one chunk"),
    (3, 4, "in order: across a chunk boundary"),
])
def test_iter_input_duplicates_in_a_sorted_file(tmp_path, first, rows_per_chunk, path_kind):
    """A sorted file: a duplicate next to its twin is found inside a chunk or across a boundary, with file rows."""
    from cohorts.io import iter_input

    lld = tiny_lld().sort_values([C.SNAPSHOT_YEAR, C.LOAN_ID, C.LOAN_PART_ID], kind="stable").reset_index(drop=True)
    dup = pd.concat([lld.iloc[:first + 1], lld.iloc[[first]], lld.iloc[first + 1:]], ignore_index=True)
    path = _lld_file(tmp_path, dup, ".parquet")
    with pytest.raises(ContractError) as exc:
        list(iter_input(path, "lld", rows=rows_per_chunk))
    (f,) = exc.value.failures
    assert f.rule.startswith("unique") and f.n_rows == 2, path_kind
    assert [e.split(" (")[0] for e in f.examples] == [f"row {first + 1}", f"row {first + 2}"]


def test_iter_input_reports_duplicates_beside_other_failures(tmp_path):
    from cohorts.io import iter_input

    lld = tiny_lld()
    bad = pd.concat([lld, lld.iloc[[0]]], ignore_index=True)
    bad.loc[2, C.CURRENT_BALANCE] = -1.0
    path = _lld_file(tmp_path, bad, ".parquet")
    with pytest.raises(ContractError) as exc:
        list(iter_input(path, "lld", rows=4))
    rules = sorted(f.rule for f in exc.value.failures)
    assert rules[0] == ">= 0" and rules[1].startswith("unique")


def _parts_for_appender() -> list[pd.DataFrame]:
    rng = np.random.default_rng(3)
    return [
        pd.DataFrame({"a": rng.integers(0, 9, n), "b": rng.normal(size=n), "c": np.asarray(["x", "y"], dtype=object)[rng.integers(0, 2, n)]})
        for n in (5, 0, 7, 3)
    ]


def test_background_appender_writes_the_same_bytes(tmp_path):
    """Writing in a background thread gives the same file, byte for byte, as writing in the caller's thread."""
    from cohorts.io import ParquetAppender, sha256_file

    paths = {}
    for background in (False, True):
        paths[background] = tmp_path / f"bg-{background}.parquet"
        with ParquetAppender(paths[background], background=background, row_group_rows=4) as out:
            for part in _parts_for_appender():
                out.append(part)
        assert out.rows_written == 15
    assert sha256_file(paths[True]) == sha256_file(paths[False])
    assert pq.ParquetFile(paths[True]).metadata.num_row_groups == 6  # 4+1, 1 (empty part), 4+3, 3
    pd.testing.assert_frame_equal(pd.read_parquet(paths[True]), pd.concat(_parts_for_appender(), ignore_index=True))


def test_background_appender_raises_the_writers_error(tmp_path):
    """A part the writer cannot take (a column of another type) fails at the next append or at close."""
    from cohorts.io import ParquetAppender

    good, bad = _parts_for_appender()[0], _parts_for_appender()[0].assign(a="text")
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        with ParquetAppender(tmp_path / "x.parquet", background=True) as out:
            out.append(good)
            out.append(bad)
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        with ParquetAppender(tmp_path / "y.parquet", background=True) as out:
            out.append(good)
            out.append(bad)
            out.append(good)


def test_background_appender_does_not_mask_the_producers_error(tmp_path):
    """An error of the producer propagates unchanged, even if the writer failed too."""
    from cohorts.io import ParquetAppender

    bad = _parts_for_appender()[0].assign(a="text")
    with pytest.raises(KeyError, match="producer"):
        with ParquetAppender(tmp_path / "z.parquet", background=True) as out:
            out.append(_parts_for_appender()[0])
            out.append(bad)
            raise KeyError("producer")


def test_prefetch_keeps_order_and_raises_where_the_item_would_be():
    """prefetch yields the producer's items in order and raises its error at the failing item, not earlier."""
    from cohorts.io import prefetch

    def producer():
        yield from range(5)
        raise ValueError("item 5 is bad")

    got = []
    with pytest.raises(ValueError, match="item 5"):
        for item in prefetch(producer()):
            got.append(item)
    assert got == [0, 1, 2, 3, 4]
    early = prefetch(iter(range(100)))
    assert [next(early), next(early)] == [0, 1]
    early.close()  # stops the producer thread; does not hang
    assert list(prefetch([])) == []
