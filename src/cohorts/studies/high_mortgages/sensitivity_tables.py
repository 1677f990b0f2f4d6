"""Sensitivity tables of the release: Tabel 1 under each WLT reading (S1), high shares under stand-in tables (S2).

Both are tidy like the report's tables (:mod:`cohorts.studies.high_mortgages.tables`) with
two more columns:

``variant``
    S1: ``"published"`` (AFM 2022, Tabel 1 and the N under it, from the
    packaged targets), ``"toetsrente"`` or ``"contract"`` (the reading of Box
    1, :mod:`cohorts.norms.wlt`); S2: the table year that stands in for the
    missing 2016/2017 tables (``"2013"``, ``"2014"``, ``"2015"``).
``as_built``
    True where the row is the build's own choice: the reading whose
    ``wlt_possible`` equals the cohort table's on every row (S1; both when
    the readings agree everywhere), the table year the build used for every
    mortgage of that cohort (S2; ``norm_table_year``).  An as-built row
    repeats a number of Tabel 1 (S1) or of the high share behind Tabel B3
    (S2); the codebook reads it so (:mod:`cohorts.studies.high_mortgages.release`).

S1's groups and denominators are those of Tabel 1 (high mortgages with
interest-only parts, ambiguity 4); S2's are all new mortgages and starters
of the 2016 and 2017 cohorts, ``value`` the share (percent) with LTI
utilisation above ``threshold`` (100%).  The counts are the data's own
(unscaled), like every table of the release; the published rows carry the
report's N.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.norms.sensitivity import STANDIN_TABLES, STANDIN_YEARS, standin_lti_util, wlt_possible_under
from cohorts.norms.tables import NormTables
from cohorts.norms.wlt import WLT_READINGS
from cohorts.studies.high_mortgages import tables as T

#: The sensitivity tables of the release (table id -> what they vary).
SENSITIVITY_TABLES: tuple[str, ...] = ("S1", "S2")
#: Tidy columns of the sensitivity tables.
SENSITIVITY_COLUMNS: tuple[str, ...] = ("table", "group", "cohort", "variant", "as_built", "statistic", "unit", "n",
                                        "value")
#: The variant of S1 that holds the published numbers (never a fact about the data).
PUBLISHED = "published"
S1_GROUPS: tuple[str, ...] = ("new_high_io", "starters_high_io")
S2_GROUPS: tuple[str, ...] = ("new", "starters")

_VARIANT_LABELS = {
    "en": {PUBLISHED: "published (AFM 2022)", "toetsrente": "IO part at the test rate",
           "contract": "IO part at the contract rate", "table": "{} table", "built": " (build)"},
    "nl": {PUBLISHED: "gepubliceerd (AFM 2022)", "toetsrente": "aflossingsvrij deel tegen de toetsrente",
           "contract": "aflossingsvrij deel tegen de contractrente", "table": "tabel {}", "built": " (build)"},
}
#: Labels of the variants (``"table"`` formats a stand-in table year) in English and Dutch.
VARIANT_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(_VARIANT_LABELS)


def _published_t1(targets: pd.DataFrame | None) -> dict[tuple[str, int], tuple[float, float]]:
    """(group, year) -> (published N, published share) of Tabel 1, from the packaged targets."""
    if targets is None:
        from cohorts.studies.high_mortgages.comparison import load_targets

        targets = load_targets()
    out: dict[tuple[str, int], tuple[float, float]] = {}
    for group in S1_GROUPS:
        for year in C.COHORT_YEARS:
            ids = {f"T1_N_{group}_{year}": "n", f"T1_{group}_{year}": "value"}
            rows = targets.loc[targets["id"].isin(list(ids))].set_index("id")["value"].astype("float64")
            if len(rows) != 2:
                raise ValueError(f"targets: expected rows {sorted(ids)}, found {sorted(rows.index)}")
            out[(group, year)] = (float(rows[f"T1_N_{group}_{year}"]), float(rows[f"T1_{group}_{year}"]))
    return out


def _share_rows(table: str, cohorts: pd.DataFrame, *, groups: Sequence[str], years: Sequence[int], variant: str,
                as_built: bool, flag: np.ndarray, threshold: float | None) -> list[tuple]:
    cohort = cohorts[C.COHORT].to_numpy(dtype="int64")
    rows = []
    for group in groups:
        mask = T.population_mask(cohorts, group, threshold=threshold)
        for year in years:
            m = mask & (cohort == year)
            n = int(m.sum())
            value = float(100.0 * flag[m].mean()) if n else float("nan")
            rows.append((table, group, int(year), variant, bool(as_built), "share", "percent", n, value))
    return rows


def _frame(rows: list[tuple]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
    return out.astype({"cohort": "int64", "n": "int64", "value": "float64", "as_built": bool})


def table_s1(cohorts: pd.DataFrame, *, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """S1: Tabel 1 under each reading of Box 1, beside the published Tabel 1.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        The build's cohort table (norm columns, ``wlt_possible``, ``high``,
        ``starter``, ``interest_only_amount``).
    targets : pandas.DataFrame, optional
        The published numbers (default: the packaged ``report_targets.csv``).

    Returns
    -------
    pandas.DataFrame
        Tidy (:data:`SENSITIVITY_COLUMNS`): per group of Tabel 1 and cohort,
        the published row and one row per reading (share of ``wlt_possible``
        under that reading among high mortgages with interest-only parts).
    """
    built = cohorts["wlt_possible"].to_numpy(dtype=bool)
    published = _published_t1(targets)
    rows = [("S1", g, y, PUBLISHED, False, "share", "percent", int(round(published[(g, y)][0])),
             published[(g, y)][1]) for g in S1_GROUPS for y in C.COHORT_YEARS]
    for reading in WLT_READINGS:
        flag = wlt_possible_under(cohorts, wlt_reading=reading)
        rows += _share_rows("S1", cohorts, groups=S1_GROUPS, years=C.COHORT_YEARS, variant=reading,
                            as_built=bool(np.array_equal(flag, built)), flag=flag, threshold=None)
    order = {(g, v): i for i, (g, v) in enumerate((g, v) for g in S1_GROUPS for v in (PUBLISHED, *WLT_READINGS))}
    out = _frame(rows)
    key = [order[(g, v)] for g, v in zip(out["group"], out["variant"], strict=True)]
    return out.iloc[np.lexsort((out["cohort"].to_numpy(), key))].reset_index(drop=True)


def table_s2(
    cohorts: pd.DataFrame,
    *,
    standins: Sequence[int] = STANDIN_TABLES,
    years: Sequence[int] = STANDIN_YEARS,
    threshold: float = 1.0,
    tables: NormTables | None = None,
) -> pd.DataFrame:
    """S2: share of high mortgages in the 2016 and 2017 cohorts when another year's table stands in.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        The build's cohort table (the norm's input columns with ``cohort`` as
        the norm year, ``lti_util``, ``norm_table_year``, ``starter``).
    standins : sequence of int, default (2013, 2014, 2015)
        The table years that stand in (:func:`cohorts.norms.sensitivity.standin_lti_util`).
    years : sequence of int, default (2016, 2017)
        The cohorts without a table of their own.
    threshold : float, default 1.0
        High = LTI utilisation above this (1.0 = 100%, the report's definition).
    tables : NormTables, optional
        Where the stand-in tables come from (default: the packaged ones).

    Returns
    -------
    pandas.DataFrame
        Tidy (:data:`SENSITIVITY_COLUMNS`): per group (all new mortgages,
        starters), cohort and stand-in table year, ``n`` mortgages and the
        share (percent) above ``threshold``.  The row of the table year the
        build used for the whole cohort is ``as_built`` and takes the build's
        own ``lti_util``.
    """
    cohort = cohorts[C.COHORT].to_numpy(dtype="int64")
    used = cohorts["norm_table_year"].to_numpy(dtype="int64")
    built_lti = cohorts[C.LTI_UTIL].to_numpy(dtype="float64")
    rows = []
    for year in years:
        in_year = cohort == year
        part = cohorts.loc[in_year]
        for table_year in standins:
            as_built = bool(in_year.any() and np.all(used[in_year] == table_year))
            lti = built_lti[in_year] if as_built else standin_lti_util(
                part, table_year=table_year, years=years, tables=tables, columns={"year": C.COHORT})
            flag = np.zeros(len(cohorts), dtype=bool)
            flag[in_year] = lti > threshold
            rows += _share_rows("S2", cohorts, groups=S2_GROUPS, years=(year,), variant=str(table_year),
                                as_built=as_built, flag=flag, threshold=threshold)
    out = _frame(rows)
    return out.sort_values(["group", "cohort", "variant"], kind="stable",
                           key=lambda s: s.map({g: i for i, g in enumerate(S2_GROUPS)}) if s.name == "group" else s
                           ).reset_index(drop=True)


def variant_label(variant: str, *, as_built: bool, lang: str = "en") -> str:
    """The readable label of a variant (``"IO part at the contract rate"``, ``"2014 table (build)"``)."""
    names = VARIANT_LABELS[lang]
    text = names[variant] if variant in names else names["table"].format(variant)
    return text + (names["built"] if as_built else "")


def wide_variants(table: pd.DataFrame, *, column: str = "value", lang: str = "en",
                  labels: bool = False) -> pd.DataFrame:
    """The layout of a sensitivity table: one row per group and variant, cohort years as columns."""
    as_built = table["as_built"].astype(str).str.lower().eq("true").to_numpy()
    names = T.GROUP_LABELS[lang]

    def row_label(group: str, variant: str, built: bool) -> str:
        if not labels:
            return f"{group}: {variant}"
        return f"{names.get(group, group)}: {variant_label(str(variant), as_built=built, lang=lang)}"

    keys = [row_label(g, v, b) for g, v, b in zip(table["group"], table["variant"], as_built, strict=True)]
    work = pd.DataFrame({"row": keys, "cohort": table["cohort"].to_numpy(), column: table[column].to_numpy()})
    order = list(dict.fromkeys(keys))
    out = work.pivot(index="row", columns="cohort", values=column).loc[order]
    out.columns = [str(c) for c in out.columns]
    out.index.name = "" if labels else "group: variant"
    return out
