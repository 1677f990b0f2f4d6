"""External reference (statsmodels GLM) and planted truth: the subject-level fit of the discrete-time model.

``fit_discrete`` fits ``glm(y ~ 0 + factor(period) + x, binomial(link))`` on
the person-period data without building it. Checked here: (1) a planted
cloglog model is recovered within 3 standard errors; (2) coefficients,
standard errors and log-likelihood equal a statsmodels GLM on the explicit
:func:`person_period` expansion (both links, continuous covariates, to 1e-8);
(3) separation and collinearity raise :class:`ConvergenceError` (the previous
statsmodels-based fit also raised on perfect prediction).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cohorts.survival import ConvergenceError, fit_discrete, person_period

ALPHA = np.log(-np.log1p(-np.array([0.03, 0.05, 0.045, 0.04, 0.035, 0.03])))  # cloglog baseline
BETA = {"b": 0.5, "x": -0.3}


def simulate(seed: int, n: int, alpha: np.ndarray = ALPHA, link: str = "cloglog") -> pd.DataFrame:
    """Subjects with a binary and a continuous covariate, administrative and random censoring."""
    rng = np.random.default_rng(seed)
    T = len(alpha)
    b = rng.random(n) < 0.4
    x = rng.normal(size=n)
    eta = alpha[None, :] + (BETA["b"] * b + BETA["x"] * x)[:, None]
    h = -np.expm1(-np.exp(eta)) if link == "cloglog" else 1.0 / (1.0 + np.exp(-eta))
    hit = rng.random((n, T)) < h
    max_dur = rng.integers(2, T + 1, size=n)  # end of follow-up
    leave = rng.random((n, T)) < 0.04  # random exits (censoring in that period)
    years = np.arange(1, T + 1)[None, :]
    open_ = years <= max_dur[:, None]
    first_hit = np.where((hit & open_).any(axis=1), (hit & open_).argmax(axis=1) + 1, 99)
    gone = leave & open_
    first_gone = np.where(gone.any(axis=1), gone.argmax(axis=1) + 1, 99)
    end = np.minimum(first_gone, max_dur)
    event = first_hit <= end
    return pd.DataFrame({"duration": np.where(event, first_hit, end), "event": event, "b": b, "x": x})


def test_planted_cloglog_model_is_recovered():
    df = simulate(20240611, 6000)
    assert df["duration"].max() == len(ALPHA) and 300 < df["event"].sum() < 1500
    res = fit_discrete(df, duration="duration", event="event", covariates=["b", "x"])
    z_beta = (res.params - pd.Series(BETA)) / np.sqrt(np.diag(res.cov))
    z_alpha = (res.baseline["coef"].to_numpy() - ALPHA) / res.baseline["se"].to_numpy()
    assert np.all(np.abs(z_beta) < 3), z_beta
    assert np.all(np.abs(z_alpha) < 3), z_alpha
    assert res.n == 6000 and res.n_events == int(df["event"].sum())
    assert res.n_person_periods == int(df["duration"].sum())


@pytest.mark.parametrize("link", ["cloglog", "logit"])
def test_equals_statsmodels_glm_on_person_periods(link):
    df = simulate(7, 2000).assign(z=lambda d: np.random.default_rng(8).gamma(2.0, 1.5, len(d)))
    covs = ["b", "x", "z"]
    res = fit_discrete(df, duration="duration", event="event", covariates=covs, link=link)
    pp = person_period(df, duration="duration", event="event", columns=covs)
    periods = np.eye(int(pp["period"].max()))[pp["period"].to_numpy() - 1]
    exog = np.column_stack([periods, pp[covs].to_numpy(float)])
    lk = sm.families.links.CLogLog() if link == "cloglog" else sm.families.links.Logit()
    glm = sm.GLM(pp["event"].to_numpy(float), exog, family=sm.families.Binomial(link=lk)).fit(
        tol=1e-13, maxiter=200
    )
    coef = np.r_[res.baseline["coef"], res.params]
    se = np.r_[res.baseline["se"], np.sqrt(np.diag(res.cov))]
    np.testing.assert_allclose(coef, glm.params, rtol=0, atol=1e-8)
    np.testing.assert_allclose(se, glm.bse, rtol=0, atol=1e-8)
    np.testing.assert_allclose(res.cov.to_numpy(), glm.cov_params()[-3:, -3:], rtol=0, atol=1e-10)
    assert res.loglik == pytest.approx(glm.llf, abs=1e-8)
    assert res.n_person_periods == len(pp)


@pytest.mark.parametrize("link", ["cloglog", "logit"])
def test_perfect_prediction_raises(link):
    # x = 1 exactly when the subject has the event: the coefficient of x is +infinite
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.random(n) < 0.3
    df = pd.DataFrame({"t": rng.integers(1, 4, n), "e": x, "x": x})
    with pytest.raises(ConvergenceError, match="perfect separation or prediction"):
        fit_discrete(df, duration="t", event="e", covariates=["x"], link=link)


@pytest.mark.parametrize("link", ["cloglog", "logit"])
def test_covariate_level_without_events_raises(link):
    # quasi-complete separation: b = 1 never has an event, its coefficient tends to -infinity
    df = simulate(11, 2000, link=link)
    df["b"] = np.where(df["event"], False, df["b"])
    with pytest.raises(ConvergenceError, match="perfect separation or prediction"):
        fit_discrete(df, duration="duration", event="event", covariates=["b", "x"], link=link)


def test_collinear_covariates_raise():
    df = simulate(5, 1000).assign(x2=lambda d: 2.0 * d["x"])
    with pytest.raises(ConvergenceError, match="information matrix is singular"):
        fit_discrete(df, duration="duration", event="event", covariates=["x", "x2"])


def test_row_order_and_index_do_not_matter():
    df = simulate(9, 1500)
    res = fit_discrete(df, duration="duration", event="event", covariates=["b", "x"])
    shuffled = df.sample(frac=1.0, random_state=1).set_index(np.arange(len(df))[::-1] * 3)
    res2 = fit_discrete(shuffled, duration="duration", event="event", covariates=["b", "x"])
    np.testing.assert_allclose(res2.params, res.params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res2.cov, res.cov, rtol=0, atol=1e-12)
    assert res2.loglik == pytest.approx(res.loglik, abs=1e-8)
