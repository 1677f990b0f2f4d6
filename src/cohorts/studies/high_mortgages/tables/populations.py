"""The report's populations and the statistics behind every table: groups, labels, number formats, the tidy table.

Part of :mod:`cohorts.studies.high_mortgages.tables` (the package describes the tidy layout and the
report's ambiguities).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

from cohorts import columns as C


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
        "S1": (1, "%"),  # sensitivity tables (cohorts.studies.high_mortgages.sensitivity_tables)
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
