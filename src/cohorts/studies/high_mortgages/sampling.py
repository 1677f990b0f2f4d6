"""The standard error of each AFM 2022 target at the report's own N (the comparison's ``report_se``).

The formulas are the engine's (:mod:`cohorts.report.sampling`, where the method is described); this
module says which one applies to which target of the report and where its N comes from
(:func:`cohorts.studies.high_mortgages.comparison.report_n`: Tabel B3, the N under Tabel 1, Figure 7).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.report.sampling import (
    binomial_se,
    greenwood_se,
    mean_se,
    median_se,
    ratio_se,
    subpopulation_count_se,
)
from cohorts.studies.high_mortgages import tables as T

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
    """Income growth ``100 (income_k / income_0 - 1)`` at ``k`` years, as :func:`cohorts.studies.high_mortgages.tables.income_growth_data`."""
    p = res.panel
    base = p.loc[p[C.YEARS_SINCE_ORIGINATION] == 0, [C.LOAN_ID, C.HOUSEHOLD_INCOME]].rename(
        columns={C.HOUSEHOLD_INCOME: "_base"})
    q = p.loc[p[C.YEARS_SINCE_ORIGINATION] == k].merge(base, on=C.LOAN_ID, how="inner")
    q = q.loc[q["_base"].gt(0) & q[C.HOUSEHOLD_INCOME].notna()]
    if group == "starters":
        q = q.loc[q[C.STARTER].astype(bool)]
    return 100.0 * (q[C.HOUSEHOLD_INCOME].to_numpy(dtype="float64") / q["_base"].to_numpy(dtype="float64") - 1.0)


def _km_se_study(res, row: pd.Series, category: str) -> tuple[float, float]:
    from cohorts.studies.high_mortgages import rules as K

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
    res : cohorts.studies.high_mortgages.comparison.StudyResults
    targets : pandas.DataFrame
        The full target list (for the report's N).
    row : pandas.Series
        The target row.
    rule : str
        Name of the rule that computed the number (:data:`cohorts.studies.high_mortgages.comparison.RULES`).
    kind : str
        The tolerance kind.
    """
    from cohorts.studies.high_mortgages import rules as K

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
    from cohorts.studies.high_mortgages import rules as K

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
    from cohorts.studies.high_mortgages import rules as K

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
