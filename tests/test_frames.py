"""External reference (pandas' concat): the frame helpers give the same frames, without its copies.

Reference: ``pd.concat`` itself (rows) and the column objects given
(side by side): each test states which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.frames import join_rows, side_by_side


def _chunk(ids, kinds, amounts):
    return pd.DataFrame({
        "id": pd.array(ids, dtype="Int64"),
        "kind": pd.Categorical(kinds),
        "amount": np.asarray(amounts, dtype=float),
    })


def test_join_rows_equals_concat_with_the_union_of_categories_and_empties_the_list():
    a = _chunk([1, 2], ["annuity", "linear"], [1.0, 2.0])
    b = _chunk([3, None], ["interest_only", "annuity"], [3.0, np.nan])
    expected = pd.concat([a.copy(), b.copy()], ignore_index=True)
    expected["kind"] = pd.Categorical(["annuity", "linear", "interest_only", "annuity"],
                                      categories=["annuity", "linear", "interest_only"])
    frames = [a, b]

    joined = join_rows(frames)

    pd.testing.assert_frame_equal(joined, expected)
    assert frames == []


def test_join_rows_of_one_frame_returns_it():
    a = _chunk([1], ["annuity"], [1.0])
    frames = [a]
    assert join_rows(frames) is a
    assert frames == []


def test_side_by_side_keeps_the_given_columns_without_copying():
    left = pd.DataFrame({"x": np.arange(5.0), "y": np.arange(5.0) * 2})
    right = pd.DataFrame({"z": np.arange(5.0) * 3})

    both = side_by_side(left, right)

    assert list(both.columns) == ["x", "y", "z"]
    for name, source in [("x", left), ("y", left), ("z", right)]:
        assert np.shares_memory(both[name].to_numpy(), source[name].to_numpy()), name
    pd.testing.assert_frame_equal(both, pd.concat([left, right], axis=1))


def test_side_by_side_refuses_different_indexes_and_repeated_names():
    left = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="different indexes"):
        side_by_side(left, pd.DataFrame({"z": [1.0, 2.0]}, index=[5, 6]))
    with pytest.raises(ValueError, match="'x' is in two frames"):
        side_by_side(left, pd.DataFrame({"x": [3.0, 4.0]}))
