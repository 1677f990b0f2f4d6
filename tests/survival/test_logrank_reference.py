"""External reference: the log-rank test against R.

Reference: ``survival::survdiff(..., rho = 0)`` and, for pairwise tests,
``survdiff`` on each pair with ``p.adjust`` (``expected_logrank*.csv``).
Statistic to 1e-6 as the issue asks, p (overall and pairwise, unadjusted) to
a relative 1e-6; observed and expected counts and O - E to 1e-8, the variance of
O - E (``expected_logrank_var.csv``) to 1e-10.
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from cohorts.survival import logrank
from cohorts.survival.logrank import adjust_pvalues

SPECS = {
    "study_high": ("study", "duration", "event", "high", None),
    "study_cohort": ("study", "duration", "event", "cohort", None),
    "study_high_strata_starter": ("study", "duration", "event", "high", "starter"),
    "rossi_fin": ("rossi", "week", "arrest", "fin", None),
    "rossi_wexp_strata_race_mar": ("rossi", "week", "arrest", "wexp", ["race", "mar"]),
}


@pytest.mark.parametrize("model", list(SPECS))
def test_logrank_matches_survdiff(request, expected, model):
    data, duration, event, group, strata = SPECS[model]
    res = logrank(request.getfixturevalue(data), duration=duration, event=event, group=group, strata=strata)
    ref = expected("logrank").set_index("model").loc[model]
    assert res.statistic == pytest.approx(ref["chisq"], abs=1e-6)
    assert res.df == ref["df"]
    assert res.p_value == pytest.approx(ref["p"], rel=1e-6)
    groups = expected("logrank_groups")
    groups = groups[groups["model"] == model]
    assert len(groups) >= 2
    np.testing.assert_allclose(res.table["n"], groups["n"], atol=0)
    np.testing.assert_allclose(res.table["observed"], groups["observed"], atol=1e-8)
    np.testing.assert_allclose(res.table["expected"], groups["expected"], atol=1e-8)


def test_pairwise_matches_r(study, expected):
    ref = expected("logrank_pairwise")
    res = logrank(study, duration="duration", event="event", group="cohort")
    np.testing.assert_allclose(res.pairwise["statistic"], ref["chisq"], atol=1e-6)
    np.testing.assert_allclose(res.pairwise["p_adjusted"], ref["p_holm"], atol=1e-10)
    bh = logrank(study, duration="duration", event="event", group="cohort", p_adjust="fdr_bh")
    np.testing.assert_allclose(bh.pairwise["p_adjusted"], ref["p_bh"], atol=1e-10)


def test_two_groups_pairwise_equals_overall(study):
    res = logrank(study, duration="duration", event="event", group="high")
    assert len(res.pairwise) == 1
    assert res.pairwise["statistic"].item() == pytest.approx(res.statistic, rel=1e-12)


def test_adjust_pvalues_equals_statsmodels():
    rng = np.random.default_rng(3)
    p = rng.random(9) ** 3
    for method in ("holm", "bonferroni", "fdr_bh"):
        np.testing.assert_allclose(adjust_pvalues(p, method), multipletests(p, method=method)[1], atol=1e-15)


def test_pairwise_unadjusted_p_matches_r(study, expected):
    ref = expected("logrank_pairwise")
    res = logrank(study, duration="duration", event="event", group="cohort", p_adjust="none")
    assert list(res.pairwise["group1"]) == list(ref["group1"])
    assert list(res.pairwise["group2"]) == list(ref["group2"])
    np.testing.assert_allclose(res.pairwise["p"], ref["p"], rtol=1e-6)
    np.testing.assert_allclose(res.pairwise["p_adjusted"], ref["p"], rtol=1e-6)


@pytest.mark.parametrize("model", list(SPECS))
def test_o_minus_e_and_variance_match_survdiff(request, expected, model):
    """``obs - exp`` and the diagonal of ``survdiff()$var`` per group (``expected_logrank_var.csv``)."""
    data, duration, event, group, strata = SPECS[model]
    res = logrank(request.getfixturevalue(data), duration=duration, event=event, group=group, strata=strata)
    ref = expected("logrank_var")
    ref = ref[ref["model"] == model]
    assert list(res.table["group"].astype(str)) == list(ref["group"].astype(str))
    np.testing.assert_allclose(res.table["o_minus_e"], ref["o_minus_e"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(res.table["variance"], ref["variance"], rtol=1e-10, atol=1e-10)
