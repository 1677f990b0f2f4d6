"""``cohorts analyze``: survival tables from the cohort table, written as CSV.

Reads ``cohorts.parquet`` (or a CSV), computes every table in memory with
:func:`cohorts.survival.analysis_tables`, passes each through the disclosure
gate (:func:`cohorts.disclosure.analysis_releases` and
:func:`cohorts.disclosure.protect`: curves cut and pooled, models without
enough events refused, small counts suppressed, then the whole release
attacked and secondary suppressions added until nothing is exposed) and only
then writes them with a provenance ``manifest.json`` in one atomic step
(:func:`cohorts.io.write_outputs_with_manifest`), so invalid input leaves the
output directory untouched.  The checker's log and audit go to ``checker/``
(never released; named, not hashed, in the manifest).

Strict mode (``--strict``; the default unless a ``manifest.json`` beside the
cohort table says the data are synthetic) writes nothing when any table
needed suppression and exits with code 2, listing the tables and reasons.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from cohorts.codebook import ANALYSIS_UNIVERSE, UNIVERSES, analysis_curve_views, analysis_units, read_analysis
from cohorts.disclosure import Gate, analysis_releases, load_rules, protect, release_selection, strict_default
from cohorts.disclosure.survival import point_decisions
from cohorts.io import write_csv, write_outputs, write_outputs_with_manifest
from cohorts.progress import heartbeat
from cohorts.survival.sweep import DEFAULT_THRESHOLDS
from cohorts.survival.tables import analysis_tables
from cohorts.disclosure.options import add_gate_arguments


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
    add_gate_arguments(parser, strict_default="strict unless the build manifest beside --cohorts says the data "
                                              "are synthetic")


def read_cohorts(path: Path) -> pd.DataFrame:
    """Read the cohort table from Parquet or CSV (by suffix)."""
    if not path.is_file():
        raise FileNotFoundError(f"cohort table not found: {path}")
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    return pd.read_parquet(path)


def _csv_writer(frame: pd.DataFrame):
    return lambda p: write_csv(frame, p)


def build_provenance(cohorts_path: Path) -> dict | None:
    """The build manifest beside the cohort table (``manifest.json``), or None."""
    try:
        manifest = json.loads((cohorts_path.parent / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return manifest if isinstance(manifest, dict) else None


def run(args: argparse.Namespace) -> int:
    """Compute the tables, gate them and write them with the log and manifest to ``args.out``; returns 0."""
    from cohorts.provenance import run_manifest, utc_now

    started = utc_now()
    t0 = time.perf_counter()
    log = (lambda *a: None) if getattr(args, "quiet", False) else (lambda *a: print(*a, file=sys.stderr, flush=True))
    rules = load_rules(args.disclosure_rules)
    log(f"reading the cohort table {args.cohorts} ...")
    df = read_cohorts(args.cohorts)
    log(f"  {len(df):,} new mortgages ({time.perf_counter() - t0:.1f} s)")
    log("computing the survival tables ...")
    t = time.perf_counter()
    tables = analysis_tables(df, threshold=args.threshold, thresholds=args.thresholds, alpha=args.alpha,
                             progress=log)
    log(f"  {len(tables)} tables ({time.perf_counter() - t:.1f} s)")
    build = build_provenance(args.cohorts)
    synthetic = build.get("synthetic") if build else None
    synthetic = synthetic if isinstance(synthetic, dict) else None
    strict = strict_default(synthetic=synthetic is not None, rules=rules) if args.strict is None else args.strict
    releases = analysis_releases(tables, rules=rules)
    if strict:  # strict mode refuses as soon as a primary rule needs suppression: no attack needed for that
        Gate({r.name: r.make({}) for r in releases}, rules, True).enforce()
    log(f"disclosure control: {len(releases)} tables gated, then attacked together ...")
    t = time.perf_counter()
    with heartbeat(log, "checking and attacking the tables"):
        views = analysis_curve_views(threshold=args.threshold)
        protected = protect(releases, read=lambda frames: read_analysis(frames, threshold=args.threshold),
                            universes=UNIVERSES, rules=rules, units={ANALYSIS_UNIVERSE.name: analysis_units(df)},
                            cross_check=lambda frames: point_decisions(frames, views))
    gate = Gate(protected.checked, rules, bool(strict))
    gate.enforce()
    writers = {name: _csv_writer(gate.published(name)) for name in gate.checked}
    disclosure_log = gate.log
    audit = protected.audit.table()
    log(f"  {len(gate.needing())} table(s) needed suppression; {len(audit):,} hidden cells and difference "
        f"populations bounded, none exposed ({time.perf_counter() - t:.1f} s)")
    # for the output checker, never released: written apart and not hashed in the manifest (a hash of a
    # file holding the hidden counts would let an attacker confirm a guess of them)
    checker = {"checker/disclosure_log.csv": _csv_writer(disclosure_log), "checker/audit.csv": _csv_writer(audit)}
    configuration = {"threshold": args.threshold, "thresholds": list(args.thresholds), "alpha": args.alpha,
                     "strict": bool(strict), "disclosure_rules": rules.to_dict()}

    def manifest(records: dict[str, dict]) -> dict:
        return run_manifest(
            command="cohorts analyze", started=started, finished=utc_now(), inputs={"cohorts": args.cohorts},
            outputs=records, configuration=configuration, mapping=build.get("mapping") if build else None,
            synthetic=synthetic, selection=release_selection(
                pd.DataFrame(build["selection"]), rules=rules) if build and build.get("selection") else None,
            extra={"rows": {"cohorts": len(df)}, "checker": sorted(checker),
                   "disclosure": {"strict": bool(strict), "artefacts_needing_suppression": sorted(gate.needing())}},
        )

    write_outputs(args.out, checker)
    write_outputs_with_manifest(args.out, writers, manifest)
    log(f"wrote {args.out}/{', '.join(sorted(writers))}, manifest.json; for the output checker (not for release): "
        f"{args.out}/checker ({time.perf_counter() - t0:.1f} s)")
    return 0
