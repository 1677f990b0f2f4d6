"""Hand-worked values: utilisation categories, quadrants and exceedance shares (hand-built frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.classify import (
    DEFAULT_EDGES,
    category_labels,
    exceedance_shares,
    lti_category,
    ltv_category,
    quadrant,
    quadrant_shares,
    utilisation_category,
)


def test_default_labels_run_from_below_60_to_above_120():
    assert category_labels() == [
        "<=60%", "60-70%", "70-80%", "80-90%", "90-100%", "100-110%", "110-120%", ">120%",
    ]


def test_categories_are_right_closed():
    util = [0.0, 0.6, 0.6000001, 0.9, 1.0, 1.0000001, 1.2, 1.21, np.inf]
    assert utilisation_category(util).tolist() == [
        "<=60%", "<=60%", "60-70%", "80-90%", "90-100%", "100-110%", "110-120%", ">120%", ">120%",
    ]


def test_category_keeps_index_and_missing_values():
    s = pd.Series([0.5, np.nan, 1.5], index=["a", "b", "c"])
    out = lti_category(s)
    assert list(out.index) == ["a", "b", "c"] and out.name == "lti_category"
    assert out.isna().tolist() == [False, True, False]
    assert ltv_category(s).name == "ltv_category"
    assert out.cat.ordered


def test_custom_edges():
    out = utilisation_category([0.5, 0.85, 0.95], edges=(0.8, 0.9))
    assert out.tolist() == ["<=80%", "80-90%", ">90%"]


@pytest.mark.parametrize("edges", [(), (0.9, 0.8), (0.8, 0.8), (0.0, 1.0), (np.nan,)])
def test_bad_edges(edges):
    with pytest.raises(ValueError, match="edges must be"):
        utilisation_category([0.5], edges=edges)


def test_negative_or_non_numeric_utilisation():
    with pytest.raises(ValueError, match="util must be >= 0"):
        utilisation_category([0.5, -0.1])
    with pytest.raises(TypeError, match="numeric"):
        utilisation_category(pd.Series(["a"]))


def test_quadrants_at_100_and_at_90():
    lti = [0.80, 0.80, 1.20, 1.20, 1.00, 0.95, 0.90]
    ltv = [0.50, 1.10, 0.50, 1.10, 1.00, 0.95, 0.90]
    assert quadrant(lti, ltv).tolist() == ["Q1", "Q2", "Q3", "Q4", "Q1", "Q1", "Q1"]
    assert quadrant(lti, ltv, cut=0.9).tolist() == ["Q1", "Q2", "Q3", "Q4", "Q4", "Q4", "Q1"]
    assert quadrant(lti, ltv, cut=0.9, strict=False).tolist()[-1] == "Q4"


def test_quadrant_shares_per_group_sum_to_100():
    df = pd.DataFrame({
        "cohort": [2016, 2016, 2016, 2016, 2017, 2017],
        "lti_util": [0.5, 0.5, 1.5, 1.5, 0.5, 1.5],
        "ltv_util": [0.5, 1.5, 0.5, 1.5, 0.5, 0.5],
    })
    out = quadrant_shares(df, by="cohort")
    assert out.query("cohort == 2016")["share"].tolist() == [25.0, 25.0, 25.0, 25.0]
    assert out.query("cohort == 2017")["share"].tolist() == [50.0, 0.0, 50.0, 0.0]
    assert out.groupby("cohort")["share"].sum().tolist() == [100.0, 100.0]


def test_exceedance_shares_by_hand():
    # 5 mortgages, 3 with arrears at utilisation 0.65, 0.95 and 1.30
    df = pd.DataFrame({
        "lti_util": [0.50, 0.65, 0.95, 1.00, 1.30],
        "event": [False, True, True, False, True],
    })
    out = exceedance_shares(df, thresholds=(0.6, 0.9, 1.0))
    assert out["n_events"].tolist() == [3, 3, 3]
    assert out["n_events_above"].tolist() == [3, 2, 1]          # >=0.6: all; >=0.9: 0.95, 1.30; >=1.0: 1.30
    assert out["share_events"].tolist() == pytest.approx([100.0, 200 / 3, 100 / 3])
    assert out["n_mortgages_above"].tolist() == [4, 3, 2]       # >=1.0 includes the 1.00 mortgage
    strict = exceedance_shares(df, thresholds=(1.0,), inclusive=False)
    assert strict["n_mortgages_above"].tolist() == [1]


def test_exceedance_shares_refuses_missing_values():
    df = pd.DataFrame({"lti_util": [0.5, np.nan], "event": [True, False]})
    with pytest.raises(ValueError, match="'lti_util' must not be missing"):
        exceedance_shares(df)
    df = pd.DataFrame({"lti_util": [0.5, 0.7], "event": pd.array([True, None], dtype="boolean")})
    with pytest.raises(ValueError, match="'event' must not be missing"):
        exceedance_shares(df)


@settings(max_examples=50, deadline=None)
@given(
    util=st.lists(st.floats(0, 3), min_size=1, max_size=40),
    data=st.data(),
)
def test_exceedance_is_non_increasing_in_the_threshold(util, data):
    events = data.draw(st.lists(st.booleans(), min_size=len(util), max_size=len(util)))
    df = pd.DataFrame({"lti_util": util, "event": events})
    out = exceedance_shares(df, thresholds=DEFAULT_EDGES)
    assert (np.diff(out["n_events_above"]) <= 0).all()
    assert (np.diff(out["n_mortgages_above"]) <= 0).all()
    cats = utilisation_category(df["lti_util"])
    assert cats.notna().all()
