"""The data behind Figures 1-7: grids, quadrants, income, interest-only, income growth, arrears by threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.classify import (
    DEFAULT_EDGES,
    DEFAULT_EXCEEDANCE_THRESHOLDS,
    exceedance_shares,
    lti_category,
    ltv_category,
    quadrant_shares,
)
from cohorts.studies.high_mortgages.tables.populations import (
    cohort_selection,
    _col,
    _group_table,
    GROUPS,
    population_mask,
    _positive,
    _require,
)


# --------------------------------------------------------------------------
# data behind the figures
# --------------------------------------------------------------------------
def figure_1_data(
    cohorts: pd.DataFrame,
    *,
    year: int = 2017,
    lti_edges: Sequence[float] = DEFAULT_EDGES,
    ltv_edges: Sequence[float] = DEFAULT_EDGES,
) -> pd.DataFrame:
    """Figure 1: share of a cohort's new mortgages in each LTI x LTV utilisation cell.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``lti_util``, ``ltv_util``, ``cohort``.
    year : int, default 2017
        Cohort shown.
    lti_edges, ltv_edges : sequence of float
        Category edges (fractions; see :func:`cohorts.classify.utilisation_category`).

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``lti_category, ltv_category, n, share`` (percent of
        the cohort's mortgages with both utilisations; sums to 100).
    """
    sub = cohorts.loc[cohort_selection(cohorts, int(year))]
    sub = sub.loc[sub[C.LTI_UTIL].notna() & sub[C.LTV_UTIL].notna()]
    frame = pd.DataFrame({
        "lti_category": lti_category(sub[C.LTI_UTIL], edges=lti_edges).to_numpy(),
        "ltv_category": ltv_category(sub[C.LTV_UTIL], edges=ltv_edges).to_numpy(),
    })
    frame["lti_category"] = pd.Categorical(frame["lti_category"], categories=lti_category(
        pd.Series([], dtype="float64"), edges=lti_edges).cat.categories, ordered=True)
    frame["ltv_category"] = pd.Categorical(frame["ltv_category"], categories=ltv_category(
        pd.Series([], dtype="float64"), edges=ltv_edges).cat.categories, ordered=True)
    counts = frame.groupby(["lti_category", "ltv_category"], observed=False).size().rename("n").reset_index()
    total = counts["n"].sum()
    counts["share"] = 100.0 * counts["n"] / total if total else np.nan
    return counts.astype({"n": "int64"})


def quadrant_data(
    cohorts: pd.DataFrame,
    *,
    cut: float = 1.0,
    strict: bool = True,
    population: str = "new",
) -> pd.DataFrame:
    """Figures 2, 3, B1, B2: share of each quadrant per cohort.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table.
    cut : float, default 1.0
        Cut in both dimensions (0.9 for Figures 3 and B2).
    strict : bool, default True
        "Above" means ``> cut``; ``False`` means ``>= cut`` (used for the 90% figures).
    population : str, default "new"
        ``"new"`` (Figures 2, 3) or ``"starters"`` (B1, B2), or any of :data:`POPULATIONS`.

    Returns
    -------
    pandas.DataFrame
        ``cohort, quadrant, n, share`` (share in percent; sums to 100 per cohort).
    """
    sub = cohorts.loc[population_mask(cohorts, population)]
    return quadrant_shares(sub, cut=cut, strict=strict, by=C.COHORT)


def income_data(cohorts: pd.DataFrame, *, groups: Sequence[str] = GROUPS, support: bool = False) -> pd.DataFrame:
    """Figure 4: mean gross household income (euro, t+1) per group and cohort (tidy, table id ``F4``).

    ``support=True`` adds the contributor columns for the disclosure gate.
    """
    return _group_table("F4", cohorts, values=_col(C.HOUSEHOLD_INCOME), statistic="mean", unit="euro", groups=groups,
                        support=support)


def interest_only_data(cohorts: pd.DataFrame, *, groups: Sequence[str] = GROUPS) -> pd.DataFrame:
    """Figure 5: share of households with (partly) interest-only mortgages per group and cohort (``F5``)."""
    return _group_table("F5", cohorts, values=_positive(C.INTEREST_ONLY_AMOUNT), statistic="share",
                        unit="percent", groups=groups)


def income_growth_data(
    panel: pd.DataFrame,
    *,
    groups: Sequence[str] = ("starters", "new"),
    max_years: int = 6,
) -> pd.DataFrame:
    """Figure 6: median nominal household-income growth by years since origination.

    Growth of a household k years after origination is ``income_k /
    income_0 - 1`` (percent), with income_0 the household income of the
    origination year's snapshot (CBS year t+1).  Households whose baseline
    income is missing or not positive, or whose income at k is missing, are
    left out at k; ``n`` counts those used.

    Parameters
    ----------
    panel : pandas.DataFrame
        ``loan_id, years_since_origination, household_income, starter``.
    groups : sequence of {"starters", "new"}, default ("starters", "new")
        Populations; the report plots starters and quotes all new mortgages.
    max_years : int, default 6
        Last year since origination.

    Returns
    -------
    pandas.DataFrame
        ``group, years_since_origination, n, median_growth, p25_growth,
        p75_growth`` (percent; 0 at k = 0 by construction).
    """
    _require(panel, [C.LOAN_ID, C.YEARS_SINCE_ORIGINATION, C.HOUSEHOLD_INCOME, C.STARTER], frame="panel")
    base = panel.loc[panel[C.YEARS_SINCE_ORIGINATION] == 0, [C.LOAN_ID, C.HOUSEHOLD_INCOME]]
    base = base.rename(columns={C.HOUSEHOLD_INCOME: "_base"})
    p = panel.merge(base, on=C.LOAN_ID, how="inner", validate="many_to_one")
    p = p.loc[p["_base"].gt(0) & p[C.HOUSEHOLD_INCOME].notna()]
    p = p.loc[p[C.YEARS_SINCE_ORIGINATION].between(0, max_years)]
    growth = 100.0 * (p[C.HOUSEHOLD_INCOME].to_numpy(dtype="float64") / p["_base"].to_numpy(dtype="float64") - 1.0)
    rows = []
    for group in groups:
        if group not in ("starters", "new"):
            raise ValueError(f"groups must be 'starters' or 'new', but got {group!r}")
        gm = p[C.STARTER].to_numpy(dtype=bool) if group == "starters" else np.ones(len(p), dtype=bool)
        k_all = p[C.YEARS_SINCE_ORIGINATION].to_numpy(dtype="int64")
        for k in range(max_years + 1):
            v = growth[gm & (k_all == k)]
            q = np.percentile(v, [25, 50, 75]) if len(v) else [np.nan] * 3
            rows.append((group, k, len(v), float(q[1]), float(q[0]), float(q[2])))
    return pd.DataFrame(rows, columns=["group", C.YEARS_SINCE_ORIGINATION, "n", "median_growth", "p25_growth",
                                       "p75_growth"])


FIGURE_7_POPULATIONS: tuple[str, ...] = ("starters", "new")
#: Which first arrears Figure 7 counts (see :func:`figure_7_frame`).
FIGURE_7_WINDOWS: tuple[str, ...] = ("first_year", "ever")


def figure_7_frame(cohorts: pd.DataFrame, *, population: str = "starters", window: str = "first_year") -> pd.DataFrame:
    """The Figure 7 population with ``event`` restricted to the window.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``lti_util``, ``event`` and ``duration``.
    population : {"starters", "new"}, default "starters"
        See :func:`arrears_threshold_data`.
    window : {"first_year", "ever"}, default "first_year"
        ``"first_year"`` keeps only first arrears in the origination year
        (``duration == 1``), the arrears of Tabel 5; ``"ever"`` keeps every
        first arrears during follow-up.  Why the first year is the default:
        the caption's N (3,321 arrears on 157,712 mortgages) is Tabel B3
        starters x Tabel 5 starters (about 3,330; targets README, ambiguity 1);
        arrears at any time would be two to four times as many (Figure 9: 5.6%
        of within-norm and 9.2% of high starters after six years).

    Returns
    -------
    pandas.DataFrame
        A copy of the population's rows; ``event`` is False for arrears outside the window.
    """
    if population not in FIGURE_7_POPULATIONS:
        raise ValueError(f"population must be one of {FIGURE_7_POPULATIONS}, but was {population!r}")
    if window not in FIGURE_7_WINDOWS:
        raise ValueError(f"window must be one of {FIGURE_7_WINDOWS}, but was {window!r}")
    sub = cohorts.loc[population_mask(cohorts, population)].copy()
    if window == "first_year":
        ev = sub[C.EVENT].astype(bool).to_numpy() & (sub[C.DURATION].to_numpy(dtype="int64") == 1)
        sub[C.EVENT] = ev
    return sub


def arrears_threshold_data(
    cohorts: pd.DataFrame,
    *,
    population: str = "starters",
    window: str = "first_year",
    thresholds: Sequence[float] = DEFAULT_EXCEEDANCE_THRESHOLDS,
    inclusive: bool = True,
) -> pd.DataFrame:
    """Figure 7: share of all observed arrears in mortgages at or above each LTI-utilisation threshold.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``lti_util``, ``event`` (first arrears during
        follow-up) and ``duration``.
    population : {"starters", "new"}, default "starters"
        The report's N (157,712 mortgages, 3,321 arrears) matches the starters
        (ambiguity 1), so starters is the default; ``"new"`` uses all new mortgages.
    window : {"first_year", "ever"}, default "first_year"
        Which arrears count: first arrears in the origination year (default,
        the arrears of Tabel 5, whose starters column times Tabel B3 gives the
        caption's 3,321) or every first arrears during follow-up; see
        :func:`figure_7_frame`.
    thresholds : sequence of float
        Thresholds (fractions).
    inclusive : bool, default True
        ``>=`` threshold ("60% of hoger"); ``False`` gives ``>``.

    Returns
    -------
    pandas.DataFrame
        :func:`cohorts.classify.exceedance_shares` output plus a ``population`` column.
    """
    sub = figure_7_frame(cohorts, population=population, window=window)
    out = exceedance_shares(sub, thresholds=thresholds, inclusive=inclusive)
    out.insert(0, "population", population)
    out.insert(1, "window", window)
    return out
