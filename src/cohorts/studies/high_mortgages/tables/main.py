"""The tables of the report's main text: Tabel 1-5 (:mod:`cohorts.studies.high_mortgages.tables`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.studies.high_mortgages.tables.populations import _bool, _group_table, _positive


def table_1(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Tabel 1: share of high mortgages with interest-only parts where WLT may have been applied.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``wlt_possible``, ``high``, ``starter``, ``interest_only_amount``.

    Returns
    -------
    pandas.DataFrame
        Tidy (see module docstring); groups ``new_high_io`` and
        ``starters_high_io`` (the report's denominator: high mortgages with
        interest-only parts, ambiguity 4); ``n`` is the N under the table.
    """
    return _group_table("T1", cohorts, values=_bool("wlt_possible"), statistic="share", unit="percent",
                        groups=("new_high_io", "starters_high_io"))


def table_2(cohorts: pd.DataFrame, stock: pd.DataFrame) -> pd.DataFrame:
    """Tabel 2: share of households with NHG, per group and cohort, and in the stock."""
    return _group_table("T2", cohorts, values=_bool(C.NHG), statistic="share", unit="percent", stock=stock)


def table_3(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Tabel 3: share of households with consumer credit (``consumer_credit`` > 0)."""
    return _group_table("T3", cohorts, values=_positive(C.CONSUMER_CREDIT), statistic="share", unit="percent")


def table_4(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Tabel 4: share of households whose main earner has zzp income (``zzp``)."""
    return _group_table("T4", cohorts, values=_bool(C.ZZP), statistic="share", unit="percent")


TABLE_5_WINDOWS: tuple[str, ...] = ("first_year", "ever")


def table_5(cohorts: pd.DataFrame, stock: pd.DataFrame, *, window: str = "first_year") -> pd.DataFrame:
    """Tabel 5: share of households with payment arrears.

    Parameters
    ----------
    cohorts, stock : pandas.DataFrame
        Cohort table (``event``, ``duration``) and stock (``arrears``).
    window : {"first_year", "ever"}, default "first_year"
        New mortgages: first arrears at the origination snapshot
        (``duration == 1``; default, see the module docstring for why), or at
        any time during follow-up.  The stock column is always the share of a
        snapshot year's mortgages flagged in arrears.

    Returns
    -------
    pandas.DataFrame
        Tidy table.
    """
    if window not in TABLE_5_WINDOWS:
        raise ValueError(f"window must be one of {TABLE_5_WINDOWS}, but was {window!r}")
    if window == "ever":
        values = _bool(C.EVENT)
    else:
        def values(df: pd.DataFrame) -> np.ndarray:
            return df[C.EVENT].to_numpy(dtype=bool) & (df[C.DURATION].to_numpy(dtype="int64") == 1)
    return _group_table("T5", cohorts, values=values, statistic="share", unit="percent", stock=stock,
                        stock_values=_bool(C.ARREARS))
