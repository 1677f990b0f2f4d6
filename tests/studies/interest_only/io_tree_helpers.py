"""Shared builders for the interest-only tree tests (not a test module): a tiny hand-made Trhk table set and
households with every per-person field (defaults zero), so each test states only what matters."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.norms.tables import NormTables, TableGrid
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.income import PERSON_FIELDS, ROLES, person_column
from cohorts.studies.interest_only.parameters import load_parameters

# Tiny Trhk tables: income rows from 0, 31,000 and 50,000; rate brackets 0-5.000% and 5.001%+.
#                            0      31k     50k   (rows) x (<=5%, >5%)
TINY = {
    "below_aow": [[20.0, 21.0], [22.0, 23.0], [25.0, 26.0]],
    "aow": [[15.0, 16.0], [17.0, 18.0], [19.0, 20.0]],
    "below_aow_no_hra": [[18.0, 19.0], [20.0, 21.0], [23.0, 24.0]],
    "aow_no_hra": [[13.0, 14.0], [17.0, 18.0], [19.0, 20.0]],
}


def tiny_tables(year: int = 2019, names: tuple[str, ...] = tuple(TINY)) -> NormTables:
    grids = {
        (year, name): TableGrid(
            year=year,
            table=name,
            income_from=np.array([0.0, 31_000.0, 50_000.0]),
            rate_from_milli=np.array([0, 5001], dtype="int64"),
            pct=np.array(TINY[name], dtype="float64"),
        )
        for name in names
    }
    return NormTables(grids=MappingProxyType(grids), sources=MappingProxyType({year: "test"}))


@pytest.fixture
def tables() -> NormTables:
    return tiny_tables()


@pytest.fixture
def params():
    # The full AOW amounts are not in the seed (the packaged defaults are SVB 1 July 2017 rates);
    # these are made-up test numbers (round, not official amounts) so the arithmetic is easy to follow.
    return load_parameters().replace(aow_full_single=12_000.0, aow_full_partnered=8_000.0)


def household(**fields) -> dict:
    """One household row: every per-person field 0 / 'other', no partner, CK' = 0."""
    row = {IO.HOUSEHOLD_ID: 1, IO.MAIN_BIRTH_YEAR: 1985, IO.HAS_PARTNER: False, IO.REFI_YEAR: 2030, IO.CONSUMER_CREDIT_NET: 0.0}
    for f in PERSON_FIELDS:
        for s in ROLES:
            row[person_column(f, s)] = "other" if f == C.LABOUR_STATUS else 0.0
    row.update(fields)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame(list(rows))
    out[IO.REFI_YEAR] = out[IO.REFI_YEAR].astype("Int64")
    return out
