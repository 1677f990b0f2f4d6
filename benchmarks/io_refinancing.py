"""Benchmark the interest-only study stage by stage: wall time, CPU time and peak memory.

Stages (each in a fresh Python process, measured as ``run.py`` does: ``os.wait4`` accounting of
the child, ``--settle`` idle seconds first; ``inner`` is the stage's own work without the
interpreter start-up and without the untimed set-up it needs):

* ``synth`` (optional) -- ``cohorts synth`` into ``<work>/data``;
* ``population`` -- read the raw files and build households + parts
  (:func:`~cohorts.studies.interest_only.population.build_population`); the result is pickled to
  ``<work>`` (untimed) for the later stages;
* ``prepare`` -- :func:`~cohorts.studies.interest_only.project.prepare` with the four scenarios;
* ``one`` -- one scenario and one start year (recession, 2032) by the fast path: compile once
  (:func:`~cohorts.studies.interest_only.sweep.compile_counts`) and count
  (``fast_counts``); the side file also records the slow path ``counts(outcomes(...))``;
* ``sweep`` -- :func:`~cohorts.studies.interest_only.sweep.sweep`: 31 start years x 3 shock
  scenarios + base (94 runs), compile included;
* ``sensitivity`` -- :func:`~cohorts.studies.interest_only.sensitivity.sensitivity` on the packaged
  grid (58 points, 17 preparations);
* ``command`` -- the whole ``cohorts refinance --scenario all --worst --sensitivity`` (population,
  sensitivity, prepare, sweep, the four outcomes, the gate, the comparison and the files) into
  ``<work>/refinance``, as a user runs it.

Every stage but ``synth`` first calls
:func:`~cohorts.studies.interest_only.memory.return_freed_memory`, as ``cohorts refinance`` does
(Arrow's system pool and a fixed glibc mmap threshold, so that freed frames leave the process);
``one`` and ``sweep`` call :func:`~cohorts.studies.interest_only.memory.reuse_freed_memory` once
prepared, as the command does.

Peak memory is the whole process's (set-up included), i.e. what running that stage from the
pickled population needs.  Usage::

    python benchmarks/io_refinancing.py --scale 1.0 --data /tmp/io-1.0 --out benchmarks/io_refinancing-1.0.json
    python benchmarks/io_refinancing.py --scale 2.0 --stages synth,population,prepare,one,sweep,sensitivity
    python benchmarks/io_refinancing.py --scale 1.0 --data /tmp/io-1.0 --stages population,prepare,one,sweep,sensitivity,command

The social-assistance levels are not packaged (the seed does not print them); the benchmark sets
them to 0, as ``/tmp/chain.py`` does, which disables that measurement flag.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import run_stage, write_report  # noqa: E402

STAGE_NAMES = ("synth", "population", "prepare", "one", "sweep", "sensitivity", "command")


def _setup(work: Path):  # noqa: ANN202
    import warnings

    import pandas as pd

    from cohorts import scenarios as SC
    from cohorts.norms.tables import load_tables
    from cohorts.studies.interest_only.parameters import load_parameters
    from cohorts.studies.interest_only.study_data import scenarios_path

    warnings.simplefilter("ignore")
    hh = pd.read_pickle(work / "households.pkl")
    parts = pd.read_pickle(work / "parts.pkl")
    params = load_parameters().replace(social_assistance_single=0.0, social_assistance_couple=0.0)
    return hh, parts, params, load_tables(), SC.load_scenarios(scenarios_path())


def worker(stage: str, data: str, work: str, scale: float, seed: int) -> None:
    """Run one stage in this process; print ``inner_seconds`` and write ``<work>/<stage>.json``."""
    import warnings

    warnings.simplefilter("ignore")
    w = Path(work)
    w.mkdir(parents=True, exist_ok=True)
    side: dict = {}
    if stage != "synth":
        from cohorts.studies.interest_only.memory import return_freed_memory

        side["allocators"] = return_freed_memory()
    if stage == "synth":
        from cohorts.cli import main

        t0 = time.perf_counter()
        rc = main(["synth", "--scale", str(scale), "--seed", str(seed), "--out", data])
        inner = time.perf_counter() - t0
        if rc:
            raise SystemExit(rc)
    elif stage == "command":
        from cohorts.cli import main

        t0 = time.perf_counter()
        rc = main(["refinance", "--data", data, "--out", str(w / "refinance"), "--scenario", "all", "--worst",
                   "--sensitivity", "--quiet"])
        inner = time.perf_counter() - t0
        if rc:
            raise SystemExit(rc)
    elif stage == "population":
        import pandas as pd

        from cohorts.studies.interest_only.population import build_population, read_inputs

        t0 = time.perf_counter()
        inp = read_inputs(data)
        pop = build_population(inp.lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling)
        inner = time.perf_counter() - t0
        del inp  # as cohorts refinance does once the households are built
        pd.to_pickle(pop.households, w / "households.pkl")
        pd.to_pickle(pop.parts, w / "parts.pkl")
        side.update(households=len(pop.households), parts=len(pop.parts))
    else:
        from cohorts.studies.interest_only.project import counts, outcomes, prepare

        hh, parts, params, tables, scenarios = _setup(w)
        side["households"] = len(hh)
        if stage == "sensitivity":
            from cohorts.studies.interest_only.sensitivity import ranking, sensitivity

            t0 = time.perf_counter()
            res = sensitivity(hh, parts, params=params, tables=tables)
            inner = time.perf_counter() - t0
            side["ranking"] = ranking(res).to_dict(orient="records")
            side["points"] = len(res)
        else:
            t0 = time.perf_counter()
            prep = prepare(hh, parts, params=params, tables=tables, scenarios=scenarios)
            t_prep = time.perf_counter() - t0
            if stage != "prepare":  # as cohorts refinance does once prepared
                from cohorts.studies.interest_only.memory import reuse_freed_memory

                side["reuse_freed_memory"] = reuse_freed_memory()
            if stage == "prepare":
                inner = t_prep
            elif stage == "one":
                from cohorts.studies.interest_only.sweep import compile_counts, fast_counts

                sc = scenarios["recession"]
                t0 = time.perf_counter()
                kernel = compile_counts(prep)
                t_compile = time.perf_counter() - t0
                fast = fast_counts(kernel, scenario=sc, start_year=2032)
                inner = time.perf_counter() - t0
                t1 = time.perf_counter()
                fast_counts(kernel, scenario=sc, start_year=2032)
                t_fast_only = time.perf_counter() - t1
                t1 = time.perf_counter()
                slow = counts(outcomes(prep, scenario=sc, start_year=2032))
                t_slow = time.perf_counter() - t1
                side.update(compile_s=t_compile, fast_count_s=t_fast_only, slow_outcomes_counts_s=t_slow,
                            fast_equals_slow=fast == slow, counts=fast)
            elif stage == "sweep":
                from cohorts.studies.interest_only.sweep import sweep, worst_start_years

                t0 = time.perf_counter()
                fr = sweep(prep, scenarios=scenarios)
                inner = time.perf_counter() - t0
                side.update(runs=len(fr), worst=worst_start_years(fr),
                            worst_rows=fr[fr["worst"] | fr["start_year"].isna()]
                            .astype({"start_year": "float64"}).to_dict(orient="records"))
            else:
                raise SystemExit(f"unknown stage {stage!r}")
    print(f"inner_seconds {inner:.6f}")
    (w / f"{stage}.json").write_text(json.dumps(side, indent=2, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20221)
    parser.add_argument("--stages", default="population,prepare,one,sweep,sensitivity")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--settle", type=float, default=30.0)
    parser.add_argument("--data", type=Path, default=None, help="raw files (default <work>/data, made by 'synth')")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    work = args.work or HERE / "work" / f"io-scale-{args.scale:g}"
    data = args.data or work / "data"
    if args.worker:
        worker(args.worker, str(data), str(work), args.scale, args.seed)
        return 0
    results: dict[str, dict] = {}
    for name in args.stages.split(","):
        if name not in STAGE_NAMES:
            raise SystemExit(f"unknown stage {name!r}; one of {STAGE_NAMES}")
        code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import io_refinancing as B; "
                f"B.worker({name!r}, {str(data)!r}, {str(work)!r}, {args.scale!r}, {args.seed!r})")
        runs = [run_stage(code, settle=args.settle) for _ in range(args.repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        side_file = work / f"{name}.json"
        results[name] = {"median": med, "runs": runs,
                         "detail": json.loads(side_file.read_text()) if side_file.exists() else {}}
        print(f"{name:12s} wall {med['wall_s']:8.2f} s   cpu {med['cpu_s']:8.2f} s   peak RSS "
              f"{med['peak_rss_mb']:9.1f} MB   inner {med.get('inner_s', float('nan')):.3f} s", flush=True)
    write_report(args, results, study="interest_only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
