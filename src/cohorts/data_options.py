"""The data options every study's ``cohorts reproduce`` shares (``--scale``, ``--seed``, ``--out``, ``--data``,
``--mapping``, ``--real``): the router parses the default study's options and hands them to whichever study
``--study`` names (``docs/studies.md``), so each study declares them with :func:`add_data_arguments`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the synthetic-or-real data options of a reproduction to ``parser``."""
    parser.add_argument("--scale", type=float, default=0.01, help="synthetic population scale (default 0.01)")
    parser.add_argument("--seed", type=int, default=20221, help="synthetic seed (default 20221)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--data", type=Path, default=None,
                        help="raw data folder (default OUT/data, generated when missing); with --mapping or "
                             "--real, used as it is")
    parser.add_argument("--mapping", type=Path, default=None, help="column-mapping TOML of a real extract")
    parser.add_argument("--real", action="store_true",
                        help="--data holds real extracts: no synthetic generation, scale 1")
