"""Compare the interest-only study's reproduced numbers with the AFM report's 473 published numbers.

The engine (:mod:`cohorts.report.comparison`, :mod:`cohorts.report.targets`,
:mod:`cohorts.report.conflicts`) does the comparison; this module holds what is the study's own:
its data files (``cohorts/studies/interest_only/data/``: ``io_refinancing_targets.csv``, a verbatim
copy of the project's target list; ``target_classes.csv``; ``tolerances.csv``;
``source_conflicts.csv``; each described in ``data/SOURCES.md``), the rules
(:data:`cohorts.studies.interest_only.rules.RULES`) and the standard errors at the report's N
(:func:`cohorts.studies.interest_only.rules.report_se`), wired into :func:`compare`.

Every target row that is a study statistic (not ``external``, not a ``definition``: 320 of the
473) gets one comparison row: a reproduced number with its tolerance and verdict, or
``not_reproducible`` with the reason.  Nothing is skipped silently.  Tolerances are by kind
(``tolerances.csv``), never per id: shares ``max(0.5 pp, 3 SE)`` (the report prints whole
percent, H40), counts ``max(500, 3 SE)`` (rounded to thousands), sample sizes half a unit of
the printed digit, scenario parameters half a unit of their printed decimal (cumulative changes
0.15 pp, README section 8).

**Rows read from the released files** (:data:`RELEASED_RULES`, tried before :data:`RULES`).  Some
numbers are answered by the descriptive tables ``cohorts refinance`` releases through the gate
(:mod:`cohorts.studies.interest_only.descriptives`): :func:`compare` reads them from the *released*
frames (rounded, checked; pass them as ``released``), never from the households, so a cell the gate
hides gives "not released", never a number:

* ``IO_TXT_fully_io_median_covered`` (Hoofdstuk 1: 20% "van zijn aflossingsvrije schuld") and
  ``IO_TXT_h4_fully_io_median_covered`` (Hoofdstuk 4: 20% "van de oorspronkelijke hoofdsom"):
  ``coverage.csv``, the median of the class "100% (fully IO)".  For a fully-IO mortgage the original
  IO principal is the original principal, so both texts mean the same released median;
* ``IO_TXT_h4_le5y_median_open`` ("met maximaal 5 jaar te gaan de helft van de huishoudens nog
  steeds 56% of meer van de aflossingsvrije schuld heeft openstaan"): 100 minus the released median
  coverage of the remaining-term class "<= 5" (the median of 100 - x is 100 - the median of x);
* ``IO_TXT_retirees_active_scheme_share`` (Tabel 3 note #: "1% van de debiteuren"):
  ``prevalence.csv``, panel ``tabel3_note``, the share of the IO households whose main earner is a
  pensioner with an active scheme;
* ``IO_TXT_le5y_half_mostly_uncovered`` ("de helft" of the <= 5-year households has not covered
  most of its debt) stays not reproducible: the released file gives that class's median coverage,
  not the share of households below 50% covered;
* ``IO_TXT_mortgagors_with_io_share`` ("Driekwart" of the CBS households with mortgage debt) stays
  not reproducible: ``prevalence.csv``'s share of mortgages with an IO part is over the LLD's
  mortgages before the link to CBS, another denominator.

Medians have no binomial standard error: their tolerance is the kind's absolute bound (half a
printed percent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import pandas as pd

from cohorts.report import comparison as _engine
from cohorts.report import conflicts as _conflicts
from cohorts.report import targets as _targets
from cohorts.report.comparison import (
    COMPARISON_COLUMNS,
    STATUSES,
    NotReproducible,
    Rule,
    comparable_targets,
    summarize,
)
from cohorts.studies.interest_only.descriptives import (
    COVERAGE_FILE,
    PREVALENCE_FILE,
    io_share_labels,
    load_descriptive_settings,
    term_labels,
)
from cohorts.studies.interest_only.results import Results, results_from
from cohorts.studies.interest_only.rules import RULES, report_se

__all__ = [
    "COMPARISON_COLUMNS",
    "RELEASED_FILES",
    "RULES",
    "STATUSES",
    "TOLERANCE_KINDS",
    "NotReproducible",
    "Results",
    "Rule",
    "comparable_targets",
    "compare",
    "load_conflicts",
    "load_target_classes",
    "load_targets",
    "load_tolerances",
    "released_rules",
    "results_from",
    "summarize",
]

#: The tolerance kinds the rules use (each must have a row in ``tolerances.csv``).
TOLERANCE_KINDS: tuple[str, ...] = (
    "share",
    "share_words",
    "share_sum",
    "count",
    "count_round",
    "millions_0dp",
    "millions_1dp",
    "millions_2dp",
    "thousands_1dp",
    "ratio",
    "rate",
    "rate_cum",
    "rate_pp",
    "percent_round",
    "year",
    "year_approx",
    "years",
    "sensitivity_input",
)


def data_path(name: str) -> Path:
    """A packaged data file of the study (``cohorts/studies/interest_only/data/<name>``)."""
    return Path(str(resources.files("cohorts.studies.interest_only").joinpath("data", name)))


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """The report's 473 published numbers (packaged copy unless ``path``).

    See :func:`cohorts.report.targets.load_targets`.
    """
    return _targets.load_targets(data_path("io_refinancing_targets.csv") if path is None else path)


def load_target_classes(path: str | Path | None = None, *, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The class of each comparable target (``recomputed`` / ``planted``; packaged ``target_classes.csv``)."""
    return _targets.load_target_classes(data_path("target_classes.csv") if path is None else path, targets=targets)


def load_tolerances(path: str | Path | None = None) -> pd.DataFrame:
    """The tolerance per kind (packaged ``tolerances.csv``); every kind of :data:`TOLERANCE_KINDS` must have a row."""
    return _targets.load_tolerances(data_path("tolerances.csv") if path is None else path, kinds=TOLERANCE_KINDS)


def load_conflicts(path: str | Path | None = None, *, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The source conflicts (packaged ``source_conflicts.csv``), checked against the targets."""
    t = load_targets() if targets is None else targets
    return _conflicts.load_conflicts(data_path("source_conflicts.csv") if path is None else path, targets=t)


#: The released files the comparison reads (``descriptives.py``), as ``cohorts refinance`` publishes them.
RELEASED_FILES: tuple[str, ...] = (COVERAGE_FILE, PREVALENCE_FILE)
#: Names of the rules that compare a released median (no binomial standard error).
_MEDIAN_RULES: frozenset[str] = frozenset({"released median coverage (fully IO)", "released median open (<= 5 years)"})
#: Years of the text's "5 jaar of korter" / "maximaal 5 jaar" (IO_TXT_le5y_*, IO_TXT_h4_le5y_*).
_LE5Y = 5


def _released_cell(released: Mapping[str, pd.DataFrame] | None, name: str, keys: dict[str, str], column: str) -> float:
    """One number of a released file; ``NotReproducible`` when the file, the row or the number is not released."""
    if released is None or name not in released:
        raise NotReproducible(f"not released: {name} was not given to the comparison (it reads the released file)")
    frame = released[name]
    hit = pd.Series(True, index=frame.index)
    for key, value in keys.items():
        hit &= frame[key].astype(str) == value
    where = ", ".join(f"{k} '{v}'" for k, v in keys.items())
    if int(hit.sum()) != 1:
        raise NotReproducible(f"not released: {name} has no single row with {where}")
    raw = frame.loc[hit, column].iloc[0]
    value = pd.to_numeric(pd.Series([raw]), errors="coerce").iloc[0]
    if pd.isna(value):
        raise NotReproducible(f"not released: {name} hides '{column}' of {where} (disclosure control, cell {raw!r})")
    return float(value)


def released_rules(released: Mapping[str, pd.DataFrame] | None) -> tuple[Rule, ...]:
    """The rules that read the released descriptive files (see the module docstring).

    Parameters
    ----------
    released : Mapping[str, pandas.DataFrame] or None
        File name -> the frame as released and read back (``coverage.csv``, ``prevalence.csv``;
        hidden cells keep the gate's marker).  ``None``: every row these rules match is not reproducible
        ("not released").

    Returns
    -------
    tuple of Rule
        To be tried before :data:`RULES` (they replace its "original principal" and one of its
        "pension rules" rows).
    """
    d = load_descriptive_settings()
    fully_io = io_share_labels(d.io_share_edges)[-1]
    first_term = term_labels(d.term_edges)[0]

    def le5y_class() -> str:
        if d.term_edges[0] != _LE5Y:  # the first class must be the text's "5 jaar of korter"
            raise NotReproducible(f"the first remaining-term class of coverage.csv is '{first_term}', not <= {_LE5Y}")
        return first_term

    def fully_io_median(res: Results, row: pd.Series) -> float:
        return _released_cell(released, COVERAGE_FILE, {"dimension": "io_share", "class": fully_io}, "median")

    def le5y_median_open(res: Results, row: pd.Series) -> float:
        return 100.0 - _released_cell(released, COVERAGE_FILE,
                                      {"dimension": "remaining_term", "class": le5y_class()}, "median")

    def le5y_share_below_half(res: Results, row: pd.Series) -> float:
        raise NotReproducible("coverage.csv releases the median coverage of the households with <= 5 years to "
                              "maturity, not the share of them with less than half covered ('de helft' is that share)")

    def mortgagors_with_io(res: Results, row: pd.Series) -> float:
        raise NotReproducible("prevalence.csv's share of mortgages with an IO part (panel 'mortgages') is over the "
                              "LLD's mortgages at the snapshot, before the link to CBS, not over the CBS households "
                              "with mortgage debt that the 75% counts (the analysis file holds IO households only)")

    def retirees_active(res: Results, row: pd.Series) -> float:
        return _released_cell(released, PREVALENCE_FILE, {"panel": "tabel3_note", "group": "retired_active_scheme"},
                              "share")

    return (
        Rule("released median coverage (fully IO)", fully_io_median, "share",
             id=r"^IO_TXT_(h4_)?fully_io_median_covered$"),
        Rule("released median open (<= 5 years)", le5y_median_open, "share", id=r"^IO_TXT_h4_le5y_median_open$"),
        Rule("released coverage: share below half", le5y_share_below_half, "share_words",
             id=r"^IO_TXT_le5y_half_mostly_uncovered$"),
        Rule("released share of retirees with an active scheme", retirees_active, "share",
             id=r"^IO_TXT_retirees_active_scheme_share$"),
        Rule("released prevalence: another denominator", mortgagors_with_io, "share",
             id=r"^IO_TXT_mortgagors_with_io_share$"),
    )


def _report_se(res: Results, targets: pd.DataFrame, row: pd.Series, *, rule: str, kind: str) -> float:
    """:func:`~cohorts.studies.interest_only.rules.report_se`, but none for a released median."""
    return float("nan") if rule in _MEDIAN_RULES else report_se(res, targets, row, rule=rule, kind=kind)


def compare(
    results: Results,
    *,
    released: Mapping[str, pd.DataFrame] | None = None,
    targets: pd.DataFrame | None = None,
    tolerances: pd.DataFrame | None = None,
    rules: Sequence[Rule] = RULES,
    classes: pd.DataFrame | None = None,
    conflicts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One comparison row per comparable target of the interest-only study.

    Parameters
    ----------
    results : Results
        From :func:`cohorts.studies.interest_only.results.results_from`.
    released : Mapping[str, pandas.DataFrame], optional
        The released ``coverage.csv`` and ``prevalence.csv`` as read back (:data:`RELEASED_FILES`);
        absent, their rows are not reproducible ("not released").
    targets, tolerances, classes, conflicts : pandas.DataFrame, optional
        Default: the packaged files.
    rules : sequence of Rule, default :data:`RULES`
        Tried after :func:`released_rules`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS` (see :func:`cohorts.report.comparison.compare`).
    """
    t = load_targets() if targets is None else targets
    tol = load_tolerances() if tolerances is None else tolerances
    cls = load_target_classes(targets=t) if classes is None else classes
    conf = load_conflicts(targets=t) if conflicts is None else conflicts
    return _engine.compare(results, targets=t, tolerances=tol, rules=(*released_rules(released), *rules), classes=cls,
                           conflicts=conf, report_se=_report_se)
