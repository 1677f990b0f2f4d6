"""The interest-only study's results: what its comparison rules compute from.

:class:`Results` holds the prepared households (:func:`cohorts.studies.interest_only.project.prepare`),
one outcomes frame per scenario at its worst start year (the base scenario once), the optional
start-year sweep and sensitivity frames, the twin's scale and the report's coverage factor.
:func:`results_from` builds it from a :class:`~cohorts.studies.interest_only.project.Prepared`.

**Coverage (checklist H39).**  The report scales sample counts to the population with
population / sample = 2.9 million / 1.92 million (coverage about two-thirds, Figuur 17).  Both
numbers are target rows (``IO_TXT_io_households_pop`` and ``IO_F1_n_io_households``) and are read
from the packaged target list, never typed: :func:`report_coverage`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from cohorts import scenarios as SC
from cohorts.report import targets as _targets
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only import project as P
from cohorts.studies.interest_only.sweep import worst_start_years
from cohorts.studies.interest_only.parameters import Parameters

#: Target row of the population of IO households (millions, H39 numerator).
POPULATION_ID = "IO_TXT_io_households_pop"
#: Target row of the report's sample of IO households (millions, H39 denominator; the report's N).
SAMPLE_ID = "IO_F1_n_io_households"
#: Columns of a sensitivity frame.
SENSITIVITY_COLUMNS: tuple[str, ...] = ("parameter", "value", "is_baseline", "fail_annuity", "share")


def targets_path() -> Path:
    """The packaged copy of the study's target list (``data/io_refinancing_targets.csv``)."""
    return Path(str(resources.files("cohorts.studies.interest_only").joinpath("data", "io_refinancing_targets.csv")))


def target_value(targets: pd.DataFrame, id_: str) -> float:
    """The published value of one target row (raises ``KeyError`` if absent or empty)."""
    hit = targets.loc[targets["id"] == id_, "value"]
    if hit.empty or pd.isna(hit.iloc[0]):
        raise KeyError(f"target {id_!r} has no value in the target list")
    return float(hit.iloc[0])


def report_coverage(targets: pd.DataFrame | None = None) -> float:
    """Population / sample of the report (H39): ``IO_TXT_io_households_pop / IO_F1_n_io_households``.

    Parameters
    ----------
    targets : pandas.DataFrame, optional
        Target list (default: the packaged copy).

    Returns
    -------
    float
        About 2.9 / 1.92 = 1.51.
    """
    t = _targets.load_targets(targets_path()) if targets is None else targets
    return target_value(t, POPULATION_ID) / target_value(t, SAMPLE_ID)


def report_sample_n(targets: pd.DataFrame | None = None) -> float:
    """The report's N of IO households in the sample (1.92 million, ``IO_F1_n_io_households``), in households."""
    t = _targets.load_targets(targets_path()) if targets is None else targets
    return target_value(t, SAMPLE_ID) * 1e6


@dataclass(frozen=True)
class Results:
    """What the study's rules (:mod:`cohorts.studies.interest_only.rules`) compute from.

    Attributes
    ----------
    households : pandas.DataFrame
        The prepared households (``project.prepare(...).households``), row-aligned with every
        outcomes frame.
    outcomes : Mapping[str, pandas.DataFrame]
        Per scenario name, :func:`~cohorts.studies.interest_only.project.outcomes` at the
        scenario's worst start year (the base scenario once).
    sweep : pandas.DataFrame or None
        One row per scenario x start year with the counts of
        :func:`~cohorts.studies.interest_only.project.counts` and a boolean ``worst``.
    sensitivity : pandas.DataFrame or None
        Columns :data:`SENSITIVITY_COLUMNS` (``value`` in the unit Tabel 4 prints: percent, or
        years for life expectancy); ``None``: the Tabel 4 rows are not reproducible.
    scale : float
        The twin's scale; counts compare as count / scale.
    coverage : float
        Population / sample (H39, :func:`report_coverage`).
    scenarios : Mapping[str, cohorts.scenarios.Scenario]
        The scenarios run (for the Tabel 2/5-8 rules, recomputed with :func:`cohorts.scenarios.paths`).
    params : Parameters or None
        The study parameters of the run (AOW age, ``now_year``).
    """

    households: pd.DataFrame
    outcomes: Mapping[str, pd.DataFrame]
    sweep: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    scale: float = 1.0
    coverage: float = field(default_factory=report_coverage)
    scenarios: Mapping[str, SC.Scenario] = field(default_factory=dict)
    params: Parameters | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive number, but was {self.scale!r}")
        if not (np.isfinite(self.coverage) and self.coverage > 0):
            raise ValueError(f"coverage must be a positive number, but was {self.coverage!r}")
        for name, frame in self.outcomes.items():
            if len(frame) != len(self.households):
                raise ValueError(f"outcomes of {name!r} have {len(frame)} rows, the households {len(self.households)}")
        object.__setattr__(self, "outcomes", MappingProxyType(dict(self.outcomes)))
        object.__setattr__(self, "scenarios", MappingProxyType(dict(self.scenarios)))

    def worst_start_year(self, name: str) -> int | None:
        """The worst start year of a shock scenario: from the sweep if given, else the scenario's default."""
        sc = self.scenarios.get(name)
        if sc is not None and not sc.is_shock:
            return None
        if self.sweep is not None:
            hit = self.sweep.loc[(self.sweep[IO.SCENARIO] == name) & self.sweep["worst"].astype(bool), IO.START_YEAR]
            if len(hit):
                return int(hit.iloc[0])
        return None if sc is None else sc.start_year


def results_from(
    prepared: P.Prepared,
    *,
    scenarios: Mapping[str, SC.Scenario],
    scale: float,
    sweep: pd.DataFrame | None = None,
    sensitivity: pd.DataFrame | None = None,
    coverage: float | None = None,
) -> Results:
    """Run every scenario once, at its worst start year, and collect the study's results.

    Parameters
    ----------
    prepared : Prepared
        From :func:`cohorts.studies.interest_only.project.prepare` with these scenarios.
    scenarios : Mapping[str, cohorts.scenarios.Scenario]
    scale : float
        The twin's scale (1.0 for real data).
    sweep : pandas.DataFrame, optional
        Start-year sweep with a boolean ``worst``; the worst start year of each shock scenario is
        taken from it (default: the scenario file's ``start_year``, the report's worst timing).
    sensitivity : pandas.DataFrame, optional
        Tabel 4 / Figuur 19 runs (:data:`SENSITIVITY_COLUMNS`).
    coverage : float, optional
        Population / sample (default :func:`report_coverage`, from the targets).

    Returns
    -------
    Results
    """
    worst = worst_start_years(sweep) if sweep is not None else {}
    out = {}
    for name, sc in scenarios.items():
        start = worst.get(name, sc.start_year) if sc.is_shock else None
        out[name] = P.outcomes(prepared, scenario=sc, start_year=start)
    return Results(
        households=prepared.households,
        outcomes=out,
        sweep=sweep,
        sensitivity=sensitivity,
        scale=float(scale),
        coverage=report_coverage() if coverage is None else float(coverage),
        scenarios=scenarios,
        params=prepared.params,
    )
