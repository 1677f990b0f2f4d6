"""The AFM 2022 study's results: its frames, the interpretation options and per-run caches of its statistics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cohorts.studies.high_mortgages import tables as T


@dataclass(frozen=True)
class Options:
    """Choices where the report is ambiguous (see :mod:`cohorts.studies.high_mortgages.tables`)."""

    table_5_window: str = "first_year"
    table_b4_among: str = "holders"
    figure_7_population: str = "starters"
    figure_7_window: str = "first_year"
    """Figure 7 arrears: first arrears in the origination year (as Tabel 5) or ``"ever"``."""
    horizon_offset: int = 1
    """Duration = printed years after origination + this (ambiguity 9)."""


@dataclass
class StudyResults:
    """The study frames plus per-run caches of the expensive statistics.

    Parameters
    ----------
    cohorts, panel, stock : pandas.DataFrame
        Outputs of :func:`cohorts.build.build`.
    scale : float, default 1.0
        Synthetic population scale (counts are divided by it before comparing).
    options : Options
        Interpretation choices.
    """

    cohorts: pd.DataFrame
    panel: pd.DataFrame
    stock: pd.DataFrame
    scale: float = 1.0
    options: Options = field(default_factory=Options)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not (np.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive number, but was {self.scale!r}")

    def _cached(self, key: tuple, make: Callable[[], object]) -> object:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables, keyed ``"T1"`` ... ``"B8"``."""
        return self._cached(("tables",), lambda: T.all_tables(
            self.cohorts, self.stock, table_5_window=self.options.table_5_window,
            table_b4_among=self.options.table_b4_among))

    def survival(self, *, starters: bool, threshold: float | None) -> pd.DataFrame:
        """:func:`cohorts.studies.high_mortgages.tables.survival_data` at durations 1-7 (cached)."""
        return self._cached(("km", starters, threshold), lambda: T.survival_data(
            self.cohorts, starters=starters, threshold=threshold, times=range(1, 8)))

    def income_growth(self) -> pd.DataFrame:
        """:func:`cohorts.studies.high_mortgages.tables.income_growth_data` (cached)."""
        return self._cached(("growth",), lambda: T.income_growth_data(self.panel))

    def figure_7_frame(self) -> pd.DataFrame:
        """The Figure 7 population (``lti_util``, ``event`` within the window; :func:`~cohorts.studies.high_mortgages.tables.figure_7_frame`)."""
        return self._cached(("f7",), lambda: T.figure_7_frame(
            self.cohorts, population=self.options.figure_7_population, window=self.options.figure_7_window))
