"""The report's tables (Tabel 1-5, B1-B8) and the data behind its figures, as tidy frames.

Every function here is pure: it takes the built study frames (``cohorts``, one
row per new mortgage; ``stock``, one row per linkable mortgage per snapshot;
``panel``, one row per new mortgage per snapshot) and returns a tidy
DataFrame.  Drawing is in :mod:`cohorts.report.figures`, file export in
:mod:`cohorts.report.command`.

Tidy table layout
-----------------
One row per (group, cohort year) with the columns

``table``
    the report's table id (``"T2"``, ``"B3"``, ...),
``group``
    the population (see :data:`POPULATIONS`),
``cohort``
    origination cohort (for ``stock``: the snapshot year),
``statistic``
    ``"share"``, ``"mean"``, ``"median"`` or ``"count"``,
``unit``
    ``"percent"``, ``"euro"`` or ``"count"``,
``n``
    number of rows the statistic is computed on (the denominator),
``value``
    the statistic (shares and percentages in percent).

:func:`wide` turns it into the report's layout (cohort years as rows, groups as
columns; Tabel 1 the other way round), :func:`format_table` and
:func:`to_latex` apply the report's number formats.

Populations
-----------
``new`` all new mortgages of a cohort; ``new_high`` LTI utilisation above the
threshold (the ``high`` column, > 100% by default); ``starters`` main earner
aged <= 35; ``starters_high``; ``within_norm`` and ``starters_within_norm`` the
complements of the high groups; ``non_starters``; ``new_io`` mortgages with an
interest-only amount > 0 and ``new_high_io`` / ``starters_high_io`` (the
population of Tabel 1); ``stock`` the linkable outstanding mortgages of a
snapshot year (from the stock frame).

Choices where the report is ambiguous (targets README, "Ambiguities")
---------------------------------------------------------------------
* Tabel 5 (arrears) for new mortgages: by default the share of a cohort's
  mortgages whose first registered arrears fall in the origination year
  (``window="first_year"``, duration 1); ``window="ever"`` counts first arrears
  at any time during follow-up.  The report says "in het eerste jaar na
  afsluiten" only for 2017 (ambiguity 10), but its own survival curves decide
  the reading: Figures 8 and 9 put the cumulative share with arrears after six
  years at 4.6-9.2%, so an "ever" share of 1.2% for the 2012 cohort (followed
  for seven snapshots) is impossible, while first-year shares of 1-3% agree
  with the curves' first step.  Figure 7's N (3,321 arrears) equals Tabel B3 x
  Tabel 5 for starters, so the report's Figure 7 counts the same arrears as its
  Tabel 5: first arrears in the origination year (see the Figure 7 bullet).
* Tabel B4 (mean consumer-credit amount): by default the mean among households
  that have consumer credit (``among="holders"``), following its caption "Tabel
  B3 i.c.m. Tabel 3"; ``among="all"`` averages over all households (ambiguity 14).
* Tabel 1 (WLT possibly applied): the denominator is high mortgages *with*
  interest-only parts (ambiguity 4).
* Figure 7: by default computed on starters (``population="starters"``),
  whose N matches the caption; ``population="new"`` gives all new mortgages
  (ambiguity 1).  Its arrears are by default those of Tabel 5, first arrears
  in the origination year (``window="first_year"``): the caption's 3,321
  arrears on 157,712 mortgages equal Tabel B3 starters x Tabel 5 starters
  (about 3,330, a first-year share of 2.1%), whereas a starter's chance of
  arrears at any time during follow-up is 5.6-9.2% after six years (Figure 9),
  about 8,000-10,000 arrears on that N.  ``window="ever"`` counts every first
  arrears during follow-up (the text's "alle waargenomen
  betalingsachterstanden").
* Figures 3 and B2 (90% quadrants): a side is "above" when utilisation >= 90%
  (``strict=False``; the text's "90% of meer" and "onder 90%"); Figures 2 and
  B1 use > 100% (the definition of a high mortgage).  Both are parameters
  (ambiguity 12).
* Survival (Figures 8/9): duration 1 is the origination year, so the report's
  "after 6 years" is ``horizon=7`` (ambiguity 9).
* Rows with ``cohort_year`` "2012-2017" (or no year) in the targets are pooled
  over all cohorts; "2013-2017" over those years.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

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

#: The four cohort groups of the report's tables, in the report's column order.
GROUPS: tuple[str, ...] = ("new", "new_high", "starters", "starters_high")
#: The stock column of the tables that have one.
STOCK = "stock"
#: The stock columns the tables, figures and comparisons read (``cohorts reproduce`` loads only these:
#: the stock of the full population has about 12 million rows).
STOCK_COLUMNS: tuple[str, ...] = (
    C.SNAPSHOT_YEAR, C.LOAN_ID, C.NHG, C.ARREARS, C.INTEREST_RATE, C.LTV, C.NET_WEALTH, C.BALANCE, C.HOUSE_VALUE,
)
#: Every population name understood by :func:`population_mask`.
POPULATIONS: tuple[str, ...] = (
    "new",
    "new_high",
    "starters",
    "starters_high",
    "within_norm",
    "starters_within_norm",
    "non_starters",
    "new_io",
    "new_high_io",
    "starters_high_io",
)
TIDY_COLUMNS: tuple[str, ...] = ("table", "group", "cohort", "statistic", "unit", "n", "value")

#: Table id -> (decimals, suffix) as printed in the report.
NUMBER_FORMATS: Mapping[str, tuple[int, str]] = MappingProxyType(
    {
        "T1": (1, "%"),
        "T2": (0, "%"),
        "T3": (0, "%"),
        "T4": (1, "%"),
        "T5": (1, "%"),
        "B1": (2, "%"),
        "B2": (0, ""),
        "B3": (0, ""),
        "B4": (0, ""),
        "B5": (0, ""),
        "B6": (0, "%"),
        "B7": (0, ""),
        "B8": (0, ""),
        "S1": (1, "%"),  # sensitivity tables (cohorts.report.sensitivity_tables)
        "S2": (1, "%"),
    }
)

_TITLES_EN = {
    "T1": "Share of high mortgages with interest-only parts where the actual-cost test (WLT) may have been applied",
    "T2": "Share of households with NHG",
    "T3": "Share of households with consumer credit alongside the mortgage",
    "T4": "Share of households with self-employment (zzp) income",
    "T5": "Share of households with payment arrears",
    "B1": "Mean mortgage interest rate",
    "B2": "Mean LTV per category (%)",
    "B3": "Number of households in the analysis",
    "B4": "Mean consumer-credit amount (euro)",
    "B5": "Median net wealth excluding the own home (euro)",
    "B6": "Share of households with student debt",
    "B7": "Mean mortgage debt (euro)",
    "B8": "Mean house value (euro)",
    "S1": "Table 1 under each reading of the actual-cost test (WLT), beside the published Table 1",
    "S2": "Share of high mortgages (LTI utilisation >100%) in 2016 and 2017 when another year's norm table stands in",
}
_TITLES_NL = {
    "T1": "Aandeel huishoudens met hoge hypotheken waar WLT mogelijk toegepast is",
    "T2": "Aandeel huishoudens met NHG",
    "T3": "Aandeel huishoudens met consumptieve schulden naast de hypotheek",
    "T4": "Aandeel huishoudens met inkomen als zzp'er",
    "T5": "Aandeel huishoudens met betalingsachterstand",
    "B1": "Gemiddelde hypotheekrente",
    "B2": "Gemiddelde LTV per categorie (in %)",
    "B3": "Aantal huishoudens in de analyse",
    "B4": "Gemiddeld CK-bedrag (in euro's)",
    "B5": "Mediane vermogen exclusief de eigen woning (in euro's)",
    "B6": "Aandeel huishoudens met studieschuld",
    "B7": "Gemiddelde hypotheekschuld (in euro's)",
    "B8": "Gemiddelde woningwaarde (in euro's)",
    "S1": "Tabel 1 onder elke lezing van de werkelijke lastentoets (WLT), naast de gepubliceerde Tabel 1",
    "S2": "Aandeel hoge hypotheken (LTI-benutting >100%) in 2016 en 2017 als de normtabel van een ander jaar invalt",
}
TITLES: Mapping[str, Mapping[str, str]] = MappingProxyType({"en": _TITLES_EN, "nl": _TITLES_NL})

# Tabel 1's rows: the report prints "Aandeel nieuwe hypotheken" and "Aandeel in subgroep koopstarters", but its
# denominators are high mortgages with interest-only parts (ambiguity 4), so the labels name that population.
_GROUP_LABELS = {
    "en": {
        "new": "New mortgages",
        "new_high": "New, LTI utilisation >100%",
        "starters": "First-time buyers",
        "starters_high": "First-time buyers, LTI utilisation >100%",
        "stock": "Mortgage stock",
        "new_high_io": "New, LTI utilisation >100%, with interest-only parts",
        "starters_high_io": "First-time buyers, LTI utilisation >100%, with interest-only parts",
        "within_norm": "Within the LTI norm",
        "starters_within_norm": "First-time buyers within the LTI norm",
        "cohort": "Year",
    },
    "nl": {
        "new": "Nieuwe hypotheken",
        "new_high": "Nieuw met LTI-benutting >100%",
        "starters": "Koopstarters",
        "starters_high": "Koopstarters met LTI-benutting >100%",
        "stock": "Hypotheekvoorraad",
        "new_high_io": "Nieuw met LTI-benutting >100% en aflossingsvrij deel",
        "starters_high_io": "Koopstarters met LTI-benutting >100% en aflossingsvrij deel",
        "within_norm": "Binnen de LTI-norm",
        "starters_within_norm": "Koopstarters binnen de LTI-norm",
        "cohort": "Jaar",
    },
}
#: Labels of groups (and the year column) in English and Dutch.
GROUP_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(_GROUP_LABELS)

LANGS: tuple[str, ...] = ("en", "nl")


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, but was {lang!r}")
    return lang


def _require(df: pd.DataFrame, cols: Sequence[str], *, frame: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{frame} frame lacks column(s) {missing}; it has {list(df.columns)}")


# --------------------------------------------------------------------------
# populations
# --------------------------------------------------------------------------
def high_flag(cohorts: pd.DataFrame, *, threshold: float | None = None) -> np.ndarray:
    """Boolean array: LTI utilisation above ``threshold``.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``high`` (and ``lti_util`` when a threshold is given).
    threshold : float, optional
        Cut-off as a fraction (1.0 = 100%); ``None`` uses the ``high`` column
        written by the build (its own threshold, 100% by default).

    Returns
    -------
    numpy.ndarray of bool
    """
    if threshold is None:
        _require(cohorts, [C.HIGH], frame="cohorts")
        return cohorts[C.HIGH].to_numpy(dtype=bool)
    if not (np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"threshold must be a positive fraction (1.0 = 100%), but was {threshold!r}")
    _require(cohorts, [C.LTI_UTIL], frame="cohorts")
    return cohorts[C.LTI_UTIL].to_numpy(dtype="float64") > threshold


def population_mask(cohorts: pd.DataFrame, group: str, *, threshold: float | None = None) -> np.ndarray:
    """Boolean mask of the rows of ``cohorts`` that belong to a population.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table (columns ``starter``, ``high``/``lti_util``, ``interest_only_amount``).
    group : str
        One of :data:`POPULATIONS`.
    threshold : float, optional
        LTI-utilisation cut-off (fraction) defining "high"; ``None`` = the ``high`` column.

    Returns
    -------
    numpy.ndarray of bool

    Raises
    ------
    ValueError
        For an unknown population.
    """
    if group not in POPULATIONS:
        raise ValueError(f"group must be one of {POPULATIONS}, but was {group!r}")
    n = len(cohorts)
    if group == "new":
        return np.ones(n, dtype=bool)
    if group == "non_starters":
        return ~cohorts[C.STARTER].to_numpy(dtype=bool)
    starter = cohorts[C.STARTER].to_numpy(dtype=bool) if group.startswith("starters") else np.ones(n, dtype=bool)
    if group == "starters":
        return starter
    if group == "new_io":
        return cohorts[C.INTEREST_ONLY_AMOUNT].to_numpy(dtype="float64") > 0
    high = high_flag(cohorts, threshold=threshold)
    if group.endswith("within_norm"):
        return starter & ~high
    mask = starter & high
    if group.endswith("_io"):
        mask &= cohorts[C.INTEREST_ONLY_AMOUNT].to_numpy(dtype="float64") > 0
    return mask


def cohort_selection(cohorts: pd.DataFrame, years: int | str | Sequence[int] | None) -> np.ndarray:
    """Boolean mask of the rows in the given cohort year(s).

    ``years`` may be an int, a sequence of ints, ``None`` (all cohorts) or a
    string as in the targets file: ``"2017"``, ``"2012-2017"``, ``"2013-2017"``.
    """
    col = cohorts[C.COHORT].to_numpy(dtype="int64")
    if years is None:
        return np.ones(len(col), dtype=bool)
    if isinstance(years, str):
        text = years.strip()
        if "-" in text:
            lo, hi = (int(float(x)) for x in text.split("-", 1))
            return (col >= lo) & (col <= hi)
        return col == int(float(text))
    if isinstance(years, (int, np.integer)):
        return col == int(years)
    return np.isin(col, np.asarray(list(years), dtype="int64"))


# --------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------
def _stat(values: np.ndarray, statistic: str) -> float:
    v = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    if statistic == "count":
        return float(len(values))
    if len(v) == 0:
        return float("nan")
    if statistic == "share":
        return float(100.0 * np.mean(v.astype("float64")))
    if statistic == "mean":
        return float(np.mean(v))
    if statistic == "median":
        return float(np.median(v))
    raise ValueError(f"statistic must be share, mean, median or count, but was {statistic!r}")


_UNIT = {"share": "percent", "count": "count"}

#: Contributor columns added by ``support=True`` (for the disclosure gate, :mod:`cohorts.disclosure`):
#: non-missing values, the two largest absolute values and the sum of absolute values of a cell.
SUPPORT_COLUMNS: tuple[str, ...] = ("n_contrib", "top1", "top2", "abs_total")


def _support(v: np.ndarray) -> tuple[int, float, float, float]:
    a = np.abs(v[~np.isnan(v)])
    if len(a) == 0:
        return 0, 0.0, 0.0, 0.0
    if len(a) == 1:
        return 1, float(a[0]), 0.0, float(a[0])
    top2, top1 = np.partition(a, len(a) - 2)[-2:]  # the two largest, without sorting the cell
    return len(a), float(top1), float(top2), float(a.sum())

Values = Callable[[pd.DataFrame], pd.Series | np.ndarray]


def _group_table(
    table: str,
    cohorts: pd.DataFrame,
    *,
    values: Values,
    statistic: str,
    unit: str,
    groups: Sequence[str] = GROUPS,
    where: Values | None = None,
    stock: pd.DataFrame | None = None,
    stock_values: Values | None = None,
    threshold: float | None = None,
    years: Sequence[int] = C.COHORT_YEARS,
    support: bool = False,
) -> pd.DataFrame:
    """The tidy table of one statistic per group and cohort (and stock year).

    ``support=True`` adds the contributor columns the disclosure gate needs
    (:data:`SUPPORT_COLUMNS`); they are never exported.
    """
    _require(cohorts, [C.COHORT], frame="cohorts")
    rows = []
    vals = np.asarray(values(cohorts))
    extra = np.ones(len(cohorts), dtype=bool) if where is None else np.asarray(where(cohorts), dtype=bool)
    cohort = cohorts[C.COHORT].to_numpy(dtype="int64")
    for group in groups:
        mask = population_mask(cohorts, group, threshold=threshold) & extra
        for year in years:
            m = mask & (cohort == year)
            v = vals[m].astype("float64")
            rows.append((table, group, int(year), statistic, unit, int(m.sum()), _stat(v, statistic), *_support(v)))
    if stock is not None:
        _require(stock, [C.SNAPSHOT_YEAR], frame="stock")
        sv = np.asarray((stock_values or values)(stock))
        snap = stock[C.SNAPSHOT_YEAR].to_numpy(dtype="int64")
        for year in years:
            m = snap == year
            v = sv[m].astype("float64")
            rows.append((table, STOCK, int(year), statistic, unit, int(m.sum()), _stat(v, statistic), *_support(v)))
    out = pd.DataFrame(rows, columns=[*TIDY_COLUMNS, *SUPPORT_COLUMNS])
    out = out.astype({"cohort": "int64", "n": "int64", "value": "float64", "n_contrib": "int64"})
    return out if support else out.drop(columns=list(SUPPORT_COLUMNS))


def _col(name: str) -> Values:
    return lambda df: df[name].to_numpy(dtype="float64")


def _positive(name: str) -> Values:
    return lambda df: df[name].to_numpy(dtype="float64") > 0


def _bool(name: str) -> Values:
    return lambda df: df[name].to_numpy(dtype=bool)


def _ones(df: pd.DataFrame) -> np.ndarray:
    return np.ones(len(df))


def table_1(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Tabel 1: share of high mortgages with interest-only parts where WLT may have been applied.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``wlt_possible``, ``high``, ``starter``, ``interest_only_amount``.

    Returns
    -------
    pandas.DataFrame
        Tidy (see module docstring); groups ``new_high_io`` and
        ``starters_high_io`` (the report's denominator: high mortgages with
        interest-only parts, ambiguity 4); ``n`` is the N under the table.
    """
    return _group_table("T1", cohorts, values=_bool("wlt_possible"), statistic="share", unit="percent",
                        groups=("new_high_io", "starters_high_io"))


def table_2(cohorts: pd.DataFrame, stock: pd.DataFrame) -> pd.DataFrame:
    """Tabel 2: share of households with NHG, per group and cohort, and in the stock."""
    return _group_table("T2", cohorts, values=_bool(C.NHG), statistic="share", unit="percent", stock=stock)


def table_3(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Tabel 3: share of households with consumer credit (``consumer_credit`` > 0)."""
    return _group_table("T3", cohorts, values=_positive(C.CONSUMER_CREDIT), statistic="share", unit="percent")


def table_4(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Tabel 4: share of households whose main earner has zzp income (``zzp``)."""
    return _group_table("T4", cohorts, values=_bool(C.ZZP), statistic="share", unit="percent")


TABLE_5_WINDOWS: tuple[str, ...] = ("first_year", "ever")


def table_5(cohorts: pd.DataFrame, stock: pd.DataFrame, *, window: str = "first_year") -> pd.DataFrame:
    """Tabel 5: share of households with payment arrears.

    Parameters
    ----------
    cohorts, stock : pandas.DataFrame
        Cohort table (``event``, ``duration``) and stock (``arrears``).
    window : {"first_year", "ever"}, default "first_year"
        New mortgages: first arrears at the origination snapshot
        (``duration == 1``; default, see the module docstring for why), or at
        any time during follow-up.  The stock column is always the share of a
        snapshot year's mortgages flagged in arrears.

    Returns
    -------
    pandas.DataFrame
        Tidy table.
    """
    if window not in TABLE_5_WINDOWS:
        raise ValueError(f"window must be one of {TABLE_5_WINDOWS}, but was {window!r}")
    if window == "ever":
        values = _bool(C.EVENT)
    else:
        def values(df: pd.DataFrame) -> np.ndarray:
            return df[C.EVENT].to_numpy(dtype=bool) & (df[C.DURATION].to_numpy(dtype="int64") == 1)
    return _group_table("T5", cohorts, values=values, statistic="share", unit="percent", stock=stock,
                        stock_values=_bool(C.ARREARS))


def table_b1(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B1: mean mortgage interest rate (percent), per group and in the stock."""
    return _group_table("B1", cohorts, values=_col(C.INTEREST_RATE), statistic="mean", unit="percent", stock=stock,
                        support=support)


def _ltv_pct(df: pd.DataFrame) -> np.ndarray:
    return 100.0 * df[C.LTV].to_numpy(dtype="float64")


def table_b2(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B2: mean LTV in percent (``ltv`` x 100), per group and in the stock."""
    return _group_table("B2", cohorts, values=_ltv_pct, statistic="mean", unit="percent", stock=stock,
                        support=support)


def table_b3(cohorts: pd.DataFrame, stock: pd.DataFrame) -> pd.DataFrame:
    """Tabel B3: number of households per group and cohort, and in the stock (unscaled)."""
    return _group_table("B3", cohorts, values=_ones, statistic="count", unit="count", stock=stock)


TABLE_B4_AMONG: tuple[str, ...] = ("holders", "all")


def table_b4(cohorts: pd.DataFrame, *, among: str = "holders", support: bool = False) -> pd.DataFrame:
    """Tabel B4: mean consumer-credit amount (euro).

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``consumer_credit``.
    among : {"holders", "all"}, default "holders"
        Average over households with consumer credit > 0 (default; the caption
        refers to Tabel B3 combined with Tabel 3), or over all households.
    """
    if among not in TABLE_B4_AMONG:
        raise ValueError(f"among must be one of {TABLE_B4_AMONG}, but was {among!r}")
    where = _positive(C.CONSUMER_CREDIT) if among == "holders" else None
    return _group_table("B4", cohorts, values=_col(C.CONSUMER_CREDIT), statistic="mean", unit="euro", where=where,
                        support=support)


def table_b5(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B5: median net wealth excluding the own home (euro), per group and in the stock."""
    return _group_table("B5", cohorts, values=_col(C.NET_WEALTH), statistic="median", unit="euro", stock=stock,
                        support=support)


def table_b6(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Tabel B6: share of households with student debt (``student_debt`` > 0)."""
    return _group_table("B6", cohorts, values=_positive(C.STUDENT_DEBT), statistic="share", unit="percent")


def table_b7(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B7: mean mortgage debt (``observed_mortgage``, euro), per group and in the stock."""
    return _group_table("B7", cohorts, values=_col(C.BALANCE), statistic="mean", unit="euro", stock=stock,
                        support=support)


def table_b8(cohorts: pd.DataFrame, stock: pd.DataFrame, *, support: bool = False) -> pd.DataFrame:
    """Tabel B8: mean house value (euro), per group and in the stock.

    The report prints '-' for the 2012 stock; it is computed here anyway.
    """
    return _group_table("B8", cohorts, values=_col(C.HOUSE_VALUE), statistic="mean", unit="euro", stock=stock,
                        support=support)


def all_tables(
    cohorts: pd.DataFrame,
    stock: pd.DataFrame,
    *,
    table_5_window: str = "first_year",
    table_b4_among: str = "holders",
    support: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every table of the report, keyed by table id (``"T1"`` ... ``"B8"``).

    ``support=True`` adds the contributor columns (:data:`SUPPORT_COLUMNS`) to
    the tables of means and medians, for the disclosure gate.
    """
    return {
        "T1": table_1(cohorts),
        "T2": table_2(cohorts, stock),
        "T3": table_3(cohorts),
        "T4": table_4(cohorts),
        "T5": table_5(cohorts, stock, window=table_5_window),
        "B1": table_b1(cohorts, stock, support=support),
        "B2": table_b2(cohorts, stock, support=support),
        "B3": table_b3(cohorts, stock),
        "B4": table_b4(cohorts, among=table_b4_among, support=support),
        "B5": table_b5(cohorts, stock, support=support),
        "B6": table_b6(cohorts),
        "B7": table_b7(cohorts, stock, support=support),
        "B8": table_b8(cohorts, stock, support=support),
    }


# --------------------------------------------------------------------------
# layout and formats
# --------------------------------------------------------------------------
def wide(table: pd.DataFrame, *, column: str = "value", lang: str = "en", labels: bool = False) -> pd.DataFrame:
    """The report's layout of a tidy table.

    Cohort years are rows and groups columns, in the report's order; Tabel 1
    (groups ``*_io``) has years as columns, as printed.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy table from one of the ``table_*`` functions.
    column : str, default "value"
        Which tidy column to spread (``"value"`` or ``"n"``).
    lang : {"en", "nl"}, default "en"
        Language of the labels when ``labels`` is True.
    labels : bool, default False
        Replace group ids by readable labels.

    Returns
    -------
    pandas.DataFrame
    """
    _check_lang(lang)
    if "variant" in table.columns:  # a sensitivity table (S1, S2): one row per group and variant
        from cohorts.report.sensitivity_tables import wide_variants

        return wide_variants(table, column=column, lang=lang, labels=labels)
    order = list(dict.fromkeys(table["group"]))
    out = table.pivot(index="cohort", columns="group", values=column)[order]
    out.columns.name = None
    years_as_columns = all(g.endswith("_io") for g in order)
    if years_as_columns:
        out = out.T
        out.index.name = "group"
        out.columns = [str(c) for c in out.columns]
    if labels:
        names = GROUP_LABELS[lang]
        if years_as_columns:
            out.index = [names.get(g, g) for g in out.index]
            out.index.name = ""
        else:
            out.columns = [names.get(g, g) for g in out.columns]
            out.index.name = names["cohort"]
    return out


def format_number(value: float, *, decimals: int, suffix: str = "", lang: str = "en") -> str:
    """Format a number as the report does.

    English uses a decimal point and comma thousands separators; Dutch a
    decimal comma and dot thousands separators (``40.442``, ``4,89%``).  NaN
    becomes ``"-"``.

    Examples
    --------
    >>> format_number(40442, decimals=0)
    '40,442'
    >>> format_number(4.886, decimals=2, suffix="%", lang="nl")
    '4,89%'
    """
    _check_lang(lang)
    if value is None or not np.isfinite(value):
        return "-"
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text + suffix


def format_table(table: pd.DataFrame, *, lang: str = "en", marker: str = "x") -> pd.DataFrame:
    """The wide table as strings in the report's number format (see :data:`NUMBER_FORMATS`).

    A table released by the disclosure gate (:mod:`cohorts.disclosure`) has a
    ``disclosure`` column; cells with a suppression note there show ``marker``
    instead of a number (an ``empty`` note, no units, shows ``-``).
    """
    tid = str(table["table"].iloc[0])
    decimals, suffix = NUMBER_FORMATS[tid]
    w = wide(table, lang=lang, labels=True)
    out = w.map(lambda v: format_number(v, decimals=decimals, suffix=suffix, lang=lang))
    if "disclosure" in table.columns:
        note = table["disclosure"].fillna("").astype(str)
        flag = table.assign(_flag=note.ne("") & ~note.str.startswith("empty"))
        flagged = wide(flag, column="_flag", lang=lang, labels=True).astype(bool).to_numpy()
        out = out.mask(flagged, marker)
    return out


def _latex_escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#"),
                 ("$", r"\$"), (">", r"$>$"), ("<", r"$<$")):
        text = text.replace(a, b)
    return text


def to_latex(
    table: pd.DataFrame, *, lang: str = "en", caption: str | None = None, label: str | None = None, marker: str = "x"
) -> str:
    """A booktabs LaTeX tabular of a tidy table, in the report's layout and number format.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy table from one of the ``table_*`` functions.
    lang : {"en", "nl"}, default "en"
        Labels and number format.
    caption, label : str, optional
        When given, the tabular is wrapped in a ``table`` float with them.
    marker : str, default "x"
        Shown in cells suppressed by the disclosure gate (see :func:`format_table`).

    Returns
    -------
    str
        LaTeX source (needs ``\\usepackage{booktabs}``).
    """
    f = format_table(table, lang=lang, marker=marker)
    head = [_latex_escape(str(f.index.name or ""))] + [_latex_escape(str(c)) for c in f.columns]
    lines = [r"\begin{tabular}{l" + "r" * f.shape[1] + "}", r"\toprule", " & ".join(head) + r" \\", r"\midrule"]
    for idx, row in f.iterrows():
        lines.append(" & ".join([_latex_escape(str(idx))] + [_latex_escape(v) for v in row]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    body = "\n".join(lines)
    if caption is None and label is None:
        return body + "\n"
    parts = [r"\begin{table}[htbp]", r"\centering", r"\small"]
    if caption is not None:
        parts.append(r"\caption{" + _latex_escape(caption) + "}")
    if label is not None:
        parts.append(r"\label{" + label + "}")
    parts += [r"\resizebox{\linewidth}{!}{%", body + "}", r"\end{table}"]
    return "\n".join(parts) + "\n"


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
