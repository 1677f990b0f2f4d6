"""The codebook of the built data: what an attacker knows of the populations every release speaks of.

Releases of ``cohorts reproduce`` and ``cohorts analyze`` count mortgages of
the cohort table and the stock.  :data:`UNIVERSE` describes them for the
audit (:mod:`cohorts.disclosure.audit`):

dimensions
    ``year`` (cohort; for the stock the snapshot year), ``new`` (a new
    mortgage of that year's cohort, or an older mortgage of the stock of that
    year: the cohort of a year is part of the stock of that year, with the same
    NHG and arrears flags), ``starter``, ``io`` (interest-only amount > 0),
    ``lti`` and ``ltv`` (utilisation of the norm, numeric);
families
    ``units``; the properties ``nhg``, ``cc`` (consumer credit), ``zzp``,
    ``student`` (student debt), ``wlt`` (Tabel 1, the build's reading of Box 1)
    and ``wlt[toetsrente]``, ``wlt[contract]`` (each reading, Table S1),
    ``high[2013]``, ``high[2014]``, ``high[2015]`` (LTI utilisation above 100%
    when that year's table stands in, for the 2016 and 2017 cohorts only,
    Table S2); the survival follow-up
    ``at_risk[t]``, ``events[t]`` (first arrears in the t-th year; ``events[1]``
    is also "in arrears at the snapshot" for the stock) and ``censored[t]``
    (leaving follow-up at t without arrears) for t = 1..7, ``exits[t]`` (of
    them, leaving the data before its end: the competing event),
    ``events_total`` (first arrears at any time); ``income_obs[k]``
    (households with income growth k years after origination, Figure 6).

:func:`units_frame` gives the gate the same units from the data, as a witness
of the attacker's programme (it never enters a released number);
:func:`read_curve_points` and :func:`read_analysis` read the survival tables
of a release.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.norms.sensitivity import (
    STANDIN_TABLES,
    STANDIN_YEARS,
    standin_lti_util,
    wlt_possible_under,
)
from cohorts.norms.wlt import WLT_READINGS
from cohorts.disclosure import readers as R
from cohorts.disclosure.survival import CurveView
from cohorts.disclosure.facts import (
    UNITS,
    Chain,
    Dim,
    Family,
    Interval,
    Population,
    Reading,
    Fact,
    Source,
    Term,
    Universe,
    combine,
    population,
)

#: The follow-up times of the survival chain (1 = the origination year; the 2012 cohort is seen 7 times).
TIMES: tuple[int, ...] = tuple(range(1, C.LAST_SNAPSHOT - C.FIRST_SNAPSHOT + 2))
#: Years since origination of Figure 6.
GROWTH_YEARS: tuple[int, ...] = tuple(range(0, 7))


def at_risk(t: int) -> str:
    """The family of the number at risk at time ``t``."""
    return f"at_risk[{t}]"


def events(t: int) -> str:
    """The family of first arrears at time ``t``."""
    return f"events[{t}]"


def income_obs(k: int) -> str:
    """The family of households with an income-growth value ``k`` years after origination."""
    return f"income_obs[{k}]"


def _new(p: Mapping[str, np.ndarray]) -> np.ndarray:
    return p["new"].astype(bool)


def _followed(t: int):
    def exists(p: Mapping[str, np.ndarray]) -> np.ndarray:
        return _new(p) & (p["year"].astype(np.int64) + t - 1 <= C.LAST_SNAPSHOT)
    return exists


def censored(t: int) -> str:
    """The family of mortgages leaving follow-up at time ``t`` without arrears."""
    return f"censored[{t}]"


def exits(t: int) -> str:
    """The family of mortgages leaving the data at time ``t`` before its end (the competing event)."""
    return f"exits[{t}]"


def wlt_family(reading: str) -> str:
    """The family of ``wlt_possible`` under a reading of Box 1 (Table S1's rows not as built)."""
    return f"wlt[{reading}]"


def standin_family(table_year: int | str) -> str:
    """The family of "high when ``table_year``'s table stands in" (Table S2's rows not as built)."""
    return f"high[{int(table_year)}]"


def _standin_cohort(p: Mapping[str, np.ndarray]) -> np.ndarray:
    return _new(p) & np.isin(p["year"].astype(np.int64), np.asarray(STANDIN_YEARS, dtype=np.int64))


def _universe(*, analysis: bool = False) -> Universe:
    """The report's universe, or (``analysis``) that of ``cohorts analyze``: new mortgages with censorings."""
    fams = [Family(UNITS, parent=None)]
    if not analysis:
        fams += [Family("nhg")]
        fams += [Family(name, exists=_new) for name in ("cc", "zzp", "student", "wlt")]
        fams += [Family(wlt_family(r), exists=_new) for r in WLT_READINGS]
        fams += [Family(standin_family(y), exists=_standin_cohort) for y in STANDIN_TABLES]
        fams += [Family(income_obs(k), exists=_new) for k in GROWTH_YEARS]
    fams += [Family("events_total", exists=_new)]
    fams += [Family(at_risk(t), exists=_followed(t)) for t in TIMES]
    # first arrears in the origination year are also "in arrears at the snapshot" of the stock
    fams += [Family(events(t), exists=None if (t == 1 and not analysis) else _followed(t)) for t in TIMES]
    if analysis:
        fams += [Family(censored(t), exists=_followed(t)) for t in TIMES]
        fams += [Family(exits(t), parent=censored(t), exists=_followed(t)) for t in TIMES]
    chain = Chain(at_risk=tuple(at_risk(t) for t in TIMES), events=tuple(events(t) for t in TIMES),
                  total="events_total", censored=tuple(censored(t) for t in TIMES) if analysis else None)
    dims = (Dim("year", values=tuple(C.COHORT_YEARS)), Dim("new", values=(True, False)),
            Dim("starter", values=(True, False)), Dim("io", values=(True, False)),
            Dim("lti", numeric=True), Dim("ltv", numeric=True))
    return Universe("analysis" if analysis else "report", dims, tuple(fams), (chain,))


#: The universe of the report's release.
UNIVERSE: Universe = _universe()
#: The universe of ``cohorts analyze``'s release.
ANALYSIS_UNIVERSE: Universe = _universe(analysis=True)
UNIVERSES: Mapping[str, Universe] = MappingProxyType({UNIVERSE.name: UNIVERSE,
                                                      ANALYSIS_UNIVERSE.name: ANALYSIS_UNIVERSE})


# --------------------------------------------------------------------------
# populations
# --------------------------------------------------------------------------
def group_population(group: str, year: object, *, threshold: float = 1.0) -> Population | None:
    """The population of a table's group (:data:`cohorts.studies.high_mortgages.tables.POPULATIONS`, ``stock``) in a year.

    ``year`` may be a cohort year, or ``"all"``/None for every cohort.
    """
    years = None if year in (None, "all") else int(year)
    if group == "stock":
        return population(year=years)
    spec: dict[str, object] = {"new": True, "year": years}
    if group.startswith("starters"):
        spec["starter"] = True
    if group == "non_starters":
        spec["starter"] = False
    if "high" in group:
        spec["lti"] = Interval.above(threshold)
    if group.endswith("within_norm"):
        spec["lti"] = Interval.at_most(threshold)
    if group.endswith("_io"):
        spec["io"] = True
    if group not in ("new", "new_high", "starters", "starters_high", "within_norm", "starters_within_norm",
                     "non_starters", "new_io", "new_high_io", "starters_high_io"):
        raise ValueError(f"no population for group {group!r}")
    if group == "new_io":
        spec["io"] = True
    return population(**spec)


def curve_population(row: pd.Series) -> Population:
    """The population of a curve of the sweep or by-cohort frames (threshold, population, group; view, cohort)."""
    pop = str(row["population"])
    t = float(row["threshold"])
    spec: dict[str, object] = {"new": True}
    if pop == "starters":
        spec["starter"] = True
    elif pop != "all":
        raise ValueError(f"no population {pop!r} in a curve table")
    spec["lti"] = Interval.above(t) if str(row["group"]) in ("above", "high") else Interval.at_most(t)
    view = str(row.get("view", "pooled"))
    coh = str(row.get("cohort", "all"))
    if view == "cohort":
        spec["year"] = int(coh)
    elif view == "leave_one_out":
        spec["year"] = tuple(y for y in C.COHORT_YEARS if y != int(coh))
    return population(**spec)


def read_curve_points(frame: pd.DataFrame, *, artefact: str) -> Reading:
    """Sweep and by-cohort frames: per curve ``n`` and ``events`` (first arrears at any time), and the curve."""
    by = [c for c in ("view", "cohort", "threshold", "population", "group") if c in frame.columns]
    per_curve = frame.drop_duplicates(by)
    counts = R.count_cells(per_curve, artefact=artefact, keys=by, population=curve_population,
                           columns=[("n", UNITS), ("events", "events_total")])
    curves = R.survival_curves(frame, artefact=artefact, by=by, population=curve_population,
                               at_risk_family=at_risk, events_family=events, survival=None, cum_inc="km_cum_inc")
    return counts + curves


# --------------------------------------------------------------------------
# the units, for the gate's witness
# --------------------------------------------------------------------------
def units_frame(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per unit of :data:`UNIVERSE` with its dimensions and its count in each family.

    The new mortgages come from the cohort table, the older mortgages of each
    snapshot from the stock (its rows that are not the cohort of that year).
    The gate uses this only as a *witness* (a feasible solution of the
    attacker's programme, which speeds the audit up and is checked against
    every released fact); it never enters a released number.
    """
    coh, stock, panel = frames["cohorts"], frames["stock"], frames.get("panel")
    n = len(coh)
    dur = coh[C.DURATION].to_numpy(dtype="int64")
    ev = coh[C.EVENT].to_numpy(dtype=bool)
    new = pd.DataFrame({
        "year": coh[C.COHORT].to_numpy(dtype="int64"),
        "new": True,
        "starter": coh[C.STARTER].to_numpy(dtype=bool),
        "io": coh[C.INTEREST_ONLY_AMOUNT].to_numpy(dtype="float64") > 0,
        "lti": coh[C.LTI_UTIL].to_numpy(dtype="float64"),
        "ltv": coh[C.LTV_UTIL].to_numpy(dtype="float64"),
        UNITS: np.ones(n),
        "nhg": coh[C.NHG].to_numpy(dtype=bool).astype(float),
        "cc": (coh[C.CONSUMER_CREDIT].to_numpy(dtype="float64") > 0).astype(float),
        "zzp": coh[C.ZZP].to_numpy(dtype=bool).astype(float),
        "student": (coh[C.STUDENT_DEBT].to_numpy(dtype="float64") > 0).astype(float),
        "wlt": coh["wlt_possible"].to_numpy(dtype=bool).astype(float),
        "events_total": ev.astype(float),
    })
    for t in TIMES:
        new[at_risk(t)] = (dur >= t).astype(float)
        new[events(t)] = (ev & (dur == t)).astype(float)
    _sensitivity_families(new, coh)
    if panel is not None:
        obs = _income_observed(panel)
        pos = pd.Index(coh[C.LOAN_ID]).get_indexer(obs.index)
        for k in GROWTH_YEARS:
            col = np.zeros(n)
            hit = pos >= 0
            col[pos[hit]] = obs[k].to_numpy(dtype=float)[hit]
            new[income_obs(k)] = col
    key_new = pd.MultiIndex.from_arrays([coh[C.LOAN_ID].to_numpy(), coh[C.COHORT].to_numpy(dtype="int64")])
    key_stock = pd.MultiIndex.from_arrays([stock[C.LOAN_ID].to_numpy(),
                                           stock[C.SNAPSHOT_YEAR].to_numpy(dtype="int64")])
    older = ~key_stock.isin(key_new) & stock[C.SNAPSHOT_YEAR].isin(C.COHORT_YEARS).to_numpy()
    old_rows = stock.loc[older]
    old = pd.DataFrame({
        "year": old_rows[C.SNAPSHOT_YEAR].to_numpy(dtype="int64"), "new": False, "starter": False, "io": False,
        "lti": 0.0, "ltv": 0.0, UNITS: 1.0,
        "nhg": old_rows[C.NHG].to_numpy(dtype=bool).astype(float),
        events(1): old_rows[C.ARREARS].to_numpy(dtype=bool).astype(float),
    })
    return pd.concat([new, old], ignore_index=True).fillna(0.0)


def _sensitivity_families(new: pd.DataFrame, coh: pd.DataFrame) -> None:
    """Add the families of Tables S1 and S2 to the witness's new mortgages (when the norm's columns are there)."""
    try:
        for r in WLT_READINGS:
            new[wlt_family(r)] = wlt_possible_under(coh, wlt_reading=r).astype(float)
        in_years = np.isin(coh[C.COHORT].to_numpy(dtype="int64"), np.asarray(STANDIN_YEARS, dtype="int64"))
        for y in STANDIN_TABLES:
            lti = standin_lti_util(coh, table_year=y, columns={"year": C.COHORT})
            new[standin_family(y)] = (in_years & (np.nan_to_num(lti, nan=0.0) > 1.0)).astype(float)
    except ValueError:  # a frame without the norm's columns: no S1/S2 can be released from it either
        for name in [*(wlt_family(r) for r in WLT_READINGS), *(standin_family(y) for y in STANDIN_TABLES)]:
            new.pop(name, None)


def _income_observed(panel: pd.DataFrame) -> pd.DataFrame:
    """Per loan and k: whether it has an income-growth value k years after origination (Figure 6's rule)."""
    base = panel.loc[panel[C.YEARS_SINCE_ORIGINATION] == 0, [C.LOAN_ID, C.HOUSEHOLD_INCOME]]
    base = base.loc[base[C.HOUSEHOLD_INCOME] > 0, [C.LOAN_ID]]
    p = panel.loc[panel[C.HOUSEHOLD_INCOME].notna() & panel[C.LOAN_ID].isin(base[C.LOAN_ID])
                  & panel[C.YEARS_SINCE_ORIGINATION].isin(GROWTH_YEARS), [C.LOAN_ID, C.YEARS_SINCE_ORIGINATION]]
    loans = pd.Index(pd.unique(p[C.LOAN_ID]))
    column = {k: j for j, k in enumerate(GROWTH_YEARS)}
    seen = np.zeros((len(loans), len(GROWTH_YEARS)))
    seen[loans.get_indexer(p[C.LOAN_ID]), p[C.YEARS_SINCE_ORIGINATION].map(column).to_numpy(dtype="int64")] = 1.0
    return pd.DataFrame(seen, index=loans, columns=list(GROWTH_YEARS))


# --------------------------------------------------------------------------
# cohorts analyze
# --------------------------------------------------------------------------
def _analysis_population(row: pd.Series, *, threshold: float) -> Population:
    spec: dict[str, object] = {"new": True}
    pop = str(row["population"])
    if pop == "starters":
        spec["starter"] = True
    elif pop != "all":
        raise ValueError(f"no population {pop!r} in the survival tables")
    if "group" in row.index:
        high = str(row["group"]) in ("high", "above")
        spec["lti"] = Interval.above(threshold) if high else Interval.at_most(threshold)
    return population(**spec)


def analysis_curve_views(*, threshold: float = 1.0) -> dict[str, CurveView]:
    """The survival frames of ``cohorts analyze`` for :func:`cohorts.disclosure.survival.point_decisions`.

    ``km.csv`` releases curves step by step; ``sweep.csv`` and ``by_cohort.csv``
    release points (at the analysis threshold, the sweep follows ``km.csv``'s
    populations).
    """
    return {"km.csv": CurveView(("population", "group"),
                                lambda row: _analysis_population(row, threshold=threshold), "surv"),
            "sweep.csv": CurveView(("threshold", "population", "group"), curve_population, "km_cum_inc"),
            "by_cohort.csv": CurveView(("view", "cohort", "threshold", "population", "group"), curve_population,
                                       "km_cum_inc")}


def read_analysis(frames: Mapping[str, pd.DataFrame], *, threshold: float = 1.0) -> dict[str, Reading]:
    """The tables of ``cohorts analyze`` (file name -> frame as published) as facts of :data:`ANALYSIS_UNIVERSE`."""
    def pop(row: pd.Series) -> Population:
        return _analysis_population(row, threshold=threshold)

    def whole(row: pd.Series) -> Population:
        return _analysis_population(row.drop(labels=["group"], errors="ignore"), threshold=threshold)

    readings = []
    for name, frame in frames.items():
        stem = name.removesuffix(".csv")
        if stem == "km":
            readings.append(R.survival_curves(frame, artefact=name, by=("population", "group"), population=pop,
                                              at_risk_family=at_risk, events_family=events, survival="surv"))
            readings.append(R.run_sums(frame, artefact=name, by=("population", "group"), population=pop,
                                       columns=[("n_events", lambda t: [(events(t), 1.0)]),
                                                ("n_censored", lambda t: [(censored(t), 1.0)])]))
        elif stem == "cif":
            readings.append(R.count_cells(frame, artefact=name, keys=("population", "group", "time"), population=pop,
                                          columns=[("n_at_risk", lambda row: at_risk(int(row["time"])))]))
            readings.append(R.run_sums(frame, artefact=name, by=("population", "group"), population=pop,
                                       columns=[("n_events", lambda t: [(events(t), 1.0)]),
                                                ("n_competing", lambda t: [(exits(t), 1.0)]),
                                                ("n_censored", lambda t: [(censored(t), 1.0), (exits(t), -1.0)])]))
        elif stem == "logrank":
            readings.append(R.count_cells(frame, artefact=name, keys=("population", "group"), population=pop,
                                          columns=[("n", UNITS), ("observed", "events_total")]))
        elif stem == "cox":
            readings.append(R.model_counts(frame, artefact=name, keys=("population", "model"), population=whole))
        elif stem == "discrete":
            readings.append(_person_periods(frame, artefact=name, population=whole))
        elif stem in ("sweep", "by_cohort"):
            readings.append(read_curve_points(frame, artefact=name))
    return {ANALYSIS_UNIVERSE.name: combine(readings)}


def _person_periods(frame: pd.DataFrame, *, artefact: str, population) -> Reading:
    """``discrete.csv``: ``n`` units and ``n_person_periods`` (the numbers at risk summed over the times)."""
    facts = []
    if "n_person_periods" not in frame.columns:
        return Reading()
    base = frame.drop_duplicates(["population"])
    for _, row in base.iterrows():
        n, pp = R.numeric(row.to_frame().T, "n")[0], R.numeric(row.to_frame().T, "n_person_periods")[0]
        p = population(row)
        label = f"population={row['population']}"
        if np.isfinite(n):
            facts.append(Fact((Term(UNITS, p),), float(n), Source(artefact, label, "n")))
        if np.isfinite(pp):
            facts.append(Fact(tuple(Term(at_risk(t), p) for t in TIMES), float(pp),
                              Source(artefact, label, "n_person_periods")))
    return Reading(tuple(facts), ())


def analysis_units(cohorts: pd.DataFrame) -> pd.DataFrame:
    """One row per new mortgage with its dimensions and counts in :data:`ANALYSIS_UNIVERSE` (the witness)."""
    n = len(cohorts)
    dur = cohorts[C.DURATION].to_numpy(dtype="int64")
    ev = cohorts[C.EVENT].to_numpy(dtype=bool)
    left = cohorts[C.EXIT_TYPE].astype(str).to_numpy() == C.EXIT_LEFT
    out = pd.DataFrame({
        "year": cohorts[C.COHORT].to_numpy(dtype="int64"), "new": True,
        "starter": cohorts[C.STARTER].to_numpy(dtype=bool),
        "io": np.zeros(n, dtype=bool),
        "lti": cohorts[C.LTI_UTIL].to_numpy(dtype="float64"), "ltv": 0.0,
        UNITS: np.ones(n), "events_total": ev.astype(float),
    })
    for t in TIMES:
        out[at_risk(t)] = (dur >= t).astype(float)
        out[events(t)] = (ev & (dur == t)).astype(float)
        out[censored(t)] = (~ev & (dur == t)).astype(float)
        out[exits(t)] = (left & (dur == t)).astype(float)
    return out
