"""A minimal study: three targets, one table, one figure (the contract of ``docs/studies.md``, in the tests).

It imports only the engine (``cohorts`` outside ``cohorts.studies``) and runs on the committed sample
(``data_synthetic/``) through the export gate, the comparison and ``cohorts reproduce --study example``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from cohorts import columns as C
from cohorts.disclosure import table_release
from cohorts.io import write_csv
from cohorts.report import comparison as engine
from cohorts.report import gate, load_study
from cohorts.report.conflicts import load_conflicts
from cohorts.report.outputs import Artefacts
from cohorts.report.style import house_style, new_figure
from cohorts.report.targets import load_target_classes, load_targets, load_tolerances

NAME = "example"
TITLE = "An example study (tests only)"
NOTEBOOKS: tuple[str, ...] = ()  # a study's notebooks, relative to the repository root
TOLERANCE_KINDS: tuple[str, ...] = ("share", "count")


def _data(name: str) -> Path:
    return Path(str(resources.files(__name__).joinpath("data", name)))


# ---------------------------------------------------------------- the one table and the data of the one figure
def table_e1(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Table E1: the share of new mortgages above the lending norm per cohort (tidy, as the gate reads tables)."""
    rows = [{"table": "E1", "group": "new", "cohort": int(year), "statistic": "share", "unit": "percent",
             "n": len(g), "value": 100.0 * float(g[C.HIGH].mean())}
            for year, g in cohorts.groupby(C.COHORT, sort=True)]
    return pd.DataFrame(rows, columns=["table", "group", "cohort", "statistic", "unit", "n", "value"])


def plot_share_high(data: pd.DataFrame, *, lang: str = "en") -> Figure:
    """The figure: one bar per cohort (a suppressed share is a missing bar)."""
    with house_style():
        fig, ax = new_figure()
        values = pd.to_numeric(data["value"], errors="coerce")
        ax.bar(data["cohort"].astype(int), values.fillna(0.0).to_numpy())
        ax.set_xlabel("cohort")
        ax.set_ylabel("share above the norm (%)")
    return fig


def _format(released: pd.DataFrame, *, lang: str, marker: str) -> pd.DataFrame:
    out = released.set_index("cohort")[["value"]].astype(object)
    return out.where(out.notna(), marker)


def _latex(released: pd.DataFrame, *, lang: str, marker: str) -> str:
    rows = [f"{c} & {marker if pd.isna(v) else f'{v:.1f}'} \\\\" for c, v in zip(released["cohort"],
                                                                              released["value"], strict=True)]
    return "\n".join(["\\begin{tabular}{rr}", "cohort & share \\\\", *rows, "\\end{tabular}"]) + "\n"


@dataclass(frozen=True)
class ExampleOptions:
    """The study has no interpretation choices."""


ARTEFACTS = Artefacts(
    tables={"E1": lambda f, o: table_e1(f["cohorts"])},
    figure_data={"figure_share_high_data": lambda f, o: table_e1(f["cohorts"])},
    text_data={},
    figures=("figure_share_high",),
    langs=("en",),
    format_table=_format,
    to_latex=_latex,
    draw_data=lambda name, data, *, lang="en": plot_share_high(data, lang=lang),
    read_release=lambda frames, options: {},  # no codebook: the attacker reads nothing from these files
    options=ExampleOptions,
    options_dict=lambda options: {},
    figure_gates={"figure_share_high_data":
                  lambda frame, *, rules: table_release("figure_share_high_data.csv", frame, rules=rules)},
)


class Exporter(gate.Exporter):
    """The engine's gate with this study's artefacts."""

    artefacts = ARTEFACTS


# ---------------------------------------------------------------- the comparison wiring
@dataclass(frozen=True)
class Results:
    """What the rules compute from: the cohorts and the synthetic scale."""

    cohorts: pd.DataFrame
    scale: float = 1.0


def _cohort(res: Results, row: pd.Series) -> pd.DataFrame:
    return res.cohorts.loc[res.cohorts[C.COHORT] == int(row["cohort_year"])]


RULES: tuple[engine.Rule, ...] = (
    engine.Rule("count of new mortgages / scale", lambda res, row: len(_cohort(res, row)) / res.scale, "count",
                id=r"^EX_N_new_"),
    engine.Rule("share above the norm", lambda res, row: 100.0 * float(_cohort(res, row)[C.HIGH].mean()), "share",
                id=r"^EX_share_high_"),
    engine.Rule("share of first-time buyers", lambda res, row: 100.0 * float(_cohort(res, row)[C.STARTER].mean()),
                "share", id=r"^EX_share_starters_"),
)


def compare(results: Results) -> pd.DataFrame:
    """One comparison row per target (the engine's :func:`cohorts.report.comparison.compare`)."""
    targets = load_targets(_data("targets.csv"))
    return engine.compare(
        results, targets=targets, tolerances=load_tolerances(_data("tolerances.csv"), kinds=TOLERANCE_KINDS),
        rules=RULES, classes=load_target_classes(_data("target_classes.csv"), targets=targets),
        conflicts=load_conflicts(_data("source_conflicts.csv"), targets=targets),
        report_se=lambda *args, **kwargs: float("nan"))


# ---------------------------------------------------------------- cohorts reproduce --study example
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options this study reads (``cohorts reproduce`` registers the default study's, a superset)."""
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=20221)


def run(args: argparse.Namespace) -> int:
    """Build, gate the table and the figure, compare; print the summary."""
    study = load_study(args.data, args.out / "build", scale=args.scale, seed=args.seed)
    with Exporter(study, args.out, strict=getattr(args, "strict", None)) as export:
        export.table("E1")
        export.figure("figure_share_high")
    comparison = compare(Results(study.frames["cohorts"], scale=args.scale))
    write_csv(comparison, args.out / "comparison.csv")
    print(engine.summarize(comparison, scale=args.scale))
    return 0


__all__ = ["ARTEFACTS", "NAME", "NOTEBOOKS", "TITLE", "Exporter", "Results", "add_arguments", "compare", "run"]
