"""The contracts of the raw inputs: their columns, kinds, rules and keys.

:class:`Contract` lists a table's :class:`Column` rules (kind, nullability,
:class:`Check` predicates such as ranges and the calendar-year rule) and its
unique key; :data:`LLD_CONTRACT`, :data:`CBS_CONTRACT` and
:data:`KEY_CONTRACT`, and for the interest-only study :data:`INCOME_PENSION_CONTRACT`
and :data:`WEALTH_DWELLING_CONTRACT` (all in :data:`CONTRACTS`) are the rules listed in the
docstring of :mod:`cohorts.contracts`, which re-exports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cohorts import columns as C

_MAX_AMOUNT = 1e8


@dataclass(frozen=True)
class Check:
    """One value rule on a column: ``valid(series) -> bool mask`` (True = valid).

    Missing values are handled by :attr:`Column.nullable`, not by checks: a check
    only sees non-missing values.
    """

    rule: str
    valid: Callable[[pd.Series], np.ndarray]


@dataclass(frozen=True)
class Column:
    """A column of a contract: name, kind, nullability and value checks."""

    name: str
    kind: str  # "int", "float", "bool", "id", "date", "str"
    nullable: bool = False
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Contract:
    """A table contract: its columns, its unique key and the id column used in messages."""

    name: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    id_columns: tuple[str, ...] = ()
    row_checks: tuple[tuple[str, tuple[str, ...], Callable[[pd.DataFrame], np.ndarray]], ...] = field(
        default=()
    )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _between(lo: float, hi: float) -> Check:
    return Check(f"between {lo:g} and {hi:g}", lambda s: ((s >= lo) & (s <= hi)).to_numpy())


def _ge(lo: float) -> Check:
    return Check(f">= {lo:g}", lambda s: (s >= lo).to_numpy())


def _gt(lo: float) -> Check:
    return Check(f"> {lo:g}", lambda s: (s > lo).to_numpy())


def _calendar_year(dates: pd.Series) -> np.ndarray:
    """The calendar year of each date (numpy's year unit: no per-date field extraction, as ``.dt.year`` does)."""
    return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[Y]").astype("int64") + 1970


_AMOUNT_MAX = Check(f"< {_MAX_AMOUNT:g} (absurd amount)", lambda s: (s.abs() < _MAX_AMOUNT).to_numpy())

LLD_CONTRACT = Contract(
    name="LLD loan parts",
    columns=(
        Column(C.SNAPSHOT_YEAR, "int", checks=(_between(C.FIRST_SNAPSHOT, C.LAST_SNAPSHOT),)),
        Column(C.LOAN_ID, "id"),
        Column(C.LOAN_PART_ID, "id"),
        Column(C.ORIGINATION_DATE, "date"),
        Column(C.MATURITY_DATE, "date", nullable=True),
        Column(C.CURRENT_BALANCE, "float", checks=(_ge(0), _AMOUNT_MAX)),
        Column(C.ORIGINAL_BALANCE, "float", checks=(_gt(0), _AMOUNT_MAX)),
        Column(C.CURRENT_LTV, "float", nullable=True, checks=(_gt(0), Check("<= 1000", lambda s: (s <= 1000).to_numpy()))),
        Column(C.INTEREST_RATE, "float", checks=(_between(0, 20),)),
        Column(C.FIXED_PERIOD_MONTHS, "int", checks=(_between(0, 600),)),
        Column(
            C.REPAYMENT_TYPE,
            "str",
            checks=(Check(f"one of {', '.join(C.REPAYMENT_TYPES)}", lambda s: s.isin(C.REPAYMENT_TYPES).to_numpy()),),
        ),
        Column(C.NHG, "bool"),
        Column(C.ARREARS, "bool"),
        Column(C.OWNER_OCCUPIED, "bool"),
    ),
    unique=(C.SNAPSHOT_YEAR, C.LOAN_ID, C.LOAN_PART_ID),
    id_columns=(C.LOAN_ID, C.LOAN_PART_ID, C.SNAPSHOT_YEAR),
    row_checks=(
        (
            "origination_date not after 31 December of snapshot_year",
            (C.ORIGINATION_DATE, C.SNAPSHOT_YEAR),
            lambda d: _calendar_year(d[C.ORIGINATION_DATE]) <= d[C.SNAPSHOT_YEAR].to_numpy(dtype="int64"),
        ),
        (
            "maturity_date not before origination_date",
            (C.MATURITY_DATE, C.ORIGINATION_DATE),
            lambda d: (d[C.MATURITY_DATE] >= d[C.ORIGINATION_DATE]).to_numpy(),
        ),
    ),
)

CBS_CONTRACT = Contract(
    name="CBS persons",
    columns=(
        Column(C.PERSON_ID, "id"),
        Column(C.YEAR, "int", checks=(_between(2000, 2030),)),
        Column(C.BIRTH_YEAR, "int", checks=(_between(1900, 2030),)),
        Column(C.PARTNER_ID, "id", nullable=True),
        Column(C.GROSS_INCOME, "float", checks=(_AMOUNT_MAX,)),
        Column(C.ZZP, "bool"),
        Column(C.SAVINGS, "float", checks=(_ge(0), _AMOUNT_MAX)),
        Column(C.SECURITIES, "float", checks=(_ge(0), _AMOUNT_MAX)),
        Column(C.OTHER_DEBTS, "float", checks=(_ge(0), _AMOUNT_MAX)),
        Column(C.STUDENT_DEBT, "float", checks=(_ge(0), _AMOUNT_MAX)),
    ),
    unique=(C.PERSON_ID, C.YEAR),
    id_columns=(C.PERSON_ID, C.YEAR),
    row_checks=(
        (
            "birth_year not after year",
            (C.BIRTH_YEAR, C.YEAR),
            lambda d: (d[C.BIRTH_YEAR] <= d[C.YEAR]).to_numpy(),
        ),
        (
            "partner_id differs from person_id",
            (C.PARTNER_ID, C.PERSON_ID),
            lambda d: (d[C.PARTNER_ID] != d[C.PERSON_ID]).to_numpy(dtype=bool, na_value=True),
        ),
    ),
)

KEY_CONTRACT = Contract(
    name="key table",
    columns=(Column(C.LOAN_ID, "id"), Column(C.PERSON_ID, "id")),
    unique=(C.LOAN_ID,),
    id_columns=(C.LOAN_ID, C.PERSON_ID),
)

_MONEY = (_ge(0), _AMOUNT_MAX)
_YEAR = Column(C.YEAR, "int", checks=(_between(2000, 2030),))

INCOME_PENSION_CONTRACT = Contract(
    name="CBS income and pension",
    columns=(
        Column(C.PERSON_ID, "id"),
        _YEAR,
        Column(C.WAGES, "float", checks=_MONEY),
        # own-business profit can be negative (a loss), like CBS gross income
        Column(C.BUSINESS_PROFIT, "float", checks=(_AMOUNT_MAX,)),
        Column(C.DGA_WAGE, "float", checks=_MONEY),
        Column(C.PENSION_INCOME, "float", checks=_MONEY),
        Column(C.BENEFITS, "float", checks=_MONEY),
        Column(
            C.LABOUR_STATUS,
            "str",
            checks=(Check(f"one of {', '.join(C.LABOUR_STATUSES)}", lambda s: s.isin(C.LABOUR_STATUSES).to_numpy()),),
        ),
        Column(C.PENSION_ATTAINABLE_ACTIVE, "float", checks=_MONEY),
        Column(C.PENSION_ATTAINABLE_INACTIVE, "float", checks=_MONEY),
        Column(C.PENSION_ACCRUED, "float", checks=_MONEY),
        Column(C.AOW_SHARE, "float", checks=(_between(0, 1),)),
    ),
    unique=(C.PERSON_ID, C.YEAR),
    id_columns=(C.PERSON_ID, C.YEAR),
)

WEALTH_DWELLING_CONTRACT = Contract(
    name="CBS wealth and dwelling",
    columns=(
        Column(C.PERSON_ID, "id"),
        _YEAR,
        Column(C.CASH, "float", checks=_MONEY),
        Column(C.OTHER_REAL_ESTATE, "float", checks=_MONEY),
        Column(C.BUSINESS_ASSETS, "float", checks=_MONEY),
        # missing for a person without an owned dwelling; where present a positive value
        Column(C.WOZ_VALUE, "float", nullable=True, checks=(_gt(0), _AMOUNT_MAX)),
    ),
    unique=(C.PERSON_ID, C.YEAR),
    id_columns=(C.PERSON_ID, C.YEAR),
)

CONTRACTS = {
    "lld": LLD_CONTRACT,
    "cbs": CBS_CONTRACT,
    "key": KEY_CONTRACT,
    "income_pension": INCOME_PENSION_CONTRACT,
    "wealth_dwelling": WEALTH_DWELLING_CONTRACT,
}
