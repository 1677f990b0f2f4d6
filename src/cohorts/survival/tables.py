"""Every survival table of ``cohorts analyze``, computed from the cohort table in memory.

This is the study-specific wiring of the generic functions: the groups are
"within" (``lti_util <= threshold``) and "high" (``lti_util > threshold``), the
populations all new mortgages and starters, the adjusted models add starter
(all mortgages only), NHG and the origination cohort as a categorical term.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from cohorts.columns import COHORT, DURATION, EVENT, EXIT_TYPE, HIGH, LTI_UTIL, NHG, STARTER
from cohorts.survival._validate import check_alpha
from cohorts.survival.cif import fit_cif
from cohorts.survival.cox import fit_cox
from cohorts.survival.discrete import fit_discrete
from cohorts.survival.km import fit_km
from cohorts.survival.logrank import logrank
from cohorts.survival.sweep import (
    DEFAULT_HORIZONS,
    DEFAULT_THRESHOLDS,
    _check_inputs,
    by_cohort,
    default_populations,
    sweep,
)

GROUP_WITHIN = "within"
GROUP_HIGH = "high"
TABLES = ("km", "logrank", "cox", "ph", "discrete", "cif", "sweep", "by_cohort")


def _adjusted_covariates(sub: pd.DataFrame, *, with_starter: bool) -> list[str]:
    covs = [HIGH]
    if with_starter and sub[STARTER].nunique() > 1:
        covs.append(STARTER)
    if NHG in sub.columns and sub[NHG].nunique() > 1:
        covs.append(NHG)
    if sub[COHORT].nunique() > 1:
        covs.append(f"C({COHORT})")
    return covs


def analysis_tables(
    df: pd.DataFrame,
    *,
    threshold: float = 1.0,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    horizons: Iterable[float] = DEFAULT_HORIZONS,
    alpha: float = 0.05,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Compute the survival tables of the study from the cohort table.

    Parameters
    ----------
    df : pandas.DataFrame
        The cohort table (one row per new mortgage) with at least ``duration``,
        ``event``, ``exit_type``, ``cohort``, ``starter`` and ``lti_util``
        (``nhg`` is used when present).
    threshold : float, default 1.0
        Utilisation cut-off of the "high" group for the main tables.
    thresholds : sequence of float, default (0.8, 0.9, 1.0, 1.1, 1.2)
        Cut-offs of the sweep table.
    horizons : iterable of float, default 1..7
        Times on the study scale (1 = origination year) for the sweep tables.
    alpha : float, default 0.05
        1 - confidence level of every interval.
    progress : callable, optional
        Receives one line per finished step (a population's models, the
        sweep, the by-cohort table) with its wall time, e.g.
        ``"  starters (1,234 mortgages): ... (0.8 s)"``; ``cohorts analyze``
        prints them.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``km`` (Kaplan-Meier per population and group), ``logrank``
        (observed/expected per group with the test), ``cox`` (univariable and
        adjusted Cox models, Efron ties), ``ph`` (``check_ph`` of the adjusted
        models, R ``cox.zph`` default), ``discrete`` (adjusted cloglog annual
        hazard model; a row with only ``note`` filled if it cannot be fitted,
        e.g. a year without events), ``cif`` (Aalen-Johansen cumulative incidence of arrears,
        leaving the data as competing event), ``sweep`` and ``by_cohort``.
        Every table has a ``population`` column (``"all"``, ``"starters"``).

    Raises
    ------
    cohorts.errors.ContractError
        Missing columns or invalid values (nothing is computed then).
    """
    alpha = check_alpha(alpha)
    hs = list(horizons)
    pops = default_populations()
    _check_inputs(
        df, duration=DURATION, event=EVENT, exit_type=EXIT_TYPE, lti_util=LTI_UTIL,
        populations=pops, extra=[COHORT],
    )
    cols = [DURATION, EVENT, EXIT_TYPE, COHORT, STARTER] + ([NHG] if NHG in df.columns else [])
    work = df[cols].copy()
    work[HIGH] = df[LTI_UTIL].to_numpy(dtype=float) > threshold
    work["_group"] = np.where(work[HIGH], GROUP_HIGH, GROUP_WITHIN)
    say = progress if progress is not None else (lambda line: None)
    out: dict[str, list[pd.DataFrame]] = {k: [] for k in TABLES}
    for name, col in pops.items():
        t = time.perf_counter()
        sub = work if col is None else work[work[col].astype(bool)]
        km = fit_km(sub, duration=DURATION, event=EVENT, group="_group", alpha=alpha).summary
        out["km"].append(km.assign(population=name))
        cif = fit_cif(sub, duration=DURATION, event_type=EXIT_TYPE, group="_group", alpha=alpha).summary
        out["cif"].append(cif.assign(population=name))
        if sub["_group"].nunique() == 2:
            lr = logrank(sub, duration=DURATION, event=EVENT, group="_group")
            out["logrank"].append(
                lr.table.assign(statistic=lr.statistic, df=lr.df, p=lr.p_value, population=name)
            )
        models = {"univariable": [HIGH], "adjusted": _adjusted_covariates(sub, with_starter=col is None)}
        for model, covs in models.items():
            fit = fit_cox(sub, duration=DURATION, event=EVENT, covariates=covs, alpha=alpha)
            out["cox"].append(
                fit.summary.reset_index().assign(
                    model=model, n=fit.n, n_events=fit.n_events, loglik=fit.loglik,
                    concordance=fit.concordance, ties=fit.ties, population=name,
                )
            )
            if model == "adjusted":
                out["ph"].append(fit.check_ph().reset_index().assign(transform="km", population=name))
                try:
                    disc = fit_discrete(sub, duration=DURATION, event=EVENT, covariates=covs, alpha=alpha)
                except ValueError as exc:  # e.g. a year without arrears in a small population
                    out["discrete"].append(pd.DataFrame({"population": [name], "note": [str(exc)]}))
                else:
                    out["discrete"].append(
                        disc.summary.reset_index().assign(link=disc.link, n=disc.n,
                                                          n_person_periods=disc.n_person_periods,
                                                          population=name, note="")
                    )
        say(f"  {name} ({len(sub):,} mortgages): Kaplan-Meier, cumulative incidence, log-rank, Cox "
            f"(univariable, adjusted), PH test, discrete-time model ({time.perf_counter() - t:.1f} s)")
    tables = {k: _front(pd.concat(v, ignore_index=True)) for k, v in out.items() if v}
    src = df
    t = time.perf_counter()
    tables["sweep"] = sweep(src, thresholds=thresholds, horizons=hs, alpha=alpha)
    say(f"  threshold sweep ({len(list(thresholds))} thresholds x {len(pops)} populations) "
        f"({time.perf_counter() - t:.1f} s)")
    t = time.perf_counter()
    tables["by_cohort"] = by_cohort(src, threshold=threshold, horizons=hs, alpha=alpha)
    say(f"  by origination cohort ({df[COHORT].nunique()} cohorts) ({time.perf_counter() - t:.1f} s)")
    return tables


def _front(t: pd.DataFrame) -> pd.DataFrame:
    cols = ["population"] + [c for c in t.columns if c != "population"]
    return t[cols]
