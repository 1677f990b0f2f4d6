"""The start-year sweep and the worst timing of the shock scenarios (checklist G37, A22).

The report runs every shock scenario for every start year S of its window ("tussen 2020 en 2050",
seed 1234-1236; A22: the window is the scenario's declared ``start_years`` range in
``data/scenarios.toml``) and keeps the S that **maximises the number of step-4 failures**
(``fail_annuity``; Figuur 24 caption, seed 1984-2036).  :func:`sweep` returns one tidy row per
(scenario, start year) with the sample counts of :func:`~cohorts.studies.interest_only.project.counts`
and a boolean ``worst``; :func:`worst_start_years` reads the chosen year per scenario back.

**The housing crisis is timed by its floor.**  The report times that scenario "zodanig dat een zo
groot mogelijk aantal AFV-hypotheken in het dal afloopt" (seed 3365-3369): its worst start year is
the one that puts the most refinancing years at the floor of the house-value path (column
:data:`AT_FLOOR`, :func:`floor_count`), which the scenario file declares with ``timed_by =
"floor"``.  Figuur 24's step-4 rule is the recession's and the high rate's.  The alternative
reading (every scenario by step-4 failures) is a scenario file without that key.

**Ties.**  When several start years reach the same maximum, the **earliest** is marked (the
report gives no rule; the earliest is the first the report's "tussen nu en 2050" reaches).
``worst_by="forced_sale"`` ranks by step-6 failures instead (the alternative reading of A1).

**Fast path.**  :func:`~cohorts.studies.interest_only.project.outcomes` builds a full frame of
~30 columns and runs :func:`~cohorts.studies.interest_only.tree.classify` with all its
validation on every call; the sweep needs only the counts, 94 times.  :func:`compile_counts`
validates the prepared households **once** and keeps, as plain numpy arrays split into the
tested rows and the perpetual rows, only what the counts need (D_T, V0, W0, CK', the two income
components, f per rate, the measurement flags).  :func:`fast_counts` then evaluates one scenario
and start year with the growth factors looked up per distinct tested year (a few dozen years, not
1.9 million look-ups), using the same formulas in the same floating-point order as ``outcomes``
and ``classify``, and computes the residual-debt, vulnerable and core-risk flags on the (small)
forced-sale subset only.  ``tests/studies/interest_only/test_sweep.py`` asserts that
``fast_counts`` equals ``counts(outcomes(...))`` for every scenario and several start years on
the committed sample and on a randomised one; ``sweep(..., fast=False)`` runs the slow path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cohorts import scenarios as SC
from cohorts.amortization import residual_debt
from cohorts.progress import heartbeat

from . import columns as IO
from .parameters import Parameters
from .project import TESTED_YEAR, Prepared, counts, outcomes
from .tree import _social_assistance, annuity_factor, monthly_cost

#: The counts of one run, in the order of :func:`~cohorts.studies.interest_only.project.counts`.
COUNT_COLUMNS = (
    "households",
    "perpetual",
    "wealth_repay",
    "must_refinance",
    "fail_annuity",
    "forced_sale",
    "residual_debt",
    "vulnerable",
    "core_risk",
    "afford_fail",
    "not_agile_at_event",
)
#: Column of :func:`sweep` marking the worst start year of each shock scenario.
WORST = "worst"
WORST_BY = ("fail_annuity", "forced_sale")
#: Column of :func:`sweep`: households with a refinancing moment whose tested year lies at the floor of
#: the scenario's house-value path (<NA> for a scenario without a floor); the criterion of a scenario
#: ``timed_by = "floor"`` (the housing crisis, seed 3365-3369).  Not released (``sweep.csv`` keeps the
#: tree's counts).
AT_FLOOR = "at_floor"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class _Rows:
    """Arrays of one subset (tested or perpetual) of the prepared households."""

    year_index: np.ndarray  # position of each row's tested year in CountKernel.years
    debt: np.ndarray
    house_now: np.ndarray
    wealth_now: np.ndarray  # W0 = max(0, L - CK - buffer)  (netting "once")
    liquid: np.ndarray
    credit: np.ndarray  # CK now
    credit_net: np.ndarray  # CK' = max(0, CK - L)
    labour_aow: np.ndarray
    second_pillar: np.ndarray
    pension_regime: np.ndarray
    pct: Mapping[float, np.ndarray]
    low_income_false: np.ndarray  # meas_low_income known and False
    level_unknown: np.ndarray  # the social-assistance level is unknown: meas_low_income missing
    high_ltv: np.ndarray


@dataclass(frozen=True)
class CountKernel:
    """The prepared households reduced to what the counts need, validated once (:func:`compile_counts`).

    Attributes
    ----------
    years : numpy.ndarray
        The distinct tested years (T, or E for perpetuals), ascending.
    tested, perpetual : _Rows
        The arrays of the households with a refinancing moment and of the perpetuals.
    n_households : int
    params : Parameters
    """

    years: np.ndarray
    tested: _Rows
    perpetual: _Rows
    n_households: int
    params: Parameters

    @property
    def rates(self) -> tuple[float, ...]:
        """The rates (fractions) for which the financing percentage was prepared."""
        return tuple(self.tested.pct)


def _finite(name: str, values: np.ndarray, ids: np.ndarray, *, non_negative: bool = True) -> None:
    bad = ~np.isfinite(values) | ((values < 0) if non_negative else False)
    if bad.any():
        first = ids[bad][:5].tolist()
        rule = "finite and >= 0" if non_negative else "finite"
        raise ValueError(f"prepared households: '{name}' must be {rule} ({int(bad.sum())} rows; first ids {first})")


def compile_counts(prepared: Prepared) -> CountKernel:
    """Validate the prepared households once and keep the arrays :func:`fast_counts` needs.

    Parameters
    ----------
    prepared : Prepared
        From :func:`~cohorts.studies.interest_only.project.prepare`.

    Returns
    -------
    CountKernel

    Raises
    ------
    ValueError
        A missing or negative amount, a house value now <= 0, a financing percentage that is not
        finite, or a prepared rate outside [0, 0.2] (first household ids named).

    Notes
    -----
    Where the social-assistance level is unknown, ``vulnerable`` and ``core_risk`` are counted as
    unknown (NaN) wherever the level decides them, as in
    :func:`~cohorts.studies.interest_only.project.counts`; :func:`~cohorts.studies.interest_only.project.prepare`
    gives the one note of the run about it.
    """
    hh = prepared.households
    params = prepared.params
    ids = hh[IO.HOUSEHOLD_ID].to_numpy()
    perp = hh[IO.PERPETUAL].to_numpy(dtype=bool)
    year = hh[TESTED_YEAR].to_numpy(dtype="int64")
    years, inverse = np.unique(year, return_inverse=True)
    rates = tuple(prepared.financing_pct)
    bad_rates = [r for r in rates if not 0.0 <= r <= 0.2]
    if bad_rates:
        raise ValueError(f"prepared rates must be fractions in [0, 0.2], got {bad_rates}")

    def num(col: str) -> np.ndarray:
        return pd.to_numeric(hh[col]).to_numpy(dtype="float64", na_value=np.nan)

    debt, v0 = num(IO.DEBT_AT_T), num(IO.HOUSE_VALUE_NOW)
    liquid, credit = num(IO.LIQUID_ASSETS), num(IO.CONSUMER_CREDIT_NOW)
    lab, sec = num(IO.TEST_INCOME_LABOUR_AOW), num(IO.TEST_INCOME_SECOND_PILLAR)
    for name, x in ((IO.DEBT_AT_T, debt), (IO.HOUSE_VALUE_NOW, v0), (IO.LIQUID_ASSETS, liquid),
                    (IO.CONSUMER_CREDIT_NOW, credit), (IO.TEST_INCOME_LABOUR_AOW, lab),
                    (IO.TEST_INCOME_SECOND_PILLAR, sec)):
        _finite(name, x, ids)
    if (v0 <= 0).any():
        raise ValueError(f"prepared households: '{IO.HOUSE_VALUE_NOW}' must be > 0 (first ids {ids[v0 <= 0][:5].tolist()})")
    for r, f in prepared.financing_pct.items():
        _finite(f"{IO.FINANCING_PCT} at rate {r}", np.asarray(f, dtype="float64"), ids)
    d0 = num(IO.DEBT_NOW)
    _finite(IO.DEBT_NOW, d0, ids)
    income_now = num(IO.INCOME_NOW)
    _finite(IO.INCOME_NOW, income_now, ids, non_negative=False)

    level = _social_assistance(hh, params=params)
    unknown = np.isnan(level)
    low_false = ~unknown & ~(income_now < np.where(unknown, 0.0, level))
    high = d0 / v0 > params.high_ltv
    regime = hh[IO.REGIME].to_numpy(dtype=object) == "pension"
    w0 = np.maximum(0.0, liquid - credit - params.expense_buffer)
    ck_net = np.maximum(0.0, credit - liquid)

    def rows(mask: np.ndarray) -> _Rows:
        return _Rows(
            year_index=inverse[mask].astype(np.intp), debt=debt[mask], house_now=v0[mask], wealth_now=w0[mask],
            liquid=liquid[mask], credit=credit[mask], credit_net=ck_net[mask], labour_aow=lab[mask],
            second_pillar=sec[mask], pension_regime=regime[mask],
            pct={r: np.asarray(f, dtype="float64")[mask] for r, f in prepared.financing_pct.items()},
            low_income_false=low_false[mask], level_unknown=unknown[mask], high_ltv=high[mask],
        )

    return CountKernel(years=years, tested=rows(~perp), perpetual=rows(perp), n_households=len(hh), params=params)


def _factors(kernel: CountKernel, scenario: SC.Scenario, start_year: int | None) -> dict[str, np.ndarray]:
    """The scenario's factors and rate per distinct tested year."""
    table = SC.paths(scenario, start_year=start_year)
    out = {p: SC.factor_at(table, kernel.years, p) for p in (SC.HOUSE, SC.INCOME, SC.PENSION, SC.WEALTH)}
    timing = kernel.params.rate_timing  # A5: the rate on 1 January of T (the study's choice) or of year T
    out[SC.RATE] = np.round(SC.factor_at(table, kernel.years, SC.RATE, rate_timing=timing), 9)  # type: ignore[arg-type]
    return out


def _pick_pct(rows: _Rows, rate_row: np.ndarray, rate_by_year: np.ndarray, *, scenario: str) -> np.ndarray:
    """f per row for its rate (one rate: the prepared array itself, no copy)."""
    distinct = np.unique(rate_by_year)
    missing = [float(r) for r in distinct if float(r) not in rows.pct]
    if missing:
        raise ValueError(f"scenario {scenario!r}: rate(s) {missing} were not prepared; pass the scenario to prepare()")
    if len(distinct) == 1:
        return rows.pct[float(distinct[0])]
    f = np.empty(len(rate_row))
    for r in distinct:
        hit = rate_row == r
        f[hit] = rows.pct[float(r)][hit]
    return f


def _evaluate(
    kernel: CountKernel,
    factors: Mapping[str, np.ndarray],
    *,
    scenario: str,
    wealth_grows: bool = True,
    netting: str = "once",
    house: float = 1.0,
    wealth: float = 1.0,
    labour: float = 1.0,
    pension: float = 1.0,
    aow_with: Literal["pension", "labour"] = "pension",
) -> dict[str, int]:
    """The counts for per-year factors (and, for the sensitivity analysis, uniform multipliers)."""
    params = kernel.params
    if netting not in ("once", "at_refi"):
        raise ValueError(f"netting must be 'once' or 'at_refi' (A16), got {netting!r}")
    shocked = (house, wealth, labour, pension) != (1.0, 1.0, 1.0, 1.0)
    ann_by_year = annuity_factor(factors[SC.RATE], months=params.term_months)

    def project(rows: _Rows) -> tuple[np.ndarray, ...]:
        yi = rows.year_index
        r = factors[SC.RATE][yi]
        f = _pick_pct(rows, r, factors[SC.RATE], scenario=scenario)
        g_inc = factors[SC.INCOME][yi]
        g_pen = factors[SC.PENSION][yi]
        g_w = factors[SC.WEALTH][yi] if wealth_grows else 1.0
        if shocked:
            aow = pension if aow_with == "pension" else labour
            g_inc = g_inc * np.where(rows.pension_regime, aow, labour)
            g_pen = g_pen * pension
            g_w = g_w * wealth
        if netting == "once":
            w = g_w * rows.wealth_now
            ck_net = rows.credit_net
        else:
            lt = g_w * rows.liquid
            w = np.maximum(0.0, lt - rows.credit - params.expense_buffer)
            ck_net = np.maximum(0.0, rows.credit - lt)
        y = rows.labour_aow * g_inc + rows.second_pillar * g_pen
        x = f / 100.0 * y / 12.0 - params.consumer_credit_monthly_charge * ck_net
        v = rows.house_now * factors[SC.HOUSE][yi]
        if house != 1.0:
            v = v * house
        return r, ann_by_year[yi], x, v, w

    # tested households: steps 2-7 (classify)
    t = kernel.tested
    r, a, x, v, w = project(t)
    d = t.debt
    limit = params.ltv_limit * v
    repay = w >= d
    n_after = np.maximum(0.0, d - w)
    # step 3 then step 4 (full annuity: monthly_cost with io_cap 0 is N x a(r))
    fail3 = (d * a > x) | (d > limit)
    fail4 = (n_after * a > x) | (n_after > limit)
    fail_annuity = ~repay & fail3 & fail4
    k = np.flatnonzero(fail_annuity)
    dk, vk, xk, rk, nk, lk = d[k], v[k], x[k], r[k], n_after[k], limit[k]
    fail5 = (monthly_cost(dk, vk, rk, io_cap=params.io_cap, months=params.term_months) > xk) | (dk > lk)
    lti6 = monthly_cost(nk, vk, rk, io_cap=params.io_cap, months=params.term_months) > xk
    fail6 = lti6 | (nk > lk)
    forced = fail5 & fail6
    j = k[forced]
    res = residual_debt(debt=d[j], house_value=v[j], wealth=0.0, selling_cost_share=0.0) > 0
    vulnerable = lti6[forced] & t.low_income_false[j] & ~t.high_ltv[j]
    core_fail = (monthly_cost(n_after[j], v[j], r[j], io_cap=params.io_cap_core, months=params.term_months) > x[j]) | (
        n_after[j] > limit[j]
    )
    # where the social-assistance level is unknown and would decide, the flag is missing (Kleene logic, as classify)
    vulnerable_unknown = lti6[forced] & t.level_unknown[j] & ~t.high_ltv[j]
    n_vulnerable = np.nan if vulnerable_unknown.any() else float(vulnerable.sum())
    n_core = np.nan if (vulnerable_unknown & core_fail).any() else float((vulnerable & core_fail).sum())

    # perpetual households: agility and affordability at E (perpetual_outcomes)
    p = kernel.perpetual
    _, ap, xp, vp, _ = project(p)
    afford_fail = p.debt * ap > xp
    not_agile = ~(vp >= p.debt)

    n_perp = len(p.debt)
    n_repay = int(repay.sum())
    return {
        "households": kernel.n_households,
        "perpetual": n_perp,
        "wealth_repay": n_repay,
        "must_refinance": kernel.n_households - n_perp - n_repay,
        "fail_annuity": int(len(k)),
        "forced_sale": int(len(j)),
        "residual_debt": int(res.sum()),
        "vulnerable": n_vulnerable,
        "core_risk": n_core,
        "afford_fail": int(afford_fail.sum()),
        "not_agile_at_event": int(not_agile.sum()),
    }


def _check_start_year(scenario: SC.Scenario, start_year: int | None) -> int | None:
    """S for a shock scenario (its default if None), None for a trend; error outside the range."""
    if not scenario.is_shock:
        if start_year is not None:
            raise ValueError(f"scenario {scenario.name!r} is a trend scenario and takes no start year (got {start_year})")
        return None
    s = scenario.start_year if start_year is None else int(start_year)
    lo, hi = scenario.start_year_range or (scenario.start_year, scenario.start_year)
    if not lo <= s <= hi:
        raise ValueError(f"scenario {scenario.name!r}: start year {s} is outside its declared start-year range {lo}..{hi}")
    return s


def fast_counts(
    prepared: Prepared | CountKernel,
    *,
    scenario: SC.Scenario,
    start_year: int | None = None,
    wealth_grows: bool = True,
    netting: str = "once",
) -> dict[str, int]:
    """``counts(outcomes(prepared, scenario=..., start_year=...))`` without building the frame.

    Parameters
    ----------
    prepared : Prepared or CountKernel
        A :class:`CountKernel` from :func:`compile_counts` (compile once, call many times), or
        the prepared households themselves (compiled on every call).
    scenario : cohorts.scenarios.Scenario
    start_year : int, optional
        S for a shock scenario (default its own); must be None for a trend scenario.
    wealth_grows, netting
        As in :func:`~cohorts.studies.interest_only.project.outcomes` (A2, A16).

    Returns
    -------
    dict
        The keys of :data:`COUNT_COLUMNS`, sample counts.

    Raises
    ------
    ValueError
        A start year outside the scenario's declared range, or a rate that was not prepared.
    """
    kernel = prepared if isinstance(prepared, CountKernel) else compile_counts(prepared)
    s = _check_start_year(scenario, start_year)
    return _evaluate(kernel, _factors(kernel, scenario, s), scenario=scenario.name,
                     wealth_grows=wealth_grows, netting=netting)


def _plan(
    scenarios: Mapping[str, SC.Scenario], start_years: Mapping[str, Sequence[int]] | None
) -> list[tuple[str, int | None]]:
    """(scenario name, start year) of every run, validated."""
    if not scenarios:
        raise ValueError("sweep: no scenarios given")
    given = dict(start_years or {})
    unknown = sorted(set(given) - set(scenarios))
    if unknown:
        raise ValueError(f"sweep: unknown scenario name(s) {unknown} in start_years; known: {sorted(scenarios)}")
    plan: list[tuple[str, int | None]] = []
    for name, sc in scenarios.items():
        if not sc.is_shock:
            if name in given:
                raise ValueError(f"sweep: scenario {name!r} is a trend scenario; it takes no start years")
            plan.append((name, None))
            continue
        lo, hi = sc.start_year_range or (sc.start_year, sc.start_year)
        years = list(given[name]) if name in given else list(range(lo, hi + 1))
        if not years:
            raise ValueError(f"sweep: scenario {name!r}: empty list of start years")
        bad = [y for y in years if not lo <= int(y) <= hi]
        if bad:
            raise ValueError(
                f"sweep: scenario {name!r}: start year(s) {bad} outside its declared start-year range {lo}..{hi}"
            )
        plan.extend((name, int(y)) for y in sorted(set(int(y) for y in years)))
    return plan


def floor_count(
    tested_years: np.ndarray, scenario: SC.Scenario, start_year: int, *, counts: np.ndarray | None = None
) -> int:
    """Households whose tested year lies at the floor of the scenario's house-value path.

    The floor is the path's lowest house-value factor from S on (:func:`cohorts.scenarios.floor_level`;
    ``np.isclose``, rtol 1e-9, as the comparison's trough share), read as the projection reads V_T
    (:func:`cohorts.scenarios.factor_at`: 1 January of T, the end of T - 1).  With the shipped housing
    crisis and start year S the floor holds for the year-ends S+4 .. S+8 (the "5-jarige dal", seed
    3365-3369), so the refinancing years S+5 .. S+9.

    Parameters
    ----------
    tested_years : numpy.ndarray
        The refinancing year T of each household with a refinancing moment.
    scenario : cohorts.scenarios.Scenario
    start_year : int
    counts : numpy.ndarray, optional
        With it, ``tested_years`` are distinct years and ``counts`` the households per year (the
        sweep computes them once).

    Returns
    -------
    int

    Examples
    --------
    >>> from cohorts.studies.interest_only.study_data import scenarios_path
    >>> crisis = SC.load_scenarios(scenarios_path())["housing_crisis"]
    >>> floor_count(np.array([2034, 2035, 2037, 2039, 2040]), crisis, 2030)
    3
    """
    table = SC.paths(scenario, start_year=start_year)
    if counts is None:
        years, n = np.unique(np.asarray(tested_years, dtype="int64"), return_counts=True)
    else:
        years, n = np.asarray(tested_years, dtype="int64"), np.asarray(counts, dtype="int64")
    if not len(years):
        return 0
    f = SC.factor_at(table, years, SC.HOUSE)
    return int(n[np.isclose(f, SC.floor_level(table, start_year), rtol=1e-9)].sum())


def mark_worst(
    frame: pd.DataFrame, *, worst_by: str = "fail_annuity", timed_by: Mapping[str, str] | None = None
) -> pd.Series:
    """Boolean per row: the start year maximising the timing criterion within each shock scenario (ties: earliest).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``scenario``, ``start_year`` (<NA> for a trend scenario), ``worst_by`` and, for a
        scenario timed by its floor, :data:`AT_FLOOR`.
    worst_by : {"fail_annuity", "forced_sale"}, default "fail_annuity"
        The report's rule (Figuur 24 caption) ranks by step-4 failures.
    timed_by : Mapping[str, str], optional
        Per scenario name its ``timed_by`` (:data:`cohorts.scenarios.TIMED_BY`): ``"floor"`` ranks
        that scenario's rows by :data:`AT_FLOOR` instead of ``worst_by`` (the housing crisis:
        "zo groot mogelijk aantal AFV-hypotheken in het dal", seed 3365-3369).  Default: every
        scenario by ``worst_by``.

    Returns
    -------
    pandas.Series
        Same index, False on trend rows.
    """
    if worst_by not in WORST_BY:
        raise ValueError(f"worst_by must be one of {WORST_BY}, got {worst_by!r}")
    timed_by = dict(timed_by or {})
    worst = pd.Series(False, index=frame.index, name=WORST)
    shock = frame[frame[IO.START_YEAR].notna()]
    for name, g in shock.groupby(IO.SCENARIO, sort=False):
        g = g.sort_values(IO.START_YEAR, kind="stable")
        column = AT_FLOOR if timed_by.get(str(name), "outcome") == "floor" else worst_by
        if column not in g or g[column].isna().any():
            raise ValueError(f"mark_worst: scenario {name!r} is timed by {column!r}, which the sweep rows lack")
        best = g[column].to_numpy(dtype="float64")
        worst.loc[g.index[int(np.argmax(best))]] = True  # argmax: the first (earliest) maximum
    return worst


def sweep(
    prepared: Prepared,
    *,
    scenarios: Mapping[str, SC.Scenario],
    start_years: Mapping[str, Sequence[int]] | None = None,
    progress: Progress | None = None,
    worst_by: Literal["fail_annuity", "forced_sale"] = "fail_annuity",
    fast: bool = True,
    wealth_grows: bool = True,
    netting: str = "once",
) -> pd.DataFrame:
    """Run every scenario for every start year and mark the worst timing (checklist G37).

    Parameters
    ----------
    prepared : Prepared
        From :func:`~cohorts.studies.interest_only.project.prepare` with these scenarios.
    scenarios : Mapping[str, cohorts.scenarios.Scenario]
        Trend scenarios give one row (start year <NA>); shock scenarios one row per start year.
    start_years : Mapping[str, Sequence[int]], optional
        Start years per shock scenario; default every year of its declared range (A22: the
        report's window 2020-2050, ``start_years`` in ``data/scenarios.toml``).
    progress : callable, optional
        Receives one line per scenario (and a heartbeat line every 30 s while a run takes long,
        :func:`cohorts.progress.heartbeat`), e.g. ``print``.
    worst_by : {"fail_annuity", "forced_sale"}, default "fail_annuity"
        The count maximised by the worst start year (the report: step-4 failures, Figuur 24).
        Ties go to the earliest start year.  A scenario with ``timed_by = "floor"`` (the housing
        crisis) is timed by :data:`AT_FLOOR` instead (:func:`mark_worst`).
    fast : bool, default True
        Use :func:`fast_counts` (validated once); ``False`` runs ``counts(outcomes(...))`` per row.
    wealth_grows, netting
        As in :func:`~cohorts.studies.interest_only.project.outcomes` (A2, A16).

    Returns
    -------
    pandas.DataFrame
        One row per (scenario, start year): ``scenario``, ``start_year`` (Int64), the counts of
        :data:`COUNT_COLUMNS`, :data:`AT_FLOOR` (Int64, <NA> without a floor) and ``worst`` (bool;
        False on trend rows).

    Raises
    ------
    ValueError
        An unknown scenario name in ``start_years``, a start year outside a scenario's declared
        range (the scenario and the range are named), or an unknown ``worst_by``.
    """
    if worst_by not in WORST_BY:
        raise ValueError(f"worst_by must be one of {WORST_BY}, got {worst_by!r}")
    plan = _plan(scenarios, start_years)
    log = progress or (lambda _line: None)
    t0 = time.perf_counter()
    kernel = compile_counts(prepared) if fast else None
    hh = prepared.households
    years, per_year = np.unique(
        hh.loc[~hh[IO.PERPETUAL].to_numpy(dtype=bool), TESTED_YEAR].to_numpy(dtype="int64"), return_counts=True
    )
    rows = []
    with heartbeat(log, "sweeping start years") if progress else _null():
        current = None
        for i, (name, s) in enumerate(plan, start=1):
            sc = scenarios[name]
            if name != current:
                log(f"sweep: {name} ({i}/{len(plan)} runs, {time.perf_counter() - t0:.1f} s)")
                current = name
            if kernel is not None:
                c = fast_counts(kernel, scenario=sc, start_year=s, wealth_grows=wealth_grows, netting=netting)
            else:
                c = counts(outcomes(prepared, scenario=sc, start_year=s, wealth_grows=wealth_grows, netting=netting))
            floor = floor_count(years, sc, s, counts=per_year) if s is not None and sc.floor_years > 0 else None
            rows.append({IO.SCENARIO: name, IO.START_YEAR: s, **c, AT_FLOOR: floor})
    log(f"sweep: {len(plan)} runs in {time.perf_counter() - t0:.1f} s")
    frame = pd.DataFrame(rows, columns=[IO.SCENARIO, IO.START_YEAR, *COUNT_COLUMNS, AT_FLOOR])
    frame[IO.START_YEAR] = pd.array(frame[IO.START_YEAR], dtype="Int64")
    frame[AT_FLOOR] = pd.array(frame[AT_FLOOR], dtype="Int64")
    frame[WORST] = mark_worst(frame, worst_by=worst_by, timed_by={n: sc.timed_by for n, sc in scenarios.items()})
    return frame


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def worst_start_years(sweep_frame: pd.DataFrame) -> dict[str, int]:
    """The start year marked ``worst`` per shock scenario of a :func:`sweep` result.

    Parameters
    ----------
    sweep_frame : pandas.DataFrame
        From :func:`sweep`.

    Returns
    -------
    dict
        Scenario name -> start year.

    Raises
    ------
    ValueError
        A shock scenario with no or several rows marked ``worst``.
    """
    out: dict[str, int] = {}
    shock = sweep_frame[sweep_frame[IO.START_YEAR].notna()]
    for name, g in shock.groupby(IO.SCENARIO, sort=False):
        hit = g.loc[g[WORST].to_numpy(dtype=bool), IO.START_YEAR]
        if len(hit) != 1:
            raise ValueError(f"sweep frame: scenario {name!r} has {len(hit)} rows marked '{WORST}', expected 1")
        out[str(name)] = int(hit.iloc[0])
    return out
