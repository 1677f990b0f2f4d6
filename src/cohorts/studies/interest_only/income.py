"""Test income at the refinancing (or event) year and the maximum monthly housing cost.

Implements checklist D13-D19 of the study's specification
(``shared/targets/io_refinancing/README.md``, section 5) for one year T per household:

1. **Age and regime** (D13, A4).  ``age_T = T - birth year of the main earner``.  From
   ``aow_age`` (67, implied by "57 jaar of ouder", seed l. 894-902) the household is tested on
   the *attainable* pension; from ``aow_age - 10`` (57) to ``aow_age - 1`` on the estimated
   *accrued* pension at T (l. 2886-2894, fn 36 l. 1747-1749); younger on labour income.  Only the
   main earner's age counts, the partner follows (l. 2793-2809).
2. **Second-pillar pension per person** (D15, Tabel 3 l. 2982-3045), by labour status:
   rule 1 (employee, self-employed or dga with an active scheme; benefit recipients and
   "other"): attainable 2P = active + inactive (PAS); rule 2 (pensioner): current pension
   (INPATAB) + attainable 2P of a still-active scheme, the report's two passes (l. 3018-3026)
   give the same numbers when computed at once, the alternative ``retiree_active="ignore"``
   drops the active scheme (no possible double count); rule 3 (employee, self-employed, dga or
   employee-self-employed without an active scheme): max(A, B), A = max(RR x labour income,
   AOW) - AOW, B = attainable 2P of inactive schemes; rule 4 (employee-self-employed with an
   active scheme): active + inactive + 0.5 x RR x own-business profit.
3. **Accrued pension at T for 57-66** (A4, not specified by the report).  Default
   ``accrued_estimate="linear"``: the 2P grows linearly from the accrued pension of 1 Jan 2017
   (``pension_accrued``, capped at the attainable 2P) to the attainable 2P at the AOW year
   ``birth_year + aow_age``: ``P_T = acc + (P_att - acc) x clip((T - 2017) / (aow_year - 2017), 0, 1)``.
   Rule 2 pensions are already paid and are not reduced.  Alternatives: ``"attainable"`` (no
   reduction) and ``"accrued_2017"`` (the 2017 accrued pension, no further accrual).
4. **AOW per person** = ``aow_share`` x full AOW (D15).  The full amount is not printed in the
   seed: it is the parameter ``aow_full_single`` / ``aow_full_partnered``
   (:mod:`~cohorts.studies.interest_only.parameters`; packaged default: the SVB rates of 1 July
   2017 incl. top-up and holiday allowance, per year); a household in the pension regime whose
   parameters lack it raises :class:`~cohorts.errors.ConfigError`.
5. **HRA** (D16, A3).  ``hra_end = max(2030, birth_year + 55)`` (the year HRA lapses, "in het
   jaar waarin de hoofdkostwinner 55 wordt", l. 887-888); the with-HRA table applies iff
   ``hra_end - T >= 10`` (l. 926-934).  Alternative ``hra_rule="older_than_55"`` (l. 922-926,
   2950-2954: no HRA once older than 55): ``hra_end = max(2030, birth_year + 56)``.
6. **Lookup income** (D17, A24): 2017-price test income of the main earner + partner weight(T)
   x that of the partner; weight 0.6 (2017), 0.8 (2020), 1.0 (2023+), linear in between, flat
   outside.  **Nominal test income** (D18): ``Y_T = (labour, benefits, AOW) x income_factor +
   (2P and other pensions) x pension_factor`` summed over main earner and partner (full weight).
7. **Financing percentage f** (D17): Trhk table of ``params.table_year`` (2019), AOW table in
   the pension regime, no-HRA table unless ``with_hra``; the rate in percent.  When the tables
   lack 2019, the nearest earlier year is used (as :mod:`cohorts.norms.engine` does), one
   :class:`~cohorts.errors.NormTableFallbackWarning` says so and column ``norm_table_year``
   records it.  Low-income singles (A25): a household without partner whose income (default
   ``low_income_basis="lookup"``: the 2017-price lookup income; alternative ``"nominal"``: Y_T)
   is below 31,000 gets f + 3 points, capped at the f of the same table at 31,000.
8. **Maximum monthly cost** (D19): ``X_T = f / 100 x Y_T / 12 - 0.02 x CK'``.

Labour income per person (D14) is wages + own-business profit + dga wage (2015-2017 means for
the last two, done by the population builder) + benefits + pension received; capital income,
alimony and ground rent are not in the inputs.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.errors import ConfigError, NormTableFallbackWarning
from cohorts.norms.tables import NormTables
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.parameters import Parameters
from cohorts.studies.interest_only.wealth import check_values, numeric, require_columns

LABOUR, PENSION = "labour", "pension"
ATTAINABLE, ACCRUED = "attainable", "accrued"
ROLES = (IO.MAIN_SUFFIX, IO.PARTNER_SUFFIX)

#: Per-person raw fields read by :func:`income_at_refi` (each with both suffixes): the CBS 2017 income and
#: pension file's fields (:data:`cohorts.columns.INCOME_PENSION_COLUMNS` without the keys).
PERSON_FIELDS: tuple[str, ...] = tuple(c for c in C.INCOME_PENSION_COLUMNS if c not in (C.PERSON_ID, C.YEAR))
_AMOUNTS = tuple(f for f in PERSON_FIELDS if f not in (C.LABOUR_STATUS, C.AOW_SHARE))


def _first_ids(frame: pd.DataFrame, mask: np.ndarray) -> str:
    ids = frame.loc[mask, IO.HOUSEHOLD_ID] if IO.HOUSEHOLD_ID in frame.columns else frame.index[mask].to_series()
    return ", ".join(map(str, ids.head(5)))


def person_column(name: str, suffix: str) -> str:
    """The households-frame column of person field ``name`` for ``suffix`` (``_main``/``_partner``)."""
    return f"{name}{suffix}"


# --------------------------------------------------------------------------
# Regime and HRA
# --------------------------------------------------------------------------
def age_regime(year: np.ndarray, birth_year: np.ndarray, *, params: Parameters) -> pd.DataFrame:
    """Age of the main earner at T, income regime and pension basis (checklist D13, A4).

    Parameters
    ----------
    year, birth_year : array_like of int
        T and the main earner's birth year per household.
    params : Parameters
        ``aow_age`` (67) and ``pension_window_years`` (10).

    Returns
    -------
    pandas.DataFrame
        ``age_at_refi``; ``regime`` ("labour" below ``aow_age - 10``, else "pension");
        ``pension_basis`` ("attainable" from ``aow_age``, "accrued" from ``aow_age - 10`` to
        ``aow_age - 1``, "" in the labour regime).

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> age_regime(np.array([2030, 2030, 2030]), np.array([1974, 1973, 1963]), params=load_parameters())[
    ...     ["age_at_refi", "regime", "pension_basis"]].values.tolist()
    [[56, 'labour', ''], [57, 'pension', 'accrued'], [67, 'pension', 'attainable']]
    """
    age = np.asarray(year, dtype="int64") - np.asarray(birth_year, dtype="int64")
    pension = age >= params.aow_age - params.pension_window_years
    basis = np.where(age >= params.aow_age, ATTAINABLE, np.where(pension, ACCRUED, ""))
    return pd.DataFrame({IO.AGE_AT_T: age, IO.REGIME: np.where(pension, PENSION, LABOUR), IO.PENSION_BASIS: basis})


def hra_end(
    birth_year: np.ndarray, *, params: Parameters, hra_rule: Literal["turns_55", "older_than_55"] = "turns_55"
) -> np.ndarray:
    """Year the mortgage-interest deduction lapses (checklist D16, A3).

    Parameters
    ----------
    birth_year : array_like of int
        Birth year of the main earner.
    params : Parameters
        ``hra_floor_year`` (2030) and ``hra_lapse_age`` (55).
    hra_rule : {"turns_55", "older_than_55"}, default "turns_55"
        ``"turns_55"`` (A3 default, fn 15 l. 887-888): ``max(2030, birth_year + 55)``.
        ``"older_than_55"`` (A3 alternative, l. 922-926): HRA is kept while the main earner is 55,
        so ``max(2030, birth_year + 56)``.

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> p = load_parameters()
    >>> hra_end(np.array([1960, 1985]), params=p).tolist(), hra_end(np.array([1985]), params=p, hra_rule="older_than_55").tolist()
    ([2030, 2040], [2041])
    """
    if hra_rule not in ("turns_55", "older_than_55"):
        raise ValueError(f"hra_rule must be 'turns_55' or 'older_than_55' (A3), got {hra_rule!r}")
    offset = 0 if hra_rule == "turns_55" else 1
    return np.maximum(params.hra_floor_year, np.asarray(birth_year, dtype="int64") + params.hra_lapse_age + offset)


def with_hra(hra_end_year: np.ndarray, year: np.ndarray, *, params: Parameters) -> np.ndarray:
    """Whether the with-HRA table applies: ``hra_end - T >= 10`` (checklist D16, seed l. 926-934).

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> with_hra(np.array([2040, 2040]), np.array([2030, 2031]), params=load_parameters()).tolist()
    [True, False]
    """
    return (np.asarray(hra_end_year, dtype="int64") - np.asarray(year, dtype="int64")) >= params.hra_min_remaining_years


# --------------------------------------------------------------------------
# Pension per person
# --------------------------------------------------------------------------
def second_pillar(
    status: np.ndarray,
    *,
    wages: np.ndarray,
    business_profit: np.ndarray,
    dga_wage: np.ndarray,
    pension_income: np.ndarray,
    attainable_active: np.ndarray,
    attainable_inactive: np.ndarray,
    aow: np.ndarray,
    params: Parameters,
    retiree_active: Literal["add", "ignore"] = "add",
) -> tuple[np.ndarray, np.ndarray]:
    """Attainable second-pillar pension per person by the rules of Tabel 3 (checklist D15).

    Parameters
    ----------
    status : array_like of str
        Labour status, one of :data:`cohorts.columns.LABOUR_STATUSES`.
    wages, business_profit, dga_wage, pension_income : array_like
        Current (2017) incomes, euro per year.
    attainable_active, attainable_inactive : array_like
        Attainable 2P from active / inactive schemes (PAS), euro per year.
    aow : array_like
        The person's AOW (share x full amount), euro per year; used by rule 3 only.
    params : Parameters
        ``replacement_ratio`` and ``self_employed_rr_share``.
    retiree_active : {"add", "ignore"}, default "add"
        Rule 2: add the attainable pension of a still-active scheme (the report) or not.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The 2P amount and the rule number (1-4) per person.

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> p2, rule = second_pillar(np.array(["self_employed"]), wages=np.array([0.0]), business_profit=np.array([50_000.0]),
    ...     dga_wage=np.array([0.0]), pension_income=np.array([0.0]), attainable_active=np.array([0.0]),
    ...     attainable_inactive=np.array([5_000.0]), aow=np.array([12_000.0]), params=load_parameters())
    >>> p2.tolist(), rule.tolist()   # max(max(0.6 x 50,000, 12,000) - 12,000, 5,000) = 18,000
    ([18000.0], [3])
    """
    if retiree_active not in ("add", "ignore"):
        raise ValueError(f"retiree_active must be 'add' or 'ignore', got {retiree_active!r}")
    status = np.asarray(status, dtype=object)
    active = np.asarray(attainable_active, dtype="float64")
    inactive = np.asarray(attainable_inactive, dtype="float64")
    has_active = active > 0
    working = np.isin(status, ["employee", "self_employed", "dga", "employee_self_employed"])
    rule2 = status == "pensioner"
    rule4 = (status == "employee_self_employed") & has_active
    rule1 = (working & has_active & ~rule4) | np.isin(status, ["benefits", "other"])
    rule3 = working & ~has_active
    rr = params.replacement_ratio
    labour = sum(np.asarray(a, dtype="float64") for a in (wages, business_profit, dga_wage))
    aow = np.asarray(aow, dtype="float64")
    a = np.maximum(rr * labour, aow) - aow
    out = np.select(
        [rule1, rule2, rule3, rule4],
        [
            active + inactive,
            np.asarray(pension_income, dtype="float64") + (active if retiree_active == "add" else 0.0),
            np.maximum(a, inactive),
            active + inactive + params.self_employed_rr_share * rr * np.asarray(business_profit, dtype="float64"),
        ],
        default=np.nan,
    )
    rule = np.select([rule1, rule2, rule3, rule4], [1, 2, 3, 4], default=0)
    return out, rule


def accrual_fraction(
    year: np.ndarray,
    birth_year: np.ndarray,
    *,
    params: Parameters,
    accrued_estimate: Literal["linear", "attainable", "accrued_2017"] = "linear",
) -> np.ndarray:
    """Share of the way from the 2017 accrued to the attainable 2P reached at T (A4).

    ``"linear"`` (default): ``clip((T - 2017) / (birth_year + aow_age - 2017), 0, 1)`` (1 when the
    AOW year is not after 2017); ``"attainable"``: 1; ``"accrued_2017"``: 0.

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> accrual_fraction(np.array([2027]), np.array([1960]), params=load_parameters()).tolist()  # 10 / 10
    [1.0]
    >>> accrual_fraction(np.array([2022]), np.array([1960]), params=load_parameters()).tolist()  # 5 / 10
    [0.5]
    """
    year = np.asarray(year, dtype="float64")
    if accrued_estimate == "attainable":
        return np.ones_like(year)
    if accrued_estimate == "accrued_2017":
        return np.zeros_like(year)
    if accrued_estimate != "linear":
        raise ValueError(f"accrued_estimate must be 'linear', 'attainable' or 'accrued_2017' (A4), got {accrued_estimate!r}")
    base = float(params.price_base_year)
    span = np.asarray(birth_year, dtype="float64") + params.aow_age - base
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(span > 0, (year - base) / np.where(span > 0, span, 1.0), 1.0)
    return np.clip(frac, 0.0, 1.0)


# --------------------------------------------------------------------------
# Financing percentage
# --------------------------------------------------------------------------
def resolve_table_year(tables: NormTables, *, params: Parameters) -> int:
    """The Trhk table year used for ``params.table_year`` (2019); warns once if it falls back.

    The nearest earlier year with tables (:meth:`cohorts.norms.tables.NormTables.table_year`);
    a :class:`~cohorts.errors.NormTableFallbackWarning` names both years.
    """
    used = tables.table_year(params.table_year)
    if used != params.table_year:
        warnings.warn(
            f"no Trhk table for {params.table_year} (the study's table year, parameters.toml tests.table_year); "
            f"used {used} (the nearest earlier table year; a year before the first table year uses the first; "
            f"see docs/norms.md); column '{IO.NORM_TABLE_YEAR}' records the table year of each row",
            NormTableFallbackWarning,
            stacklevel=3,
        )
    return used


def financing_pct(
    *,
    tables: NormTables,
    table_year: int,
    aow_table: np.ndarray,
    with_hra_table: np.ndarray,
    lookup_income: np.ndarray,
    rate: np.ndarray,
    single: np.ndarray,
    low_income: np.ndarray,
    params: Parameters,
) -> np.ndarray:
    """Financing-cost percentage f per household, with the low-income single rule (D17, A25).

    Parameters
    ----------
    tables : cohorts.norms.tables.NormTables
    table_year : int
        Table year to use (see :func:`resolve_table_year`).
    aow_table, with_hra_table : array_like of bool
        AOW table (pension regime) / with-HRA table per household.
    lookup_income : array_like
        Income that selects the table row (2017 prices, partner weighted).
    rate : array_like
        Mortgage rate at T as a fraction (0.03); looked up in percent.
    single : array_like of bool
        Household without partner.
    low_income : array_like
        The income compared with the 31,000 threshold (A25).
    params : Parameters

    Returns
    -------
    numpy.ndarray
        f in percent.

    Raises
    ------
    cohorts.errors.ConfigError
        If a needed table is missing from ``tables`` (e.g. no no-HRA tables for the year).
    """
    n = np.shape(lookup_income)
    ty = np.full(n, table_year, dtype="int64")
    aow_table = np.asarray(aow_table, dtype=bool)
    hra = np.asarray(with_hra_table, dtype=bool)
    pct_rate = np.asarray(rate, dtype="float64") * 100.0
    income = np.asarray(lookup_income, dtype="float64")
    thr = np.full(n, params.low_income_single_threshold)
    pct = np.full(n, np.nan)
    cap = np.full(n, np.nan)
    for flag, no_hra in ((hra, False), (~hra, True)):
        if flag.any():
            pct[flag] = tables.lookup_pct(ty[flag], aow_table[flag], income[flag], pct_rate[flag], no_hra=no_hra)
            cap[flag] = tables.lookup_pct(ty[flag], aow_table[flag], thr[flag], pct_rate[flag], no_hra=no_hra)
    if np.isnan(pct).any():
        gap = np.isnan(pct)
        names = sorted({("aow" if a else "below_aow") + ("" if h else "_no_hra") for a, h in zip(aow_table[gap], hra[gap])})
        raise ConfigError(
            f"Trhk table year {table_year} lacks table(s) {', '.join(names)} needed by {int(gap.sum())} household(s); "
            "supply them with cohorts.norms.tables.load_tables(directory)"
        )
    low = np.asarray(single, dtype=bool) & (np.asarray(low_income, dtype="float64") < params.low_income_single_threshold)
    return np.where(low, np.minimum(pct + params.low_income_single_add_pct, np.maximum(cap, pct)), pct)


def max_monthly_cost(
    financing_pct: np.ndarray, test_income: np.ndarray, consumer_credit_net: np.ndarray, *, params: Parameters
) -> np.ndarray:
    """Maximum monthly housing cost ``X_T = f / 100 x Y_T / 12 - 0.02 x CK'`` (checklist D19).

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> max_monthly_cost(np.array([24.0]), np.array([60_000.0]), np.array([10_000.0]), params=load_parameters()).tolist()
    [1000.0]
    """
    return (
        np.asarray(financing_pct, dtype="float64") / 100.0 * np.asarray(test_income, dtype="float64") / 12.0
        - params.consumer_credit_monthly_charge * np.asarray(consumer_credit_net, dtype="float64")
    )


# --------------------------------------------------------------------------
# The whole step
# --------------------------------------------------------------------------
def income_at_refi(
    frame: pd.DataFrame,
    *,
    params: Parameters,
    tables: NormTables,
    rate: np.ndarray | float,
    year: np.ndarray | None = None,
    income_factor: np.ndarray | float = 1.0,
    pension_factor: np.ndarray | float = 1.0,
    consumer_credit_net: np.ndarray | None = None,
    accrued_estimate: Literal["linear", "attainable", "accrued_2017"] = "linear",
    hra_rule: Literal["turns_55", "older_than_55"] = "turns_55",
    low_income_basis: Literal["lookup", "nominal"] = "lookup",
    retiree_active: Literal["add", "ignore"] = "add",
    source: str = "households",
) -> pd.DataFrame:
    """Test income, financing percentage and maximum monthly cost at year T (checklist D13-D19).

    Parameters
    ----------
    frame : pandas.DataFrame
        Households with ``main_birth_year``, ``has_partner``, the per-person fields
        :data:`PERSON_FIELDS` with suffixes ``_main`` and ``_partner``, and (unless
        ``consumer_credit_net`` is given) ``consumer_credit_net``; ``refi_year`` unless ``year``
        is given.  Rows whose year is missing (perpetuals) get NaN / <NA> results.
    params : Parameters
    tables : cohorts.norms.tables.NormTables
        Trhk tables; ``params.table_year`` (2019) or the nearest earlier year is used.
    rate : float or array_like
        Mortgage rate at T, fraction per year (0.03 in base).
    year : array_like of int, optional
        T per household (e.g. the perpetuals' event year); default the frame's ``refi_year``.
    income_factor, pension_factor : float or array_like
        Cumulative growth factors 2017 -> T of labour and AOW income / of 2P pension income (D18).
    consumer_credit_net : array_like, optional
        CK' at T per household; default the frame's ``consumer_credit_net``.
    accrued_estimate : {"linear", "attainable", "accrued_2017"}, default "linear"
        Pension of the 57-66 group (A4); see the module docstring.
    hra_rule : {"turns_55", "older_than_55"}, default "turns_55"
        See :func:`hra_end` (A3).
    low_income_basis : {"lookup", "nominal"}, default "lookup"
        Income compared with 31,000 in the low-income single rule (A25).
    retiree_active : {"add", "ignore"}, default "add"
        Rule 2's still-active scheme (see :func:`second_pillar`).
    source : str, default "households"
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Same index; ``age_at_refi``, ``regime``, ``pension_basis``, ``hra_end``, ``with_hra``,
        ``lookup_income`` (2017 prices, partner weighted), ``test_income_at_refi`` (Y_T,
        nominal), its two components before growth ``test_income_labour_aow`` (labour, benefits
        and AOW) and ``test_income_second_pillar`` (2P and other pensions), ``rate_at_refi``, ``norm_table_year``, ``financing_pct`` (f, percent) and
        ``max_monthly_cost`` (X_T, euro per month).

    Raises
    ------
    cohorts.errors.ContractError
        A missing column, a missing or negative amount, an AOW share outside [0, 1], an unknown
        labour status, a rate outside [0, 0.2] (names the column and the first household ids).
    cohorts.errors.ConfigError
        A household in the pension regime while the full AOW amount is not supplied, or a
        Trhk table missing.

    Warns
    -----
    cohorts.errors.NormTableFallbackWarning
        When the tables lack ``params.table_year``.
    """
    cols = [IO.MAIN_BIRTH_YEAR, IO.HAS_PARTNER] + [person_column(f, s) for f in PERSON_FIELDS for s in ROLES]
    if year is None:
        cols.append(IO.REFI_YEAR)
    if consumer_credit_net is None:
        cols.append(IO.CONSUMER_CREDIT_NET)
    require_columns(frame, cols, source=source)
    n = len(frame)
    t = (
        pd.to_numeric(frame[IO.REFI_YEAR]).to_numpy(dtype="float64", na_value=np.nan)
        if year is None
        else np.broadcast_to(np.asarray(year, dtype="float64"), (n,)).copy()
    )
    ok = ~np.isnan(t)
    ti = np.where(ok, t, 0).astype("int64")
    by = numeric(frame, IO.MAIN_BIRTH_YEAR, source=source).astype("int64")
    partner = frame[IO.HAS_PARTNER].astype("boolean").fillna(False).to_numpy(dtype=bool)
    ck_net = (
        numeric(frame, IO.CONSUMER_CREDIT_NET, source=source)
        if consumer_credit_net is None
        else np.broadcast_to(np.asarray(consumer_credit_net, dtype="float64"), (n,))
    )
    r = np.broadcast_to(np.asarray(rate, dtype="float64"), (n,))
    check_values(frame, IO.RATE_AT_T, ok & ~((r >= 0) & (r <= 0.2)), "rate at T in [0, 0.2] (a fraction)", source=source)
    g_inc = np.broadcast_to(np.asarray(income_factor, dtype="float64"), (n,))
    g_pen = np.broadcast_to(np.asarray(pension_factor, dtype="float64"), (n,))
    check_values(frame, "income_factor", ok & ~(g_inc > 0), "growth factor > 0", source=source)
    check_values(frame, "pension_factor", ok & ~(g_pen > 0), "growth factor > 0", source=source)
    if low_income_basis not in ("lookup", "nominal"):
        raise ValueError(f"low_income_basis must be 'lookup' or 'nominal' (A25), got {low_income_basis!r}")

    reg = age_regime(ti, by, params=params)
    pension = (reg[IO.REGIME] == PENSION).to_numpy() & ok
    frac = accrual_fraction(ti, by, params=params, accrued_estimate=accrued_estimate)
    accrued_basis = (reg[IO.PENSION_BASIS] == ACCRUED).to_numpy()

    full = np.where(
        partner,
        np.nan if params.aow_full_partnered is None else params.aow_full_partnered,
        np.nan if params.aow_full_single is None else params.aow_full_single,
    )
    need = pension & np.isnan(full)
    if need.any():
        keys = sorted({"user_supplied.aow_full_partnered" if p else "user_supplied.aow_full_single" for p in partner[need]})
        raise ConfigError(
            f"{params.source}: {int(need.sum())} household(s) are tested on pension income but {' and '.join(keys)} "
            "(the full gross AOW per person per year, 2017) is not supplied: the seed does not print it and this "
            "parameter set lacks it (the packaged file has SVB 1 July 2017 amounts, data/SOURCES.md); add it to the "
            "[user_supplied] table of your parameter file with its source "
            f"(e.g. households {_first_ids(frame, need)})"
        )

    real17: dict[str, np.ndarray] = {}
    nominal = np.zeros(n)
    labour_aow, second = np.zeros(n), np.zeros(n)  # the two components of Y_T before growth (D18)
    for s in ROLES:
        amt = {f: numeric(frame, person_column(f, s), source=source) for f in _AMOUNTS}
        share = numeric(frame, person_column(C.AOW_SHARE, s), source=source)
        check_values(frame, person_column(C.AOW_SHARE, s), share > 1, "<= 1 (fraction of the full AOW)", source=source)
        status = frame[person_column(C.LABOUR_STATUS, s)].to_numpy(dtype=object)
        present = partner if s == IO.PARTNER_SUFFIX else np.ones(n, dtype=bool)
        check_values(
            frame,
            person_column(C.LABOUR_STATUS, s),
            present & ~np.isin(status, C.LABOUR_STATUSES),
            f"one of {', '.join(C.LABOUR_STATUSES)}",
            source=source,
        )
        aow = share * np.nan_to_num(full)
        p2, rule = second_pillar(
            status,
            wages=amt[C.WAGES],
            business_profit=amt[C.BUSINESS_PROFIT],
            dga_wage=amt[C.DGA_WAGE],
            pension_income=amt[C.PENSION_INCOME],
            attainable_active=amt[C.PENSION_ATTAINABLE_ACTIVE],
            attainable_inactive=amt[C.PENSION_ATTAINABLE_INACTIVE],
            aow=aow,
            params=params,
            retiree_active=retiree_active,
        )
        p2 = np.nan_to_num(p2)
        acc = np.minimum(amt[C.PENSION_ACCRUED], p2)
        p2_t = np.where(accrued_basis & (rule != 2), acc + (p2 - acc) * frac, p2)
        work = amt[C.WAGES] + amt[C.BUSINESS_PROFIT] + amt[C.DGA_WAGE] + amt[C.BENEFITS]
        inc_part = np.where(pension, aow, work)
        pen_part = np.where(pension, p2_t, amt[C.PENSION_INCOME])
        inc_part = np.where(present, inc_part, 0.0)
        pen_part = np.where(present, pen_part, 0.0)
        real17[s] = inc_part + pen_part
        nominal += inc_part * g_inc + pen_part * g_pen
        labour_aow += inc_part
        second += pen_part

    weight = params.partner_weight(ti)
    lookup = real17[IO.MAIN_SUFFIX] + weight * real17[IO.PARTNER_SUFFIX]
    h_end = hra_end(by, params=params, hra_rule=hra_rule)
    hra = with_hra(h_end, ti, params=params)
    table_year = resolve_table_year(tables, params=params)
    pct = np.full(n, np.nan)
    if ok.any():
        pct[ok] = financing_pct(
            tables=tables,
            table_year=table_year,
            aow_table=pension[ok],
            with_hra_table=hra[ok],
            lookup_income=lookup[ok],
            rate=r[ok],
            single=~partner[ok],
            low_income=(lookup if low_income_basis == "lookup" else nominal)[ok],
            params=params,
        )
    x = max_monthly_cost(pct, nominal, ck_net, params=params)

    out = pd.DataFrame(
        {
            IO.AGE_AT_T: pd.array(np.where(ok, reg[IO.AGE_AT_T].to_numpy(), 0), dtype="Int64"),
            IO.REGIME: np.where(ok, reg[IO.REGIME].to_numpy(), ""),
            IO.PENSION_BASIS: np.where(ok, reg[IO.PENSION_BASIS].to_numpy(), ""),
            IO.HRA_END: h_end,
            IO.WITH_HRA: pd.array(hra, dtype="boolean"),
            IO.LOOKUP_INCOME: np.where(ok, lookup, np.nan),
            IO.TEST_INCOME_AT_T: np.where(ok, nominal, np.nan),
            IO.TEST_INCOME_LABOUR_AOW: np.where(ok, labour_aow, np.nan),
            IO.TEST_INCOME_SECOND_PILLAR: np.where(ok, second, np.nan),
            IO.RATE_AT_T: np.where(ok, r, np.nan),
            IO.NORM_TABLE_YEAR: table_year,
            IO.FINANCING_PCT: pct,
            IO.MAX_MONTHLY_COST: np.where(ok, x, np.nan),
        },
        index=frame.index,
    )
    out.loc[~ok, IO.AGE_AT_T] = pd.NA
    out.loc[~ok, IO.WITH_HRA] = pd.NA
    return out
