"""``cohorts reproduce [--study NAME]``: run a registered study's reproduction (default :data:`cohorts.studies.DEFAULT`).

The options are those of the default study (``cohorts reproduce --help``); every study's
``run(args)`` receives the same parsed options and uses those it knows (``docs/studies.md``).
An unknown name is an error that lists the known studies.
"""

from __future__ import annotations

import argparse

from cohorts import studies


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the default study's options, then ``--study``."""
    studies.get(studies.DEFAULT).add_arguments(parser)
    parser.add_argument("--study", default=studies.DEFAULT, metavar="NAME",
                        help=f"the study to reproduce (default {studies.DEFAULT}; registered: "
                             f"{', '.join(studies.names())})")


def run(args: argparse.Namespace) -> int:
    """Run the study named by ``--study``."""
    return studies.get(args.study).run(args)
