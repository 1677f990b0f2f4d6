"""Planted truth: coverage of the Cox and discrete-time hazard-ratio intervals.

Each repetition simulates 800 subjects with eight independent binary
covariates (share 1/2) and planted log hazard ratios ``BETA``; the event time
is exponential with rate 0.08 exp(x'beta) per year (a proportional-hazards
process), follow-up ends after 3, 4 or 5 whole years or at the end of a year
in which the subject leaves (probability 0.05 a year), so about 38% have the
event. The Cox model (Efron ties) sees the event time in months; the
discrete-time model (cloglog link) sees only the year of the event, which is
exactly its grouped proportional-hazards model. Both must cover the planted
hazard ratios with their 95% Wald intervals 95% of the time.

Acceptance window. Over ``N_REP = 625`` repetitions each model gives
``N = 5000`` coverage indicators (8 per fit; the estimates of independent
balanced covariates are nearly independent, so the count of covered
coefficients is close to Binomial(N, p)). With the window
``[binom.ppf(a, N, .95), binom.isf(a, N, .95)]`` and ``a = 2.5e-4`` per tail, a
correct model fails with probability < 5e-4 per model, < 1e-3 for both. The
window is [0.939, 0.9604] (coverage share). An interval 10% too wide (critical
value 1.1 x 1.96) covers P(|Z| < 2.156) = 0.969 of the time: it is inside the
window with probability 4.7e-4; one 10% too narrow (0.9 x 1.96) covers 0.922
and is inside with probability 3e-6 (``test_window_separates_wrong_widths``
recomputes these numbers). A larger simulation of this design (20,000
indicators per model) gave coverages 0.950 (Cox) and 0.949 (discrete), so the
Wald intervals are correct to within the simulation error at this sample
size. The run is seeded (deterministic); ``pytest -s`` prints the coverages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cohorts.survival import fit_cox, fit_discrete

BETA = np.array([0.5, 0.3, -0.4, 0.2, 0.0, -0.2, 0.4, 0.1])
NAMES = [f"x{i}" for i in range(len(BETA))]
N_REP = 625
N = 800
N_IND = N_REP * len(BETA)
TAIL = 2.5e-4  # per tail and model: two models x two tails < 1e-3


def window(n_ind: int = N_IND, p: float = 0.95, tail: float = TAIL) -> tuple[int, int]:
    """Smallest and largest accepted number of covering intervals out of ``n_ind``."""
    b = stats.binom(n_ind, p)
    return int(b.ppf(tail)), int(b.isf(tail))


def simulate(seed: int, n: int = N) -> pd.DataFrame:
    """One planted data set: ``time`` (months, for Cox), ``year`` (for the discrete model), ``event``."""
    rng = np.random.default_rng(seed)
    X = (rng.random((n, len(BETA))) < 0.5).astype(float)
    t = rng.exponential(1.0 / (0.08 * np.exp(X @ BETA)))
    end = np.minimum(rng.integers(3, 6, size=n), rng.geometric(0.05, size=n))  # observed through year `end`
    year_of_event = np.ceil(t)
    event = year_of_event <= end
    df = pd.DataFrame(X, columns=NAMES)
    df["time"] = np.where(event, np.ceil(t * 12.0) / 12.0, end)
    df["year"] = np.where(event, year_of_event, end).astype(int)
    df["event"] = event
    return df


def test_window_separates_wrong_widths():
    lo, hi = window()
    z = stats.norm.ppf(0.975)
    correct = stats.binom(N_IND, 0.95)
    assert correct.cdf(lo - 1) + correct.sf(hi) < 2 * TAIL
    for factor in (1.1, 0.9):
        p = 2.0 * stats.norm.cdf(factor * z) - 1.0
        wrong = stats.binom(N_IND, p)
        assert wrong.cdf(hi) - wrong.cdf(lo - 1) < 1e-3, factor
    assert 0.938 < lo / N_IND < 0.94 and 0.96 < hi / N_IND < 0.961


def test_interval_coverage_of_planted_hazard_ratios():
    hr = np.exp(BETA)
    hits = {"cox": 0, "discrete": 0}
    for rep in range(N_REP):
        df = simulate(10_000 + rep)
        cox = fit_cox(df, duration="time", event="event", covariates=NAMES).summary
        disc = fit_discrete(df, duration="year", event="event", covariates=NAMES).summary
        for key, s in (("cox", cox), ("discrete", disc)):
            lower = s.loc[NAMES, "hr_lower"].to_numpy()
            upper = s.loc[NAMES, "hr_upper"].to_numpy()
            hits[key] += int(((lower <= hr) & (hr <= upper)).sum())
    lo, hi = window()
    print(f"\nplanted-truth coverage over {N_REP} repetitions x {len(BETA)} coefficients "
          f"(accepted {lo / N_IND:.4f}..{hi / N_IND:.4f}): "
          + ", ".join(f"{k}={v / N_IND:.4f}" for k, v in hits.items()))
    for key, v in hits.items():
        assert lo <= v <= hi, (key, v / N_IND)


def test_simulation_follows_its_design():
    df = simulate(1, n=20_000)
    assert 0.34 < df["event"].mean() < 0.42
    assert df["year"].between(1, 5).all()
    ev = df["event"].to_numpy()
    # the Cox time lies in the year the discrete model sees
    assert np.all(np.ceil(df["time"].to_numpy()[ev]) == df["year"].to_numpy()[ev])
    assert np.all(df["time"].to_numpy()[~ev] == df["year"].to_numpy()[~ev])
