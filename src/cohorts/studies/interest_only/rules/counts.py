"""Rules for counts: population counts (H39), population in millions, sample sizes, and their tolerance kinds.

Part of :mod:`cohorts.studies.interest_only.rules` (its docstring gives the conventions); import the
names from there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from cohorts.report.comparison import NotReproducible
from cohorts.report.conflicts import shown_decimals
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.results import Results
from cohorts.studies.interest_only.rules.groups import (
    _aggregate,
    _flag,
    _outcomes,
    _population,
    _round_as_printed,
    _scenarios_of,
    group_mask,
)

#: id pattern -> (group, extra condition on the base outcomes) for counts that are not a plain group.
_COUNT_SUBSETS: tuple[tuple[str, str, Callable[[pd.DataFrame], np.ndarray]], ...] = (
    (r"perp_afford_sell_n$", "perpetual_afford_fail", lambda o: _flag(o, IO.AGILE_AT_EVENT)),
    (r"perp_afford_not_sell_n$|perp_not_agile_afford_n$", "perpetual_not_agile", lambda o: _flag(o, IO.AFFORD_FAIL)),
)


def population_count(res: Results, row: pd.Series) -> float:
    """Population count of the row's group (max/min over its scenarios), rounded to thousands."""
    values = []
    for name in _scenarios_of(row):
        m = group_mask(res, str(row["group"]), name)
        for pattern, group, extra in _COUNT_SUBSETS:
            if re.search(pattern, str(row["id"])):
                m = group_mask(res, group, name) & extra(_outcomes(res, name))
        values.append(_population(res, float(m.sum())))
    return _aggregate(row, values)


def population_millions(res: Results, row: pd.Series) -> float:
    """Population count in millions (1.3 million perpetuals, 1.4 must refinance, 2.9 / 3 IO households)."""
    m = group_mask(res, str(row["group"]), _scenarios_of(row)[0])
    return _round_as_printed(float(m.sum()) / res.scale * res.coverage / 1e6, row)


def sample_size(res: Results, row: pd.Series, *, group: str | None = None) -> float:
    """Sample size of the row's group (or ``group``): count / scale, in the row's unit (millions or thousands)."""
    m = group_mask(res, str(row["group"]) if group is None else group, "base")
    unit = {"count_millions": 1e6, "count_thousands": 1e3}.get(str(row["unit"]))
    if unit is None:
        raise NotReproducible(f"unit {row['unit']!r} is not a sample size")
    return _round_as_printed(float(m.sum()) / res.scale / unit, row)


def count_kind(row: pd.Series) -> str:
    """``count_round`` for counts printed to ten thousands ('circa 80.000'), else ``count`` (thousands)."""
    return "count_round" if float(row["value"]) % 10_000 == 0 else "count"


def millions_kind(row: pd.Series) -> str:
    """``millions_<d>dp`` by the decimals printed (tolerance half a unit of the last digit)."""
    text = row["value_text"] if "value_text" in row.index else row["value"]
    return f"millions_{min(shown_decimals(text), 2)}dp"
