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
(:func:`cohorts.report.compare.report_n`: Tabel B3, the N under Tabel 1, Figure
7), times the fraction of the study's population that has a value (e.g. the
holders of consumer credit for Tabel B4); where the report prints no N it is
the study's N / ``scale``.  Sums of category shares and whole-population counts
have no SE (``NaN``): the fixed tolerance applies alone.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.report import tables as T

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


# --------------------------------------------------------------------------
# the standard error of one target row
# --------------------------------------------------------------------------
_TABLE_VALUES = {
    "B1": lambda d: d[C.INTEREST_RATE].to_numpy(dtype="float64"),
    "B2": lambda d: 100.0 * d[C.LTV].to_numpy(dtype="float64"),
    "B4": lambda d: d[C.CONSUMER_CREDIT].to_numpy(dtype="float64"),
    "B5": lambda d: d[C.NET_WEALTH].to_numpy(dtype="float64"),
    "B7": lambda d: d[C.BALANCE].to_numpy(dtype="float64"),
    "B8": lambda d: d[C.HOUSE_VALUE].to_numpy(dtype="float64"),
}
_MEAN_RULES = {
    "mean household income": C.HOUSEHOLD_INCOME,
    "mean interest rate": C.INTEREST_RATE,
    "mean mortgage debt": C.BALANCE,
}
#: Parent population of a Tabel B3 count (binomial in the parent).
B3_PARENT = {"new_high": "new", "starters": "new", "starters_high": "starters"}


def _value(targets: pd.DataFrame, id_: str) -> float | None:
    hit = targets.loc[targets["id"] == id_, "value"]
    return float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else None


def count_parent(targets: pd.DataFrame, row: pd.Series) -> float | None:
    """The report's N of the population a count target is a part of, or ``None`` (see the module docstring)."""
    i, g, y = str(row["id"]), str(row["group"]), str(row["cohort_year"])
    m = re.match(r"^T1_N_(new|starters)_high_io_(\d{4})$", i)
    if m:
        return _value(targets, f"TB3_{m.group(1)}_high_{m.group(2)}")
    if i.startswith("TB3_") and g in B3_PARENT:
        return _value(targets, f"TB3_{B3_PARENT[g]}_{y}")
    if re.match(r"^FB[12]_N_\d{4}$", i):
        return _value(targets, f"TB3_new_{y}")
    if i == "F7_N_arrears":
        return _value(targets, "F7_N_mortgages")
    m = re.match(r"^(F[89]_N_(?:within|high))_y(\d+)$", i)
    if m and int(m.group(2)) > 1:
        return _value(targets, f"{m.group(1)}_y1")
    m = re.match(r"^(F6_N_starters)_y(\d+)$", i)
    if m and int(m.group(2)) > 0:
        return _value(targets, f"{m.group(1)}_y0")
    return None


def _n_values(n_report: float | None, values: np.ndarray, population: int, res) -> float:
    """The report's N times the fraction of the population with a value (or the study's N / scale)."""
    k = int(np.isfinite(values).sum())
    if n_report is not None and population > 0:
        return n_report * k / population
    return k / res.scale


def _growth_values(res, group: str, k: int) -> np.ndarray:
    """Income growth ``100 (income_k / income_0 - 1)`` at ``k`` years, as :func:`cohorts.report.tables.income_growth_data`."""
    p = res.panel
    base = p.loc[p[C.YEARS_SINCE_ORIGINATION] == 0, [C.LOAN_ID, C.HOUSEHOLD_INCOME]].rename(
        columns={C.HOUSEHOLD_INCOME: "_base"})
    q = p.loc[p[C.YEARS_SINCE_ORIGINATION] == k].merge(base, on=C.LOAN_ID, how="inner")
    q = q.loc[q["_base"].gt(0) & q[C.HOUSEHOLD_INCOME].notna()]
    if group == "starters":
        q = q.loc[q[C.STARTER].astype(bool)]
    return 100.0 * (q[C.HOUSEHOLD_INCOME].to_numpy(dtype="float64") / q["_base"].to_numpy(dtype="float64") - 1.0)


def _km_se_study(res, row: pd.Series, category: str) -> tuple[float, float]:
    from cohorts.report import compare as K

    starters, _ = K._km_population(row)
    thr = None if pd.isna(row["threshold"]) else float(row["threshold"]) / 100.0
    key = ("km_frame", starters, thr)
    frame = res._cached(key, lambda: T.survival_frame(res.cohorts, starters=starters, threshold=thr))
    sub = frame.loc[frame["category"] == category]
    return greenwood_se(sub[C.DURATION].to_numpy(), sub[C.EVENT].to_numpy(dtype=bool), K._horizon(res, row))


def report_se(res, targets: pd.DataFrame, row: pd.Series, *, rule: str, kind: str) -> float:
    """The standard error of a target at the report's own N, in the target's unit (``NaN`` where none applies).

    Parameters
    ----------
    res : cohorts.report.compare.StudyResults
    targets : pandas.DataFrame
        The full target list (for the report's N).
    row : pandas.Series
        The target row.
    rule : str
        Name of the rule that computed the number (:data:`cohorts.report.compare.RULES`).
    kind : str
        The tolerance kind.
    """
    from cohorts.report import compare as K

    target = float(row["value"])
    if kind == "share":
        n = K.report_n(targets, row)
        return 100.0 * binomial_se(target / 100.0, n) if n else float("nan")
    if kind == "count":
        parent = count_parent(targets, row)
        return subpopulation_count_se(target, parent) if parent else float("nan")
    if kind == "cum_incidence":
        _, cat = K._km_population(row)
        return 100.0 * _km_se_study(res, row, cat)[1] * math.sqrt(res.scale)
    if kind == "ratio":
        if not re.search(r"^ratio of arrears probability", str(row["quantity"])):
            return float("nan")
        s_h, se_h = _km_se_study(res, row, "high")
        s_w, se_w = _km_se_study(res, row, "within")
        return ratio_se(1.0 - s_h, se_h, 1.0 - s_w, se_w) * math.sqrt(res.scale)
    if kind == "percent" and rule == "median income growth":
        k = int(row["horizon_years"])
        group = "starters" if row["group"] == "starters" else "new"
        v = _growth_values(res, group, k)
        n = _value(targets, f"F6_N_starters_y{k}") if group == "starters" else None
        return median_se(v, n if n else len(v) / res.scale)
    if kind == "percent_points" and rule == "interest-only rate premium":
        return _premium_se(res, row)
    if kind in ("euro", "mean_percent"):
        return _mean_or_median_se(res, targets, row, rule)
    return float("nan")


def _mean_or_median_se(res, targets: pd.DataFrame, row: pd.Series, rule: str) -> float:
    from cohorts.report import compare as K

    median = False
    if rule == "table cell":
        tid = K._table_id(row)
        if tid not in _TABLE_VALUES:
            return float("nan")
        sub = K._stock_subset(res, row) if row["group"] == "stock" else K._subset(res, row)
        v = _TABLE_VALUES[tid](sub)
        if tid == "B4" and res.options.table_b4_among == "holders":
            v = np.where(v > 0, v, np.nan)
        median = tid == "B5"
    elif rule == "median net wealth":
        sub = K._subset(res, row)
        v, median = sub[C.NET_WEALTH].to_numpy(dtype="float64"), True
    elif rule == "mean consumer-credit amount":
        sub = K._subset(res, row)
        v = sub[C.CONSUMER_CREDIT].to_numpy(dtype="float64")
        if res.options.table_b4_among == "holders":
            v = np.where(v > 0, v, np.nan)
    elif rule in _MEAN_RULES:
        sub = K._subset(res, row)
        v = sub[_MEAN_RULES[rule]].to_numpy(dtype="float64")
    elif rule == "mean LTV":
        sub = K._subset(res, row)
        v = 100.0 * sub[C.LTV].to_numpy(dtype="float64")
    elif rule == "mean interest-only volume":
        sub = K._subset(res, row)
        v = K._io_volume(sub)
    else:
        return float("nan")
    n = _n_values(K.report_n(targets, row), v, len(sub), res)
    return median_se(v, n) if median else mean_se(v, n)


def _premium_se(res, row: pd.Series) -> float:
    from cohorts.report import compare as K

    c = res.cohorts.loc[T.cohort_selection(res.cohorts, K._years(row))]
    var, weights = 0.0, 0.0
    for _, g in c.groupby(C.COHORT, sort=True):
        io = g[C.INTEREST_ONLY_AMOUNT].to_numpy(dtype="float64") > 0
        rate = g[C.INTEREST_RATE].to_numpy(dtype="float64")
        if io.sum() > 1 and (~io).sum() > 1:
            w = float(len(g))
            var += w * w * (np.var(rate[io], ddof=1) / (io.sum() / res.scale)
                            + np.var(rate[~io], ddof=1) / ((~io).sum() / res.scale))
            weights += w
    return math.sqrt(var) / weights if weights > 0 else float("nan")


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
