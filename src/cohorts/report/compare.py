"""Compare reproduced numbers with the report's published numbers.

Every row of the packaged target list (``cohorts/data/report_targets.csv``, a
copy of the project's target list; see ``cohorts/data/SOURCES.md``) that is a
study statistic (not ``external``, not a ``definition``) gets one row in the
comparison: either a reproduced number with a tolerance and a verdict, or
``status = "not_reproducible"`` / ``"no_data"`` with the reason.  Nothing is
skipped silently.

Mapping targets to statistics
-----------------------------
The mapping is a list of rules (:data:`RULES`), tried in order; the first whose
patterns match a target row computes its number from the study frames.  The
rules read the target's own columns: the id prefix (``T2_``, ``TB3_``,
``F8_N_``, ...), ``source`` (``Tabel B3``), ``quantity`` (the English
description), ``group`` (the population), ``cohort_year`` (one cohort, or a
pooled range such as ``2012-2017``; empty = all cohorts), ``horizon_years`` and
``threshold`` (percent of the norm maximum).  There is no list of ids.

Conventions
-----------
* **Counts** (Tabel B3, the N under tables and figures) are compared after
  dividing the study count by the synthetic ``scale`` (1.0 for real data); the
  ``note`` column says so.
* **Survival**: the report's "after 6 years" is duration 7 (x = 1 is the
  origination year; targets README ambiguity 9); cumulative incidence is
  100 x (1 - Kaplan-Meier survival).  The N under Figures 8/9 at "k jaar" is
  the number at risk at duration k.
* **Bounds**: a target noted ``lower_bound`` ("meer dan") is met when the
  reproduced value is at least the target minus the tolerance; ``upper_bound``
  ("bijna", "minder dan") when it is at most the target plus the tolerance.
  ``abs_diff`` is always ``|reproduced - target|``; ``score`` is the violation
  (one-sided for bounds) divided by the tolerance, and ranks the worst rows.
* **Tolerances** come from ``cohorts/data/tolerances.csv``, by kind, never per
  id.  For shares the tolerance is ``max(1 pp, 3 SE)`` with the binomial
  standard error ``SE = 100 sqrt(p (1 - p) / N)``, ``p`` the target share and
  ``N`` the report's own N for the target's group and cohort: Tabel B3
  (summed over the cohorts of a pooled range; ``within_norm`` = new - new_high,
  ``starters_within_norm`` = starters - starters_high, ``non_starters`` =
  new - starters), the N under Tabel 1 for ``*_high_io`` and Figure 7's number
  of arrears for shares of arrears.  Where the report gives no N, the 1 pp
  floor applies alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.report import tables as T
from cohorts.report.conflicts import (
    CHECK_COLUMNS,
    SourceDataError,
    check_conflicts,
    conflict_lines,
    duplicate_id_problems,
    load_conflicts,
)
from cohorts.report.sampling import SAMPLING_COLUMNS, noise_lines, report_se

COMPARISON_COLUMNS: tuple[str, ...] = (
    "id",
    "target",
    "reproduced",
    "abs_diff",
    "tolerance",
    "within",
    "status",
    "class",
    "reason",
    "tolerance_kind",
    "bound",
    "score",
    "sample_se",
    "note",
    "source",
    "group",
    "cohort_year",
    "target_note",
    # sampling noise (cohorts.report.sampling) and source conflicts (cohorts.report.conflicts), added later
    *SAMPLING_COLUMNS,
    *CHECK_COLUMNS[1:],
)
#: ``source_conflict``: the report's own numbers imply another value beyond rounding
#: (``source_conflicts.csv``, kind ``arithmetic``); ``method_conflict``: the number cannot follow from the
#: report's method (kind ``method``).  Both rows still carry the reproduced number and its verdict.
STATUSES: tuple[str, ...] = ("compared", "not_reproducible", "no_data", "source_conflict", "method_conflict")
CONFLICT_STATUSES: tuple[str, ...] = ("source_conflict", "method_conflict")
#: What a comparable target can tell (``target_classes.csv``): ``recomputed`` -- the pipeline computes it from raw
#: fields through a method step (survival, norm and utilisation, medians and means of derived quantities, income
#: growth, WLT); ``planted`` -- the synthetic generator writes the published value into a raw field that the
#: pipeline only selects and averages (or counts), so it checks selection and grouping, not a computation.
#: Targets missing from the file (e.g. a user's own target list) are ``unclassified``.
CLASSES: tuple[str, ...] = ("recomputed", "planted")
UNCLASSIFIED = "unclassified"
TOLERANCE_KINDS: tuple[str, ...] = (
    "share",
    "percent",
    "mean_percent",
    "euro",
    "count",
    "cum_incidence",
    "ratio",
    "percent_points",
)


# --------------------------------------------------------------------------
# package data
# --------------------------------------------------------------------------
def _data_path(name: str) -> Path:
    return Path(str(resources.files("cohorts").joinpath("data", name)))


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """The report's published numbers (packaged copy unless ``path`` is given).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, source, quantity, group, cohort_year, horizon_years,
        threshold, value, unit, kind, note`` (``cohort_year`` as text).
    """
    p = _data_path("report_targets.csv") if path is None else Path(path)
    df = pd.read_csv(p, dtype={"cohort_year": str, "group": str, "note": str})
    required = ["id", "source", "quantity", "group", "cohort_year", "horizon_years", "threshold", "value", "unit",
                "kind", "note"]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"{p}: target file lacks column(s) {missing}")
    _refuse(p, "targets", duplicate_id_problems(list(zip(_lines(p, len(df)), df["id"].astype(str), strict=True))))
    # the value as printed (decimals kept: "13.0"), for the rounding rule of cohorts.report.conflicts
    df["value_text"] = pd.read_csv(p, usecols=["value"], dtype=str, keep_default_na=False)["value"].to_numpy()
    return df


def _lines(path: Path, n: int) -> list[int]:
    """The file line each of the ``n`` CSV records starts on (header = line 1)."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        out, start = [], 2
        for rec in reader:
            if rec:  # pandas skips blank lines too
                out.append(start)
            start = reader.line_num + 1
    if len(out) != n:
        raise SourceDataError(f"{path}: {len(out)} CSV records but {n} rows read; check quoting")
    return out


def _refuse(path: Path, what: str, problems: list[tuple[int, str, str]]) -> None:
    if problems:
        shown = "; ".join(f"line {ln}, id {i!r}: {msg}" for ln, i, msg in problems[:5])
        raise SourceDataError(f"{path}: {what}: {len(problems)} problem(s): {shown}")


def load_target_classes(path: str | Path | None = None, *, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The class of each comparable target (packaged ``target_classes.csv`` unless ``path`` is given).

    Returns
    -------
    pandas.DataFrame
        Columns ``id`` (unique), ``class`` (one of :data:`CLASSES`) and
        ``reason`` (how the generator and the pipeline produce the number).

    Parameters
    ----------
    path : str or Path, optional
    targets : pandas.DataFrame, optional
        When given, every id must be one of its ids.

    Raises
    ------
    ValueError
        (:class:`~cohorts.report.conflicts.SourceDataError`) If a column is
        missing, an id appears twice, a class is unknown, a reason is empty or
        an id is not in ``targets`` (naming the file, the offending ids and
        their lines).
    """
    p = _data_path("target_classes.csv") if path is None else Path(path)
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in ("id", "class", "reason") if c not in df.columns]
    if missing:
        raise SourceDataError(f"{p}: class file lacks column(s) {missing}")
    line = pd.Series(_lines(p, len(df)), index=df.index)
    problems = {
        "id appears more than once": df["id"].duplicated(keep=False),
        f"class not one of {list(CLASSES)}": ~df["class"].isin(CLASSES),
        "empty reason": df["reason"].str.strip() == "",
    }
    if targets is not None:
        problems["id is not in the target list"] = ~df["id"].isin(targets["id"].astype(str))
    for rule, bad in problems.items():
        if bad.any():
            ids, lines = df.loc[bad, "id"].head(5).tolist(), line[bad].head(5).tolist()
            raise SourceDataError(f"{p}: column 'class'/'id'/'reason': {rule}: {int(bad.sum())} row(s), "
                                  f"e.g. {ids} at line(s) {lines}")
    return df[["id", "class", "reason"]]


def load_tolerances(path: str | Path | None = None) -> pd.DataFrame:
    """The tolerance per kind of number (packaged ``tolerances.csv`` unless ``path`` is given).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``kind``; columns ``absolute`` (percentage points or the
        unit of the target), ``relative`` (fraction of the target),
        ``se_multiplier``, ``unit``, ``applies_to``, ``rationale``.

    Raises
    ------
    ValueError
        If a kind used by the rules is missing or has no bound.
    """
    p = _data_path("tolerances.csv") if path is None else Path(path)
    df = pd.read_csv(p).set_index("kind")
    missing = [k for k in TOLERANCE_KINDS if k not in df.index]
    if missing:
        raise ValueError(f"{p}: no tolerance for kind(s) {missing}")
    no_bound = df.index[df[["absolute", "relative", "se_multiplier"]].isna().all(axis=1)].tolist()
    if no_bound:
        raise ValueError(f"{p}: kind(s) {no_bound} have neither an absolute nor a relative bound")
    return df


# --------------------------------------------------------------------------
# the study's statistics, computed once per run
# --------------------------------------------------------------------------
class NotReproducible(Exception):
    """Raised by a rule when the target cannot be computed from the study data."""


@dataclass(frozen=True)
class Options:
    """Choices where the report is ambiguous (see :mod:`cohorts.report.tables`)."""

    table_5_window: str = "first_year"
    table_b4_among: str = "holders"
    figure_7_population: str = "starters"
    figure_7_window: str = "first_year"
    """Figure 7 arrears: first arrears in the origination year (as Tabel 5) or ``"ever"``."""
    horizon_offset: int = 1
    """Duration = printed years after origination + this (ambiguity 9)."""


@dataclass
class StudyResults:
    """The study frames plus per-run caches of the expensive statistics.

    Parameters
    ----------
    cohorts, panel, stock : pandas.DataFrame
        Outputs of :func:`cohorts.build.build`.
    scale : float, default 1.0
        Synthetic population scale (counts are divided by it before comparing).
    options : Options
        Interpretation choices.
    """

    cohorts: pd.DataFrame
    panel: pd.DataFrame
    stock: pd.DataFrame
    scale: float = 1.0
    options: Options = field(default_factory=Options)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not (np.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive number, but was {self.scale!r}")

    def _cached(self, key: tuple, make: Callable[[], object]) -> object:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables, keyed ``"T1"`` ... ``"B8"``."""
        return self._cached(("tables",), lambda: T.all_tables(
            self.cohorts, self.stock, table_5_window=self.options.table_5_window,
            table_b4_among=self.options.table_b4_among))

    def survival(self, *, starters: bool, threshold: float | None) -> pd.DataFrame:
        """:func:`cohorts.report.tables.survival_data` at durations 1-7 (cached)."""
        return self._cached(("km", starters, threshold), lambda: T.survival_data(
            self.cohorts, starters=starters, threshold=threshold, times=range(1, 8)))

    def income_growth(self) -> pd.DataFrame:
        """:func:`cohorts.report.tables.income_growth_data` (cached)."""
        return self._cached(("growth",), lambda: T.income_growth_data(self.panel))

    def figure_7_frame(self) -> pd.DataFrame:
        """The Figure 7 population (``lti_util``, ``event`` within the window; :func:`~cohorts.report.tables.figure_7_frame`)."""
        return self._cached(("f7",), lambda: T.figure_7_frame(
            self.cohorts, population=self.options.figure_7_population, window=self.options.figure_7_window))


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


@dataclass(frozen=True)
class Rule:
    """One mapping from target rows to a statistic.

    Attributes
    ----------
    name : str
        Short name (written to ``comparison.csv`` as part of ``note``).
    compute : callable
        ``compute(results, row) -> float``; raises :class:`NotReproducible`.
    kind : str or callable
        Tolerance kind, or ``kind(row) -> str``.
    id : str, optional
        Regex that the target id must match (``re.search``).
    quantity : str, optional
        Regex that the quantity must match (``re.search``, case-insensitive).
    source : str, optional
        Regex that the source must match.
    """

    name: str
    compute: Compute
    kind: str | Callable[[pd.Series], str]
    id: str | None = None
    quantity: str | None = None
    source: str | None = None

    def matches(self, row: pd.Series) -> bool:
        """Whether every given pattern matches the row."""
        if self.id is not None and not re.search(self.id, str(row["id"])):
            return False
        if self.quantity is not None and not re.search(self.quantity, str(row["quantity"]), flags=re.IGNORECASE):
            return False
        return self.source is None or bool(re.search(self.source, str(row["source"])))

    def kind_of(self, row: pd.Series) -> str:
        """The tolerance kind for a row."""
        return self.kind(row) if callable(self.kind) else self.kind


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
    """The first rule that matches a target row, or ``None``."""
    for rule in rules:
        if rule.matches(row):
            return rule
    return None


# --------------------------------------------------------------------------
# tolerances
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


def tolerance_for(kind: str, target: float, *, n: float | None, tolerances: pd.DataFrame,
                  se: float | None = None) -> float:
    """The tolerance of one target of a given kind.

    Parameters
    ----------
    kind : str
        Row of ``tolerances``.
    target : float
        Published value (percent for shares).
    n : float, optional
        The report's N for a share's binomial standard error (used when ``se`` is not given).
    tolerances : pandas.DataFrame
        From :func:`load_tolerances`.
    se : float, optional
        The target's standard error at the report's N, any kind
        (:func:`cohorts.report.sampling.report_se`); NaN or None = none.

    Returns
    -------
    float
        ``max(absolute, se_multiplier * SE, relative * |target|)`` over the
        bounds given for the kind; ``SE = 100 sqrt(p (1 - p) / n)`` with
        ``p = target / 100``.

    Examples
    --------
    >>> tol = load_tolerances()
    >>> round(tolerance_for("share", 50.0, n=100, tolerances=tol), 6)  # 3 * 5 pp
    15.0
    >>> tolerance_for("share", 50.0, n=1_000_000, tolerances=tol)  # the 1 pp floor
    1.0
    """
    if kind not in tolerances.index:
        raise ValueError(f"no tolerance for kind {kind!r}; known kinds: {list(tolerances.index)}")
    spec = tolerances.loc[kind]
    bounds = [0.0]
    if pd.notna(spec["absolute"]):
        bounds.append(float(spec["absolute"]))
    if pd.notna(spec["relative"]):
        bounds.append(float(spec["relative"]) * abs(target))
    if pd.notna(spec["se_multiplier"]):
        if se is not None and np.isfinite(se):
            bounds.append(float(spec["se_multiplier"]) * float(se))
        elif se is None and n is not None and n > 0:
            p = min(max(target / 100.0, 0.0), 1.0)
            bounds.append(float(spec["se_multiplier"]) * 100.0 * math.sqrt(p * (1.0 - p) / n))
    return max(bounds)


def _bound(note: object) -> str:
    text = "" if pd.isna(note) else str(note)
    if "lower_bound" in text:
        return "at_least"
    if "upper_bound" in text:
        return "at_most"
    return "two_sided"


# --------------------------------------------------------------------------
# the comparison
# --------------------------------------------------------------------------
def comparable_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Target rows that are study statistics: not ``external`` and not ``definition``."""
    keep = (targets["kind"] != "definition") & (targets["group"].fillna("") != "external")
    return targets.loc[keep].reset_index(drop=True)


def compare(
    results: StudyResults,
    *,
    targets: pd.DataFrame | None = None,
    tolerances: pd.DataFrame | None = None,
    rules: Sequence[Rule] = RULES,
    classes: pd.DataFrame | None = None,
    conflicts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One comparison row per comparable target.

    Parameters
    ----------
    results : StudyResults
        The study frames, scale and interpretation options.
    targets : pandas.DataFrame, optional
        Target list (default: the packaged copy).
    tolerances : pandas.DataFrame, optional
        Tolerances by kind (default: the packaged file).
    rules : sequence of Rule, default :data:`RULES`
    classes : pandas.DataFrame, optional
        Class of each target (default: :func:`load_target_classes`).
    conflicts : pandas.DataFrame, optional
        Source conflicts (default: the packaged file,
        :func:`cohorts.report.conflicts.load_conflicts`, checked against the
        packaged targets; an expression that reads an id missing from
        ``targets`` is reported as not evaluated).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`: ``id, target, reproduced,
        abs_diff, tolerance, within`` (bool; False unless compared),
        ``status`` (``compared``; ``not_reproducible`` with a ``reason``;
        ``no_data`` when the study population is empty), ``class``
        (``recomputed`` / ``planted`` from the class file, ``unclassified``
        for an id not in it; see :data:`CLASSES`), ``reason``,
        ``tolerance_kind``, ``bound`` (``two_sided``/``at_least``/``at_most``),
        ``score`` (violation / tolerance; <= 1 means within), ``sample_se``
        (the standard error at the study's own N, report N x scale, for every
        kind that has one -- the sampling noise of a synthetic sample, for
        telling noise from misfit), ``note`` (the rule used, and "count /
        scale" for counts), ``source, group, cohort_year`` and ``target_note``
        (the target's own note: approximations, bounds, ambiguities); then
        ``report_se`` (the standard error at the report's N; the tolerance is
        ``max(fixed, 3 report_se)``), ``sample_tolerance`` (``max(fixed, 3
        sample_se)``), ``within_sample`` (the verdict at the run's own N),
        ``sample_z`` (violation / sample_se), and for the targets of
        ``source_conflicts.csv``: ``conflict_kind, conflicts_with, implied,
        implied_low, implied_high, contradiction, conflict_check``.  A
        confirmed arithmetic contradiction has ``status = "source_conflict"``,
        a method conflict ``"method_conflict"`` (both keep their numbers and
        verdicts but are not counted with the compared targets).
    """
    all_targets = load_targets() if targets is None else targets
    tol = load_tolerances() if tolerances is None else tolerances
    cls = load_target_classes(targets=all_targets if targets is None else None) if classes is None else classes
    class_of = dict(zip(cls["id"], cls["class"], strict=True))
    conf = load_conflicts(targets=load_targets() if targets is not None else all_targets) \
        if conflicts is None else conflicts
    checks = check_conflicts(conf, all_targets).set_index("id")
    rows = []
    for _, row in comparable_targets(all_targets).iterrows():
        rec = {
            "id": row["id"], "target": row["value"], "reproduced": np.nan, "abs_diff": np.nan,
            "tolerance": np.nan, "within": False, "status": "not_reproducible",
            "class": class_of.get(row["id"], UNCLASSIFIED), "reason": "",
            "tolerance_kind": "", "bound": _bound(row["note"]), "score": np.nan, "sample_se": np.nan, "note": "",
            "source": row["source"], "group": row["group"], "cohort_year": row["cohort_year"],
            "target_note": "" if pd.isna(row["note"]) else str(row["note"]),
            "report_se": np.nan, "sample_tolerance": np.nan, "within_sample": False, "sample_z": np.nan,
            "conflict_kind": "", "conflicts_with": "", "implied": np.nan, "implied_low": np.nan,
            "implied_high": np.nan, "contradiction": False, "conflict_check": "",
        }
        if row["id"] in checks.index:
            rec.update(checks.loc[row["id"]].to_dict())
        rule = match_rule(row, rules)
        if rule is None:
            rec["reason"] = "no rule maps this statement to a statistic of the study data"
            rows.append(rec)
            continue
        rec["note"] = rule.name
        try:
            kind = rule.kind_of(row)
            rec["tolerance_kind"] = kind
            value = float(rule.compute(results, row))
        except NotReproducible as exc:
            rec["reason"] = str(exc)
            rows.append(rec)
            continue
        if kind == "count":
            rec["note"] += f"; study count divided by scale {results.scale:g}"
        if not np.isfinite(value):
            rec["status"] = "no_data"
            rec["reason"] = "the population is empty (or has no events) in the study data"
            rows.append(rec)
            continue
        target = float(row["value"])
        se = report_se(results, all_targets, row, rule=rule.name, kind=kind)
        tolerance = tolerance_for(kind, target, n=None, tolerances=tol, se=se)
        rec["report_se"] = se
        rec["sample_se"] = se / math.sqrt(results.scale)  # the study's N is the report's N x scale
        fixed = tolerance_for(kind, target, n=None, tolerances=tol, se=float("nan"))
        sample_tol = max(fixed, 3.0 * rec["sample_se"]) if np.isfinite(rec["sample_se"]) else fixed
        diff = value - target
        violation = {"two_sided": abs(diff), "at_least": max(0.0, -diff), "at_most": max(0.0, diff)}[rec["bound"]]
        status = "compared"
        if rec["conflict_kind"] == "method":
            status = "method_conflict"
        elif rec["conflict_kind"] == "arithmetic" and rec["contradiction"]:
            status = "source_conflict"
        rec.update(
            reproduced=value, abs_diff=abs(diff), tolerance=tolerance, within=bool(violation <= tolerance),
            status=status, score=violation / tolerance if tolerance > 0 else (0.0 if violation == 0 else np.inf),
            sample_tolerance=sample_tol, within_sample=bool(violation <= sample_tol),
            sample_z=violation / rec["sample_se"] if rec["sample_se"] > 0 else np.nan,
        )
        rows.append(rec)
    out = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    return out.astype({"within": bool, "within_sample": bool, "contradiction": bool})


def _within_line(label: str, comp: pd.DataFrame) -> str:
    k, n = int(comp["within"].sum()), len(comp)
    return f"{label}: {k} of {n} within tolerance ({100.0 * k / n if n else 0.0:.1f}%)"


def summarize(
    comparison: pd.DataFrame, *, worst: int = 10, n_excluded: int | None = None, scale: float | None = None
) -> str:
    """A short text summary: how many are within tolerance, by class, the conflicts, the noise and the worst rows.

    The headline (first line) counts the ``recomputed`` targets only: numbers
    the pipeline computes through a method step.  ``planted`` targets (the
    generator writes the published value into a raw field and the pipeline
    reads it back) follow on their own line, then all compared targets
    together (the former headline, worded as before: "k of n comparable
    targets within tolerance").  Rows without a ``class`` column count as
    ``unclassified``.  Rows with status ``source_conflict`` or
    ``method_conflict`` are not counted there but listed on their own lines;
    at ``scale`` below 1 a line says how many misses the sampling noise at
    the run's own N explains (``within_sample``), and each of the worst rows
    shows its miss in standard errors at the run's N (``sample_z``).

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`compare`.
    worst : int, default 10
        How many of the worst compared rows (largest ``score``) to list.
    n_excluded : int, optional
        Number of target rows left out as external or definitions (reported).
    scale : float, optional
        Synthetic scale, mentioned next to the count rule.

    Returns
    -------
    str
    """
    comp = comparison.loc[comparison["status"] == "compared"]
    klass = comp["class"] if "class" in comp.columns else pd.Series(UNCLASSIFIED, index=comp.index)
    lines = [
        _within_line("Recomputed targets (computed by the pipeline through a method step)", comp.loc[klass == "recomputed"])
        + ". This is the headline.",
        _within_line("Planted targets (written into raw fields by the generator and read back; they check "
                     "selection and grouping, not a computation)", comp.loc[klass == "planted"]) + ".",
    ]
    other = comp.loc[~klass.isin(CLASSES)]
    if len(other):
        lines.append(_within_line("Unclassified targets (not in target_classes.csv)", other) + ".")
    n_all, k_all = len(comp), int(comp["within"].sum())
    lines.append(f"All: {k_all} of {n_all} comparable targets within tolerance "
                 f"({100.0 * k_all / n_all if n_all else 0.0:.1f}%), recomputed and planted together.")
    lines += conflict_lines(comparison)
    lines += noise_lines(comparison, scale=scale)
    for status in ("not_reproducible", "no_data"):
        n = int((comparison["status"] == status).sum())
        if n:
            lines.append(f"{n} target(s) {status.replace('_', ' ')}; reasons in comparison.csv.")
    if n_excluded is not None:
        lines.append(f"{n_excluded} target row(s) left out: external numbers and method definitions.")
    if scale is not None:
        lines.append(f"Counts are compared as study count / scale ({scale:g}).")
    by_kind = comp.groupby([klass, "tolerance_kind"])["within"].agg(["sum", "size"])
    lines.append("By class and kind: " + ", ".join(f"{c} {k} {int(r['sum'])}/{int(r['size'])}"
                                                  for (c, k), r in by_kind.iterrows()))
    if len(comp):
        top = comp.sort_values(["score", "id"], ascending=[False, True], kind="stable").head(worst)
        lines.append(f"Worst {len(top)} (|reproduced - target| / tolerance"
                     + ("; noise = the miss in standard errors at the run's own N, sample_se):"
                        if "sample_z" in top.columns else "):"))
        for r, c in zip(top.itertuples(index=False), klass.loc[top.index], strict=True):
            z = getattr(r, "sample_z", np.nan)
            noise = f"  noise {z:>6.2f} SE" if pd.notna(z) else ("  noise      - " if "sample_z" in top.columns else "")
            lines.append(f"  {r.id:<40} {c:<10} target {r.target:>12.4g}  reproduced {r.reproduced:>12.4g}  "
                         f"tolerance {r.tolerance:>9.3g}  score {r.score:>7.2f}{noise}")
    return "\n".join(lines)
