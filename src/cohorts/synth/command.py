"""``cohorts synth``: generate the synthetic LLD + CBS panel."""

from __future__ import annotations

import argparse
from pathlib import Path

from cohorts.synth.params import load_params
from cohorts.synth.write import write_synthetic


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of ``cohorts synth``."""
    parser.add_argument("--scale", type=float, default=0.01,
                        help="population scale; 1.0 = the report's population (default 0.01)")
    parser.add_argument("--seed", type=int, default=20221, help="master seed (default 20221)")
    parser.add_argument("--out", type=Path, default=Path("data_synthetic"),
                        help="output folder; an earlier output (with manifest.json) or an empty folder is "
                             "replaced, anything else is refused (default data_synthetic)")
    parser.add_argument("--params", type=Path, default=None,
                        help="generator parameter file (default: the packaged params.toml)")


def run(args: argparse.Namespace) -> int:
    """Generate and write; print a one-line summary per file."""
    params = load_params(args.params)
    manifest = write_synthetic(args.out, scale=args.scale, seed=args.seed, params=params)
    print(f"cohorts synth: scale {args.scale:g}, seed {args.seed} -> {args.out}")
    for f in manifest["files"]:
        rows = "" if f["rows"] is None else f"{f['rows']:>12,} rows"
        print(f"  {f['name']:<24} {rows:>17} {f['bytes']:>14,} bytes")
    return 0
