"""The Trhk lending norm: maximum mortgage, LTI and LTV utilisation, WLT.

Public API
----------
apply_norm(df, *, threshold=1.0, tables=None, columns=None) -> DataFrame
    The standard norm and its utilisation for every row (see
    :func:`cohorts.norms.engine.apply_norm`).
validate_inputs(df, *, columns=None, source="input frame") -> None
    The input contract of :func:`apply_norm`.
load_tables(directory=None) -> NormTables
    The packaged financieringslast tables (2013-2015), optionally extended or
    overridden by a folder of CSV files in the same long format.
NormTables
    Immutable set of tables; ``.years``, ``.table_year(year)``.
load_parameters() -> DataFrame
    The per-year scalar parameters with their sources.
annuity_factor(test_rate, *, months=360) -> ndarray
    The 30-year annuity factor.

The rules, their sources and our interpretations are documented in
``docs/norms.md``.
"""

from cohorts.norms.engine import annuity_factor, apply_norm, validate_inputs
from cohorts.norms.parameters import load_parameters
from cohorts.norms.schema import INPUT_COLUMNS, OUTPUT_COLUMNS
from cohorts.norms.tables import NormTables, load_tables

__all__ = [
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "NormTables",
    "annuity_factor",
    "apply_norm",
    "load_parameters",
    "load_tables",
    "validate_inputs",
]
