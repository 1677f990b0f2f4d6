"""Compare reproduced numbers with the report's published numbers: the AFM 2022 study's comparison wiring.

The engine (:mod:`cohorts.report.comparison`, :mod:`cohorts.report.targets`) compares any study;
this module holds what is the report's own: its data files, the interpretation options, the study
results, the rules that map each target row to a statistic, the report's N behind a share, and
:func:`compare` with those as defaults.

Every row of the packaged target list (``cohorts/studies/high_mortgages/data/report_targets.csv``, a
copy of the project's target list; see ``cohorts/data/SOURCES.md``) that is a
study statistic (not ``external``, not a ``definition``) gets one row in the
comparison: either a reproduced number with a tolerance and a verdict, or
``status = "not_reproducible"`` / ``"no_data"`` with the reason.  Nothing is
skipped silently.

Mapping targets to statistics
-----------------------------
The mapping is a list of rules (:data:`RULES`), tried in order; the first whose
patterns match a target row computes its number from the study frames.  The
rules read the target's own columns: the id prefix (``T2_``, ``TB3_``,
``F8_N_``, ...), ``source`` (``Tabel B3``), ``quantity`` (the English
description), ``group`` (the population), ``cohort_year`` (one cohort, or a
pooled range such as ``2012-2017``; empty = all cohorts), ``horizon_years`` and
``threshold`` (percent of the norm maximum).  There is no list of ids.

Conventions
-----------
* **Counts** (Tabel B3, the N under tables and figures) are compared after
  dividing the study count by the synthetic ``scale`` (1.0 for real data); the
  ``note`` column says so.
* **Survival**: the report's "after 6 years" is duration 7 (x = 1 is the
  origination year; targets README ambiguity 9); cumulative incidence is
  100 x (1 - Kaplan-Meier survival).  The N under Figures 8/9 at "k jaar" is
  the number at risk at duration k.
* **Bounds**: a target noted ``lower_bound`` ("meer dan") is met when the
  reproduced value is at least the target minus the tolerance; ``upper_bound``
  ("bijna", "minder dan") when it is at most the target plus the tolerance.
  ``abs_diff`` is always ``|reproduced - target|``; ``score`` is the violation
  (one-sided for bounds) divided by the tolerance, and ranks the worst rows.
* **Tolerances** come from ``cohorts/studies/high_mortgages/data/tolerances.csv``, by kind, never per
  id.  For shares the tolerance is ``max(1 pp, 3 SE)`` with the binomial
  standard error ``SE = 100 sqrt(p (1 - p) / N)``, ``p`` the target share and
  ``N`` the report's own N for the target's group and cohort: Tabel B3
  (summed over the cohorts of a pooled range; ``within_norm`` = new - new_high,
  ``starters_within_norm`` = starters - starters_high, ``non_starters`` =
  new - starters), the N under Tabel 1 for ``*_high_io`` and Figure 7's number
  of arrears for shares of arrears.  Where the report gives no N, the 1 pp
  floor applies alone.
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
    CONFLICT_STATUSES,
    STATUSES,
    NotReproducible,
    Rule,
    comparable_targets,
    summarize,
    tolerance_for,
)
from cohorts.report.conflicts import SourceDataError
from cohorts.report.targets import CLASSES, UNCLASSIFIED
from cohorts.studies.high_mortgages.results import Options, StudyResults
from cohorts.studies.high_mortgages.rules import RULES, match_rule, report_n
from cohorts.studies.high_mortgages.sampling import report_se

__all__ = [
    "CLASSES",
    "COMPARISON_COLUMNS",
    "CONFLICT_STATUSES",
    "RULES",
    "STATUSES",
    "TOLERANCE_KINDS",
    "UNCLASSIFIED",
    "NotReproducible",
    "Options",
    "Rule",
    "SourceDataError",
    "StudyResults",
    "comparable_targets",
    "compare",
    "load_conflicts",
    "load_target_classes",
    "load_targets",
    "load_tolerances",
    "match_rule",
    "report_n",
    "summarize",
    "tolerance_for",
]

#: The tolerance kinds the rules use (each must have a row in ``tolerances.csv``).
TOLERANCE_KINDS: tuple[str, ...] = (
    "share",
    "percent",
    "mean_percent",
    "euro",
    "count",
    "cum_incidence",
    "ratio",
    "percent_points",
)

# --------------------------------------------------------------------------
# package data (cohorts/studies/high_mortgages/data/, described in its SOURCES.md)
# --------------------------------------------------------------------------
def _data_path(name: str) -> Path:
    return Path(str(resources.files("cohorts.studies.high_mortgages").joinpath("data", name)))


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """The report's published numbers (packaged copy unless ``path`` is given; :func:`cohorts.report.targets.load_targets`)."""
    return _targets.load_targets(_data_path("report_targets.csv") if path is None else path)


def load_target_classes(path: str | Path | None = None, *, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The class of each comparable target (packaged ``target_classes.csv`` unless ``path`` is given).

    See :func:`cohorts.report.targets.load_target_classes`.
    """
    return _targets.load_target_classes(_data_path("target_classes.csv") if path is None else path, targets=targets)


def load_tolerances(path: str | Path | None = None) -> pd.DataFrame:
    """The tolerance per kind of number (packaged ``tolerances.csv`` unless ``path`` is given).

    Every kind of :data:`TOLERANCE_KINDS` must have a row (:func:`cohorts.report.targets.load_tolerances`).
    """
    return _targets.load_tolerances(_data_path("tolerances.csv") if path is None else path, kinds=TOLERANCE_KINDS)


def load_conflicts(path: str | Path | None = None, *, targets: pd.DataFrame) -> pd.DataFrame:
    """The source conflicts (packaged ``source_conflicts.csv`` unless ``path`` is given).

    See :func:`cohorts.report.conflicts.load_conflicts`.
    """
    return _conflicts.load_conflicts(_data_path("source_conflicts.csv") if path is None else path, targets=targets)


# --------------------------------------------------------------------------
# the comparison
# --------------------------------------------------------------------------
def compare(
    results: StudyResults,
    *,
    targets: pd.DataFrame | None = None,
    tolerances: pd.DataFrame | None = None,
    rules: Sequence[Rule] = RULES,
    classes: pd.DataFrame | None = None,
    conflicts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One comparison row per comparable target.

    Parameters
    ----------
    results : StudyResults
        The study frames, scale and interpretation options.
    targets : pandas.DataFrame, optional
        Target list (default: the packaged copy).
    tolerances : pandas.DataFrame, optional
        Tolerances by kind (default: the packaged file).
    rules : sequence of Rule, default :data:`RULES`
    classes : pandas.DataFrame, optional
        Class of each target (default: :func:`load_target_classes`).
    conflicts : pandas.DataFrame, optional
        Source conflicts (default: the packaged file,
        :func:`load_conflicts`, checked against the
        packaged targets; an expression that reads an id missing from
        ``targets`` is reported as not evaluated).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`, as the engine's
        :func:`cohorts.report.comparison.compare` describes them (status,
        class, tolerance and standard errors, conflict columns).
    """
    all_targets = load_targets() if targets is None else targets
    tol = load_tolerances() if tolerances is None else tolerances
    cls = load_target_classes(targets=all_targets if targets is None else None) if classes is None else classes
    conf = load_conflicts(targets=load_targets() if targets is not None else all_targets) \
        if conflicts is None else conflicts
    return _engine.compare(results, targets=all_targets, tolerances=tol, rules=rules, classes=cls, conflicts=conf,
                           report_se=report_se)
