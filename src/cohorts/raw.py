"""Reading the raw inputs: rename to canonical names, recode, validate, in chunks or whole.

:func:`read_input` and :func:`iter_input` read one input (parquet or CSV,
whole or ``rows`` rows at a time, the next chunk read ahead by
:func:`prefetch`), rename its columns by the mapping, recode its values and
validate each chunk against its contract (:mod:`cohorts.contracts`);
:func:`read_raw` reads all three and gives the id columns they link on one
type (:func:`harmonize_ids`).  Re-exported by :mod:`cohorts.io`.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cohorts import columns as C
from cohorts.contracts import CONTRACTS, UniqueKeyCheck, coerce_columns, merge_failures, validate
from cohorts.errors import ContractError, Failure
from cohorts.frames import join_rows
from cohorts.mapping import _CANONICAL, KINDS, ColumnMapping, resolve_input
from cohorts.recode import recode

T = TypeVar("T")


def read_input(
    path: str | os.PathLike, kind: str, mapping: ColumnMapping | None = None, *, rows: int | None = None
) -> pd.DataFrame:
    """Read one raw input, rename it to canonical names and validate it.

    With ``rows``, the file is read and validated ``rows`` rows at a time
    (:func:`iter_input`) and the chunks are joined column by column, each
    chunk's column released as it is copied: the same frame for less peak
    memory than reading the whole file at once (the Arrow table and its
    pandas copy are never both complete).

    Parameters
    ----------
    path : path-like
        A ``.parquet`` or ``.csv`` file.
    kind : {"lld", "cbs", "key"}
        Which contract applies.
    mapping : ColumnMapping, optional
        Column renames (extract name -> canonical name).

    Returns
    -------
    pandas.DataFrame
        Canonical columns and dtypes (see :mod:`cohorts.contracts`).

    Raises
    ------
    ContractError
        Unreadable file (truncated parquet, empty CSV) or any contract failure,
        naming the file.
    """
    if rows is not None:
        return join_rows(list(iter_input(path, kind, mapping, rows=rows)))
    mapping = mapping or ColumnMapping()
    (df,) = _read_chunks(Path(path), kind, mapping, rows=None)
    return _recode_and_validate(df, kind, mapping, source=str(path))


def _recode_and_validate(
    raw: pd.DataFrame, kind: str, mapping: ColumnMapping, *, source: str, row_offset: int = 0,
    check_unique: bool = True,
) -> pd.DataFrame:
    """Recode the mapping's values (:mod:`cohorts.recode`), then validate; one ContractError lists every failure."""
    raw, failures, reported = recode(raw, mapping.values.get(kind, {}), kind=kind, source=source,
                                     mapping_source=mapping.source, row_offset=row_offset)
    contract = CONTRACTS[kind]
    try:
        out = validate(raw, contract, source=source, row_offset=row_offset, check_unique=check_unique,
                       reported=reported)
    except ContractError as exc:
        if not failures:
            raise
        failures = failures + list(exc.failures)
    if failures:
        raise ContractError(failures, header=f"{source} ({contract.name}): {len(failures)} data-contract failure(s)")
    if kind == "lld" and mapping.perpetual_from is not None:
        out = perpetuals_as_missing(out, perpetual_from=mapping.perpetual_from)
    return out


def perpetuals_as_missing(lld: pd.DataFrame, *, perpetual_from: datetime.date) -> pd.DataFrame:
    """The lender's far-future perpetual code as the canonical one: ``maturity_date >= perpetual_from`` -> NaT.

    The synthetic twin codes an interest-only part without contractual end date
    ("geadministreerde perpetual", interest-only study) as a missing maturity; a
    real extract may use a date such as 2099-12-31 instead ([lld] ``perpetual_from``
    of the column mapping, :mod:`cohorts.mapping`).  Other columns are not copied.
    """
    mat = lld[C.MATURITY_DATE]
    code = (mat >= pd.Timestamp(perpetual_from)).to_numpy(dtype=bool, na_value=False)
    if not code.any():
        return lld
    out = lld.copy(deep=False)
    out[C.MATURITY_DATE] = mat.mask(code)
    return out


def prefetch(items: Iterable[T]) -> Generator[T, None, None]:
    """Yield the items of ``items`` in order, making the next one in a background thread meanwhile.

    For a producer that releases the GIL (Arrow decoding a parquet file): the
    consumer's work on one item overlaps the production of the next, so two
    cores are used; at most one item waits, so memory holds one item more.
    An error of the producer is raised where the consumer would have received
    that item. Close the generator (or exhaust it) to stop the producer.
    """
    it = iter(items)
    done = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
        future = pool.submit(next, it, done)
        while True:
            item = future.result()
            if item is done:
                return
            future = pool.submit(next, it, done)
            yield item
            del item


#: Rows per chunk when a large input is read in chunks (:func:`iter_input`).
CHUNK_ROWS = 2_000_000


def iter_input(
    path: str | os.PathLike, kind: str, mapping: ColumnMapping | None = None, *, rows: int = CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Read one raw input in chunks of ``rows`` rows, each renamed and validated.

    For inputs too large to hold twice (the full LLD has tens of millions of
    loan parts): a caller can reduce each chunk before the next is read. Every
    rule of the contract is checked, the unique key over the whole file
    (:class:`cohorts.contracts.UniqueKeyCheck`), and row numbers in messages are
    rows of the file. Once a chunk fails, no further chunks are yielded, but the
    rest of the file is still checked; at the end one
    :class:`~cohorts.errors.ContractError` lists every failure. A caller must
    therefore consume the iterator to the end before it writes anything.

    Yields
    ------
    pandas.DataFrame
        Validated chunks in file order, canonical columns and dtypes.
    """
    path = Path(path)
    mapping = mapping or ColumnMapping()
    contract = CONTRACTS[kind]
    unique = UniqueKeyCheck(contract, str(path))
    failures: list[Failure] = []
    offset = 0
    raw_chunks = prefetch(_read_chunks(path, kind, mapping, rows=rows))  # decode the next chunk meanwhile
    for raw in raw_chunks:
        try:
            chunk = _recode_and_validate(raw, kind, mapping, source=str(path), row_offset=offset, check_unique=False)
        except ContractError as exc:
            failures.extend(exc.failures)
            if any(f.rule == "column present" or f.column == "<table>" for f in exc.failures):
                raw_chunks.close()
                break  # the same for every chunk
            chunk = None
        if chunk is None:
            unique.in_order = False  # its keys are checked from the file at the end
        else:
            unique.add(chunk, offset)
        offset += len(raw)
        del raw
        if chunk is not None and not failures:
            yield chunk
    if not any(f.rule == "column present" or f.column == "<table>" for f in failures):
        def confirm() -> pd.DataFrame:
            (keys,) = _read_chunks(path, kind, mapping, rows=None, columns=contract.unique)
            return coerce_columns(keys, contract)

        dup = unique.failure(confirm)
        if dup is not None:
            failures.append(dup)
    if failures:
        failures = merge_failures(failures)
        raise ContractError(failures, header=f"{path} ({contract.name}): {len(failures)} data-contract failure(s)")


def _read_chunks(
    path: Path, kind: str, mapping: ColumnMapping, *, rows: int | None, columns: Sequence[str] | None = None
) -> Iterator[pd.DataFrame]:
    """The file's contract columns renamed to canonical names, whole (``rows=None``) or in chunks.

    ``columns`` restricts the read to these canonical columns. Reading
    problems (unreadable or truncated file, empty CSV) are a ContractError
    naming the file.
    """
    wanted = {mapping.extract_name(kind, c): c for c in _CANONICAL[kind] if columns is None or c in columns}
    try:
        if path.suffix == ".parquet":
            schema = pq.read_schema(path)
            present = [n for n in wanted if n in schema.names]
            # text columns as dictionaries (categoricals): far less memory than Python strings
            text = [n for n in present if pa.types.is_string(schema.field(n).type) or pa.types.is_large_string(schema.field(n).type)]
            if rows is None:
                tables = iter([pq.read_table(path, columns=present, read_dictionary=text)])
            else:
                batches = pq.ParquetFile(path, read_dictionary=text).iter_batches(batch_size=rows, columns=present)
                tables = (pa.Table.from_batches([b]) for b in batches)
            for table in tables:
                # rename in Arrow: a pandas rename would copy (and consolidate) tens of millions of rows
                table = table.rename_columns([wanted[n] for n in table.column_names])
                yield _arrow_to_pandas(table)
                del table
        elif path.suffix == ".csv":
            header = _csv_header(path)
            twice = sorted({c for c in header if header.count(c) > 1 and c in wanted})
            if twice:
                raise ContractError(
                    [Failure(str(path), c, "column named once in the header", header.count(c),
                             (f"header columns {[i + 1 for i, h in enumerate(header) if h == c]}",)) for c in twice],
                    header=f"{path}: ambiguous header",
                )
            usecols = (lambda c: c in wanted) if columns is not None else None
            reader = pd.read_csv(path, dtype=str, keep_default_na=True, na_values=[""], usecols=usecols,
                                 chunksize=rows)
            for df in [reader] if rows is None else reader:
                df = df[[n for n in wanted if n in df.columns] + [n for n in df.columns if n not in wanted]]
                yield df.rename(columns=wanted)
        else:
            raise ContractError([Failure(str(path), "<file>", "a .parquet or .csv file", 0)])
    except (pa.ArrowInvalid, pa.ArrowException, OSError, pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ContractError(
            [Failure(str(path), "<file>", "a readable table", 0, (f"{type(exc).__name__}: {exc}",))],
            header=f"{path}: cannot be read",
        ) from exc


def _arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert without copies where possible; integer columns with nulls become ``Int64``.

    (pandas would turn them into float64, and the contract would convert them back.)
    """
    nullable_int = [f.name for f in table.schema if pa.types.is_integer(f.type) and table.column(f.name).null_count]
    extra = {}
    for name in nullable_int:
        col = table.column(name).combine_chunks() if table.column(name).num_chunks != 1 else table.column(name).chunk(0)
        mask = col.is_null().to_numpy(zero_copy_only=False)
        values = col.fill_null(0).to_numpy().astype("int64", copy=False)
        extra[name] = pd.arrays.IntegerArray(values, mask)
    order = table.column_names
    df = table.drop_columns(nullable_int).to_pandas(split_blocks=True, self_destruct=True)
    for name in nullable_int:
        df.insert(order.index(name), name, extra[name])
    return df


def _csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's first line (empty for an empty file)."""
    import csv

    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        first = next(csv.reader(f), [])
    return [c.strip() for c in first]


@dataclass(frozen=True)
class RawData:
    """The three validated raw inputs and where they came from."""

    lld: pd.DataFrame
    cbs: pd.DataFrame
    key: pd.DataFrame
    paths: Mapping[str, Path]
    mapping: ColumnMapping


def read_raw(data_dir: str | os.PathLike, *, mapping: ColumnMapping | None = None) -> RawData:
    """Read and validate all three raw inputs of a data folder.

    All three files are validated before anything is returned; the failures of
    every file are collected into one :class:`ContractError`.
    """
    mapping = mapping or ColumnMapping()
    paths = {kind: resolve_input(data_dir, kind, mapping) for kind in KINDS}
    frames: dict[str, pd.DataFrame] = {}
    failures: list[Failure] = []
    for kind in KINDS:
        try:
            frames[kind] = read_input(paths[kind], kind, mapping)
        except ContractError as exc:
            failures.extend(exc.failures)
    if failures:
        raise ContractError(failures, header=f"{data_dir}: {len(failures)} data-contract failure(s) in the raw inputs")
    frames, failures = harmonize_ids(frames, paths)
    if failures:
        raise ContractError(failures, header=f"{data_dir}: the raw inputs use different id types")
    return RawData(lld=frames["lld"], cbs=frames["cbs"], key=frames["key"], paths=paths, mapping=mapping)


#: Id columns that must match across inputs: (kind, column) pairs linked by the build.
ID_LINKS: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("lld", C.LOAN_ID), ("key", C.LOAN_ID)),
    (("key", C.PERSON_ID), ("cbs", C.PERSON_ID)),
    (("cbs", C.PARTNER_ID), ("cbs", C.PERSON_ID)),
)


def _as_plain_int(s: pd.Series) -> pd.Series | None:
    """Text ids as integers when every value is a plain integer (no sign, no leading zero), else None."""
    text = s.astype("string")
    ok = text.isna() | text.str.fullmatch(r"0|[1-9][0-9]{0,17}").fillna(False)
    if not bool(ok.all()):
        return None
    out = pd.to_numeric(text, errors="coerce").astype("Int64")
    return out if out.isna().any() else out.astype("int64")


def harmonize_ids(
    frames: Mapping[str, pd.DataFrame], paths: Mapping[str, Path]
) -> tuple[dict[str, pd.DataFrame], list[Failure]]:
    """Give the id columns that the build links on (:data:`ID_LINKS`) one type across files.

    A parquet file may store ids as integers where a CSV file holds text.
    When one side is integer and the other text of plain integers (no leading
    zeros), the text side is converted; ids with leading zeros or letters
    cannot be matched with integer ids, which is a failure (rule "same id type
    in every input") rather than a silent empty link.
    """
    out = dict(frames)
    failures: list[Failure] = []
    for (ka, ca), (kb, cb) in ID_LINKS:
        a, b = out[ka][ca], out[kb][cb]
        a_int, b_int = pd.api.types.is_integer_dtype(a), pd.api.types.is_integer_dtype(b)
        if a_int == b_int:
            continue
        kt, ct, other = (kb, cb, ka) if a_int else (ka, ca, kb)
        converted = _as_plain_int(out[kt][ct])
        if converted is None:
            text = out[kt][ct].astype("string")
            bad = ~(text.isna() | text.str.fullmatch(r"0|[1-9][0-9]{0,17}").fillna(False))
            examples = tuple(f"row {i + 1}: {v!r}" for i, v in zip(np.flatnonzero(bad.to_numpy())[:5],
                                                                  text[bad].head(5), strict=False))
            failures.append(Failure(str(paths[kt]), ct, f"same id type in every input (integer in {paths[other]})",
                                    int(bad.sum()), examples))
            continue
        frame = out[kt].copy()
        frame[ct] = converted
        out[kt] = frame
    return out, failures
