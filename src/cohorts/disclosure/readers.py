"""Reading released frames as an attacker does: which counts each published number states or implies.

Each reader takes a frame *as published* (suppressed cells missing or the
marker, as in the released CSV) and returns a
:class:`~cohorts.disclosure.facts.Reading`: the linear facts it states and
the hidden cells it shows.  What a column means (which population a row
counts, which family a share is of) is the documentation of the release,
passed in as small functions by the study (:mod:`cohorts.report.release`).

Conventions, as the toolkit writes them:

* a count column states ``count = value``;
* a share in percent with its count column states
  ``count(property) = round(share x n / 100)``; with the count hidden, the
  ratio itself is a linear fact (``count(property) - share/100 x
  count(population) = 0``), so a hidden ``n`` beside a visible share still
  tells something;
* a share of a partition (cells adding up to a total) also states the
  total: ``total = 100 n / share``;
* a survival curve states its numbers at risk, and each released step states
  the events since the previous released step:
  ``D = N_start x (1 - S_step / S_previous)`` with ``N_start`` the number at
  risk at the first time of that run, which is exact for the toolkit's
  released curves (a pooled run is estimated as one step; see
  :func:`cohorts.disclosure.survival.release_curve`).  A curve point whose
  earlier times are not listed (a single horizon) is a product of unknown
  factors and states nothing linear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cohorts.disclosure.facts import (
    UNITS,
    Fact,
    Population,
    Reading,
    Source,
    Target,
    Term,
    count_fact,
    ratio_fact,
)

PopulationOf = Callable[[pd.Series], Population | None]


def numeric(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A released column as floats: the marker and empty cells become NaN."""
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")


def cell_label(row: pd.Series, keys: Sequence[str]) -> str:
    """``k1=v1; k2=v2`` of a row's key columns."""
    return "; ".join(f"{k}={row[k]}" for k in keys) if keys else "all"


def _count(x: float) -> float:
    return float(round(x))


def share_cells(
    frame: pd.DataFrame,
    *,
    artefact: str,
    keys: Sequence[str],
    population: PopulationOf,
    family: str | Callable[[pd.Series], str],
    property_population: PopulationOf | None = None,
    n_family: str | Callable[[pd.Series], str] = UNITS,
    n: str = "n",
    value: str = "value",
) -> Reading:
    """Rows of shares (percent) of a property among ``n`` units of a population.

    Parameters
    ----------
    population : callable
        Row -> the population the row's ``n`` counts (None: the row states nothing).
    family : str or callable
        Family of the property's count (e.g. ``"nhg"``); with
        ``property_population``, the property is a population instead
        (e.g. interest-only mortgages: ``units`` of ``population & io``).
    n_family : str or callable
        Family of ``n`` (``units``; ``cc`` for a mean among consumer-credit holders).
    """
    facts: list[Fact] = []
    targets: list[Target] = []
    nn, vv = numeric(frame, n), numeric(frame, value)
    for i, (_, row) in enumerate(frame.iterrows()):
        pop = population(row)
        if pop is None:
            continue
        label = cell_label(row, keys)
        fam = family(row) if callable(family) else family
        nfam = n_family(row) if callable(n_family) else n_family
        if property_population is not None:
            prop = (UNITS, property_population(row))
        else:
            prop = (fam, pop)
        base = (nfam, pop)
        src_n = Source(artefact, label, n)
        src_v = Source(artefact, label, value)
        if np.isfinite(nn[i]):
            facts.append(count_fact(base[0], base[1], nn[i], src_n))
        else:
            targets.append(Target((Term(*base),), src_n))
        if np.isfinite(vv[i]):
            if np.isfinite(nn[i]):
                facts.append(count_fact(prop[0], prop[1], _count(vv[i] * nn[i] / 100.0), src_v))
            else:
                facts.append(ratio_fact(prop[0], prop[1], base, vv[i] / 100.0, src_v))
        else:
            targets.append(Target((Term(*prop),), src_v))
            targets.append(Target((Term(*base), Term(prop[0], prop[1], -1.0)), src_v, kind="complement"))
    return Reading(tuple(facts), tuple(targets))


def count_cells(
    frame: pd.DataFrame,
    *,
    artefact: str,
    keys: Sequence[str],
    population: PopulationOf,
    columns: Sequence[tuple[str, str | Callable[[pd.Series], str]]],
) -> Reading:
    """Rows of plain counts: ``columns`` lists (column, family) pairs counted over the row's population."""
    facts: list[Fact] = []
    targets: list[Target] = []
    arrays = {c: numeric(frame, c) for c, _ in columns}
    for i, (_, row) in enumerate(frame.iterrows()):
        pop = population(row)
        if pop is None:
            continue
        label = cell_label(row, keys)
        for col, fam in columns:
            f = fam(row) if callable(fam) else fam
            src = Source(artefact, label, col)
            if np.isfinite(arrays[col][i]):
                facts.append(count_fact(f, pop, arrays[col][i], src))
            else:
                targets.append(Target((Term(f, pop),), src))
    return Reading(tuple(facts), tuple(targets))


def partition_shares(
    frame: pd.DataFrame,
    *,
    artefact: str,
    keys: Sequence[str],
    population: PopulationOf,
    total: PopulationOf,
    n: str = "n",
    share: str = "share",
) -> Reading:
    """Cells of a partition: each row's ``n`` units and its ``share`` (percent) of the partition's total.

    A released share with its ``n`` also states the total (``100 n / share``);
    a released share with a hidden ``n`` is a ratio fact.
    """
    facts: list[Fact] = []
    targets: list[Target] = []
    nn, ss = numeric(frame, n), numeric(frame, share)
    for i, (_, row) in enumerate(frame.iterrows()):
        pop, tot = population(row), total(row)
        if pop is None:
            continue
        label = cell_label(row, keys)
        src_n, src_s = Source(artefact, label, n), Source(artefact, label, share)
        if np.isfinite(nn[i]):
            facts.append(count_fact(UNITS, pop, nn[i], src_n))
            if np.isfinite(ss[i]) and ss[i] > 0:
                facts.append(count_fact(UNITS, tot, _count(100.0 * nn[i] / ss[i]), src_s))
        else:
            targets.append(Target((Term(UNITS, pop),), src_n))
            if np.isfinite(ss[i]):
                facts.append(ratio_fact(UNITS, pop, (UNITS, tot), ss[i] / 100.0, src_s))
    return Reading(tuple(facts), tuple(targets))


def survival_curves(
    frame: pd.DataFrame,
    *,
    artefact: str,
    by: Sequence[str],
    population: PopulationOf,
    at_risk_family: Callable[[int], str],
    events_family: Callable[[int], str],
    survival: str | None = "surv",
    cum_inc: str | None = None,
    at_risk: str = "n_at_risk",
    time: str = "time",
) -> Reading:
    """Released survival curves: numbers at risk, and the events of each released step (module docstring).

    Parameters
    ----------
    by : sequence of str
        Columns naming a curve.
    population : callable
        A curve's first row -> the population it follows.
    at_risk_family, events_family : callable
        Integer time -> family name (``at_risk[t]``, ``events[t]``).
    survival, cum_inc : str
        The estimate column (survival, or cumulative incidence = 1 - S).
    """
    facts: list[Fact] = []
    targets: list[Target] = []
    groups = frame.groupby(list(by), sort=False, dropna=False) if by else [((), frame)]
    for _, sub in groups:
        sub = sub.sort_values(time, kind="stable")
        first = sub.iloc[0]
        pop = population(first)
        if pop is None:
            continue
        times = sub[time].to_numpy(dtype="float64")
        n_risk = numeric(sub, at_risk)
        s = numeric(sub, survival) if survival is not None else 1.0 - numeric(sub, cum_inc)
        curve = cell_label(first, by)
        listed = {int(t) for t in times}
        # the run since the previous released step starts at time 1 (S = 1) if every earlier time is listed
        s_prev, run_start = 1.0, 1
        for j, t in enumerate(times):
            ti = int(t)
            label = f"{curve}; time={t:g}"
            if np.isfinite(n_risk[j]):
                facts.append(count_fact(at_risk_family(ti), pop, n_risk[j], Source(artefact, label, at_risk,
                                                                                     "at_risk")))
            else:
                targets.append(Target((Term(at_risk_family(ti), pop),), Source(artefact, label, at_risk, "at_risk")))
            if not np.isfinite(s[j]):
                targets.append(Target((Term(events_family(ti), pop),), Source(artefact, label, "events", "pool")))
                continue
            run = range(run_start, ti + 1)
            if run_start >= 1 and all(k in listed for k in run) and s_prev > 0:
                k0 = int(np.flatnonzero(times == run_start)[0])
                terms = tuple(Term(events_family(k), pop) for k in run)
                src = Source(artefact, label, "events since the previous shown step", "pool")
                ratio = 1.0 - s[j] / s_prev
                if np.isfinite(n_risk[k0]):
                    facts.append(Fact(terms, _count(n_risk[k0] * ratio), src))
                else:
                    facts.append(Fact((*terms, Term(at_risk_family(run_start), pop, -ratio)), 0.0, src))
            s_prev, run_start = s[j], ti + 1
    return Reading(tuple(facts), tuple(targets))


def model_counts(
    frame: pd.DataFrame,
    *,
    artefact: str,
    keys: Sequence[str],
    population: PopulationOf,
    n: str = "n",
    events: str = "n_events",
    events_family: str = "events_total",
) -> Reading:
    """A model's ``n`` and ``n_events`` (the same on every coefficient row): two counts per model."""
    cols = [c for c in keys if c in frame.columns]
    base = frame.drop_duplicates(cols) if cols else frame.head(1)
    return count_cells(base, artefact=artefact, keys=cols, population=population,
                       columns=[(n, UNITS), (events, events_family)])


def run_sums(
    frame: pd.DataFrame,
    *,
    artefact: str,
    by: Sequence[str],
    population: PopulationOf,
    columns: Sequence[tuple[str, Callable[[int], Sequence[tuple[str, float]]]]],
    time: str = "time",
) -> Reading:
    """Counts released per step of a curve as the sum over the run since the previous released step.

    ``columns`` pairs a column with ``terms(t) -> [(family, coef), ...]``: the
    families whose counts at time ``t`` the column adds up (e.g. ``n_censored``
    of ``cif.csv``: censored minus competing exits).  A row whose count is
    missing (pooled or cut) extends the run.
    """
    facts: list[Fact] = []
    groups = frame.groupby(list(by), sort=False, dropna=False) if by else [((), frame)]
    for _, sub in groups:
        sub = sub.sort_values(time, kind="stable")
        pop = population(sub.iloc[0])
        if pop is None:
            continue
        curve = cell_label(sub.iloc[0], by)
        times = sub[time].to_numpy(dtype="float64")
        for col, terms_of in columns:
            vals = numeric(sub, col)
            start = 0
            for j, t in enumerate(times):
                if not np.isfinite(vals[j]):
                    continue
                run = [int(x) for x in times[start:j + 1]]
                terms = tuple(Term(f, pop, c) for k in run for f, c in terms_of(k))
                facts.append(Fact(terms, vals[j], Source(artefact, f"{curve}; time={t:g}", col, "pool")))
                start = j + 1
    return Reading(tuple(facts), ())
