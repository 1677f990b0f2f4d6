"""The codebook of the report's release: which population and which count every published number speaks of.

This is what an attacker learns from the documentation (README, the
captions, ``docs/disclosure.md``): Tabel B3 counts the new mortgages of a
cohort by group, Tabel 2's shares are of NHG among the same units, Figure 2
splits each cohort into LTI x LTV quadrants, Figure 9 follows the starters
within and above the norm, and so on.  :func:`read_release` turns the
released frames into the facts of :mod:`cohorts.disclosure.facts`, over one
universe (:data:`cohorts.codebook.UNIVERSE`, whose docstring lists its
dimensions and families).

The same reader serves the gate (on the frames about to be written) and the
attacker of the test suite (on the files written); the readers themselves
are the generic ones of :mod:`cohorts.disclosure.readers`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from cohorts.classify import DEFAULT_EDGES, category_labels
from cohorts.disclosure import readers as R
from cohorts.codebook import (
    UNIVERSE,
    at_risk,
    events,
    group_population,
    income_obs,
    curve_population,
    read_curve_points,
    standin_family,
    wlt_family,
)
from cohorts.disclosure.survival import CurveView
from cohorts.disclosure.facts import UNITS, Interval, Population, Reading, combine, population

def _category_intervals(edges=DEFAULT_EDGES) -> dict[str, Interval]:
    labels = category_labels(edges)
    out = {labels[0]: Interval.at_most(edges[0])}
    for i in range(1, len(edges)):
        out[labels[i]] = Interval(low=edges[i - 1], high=edges[i], low_closed=False, high_closed=True)
    out[labels[-1]] = Interval.above(edges[-1])
    return out


#: Quadrant figures: data stem -> (cut, strict, population), as drawn (see :mod:`cohorts.studies.high_mortgages.exports`).
QUADRANT_FIGURES: Mapping[str, tuple[float, bool, str]] = MappingProxyType({
    "figure_2_data": (1.0, True, "new"),
    "figure_3_data": (0.9, False, "new"),
    "figure_b1_data": (1.0, True, "starters"),
    "figure_b2_data": (0.9, False, "starters"),
})


def _side(cut: float, strict: bool, above: bool) -> Interval:
    if above:
        return Interval.above(cut) if strict else Interval.at_least(cut)
    return Interval.at_most(cut) if strict else Interval.below(cut)


def quadrant_population(quadrant: str, year: object, *, cut: float, strict: bool, group: str) -> Population:
    """Q1 within both, Q2 LTV above only, Q3 LTI above only, Q4 both above (:func:`cohorts.classify.quadrant`)."""
    lti_above = quadrant in ("Q3", "Q4")
    ltv_above = quadrant in ("Q2", "Q4")
    spec: dict[str, object] = {"new": True, "year": int(year), "lti": _side(cut, strict, lti_above),
                               "ltv": _side(cut, strict, ltv_above)}
    if group == "starters":
        spec["starter"] = True
    return population(**spec)


# --------------------------------------------------------------------------
# the artefacts
# --------------------------------------------------------------------------
#: Tabel id -> family of the share (None: a table of means, medians or counts).
SHARE_FAMILY: Mapping[str, str | None] = MappingProxyType({
    "T1": "wlt", "T2": "nhg", "T3": "cc", "T4": "zzp", "T5": events(1), "B6": "student", "F5": None,
})
MAGNITUDE_TABLES: tuple[str, ...] = ("B1", "B2", "B4", "B5", "B7", "B8", "F4")


def read_table(tid: str, frame: pd.DataFrame, *, artefact: str, threshold: float = 1.0,
               table_5_window: str = "first_year") -> Reading:
    """A tidy report table (``table, group, cohort, statistic, unit, n, value``) as published."""
    def pop(row: pd.Series) -> Population | None:
        return group_population(str(row["group"]), row["cohort"], threshold=threshold)

    keys = ("group", "cohort")
    if tid in ("S1", "S2"):
        return read_sensitivity(tid, frame, artefact=artefact, threshold=threshold)
    if tid == "B3":
        return R.count_cells(frame, artefact=artefact, keys=keys, population=pop,
                             columns=[("n", UNITS), ("value", UNITS)])
    if tid == "F5":
        def io_pop(row: pd.Series) -> Population:
            base = pop(row)
            return Population(tuple(sorted((*base.items, ("io", frozenset([True]))))))
        return R.share_cells(frame, artefact=artefact, keys=keys, population=pop, family=UNITS,
                             property_population=io_pop)
    if tid in SHARE_FAMILY:
        fam = SHARE_FAMILY[tid]
        if tid == "T5":
            def fam_of(row: pd.Series) -> str:
                return events(1) if row["group"] == "stock" or table_5_window == "first_year" else "events_total"
            return R.share_cells(frame, artefact=artefact, keys=keys, population=pop, family=fam_of)
        return R.share_cells(frame, artefact=artefact, keys=keys, population=pop, family=fam)
    if tid == "B4":
        return R.count_cells(frame, artefact=artefact, keys=keys, population=pop, columns=[("n", "cc")])
    if tid in MAGNITUDE_TABLES:
        return R.count_cells(frame, artefact=artefact, keys=keys, population=pop, columns=[("n", UNITS)])
    raise ValueError(f"no reader for table {tid!r}")


def _as_built(row: pd.Series) -> bool:
    return str(row["as_built"]).strip().lower() == "true"


def read_sensitivity(tid: str, frame: pd.DataFrame, *, artefact: str, threshold: float = 1.0) -> Reading:
    """Table S1 or S2 (:mod:`cohorts.studies.high_mortgages.sensitivity_tables`) as published.

    S1: a reading's row is a share of ``wlt`` (Tabel 1's family) where it is
    ``as_built``, else of ``wlt[<reading>]``, among Tabel 1's population; the
    published rows are the report's numbers and state nothing about the data.
    S2: among all new mortgages or starters of a cohort, the as-built row is
    the share with LTI utilisation above 100% (the population ``lti > 1``),
    the others shares of ``high[<table year>]``.
    """
    keys = ("group", "cohort", "variant")

    def pop(row: pd.Series) -> Population | None:
        if str(row["variant"]) == "published":
            return None
        return group_population(str(row["group"]), row["cohort"], threshold=threshold)

    if tid == "S1":
        def fam(row: pd.Series) -> str:
            return "wlt" if _as_built(row) else wlt_family(str(row["variant"]))
        return R.share_cells(frame, artefact=artefact, keys=keys, population=pop, family=fam)
    if tid != "S2":
        raise ValueError(f"no sensitivity reader for table {tid!r}")
    built = frame.loc[[_as_built(r) for _, r in frame.iterrows()]]
    other = frame.drop(index=built.index)

    def above(row: pd.Series) -> Population:
        base = pop(row)
        return population(**{**dict(base.items), "lti": Interval.above(1.0)})
    return (R.share_cells(built, artefact=artefact, keys=keys, population=pop, family=UNITS,
                          property_population=above)
            + R.share_cells(other, artefact=artefact, keys=keys, population=pop,
                            family=lambda row: standin_family(str(row["variant"]))))


def read_figure(stem: str, frame: pd.DataFrame, *, artefact: str, threshold: float = 1.0,
                figure_7_population: str = "starters", figure_7_window: str = "first_year") -> Reading:
    """The data behind a figure (``stem`` as in :data:`cohorts.studies.high_mortgages.exports.FIGURE_DATA`) as published."""
    if stem in ("figure_4_data", "figure_5_data"):
        return read_table("F4" if stem == "figure_4_data" else "F5", frame, artefact=artefact, threshold=threshold)
    if stem == "figure_1_data":
        cats = _category_intervals()
        year = 2017

        def cell(row: pd.Series) -> Population:
            return population(new=True, year=year, lti=cats[str(row["lti_category"])],
                              ltv=cats[str(row["ltv_category"])])
        return R.partition_shares(frame, artefact=artefact, keys=("lti_category", "ltv_category"), population=cell,
                                  total=lambda row: population(new=True, year=year))
    if stem in QUADRANT_FIGURES:
        cut, strict, group = QUADRANT_FIGURES[stem]
        return R.partition_shares(
            frame, artefact=artefact, keys=("cohort", "quadrant"),
            population=lambda row: quadrant_population(str(row["quadrant"]), row["cohort"], cut=cut, strict=strict,
                                                       group=group),
            total=lambda row: group_population(group, row["cohort"], threshold=threshold))
    if stem == "figure_6_data":
        return R.count_cells(frame, artefact=artefact, keys=("group", "years_since_origination"),
                             population=lambda row: group_population(str(row["group"]), None),
                             columns=[("n", lambda row: income_obs(int(row["years_since_origination"])))])
    if stem == "figure_7_data":
        base = group_population(figure_7_population, None)
        ev = events(1) if figure_7_window == "first_year" else "events_total"

        def above(row: pd.Series) -> Population:
            return population(**{**dict(base.items), "lti": Interval.at_least(float(row["threshold"]))})
        total = R.count_cells(frame, artefact=artefact, keys=("population", "threshold"),
                              population=lambda row: base, columns=[("n_mortgages", UNITS), ("n_events", ev)])
        upper = R.count_cells(frame, artefact=artefact, keys=("population", "threshold"), population=above,
                              columns=[("n_mortgages_above", UNITS), ("n_events_above", ev)])
        return total + upper
    if stem in ("figure_8_data", "figure_9_data"):
        return R.survival_curves(frame, artefact=artefact, by=("category",),
                                 population=_km_figure_population(stem, threshold=threshold),
                                 at_risk_family=at_risk, events_family=events, survival="surv")
    if stem in ("figure_sweep_data", "figure_cohort_sensitivity_data"):
        return read_curve_points(frame, artefact=artefact)
    if stem == "figure_cox_data":
        return R.model_counts(frame, artefact=artefact, keys=(), population=lambda row: population(new=True))
    raise ValueError(f"no reader for figure data {stem!r}")


def _km_figure_population(stem: str, *, threshold: float):
    """Figures 8 and 9: a curve's row -> the new mortgages (or starters) within the norm or high."""
    group = "starters" if stem == "figure_9_data" else "new"

    def curve(row: pd.Series) -> Population:
        side = Interval.at_most(threshold) if row["category"] == "within" else Interval.above(threshold)
        return population(**{**dict(group_population(group, None).items), "lti": side})
    return curve


def curve_views(*, threshold: float = 1.0) -> dict[str, CurveView]:
    """The release's survival frames for :func:`cohorts.disclosure.survival.point_decisions`.

    Figures 8 and 9 release curves step by step; the sweep (six-year values
    per threshold) and the cohort sensitivity release points, whose
    populations are those of :func:`cohorts.codebook.read_curve_points` (the
    sweep at the report's threshold follows Figure 9's populations).
    """
    views = {f"{stem}.csv": CurveView(("category",), _km_figure_population(stem, threshold=threshold), "surv")
             for stem in ("figure_8_data", "figure_9_data")}
    views["figure_sweep_data.csv"] = CurveView(("threshold", "population", "group"), curve_population,
                                               "km_cum_inc")
    views["figure_cohort_sensitivity_data.csv"] = CurveView(("view", "cohort", "threshold", "population", "group"),
                                                            curve_population, "km_cum_inc")
    return views


def read_release(frames: Mapping[str, pd.DataFrame], *, threshold: float = 1.0, table_5_window: str = "first_year",
                 figure_7_population: str = "starters", figure_7_window: str = "first_year") -> dict[str, Reading]:
    """Every released frame of a run (file name -> frame as published) as facts, per universe.

    File names are those written by ``cohorts reproduce`` (``table_T2.csv``,
    ``figure_2_data.csv`` ...); other files are not read.
    """
    readings = []
    for name, frame in frames.items():
        stem = name.removesuffix(".csv")
        if stem.startswith("table_") and not stem.endswith("_formatted"):
            readings.append(read_table(stem.removeprefix("table_"), frame, artefact=name, threshold=threshold,
                                       table_5_window=table_5_window))
        elif stem.startswith("figure_") and stem.endswith("_data"):
            readings.append(read_figure(stem, frame, artefact=name, threshold=threshold,
                                        figure_7_population=figure_7_population, figure_7_window=figure_7_window))
    return {UNIVERSE.name: combine(readings)}


def released_files(out: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """What an outsider gets from a run's output folder: the tidy CSVs of its ``released`` folders.

    Reads ``OUT/manifest.json`` and returns, for every listed output in a
    released folder (``tables/``) that is a tidy CSV (not a ``_formatted``
    copy), its frame as text (``x`` markers kept).  Nothing of ``checker/``.
    """
    out = Path(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    folders = [f for f in manifest.get("released", []) if not f.endswith(".json")]
    frames: dict[str, pd.DataFrame] = {}
    for name in sorted(manifest.get("outputs", {})):
        if name.split("/", 1)[0] in folders and name.endswith(".csv") and not name.endswith("_formatted.csv"):
            frames[Path(name).name] = pd.read_csv(out / name, dtype=str, keep_default_na=False)
    return frames


#: Checker-log rules whose count is the hidden number a released column states, and that column.
_TRUTH_OF_RULE: Mapping[str, str] = MappingProxyType(
    {"units in cell >= 10": "n", "events >= 10": "events", "n_events >= 10": "n_events"})
#: Files whose ``n`` is the cell's own count (elsewhere ``n`` is a share's denominator).
_COUNT_FILES = ("figure_1_data.csv", *(f"{stem}.csv" for stem in QUADRANT_FIGURES))


def truth_outside(bounds, log: pd.DataFrame) -> list[str]:
    """Hidden counts whose true value (from the checker's log) lies outside the attacker's interval.

    A check of the codebook, for the test suite and benchmarks: ``bounds``
    are the :class:`~cohorts.disclosure.audit.Bound` of an exact attack (a
    protection level no interval reaches, so none is settled by a witnessed
    spread); ``log`` is ``checker/disclosure_log.csv`` of the run.  Returns
    one line per violation and, last, how many were checked
    (``"checked: N"``).
    """
    primary = log.loc[log["decision"].eq("suppress") & log["rule"].isin(list(_TRUTH_OF_RULE))]
    truth = {(a, c, _TRUTH_OF_RULE[r]): v
             for a, c, r, v in zip(primary["artefact"], primary["cell"], primary["rule"], primary["count"], strict=True)
             if _TRUTH_OF_RULE[r] != "n" or a in _COUNT_FILES}
    bad, checked = [], 0
    for b in bounds:
        if b.kind != "count" or b.source is None or b.certified:
            continue
        value = truth.get((b.source.artefact, b.source.cell, b.source.what))
        if value is None:
            continue
        checked += 1
        if not b.lo - 1e-6 <= value <= b.hi + 1e-6:
            bad.append(f"{b.source.artefact} {b.label}: {value:g} outside [{b.lo:g}, {b.hi:g}]")
    return [*bad, f"checked: {checked}"]
