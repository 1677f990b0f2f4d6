"""The standard lending norm (Trhk) per row: maximum mortgage and utilisation.

Implements the report's operationalisation (AFM 2022, Hoofdstuk 2, Bijlage 2
"Berekening van maximale leencapaciteit" and Bijlage 3 "Implementatie van de
hypothecaire leennorm"); see ``docs/norms.md`` for every rule with its source
and for what is our interpretation.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from cohorts.errors import CohortsWarning, ConfigError, ContractError, Failure, NormTableFallbackWarning
from cohorts.norms import schema as S
from cohorts.norms.parameters import NormParameters, load_parameters
from cohorts.norms.tables import NormTables, load_tables
from cohorts.norms.wlt import WltReading, check_reading, io_charge_rate, max_mortgage_wlt, pct_without_deduction

_MAX_EXAMPLES = 5

#: Inputs that must be >= 0 (euro amounts and the fixed period).
_NON_NEGATIVE = (
    S.MAIN_INCOME,
    S.PARTNER_INCOME,
    S.MAIN_AGE,
    S.FIXED_PERIOD_YEARS,
    S.SAVINGS,
    S.SECURITIES,
    S.CONSUMER_CREDIT,
    S.STUDENT_DEBT,
    S.OBSERVED_MORTGAGE,
    S.INTEREST_ONLY_AMOUNT,
)
_RATE_RANGE = (0.0, 20.0)
_LTV_RTOL = 1e-6


def annuity_factor(test_rate: np.ndarray | float, *, months: int = 360) -> np.ndarray:
    """Monthly payment per euro of a full annuity loan.

    ``rm / (1 - (1 + rm) ** -months)`` with ``rm = test_rate / 1200`` (report
    footnote 37, written there as ``rm (1+rm)^360 / ((1+rm)^360 - 1)``); at a
    rate of 0 the limit ``1 / months``.

    Parameters
    ----------
    test_rate : array_like
        Test rate in percent per year, >= 0.
    months : int, default 360
        Number of monthly payments (30 years, Trhk art. 3 lid 2).

    Returns
    -------
    numpy.ndarray
        float64, same shape as ``test_rate``.

    Examples
    --------
    >>> round(float(annuity_factor(5.0)), 10)
    0.0053682162
    """
    rm = np.asarray(test_rate, dtype="float64") / 1200.0
    out = np.full(rm.shape, 1.0 / months)
    pos = rm > 0
    # 1 - (1 + rm) ** -months, computed without cancellation for tiny rates
    out[pos] = rm[pos] / -np.expm1(-months * np.log1p(rm[pos]))
    return out


def _mapping(columns: Mapping[str, str] | None) -> dict[str, str]:
    mapping = {c: c for c in S.INPUT_COLUMNS}
    if columns:
        unknown = sorted(set(columns) - set(S.INPUT_COLUMNS))
        if unknown:
            raise ConfigError(
                f"columns: keys must be canonical input names ({', '.join(S.INPUT_COLUMNS)}), "
                f"but got {', '.join(map(repr, unknown))}"
            )
        mapping.update({k: str(v) for k, v in columns.items()})
    return mapping


def _examples(labels: pd.Index, mask: np.ndarray, values: np.ndarray | pd.Series) -> tuple[str, ...]:
    pos = np.flatnonzero(mask)[:_MAX_EXAMPLES]
    vals = np.asarray(values, dtype=object)
    return tuple(f"row {labels[i]!r}: {vals[i]!r}" for i in pos)


def _read_inputs(
    df: pd.DataFrame, mapping: Mapping[str, str], *, source: str, params: NormParameters
) -> dict[str, np.ndarray]:
    """Check the input columns (lazy: every failure listed) and return them as float arrays."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, but got {type(df).__name__}")
    missing = [
        f"{mapping[c]!r}" + ("" if mapping[c] == c else f" (for {c})")
        for c in S.INPUT_COLUMNS
        if mapping[c] not in df.columns
    ]
    if missing:
        raise ContractError(
            [Failure(source, "<table>", "input columns present", len(df), (f"missing {', '.join(missing)}",))],
            header=f"{source}: input columns missing",
        )
    labels = df.index
    failures: list[Failure] = []
    x: dict[str, np.ndarray] = {}
    for canon in S.INPUT_COLUMNS:
        name = mapping[canon]
        col = df[name]
        if isinstance(col, pd.DataFrame):
            raise ContractError([Failure(source, name, "a single column (unique name)", len(df), ())])
        is_bool = pd.api.types.is_bool_dtype(col.dtype)
        if pd.api.types.is_numeric_dtype(col.dtype) and not is_bool:
            arr = col.to_numpy(dtype="float64", na_value=np.nan)
        else:  # strings or objects that may hold numbers; booleans are not amounts
            arr = pd.to_numeric(col.astype(object), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            notnum = col.notna().to_numpy() & (np.isnan(arr) | is_bool)
            if notnum.any():
                failures.append(Failure(source, name, "a number", int(notnum.sum()), _examples(labels, notnum, col)))
                arr = np.where(notnum, np.nan, arr)
        null = np.isnan(arr) & col.isna().to_numpy()
        if null.any():
            failures.append(Failure(source, name, "not missing", int(null.sum()), _examples(labels, null, col)))
        inf = np.isinf(arr)
        if inf.any():
            failures.append(Failure(source, name, "finite", int(inf.sum()), _examples(labels, inf, arr)))
        x[canon] = arr
    ok = {k: ~np.isnan(v) & np.isfinite(v) for k, v in x.items()}

    def rule(canon: str, bad: np.ndarray, text: str) -> None:
        bad = bad & ok[canon]
        if bad.any():
            failures.append(Failure(source, mapping[canon], text, int(bad.sum()), _examples(labels, bad, x[canon])))

    whole = x[S.YEAR] == np.round(x[S.YEAR])
    rule(S.YEAR, ~whole, "a whole number (year)")
    known = np.array(params.years, dtype="float64")
    rule(S.YEAR, whole & ~np.isin(x[S.YEAR], known), f"year with norm parameters ({known.min():g}-{known.max():g})")
    for canon in _NON_NEGATIVE:
        rule(canon, x[canon] < 0, ">= 0")
    lo, hi = _RATE_RANGE
    rate = x[S.INTEREST_RATE]
    rule(S.INTEREST_RATE, (rate < lo) | (rate > hi), f"in [{lo:g}, {hi:g}] (percent)")
    rule(S.HOUSE_VALUE, x[S.HOUSE_VALUE] <= 0, "> 0")
    io, obs = x[S.INTEREST_ONLY_AMOUNT], x[S.OBSERVED_MORTGAGE]
    rule(
        S.INTEREST_ONLY_AMOUNT,
        ok[S.OBSERVED_MORTGAGE] & (io > obs * (1 + 1e-9) + 1e-6),
        f"<= {mapping[S.OBSERVED_MORTGAGE]}",
    )
    if failures:
        raise ContractError(failures, header=f"{source}: {len(failures)} input failure(s) for the lending norm")
    return x


def validate_inputs(
    df: pd.DataFrame, *, columns: Mapping[str, str] | None = None, source: str = "input frame"
) -> None:
    """Check a frame against the input contract of :func:`apply_norm`.

    Parameters
    ----------
    df : pandas.DataFrame
        The rows to check.
    columns : Mapping[str, str], optional
        Canonical input name -> the caller's column name.
    source : str, default "input frame"
        Name used in error messages (e.g. the CSV file).

    Raises
    ------
    cohorts.errors.ContractError
        Listing every broken rule with column, rule, count and the first row
        labels: missing columns, non-numeric or missing values, non-whole year,
        year without norm parameters (2012-2018 are known), negative
        incomes / ages / wealth / debts / mortgage, rate outside
        [0, 20] percent, house value <= 0, interest-only amount above the
        observed mortgage.
    cohorts.errors.ConfigError
        If ``columns`` has a key that is not a canonical input name.
    TypeError
        If ``df`` is not a DataFrame.
    """
    _read_inputs(df, _mapping(columns), source=source, params=NormParameters.from_frame(load_parameters()))


def _fallback_message(years: np.ndarray, table_years: np.ndarray) -> str | None:
    fb = years != table_years
    if not fb.any():
        return None
    codes = np.unique(years[fb] * 10_000 + table_years[fb])
    pairs = [(int(c // 10_000), int(c % 10_000)) for c in codes]
    missing = ", ".join(str(y) for y, _ in pairs)
    by_used: dict[int, list[int]] = {}
    for y, used in pairs:
        by_used.setdefault(used, []).append(y)
    used_txt = "; ".join(f"{used} for {', '.join(map(str, ys))}" for used, ys in sorted(by_used.items()))
    return (
        f"no Trhk table for {missing}; used {used_txt} "
        "(the nearest earlier table year; a year before the first table year uses the first; see docs/norms.md); "
        f"column '{S.NORM_TABLE_YEAR}' records the table year of each row"
    )


def apply_norm(
    df: pd.DataFrame,
    *,
    threshold: float = 1.0,
    tables: NormTables | None = None,
    columns: Mapping[str, str] | None = None,
    wlt_reading: WltReading = "toetsrente",
) -> pd.DataFrame:
    """Compute the standard Trhk lending norm and its utilisation for every row.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per mortgage with the input columns (canonical names, or mapped
        by ``columns``): ``year`` (norm year), ``main_income``,
        ``partner_income`` (euro per year, 0 without partner), ``main_age``
        (integer years), ``interest_rate`` (percent), ``fixed_period_years``,
        ``savings``, ``securities``, ``consumer_credit``, ``student_debt``,
        ``observed_mortgage``, ``house_value``, ``interest_only_amount`` (euro).
        Plain numpy and pandas nullable dtypes are accepted; no value may be
        missing.  The frame is not modified.
    threshold : float, default 1.0
        ``high = lti_util > threshold`` (1.0 = 100% of the norm).
    tables : NormTables, optional
        Financieringslast tables; default: :func:`load_tables` (packaged).
    columns : Mapping[str, str], optional
        Canonical input name -> the caller's column name, e.g.
        ``{"year": "cohort"}``.
    wlt_reading : {"toetsrente", "contract"}, default "toetsrente"
        The rate the interest-only part is charged at in ``max_mortgage_wlt``
        (and so ``wlt_possible``): the test rate, or the contract rate
        ``interest_rate`` ("werkelijke lasten"); see :mod:`cohorts.norms.wlt`.
        The standard norm does not depend on it.

    Returns
    -------
    pandas.DataFrame
        A new frame: all input columns, rows, order and index, followed by
        ``lookup_income, charge_income, test_rate, norm_table, norm_table_year,
        pct, max_monthly, annuity_factor, max_mortgage, lti_util, ltv,
        ltv_limit, ltv_util, high, pct_nohra, max_mortgage_wlt, wlt_possible``.
        If the input already has an ``ltv`` column it keeps its place and is
        replaced by the recomputed ``observed_mortgage / house_value`` (after
        checking the two agree, see Raises).

    Raises
    ------
    cohorts.errors.ContractError
        Bad input (see :func:`validate_inputs`); an existing ``ltv`` column that disagrees with
        ``observed_mortgage / house_value`` (relative tolerance 1e-6); an input
        that already has one of the computed columns.
    ValueError
        If ``threshold`` is not a positive finite number, or ``wlt_reading``
        is not one of :data:`cohorts.norms.wlt.WLT_READINGS`.

    Warns
    -----
    cohorts.errors.NormTableFallbackWarning
        Once per call, when a norm year has no table of its own, naming the
        years and the table year used (e.g. 2016 and 2017 use 2015; 2012 uses
        2013).
    cohorts.errors.CohortsWarning
        Once per call, when rows with an interest-only amount have a table year
        with neither no-HRA tables nor a footnote formula (``pct_nohra`` NaN).

    Notes
    -----
    Per row (report Bijlage 2 and 3; Trhk art. 3):

    1. ``wealth_income = 0.03 * (savings + securities)``
    2. ``lookup_income = max(main, partner) + w(year) * min(main, partner) + wealth_income``
    3. ``charge_income = main + partner + wealth_income``
    4. ``test_rate = interest_rate`` if ``fixed_period_years >= 10`` else ``max(interest_rate, 5.0)``
    5. table ``aow`` if ``main_age >= aow_age(year)`` else ``below_aow``
    6. ``pct`` = cell of the income row holding ``lookup_income`` and the rate
       bracket holding ``round(test_rate, 3)``
    7. ``max_monthly = pct/100 * charge_income/12 - 0.02 * consumer_credit - 0.0075 * student_debt``
    8. ``max_mortgage = max(max_monthly, 0) / annuity_factor(test_rate)``
    9. ``lti_util = observed_mortgage / max_mortgage`` (inf if the maximum is 0
       and a mortgage is observed; 0 if both are 0)
    10. ``ltv_util = (observed_mortgage / house_value) / ltv_limit(year)``
    11. ``high = lti_util > threshold``

    See :mod:`cohorts.norms.wlt` for ``pct_nohra``, ``max_mortgage_wlt`` and
    ``wlt_possible``.

    References
    ----------
    AFM (2022), report Hoofdstuk 2, Box 1, Bijlage 2 and 3.
    Tijdelijke regeling hypothecair krediet (BWBR0032503), art. 3, 5, Bijlage 1.

    Examples
    --------
    >>> import pandas as pd
    >>> row = dict(year=2014, main_income=40000, partner_income=0, main_age=30,
    ...            interest_rate=4.5, fixed_period_years=10, savings=0, securities=0,
    ...            consumer_credit=0, student_debt=0, observed_mortgage=150000,
    ...            house_value=200000, interest_only_amount=0)
    >>> out = apply_norm(pd.DataFrame([row]))
    >>> float(out.loc[0, "pct"])
    26.5
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)):
        raise ValueError(f"threshold must be a positive finite number, but was {threshold!r}")
    if not (np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"threshold must be a positive finite number, but was {threshold!r}")
    check_reading(wlt_reading)
    if tables is not None and not isinstance(tables, NormTables):
        raise TypeError(f"tables must be a NormTables (see load_tables), but was {type(tables).__name__}")
    source = "input frame"
    mapping = _mapping(columns)
    params = NormParameters.from_frame(load_parameters())
    x = _read_inputs(df, mapping, source=source, params=params)
    clash = [c for c in S.OUTPUT_COLUMNS if c in df.columns]
    if clash:
        raise ContractError(
            [Failure(source, c, "not already present (computed by apply_norm)", len(df), ()) for c in clash],
            header=f"{source}: the input already has computed column(s) {', '.join(clash)}; drop them first",
        )
    labels = df.index
    years = x[S.YEAR].astype("int64")
    tables = load_tables() if tables is None else tables

    obs = x[S.OBSERVED_MORTGAGE]
    house = x[S.HOUSE_VALUE]
    ltv = obs / house
    if S.LTV in df.columns:
        given = pd.to_numeric(df[S.LTV].astype(object), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isclose(given, ltv, rtol=_LTV_RTOL, atol=0.0)
        if bad.any():
            raise ContractError(
                [
                    Failure(
                        source,
                        S.LTV,
                        f"equals {mapping[S.OBSERVED_MORTGAGE]} / {mapping[S.HOUSE_VALUE]} (rtol {_LTV_RTOL:g}); "
                        "apply_norm recomputes ltv",
                        int(bad.sum()),
                        _examples(labels, bad, given),
                    )
                ]
            )

    table_year = tables.table_years(years)
    message = _fallback_message(years, table_year)
    if message is not None:
        warnings.warn(message, NormTableFallbackWarning, stacklevel=2)

    main, partner = x[S.MAIN_INCOME], x[S.PARTNER_INCOME]
    wealth_income = params.per_row("wealth_return", years) * (x[S.SAVINGS] + x[S.SECURITIES])
    lookup_income = (
        np.maximum(main, partner) + params.per_row("partner_income_weight", years) * np.minimum(main, partner) + wealth_income
    )
    charge_income = main + partner + wealth_income
    rate = x[S.INTEREST_RATE]
    long_fixed = x[S.FIXED_PERIOD_YEARS] >= params.per_row("fixed_period_min_years", years)
    test_rate = np.where(long_fixed, rate, np.maximum(rate, params.per_row("min_test_rate", years)))
    aow = x[S.MAIN_AGE] >= params.per_row("aow_age", years)
    norm_table = np.where(aow, S.AOW, S.BELOW_AOW).astype(object)
    pct = tables.lookup_pct(table_year, aow, lookup_income, test_rate)
    max_monthly = (
        pct / 100.0 * charge_income / 12.0
        - params.per_row("consumer_credit_monthly_rate", years) * x[S.CONSUMER_CREDIT]
        - params.per_row("student_debt_monthly_rate", years) * x[S.STUDENT_DEBT]
    )
    months = params.per_row("annuity_months", years)
    af = np.empty_like(test_rate)
    for m in np.unique(months):
        sel = months == m
        af[sel] = annuity_factor(test_rate[sel], months=int(m))
    max_mortgage = np.maximum(max_monthly, 0.0) / af
    lti_util = np.where(obs > 0, np.inf, 0.0)
    with np.errstate(over="ignore"):  # a denormal maximum gives inf, as a zero one does
        np.divide(obs, max_mortgage, out=lti_util, where=max_mortgage > 0)
    ltv_limit = params.per_row("ltv_limit", years)
    ltv_util = ltv / ltv_limit
    high = lti_util > threshold

    pct_nohra = pct_without_deduction(
        tables,
        params,
        table_years=table_year,
        aow=aow,
        lookup_income=lookup_income,
        test_rate=test_rate,
        pct=pct,
    )
    io = x[S.INTEREST_ONLY_AMOUNT]
    io_share = np.zeros_like(obs)
    np.divide(io, obs, out=io_share, where=obs > 0)
    io_share = np.clip(io_share, 0.0, 1.0)
    max_wlt = max_mortgage_wlt(
        max_monthly=max_monthly,
        annuity_factor=af,
        test_rate=test_rate,
        pct=pct,
        pct_nohra=pct_nohra,
        io_share=io_share,
        io_rate=io_charge_rate(wlt_reading, test_rate=test_rate, contract_rate=rate),
    )
    no_rule = (io > 0) & np.isnan(pct_nohra)
    if no_rule.any():
        missing_years = ", ".join(str(y) for y in np.unique(table_year[no_rule]))
        warnings.warn(
            f"no no-HRA table or footnote rule for table year(s) {missing_years}: "
            f"{S.PCT_NOHRA} and {S.MAX_MORTGAGE_WLT} are NaN and {S.WLT_POSSIBLE} is False "
            f"in {int(no_rule.sum())} row(s) with an interest-only amount",
            CohortsWarning,
            stacklevel=2,
        )
    with np.errstate(invalid="ignore"):
        wlt_possible = high & (io > 0) & (obs <= max_wlt)

    computed: dict[str, np.ndarray] = {
        S.LOOKUP_INCOME: lookup_income,
        S.CHARGE_INCOME: charge_income,
        S.TEST_RATE: test_rate,
        S.NORM_TABLE: norm_table,
        S.NORM_TABLE_YEAR: table_year.astype("int64"),
        S.PCT: pct,
        S.MAX_MONTHLY: max_monthly,
        S.ANNUITY_FACTOR: af,
        S.MAX_MORTGAGE: max_mortgage,
        S.LTI_UTIL: lti_util,
        S.LTV: ltv,
        S.LTV_LIMIT: ltv_limit,
        S.LTV_UTIL: ltv_util,
        S.HIGH: high,
        S.PCT_NOHRA: pct_nohra,
        S.MAX_MORTGAGE_WLT: max_wlt,
        S.WLT_POSSIBLE: wlt_possible,
    }
    out = df.copy(deep=True)
    for name, values in computed.items():  # an existing ltv column keeps its place
        out[name] = values
    return out
