"""Scalar norm parameters per year (package data ``norm_parameters.csv``).

Every value carries its source (report section or footnote, Trhk article) in
the ``source`` column of the file; :func:`load_parameters` returns the file as
a tidy DataFrame and :class:`NormParameters` gives vectorised access to it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

import numpy as np
import pandas as pd


PARAMETERS_FILE = "norm_parameters.csv"

#: Parameters that must exist for every norm year.
YEARLY_PARAMETERS: tuple[str, ...] = (
    "partner_income_weight",
    "ltv_limit",
    "aow_age",
    "min_test_rate",
    "fixed_period_min_years",
    "consumer_credit_monthly_rate",
    "student_debt_monthly_rate",
    "wealth_return",
    "annuity_months",
)

#: Parameters of the no-HRA footnote formula, keyed by *table* year:
#: ``pct_nohra = pct - no_hra_slope * test_rate + no_hra_constant``.
NO_HRA_PARAMETERS: tuple[str, ...] = ("no_hra_slope", "no_hra_constant")


def load_parameters() -> pd.DataFrame:
    """Read the packaged norm parameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), ``name`` (str), ``value`` (float), ``unit`` (str)
        and ``source`` (str), one row per parameter per year.

    Examples
    --------
    >>> p = load_parameters()
    >>> float(p.query("year == 2017 and name == 'ltv_limit'")["value"].iloc[0])
    1.01
    """
    text = resources.files("cohorts.norms").joinpath("data", PARAMETERS_FILE).read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(text), dtype={"year": "int64", "name": str, "unit": str, "source": str})
    frame["value"] = frame["value"].astype("float64")
    return frame


@dataclass(frozen=True)
class NormParameters:
    """Per-year scalar parameters, read-only.

    Attributes
    ----------
    values : Mapping[str, Mapping[int, float]]
        ``values[name][year]``.
    """

    values: Mapping[str, Mapping[int, float]]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> NormParameters:
        """Build from the tidy frame of :func:`load_parameters`."""
        values: dict[str, Mapping[int, float]] = {}
        for name, group in frame.groupby("name", sort=True):
            values[str(name)] = MappingProxyType(
                {int(y): float(v) for y, v in zip(group["year"], group["value"], strict=True)}
            )
        return cls(values=MappingProxyType(values))

    @property
    def years(self) -> tuple[int, ...]:
        """Norm years for which every yearly parameter is present."""
        sets = [set(self.values.get(name, {})) for name in YEARLY_PARAMETERS]
        return tuple(sorted(set.intersection(*sets)))

    def per_row(self, name: str, years: np.ndarray) -> np.ndarray:
        """The parameter ``name`` for each element of ``years`` (vectorised).

        Parameters
        ----------
        name : str
            Parameter name, e.g. ``"ltv_limit"``.
        years : numpy.ndarray
            Integer years; every year must have a value (see :attr:`years`).

        Returns
        -------
        numpy.ndarray
            float64, NaN for a year without a value.
        """
        table = self.values[name]
        years = np.asarray(years, dtype="int64")
        if years.size == 0:
            return np.empty(0, dtype="float64")
        lo, hi = int(years.min()), int(years.max())
        dense = np.array([table.get(y, np.nan) for y in range(lo, hi + 1)], dtype="float64")
        return dense[years - lo]
