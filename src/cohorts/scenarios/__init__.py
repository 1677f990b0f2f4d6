"""Macro scenarios as data, their year-by-year paths, and household projection along them.

Engine module (it knows no study).  A scenarios file (TOML; schema in ``docs/projection.md``
and in the header of the interest-only study's ``data/scenarios.toml``) holds one block per
scenario.  A **trend** block gives constant nominal growth rates per parameter and a mortgage
rate; a **shock** block names its trend block and deviates from it for a few years, then
returns to it.  :func:`load_scenarios` reads and validates a file, :func:`paths` turns one
scenario into a table with one row per year (:func:`floor_level`: its trough from the start
year on), and :func:`factor_at` / :func:`grow` look up each
household's factor for its own year (vectorised), which is the projection of a household
quantity (house value, wealth, income) to its refinancing or event year.

Parameters (:data:`PARAMETERS`): ``house`` (house value) and ``wealth`` are **stocks**: their
factor is 1.0 at the end of the base year (``first_year - 1``, end 2016 by default) and the value
for year y is the level at the **end** of year y.  ``income`` (labour and AOW) and ``pension``
(second pillar) are **flows**: their factor is 1.0 in ``first_year`` (2017 by default) and the
value for year y is the level of year y's flow.  ``rate`` is the mortgage rate in year y, as a
fraction (0.03 = 3%).  Checklist G34 and ambiguity A5 ("the base year of growth: end 2016 vs
1 Jan 2017 vs 2017 incomes").

A shock scenario with start year S (checklist G35-G36):

* years before S follow the trend;
* years S .. S+n-1 (n = ``shock_years``) grow at the shock rates instead;
* a crisis floor (``floor_years`` F > 0): the level reached at the end of S+n-1 is held, nominally
  flat, so that it stands at the floor for F year-ends *including* that of S+n-1, i.e. F-1 flat
  years (ambiguity A6: "5 + 5 - 1 = 9" years of decline and stagnation, seed line 2020; keyword
  ``floor_counts_last_shock_year=False`` makes it F flat years);
* then a recovery of R = ``recovery_years`` years closes the gap to the trend path
  **geometrically**: with g the ratio level / trend at the end of the last shock or floor year e,
  the level at the end of e+j is trend x g^(1 - j/R), so it is back on trend at the end of e+R
  (ambiguity A5: the report gives no shape; this is our choice);
* the mortgage rate moves by the shock-year changes (percentage points), is held during a floor,
  then steps back to the trend rate in R equal steps (A5 default; ``rate_recovery="jump"``
  returns at once after the shock or floor);
* every parameter follows the same shape, floor included (checklist G36 default for the crisis's
  income, pension and wealth; ``floor_applies_to="house"`` lets the other parameters and the rate
  recover right after the shock instead).

So the recession and high-rate scenarios (n = 5, R = 5) are off trend for the year-ends S .. S+8
(9 years, 2032-2040 for S = 2032) and the housing crisis (n = 5, F = 5, R = 15) for S .. S+22
(23 years, 2030-2052 for S = 2030).

Each path is one national series: the crisis floor is the national price level of end 2013
(report fn 70), the same ratio for every household (ambiguity A30).  Whether free wealth grows
at all (A2) and which start year is the worst (checklist G37: every S in the start-year range,
keep the one with most step-4 failures) are the study's choices; :func:`paths` takes any S in
the scenario's range.

**Which year a household uses (A5).**  :func:`factor_at` takes ``stock_timing``: with the
default ``"start_of_year"`` a stock used for year T is its level on 1 January of T (= end of
T-1), the same date on which :func:`cohorts.amortization.balance_at` measures the debt, so that
T = 2017 uses the end-2016 values unchanged; ``"end_of_year"`` uses the level at the end of T.
Flows always use year T itself; the rate too with the default ``rate_timing="in_year"``, while
``rate_timing="start_of_year"`` gives the rate on 1 January of T, the level reached in T-1 (a rate
path's shock-year changes read as year-end levels, like the stocks).

The package is split by stage; every name below is importable from ``cohorts.scenarios``:

* :mod:`~cohorts.scenarios.definition`: the constants and the :class:`Scenario` record;
* :mod:`~cohorts.scenarios.loading`: reading and validating a scenarios file (:func:`load_scenarios`);
* :mod:`~cohorts.scenarios.yearly`: a scenario's year-by-year paths (:func:`paths`);
* :mod:`~cohorts.scenarios.projection`: each household's factor for its year (:func:`factor_at`, :func:`grow`).
"""

from __future__ import annotations

from cohorts.columns import YEAR
# every module-level name of the old single module, re-exported (constants, keys, types, the record)
from cohorts.scenarios.definition import (  # noqa: F401
    FLOWS,
    HOUSE,
    INCOME,
    K_FLOOR_YEARS,
    K_GROWTH,
    K_INFLATION,
    K_RATE,
    K_RATE_CHANGE,
    K_REAL,
    K_RECOVERY_YEARS,
    K_SHOCK_YEARS,
    K_SOURCE,
    K_START_YEAR,
    K_START_YEARS,
    K_TIMED_BY,
    K_TREND,
    PARAMETERS,
    PATH_COLUMNS,
    PENSION,
    RATE,
    RATE_TIMINGS,
    SHOCK_KEYS,
    SHOCK_REQUIRED,
    STOCKS,
    TIMED_BY,
    TREND_KEYS,
    TREND_REQUIRED,
    WEALTH,
    FloorAppliesTo,
    RateRecovery,
    RateTiming,
    Scenario,
    StockTiming,
)
from cohorts.scenarios.loading import load_scenarios
from cohorts.scenarios.projection import factor_at, grow
from cohorts.scenarios.yearly import floor_level, paths

__all__ = [
    "FLOWS",
    "HOUSE",
    "INCOME",
    "PARAMETERS",
    "PENSION",
    "RATE",
    "RATE_TIMINGS",
    "STOCKS",
    "TIMED_BY",
    "WEALTH",
    "YEAR",
    "Scenario",
    "factor_at",
    "floor_level",
    "grow",
    "load_scenarios",
    "paths",
]
