"""Discrete-time (annual) hazard models fitted on the person-year expansion with statsmodels.

With annual snapshots an event is only known to have happened "in year t", so
the natural model is for the conditional probability of first arrears in year
t given none before, h(t | x) = F(alpha_t + x'beta), with a free baseline
alpha_t per year. With the complementary log-log link exp(beta) is a hazard
ratio of the underlying continuous-time proportional-hazards model that was
only observed in yearly intervals (grouped-data Cox model; Prentice & Gloeckler
1978), so it is the natural companion of a Cox model with heavy ties; with the
logit link exp(beta) is an odds ratio of the annual hazard (Cox's 1972
discrete logistic model).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from cohorts.errors import ContractError, Failure
from cohorts.survival._design import build_design
from cohorts.survival._validate import SOURCE, check_alpha, check_choice, check_survival
from cohorts.survival.cox import ConvergenceError

LINKS = ("cloglog", "logit")
PERIOD = "period"


def _whole_durations(df: pd.DataFrame, duration: str, dur: np.ndarray) -> np.ndarray:
    bad = dur != np.round(dur)
    if bad.any():
        rows = ", ".join(f"row {df.index[i]!r}: {dur[i]!r}" for i in np.flatnonzero(bad)[:3])
        raise ContractError([Failure(SOURCE, duration, "whole number of periods >= 1", int(bad.sum()), (rows,))])
    return dur.astype(np.int64)


def person_period(
    df: pd.DataFrame, *, duration: str, event: str, columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Expand one row per subject into one row per subject per period at risk.

    Vectorised (``numpy.repeat``), no Python loop over rows: a subject with
    duration D gives D rows with ``period`` 1..D; ``event`` is 1 only in the
    last row, and only if the subject had the event. This is R's
    ``survSplit`` / Stata's ``expand`` step for discrete-time models.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per subject.
    duration : str
        Column of whole-number durations (>= 1); in the study 1 = the origination year.
    event : str
        Column with 1/True for an event in the last period.
    columns : sequence of str, default ()
        Further columns to carry along (repeated for every period).

    Returns
    -------
    pandas.DataFrame
        Columns ``row`` (position of the subject in ``df``), ``period``,
        ``event`` (0/1, named as the input column) and ``columns``.

    Raises
    ------
    cohorts.errors.ContractError
        Missing columns, durations not whole numbers >= 1, events not 0/1.
    """
    dur, ev = check_survival(df, duration=duration, event=event, others=list(columns))
    d = _whole_durations(df, duration, dur)
    rows = np.repeat(np.arange(len(d)), d)
    period = np.arange(rows.size) - np.repeat(np.cumsum(d) - d, d) + 1
    y = (ev[rows] & (period == d[rows])).astype(np.int8)
    out = pd.DataFrame({"row": rows, PERIOD: period, event: y})
    for c in columns:
        out[c] = df[c].to_numpy()[rows]
    return out


@dataclass(frozen=True)
class DiscreteResult:
    """Fitted discrete-time hazard model (immutable).

    Attributes
    ----------
    params : pandas.Series
        Coefficients of the covariates (log hazard ratios for cloglog, log odds
        ratios for logit).
    cov : pandas.DataFrame
        Their variance matrix (inverse observed information of the GLM).
    baseline : pandas.DataFrame
        One row per period: ``period, coef, se, hazard`` where ``hazard`` is the
        annual hazard at covariates 0 (inverse link of ``coef``).
    link : str
        ``"cloglog"`` or ``"logit"``.
    loglik : float
        Binomial log-likelihood (equal to R ``logLik(glm(...))`` on the person-period data).
    n, n_person_periods, n_events : int
        Subjects, person-periods and events.
    alpha : float
        1 - confidence level.
    """

    params: pd.Series
    cov: pd.DataFrame
    baseline: pd.DataFrame
    link: str
    loglik: float
    n: int
    n_person_periods: int
    n_events: int
    alpha: float

    @property
    def ratio_name(self) -> str:
        """``"hr"`` for the cloglog link, ``"or"`` for the logit link."""
        return "hr" if self.link == "cloglog" else "or"

    @property
    def summary(self) -> pd.DataFrame:
        """Tidy table indexed by covariate.

        Columns ``coef, se, hr, hr_lower, hr_upper, z, p`` for the cloglog link
        (hazard ratios) and ``coef, se, or, or_lower, or_upper, z, p`` for the
        logit link (odds ratios); intervals are Wald intervals.
        """
        coef = self.params.to_numpy()
        se = np.sqrt(np.diag(self.cov.to_numpy()))
        zc = stats.norm.ppf(1.0 - self.alpha / 2.0)
        z = coef / se
        k = self.ratio_name
        return pd.DataFrame(
            {
                "coef": coef,
                "se": se,
                k: np.exp(coef),
                f"{k}_lower": np.exp(coef - zc * se),
                f"{k}_upper": np.exp(coef + zc * se),
                "z": z,
                "p": 2.0 * stats.norm.sf(np.abs(z)),
            },
            index=pd.Index(self.params.index, name="covariate"),
        )


def fit_discrete(
    df: pd.DataFrame,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str] | str,
    link: str = "cloglog",
    alpha: float = 0.05,
) -> DiscreteResult:
    """Fit an annual (discrete-time) hazard model with one baseline parameter per period.

    The model is a binomial GLM (statsmodels) for the event indicator of each
    person-period, ``event ~ 0 + C(period) + covariates``, identical to R's
    ``glm(y ~ 0 + factor(period) + ..., family=binomial(link), data=<person-period data>)``
    (tested to 1e-6) and Stata's ``cloglog``/``logit`` on ``expand``-ed data.
    Person-periods with the same period and covariate pattern are summed into
    one binomial row (successes, failures) before fitting, which gives the
    same likelihood, estimates and standard errors with far fewer rows; see
    :func:`person_period` for the explicit expansion.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per subject.
    duration : str
        Column of whole-number durations (>= 1): the period of the event or of
        the last observation (in the study 1 = the origination year).
    event : str
        Column with 1/True for an event in the last period.
    covariates : sequence of str or str
        Column names or ``"C(col)"`` for categorical terms (see
        :func:`cohorts.survival.fit_cox`).
    link : {"cloglog", "logit"}, default "cloglog"
        ``"cloglog"``: exp(coef) is a hazard ratio (grouped proportional
        hazards); ``"logit"``: exp(coef) is an odds ratio of the annual hazard.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    DiscreteResult
        Immutable result with ``summary`` and ``baseline``.

    Raises
    ------
    cohorts.errors.ContractError
        Missing columns, invalid durations or events, or a period without any
        event (its baseline would be minus infinity).
    ConvergenceError
        If the GLM does not converge.
    ValueError
        For an unknown ``link`` or ``alpha`` outside (0, 1).

    References
    ----------
    Prentice, R. L. and Gloeckler, L. A. (1978). Regression analysis of grouped
    survival data with application to breast cancer data. Biometrics 34, 57-67.
    Allison, P. D. (1982). Discrete-time methods for the analysis of event
    histories. Sociological Methodology 13, 61-98.
    """
    check_choice("link", link, LINKS)
    alpha = check_alpha(alpha)
    dur, ev = check_survival(df, duration=duration, event=event)
    d = _whole_durations(df, duration, dur)
    design = build_design(df, covariates)
    X = design.X
    n_per = int(d.max())
    # covariate patterns, then trials/events per (pattern, period) by reverse cumulative sums
    if X.shape[1]:
        pat = pd.DataFrame(X).groupby(list(range(X.shape[1])), sort=True).ngroup().to_numpy()
    else:
        pat = np.zeros(len(d), dtype=np.int64)
    n_pat = int(pat.max()) + 1
    first_row = np.zeros(n_pat, dtype=np.int64)
    first_row[pat[::-1]] = np.arange(len(pat))[::-1]
    key = pat * n_per + (d - 1)
    ends = np.bincount(key, minlength=n_pat * n_per).reshape(n_pat, n_per)
    events = np.bincount(key, weights=ev.astype(float), minlength=n_pat * n_per).reshape(n_pat, n_per)
    trials = np.cumsum(ends[:, ::-1], axis=1)[:, ::-1].astype(float)
    keep = trials > 0
    pi, ti = np.nonzero(keep)
    succ = events[pi, ti]
    fail = trials[pi, ti] - succ
    per_events = np.bincount(ti, weights=succ, minlength=n_per)
    empty = np.flatnonzero(per_events == 0) + 1
    if empty.size:
        raise ContractError(
            [Failure(SOURCE, duration, "at least one event in every period", int(empty.size),
                     (f"periods without events: {empty.tolist()[:5]}",))],
            header="discrete-time model: a period without events has no finite baseline; "
            "restrict the follow-up or pool periods",
        )
    period_dummies = np.zeros((len(ti), n_per))
    period_dummies[np.arange(len(ti)), ti] = 1.0
    exog = np.column_stack([period_dummies, X[first_row[pi]]])
    family = sm.families.Binomial(
        link=sm.families.links.CLogLog() if link == "cloglog" else sm.families.links.Logit()
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm.GLM(np.column_stack([succ, fail]), exog, family=family).fit(tol=1e-12, maxiter=100)
    bad = [w for w in caught if issubclass(w.category, (ConvergenceWarning, PerfectSeparationWarning))]
    if bad or not res.converged:
        msg = str(bad[0].message) if bad else "no convergence"
        raise ConvergenceError(f"discrete-time model ({link}) did not converge: {msg}")
    for w in caught:  # re-emit anything unexpected
        if not issubclass(w.category, (ConvergenceWarning, PerfectSeparationWarning)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    params = np.asarray(res.params)
    cov = np.asarray(res.cov_params())
    names = list(design.names)
    a = params[:n_per]
    a_se = np.sqrt(np.diag(cov)[:n_per])
    hazard = 1.0 - np.exp(-np.exp(a)) if link == "cloglog" else 1.0 / (1.0 + np.exp(-a))
    # binomial log-likelihood of the individual person-periods (no binomial coefficient)
    mu = np.asarray(res.fittedvalues)
    ll = float(np.sum(succ * np.log(mu) + fail * np.log1p(-mu)))
    return DiscreteResult(
        params=pd.Series(params[n_per:], index=names, name="coef"),
        cov=pd.DataFrame(cov[n_per:, n_per:], index=names, columns=names),
        baseline=pd.DataFrame({PERIOD: np.arange(1, n_per + 1), "coef": a, "se": a_se, "hazard": hazard}),
        link=link,
        loglik=ll,
        n=len(d),
        n_person_periods=int(d.sum()),
        n_events=int(ev.sum()),
        alpha=alpha,
    )
