"""Look-ups of CBS person-year records by (person id, year), without merges.

The CBS person file of the full population has tens of millions of rows; a
pandas merge on ``(person_id, year)`` copies it once per look-up. A
:class:`PersonYears` index is built once (a sorted integer key per record) and
answers each look-up with a binary search, returning row positions; values are
then taken column by column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts import columns as C

_YEAR_BASE = 1990
_YEAR_SPAN = 64  # years 1990..2053 fit in the key


@dataclass(frozen=True, eq=False)
class PersonYears:
    """An index of CBS person-year records.

    Build it with :meth:`from_frame`; :meth:`lookup` returns the records of
    given persons in given years, aligned with the query.
    """

    frame: pd.DataFrame
    _ids: pd.Index
    _keys: np.ndarray
    _rows: np.ndarray

    @classmethod
    def from_frame(cls, cbs: pd.DataFrame) -> PersonYears:
        """Index a validated CBS person frame (unique ``(person_id, year)``)."""
        ids = pd.Index(pd.unique(cbs[C.PERSON_ID].to_numpy()))
        codes = ids.get_indexer(cbs[C.PERSON_ID].to_numpy()).astype("int64")
        keys = codes * _YEAR_SPAN + (cbs[C.YEAR].to_numpy(dtype="int64") - _YEAR_BASE)
        order = np.argsort(keys, kind="stable")
        return cls(cbs, ids, keys[order], order)

    def rows(self, persons: Sequence | pd.Series | np.ndarray, years: Sequence | pd.Series | np.ndarray) -> np.ndarray:
        """Row positions in :attr:`frame` of ``(persons[i], years[i])``; -1 where there is none.

        Missing person ids and years outside 1990-2053 give -1.
        """
        p = persons.array if isinstance(persons, pd.Series) else np.asarray(persons)
        y = np.asarray(years, dtype="int64")
        codes = self._ids.get_indexer(p).astype("int64")
        ok = (codes >= 0) & (y >= _YEAR_BASE) & (y < _YEAR_BASE + _YEAR_SPAN)
        key = codes * _YEAR_SPAN + (y - _YEAR_BASE)
        if len(self._keys) == 0:
            return np.full(len(key), -1, dtype="int64")
        pos = np.clip(np.searchsorted(self._keys, key), 0, len(self._keys) - 1)
        found = ok & (self._keys[pos] == key)
        return np.where(found, self._rows[pos], -1)

    def lookup(self, persons, years, cols: Sequence[str]) -> pd.DataFrame:
        """The records' ``cols`` for each query, plus a boolean ``found`` column.

        Missing records give missing values (NaN for floats, ``<NA>`` for
        nullable and integer columns, ``<NA>`` for booleans).
        """
        rows = self.rows(persons, years)
        found = rows >= 0
        safe = np.where(found, rows, 0)
        out: dict[str, object] = {"found": found}
        for col in cols:
            src = self.frame[col]
            if isinstance(src.dtype, pd.api.extensions.ExtensionDtype):
                vals = src.array.take(np.where(found, rows, -1), allow_fill=True)
            elif src.dtype.kind == "f":
                vals = np.where(found, src.to_numpy()[safe], np.nan)
            elif src.dtype.kind in "iub":
                dtype = "boolean" if src.dtype.kind == "b" else "Int64"
                vals = pd.array(src.to_numpy()[safe], dtype=dtype)
                vals[~found] = pd.NA
            else:
                vals = src.to_numpy()[safe].astype(object)
                vals[~found] = None
            out[col] = vals
        return pd.DataFrame(out)


def as_person_years(cbs: pd.DataFrame | PersonYears) -> PersonYears:
    """Accept a CBS frame or an already-built index."""
    return cbs if isinstance(cbs, PersonYears) else PersonYears.from_frame(cbs)
