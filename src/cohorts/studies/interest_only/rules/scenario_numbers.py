"""Rules for the numbers of the scenario file and of the runs: maturity years, scenario periods and the worst
start year, the scenario tables (Tabel 2, 5-8, recomputed with :func:`cohorts.scenarios.paths`) and the
sensitivity inputs (Tabel 4).

Part of :mod:`cohorts.studies.interest_only.rules` (its docstring gives the conventions); import the
names from there.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cohorts import scenarios as SC
from cohorts.report.comparison import NotReproducible
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.results import Results
from cohorts.studies.interest_only.rules.groups import _aggregate, _flag, _outcomes, _scenarios_of


def _refi_years_of_refi_moment(res: Results) -> np.ndarray:
    o = _outcomes(res, "base")
    t = pd.to_numeric(o[IO.REFI_YEAR]).to_numpy(dtype="float64", na_value=np.nan)
    return t[np.isfinite(t) & ~_flag(o, IO.PERPETUAL)]


def _modal_refi_year(res: Results, row: pd.Series) -> float:
    t = _refi_years_of_refi_moment(res)
    if len(t) == 0:
        return float("nan")
    years, n = np.unique(t, return_counts=True)
    return float(years[np.argmax(n)])


def _median_refi_year(res: Results, row: pd.Series) -> float:
    t = _refi_years_of_refi_moment(res)
    return float(np.median(t)) if len(t) else float("nan")


def _scenario(res: Results, name: str) -> SC.Scenario:
    if name not in res.scenarios:
        raise NotReproducible(f"the scenario {name!r} is not in the results")
    return res.scenarios[name]


def off_trend_years(scenario: SC.Scenario, trend: SC.Scenario, *, start_year: int | None) -> list[int]:
    """The year-ends at which a shock scenario's house value (or any parameter) is off its trend path."""
    a = SC.paths(scenario, start_year=start_year).set_index(SC.YEAR)
    b = SC.paths(trend).set_index(SC.YEAR)
    off = np.zeros(len(a), dtype=bool)
    for p in (*SC.PARAMETERS, SC.RATE):
        off |= ~np.isclose(a[p].to_numpy(), b[p].to_numpy(), rtol=1e-12, atol=1e-12)
    return a.index[off].astype(int).tolist()


def _period(res: Results, row: pd.Series, *, use_sweep: bool) -> float:
    """First/last off-trend year, or the recovery's first/last year, at the worst (or the file's) start year."""
    values = []
    for name in _scenarios_of(row):
        sc = _scenario(res, name)
        if not sc.is_shock:
            raise NotReproducible("the trend path has no period of its own (its horizon 2016-2060 is a table label)")
        if use_sweep and res.sweep is None:
            raise NotReproducible("no start-year sweep in the results (worst timing, checklist G37)")
        start = res.worst_start_year(name) if use_sweep else sc.start_year
        years = off_trend_years(sc, _scenario(res, sc.trend_name), start_year=start)
        last = max(years)
        i = str(row["id"])
        if "recovery" in i:
            values.append(float(last + 1 - sc.recovery_years + 1 if i.endswith("_start") else last + 1))
        else:
            values.append(float(min(years) if i.endswith("_start") else last))
    return _aggregate(row, values)


def _worst_start(res: Results, row: pd.Series) -> float:
    if res.sweep is None:
        raise NotReproducible("no start-year sweep in the results (worst timing, checklist G37)")
    target = float(row["value"])
    found = {n: res.worst_start_year(n) for n in _scenarios_of(row)}
    missing = [n for n, y in found.items() if y is None]
    if missing:
        raise NotReproducible(f"the scenario(s) {', '.join(missing)} were not swept")
    years = [float(y) for y in found.values()]
    return max(years, key=lambda y: abs(y - target))


# --------------------------------------------------------------------------
# scenario tables (recomputed from the scenario file with cohorts.scenarios.paths)
# --------------------------------------------------------------------------
_PARAM = {"house_value": SC.HOUSE, "income": SC.INCOME, "pension": SC.PENSION, "wealth": SC.WEALTH,
          "mortgage_rate": SC.RATE}
_TABLE_SCENARIO = {"T5": "base", "T6": "recession", "T7": "high_rate", "T8": "housing_crisis"}


def _path_growth(res: Results, name: str, param: str, *, years: int = 1) -> float:
    """Nominal change over ``years`` shock years (base: over the first years), percent (rate: pp)."""
    sc = _scenario(res, name)
    table = SC.paths(sc, start_year=sc.start_year if sc.is_shock else None).set_index(SC.YEAR)
    first = sc.start_year if sc.is_shock else int(table.index[0]) + 1
    a, b = float(table.loc[first - 1, param]), float(table.loc[first + years - 1, param])
    if param == SC.RATE:
        return 100.0 * (b - a) if sc.is_shock and any(sc.rate_change) else 100.0 * float(table.loc[first, param])
    return 100.0 * (b / a - 1.0)


def _table_param(row: pd.Series) -> tuple[str, str, str]:
    m = re.match(r"^IO_(T[2-8])_(house_value|income|pension|wealth|mortgage_rate)_(\w+)$", str(row["id"]))
    if not m:
        raise NotReproducible("not a scenario table cell")
    return m.group(1), _PARAM[m.group(2)], m.group(3)


def _scenario_cell(res: Results, row: pd.Series) -> float:
    tab, param, col = _table_param(row)
    if tab == "T2":
        return _path_growth(res, col, param)
    name = _TABLE_SCENARIO[tab]
    if tab == "T5":
        sc = _scenario(res, name)
        nominal = _path_growth(res, name, param)
        if col == "nominal" or param == SC.RATE:
            return nominal
        if sc.inflation is None:
            raise NotReproducible("the scenario file states no inflation")
        return nominal - 100.0 * sc.inflation  # A32: additive (Tabel 5)
    if col == "cum5y":
        return _path_growth(res, name, param, years=_scenario(res, name).shock_years)
    return _path_growth(res, name, param)


def _inflation(res: Results, row: pd.Series) -> float:
    sc = _scenario(res, "base")
    if sc.inflation is None:
        raise NotReproducible("the scenario file states no inflation")
    return 100.0 * sc.inflation


def _cum_years(res: Results, row: pd.Series) -> float:
    return float(_scenario(res, _TABLE_SCENARIO[str(row["id"])[3:5]]).shock_years)


def _test_rate(res: Results, row: pd.Series) -> float:
    """The mortgage rate of the listed scenarios' paths (percent) furthest from the target, over every year."""
    target = float(row["value"])
    rates = []
    for name in _scenarios_of(row):
        sc = _scenario(res, name)
        rates += (100.0 * SC.paths(sc, start_year=sc.start_year if sc.is_shock else None)[SC.RATE]).tolist()
    return max(rates, key=lambda r: abs(r - target))


def _crisis_drop(res: Results, row: pd.Series) -> float:
    cum = _path_growth(res, "housing_crisis", SC.HOUSE, years=_scenario(res, "housing_crisis").shock_years) / 100.0
    if "real" in str(row["id"]):
        infl = _scenario(res, "base").inflation
        if infl is None:
            raise NotReproducible("the scenario file states no inflation")
        n = _scenario(res, "housing_crisis").shock_years
        return -100.0 * ((1.0 + cum) / (1.0 + infl) ** n - 1.0)
    return -100.0 * cum


# --------------------------------------------------------------------------
# sensitivity inputs (Tabel 4)
# --------------------------------------------------------------------------
def _sensitivity_input(res: Results, row: pd.Series) -> float:
    if res.sensitivity is None:
        raise NotReproducible("no sensitivity runs in the results (Tabel 4 / Figuur 19)")
    m = re.match(r"^IO_T4_(\w+)_(baseline|min|max)$", str(row["id"]))
    if not m:
        raise NotReproducible("not a Tabel 4 cell")
    s = res.sensitivity.loc[res.sensitivity["parameter"] == m.group(1)]
    if s.empty:
        raise NotReproducible(f"the sensitivity runs have no parameter {m.group(1)!r}")
    v = s["value"].astype(float)
    if m.group(2) == "baseline":
        base = v[s["is_baseline"].astype(bool)]
        if base.empty:
            raise NotReproducible(f"the sensitivity runs of {m.group(1)!r} have no baseline")
        return float(base.iloc[0])
    return float(v.min() if m.group(2) == "min" else v.max())
