"""``cohorts analyze``: survival tables from the cohort table, written as CSV.

Reads ``cohorts.parquet`` (or a CSV), computes every table in memory with
:func:`cohorts.survival.analysis_tables` and only then writes them, each
atomically (a temporary file in the output directory, then ``os.replace``), so
invalid input leaves the output directory untouched.
"""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path

import pandas as pd

from cohorts.survival.sweep import DEFAULT_THRESHOLDS
from cohorts.survival.tables import analysis_tables


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of ``cohorts analyze``."""
    parser.add_argument("--cohorts", required=True, type=Path, metavar="FILE",
                        help="cohort table (.parquet or .csv), one row per new mortgage")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="directory for km.csv, logrank.csv, cox.csv, ph.csv, discrete.csv, "
                        "cif.csv, sweep.csv, by_cohort.csv")
    parser.add_argument("--threshold", type=float, default=1.0,
                        help="LTI utilisation above which a mortgage is 'high' (ratio; default 1.0)")
    parser.add_argument("--thresholds", type=float, nargs="+", default=list(DEFAULT_THRESHOLDS),
                        help="thresholds of the sweep table (default 0.8 0.9 1.0 1.1 1.2)")
    parser.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level (default 0.05)")


def read_cohorts(path: Path) -> pd.DataFrame:
    """Read the cohort table from Parquet or CSV (by suffix)."""
    if not path.is_file():
        raise FileNotFoundError(f"cohort table not found: {path}")
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    return pd.read_parquet(path)


def write_csv_atomic(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "x", newline="") as fh:
            table.to_csv(fh, index=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    """Compute the tables and write them to ``args.out``; returns 0."""
    df = read_cohorts(args.cohorts)
    tables = analysis_tables(df, threshold=args.threshold, thresholds=args.thresholds, alpha=args.alpha)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_csv_atomic(table, out / f"{name}.csv")
    return 0
