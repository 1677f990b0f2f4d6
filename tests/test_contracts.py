"""Regression/property check: each raw-data contract rule has a bad-input case and the message it gives.

Reference: the rules stated in the cohorts.contracts module docstring; each case
breaks exactly one rule of an otherwise valid frame (the hand-built panel).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.contracts import validate_cbs, validate_key, validate_lld
from cohorts.errors import ContractError

from tiny_panel import tiny_cbs, tiny_key, tiny_lld  # plain builders, not fixtures


def _set(df: pd.DataFrame, col: str, row: int, value) -> pd.DataFrame:
    df = df.copy()
    df[col] = df[col].astype(object)  # any value may be written, as in a raw file
    df.loc[row, col] = value
    return df


LLD_CASES = [
    (C.SNAPSHOT_YEAR, 3, 2011, "between 2012 and 2018"),
    (C.SNAPSHOT_YEAR, 3, "twentyfifteen", "parseable as int"),
    (C.LOAN_ID, 4, None, "not missing"),
    (C.ORIGINATION_DATE, 5, "31-02-2015x", "parseable as date"),
    (C.CURRENT_BALANCE, 6, -5.0, ">= 0"),
    (C.CURRENT_BALANCE, 6, 5e12, "absurd amount"),
    (C.ORIGINAL_BALANCE, 7, 0.0, "> 0"),
    (C.CURRENT_LTV, 8, 0.0, "> 0"),
    (C.INTEREST_RATE, 9, 25.0, "between 0 and 20"),
    (C.INTEREST_RATE, 9, "3,5", "parseable as float"),
    (C.FIXED_PERIOD_MONTHS, 10, 1200, "between 0 and 600"),
    (C.REPAYMENT_TYPE, 11, "balloon", "one of annuity"),
    (C.ARREARS, 12, 2, "parseable as bool"),
]


@pytest.mark.parametrize(("column", "row", "value", "rule"), LLD_CASES)
def test_lld_rule_violations_are_named(column, row, value, rule):
    df = _set(tiny_lld(), column, row, value)
    with pytest.raises(ContractError) as err:
        validate_lld(df, source="lld.parquet")
    msg = str(err.value)
    assert "lld.parquet" in msg and f"'{column}'" in msg and rule in msg
    assert f"row {row + 1} (" in msg  # 1-based row number with the ids
    bad = err.value.to_frame()
    assert (bad["column"] == column).any()


def test_lld_missing_column_is_named():
    df = tiny_lld().drop(columns=[C.CURRENT_LTV])
    with pytest.raises(ContractError, match=r"column 'current_ltv' breaks rule 'column present'"):
        validate_lld(df, source="lld.parquet")


def test_lld_duplicate_part_rows():
    df = tiny_lld()
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    with pytest.raises(ContractError, match=r"unique \(snapshot_year, loan_id, loan_part_id\).*2 row\(s\)"):
        validate_lld(df)


def test_lld_origination_after_snapshot():
    df = _set(tiny_lld(), C.ORIGINATION_DATE, 0, pd.Timestamp("2015-01-01"))  # loan 1, snapshot 2014
    with pytest.raises(ContractError, match="origination_date not after 31 December of snapshot_year"):
        validate_lld(df)


def test_all_failures_are_collected():
    df = _set(_set(tiny_lld(), C.INTEREST_RATE, 1, -1.0), C.CURRENT_BALANCE, 2, -1.0)
    with pytest.raises(ContractError) as err:
        validate_lld(df)
    assert {f.column for f in err.value.failures} == {C.INTEREST_RATE, C.CURRENT_BALANCE}


def test_empty_input():
    with pytest.raises(ContractError, match="empty input"):
        validate_lld(tiny_lld().iloc[:0])


CBS_CASES = [
    (C.SAVINGS, 2, -1.0, ">= 0"),
    (C.BIRTH_YEAR, 3, 1850, "between 1900 and 2030"),
    (C.GROSS_INCOME, 4, None, "not missing"),
    (C.ZZP, 5, "maybe", "parseable as bool"),
]


@pytest.mark.parametrize(("column", "row", "value", "rule"), CBS_CASES)
def test_cbs_rule_violations_are_named(column, row, value, rule):
    df = _set(tiny_cbs(), column, row, value)
    with pytest.raises(ContractError) as err:
        validate_cbs(df, source="cbs.csv")
    msg = str(err.value)
    assert "cbs.csv" in msg and f"'{column}'" in msg and rule in msg and "person_id=" in msg


def test_cbs_partner_is_not_self():
    df = tiny_cbs()
    df.loc[0, C.PARTNER_ID] = df.loc[0, C.PERSON_ID]
    with pytest.raises(ContractError, match="partner_id differs from person_id"):
        validate_cbs(df)


def test_cbs_duplicate_person_year():
    df = tiny_cbs()
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    with pytest.raises(ContractError, match=r"unique \(person_id, year\)"):
        validate_cbs(df)


def test_key_loan_mapped_to_two_people():
    df = pd.concat([tiny_key(), pd.DataFrame({C.LOAN_ID: [1], C.PERSON_ID: [99]})], ignore_index=True)
    with pytest.raises(ContractError, match=r"unique \(loan_id\).*2 row\(s\).*loan_id=1, person_id=1.*loan_id=1, person_id=99"):
        validate_key(df, source="key_table.parquet")


def test_valid_input_passes_with_canonical_dtypes():
    out = validate_lld(tiny_lld())
    assert list(out.columns) == list(C.LLD_COLUMNS)
    assert out[C.ARREARS].dtype == bool
    assert str(out[C.ORIGINATION_DATE].dtype).startswith("datetime64")


def test_string_booleans_and_ids_accepted():
    df = tiny_lld()
    df[C.NHG] = np.where(df[C.NHG], "ja", "nee")
    df[C.LOAN_ID] = "L" + df[C.LOAN_ID].astype(str)
    out = validate_lld(df)
    assert out[C.NHG].dtype == bool and out[C.LOAN_ID].iloc[0].startswith("L")


@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_duplicated_rows_matches_pandas_in_any_row_order(order):
    """The neighbour check (rows in key order) and the sorting path agree with pandas."""
    from cohorts.contracts import duplicated_rows

    rng = np.random.default_rng(7)
    n = 5_000
    df = pd.DataFrame({
        "snapshot_year": rng.integers(2012, 2015, n),
        "loan_id": rng.integers(0, 400, n),
        "loan_part_id": pd.Series(rng.integers(0, 6, n)).map(lambda v: f"p{v}"),  # text ids: factorized
    })
    df = df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)
    if order == "shuffled":
        df = df.sample(frac=1.0, random_state=3).reset_index(drop=True)
    expected = df.duplicated(keep=False).to_numpy()
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(duplicated_rows(df, list(df.columns)), expected)


def test_calendar_year_of_dates_agrees_with_pandas_around_year_ends():
    """The fast year of the origination-date rule equals ``.dt.year``, before 1970 too."""
    from cohorts.contracts import _calendar_year

    d = pd.Series(pd.to_datetime(["1969-12-31 23:59:59", "1970-01-01", "2016-12-31 23:59:59", "2017-01-01",
                                  "1900-02-28", "2099-06-01"], format="ISO8601"))
    assert _calendar_year(d).tolist() == d.dt.year.tolist() == [1969, 1970, 2016, 2017, 1900, 2099]
