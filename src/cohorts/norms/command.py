"""``cohorts norm``: the lending norm for a CSV of households.

Reads a CSV with the input columns of :func:`cohorts.norms.apply_norm`, writes
it back with the computed columns added.  Rows in error messages are data-row
numbers (1 = the first row under the header).  On bad input nothing is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from cohorts.io import write_outputs
from cohorts.norms.engine import apply_norm, validate_inputs
from cohorts.norms.schema import INPUT_COLUMNS
from cohorts.norms.tables import load_tables
from cohorts.norms.wlt import WLT_READINGS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the arguments of ``cohorts norm``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The subcommand's parser.
    """
    parser.epilog = (
        "Input columns: " + ", ".join(INPUT_COLUMNS) + ". The output repeats them and adds the computed "
        "columns. On bad rows nothing is written; rows are named by data-row number (1 = first row under "
        "the header). Rules and sources: docs/norms.md."
    )
    parser.add_argument("input", metavar="INPUT.csv", type=Path, help="CSV with the norm's input columns")
    parser.add_argument("--out", required=True, type=Path, metavar="OUTPUT.csv", help="where to write the result")
    parser.add_argument(
        "--threshold",
        type=float,
        default=1.0,
        help="high = lti_util > THRESHOLD (default 1.0 = 100%% of the norm)",
    )
    parser.add_argument(
        "--tables",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of extra Trhk tables in the long CSV format (adds or replaces years)",
    )
    add_wlt_reading_argument(parser)


def add_wlt_reading_argument(parser: argparse.ArgumentParser) -> None:
    """Register ``--wlt-reading`` (the reading of Box 1; :mod:`cohorts.norms.wlt`) on a command's parser."""
    parser.add_argument(
        "--wlt-reading",
        choices=WLT_READINGS,
        default=WLT_READINGS[0],
        help="rate the interest-only part is charged at in the actual-cost test (WLT): toetsrente = the test "
        "rate (default), contract = the mortgage's own interest rate ('werkelijke lasten'); docs/norms.md",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``cohorts norm``.

    Parameters
    ----------
    args : argparse.Namespace
        ``input``, ``out``, ``threshold``, ``tables``, ``wlt_reading``.

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    FileNotFoundError
        If the input file or the tables folder does not exist.
    ValueError
        (:class:`cohorts.errors.ContractError`) on bad rows or bad tables; the
        message names the column, the rule and the data-row numbers.
    """
    src = Path(args.input)
    if not src.is_file():
        raise FileNotFoundError(f"input CSV not found: {src}")
    frame = pd.read_csv(src)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    validate_inputs(frame, source=f"{src} (rows are data-row numbers)")
    tables = load_tables(args.tables)
    result = apply_norm(frame, threshold=args.threshold, tables=tables, wlt_reading=args.wlt_reading)
    out = Path(args.out)
    # one row per household: an intermediate for use inside the secure environment, not an aggregate
    # export, so it does not pass the disclosure gate; written atomically
    write_outputs(out.parent, {out.name: lambda p: result.to_csv(p, index=False, lineterminator="\n")})
    return 0
