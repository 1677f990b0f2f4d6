"""``cohorts reproduce``: every table and figure of the report, and the comparison with it.

::

    cohorts reproduce --scale 0.01 --seed 20221 --out out/reproduce

1. generates the synthetic twin in ``OUT/data`` (or reuses it when its
   manifest has the same seed and scale; ``--data`` points at other raw data,
   e.g. a real extract with ``--mapping``),
2. builds the cohorts into ``OUT/build`` (or reuses a current build),
3. writes every table to ``OUT/tables/`` (tidy ``table_<id>.csv``, and in
   the report's layout and number format ``table_<id>_formatted.csv`` and
   booktabs ``table_<id>.tex``; the data behind each figure as
   ``<figure>_data.csv``),
4. writes every figure to ``OUT/figures/`` (vector PDF and 300-dpi PNG),
5. writes ``OUT/comparison.csv`` (one row per comparable published number;
   see :mod:`cohorts.report.compare`) and ``OUT/manifest.json``,
6. prints a summary: how many published numbers are within tolerance, and
   the ten worst.

``--paper DIR`` also writes the figures and tables to ``DIR/figures`` and
``DIR/tables`` (the paper includes them from there).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from cohorts import __version__
from cohorts.io import write_csv, write_json, write_outputs
from cohorts.report import figures as F
from cohorts.report import tables as T
from cohorts.report.compare import Options, StudyResults, compare, comparable_targets, load_targets, summarize
from cohorts.report.study import Study, load_study
from cohorts.report.style import export_figure

#: file stem -> function(frames, options) -> tidy frame, for the data behind each figure
FIGURE_DATA = {
    "figure_1_data": lambda f, o: T.figure_1_data(f["cohorts"]),
    "figure_2_data": lambda f, o: T.quadrant_data(f["cohorts"], cut=1.0, strict=True),
    "figure_3_data": lambda f, o: T.quadrant_data(f["cohorts"], cut=0.9, strict=False),
    "figure_4_data": lambda f, o: T.income_data(f["cohorts"]),
    "figure_5_data": lambda f, o: T.interest_only_data(f["cohorts"]),
    "figure_6_data": lambda f, o: T.income_growth_data(f["panel"]),
    "figure_7_data": lambda f, o: T.arrears_threshold_data(f["cohorts"], population=o.figure_7_population,
                                                           thresholds=F.FIGURE_7_THRESHOLDS),
    "figure_8_data": lambda f, o: T.survival_data(f["cohorts"]),
    "figure_9_data": lambda f, o: T.survival_data(f["cohorts"], starters=True),
    "figure_b1_data": lambda f, o: T.quadrant_data(f["cohorts"], cut=1.0, strict=True, population="starters"),
    "figure_b2_data": lambda f, o: T.quadrant_data(f["cohorts"], cut=0.9, strict=False, population="starters"),
    "figure_sweep_data": lambda f, o: T.threshold_sweep_data(f["cohorts"]),
    "figure_cox_data": lambda f, o: T.cox_data(f["cohorts"]),
    "figure_cohort_sensitivity_data": lambda f, o: T.cohort_sensitivity_data(f["cohorts"]),
}


def table_exports(
    study: Study, *, lang: str = "en", options: Options | None = None
) -> tuple[dict[str, pd.DataFrame | str], dict[str, str]]:
    """Every table (tidy frame and LaTeX) and the data behind every figure, keyed by file name.

    ``options`` (:class:`cohorts.report.compare.Options`) carries the
    interpretation choices (Table 5 window, Table B4 population, Figure 7
    population); the defaults when omitted.

    Returns
    -------
    exports : dict
        File name -> frame (CSV) or text (LaTeX).
    failures : dict
        File name -> reason, for figure data that cannot be computed on these
        data (e.g. a Cox model whose covariate is constant in a tiny sample).
    """
    out: dict[str, pd.DataFrame | str] = {}
    failures: dict[str, str] = {}
    opts = Options() if options is None else options
    for tid, tab in T.all_tables(study.cohorts, study.stock, table_5_window=opts.table_5_window,
                                 table_b4_among=opts.table_b4_among).items():
        out[f"table_{tid}.csv"] = tab
        out[f"table_{tid}_formatted.csv"] = T.format_table(tab, lang=lang).reset_index()
        out[f"table_{tid}.tex"] = T.to_latex(tab, lang=lang)  # a bare tabular: the paper adds caption and label
    frames = study.frames
    for stem, make in FIGURE_DATA.items():
        try:
            out[f"{stem}.csv"] = make(frames, opts)
        except ValueError as exc:  # ContractError / ConvergenceError of the survival engine
            failures[f"{stem}.csv"] = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return out, failures


def write_tables(exports: Mapping[str, pd.DataFrame | str], out_dir: str | os.PathLike) -> list[Path]:
    """Write the table exports atomically into ``out_dir``."""
    def writer(obj: pd.DataFrame | str):
        if isinstance(obj, str):
            return lambda p: Path(p).write_text(obj, encoding="utf-8")
        return lambda p: write_csv(obj, p)

    return write_outputs(out_dir, {name: writer(obj) for name, obj in exports.items()})


def export_table(table: pd.DataFrame, out_dir: str | os.PathLike, *, lang: str = "en") -> list[Path]:
    """Write one table as ``table_<id>.csv``, ``table_<id>_formatted.csv`` and ``table_<id>.tex``, atomically.

    The CSV is tidy (full precision); the formatted CSV and the LaTeX have the
    report's layout and number format.  The LaTeX file is a bare ``tabular``
    (no float), to be ``\\input`` inside the document's own ``table``
    environment.
    """
    tid = str(table["table"].iloc[0])
    tex = T.to_latex(table, lang=lang)
    formatted = T.format_table(table, lang=lang).reset_index()
    return write_tables({f"table_{tid}.csv": table, f"table_{tid}_formatted.csv": formatted,
                         f"table_{tid}.tex": tex}, out_dir)


def copy_files(paths: list[Path], out_dir: str | os.PathLike) -> list[Path]:
    """Copy files (byte for byte) into ``out_dir``, atomically."""
    def copier(src: Path):
        return lambda p: shutil.copyfile(src, p)

    return write_outputs(out_dir, {Path(src).name: copier(Path(src)) for src in paths})


def write_figures(
    study: Study, out_dir: str | os.PathLike, *, lang: str = "en", options: Options | None = None
) -> tuple[list[Path], dict[str, str]]:
    """Draw every registered figure in the house style and export it (PDF + PNG) into ``out_dir``.

    ``options`` sets the Figure 7 population (default: starters).

    Returns
    -------
    paths : list of pathlib.Path
        The files written.
    failures : dict
        Figure name -> reason, for figures that cannot be drawn on these data.
    """
    paths: list[Path] = []
    failures: dict[str, str] = {}
    for name in F.FIGURES:
        try:
            extra = {"population": options.figure_7_population} if name == "figure_7" and options else {}
            fig = F.draw(name, study.frames, lang=lang, **extra)
        except ValueError as exc:  # ContractError / ConvergenceError of the survival engine
            failures[name] = f"{type(exc).__name__}: {exc}".replace("\n", " ")
            continue
        paths += export_figure(fig, Path(out_dir) / name)
    return paths, failures


# ----------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of ``cohorts reproduce``."""
    parser.add_argument("--scale", type=float, default=0.01, help="synthetic population scale (default 0.01)")
    parser.add_argument("--seed", type=int, default=20221, help="synthetic seed (default 20221)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--data", type=Path, default=None,
                        help="raw data folder (default OUT/data, generated when missing); with --mapping or "
                             "--real, used as it is")
    parser.add_argument("--mapping", type=Path, default=None, help="column-mapping TOML of a real extract")
    parser.add_argument("--real", action="store_true",
                        help="--data holds real extracts: no synthetic generation, scale 1")
    parser.add_argument("--lang", choices=T.LANGS, default="en", help="labels of tables and figures (default en)")
    parser.add_argument("--paper", type=Path, default=None,
                        help="also write figures and tables to PAPER/figures and PAPER/tables")
    parser.add_argument("--table5-window", choices=T.TABLE_5_WINDOWS, default="ever",
                        help="Tabel 5 for new mortgages: arrears at any time during follow-up (default) or in the "
                             "origination year only")
    parser.add_argument("--table-b4-among", choices=T.TABLE_B4_AMONG, default="holders",
                        help="Tabel B4 mean consumer credit among households that have it (default) or all")
    parser.add_argument("--figure7-population", choices=T.FIGURE_7_POPULATIONS, default="starters",
                        help="Figure 7 on starters (default; matches the report's N) or all new mortgages")
    parser.add_argument("--worst", type=int, default=10, help="how many of the worst rows to print (default 10)")
    parser.add_argument("--quiet", action="store_true", help="print only the comparison summary")


def run(args: argparse.Namespace) -> int:
    """``cohorts reproduce``: data, build, tables, figures, comparison; print the summary."""
    t0 = time.perf_counter()
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    out = Path(args.out)
    data_dir = args.data if args.data is not None else out / "data"
    real = args.real or args.mapping is not None
    log(f"data: {data_dir} ({'as given' if real else f'synthetic, scale {args.scale:g}, seed {args.seed}'})")
    study = load_study(data_dir, out / "build", scale=None if real else args.scale, seed=None if real else args.seed,
                       mapping=args.mapping)
    log(f"build: {out / 'build'} ({'built' if study.rebuilt else 'reused'}; {len(study.cohorts):,} new mortgages, "
        f"{time.perf_counter() - t0:.1f} s)")

    options = Options(table_5_window=args.table5_window, table_b4_among=args.table_b4_among,
                      figure_7_population=args.figure7_population)
    exports, not_written = table_exports(study, lang=args.lang, options=options)
    write_tables(exports, out / "tables")
    log(f"tables: {out / 'tables'} ({len(exports)} files)")
    fig_paths, not_drawn = write_figures(study, out / "figures", lang=args.lang, options=options)
    log(f"figures: {out / 'figures'} ({len(fig_paths)} files, {time.perf_counter() - t0:.1f} s)")
    for name, reason in {**not_written, **not_drawn}.items():
        print(f"cohorts reproduce: warning: {name} not written: {reason}", file=sys.stderr)
    if args.paper is not None:
        write_tables(exports, Path(args.paper) / "tables")
        copy_files(fig_paths, Path(args.paper) / "figures")
        log(f"paper exports: {args.paper}/figures, {args.paper}/tables")

    targets = load_targets()
    results = StudyResults(study.cohorts, study.panel, study.stock, scale=study.scale, options=options)
    comparison = compare(results, targets=targets)
    n_excluded = len(targets) - len(comparable_targets(targets))
    summary = summarize(comparison, worst=args.worst, n_excluded=n_excluded, scale=study.scale)
    manifest = {
        "cohorts_version": __version__,
        "command": "cohorts reproduce",
        "data": str(data_dir),
        "synthetic": study.synthetic,
        "scale": study.scale,
        "seed": None if real else args.seed,
        "lang": args.lang,
        "options": {"table_5_window": options.table_5_window, "table_b4_among": options.table_b4_among,
                    "figure_7_population": options.figure_7_population},
        "rows": {"cohorts": len(study.cohorts), "panel": len(study.panel), "stock": len(study.stock)},
        "not_written": {**not_written, **not_drawn},
        "comparison": {
            "compared": int((comparison["status"] == "compared").sum()),
            "within": int(comparison["within"].sum()),
            "not_reproducible": int((comparison["status"] == "not_reproducible").sum()),
            "no_data": int((comparison["status"] == "no_data").sum()),
            "excluded_external_or_definition": n_excluded,
        },
    }
    write_outputs(out, {
        "comparison.csv": lambda p: write_csv(comparison, p),
        "manifest.json": lambda p: write_json(manifest, p),
    })
    print(f"cohorts reproduce: {out}/comparison.csv ({time.perf_counter() - t0:.1f} s)")
    print(summary)
    return 0
