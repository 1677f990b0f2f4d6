"""Hand-worked values: look-ups of CBS person-year records by id or by code, on a hand-made table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.persons import PersonYears


def _cbs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            C.PERSON_ID: np.array([30, 30, 10, 20, 20], dtype="int64"),
            C.YEAR: np.array([2014, 2015, 2013, 2013, 2015], dtype="int16"),
            C.GROSS_INCOME: [300.0, 301.0, 100.0, 200.0, 202.0],
            C.PARTNER_ID: pd.array([None, 10, None, 30, None], dtype="Int64"),
            C.ZZP: [False, True, False, False, True],
        }
    )


def test_lookup_by_id_and_by_code_agree_with_the_table():
    """Each (person, year) gets its own record; an unknown person, a year without a record, or no id gets none."""
    index = PersonYears.from_frame(_cbs())
    persons = pd.array([20, 30, 10, 99, None, 20, 30], dtype="Int64")
    years = np.array([2015, 2014, 2014, 2013, 2013, 2012, 2015])
    got = index.lookup(persons, years, [C.GROSS_INCOME, C.PARTNER_ID, C.ZZP])
    assert got["found"].tolist() == [True, True, False, False, False, False, True]
    np.testing.assert_array_equal(got[C.GROSS_INCOME].to_numpy(), [202.0, 300.0, np.nan, np.nan, np.nan, np.nan, 301.0])
    assert got[C.PARTNER_ID].isna().tolist() == [True] * 6 + [False] and got[C.PARTNER_ID].iloc[6] == 10
    assert got[C.ZZP].tolist()[:2] == [True, False] and got[C.ZZP].isna().tolist()[2:] == [True] * 4 + [False]
    codes = index.codes(persons)
    assert (codes[3:5] == -1).all() and index.n_persons == 3
    by_code = index.lookup(None, years, [C.GROSS_INCOME, C.PARTNER_ID, C.ZZP], codes=codes)
    pd.testing.assert_frame_equal(by_code, got)
    np.testing.assert_array_equal(index.rows(persons, years), [4, 0, -1, -1, -1, -1, 1])


def test_index_keeps_the_value_columns_without_copying_them():
    cbs = _cbs()
    index = PersonYears.from_frame(cbs)
    assert list(index.frame.columns) == [C.GROSS_INCOME, C.PARTNER_ID, C.ZZP]
    assert np.shares_memory(index.frame[C.GROSS_INCOME].to_numpy(), cbs[C.GROSS_INCOME].to_numpy())


def test_missing_nullable_id_is_unknown_even_when_person_zero_exists():
    """A missing partner id is never taken for person 0 (nullable ids are hashed as plain integers)."""
    cbs = _cbs()
    cbs[C.PERSON_ID] = np.array([30, 30, 0, 20, 20], dtype="int64")
    index = PersonYears.from_frame(cbs)
    codes = index.codes(pd.array([0, None, 20, 7], dtype="Int64"))
    assert codes.tolist() == [1, -1, 2, -1]  # codes in order of first appearance: 30, 0, 20
