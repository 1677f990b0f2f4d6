"""Look-ups of CBS person-year records by (person id, year), without merges.

The CBS person file of the full population has tens of millions of rows; a
pandas merge on ``(person_id, year)`` copies it once per look-up. A
:class:`PersonYears` index is built once: person ids are hashed to codes, and a
dense table of (person code x year) holds each record's row position, so every
look-up is a hash probe plus an array read; values are then taken column by
column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts import columns as C

@dataclass(frozen=True, eq=False)
class PersonYears:
    """An index of CBS person-year records.

    Build it with :meth:`from_frame`; :meth:`lookup` returns the records of
    given persons in given years, aligned with the query.
    """

    frame: pd.DataFrame  # the records' value columns; the key columns are held by the index
    _ids: pd.Index
    _first_year: int
    _span: int
    _table: np.ndarray  # row position per (person code, year - first_year); -1 = no record

    @classmethod
    def from_frame(cls, cbs: pd.DataFrame) -> PersonYears:
        """Index a validated CBS person frame (unique ``(person_id, year)``).

        :attr:`frame` keeps the other columns without copying them; the key
        columns are not kept (a caller that drops its own reference to
        ``cbs`` frees them: tens of millions of rows at full scale).
        """
        ids = pd.Index(pd.unique(cbs[C.PERSON_ID].to_numpy()))
        codes = ids.get_indexer(cbs[C.PERSON_ID].to_numpy()).astype("int64")
        years = cbs[C.YEAR].to_numpy(dtype="int64")
        first = int(years.min()) if len(years) else 0
        span = int(years.max()) - first + 1 if len(years) else 1
        dtype = "int32" if len(cbs) < 2**31 else "int64"
        table = np.full(len(ids) * span, -1, dtype=dtype)
        table[codes * span + (years - first)] = np.arange(len(cbs), dtype=dtype)
        values = pd.DataFrame({c: cbs[c] for c in cbs.columns if c not in (C.PERSON_ID, C.YEAR)}, copy=False)
        return cls(values, ids, first, span, table)

    def codes(self, persons: Sequence | pd.Series | np.ndarray) -> np.ndarray:
        """Dense person codes (0 .. number of CBS persons - 1); -1 for missing or unknown ids."""
        if isinstance(persons, pd.Series):
            p = persons.array
        elif isinstance(persons, pd.api.extensions.ExtensionArray):
            p = persons
        else:
            p = np.asarray(persons)
        if isinstance(p, pd.arrays.IntegerArray) and pd.api.types.is_integer_dtype(self._ids.dtype):
            # nullable integer ids (partners): hash the plain integers, then mark the missing ones
            out = self._ids.get_indexer(p.to_numpy(dtype="int64", na_value=0)).astype("int64")
            out[p.isna()] = -1
            return out
        return self._ids.get_indexer(p).astype("int64")

    @property
    def n_persons(self) -> int:
        """Number of distinct persons in the CBS file."""
        return len(self._ids)

    def rows(
        self,
        persons: Sequence | pd.Series | np.ndarray | None,
        years: Sequence | pd.Series | np.ndarray,
        *,
        codes: np.ndarray | None = None,
    ) -> np.ndarray:
        """Row positions in :attr:`frame` of ``(persons[i], years[i])``; -1 where there is none.

        Missing person ids, unknown persons and years without any record give
        -1. ``codes`` (from :meth:`codes`) may be given instead of ``persons``
        when the caller looks the same persons up in several years: the ids
        are then not hashed again.
        """
        y = np.asarray(years, dtype="int64") - self._first_year
        codes = self.codes(persons) if codes is None else np.asarray(codes, dtype="int64")
        ok = (codes >= 0) & (y >= 0) & (y < self._span)
        out = np.full(len(codes), -1, dtype="int64")
        out[ok] = self._table[codes[ok] * self._span + y[ok]]
        return out

    def lookup(self, persons, years, cols: Sequence[str], *, codes: np.ndarray | None = None) -> pd.DataFrame:
        """The records' ``cols`` for each query, plus a boolean ``found`` column.

        Missing records give missing values (NaN for floats, ``<NA>`` for
        nullable and integer columns, ``<NA>`` for booleans). ``codes`` as in
        :meth:`rows` (``persons`` is then ignored).
        """
        return self.values(self.rows(persons, years, codes=codes), cols)

    def values(self, rows: np.ndarray, cols: Sequence[str]) -> pd.DataFrame:
        """The ``cols`` of the records at ``rows`` (from :meth:`rows`; -1 = none), plus ``found``.

        Missing values as in :meth:`lookup`.
        """
        rows = np.asarray(rows, dtype="int64")
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
        return pd.DataFrame(out, copy=False)


def as_person_years(cbs: pd.DataFrame | PersonYears) -> PersonYears:
    """Accept a CBS frame or an already-built index."""
    return cbs if isinstance(cbs, PersonYears) else PersonYears.from_frame(cbs)
