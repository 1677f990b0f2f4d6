"""Regression/property check: monotonicity and invariances of the norm (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.norms import apply_norm, load_tables

SETTINGS = settings(max_examples=60, deadline=None)

money = st.floats(min_value=0, max_value=250_000, allow_nan=False)


@st.composite
def households(draw) -> dict:
    observed = draw(st.floats(min_value=1_000, max_value=1_000_000))
    return dict(
        year=draw(st.sampled_from([2013, 2014, 2015])),
        main_income=draw(money),
        partner_income=draw(money),
        main_age=draw(st.integers(min_value=18, max_value=95)),
        interest_rate=draw(st.floats(min_value=0, max_value=20)),
        fixed_period_years=draw(st.integers(min_value=0, max_value=30)),
        savings=draw(st.floats(min_value=0, max_value=500_000)),
        securities=draw(st.floats(min_value=0, max_value=500_000)),
        consumer_credit=draw(st.floats(min_value=0, max_value=50_000)),
        student_debt=draw(st.floats(min_value=0, max_value=80_000)),
        observed_mortgage=observed,
        house_value=draw(st.floats(min_value=10_000, max_value=3_000_000)),
        interest_only_amount=observed * draw(st.floats(min_value=0, max_value=1)),
    )


@pytest.fixture(scope="module")
def tables():
    return load_tables()


def pair(tables, row: dict, column: str, delta: float) -> pd.DataFrame:
    bumped = {**row, column: row[column] + delta}
    return apply_norm(pd.DataFrame([row, bumped]), tables=tables)


@pytest.mark.parametrize("column", ["main_income", "partner_income", "savings", "securities"])
@SETTINGS
@given(row=households(), delta=st.floats(min_value=0, max_value=100_000))
def test_max_mortgage_does_not_decrease_with_income_or_wealth(tables, column, row, delta):
    out = pair(tables, row, column, delta)
    a, b = out["max_mortgage"].to_numpy()
    assert b >= a * (1 - 1e-12)
    assert out["lti_util"].iloc[1] <= out["lti_util"].iloc[0] * (1 + 1e-12)


@pytest.mark.parametrize("column", ["consumer_credit", "student_debt"])
@SETTINGS
@given(row=households(), delta=st.floats(min_value=0, max_value=50_000))
def test_max_mortgage_does_not_increase_with_debts(tables, column, row, delta):
    out = pair(tables, row, column, delta)
    a, b = out["max_mortgage"].to_numpy()
    assert b <= a * (1 + 1e-12)


@SETTINGS
@given(row=households(), factor=st.floats(min_value=1, max_value=3))
def test_utilisation_grows_with_the_observed_mortgage(tables, row, factor):
    bigger = {**row, "observed_mortgage": row["observed_mortgage"] * factor}
    out = apply_norm(pd.DataFrame([row, bigger]), tables=tables)
    assert out["lti_util"].iloc[1] >= out["lti_util"].iloc[0]
    assert out["ltv_util"].iloc[1] >= out["ltv_util"].iloc[0]
    np.testing.assert_allclose(out["ltv_util"], out["ltv"] / out["ltv_limit"], rtol=1e-15)


@SETTINGS
@given(rows=st.lists(households(), min_size=1, max_size=25), t=st.lists(st.floats(0.05, 3.0), min_size=2, max_size=5))
def test_high_share_does_not_increase_with_the_threshold(tables, rows, t):
    df = pd.DataFrame(rows)
    shares = [apply_norm(df, tables=tables, threshold=x)["high"].mean() for x in sorted(t)]
    assert all(s1 >= s2 for s1, s2 in zip(shares, shares[1:]))


@SETTINGS
@given(rows=st.lists(households(), min_size=2, max_size=20), seed=st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_row_order(tables, rows, seed):
    df = pd.DataFrame(rows)
    perm = np.random.default_rng(seed).permutation(len(df))
    a = apply_norm(df, tables=tables)
    b = apply_norm(df.iloc[perm], tables=tables).loc[a.index]
    pd.testing.assert_frame_equal(a, b)


@SETTINGS
@given(row=households())
def test_outputs_are_well_formed(tables, row):
    r = apply_norm(pd.DataFrame([row]), tables=tables).iloc[0]
    assert r.max_mortgage >= 0 and np.isfinite(r.max_mortgage)
    assert r.lti_util >= 0 and not np.isnan(r.lti_util)
    assert 0 <= r.pct_nohra <= r.pct
    assert r.test_rate >= row["interest_rate"]
    assert r.lookup_income <= r.charge_income + 1e-9
    assert not (r.wlt_possible and not r.high)
