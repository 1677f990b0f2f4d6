"""The vulnerability tree (kwetsbaarheidsboom) and the perpetuals' outcomes.

Implements checklist B6, C12, E20-E30 and F31-F33 of the study's specification
(``shared/targets/io_refinancing/README.md``, section 5) on per-household quantities at the
refinancing year T that the caller has projected (D_T, V_T, W_T, X_T, r_T).

**Steps.**  Column ``step`` is the step at which a household *leaves* the tree:

=====  ==========================================================================================
step   meaning
=====  ==========================================================================================
1      no refinancing moment (``perpetual``: administrative, or maturity after the 85th birthday; B6)
2      free wealth repays the whole debt: W_T >= D_T (C12, ``wealth_repay``)
3      passes the annuity test on N = D_T (E22)
4      passes the annuity test on N = max(0, D_T - W_T) (E23); failing it is ``fail_annuity``
5      passes the 50%-IO test on N = D_T (E24)
6      passes the 50%-IO test on N = max(0, D_T - W_T) (E25)
7      fails step 6: cannot refinance, probably a forced sale (``forced_sale``)
=====  ==========================================================================================

A test on N passes iff N <= ltv_limit x V_T (1.0, E21) **and** the monthly cost <= X_T.  The
annuity cost is N x a(r) with a(r) = (r/12) / (1 - (1 + r/12)^-360) (E20); in the 50%-IO test
I = min(N, 0.5 V_T) stays interest-only and A = N - I is an annuity: cost I r/12 + A a(r) (E24;
A15 default: the LTV cap stays 1.0 and the IO part pays no deduction-specific table, the same
X_T applies).  Since a(r) > r/12 every test is monotone: a household never moves to a safer
step when its income (X_T) falls, its house value falls or the rate rises; and failing step 6
implies failing step 4 (``forced_sale`` is a subset of ``fail_annuity``).

**Flags.**  ``fail_annuity`` = step >= 5; ``forced_sale`` = step 7; ``residual_debt`` = forced
sale with D_T > V_T (step 7 of the report, E29, A14 default: no wealth, no selling costs;
alternatives ``residual_wealth=True`` and ``selling_cost_share``), ``residual_amount`` the
euro amount (NaN unless forced sale).  Reason flags (E26): on ``fail_annuity`` rows,
``lti_binds_annuity`` = step-4 cost > X_T and ``ltv_binds_annuity`` = step-4 N > V_T; on
``forced_sale`` rows the same for the step-6 test (``*_io50``); False elsewhere.  Measurement
flags (E27, A10) are household properties computed for every row: ``meas_low_income`` = 2017
income below the social-assistance level (:func:`social_assistance_level`: the ``social_assistance``
column, else the user-supplied gross level by household type, else the packaged net proxy; absent,
<NA> and a warning) and ``meas_high_ltv`` = D0 / V0 > 2.0.
``vulnerable`` = forced sale, LTI binding in the 50%-IO test, no measurement flag (E28);
``core_risk`` = vulnerable and still failing with I = min(N, 1.0 V_T) (E28, A15 default: the LTV
cap still applies; ``core_ltv=False`` drops it).  ``years_to_refi`` = T - 2020 (E30).

**Perpetuals** (F31-F33): :func:`event_year` E = max(AOW year, hra_end) (A12 default);
:func:`perpetual_outcomes` gives ``agile_now`` (V0 >= D0), ``agile_at_event`` (V_E >= D_E) and
``afford_fail`` (the LTI half of the annuity test on the full D_E against X_E computed with the
pension income and the AOW-without-HRA table, no wealth: A12 default, ``use_wealth=True`` the
alternative).
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from cohorts.amortization import residual_debt
from cohorts.errors import CohortsWarning
from cohorts.norms.engine import annuity_factor as _engine_annuity_factor
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.income import hra_end
from cohorts.studies.interest_only.parameters import Parameters
from cohorts.studies.interest_only.wealth import check_values, numeric, require_columns

#: Meaning of each value of column ``step``.
STEPS: dict[int, str] = {
    1: "perpetual: no refinancing moment",
    2: "free wealth repays the debt",
    3: "passes the annuity test",
    4: "passes the annuity test after using wealth",
    5: "passes the 50%-IO test",
    6: "passes the 50%-IO test after using wealth",
    7: "fails the 50%-IO test after using wealth: forced sale",
}

#: Columns :func:`classify` reads (``social_assistance`` and ``has_partner`` are optional).
CLASSIFY_INPUTS = (
    IO.PERPETUAL,
    IO.REFI_YEAR,
    IO.DEBT_AT_T,
    IO.HOUSE_VALUE_AT_T,
    IO.WEALTH_AT_T,
    IO.MAX_MONTHLY_COST,
    IO.RATE_AT_T,
    IO.DEBT_NOW,
    IO.HOUSE_VALUE_NOW,
    IO.INCOME_NOW,
)


def annuity_factor(rate: np.ndarray | float, *, months: int = 360) -> np.ndarray:
    """Monthly payment per euro of a full annuity: ``(r/12) / (1 - (1 + r/12)^-months)`` (E20).

    The rate is a fraction per year; this is :func:`cohorts.norms.engine.annuity_factor` (which
    takes percent) at ``100 r``.

    Examples
    --------
    >>> round(float(annuity_factor(0.03)), 6)
    0.004216
    """
    return _engine_annuity_factor(np.asarray(rate, dtype="float64") * 100.0, months=months)


def monthly_cost(
    amount: np.ndarray, house_value: np.ndarray, rate: np.ndarray, *, io_cap: float, months: int = 360
) -> np.ndarray:
    """Monthly cost of a loan of ``amount`` with up to ``io_cap`` x V interest-only (E22, E24).

    ``I = min(N, io_cap V)``, ``A = N - I``, cost ``I r / 12 + A a(r)``; ``io_cap=0`` is the full
    annuity.

    Examples
    --------
    >>> round(float(monthly_cost(np.array([300_000.0]), np.array([400_000.0]), np.array([0.03]), io_cap=0.5)[0]), 2)
    921.6
    """
    n = np.asarray(amount, dtype="float64")
    r = np.asarray(rate, dtype="float64")
    io = np.minimum(n, io_cap * np.asarray(house_value, dtype="float64"))
    return io * r / 12.0 + (n - io) * annuity_factor(r, months=months)


def _test(
    n: np.ndarray, v: np.ndarray, x: np.ndarray, r: np.ndarray, *, io_cap: float, params: Parameters, ltv: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(passes, LTI binds, LTV binds) of the financing test on N."""
    lti = monthly_cost(n, v, r, io_cap=io_cap, months=params.term_months) > x
    ltv_bind = n > params.ltv_limit * v if ltv else np.zeros(n.shape, dtype=bool)
    return ~(lti | ltv_bind), lti, ltv_bind


#: Months in a year: the packaged net norms are monthly amounts, ``income_now`` a yearly one.
MONTHS_PER_YEAR = 12
#: Where a household's social-assistance level came from (codes of :func:`social_assistance_level`).
LEVEL_SOURCES: tuple[str, ...] = ("column", "user_supplied_gross", "packaged_net", "unknown")
#: The source code of the packaged net level (a lower bound of the study's gross level).
PACKAGED_NET = LEVEL_SOURCES[2]


def _amount(value: float | None) -> float:
    return np.nan if value is None else float(value)


def social_assistance_level(frame: pd.DataFrame, *, params: Parameters) -> pd.DataFrame:
    """The social-assistance level (euro per household per year) of the measurement flag (E27, A10).

    The study compares 2017 gross household income (``income_now``) with "the social-assistance
    level" but prints no amount (A10: "The social-assistance level is not given").  Per household,
    the first available of:

    1. ``column``: the frame's ``social_assistance`` column (a caller's own level);
    2. ``user_supplied_gross``: ``params.social_assistance_single`` / ``_couple`` by ``has_partner``
       (a gross yearly level the user supplies in a ``--parameters`` file; the study's basis);
    3. ``packaged_net``: the **documented proxy**, 12 x the official net Participatiewet norm of
       1 July 2017 incl. holiday allowance (``[social_assistance_net]`` of ``parameters.toml``;
       Stcrt. 2017, 36285, ``data/SOURCES.md``) by household type (``has_partner``) and by whether
       the main earner has reached the pension age in the measurement year
       (``price_base_year - main_birth_year >= aow_age``: 2017 - birth year >= 67).  Without
       ``main_birth_year`` every household gets the level below the pension age.  A net level is
       below any gross equivalent, so against gross income the flag raised is a **lower bound**
       of the study's flag (fewer households flagged, so ``vulnerable`` and ``core_risk`` an upper
       bound).  The choices on age keep that direction: only the main earner's age is known (a
       couple whose partner alone has reached the pension age gets the lower level), and the
       study's AOW age 67 is above the legal pension age of 2017, so some pensioners get the
       lower level too;
    4. ``unknown``: NaN (no ``has_partner`` column, or neither the gross level nor the proxy).

    Parameters
    ----------
    frame : pandas.DataFrame
        Optional columns ``social_assistance``, ``has_partner``, ``main_birth_year``.
    params : Parameters

    Returns
    -------
    pandas.DataFrame
        Same index; ``level`` (float, euro per year, NaN when unknown) and ``source`` (one of
        :data:`LEVEL_SOURCES`).

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> f = pd.DataFrame({"has_partner": [False, True, True], "main_birth_year": [1970, 1970, 1949]})
    >>> social_assistance_level(f, params=load_parameters()).round(2).values.tolist()
    [[11838.24, 'packaged_net'], [16911.72, 'packaged_net'], [18176.88, 'packaged_net']]
    """
    n = len(frame)
    level = (
        pd.to_numeric(frame[IO.SOCIAL_ASSISTANCE]).to_numpy(dtype="float64", na_value=np.nan)
        if IO.SOCIAL_ASSISTANCE in frame.columns
        else np.full(n, np.nan)
    )
    source = np.where(np.isnan(level), 3, 0)
    if IO.HAS_PARTNER in frame.columns:
        partner = frame[IO.HAS_PARTNER].astype("boolean").fillna(False).to_numpy(dtype=bool)
        gross = np.where(partner, _amount(params.social_assistance_couple), _amount(params.social_assistance_single))
        fill = np.isnan(level) & ~np.isnan(gross)
        level, source = np.where(fill, gross, level), np.where(fill, 1, source)
        if IO.MAIN_BIRTH_YEAR in frame.columns:
            birth = pd.to_numeric(frame[IO.MAIN_BIRTH_YEAR]).to_numpy(dtype="float64", na_value=np.nan)
            pension_age = params.price_base_year - birth >= params.aow_age  # NaN birth year: below (lower level)
        else:
            pension_age = np.zeros(n, dtype=bool)
        monthly = np.where(
            partner,
            np.where(pension_age, _amount(params.social_assistance_net_couple_pension_monthly),
                     _amount(params.social_assistance_net_couple_monthly)),
            np.where(pension_age, _amount(params.social_assistance_net_single_pension_monthly),
                     _amount(params.social_assistance_net_single_monthly)),
        )
        fill = np.isnan(level) & ~np.isnan(monthly)
        level, source = np.where(fill, MONTHS_PER_YEAR * monthly, level), np.where(fill, 2, source)
    return pd.DataFrame({"level": level, "source": np.asarray(LEVEL_SOURCES, dtype=object)[source]},
                        index=frame.index)


def _social_assistance(frame: pd.DataFrame, *, params: Parameters) -> np.ndarray:
    """Social-assistance level per household, euro per year (NaN unknown): :func:`social_assistance_level`."""
    return social_assistance_level(frame, params=params)["level"].to_numpy(dtype="float64")


def social_assistance_note(frame: pd.DataFrame, *, params: Parameters) -> str | None:
    """The run's note on the social-assistance level used for the measurement flag (A10, E27).

    ``None`` when every household's level is the frame's column or a user-supplied gross level;
    otherwise one sentence that says which level was used (the packaged net proxy, a lower bound)
    or that it is unknown for some households.  The sentence names no household count, so the
    preparations of one run on subsets of the households (the sensitivity grid) give the same note
    and the command prints it once.
    """
    src = social_assistance_level(frame, params=params)["source"].to_numpy(dtype=object)
    if (src == "unknown").any():
        return (
            "social-assistance level (bijstandsnorm 2017) not supplied (the study's text does not print it, A10) and "
            f"no [social_assistance_net] proxy: the measurement flag '{IO.LOW_INCOME_FLAG}' is <NA> where no level is "
            f"known, and so are '{IO.VULNERABLE}' and '{IO.CORE_RISK}' of those forced sales; give "
            "user_supplied.social_assistance_single and _couple in a --parameters file"
        )
    net = src == PACKAGED_NET
    if net.any():
        who = "every household" if net.all() else "the households without a user-supplied gross level"
        return (
            f"social-assistance level of the measurement flag '{IO.LOW_INCOME_FLAG}' (A10, E27): packaged net level, "
            f"Stcrt. 2017, 36285 (12 x the net Participatiewet norm of 1 July 2017 incl. holiday allowance, by "
            f"household type and the main earner's age in 2017) for {who}: a lower bound of the study's flag on gross "
            f"income (so '{IO.VULNERABLE}' and '{IO.CORE_RISK}' are upper bounds); supply the gross level with "
            "--parameters ([user_supplied] social_assistance_single/_couple)"
        )
    return None


def classify(
    frame: pd.DataFrame,
    *,
    params: Parameters,
    residual_wealth: bool = False,
    selling_cost_share: float = 0.0,
    core_ltv: bool = True,
    warn_unknown_level: bool = True,
    source: str = "outcomes",
) -> pd.DataFrame:
    """Classify households along the vulnerability tree, steps 1-7 (B6, C12, E20-E30).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per household with :data:`CLASSIFY_INPUTS`: ``perpetual`` (bool), ``refi_year``
        (T, <NA> for perpetuals), ``debt_at_refi`` (D_T), ``house_value_at_refi`` (V_T),
        ``wealth_at_refi`` (W_T), ``max_monthly_cost`` (X_T, may be negative), ``rate_at_refi``
        (fraction), ``debt_now`` (D0), ``house_value_now`` (V0 > 0), ``income_now`` (2017).
        The ``*_at_refi`` values may be missing on perpetual rows only.  Optional:
        ``social_assistance`` (euro per year, same basis as ``income_now``), ``has_partner`` and
        ``main_birth_year`` (to take the level from the parameters: :func:`social_assistance_level`).
    params : Parameters
        ``ltv_limit``, ``io_cap``, ``io_cap_core``, ``term_months``, ``high_ltv``, ``now_year``,
        and the optional social-assistance levels.
    residual_wealth : bool, default False
        A14 alternative: free wealth W_T reduces the residual debt after the sale.
    selling_cost_share : float, default 0.0
        A14 alternative: selling costs as a share of V_T.
    core_ltv : bool, default True
        A15: the core-risk probe (100% IO) keeps the LTV cap; ``False`` tests the income only.
    warn_unknown_level : bool, default True
        Warn when the social-assistance level is unknown (a caller that classifies the same
        households many times, as the start-year sweep does, warns once itself).
    source : str, default "outcomes"
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Same index; ``step`` (int, see :data:`STEPS`), ``wealth_repay``, ``fail_annuity``,
        ``forced_sale``, ``residual_debt``, ``residual_amount``, ``lti_binds_annuity``,
        ``ltv_binds_annuity``, ``lti_binds_io50``, ``ltv_binds_io50``, ``meas_low_income``,
        ``meas_high_ltv``, ``vulnerable``, ``core_risk`` (nullable boolean where a measurement
        flag can be missing), ``years_to_refi`` (Int64, T - 2020).

    Raises
    ------
    cohorts.errors.ContractError
        A missing column; a missing, negative or non-numeric amount on a row that needs it; V0 <= 0;
        a rate outside [0, 0.2]; a non-perpetual row without ``refi_year`` (names the first ids).

    Warns
    -----
    cohorts.errors.CohortsWarning
        When the social-assistance level is unknown for some households: their
        ``meas_low_income`` is <NA>, and so is ``vulnerable`` / ``core_risk`` of those forced sales.
    """
    require_columns(frame, CLASSIFY_INPUTS, source=source)
    if not 0.0 <= selling_cost_share < 1.0:
        raise ValueError(f"selling_cost_share must be in [0, 1), got {selling_cost_share!r}")
    perp = frame[IO.PERPETUAL].to_numpy(dtype=object)
    check_values(frame, IO.PERPETUAL, pd.isna(perp), "not missing (bool)", source=source)
    perp = perp.astype(bool)
    tested = ~perp
    year = pd.to_numeric(frame[IO.REFI_YEAR]).to_numpy(dtype="float64", na_value=np.nan)
    check_values(frame, IO.REFI_YEAR, tested & np.isnan(year), "not missing unless perpetual", source=source)

    def at_t(col: str, *, non_negative: bool = True) -> np.ndarray:
        x = numeric(frame, col, source=source, non_negative=False, allow_nan=True)
        check_values(frame, col, tested & np.isnan(x), "not missing unless perpetual", source=source)
        if non_negative:
            check_values(frame, col, x < 0, ">= 0", source=source)
        return np.where(tested, x, 0.0)

    d, v, w = at_t(IO.DEBT_AT_T), at_t(IO.HOUSE_VALUE_AT_T), at_t(IO.WEALTH_AT_T)
    x = at_t(IO.MAX_MONTHLY_COST, non_negative=False)
    r = at_t(IO.RATE_AT_T)
    check_values(frame, IO.RATE_AT_T, r > 0.2, "<= 0.2 (a fraction per year)", source=source)
    d0 = numeric(frame, IO.DEBT_NOW, source=source)
    v0 = numeric(frame, IO.HOUSE_VALUE_NOW, source=source)
    check_values(frame, IO.HOUSE_VALUE_NOW, v0 <= 0, "> 0", source=source)
    income_now = numeric(frame, IO.INCOME_NOW, source=source, non_negative=False)

    n_after = np.maximum(0.0, d - w)
    repay = tested & (w >= d)
    pass3, _, _ = _test(d, v, x, r, io_cap=0.0, params=params)
    pass4, lti4, ltv4 = _test(n_after, v, x, r, io_cap=0.0, params=params)
    pass5, _, _ = _test(d, v, x, r, io_cap=params.io_cap, params=params)
    pass6, lti6, ltv6 = _test(n_after, v, x, r, io_cap=params.io_cap, params=params)
    step = np.select(
        [perp, repay, pass3, pass4, pass5, pass6],
        [1, 2, 3, 4, 5, 6],
        default=7,
    ).astype("int64")
    fail_annuity = step >= 5
    forced = step == 7
    residual = residual_debt(
        debt=d, house_value=v, wealth=w if residual_wealth else 0.0, selling_cost_share=selling_cost_share
    )
    lti_io50 = forced & lti6

    level = _social_assistance(frame, params=params)
    unknown = np.isnan(level)
    low = pd.array(np.where(unknown, None, income_now < np.where(unknown, 0.0, level)), dtype="boolean")
    if unknown.any() and warn_unknown_level:
        warnings.warn(
            f"{source}: social-assistance level (bijstandsnorm 2017) unknown for {int(unknown.sum())} of {len(frame)} "
            f"household(s): column '{IO.SOCIAL_ASSISTANCE}' missing or empty, parameters "
            "user_supplied.social_assistance_single/_couple not supplied (the seed does not print them) and no "
            "[social_assistance_net] proxy; "
            f"'{IO.LOW_INCOME_FLAG}' is <NA> there, and '{IO.VULNERABLE}'/'{IO.CORE_RISK}' of those forced sales too",
            CohortsWarning,
            stacklevel=2,
        )
    high = pd.array(d0 / v0 > params.high_ltv, dtype="boolean")
    vulnerable = pd.array(lti_io50, dtype="boolean") & ~low & ~high
    core_pass, _, _ = _test(n_after, v, x, r, io_cap=params.io_cap_core, params=params, ltv=core_ltv)
    core = vulnerable & pd.array(~core_pass, dtype="boolean")
    years = pd.array(np.where(tested, year - params.now_year, np.nan), dtype="Float64").astype("Int64")
    return pd.DataFrame(
        {
            IO.STEP: step,
            IO.WEALTH_REPAY: step == 2,
            IO.FAIL_ANNUITY: fail_annuity,
            IO.FORCED_SALE: forced,
            IO.RESIDUAL_DEBT: forced & (residual > 0),
            IO.RESIDUAL_AMOUNT: np.where(forced, residual, np.nan),
            IO.LTI_BINDS_ANNUITY: fail_annuity & lti4,
            IO.LTV_BINDS_ANNUITY: fail_annuity & ltv4,
            IO.LTI_BINDS_IO50: lti_io50,
            IO.LTV_BINDS_IO50: forced & ltv6,
            IO.LOW_INCOME_FLAG: low,
            IO.HIGH_LTV_FLAG: high,
            IO.VULNERABLE: vulnerable,
            IO.CORE_RISK: core,
            IO.YEARS_TO_REFI: years,
        },
        index=frame.index,
    )


def event_year(
    birth_year: np.ndarray,
    *,
    params: Parameters,
    hra_rule: Literal["turns_55", "older_than_55"] = "turns_55",
    event_rule: Literal["later", "retirement", "hra", "earlier"] = "later",
) -> np.ndarray:
    """Event year E of a perpetual household (checklist F32, A12).

    Parameters
    ----------
    birth_year : array_like of int
        Birth year of the main earner.
    params : Parameters
        ``aow_age`` (67) and the HRA rule's parameters.
    hra_rule : {"turns_55", "older_than_55"}, default "turns_55"
        See :func:`cohorts.studies.interest_only.income.hra_end` (A3).
    event_rule : {"later", "retirement", "hra", "earlier"}, default "later"
        A12 default ``"later"``: ``max(birth_year + aow_age, hra_end)`` (fn 31-32: retired
        households' event is the HRA lapse, and the test uses pension income without HRA);
        alternatives: the AOW year, the HRA lapse, or the earlier of the two.

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> event_year(np.array([1950, 1970, 1985]), params=load_parameters()).tolist()
    [2030, 2037, 2052]
    """
    retire = np.asarray(birth_year, dtype="int64") + params.aow_age
    lapse = hra_end(birth_year, params=params, hra_rule=hra_rule)
    rules = {
        "later": np.maximum(retire, lapse),
        "retirement": retire,
        "hra": lapse,
        "earlier": np.minimum(retire, lapse),
    }
    if event_rule not in rules:
        raise ValueError(f"event_rule must be one of {', '.join(rules)} (A12), got {event_rule!r}")
    return rules[event_rule]


def perpetual_outcomes(
    frame: pd.DataFrame,
    *,
    params: Parameters,
    use_wealth: bool = False,
    hra_rule: Literal["turns_55", "older_than_55"] = "turns_55",
    event_rule: Literal["later", "retirement", "hra", "earlier"] = "later",
    source: str = "outcomes",
) -> pd.DataFrame:
    """Agility and affordability of the perpetual households at their event year (F31-F33).

    Parameters
    ----------
    frame : pandas.DataFrame
        Households with ``perpetual``, ``main_birth_year``, ``debt_now`` (D0), ``house_value_now``
        (V0 > 0), and on perpetual rows the quantities **at the event year E** (see
        :func:`event_year`) in the ``*_at_refi`` columns: ``debt_at_refi`` (D_E),
        ``house_value_at_refi`` (V_E), ``max_monthly_cost`` (X_E: pension income and the
        AOW-without-HRA table, which :func:`~cohorts.studies.interest_only.income.income_at_refi`
        gives at ``year=E`` because E >= the AOW year and E >= hra_end), ``rate_at_refi``; and
        ``wealth_at_refi`` if ``use_wealth``.
    params : Parameters
    use_wealth : bool, default False
        A12 default: the affordability test is on the full D_E; ``True`` uses max(0, D_E - W_E).
    hra_rule, event_rule : str
        See :func:`event_year`.
    source : str, default "outcomes"

    Returns
    -------
    pandas.DataFrame
        Same index; ``event_year`` (Int64), ``agile_now`` (V0 >= D0), ``agile_at_event``
        (V_E >= D_E) and ``afford_fail`` (D_E x a(r) > X_E: the LTI half of the annuity test, no
        LTV part, F33); <NA> on rows that are not perpetual.

    Raises
    ------
    cohorts.errors.ContractError
        A missing column or a missing/negative amount on a perpetual row (names the first ids).
    """
    cols = [IO.PERPETUAL, IO.MAIN_BIRTH_YEAR, IO.DEBT_NOW, IO.HOUSE_VALUE_NOW, IO.DEBT_AT_T, IO.HOUSE_VALUE_AT_T,
            IO.MAX_MONTHLY_COST, IO.RATE_AT_T] + ([IO.WEALTH_AT_T] if use_wealth else [])
    require_columns(frame, cols, source=source)
    perp = frame[IO.PERPETUAL].to_numpy(dtype=object)
    check_values(frame, IO.PERPETUAL, pd.isna(perp), "not missing (bool)", source=source)
    perp = perp.astype(bool)

    def at_e(col: str, *, non_negative: bool = True) -> np.ndarray:
        x = numeric(frame, col, source=source, non_negative=False, allow_nan=True)
        check_values(frame, col, perp & np.isnan(x), "not missing on perpetual rows", source=source)
        if non_negative:
            check_values(frame, col, perp & (x < 0), ">= 0", source=source)
        return np.where(perp, x, 0.0)

    d0 = at_e(IO.DEBT_NOW)
    v0 = at_e(IO.HOUSE_VALUE_NOW)
    check_values(frame, IO.HOUSE_VALUE_NOW, perp & (v0 <= 0), "> 0", source=source)
    d, v = at_e(IO.DEBT_AT_T), at_e(IO.HOUSE_VALUE_AT_T)
    x = at_e(IO.MAX_MONTHLY_COST, non_negative=False)
    r = at_e(IO.RATE_AT_T)
    n = np.maximum(0.0, d - at_e(IO.WEALTH_AT_T)) if use_wealth else d
    by = numeric(frame, IO.MAIN_BIRTH_YEAR, source=source).astype("int64")
    e = event_year(by, params=params, hra_rule=hra_rule, event_rule=event_rule)

    def masked(values: np.ndarray) -> pd.arrays.BooleanArray:
        return pd.array(np.where(perp, values, None), dtype="boolean")

    return pd.DataFrame(
        {
            IO.EVENT_YEAR: pd.array(np.where(perp, e, None), dtype="Int64"),
            IO.AGILE_NOW: masked(v0 >= d0),
            IO.AGILE_AT_EVENT: masked(v >= d),
            IO.AFFORD_FAIL: masked(n * annuity_factor(r, months=params.term_months) > x),
        },
        index=frame.index,
    )
