"""Survival engine: Kaplan-Meier, log-rank, Cox, discrete-time and competing-risk models.

Generic functions on any duration/event DataFrame, each returning an immutable
result object (never a mutated fitter), plus the study's robustness tables:

- :func:`fit_km` -> :class:`KMResult` (R ``survfit``)
- :func:`logrank` -> :class:`LogRankResult` (R ``survdiff``)
- :func:`fit_cox` -> :class:`CoxResult` (R ``coxph``; ``check_ph`` = R ``cox.zph``)
- :func:`fit_discrete` -> :class:`DiscreteResult` (R ``glm`` on person-years)
- :func:`fit_cif` -> :class:`CIFResult` (R multi-state ``survfit``, Aalen-Johansen)
- :func:`sweep`, :func:`by_cohort`: threshold and cohort robustness tables
- :func:`analysis_tables`: every table of ``cohorts analyze``

Time scale of the study: whole years, 1 = the origination year; the report's
"after 6 years" is time 7. Conventions and ties: ``docs/survival.md``.
"""

from cohorts.survival.cif import CIFResult, fit_cif
from cohorts.survival.cox import ConvergenceError, CoxResult, fit_cox
from cohorts.survival.discrete import DiscreteResult, fit_discrete, person_period
from cohorts.survival.km import KMResult, fit_km
from cohorts.survival.logrank import LogRankResult, logrank
from cohorts.survival.sweep import by_cohort, compare_groups, sweep
from cohorts.survival.tables import analysis_tables

__all__ = [
    "CIFResult",
    "ConvergenceError",
    "CoxResult",
    "DiscreteResult",
    "KMResult",
    "LogRankResult",
    "analysis_tables",
    "by_cohort",
    "compare_groups",
    "fit_cif",
    "fit_cox",
    "fit_discrete",
    "fit_km",
    "logrank",
    "person_period",
    "sweep",
]
