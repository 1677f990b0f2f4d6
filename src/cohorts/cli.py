"""The ``cohorts`` command line: a thin layer over the package.

Each subcommand lives in the module of its stage, which exposes
``add_arguments(parser)`` and ``run(args) -> int``; this file only registers
them.  Errors from bad input (:class:`cohorts.errors.ContractError`,
:class:`cohorts.errors.ConfigError`, other ``ValueError``) are printed without a
traceback and give exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cohorts import __version__
from cohorts.errors import CohortsWarning

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "synth": ("cohorts.synth.command", "generate the synthetic LLD + CBS panel"),
    "build": ("cohorts.build", "link loan parts to households and build origination cohorts"),
    "norm": ("cohorts.norms.command", "compute the Trhk lending norm for a CSV of households"),
    "analyze": ("cohorts.survival.command", "survival tables (KM, log-rank, Cox, sweep) from cohorts.parquet"),
    "reproduce": (
        "cohorts.studies.command",
        "every table and figure of the report, and the comparison with its published numbers",
    ),
    "refinance": (
        "cohorts.studies.interest_only.command",
        "refinancing risk of interest-only households under the study's scenarios (AFM interest-only study)",
    ),
    "verify": ("cohorts.verify", "check that an output folder's files and inputs still match its manifest"),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="cohorts",
        description="Survival analysis of Dutch mortgage arrears (LLD + CBS, or the synthetic twin).",
    )
    parser.add_argument("--version", action="version", version=f"cohorts {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


@contextmanager
def notes_as_lines(prog: str) -> Iterator[None]:
    """Show the package's warnings as one line each, ``"<prog>: note: <message>"``, while the block runs.

    Python would print a :class:`cohorts.errors.CohortsWarning` (e.g. the
    norm-table fallback: 2016 and 2017 use the 2015 tables) as
    ``"path/engine.py:356: NormTableFallbackWarning: ..."`` followed by the
    source line of the ``warnings.warn`` call; a command prints it as one
    clear line instead, once per run (Python's default filter shows a
    warning once per message and place).  Only the display changes: the
    warning is still issued, filtered and recorded as usual (``-W error``,
    ``pytest.warns``), and other warnings keep Python's format.
    """
    original, original_show = warnings.formatwarning, warnings.showwarning
    shown: set[str] = set()

    def formatwarning(message, category, filename, lineno, line=None):  # noqa: ANN001, ANN202
        if isinstance(category, type) and issubclass(category, CohortsWarning):
            return f"{prog}: note: {message}\n"
        return original(message, category, filename, lineno, line)

    def showwarning(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001, ANN202
        # Python's registry forgets what it showed whenever a filter changes (warnings.catch_warnings inside
        # a stage, e.g. once per grid point of a sensitivity run): a note is shown once per run all the same
        if isinstance(category, type) and issubclass(category, CohortsWarning):
            if str(message) in shown:
                return
            shown.add(str(message))
        original_show(message, category, filename, lineno, file, line)

    warnings.formatwarning, warnings.showwarning = formatwarning, showwarning
    try:
        yield
    finally:
        warnings.formatwarning, warnings.showwarning = original, original_show


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cohorts`` console script."""
    from cohorts.atomic import terminate_cleanly

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # SIGTERM removes temporary files as an error does (cohorts.atomic)
        with terminate_cleanly(), notes_as_lines(f"cohorts {args.command}"):
            return int(args._run(args) or 0)
    except (ValueError, FileNotFoundError) as exc:  # ContractError and ConfigError are ValueErrors
        print(f"cohorts {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
