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
"""

from __future__ import annotations

from collections.abc import Sequence
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
from cohorts.studies.interest_only.results import Results, results_from
from cohorts.studies.interest_only.rules import RULES, report_se

__all__ = [
    "COMPARISON_COLUMNS",
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


def compare(
    results: Results,
    *,
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
    targets, tolerances, classes, conflicts : pandas.DataFrame, optional
        Default: the packaged files.
    rules : sequence of Rule, default :data:`RULES`

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS` (see :func:`cohorts.report.comparison.compare`).
    """
    t = load_targets() if targets is None else targets
    tol = load_tolerances() if tolerances is None else tolerances
    cls = load_target_classes(targets=t) if classes is None else classes
    conf = load_conflicts(targets=t) if conflicts is None else conflicts
    return _engine.compare(results, targets=t, tolerances=tol, rules=rules, classes=cls, conflicts=conf,
                           report_se=report_se)
