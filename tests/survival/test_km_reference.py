"""External reference: Kaplan-Meier and its cumulative incidence against R.

Reference: ``survival::survfit`` (``tests/reference/make_reference.R``,
``expected_km.csv``, ``expected_km_median.csv``, ``expected_km_at.csv``,
``expected_km_cuminc.csv``: the cumulative incidence 1 - S and its interval
for each conf.type by ``summary(fit, times=)``), run on the inputs written by
``make_data.py``. Tolerance 1e-8 for survival, standard errors, intervals and
at-risk counts, as the issue asks.
"""

from __future__ import annotations

import numpy as np
import pytest

from cohorts.survival import fit_km

TOL = 1e-8

SPECS = {
    "study_all": ("study", "duration", "event", None, None),
    "study_by_high": ("study", "duration", "event", "high", None),
    "study_by_cohort": ("study", "duration", "event", "cohort", None),
    "study_by_high_weighted": ("study", "duration", "event", "high", "w"),
    "study_by_high_intweighted": ("study", "duration", "event", "high", "wi"),
    "rossi_by_fin": ("rossi", "week", "arrest", "fin", None),
    "toy_by_grp": ("toy", "time", "status", "grp", None),
}


def _fit(request, model, conf_type):
    data, duration, event, group, weights = SPECS[model]
    df = request.getfixturevalue(data)
    return fit_km(df, duration=duration, event=event, group=group, conf_type=conf_type, weights=weights)


def _close(ours, theirs):
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    ok = ~np.isnan(theirs)
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=0, atol=TOL)


@pytest.mark.parametrize("conf_type", ["log-log", "log", "plain"])
@pytest.mark.parametrize("model", list(SPECS))
def test_km_matches_survfit(request, expected, model, conf_type):
    ref = expected("km")
    ref = ref[(ref["model"] == model) & (ref["conf_type"] == conf_type)]
    assert len(ref) > 0
    res = _fit(request, model, conf_type).summary
    assert list(res["group"].astype(str)) == list(ref["group"].astype(str))
    _close(res["time"], ref["time"])
    _close(res["n_at_risk"], ref["n_risk"])
    _close(res["n_events"], ref["n_event"])
    _close(res["n_censored"], ref["n_censor"])
    _close(res["surv"], ref["surv"])
    _close(res["surv_lower"], ref["lower"])
    _close(res["surv_upper"], ref["upper"])
    if model == "study_by_high_weighted":
        # non-integer weights: R switches to the infinitesimal jackknife and reports
        # its std.err on the survival scale; ours is on the -log S scale (same interval)
        _close(res["std_err"] * res["surv"], ref["std_err"])
    else:
        _close(res["std_err"], ref["std_err"])


@pytest.mark.parametrize("model", list(SPECS))
def test_median_matches_survfit(request, expected, model):
    ref = expected("km_median")
    ref = ref[ref["model"] == model]
    assert len(ref) > 0
    med = _fit(request, model, "log-log").median
    assert list(med["group"].astype(str)) == list(ref["group"].astype(str))
    _close(med["median"], ref["median"])


def test_toy_median_is_midpoint_of_flat_half(toy):
    # group a: S = 0.75, 0.5, 0.25, 0 at t = 1..4 -> R's median (2 + 3) / 2
    med = fit_km(toy, duration="time", event="status", group="grp").median
    assert med.loc[med["group"] == "a", "median"].item() == 2.5


@pytest.mark.parametrize("model", ["study_by_high", "rossi_by_fin"])
def test_at_matches_summary_times(request, expected, model):
    ref = expected("km_at")
    ref = ref[ref["model"] == model]
    assert len(ref) > 0
    res = _fit(request, model, "log-log")
    hs = ref["time"].unique()
    out = res.at(hs)
    assert list(out["group"].astype(str)) == list(ref["group"].astype(str))
    _close(out["n_at_risk"], ref["n_risk"])
    _close(out["surv"], ref["surv"])
    _close(out["surv_lower"], ref["lower"])
    _close(out["surv_upper"], ref["upper"])
    _close(out["cum_inc"], 1 - ref["surv"])


def test_log_log_interval_agrees_with_lifelines(rossi):
    """A second external engine: lifelines' KaplanMeierFitter (exponential Greenwood interval)."""
    from lifelines import KaplanMeierFitter

    ours = fit_km(rossi[rossi["fin"] == 0], duration="week", event="arrest").summary
    sub = rossi[rossi["fin"] == 0]
    kmf = KaplanMeierFitter().fit(sub["week"], sub["arrest"])
    ci = kmf.confidence_interval_survival_function_.loc[ours["time"].to_numpy()]
    np.testing.assert_allclose(ours["surv"], kmf.survival_function_.loc[ours["time"]].to_numpy().ravel(), atol=TOL)
    np.testing.assert_allclose(ours["surv_lower"], ci.iloc[:, 0], atol=TOL)
    np.testing.assert_allclose(ours["surv_upper"], ci.iloc[:, 1], atol=TOL)


CUMINC_SPECS = {
    "study_all": ("study", "duration", "event", None, None),
    "study_by_high": ("study", "duration", "event", "high", None),
    "study_by_cohort": ("study", "duration", "event", "cohort", None),
    "study_by_high_weighted": ("study", "duration", "event", "high", "w"),
    "rossi_by_fin": ("rossi", "week", "arrest", "fin", None),
}


@pytest.mark.parametrize("conf_type", ["log-log", "log", "plain"])
@pytest.mark.parametrize("model", list(CUMINC_SPECS))
def test_cumulative_incidence_matches_summary_times(request, expected, model, conf_type):
    """1 - S and its interval (1 - upper, 1 - lower) from ``summary(fit, times=)`` (``expected_km_cuminc.csv``)."""
    ref = expected("km_cuminc")
    ref = ref[(ref["model"] == model) & (ref["conf_type"] == conf_type)]
    assert len(ref) > 0
    data, duration, event, group, weights = CUMINC_SPECS[model]
    res = fit_km(request.getfixturevalue(data), duration=duration, event=event, group=group,
                 conf_type=conf_type, weights=weights)
    out = res.at(ref["time"].unique())
    assert list(out["group"].astype(str)) == list(ref["group"].astype(str))
    _close(out["time"], ref["time"])
    _close(out["n_at_risk"], ref["n_risk"])
    _close(out["cum_inc"], ref["cum_inc"])
    _close(out["cum_inc_lower"], ref["cum_inc_lower"])
    _close(out["cum_inc_upper"], ref["cum_inc_upper"])
