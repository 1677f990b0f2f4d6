"""Rules for shares: percent of a group with a flag, ratios of counts, AOW profiles, the crisis timing.

Part of :mod:`cohorts.studies.interest_only.rules` (its docstring gives the conventions); import the
names from there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from cohorts import scenarios as SC
from cohorts.report.comparison import NotReproducible
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.results import Results
from cohorts.studies.interest_only.rules.groups import (
    _aggregate,
    _flag,
    _hh,
    _outcomes,
    _scenarios_of,
    _share,
    group_mask,
)


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
    start = res.worst_start_year("housing_crisis")
    return f, np.array([SC.floor_level(SC.paths(sc, start_year=start), start)])


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
