"""Sensitivity of the norm's results to two open choices: the WLT reading and the missing 2016/2017 tables.

Both functions take rows the norm has already been applied to (the output of
:func:`cohorts.norms.apply_norm`, e.g. the build's cohort table) and return
one value per row; nothing is modified.

* :func:`wlt_possible_under` -- ``wlt_possible`` under a reading of Box 1
  (:data:`cohorts.norms.wlt.WLT_READINGS`), recomputed from the row's own
  ``max_monthly``, ``annuity_factor``, ``test_rate``, ``pct`` and
  ``pct_nohra``, so it follows whatever tables the norm was applied with.
  For the reading the rows were built with it returns their
  ``wlt_possible`` exactly.
* :func:`standin_lti_util` -- LTI utilisation when another year's table
  stands in for the norm years that have no table of their own (2016 and
  2017 use the 2015 table by default; ``docs/norms.md``).  The year's own
  parameters (partner weight, LTV limit, AOW age) are kept; only the table is
  swapped.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from cohorts.errors import CohortsWarning
from cohorts.norms import schema as S
from cohorts.norms.engine import apply_norm
from cohorts.norms.tables import NormTables, load_tables
from cohorts.norms.wlt import check_reading, io_charge_rate, max_mortgage_wlt

#: The norm years without a table of their own that the stand-in analysis covers.
STANDIN_YEARS: tuple[int, ...] = (2016, 2017)
#: The table years that can stand in for them (the packaged tables).
STANDIN_TABLES: tuple[int, ...] = (2013, 2014, 2015)

_WLT_INPUTS = (S.MAX_MONTHLY, S.ANNUITY_FACTOR, S.TEST_RATE, S.PCT, S.PCT_NOHRA, S.INTEREST_RATE,
               S.OBSERVED_MORTGAGE, S.INTEREST_ONLY_AMOUNT, S.HIGH)


def _require(frame: pd.DataFrame, cols: Sequence[str], *, what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the norm's column(s) {missing} (apply cohorts.norms.apply_norm first); "
                         f"the frame has {list(frame.columns)}")


def _values(frame: pd.DataFrame, col: str) -> np.ndarray:
    return frame[col].to_numpy(dtype="float64")


def max_mortgage_wlt_under(frame: pd.DataFrame, *, wlt_reading: str) -> np.ndarray:
    """``max_mortgage_wlt`` of every row under a reading of Box 1 (euro).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with the norm's columns (``max_monthly``, ``annuity_factor``,
        ``test_rate``, ``pct``, ``pct_nohra``) and the inputs
        ``interest_rate``, ``observed_mortgage``, ``interest_only_amount``.
    wlt_reading : {"toetsrente", "contract"}
        The rate the interest-only part is charged at (:mod:`cohorts.norms.wlt`).

    Returns
    -------
    numpy.ndarray
        float64, one value per row.
    """
    check_reading(wlt_reading)
    _require(frame, _WLT_INPUTS, what="max_mortgage_wlt_under")
    obs, io = _values(frame, S.OBSERVED_MORTGAGE), _values(frame, S.INTEREST_ONLY_AMOUNT)
    io_share = np.zeros_like(obs)
    np.divide(io, obs, out=io_share, where=obs > 0)
    test_rate = _values(frame, S.TEST_RATE)
    return max_mortgage_wlt(
        max_monthly=_values(frame, S.MAX_MONTHLY),
        annuity_factor=_values(frame, S.ANNUITY_FACTOR),
        test_rate=test_rate,
        pct=_values(frame, S.PCT),
        pct_nohra=_values(frame, S.PCT_NOHRA),
        io_share=np.clip(io_share, 0.0, 1.0),
        io_rate=io_charge_rate(wlt_reading, test_rate=test_rate, contract_rate=_values(frame, S.INTEREST_RATE)),
    )


def wlt_possible_under(frame: pd.DataFrame, *, wlt_reading: str) -> np.ndarray:
    """``wlt_possible`` of every row under a reading of Box 1.

    ``high & (interest_only_amount > 0) & (observed_mortgage <= max_mortgage_wlt)``
    with ``max_mortgage_wlt`` from :func:`max_mortgage_wlt_under` and ``high``
    the row's own flag (the threshold the norm was applied with).

    Returns
    -------
    numpy.ndarray of bool
    """
    max_wlt = max_mortgage_wlt_under(frame, wlt_reading=wlt_reading)
    obs, io = _values(frame, S.OBSERVED_MORTGAGE), _values(frame, S.INTEREST_ONLY_AMOUNT)
    with np.errstate(invalid="ignore"):
        return frame[S.HIGH].to_numpy(dtype=bool) & (io > 0) & (obs <= max_wlt)


def standin_tables(table_year: int, *, years: Sequence[int] = STANDIN_YEARS,
                   tables: NormTables | None = None) -> NormTables:
    """``tables`` with the tables of ``table_year`` copied to each of ``years``.

    Parameters
    ----------
    table_year : int
        The table year that stands in (must be in ``tables``).
    years : sequence of int, default (2016, 2017)
        Norm years that get a copy of its tables; their own tables, if any,
        are replaced.
    tables : NormTables, optional
        Default: the packaged tables (:func:`cohorts.norms.load_tables`).

    Returns
    -------
    NormTables
        No-HRA tables are copied with the standard ones where the table year
        has them (2015); the 2013 and 2014 footnote rules are keyed by table
        year and do not follow the copy, so the stand-in rows of those tables
        have no ``pct_nohra`` (only LTI utilisation is asked of them).

    Raises
    ------
    ValueError
        If ``table_year`` has no tables in ``tables``.
    """
    tables = load_tables() if tables is None else tables
    if int(table_year) not in tables.years:
        raise ValueError(f"table_year {table_year!r} has no tables; available: {tables.years}")
    grids = {k: v for k, v in tables.grids.items() if k[0] not in set(map(int, years))}
    sources = {y: s for y, s in tables.sources.items() if y not in set(map(int, years))}
    for year in map(int, years):
        for (ty, name), grid in tables.grids.items():
            if ty == int(table_year):
                grids[(year, name)] = replace(grid, year=year)
        sources[year] = f"stand-in: the {int(table_year)} tables ({tables.sources.get(int(table_year), '?')})"
    return NormTables(grids=MappingProxyType(grids), sources=MappingProxyType(sources))


def standin_lti_util(
    frame: pd.DataFrame,
    *,
    table_year: int,
    years: Sequence[int] = STANDIN_YEARS,
    tables: NormTables | None = None,
    columns: Mapping[str, str] | None = None,
) -> np.ndarray:
    """LTI utilisation of every row when ``table_year``'s tables stand in for ``years``.

    The norm is applied again to the rows whose norm year is in ``years``
    (their input columns only), with :func:`standin_tables`; the other rows
    get NaN.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with the norm's input columns (:data:`cohorts.norms.INPUT_COLUMNS`,
        names mapped by ``columns``), e.g. the build's cohort table with
        ``columns={"year": "cohort"}``.
    table_year : int
        The table year that stands in.
    years : sequence of int, default (2016, 2017)
        The norm years that get the stand-in table.
    tables : NormTables, optional
        Default: the packaged tables.
    columns : Mapping[str, str], optional
        Canonical input name -> the frame's column name.

    Returns
    -------
    numpy.ndarray
        float64 utilisation (observed / maximum; 1.0 = 100%), NaN outside ``years``.
    """
    mapping = {c: c for c in S.INPUT_COLUMNS}
    mapping.update(dict(columns or {}))
    _require(frame, list(mapping.values()), what="standin_lti_util")
    year = frame[mapping[S.YEAR]].to_numpy(dtype="int64")
    rows = np.isin(year, np.asarray(list(years), dtype="int64"))
    out = np.full(len(frame), np.nan)
    if not rows.any():
        return out
    inputs = frame.loc[rows, [mapping[c] for c in S.INPUT_COLUMNS]]
    inputs.columns = list(S.INPUT_COLUMNS)
    with warnings.catch_warnings():  # the stand-in is explicit; no fallback or no-HRA notices for it
        warnings.simplefilter("ignore", CohortsWarning)
        result = apply_norm(inputs.reset_index(drop=True),
                            tables=standin_tables(table_year, years=years, tables=tables))
    out[rows] = result[S.LTI_UTIL].to_numpy(dtype="float64")
    return out
