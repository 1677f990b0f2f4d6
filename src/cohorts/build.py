"""The build stage: raw inputs -> cohort table, follow-up panel, stock, selection table.

:func:`build` chains the pure steps of :mod:`cohorts.link`, :mod:`cohorts.cohort`
and :mod:`cohorts.norms`; :func:`run` (``cohorts build``) reads the raw inputs,
calls it, and writes ``cohorts.parquet``, ``panel.parquet``, ``stock.parquet``,
``selection.csv`` and ``manifest.json`` atomically.

Layout: the pure pipeline (:func:`build`, :func:`build_linked`,
:func:`aggregate_chunks`, :func:`link_parts`, :class:`BuildResult`) is in
:mod:`cohorts.pipeline` and re-exported here; this module reads, writes and
runs the command.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from cohorts import __version__, atomic
from cohorts import columns as C
from cohorts.cohort import CONSUMER_CREDIT_BOUND
from cohorts.errors import ContractError, Failure
from cohorts.io import (
    CHUNK_ROWS,
    KINDS,
    ColumnMapping,
    ParquetAppender,
    harmonize_ids,
    iter_input,
    load_mapping,
    read_input,
    resolve_input,
    write_csv,
    write_outputs_with_manifest,
    write_parquet,
)
from cohorts.persons import PersonYears
from cohorts.pipeline import BuildResult, _link, aggregate_chunks, build, build_linked, link_parts

__all__ = [
    "BuildResult", "add_arguments", "aggregate_chunks", "build", "build_and_write", "build_linked", "build_manifest",
    "cohort_summary", "link_parts", "read_and_build", "run", "write_build",
]


def read_and_build(
    data_dir: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    log: Callable[[str], None] = lambda msg: None,
    chunk_rows: int = CHUNK_ROWS,
    **options: object,
) -> tuple[BuildResult, Mapping[str, Path]]:
    """Read and validate the raw inputs of ``data_dir`` and build from them.

    The same result as ``build(*read_raw(data_dir))``, with the memory of the
    full population in mind: the loan parts (the largest input by far) are
    read, validated and aggregated ``chunk_rows`` rows at a time
    (:func:`cohorts.io.iter_input`, :func:`aggregate_chunks`), so only one
    chunk of them is ever in memory. All three inputs are validated before
    anything is built, and every failure of every input is reported in one
    :class:`~cohorts.errors.ContractError`. ``options`` go to
    :func:`build_linked`. Returns the result and the input paths (for the
    manifest); ``log`` receives progress lines.
    """
    t0 = time.perf_counter()
    mapping = mapping or ColumnMapping()
    paths = {kind: resolve_input(data_dir, kind, mapping) for kind in KINDS}
    failures: list[Failure] = []
    frames: dict[str, pd.DataFrame] = {}
    log(f"reading and validating raw inputs in {data_dir} ...")
    try:
        frames["key"] = read_input(paths["key"], "key", mapping)
    except ContractError as exc:
        failures.extend(exc.failures)
    mortgages, steps = None, []
    try:
        mortgages, steps = aggregate_chunks(iter_input(paths["lld"], "lld", mapping, rows=chunk_rows))
    except ContractError as exc:
        failures.extend(exc.failures)
    t_lld = time.perf_counter() - t0
    _release_arrow_memory()
    try:
        frames["cbs"] = read_input(paths["cbs"], "cbs", mapping, rows=chunk_rows)
    except ContractError as exc:
        failures.extend(exc.failures)
    _release_arrow_memory()
    if failures:
        raise ContractError(failures, header=f"{data_dir}: {len(failures)} data-contract failure(s) in the raw inputs")
    n_parts = steps[0].rows_in
    log(f"  {n_parts:,} loan parts -> {len(mortgages):,} mortgage-snapshots ({t_lld:.1f} s), "
        f"{len(frames['cbs']):,} CBS person-years, {len(frames['key']):,} key rows ({time.perf_counter() - t0:.1f} s)")
    # ids of the same type in every input (the loan ids as aggregated; values are those of the file)
    frames["lld"] = mortgages[[C.LOAN_ID]]
    frames, failures = harmonize_ids(frames, {**paths, "lld": f"{paths['lld']} (per loan and snapshot)"})
    if failures:
        raise ContractError(failures, header=f"{data_dir}: the raw inputs use different id types")
    if frames["lld"][C.LOAN_ID].dtype != mortgages[C.LOAN_ID].dtype:
        mortgages[C.LOAN_ID] = frames["lld"][C.LOAN_ID].to_numpy()
    linked, steps = _link(mortgages, frames["key"], steps)
    del mortgages, frames["lld"]
    seconds = time.perf_counter() - t0
    log(f"  {len(linked):,} linked mortgage-snapshots ({seconds:.1f} s)")
    log("building cohorts, panel and stock ...")
    # the index keeps the CBS value columns; the person and year columns are freed here
    result = build_linked(linked, PersonYears.from_frame(frames.pop("cbs")), steps=steps, **options)
    result.timings["read_link_parts"] = seconds
    return result, paths


def build_and_write(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    manifest: Callable[[BuildResult, Mapping[str, Path]], dict],
    mapping: ColumnMapping | None = None,
    log: Callable[[str], None] = lambda msg: None,
    **options: object,
) -> BuildResult:
    """:func:`read_and_build` and :func:`write_build`, with the stock written while it is built.

    Each snapshot's part of the stock goes straight to a temporary parquet
    file beside ``out_dir`` and is dropped, so the full stock is never in
    memory; the file is moved into ``out_dir`` with the other outputs, all at
    once, and removed if anything fails. ``manifest(result, input_paths)``
    makes the manifest. The result has no ``stock_parts`` (read
    ``out_dir/stock.parquet``). This is what ``cohorts build`` and
    ``cohorts reproduce`` run.
    """
    out_dir = Path(out_dir)
    near = next(p for p in (out_dir, *out_dir.absolute().parents) if p.is_dir())
    tmp = atomic.temp_file(near, label="stock", suffix=".parquet")  # swept, removed on SIGTERM (cohorts.atomic)
    try:
        with ParquetAppender(tmp, background=True) as sink:
            result, paths = read_and_build(data_dir, mapping=mapping, log=log, stock_sink=sink.append, **options)
        write_build(result, out_dir, manifest(result, paths), stock_file=tmp)
        return result
    finally:
        atomic.discard(tmp)


def _release_arrow_memory() -> None:
    """Hand memory that Arrow's allocator keeps for reuse back to the system (after the big reads)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def cohort_summary(cohorts: pd.DataFrame) -> pd.DataFrame:
    """A short summary per cohort: mortgages, starters, high, events, mean income and mortgage."""
    g = cohorts.groupby(C.COHORT, sort=True)
    out = pd.DataFrame(
        {
            "mortgages": g.size(),
            "starters": g[C.STARTER].sum(),
            "high": g[C.HIGH].sum(),
            "starters_high": cohorts.assign(_sh=cohorts[C.STARTER] & cohorts[C.HIGH]).groupby(C.COHORT)["_sh"].sum(),
            "arrears": g[C.EVENT].sum(),
            "mean_household_income": g[C.HOUSEHOLD_INCOME].mean().round(0),
            "mean_mortgage": g[C.BALANCE].mean().round(0),
        }
    )
    total = out.sum(numeric_only=True)
    total[["mean_household_income", "mean_mortgage"]] = [
        round(cohorts[C.HOUSEHOLD_INCOME].mean()), round(cohorts[C.BALANCE].mean())
    ]
    out.loc["all"] = total
    return out.astype({"mortgages": "int64", "starters": "int64", "high": "int64", "starters_high": "int64", "arrears": "int64"})


def build_manifest(
    result: BuildResult, *, inputs: Mapping[str, Path], mapping: ColumnMapping, parameters: dict, command: str,
    extra: dict | None = None, started: str | None = None, finished: str | None = None,
    synthetic: dict | None = None,
) -> dict:
    """The provenance record written beside the build outputs (``manifest.json``).

    It lists each input file with its size and SHA-256 (so a later run can tell
    whether a build is current), the column mapping, the parameters, the
    synthetic seed and scale (None for real data), the selection table, the
    row counts, package versions, the git commit of the source and the start
    and end time (see :func:`cohorts.provenance.run_manifest`).
    :func:`write_build` adds the size and SHA-256 of every output file.
    """
    from cohorts.provenance import run_manifest, utc_now

    now = utc_now()
    record = run_manifest(
        command=command, started=started or now, finished=finished or now, inputs=dict(inputs), outputs={},
        configuration=parameters, mapping=mapping.to_dict(), synthetic=synthetic, selection=result.selection,
        extra={"rows": {"cohorts": len(result.cohorts), "panel": len(result.panel), "stock": result.n_stock}},
    )
    record.update({"cohorts_version": __version__, "parameters": parameters, **(extra or {})})
    return record


def write_build(result: BuildResult, out_dir: str | Path, manifest: dict, *, stock_file: Path | None = None) -> None:
    """Write ``cohorts.parquet``, ``panel.parquet``, ``stock.parquet``, ``selection.csv`` and the manifest atomically.

    The manifest gets ``outputs``: the size and SHA-256 of each file written.
    ``stock_file`` is a stock already written by a ``stock_sink`` (see
    :func:`read_and_build`); it is moved into place with the other files.
    """
    def write_stock(path: Path) -> None:
        if stock_file is not None:
            shutil.move(stock_file, path)
        else:
            write_parquet(result.stock_parts, path)

    write_outputs_with_manifest(
        out_dir,
        {
            "cohorts.parquet": lambda p: write_parquet(result.cohorts, p),
            "panel.parquet": lambda p: write_parquet(result.panel, p),
            "stock.parquet": write_stock,
            "selection.csv": lambda p: write_csv(result.selection, p),
        },
        lambda records: {**manifest, "outputs": records},
    )


# ----------------------------------------------------------------------------
# CLI: cohorts build --data DIR --out DIR
# ----------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of ``cohorts build``."""
    parser.add_argument("--data", required=True, type=Path, help="folder with the raw inputs (or files named in --mapping)")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--mapping", type=Path, default=None, help="column-mapping TOML for a real extract")
    parser.add_argument("--threshold", type=float, default=1.0, help="LTI-utilisation cut-off for 'high' (default 1.0)")
    parser.add_argument("--consumer-credit-bound", type=float, default=CONSUMER_CREDIT_BOUND,
                        help="other debts above this are not consumer credit (default 50000)")
    parser.add_argument("--tables", type=Path, default=None, help="folder with further Trhk tables (long CSV format)")
    from cohorts.norms.command import add_wlt_reading_argument

    add_wlt_reading_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def run(args: argparse.Namespace) -> int:
    """``cohorts build``: read, validate, build, write atomically, print the selection and a summary."""
    from cohorts.provenance import synthetic_settings, utc_now

    started = utc_now()
    t0 = time.perf_counter()
    mapping = load_mapping(args.mapping) if args.mapping else ColumnMapping()
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    tables = None
    if args.tables is not None:
        from cohorts.norms import load_tables

        tables = load_tables(args.tables)
    def manifest(result: BuildResult, paths: Mapping[str, Path]) -> dict:
        return build_manifest(
            result, inputs=paths, mapping=mapping, command="cohorts build",
            parameters={"threshold": args.threshold, "consumer_credit_bound": args.consumer_credit_bound,
                        "tables": str(args.tables) if args.tables else "packaged",
                        "wlt_reading": args.wlt_reading},
            started=started, finished=utc_now(), synthetic=synthetic_settings(args.data),
        )

    result = build_and_write(args.data, args.out, mapping=mapping, log=log, manifest=manifest,
                             threshold=args.threshold, consumer_credit_bound=args.consumer_credit_bound,
                             norm_tables=tables, wlt_reading=args.wlt_reading)
    if not args.quiet:
        with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
            print("Selection (every row accounted for):")
            print(result.selection.drop(columns=["reason"]).to_string(index=False))
            print()
            print("Cohorts:")
            print(cohort_summary(result.cohorts).to_string())
        log(f"wrote {args.out}/cohorts.parquet, panel.parquet, stock.parquet, selection.csv, manifest.json "
            f"({time.perf_counter() - t0:.1f} s)")
    return 0
