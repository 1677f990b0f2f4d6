"""The rules' helpers on a target row: its scenarios, its group's mask, shares and population counts.

Part of :mod:`cohorts.studies.interest_only.rules` (its docstring gives the conventions); import the
names from there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from cohorts.report.comparison import NotReproducible
from cohorts.report.conflicts import shown_decimals
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.results import Results

SCENARIOS: tuple[str, ...] = ("base", "recession", "high_rate", "housing_crisis")
#: A29 default: "hypotheekschuld en woningwaarde hoger dan EUR 350.000" means both above.
HIGH_AMOUNT = 350_000.0



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
        "vulnerable_retirement_ahead": lambda: _known_flag(o, IO.VULNERABLE) & _retirement_ahead(res),
        "core_risk": lambda: _known_flag(o, IO.CORE_RISK),
        "perpetual_afford_fail": lambda: perp & _flag(o, IO.AFFORD_FAIL),
        "perpetual_not_agile": lambda: perp & _not_agile(o),
        "forced_sale_no_meas_error": lambda: _flag(o, IO.FORCED_SALE) & _no_meas_flag(o),
    }
    if group not in masks:
        raise NotReproducible(f"group {group!r} is not a population of the analysis file (IO households only)")
    return masks[group]()


def _retirement_ahead(res: Results) -> np.ndarray:
    """Figuur 26's population (:func:`cohorts.studies.interest_only.profiles.retirement_ahead`)."""
    from cohorts.studies.interest_only.profiles import retirement_ahead

    if res.params is None:
        raise NotReproducible("Figuur 26's population needs the run's parameters (the AOW age)")
    return retirement_ahead(res.households, params=res.params)


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
