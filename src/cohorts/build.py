"""The build stage: raw inputs -> cohort table, follow-up panel, stock, selection table.

:func:`build` chains the pure steps of :mod:`cohorts.link`, :mod:`cohorts.cohort`
and :mod:`cohorts.norms`; :func:`run` (``cohorts build``) reads the raw inputs,
calls it, and writes ``cohorts.parquet``, ``panel.parquet``, ``stock.parquet``,
``selection.csv`` and ``manifest.json`` atomically.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cohorts import __version__
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
from cohorts.io import (
    ColumnMapping,
    load_mapping,
    read_raw,
    write_csv,
    write_outputs_with_manifest,
    write_parquet,
)
from cohorts.link import aggregate_parts, link_key, multi_mortgage_loans, owner_occupied_mask
from cohorts.persons import PersonYears
from cohorts.selection import Step, check_reconciles, drop_step, selection_frame


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
    stock : pandas.DataFrame
        One row per linkable single-mortgage household per snapshot, with its
        finances of t+1 (the report's "hypotheekvoorraad").
    selection : pandas.DataFrame
        Every step of the selection (see :mod:`cohorts.selection`), for the
        cohorts and for the stock; it reconciles exactly.
    timings : dict
        Wall time in seconds per stage.
    """

    cohorts: pd.DataFrame
    panel: pd.DataFrame
    stock: pd.DataFrame
    selection: pd.DataFrame
    timings: dict = field(default_factory=dict)


def _drop_negative_income(df: pd.DataFrame, *, population: str, unit: str) -> tuple[pd.DataFrame, Step]:
    neg = (df[C.MAIN_INCOME].to_numpy() < 0) | (df[C.PARTNER_INCOME].to_numpy() < 0)
    out = df.loc[~neg].reset_index(drop=True)
    return out, drop_step(population, unit, "personal incomes at t+1 not negative", len(df), len(out),
                          "negative gross personal income (loss from own business) of main earner or partner: "
                          "the lending norm is undefined")


def build(
    lld: pd.DataFrame,
    cbs: pd.DataFrame,
    key: pd.DataFrame,
    *,
    threshold: float = 1.0,
    consumer_credit_bound: float = CONSUMER_CREDIT_BOUND,
    starter_max_age: int = STARTER_MAX_AGE,
    norm_tables: object | None = None,
) -> BuildResult:
    """Link the raw inputs and build the cohort table, panel, stock and selection table.

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

    Returns
    -------
    BuildResult
    """
    from cohorts.norms import apply_norm  # the norm stage

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    steps: list[Step] = [
        Step("cohorts", "input", "loan parts", "raw LLD loan parts", len(lld), len(lld), 0, "as read and validated")
    ]
    owner_occupied, s = owner_occupied_mask(lld)
    steps.append(s)
    mortgages, s = aggregate_parts(lld, keep=owner_occupied)
    steps.append(s)
    timings["aggregate"] = time.perf_counter() - t0

    t = time.perf_counter()
    linked, s = link_key(mortgages, key)
    steps.append(s)
    n_linked = len(linked)
    if n_linked == 0:
        raise ValueError(
            f"key table: none of the {len(mortgages):,} LLD mortgage-snapshots has its loan_id in the key table "
            f"({len(key):,} rows); the loan ids of the two files do not match (check the column mapping)"
        )
    cbs = PersonYears.from_frame(cbs)  # one index for every CBS look-up below
    multi = multi_mortgage_loans(linked, cbs)
    timings["link"] = time.perf_counter() - t

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
    new = apply_norm(new, threshold=threshold, tables=norm_tables, columns={"year": C.COHORT})
    new = follow_up(new, linked)
    steps.append(Step("cohorts", "result", "mortgages", "analysable new mortgages", len(new), len(new), 0,
                      "cohorts.parquet"))
    panel = build_panel(new, linked, cbs)
    timings["cohorts"] = time.perf_counter() - t

    # ---- stock -----------------------------------------------------------
    t = time.perf_counter()
    stock_steps: list[Step] = []
    is_multi_snap = np.isin(linked[C.LOAN_ID].to_numpy(), multi)
    stock_steps.append(drop_step("stock", "mortgage-snapshots", "household holds one mortgage", n_linked,
                                 int((~is_multi_snap).sum()),
                                 "main earner or partner also in another mortgage's household in some snapshot"))
    # one snapshot at a time: the full stock has millions of rows per snapshot
    chunks, chunk_steps = [], []
    for year in np.unique(linked[C.SNAPSHOT_YEAR].to_numpy()):
        part = linked.loc[~is_multi_snap & (linked[C.SNAPSHOT_YEAR].to_numpy() == year)]
        part, ss = attach_finances(part, cbs, consumer_credit_bound=consumer_credit_bound,
                                   starter_max_age=starter_max_age, population="stock", unit="mortgage-snapshots",
                                   year_col=C.SNAPSHOT_YEAR)
        part, s = require_house_value(part, population="stock", unit="mortgage-snapshots")
        chunks.append(part)
        chunk_steps.append([*ss, s])
    stock = pd.concat(chunks, ignore_index=True)
    del chunks
    # the per-snapshot steps, summed over snapshots, in their order
    for i in range(len(chunk_steps[0])):
        first = chunk_steps[0][i]
        stock_steps.append(drop_step("stock", first.unit, first.rule, sum(c[i].rows_in for c in chunk_steps),
                                     sum(c[i].rows_out for c in chunk_steps), first.reason))
    stock_steps.append(Step("stock", "result", "mortgage-snapshots", "linkable stock", len(stock), len(stock), 0,
                            "stock.parquet"))
    timings["stock"] = time.perf_counter() - t

    selection = selection_frame(steps + stock_steps)
    check_reconciles(selection)
    return BuildResult(cohorts=new, panel=panel, stock=stock, selection=selection, timings=timings)


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
        extra={"rows": {"cohorts": len(result.cohorts), "panel": len(result.panel), "stock": len(result.stock)}},
    )
    record.update({"cohorts_version": __version__, "parameters": parameters, **(extra or {})})
    return record


def write_build(result: BuildResult, out_dir: str | Path, manifest: dict) -> None:
    """Write ``cohorts.parquet``, ``panel.parquet``, ``stock.parquet``, ``selection.csv`` and the manifest atomically.

    The manifest gets ``outputs``: the size and SHA-256 of each file written.
    """
    write_outputs_with_manifest(
        out_dir,
        {
            "cohorts.parquet": lambda p: write_parquet(result.cohorts, p),
            "panel.parquet": lambda p: write_parquet(result.panel, p),
            "stock.parquet": lambda p: write_parquet(result.stock, p),
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
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def run(args: argparse.Namespace) -> int:
    """``cohorts build``: read, validate, build, write atomically, print the selection and a summary."""
    from cohorts.provenance import synthetic_settings, utc_now

    started = utc_now()
    t0 = time.perf_counter()
    mapping = load_mapping(args.mapping) if args.mapping else ColumnMapping()
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    log(f"reading and validating raw inputs in {args.data} ...")
    raw = read_raw(args.data, mapping=mapping)
    log(f"  {len(raw.lld):,} loan parts, {len(raw.cbs):,} CBS person-years, {len(raw.key):,} key rows "
        f"({time.perf_counter() - t0:.1f} s)")
    tables = None
    if args.tables is not None:
        from cohorts.norms import load_tables

        tables = load_tables(args.tables)
    log("building cohorts ...")
    result = build(raw.lld, raw.cbs, raw.key, threshold=args.threshold,
                   consumer_credit_bound=args.consumer_credit_bound, norm_tables=tables)
    manifest = build_manifest(
        result, inputs=raw.paths, mapping=mapping, command="cohorts build",
        parameters={"threshold": args.threshold, "consumer_credit_bound": args.consumer_credit_bound,
                    "tables": str(args.tables) if args.tables else "packaged"},
        started=started, finished=utc_now(), synthetic=synthetic_settings(args.data),
    )
    write_build(result, args.out, manifest)
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
