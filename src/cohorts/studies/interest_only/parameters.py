"""Parameters of the interest-only study: ``data/parameters.toml`` loaded into a frozen dataclass.

Every number the study's tree uses (ages, the HRA rule, the replacement ratio, the partner
weights, the wealth netting amounts, the test limits, the table year, the measurement
thresholds) lives in ``data/parameters.toml`` (package data) with the seed line it comes
from; ``data/SOURCES.md`` (section "parameters.toml") repeats the sources.  This module only
reads and checks the file.

Two groups of amounts are **not printed in the seed**; they sit in the ``[user_supplied]`` table:

* the full gross AOW per person per year (``aow_full_single``, ``aow_full_partnered``): needed
  for the pension regime (checklist D15).  The packaged defaults come from the SVB's official
  AOW rates **of 1 July 2017** (12 x (gross monthly AOW incl. the AOW top-up + monthly holiday
  allowance): 14,783.40 single, 10,214.76 per person with a partner; ``data/SOURCES.md`` quotes
  the page and explains the choices).  If a parameter set lacks them,
  :func:`cohorts.studies.interest_only.income.income_at_refi` raises
  :class:`~cohorts.errors.ConfigError` when a household needs them;
* the social-assistance level (bijstandsnorm 2017; ``social_assistance_single``,
  ``social_assistance_couple``): needed only for the measurement flag of checklist E27 (A10).
  **No gross default**: the Participatiewet norms are net amounts, the study's incomes gross, and
  no official gross equivalent was found (``data/SOURCES.md``).  In their absence the tree uses a
  documented **proxy**, the packaged official *net* norms of 1 July 2017 (table
  ``[social_assistance_net]``: Stcrt. 2017, 36285; 986.52 / 1,409.31 a month below the pension
  age, 1,108.48 / 1,514.74 from it, single / couple, incl. holiday allowance), x 12 a year.  A net
  level is below any gross equivalent, so the flag it gives is a lower bound of the study's
  (:func:`cohorts.studies.interest_only.tree.social_assistance_level`).  A user-supplied gross
  level overrides the proxy.

Change or supply them in the ``[user_supplied]`` table of your own copy of the file, or with
:meth:`Parameters.replace`.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from cohorts.errors import ConfigError
from cohorts.scenarios import RATE_TIMINGS

PARAMETERS_FILE = "parameters.toml"

# (section, key) -> (field name, type, required)
_INT, _FLOAT, _FLOATS, _INTS, _STR = "int", "float", "list of float", "list of int", "string"
_SCHEMA: dict[tuple[str, str], tuple[str, str, bool]] = {
    ("ages", "aow_age"): ("aow_age", _INT, True),
    ("ages", "pension_window_years"): ("pension_window_years", _INT, True),
    ("ages", "life_expectancy"): ("life_expectancy", _INT, True),
    ("hra", "floor_year"): ("hra_floor_year", _INT, True),
    ("hra", "lapse_age"): ("hra_lapse_age", _INT, True),
    ("hra", "min_remaining_years"): ("hra_min_remaining_years", _INT, True),
    ("income", "replacement_ratio"): ("replacement_ratio", _FLOAT, True),
    ("income", "self_employed_rr_share"): ("self_employed_rr_share", _FLOAT, True),
    ("income", "partner_weight_years"): ("partner_weight_years", _INTS, True),
    ("income", "partner_weight_values"): ("partner_weight_values", _FLOATS, True),
    ("income", "low_income_single_threshold"): ("low_income_single_threshold", _FLOAT, True),
    ("income", "low_income_single_add_pct"): ("low_income_single_add_pct", _FLOAT, True),
    ("income", "price_base_year"): ("price_base_year", _INT, True),
    ("wealth", "expense_buffer"): ("expense_buffer", _FLOAT, True),
    ("wealth", "consumer_credit_cap"): ("consumer_credit_cap", _FLOAT, True),
    ("wealth", "consumer_credit_monthly_charge"): ("consumer_credit_monthly_charge", _FLOAT, True),
    ("tests", "ltv_limit"): ("ltv_limit", _FLOAT, True),
    ("tests", "io_cap"): ("io_cap", _FLOAT, True),
    ("tests", "io_cap_core"): ("io_cap_core", _FLOAT, True),
    ("tests", "term_months"): ("term_months", _INT, True),
    ("tests", "table_year"): ("table_year", _INT, True),
    ("tests", "rate_timing"): ("rate_timing", _STR, True),
    ("measurement", "high_ltv"): ("high_ltv", _FLOAT, True),
    ("measurement", "now_year"): ("now_year", _INT, True),
    ("social_assistance_net", "single_monthly"): ("social_assistance_net_single_monthly", _FLOAT, False),
    ("social_assistance_net", "couple_monthly"): ("social_assistance_net_couple_monthly", _FLOAT, False),
    ("social_assistance_net", "single_pension_age_monthly"): ("social_assistance_net_single_pension_monthly",
                                                              _FLOAT, False),
    ("social_assistance_net", "couple_pension_age_monthly"): ("social_assistance_net_couple_pension_monthly",
                                                              _FLOAT, False),
    ("user_supplied", "aow_full_single"): ("aow_full_single", _FLOAT, False),
    ("user_supplied", "aow_full_partnered"): ("aow_full_partnered", _FLOAT, False),
    ("user_supplied", "social_assistance_single"): ("social_assistance_single", _FLOAT, False),
    ("user_supplied", "social_assistance_couple"): ("social_assistance_couple", _FLOAT, False),
}


@dataclass(frozen=True)
class Parameters:
    """The study's parameters (immutable).  See ``data/parameters.toml`` for each value's source.

    Attributes
    ----------
    aow_age : int
        State-pension (AOW) age, 67 (implied, checklist D13, A4).
    pension_window_years : int
        The pension regime starts this many years before the AOW age (10).
    life_expectancy : int
        An IO part maturing after the main earner's 85th birthday is a de-facto perpetual (B6, A13).
    hra_floor_year : int
        Every household keeps the mortgage-interest deduction (HRA) up to and including 2030 (D16).
    hra_lapse_age : int
        HRA lapses in the year the main earner turns 55 (D16, A3).
    hra_min_remaining_years : int
        The with-HRA table applies only with at least 10 remaining HRA years (D16).
    replacement_ratio : float
        RR = 0.60 for the estimated pension of rule 3 and 4 (D15).
    self_employed_rr_share : float
        Rule 4 uses 0.5 x RR of the self-employed income (D15).
    partner_weight_years, partner_weight_values : tuple
        Knots of the partner-income weight (2017 0.6, 2020 0.8, 2023 1.0), interpolated
        linearly and held flat outside (D17, A24).
    low_income_single_threshold : float
        Singles with a test income below 31,000 get ``low_income_single_add_pct`` (3) points more,
        capped at the percentage of a single at 31,000 (D17, A25).
    low_income_single_add_pct : float
        See above.
    price_base_year : int
        The year of the income flows (2017); growth factors run from it to T (D18).
    expense_buffer : float
        10,000 euro kept aside from liquid assets (C10).
    consumer_credit_cap : float
        At most 50,000 euro of "overige schulden" is consumer credit (C9).
    consumer_credit_monthly_charge : float
        Monthly charge of consumer credit, 0.02 of the outstanding amount (D19).
    ltv_limit : float
        Loan <= 1.0 x house value at T (E21).
    io_cap : float
        Interest-only share of the house value in the 50%-IO test, 0.5 (E24).
    io_cap_core : float
        The core-risk probe's interest-only share, 1.0 (E28).
    term_months : int
        Annuity term, 360 months (E20).
    table_year : int
        Trhk table year, 2019 (D17).
    rate_timing : {"start_of_year", "in_year"}
        Which rate of a scenario's path a household refinancing (or tested) in year T gets:
        ``"start_of_year"`` the rate on 1 January of T, the level reached in T - 1, the date on which
        the debt and the house value are taken (the packaged choice); ``"in_year"`` the rate of year
        T itself (A5; :func:`cohorts.scenarios.factor_at`).  Of the packaged scenarios only the high
        rate has a rate that moves.
    high_ltv : float
        Measurement flag: current LTV above 2.0 (E27).
    now_year : int
        "Now" for the years to maturity, 2020 (E30).
    aow_full_single, aow_full_partnered : float or None
        Full gross AOW per person per year for a single / for a person with a partner, including
        the AOW top-up and the holiday allowance.  Not in the seed; packaged default from the SVB
        rates of 1 July 2017 (14,783.40 / 10,214.76, ``data/SOURCES.md``).
    social_assistance_single, social_assistance_couple : float or None
        Social-assistance level per household per year (2017), gross like ``income_now``.  Not in
        the seed: user supplied, no default; when given it overrides the net proxy below.
    social_assistance_net_single_monthly, social_assistance_net_couple_monthly : float or None
        The proxy (A10, E27): official net Participatiewet norm per household per month, incl.
        holiday allowance, from 21 years to the pension age (1 July 2017, Stcrt. 2017, 36285;
        packaged 986.52 / 1,409.31).  Used x 12 where the gross level is absent.
    social_assistance_net_single_pension_monthly, social_assistance_net_couple_pension_monthly : float or None
        The same at or above the pension age (packaged 1,108.48 / 1,514.74).
    source : str
        The file the values were read from.
    """

    aow_age: int
    pension_window_years: int
    life_expectancy: int
    hra_floor_year: int
    hra_lapse_age: int
    hra_min_remaining_years: int
    replacement_ratio: float
    self_employed_rr_share: float
    partner_weight_years: tuple[int, ...]
    partner_weight_values: tuple[float, ...]
    low_income_single_threshold: float
    low_income_single_add_pct: float
    price_base_year: int
    expense_buffer: float
    consumer_credit_cap: float
    consumer_credit_monthly_charge: float
    ltv_limit: float
    io_cap: float
    io_cap_core: float
    term_months: int
    table_year: int
    rate_timing: str
    high_ltv: float
    now_year: int
    aow_full_single: float | None = None
    aow_full_partnered: float | None = None
    social_assistance_single: float | None = None
    social_assistance_couple: float | None = None
    social_assistance_net_single_monthly: float | None = None
    social_assistance_net_couple_monthly: float | None = None
    social_assistance_net_single_pension_monthly: float | None = None
    social_assistance_net_couple_pension_monthly: float | None = None
    source: str = "<constructed>"

    def __post_init__(self) -> None:
        _check_values(self)

    def replace(self, **changes: Any) -> Parameters:
        """A copy with ``changes`` applied (validated again).

        Examples
        --------
        >>> p = load_parameters().replace(aow_full_single=10_000.0)
        >>> p.aow_full_single
        10000.0
        """
        return dataclasses.replace(self, **changes)

    def partner_weight(self, years: np.ndarray | int) -> np.ndarray:
        """Partner-income weight per year: linear between the knots, flat outside (D17, A24).

        Examples
        --------
        >>> p = load_parameters()
        >>> [round(float(w), 4) for w in p.partner_weight(np.array([2016, 2017, 2020, 2021, 2023, 2030]))]
        [0.6, 0.6, 0.8, 0.8667, 1.0, 1.0]
        """
        return np.interp(
            np.asarray(years, dtype="float64"),
            np.asarray(self.partner_weight_years, dtype="float64"),
            np.asarray(self.partner_weight_values, dtype="float64"),
        )


def _check_values(p: Parameters) -> None:
    where = p.source
    problems: list[str] = []
    if len(p.partner_weight_years) != len(p.partner_weight_values) or len(p.partner_weight_years) < 1:
        problems.append("income.partner_weight_years and income.partner_weight_values have the same length >= 1")
    elif list(p.partner_weight_years) != sorted(set(p.partner_weight_years)):
        problems.append("income.partner_weight_years strictly increasing")
    if any(not 0.0 <= w <= 1.0 for w in p.partner_weight_values):
        problems.append("income.partner_weight_values in [0, 1]")
    for name, lo, hi in (
        ("replacement_ratio", 0.0, 1.0),
        ("self_employed_rr_share", 0.0, 1.0),
        ("consumer_credit_monthly_charge", 0.0, 1.0),
        ("io_cap", 0.0, 1.0),
        ("io_cap_core", 0.0, 1.0),
    ):
        v = getattr(p, name)
        if not lo <= v <= hi:
            problems.append(f"{name} in [{lo}, {hi}] (got {v})")
    for name in (
        "expense_buffer",
        "consumer_credit_cap",
        "low_income_single_threshold",
        "low_income_single_add_pct",
        "ltv_limit",
        "high_ltv",
        "aow_full_single",
        "aow_full_partnered",
        "social_assistance_single",
        "social_assistance_couple",
        "social_assistance_net_single_monthly",
        "social_assistance_net_couple_monthly",
        "social_assistance_net_single_pension_monthly",
        "social_assistance_net_couple_pension_monthly",
    ):
        v = getattr(p, name)
        if v is not None and not v >= 0:
            problems.append(f"{name} >= 0 (got {v})")
    if p.rate_timing not in RATE_TIMINGS:
        problems.append(f"rate_timing one of {', '.join(RATE_TIMINGS)} (got {p.rate_timing!r})")
    if p.term_months <= 0:
        problems.append(f"term_months > 0 (got {p.term_months})")
    if not 0 < p.pension_window_years < p.aow_age:
        problems.append("0 < pension_window_years < aow_age")
    if problems:
        raise ConfigError(f"{where}: invalid parameter value(s): " + "; ".join(problems))


def _coerce(value: Any, kind: str, *, where: str) -> Any:
    def bad() -> ConfigError:
        return ConfigError(f"{where}: expected {kind}, got {type(value).__name__} {value!r}")

    if kind == _INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad()
        return int(value)
    if kind == _FLOAT:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad()
        return float(value)
    if kind == _STR:
        if not isinstance(value, str):
            raise bad()
        return value
    if not isinstance(value, list):
        raise bad()
    inner = _INT if kind == _INTS else _FLOAT
    return tuple(_coerce(v, inner, where=where) for v in value)


def parameters_from_mapping(data: dict[str, Any], *, source: str) -> Parameters:
    """Validate a parsed TOML mapping and build :class:`Parameters`.

    Parameters
    ----------
    data : dict
        ``{section: {key: value}}`` as :func:`tomllib.loads` returns it.
    source : str
        The file name, used in error messages.

    Returns
    -------
    Parameters

    Raises
    ------
    cohorts.errors.ConfigError
        Naming ``source`` and the ``section.key``: an unknown section or key, a missing required
        key, a value of the wrong type, or a value out of its range.
    """
    known_sections = {s for s, _ in _SCHEMA}
    values: dict[str, Any] = {}
    for section, block in data.items():
        if section not in known_sections:
            raise ConfigError(f"{source}: unknown section [{section}] (known: {', '.join(sorted(known_sections))})")
        if not isinstance(block, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        for key, value in block.items():
            spec = _SCHEMA.get((section, key))
            if spec is None:
                known = sorted(k for s, k in _SCHEMA if s == section)
                raise ConfigError(f"{source}: unknown key {section}.{key} (known in [{section}]: {', '.join(known)})")
            field, kind, _ = spec
            values[field] = _coerce(value, kind, where=f"{source}: key {section}.{key}")
    missing = [f"{s}.{k}" for (s, k), (field, _, req) in _SCHEMA.items() if req and field not in values]
    if missing:
        raise ConfigError(f"{source}: missing key(s) {', '.join(missing)}")
    return Parameters(**values, source=source)


def load_parameters(path: str | Path | None = None) -> Parameters:
    """Load and validate the study's parameters.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A TOML file in the format of the packaged ``data/parameters.toml`` (e.g. a copy with a
        ``[user_supplied]`` table).  ``None`` (default): the packaged file.

    Returns
    -------
    Parameters

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    cohorts.errors.ConfigError
        If the file is not valid TOML or breaks the schema (message names file and key).

    Examples
    --------
    >>> p = load_parameters()
    >>> p.aow_age, p.life_expectancy, p.io_cap, p.table_year, p.aow_full_single, p.social_assistance_single
    (67, 85, 0.5, 2019, 14783.4, None)
    >>> p.social_assistance_net_single_monthly, p.social_assistance_net_couple_pension_monthly
    (986.52, 1514.74)
    """
    if path is None:
        text = resources.files("cohorts.studies.interest_only").joinpath("data", PARAMETERS_FILE).read_text(encoding="utf-8")
        source = f"package data {PARAMETERS_FILE}"
    else:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"parameter file not found: {p}")
        text = p.read_text(encoding="utf-8")
        source = str(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from exc
    return parameters_from_mapping(data, source=source)
