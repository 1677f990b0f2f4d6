"""Benchmark the pipeline stage by stage: wall time, CPU time and peak memory.

Each stage runs in a fresh Python process; its peak resident set size and CPU
time come from the operating system's accounting of that child process
(``os.wait4``), so one stage's memory never hides another's.

Usage::

    python benchmarks/run.py --scale 0.1 --out benchmarks/results-0.1.json
    python benchmarks/run.py --scale 1.0 --stages synth,build --repeat 3

The synthetic data and build outputs go to ``--work`` (default
``benchmarks/work/scale-<S>``, not committed).

Before every run the machine is left idle for ``--settle`` seconds (default
30). On a virtual machine whose host takes back the memory a guest frees (a
balloon with free-page reporting, as on this project's machine), touching
memory the host has taken back costs about 2 s of kernel time per GB, against
about 0.3 s per GB for memory freed a moment ago. Without the pause a stage
that follows a large one is charged less than one that follows a small one;
with it every run starts from the same state: all free memory handed back,
as when a job starts on an idle machine. The ``fresh_memory`` stage measures
that cost (the seconds to fill 4 GB of new memory) in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent

# stage name -> python code run in a fresh process; {data}, {out}, {scale}, {seed} are filled in
STAGES: dict[str, str] = {
    "synth": (
        "from cohorts.cli import main; import sys; "
        "sys.exit(main(['synth', '--scale', '{scale}', '--seed', '{seed}', '--out', '{data}']))"
    ),
    "build": (
        "import warnings; warnings.simplefilter('ignore'); "
        "from cohorts.cli import main; import sys; "
        "sys.exit(main(['build', '--data', '{data}', '--out', '{out}', '--quiet']))"
    ),
    # the build's own way of reading: the LLD in validated chunks (iter_input), CBS and key whole
    "read_validate": (
        "from cohorts.io import iter_input, read_input, resolve_input; "
        "n = sum(len(c) for c in iter_input(resolve_input('{data}', 'lld'), 'lld')); "
        "read_input(resolve_input('{data}', 'cbs'), 'cbs', rows=2_000_000); "
        "read_input(resolve_input('{data}', 'key'), 'key')"
    ),
    "norm": (
        "import warnings, time, pandas as pd; warnings.simplefilter('ignore'); "
        "from cohorts.norms import apply_norm, OUTPUT_COLUMNS; "
        "df = pd.read_parquet('{out}/cohorts.parquet'); "
        "df = df.drop(columns=[c for c in OUTPUT_COLUMNS if c in df.columns and c != 'ltv']); "
        "t = time.perf_counter(); apply_norm(df, columns={{'year': 'cohort'}}); "
        "print('inner_seconds', time.perf_counter() - t)"
    ),
    # the statistics on all new mortgages (the build's cohorts.parquet); 'inner_seconds' times the fit alone
    "km_logrank": (
        "import time, pandas as pd; from cohorts.survival import fit_km, logrank; "
        "df = pd.read_parquet('{out}/cohorts.parquet'); "
        "df['group'] = df['high'].astype(str) + '/' + df['starter'].astype(str); "
        "t = time.perf_counter(); fit_km(df, duration='duration', event='event', group='group'); "
        "logrank(df, duration='duration', event='event', group='group'); "
        "print('inner_seconds', time.perf_counter() - t)"
    ),
    "cox": (
        "import time, pandas as pd; from cohorts.survival import fit_cox; "
        "df = pd.read_parquet('{out}/cohorts.parquet', columns=MODEL_COLUMNS); "
        "t = time.perf_counter(); fit_cox(df, duration='duration', event='event', covariates=COX_COVARIATES); "
        "print('inner_seconds', time.perf_counter() - t)"
    ),
    "discrete": (
        "import time, pandas as pd; from cohorts.survival import fit_discrete; "
        "df = pd.read_parquet('{out}/cohorts.parquet', columns=MODEL_COLUMNS); "
        "t = time.perf_counter(); fit_discrete(df, duration='duration', event='event', covariates=COX_COVARIATES); "
        "print('inner_seconds', time.perf_counter() - t)"
    ),
    "sweep": (
        "import time, pandas as pd; from cohorts.survival import sweep; "
        "df = pd.read_parquet('{out}/cohorts.parquet'); "
        "t = time.perf_counter(); sweep(df); print('inner_seconds', time.perf_counter() - t)"
    ),
    # the machine's cost of new memory: fill 4 GB freshly allocated (kernel time is the page faults)
    "fresh_memory": (
        "import time, numpy as np; t = time.perf_counter(); "
        "blocks = [np.ones(2**24) for _ in range(32)]; print('inner_seconds', time.perf_counter() - t)"
    ),
    # the same Cox model in R (survival::coxph, Efron), when Rscript is installed
    "cox_r": "R",
    # the export gate alone on the build of the build stage: primary rules, the attack by linear programming
    # over every table and figure, secondary suppression until nothing is exposed (nothing written)
    "gate": (
        "import warnings; warnings.simplefilter('ignore'); "
        "from cohorts.report import load_study; from cohorts.studies.high_mortgages import Exporter, tables as T; "
        "s = load_study('{data}', '{out}', stock_columns=T.STOCK_COLUMNS); "
        "Exporter(s, '{work}/gate', strict=False).prepare_all()"
    ),
    # end to end on the synthetic data of the synth stage: build, every table and figure, comparison
    "reproduce": (
        "import shutil, warnings, sys; warnings.simplefilter('ignore'); shutil.rmtree('{work}/reproduce', True); "
        "from cohorts.cli import main; "
        "sys.exit(main(['reproduce', '--data', '{data}', '--scale', '{scale}', '--seed', '{seed}', "
        "'--out', '{work}/reproduce', '--quiet']))"
    ),
}

#: covariates of the benchmark Cox and discrete-time models (cohort as a categorical: 5 dummies)
COX_COVARIATES = ["high", "starter", "nhg", "zzp", "ltv", "interest_rate", "C(cohort)"]
#: the columns the two models read from cohorts.parquet
MODEL_COLUMNS = ["duration", "event", "high", "starter", "nhg", "zzp", "ltv", "interest_rate", "cohort"]


def _commit() -> str:
    """The git commit of the code measured (``+ changes`` when the tree differs from it)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + changes" if dirty else "")


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("cohorts", "pandas", "numpy", "pyarrow", "lifelines", "statsmodels", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def run_stage(code: str, *, settle: float = 0.0) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; return wall, CPU seconds (user + system) and peak RSS (MB).

    Dirty pages of earlier stages are flushed first (``os.sync``), so the
    write-back of one stage's output files is not charged to the next; then
    the machine is left idle for ``settle`` seconds (see the module docstring).
    """
    os.sync()
    time.sleep(settle)
    t0 = time.perf_counter()
    if isinstance(code, list):  # a ready command line (the R benchmark)
        argv = code
    else:
        argv = [sys.executable, "-c", f"COX_COVARIATES = {COX_COVARIATES!r}; MODEL_COLUMNS = {MODEL_COLUMNS!r}; " + code]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stdout = proc.stdout.read() if proc.stdout else ""
    stderr = proc.stderr.read() if proc.stderr else ""
    code_ = os.waitstatus_to_exitcode(status)
    if code_ != 0:
        raise RuntimeError(f"stage failed with exit code {code_}:\n{stderr[-3000:]}")
    inner = [float(line.split()[1]) for line in stdout.splitlines() if line.startswith("inner_seconds")]
    res = {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,  # kernel time: mostly page faults of freshly allocated memory
        "peak_rss_mb": usage.ru_maxrss / 1024.0,  # Linux reports kilobytes
    }
    if inner:
        res["inner_s"] = inner[0]
    return res


def _export_for_r(out: Path) -> None:
    """Write the Cox model's columns as CSV beside cohorts.parquet, for cox.R (not timed)."""
    import pandas as pd

    df = pd.read_parquet(out / "cohorts.parquet", columns=["duration", "event", "high", "starter", "nhg", "zzp",
                                                           "ltv", "interest_rate", "cohort"])
    df.astype({c: int for c in ("event", "high", "starter", "nhg", "zzp")}).to_csv(out / "cox_input.csv", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stages", default="fresh_memory,synth,read_validate,build,norm,km_logrank,cox,cox_r,discrete,"
                                            "sweep,reproduce")
    parser.add_argument("--repeat", type=int, default=1, help="runs per stage; the median is reported")
    parser.add_argument("--settle", type=float, default=30.0,
                        help="idle seconds before each run, so every run starts with the host holding no freed "
                             "memory (default 30; 0 runs stages back to back)")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the results")
    args = parser.parse_args(argv)
    work = args.work or HERE / "work" / f"scale-{args.scale:g}"
    data, out = work / "data", work / "build"
    results: dict[str, dict] = {}
    for name in args.stages.split(","):
        if STAGES[name] == "R":
            if shutil.which("Rscript") is None:
                print(f"{name:14s} skipped: Rscript not installed (apt-get install r-base-core r-cran-survival)")
                continue
            code = ["Rscript", str(HERE / "cox.R"), str(out / "cohorts.parquet")]
            _export_for_r(out)
        else:
            code = STAGES[name].format(data=data, out=out, work=work, scale=args.scale, seed=args.seed)
        runs = [run_stage(code, settle=args.settle) for _ in range(args.repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        results[name] = {"median": med, "runs": runs}
        print(f"{name:14s} wall {med['wall_s']:8.2f} s   cpu {med['cpu_s']:8.2f} s   peak RSS {med['peak_rss_mb']:9.1f} MB"
              + (f"   inner {med['inner_s']:.3f} s" if "inner_s" in med else ""), flush=True)
    write_report(args, results)
    return 0


def write_report(args: argparse.Namespace, results: dict, **extra: object) -> dict:
    """The benchmark's JSON record (scale, seed, repeats, commit, date, machine, versions, stages), written to
    ``args.out`` when given; ``extra`` keys go first (e.g. the study's name)."""
    report = {
        **extra,
        "scale": args.scale,
        "seed": args.seed,
        "repeat": args.repeat,
        "settle_s": args.settle,
        "commit": _commit(),
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "versions": _versions(),
        "stages": results,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return report


if __name__ == "__main__":
    sys.exit(main())
