"""External reference: the threshold sweep's above/within comparison against R.

Reference: ``expected_sweep.csv`` (univariable ``coxph(Surv(duration, event) ~ high)``,
Efron ties: hazard ratio with its .95 Wald limits; ``survdiff`` p),
``expected_km_cuminc.csv`` (1 - KM with its log-log interval by ``summary(fit,
times=)``) and ``expected_sweep_cif.csv`` (multi-state ``survfit`` CIF of arrears
with its log interval), all on ``tests/reference/study.csv`` and its starters.
The sweep's "above" group is ``lti_util > threshold``; a utilisation of 1.2 for
``high == 1`` and 0.8 otherwise makes "above" equal ``high`` at thresholds 0.9,
1.0 and 1.1, so every row of the sweep has an R value to match. Hazard ratios
and limits to a relative 1e-7, p to a relative 1e-6, cumulative incidences to 1e-8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.survival.sweep import compare_groups, sweep

THRESHOLDS = (0.9, 1.0, 1.1)


@pytest.fixture(scope="module")
def study_table(study) -> pd.DataFrame:
    s = study
    return pd.DataFrame(
        {
            C.DURATION: s["duration"].to_numpy(),
            C.EVENT: s["event"].astype(bool).to_numpy(),
            C.EXIT_TYPE: s["exit_type"].to_numpy(),
            C.STARTER: s["starter"].astype(bool).to_numpy(),
            C.LTI_UTIL: np.where(s["high"] == 1, 1.2, 0.8),
        }
    )


@pytest.fixture(scope="module")
def swept(study_table) -> pd.DataFrame:
    return sweep(study_table, thresholds=THRESHOLDS)


@pytest.mark.parametrize("population", ["all", "starters"])
def test_sweep_hazard_ratio_and_interval_match_coxph(swept, expected, population):
    ref = expected("sweep").set_index("population").loc[population]
    part = swept[swept["population"] == population]
    assert set(part["threshold"]) == set(THRESHOLDS)
    assert (part["note"] == "").all()
    np.testing.assert_allclose(part["hr_above"], ref["hr"], rtol=1e-7, atol=0)
    np.testing.assert_allclose(part["hr_lower"], ref["hr_lower"], rtol=1e-7, atol=0)
    np.testing.assert_allclose(part["hr_upper"], ref["hr_upper"], rtol=1e-7, atol=0)
    np.testing.assert_allclose(part["logrank_p"], ref["logrank_p"], rtol=1e-6, atol=0)


@pytest.mark.parametrize("population", ["all", "starters"])
def test_sweep_cumulative_incidences_match_survfit(swept, expected, population):
    model = "study_by_high" if population == "all" else "study_starters_by_high"
    km = expected("km_cuminc")
    km = km[(km["model"] == model) & (km["conf_type"] == "log-log") & km["time"].isin(range(1, 8))]
    cif = expected("sweep_cif")
    cif = cif[cif["population"] == population]
    for t in THRESHOLDS:
        part = swept[(swept["population"] == population) & (swept["threshold"] == t)]
        for lab, code in (("within", 0), ("above", 1)):
            ours = part[part["group"] == lab].sort_values("time")
            k = km[km["group"].astype(str) == str(code)].sort_values("time")
            c = cif[cif["group"].astype(str) == str(code)].sort_values("time")
            assert list(ours["time"]) == list(k["time"]) == list(c["time"]) == list(range(1, 8))
            np.testing.assert_allclose(ours["n_at_risk"], k["n_risk"], atol=0)
            for a, b in (("km_cum_inc", "cum_inc"), ("km_cum_inc_lower", "cum_inc_lower"),
                         ("km_cum_inc_upper", "cum_inc_upper")):
                np.testing.assert_allclose(ours[a], k[b], rtol=0, atol=1e-8, err_msg=f"{t} {lab} {a}")
            for a in ("cif", "cif_lower", "cif_upper"):
                np.testing.assert_allclose(ours[a], c[a], rtol=0, atol=1e-8, err_msg=f"{t} {lab} {a}")


def test_compare_groups_interval_at_another_level(study_table, expected):
    """At alpha = 0.10 the limits are exp(log hr -/+ 1.645 se), se from the .95 limits of R."""
    ref = expected("sweep").set_index("population").loc["all"]
    above = study_table[C.LTI_UTIL].to_numpy() > 1.0
    res = compare_groups(study_table, above, alpha=0.10)
    se = (np.log(ref["hr_upper"]) - np.log(ref["hr_lower"])) / (2 * 1.959963984540054)
    z90 = 1.6448536269514722
    np.testing.assert_allclose(res["hr_lower"], ref["hr"] * np.exp(-z90 * se), rtol=1e-7)
    np.testing.assert_allclose(res["hr_upper"], ref["hr"] * np.exp(z90 * se), rtol=1e-7)


def test_threshold_is_strict(study_table):
    """"Above" is ``lti_util > threshold``: at 1.2 the rows with utilisation exactly 1.2 are within."""
    res = sweep(study_table, thresholds=[1.2], populations={"all": None}, horizons=[7])
    assert list(res["group"]) == ["within"]
    assert res["n"].item() == len(study_table)
    assert res["note"].item() == "only group 'within' present"
