"""Regression/property check: input contract of apply_norm (validation, dtypes, mapping, index, immutability)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.errors import ConfigError, ContractError
from cohorts.norms import INPUT_COLUMNS, OUTPUT_COLUMNS, apply_norm, load_tables, validate_inputs

BASE = dict(
    year=2014, main_income=40_000.0, partner_income=10_000.0, main_age=40, interest_rate=4.0,
    fixed_period_years=10, savings=1_000.0, securities=0.0, consumer_credit=0.0, student_debt=0.0,
    observed_mortgage=150_000.0, house_value=200_000.0, interest_only_amount=50_000.0,
)


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def frame(n: int = 4, **overrides) -> pd.DataFrame:
    rows = [dict(BASE) for _ in range(n)]
    df = pd.DataFrame(rows, index=[f"m{i}" for i in range(n)])
    for col, (pos, value) in overrides.items():
        df[col] = df[col].astype(object)
        df.iloc[pos, df.columns.get_loc(col)] = value
    return df


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("main_income", -1.0, ">= 0"),
        ("partner_income", -5.0, ">= 0"),
        ("savings", -1.0, ">= 0"),
        ("consumer_credit", -1.0, ">= 0"),
        ("student_debt", -1.0, ">= 0"),
        ("year", np.nan, "not missing"),
        ("year", pd.NA, "not missing"),
        ("year", 2014.5, "a whole number"),
        ("year", 2011, r"year with norm parameters \(2012-2018\)"),
        ("interest_rate", 20.5, r"in \[0, 20\]"),
        ("interest_rate", -0.1, r"in \[0, 20\]"),
        ("house_value", 0.0, "> 0"),
        ("main_income", "abc", "a number"),
        ("interest_only_amount", 150_001.0, "<= observed_mortgage"),
        ("observed_mortgage", np.inf, "finite"),
    ],
)
def test_bad_values_are_named_with_column_rule_and_row(tables, column, value, rule):
    df = frame(**{column: (2, value)})
    with pytest.raises(ContractError, match=rule) as info:
        apply_norm(df, tables=tables)
    msg = str(info.value)
    assert f"'{column}'" in msg and "1 row(s)" in msg and "row 'm2'" in msg


def test_all_failures_are_listed_at_once(tables):
    df = frame(main_income=(0, -1.0), interest_rate=(1, 30.0))
    with pytest.raises(ContractError) as info:
        validate_inputs(df)
    failing = info.value.to_frame()
    assert set(failing["column"]) == {"main_income", "interest_rate"}
    assert failing["n_rows"].tolist() == [1, 1]


def test_missing_column_is_named(tables):
    with pytest.raises(ContractError, match="missing 'student_debt'"):
        apply_norm(frame().drop(columns="student_debt"), tables=tables)


def test_column_mapping(tables):
    df = frame().rename(columns={"year": "cohort", "observed_mortgage": "balance"})
    out = apply_norm(df, tables=tables, columns={"year": "cohort", "observed_mortgage": "balance"})
    ref = apply_norm(frame(), tables=tables)
    assert out["max_mortgage"].tolist() == ref["max_mortgage"].tolist()
    assert "year" not in out.columns and "cohort" in out.columns
    with pytest.raises(ContractError, match=r"'cohort' \(for year\)"):
        apply_norm(frame(), tables=tables, columns={"year": "cohort"})
    with pytest.raises(ConfigError, match="'yaer'"):
        apply_norm(frame(), tables=tables, columns={"yaer": "cohort"})


def test_new_frame_same_rows_index_and_order_input_untouched(tables):
    df = frame(6).iloc[::-1]
    df["main_income"] = [10_000.0, 20_000.0, 30_000.0, 40_000.0, 50_000.0, 60_000.0]
    df["extra"] = list("abcdef")
    before = df.copy(deep=True)
    out = apply_norm(df, tables=tables)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.index) == list(df.index)
    assert list(out.columns) == list(df.columns) + list(OUTPUT_COLUMNS[:10]) + ["ltv"] + list(OUTPUT_COLUMNS[10:])
    pd.testing.assert_frame_equal(out[df.columns], df)


def test_duplicate_index_labels_are_kept(tables):
    df = frame(3)
    df.index = ["a", "a", "b"]
    out = apply_norm(df, tables=tables)
    assert list(out.index) == ["a", "a", "b"] and len(out) == 3


def test_nullable_dtypes_give_the_same_result(tables):
    plain = frame(5)
    plain["main_income"] = [20_000.0, 35_000.0, 50_000.0, 65_000.0, 80_000.0]
    nullable = plain.copy()
    nullable["year"] = nullable["year"].astype("Int64")
    nullable["main_age"] = nullable["main_age"].astype("Int16")
    for col in ("main_income", "partner_income", "interest_rate", "observed_mortgage"):
        nullable[col] = nullable[col].astype("Float64")
    nullable["fixed_period_years"] = nullable["fixed_period_years"].astype("UInt8")
    a = apply_norm(plain, tables=tables)[list(OUTPUT_COLUMNS)]
    b = apply_norm(nullable, tables=tables)[list(OUTPUT_COLUMNS)]
    pd.testing.assert_frame_equal(a, b)


def test_existing_ltv_column_is_checked_and_recomputed_in_place(tables):
    df = frame(2)
    df.insert(0, "ltv", df["observed_mortgage"] / df["house_value"])
    out = apply_norm(df, tables=tables)
    assert list(out.columns).count("ltv") == 1 and out.columns[0] == "ltv"
    df.loc["m1", "ltv"] = 0.5
    with pytest.raises(ContractError, match=r"'ltv'.*row 'm1'"):
        apply_norm(df, tables=tables)


def test_computed_columns_in_the_input_are_refused(tables):
    once = apply_norm(frame(2), tables=tables)
    with pytest.raises(ContractError, match="drop them first"):
        apply_norm(once, tables=tables)


@pytest.mark.parametrize("threshold", [0, -1.0, np.nan, np.inf, "1", True])
def test_bad_threshold(tables, threshold):
    with pytest.raises(ValueError, match="threshold must be a positive finite number"):
        apply_norm(frame(1), tables=tables, threshold=threshold)


def test_bad_types():
    with pytest.raises(TypeError, match="DataFrame"):
        apply_norm([BASE])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="NormTables"):
        apply_norm(frame(1), tables={"2014": None})  # type: ignore[arg-type]


def test_input_columns_constant_lists_the_contract():
    assert INPUT_COLUMNS == tuple(BASE)
