"""Calibration on any seed: run the main job on several seeds and tabulate the comparisons.

For each seed, in its own folder ``WORK/seed-<n>`` and one after another (memory), the
commands of the Makefile's ``reproduce`` target run:

1. ``cohorts synth --scale S --seed n --out WORK/seed-<n>/data`` (skipped when the folder
   already holds a ``manifest.json``, as in the Makefile),
2. ``cohorts build --data .../data --out WORK/seed-<n>/build``,
3. ``cohorts reproduce --data .../data --scale S --seed n --out WORK/seed-<n>`` (no
   ``--paper``: the report's folder is not touched; the build of step 2 is reused).

The synthetic data of a seed is deleted after its run unless ``--keep`` is given. Then each
run's ``comparison.csv`` is read and three tables are written beside this script:

``seeds-<S>.csv``
    one row per seed: the count of every status in the comparison (read generically, so a
    new status such as ``source_conflict`` is counted without a change here), the number of
    comparable targets (status ``compared``) and how many are within tolerance, the same for
    the ``recomputed`` and ``planted`` classes, the conflicts (status ``source_conflict``;
    0 when the comparison has no such status), the survival numbers within 0.5 point and
    the ids of the compared targets outside tolerance.
``seeds-<S>-survival.csv``
    per seed, every survival number of Figures 8 and 9 and the threshold sweep (the rows of
    tolerance kind ``cum_incidence``: 100 x (1 - Kaplan-Meier survival) at six years): the
    reproduced and the published number, the signed and absolute difference in percentage
    points, the violation (one-sided for a bound such as "bijna 1 op de 10") and whether it
    is within 0.5 point.
``seeds-<S>-misses.csv``
    every target outside tolerance on at least one seed: its reproduced number on each seed,
    the mean signed difference, the standard deviation across seeds, the binomial standard
    error at the report's N (``sample_se``, shares only), on how many seeds it missed and in
    which direction, and a verdict: ``systematic`` (missed on every seed, always on the same
    side) or ``noise`` (missed on some seeds only).

Usage::

    nice python benchmarks/seeds.py --scale 0.1 --seeds 1            # a quick check
    nice python benchmarks/seeds.py --scale 1.0                       # seeds 1 2 3 20221
    python benchmarks/seeds.py --scale 1.0 --tables-only              # re-read finished runs
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_SEEDS: tuple[int, ...] = (1, 2, 3, 20221)
#: the tolerance kind of the survival numbers (Figures 8, 9 and the sweep) in ``comparison.csv``
SURVIVAL_KIND = "cum_incidence"
#: the issue's bound for every survival number, in percentage points
SURVIVAL_BOUND_PP = 0.5
CONFLICT_STATUS = "source_conflict"
COMPARED = "compared"
CLASSES: tuple[str, ...] = ("recomputed", "planted")
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "target", "reproduced", "within", "status", "tolerance", "tolerance_kind",
                                     "bound")


# --------------------------------------------------------------------------
# running one seed
# --------------------------------------------------------------------------
#: ``--comparison-only``: the comparison of ``cohorts reproduce`` (the same functions, its default options) on
#: the study that ``load_study`` builds (as ``cohorts build`` does) or reuses, without the tables, figures and the
#: disclosure gate, which do not enter the comparison (the gate alone peaks at 8 GB at scale 1.0)
COMPARISON_ONLY = (
    "import sys; from pathlib import Path; "
    "from cohorts.io import write_csv; from cohorts.studies.high_mortgages import tables as T; "
    "from cohorts.studies.high_mortgages.comparison import Options, StudyResults, compare, load_targets; "
    "from cohorts.report.study import load_study; "
    "data, folder, scale, seed = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]); "
    "study = load_study(data, folder / 'build', scale=scale, seed=seed, stock_columns=T.STOCK_COLUMNS); "
    "print(f'build: {folder / \"build\"} ({\"built\" if study.rebuilt else \"reused\"})'); "
    "res = StudyResults(study.cohorts, study.panel, study.stock, scale=study.scale, options=Options()); "
    "write_csv(compare(res, targets=load_targets()), folder / 'comparison.csv')"
)


def seed_commands(*, scale: str, seed: int, folder: Path, python: str = sys.executable,
                  comparison_only: bool = False) -> list[tuple[str, list[str]]]:
    """The commands of the Makefile's ``reproduce`` target for one seed, as (stage, argv).

    With ``comparison_only`` the build and ``cohorts reproduce`` are replaced by one
    process that builds (or reuses the build) and writes ``comparison.csv`` alone
    (:data:`COMPARISON_ONLY`).
    """
    cli = [python, "-m", "cohorts.cli"]
    data = folder / "data"
    synth = ("synth", [*cli, "synth", "--scale", scale, "--seed", str(seed), "--out", str(data)])
    if comparison_only:
        return [synth, ("compare", [python, "-c", COMPARISON_ONLY, str(data), str(folder), scale, str(seed)])]
    return [
        synth,
        ("build", [*cli, "build", "--data", str(data), "--out", str(folder / "build")]),
        ("reproduce", [*cli, "reproduce", "--data", str(data), "--scale", scale, "--seed", str(seed),
                       "--out", str(folder)]),
    ]


def run_seed(*, scale: str, seed: int, folder: Path, keep: bool, comparison_only: bool = False) -> dict[str, float]:
    """Run synth, build and reproduce for one seed into ``folder``; return the wall seconds per stage.

    Each command's output goes to ``folder/<stage>.log``; the seconds and the commit to
    ``folder/run.json`` (read back into ``seeds-<S>.csv``). A failing command raises
    :class:`RuntimeError` naming the stage, the seed and the log.
    """
    folder.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    (folder / "comparison.csv").unlink(missing_ok=True)  # never read a comparison of an earlier run
    for stage, argv in seed_commands(scale=scale, seed=seed, folder=folder, comparison_only=comparison_only):
        if stage == "synth" and (folder / "data" / "manifest.json").is_file():
            print(f"seed {seed}: synth skipped ({folder / 'data'} holds a manifest)", flush=True)
            continue
        log = folder / f"{stage}.log"
        t = time.perf_counter()
        with log.open("w", encoding="utf-8") as fh:
            rc = subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, check=False).returncode
        seconds[stage] = time.perf_counter() - t
        print(f"seed {seed}: {stage} {seconds[stage]:.0f} s (rc {rc}; {log})", flush=True)
        if rc != 0:
            raise RuntimeError(f"seed {seed}: `{' '.join(argv)}` failed with exit status {rc}; see {log}")
    record = {f"{k}_s": round(v) for k, v in seconds.items()}
    record["commit"] = _commit()
    record["mode"] = "comparison-only" if comparison_only else "reproduce"
    (folder / "run.json").write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")
    if not keep:
        shutil.rmtree(folder / "data", ignore_errors=True)
        shutil.rmtree(folder / "build", ignore_errors=True)
    return seconds


# --------------------------------------------------------------------------
# the tables (pure functions of the comparisons)
# --------------------------------------------------------------------------
def read_comparison(path: Path) -> pd.DataFrame:
    """Read one run's ``comparison.csv``; raise ``ValueError`` naming the file if a needed column is missing."""
    df = pd.read_csv(path, dtype={"id": str, "status": str, "class": str})
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: comparison lacks column(s) {missing}")
    if df["id"].duplicated().any():
        raise ValueError(f"{path}: column 'id': ids appear more than once, e.g. "
                         f"{df.loc[df['id'].duplicated(), 'id'].head(5).tolist()}")
    df["within"] = df["within"].astype(str).str.lower().map({"true": True, "false": False})
    return df


def violation(df: pd.DataFrame) -> pd.Series:
    """How far each reproduced number lies outside its published number, one-sided for bounds.

    ``at_most`` ("bijna", "minder dan"): ``max(0, reproduced - target)``; ``at_least``
    ("meer dan"): ``max(0, target - reproduced)``; otherwise ``|reproduced - target|``.
    """
    diff = df["reproduced"] - df["target"]
    out = diff.abs()
    out = out.where(df["bound"] != "at_most", diff.clip(lower=0.0))
    return out.where(df["bound"] != "at_least", (-diff).clip(lower=0.0))


def seed_row(comparison: pd.DataFrame, *, seed: int) -> dict[str, object]:
    """One row of ``seeds-<S>.csv``: status counts, within-tolerance counts by class, conflicts, misses."""
    comp = comparison.loc[comparison["status"] == COMPARED]
    klass = comp["class"] if "class" in comp.columns else pd.Series("unclassified", index=comp.index)
    within = comp["within"].eq(True)
    statuses = comparison["status"].value_counts().sort_index()
    surv = survival_rows(comparison, seed=seed)
    row: dict[str, object] = {
        "seed": seed,
        "statuses": "; ".join(f"{s}={int(n)}" for s, n in statuses.items()),
        "n_comparable": len(comp),
        "within": int(within.sum()),
        "within_pct": round(100.0 * within.sum() / len(comp), 2) if len(comp) else math.nan,
    }
    for c in CLASSES:
        row[f"{c}_within"] = int(within[klass == c].sum())
        row[f"{c}_total"] = int((klass == c).sum())
    row["conflicts"] = int((comparison["status"] == CONFLICT_STATUS).sum())
    row["survival_within_0.5pp"] = int(surv["within_0.5pp"].sum())
    row["survival_total"] = len(surv)
    missed = comp.loc[~within]
    row["n_misses"] = len(missed)
    row["misses"] = " ".join(sorted(missed["id"]))
    return row


def survival_rows(comparison: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """Every survival number of Figures 8, 9 and the sweep: reproduced, published, difference, within 0.5 pp."""
    s = comparison.loc[(comparison["tolerance_kind"] == SURVIVAL_KIND) & (comparison["status"] == COMPARED)]
    viol = violation(s)
    return pd.DataFrame({
        "seed": seed,
        "id": s["id"].to_numpy(),
        "group": s["group"].to_numpy() if "group" in s.columns else "",
        "bound": s["bound"].to_numpy(),
        "published": s["target"].to_numpy(),
        "reproduced": s["reproduced"].round(4).to_numpy(),
        "diff_pp": (s["reproduced"] - s["target"]).round(4).to_numpy(),
        "abs_diff_pp": (s["reproduced"] - s["target"]).abs().round(4).to_numpy(),
        "violation_pp": viol.round(4).to_numpy(),
        "within_0.5pp": (viol <= SURVIVAL_BOUND_PP + 1e-12).to_numpy(),
    })


def miss_table(comparisons: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """Every compared target outside tolerance on at least one seed, with its spread across seeds.

    ``verdict`` is ``systematic`` when the target missed on every seed and always on the same
    side of its published number, else ``noise`` (``one seed`` when only one seed is given). ``sd_seeds`` is the standard deviation of
    the reproduced number across seeds (an empirical sampling error at the run's scale);
    ``sample_se`` the binomial standard error at the report's N (shares only).
    """
    seeds = list(comparisons)
    frames = []
    for seed, df in comparisons.items():
        c = df.loc[df["status"] == COMPARED].copy()
        c["seed"] = seed
        c["missed"] = ~c["within"].eq(True)
        frames.append(c)
    long = pd.concat(frames, ignore_index=True)
    ids = sorted(set(long.loc[long["missed"], "id"]))
    rows = []
    for tid in ids:
        r = long.loc[long["id"] == tid].set_index("seed")
        first = r.iloc[0]
        diff = r["reproduced"] - r["target"]
        missed = r["missed"]
        sides = set(diff[missed].map(lambda d: "above" if d > 0 else "below"))
        row: dict[str, object] = {
            "id": tid,
            "class": first.get("class", ""),
            "tolerance_kind": first["tolerance_kind"],
            "bound": first["bound"],
            "target": first["target"],
            "tolerance": round(float(first["tolerance"]), 4),
            "sample_se": round(float(first["sample_se"]), 4) if "sample_se" in r.columns and pd.notna(
                first["sample_se"]) else math.nan,
        }
        for s in seeds:
            row[f"reproduced_{s}"] = round(float(r.at[s, "reproduced"]), 4) if s in r.index else math.nan
        row["mean_diff"] = round(float(diff.mean()), 4)
        row["sd_seeds"] = round(float(r["reproduced"].std(ddof=1)), 4) if len(r) > 1 else math.nan
        row["n_missed"] = int(missed.sum())
        row["n_seeds"] = len(r)
        row["side"] = "/".join(sorted(sides))
        if len(seeds) < 2:
            row["verdict"] = "one seed"
        else:
            row["verdict"] = "systematic" if (missed.all() and len(r) == len(seeds) and len(sides) == 1) else "noise"
        rows.append(row)
    return pd.DataFrame(rows)


def write_tables(comparisons: Mapping[int, pd.DataFrame], *, scale: str, out_dir: Path,
                 extra: Mapping[int, Mapping[str, object]] | None = None) -> list[Path]:
    """Write ``seeds-<S>.csv``, ``seeds-<S>-survival.csv`` and ``seeds-<S>-misses.csv`` into ``out_dir``."""
    extra = extra or {}
    summary = pd.DataFrame([{**seed_row(df, seed=s), **extra.get(s, {})} for s, df in comparisons.items()])
    survival = pd.concat([survival_rows(df, seed=s) for s, df in comparisons.items()], ignore_index=True)
    misses = miss_table(comparisons)
    paths = [out_dir / f"seeds-{scale}.csv", out_dir / f"seeds-{scale}-survival.csv",
             out_dir / f"seeds-{scale}-misses.csv"]
    for frame, path in zip((summary, survival, misses), paths, strict=True):
        frame.to_csv(path, index=False, lineterminator="\n")
    return paths


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _tabulate(seeds: Sequence[int], *, work: Path, scale: str, out_dir: Path) -> None:
    comparisons, extra = {}, {}
    for seed in seeds:
        path = work / f"seed-{seed}" / "comparison.csv"
        comparisons[seed] = read_comparison(path)
        record = path.with_name("run.json")
        extra[seed] = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    for path in write_tables(comparisons, scale=scale, out_dir=out_dir, extra=extra):
        print(f"wrote {path}", flush=True)
    summary = pd.read_csv(out_dir / f"seeds-{scale}.csv")
    print(summary.drop(columns=["misses"]).to_string(index=False), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS), help="seeds (default 1 2 3 20221)")
    parser.add_argument("--scale", default="1.0", help="synthetic scale, as written in the file names (default 1.0)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the runs (default benchmarks/work/seeds-<scale>; one sub-folder per seed)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the tables (default: benchmarks/)")
    parser.add_argument("--keep", action="store_true", help="keep each seed's synthetic data and build")
    parser.add_argument("--comparison-only", action="store_true",
                        help="instead of cohorts build + cohorts reproduce, build (or reuse) and write comparison.csv "
                             "alone: no tables, figures or disclosure gate (same comparison, less time and memory)")
    parser.add_argument("--tables-only", action="store_true",
                        help="run nothing; read the comparison.csv of finished runs in --work")
    args = parser.parse_args(argv)
    scale = str(float(args.scale))
    work = args.work or HERE / "work" / f"seeds-{scale}"
    if args.tables_only:
        missing = [str(work / f"seed-{s}" / "comparison.csv") for s in args.seeds
                   if not (work / f"seed-{s}" / "comparison.csv").is_file()]
        if missing:
            print(f"seeds.py: missing {missing} (run without --tables-only first)", file=sys.stderr)
            return 2
        _tabulate(args.seeds, work=work, scale=scale, out_dir=args.out)
        return 0
    for i, seed in enumerate(args.seeds):
        run_seed(scale=scale, seed=seed, folder=work / f"seed-{seed}", keep=args.keep,
                 comparison_only=args.comparison_only)
        _tabulate(args.seeds[: i + 1], work=work, scale=scale, out_dir=args.out)  # partial tables after each seed
    return 0


if __name__ == "__main__":
    sys.exit(main())
