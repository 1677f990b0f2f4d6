"""The command-line options every gated command shares: ``--disclosure-rules``, ``--strict``, ``--quiet``.

``cohorts analyze``, ``cohorts reproduce`` (both studies) and ``cohorts refinance`` write only through the
disclosure gate; they declare its options with :func:`add_gate_arguments`, so the three read the same in
every ``--help`` and a command that forwards them to another (``cohorts reproduce --study interest_only``
runs ``cohorts refinance``) gets them back with :func:`gate_argv`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: ``--quiet`` of a command that prints nothing but errors.
QUIET_HELP = "print nothing but errors"


def add_gate_arguments(parser: argparse.ArgumentParser, *, strict_default: str,
                       quiet_help: str = QUIET_HELP) -> None:
    """Add ``--disclosure-rules TOML``, ``--strict/--no-strict`` and ``--quiet`` to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser.
    strict_default : str
        What ``--strict`` defaults to for this command, in words (the end of its help:
        ``"strict on real data, not strict on the synthetic twin"``).
    quiet_help : str, default :data:`QUIET_HELP`
        The help of ``--quiet``.
    """
    parser.add_argument("--disclosure-rules", type=Path, default=None, metavar="TOML",
                        help="disclosure rules overriding the packaged ones (see docs/disclosure.md)")
    parser.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                        help=f"refuse to write anything when an output needs suppression (default: {strict_default})")
    parser.add_argument("--quiet", action="store_true", help=quiet_help)


def gate_argv(args: argparse.Namespace) -> list[str]:
    """The options of :func:`add_gate_arguments` that ``args`` set, as command-line words (unset ones left out,
    so the receiving command keeps its own defaults)."""
    argv: list[str] = []
    if getattr(args, "disclosure_rules", None) is not None:
        argv += ["--disclosure-rules", str(args.disclosure_rules)]
    if getattr(args, "strict", None) is not None:
        argv.append("--strict" if args.strict else "--no-strict")
    if getattr(args, "quiet", False):
        argv.append("--quiet")
    return argv
