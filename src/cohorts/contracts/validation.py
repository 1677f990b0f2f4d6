"""Lazy validation against a contract: coerce each column to its kind, check every rule, collect all failures.

:func:`validate` coerces the columns of a frame to the kinds of its
:class:`~cohorts.contracts.rules.Contract` (unparseable values are failures),
checks every column and table rule, and raises one
:class:`~cohorts.errors.ContractError` naming file, column, rule, count and
the first offending rows; :class:`UniqueKeyCheck` checks a unique key across
chunks; :func:`validate_lld`, :func:`validate_cbs` and :func:`validate_key`
validate one raw input.  Re-exported by :mod:`cohorts.contracts`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.contracts.rules import (
    CBS_CONTRACT,
    INCOME_PENSION_CONTRACT,
    KEY_CONTRACT,
    LLD_CONTRACT,
    WEALTH_DWELLING_CONTRACT,
    Contract,
)
from cohorts.errors import ContractError, Failure, missing_column_failures

#: How many offending rows an error message shows.
N_EXAMPLES = 5


# ----------------------------------------------------------------------------
# coercion of one column to its kind; returns (series, mask of unparseable values)
# ----------------------------------------------------------------------------
_TRUE = {"1", "true", "t", "yes", "y", "ja", "j"}
_FALSE = {"0", "false", "f", "no", "n", "nee"}


def _coerce(s: pd.Series, kind: str) -> tuple[pd.Series, np.ndarray]:
    """Coerce one column to its kind; return it and the mask of unparseable values.

    Columns that already have the right dtype are returned without a copy (the
    full LLD has tens of millions of rows).
    """
    n = len(s)
    none = np.zeros(n, dtype=bool)
    if kind == "int":
        if pd.api.types.is_integer_dtype(s) and not s.hasnans:
            return s, none
        num = pd.to_numeric(s, errors="coerce")
        missing = s.isna().to_numpy()
        frac = ~np.isclose(num.fillna(0).to_numpy(dtype="float64") % 1, 0)
        bad = (num.isna().to_numpy() & ~missing) | frac
        return num.where(~bad).round().astype("Int64"), bad
    if kind == "float":
        if pd.api.types.is_float_dtype(s) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
            bad = np.isinf(s.to_numpy())
            return (s if not bad.any() else s.where(~bad)), bad
        num = pd.to_numeric(s, errors="coerce").astype("float64")
        missing = s.isna().to_numpy()
        bad = (num.isna().to_numpy() & ~missing) | np.isinf(num.to_numpy())
        return num.where(~bad), bad
    if kind == "bool":
        if pd.api.types.is_bool_dtype(s):
            return s, none
        missing = s.isna().to_numpy()
        if pd.api.types.is_numeric_dtype(s):
            ok = s.isin([0, 1]).to_numpy() | missing
            return s.where(ok).astype("boolean"), ~ok
        text = s.astype("string").str.strip().str.lower()
        t = text.isin(_TRUE).to_numpy(dtype=bool, na_value=False)
        f = text.isin(_FALSE).to_numpy(dtype=bool, na_value=False)
        out = pd.Series(pd.array(t, dtype="boolean"), index=s.index)
        out[~(t | f)] = pd.NA
        return out, ~(t | f) & ~missing
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(s):
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_localize(None)
            return s, none
        missing = s.isna().to_numpy()
        out = pd.to_datetime(s, errors="coerce", format="mixed") if s.dtype == object else pd.to_datetime(s, errors="coerce")
        return out, out.isna().to_numpy() & ~missing
    if kind == "id":
        if pd.api.types.is_integer_dtype(s):
            return s, none
        if pd.api.types.is_float_dtype(s):
            frac = ~np.isclose(s.fillna(0).to_numpy(dtype="float64") % 1, 0)
            return s.round().astype("Int64"), frac
        return s.astype("string"), none
    if kind == "str":
        if isinstance(s.dtype, pd.CategoricalDtype):  # parquet dictionary columns: work on the categories
            cats = s.cat.categories.astype("string").str.strip()
            if cats.is_unique:
                return s.cat.rename_categories(cats), none
        return s.astype("string").str.strip().astype("category"), none
    raise TypeError(f"unknown column kind {kind!r}")


def duplicated_rows(df: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Mask of rows whose key ``cols`` occurs more than once (all copies marked).

    Works on integer codes, so memory stays at a few bytes per row and key
    column even for tens of millions of rows. Rows already in key order (the
    usual layout of an extract: by snapshot, loan, part) are checked by
    comparing neighbours, without sorting; other orders are sorted first.
    """
    codes = []
    for c in cols:
        col = df[c]
        if pd.api.types.is_integer_dtype(col) and not col.hasnans:
            codes.append(col.to_numpy(dtype="int64"))
        else:
            codes.append(pd.factorize(col, use_na_sentinel=False)[0].astype("int64"))
    n = len(df)
    if n < 2:
        return np.zeros(n, dtype=bool)
    order = None if in_key_order(codes) else np.lexsort(codes[::-1])
    same_as_next = np.ones(n - 1, dtype=bool)
    for code in codes:
        sorted_code = code if order is None else code[order]
        same_as_next &= sorted_code[1:] == sorted_code[:-1]
    dup_sorted = np.zeros(n, dtype=bool)
    dup_sorted[:-1] |= same_as_next
    dup_sorted[1:] |= same_as_next
    if order is None:
        return dup_sorted
    out = np.zeros(n, dtype=bool)
    out[order] = dup_sorted
    return out


def in_key_order(codes: Sequence[np.ndarray]) -> bool:
    """True when the rows are sorted lexicographically by ``codes`` (ties allowed)."""
    tied = np.ones(len(codes[0]) - 1, dtype=bool)  # rows i and i+1 equal on the keys so far
    for code in codes:
        if (tied & (code[1:] < code[:-1])).any():
            return False
        tied &= code[1:] == code[:-1]
    return True


def _fmt(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _examples(
    df: pd.DataFrame, mask: np.ndarray, contract: Contract, column: str | None, row_offset: int = 0
) -> tuple[str, ...]:
    idx = np.flatnonzero(mask)[:N_EXAMPLES]
    out = []
    ids = [c for c in contract.id_columns if c in df.columns]
    for i in idx:
        parts = [f"{c}={_fmt(df[c].iat[i])}" for c in ids]
        val = f": {_fmt(df[column].iat[i])!r}" if column is not None and column in df.columns else ""
        out.append(f"row {row_offset + i + 1} ({', '.join(parts)}){val}")
    return tuple(out)


def validate(
    df: pd.DataFrame,
    contract: Contract,
    *,
    source: str,
    row_offset: int = 0,
    check_unique: bool = True,
    reported: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Check ``df`` against ``contract``; return a canonical copy or raise.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read (already renamed to canonical names).
    contract : Contract
        One of :data:`LLD_CONTRACT`, :data:`CBS_CONTRACT`, :data:`KEY_CONTRACT`.
    source : str
        The file name (or a label) used in error messages.
    row_offset : int, default 0
        Rows of the file before ``df`` (when a large file is validated in
        chunks), so that messages give row numbers of the file.
    check_unique : bool, default True
        Check the contract's unique key. A chunked reader checks it over all
        chunks instead (:class:`UniqueKeyCheck`).
    reported : mapping, optional
        ``{column: mask}`` of rows whose value of that column was already
        reported by the caller (an unlisted code of a values section,
        :func:`cohorts.recode.recode`, left missing): they are not counted again
        as missing.

    Returns
    -------
    pandas.DataFrame
        The contract's columns, in contract order, with canonical dtypes
        (extra columns are dropped: they are not used by the pipeline). Row
        numbers in messages are 1-based data rows.

    Raises
    ------
    ContractError
        Listing every broken rule: missing columns, unparseable values,
        missing values in non-nullable columns, value rules, row rules and
        duplicate keys.
    """
    failures: list[Failure] = []
    if len(df) == 0:
        raise ContractError([Failure(source, "<table>", "at least one row", 0)], header=f"{source}: empty input")
    missing_cols = [c for c in contract.names if c not in df.columns]
    if missing_cols:
        failures = missing_column_failures(source, missing_cols, df.columns, len(df))
        raise ContractError(failures, header=f"{source} ({contract.name}): {len(failures)} data-contract failure(s); "
                            f"the {contract.name} contract needs the columns {', '.join(contract.names)}")

    raw = df
    cols_out: dict[str, pd.Series] = {}
    for col in contract.columns:
        s, bad = _coerce(raw[col.name], col.kind)
        if bad.any():
            failures.append(
                Failure(source, col.name, f"parseable as {col.kind}", int(bad.sum()), _examples(raw, bad, contract, col.name, row_offset))
            )
        na = s.isna().to_numpy()
        isna = na & ~bad
        if reported is not None and col.name in reported:
            isna &= ~np.asarray(reported[col.name], dtype=bool)
        if not col.nullable and isna.any():
            failures.append(Failure(source, col.name, "not missing", int(isna.sum()), _examples(raw, isna, contract, col.name, row_offset)))
        present = ~na
        all_present = bool(present.all())
        for check in col.checks:
            if all_present:  # no subset copy of a column of tens of millions of rows
                ok = np.asarray(check.valid(s), dtype=bool)
            else:
                ok = np.ones(len(s), dtype=bool)
                if present.any():
                    ok[present] = np.asarray(check.valid(s[present]), dtype=bool)
            if (~ok).any():
                failures.append(Failure(source, col.name, check.rule, int((~ok).sum()), _examples(raw, ~ok, contract, col.name, row_offset)))
        cols_out[col.name] = pd.Series(s.to_numpy() if not isinstance(s.dtype, pd.api.extensions.ExtensionDtype) else s.array, name=col.name)
    out = pd.DataFrame(cols_out, copy=False)
    for rule, cols, fn in contract.row_checks:
        # a row rule is checked where all its columns are present
        sub = out[list(cols)]
        usable = sub.notna().all(axis=1).to_numpy()
        ok = np.ones(len(out), dtype=bool)
        if usable.all():
            ok = np.asarray(fn(sub), dtype=bool)
        elif usable.any():
            ok[usable] = np.asarray(fn(sub.loc[usable]), dtype=bool)
        if (~ok).any():
            failures.append(Failure(source, ",".join(cols), rule, int((~ok).sum()), _examples(raw, ~ok, contract, cols[0], row_offset)))
    if contract.unique and check_unique:
        dup = duplicated_rows(out, contract.unique)
        if dup.any():
            failures.append(
                Failure(
                    source,
                    ",".join(contract.unique),
                    f"unique ({', '.join(contract.unique)})",
                    int(dup.sum()),
                    _examples(raw, dup, contract, None, row_offset),
                )
            )
    if failures:
        raise ContractError(failures, header=f"{source} ({contract.name}): {len(failures)} data-contract failure(s)")
    return _compact(out, contract)


def merge_failures(failures: Sequence[Failure]) -> list[Failure]:
    """One failure per (source, column, rule): counts added, the first examples kept.

    Used when a file is validated in chunks: each chunk reports its own
    failures, the user sees one line per broken rule.
    """
    merged: dict[tuple[str, str, str], Failure] = {}
    for f in failures:
        k = (f.source, f.column, f.rule)
        if k in merged:
            m = merged[k]
            merged[k] = Failure(m.source, m.column, m.rule, m.n_rows + f.n_rows, (m.examples + f.examples)[:N_EXAMPLES])
        else:
            merged[k] = f
    return list(merged.values())


class UniqueKeyCheck:
    """The contract's unique key checked over the chunks of a file.

    The usual extract is sorted by its key (LLD: snapshot, loan, part). While
    every chunk's key columns are integers, each chunk is in key order and
    starts after the previous chunk's last key, a duplicate can only sit
    inside one chunk, where neighbours are compared (no sort, no extra
    memory). Otherwise :meth:`failure` reads the file's key columns again
    (``confirm``) and checks them all at once, sorting them: exact either way.
    """

    def __init__(self, contract: Contract, source: str):
        self.contract = contract
        self.source = source
        self.in_order = True
        self._last: tuple | None = None
        self._found: list[Failure] = []

    def add(self, chunk: pd.DataFrame, row_offset: int = 0) -> None:
        """Check one validated chunk (chunks in file order; ``row_offset`` = rows before it)."""
        if not self.contract.unique or not self.in_order or len(chunk) == 0:
            return
        cols = [chunk[c] for c in self.contract.unique]
        if not all(pd.api.types.is_integer_dtype(c) and not c.hasnans for c in cols):
            self.in_order = False
            return
        codes = [c.to_numpy(dtype="int64") for c in cols]
        first = tuple(int(c[0]) for c in codes)
        if not in_key_order(codes) or (self._last is not None and not self._last < first):
            self.in_order = False
            return
        self._last = tuple(int(c[-1]) for c in codes)
        dup = duplicated_rows(chunk, self.contract.unique)
        if dup.any():
            self._found.append(self._failure(chunk, dup, row_offset))

    def failure(self, confirm: Callable[[], pd.DataFrame]) -> Failure | None:
        """The uniqueness failure over all chunks, or None."""
        if not self.contract.unique:
            return None
        if self.in_order:
            return merge_failures(self._found)[0] if self._found else None
        keys = confirm()
        dup = duplicated_rows(keys, self.contract.unique)
        return self._failure(keys, dup, 0) if dup.any() else None

    def _failure(self, keys: pd.DataFrame, dup: np.ndarray, row_offset: int) -> Failure:
        return Failure(self.source, ",".join(self.contract.unique), f"unique ({', '.join(self.contract.unique)})",
                       int(dup.sum()), _examples(keys, dup, self.contract, None, row_offset))


def coerce_columns(df: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """The contract's columns present in ``df``, coerced to their kinds (unparseable values missing)."""
    kinds = {col.name: col.kind for col in contract.columns}
    return pd.DataFrame({c: _coerce(df[c], kinds[c])[0] for c in df.columns if c in kinds}, copy=False)


def _compact(df: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Canonical, compact dtypes after a successful validation (no copy where already compact)."""
    out = {}
    for col in contract.columns:
        s = df[col.name]
        if col.kind == "int" and not s.hasnans:
            s = s.astype("int16" if col.name in (C.SNAPSHOT_YEAR, C.YEAR) else "int32", copy=False)
        elif col.kind == "bool" and not s.hasnans:
            s = s.astype(bool, copy=False)
        elif col.kind == "str" and not isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype("category")
        out[col.name] = s
    return pd.DataFrame(out, copy=False)


def validate_lld(df: pd.DataFrame, *, source: str = "LLD loan parts") -> pd.DataFrame:
    """Validate LLD loan parts (see the module docstring for the rules)."""
    return validate(df, LLD_CONTRACT, source=source)


def validate_cbs(df: pd.DataFrame, *, source: str = "CBS persons") -> pd.DataFrame:
    """Validate CBS person-year records (see the module docstring for the rules)."""
    return validate(df, CBS_CONTRACT, source=source)


def validate_key(df: pd.DataFrame, *, source: str = "key table") -> pd.DataFrame:
    """Validate the 2017 key table (loan -> main earner); a loan mapped twice is an error."""
    return validate(df, KEY_CONTRACT, source=source)


def validate_income_pension(df: pd.DataFrame, *, source: str = "CBS income and pension") -> pd.DataFrame:
    """Validate the 2017 CBS income-by-source and pension file (interest-only study)."""
    return validate(df, INCOME_PENSION_CONTRACT, source=source)


def validate_wealth_dwelling(df: pd.DataFrame, *, source: str = "CBS wealth and dwelling") -> pd.DataFrame:
    """Validate the 2017 CBS wealth-beyond-savings and WOZ file (interest-only study)."""
    return validate(df, WEALTH_DWELLING_CONTRACT, source=source)


def require_columns(df: pd.DataFrame, names: Sequence[str], *, stage: str) -> None:
    """Stage-boundary contract: raise a ``ContractError`` if ``df`` lacks any of ``names``."""
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise ContractError(
            missing_column_failures(stage, missing, df.columns, len(df)),
            header=f"{stage}: input lacks {len(missing)} required column(s); it needs {', '.join(names)}",
        )
