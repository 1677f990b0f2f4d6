"""The build stage: raw inputs -> cohort table, follow-up panel, stock, selection table.

:func:`build` chains the pure steps of :mod:`cohorts.link`, :mod:`cohorts.cohort`
and :mod:`cohorts.norms`; :func:`run` (``cohorts build``) reads the raw inputs,
calls it, and writes ``cohorts.parquet``, ``panel.parquet``, ``stock.parquet``,
``selection.csv`` and ``manifest.json`` atomically.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cohorts import __version__, atomic
from cohorts import columns as C
from cohorts.cohort import (
    CONSUMER_CREDIT_BOUND,
    STARTER_MAX_AGE,
    attach_finances,
    build_panel,
    follow_up,
    loans_from_snapshots,
    require_house_value,
    select_new_mortgages,
)
from cohorts.errors import ContractError, Failure
from cohorts.frames import side_by_side
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
from cohorts.link import (
    PartialSums,
    aggregate_step,
    link_key,
    multi_mortgage_loans,
    owner_occupied_mask,
    partial_sums,
)
from cohorts.persons import PersonYears, as_person_years
from cohorts.selection import Step, check_reconciles, drop_step, keep_rows, selection_frame


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` returns.

    Attributes
    ----------
    cohorts : pandas.DataFrame
        One row per analysable new mortgage (every analysis column, norm columns
        included, and ``duration, event, exit_type``).
    panel : pandas.DataFrame
        One row per new mortgage per snapshot seen, with household income of t+1.
    stock_parts : tuple of pandas.DataFrame
        The stock, one frame per snapshot: one row per linkable
        single-mortgage household per snapshot, with its finances of t+1 (the
        report's "hypotheekvoorraad"). :attr:`stock` joins them. The full
        population has millions of rows per snapshot, so the parts are kept
        apart until they are written. Empty when a ``stock_sink`` took them.
    n_stock : int
        Rows of the stock.
    selection : pandas.DataFrame
        Every step of the selection (see :mod:`cohorts.selection`), for the
        cohorts and for the stock; it reconciles exactly.
    timings : dict
        Wall time in seconds per stage.
    """

    cohorts: pd.DataFrame
    panel: pd.DataFrame
    stock_parts: tuple[pd.DataFrame, ...]
    selection: pd.DataFrame
    n_stock: int
    timings: dict = field(default_factory=dict)

    @property
    def stock(self) -> pd.DataFrame:
        """The stock as one frame (joined on each access; :func:`write_build` writes the parts).

        Raises
        ------
        ValueError
            If the stock was handed to a ``stock_sink`` instead of kept.
        """
        if not self.stock_parts and self.n_stock:
            raise ValueError("the stock was handed to a stock_sink (written while built), not kept in the result")
        if len(self.stock_parts) == 1:
            return self.stock_parts[0]
        return pd.concat(self.stock_parts, ignore_index=True)


def _drop_negative_income(df: pd.DataFrame, *, population: str, unit: str) -> tuple[pd.DataFrame, Step]:
    neg = (df[C.MAIN_INCOME].to_numpy() < 0) | (df[C.PARTNER_INCOME].to_numpy() < 0)
    out = keep_rows(df, ~neg)
    return out, drop_step(population, unit, "personal incomes at t+1 not negative", len(df), len(out),
                          "negative gross personal income (loss from own business) of main earner or partner: "
                          "the lending norm is undefined")


def aggregate_chunks(parts: pd.DataFrame | Iterable[pd.DataFrame]) -> tuple[pd.DataFrame, list[Step]]:
    """Loan parts -> one row per mortgage per snapshot, from one frame or chunk by chunk.

    Drops parts that are not owner-occupied and aggregates the rest
    (:func:`cohorts.link.aggregate_parts`). ``parts`` may be an iterable of
    validated chunks (:func:`cohorts.io.iter_input`): each chunk is reduced to
    partial sums before the next is read, so the loan parts are never all in
    memory, and the result is the same as for the whole file.

    Returns
    -------
    (DataFrame, list of Step)
        Mortgage-snapshots (:data:`cohorts.link.MORTGAGE_COLUMNS`) and the
        selection steps so far.
    """
    chunks = [parts] if isinstance(parts, pd.DataFrame) else parts
    n_parts = n_owner = 0
    sums, owner_step = PartialSums(), None
    for chunk in chunks:
        keep, owner_step = owner_occupied_mask(chunk)
        n_parts += len(chunk)
        n_owner += int(keep.sum())
        sums.add(partial_sums(chunk, keep=keep))
        del chunk, keep
    if owner_step is None:
        raise ValueError("no loan parts to aggregate")
    mortgages = sums.finish()
    steps = [
        Step("cohorts", "input", "loan parts", "raw LLD loan parts", n_parts, n_parts, 0, "as read and validated"),
        drop_step("cohorts", owner_step.unit, owner_step.rule, n_parts, n_owner, owner_step.reason),
        aggregate_step("cohorts", n_owner, len(mortgages)),
    ]
    return mortgages, steps


def _link(mortgages: pd.DataFrame, key: pd.DataFrame, steps: list[Step]) -> tuple[pd.DataFrame, list[Step]]:
    linked, s = link_key(mortgages, key)
    if len(linked) == 0:
        raise ValueError(
            f"key table: none of the {len(mortgages):,} LLD mortgage-snapshots has its loan_id in the key table "
            f"({len(key):,} rows); the loan ids of the two files do not match (check the column mapping)"
        )
    return linked, [*steps, s]


def link_parts(lld: pd.DataFrame | Iterable[pd.DataFrame], key: pd.DataFrame) -> tuple[pd.DataFrame, list[Step]]:
    """First half of the build: loan parts -> linked mortgage-snapshots.

    :func:`aggregate_chunks`, then the link to the main earner through the
    2017 key table (:func:`cohorts.link.link_key`). Only this step needs the
    loan parts.

    Returns
    -------
    (DataFrame, list of Step)
        One row per linked mortgage-snapshot (:data:`cohorts.link.MORTGAGE_COLUMNS`
        plus ``main_id``) and the selection steps so far.
    """
    mortgages, steps = aggregate_chunks(lld)
    return _link(mortgages, key, steps)


def build(
    lld: pd.DataFrame,
    cbs: pd.DataFrame,
    key: pd.DataFrame,
    *,
    threshold: float = 1.0,
    consumer_credit_bound: float = CONSUMER_CREDIT_BOUND,
    starter_max_age: int = STARTER_MAX_AGE,
    norm_tables: object | None = None,
    wlt_reading: str = "toetsrente",
) -> BuildResult:
    """Link the raw inputs and build the cohort table, panel, stock and selection table.

    The composition of :func:`link_parts` and :func:`build_linked`.

    Parameters
    ----------
    lld, cbs, key : pandas.DataFrame
        Validated raw inputs (see :mod:`cohorts.contracts`).
    threshold : float, default 1.0
        LTI-utilisation cut-off for the ``high`` flag (1.0 = 100% of the norm).
    consumer_credit_bound : float, default 50000
        CBS "overige schulden" above this are not counted as consumer credit.
    starter_max_age : int, default 35
        Starters: main earner at most this old at origination.
    norm_tables : cohorts.norms.NormTables, optional
        Norm tables to use (default: the packaged Trhk tables).
    wlt_reading : {"toetsrente", "contract"}, default "toetsrente"
        Reading of the actual-cost test (:func:`cohorts.norms.apply_norm`).

    Returns
    -------
    BuildResult
    """
    t0 = time.perf_counter()
    linked, steps = link_parts(lld, key)
    seconds = time.perf_counter() - t0
    result = build_linked(linked, cbs, steps=steps, threshold=threshold, consumer_credit_bound=consumer_credit_bound,
                          starter_max_age=starter_max_age, norm_tables=norm_tables, wlt_reading=wlt_reading)
    result.timings["link_parts"] = seconds
    return result


_ROW = "_linked_row"


def _stock_snapshot(
    linked: pd.DataFrame,
    rows: np.ndarray,
    cbs: PersonYears,
    *,
    main_codes: np.ndarray,
    consumer_credit_bound: float,
    starter_max_age: int,
) -> tuple[pd.DataFrame, list[Step]]:
    """One snapshot of the stock: ``linked``'s ``rows`` with t+1 finances, after the stock's rules.

    The rules (:func:`attach_finances`, :func:`require_house_value`) run on
    the few columns they read; the full width of ``linked`` is then copied
    once, for the rows that pass. (Filtering the full-width part rule by rule
    copied millions of rows per rule.) The result and its steps are those of
    running the rules on ``linked.take(rows)``.
    """
    keys = linked[[C.MAIN_ID, C.SNAPSHOT_YEAR, C.HOUSE_VALUE]].take(rows)
    keys[_ROW] = rows
    fin, steps = attach_finances(keys, cbs, consumer_credit_bound=consumer_credit_bound, starter_max_age=starter_max_age,
                                 population="stock", unit="mortgage-snapshots", year_col=C.SNAPSHOT_YEAR,
                                 main_codes=main_codes)
    fin, s = require_house_value(fin, population="stock", unit="mortgage-snapshots")
    wide = linked.take(fin[_ROW].to_numpy())
    wide.index = pd.RangeIndex(len(wide))
    added = fin.drop(columns=[*keys.columns])
    return side_by_side(wide, added), [*steps, s]


def build_linked(
    linked: pd.DataFrame,
    cbs: pd.DataFrame | PersonYears,
    *,
    steps: list[Step],
    threshold: float = 1.0,
    consumer_credit_bound: float = CONSUMER_CREDIT_BOUND,
    starter_max_age: int = STARTER_MAX_AGE,
    norm_tables: object | None = None,
    wlt_reading: str = "toetsrente",
    stock_sink: Callable[[pd.DataFrame], None] | None = None,
) -> BuildResult:
    """Second half of the build: linked mortgage-snapshots + CBS -> cohorts, panel, stock, selection.

    Parameters
    ----------
    linked : pandas.DataFrame
        The output of :func:`link_parts`.
    cbs : pandas.DataFrame or cohorts.persons.PersonYears
        Validated CBS person-years, or their index.
    steps : list of Step
        The selection steps of :func:`link_parts`; the table continues from them.
    threshold, consumer_credit_bound, starter_max_age, norm_tables, wlt_reading
        As in :func:`build`.
    stock_sink : callable, optional
        Called with each snapshot's part of the stock as soon as it is built
        (e.g. :meth:`cohorts.io.ParquetAppender.append`); the parts are then
        not kept in the result. The stock of the full population has millions
        of rows per snapshot: ``cohorts build`` writes them one by one.

    Returns
    -------
    BuildResult
    """
    from cohorts.norms import apply_norm  # the norm stage

    timings: dict[str, float] = {}
    steps = list(steps)
    n_linked = len(linked)
    t = time.perf_counter()
    cbs = as_person_years(cbs)  # one index for every CBS look-up below
    main_codes = cbs.codes(linked[C.MAIN_ID])  # hashed once, used by the household and stock look-ups
    multi = multi_mortgage_loans(linked, cbs, main_codes=main_codes)
    timings["households"] = time.perf_counter() - t

    # ---- stock (first: its last snapshot is written while the cohorts are built) ----
    t = time.perf_counter()
    stock_steps: list[Step] = []
    is_multi_snap = np.isin(linked[C.LOAN_ID].to_numpy(), multi)
    stock_steps.append(drop_step("stock", "mortgage-snapshots", "household holds one mortgage", n_linked,
                                 int((~is_multi_snap).sum()),
                                 "main earner or partner also in another mortgage's household in some snapshot"))
    # one snapshot at a time: the full stock has millions of rows per snapshot
    chunks, chunk_steps, n_stock = [], [], 0
    snapshot = linked[C.SNAPSHOT_YEAR].to_numpy()
    for year in np.unique(snapshot):
        rows = np.flatnonzero(~is_multi_snap & (snapshot == year))
        part, ss = _stock_snapshot(linked, rows, cbs, main_codes=main_codes[rows],
                                   consumer_credit_bound=consumer_credit_bound, starter_max_age=starter_max_age)
        n_stock += len(part)
        if stock_sink is None:
            chunks.append(part)
        else:
            stock_sink(part)
        del part
        chunk_steps.append(ss)
    # the per-snapshot steps, summed over snapshots, in their order
    for i in range(len(chunk_steps[0])):
        first = chunk_steps[0][i]
        stock_steps.append(drop_step("stock", first.unit, first.rule, sum(c[i].rows_in for c in chunk_steps),
                                     sum(c[i].rows_out for c in chunk_steps), first.reason))
    stock_steps.append(Step("stock", "result", "mortgage-snapshots", "linkable stock", n_stock, n_stock, 0,
                            "stock.parquet"))
    timings["stock"] = time.perf_counter() - t

    # ---- new mortgages -------------------------------------------------
    t = time.perf_counter()
    loans, s = loans_from_snapshots(linked)
    steps.append(s)
    is_multi = np.isin(loans[C.LOAN_ID].to_numpy(), multi)
    single = loans.loc[~is_multi]
    steps.append(drop_step("cohorts", "mortgages", "household holds one mortgage", len(loans), len(single),
                           "main earner or partner also in another mortgage's household in some snapshot"))
    new, ss = select_new_mortgages(single)
    steps.extend(ss)
    new, ss = attach_finances(new, cbs, consumer_credit_bound=consumer_credit_bound, starter_max_age=starter_max_age)
    steps.extend(ss)
    new, s = _drop_negative_income(new, population="cohorts", unit="mortgages")
    steps.append(s)
    new, s = require_house_value(new)
    steps.append(s)
    new = apply_norm(new, threshold=threshold, tables=norm_tables, columns={"year": C.COHORT},
                     wlt_reading=wlt_reading)
    new = follow_up(new, linked)
    steps.append(Step("cohorts", "result", "mortgages", "analysable new mortgages", len(new), len(new), 0,
                      "cohorts.parquet"))
    panel = build_panel(new, linked, cbs)
    timings["cohorts"] = time.perf_counter() - t

    selection = selection_frame(steps + stock_steps)
    check_reconciles(selection)
    return BuildResult(cohorts=new, panel=panel, stock_parts=tuple(chunks), selection=selection, n_stock=n_stock,
                       timings=timings)


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
