"""The interest-only study's population: raw files -> the households and parts frames.

The study (specification ``shared/targets/io_refinancing/README.md``, "README") takes the
households that own their home and have at least one interest-only or investment loan part at
the end-2016 LLD snapshot (checklist A1), with the CBS records of 2017 (A2).  This module builds

* :func:`build_population` (and :func:`households`): one row per such household, columns of
  :mod:`cohorts.studies.interest_only.columns` (refinancing year T, perpetual flags, fully-IO flag,
  debt now, WOZ value, incomes and entitlements of main earner and partner, household wealth sums);
* the **parts** frame: the households' end-2016 loan parts (raw LLD columns plus ``household_id``);
* the selection table (:mod:`cohorts.selection`): every exclusion is a counted step with a reason.

All functions are pure (DataFrame -> DataFrame); :func:`read_inputs` is the I/O edge.  Debt at T
is not computed here (the engine's amortisation).

Choices (README section 7):

* **Main earner** (checklist A4): the person with the higher 2017 CBS gross income of the key
  table's person and that person's CBS partner (ties: the key-table person).  The key table names
  one person per loan; it is not trusted to be the highest earner.  ``main_earner="key_person"``
  takes the key-table person instead.
* **Refinancing year** (checklist B5): the year of the first-maturing dated IO/investment part;
  dates in 2016-2019 stay in (A21).
* **Administrative perpetual** (checklist B6 (i)): IO/investment parts without a maturity date
  (missing; a real extract's far-future code is mapped to missing by ``perpetual_from``,
  :mod:`cohorts.mapping`).  Default ``admin_rule="all"``: the household is an administrative
  perpetual when none of its IO parts has a date (otherwise the first dated part gives T);
  ``"any"``: one undated IO part suffices.
* **De-facto perpetual** (checklist B6 (ii), A13): the IO part matures after the main earner's
  85th birthday.  ``part_rule="first"`` (default) tests the first-maturing dated IO part; with the
  first maturing after 85 every part does, so "first" and "every" coincide; the alternative
  ``"last"`` tests the last-maturing part (the household counts as perpetual if any part runs past
  85).  At year granularity (A13) ``age_boundary="after_year"`` (default) counts a maturity year
  strictly after the year in which the main earner turns 85 (T > birth year + 85); ``"in_year"``
  also counts the birthday year itself (T >= birth year + 85).
* **Several mortgages** (README section 2: the text names no linkage exclusions, but the study's
  household is one mortgage): a main person linked to more than one end-2016 mortgage is dropped,
  counted (``multiple_mortgages="drop"``, default); ``"keep"`` keeps each mortgage as a household.
* **House value** (checklist A3, A33): the WOZ value of the main earner's record, else the partner's.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.contracts import require_columns
from cohorts.errors import ConfigError
from cohorts.selection import Step, drop_step, keep_rows, selection_frame, unit_step
from cohorts.studies.interest_only import columns as S
from cohorts.studies.interest_only.income import PERSON_FIELDS  # copied per person as <name>_main / <name>_partner

POPULATION = "interest_only"
"""The ``population`` label of this study's selection steps."""

_INCOME_SOURCES = (C.WAGES, C.BUSINESS_PROFIT, C.DGA_WAGE, C.PENSION_INCOME, C.BENEFITS)
_WEALTH_SUMS = (
    (S.SAVINGS, C.SAVINGS),
    (S.SECURITIES, C.SECURITIES),
    (S.CASH, C.CASH),
    (S.OTHER_DEBTS, C.OTHER_DEBTS),
    (S.OTHER_REAL_ESTATE, C.OTHER_REAL_ESTATE),
    (S.BUSINESS_ASSETS, C.BUSINESS_ASSETS),
)


@dataclass(frozen=True)
class Population:
    """The study's population frames.

    Attributes
    ----------
    households : pandas.DataFrame
        One row per household (see :func:`households`).
    parts : pandas.DataFrame
        The households' end-2016 loan parts: :data:`cohorts.columns.LLD_COLUMNS` plus
        :data:`~cohorts.studies.interest_only.columns.HOUSEHOLD_ID`.
    selection : pandas.DataFrame
        The selection table (:data:`cohorts.selection.SELECTION_COLUMNS`).
    """

    households: pd.DataFrame
    parts: pd.DataFrame
    selection: pd.DataFrame


def load_population_params(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The population parameters (``data/population.toml``, each with its seed line).

    Raises
    ------
    ConfigError
        If a key is missing.
    """
    p = Path(path) if path is not None else Path(str(resources.files("cohorts.studies.interest_only").joinpath("data/population.toml")))
    raw = tomllib.loads(p.read_text(encoding="utf-8"))
    need = ("snapshot_year", "income_year", "io_types", "life_expectancy")
    missing = [k for k in need if k not in raw]
    if missing:
        raise ConfigError(f"{p}: missing key(s) {missing}")
    return raw


def refinancing(
    parts: pd.DataFrame,
    main_birth_year: pd.Series,
    *,
    io_types: tuple[str, ...],
    life_expectancy: int,
    part_rule: Literal["first", "last"] = "first",
    admin_rule: Literal["all", "any"] = "all",
    age_boundary: Literal["after_year", "in_year"] = "after_year",
) -> pd.DataFrame:
    """Refinancing date and perpetual flags per household (checklist B5-B6, A13, A21).

    Parameters
    ----------
    parts : pandas.DataFrame
        Loan parts with ``household_id``, ``repayment_type`` and ``maturity_date`` (missing =
        administrative perpetual).
    main_birth_year : pandas.Series
        The main earner's birth year, indexed by household id; the result has this index.
    io_types : tuple of str
        Non-guaranteed repayment types (checklist A1).
    life_expectancy : int
        85 (seed lines 2771-2775).
    part_rule, admin_rule, age_boundary : str
        See the module docstring (A13).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``main_birth_year``: ``refi_date`` (NaT for perpetuals), ``refi_year``
        (Int16, <NA> for perpetuals), ``perpetual_admin``, ``perpetual_age``, ``perpetual``.
        Households without an IO part get all flags False and no date.

    Raises
    ------
    ValueError
        On an unknown rule.
    """
    for name, value, allowed in (("part_rule", part_rule, ("first", "last")), ("admin_rule", admin_rule, ("all", "any")),
                                 ("age_boundary", age_boundary, ("after_year", "in_year"))):
        if value not in allowed:
            raise ValueError(f"refinancing: {name} must be one of {allowed}, but was {value!r}")
    io = parts[C.REPAYMENT_TYPE].astype(str).isin(io_types).to_numpy()
    p = parts.loc[io]
    hid = p[S.HOUSEHOLD_ID].to_numpy()
    mat = p[C.MATURITY_DATE]
    dated = mat.notna().to_numpy()
    idx = main_birth_year.index
    n_io = pd.Series(1, index=hid).groupby(level=0).sum().reindex(idx, fill_value=0)
    n_dated = pd.Series(dated.astype("int64"), index=hid).groupby(level=0).sum().reindex(idx, fill_value=0)
    g = pd.Series(mat.to_numpy()[dated], index=hid[dated]).groupby(level=0)
    first = g.min().reindex(idx)
    tested = (first if part_rule == "first" else g.max().reindex(idx))
    admin = (n_dated == 0) & (n_io > 0) if admin_rule == "all" else (n_dated < n_io)
    tested_year = tested.dt.year.astype("Int64")
    limit = main_birth_year.astype("Int64") + int(life_expectancy)
    late = (tested_year > limit) if age_boundary == "after_year" else (tested_year >= limit)
    age = late.fillna(False).astype(bool) & ~admin
    perpetual = admin | age
    refi_date = first.where(~perpetual)
    out = pd.DataFrame(
        {
            S.REFI_DATE: refi_date.astype("datetime64[ns]"),
            S.REFI_YEAR: refi_date.dt.year.astype("Int16"),
            S.PERPETUAL_ADMIN: admin.to_numpy(dtype=bool),
            S.PERPETUAL_AGE: age.to_numpy(dtype=bool),
            S.PERPETUAL: perpetual.to_numpy(dtype=bool),
        },
        index=idx,
    )
    return out


def _one_per_person(df: pd.DataFrame, year: int) -> pd.DataFrame:
    """The ``year`` records indexed by person id (unique by the contracts).

    Without a copy of the columns when every row is of ``year`` (as :func:`read_inputs` gives them):
    ``set_index`` would copy the whole frame, a CBS file of millions of persons held twice.
    """
    rows = df[C.YEAR].to_numpy() == year
    if not rows.all():
        df = keep_rows(df, rows)
    index = pd.Index(df[C.PERSON_ID].array, name=C.PERSON_ID, copy=False)
    return pd.DataFrame({c: df[c].array for c in df.columns if c != C.PERSON_ID}, index=index, copy=False)


def build_population(
    lld: pd.DataFrame,
    cbs: pd.DataFrame,
    key: pd.DataFrame,
    income_pension: pd.DataFrame,
    wealth_dwelling: pd.DataFrame,
    *,
    params: dict[str, Any] | None = None,
    main_earner: Literal["highest_income", "key_person"] = "highest_income",
    multiple_mortgages: Literal["drop", "keep"] = "drop",
    part_rule: Literal["first", "last"] = "first",
    admin_rule: Literal["all", "any"] = "all",
    age_boundary: Literal["after_year", "in_year"] = "after_year",
    lld_rows_read: int | None = None,
) -> Population:
    """The households and parts frames from the validated raw frames, with the selection table.

    Parameters
    ----------
    lld, cbs, key : pandas.DataFrame
        Validated raw inputs (:mod:`cohorts.contracts`; the LLD may hold every snapshot).
    income_pension, wealth_dwelling : pandas.DataFrame
        The validated 2017 CBS files of the interest-only study.
    params : dict, optional
        :func:`load_population_params` (default: the packaged file).
    main_earner, multiple_mortgages, part_rule, admin_rule, age_boundary : str
        Choices documented in the module docstring (A4, A13).
    lld_rows_read : int, optional
        The LLD file's rows when ``lld`` holds only the snapshot's (:attr:`PopulationInputs.lld_rows_read`);
        the selection table's first step then counts from the file.

    Returns
    -------
    Population

    Raises
    ------
    ValueError
        On an unknown option.
    cohorts.errors.ContractError
        If an input lacks a column.
    """
    if main_earner not in ("highest_income", "key_person"):
        raise ValueError(f"build_population: main_earner must be 'highest_income' or 'key_person', not {main_earner!r}")
    if multiple_mortgages not in ("drop", "keep"):
        raise ValueError(f"build_population: multiple_mortgages must be 'drop' or 'keep', not {multiple_mortgages!r}")
    prm = load_population_params() if params is None else params
    snap_year, year = int(prm["snapshot_year"]), int(prm["income_year"])
    io_types = tuple(prm["io_types"])
    for df, cols, stage in ((lld, C.LLD_COLUMNS, "interest_only population: LLD"), (cbs, C.CBS_COLUMNS, "interest_only population: CBS persons"),
                            (key, C.KEY_COLUMNS, "interest_only population: key table"),
                            (income_pension, C.INCOME_PENSION_COLUMNS, "interest_only population: CBS income and pension"),
                            (wealth_dwelling, C.WEALTH_DWELLING_COLUMNS, "interest_only population: CBS wealth and dwelling")):
        require_columns(df, cols, stage=stage)
    steps: list[Step] = []

    def drop(unit: str, rule: str, before: int, after: int, reason: str) -> None:
        steps.append(drop_step(POPULATION, unit, rule, before, after, reason))

    # loan parts of the snapshot (read_inputs keeps only the snapshot's rows and says how many it read)
    n0 = len(lld) if lld_rows_read is None else int(lld_rows_read)
    in_snapshot = lld[C.SNAPSHOT_YEAR].to_numpy() == snap_year
    parts = lld if in_snapshot.all() else keep_rows(lld, in_snapshot)  # read_inputs keeps only the snapshot: no copy
    drop("loan parts", f"snapshot {snap_year}", n0, len(parts),
         f"the study is one cross-section: the Q4-{snap_year} LLD snapshot (seed 2636-2642)")
    lid = parts[C.LOAN_ID].to_numpy()
    is_io = parts[C.REPAYMENT_TYPE].astype(str).isin(io_types).to_numpy()
    loans = pd.DataFrame({C.LOAN_ID: lid, "io": is_io, "all_io": is_io,
                          "owner": parts[C.OWNER_OCCUPIED].to_numpy(dtype=bool)})
    g = loans.groupby(C.LOAN_ID, sort=True)
    mort = pd.DataFrame({"any_io": g["io"].any(), "all_io": g["all_io"].all(), "owner": g["owner"].all()})
    steps.append(unit_step(POPULATION, "mortgages", "loan parts -> mortgages", len(parts), len(mort),
                           "loan parts aggregated to mortgages (loan_id)"))

    def keep(mask: np.ndarray, rule: str, reason: str) -> None:
        nonlocal mort
        before = len(mort)
        mort = mort.loc[np.asarray(mask, dtype=bool)]
        drop("mortgages", rule, before, len(mort), reason)

    keep(mort["any_io"].to_numpy(), "no interest-only or investment part",
         "the population: >= 1 non-guaranteed (interest-only or investment) part (checklist A1, seed 2673-2679)")
    keep(mort["owner"].to_numpy(), "not owner-occupied", "the study covers owner-occupied homes (checklist A1)")
    k = key.drop_duplicates(C.LOAN_ID).set_index(C.LOAN_ID)[C.PERSON_ID]
    person = k.reindex(mort.index)
    keep(person.notna().to_numpy(), "not in the key table", "no link to a CBS person (2017 key table)")
    mort["person"] = k.reindex(mort.index).array
    if multiple_mortgages == "drop":
        # counted over every end-2016 mortgage in the key table, not only the remaining IO ones
        per_person = k.reindex(np.unique(lid)).dropna().value_counts()
        many = mort["person"].map(per_person).to_numpy(dtype="float64", na_value=0.0) > 1
        keep(~many, "main person has several mortgages",
             "the study's household is one mortgage; the key table links this person to more than one "
             "end-2016 mortgage (the text names no such exclusion: README section 2; option multiple_mortgages)")

    rec = _one_per_person(cbs, year)
    keep(mort["person"].isin(rec.index).to_numpy(), f"no CBS persons record {year} (key person)",
         f"the key-table person has no {year} CBS record (income, birth year, partner)")
    partner = rec[C.PARTNER_ID].reindex(mort["person"].to_numpy())
    mort["partner"] = partner.array
    has_p = mort["partner"].notna().to_numpy()
    keep(~has_p | mort["partner"].isin(rec.index).to_numpy(), f"no CBS persons record {year} (partner)",
         f"the partner named in the {year} CBS record has no {year} record of its own")
    inc = _one_per_person(income_pension, year)
    wl = _one_per_person(wealth_dwelling, year)
    for tab, label in ((inc, "CBS income and pension"), (wl, "CBS wealth and dwelling")):
        has_p = mort["partner"].notna().to_numpy()
        ok = mort["person"].isin(tab.index).to_numpy() & (~has_p | mort["partner"].isin(tab.index).to_numpy())
        keep(ok, f"no {label} record {year}", f"the key person or the partner is missing from the {year} {label} file")

    # main earner (A4)
    par = mort["partner"].reset_index(drop=True)
    key_p = mort["person"].reset_index(drop=True).astype(par.dtype)
    has_p = par.notna().to_numpy()
    inc_key = key_p.map(rec[C.GROSS_INCOME]).to_numpy(dtype="float64")
    inc_par = par.map(rec[C.GROSS_INCOME]).to_numpy(dtype="float64", na_value=np.nan)
    swap = has_p & (inc_par > inc_key) if main_earner == "highest_income" else np.zeros(len(mort), dtype=bool)
    main = key_p.where(~swap, par)
    other = par.where(~swap, key_p)

    woz_main = main.map(wl[C.WOZ_VALUE]).to_numpy(dtype="float64", na_value=np.nan)
    woz_other = other.map(wl[C.WOZ_VALUE]).to_numpy(dtype="float64", na_value=np.nan)
    woz = np.where(np.isnan(woz_main), woz_other, woz_main)
    ok = np.isfinite(woz) & (woz > 0)
    keep(ok, "no WOZ value",
         "neither main earner nor partner has a WOZ value: no house value now (checklist A3)")
    main, other, woz = main[ok].reset_index(drop=True), other[ok].reset_index(drop=True), woz[ok]
    n_mort = len(mort)
    steps.append(unit_step(POPULATION, "households", "mortgages -> households", n_mort, n_mort,
                           "one household per mortgage (household_id = loan_id)"))

    hid = mort.index.to_numpy()
    # the households' parts sorted by household and part: the order from the two key columns, then one copy
    rows = np.flatnonzero(np.isin(parts[C.LOAN_ID].to_numpy(), hid))
    keys = pd.DataFrame({S.HOUSEHOLD_ID: parts[C.LOAN_ID].array.take(rows),
                         C.LOAN_PART_ID: parts[C.LOAN_PART_ID].array.take(rows)})
    order = keys.sort_values([S.HOUSEHOLD_ID, C.LOAN_PART_ID], kind="stable").index.to_numpy()
    del keys
    sub = parts.take(rows[order])
    sub.index = pd.RangeIndex(len(sub))
    sub.insert(0, S.HOUSEHOLD_ID, sub[C.LOAN_ID].to_numpy())

    hh = pd.DataFrame(index=pd.Index(hid, name=S.HOUSEHOLD_ID))
    hh[C.MAIN_ID] = main.to_numpy()
    hh[C.PARTNER] = other.array
    hh[S.HAS_PARTNER] = other.notna().to_numpy()
    hh[S.MAIN_BIRTH_YEAR] = main.map(rec[C.BIRTH_YEAR]).to_numpy(dtype="int64")
    refi = refinancing(sub, hh[S.MAIN_BIRTH_YEAR], io_types=io_types, life_expectancy=int(prm["life_expectancy"]),
                       part_rule=part_rule, admin_rule=admin_rule, age_boundary=age_boundary)
    hh = hh.join(refi)
    hh[S.FULLY_IO] = mort["all_io"].to_numpy(dtype=bool)
    sio = sub[C.REPAYMENT_TYPE].astype(str).isin(io_types).to_numpy()
    bal = sub[C.CURRENT_BALANCE].to_numpy(dtype="float64")
    h = sub[S.HOUSEHOLD_ID].to_numpy()
    hh[S.DEBT_NOW] = pd.Series(bal, index=h).groupby(level=0).sum().reindex(hid).to_numpy()
    hh[S.IO_DEBT_NOW] = pd.Series(np.where(sio, bal, 0.0), index=h).groupby(level=0).sum().reindex(hid).to_numpy()
    hh[S.HOUSE_VALUE_NOW] = woz

    for suffix, ids in ((S.MAIN_SUFFIX, main), (S.PARTNER_SUFFIX, other)):
        for f in PERSON_FIELDS:
            v = ids.map(inc[f])
            if f == C.LABOUR_STATUS:
                hh[f"{f}{suffix}"] = v.astype(object).where(v.notna(), "other").to_numpy()
            else:
                hh[f"{f}{suffix}"] = v.astype("float64").fillna(0.0).to_numpy()
    hh[S.INCOME_NOW] = sum(hh[f"{f}{s}"] for f in _INCOME_SOURCES for s in (S.MAIN_SUFFIX, S.PARTNER_SUFFIX))
    for out_col, src in _WEALTH_SUMS:
        table = rec if src in (C.SAVINGS, C.SECURITIES, C.OTHER_DEBTS) else wl
        a = main.map(table[src]).astype("float64").fillna(0.0).to_numpy()
        b = other.map(table[src]).astype("float64").fillna(0.0).to_numpy()
        hh[out_col] = a + b
    hh[S.LIQUID_ASSETS] = hh[S.SAVINGS] + hh[S.SECURITIES] + hh[S.CASH]
    # hh.reset_index() without its copy (a copy consolidates the columns: the frame twice at once)
    hh.insert(0, S.HOUSEHOLD_ID, hh.index.to_numpy())
    hh.index = pd.RangeIndex(len(hh))
    return Population(households=hh, parts=sub, selection=selection_frame(steps))


def households(
    lld: pd.DataFrame,
    cbs: pd.DataFrame,
    key: pd.DataFrame,
    income_pension: pd.DataFrame,
    wealth_dwelling: pd.DataFrame,
    **options: Any,
) -> pd.DataFrame:
    """The households frame alone (:func:`build_population`; same options)."""
    return build_population(lld, cbs, key, income_pension, wealth_dwelling, **options).households


@dataclass(frozen=True)
class PopulationInputs:
    """The five validated raw frames the population needs."""

    lld: pd.DataFrame
    cbs: pd.DataFrame
    key: pd.DataFrame
    income_pension: pd.DataFrame
    wealth_dwelling: pd.DataFrame
    lld_rows_read: int | None = None  # rows of the LLD file before only the snapshot was kept


def read_inputs(data_dir: str | os.PathLike, *, mapping: Any = None) -> PopulationInputs:
    """Read and validate the five raw inputs of a data folder (the I/O edge).

    Parameters
    ----------
    data_dir : path-like
        Folder with the raw inputs under their default names or as named by ``mapping``.
    mapping : cohorts.io.ColumnMapping, optional
        Column mapping (file and column names, value codes, ``perpetual_from``).

    Returns
    -------
    PopulationInputs

    Raises
    ------
    cohorts.errors.ContractError
        Listing every contract failure of every file (nothing is returned then).
    """
    from cohorts.errors import ContractError, Failure
    from cohorts.mapping import IO_KINDS, ColumnMapping, resolve_input
    from cohorts.frames import join_rows
    from cohorts.raw import harmonize_ids, iter_input, read_input

    mapping = mapping or ColumnMapping()
    settings = load_population_params()
    snapshot, income_year = int(settings["snapshot_year"]), int(settings["income_year"])
    failures: list[Failure] = []
    frames: dict[str, pd.DataFrame] = {}
    paths = {kind: resolve_input(data_dir, kind, mapping) for kind in ("lld", "cbs", "key", *IO_KINDS)}
    # the study is one cross-section: of the LLD only the end-2016 snapshot, of the CBS persons only the
    # 2017 records are kept, chunk by chunk (every row of both files is still validated), so the full
    # panel is never in memory; the selection table counts the LLD's rows as read (lld_rows_read)
    rows_read = {"lld": 0, "cbs": 0}
    for kind, column, year in (("lld", C.SNAPSHOT_YEAR, snapshot), ("cbs", C.YEAR, income_year)):
        kept = []
        try:
            for chunk in iter_input(paths[kind], kind, mapping):
                rows_read[kind] += len(chunk)
                kept.append(chunk.loc[chunk[column].to_numpy() == year])
            frames[kind] = join_rows(kept)
        except ContractError as exc:
            failures.extend(exc.failures)
    for kind in ("key", *IO_KINDS):
        try:
            frames[kind] = read_input(paths[kind], kind, mapping)
        except ContractError as exc:
            failures.extend(exc.failures)
    if failures:
        raise ContractError(failures, header=f"{data_dir}: {len(failures)} data-contract failure(s) in the raw inputs")
    linked, id_failures = harmonize_ids({k: frames[k] for k in ("lld", "cbs", "key")},
                                        {k: paths[k] for k in ("lld", "cbs", "key")})
    if id_failures:
        raise ContractError(id_failures, header=f"{data_dir}: the raw inputs use different id types")
    return PopulationInputs(lld=linked["lld"], cbs=linked["cbs"], key=linked["key"],
                            income_pension=frames["income_pension"], wealth_dwelling=frames["wealth_dwelling"],
                            lld_rows_read=rows_read["lld"])
