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
   see :mod:`cohorts.report.compare`), ``OUT/disclosure_log.csv`` and
   ``OUT/manifest.json`` (provenance, :mod:`cohorts.provenance`),
6. prints a summary: how many published numbers are within tolerance, and
   the ten worst.

Disclosure control
------------------
Every table and the data behind every figure pass the export gate
(:mod:`cohorts.disclosure`) before anything is written: suppressed cells show
the marker (``x``), survival curves are cut and pooled, models without
enough events are refused, and each check is a row of
``disclosure_log.csv``.  The survival figures (8, 9) are drawn from the gated
curve, so figure and CSV agree; any other figure whose data needed
suppression is not drawn (it is listed under ``not_written``).
``comparison.csv`` holds reproduced numbers that the cell rules do not cover:
it is written only when the run is not strict.  In strict mode (the default
on real data; ``--strict``/``--no-strict``) a run in which any artefact needed
suppression writes no table, figure, log or manifest and exits with code 2,
listing the artefacts and reasons.  Tables, figures and outputs go into
``OUT`` in one atomic step (tables and figures byte-identical across runs;
only the manifest's times differ).

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

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from cohorts import __version__
from cohorts.disclosure import (
    LOG_COLUMNS,
    Checked,
    Gate,
    Rules,
    gate_figure_data,
    gate_report_table,
    gated_curve_points,
    load_rules,
    strict_default,
)
from cohorts.io import write_csv, write_outputs, write_outputs_with_manifest
from cohorts.report import figures as F
from cohorts.report import tables as T
from cohorts.report.compare import (
    Options,
    StudyResults,
    comparable_targets,
    compare,
    load_targets,
    summarize,
)
from cohorts.report.study import Study, load_study
from cohorts.report.style import (
    LINE_PALETTE,
    LINESTYLES,
    export_figure,
    figure_writers,
    house_style,
    new_figure,
)

#: file stem -> function(frames, options) -> tidy frame, for the data behind each figure
FIGURE_DATA = {
    "figure_1_data": lambda f, o: T.figure_1_data(f["cohorts"]),
    "figure_2_data": lambda f, o: T.quadrant_data(f["cohorts"], cut=1.0, strict=True),
    "figure_3_data": lambda f, o: T.quadrant_data(f["cohorts"], cut=0.9, strict=False),
    "figure_4_data": lambda f, o: T.income_data(f["cohorts"], support=True),
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

    Not gated: ``cohorts reproduce`` uses :func:`checked_exports`, which passes
    every frame through the disclosure gate.

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
            out[f"{stem}.csv"] = make(frames, opts).drop(columns=list(T.SUPPORT_COLUMNS), errors="ignore")
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
# through the disclosure gate
# ----------------------------------------------------------------------------
#: Survival figures drawn from their gated data (figure -> data artefact).
KM_FIGURES: Mapping[str, str] = {"figure_8": "figure_8_data.csv", "figure_9": "figure_9_data.csv"}


def checked_exports(
    study: Study, *, rules: Rules, options: Options | None = None
) -> tuple[dict[str, Checked], dict[str, str]]:
    """Every table and the data behind every figure, through the disclosure gate.

    Returns
    -------
    checked : dict
        ``table_<id>.csv`` and ``<figure>_data.csv`` -> :class:`cohorts.disclosure.Checked`.
    failures : dict
        File name -> reason, for figure data that cannot be computed.
    """
    opts = Options() if options is None else options
    checked: dict[str, Checked] = {}
    failures: dict[str, str] = {}
    for tid, tab in T.all_tables(study.cohorts, study.stock, table_5_window=opts.table_5_window,
                                 table_b4_among=opts.table_b4_among, support=True).items():
        checked[f"table_{tid}.csv"] = gate_report_table(f"table_{tid}.csv", tab, rules=rules)
    for stem, make in FIGURE_DATA.items():
        try:
            frame = make(study.frames, opts)
        except ValueError as exc:  # ContractError / ConvergenceError of the survival engine
            failures[f"{stem}.csv"] = f"{type(exc).__name__}: {exc}".replace("\n", " ")
            continue
        checked[f"{stem}.csv"] = gate_figure_data(stem, frame, rules=rules)
    return checked, failures


def draw_gated_survival(released: pd.DataFrame, *, lang: str = "en", threshold: float = 1.0) -> Figure:
    """Figure 8 or 9 drawn from its gated data (``figure_8_data.csv`` as released).

    Only released points are drawn (pooled steps are drawn at the step they
    were pooled into; a cut curve ends at its last released point); the
    numbers at risk are those of the released table.
    """
    spec = F.FIGURES["figure_8"]
    text = F.TEXT[lang]
    with house_style():
        fig, ax = new_figure(width=spec.width, aspect=spec.aspect)
        shown = gated_curve_points(released)
        for k, cat in enumerate(("within", "high")):
            sub = shown.loc[shown["category"] == cat].sort_values("time")
            t = np.concatenate([[0.0], sub["time"].to_numpy(dtype="float64")])
            y = np.concatenate([[1.0], sub["surv"].to_numpy(dtype="float64")])
            lo = np.concatenate([[1.0], sub["surv_lower"].to_numpy(dtype="float64")])
            hi = np.concatenate([[1.0], sub["surv_upper"].to_numpy(dtype="float64")])
            label = text["within"] if cat == "within" else text["high"].format(thr=100.0 * threshold)
            colour = LINE_PALETTE[k]
            ax.step(t, y, where="post", color=colour, linestyle=LINESTYLES[k], label=label)
            ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.2, linewidth=0)
            y_row = -0.32 - 0.07 * k
            ax.annotate(label, xy=(0.0, y_row), xycoords="axes fraction", ha="right", va="top", fontsize="small",
                        annotation_clip=False)
            risk = released.loc[(released["category"] == cat) & released["n_at_risk"].notna()]
            for tt, n in zip(risk["time"], risk["n_at_risk"], strict=True):
                ax.annotate(T.format_number(float(n), decimals=0, lang=lang), xy=(tt, y_row),
                            xycoords=("data", "axes fraction"), ha="center", va="top", fontsize="x-small",
                            annotation_clip=False)
        ax.annotate(text["at_risk"], xy=(0.0, -0.25), xycoords="axes fraction", ha="left", va="top",
                    fontsize="small", style="italic", annotation_clip=False)
        ax.legend(loc="lower left")
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0, symbol=""))
        ax.set_ylabel(text["surv"])
        ax.set_xlabel(text["year_after"])
        ax.set_xlim(0, 7.4)
        ax.set_xticks(list(range(1, 8)))
    return fig


def _figure_log(name: str, data: str, decision: str, rule: str) -> dict:
    return {"artefact": f"{name}.pdf/.png", "cell": "figure", "rule": rule, "count": float("nan"),
            "measure": float("nan"), "limit": float("nan"), "decision": decision}


def gated_figures(
    study: Study, checked: Mapping[str, Checked], failures: Mapping[str, str], *, lang: str = "en",
    options: Options | None = None,
) -> tuple[dict[str, Figure], dict[str, str], pd.DataFrame]:
    """Draw the figures whose data passed the gate (the survival figures from their gated data).

    Returns
    -------
    figures : dict
        Name -> Figure.
    not_drawn : dict
        Name -> reason.
    log : pandas.DataFrame
        One disclosure-log row per figure.
    """
    figures: dict[str, Figure] = {}
    not_drawn: dict[str, str] = {}
    rows = []
    for name in F.FIGURES:
        data = f"{name}_data.csv"
        if data in failures:
            not_drawn[name] = failures[data]
            continue
        if name in KM_FIGURES:
            figures[name] = draw_gated_survival(checked[data].released, lang=lang)
            rows.append(_figure_log(name, data, "release", f"drawn from the gated {data}"))
            continue
        if checked[data].needs_suppression:
            not_drawn[name] = f"disclosure: {data} needed suppression (see disclosure_log.csv)"
            rows.append(_figure_log(name, data, "suppress", f"not drawn: {data} needed suppression"))
            continue
        try:
            extra = {"population": options.figure_7_population} if name == "figure_7" and options else {}
            figures[name] = F.draw(name, study.frames, lang=lang, **extra)
        except ValueError as exc:  # ContractError / ConvergenceError of the survival engine
            not_drawn[name] = f"{type(exc).__name__}: {exc}".replace("\n", " ")
            continue
        rows.append(_figure_log(name, data, "release", f"data {data} released as computed"))
    return figures, not_drawn, pd.DataFrame(rows, columns=list(LOG_COLUMNS))


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
    parser.add_argument("--disclosure-rules", type=Path, default=None, metavar="TOML",
                        help="disclosure rules overriding the packaged ones (see docs/disclosure.md)")
    parser.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                        help="refuse to write anything when an output needs suppression (default: strict on real "
                             "data, not strict on the synthetic twin)")
    parser.add_argument("--quiet", action="store_true", help="print only the comparison summary")


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
                       mapping=args.mapping)
    log(f"build: {out / 'build'} ({'built' if study.rebuilt else 'reused'}; {len(study.cohorts):,} new mortgages, "
        f"{time.perf_counter() - t0:.1f} s)")
    strict = strict_default(synthetic=study.synthetic, rules=rules) if args.strict is None else bool(args.strict)

    options = Options(table_5_window=args.table5_window, table_b4_among=args.table_b4_among,
                      figure_7_population=args.figure7_population)
    checked, not_written = checked_exports(study, rules=rules, options=options)
    gate = Gate(checked, rules, strict)
    gate.enforce()  # strict mode: nothing is written when any artefact needed suppression
    figures, not_drawn, figure_log = gated_figures(study, checked, not_written, lang=args.lang, options=options)
    for name, reason in {**not_written, **not_drawn}.items():
        print(f"cohorts reproduce: warning: {name} not written: {reason}", file=sys.stderr)

    targets = load_targets()
    results = StudyResults(study.cohorts, study.panel, study.stock, scale=study.scale, options=options)
    comparison = compare(results, targets=targets)
    n_excluded = len(targets) - len(comparable_targets(targets))
    summary = summarize(comparison, worst=args.worst, n_excluded=n_excluded, scale=study.scale)
    comparison_row = {"artefact": "comparison.csv", "cell": "all", "count": float("nan"), "measure": float("nan"),
                      "limit": float("nan"),
                      "rule": "reproduced numbers not covered by the cell rules: written only when not strict",
                      "decision": "withheld" if strict else "written unchecked (not strict)"}
    disclosure_log = pd.concat([gate.log, figure_log, pd.DataFrame([comparison_row], columns=list(LOG_COLUMNS))],
                               ignore_index=True)

    writers: dict[str, object] = {}
    for name in checked:
        folder = "tables"
        writers[f"{folder}/{name}"] = _csv_writer(gate.published(name))
        if name.startswith("table_"):
            released = checked[name].released
            stem = name.removesuffix(".csv")
            formatted = T.format_table(released, lang=args.lang, marker=rules.marker).reset_index()
            writers[f"{folder}/{stem}_formatted.csv"] = _csv_writer(formatted)
            writers[f"{folder}/{stem}.tex"] = _text_writer(T.to_latex(released, lang=args.lang, marker=rules.marker))
    for name, fig in figures.items():
        writers.update(figure_writers(fig, f"figures/{name}"))
    if not strict:
        writers["comparison.csv"] = _csv_writer(comparison)
    writers["disclosure_log.csv"] = _csv_writer(disclosure_log)
    withheld = {"comparison.csv": "not covered by the disclosure rules; written only when not strict"} if strict else {}
    configuration = {
        "lang": args.lang,
        "options": {"table_5_window": options.table_5_window, "table_b4_among": options.table_b4_among,
                    "figure_7_population": options.figure_7_population},
        "strict": strict,
        "disclosure_rules": rules.to_dict(),
    }
    extra = {
        "cohorts_version": __version__,
        "data": str(data_dir),
        "scale": study.scale,
        "seed": None if real else args.seed,
        "lang": args.lang,
        "options": configuration["options"],
        "rows": {"cohorts": len(study.cohorts), "panel": len(study.panel), "stock": len(study.stock)},
        "not_written": {**not_written, **not_drawn, **withheld},
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
                            mapping=_mapping_dict(args.mapping), synthetic=synth, selection=study.selection,
                            extra=extra)

    write_outputs_with_manifest(out, writers, manifest)
    for folder in ("tables", "figures"):  # files of an earlier run that this run did not release
        for stale in sorted((out / folder).glob("*")):
            if stale.is_file() and f"{folder}/{stale.name}" not in writers:
                stale.unlink()
    for fig in figures.values():
        fig.clear()
    log(f"tables and figures: {out / 'tables'}, {out / 'figures'} ({len(writers)} files, "
        f"{time.perf_counter() - t0:.1f} s); disclosure log: {out / 'disclosure_log.csv'}")
    if args.paper is not None:
        for folder in ("tables", "figures"):
            copy_files([out / n for n in writers if n.startswith(f"{folder}/")], Path(args.paper) / folder)
        log(f"paper exports: {args.paper}/figures, {args.paper}/tables")
    print(f"cohorts reproduce: {out}/{'comparison.csv' if not strict else 'manifest.json'} "
          f"({time.perf_counter() - t0:.1f} s)")
    print(summary)
    return 0


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
