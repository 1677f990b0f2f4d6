"""The export gate applied to the toolkit's own artefacts.

Each function takes one artefact as its exporter computes it (with the counts
behind the numbers) and returns a :class:`~cohorts.disclosure.checks.Checked`;
:class:`Gate` collects the decisions of a run, writes nothing itself, and in
strict mode refuses the whole run when any artefact needed suppression.

Artefacts and the rules applied
-------------------------------
``table_<id>.csv`` (Tabel 1-5, B1-B8), ``figure_4_data``, ``figure_5_data``
    :func:`~cohorts.disclosure.checks.check_table` per (group, cohort) cell:
    shares, counts, means (with contributor columns), medians.
``figure_1_data``, ``figure_2/3/b1/b2_data``
    shares of a partition (grid; quadrants per cohort) with secondary
    suppression over the partition.
``figure_6_data``
    percentiles (median and quartiles of income growth).
``figure_7_data``
    :func:`~cohorts.disclosure.checks.check_series` over the thresholds.
``figure_8/9_data``, ``km.csv``, ``cif.csv``
    :func:`~cohorts.disclosure.checks.check_km`.
``figure_sweep_data``, ``figure_cohort_sensitivity_data``, ``sweep.csv``, ``by_cohort.csv``
    curve points by :func:`check_km` (events derived from the published
    cumulative incidence), per-curve totals ``n`` and ``events`` by the
    frequency rule and, across successive thresholds, by
    :func:`check_series` (no small band between two thresholds), and the
    hazard ratio and log-rank p of each comparison by the model rule (one
    coefficient).
``figure_cox_data``, ``cox.csv``, ``ph.csv``, ``discrete.csv``
    :func:`~cohorts.disclosure.checks.check_model` per model.
``logrank.csv``
    :func:`~cohorts.disclosure.checks.check_counts` (``n`` and ``observed``
    per group; the test statistic goes with them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts.disclosure.checks import (
    NOTE,
    RELEASE,
    Checked,
    DisclosureError,
    Rules,
    check_counts,
    check_km,
    check_model,
    check_series,
    check_table,
    log_frame,
    publishable,
    suppressed_rows,
)

_SWEEP_VALUES = ("km_cum_inc", "km_cum_inc_lower", "km_cum_inc_upper", "cif", "cif_lower", "cif_upper")
_SWEEP_MODEL = ("logrank_p", "hr_above", "hr_lower", "hr_upper")
_KM_VALUES = ("surv", "std_err", "surv_lower", "surv_upper", "cum_inc", "cum_inc_lower", "cum_inc_upper")


def _merge_notes(before: pd.Series, after: pd.Series) -> list[str]:
    return ["; ".join(x for x in (str(a), str(b)) if x) for a, b in zip(before, after, strict=True)]


def _then(first: Checked, second: Callable[[pd.DataFrame], Checked]) -> Checked:
    """Apply a second check to the released frame of the first, keeping both notes and logs."""
    frame = first.released.drop(columns=[NOTE])
    res = second(frame)
    released = res.released.copy()
    released[NOTE] = _merge_notes(first.released[NOTE], res.released[NOTE])
    return Checked(released, log_frame([first.log, res.log]))


def _concat(parts: Sequence[Checked], columns: Sequence[str]) -> Checked:
    frames = [p.released for p in parts if len(p.released)]
    released = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*columns, NOTE])
    return Checked(released, log_frame(p.log for p in parts))


# --------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------
def gate_report_table(artefact: str, tidy: pd.DataFrame, *, rules: Rules) -> Checked:
    """A tidy report table (``table, group, cohort, statistic, unit, n, value`` and, for means and
    medians, the contributor columns of ``support=True``) cell by cell."""
    return check_table(tidy, rules=rules, artefact=artefact, keys=("group", "cohort"), values=("value",))


def _partition_shares(frame: pd.DataFrame, *, rules: Rules, artefact: str, keys: Sequence[str],
                      total_by: Sequence[str], partitions: Sequence[Sequence[str]]) -> Checked:
    work = frame.copy()
    work["_total"] = (work.groupby(list(total_by), observed=True)["n"].transform("sum") if total_by
                      else work["n"].sum())
    res = check_table(work, rules=rules, artefact=artefact, keys=keys, values=("share",), statistic="share",
                      n="n", count="n", denominator="_total", partitions=partitions)
    return Checked(res.released.drop(columns=["_total"]), res.log)


def _gate_curve_points(frame: pd.DataFrame, *, rules: Rules, artefact: str, by: Sequence[str],
                       pair: Sequence[str]) -> Checked:
    """Sweep and by-cohort frames: curve points, per-curve totals, and the comparison's HR and p."""
    first = check_km(frame, rules=rules, artefact=artefact, by=by, events=None, cum_inc="km_cum_inc",
                     values=_SWEEP_VALUES, pooled=())
    res = _then(first, lambda f: check_counts(f, rules=rules, artefact=artefact, keys=[*by, "time"],
                                              counts=("n", "events")))
    # successive thresholds: the mortgages and events between two thresholds must not be a small band
    others = [c for c in by if c != "threshold"]
    res = _then(res, lambda f: check_series(f, rules=rules, artefact=artefact, order="threshold",
                                            by=[*others, "time"], counts=("n", "events"),
                                            values=[c for c in _SWEEP_VALUES if c in f.columns]))
    released = res.released.copy()
    logs = [res.log]
    # the comparison within (threshold, population[, view, cohort]): one coefficient
    base = frame.drop_duplicates([*by])
    totals = base.groupby(list(pair), sort=False, dropna=False).agg(n=("n", "sum"), events=("events", "sum"))
    model_cols = [c for c in _SWEEP_MODEL if c in released.columns]
    for key, row in totals.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        label = "; ".join(f"{k}={v}" for k, v in zip(pair, key, strict=True))
        chk = check_model(pd.DataFrame(), rules=rules, artefact=artefact, n_events=float(row["events"]), n_params=1,
                          resid_df=float(row["n"]) - 1, label=label)
        logs.append(chk.log)
        if chk.refused:
            hit = np.ones(len(released), dtype=bool)
            for k, v in zip(pair, key, strict=True):
                hit &= (released[k].astype(str) == str(v)).to_numpy()
            for c in model_cols:
                released[c] = pd.to_numeric(released[c], errors="coerce").astype("float64")
                released.loc[hit, c] = np.nan
            released.loc[hit, NOTE] = _merge_notes(released.loc[hit, NOTE],
                                                   pd.Series(["hazard ratio and log-rank refused"] * int(hit.sum())))
    return Checked(released, log_frame(logs))


def _gate_cox_frame(frame: pd.DataFrame, *, rules: Rules, artefact: str, keys: Sequence[str]) -> Checked:
    parts = []
    groups = frame.groupby(list(keys), sort=False, dropna=False) if keys else [((), frame)]
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        label = "; ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True)) or "model"
        p = len(sub)
        chk = check_model(sub, rules=rules, artefact=artefact, n_events=float(sub["n_events"].iloc[0]), n_params=p,
                          resid_df=float(sub["n"].iloc[0]) - p, label=label)
        parts.append(_refusal_row(chk, sub, keys))
    return _concat(parts, frame.columns)


def _refusal_row(chk: Checked, sub: pd.DataFrame, keys: Sequence[str]) -> Checked:
    """A refused model keeps one row with its keys and the reason; released models are unchanged."""
    if not chk.refused:
        return chk
    why = "refused: " + "; ".join(chk.log.loc[chk.log["decision"] != RELEASE, "rule"])
    row = {c: (sub[c].iloc[0] if c in keys else np.nan) for c in sub.columns}
    row[NOTE] = why
    return Checked(pd.DataFrame([row], columns=[*sub.columns, NOTE]), chk.log)


def gate_figure_data(stem: str, frame: pd.DataFrame, *, rules: Rules) -> Checked:
    """The data behind one figure (``stem`` as in :data:`cohorts.report.exports.FIGURE_DATA`)."""
    artefact = f"{stem}.csv"
    if stem in ("figure_4_data", "figure_5_data"):
        return gate_report_table(artefact, frame, rules=rules)
    if stem == "figure_1_data":
        return _partition_shares(frame, rules=rules, artefact=artefact, keys=("lti_category", "ltv_category"),
                                 total_by=(), partitions=([], ["lti_category"], ["ltv_category"]))
    if stem in ("figure_2_data", "figure_3_data", "figure_b1_data", "figure_b2_data"):
        return _partition_shares(frame, rules=rules, artefact=artefact, keys=("cohort", "quadrant"),
                                 total_by=("cohort",), partitions=(["cohort"],))
    if stem == "figure_6_data":
        return check_table(frame, rules=rules, artefact=artefact, keys=("group", "years_since_origination"),
                           values=("median_growth", "p25_growth", "p75_growth"), statistic="percentile")
    if stem == "figure_7_data":
        return check_series(frame, rules=rules, artefact=artefact, order="threshold", by=("population",),
                            counts=("n_mortgages", "n_events", "n_mortgages_above", "n_events_above"),
                            values=("share_events", "share_mortgages"),
                            complements={"n_mortgages_above": "n_mortgages", "n_events_above": "n_events"})
    if stem in ("figure_8_data", "figure_9_data"):
        return check_km(frame, rules=rules, artefact=artefact, by=("category",), events=None, survival="surv",
                        values=[c for c in _KM_VALUES if c in frame.columns], pooled=())
    if stem == "figure_sweep_data":
        return _gate_curve_points(frame, rules=rules, artefact=artefact, by=("threshold", "population", "group"),
                                  pair=("threshold", "population"))
    if stem == "figure_cohort_sensitivity_data":
        return _gate_curve_points(frame, rules=rules, artefact=artefact,
                                  by=("view", "cohort", "threshold", "population", "group"),
                                  pair=("view", "cohort", "threshold", "population"))
    if stem == "figure_cox_data":
        return _gate_cox_frame(frame, rules=rules, artefact=artefact, keys=())
    raise ValueError(f"no disclosure rule for figure data {stem!r}")


def gated_curve_points(released: pd.DataFrame) -> pd.DataFrame:
    """The rows of a gated curve that may be drawn (released as computed; pooled and cut rows left out)."""
    return released.loc[~suppressed_rows(released)].reset_index(drop=True)


# --------------------------------------------------------------------------
# cohorts analyze
# --------------------------------------------------------------------------
def gate_analysis(tables: Mapping[str, pd.DataFrame], *, rules: Rules) -> dict[str, Checked]:
    """Every table of :func:`cohorts.survival.analysis_tables`, keyed by file name (``km.csv`` ...)."""
    out: dict[str, Checked] = {}
    events_by_pop: dict[object, float] = {}
    for name, frame in tables.items():
        artefact = f"{name}.csv"
        if name == "km":
            out[artefact] = check_km(frame, rules=rules, artefact=artefact, by=("population", "group"),
                                     values=("surv", "std_err", "surv_lower", "surv_upper"),
                                     pooled=("n_events", "n_censored"))
        elif name == "cif":
            out[artefact] = check_km(frame, rules=rules, artefact=artefact, by=("population", "group"),
                                     values=("cif", "std_err", "cif_lower", "cif_upper"),
                                     pooled=("n_events", "n_competing", "n_censored"))
        elif name == "logrank":
            out[artefact] = check_counts(frame, rules=rules, artefact=artefact, keys=("population", "group"),
                                         counts=("n", "observed"),
                                         values=("expected", "o_minus_e", "variance", "statistic", "p"),
                                         by=("population",))
        elif name == "cox":
            out[artefact] = _gate_cox_frame(frame, rules=rules, artefact=artefact, keys=("population", "model"))
            adj = frame.loc[frame["model"] == "adjusted"]
            events_by_pop = dict(zip(adj["population"], adj["n_events"].astype(float), strict=False))
        elif name in ("sweep", "by_cohort"):
            by = ("threshold", "population", "group") if name == "sweep" else (
                "view", "cohort", "threshold", "population", "group")
            pair = by[:-1]
            out[artefact] = _gate_curve_points(frame, rules=rules, artefact=artefact, by=by, pair=pair)
    # ph and discrete follow the adjusted Cox model of their population
    for name in ("ph", "discrete"):
        if name not in tables:
            continue
        frame, artefact, parts = tables[name], f"{name}.csv", []
        for pop, sub in frame.groupby("population", sort=False):
            if name == "discrete" and "note" in sub and sub["note"].astype(str).ne("").all():
                parts.append(Checked(sub.assign(**{NOTE: ""}), log_frame([])))  # not fitted: words only
                continue
            p = len(sub) if name == "discrete" else max(int(sub.loc[sub["term"] != "GLOBAL", "df"].sum()), 1)
            n_obs = float(sub["n_person_periods"].iloc[0]) if name == "discrete" else float(
                tables["cox"].loc[(tables["cox"]["population"] == pop), "n"].iloc[0])
            chk = check_model(sub, rules=rules, artefact=artefact, n_events=events_by_pop.get(pop, 0.0), n_params=p,
                              resid_df=n_obs - p, label=f"population={pop}")
            parts.append(_refusal_row(chk, sub, ("population",)))
        out[artefact] = _concat(parts, frame.columns)
    return {f"{k}.csv": out[f"{k}.csv"] for k in tables if f"{k}.csv" in out}


# --------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Gate:
    """The decisions of one run: every checked artefact, the rules and whether the run is strict.

    Attributes
    ----------
    checked : Mapping[str, Checked]
        Artefact (file name) -> its check.
    rules : Rules
    strict : bool
        Strict mode: :meth:`enforce` raises when any artefact needed suppression.
    """

    checked: Mapping[str, Checked]
    rules: Rules
    strict: bool

    @property
    def log(self) -> pd.DataFrame:
        """Every log row of the run (``disclosure_log.csv``)."""
        return log_frame(c.log for c in self.checked.values())

    def needing(self) -> dict[str, list[str]]:
        """Artefact -> reasons, for every artefact that needed suppression or was refused."""
        return {name: c.reasons() for name, c in self.checked.items() if c.needs_suppression}

    def enforce(self) -> None:
        """Raise :class:`DisclosureError` in strict mode when any artefact needed suppression."""
        need = self.needing()
        if self.strict and need:
            raise DisclosureError(need)

    def published(self, name: str) -> pd.DataFrame:
        """The exported frame of an artefact: suppressed cells show the marker."""
        return publishable(self.checked[name].released, marker=self.rules.marker)
