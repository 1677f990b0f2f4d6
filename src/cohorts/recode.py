"""Recoding the values of a real extract: its own codes for repayment types and flags.

A real Loan Level Data extract codes its categories its own way: a repayment
type may be ``ANNU`` or ``1`` where the contracts expect ``annuity``; a flag may
be ``Y``/``N`` or ``J``/``N``. The column-mapping TOML (:mod:`cohorts.io`) then
lists, per column, which codes of the extract stand for which canonical value::

    [lld.values.repayment_type]
    annuity = ["ANNU", "ANN"]
    linear = "LINR"
    interest_only = ["BULL"]

    [lld.values.nhg]
    true = ["Y"]
    false = ["N"]

Rules:

* a values section may name only the columns with a fixed set of canonical
  values (:func:`recodable`): ``repayment_type`` (targets
  :data:`cohorts.columns.REPAYMENT_TYPES`) and the flags (``nhg``, ``arrears``,
  ``owner_occupied``, ``zzp``; targets ``true`` and ``false``); any other
  column or target is a :class:`~cohorts.errors.ConfigError` naming the file
  and the key;
* a code is a string or an integer; strings are compared after stripping
  surrounding spaces, integers by their decimal form (so ``1`` matches ``1``,
  ``"1"`` and ``1.0`` in the extract); a code listed under two targets is an
  error;
* the list is complete: every value of the column that is not missing must be
  one of the listed codes. An unlisted code is a data-contract failure naming
  the file, the column, the code and how many rows carry it (and a few of
  them), reported with every other failure of the file; nothing is written.
  Missing values stay missing (the contract decides whether that is allowed).

Recoding happens at the input edge, on each chunk as it is read and renamed,
before the contract checks it (:func:`cohorts.io.read_input`,
:func:`cohorts.io.iter_input`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.contracts import CONTRACTS, Contract, _examples
from cohorts.errors import ConfigError, Failure

#: Canonical values of a flag column, as written in a values section.
FLAG_TARGETS = ("true", "false")
#: At most this many unlisted codes of one column are reported one by one (per chunk); the rest together.
MAX_CODES_REPORTED = 20


def recodable(kind: str) -> dict[str, tuple[str, ...]]:
    """The columns of input ``kind`` that a values section may recode, with their canonical values."""
    out: dict[str, tuple[str, ...]] = {}
    for col in CONTRACTS[kind].columns:
        if col.name == C.REPAYMENT_TYPE:
            out[col.name] = tuple(C.REPAYMENT_TYPES)
        elif col.kind == "bool":
            out[col.name] = FLAG_TARGETS
    return out


def code_key(value: object) -> str:
    """The form in which a code is compared: stripped text, or the decimal form of a whole number."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def parse_values(section: object, *, kind: str, source: str) -> dict[str, dict[str, str]]:
    """Check the ``[<kind>.values]`` table of a mapping file; return ``{column: {code: canonical value}}``.

    Parameters
    ----------
    section : object
        The parsed TOML table ``[<kind>.values]``.
    kind : {"lld", "cbs", "key"}
        Which input it belongs to.
    source : str
        The mapping file, for messages.

    Raises
    ------
    ConfigError
        Naming the file and the key: a column that cannot be recoded (or is not
        a column of this input), a target that is not a canonical value of the
        column, a code that is neither text nor a whole number, an empty code,
        or a code listed under two targets.
    """
    allowed = recodable(kind)
    if not isinstance(section, dict):
        raise ConfigError(f"{source}: [{kind}.values] must be a table of tables, e.g. [{kind}.values.<column>]")
    out: dict[str, dict[str, str]] = {}
    for column, table in section.items():
        key = f"[{kind}.values.{column}]"
        if column not in allowed:
            can = ", ".join(allowed) if allowed else "none"
            raise ConfigError(f"{source}: {key}: unknown column {column!r} for values; "
                              f"the columns of [{kind}] whose values can be recoded are: {can}")
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: {key} must be a table: canonical value = code or list of codes")
        codes: dict[str, str] = {}
        for target, listed in table.items():
            if target not in allowed[column]:
                raise ConfigError(f"{source}: {key} key {target!r}: unknown target value; "
                                  f"the canonical values of {column} are: {', '.join(allowed[column])}")
            for code in listed if isinstance(listed, list) else [listed]:
                if isinstance(code, bool) or not isinstance(code, (str, int)):
                    raise ConfigError(f"{source}: {key} key {target!r}: code {code!r} must be text or a whole number")
                k = code_key(code)
                if k == "":
                    raise ConfigError(f"{source}: {key} key {target!r}: empty code (missing values stay missing)")
                if k in codes and codes[k] != target:
                    raise ConfigError(f"{source}: {key}: code {k!r} is listed under both {codes[k]!r} and {target!r}")
                codes[k] = target
        out[str(column)] = codes
    return out


def recode(
    df: pd.DataFrame,
    values: Mapping[str, Mapping[str, str]],
    *,
    kind: str,
    source: str,
    mapping_source: str,
    row_offset: int = 0,
) -> tuple[pd.DataFrame, list[Failure], dict[str, np.ndarray]]:
    """Replace the extract's codes by canonical values in the columns of ``values``.

    Parameters
    ----------
    df : pandas.DataFrame
        A chunk of the input, already renamed to canonical names.
    values : mapping
        ``{column: {code: canonical value}}`` (:func:`parse_values`).
    kind : {"lld", "cbs", "key"}
        Which input (for the section name in messages and the id columns of examples).
    source : str
        The input file, for messages.
    mapping_source : str
        The mapping file, for messages.
    row_offset : int, default 0
        Rows of the file before ``df``.

    Returns
    -------
    frame : pandas.DataFrame
        ``df`` with each recoded column replaced by a categorical of canonical
        values (the other columns untouched, not copied); unlisted codes become
        missing.
    failures : list of Failure
        One per unlisted code (column, code, number of rows, first rows).
    reported : dict
        ``{column: mask}`` of the rows whose code was unlisted, so that the
        contract does not report them again as missing.
    """
    if not values:
        return df, [], {}
    contract: Contract = CONTRACTS[kind]
    out = df
    failures: list[Failure] = []
    reported: dict[str, np.ndarray] = {}
    for column, table in values.items():
        if column not in df.columns:
            continue  # the contract reports the missing column
        codes, uniques = pd.factorize(df[column], use_na_sentinel=True)
        keys = [code_key(u) for u in uniques]
        targets = sorted(set(table.values()))
        position = {t: i for i, t in enumerate(targets)}
        new_code = np.array([position[table[k]] if k in table else -1 for k in keys] + [-1], dtype=np.int64)
        mapped = new_code[codes]  # codes == -1 (missing) picks the trailing -1
        if out is df:
            out = df.copy(deep=False)
        # unused canonical values dropped: the same categories as an extract holding the canonical values
        out[column] = pd.Categorical.from_codes(mapped, categories=targets).remove_unused_categories()
        unlisted = [i for i, k in enumerate(keys) if k not in table]
        if not unlisted:
            continue
        counts = np.bincount(codes[codes >= 0], minlength=len(keys))
        unlisted.sort(key=lambda i: (-counts[i], keys[i]))
        section = f"[{kind}.values.{column}] of {mapping_source}"
        for i in unlisted[:MAX_CODES_REPORTED]:
            mask = codes == i
            failures.append(Failure(source, column, f"a code listed in {section} (unlisted code {keys[i]!r})",
                                    int(counts[i]), _examples(df, mask, contract, column, row_offset)))
        rest = unlisted[MAX_CODES_REPORTED:]
        if rest:
            mask = np.isin(codes, rest)
            failures.append(Failure(source, column, f"a code listed in {section} (further unlisted codes)",
                                    int(mask.sum()), _examples(df, mask, contract, column, row_offset)))
        reported[column] = np.isin(codes, unlisted)
    return out, failures, reported
