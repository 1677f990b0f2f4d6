"""Which statistic of the study data answers which published number of the AFM 2022 report.

The rules (:data:`RULES`) are tried in order by the comparison engine
(:func:`cohorts.report.comparison.compare`); the first whose patterns match a
target row computes its number.  :func:`report_n` gives the report's own N
behind a share (for its standard error).  The conventions are described in
:mod:`cohorts.studies.high_mortgages.comparison`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.report import comparison as _engine
from cohorts.report.comparison import NotReproducible, Rule
from cohorts.studies.high_mortgages import tables as T
from cohorts.studies.high_mortgages.results import StudyResults


# --------------------------------------------------------------------------
# helpers on a target row
# --------------------------------------------------------------------------
def _threshold(row: pd.Series, default: float = 1.0) -> float:
    t = row["threshold"]
    return default if pd.isna(t) else float(t) / 100.0


def _years(row: pd.Series) -> str | None:
    y = row["cohort_year"]
    return None if pd.isna(y) or str(y).strip() == "" else str(y)


def _subset(res: StudyResults, row: pd.Series, *, group: str | None = None) -> pd.DataFrame:
    """Rows of the cohort table in the target's population and cohort(s)."""
    g = group or row["group"]
    if g not in T.POPULATIONS:
        raise NotReproducible(f"population '{g}' is not one of the study populations")
    c = res.cohorts
    m = T.population_mask(c, g) & T.cohort_selection(c, _years(row))
    return c.loc[m]


def _stock_subset(res: StudyResults, row: pd.Series) -> pd.DataFrame:
    s = res.stock
    y = _years(row)
    snap = s[C.SNAPSHOT_YEAR].to_numpy(dtype="int64")
    if y is None:
        return s.loc[np.isin(snap, C.COHORT_YEARS)]
    if "-" in y:
        lo, hi = (int(float(v)) for v in y.split("-", 1))
        return s.loc[(snap >= lo) & (snap <= hi)]
    return s.loc[snap == int(float(y))]


def _share(values: np.ndarray) -> float:
    values = np.asarray(values, dtype=bool)
    if len(values) == 0:
        return float("nan")
    return float(100.0 * values.mean())


def _mean(values: np.ndarray) -> float:
    v = np.asarray(values, dtype="float64")
    v = v[~np.isnan(v)]
    return float(v.mean()) if len(v) else float("nan")


def _count(res: StudyResults, n: float) -> float:
    return float(n) / res.scale


def _horizon(res: StudyResults, row: pd.Series) -> int:
    h = row["horizon_years"]
    if pd.isna(h):
        raise NotReproducible("no follow-up horizon given")
    return int(h) + res.options.horizon_offset


# --------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------
Compute = Callable[[StudyResults, pd.Series], float]


def _table_id(row: pd.Series) -> str:
    m = re.match(r"Tabel (B?\d)", str(row["source"]))
    if not m:
        raise NotReproducible(f"source '{row['source']}' names no table")
    tid = m.group(1)
    return tid if tid.startswith("B") else f"T{tid}"


def _table_cell(res: StudyResults, row: pd.Series) -> float:
    if pd.isna(row["value"]):
        raise NotReproducible("the report prints '-' (no number) for this cell")
    tid = _table_id(row)
    tab = res.tables()[tid]
    hit = tab.loc[(tab["group"] == row["group"]) & (tab["cohort"] == int(float(row["cohort_year"])))]
    if hit.empty:
        raise NotReproducible(f"table {tid} has no cell for group '{row['group']}' and year {row['cohort_year']}")
    value = float(hit["value"].iloc[0])
    return _count(res, value) if hit["statistic"].iloc[0] == "count" else value


def _table_kind(row: pd.Series) -> str:
    tid = _table_id(row)
    if tid == "B3":
        return "count"
    if tid in ("B1", "B2"):
        return "mean_percent"
    if row["unit"] == "euro":
        return "euro"
    return "share"


def _population_count(res: StudyResults, row: pd.Series) -> float:
    return _count(res, len(_subset(res, row)))


def _sum_of_shares(res: StudyResults, row: pd.Series) -> float:
    """The per-cohort sum of category shares furthest from 100 (a property of the figure)."""
    if str(row["id"]).startswith("F1_"):
        data = T.figure_1_data(res.cohorts, year=int(float(row["cohort_year"])))
        return float(data["share"].sum())
    cut = _threshold(row)
    data = T.quadrant_data(res.cohorts, cut=cut, strict=cut >= 1.0, population=str(row["group"]))
    sums = data.groupby(C.COHORT)["share"].sum()
    sums = sums[data.groupby(C.COHORT)["n"].sum() > 0]
    if sums.empty:
        return float("nan")
    return float(sums.iloc[int(np.argmax(np.abs(sums.to_numpy() - 100.0)))])


def _growth_n(res: StudyResults, row: pd.Series) -> float:
    g = res.income_growth()
    hit = g.loc[(g["group"] == "starters") & (g[C.YEARS_SINCE_ORIGINATION] == int(row["horizon_years"]))]
    return _count(res, float(hit["n"].iloc[0])) if len(hit) else float("nan")


def _growth_median(res: StudyResults, row: pd.Series) -> float:
    g = res.income_growth()
    group = "starters" if row["group"] == "starters" else "new"
    hit = g.loc[(g["group"] == group) & (g[C.YEARS_SINCE_ORIGINATION] == int(row["horizon_years"]))]
    return float(hit["median_growth"].iloc[0]) if len(hit) else float("nan")


def _f7_counts(res: StudyResults, row: pd.Series) -> float:
    f = res.figure_7_frame()
    if "arrears" in str(row["id"]):
        return _count(res, int(f[C.EVENT].astype(bool).sum()))
    return _count(res, len(f))


def _arrears_share(res: StudyResults, lo: float | None, hi: float | None, *, lo_inclusive: bool = True) -> float:
    f = res.figure_7_frame()
    u = f[C.LTI_UTIL].to_numpy(dtype="float64")
    ev = f[C.EVENT].to_numpy(dtype=bool)
    if ev.sum() == 0:
        return float("nan")
    m = np.ones(len(u), dtype=bool)
    if lo is not None:
        m &= (u >= lo) if lo_inclusive else (u > lo)
    if hi is not None:
        m &= u < hi
    return float(100.0 * (m & ev).sum() / ev.sum())


def _km_population(row: pd.Series) -> tuple[bool, str]:
    group = str(row["group"])
    starters = group.startswith("starters") or str(row["id"]).startswith(("F9_", "SUM_km_starters"))
    category = "high" if group.endswith("high") else "within"
    return starters, category


def _km_value(res: StudyResults, row: pd.Series, *, column: str, time: int, category: str | None = None) -> float:
    starters, cat = _km_population(row)
    thr = None if pd.isna(row["threshold"]) else float(row["threshold"]) / 100.0
    d = res.survival(starters=starters, threshold=thr)
    hit = d.loc[(d["category"] == (category or cat)) & (d["time"] == time)]
    if hit.empty:
        return float("nan")
    return float(hit[column].iloc[0])


def _km_n(res: StudyResults, row: pd.Series) -> float:
    return _count(res, _km_value(res, row, column="n_at_risk", time=int(row["horizon_years"])))


def _km_cum_inc(res: StudyResults, row: pd.Series) -> float:
    return 100.0 * _km_value(res, row, column="cum_inc", time=_horizon(res, row))


def _km_ratio(res: StudyResults, row: pd.Series) -> float:
    t = _horizon(res, row)
    high = _km_value(res, row, column="cum_inc", time=t, category="high")
    within = _km_value(res, row, column="cum_inc", time=t, category="within")
    return high / within if within > 0 else float("nan")


def _on(column: str, test: Callable[[np.ndarray], np.ndarray], *, dtype: str = "float64") -> Compute:
    def compute(res: StudyResults, row: pd.Series) -> float:
        sub = _subset(res, row)
        return _share(test(sub[column].to_numpy(dtype=dtype)))
    return compute


def _util(test: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> Compute:
    def compute(res: StudyResults, row: pd.Series) -> float:
        sub = _subset(res, row)
        lti = sub[C.LTI_UTIL].to_numpy(dtype="float64")
        ltv = sub[C.LTV_UTIL].to_numpy(dtype="float64")
        return _share(test(lti, ltv, _threshold(row)))
    return compute


def _mean_of(values: Callable[[pd.DataFrame], np.ndarray]) -> Compute:
    def compute(res: StudyResults, row: pd.Series) -> float:
        return _mean(values(_subset(res, row)))
    return compute


def _io_volume(df: pd.DataFrame) -> np.ndarray:
    return 100.0 * df[C.INTEREST_ONLY_AMOUNT].to_numpy(dtype="float64") / df[C.HOUSE_VALUE].to_numpy(dtype="float64")


def _io_45_50(res: StudyResults, row: pd.Series) -> float:
    v = _io_volume(_subset(res, row))
    return _share((v >= 45.0) & (v <= 50.0))


def _stock_share(column: str) -> Compute:
    def compute(res: StudyResults, row: pd.Series) -> float:
        return _share(_stock_subset(res, row)[column].to_numpy(dtype=bool))
    return compute


def _nhg(res: StudyResults, row: pd.Series) -> float:
    if row["group"] == "stock":
        return _stock_share(C.NHG)(res, row)
    return _share(_subset(res, row)[C.NHG].to_numpy(dtype=bool))


def _arrears_first_year(res: StudyResults, row: pd.Series) -> float:
    sub = _subset(res, row)
    ev = sub[C.EVENT].to_numpy(dtype=bool)
    if res.options.table_5_window == "first_year":
        ev &= sub[C.DURATION].to_numpy(dtype="int64") == 1
    return _share(ev)


def _ck_mean(res: StudyResults, row: pd.Series) -> float:
    v = _subset(res, row)[C.CONSUMER_CREDIT].to_numpy(dtype="float64")
    if res.options.table_b4_among == "holders":
        v = v[v > 0]
    return _mean(v)


def _median_wealth(res: StudyResults, row: pd.Series) -> float:
    v = _subset(res, row)[C.NET_WEALTH].to_numpy(dtype="float64")
    v = v[~np.isnan(v)]
    return float(np.median(v)) if len(v) else float("nan")


def _households_per_year(res: StudyResults, row: pd.Series) -> float:
    counts = res.cohorts.groupby(C.COHORT).size().reindex(C.COHORT_YEARS, fill_value=0)
    n = counts.min() if "lower end" in str(row["quantity"]) else counts.max()
    return _count(res, n)


def _io_rate_premium(res: StudyResults, row: pd.Series) -> float:
    """Mean rate with minus without interest-only parts, within each cohort, averaged over the cohorts.

    The difference is taken within a cohort and the cohorts' differences are
    weighted by their numbers of mortgages: pooled over 2012-2017 the plain
    difference mostly measures the cohort mix (85% interest-only at 4.9% in
    2012, 51% at 2.4% in 2017), not a premium.
    """
    c = res.cohorts.loc[T.cohort_selection(res.cohorts, _years(row))]
    diffs, weights = [], []
    for _, g in c.groupby(C.COHORT, sort=True):
        io = g[C.INTEREST_ONLY_AMOUNT].to_numpy(dtype="float64") > 0
        rate = g[C.INTEREST_RATE].to_numpy(dtype="float64")
        if io.any() and (~io).any():
            diffs.append(_mean(rate[io]) - _mean(rate[~io]))
            weights.append(len(g))
    if not weights:
        return float("nan")
    return float(np.average(diffs, weights=weights))


def _external_ratio(res: StudyResults, row: pd.Series) -> float:
    raise NotReproducible("the ratio needs the 2021 share of new mortgages above 90% LTI utilisation (DNB), "
                          "an external number")


#: The rules, tried in order; the first match computes the number.
RULES: tuple[Rule, ...] = (
    # ---- table cells and the N under tables and figures -------------------
    Rule("table N", _population_count, "count", id=r"^T\d+_N_"),
    Rule("table cell", _table_cell, _table_kind, source=r"^Tabel (B?\d+)$"),
    Rule("figure N (population count)", _population_count, "count", id=r"^F(B?\d)_N_\d{4}$"),
    Rule("sum of category shares", _sum_of_shares, "percent", id=r"_sum_categories$"),
    Rule("Figure 6 N", _growth_n, "count", id=r"^F6_N_"),
    Rule("Figure 7 N", _f7_counts, "count", id=r"^F7_N_"),
    Rule("Figure 8/9 number at risk", _km_n, "count", id=r"^F[89]_N_"),
    # ---- survival -----------------------------------------------------------
    Rule("Kaplan-Meier cumulative incidence", _km_cum_inc, "cum_incidence", quantity=r"Kaplan-Meier"),
    Rule("ratio of cumulative incidences", _km_ratio, "ratio", quantity=r"^ratio of arrears probability"),
    Rule("external ratio", _external_ratio, "ratio", quantity=r"^ratio of the 2021 share"),
    # ---- Figure 7: shares of all arrears -------------------------------------
    Rule("share of arrears at or above threshold", lambda r, w: _arrears_share(r, _threshold(w), None), "share",
         quantity=r"share of all payment arrears in mortgages with initial LTI utilisation at or above"),
    Rule("share of arrears between 60 and 99", lambda r, w: _arrears_share(r, 0.6, 1.0), "share",
         quantity=r"share of all payment arrears in mortgages with initial LTI utilisation between 60% and 99%"),
    Rule("share of arrears in high mortgages", lambda r, w: _arrears_share(r, 1.0, None, lo_inclusive=False),
         "share", quantity=r"share of all payment arrears .*(in high mortgages|high-mortgage group)"),
    # ---- utilisation statements (Figures 1-3, B2) -----------------------------
    Rule("LTI below threshold", _util(lambda lti, ltv, t: lti < t), "share",
         quantity=r"LTI utilisation below the threshold"),
    Rule("LTI at or below threshold", _util(lambda lti, ltv, t: lti <= t), "share",
         quantity=r"LTI utilisation at or below the threshold"),
    Rule("LTI above 100", _util(lambda lti, ltv, t: lti > 1.0), "share",
         quantity=r"LTI utilisation above 100%|above the estimated LTI maximum|that are high mortgages"),
    Rule("within the LTI norm", _util(lambda lti, ltv, t: lti <= 1.0), "share",
         quantity=r"within the standard LTI norm"),
    Rule("LTV above the limit", _util(lambda lti, ltv, t: ltv > 1.0), "share", quantity=r"LTV above the .* limit"),
    Rule("LTV above threshold", _util(lambda lti, ltv, t: ltv > t), "share",
         quantity=r"LTV utilisation above the threshold"),
    Rule("LTV at or above threshold", _util(lambda lti, ltv, t: ltv >= t), "share",
         quantity=r"LTV utilisation at or above the threshold"),
    Rule("quadrant 1", _util(lambda lti, ltv, t: (lti <= 1.0) & (ltv <= 1.0)), "share",
         quantity=r"within both the LTI and LTV norm"),
    Rule("quadrant 4", _util(lambda lti, ltv, t: (lti > 1.0) & (ltv > 1.0)), "share",
         quantity=r"above both the LTI and the LTV norm"),
    Rule("below threshold in both", _util(lambda lti, ltv, t: (lti < t) & (ltv < t)), "share",
         quantity=r"below the threshold in both"),
    Rule("at or above threshold in both", _util(lambda lti, ltv, t: (lti >= t) & (ltv >= t)), "share",
         quantity=r">= threshold in both|both (high LTV and high LTI|LTI and LTV utilisation near)"),
    # ---- household and loan characteristics -------------------------------------
    Rule("interest-only volume 45-50%", _io_45_50, "share", quantity=r"interest-only volume between 45% and 50%"),
    Rule("mean interest-only volume", _mean_of(_io_volume), "mean_percent",
         quantity=r"mean interest-only volume as % of house value"),
    Rule("WLT share", _on("wlt_possible", lambda v: v, dtype=bool), "share",
         quantity=r"actual-cost test|WLT"),
    Rule("interest-only share", _on(C.INTEREST_ONLY_AMOUNT, lambda v: v > 0), "share",
         quantity=r"interest-only (mortgage|parts|loan parts)$"),
    Rule("interest-only rate premium", _io_rate_premium, "percent_points", quantity=r"interest-rate premium"),
    Rule("NHG share", _nhg, "share", quantity=r"NHG|National Mortgage Guarantee"),
    Rule("single households", _on(C.HAS_PARTNER, lambda v: ~v, dtype=bool), "share", quantity=r"single-person"),
    Rule("cohabiting households", _on(C.HAS_PARTNER, lambda v: v, dtype=bool), "share", quantity=r"cohabiting"),
    Rule("consumer-credit share", _on(C.CONSUMER_CREDIT, lambda v: v > 0), "share",
         quantity=r"consumer credit alongside"),
    Rule("mean consumer-credit amount", _ck_mean, "euro", quantity=r"mean consumer-credit amount"),
    Rule("negative net wealth", _on(C.NET_WEALTH, lambda v: v < 0), "share", quantity=r"negative net wealth"),
    Rule("median net wealth", _median_wealth, "euro", quantity=r"median (household )?net wealth"),
    Rule("fixed period >= 10 years", _on(C.FIXED_PERIOD_YEARS, lambda v: v >= 10), "share",
         quantity=r"fixed-rate period of 10 years or longer"),
    Rule("zzp share", _on(C.ZZP, lambda v: v, dtype=bool), "share", quantity=r"zzp"),
    Rule("stock arrears share", _stock_share(C.ARREARS), "share",
         quantity=r"outstanding mortgages with payment arrears"),
    Rule("arrears share (Tabel 5)", _arrears_first_year, "share",
         quantity=r"payment arrears in the first year|payment arrears \(first year\)"),
    Rule("median income growth", _growth_median, "percent", quantity=r"median nominal household income growth"),
    Rule("mean household income", _mean_of(lambda d: d[C.HOUSEHOLD_INCOME].to_numpy(dtype="float64")), "euro",
         quantity=r"mean gross household income"),
    Rule("mean interest rate", _mean_of(lambda d: d[C.INTEREST_RATE].to_numpy(dtype="float64")), "mean_percent",
         quantity=r"mean mortgage interest rate"),
    Rule("mean LTV", _mean_of(lambda d: 100.0 * d[C.LTV].to_numpy(dtype="float64")), "mean_percent",
         quantity=r"^mean LTV"),
    Rule("mean mortgage debt", _mean_of(lambda d: d[C.BALANCE].to_numpy(dtype="float64")), "euro",
         quantity=r"mean mortgage debt"),
    Rule("households per year", _households_per_year, "count", quantity=r"number of households analysed per year"),
)

def match_rule(row: pd.Series, rules: Sequence[Rule] = RULES) -> Rule | None:
    """The first rule that matches a target row, or ``None`` (:func:`cohorts.report.comparison.match_rule`)."""
    return _engine.match_rule(row, rules)


# --------------------------------------------------------------------------
# the report's N (for the tolerances)
# --------------------------------------------------------------------------
def report_n(targets: pd.DataFrame, row: pd.Series) -> float | None:
    """The report's own N behind a share target (for its standard error), or ``None``.

    Tabel B3 for the target's group and cohort (summed over a pooled range),
    derived groups as differences of B3 columns, the N under Tabel 1 for the
    ``*_high_io`` groups, and Figure 7's number of arrears for shares of arrears.
    """
    if re.search(r"share of all payment arrears", str(row["quantity"]), flags=re.IGNORECASE):
        hit = targets.loc[targets["id"] == "F7_N_arrears", "value"]
        return float(hit.iloc[0]) if len(hit) else None
    group = str(row["group"])
    if group.endswith("_high_io"):
        prefix, source = f"T1_N_{group}_", "Tabel 1 (note)"
        base = targets.loc[(targets["source"] == source) & targets["id"].str.startswith(prefix)]
        years = base["cohort_year"]
        return _sum_years(base, years, _years(row))
    b3 = targets.loc[targets["source"] == "Tabel B3"]

    def b3n(g: str) -> float | None:
        sub = b3.loc[b3["group"] == g]
        return _sum_years(sub, sub["cohort_year"], _years(row))

    derived = {"within_norm": ("new", "new_high"), "starters_within_norm": ("starters", "starters_high"),
               "non_starters": ("new", "starters")}
    if group in derived:
        a, b = (b3n(g) for g in derived[group])
        return None if a is None or b is None else a - b
    return b3n(group)


def _sum_years(sub: pd.DataFrame, years: pd.Series, wanted: str | None) -> float | None:
    if sub.empty:
        return None
    y = pd.to_numeric(years, errors="coerce").to_numpy()
    if wanted is None:
        m = np.ones(len(y), dtype=bool)
    elif "-" in wanted:
        lo, hi = (int(float(v)) for v in wanted.split("-", 1))
        m = (y >= lo) & (y <= hi)
    else:
        m = y == int(float(wanted))
    vals = sub["value"].to_numpy(dtype="float64")[m]
    return float(vals.sum()) if len(vals) and not np.isnan(vals).any() else None
