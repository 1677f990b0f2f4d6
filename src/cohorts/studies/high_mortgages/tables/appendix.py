"""The appendix tables: Tabel B1-B8, and every table at once (:func:`all_tables`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.studies.high_mortgages.tables.populations import _col, _group_table, _ones, _positive
from cohorts.studies.high_mortgages.tables.main import table_1, table_2, table_3, table_4, table_5


def table_b1(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B1: mean mortgage interest rate (percent), per group and in the stock."""
    return _group_table("B1", cohorts, values=_col(C.INTEREST_RATE), statistic="mean", unit="percent", stock=stock,
                        support=support)


def _ltv_pct(df: pd.DataFrame) -> np.ndarray:
    return 100.0 * df[C.LTV].to_numpy(dtype="float64")


def table_b2(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B2: mean LTV in percent (``ltv`` x 100), per group and in the stock."""
    return _group_table("B2", cohorts, values=_ltv_pct, statistic="mean", unit="percent", stock=stock,
                        support=support)


def table_b3(cohorts: pd.DataFrame, stock: pd.DataFrame) -> pd.DataFrame:
    """Tabel B3: number of households per group and cohort, and in the stock (unscaled)."""
    return _group_table("B3", cohorts, values=_ones, statistic="count", unit="count", stock=stock)


TABLE_B4_AMONG: tuple[str, ...] = ("holders", "all")


def table_b4(cohorts: pd.DataFrame, *, among: str = "holders", support: bool = False) -> pd.DataFrame:
    """Tabel B4: mean consumer-credit amount (euro).

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``consumer_credit``.
    among : {"holders", "all"}, default "holders"
        Average over households with consumer credit > 0 (default; the caption
        refers to Tabel B3 combined with Tabel 3), or over all households.
    """
    if among not in TABLE_B4_AMONG:
        raise ValueError(f"among must be one of {TABLE_B4_AMONG}, but was {among!r}")
    where = _positive(C.CONSUMER_CREDIT) if among == "holders" else None
    return _group_table("B4", cohorts, values=_col(C.CONSUMER_CREDIT), statistic="mean", unit="euro", where=where,
                        support=support)


def table_b5(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B5: median net wealth excluding the own home (euro), per group and in the stock."""
    return _group_table("B5", cohorts, values=_col(C.NET_WEALTH), statistic="median", unit="euro", stock=stock,
                        support=support)


def table_b6(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Tabel B6: share of households with student debt (``student_debt`` > 0)."""
    return _group_table("B6", cohorts, values=_positive(C.STUDENT_DEBT), statistic="share", unit="percent")


def table_b7(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B7: mean mortgage debt (``observed_mortgage``, euro), per group and in the stock."""
    return _group_table("B7", cohorts, values=_col(C.BALANCE), statistic="mean", unit="euro", stock=stock,
                        support=support)


def table_b8(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B8: mean house value (euro), per group and in the stock.

    The report prints '-' for the 2012 stock; it is computed here anyway.
    """
    return _group_table("B8", cohorts, values=_col(C.HOUSE_VALUE), statistic="mean", unit="euro", stock=stock,
                        support=support)


def all_tables(
    cohorts: pd.DataFrame,
    stock: pd.DataFrame,
    *,
    table_5_window: str = "first_year",
    table_b4_among: str = "holders",
    support: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every table of the report, keyed by table id (``"T1"`` ... ``"B8"``).

    ``support=True`` adds the contributor columns (:data:`SUPPORT_COLUMNS`) to
    the tables of means and medians, for the disclosure gate.
    """
    return {
        "T1": table_1(cohorts),
        "T2": table_2(cohorts, stock),
        "T3": table_3(cohorts),
        "T4": table_4(cohorts),
        "T5": table_5(cohorts, stock, window=table_5_window),
        "B1": table_b1(cohorts, stock, support=support),
        "B2": table_b2(cohorts, stock, support=support),
        "B3": table_b3(cohorts, stock),
        "B4": table_b4(cohorts, among=table_b4_among, support=support),
        "B5": table_b5(cohorts, stock, support=support),
        "B6": table_b6(cohorts),
        "B7": table_b7(cohorts, stock, support=support),
        "B8": table_b8(cohorts, stock, support=support),
    }
