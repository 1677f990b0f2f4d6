"""Macro scenarios as data, their year-by-year paths, and household projection along them.

Engine module (it knows no study).  A scenarios file (TOML; schema in ``docs/projection.md``
and in the header of the interest-only study's ``data/scenarios.toml``) holds one block per
scenario.  A **trend** block gives constant nominal growth rates per parameter and a mortgage
rate; a **shock** block names its trend block and deviates from it for a few years, then
returns to it.  :func:`load_scenarios` reads and validates a file, :func:`paths` turns one
scenario into a table with one row per year, and :func:`factor_at` / :func:`grow` look up each
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
Flows and the rate always use year T itself.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cohorts.columns import YEAR
from cohorts.errors import ConfigError

__all__ = [
    "FLOWS",
    "HOUSE",
    "INCOME",
    "PARAMETERS",
    "PENSION",
    "RATE",
    "STOCKS",
    "WEALTH",
    "YEAR",
    "Scenario",
    "factor_at",
    "grow",
    "load_scenarios",
    "paths",
]

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
)
SHOCK_REQUIRED: Final = (K_SOURCE, K_TREND, K_SHOCK_YEARS, K_GROWTH, K_RECOVERY_YEARS, K_START_YEAR, K_START_YEARS)

_REAL_TOLERANCE: Final = 1e-9
_N_EXAMPLES: Final = 5

StockTiming = Literal["start_of_year", "end_of_year"]
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


# --------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------
def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


class _Problems:
    """Collects every broken rule of a file, so that one error lists them all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, block: str, key: str, rule: str, got: object = None) -> None:
        where = f"[{block}] {key}" if key else f"[{block}]"
        tail = f" (got {got!r})" if got is not None else ""
        self.items.append(f"{where}: {rule}{tail}")

    def raise_if_any(self) -> None:
        if self.items:
            lines = [f"{self.path}: {len(self.items)} problem(s) in the scenarios file:"]
            lines += [f"  - {item}" for item in self.items]
            raise ConfigError("\n".join(lines))


def _param_table(block: dict[str, Any], name: str, key: str, problems: _Problems) -> dict[str, Any] | None:
    table = block.get(key)
    if not isinstance(table, dict):
        problems.add(name, key, f"must be a table with keys {list(PARAMETERS)}", table)
        return None
    unknown = sorted(set(table) - set(PARAMETERS))
    missing = [p for p in PARAMETERS if p not in table]
    for k in unknown:
        problems.add(name, f"{key}.{k}", f"unknown parameter; allowed: {list(PARAMETERS)}")
    for k in missing:
        problems.add(name, f"{key}.{k}", "missing (every parameter needs a value)")
    return table if not unknown and not missing else None


def _check_trend(name: str, block: dict[str, Any], problems: _Problems) -> dict[str, Any] | None:
    ok = True
    growth = _param_table(block, name, K_GROWTH, problems)
    if growth is None:
        ok = False
    else:
        for p in PARAMETERS:
            if not _is_number(growth[p]):
                problems.add(name, f"{K_GROWTH}.{p}", "must be a number (percent per year)", growth[p])
                ok = False
    if not _is_number(block.get(K_RATE)):
        problems.add(name, K_RATE, "must be a number (percent)", block.get(K_RATE))
        ok = False
    inflation = block.get(K_INFLATION)
    if inflation is not None and not _is_number(inflation):
        problems.add(name, K_INFLATION, "must be a number (percent per year)", inflation)
        ok = False
    real = None
    if K_REAL in block:
        if inflation is None:
            problems.add(name, K_REAL, f"needs '{K_INFLATION}' (nominal = real + inflation)")
            ok = False
        real = _param_table(block, name, K_REAL, problems)
        if real is None:
            ok = False
        else:
            for p in PARAMETERS:
                if not _is_number(real[p]):
                    problems.add(name, f"{K_REAL}.{p}", "must be a number (percent per year)", real[p])
                    ok = False
        if ok and real is not None and growth is not None:
            for p in PARAMETERS:
                implied = float(real[p]) + float(inflation)
                if abs(implied - float(growth[p])) > _REAL_TOLERANCE:
                    problems.add(
                        name,
                        f"{K_GROWTH}.{p}",
                        f"must equal real + inflation = {real[p]} + {inflation} = {implied:g} (additive, A32)",
                        growth[p],
                    )
                    ok = False
    if not ok:
        return None
    return {
        "trend_growth": {p: float(growth[p]) / 100 for p in PARAMETERS},
        "trend_rate": float(block[K_RATE]) / 100,
        "inflation": None if inflation is None else float(inflation) / 100,
        "real_growth": None if real is None else {p: float(real[p]) / 100 for p in PARAMETERS},
    }


def _check_path(
    name: str, key: str, values: object, n: int | None, problems: _Problems
) -> tuple[float, ...] | None:
    if not isinstance(values, list):
        problems.add(name, key, "must be a list with one number (percent) per shock year", values)
        return None
    ok = True
    if n is not None and len(values) != n:
        problems.add(name, key, f"needs one entry per shock year: {n} entries, not {len(values)}")
        ok = False
    for i, v in enumerate(values):
        if not _is_number(v):
            problems.add(name, f"{key}[{i}]", "must be a number (percent)", v)
            ok = False
    return tuple(float(v) / 100 for v in values) if ok else None


def _check_shock(name: str, block: dict[str, Any], problems: _Problems) -> dict[str, Any] | None:
    ok = True
    n = block.get(K_SHOCK_YEARS)
    if not (_is_int(n) and n >= 1):
        problems.add(name, K_SHOCK_YEARS, "must be a whole number >= 1", n)
        ok, n = False, None
    growth = _param_table(block, name, K_GROWTH, problems)
    shock_growth: dict[str, tuple[float, ...]] = {}
    if growth is None:
        ok = False
    else:
        for p in PARAMETERS:
            path = _check_path(name, f"{K_GROWTH}.{p}", growth[p], n, problems)
            if path is None:
                ok = False
            else:
                shock_growth[p] = path
    rate_change: tuple[float, ...] = ()
    if K_RATE_CHANGE in block:
        path = _check_path(name, K_RATE_CHANGE, block[K_RATE_CHANGE], n, problems)
        if path is None:
            ok = False
        else:
            rate_change = path
    recovery = block.get(K_RECOVERY_YEARS)
    if not (_is_int(recovery) and recovery >= 1):
        problems.add(name, K_RECOVERY_YEARS, "must be a whole number >= 1", recovery)
        ok = False
    floor = block.get(K_FLOOR_YEARS, 0)
    if not (_is_int(floor) and floor >= 0):
        problems.add(name, K_FLOOR_YEARS, "must be a whole number >= 0", floor)
        ok = False
    years = block.get(K_START_YEARS)
    if not (isinstance(years, list) and len(years) == 2 and all(_is_int(y) for y in years) and years[0] <= years[1]):
        problems.add(name, K_START_YEARS, "must be [first, last], two whole years with first <= last", years)
        ok, years = False, None
    start = block.get(K_START_YEAR)
    if not _is_int(start):
        problems.add(name, K_START_YEAR, "must be a whole year", start)
        ok = False
    elif years is not None and not (years[0] <= start <= years[1]):
        problems.add(name, K_START_YEAR, f"must lie in {K_START_YEARS} = {years}", start)
        ok = False
    if not ok:
        return None
    return {
        "shock_years": n,
        "shock_growth": shock_growth,
        "rate_change": rate_change or (0.0,) * n,
        "recovery_years": recovery,
        "floor_years": floor,
        "start_year": start,
        "start_year_range": (years[0], years[1]),
    }


def load_scenarios(path: str | Path) -> Mapping[str, Scenario]:
    """Read and validate a scenarios file.

    Parameters
    ----------
    path : str or pathlib.Path
        A TOML file with one table per scenario (schema: module docstring and
        ``docs/projection.md``).  Growth rates and rates are in percent as printed in the source.

    Returns
    -------
    Mapping[str, Scenario]
        Read-only mapping from block name to :class:`Scenario`, in file order.

    Raises
    ------
    cohorts.errors.ConfigError
        (a ``ValueError``) if the file cannot be read or parsed, or breaks any rule: an unknown or
        missing key, a non-numeric value, a shock path whose length differs from ``shock_years``,
        a ``start_year`` outside ``start_years``, a shock block whose ``trend`` is not a trend block
        of the file, a trend block whose nominal growth is not real + inflation.  Every problem is
        listed, each naming the file, the block and the key; nothing is returned half-loaded.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: scenarios file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as TOML: {exc}") from None

    problems = _Problems(path)
    if not raw:
        problems.add("<file>", "", "holds no scenario block")
    checked: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, block in raw.items():
        if not isinstance(block, dict):
            problems.add(name, "", "top-level keys must be scenario blocks ([name] tables)", block)
            continue
        is_shock = K_TREND in block
        allowed, required = (SHOCK_KEYS, SHOCK_REQUIRED) if is_shock else (TREND_KEYS, TREND_REQUIRED)
        kind = "shock" if is_shock else "trend"
        for key in block:
            if key not in allowed:
                problems.add(name, key, f"unknown key for a {kind} block; allowed: {list(allowed)}")
        for key in required:
            if key not in block:
                problems.add(name, key, f"missing (required in a {kind} block)")
        source = block.get(K_SOURCE)
        if K_SOURCE in block and not (isinstance(source, str) and source.strip()):
            problems.add(name, K_SOURCE, "must be a non-empty string naming where the numbers come from", source)
        if any(key not in block for key in required):
            continue
        fields = _check_shock(name, block, problems) if is_shock else _check_trend(name, block, problems)
        if fields is not None:
            checked[name] = (kind, fields)

    for name, block in raw.items():
        if isinstance(block, dict) and K_TREND in block:
            ref = block[K_TREND]
            if not (isinstance(ref, str) and isinstance(raw.get(ref), dict) and K_TREND not in raw[ref]):
                problems.add(name, K_TREND, "must name a trend block of this file", ref)
    problems.raise_if_any()

    out: dict[str, Scenario] = {}
    for name, (kind, fields) in checked.items():
        if kind == "trend":
            out[name] = Scenario(name=name, source=raw[name][K_SOURCE], trend_name=name, **fields)
        else:
            trend_name = raw[name][K_TREND]
            trend = checked[trend_name][1]
            out[name] = Scenario(
                name=name,
                source=raw[name][K_SOURCE],
                trend_name=trend_name,
                trend_growth=trend["trend_growth"],
                trend_rate=trend["trend_rate"],
                real_growth=trend["real_growth"],
                inflation=trend["inflation"],
                **fields,
            )
    return MappingProxyType(out)


# --------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# Household projection
# --------------------------------------------------------------------------
def factor_at(
    table: pd.DataFrame,
    years: npt.ArrayLike,
    column: str,
    *,
    stock_timing: StockTiming = "start_of_year",
) -> np.ndarray:
    """The factor of ``column`` for each household's year (vectorised lookup).

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`paths` (consecutive years).
    years : array-like of int
        One year per household (e.g. the refinancing year T).
    column : str
        One of :data:`PARAMETERS` or :data:`RATE`.
    stock_timing : {"start_of_year", "end_of_year"}, default "start_of_year"
        For the stocks ``house`` and ``wealth``: the level on 1 January of the year (= end of the
        year before; the default, so year ``first_year`` gives 1.0) or at the end of the year
        (ambiguity A5).  Flows and the rate always use the year itself.

    Returns
    -------
    numpy.ndarray of float
        The factor (or, for ``rate``, the rate as a fraction) per household.

    Raises
    ------
    ValueError
        An unknown column, a table without consecutive years, a missing or non-integer year, or a
        year the table does not cover (naming the covered range and the first offending positions).
    """
    if column not in (*PARAMETERS, RATE):
        raise ValueError(f"factor_at: unknown column {column!r}; one of {[*PARAMETERS, RATE]}")
    if stock_timing not in ("start_of_year", "end_of_year"):
        raise ValueError(f"factor_at: stock_timing must be 'start_of_year' or 'end_of_year', not {stock_timing!r}")
    for needed in (YEAR, column):
        if needed not in table.columns:
            raise ValueError(f"factor_at: the table has no column {needed!r} (columns: {list(table.columns)})")
    table_years = table[YEAR].to_numpy(dtype=np.int64)
    if len(table_years) == 0 or not np.array_equal(table_years, np.arange(table_years[0], table_years[0] + len(table_years))):
        raise ValueError("factor_at: the table's years must be consecutive and ascending (use the table from paths())")
    values = table[column].to_numpy(dtype=float)
    lo = int(table_years[0])
    shift = 0
    if column in STOCKS and stock_timing == "start_of_year":
        shift = 1  # 1 January of year y = end of year y - 1
        if table.attrs.get("first_year") == lo:
            values = np.concatenate([[1.0], values])  # end of first_year - 1: the base, 1.0
            lo -= 1
    if isinstance(years, (pd.Series, pd.api.extensions.ExtensionArray)):  # nullable integers: NA -> NaN
        y = np.atleast_1d(pd.Series(years).astype("Float64").to_numpy(dtype=float, na_value=np.nan))
    else:
        y = np.atleast_1d(np.asarray(years, dtype=float))
    need = y - shift
    idx = need - lo
    bad = ~np.isfinite(y) | (y != np.round(y)) | (idx < 0) | (idx >= len(values))
    if bad.any():
        pos = np.flatnonzero(bad)[:_N_EXAMPLES]
        covered = f"{lo + shift}..{lo + shift + len(values) - 1}"
        examples = ", ".join(f"{p} ({_year_repr(y[p])})" for p in pos)
        raise ValueError(
            f"factor_at: column {column!r} ({stock_timing if column in STOCKS else 'year'}): "
            f"{int(bad.sum())} year(s) outside the table's years {covered} or missing; "
            f"first offending position(s): {examples}"
        )
    return values[idx.astype(np.int64)]


def _year_repr(value: float) -> str:
    """A year for an error message (``NA`` for missing)."""
    return "NA" if not np.isfinite(value) else (str(int(value)) if value == round(value) else str(value))


def grow(
    values: npt.ArrayLike,
    years: npt.ArrayLike,
    table: pd.DataFrame,
    column: str,
    *,
    stock_timing: StockTiming = "start_of_year",
) -> np.ndarray:
    """Project household quantities: ``values x factor_at(table, years, column)``.

    Parameters
    ----------
    values : array-like of float
        The quantity at the base (stocks: end of ``first_year - 1``; flows: ``first_year``).
    years : array-like of int
        The year each household's quantity is wanted for.
    table, column, stock_timing
        As in :func:`factor_at`.

    Returns
    -------
    numpy.ndarray of float
        The projected quantity per household.

    Examples
    --------
    A house worth 200,000 at the end of 2016, valued on 1 January 2019 under a 2.5% trend:

    >>> s = Scenario(name="t", source="example", trend_name="t", trend_rate=0.03,
    ...              trend_growth={HOUSE: 0.025, INCOME: 0.0, PENSION: 0.0, WEALTH: 0.0})
    >>> grow([200_000.0], [2019], paths(s, last_year=2020), HOUSE).round(2).tolist()
    [210125.0]
    """
    factor = factor_at(table, years, column, stock_timing=stock_timing)
    v = np.asarray(values, dtype=float)
    if v.ndim and v.shape != factor.shape:
        raise ValueError(f"grow: values have shape {v.shape} but years have shape {factor.shape}")
    return v * factor
