"""Household projection along a scenario's paths: :func:`factor_at` and :func:`grow` (vectorised).

Part of :mod:`cohorts.scenarios` (the package docstring says which year a household uses, A5); import the
names from there.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from cohorts.columns import YEAR
from cohorts.scenarios.definition import _N_EXAMPLES, PARAMETERS, RATE, RATE_TIMINGS, STOCKS, RateTiming, StockTiming


def factor_at(
    table: pd.DataFrame,
    years: npt.ArrayLike,
    column: str,
    *,
    stock_timing: StockTiming = "start_of_year",
    rate_timing: RateTiming = "in_year",
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
        (ambiguity A5).  Flows always use the year itself.
    rate_timing : {"in_year", "start_of_year"}, default "in_year"
        For ``rate``: the rate of the year itself, or the rate on 1 January of the year, i.e. the
        level reached in the year before (a path's shock-year rate changes read as year-end levels,
        like the stocks; A5).  For ``first_year`` of a :func:`paths` table the year before is a
        trend year (a shock starts after ``first_year``), so its rate is that of ``first_year``.

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
    if rate_timing not in RATE_TIMINGS:
        raise ValueError(f"factor_at: rate_timing must be one of {RATE_TIMINGS}, not {rate_timing!r}")
    for needed in (YEAR, column):
        if needed not in table.columns:
            raise ValueError(f"factor_at: the table has no column {needed!r} (columns: {list(table.columns)})")
    table_years = table[YEAR].to_numpy(dtype=np.int64)
    if len(table_years) == 0 or not np.array_equal(table_years, np.arange(table_years[0], table_years[0] + len(table_years))):
        raise ValueError("factor_at: the table's years must be consecutive and ascending (use the table from paths())")
    values = table[column].to_numpy(dtype=float)
    lo = int(table_years[0])
    timing = stock_timing if column in STOCKS else rate_timing if column == RATE else "year"
    shift = 1 if timing == "start_of_year" else 0  # 1 January of year y: the level reached at the end of y - 1
    if shift and table.attrs.get("first_year") == lo:
        # the year before first_year: for a stock the base (1.0), for the rate a trend year (a shock starts
        # after first_year), so first_year's own rate
        values = np.concatenate([[1.0 if column in STOCKS else values[0]], values])
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
            f"factor_at: column {column!r} ({timing}): "
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

    >>> from cohorts.scenarios import HOUSE, INCOME, PENSION, WEALTH, Scenario, paths
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
