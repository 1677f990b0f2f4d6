"""Coverage of the hazard-ratio intervals: checks a planted truth.

Annual arrears are simulated as a grouped proportional-hazards process (the
yearly hazard is 1 - exp(-exp(a_t + 0.5 high + 0.3 starter)), censoring at
the end of follow-up 2..7 years and by random exits), so the true log hazard
ratios are 0.5 (high) and 0.3 (starter). Over 200 seeded repetitions the 95%
Wald intervals of the Efron Cox model and of the cloglog discrete-time model
must cover the truth about 95% of the time; with 200 repetitions the standard
error of a coverage is 1.5 points, so we accept [0.90, 0.99]. The number of
repetitions and the observed coverage are printed (``pytest -s`` shows them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts.survival import fit_cox, fit_discrete

TRUE = {"high": 0.5, "starter": 0.3}
N_REP = 200
N = 3000


def simulate(seed: int, n: int = N) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    high = rng.random(n) < 0.25
    starter = rng.random(n) < 0.35
    max_dur = rng.integers(2, 8, size=n)
    base = np.log(-np.log1p(-np.array([0.012, 0.018, 0.017, 0.016, 0.015, 0.014, 0.013])))
    lin = TRUE["high"] * high + TRUE["starter"] * starter
    u = rng.random((n, 7))
    h = 1.0 - np.exp(-np.exp(base[None, :] + lin[:, None]))
    leave = rng.random((n, 7)) < 0.05
    years = np.arange(1, 8)[None, :]
    open_ = years <= max_dur[:, None]
    hit = (u < h) & open_
    gone = leave & open_ & ~hit
    first_hit = np.where(hit.any(axis=1), hit.argmax(axis=1) + 1, 99)
    first_gone = np.where(gone.any(axis=1), gone.argmax(axis=1) + 1, 99)
    event = first_hit <= np.minimum(first_gone, max_dur)
    duration = np.where(event, first_hit, np.minimum(first_gone, max_dur))
    return pd.DataFrame({"duration": duration, "event": event, "high": high, "starter": starter})


def test_interval_coverage_of_planted_hazard_ratios():
    hits = {("cox", k): 0 for k in TRUE} | {("discrete", k): 0 for k in TRUE}
    for rep in range(N_REP):
        df = simulate(10_000 + rep)
        cox = fit_cox(df, duration="duration", event="event", covariates=list(TRUE)).summary
        disc = fit_discrete(df, duration="duration", event="event", covariates=list(TRUE)).summary
        for k, beta in TRUE.items():
            hr = np.exp(beta)
            hits[("cox", k)] += bool(cox.loc[k, "hr_lower"] <= hr <= cox.loc[k, "hr_upper"])
            hits[("discrete", k)] += bool(disc.loc[k, "hr_lower"] <= hr <= disc.loc[k, "hr_upper"])
    coverage = {key: v / N_REP for key, v in hits.items()}
    print(f"\nplanted-truth coverage over {N_REP} repetitions of n={N}: "
          + ", ".join(f"{m}/{k}={c:.3f}" for (m, k), c in coverage.items()))
    for key, c in coverage.items():
        assert 0.90 <= c <= 0.99, (key, c)


def test_simulation_is_study_shaped():
    df = simulate(1)
    assert 0.04 < df["event"].mean() < 0.12
    assert df["duration"].between(1, 7).all()
