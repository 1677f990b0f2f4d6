"""Regression/property check: the generator plants Tabel B3 (AFM 2022, typed here) times the scale.

The generator's parameters hold the same table, so this checks that the
generator realises its input, not an independently computed result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.synth import kinds as K
from cohorts.synth.loans import planted_counts
from cohorts.synth.params import load_params

SCALE = 0.002  # the session panel of conftest.py

B3 = {
    "new": [40442, 47877, 106900, 103776, 118291, 30433],
    "new_high": [9586, 8065, 18464, 19189, 23125, 5427],
    "starters": [13991, 15980, 35761, 37545, 43267, 11143],
    "starters_high": [4308, 3106, 6725, 8058, 9459, 2111],
    "stock": [905464, 1189941, 1724101, 1922504, 2136592, 2022511],
}


def _expected(name: str) -> list[int]:
    return [int(v) for v in np.round(np.asarray(B3[name]) * SCALE)]


def test_analysable_counts_per_cohort(tables: dict[str, pd.DataFrame]) -> None:
    t = tables["truth"]
    a = t[t["intended"] == K.ANALYSABLE]
    by = a.groupby(C.COHORT)
    assert by.size().reindex(C.COHORT_YEARS).tolist() == _expected("new")
    assert by[C.STARTER].sum().reindex(C.COHORT_YEARS).tolist() == _expected("starters")
    assert by["planted_high"].sum().reindex(C.COHORT_YEARS).tolist() == _expected("new_high")
    sh = a[a[C.STARTER] & a["planted_high"]].groupby(C.COHORT).size().reindex(C.COHORT_YEARS, fill_value=0)
    assert sh.tolist() == _expected("starters_high")


def test_stock_per_snapshot(tables: dict[str, pd.DataFrame]) -> None:
    lld, truth = tables["lld"], tables["truth"]
    stock_ids = truth.loc[truth["in_stock"], C.LOAN_ID]
    seen = lld.loc[lld[C.LOAN_ID].isin(stock_ids), [C.SNAPSHOT_YEAR, C.LOAN_ID]].drop_duplicates()
    n = seen.groupby(C.SNAPSHOT_YEAR).size()
    assert n.reindex(C.COHORT_YEARS).tolist() == _expected("stock")
    assert 0 < n.loc[2018] <= n.loc[2017]


@pytest.mark.parametrize("scale", [1.0, 0.1, 0.01, 0.001])
def test_planted_counts_are_rounded_b3(scale: float) -> None:
    c = planted_counts(load_params(), scale=scale)
    assert c.new.tolist() == [int(v) for v in np.round(np.asarray(B3["new"]) * scale)]
    assert c.stock.tolist() == [int(v) for v in np.round(np.asarray(B3["stock"]) * scale)]
