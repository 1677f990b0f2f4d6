"""Input checks shared by the survival functions.

Every failure names the column, the rule, how many rows break it and the first
few offending rows; all failures of one call are collected and raised together
as a :class:`cohorts.errors.ContractError` (a ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from cohorts.errors import ContractError, Failure, missing_column_failures

SOURCE = "survival input"
_N_EXAMPLES = 3


def _examples(df: pd.DataFrame, column: str, bad: np.ndarray) -> tuple[str, ...]:
    idx = np.flatnonzero(bad)[:_N_EXAMPLES]
    values = df[column].to_numpy()
    out = []
    for i in idx:
        v = values[i]
        v = v.item() if isinstance(v, np.generic) else v
        label = df.index[i]
        label = label.item() if isinstance(label, np.generic) else label
        out.append(f"row {label!r}: {v!r}")
    return tuple(out)


def require_columns(df: pd.DataFrame, columns: Iterable[str | None]) -> None:
    """Raise if ``df`` is not a DataFrame or lacks any of ``columns`` (``None`` entries are skipped).

    The message names each missing column with the close matches among the
    frame's columns (``'duration'`` for ``'durration'``) and lists the columns
    the call needs, not the frame's.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, but was {type(df).__name__}")
    wanted = list(dict.fromkeys(c for c in columns if c is not None))
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise ContractError(
            missing_column_failures(SOURCE, missing, df.columns, len(df)),
            header=f"missing column(s) {missing}; this call needs the column(s) {wanted}",
        )


def check_survival(
    df: pd.DataFrame,
    *,
    duration: str,
    event: str | None,
    others: Sequence[str | None] = (),
    numeric_others: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray | None]:
    """Validate a duration/event frame and return them as float and bool arrays.

    Parameters
    ----------
    df : pandas.DataFrame
        The input frame.
    duration : str
        Column of durations; must be finite and > 0.
    event : str or None
        Column of event indicators; must be 0/1 or boolean without missing values.
        ``None`` skips the check (and returns ``None``).
    others : sequence of str or None, default ()
        Further columns that must exist and have no missing values.
    numeric_others : sequence of str, default ()
        Columns (a subset of ``others``) that must be numeric or boolean and finite.

    Returns
    -------
    tuple of numpy.ndarray
        ``(duration as float64, event as bool or None)``.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    cohorts.errors.ContractError
        Listing every broken rule (missing column, non-positive or missing
        durations, events not 0/1, missing values, no rows).
    """
    require_columns(df, [duration, event, *others])
    failures: list[Failure] = []
    if len(df) == 0:
        raise ContractError([Failure(SOURCE, "<table>", "at least one row", 0, ())])

    dur = pd.to_numeric(df[duration], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(dur) | (dur <= 0)
    if bad.any():
        failures.append(
            Failure(SOURCE, duration, "finite number > 0", int(bad.sum()), _examples(df, duration, bad))
        )

    ev_out: np.ndarray | None = None
    if event is not None:
        raw = df[event]
        if pd.api.types.is_bool_dtype(raw.dtype) and not raw.isna().any():
            ev_out = raw.to_numpy(dtype=bool)
        else:
            num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = ~np.isin(num, (0.0, 1.0))
            if bad.any():
                failures.append(
                    Failure(SOURCE, event, "event in {0, 1}", int(bad.sum()), _examples(df, event, bad))
                )
            else:
                ev_out = num == 1.0

    for col in dict.fromkeys(c for c in others if c is not None):
        if col in (duration, event):
            continue
        miss = df[col].isna().to_numpy()
        if miss.any():
            failures.append(Failure(SOURCE, col, "not null", int(miss.sum()), _examples(df, col, miss)))
            continue
        if col in numeric_others:
            s = df[col]
            if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
                failures.append(
                    Failure(SOURCE, col, f"numeric (dtype was {s.dtype})", len(df), _examples(df, col, np.ones(len(df), bool)))
                )
                continue
            vals = s.to_numpy(dtype=float)
            bad = ~np.isfinite(vals)
            if bad.any():
                failures.append(Failure(SOURCE, col, "finite", int(bad.sum()), _examples(df, col, bad)))
    if failures:
        raise ContractError(failures)
    return dur, ev_out


def check_alpha(alpha: float) -> float:
    """Return ``alpha`` as float after checking 0 < alpha < 1."""
    a = float(alpha)
    if not 0.0 < a < 1.0:
        raise ValueError(f"alpha must be in (0, 1), but was {alpha!r}")
    return a


def check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    """Raise a ValueError naming the allowed values if ``value`` is not one of them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, but was {value!r}")
    return value


def group_labels(df: pd.DataFrame, group: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and sorted labels of a grouping column (one group ``"all"`` if ``None``)."""
    if group is None:
        return np.zeros(len(df), dtype=np.intp), np.array(["all"], dtype=object)
    codes, labels = pd.factorize(df[group], sort=True)
    return codes.astype(np.intp), np.asarray(labels, dtype=object)


def strata_codes(df: pd.DataFrame, strata: str | Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Integer stratum codes from one or several columns (all zeros if ``None``)."""
    if strata is None:
        return np.zeros(len(df), dtype=np.intp), []
    cols = [strata] if isinstance(strata, str) else list(strata)
    if len(cols) == 1:
        codes, _ = pd.factorize(df[cols[0]], sort=True)
    else:
        codes = df.groupby(cols, sort=True, observed=True).ngroup().to_numpy()
    return np.asarray(codes, dtype=np.intp), cols


def unique_inverse(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of ``x`` and the index of each element among them.

    Same result as ``numpy.unique(x, return_inverse=True)`` but hash-based
    (:func:`pandas.factorize`), which is several times faster when there are
    few distinct values (the study's annual times).
    """
    codes, uniq = pd.factorize(np.asarray(x), sort=False)
    uniq = np.asarray(uniq)
    order = np.argsort(uniq, kind="stable")
    rank = np.empty(len(uniq), dtype=np.intp)
    rank[order] = np.arange(len(uniq))
    return uniq[order], rank[codes]


def stable_order(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Stable argsort of small non-negative integer codes (radix sort for < 65536 codes)."""
    if n_codes < 2**16:
        return np.argsort(codes.astype(np.uint16), kind="stable")
    return np.argsort(codes, kind="stable")
