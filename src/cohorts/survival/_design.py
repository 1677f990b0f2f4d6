"""Design matrices from covariate names, with formula-style categorical terms.

A covariate is either a column name or ``"C(column)"``. Boolean and numeric
columns enter as they are (booleans as 0/1); ``C(column)`` and columns of
object, string or categorical dtype are expanded into treatment (dummy)
contrasts against their first level (sorted values, or the category order of a
pandas Categorical), as R's ``factor()`` does. Dummy columns are named
``"column[T.level]"`` (patsy's convention).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts.errors import ContractError, Failure
from cohorts.survival._validate import SOURCE, require_columns

_C_TERM = re.compile(r"^C\((?P<col>[^()]+)\)$")


@dataclass(frozen=True)
class Design:
    """A numeric design matrix with its column names and term structure."""

    X: np.ndarray
    names: tuple[str, ...]
    terms: dict[str, tuple[int, ...]]
    source_columns: tuple[str, ...]
    reference_levels: dict[str, object]


def parse_covariates(covariates: Sequence[str] | str) -> list[tuple[str, str, bool]]:
    """Return ``(term, column, forced_categorical)`` for each covariate name."""
    if isinstance(covariates, str):
        covariates = [covariates]
    out = []
    for term in covariates:
        m = _C_TERM.match(term.strip())
        if m:
            out.append((term, m.group("col").strip(), True))
        else:
            out.append((term, term, False))
    if not out:
        raise ValueError("covariates must name at least one column, but was empty")
    return out


def covariate_columns(covariates: Sequence[str] | str) -> list[str]:
    """The data columns that ``covariates`` use (``"C(cohort)"`` uses ``cohort``)."""
    return [col for _, col, _ in parse_covariates(covariates)]


def build_design(df: pd.DataFrame, covariates: Sequence[str] | str) -> Design:
    """Build the design matrix for ``covariates`` (see module docstring).

    Raises
    ------
    cohorts.errors.ContractError
        Missing columns, missing values, non-finite numbers, or a covariate that
        is constant (its coefficient would not be identified).
    """
    parsed = parse_covariates(covariates)
    require_columns(df, [c for _, c, _ in parsed])
    blocks: list[np.ndarray] = []
    names: list[str] = []
    terms: dict[str, tuple[int, ...]] = {}
    refs: dict[str, object] = {}
    failures: list[Failure] = []
    for term, col, forced in parsed:
        s = df[col]
        miss = s.isna().to_numpy()
        if miss.any():
            rows = ", ".join(repr(i) for i in df.index[np.flatnonzero(miss)[:3]])
            failures.append(Failure(SOURCE, col, "not null", int(miss.sum()), (f"rows {rows}",)))
            continue
        categorical = forced or not (
            pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype)
        )
        start = len(names)
        if categorical:
            if isinstance(s.dtype, pd.CategoricalDtype):
                levels = [lv for lv in s.cat.categories if (s == lv).any()]
            else:
                levels = sorted(pd.unique(s))
            if len(levels) < 2:
                failures.append(Failure(SOURCE, col, "at least 2 levels", len(df), (f"only {levels!r}",)))
                continue
            refs[term] = levels[0]
            vals = s.to_numpy()
            for lv in levels[1:]:
                blocks.append((vals == lv).astype(float))
                names.append(f"{col}[T.{lv}]")
        else:
            x = s.to_numpy(dtype=float)
            bad = ~np.isfinite(x)
            if bad.any():
                failures.append(Failure(SOURCE, col, "finite", int(bad.sum()), ()))
                continue
            if np.all(x == x[0]):
                failures.append(Failure(SOURCE, col, "not constant", len(df), (f"all {x[0]!r}",)))
                continue
            blocks.append(x)
            names.append(term)
        terms[term] = tuple(range(start, len(names)))
    if failures:
        raise ContractError(failures)
    X = np.column_stack(blocks) if blocks else np.empty((len(df), 0))
    return Design(
        X=X,
        names=tuple(names),
        terms=terms,
        source_columns=tuple(dict.fromkeys(c for _, c, _ in parsed)),
        reference_levels=refs,
    )
