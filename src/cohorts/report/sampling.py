"""Sampling standard errors of the compared numbers, for every kind of target.

The comparison holds a reproduced number to ``max(fixed tolerance, 3 SE)``
where ``SE`` is the standard error of the *published* number at the report's
own N (``report_se``): a published number is itself an estimate from a finite
population, and a synthetic twin drawn from the same distribution misses it by
sampling noise alone.  ``sample_se`` is the standard error at the run's own N
(the report's N x ``scale``): at scales below 1 it tells how much of a miss is
the noise of the small synthetic sample.

Standard errors by statistic
----------------------------
* **shares** (percent of a counted population): binomial,
  ``100 sqrt(p (1 - p) / N)`` with ``p`` the published share.
* **means**: ``sd / sqrt(N)`` with ``sd`` the standard deviation of the study's
  values in the target's population (``ddof = 1``).
* **medians**: density-based, ``1 / (2 f(m) sqrt(N))`` with ``f(m)`` a Gaussian
  kernel density estimate at the sample median (Silverman's bandwidth
  ``0.9 min(sd, IQR / 1.34) n^(-1/5)``).  Net wealth is skewed and has a
  point mass near zero, so the normal-theory ``sqrt(pi / 2) sd / sqrt(N)`` would
  be far too wide; the kernel estimate follows the actual density at the median.
* **counts of a sub-population** (``new_high`` of ``new``, starters of new,
  the N under Tabel 1 of Tabel B3 ``*_high``, arrears of the Figure 7
  mortgages, the numbers at risk of Figures 6, 8 and 9 of their year-1/year-0
  N): binomial in the parent, ``sqrt(N_parent p (1 - p))`` with
  ``p = target / N_parent``.  Counts of a whole population (Tabel B3 ``new``
  and ``stock``) have no parent and no SE.
* **survival** (cumulative incidence): Greenwood's variance of the
  Kaplan-Meier estimate in the study data, ``S^2 sum d / (n (n - d))``; the
  study's N is the report's N x ``scale``, so ``report_se = greenwood_se x
  sqrt(scale)``.  Ratios of two incidences: the delta method,
  ``r sqrt((se_a / a)^2 + (se_b / b)^2)``.
* **differences of means** (the interest-only rate premium): the cohort-weighted
  ``sqrt(sum w_c^2 (s_1^2 / n_1 + s_0^2 / n_0)) / sum w_c`` at the report's N.

``N`` is the report's N for the target's group and cohort
(:func:`cohorts.studies.high_mortgages.comparison.report_n`: Tabel B3, the N under Tabel 1, Figure
7), times the fraction of the study's population that has a value (e.g. the
holders of consumer credit for Tabel B4); where the report prints no N it is
the study's N / ``scale``.  Sums of category shares and whole-population counts
have no SE (``NaN``): the fixed tolerance applies alone.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: Columns that compare() adds for the sampling check.
SAMPLING_COLUMNS: tuple[str, ...] = ("report_se", "sample_tolerance", "within_sample", "sample_z")


# --------------------------------------------------------------------------
# standard errors of single statistics (hand-checkable)
# --------------------------------------------------------------------------
def binomial_se(p: float, n: float) -> float:
    """Standard error of a share ``p`` (fraction) at ``n``: ``sqrt(p (1 - p) / n)``."""
    if not (n and n > 0):
        return float("nan")
    p = min(max(p, 0.0), 1.0)
    return math.sqrt(p * (1.0 - p) / n)


def mean_se(values: np.ndarray, n: float) -> float:
    """Standard error of a mean at ``n``: the sample standard deviation (ddof 1) / sqrt(n)."""
    v = np.asarray(values, dtype="float64")
    v = v[np.isfinite(v)]
    if len(v) < 2 or not (n and n > 0):
        return float("nan")
    return float(np.std(v, ddof=1) / math.sqrt(n))


def kernel_density_at(values: np.ndarray, x: float) -> float:
    """Gaussian kernel density estimate at ``x`` with Silverman's bandwidth ``0.9 min(sd, IQR/1.34) n^(-1/5)``."""
    v = np.asarray(values, dtype="float64")
    v = v[np.isfinite(v)]
    n = len(v)
    if n < 2:
        return float("nan")
    sd = float(np.std(v, ddof=1))
    q75, q25 = np.percentile(v, [75, 25])
    spread = min(sd, (q75 - q25) / 1.34) if q75 > q25 else sd
    if not spread > 0:
        return float("nan")
    h = 0.9 * spread * n ** (-0.2)
    z = (v - x) / h
    return float(np.exp(-0.5 * z * z).sum() / (n * h * math.sqrt(2.0 * math.pi)))


def median_se(values: np.ndarray, n: float) -> float:
    """Asymptotic standard error of a median at ``n``: ``1 / (2 f(m) sqrt(n))``, ``f`` from :func:`kernel_density_at`."""
    v = np.asarray(values, dtype="float64")
    v = v[np.isfinite(v)]
    if len(v) < 2 or not (n and n > 0):
        return float("nan")
    f = kernel_density_at(v, float(np.median(v)))
    return float(1.0 / (2.0 * f * math.sqrt(n))) if f > 0 else float("nan")


def subpopulation_count_se(count: float, parent: float) -> float:
    """Standard error of a sub-population count, binomial in its parent: ``sqrt(parent p (1 - p))``, ``p = count/parent``."""
    if not (parent and parent > 0):
        return float("nan")
    p = min(max(count / parent, 0.0), 1.0)
    return math.sqrt(parent * p * (1.0 - p))


def greenwood_se(duration: np.ndarray, event: np.ndarray, time: int) -> tuple[float, float]:
    """Kaplan-Meier survival at ``time`` and its Greenwood standard error.

    Returns ``(S(time), S(time) sqrt(sum_{t_j <= time} d_j / (n_j (n_j - d_j))))`` over the event times up to
    ``time`` (a term with ``n_j = d_j`` makes the variance infinite; it is left out, as usual, when S reaches 0).
    """
    d = np.asarray(duration, dtype="float64")
    e = np.asarray(event, dtype=bool)
    s, var_sum = 1.0, 0.0
    for t in np.unique(d[e & (d <= time)]):
        n_at = float((d >= t).sum())
        dj = float(((d == t) & e).sum())
        s *= 1.0 - dj / n_at
        if n_at > dj:
            var_sum += dj / (n_at * (n_at - dj))
    return s, s * math.sqrt(var_sum)


def ratio_se(a: float, se_a: float, b: float, se_b: float) -> float:
    """Delta-method standard error of ``a / b``: ``(a/b) sqrt((se_a/a)^2 + (se_b/b)^2)``."""
    if not (a > 0 and b > 0):
        return float("nan")
    return (a / b) * math.sqrt((se_a / a) ** 2 + (se_b / b) ** 2)


def noise_lines(comparison: pd.DataFrame, *, scale: float | None) -> list[str]:
    """Summary lines on sampling noise at the run's own N (only at scales below 1).

    Counts how many compared targets outside tolerance are within
    ``max(fixed, 3 sample_se)`` -- a miss that the noise of a sample of the
    report's N x ``scale`` explains -- and how many are not.
    """
    if scale is None or scale >= 1.0 or "within_sample" not in comparison.columns:
        return []
    comp = comparison.loc[comparison["status"] == "compared"]
    miss = comp.loc[~comp["within"].astype(bool)]
    noise = miss.loc[miss["within_sample"].astype(bool)]
    return [f"Sampling noise at scale {scale:g} (the run's N = report N x {scale:g}): {len(noise)} of {len(miss)} "
            f"miss(es) are within 3 standard errors at the run's own N (sample_se), so sampling noise alone can "
            f"explain them; {len(miss) - len(noise)} are not. At the run's own N: "
            f"{int(comp['within_sample'].astype(bool).sum())} of {len(comp)} compared targets within "
            f"max(fixed tolerance, 3 sample_se)."]
