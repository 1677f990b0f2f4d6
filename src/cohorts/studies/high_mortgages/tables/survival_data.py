"""The survival data behind Figures 8 and 9, the threshold sweep, the Cox model and the cohort sensitivity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.studies.high_mortgages.tables.populations import high_flag


def survival_frame(cohorts: pd.DataFrame, *, starters: bool, threshold: float | None) -> pd.DataFrame:
    """The survival input of Figures 8/9: ``duration, event, category`` (``within``/``high``), ``cohort``.

    ``starters`` keeps starters only; ``threshold`` (fraction) defines "high"
    (``None`` = the ``high`` column).
    """
    sub = cohorts.loc[cohorts[C.STARTER].to_numpy(dtype=bool)] if starters else cohorts
    high = high_flag(sub, threshold=threshold)
    return pd.DataFrame({
        C.DURATION: sub[C.DURATION].to_numpy(dtype="int64"),
        C.EVENT: sub[C.EVENT].to_numpy(dtype=bool),
        "category": np.where(high, "high", "within"),
        C.COHORT: sub[C.COHORT].to_numpy(dtype="int64"),
    })


def survival_data(
    cohorts: pd.DataFrame,
    *,
    starters: bool = False,
    threshold: float | None = None,
    times: Sequence[int] = tuple(range(1, 8)),
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Figures 8 and 9: Kaplan-Meier share without arrears, within the norm vs high.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``duration`` (1 = the origination year), ``event``, ``high``/``lti_util``.
    starters : bool, default False
        Figure 9 (starters only) instead of Figure 8.
    threshold : float, optional
        LTI-utilisation cut-off for "high"; ``None`` = the ``high`` column.
    times : sequence of int, default 1..7
        The x-axis points (the report's "k jaar").
    alpha : float, default 0.05
        1 - confidence level (log-log intervals).

    Returns
    -------
    pandas.DataFrame
        One row per category (``within``, ``high``) and time: ``category, time,
        n_at_risk, surv, surv_lower, surv_upper, cum_inc, cum_inc_lower,
        cum_inc_upper`` (survival as fractions, from
        :meth:`cohorts.survival.km.KMResult.at`).  ``n_at_risk`` at time k is
        the N the report prints under the figure for "k jaar".
    """
    from cohorts.survival.km import fit_km

    frame = survival_frame(cohorts, starters=starters, threshold=threshold)
    res = fit_km(frame, duration=C.DURATION, event=C.EVENT, group="category", alpha=alpha)
    out = res.at(list(times)).rename(columns={"group": "category"})
    order = {"within": 0, "high": 1}
    out = out.sort_values(["category", "time"], key=lambda s: s.map(order) if s.name == "category" else s,
                          kind="stable").reset_index(drop=True)
    return out


def threshold_sweep_data(
    cohorts: pd.DataFrame,
    *,
    thresholds: Sequence[float] = (0.8, 0.9, 1.0, 1.1, 1.2),
    horizon: int = 7,
    starters: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The robustness sweep: cumulative arrears at ``horizon`` above vs at/below each LTI threshold.

    A thin wrapper of :func:`cohorts.survival.sweep` for one population and
    one horizon.  The report moves the threshold in 10-point steps over
    80-120% and quotes starters above 90% (8.4%) and above 80% (7.6%) after 6
    years (``horizon=7``).

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``duration``, ``event``, ``exit_type``, ``lti_util``, ``starter``.
    thresholds : sequence of float, default (0.8, 0.9, 1.0, 1.1, 1.2)
        LTI-utilisation cut-offs (fractions); "above" is ``lti_util > t``.
    horizon : int, default 7
        Time on the study scale (1 = origination year).
    starters : bool, default True
        Starters only (as the report's quoted numbers) or all new mortgages.
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        :func:`cohorts.survival.sweep` columns (``threshold, population, group``
        = ``within``/``above``, ``time, n, events, n_at_risk, km_cum_inc`` with
        its interval, ``cif`` ..., ``logrank_p, hr_above`` ..., ``note``).
    """
    from cohorts.survival import sweep

    populations = {"starters": C.STARTER} if starters else {"all": None}
    return sweep(cohorts, thresholds=thresholds, populations=populations, horizons=[horizon], alpha=alpha)


def cox_data(
    cohorts: pd.DataFrame,
    *,
    covariates: Sequence[str] = (C.HIGH, C.STARTER, f"C({C.COHORT})"),
    ties: str = "efron",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Cox hazard ratios of first arrears (the report states the comparison only in words).

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``duration``, ``event`` and the covariates.
    covariates : sequence of str, default ``("high", "starter", "C(cohort)")``
        Model terms (see :func:`cohorts.survival.cox.fit_cox`); boolean columns
        are entered as 0/1.
    ties : {"efron", "breslow"}, default "efron"
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        ``covariate, coef, se, hr, hr_lower, hr_upper, z, p`` plus ``n`` and ``n_events``.
    """
    from cohorts.survival.cox import fit_cox

    frame = cohorts.copy()
    for col in frame.columns:
        if frame[col].dtype == bool:
            frame[col] = frame[col].astype("int64")
    res = fit_cox(frame, duration=C.DURATION, event=C.EVENT, covariates=list(covariates), ties=ties, alpha=alpha)
    out = res.summary.reset_index()
    out["n"] = res.n
    out["n_events"] = res.n_events
    return out


def cohort_sensitivity_data(
    cohorts: pd.DataFrame,
    *,
    starters: bool = False,
    threshold: float = 1.0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Arrears within vs high per origination cohort, and leaving one cohort out.

    A thin wrapper of :func:`cohorts.survival.by_cohort` for one population.
    The report states that specific cohorts do not change the picture.

    Returns
    -------
    pandas.DataFrame
        :func:`cohorts.survival.by_cohort` columns: ``view`` (``pooled``,
        ``cohort``, ``leave_one_out``), ``cohort``, ``threshold``,
        ``population``, ``group`` (``within``/``above``), ``time`` (1-7),
        ``n_at_risk``, ``km_cum_inc`` with its interval, ``hr_above`` ... .
    """
    from cohorts.survival import by_cohort

    populations = {"starters": C.STARTER} if starters else {"all": None}
    return by_cohort(cohorts, threshold=threshold, populations=populations, alpha=alpha)
