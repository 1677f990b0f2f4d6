"""Attack the released files of ``cohorts reproduce`` runs at larger scales (outside the test suite).

For each seed: generate the synthetic twin, run ``cohorts reproduce`` (the gate
and its own attack inside), then attack what the run released, with nothing
but the released files (as ``tests/disclosure/test_attacker.py`` does at
scales 0.002 and 0.01): the linear-programming audit over every released
number with no witness from the data, and the check that every
primary-suppressed count (from the checker's log, which is never released)
lies inside the attacker's interval.  Prints one line per run and writes a
JSON summary.

Usage::

    python benchmarks/attack.py --scale 0.1 --seeds 1 2 3 --out benchmarks/attack-0.1.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def attack_run(scale: float, seed: int, work: Path) -> dict:
    """One run: synth, reproduce, attack the released files; returns the measurements."""
    from cohorts.cli import main
    from cohorts.codebook import UNIVERSES
    from cohorts.disclosure import attack, load_rules
    from cohorts.studies.high_mortgages.release import read_release, released_files, truth_outside

    rules = load_rules()
    data, out = work / f"data-{scale}-{seed}", work / f"out-{scale}-{seed}"
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if main(["synth", "--scale", str(scale), "--seed", str(seed), "--out", str(data)]) != 0:
            raise RuntimeError("synth failed")
        t1 = time.perf_counter()
        if main(["reproduce", "--data", str(data), "--scale", str(scale), "--seed", str(seed), "--out", str(out),
                 "--quiet"]) != 0:
            raise RuntimeError("reproduce failed")
    t2 = time.perf_counter()
    frames = released_files(out)
    audit = attack(read_release(frames), UNIVERSES, min_units=rules.min_units, protection=rules.protection_level)
    t3 = time.perf_counter()
    exact = attack(read_release(frames), UNIVERSES, min_units=rules.min_units, protection=1000.0,
                   differences=False)
    log = pd.read_csv(out / "checker" / "disclosure_log.csv")
    outside = truth_outside(exact.bounds, log)
    return {"scale": scale, "seed": seed, "files": len(frames), "targets": len(audit.bounds),
            "exposed": [f"{b.label} [{b.lo:g}, {b.hi:g}]" for b in audit.exposures],
            "truth_outside_interval": outside[:-1], "truth_checked": outside[-1],
            "secondary": int(log["decision"].str.endswith("(secondary)").sum()),
            "synth_s": round(t1 - t0, 1), "reproduce_s": round(t2 - t1, 1), "attack_s": round(t3 - t2, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--work", type=Path, default=HERE / "work" / "attack")
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the results")
    args = parser.parse_args(argv)
    results = []
    for seed in args.seeds:
        r = attack_run(args.scale, seed, args.work)
        results.append(r)
        print(f"scale {r['scale']:g} seed {r['seed']}: {r['files']} released files, {r['targets']} targets, "
              f"{len(r['exposed'])} exposed, {len(r['truth_outside_interval'])} true counts outside their "
              f"interval, {r['secondary']} secondary decisions; reproduce {r['reproduce_s']} s, "
              f"attack {r['attack_s']} s", flush=True)
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if all(not r["exposed"] and not r["truth_outside_interval"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
