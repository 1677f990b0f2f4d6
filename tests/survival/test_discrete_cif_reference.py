"""External reference: the discrete-time model, its inference and the Aalen-Johansen CIF against R.

References: ``glm(y ~ 0 + factor(period) + ..., binomial(link))`` on the
person-year expansion (``expected_discrete.csv``; coefficients and standard
errors to 1e-6) and the multi-state ``survfit(Surv(time, state) ~ group, id=id)``
(``expected_cif.csv``; estimate, infinitesimal-jackknife standard error and
log interval to 1e-8). The covariates' Wald intervals (R ``confint.default``,
not the profile ``confint``) at .95 and .90, z and p come from
``expected_discrete_ci.csv`` (limits and p to a relative 1e-6 and 1e-5, z to
1e-5: the glm and this fit each stop at their own convergence criterion). Also checks, as properties, that the grouped fit equals
a fit on the explicit person-period rows and that the CIF reduces to 1 - KM
without competing events.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from cohorts.survival import fit_cif, fit_discrete, fit_km, person_period

COVS = ["high", "starter", "nhg", "C(cohort)"]


@pytest.mark.parametrize("link", ["cloglog", "logit"])
def test_discrete_matches_glm(study, expected, link):
    ref = expected("discrete")
    ref = ref[ref["model"] == f"study_{link}"]
    assert len(ref) == 15
    res = fit_discrete(study, duration="duration", event="event", covariates=COVS, link=link)
    coef = np.r_[res.baseline["coef"], res.params]
    se = np.r_[res.baseline["se"], np.sqrt(np.diag(res.cov))]
    np.testing.assert_allclose(coef, ref["coef"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(se, ref["se"], rtol=0, atol=1e-6)
    assert res.loglik == pytest.approx(ref["loglik"].iloc[0], abs=1e-6)
    assert res.n_person_periods == ref["n_person_years"].iloc[0]
    ratio = "hr" if link == "cloglog" else "or"
    np.testing.assert_allclose(res.summary[ratio], np.exp(res.summary["coef"]), rtol=1e-15)


def test_person_period_expansion(study):
    pp = person_period(study, duration="duration", event="event", columns=["high"])
    assert len(pp) == study["duration"].sum()
    assert pp["event"].sum() == study["event"].sum()
    last = pp.groupby("row")["period"].max().to_numpy()
    np.testing.assert_array_equal(last, study["duration"].to_numpy())
    np.testing.assert_array_equal(pp["high"].to_numpy(), study["high"].to_numpy()[pp["row"].to_numpy()])


def test_grouped_fit_equals_row_level_glm(study):
    small = study.iloc[:1500]
    res = fit_discrete(small, duration="duration", event="event", covariates=["high", "starter"])
    pp = person_period(small, duration="duration", event="event", columns=["high", "starter"])
    periods = np.eye(int(pp["period"].max()))[pp["period"].to_numpy() - 1]
    exog = np.column_stack([periods, pp[["high", "starter"]].to_numpy(float)])
    glm = sm.GLM(pp["event"].to_numpy(float), exog,
                 family=sm.families.Binomial(link=sm.families.links.CLogLog())).fit(tol=1e-12)
    np.testing.assert_allclose(res.params.to_numpy(), glm.params[-2:], atol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), glm.bse[-2:], atol=1e-8)


@pytest.mark.parametrize(("model", "group"), [("study_all", None), ("study_by_high", "high")])
def test_cif_matches_multistate_survfit(study, expected, model, group):
    ref = expected("cif")
    ref = ref[ref["model"] == model]
    assert len(ref) > 0
    res = fit_cif(study, duration="duration", event_type="exit_type", group=group).summary
    assert list(res["group"].astype(str)) == list(ref["group"].astype(str))
    for ours, theirs in [("time", "time"), ("n_at_risk", "n_risk"), ("cif", "cif"),
                         ("std_err", "std_err"), ("cif_lower", "lower"), ("cif_upper", "upper")]:
        np.testing.assert_allclose(res[ours], ref[theirs], rtol=0, atol=1e-8, err_msg=ours)


def test_cif_without_competing_events_is_one_minus_km(rossi):
    df = rossi.assign(kind=np.where(rossi["arrest"] == 1, "arrears", "observed_end"))
    cif = fit_cif(df, duration="week", event_type="kind").summary
    km = fit_km(df, duration="week", event="arrest").summary
    np.testing.assert_allclose(cif["cif"], 1 - km["surv"], atol=1e-12)
    # and then the jackknife variance is close to Greenwood's (delta method on S)
    np.testing.assert_allclose(cif["std_err"], km["std_err"] * km["surv"], rtol=0.02, atol=1e-4)


def test_cif_not_above_one_minus_km(study):
    cif = fit_cif(study, duration="duration", event_type="exit_type").summary
    km = fit_km(study, duration="duration", event="event").summary
    assert np.all(cif["cif"].to_numpy() <= 1 - km["surv"].to_numpy() + 1e-12)


@pytest.mark.parametrize("link", ["cloglog", "logit"])
@pytest.mark.parametrize("level", [0.95, 0.90])
def test_discrete_wald_intervals_z_p_match_glm(study, expected, link, level):
    """``confint.default`` (Wald) limits, z and ``Pr(>|z|)`` of the covariates (``expected_discrete_ci.csv``)."""
    ref = expected("discrete_ci")
    ref = ref[(ref["model"] == f"study_{link}") & np.isclose(ref["level"], level)]
    ref = ref[~ref["term"].str.startswith("factor(period)")]
    assert len(ref) == 8
    res = fit_discrete(study, duration="duration", event="event", covariates=COVS, link=link,
                       alpha=1.0 - level)
    summ = res.summary
    names = [n.replace("cohort[T.", "factor(cohort)").replace("]", "") for n in summ.index]
    assert names == list(ref["term"])
    k = res.ratio_name
    np.testing.assert_allclose(summ[f"{k}_lower"], ref["exp_lower"], rtol=1e-6, atol=0)
    np.testing.assert_allclose(summ[f"{k}_upper"], ref["exp_upper"], rtol=1e-6, atol=0)
    np.testing.assert_allclose(summ["z"], ref["z"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(summ["p"], ref["p"], rtol=1e-5, atol=0)


@pytest.mark.parametrize("link", ["cloglog", "logit"])
def test_baseline_hazard_is_the_inverse_link_of_glm_period_coefficients(study, expected, link):
    ref = expected("discrete")
    ref = ref[(ref["model"] == f"study_{link}") & ref["term"].str.startswith("factor(period)")]
    res = fit_discrete(study, duration="duration", event="event", covariates=COVS, link=link)
    a = ref["coef"].to_numpy()
    want = 1.0 - np.exp(-np.exp(a)) if link == "cloglog" else 1.0 / (1.0 + np.exp(-a))
    np.testing.assert_array_equal(res.baseline["period"], np.arange(1, len(a) + 1))
    np.testing.assert_allclose(res.baseline["hazard"], want, rtol=1e-6)
