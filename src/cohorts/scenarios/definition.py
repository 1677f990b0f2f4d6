"""Scenario constants (columns of the paths table, keys of a scenarios file) and the :class:`Scenario` record.

Part of :mod:`cohorts.scenarios` (the package docstring says what a scenario is); import the names from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

from cohorts.columns import YEAR

# Columns of the paths table (and keys of a scenarios file), defined once.
HOUSE: Final = "house"  # stock: house value factor, end of year
INCOME: Final = "income"  # flow: labour and AOW income factor, year
PENSION: Final = "pension"  # flow: second-pillar pension income factor, year
WEALTH: Final = "wealth"  # stock: free wealth factor, end of year
RATE: Final = "rate"  # mortgage rate in the year, fraction
PARAMETERS: Final = (HOUSE, INCOME, PENSION, WEALTH)
STOCKS: Final = (HOUSE, WEALTH)
FLOWS: Final = (INCOME, PENSION)
PATH_COLUMNS: Final = (YEAR, *PARAMETERS, RATE)

# Keys of a scenario block.
K_SOURCE: Final = "source"
K_GROWTH: Final = "growth"
K_RATE: Final = "rate"
K_INFLATION: Final = "inflation"
K_REAL: Final = "real"
K_TREND: Final = "trend"
K_SHOCK_YEARS: Final = "shock_years"
K_RATE_CHANGE: Final = "rate_change_pp"
K_RECOVERY_YEARS: Final = "recovery_years"
K_FLOOR_YEARS: Final = "floor_years"
K_START_YEAR: Final = "start_year"
K_START_YEARS: Final = "start_years"
K_TIMED_BY: Final = "timed_by"
TREND_KEYS: Final = (K_SOURCE, K_GROWTH, K_RATE, K_INFLATION, K_REAL)
TREND_REQUIRED: Final = (K_SOURCE, K_GROWTH, K_RATE)
SHOCK_KEYS: Final = (
    K_SOURCE,
    K_TREND,
    K_SHOCK_YEARS,
    K_GROWTH,
    K_RATE_CHANGE,
    K_RECOVERY_YEARS,
    K_FLOOR_YEARS,
    K_START_YEAR,
    K_START_YEARS,
    K_TIMED_BY,
)
SHOCK_REQUIRED: Final = (K_SOURCE, K_TREND, K_SHOCK_YEARS, K_GROWTH, K_RECOVERY_YEARS, K_START_YEAR, K_START_YEARS)

_REAL_TOLERANCE: Final = 1e-9
_N_EXAMPLES: Final = 5

#: How a caller's start-year sweep picks the worst timing of a shock block (key ``timed_by``):
#: ``"outcome"`` = the start year that maximises the caller's outcome count (the default);
#: ``"floor"`` = the start year that puts the most of the caller's events (refinancing years) at
#: the floor of the house-value path (a block with ``floor_years`` > 0).
TIMED_BY: Final = ("outcome", "floor")

StockTiming = Literal["start_of_year", "end_of_year"]
#: Which rate a household refinancing in year T gets (ambiguity A5): ``"in_year"`` the rate of year T itself,
#: ``"start_of_year"`` the rate on 1 January of T, i.e. the level reached in year T - 1.
RateTiming = Literal["in_year", "start_of_year"]
#: The values of :data:`RateTiming`.
RATE_TIMINGS: Final = ("in_year", "start_of_year")
RateRecovery = Literal["steps", "jump"]
FloorAppliesTo = Literal["all", "house"]


def _freeze(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Scenario:
    """One scenario, as read from a scenarios file (immutable).

    Rates are fractions per year here (the file states percent).

    Attributes
    ----------
    name : str
        The block name (``"base"``, ``"recession"``, ...).
    source : str
        Where the numbers come from (table ids, seed lines).
    trend_name : str
        The trend block this scenario follows outside its shock (its own name for a trend block).
    trend_growth : Mapping[str, float]
        Nominal trend growth per parameter (:data:`PARAMETERS`), fraction per year.
    trend_rate : float
        Mortgage rate on the trend path, fraction.
    shock_years : int
        Number of shock years n (0 for a trend scenario).
    shock_growth : Mapping[str, tuple of float]
        Per parameter, the growth in each of the n shock years (fraction).
    rate_change : tuple of float
        Change of the mortgage rate in each shock year (fraction, i.e. 0.004 = 0.4 pp); all 0 if
        the rate does not move.
    recovery_years : int
        R: years to return to the trend path after the shock (and floor).
    floor_years : int
        F: year-ends at the level reached by the shock (0 = no floor); see :func:`paths`.
    start_year : int or None
        Default start year S (None for a trend scenario).
    start_year_range : tuple of (int, int) or None
        The start years the scenario may be run for, inclusive.
    timed_by : {"outcome", "floor"}
        How a start-year sweep picks the worst start year (:data:`TIMED_BY`; ``"outcome"`` for a
        trend scenario).
    real_growth : Mapping[str, float] or None
        Real trend growth per parameter, if the file states it (then nominal = real + inflation).
    inflation : float or None
        Inflation, fraction per year, if stated.
    """

    name: str
    source: str
    trend_name: str
    trend_growth: Mapping[str, float]
    trend_rate: float
    shock_years: int = 0
    shock_growth: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    rate_change: tuple[float, ...] = ()
    recovery_years: int = 0
    floor_years: int = 0
    start_year: int | None = None
    start_year_range: tuple[int, int] | None = None
    timed_by: str = "outcome"
    real_growth: Mapping[str, float] | None = None
    inflation: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "trend_growth", _freeze(self.trend_growth))
        object.__setattr__(self, "shock_growth", _freeze({k: tuple(v) for k, v in self.shock_growth.items()}))
        object.__setattr__(self, "rate_change", tuple(self.rate_change))
        if self.real_growth is not None:
            object.__setattr__(self, "real_growth", _freeze(self.real_growth))
        missing = [p for p in PARAMETERS if p not in self.trend_growth]
        if missing:
            raise ValueError(f"scenario '{self.name}': trend growth lacks {missing}")
        if self.shock_years:
            for p in PARAMETERS:
                if len(self.shock_growth.get(p, ())) != self.shock_years:
                    raise ValueError(
                        f"scenario '{self.name}': shock growth of '{p}' needs {self.shock_years} entries "
                        f"(one per shock year)"
                    )
            if self.rate_change and len(self.rate_change) != self.shock_years:
                raise ValueError(f"scenario '{self.name}': rate_change needs {self.shock_years} entries")

    @property
    def is_shock(self) -> bool:
        """True for a shock scenario, False for a trend scenario."""
        return self.shock_years > 0
