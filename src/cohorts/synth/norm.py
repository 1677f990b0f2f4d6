"""The generator's own reading of the standard Trhk norm: the maximum mortgage, one household at a time.

The generator plants each mortgage balance as utilisation x the norm maximum,
and the pipeline divides the observed balance by the maximum of
:func:`cohorts.norms.apply_norm`.  If the generator asked that same engine for
the maximum, the round trip could not see an error in it.  This module is
therefore written separately from the engine: it reads the same packaged data
files (``cohorts/norms/data/financieringslast_<year>.csv`` and
``norm_parameters.csv``; sources in ``cohorts/norms/data/SOURCES.md``) with the
standard :mod:`csv` module and walks the rule of the regulation row by row in
plain Python, without numpy or the engine's lookup code.

Per household (Trhk art. 3 and Bijlage 1; the report's Bijlage 2 and 3):

1. toetsinkomen for the table: the higher income plus ``partner_income_weight``
   times the lower income, plus ``wealth_return`` x (savings + securities);
2. income for the financing charge: both incomes plus the same wealth income;
3. toetsrente: the loan's rate when it is fixed for ``fixed_period_min_years``
   or longer, otherwise the higher of the rate and ``min_test_rate``;
4. table: the one for consumers who have reached AOW age when
   ``main_age >= aow_age``, otherwise the one for those who have not; the
   table of the norm year, or, for a year without its own table, of the
   nearest earlier year that has one (the first table year for earlier years);
5. percentage: the cell of the income row whose label is the highest at or
   below the toetsinkomen (the first row below the first label; the last row is
   open-ended) and the rate column whose printed range holds the toetsrente
   rounded to 3 decimals (ranges are inclusive at both ends);
6. monthly budget: percentage x charge income / 12, minus
   ``consumer_credit_monthly_rate`` x consumer credit and
   ``student_debt_monthly_rate`` x student debt;
7. maximum: the budget (0 if negative) divided by the monthly payment per euro
   of a ``annuity_months``-month annuity at the toetsrente,
   ``r / (1 - (1 + r) ** -n)`` with ``r`` the monthly rate (``1 / n`` at 0%).

The generator needs only this standard maximum: its interest-only parts do not
enter the maximum it plants (the actual-cost test is the pipeline's own
method, checked in ``tests/norms``).
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import re
from importlib import resources

import numpy as np

_TABLE_FILE = re.compile(r"^financieringslast_(\d{4})\.csv$")
_PARAMETERS_FILE = "norm_parameters.csv"
_BELOW_AOW, _AOW = "below_aow", "aow"


def _data_text(name: str) -> str:
    return resources.files("cohorts.norms").joinpath("data", name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _parameters() -> dict[tuple[int, str], float]:
    """``{(year, name): value}`` from the packaged ``norm_parameters.csv``."""
    out: dict[tuple[int, str], float] = {}
    for rec in csv.DictReader(io.StringIO(_data_text(_PARAMETERS_FILE))):
        out[(int(rec["year"]), rec["name"].strip())] = float(rec["value"])
    return out


@functools.lru_cache(maxsize=1)
def _tables() -> dict[tuple[int, str], tuple[list[float], list[list[tuple[float, float, float]]]]]:
    """``{(table year, table): (income labels, rows)}``, a row being ``[(rate_from, rate_to, pct), ...]``.

    Income labels (``income_from``) ascending, the rows in the same order;
    ``rate_to`` is ``inf`` for the open last column.  Only the standard tables
    (``below_aow``, ``aow``) are kept.
    """
    root = resources.files("cohorts.norms").joinpath("data")
    rows: dict[tuple[int, str], dict[float, list[tuple[float, float, float]]]] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not _TABLE_FILE.match(entry.name):
            continue
        for rec in csv.DictReader(io.StringIO(entry.read_text(encoding="utf-8"))):
            table = rec["table"].strip()
            if table not in (_BELOW_AOW, _AOW):
                continue
            key = (int(rec["year"]), table)
            rate_to = rec["rate_to"].strip()
            cell = (float(rec["rate_from"]), float(rate_to) if rate_to else float("inf"), float(rec["pct"]))
            rows.setdefault(key, {}).setdefault(float(rec["income_from"]), []).append(cell)
    out = {}
    for key, by_income in rows.items():
        labels = sorted(by_income)
        out[key] = (labels, [sorted(by_income[label]) for label in labels])
    return out


@functools.lru_cache(maxsize=None)
def _table_year(year: int) -> int:
    """The norm year itself if it has tables, else the nearest earlier one (the first for earlier years)."""
    years = sorted({y for y, _ in _tables()})
    earlier = [y for y in years if y <= year]
    return earlier[-1] if earlier else years[0]


def table_percentage(table_year: int, table: str, toetsinkomen: float, toetsrente: float) -> float:
    """The financing-cost percentage of one table cell.

    Parameters
    ----------
    table_year : int
        A year with packaged tables (2013, 2014, 2015).
    table : str
        ``"below_aow"`` or ``"aow"``.
    toetsinkomen : float
        Income for the table lookup (euro per year).
    toetsrente : float
        Test rate (percent per year); rounded to 3 decimals, as the printed ranges.

    Returns
    -------
    float
        Percent of the gross charge income.
    """
    labels, rows = _tables()[(table_year, table)]
    # the row of the highest label at or below the income; below the first label, the first row
    chosen = rows[max(bisect.bisect_right(labels, toetsinkomen) - 1, 0)]
    rate = round(toetsrente, 3)
    for rate_from, rate_to, pct in chosen:
        if rate_from <= rate <= rate_to:
            return pct
    raise ValueError(f"test rate {toetsrente!r} falls in no rate column of the {table_year} {table} table")


def max_mortgage_row(
    *,
    year: int,
    main_income: float,
    partner_income: float,
    main_age: int,
    interest_rate: float,
    fixed_period_years: int,
    savings: float,
    securities: float,
    consumer_credit: float,
    student_debt: float,
) -> float:
    """Maximum mortgage of one household under the standard Trhk norm (steps 1-7 of the module docstring).

    Parameters
    ----------
    year : int
        Norm year (origination year), one with norm parameters (2012-2018).
    main_income, partner_income : float
        Gross incomes (euro per year; 0 without partner).
    main_age : int
        Age of the main earner in the norm year.
    interest_rate : float
        Interest rate of the mortgage (percent per year).
    fixed_period_years : int
        Shortest fixed-rate period (years; 0 = variable).
    savings, securities, consumer_credit, student_debt : float
        Household totals (euro).

    Returns
    -------
    float
        Euro.
    """
    p = _parameters()
    wealth_income = p[(year, "wealth_return")] * (savings + securities)
    higher, lower = (main_income, partner_income) if main_income >= partner_income else (partner_income, main_income)
    toetsinkomen = higher + p[(year, "partner_income_weight")] * lower + wealth_income
    charge_income = main_income + partner_income + wealth_income
    if fixed_period_years >= p[(year, "fixed_period_min_years")]:
        toetsrente = interest_rate
    else:
        toetsrente = max(interest_rate, p[(year, "min_test_rate")])
    table = _AOW if main_age >= p[(year, "aow_age")] else _BELOW_AOW
    pct = table_percentage(_table_year(year), table, toetsinkomen, toetsrente)
    budget = (
        pct / 100.0 * charge_income / 12.0
        - p[(year, "consumer_credit_monthly_rate")] * consumer_credit
        - p[(year, "student_debt_monthly_rate")] * student_debt
    )
    n = int(p[(year, "annuity_months")])
    r = toetsrente / 100.0 / 12.0
    payment_per_euro = 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** -n)
    return max(budget, 0.0) / payment_per_euro


def norm_maximum(
    *,
    year: np.ndarray,
    main_income: np.ndarray,
    partner_income: np.ndarray,
    main_age: np.ndarray,
    interest_rate: np.ndarray,
    fixed_period_years: np.ndarray,
    savings: np.ndarray,
    securities: np.ndarray,
    consumer_credit: np.ndarray,
    student_debt: np.ndarray,
) -> np.ndarray:
    """Maximum mortgage under the standard Trhk norm, per household (:func:`max_mortgage_row` on each).

    Parameters
    ----------
    year : ndarray of int
        Norm year (origination year).
    main_income, partner_income : ndarray of float
        Gross income of year t+1 (euro; 0 without partner).
    main_age : ndarray of int
        Age of the main earner in the norm year.
    interest_rate : ndarray of float
        Balance-weighted interest rate of the loan parts (percent).
    fixed_period_years : ndarray of int
        Shortest fixed-rate period of the parts (years, 0 = variable).
    savings, securities, consumer_credit, student_debt : ndarray of float
        Household totals (euro).

    Returns
    -------
    numpy.ndarray
        ``max_mortgage`` (euro, float64).
    """
    columns = (year, main_income, partner_income, main_age, interest_rate, fixed_period_years, savings,
               securities, consumer_credit, student_debt)
    lists = [np.asarray(c).tolist() for c in columns]
    out = [
        max_mortgage_row(
            year=int(y), main_income=float(mi), partner_income=float(pi), main_age=int(age),
            interest_rate=float(rate), fixed_period_years=int(fix), savings=float(sav), securities=float(sec),
            consumer_credit=float(cc), student_debt=float(sd),
        )
        for y, mi, pi, age, rate, fix, sav, sec, cc, sd in zip(*lists, strict=True)
    ]
    return np.asarray(out, dtype="float64").reshape(np.shape(year))
