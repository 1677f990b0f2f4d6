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
   see :mod:`cohorts.studies.high_mortgages.comparison`; synthetic data only) and
   ``OUT/manifest.json`` (provenance, :mod:`cohorts.provenance`), and, for the
   output checker only, ``OUT/checker/disclosure_log.csv`` and
   ``OUT/checker/audit.csv``,
6. prints the headline findings as a researcher would state them, read
   back from the released files only (:mod:`cohorts.studies.high_mortgages.findings`: high
   vs within-norm arrears after six years with 95% intervals and the
   log-rank p, for all new mortgages and for first-time buyers, and the
   threshold sweep; what the gate did not release is said so), then the
   comparison summary (how many published numbers are within tolerance, and
   the ten worst) and where the full comparison table is.

Disclosure control
------------------
Every table and the data behind every figure pass the export gate
(:mod:`cohorts.studies.high_mortgages.exports`, the same :class:`~cohorts.studies.high_mortgages.exports.Exporter`
the notebooks use; rules in :mod:`cohorts.disclosure`, threat model in
``docs/disclosure.md``) before anything is written.  The gate applies the
primary rules cell by cell, then attacks the whole run as an attacker would
(every released number as a linear fact, feasibility intervals of every hidden
cell and difference population by linear programming, across all artefacts
and the folders given with ``--also-released``) and adds secondary
suppressions until nothing is exposed.  Suppressed cells show the marker
(``x``); every figure is drawn from its data as released, so figure and
``<figure>_data.csv`` agree; a figure is missing only when its data cannot be
computed (listed under ``not_written``).

What may leave the secure environment is ``OUT/tables``, ``OUT/figures`` and
``OUT/manifest.json`` (the manifest's ``released`` list).  ``OUT/checker``
holds the log of every check with its counts and the audit's bounds: it is
for the output checker and must never be released (the manifest names these
files but does not hash them).  ``comparison.csv`` holds reproduced numbers
that the gate does not cover: it is written only for synthetic data.  In
strict mode (the default on real data; ``--strict``/``--no-strict``) a run in
which any artefact needed suppression writes nothing and exits with code 2,
listing the artefacts and reasons.  Tables and figures are byte-identical
across runs; only the manifest's times differ.

``--paper DIR`` also copies the released figures and tables to
``DIR/figures`` and ``DIR/tables`` (the paper includes them from there),
replacing files of earlier runs there, and writes ``DIR/numbers.tex``: the
``\\newcommand`` definitions of every number the paper quotes from the run,
built from the released files by :func:`cohorts.studies.high_mortgages.findings.numbers_tex`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from cohorts import __version__
from cohorts.disclosure import LOG_COLUMNS, load_rules, log_frame, strict_default
from cohorts.io import write_csv, write_outputs
from cohorts.studies.high_mortgages import figures as F
from cohorts.studies.high_mortgages import tables as T
from cohorts.studies.high_mortgages.comparison import (
    Options,
    StudyResults,
    comparable_targets,
    compare,
    load_targets,
    summarize,
)
from cohorts.disclosure import release_selection
from cohorts.studies.high_mortgages.exports import RELEASED, Exporter, checker_writers, write_release
from cohorts.studies.high_mortgages.findings import numbers_tex, read_findings
from cohorts.report.study import load_study
from cohorts.norms.command import add_wlt_reading_argument
from cohorts.report.style import house_style, new_figure
from cohorts.disclosure.options import add_gate_arguments
from cohorts.data_options import add_data_arguments


def copy_files(paths: list[Path], out_dir: str | os.PathLike) -> list[Path]:
    """Copy files (byte for byte) into ``out_dir``, atomically."""
    def copier(src: Path):
        return lambda p: shutil.copyfile(src, p)

    return write_outputs(out_dir, {Path(src).name: copier(Path(src)) for src in paths})


def draw_gated_survival(released: pd.DataFrame, *, lang: str = "en", threshold: float = 1.0) -> Figure:
    """Figure 8 or 9 drawn from its gated data (``figure_8_data.csv`` as released).

    Only released points are drawn (pooled steps are drawn at the step they
    were pooled into; a cut curve ends at its last released point); the
    numbers at risk are those of the released table.  See
    :func:`cohorts.studies.high_mortgages.figures.draw_data`.
    """
    spec = F.FIGURES["figure_8"]
    with house_style():
        fig, ax = new_figure(width=spec.width, aspect=spec.aspect)
        F.plot_survival(released, threshold=threshold, lang=lang, ax=ax)
    return fig


# ----------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of ``cohorts reproduce``."""
    add_data_arguments(parser)
    parser.add_argument("--lang", choices=T.LANGS, default="en", help="labels of tables and figures (default en)")
    parser.add_argument("--paper", type=Path, default=None,
                        help="also write figures and tables to PAPER/figures and PAPER/tables")
    parser.add_argument("--table5-window", choices=T.TABLE_5_WINDOWS, default="first_year",
                        help="Tabel 5 for new mortgages: first arrears in the origination year (default) or at any "
                             "time during follow-up")
    parser.add_argument("--table-b4-among", choices=T.TABLE_B4_AMONG, default="holders",
                        help="Tabel B4 mean consumer credit among households that have it (default) or all")
    parser.add_argument("--figure7-population", choices=T.FIGURE_7_POPULATIONS, default="starters",
                        help="Figure 7 on starters (default; matches the report's N) or all new mortgages")
    parser.add_argument("--figure7-window", choices=T.FIGURE_7_WINDOWS, default="first_year",
                        help="Figure 7 arrears: first arrears in the origination year, as Tabel 5 (default; the "
                             "caption's N = Tabel B3 x Tabel 5 starters) or at any time during follow-up")
    parser.add_argument("--worst", type=int, default=10, help="how many of the worst rows to print (default 10)")
    add_gate_arguments(parser, strict_default="strict on real data, not strict on the synthetic twin",
                       quiet_help="print only the findings and the comparison summary")
    parser.add_argument("--also-released", type=Path, nargs="*", default=[], metavar="DIR",
                        help="folders released earlier from the same data: the audit attacks this release together "
                             "with their tables (see docs/disclosure.md)")
    add_wlt_reading_argument(parser)  # the reading of Box 1 the build applies (cohorts.norms.wlt)


def run(args: argparse.Namespace) -> int:
    """``cohorts reproduce``: data, build, gated tables and figures, comparison; print the summary."""
    from cohorts.provenance import input_records, run_manifest, utc_now

    started = utc_now()
    t0 = time.perf_counter()
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    out = Path(args.out)
    rules = load_rules(args.disclosure_rules)
    data_dir = args.data if args.data is not None else out / "data"
    real = args.real or args.mapping is not None
    log(f"data: {data_dir} ({'as given' if real else f'synthetic, scale {args.scale:g}, seed {args.seed}'})")
    study = load_study(data_dir, out / "build", scale=None if real else args.scale, seed=None if real else args.seed,
                       mapping=args.mapping, stock_columns=T.STOCK_COLUMNS, wlt_reading=args.wlt_reading)
    log(f"build: {out / 'build'} ({'built' if study.rebuilt else 'reused'}; {len(study.cohorts):,} new mortgages, "
        f"{time.perf_counter() - t0:.1f} s)")
    strict = strict_default(synthetic=study.synthetic, rules=rules) if args.strict is None else bool(args.strict)

    options = Options(table_5_window=args.table5_window, table_b4_among=args.table_b4_among,
                      figure_7_population=args.figure7_population, figure_7_window=args.figure7_window)
    # the one export gate (cohorts.studies.high_mortgages.exports), as in the notebooks: every table and figure is gated and
    # attacked together, every figure drawn from its released data; here all are written together, atomically
    exporter = Exporter(study, out, strict=strict, rules=rules, lang=args.lang, options=options,
                        prior=tuple(args.also_released))
    t1 = time.perf_counter()
    results = exporter.prepare_all()
    audit = exporter.audit
    log(f"disclosure control: {len(results)} artefacts gated and attacked together "
        f"({0 if audit is None else len(audit):,} hidden cells and difference populations bounded, none exposed; "
        f"{time.perf_counter() - t1:.1f} s)")
    gate = exporter.gate(results)
    gate.enforce()  # strict mode: nothing is written when any artefact needed suppression
    not_written = {k: v for r in results for k, v in r.not_written.items()}
    for name, reason in not_written.items():
        print(f"cohorts reproduce: warning: {name} not written: {reason}", file=sys.stderr)

    targets = load_targets()
    study_results = StudyResults(study.cohorts, study.panel, study.stock, scale=study.scale, options=options)
    comparison = compare(study_results, targets=targets)
    n_excluded = len(targets) - len(comparable_targets(targets))
    summary = summarize(comparison, worst=args.worst, n_excluded=n_excluded, scale=study.scale)
    comparison_row = {"artefact": "comparison.csv", "cell": "all", "count": float("nan"), "measure": float("nan"),
                      "limit": float("nan"), "protects": "",
                      "rule": "reproduced numbers beside the published ones, not covered by the gate: written only "
                              "for synthetic data",
                      "decision": "withheld" if not study.synthetic else "written (synthetic data)"}
    disclosure_log = log_frame([*(r.log for r in results), pd.DataFrame([comparison_row], columns=list(LOG_COLUMNS))])

    # the checker's files are written apart by write_release, never hashed in the released manifest
    checker = checker_writers(log=disclosure_log, audit=audit)
    withheld = {} if study.synthetic else {
        "comparison.csv": "reproduced numbers are not covered by the gate: written only for synthetic data"}
    configuration = {
        "lang": args.lang,
        "options": {"table_5_window": options.table_5_window, "table_b4_among": options.table_b4_among,
                    "figure_7_population": options.figure_7_population,
                    "figure_7_window": options.figure_7_window},
        "strict": strict,
        "disclosure_rules": rules.to_dict(),
        "also_released": [str(p) for p in args.also_released],
    }
    extra = {
        "cohorts_version": __version__,
        "data": str(data_dir),
        "scale": study.scale,
        "seed": None if real else args.seed,
        "lang": args.lang,
        "options": configuration["options"],
        "rows": {"cohorts": len(study.cohorts)},
        "not_written": {**not_written, **withheld},
        "released": list(RELEASED),
        "checker": sorted(checker),
        "disclosure": {"strict": strict, "artefacts_needing_suppression": sorted(gate.needing())},
        "comparison": {
            "compared": int((comparison["status"] == "compared").sum()),
            "within": int(comparison["within"].sum()),
            "not_reproducible": int((comparison["status"] == "not_reproducible").sum()),
            "no_data": int((comparison["status"] == "no_data").sum()),
            "excluded_external_or_definition": n_excluded,
        },
    }
    synth = None
    if study.synthetic:
        from cohorts.provenance import synthetic_settings

        synth = synthetic_settings(data_dir)
    inputs = input_records({kind: p for kind, p in _raw_paths(data_dir, args.mapping).items()})

    def manifest(records: dict[str, dict]) -> dict:
        return run_manifest(command="cohorts reproduce", started=started, finished=utc_now(), inputs=inputs,
                            outputs=records, configuration=configuration,
                            mapping=_mapping_dict(args.mapping), synthetic=synth,
                            selection=release_selection(study.selection, rules=rules), extra=extra)

    writers = write_release(out, results, log=disclosure_log, audit=audit, manifest=manifest,
                            extra={"comparison.csv": _csv_writer(comparison)} if study.synthetic else None)
    for folder in ("tables", "figures"):  # files of an earlier run that this run did not release
        _remove_stale(out / folder, keep={n.split("/", 1)[1] for n in writers if n.startswith(f"{folder}/")})
    for r in results:
        if r.figure is not None:
            r.figure.clear()
    log(f"tables and figures: {out / 'tables'}, {out / 'figures'} ({len(writers)} files, "
        f"{time.perf_counter() - t0:.1f} s); for the output checker (not for release): {out / 'checker'}")
    if args.paper is not None:
        for folder in ("tables", "figures"):
            names = [n for n in writers if n.startswith(f"{folder}/")]
            copy_files([out / n for n in names], Path(args.paper) / folder)
            _remove_stale(Path(args.paper) / folder, keep={n.split("/", 1)[1] for n in names})
    found = read_findings(out)  # from the released files only, as an outsider reads them
    if args.paper is not None:
        write_outputs(Path(args.paper), {NUMBERS_TEX: _text_writer(numbers_tex(
            found, run=paper_run_values(synthetic=study.synthetic, scale=study.scale,
                                        seed=None if real else args.seed, options=options)))})
        log(f"paper exports: {args.paper}/figures, {args.paper}/tables, {args.paper}/{NUMBERS_TEX}")
    print(f"cohorts reproduce: {out}/{'comparison.csv' if study.synthetic else 'manifest.json'} "
          f"({time.perf_counter() - t0:.1f} s)")
    print(found.text())
    print(summary)
    if study.synthetic:
        print(f"Full comparison table (every published number beside the reproduced one): {out / 'comparison.csv'}")
    else:
        print("comparison.csv is withheld on real data (its numbers are not covered by the gate)")
    return 0


#: The file of the paper's numbers that ``--paper DIR`` writes (``DIR/numbers.tex``).
NUMBERS_TEX = "numbers.tex"
_TABLE_5_WINDOW_TEXT = {"first_year": "first arrears in the origination year",
                        "ever": "first arrears at any time during follow-up"}


def paper_run_values(*, synthetic: bool, scale: float, seed: int | None, options: Options) -> dict[str, str]:
    """Macros describing the run for ``numbers.tex``: the data (``RunData``) and Table 5's window."""
    data = (f"the synthetic twin (scale {scale:g}, seed {seed})" if synthetic
            else "the linked DNB and CBS microdata")
    return {"RunData": data,
            "TableFiveWindow": _TABLE_5_WINDOW_TEXT.get(options.table_5_window, options.table_5_window)}


def _remove_stale(folder: Path, *, keep: set[str]) -> None:
    if not folder.is_dir():
        return
    for stale in sorted(folder.glob("*")):
        if stale.is_file() and stale.name not in keep:
            stale.unlink()


def _csv_writer(frame: pd.DataFrame):
    return lambda p: write_csv(frame, p)


def _text_writer(text: str):
    return lambda p: Path(p).write_text(text, encoding="utf-8")


def _raw_paths(data_dir: Path, mapping: Path | None) -> dict[str, Path]:
    from cohorts.io import KINDS, ColumnMapping, load_mapping, resolve_input

    cmap = load_mapping(mapping) if mapping is not None else ColumnMapping()
    return {kind: resolve_input(data_dir, kind, cmap) for kind in KINDS}


def _mapping_dict(mapping: Path | None) -> dict:
    from cohorts.io import ColumnMapping, load_mapping

    return (load_mapping(mapping) if mapping is not None else ColumnMapping()).to_dict()
