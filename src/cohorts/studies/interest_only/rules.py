"""Which statistic of the interest-only study answers which published number of the AFM report.

The rules (:data:`RULES`) are tried in order by the engine's comparison
(:func:`cohorts.report.comparison.compare`); the first whose patterns match a target row computes
its number from a :class:`~cohorts.studies.interest_only.results.Results`.  Conventions:

* **Scenario.**  A target's ``threshold`` names the scenario (``base``, ``recession``,
  ``high_rate``, ``housing_crisis``); empty = a snapshot statistic (computed on the base run).  A
  statement spanning scenarios (``base|recession|high_rate``) takes the minimum over them when its
  id says ``min``/``low`` and the maximum otherwise ("tussen de 157.000 en 182.000", "tot 44.000").
* **Population counts** (unit ``count``, ``count_millions`` of the population) are sample count /
  scale x coverage (H39), rounded as the report rounds: to thousands (Figuren 6, 16), millions to
  the decimals printed.  **Sample sizes** (the n under the figures: 1.92, 1.09, 0.84 million,
  36.5 thousand) are sample count / scale, rounded to the printed decimals.
* **Shares** are percent of the target's ``group`` in the target's scenario.  Groups:
  ``io_households`` (all), ``perpetual`` (step 1), ``refi_moment`` (not step 1),
  ``wealth_repay`` (step 2), ``must_refinance`` (after steps 1-2), ``fail_annuity`` (fail step 4),
  ``forced_sale`` (fail step 6), ``residual_debt``, ``vulnerable``, ``core_risk``,
  ``perpetual_afford_fail``, ``perpetual_not_agile``, ``forced_sale_no_meas_error``.
* **Scenario parameters** (Tabel 2, 5-8 and the periods of Figuren 15/16) are recomputed from the
  scenario file through :func:`cohorts.scenarios.paths`: they check that the data file and the
  path builder reproduce the tables, not the households.
* Everything else raises :class:`~cohorts.report.comparison.NotReproducible` with the reason.

:func:`report_se` gives each target's standard error at the report's N (1.92 million sample
households, :func:`~cohorts.studies.interest_only.results.report_sample_n`): binomial for shares,
counts through their share of all IO households.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from cohorts import scenarios as SC
from cohorts.report.comparison import NotReproducible, Rule
from cohorts.report.conflicts import shown_decimals
from cohorts.report.sampling import binomial_se, subpopulation_count_se
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.results import Results, report_sample_n, target_value

SCENARIOS: tuple[str, ...] = ("base", "recession", "high_rate", "housing_crisis")
#: A29 default: "hypotheekschuld en woningwaarde hoger dan EUR 350.000" means both above.
HIGH_AMOUNT = 350_000.0


# --------------------------------------------------------------------------
# helpers on a target row
# --------------------------------------------------------------------------
def _scenarios_of(row: pd.Series) -> list[str]:
    t = row["threshold"]
    if pd.isna(t) or str(t).strip() == "":
        return ["base"]
    names = str(t).split("|")
    bad = [n for n in names if n not in SCENARIOS]
    if bad:
        raise NotReproducible(f"scenario {bad} is not one of the projected scenarios {list(SCENARIOS)}")
    return names


def _aggregate(row: pd.Series, values: list[float]) -> float:
    """One value over the scenarios of a row: min for ``*_min``/``*_low`` ids, else max."""
    if len(values) == 1:
        return values[0]
    return min(values) if re.search(r"_(min|low)(_|$)", str(row["id"])) else max(values)


def _outcomes(res: Results, name: str) -> pd.DataFrame:
    if name not in res.outcomes:
        raise NotReproducible(f"the scenario {name!r} was not run")
    return res.outcomes[name]


def _flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.array(frame[col], dtype="boolean").fillna(False).to_numpy(dtype=bool)


def _hh(res: Results, col: str) -> np.ndarray:
    return res.households[col].to_numpy()


def group_mask(res: Results, group: str, scenario: str = "base") -> np.ndarray:
    """Boolean mask of a target group (see the module docstring) in one scenario's outcomes."""
    o = _outcomes(res, scenario)
    perp = _flag(o, IO.PERPETUAL)
    masks: dict[str, Callable[[], np.ndarray]] = {
        "io_households": lambda: np.ones(len(o), dtype=bool),
        "perpetual": lambda: perp,
        "refi_moment": lambda: ~perp,
        "wealth_repay": lambda: _flag(o, IO.WEALTH_REPAY),
        "must_refinance": lambda: ~perp & ~_flag(o, IO.WEALTH_REPAY),
        "fail_annuity": lambda: _flag(o, IO.FAIL_ANNUITY),
        "forced_sale": lambda: _flag(o, IO.FORCED_SALE),
        "residual_debt": lambda: _flag(o, IO.RESIDUAL_DEBT),
        "vulnerable": lambda: _known_flag(o, IO.VULNERABLE),
        "core_risk": lambda: _known_flag(o, IO.CORE_RISK),
        "perpetual_afford_fail": lambda: perp & _flag(o, IO.AFFORD_FAIL),
        "perpetual_not_agile": lambda: perp & _not_agile(o),
        "forced_sale_no_meas_error": lambda: _flag(o, IO.FORCED_SALE) & _no_meas_flag(o),
    }
    if group not in masks:
        raise NotReproducible(f"group {group!r} is not a population of the analysis file (IO households only)")
    return masks[group]()


def _known_flag(o: pd.DataFrame, col: str) -> np.ndarray:
    """A flag that is missing where the social-assistance level is unknown (E27-E28): not reproducible then."""
    flag = pd.array(o[col], dtype="boolean")
    if flag.isna().any():
        raise NotReproducible(f"'{col}' is unknown for {int(flag.isna().sum())} household(s): the social-assistance "
                              "level (bijstandsnorm 2017) was not supplied")
    return flag.to_numpy(dtype=bool)


def _not_agile(o: pd.DataFrame) -> np.ndarray:
    agile = pd.array(o[IO.AGILE_AT_EVENT], dtype="boolean")
    return (~agile).fillna(False).to_numpy(dtype=bool)


def _no_meas_flag(o: pd.DataFrame) -> np.ndarray:
    low = pd.array(o[IO.LOW_INCOME_FLAG], dtype="boolean")
    if low.isna().all():
        raise NotReproducible("the social-assistance level is unknown (no measurement flag on income)")
    return ~(low.fillna(False).to_numpy(dtype=bool) | _flag(o, IO.HIGH_LTV_FLAG))


def _share(num: np.ndarray, den: np.ndarray) -> float:
    d = int(den.sum())
    return float("nan") if d == 0 else 100.0 * float((num & den).sum()) / d


def _population(res: Results, n: float) -> float:
    """Sample count -> population count (H39), rounded to thousands (Figuren 6, 16)."""
    return float(round(n / res.scale * res.coverage, -3))


def _round_as_printed(value: float, row: pd.Series) -> float:
    text = row["value_text"] if "value_text" in row.index else row["value"]
    return float(round(value, shown_decimals(text)))


# --------------------------------------------------------------------------
# counts
# --------------------------------------------------------------------------
#: id pattern -> (group, extra condition on the base outcomes) for counts that are not a plain group.
_COUNT_SUBSETS: tuple[tuple[str, str, Callable[[pd.DataFrame], np.ndarray]], ...] = (
    (r"perp_afford_sell_n$", "perpetual_afford_fail", lambda o: _flag(o, IO.AGILE_AT_EVENT)),
    (r"perp_afford_not_sell_n$|perp_not_agile_afford_n$", "perpetual_not_agile", lambda o: _flag(o, IO.AFFORD_FAIL)),
)


def population_count(res: Results, row: pd.Series) -> float:
    """Population count of the row's group (max/min over its scenarios), rounded to thousands."""
    values = []
    for name in _scenarios_of(row):
        m = group_mask(res, str(row["group"]), name)
        for pattern, group, extra in _COUNT_SUBSETS:
            if re.search(pattern, str(row["id"])):
                m = group_mask(res, group, name) & extra(_outcomes(res, name))
        values.append(_population(res, float(m.sum())))
    return _aggregate(row, values)


def population_millions(res: Results, row: pd.Series) -> float:
    """Population count in millions (1.3 million perpetuals, 1.4 must refinance, 2.9 / 3 IO households)."""
    m = group_mask(res, str(row["group"]), _scenarios_of(row)[0])
    return _round_as_printed(float(m.sum()) / res.scale * res.coverage / 1e6, row)


def sample_size(res: Results, row: pd.Series) -> float:
    """Sample size of the row's group: count / scale, in the row's unit (millions or thousands)."""
    m = group_mask(res, str(row["group"]), "base")
    unit = {"count_millions": 1e6, "count_thousands": 1e3}.get(str(row["unit"]))
    if unit is None:
        raise NotReproducible(f"unit {row['unit']!r} is not a sample size")
    return _round_as_printed(float(m.sum()) / res.scale / unit, row)


def count_kind(row: pd.Series) -> str:
    """``count_round`` for counts printed to ten thousands ('circa 80.000'), else ``count`` (thousands)."""
    return "count_round" if float(row["value"]) % 10_000 == 0 else "count"


def millions_kind(row: pd.Series) -> str:
    """``millions_<d>dp`` by the decimals printed (tolerance half a unit of the last digit)."""
    text = row["value_text"] if "value_text" in row.index else row["value"]
    return f"millions_{min(shown_decimals(text), 2)}dp"


# --------------------------------------------------------------------------
# shares
# --------------------------------------------------------------------------
def _in_scenarios(res: Results, row: pd.Series, compute: Callable[[str], float]) -> float:
    return _aggregate(row, [compute(name) for name in _scenarios_of(row)])


def share_of_group(flag: Callable[[Results, str], np.ndarray], group: str | None = None) -> Callable:
    """Rule compute: percent of the row's group (or ``group``) with ``flag(res, scenario)``."""

    def compute(res: Results, row: pd.Series) -> float:
        g = group or str(row["group"])
        return _in_scenarios(res, row, lambda s: _share(flag(res, s), group_mask(res, g, s)))

    return compute


def _g(group: str) -> Callable[[Results, str], np.ndarray]:
    return lambda res, s: group_mask(res, group, s)


def _o(col: str) -> Callable[[Results, str], np.ndarray]:
    return lambda res, s: _flag(_outcomes(res, s), col)


def _meas(which: str) -> Callable[[Results, str], np.ndarray]:
    def flag(res: Results, s: str) -> np.ndarray:
        o = _outcomes(res, s)
        low = pd.array(o[IO.LOW_INCOME_FLAG], dtype="boolean")
        if which != "ltv" and (low.isna().all() or not low.fillna(False).any()):
            raise NotReproducible("the social-assistance level is not set for this run (the income flag is never "
                                  "raised; the seed does not print the level, A10)")
        lo, hi = low.fillna(False).to_numpy(dtype=bool), _flag(o, IO.HIGH_LTV_FLAG)
        return {"income": lo & ~hi, "ltv": hi & ~lo, "both": lo & hi}[which]

    return flag


def _refi_years(lo: int | None, hi: int | None) -> Callable[[Results, str], np.ndarray]:
    def flag(res: Results, s: str) -> np.ndarray:
        t = pd.to_numeric(_outcomes(res, s)[IO.REFI_YEAR]).to_numpy(dtype="float64", na_value=np.nan)
        m = np.isfinite(t)
        if lo is not None:
            m &= t >= lo
        if hi is not None:
            m &= t <= hi
        return m

    return flag


def _ge10y(res: Results, s: str) -> np.ndarray:
    y = pd.to_numeric(_outcomes(res, s)[IO.YEARS_TO_REFI]).to_numpy(dtype="float64", na_value=np.nan)
    return np.nan_to_num(y, nan=-1.0) >= 10


def _age_gt60(res: Results, s: str) -> np.ndarray:
    return (2016 - _hh(res, IO.MAIN_BIRTH_YEAR).astype("int64")) > 60


def _hhflag(col: str, test: Callable[[np.ndarray], np.ndarray] = lambda x: x.astype(bool)) -> Callable:
    return lambda res, s: test(_hh(res, col))


def _retired(res: Results, s: str) -> np.ndarray:
    return _hh(res, "labour_status_main").astype(str) == "pensioner"


def _accrued(res: Results, s: str) -> np.ndarray:
    if res.params is None:
        raise NotReproducible("the run's parameters (AOW age) are not in the results")
    age = _hh(res, IO.AGE_AT_T).astype("float64")
    return (_hh(res, IO.REGIME).astype(str) == "pension") & (age < res.params.aow_age)


def _low_income_at_t(res: Results, s: str) -> np.ndarray:
    return _outcomes(res, s)[IO.TEST_INCOME_AT_T].to_numpy(dtype="float64") < 30_000.0


def _ratio_of_counts(num: str, den: str) -> Callable:
    """Count of group ``num`` in the row's scenario(s) / count of group ``den`` in the base (or ``den`` scenario)."""

    def compute(res: Results, row: pd.Series) -> float:
        den_scen = "high_rate" if re.search(r"f16_residual_ratio", str(row["id"])) else "base"
        d = float(group_mask(res, den, den_scen).sum())
        if d == 0:
            return float("nan")
        return _in_scenarios(res, row, lambda s: float(group_mask(res, num, s).sum()) / d)

    return compute


def _vuln_ltv_ratio(res: Results, row: pd.Series) -> float:
    over = _hh(res, IO.DEBT_NOW) > _hh(res, IO.HOUSE_VALUE_NOW)
    v = _share(over, group_mask(res, "vulnerable"))
    r = _share(over, group_mask(res, "refi_moment"))
    return v / r if r > 0 else float("nan")


def _reason_sum(res: Results, row: pd.Series) -> float:
    """LTI + LTV reason shares, the smaller of the annuity and 50%-IO tests (fn 26: 'more than 100')."""
    fa, fs = group_mask(res, "fail_annuity"), group_mask(res, "forced_sale")
    o = _outcomes(res, "base")
    a = _share(_flag(o, IO.LTI_BINDS_ANNUITY), fa) + _share(_flag(o, IO.LTV_BINDS_ANNUITY), fa)
    b = _share(_flag(o, "lti_binds_io50"), fs) + _share(_flag(o, "ltv_binds_io50"), fs)
    return min(a, b)


def _persons_aow(res: Results, *, vulnerable: bool = True) -> np.ndarray:
    """AOW shares of the persons (main earner and partner) of the vulnerable households."""
    m = group_mask(res, "vulnerable")
    main = res.households["aow_share_main"].to_numpy(dtype="float64")[m]
    partner = res.households["aow_share_partner"].to_numpy(dtype="float64")[m & _hh(res, IO.HAS_PARTNER).astype(bool)]
    v = np.concatenate([main, partner])
    return v[np.isfinite(v)]


def _incomplete_aow(res: Results, row: pd.Series) -> float:
    v = _persons_aow(res)
    return float(100.0 * (v < 1.0).mean()) if len(v) else float("nan")


def _median_aow_gap(res: Results, row: pd.Series) -> float:
    v = _persons_aow(res)
    v = v[v < 1.0]
    return float(100.0 * np.median(1.0 - v)) if len(v) else float("nan")


def _crisis_factor(res: Results) -> tuple[np.ndarray, np.ndarray]:
    """House value factor V_T / V_0 of the refinancing-moment households in the crisis, and the floor factor."""
    o = _outcomes(res, "housing_crisis")
    refi = ~_flag(o, IO.PERPETUAL)
    f = (o[IO.HOUSE_VALUE_AT_T].to_numpy(dtype="float64") / o[IO.HOUSE_VALUE_NOW].to_numpy(dtype="float64"))[refi]
    sc = res.scenarios.get("housing_crisis")
    if sc is None:
        raise NotReproducible("the housing-crisis scenario is not in the results")
    table = SC.paths(sc, start_year=res.worst_start_year("housing_crisis"))
    return f, np.array([table[SC.HOUSE].min()])


def _trough_share(res: Results, row: pd.Series) -> float:
    f, floor = _crisis_factor(res)
    return float(100.0 * np.isclose(f, floor[0], rtol=1e-9).mean()) if len(f) else float("nan")


def _no_rise_share(res: Results, row: pd.Series) -> float:
    f, floor = _crisis_factor(res)
    return float(100.0 * ((f <= 1.0) & ~np.isclose(f, floor[0], rtol=1e-9)).mean()) if len(f) else float("nan")


def _no_erosion_share(res: Results, row: pd.Series) -> float:
    f, _ = _crisis_factor(res)
    return float(100.0 * (f <= 1.0).mean()) if len(f) else float("nan")


#: Dutch fractions in words, quoted in a target's note ('de helft', 'driekwart', 'een kwart', 'één derde',
#: '1 op de 5').
_FRACTION_WORDS = re.compile(r"'[^']*(helft|kwart|derde|\bop de\b)[^']*'", flags=re.IGNORECASE)


def share_kind(row: pd.Series) -> str:
    """``share_words`` for shares the report writes as a fraction in words ('de helft', 'driekwart'), else ``share``."""
    note = "" if pd.isna(row["note"]) else str(row["note"])
    return "share_words" if _FRACTION_WORDS.search(note) else "share"


# --------------------------------------------------------------------------
# years (maturities, worst timing, scenario periods)
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# not reproducible
# --------------------------------------------------------------------------
def _not(reason: str) -> Callable:
    def compute(res: Results, row: pd.Series) -> float:
        raise NotReproducible(reason)

    return compute


# --------------------------------------------------------------------------
# the rules
# --------------------------------------------------------------------------
_SAMPLE_IDS = (r"^IO_F\d+_n(_io|_io_households|_refi|_perpetual|_vulnerable)?$|^IO_F18_n_analysis$"
               r"|^IO_TXT_analysis_households_2mln_[ab]$")
_POP_MILLIONS = r"^IO_(SUM|TXT)_io_households_pop$|^IO_TXT_must_refi_n(_afford)?$|^IO_TXT_perpetual_n$"
_FAIL4 = r"cannot refinance with a full annuity"
_FAIL6 = r"fail the 50%-interest-only test after using free wealth"
_RESID = r"fail step 6 and are left with residual debt|keep residual debt"

#: The rules, tried in order; the first match computes the number.
RULES: tuple[Rule, ...] = (
    # ---- not reproducible (external, figures' plotted values, labels, parameters) ------------------
    Rule("not in the analysis file", _not("the analysis file holds IO households only (all mortgage households, "
                                          "LLD debtors and DNB Mercurius are external)"),
         "share", id=r"^IO_F1_n_mortgage_households$|^IO_TXT_mortgagors_with_io_share$|^IO_TXT_lld_|"
                     r"^IO_TXT_mercurius_|^IO_F18_n_mercurius$"),
    Rule("coverage", _not("coverage is measured against DNB Mercurius and CBS Statline (external); the comparison "
                          "takes it from the targets (H39)"), "share",
         id=r"^IO_TXT_analysis_io_coverage$|^IO_F17_title_coverage$|^IO_TXT_perpetual_coverage_gt_two_thirds$"),
    Rule("date label", _not("a date or rounding label of a figure or table, not a statistic"), "year",
         id=r"_stand_year$|^IO_F9_title_year$|^IO_F4_rounding$|^IO_T4_note_base_(level|year)$|^IO_F23_title_year$"),
    Rule("method parameter", _not("a method parameter (parameters.toml), not a statistic of the data"), "count",
         id=r"^IO_T1_ck_upper_bound$|_note_toetsrente$"),
    Rule("original principal", _not("needs the original principal and cumulative voluntary repayment (Figuur 2), "
                                    "which the prepared frame does not hold"), "share",
         id=r"median_covered$|^IO_TXT_le5y_|^IO_TXT_h4_le5y_"),
    Rule("pension rules", _not("the pension rule applied per person (Bijlage 2 rules 1-4) is not kept in the "
                               "prepared frame"), "share",
         id=r"^IO_TXT_pension_rules|^IO_TXT_retirees_active_scheme_share$"),
    Rule("counterfactual without consumer credit", _not("needs a rerun of the tree without consumer credit"),
         "share", id=r"^IO_TXT_vuln_ck_could_refi_share$"),
    Rule("years statement", _not("a statement about a share of the step-6 failures; compared as "
                                 "IO_TXT_forced_sale_ge10y_share (84%)"), "years",
         id=r"^IO_SUM_forced_sale_ge10y$|^IO_TXT_majority_ge10y$"),
    Rule("trend period", _not("the trend path has no period of its own (its horizon 2016-2060 is a table label)"),
         "year", id=r"^IO_T2_period_base_"),
    # ---- scenario parameters, recomputed from the scenario file ---------------------------------
    Rule("Tabel 5 inflation", _inflation, "rate", id=r"^IO_T5_inflation_level$"),
    Rule("scenario cumulative change", _scenario_cell,
         lambda r: "rate_pp" if r["unit"] == "percent_points" else "rate_cum", id=r"^IO_T[678]_\w+_cum5y$"),
    Rule("scenario annual rate", _scenario_cell, lambda r: "rate_pp" if r["unit"] == "percent_points" else "rate",
         id=r"^IO_T[25678]_(house_value|income|pension|wealth|mortgage_rate)_"),
    Rule("shock years", _cum_years, "years", id=r"^IO_T[678]_cum_years$"),
    Rule("test rate", _test_rate, "rate", id=r"_note_test_rate$"),
    Rule("crisis house-value fall", _crisis_drop, "percent_round", id=r"^IO_TXT_crisis_house_drop_"),
    Rule("scenario period (file)", lambda r, w: _period(r, w, use_sweep=False), "year",
         id=r"^IO_T2_(period_(conj|crisis)|conj_recovery|crisis_recovery)_"),
    Rule("scenario period (worst timing)", lambda r, w: _period(r, w, use_sweep=True), "year",
         id=r"^IO_F1[56]_(conj|crisis)_"),
    Rule("worst start year", _worst_start, "year", id=r"^IO_F24_title_worst_start$"),
    Rule("sensitivity input", _sensitivity_input, "sensitivity_input", id=r"^IO_T4_"),
    # ---- sample sizes and population counts -------------------------------------------------------
    Rule("sample size", sample_size, lambda r: "thousands_1dp" if r["unit"] == "count_thousands" else millions_kind(r),
         id=_SAMPLE_IDS),
    Rule("population (millions)", population_millions, millions_kind, id=_POP_MILLIONS),
    Rule("population count", population_count, count_kind, id=r"_n(_\w+)?$", quantity=r"^number of"),
    Rule("population count (range)", population_count, count_kind, id=r"^IO_TXT_f16_(fail_annuity|forced_sale|"
                                                                      r"residual_(high|rec)|crisis)"),
    # ---- ratios of counts --------------------------------------------------------------------------
    Rule("residual-debt ratio", _ratio_of_counts("residual_debt", "residual_debt"), "ratio",
         id=r"residual_ratio"),
    Rule("forced-sale ratio", _ratio_of_counts("forced_sale", "forced_sale"), "ratio",
         id=r"^IO_TXT_crisis_forced_sale_ratio$"),
    Rule("vulnerable LTV ratio", _vuln_ltv_ratio, "ratio", id=r"^IO_TXT_vuln_ltv_gt100_ratio$"),
    # ---- shares of all IO households -------------------------------------------------------------
    Rule("perpetual share", share_of_group(_g("perpetual"), "io_households"), share_kind,
         id=r"perpetual_share$"),
    Rule("wealth-repay share", share_of_group(_g("wealth_repay"), "io_households"), share_kind,
         id=r"^IO_TXT_wealth_repay_share$"),
    Rule("must-refinance share", share_of_group(_g("must_refinance"), "io_households"), share_kind,
         id=r"^IO_TXT_must_refi_share$"),
    Rule("step-4 share", share_of_group(_g("fail_annuity"), "io_households"), share_kind,
         quantity=_FAIL4, source=r"."),
    Rule("step-6 share", share_of_group(_g("forced_sale"), "io_households"), share_kind, quantity=_FAIL6),
    Rule("residual-debt share", share_of_group(_g("residual_debt"), "io_households"), share_kind, quantity=_RESID),
    Rule("fully IO share", share_of_group(_hhflag(IO.FULLY_IO)), share_kind, id=r"fully_io_share$"),
    Rule("age above 60", share_of_group(_age_gt60), share_kind, id=r"_age_gt60_share$"),
    # ---- shares within the failures --------------------------------------------------------------
    Rule("step 6 of step 4", share_of_group(_g("forced_sale")), share_kind,
         id=r"^IO_SUM_fail_io50_share_of_fail_annuity$"),
    Rule("passes step 6 of step 4", share_of_group(lambda r, s: ~group_mask(r, "forced_sale", s)), share_kind,
         id=r"^IO_TXT_pass_io50_share_of_fail_annuity$"),
    Rule("LTI reason, annuity", share_of_group(_o(IO.LTI_BINDS_ANNUITY)), share_kind,
         id=r"^IO_TXT_fail_annuity_lti_share$"),
    Rule("LTV reason, annuity", share_of_group(_o(IO.LTV_BINDS_ANNUITY)), share_kind,
         id=r"fail_annuity_ltv_share"),
    Rule("both reasons, annuity", share_of_group(lambda r, s: _o(IO.LTI_BINDS_ANNUITY)(r, s)
                                                 & _o(IO.LTV_BINDS_ANNUITY)(r, s)), share_kind,
         id=r"^IO_TXT_fail_annuity_both_share$"),
    Rule("LTI reason, 50% IO", share_of_group(_o("lti_binds_io50")), share_kind, id=r"^IO_TXT_forced_sale_lti_share$"),
    Rule("LTV reason, 50% IO", share_of_group(_o("ltv_binds_io50")), share_kind, id=r"^IO_TXT_forced_sale_ltv_share$"),
    Rule("both reasons, 50% IO", share_of_group(lambda r, s: _o("lti_binds_io50")(r, s) & _o("ltv_binds_io50")(r, s)),
         share_kind, id=r"^IO_TXT_forced_sale_both_share$"),
    Rule("reason shares sum", _reason_sum, "share_sum", id=r"^IO_TXT_reason_shares_sum$"),
    Rule("measurement flag: income", share_of_group(_meas("income")), share_kind,
         id=r"^IO_TXT_meas_income_below_assistance$"),
    Rule("measurement flag: LTV", share_of_group(_meas("ltv")), share_kind, id=r"^IO_TXT_meas_ltv_gt200$"),
    Rule("measurement flag: both", share_of_group(_meas("both")), share_kind, id=r"^IO_TXT_meas_both$"),
    Rule("sale repays", share_of_group(lambda r, s: ~group_mask(r, "residual_debt", s)), share_kind,
         id=r"sale_repays_share$"),
    Rule("residual of step 6", share_of_group(_g("residual_debt")), share_kind, id=r"^IO_F8_title_residual_share$"),
    Rule("at least 10 years to maturity", share_of_group(_ge10y), share_kind, id=r"forced_sale_ge10y_share$"),
    Rule("maturity 2020-2029", share_of_group(_refi_years(2020, 2029)), share_kind,
         id=r"^IO_TXT_refi_before_2030_share$"),
    Rule("maturity in the past", share_of_group(_refi_years(None, 2019)), share_kind,
         id=r"^IO_TXT_refi_in_past_share$"),
    Rule("core of vulnerable", share_of_group(_g("core_risk")), share_kind,
         id=r"^IO_TXT_core_share_of_vulnerable$|^IO_TXT_h4_vuln_higher_io_no_help$"),
    # ---- perpetuals -------------------------------------------------------------------------------
    Rule("agile now", share_of_group(_o(IO.AGILE_NOW)), share_kind, id=r"agile_2016$"),
    Rule("agile at event", share_of_group(_o(IO.AGILE_AT_EVENT)), share_kind, id=r"agile_event$|_perp_agile_share$"),
    Rule("not agile at event", share_of_group(_g("perpetual_not_agile")), share_kind, id=r"not_agile_share$"),
    Rule("affordability", share_of_group(_g("perpetual_afford_fail")), share_kind,
         id=r"perp_afford_share|^IO_F10_title_share$"),
    Rule("affordability, can sell", share_of_group(_o(IO.AGILE_AT_EVENT)), share_kind,
         id=r"^IO_TXT_perp_afford_sell_share$"),
    Rule("retired perpetuals", share_of_group(_retired), share_kind, id=r"^IO_TXT_perpetual_retired_share$"),
    # ---- tested households -------------------------------------------------------------------------
    Rule("tested on pension", share_of_group(_hhflag(IO.REGIME, lambda x: x.astype(str) == "pension")), share_kind,
         id=r"^IO_TXT_must_refi_pension_tested_share$"),
    Rule("tested on accrued pension", share_of_group(_accrued), share_kind,
         id=r"^IO_TXT_accrued_pension_tested_share$"),
    Rule("must refinance, fail", share_of_group(_g("fail_annuity")), share_kind, id=r"^IO_TXT_must_refi_fail_share$"),
    Rule("must refinance, no risk", share_of_group(lambda r, s: ~group_mask(r, "fail_annuity", s)), share_kind,
         id=r"^IO_TXT_must_refi_no_afford_risk_share$"),
    # ---- profiles (Figuren 11-13, 25-28) ---------------------------------------------------------
    Rule("incomplete AOW", _incomplete_aow, share_kind, id=r"^IO_TXT_vuln_incomplete_aow_share$"),
    Rule("median AOW gap", _median_aow_gap, "share", id=r"^IO_TXT_vuln_median_aow_gap$"),
    Rule("consumer credit", share_of_group(_hhflag(IO.CONSUMER_CREDIT_NOW, lambda x: x.astype(float) > 0)), share_kind,
         id=r"_ck_share$"),
    Rule("consumer credit above 40k", share_of_group(_hhflag(IO.CONSUMER_CREDIT_NOW,
                                                             lambda x: x.astype(float) > 40_000.0)), share_kind,
         id=r"^IO_TXT_vuln_ck_gt40k_share$"),
    Rule("single", share_of_group(_hhflag(IO.HAS_PARTNER, lambda x: ~x.astype(bool))), share_kind,
         id=r"_single_share$"),
    Rule("debt and value above 350k (A29: both)",
         share_of_group(lambda r, s: (_hh(r, IO.DEBT_NOW) > HIGH_AMOUNT) & (_hh(r, IO.HOUSE_VALUE_NOW) > HIGH_AMOUNT)),
         share_kind, id=r"^IO_TXT_vuln_high_debt_value_share$"),
    Rule("debt above 350k", share_of_group(lambda r, s: _hh(r, IO.DEBT_NOW) > HIGH_AMOUNT), share_kind,
         id=r"^IO_TXT_refi_debt_gt350k_share$"),
    Rule("LTV above 100", share_of_group(lambda r, s: _hh(r, IO.DEBT_NOW) > _hh(r, IO.HOUSE_VALUE_NOW)), share_kind,
         id=r"^IO_TXT_vuln_ltv_gt100_share$"),
    Rule("income below 30k at T", share_of_group(_low_income_at_t), share_kind,
         id=r"^IO_TXT_h4_vuln_low_income_share$"),
    # ---- maturity profile and the crisis timing --------------------------------------------------
    Rule("modal maturity year", _modal_refi_year, "year_approx", id=r"2035|maturity_peak_year"),
    Rule("median maturity year", _median_refi_year, "year_approx", id=r"_bulk_after_2030_"),
    Rule("crisis trough", _trough_share, share_kind, id=r"^IO_TXT_crisis_trough_expiry_share$|^IO_F23_title_share$"),
    Rule("crisis no rise", _no_rise_share, share_kind, id=r"^IO_TXT_crisis_no_rise_share$"),
    Rule("crisis no debt erosion", _no_erosion_share, share_kind, id=r"^IO_TXT_crisis_no_debt_erosion_share$"),
)


# --------------------------------------------------------------------------
# standard errors at the report's N
# --------------------------------------------------------------------------
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


__all__ = [
    "RULES",
    "NotReproducible",
    "Results",
    "Rule",
    "count_kind",
    "group_mask",
    "millions_kind",
    "off_trend_years",
    "population_count",
    "population_millions",
    "report_group_n",
    "report_se",
    "sample_size",
    "share_kind",
    "share_of_group",
    "target_value",
]
