"""Planted truth: the build against the generator's planted truth.

Planted truth: the synthetic generator records, for every loan, the one rule it
was built to break (``truth.parquet``: ``intended``), its cohort, starter flag
and planted "high" flag. The pipeline recomputes everything from the raw files;
its exclusions and flags must agree with what was planted.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.build import build
from cohorts.errors import NormTableFallbackWarning
from cohorts.io import read_raw
from cohorts.synth import write_synthetic


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "data"
    write_synthetic(out, scale=0.003, seed=7)
    raw = read_raw(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        result = build(raw.lld, raw.cbs, raw.key)
    truth = pd.read_parquet(out / "truth.parquet")
    return result, truth


def test_analysable_loans_are_exactly_the_planted_ones(built):
    result, truth = built
    planted = set(truth.loc[truth["intended"] == "analysable", C.LOAN_ID])
    assert set(result.cohorts[C.LOAN_ID]) == planted


def test_each_exclusion_step_removes_the_planted_kind(built):
    result, truth = built
    sel = result.selection[result.selection.population == "cohorts"].set_index("rule")["rows_dropped"]
    n = truth["intended"].value_counts()
    assert sel["household holds one mortgage"] == n.get("multi_mortgage", 0)
    assert sel["originated in or after 2012"] == n.get("pre_2012_stock", 0)
    assert sel["origination year = first snapshot year"] == n.get("origination_year_mismatch", 0)
    assert sel["main earner has a CBS record in t+1"] == n.get("missing_cbs_main", 0)
    assert sel["partner has a CBS record in t+1"] == n.get("missing_cbs_partner", 0)
    assert sel["house value derivable"] == n.get("house_value_missing", 0)
    assert n.get("multi_mortgage", 0) > 0 and n.get("origination_year_mismatch", 0) > 0


def test_cohort_starter_and_high_flags_match_the_planted_truth(built):
    result, truth = built
    merged = result.cohorts.merge(truth, on=C.LOAN_ID, suffixes=("", "_truth"))
    assert (merged[C.COHORT] == merged["cohort_truth"]).all()
    assert (merged[C.STARTER] == merged["starter_truth"]).all()
    assert (merged[C.HIGH] == merged["planted_high"]).all()
    assert merged[C.LTI_UTIL].to_numpy() == pytest.approx(merged["planted_lti_util"].to_numpy(), rel=1e-5)


def test_cohort_sizes_follow_tabel_b3(built):
    result, _ = built
    # Tabel B3, new mortgages per cohort, times the scale 0.003, rounded
    b3 = {2012: 40_442, 2013: 47_877, 2014: 106_900, 2015: 103_776, 2016: 118_291, 2017: 30_433}
    got = result.cohorts.groupby(C.COHORT).size().to_dict()
    assert got == {year: round(n * 0.003) for year, n in b3.items()}
