"""Each target's standard error at the report's N (1.92 million sample households): :func:`report_se`.

Part of :mod:`cohorts.studies.interest_only.rules` (its docstring gives the conventions); import the
names from there.
"""

from __future__ import annotations

import pandas as pd

from cohorts.report.comparison import NotReproducible
from cohorts.report.sampling import binomial_se, subpopulation_count_se
from cohorts.studies.interest_only.results import Results, report_sample_n
from cohorts.studies.interest_only.rules.groups import _scenarios_of, group_mask


def report_group_n(res: Results, targets: pd.DataFrame, row: pd.Series) -> float | None:
    """The report's N of a share's group: 1.92 million x the group's fraction of the study's households."""
    try:
        scen = _scenarios_of(row)[0]
        m = group_mask(res, str(row["group"]), scen)
    except NotReproducible:
        return None
    n = len(m)
    return report_sample_n(targets) * float(m.sum()) / n if n else None


def report_se(res: Results, targets: pd.DataFrame, row: pd.Series, *, rule: str, kind: str) -> float:
    """The standard error of a target at the report's N, in its unit (``NaN`` where none applies).

    * shares (``share``, ``share_words``): binomial ``100 sqrt(p (1 - p) / N)``, ``p`` the target,
      ``N`` = :func:`report_group_n`; ratios and sums of shares have none;
    * population counts: the count's share of all IO households ``p = c / (coverage N)``,
      ``coverage x sqrt(N p (1 - p))`` (:func:`cohorts.report.sampling.subpopulation_count_se`);
    * sample sizes of a sub-population (perpetuals, refinancing moment, vulnerable): binomial in the
      1.92 million; the 1.92 million itself and the scenario parameters have none.
    """
    target = float(row["value"])
    n_report = report_sample_n(targets)
    if kind in ("share", "share_words") and rule not in ("median AOW gap", "reason shares sum"):
        n = report_group_n(res, targets, row)
        return 100.0 * binomial_se(target / 100.0, n) if n else float("nan")
    if kind in ("count", "count_round") or (kind.startswith("millions") and rule == "population (millions)"):
        unit = 1e6 if kind.startswith("millions") else 1.0
        if str(row["group"]) == "io_households":
            return float("nan")
        c = target * unit / res.coverage
        return res.coverage * subpopulation_count_se(c, n_report) / unit
    if rule == "sample size" and str(row["group"]) != "io_households":
        unit = 1e3 if row["unit"] == "count_thousands" else 1e6
        return subpopulation_count_se(target * unit, n_report) / unit
    return float("nan")
