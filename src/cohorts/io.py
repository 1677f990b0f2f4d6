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

Layout: the column mapping is in :mod:`cohorts.mapping`, reading and
validating the raw inputs in :mod:`cohorts.raw`; both are re-exported here.
The writers of outputs are in this module.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cohorts import atomic
from cohorts.mapping import DEFAULT_STEMS, KINDS, ColumnMapping, load_mapping, resolve_input
from cohorts.raw import (
    CHUNK_ROWS,
    ID_LINKS,
    RawData,
    harmonize_ids,
    iter_input,
    prefetch,
    read_input,
    read_raw,
)

__all__ = [
    "CHUNK_ROWS", "DEFAULT_STEMS", "ID_LINKS", "KINDS", "WRITE_ROWS", "ColumnMapping", "ParquetAppender", "RawData",
    "file_record", "harmonize_ids", "iter_input", "load_mapping", "prefetch", "read_input", "read_raw",
    "resolve_input", "sha256_file", "write_csv", "write_json", "write_outputs", "write_outputs_with_manifest",
    "write_parquet",
]


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
