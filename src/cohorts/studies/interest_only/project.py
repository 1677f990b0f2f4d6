"""Project every interest-only household to its refinancing (or event) year and classify it.

Two stages, so that the start-year sweep pays once for what no scenario changes:

1. :func:`prepare` (scenario-free): free wealth now (checklist C8-C10), the year each household is
   tested in (T, the first IO maturity, B5; for perpetuals the event year E, F32), the debt at
   that year from the loan parts' schedules (B7, :func:`cohorts.amortization.balance_at`), and the
   test income's two components in 2017 prices with the financing percentage at each rate the
   scenarios use (D13-D19; these depend on T, the household and the rate only).
2. :func:`outcomes` (one scenario, one start year): house value, free wealth and incomes grown
   along the scenario's paths to the tested year (:mod:`cohorts.scenarios`), the maximum monthly
   cost, then the vulnerability tree (:func:`~cohorts.studies.interest_only.tree.classify`) and the
   perpetuals' agility and affordability
   (:func:`~cohorts.studies.interest_only.tree.perpetual_outcomes`).

The test income is linear in the growth factors, ``Y_T = labour_and_aow x g_income +
second_pillar x g_pension`` (D18), and the percentage ``f`` does not depend on them (it is looked
up on the 2017-price income, D17, with the default ``low_income_basis="lookup"``), so
:func:`prepare` keeps the two components
(:func:`~cohorts.studies.interest_only.income.income_at_refi` returns them) and ``f`` once per
distinct rate; :func:`outcomes` then only multiplies.  ``tests/studies/interest_only/test_project.py``
checks this against a direct call of ``income_at_refi`` with the scenario's factors.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts import scenarios as SC
from cohorts.amortization import balance_at
from cohorts.errors import CohortsWarning, NormTableFallbackWarning
from cohorts.norms.tables import NormTables

from . import columns as IO
from .income import income_at_refi
from .parameters import Parameters
from .tree import classify, event_year, perpetual_outcomes, social_assistance_note
from .wealth import free_wealth, wealth_at_refi

#: The end-2016 snapshot the study projects from (checklist A2).
SNAPSHOT = np.datetime64("2016-12-31")
#: The column of the prepared frame holding the year each household is tested in (T or E).
TESTED_YEAR = "tested_year"


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare` computes once for every scenario and start year.

    Attributes
    ----------
    households : pandas.DataFrame
        The households frame with free wealth now, ``tested_year``, ``debt_at_refi`` (D_T, or D_E
        for perpetuals), the two test-income components, ``age_at_refi``, ``regime``,
        ``hra_end``, ``with_hra`` and ``norm_table_year``.
    financing_pct : Mapping[float, numpy.ndarray]
        ``f`` per household for each rate (fraction) any scenario uses.
    params : Parameters
    """

    households: pd.DataFrame
    financing_pct: Mapping[float, np.ndarray]
    params: Parameters


def _rates(scenarios: Mapping[str, SC.Scenario]) -> tuple[float, ...]:
    """Every rate (fraction, rounded to 1e-9) any start year of these scenarios uses."""
    rates: set[float] = set()
    for sc in scenarios.values():
        starts = range(sc.start_year_range[0], sc.start_year_range[1] + 1) if sc.is_shock else (None,)
        for s in starts:
            rates.update(np.round(SC.paths(sc, start_year=s)[SC.RATE].to_numpy(), 9).tolist())
    return tuple(sorted(rates))


def debt_at(parts: pd.DataFrame, years: pd.Series) -> np.ndarray:
    """Debt of each household on 1 January of its year, summed over its loan parts (checklist B7).

    Parameters
    ----------
    parts : pandas.DataFrame
        End-2016 loan parts with ``household_id`` and the LLD columns ``repayment_type``,
        ``current_balance``, ``interest_rate`` (percent), ``origination_date``, ``maturity_date``.
    years : pandas.Series
        The year per household, indexed by household id (the order of the result).

    Returns
    -------
    numpy.ndarray
        Euro per household, aligned with ``years``.
    """
    pos = pd.Index(years.index).get_indexer(parts[IO.HOUSEHOLD_ID])
    if (pos < 0).any():
        bad = parts.loc[pos < 0, IO.HOUSEHOLD_ID].head(5).tolist()
        raise ValueError(f"parts: household_id without a household row (first: {bad})")
    balance = balance_at(
        repayment_type=parts[C.REPAYMENT_TYPE].to_numpy(),
        balance=parts[C.CURRENT_BALANCE].to_numpy(dtype="float64"),
        rate=parts[C.INTEREST_RATE].to_numpy(dtype="float64"),
        origination=parts[C.ORIGINATION_DATE].to_numpy(),
        maturity=parts[C.MATURITY_DATE].to_numpy(),
        snapshot=SNAPSHOT,
        at_year=years.to_numpy(dtype="int64")[pos],
    )
    return np.bincount(pos, weights=balance, minlength=len(years))


def prepare(
    households: pd.DataFrame,
    parts: pd.DataFrame,
    *,
    params: Parameters,
    tables: NormTables,
    scenarios: Mapping[str, SC.Scenario],
    hra_rule: str = "turns_55",
    event_rule: str = "later",
    accrued_estimate: str = "linear",
) -> Prepared:
    """The scenario-free part of the projection (see the module docstring).

    Parameters
    ----------
    households, parts : pandas.DataFrame
        From :func:`cohorts.studies.interest_only.population.households` and ``.parts``.
    params : Parameters
    tables : cohorts.norms.tables.NormTables
    scenarios : Mapping[str, cohorts.scenarios.Scenario]
        The scenarios that will be run (their rates are looked up here).
    hra_rule, event_rule, accrued_estimate : str
        Ambiguity options A3, A12 and A4 (see :mod:`~cohorts.studies.interest_only.income` and
        :func:`~cohorts.studies.interest_only.tree.event_year`).

    Returns
    -------
    Prepared
    """
    hh = households.set_index(IO.HOUSEHOLD_ID, drop=False)  # the one copy (the columns below are added to it)
    for column, values in free_wealth(hh, params=params).items():  # replaces a liquid_assets the builder may carry
        hh[column] = values
    perpetual = hh[IO.PERPETUAL].to_numpy(dtype=bool)
    e = event_year(hh[IO.MAIN_BIRTH_YEAR].to_numpy(dtype="int64"), params=params,
                   hra_rule=hra_rule, event_rule=event_rule)  # type: ignore[arg-type]
    t = pd.array(hh[IO.REFI_YEAR], dtype="Int64").to_numpy(dtype="float64", na_value=np.nan)
    tested = np.where(perpetual, e, t)
    if np.isnan(tested).any():
        bad = hh.index[np.isnan(tested)][:5].tolist()
        raise ValueError(f"households: refi_year missing on rows that are not perpetual (first ids: {bad})")
    # a part maturing in 2017-2019 is tested in that year (A21): balances from 1 Jan 2017 on
    tested = np.maximum(tested.astype("int64"), int(str(SNAPSHOT)[:4]) + 1)
    hh[TESTED_YEAR] = tested
    hh[IO.DEBT_AT_T] = debt_at(parts, hh[TESTED_YEAR])
    options = dict(params=params, tables=tables, year=tested, hra_rule=hra_rule,
                   accrued_estimate=accrued_estimate, consumer_credit_net=np.zeros(len(hh)))
    _warn_if_no_social_assistance(hh, params=params)
    rates = _rates(scenarios)
    first = income_at_refi(hh, rate=rates[0], **options)
    for col in (IO.TEST_INCOME_LABOUR_AOW, IO.TEST_INCOME_SECOND_PILLAR, IO.AGE_AT_T, IO.REGIME, IO.HRA_END,
                IO.WITH_HRA, IO.NORM_TABLE_YEAR, IO.LOOKUP_INCOME):
        hh[col] = first[col].to_numpy()
    pct = {rates[0]: first[IO.FINANCING_PCT].to_numpy()}
    with warnings.catch_warnings():  # the table-year note was given by the first call
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        for r in rates[1:]:
            pct[r] = income_at_refi(hh, rate=r, **options)[IO.FINANCING_PCT].to_numpy()
    return Prepared(households=hh.reset_index(drop=True), financing_pct=MappingProxyType(pct), params=params)


def _warn_if_no_social_assistance(households: pd.DataFrame, *, params: Parameters) -> None:
    """One note per run on the level of the measurement flag of E27 (the tree does not repeat it)."""
    note = social_assistance_note(households, params=params)
    if note is not None:
        warnings.warn(note, CohortsWarning, stacklevel=3)


def outcomes(
    prepared: Prepared,
    *,
    scenario: SC.Scenario,
    start_year: int | None = None,
    wealth_grows: bool = True,
    netting: str = "once",
) -> pd.DataFrame:
    """Every household's projected quantities and tree outcome under one scenario and start year.

    Parameters
    ----------
    prepared : Prepared
        From :func:`prepare` (with this scenario among its ``scenarios``).
    scenario : cohorts.scenarios.Scenario
    start_year : int, optional
        S for a shock scenario (default the scenario's own, the report's worst timing).
    wealth_grows : bool, default True
        A2: free wealth follows the scenario's wealth path (default); ``False`` keeps W0.
    netting : {"once", "at_refi"}, default "once"
        A16 (see :func:`~cohorts.studies.interest_only.wealth.wealth_at_refi`).

    Returns
    -------
    pandas.DataFrame
        One row per household: ``household_id``, ``scenario``, ``start_year``, the projected
        ``*_at_refi`` columns, ``financing_pct``, ``max_monthly_cost``, the columns of
        :func:`~cohorts.studies.interest_only.tree.classify` and, for perpetuals, of
        :func:`~cohorts.studies.interest_only.tree.perpetual_outcomes`.
    """
    hh = prepared.households
    params = prepared.params
    s = (scenario.start_year if start_year is None else int(start_year)) if scenario.is_shock else None
    table = SC.paths(scenario, start_year=s)
    year = hh[TESTED_YEAR].to_numpy(dtype="int64")
    # A5: the rate on 1 January of T, the level reached in T - 1 (params.rate_timing; "in_year": of year T)
    rate = np.round(SC.factor_at(table, year, SC.RATE, rate_timing=params.rate_timing), 9)  # type: ignore[arg-type]
    f = np.full(len(hh), np.nan)
    for r in np.unique(rate):
        if float(r) not in prepared.financing_pct:
            raise ValueError(f"scenario {scenario.name!r}: rate {r:.4f} was not prepared; pass the scenario to prepare()")
        hit = rate == r
        f[hit] = prepared.financing_pct[float(r)][hit]
    g_income = SC.factor_at(table, year, SC.INCOME)
    g_pension = SC.factor_at(table, year, SC.PENSION)
    g_wealth = SC.factor_at(table, year, SC.WEALTH) if wealth_grows else 1.0
    w = wealth_at_refi(hh, params=params, growth=g_wealth, netting=netting)  # type: ignore[arg-type]
    y = hh[IO.TEST_INCOME_LABOUR_AOW].to_numpy() * g_income + hh[IO.TEST_INCOME_SECOND_PILLAR].to_numpy() * g_pension
    x = f / 100.0 * y / 12.0 - params.consumer_credit_monthly_charge * w[IO.CONSUMER_CREDIT_NET].to_numpy()
    frame = pd.DataFrame(
        {
            IO.HOUSEHOLD_ID: hh[IO.HOUSEHOLD_ID].to_numpy(),
            IO.SCENARIO: scenario.name,
            IO.START_YEAR: pd.array([s] * len(hh), dtype="Int64"),
            IO.PERPETUAL: hh[IO.PERPETUAL].to_numpy(dtype=bool),
            IO.REFI_YEAR: hh[IO.REFI_YEAR].to_numpy(),
            IO.MAIN_BIRTH_YEAR: hh[IO.MAIN_BIRTH_YEAR].to_numpy(),
            IO.HAS_PARTNER: hh[IO.HAS_PARTNER].to_numpy(),
            IO.DEBT_NOW: hh[IO.DEBT_NOW].to_numpy(),
            IO.HOUSE_VALUE_NOW: hh[IO.HOUSE_VALUE_NOW].to_numpy(),
            IO.INCOME_NOW: hh[IO.INCOME_NOW].to_numpy(),
            IO.DEBT_AT_T: hh[IO.DEBT_AT_T].to_numpy(),
            IO.HOUSE_VALUE_AT_T: hh[IO.HOUSE_VALUE_NOW].to_numpy() * SC.factor_at(table, year, SC.HOUSE),
            IO.WEALTH_AT_T: w[IO.WEALTH_AT_T].to_numpy(),
            IO.CONSUMER_CREDIT_NET: w[IO.CONSUMER_CREDIT_NET].to_numpy(),
            IO.TEST_INCOME_AT_T: y,
            IO.FINANCING_PCT: f,
            IO.MAX_MONTHLY_COST: x,
            IO.RATE_AT_T: rate,
            IO.REGIME: hh[IO.REGIME].to_numpy(),
            IO.AGE_AT_T: hh[IO.AGE_AT_T].to_numpy(),
            IO.WITH_HRA: hh[IO.WITH_HRA].to_numpy(),
        }
    )
    if IO.SOCIAL_ASSISTANCE in hh:
        frame[IO.SOCIAL_ASSISTANCE] = hh[IO.SOCIAL_ASSISTANCE].to_numpy()
    tree = classify(frame, params=params, warn_unknown_level=False)  # prepare() warned once
    perp = perpetual_outcomes(frame, params=params)
    return pd.concat([frame, tree, perp], axis=1)


def counts(outcomes_frame: pd.DataFrame) -> dict[str, float]:
    """Sample counts of the tree's outcomes (checklist H39): households, each step and flag.

    Returns
    -------
    dict
        ``households``, ``perpetual``, ``wealth_repay``, ``must_refinance``, ``fail_annuity``,
        ``forced_sale``, ``residual_debt``, ``vulnerable``, ``core_risk``, ``afford_fail``,
        ``not_agile_at_event``; ``vulnerable`` and ``core_risk`` are NaN when the social-assistance
        level is unknown for some household (their measurement flag is then missing).
    """
    o = outcomes_frame

    def n(col: str) -> int:
        return int(pd.array(o[col], dtype="boolean").fillna(False).sum())

    def known(col: str) -> float:  # vulnerable / core risk are unknown without the social-assistance level
        flag = pd.array(o[col], dtype="boolean")
        return float("nan") if flag.isna().any() else float(flag.sum())

    perpetual = n(IO.PERPETUAL)
    return {
        "households": len(o),
        "perpetual": perpetual,
        "wealth_repay": n(IO.WEALTH_REPAY),
        "must_refinance": len(o) - perpetual - n(IO.WEALTH_REPAY),
        "fail_annuity": n(IO.FAIL_ANNUITY),
        "forced_sale": n(IO.FORCED_SALE),
        "residual_debt": n(IO.RESIDUAL_DEBT),
        "vulnerable": known(IO.VULNERABLE),
        "core_risk": known(IO.CORE_RISK),
        "afford_fail": n(IO.AFFORD_FAIL),
        "not_agile_at_event": int((pd.array(o[IO.AGILE_AT_EVENT], dtype="boolean") == False).fillna(False).sum()),  # noqa: E712
    }
