"""A scenario's year-by-year level factors and mortgage rate: :func:`paths`.

Part of :mod:`cohorts.scenarios` (the package docstring gives the shape of a shock: shock years, floor,
geometric recovery); import the names from there.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cohorts.columns import YEAR
from cohorts.scenarios.definition import HOUSE, PARAMETERS, PATH_COLUMNS, RATE, STOCKS, FloorAppliesTo, RateRecovery, Scenario


def _log_gap(
    offset: np.ndarray, shock_log: np.ndarray, trend_log: float, n: int, flat: int, recovery: int
) -> np.ndarray:
    """log(level / trend level) per year, given the year offsets from S (vectorised).

    ``shock_log`` holds log(1 + shock growth) of the n shock years; ``flat`` is the number of
    nominally flat floor years after them; the gap then closes geometrically over ``recovery`` years.
    """
    cum = np.concatenate([[0.0], np.cumsum(shock_log - trend_log)])  # gap at the end of shock year k
    gap_shock_end = cum[n]
    last = n - 1 + flat  # offset of the last shock or floor year
    gap_last = gap_shock_end - flat * trend_log
    in_shock = (offset >= 0) & (offset < n)
    in_floor = (offset >= n) & (offset <= last)
    in_recovery = (offset > last) & (offset <= last + recovery)
    safe = np.clip(offset, 0, n - 1)
    return np.select(
        [in_shock, in_floor, in_recovery],
        [
            cum[safe + 1],
            gap_shock_end - (offset - (n - 1)) * trend_log,
            gap_last * (1.0 - (offset - last) / recovery),
        ],
        default=0.0,
    )


def _rate_gap(offset: np.ndarray, change: np.ndarray, n: int, flat: int, recovery: int, how: RateRecovery) -> np.ndarray:
    cum = np.concatenate([[0.0], np.cumsum(change)])
    last = n - 1 + flat
    in_shock = (offset >= 0) & (offset < n)
    in_floor = (offset >= n) & (offset <= last)
    in_recovery = (offset > last) & (offset <= last + recovery)
    safe = np.clip(offset, 0, n - 1)
    back = cum[n] * (1.0 - (offset - last) / recovery) if how == "steps" else np.zeros(offset.shape)
    return np.select([in_shock, in_floor, in_recovery], [cum[safe + 1], np.full(offset.shape, cum[n]), back], default=0.0)


def paths(
    scenario: Scenario,
    *,
    start_year: int | None = None,
    first_year: int = 2017,
    last_year: int = 2110,
    rate_recovery: RateRecovery = "steps",
    floor_applies_to: FloorAppliesTo = "all",
    floor_counts_last_shock_year: bool = True,
) -> pd.DataFrame:
    """Year-by-year level factors and mortgage rate of one scenario.

    Parameters
    ----------
    scenario : Scenario
        From :func:`load_scenarios`.
    start_year : int, optional
        S, the first shock year.  ``None`` (default) means the scenario's default start year.
        Must lie in the scenario's start-year range and after ``first_year``.  Ignored for a
        trend scenario.
    first_year : int, default 2017
        First row.  Flows are 1.0 in this year, stocks 1.0 at the end of the year before (the
        snapshot, end 2016).
    last_year : int, default 2110
        Last row.  The trend is extrapolated beyond the report's horizon (Tabel 2: 2016-2060).
    rate_recovery : {"steps", "jump"}, default "steps"
        After the shock (and floor), the mortgage rate returns to the trend rate in
        ``recovery_years`` equal steps, or at once (ambiguity A5, checklist G35).
    floor_applies_to : {"all", "house"}, default "all"
        Which series hold the floor of a crisis: all parameters and the rate (checklist G36
        default: "same shape as the house value"), or the house value only (the others then
        recover right after the shock) (A5).
    floor_counts_last_shock_year : bool, default True
        ``floor_years`` counts the year-end of the last shock year (F-1 flat years; 5 + 5 - 1 = 9
        years of decline and stagnation, seed line 2020), or not (F flat years) (A6).

    Returns
    -------
    pandas.DataFrame
        One row per year ``first_year .. last_year``; columns :data:`PATH_COLUMNS`: ``year``;
        ``house`` and ``wealth`` (stocks: level at the end of the year relative to the end of
        ``first_year - 1``); ``income`` and ``pension`` (flows: level of the year relative to
        ``first_year``); ``rate`` (fraction).  ``attrs`` records ``scenario``, ``start_year``
        (None for a trend scenario) and ``first_year``.

    Raises
    ------
    ValueError
        ``first_year > last_year``, a start year outside the scenario's range or not after
        ``first_year``, or an unknown option value.
    """
    if first_year > last_year:
        raise ValueError(f"paths: first_year {first_year} is after last_year {last_year}")
    if rate_recovery not in ("steps", "jump"):
        raise ValueError(f"paths: rate_recovery must be 'steps' or 'jump', not {rate_recovery!r}")
    if floor_applies_to not in ("all", "house"):
        raise ValueError(f"paths: floor_applies_to must be 'all' or 'house', not {floor_applies_to!r}")
    years = np.arange(first_year, last_year + 1)
    t = (years - first_year).astype(float)
    out: dict[str, np.ndarray] = {YEAR: years}
    S: int | None = None
    if scenario.is_shock:
        S = scenario.start_year if start_year is None else int(start_year)
        lo, hi = scenario.start_year_range or (S, S)
        if not lo <= S <= hi:
            raise ValueError(
                f"paths: scenario '{scenario.name}': start year {S} is outside its start-year range {lo}..{hi}"
            )
        if S <= first_year:
            raise ValueError(f"paths: scenario '{scenario.name}': start year {S} must be after first_year {first_year}")
        offset = years - S
        n = scenario.shock_years
    for p in PARAMETERS:
        trend_log = math.log1p(scenario.trend_growth[p])
        log_level = (t + 1.0) * trend_log if p in STOCKS else t * trend_log
        if scenario.is_shock:
            floor = scenario.floor_years if (floor_applies_to == "all" or p == HOUSE) else 0
            flat = max(floor - 1, 0) if floor_counts_last_shock_year else floor
            shock_log = np.log1p(np.asarray(scenario.shock_growth[p], dtype=float))
            log_level = log_level + _log_gap(offset, shock_log, trend_log, n, flat, scenario.recovery_years)
        out[p] = np.exp(log_level)
    rate = np.full(years.shape, scenario.trend_rate)
    if scenario.is_shock:
        floor = scenario.floor_years if floor_applies_to == "all" else 0
        flat = max(floor - 1, 0) if floor_counts_last_shock_year else floor
        change = np.asarray(scenario.rate_change, dtype=float)
        rate = rate + _rate_gap(offset, change, n, flat, scenario.recovery_years, rate_recovery)
    out[RATE] = rate
    table = pd.DataFrame(out, columns=list(PATH_COLUMNS))
    table.attrs = {"scenario": scenario.name, "start_year": S, "first_year": first_year}
    return table


def floor_level(table: pd.DataFrame, start_year: int) -> float:
    """The lowest house-value factor of a :func:`paths` table from the start year on (the shock's trough).

    Only the years from S count: a late shock may bottom out above the 2017 level.

    Examples
    --------
    >>> t = pd.DataFrame({YEAR: [2017, 2018, 2019, 2020], HOUSE: [1.0, 1.1, 1.05, 1.2]})
    >>> floor_level(t, 2018)
    1.05
    """
    return float(table.loc[table[YEAR].to_numpy() >= start_year, HOUSE].min())
