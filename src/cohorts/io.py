"""Reading raw extracts and writing outputs: the only place that touches files.

Raw inputs
----------
A data folder holds the three raw inputs under their default names
(``lld_loan_parts``, ``cbs_persons``, ``key_table``, each ``.parquet`` or
``.csv``), as the synthetic generator writes them.  A real extract with other
file or column names is described by a column-mapping TOML file::

    # mapping.toml: canonical name = name in your extract
    [lld]
    file = "lld_q4_2012_2018.parquet"
    [lld.columns]
    snapshot_year = "PEILJAAR"
    loan_id = "LoanIdentifier"
    loan_part_id = "LoanPartIdentifier"
    origination_date = "OriginationDate"
    current_balance = "CurrentBalance"
    current_ltv = "CurrentLTV"
    # ... every column you do not list keeps its canonical name

    [cbs]
    file = "cbs_persons.csv"
    [cbs.columns]
    person_id = "RINPERSOON"

    [key]
    file = "koppeltabel_2017.csv"
    [key.columns]
    loan_id = "LoanIdentifier"
    person_id = "RINPERSOON"

    # the extract's own codes -> canonical values (cohorts.recode)
    [lld.values.repayment_type]
    annuity = ["ANNU", "ANN"]
    linear = "LINR"
    [lld.values.nhg]
    true = "Y"
    false = "N"

Only the canonical names of :mod:`cohorts.columns` may appear on the left; a
typo there is an error, not a silent no-op.  CSV files must use a decimal
point; values are parsed and checked by :mod:`cohorts.contracts`. A
``[<kind>.values.<column>]`` table recodes the values of a repayment-type or
flag column before the contract sees them (rules in :mod:`cohorts.recode`; an
unlisted code is a contract failure naming the file, column, code and rows).

Outputs
-------
:func:`write_outputs` writes a set of files atomically: everything goes to a
temporary folder first and is moved into place only when every file was
written, so an interrupted or failed run leaves the output folder as it was
(temporary files: :mod:`cohorts.atomic`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cohorts import atomic
from cohorts import columns as C
from cohorts.contracts import CONTRACTS, UniqueKeyCheck, coerce_columns, merge_failures, validate
from cohorts.errors import ConfigError, ContractError, Failure
from cohorts.frames import join_rows
from cohorts.recode import parse_values, recode

T = TypeVar("T")

#: default file stems of the raw inputs in a data folder
DEFAULT_STEMS: Mapping[str, str] = MappingProxyType(
    {"lld": "lld_loan_parts", "cbs": "cbs_persons", "key": "key_table"}
)
KINDS = ("lld", "cbs", "key")
_CANONICAL = {"lld": C.LLD_COLUMNS, "cbs": C.CBS_COLUMNS, "key": C.KEY_COLUMNS}


@dataclass(frozen=True)
class ColumnMapping:
    """File names and column renames for the three raw inputs.

    Attributes
    ----------
    files : Mapping[str, str]
        ``{"lld"|"cbs"|"key": file name}``, relative to the data folder or absolute.
    columns : Mapping[str, Mapping[str, str]]
        ``{kind: {canonical name: name in the extract}}``.
    source : str
        Where the mapping came from (a file path, or ``"default"``).
    values : Mapping[str, Mapping[str, Mapping[str, str]]]
        ``{kind: {canonical column: {code in the extract: canonical value}}}``
        (:mod:`cohorts.recode`).
    """

    files: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source: str = "default"
    values: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)

    def extract_name(self, kind: str, canonical: str) -> str:
        """The column name in the extract for a canonical column."""
        return self.columns.get(kind, {}).get(canonical, canonical)

    def to_dict(self) -> dict:
        """Plain-dict form, for manifests."""
        out = {"source": self.source, "files": dict(self.files), "columns": {k: dict(v) for k, v in self.columns.items()}}
        if self.values:
            out["values"] = {k: {c: dict(t) for c, t in v.items()} for k, v in self.values.items()}
        return out


def load_mapping(path: str | os.PathLike) -> ColumnMapping:
    """Read a column-mapping TOML file (format in the module docstring).

    Raises
    ------
    ConfigError
        If the file is not valid TOML, names an unknown table or an unknown
        canonical column, maps two canonical columns to one extract column, or
        has a values table that :func:`cohorts.recode.parse_values` refuses.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    files: dict[str, str] = {}
    cols: dict[str, dict[str, str]] = {}
    values: dict[str, dict[str, dict[str, str]]] = {}
    for kind, section in raw.items():
        if kind not in KINDS:
            raise ConfigError(f"{path}: unknown section [{kind}]; expected one of {', '.join(KINDS)}")
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [{kind}] must be a table")
        unknown_keys = set(section) - {"file", "columns", "values"}
        if unknown_keys:
            raise ConfigError(f"{path}: [{kind}] has unknown key(s) {sorted(unknown_keys)}; "
                              f"expected 'file', [{kind}.columns] and [{kind}.values.<column>]")
        if "file" in section:
            files[kind] = str(section["file"])
        mapping = section.get("columns", {})
        bad = sorted(set(mapping) - set(_CANONICAL[kind]))
        if bad:
            raise ConfigError(
                f"{path}: [{kind}.columns] names unknown canonical column(s) {bad}; "
                f"canonical columns are: {', '.join(_CANONICAL[kind])}"
            )
        targets = list(mapping.values())
        dupes = sorted({t for t in targets if targets.count(t) > 1})
        if dupes:
            raise ConfigError(f"{path}: [{kind}.columns] maps several columns to {dupes}")
        cols[kind] = {str(k): str(v) for k, v in mapping.items()}
        if "values" in section:
            values[kind] = parse_values(section["values"], kind=kind, source=str(path))
    return ColumnMapping(files=files, columns=cols, source=str(path), values=values)


def resolve_input(data_dir: str | os.PathLike, kind: str, mapping: ColumnMapping | None = None) -> Path:
    """The path of one raw input: the mapping's file, else ``<stem>.parquet`` or ``<stem>.csv``."""
    data_dir = Path(data_dir)
    mapping = mapping or ColumnMapping()
    if kind in mapping.files:
        p = Path(mapping.files[kind])
        p = p if p.is_absolute() else data_dir / p
        if not p.exists():
            raise FileNotFoundError(f"{p}: {kind} input named in {mapping.source} does not exist")
        return p
    for ext in (".parquet", ".csv"):
        p = data_dir / f"{DEFAULT_STEMS[kind]}{ext}"
        if p.exists():
            return p
    raise FileNotFoundError(
        f"{data_dir}: no {kind} input found (expected {DEFAULT_STEMS[kind]}.parquet or .csv, "
        "or a 'file' entry in a column mapping)"
    )


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


# ----------------------------------------------------------------------------
# Outputs
# ----------------------------------------------------------------------------
#: Rows converted to Arrow and written at a time by :func:`write_parquet` (one row group each).
WRITE_ROWS = 1_000_000


def write_parquet(df: pd.DataFrame | Iterable[pd.DataFrame], path: str | os.PathLike) -> None:
    """Write a DataFrame, or the parts of one (same columns and dtypes), to one parquet file.

    Fixed settings, so the same frame gives the same bytes. Rows are
    converted and written :data:`WRITE_ROWS` at a time (see :class:`ParquetAppender`).
    """
    parts = [df] if isinstance(df, pd.DataFrame) else df
    with ParquetAppender(path) as out:
        for part in parts:
            out.append(part)
    if out.rows_written is None:
        raise ValueError(f"{path}: no parts to write")


class ParquetAppender:
    """Append DataFrames with the same columns and dtypes to one parquet file.

    The file is opened at the first :meth:`append` (so nothing exists until
    something is written); the schema is that of the first part. Each part is
    converted to Arrow and written ``row_group_rows`` rows at a time (one row
    group each), so a frame of millions of rows is never held twice (pandas
    and Arrow), and a producer can hand over parts one by one and drop them.
    Use it as a context manager; :attr:`rows_written` is None until a part was
    written.

    Parameters
    ----------
    path : str or os.PathLike
        The parquet file to write.
    background : bool, default False
        Convert and write each part in a background thread while the producer
        makes the next one (Arrow's encoder and the producer's numpy code then
        use two cores).  At most one part waits to be written, so memory holds
        one part more than without.  Parts are written in the order given, so
        the bytes do not depend on timing.  An error of the writer is raised
        by the next :meth:`append` or by :meth:`close`.
    row_group_rows : int, default :data:`WRITE_ROWS`
        Rows per row group.
    compression_level : int, optional
        zstd level (pyarrow's default when None).
    use_dictionary : bool, default True
        Dictionary-encode columns (pyarrow's ``use_dictionary``).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        background: bool = False,
        row_group_rows: int = WRITE_ROWS,
        compression_level: int | None = None,
        use_dictionary: bool = True,
    ):
        self.path = Path(path)
        self.rows_written: int | None = None
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._rows = row_group_rows
        self._options: dict[str, object] = {"compression": "zstd", "write_statistics": True, "use_dictionary": use_dictionary}
        if compression_level is not None:
            self._options["compression_level"] = compression_level
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet-writer") if background else None
        self._pending: Future[None] | None = None

    def append(self, part: pd.DataFrame) -> None:
        """Write ``part`` (columns and dtypes as the first part)."""
        if self._pool is None:
            self._write(part)
            return
        self._wait()
        self._pending = self._pool.submit(self._write, part)

    def _write(self, part: pd.DataFrame) -> None:
        if self._writer is None:
            self._schema = pa.Schema.from_pandas(part, preserve_index=False)
            self._writer = pq.ParquetWriter(self.path, self._schema, **self._options)
            self.rows_written = 0
        for start in range(0, max(len(part), 1), self._rows):
            piece = part.iloc[start:start + self._rows]
            self._writer.write_table(pa.Table.from_pandas(piece, schema=self._schema, preserve_index=False))
        self.rows_written += len(part)

    def _wait(self) -> None:
        """Wait for the part being written; raise its error, if any."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Finish the file (its footer), after the part being written; idempotent."""
        try:
            self._wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def __enter__(self) -> ParquetAppender:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
            return
        try:  # an error is already on its way: finish quietly, do not mask it
            self.close()
        except Exception:  # noqa: BLE001
            pass


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a DataFrame to CSV (no index, '\\n' line ends, full float precision)."""
    df.to_csv(path, index=False, lineterminator="\n")


def write_json(obj: object, path: str | os.PathLike) -> None:
    """Write JSON with sorted keys and a trailing newline."""
    Path(path).write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in 4 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def file_record(path: str | os.PathLike) -> dict:
    """``{"path", "bytes", "sha256"}`` of a file, for manifests."""
    p = Path(path)
    return {"path": str(p), "bytes": p.stat().st_size, "sha256": sha256_file(p)}


def write_outputs(out_dir: str | os.PathLike, writers: Mapping[str, Callable[[Path], None]]) -> list[Path]:
    """Write several files into ``out_dir`` atomically.

    Each ``writers[name](tmp_path)`` writes one file to a temporary path in a
    hidden folder inside ``out_dir``; only when all succeeded are the files
    moved into place with :func:`os.replace`.  On failure (or SIGTERM, see
    :mod:`cohorts.atomic`) the temporary folder is removed and ``out_dir`` keeps
    its previous contents; stale temporaries of killed runs in ``out_dir`` are
    swept first. The files get the mode the user's umask gives new files.

    Returns
    -------
    list of pathlib.Path
        The final paths, in the order given.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = atomic.temp_dir(out_dir, label="partial")
    try:
        for name, writer in writers.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            writer(tmp / name)
        mode = atomic.file_mode()
        for name in writers:
            os.chmod(tmp / name, mode)  # a writer's private temporary (0600) gets the user's usual mode
        final = []
        for name in writers:
            dest = out_dir / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / name, dest)
            final.append(dest)
        return final
    finally:
        atomic.discard(tmp)


def write_outputs_with_manifest(
    out_dir: str | os.PathLike,
    writers: Mapping[str, Callable[[Path], None]],
    manifest: Callable[[dict[str, dict]], dict],
    *,
    name: str = "manifest.json",
) -> list[Path]:
    """Write several files and a manifest of them into ``out_dir``, atomically (see :func:`write_outputs`).

    The files are written first (to the temporary folder); ``manifest`` is
    then called with ``{relative name: {"path", "bytes", "sha256"}}`` of what
    was written, and its result is written as JSON under ``name``; only then is
    everything moved into place.  So the manifest's hashes are those of the
    files as they land in ``out_dir``, and a failed run leaves ``out_dir`` as
    it was.

    Returns
    -------
    list of pathlib.Path
        The final paths, the manifest last.
    """
    if name in writers:
        raise ValueError(f"{name!r} is written by the manifest itself; remove it from the writers")
    names = list(writers)

    def write_manifest(path: Path) -> None:
        records = {}
        for n in names:
            rec = file_record(path.parent / n)
            rec["path"] = n
            records[n] = rec
        write_json(manifest(records), path)

    return write_outputs(out_dir, {**writers, name: write_manifest})
