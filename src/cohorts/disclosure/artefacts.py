"""The export gate applied to the toolkit's own artefacts.

Each function here turns one artefact, as its exporter computes it (with the
counts behind the numbers), into a :class:`~cohorts.disclosure.secondary.Release`:
the primary rules to apply, and how the secondary decisions of the run's
audit (:func:`cohorts.disclosure.secondary.protect`) are applied to it.
:class:`Gate` collects the decisions of a run; it writes nothing itself and,
in strict mode, refuses the whole run when any artefact needed suppression.

Artefacts and their primary rules
---------------------------------
``table_<id>.csv`` (Tabel 1-5, B1-B8), ``figure_4_data``, ``figure_5_data``
    :func:`~cohorts.disclosure.checks.check_table` per (group, cohort) cell:
    shares, counts, means (with contributor columns), medians.
``figure_1_data``, ``figure_2/3/b1/b2_data``
    counts and shares of a partition (grid; quadrants per cohort).
``figure_6_data``
    percentiles (median and quartiles of income growth) and their units.
``figure_7_data``
    :func:`~cohorts.disclosure.checks.check_series` over the thresholds.
``figure_8/9_data``, ``km.csv``, ``cif.csv``
    :func:`~cohorts.disclosure.survival.release_curves` (cut, pool, a pooled
    run estimated as one step).
``figure_sweep_data``, ``figure_cohort_sensitivity_data``, ``sweep.csv``, ``by_cohort.csv``
    the curve points as curves, the per-curve ``n`` and ``events`` by the
    frequency rule, the hazard ratio and log-rank p of each comparison by the
    model rule (one coefficient).  The Aalen-Johansen columns are not
    released here (``cif.csv`` releases them, pooled like the curves).
``figure_cox_data``, ``cox.csv``, ``ph.csv``, ``discrete.csv``
    :func:`~cohorts.disclosure.checks.check_model` per model.
``logrank_data`` (text data: the log-rank tests of Figures 8 and 9)
    :func:`text_release`: the statistic and p by the model rule, no counts.
``logrank.csv``
    :func:`~cohorts.disclosure.checks.check_counts` (``n`` and ``observed``
    per group; the test statistic goes with them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts.disclosure.checks import (
    CUT,
    NOTE,
    POOL,
    REFUSED,
    RELEASE,
    SUPPRESSED,
    Checked,
    Extra,
    _hideable,
    _log,
    _row,
    check_counts,
    check_model,
    check_series,
    check_table,
    log_frame,
    publishable,
    secondary_row,
    suppressed_rows,
)
from cohorts.disclosure.rules import DisclosureError, Rules
from cohorts.disclosure.secondary import Release
from cohorts.disclosure.survival import release_cif, release_curves

_SWEEP_VALUES = ("km_cum_inc", "km_cum_inc_lower", "km_cum_inc_upper")
_SWEEP_DROPPED = ("cif", "cif_lower", "cif_upper")
_SWEEP_MODEL = ("logrank_p", "hr_above", "hr_lower", "hr_upper")
_KM_VALUES = ("surv", "std_err", "surv_lower", "surv_upper", "cum_inc", "cum_inc_lower", "cum_inc_upper")


def _merge_notes(before: pd.Series, after: pd.Series) -> list[str]:
    return [a or b for a, b in zip(before.astype(str), after.astype(str), strict=True)]


def _then(first: Checked, second) -> Checked:
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
def table_release(name: str, tidy: pd.DataFrame, *, rules: Rules,
                  keys: Sequence[str] = ("group", "cohort"), priority: int = 1) -> Release:
    """A tidy report table (``table, group, cohort, statistic, unit, n, value`` and, for means and
    medians, the contributor columns of ``support=True``), cell by cell; ``keys`` name a cell; cells of
    a lower ``priority`` are hidden first by secondary suppression."""
    def make(extra: Extra) -> Checked:
        return check_table(tidy, rules=rules, artefact=name, keys=tuple(keys), values=("value",),
                           extra=extra)
    return Release(name, make, priority=priority)


def _partition_shares(frame: pd.DataFrame, *, rules: Rules, artefact: str, keys: Sequence[str],
                      total_by: Sequence[str], extra: Extra) -> Checked:
    work = frame.copy()
    work["_total"] = (work.groupby(list(total_by), observed=True)["n"].transform("sum") if total_by
                      else work["n"].sum())
    res = check_table(work, rules=rules, artefact=artefact, keys=keys, values=("share",), statistic="share",
                      n="n", count="n", denominator="_total", extra=extra)
    return Checked(res.released.drop(columns=["_total"]), res.log)


def _curve_points(frame: pd.DataFrame, *, rules: Rules, artefact: str, by: Sequence[str], pair: Sequence[str],
                  extra: Extra) -> Checked:
    """Sweep and by-cohort frames: curves, per-curve totals, and each comparison's hazard ratio and p."""
    frame = frame.drop(columns=[c for c in _SWEEP_DROPPED if c in frame.columns])
    curves = release_curves(frame, rules=rules, artefact=artefact, by=by, survival="km_cum_inc",
                            estimate="cum_inc", extra=extra) if _every_step(frame, by) else _single_horizon(
        frame, rules=rules, artefact=artefact, by=by, extra=extra)
    res = _then(curves, lambda f: check_counts(f, rules=rules, artefact=artefact, keys=list(by),
                                               counts=("n", "events"), extra=extra))
    released = res.released.copy()
    logs = [res.log]
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
            released.loc[hit & (released[NOTE] == ""), NOTE] = REFUSED
    return Checked(released, log_frame(logs))


def _every_step(frame: pd.DataFrame, by: Sequence[str]) -> bool:
    """Whether every curve lists every whole time from 1 (then its steps can be told apart)."""
    for _, sub in frame.groupby(list(by), sort=False, dropna=False):
        t = np.sort(pd.to_numeric(sub["time"]).to_numpy())
        if len(t) == 0 or t[0] != 1 or np.any(np.diff(t) != 1):
            return False
    return True


def _single_horizon(frame: pd.DataFrame, *, rules: Rules, artefact: str, by: Sequence[str],
                    extra: Extra) -> Checked:
    """Curve points at isolated horizons (the sweep): each estimate needs enough at risk and events."""
    out = frame.copy()
    log = []
    note = [""] * len(out)
    values = [c for c in _SWEEP_VALUES if c in out.columns]
    for c in values:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for i in range(len(frame)):
        rec = frame.iloc[i]
        label = f"{'; '.join(f'{k}={rec[k]}' for k in by)}; time={rec['time']:g}"
        n_risk = float(rec["n_at_risk"])
        ev = float(rec["events"])
        ok_risk = np.isfinite(n_risk) and n_risk >= rules.min_at_risk
        ok_ev = ev == 0 or ev >= rules.min_events
        log.append(_row(artefact, label, f"at risk >= {rules.min_at_risk}", n_risk, rules.min_at_risk, ok_risk,
                        fail=CUT))
        log.append(_row(artefact, label, f"events 0 or >= {rules.min_events}", ev, rules.min_events, ok_ev,
                        fail=POOL))
        why = extra.get((label, "pool")) or extra.get((label, "at_risk"))
        if why and ok_risk and ok_ev:
            log.append(secondary_row(artefact, label, why))
        if not (ok_risk and ok_ev) or why:
            for c in values:
                out.iat[i, out.columns.get_loc(c)] = np.nan
            if not ok_risk or extra.get((label, "at_risk")):
                out["n_at_risk"] = _hideable(out["n_at_risk"])
                out.iat[i, out.columns.get_loc("n_at_risk")] = np.nan
            note[i] = SUPPRESSED
    out[NOTE] = note
    return Checked(out.reset_index(drop=True), _log(log))


def _cox_frame(frame: pd.DataFrame, *, rules: Rules, artefact: str, keys: Sequence[str], extra: Extra) -> Checked:
    parts = []
    groups = frame.groupby(list(keys), sort=False, dropna=False) if keys else [((), frame)]
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        label = "; ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True)) or "all"
        p = len(sub)
        chk = check_model(sub, rules=rules, artefact=artefact, n_events=float(sub["n_events"].iloc[0]), n_params=p,
                          resid_df=float(sub["n"].iloc[0]) - p, label=label)
        chk = _refusal_row(chk, sub, keys)
        why = extra.get((label, "cell"))
        if why and not chk.refused:
            rel = chk.released.copy()
            for c in ("n", "n_events"):
                rel[c] = _hideable(rel[c])
                rel[c] = np.nan
            rel[NOTE] = SUPPRESSED
            chk = Checked(rel, log_frame([chk.log, pd.DataFrame([secondary_row(artefact, label, why)])]))
        parts.append(chk)
    return _concat(parts, frame.columns)


def _refusal_row(chk: Checked, sub: pd.DataFrame, keys: Sequence[str]) -> Checked:
    """A refused model keeps one row with its keys; released models are unchanged."""
    if not chk.refused:
        return chk
    row = {c: (sub[c].iloc[0] if c in keys else np.nan) for c in sub.columns}
    row[NOTE] = REFUSED
    return Checked(pd.DataFrame([row], columns=[*sub.columns, NOTE]), chk.log)


def figure_release(stem: str, frame: pd.DataFrame, *, rules: Rules) -> Release:
    """The data behind one figure (``stem`` as in :data:`cohorts.report.exports.FIGURE_DATA`)."""
    artefact = f"{stem}.csv"

    def make(extra: Extra) -> Checked:
        if stem in ("figure_4_data", "figure_5_data"):
            return check_table(frame, rules=rules, artefact=artefact, keys=("group", "cohort"), values=("value",),
                               extra=extra)
        if stem == "figure_1_data":
            return _partition_shares(frame, rules=rules, artefact=artefact, keys=("lti_category", "ltv_category"),
                                     total_by=(), extra=extra)
        if stem in ("figure_2_data", "figure_3_data", "figure_b1_data", "figure_b2_data"):
            return _partition_shares(frame, rules=rules, artefact=artefact, keys=("cohort", "quadrant"),
                                     total_by=("cohort",), extra=extra)
        if stem == "figure_6_data":
            return check_table(frame, rules=rules, artefact=artefact, keys=("group", "years_since_origination"),
                               values=("median_growth", "p25_growth", "p75_growth"), statistic="percentile",
                               extra=extra)
        if stem == "figure_7_data":
            return check_series(frame, rules=rules, artefact=artefact, order="threshold", by=("population",),
                                counts=("n_mortgages", "n_events", "n_mortgages_above", "n_events_above"),
                                values=("share_events", "share_mortgages"),
                                complements={"n_mortgages_above": "n_mortgages", "n_events_above": "n_events"},
                                extra=extra)
        if stem in ("figure_8_data", "figure_9_data"):
            return release_curves(frame, rules=rules, artefact=artefact, by=("category",), survival="surv",
                                  extra=extra)
        if stem == "figure_sweep_data":
            return _curve_points(frame, rules=rules, artefact=artefact, by=("threshold", "population", "group"),
                                 pair=("threshold", "population"), extra=extra)
        if stem == "figure_cohort_sensitivity_data":
            return _curve_points(frame, rules=rules, artefact=artefact,
                                 by=("view", "cohort", "threshold", "population", "group"),
                                 pair=("view", "cohort", "threshold", "population"), extra=extra)
        if stem == "figure_cox_data":
            return _cox_frame(frame, rules=rules, artefact=artefact, keys=(), extra=extra)
        raise ValueError(f"no disclosure rule for figure data {stem!r}")
    if stem == "figure_cohort_sensitivity_data":
        # the per-cohort sensitivity views are hidden before the report's own numbers, except the points the
        # figure draws (each cohort at the horizon), which are worth as much as the report's curves
        return Release(artefact, make, priority=0, cell_priority=_drawn_sensitivity_point)
    return Release(artefact, make, priority=1)


#: Duration at which the cohort-sensitivity figure draws each cohort (one year after the origination
#: year: the longest follow-up every cohort, 2017 included, has).
COHORT_SENSITIVITY_HORIZON = 2


def _drawn_sensitivity_point(cell: str) -> int | None:
    """Priority 1 for a cohort-sensitivity cell the figure draws (view ``cohort`` at the horizon)."""
    drawn = cell.startswith("view=cohort;") and cell.endswith(f"; time={COHORT_SENSITIVITY_HORIZON:g}")
    return 1 if drawn else None


#: Columns of a text-data frame that only the gate sees (the counts behind a test; never released).
_TEXT_COUNTS = ("n", "n_events")


def text_release(stem: str, frame: pd.DataFrame, *, rules: Rules) -> Release:
    """Numbers the text quotes that no figure draws (``stem`` as in :data:`cohorts.report.exports.TEXT_DATA`).

    ``logrank_data``: one log-rank test per population (within vs high, one
    comparison); its ``statistic`` and ``p`` are released by the model rule
    (:func:`~cohorts.disclosure.checks.check_model` with one coefficient, on
    the ``n`` and ``n_events`` of the test), as the log-rank p of the sweep.
    A refused test keeps its row with the statistic and p missing and the
    note :data:`~cohorts.disclosure.checks.REFUSED`.  The counts ``n`` and
    ``n_events`` are dropped: the release states no count.
    """
    artefact = f"{stem}.csv"
    if stem != "logrank_data":
        raise ValueError(f"no disclosure rule for text data {stem!r}")

    def make(extra: Extra) -> Checked:
        out = frame.drop(columns=list(_TEXT_COUNTS)).copy()
        for c in ("statistic", "p"):
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
        out[NOTE] = ""
        logs = []
        for i, row in frame.reset_index(drop=True).iterrows():
            label = f"population={row['population']}"
            chk = check_model(pd.DataFrame(), rules=rules, artefact=artefact, n_events=float(row["n_events"]),
                              n_params=1, resid_df=float(row["n"]) - 1, label=label)
            logs.append(chk.log)
            if chk.refused:
                out.loc[i, ["statistic", "p"]] = np.nan
                out.loc[i, NOTE] = REFUSED
        return Checked(out, log_frame(logs))
    return Release(artefact, make, priority=1)


def gated_curve_points(released: pd.DataFrame) -> pd.DataFrame:
    """The rows of a gated curve that may be drawn (released as computed; pooled and cut rows left out)."""
    return released.loc[~suppressed_rows(released)].reset_index(drop=True)


# --------------------------------------------------------------------------
# cohorts analyze
# --------------------------------------------------------------------------
def analysis_releases(tables: Mapping[str, pd.DataFrame], *, rules: Rules) -> list[Release]:
    """Every table of :func:`cohorts.survival.analysis_tables` (``km.csv`` ...) as a Release."""
    out: list[Release] = []
    events_by_pop: dict[object, float] = {}
    if "cox" in tables:
        adj = tables["cox"].loc[tables["cox"]["model"] == "adjusted"]
        events_by_pop = dict(zip(adj["population"], adj["n_events"].astype(float), strict=False))
    for name, frame in tables.items():
        artefact = f"{name}.csv"
        if name == "km":
            out.append(Release(artefact, lambda extra, f=frame, a=artefact: release_curves(
                f, rules=rules, artefact=a, by=("population", "group"), events="n_events", sums=("n_censored",),
                extra=extra)))
        elif name == "cif":
            out.append(Release(artefact, lambda extra, f=frame, a=artefact: release_cif(
                f, rules=rules, artefact=a, by=("population", "group"), extra=extra)))
        elif name == "logrank":
            out.append(Release(artefact, lambda extra, f=frame, a=artefact: check_counts(
                f, rules=rules, artefact=a, keys=("population", "group"), counts=("n", "observed"),
                values=("expected", "o_minus_e", "variance", "statistic", "p"), by=("population",), extra=extra)))
        elif name == "cox":
            out.append(Release(artefact, lambda extra, f=frame, a=artefact: _cox_frame(
                f, rules=rules, artefact=a, keys=("population", "model"), extra=extra)))
        elif name in ("sweep", "by_cohort"):
            by = ("threshold", "population", "group") if name == "sweep" else (
                "view", "cohort", "threshold", "population", "group")
            out.append(Release(artefact, lambda extra, f=frame, a=artefact, b=by: _curve_points(
                f, rules=rules, artefact=a, by=b, pair=b[:-1], extra=extra), priority=0 if name == "by_cohort" else 1))
        elif name in ("ph", "discrete"):
            out.append(Release(artefact, lambda extra, f=frame, a=artefact, n=name: _models_of_population(
                f, rules=rules, artefact=a, kind=n, cox=tables.get("cox"), events_by_pop=events_by_pop)))
    return out


def _models_of_population(frame: pd.DataFrame, *, rules: Rules, artefact: str, kind: str, cox: pd.DataFrame | None,
                          events_by_pop: Mapping[object, float]) -> Checked:
    """``ph`` and ``discrete`` follow the adjusted Cox model of their population."""
    parts = []
    for pop, sub in frame.groupby("population", sort=False):
        if kind == "discrete" and "note" in sub and sub["note"].astype(str).ne("").all():
            parts.append(Checked(sub.assign(**{NOTE: ""}), log_frame([])))  # not fitted: words only
            continue
        p = len(sub) if kind == "discrete" else max(int(sub.loc[sub["term"] != "GLOBAL", "df"].sum()), 1)
        n_obs = float(sub["n_person_periods"].iloc[0]) if kind == "discrete" else float(
            cox.loc[cox["population"] == pop, "n"].iloc[0])
        chk = check_model(sub, rules=rules, artefact=artefact, n_events=events_by_pop.get(pop, 0.0), n_params=p,
                          resid_df=n_obs - p, label=f"population={pop}")
        parts.append(_refusal_row(chk, sub, ("population",)))
    return _concat(parts, frame.columns)


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


__all__ = ["RELEASE", "Gate", "analysis_releases", "figure_release", "gated_curve_points", "table_release"]


# --------------------------------------------------------------------------
# the selection table of a manifest
# --------------------------------------------------------------------------
def release_selection(selection: pd.DataFrame | None, *, rules: Rules) -> pd.DataFrame | None:
    """The selection table as it may be released: a step that drops fewer than ``min_units`` is pooled.

    Along each population's chain of steps, a step whose dropped count is
    neither 0 nor at least ``rules.min_units`` is merged with the following
    steps until the pooled drop passes: the pooled steps show the marker in
    their counts, and the step that closes the run shows the drop of the
    whole run (its rule says which steps it covers).  The counts in and out
    of a released step are those of the whole run, so no small drop can be
    recovered by subtraction.  The unpooled table stays in the build folder.
    """
    if selection is None or len(selection) == 0:
        return selection
    sel = selection.reset_index(drop=True).copy()
    cols = [c for c in ("rows_in", "rows_out", "rows_dropped") if c in sel.columns]
    if not cols or "population" not in sel.columns:
        return sel
    for c in cols:
        sel[c] = sel[c].astype(object)
    for _, idx in sel.groupby("population", sort=False).groups.items():
        idx = list(idx)
        run: list[int] = []
        run_in = None
        for i in idx:
            dropped = float(selection.loc[i, "rows_dropped"])
            run.append(i)
            if run_in is None:
                run_in = selection.loc[i, "rows_in"]
            total = sum(float(selection.loc[j, "rows_dropped"]) for j in run)
            if total == 0 or total >= rules.min_units:
                if len(run) > 1:
                    for j in run[:-1]:
                        for c in cols:
                            sel.at[j, c] = rules.marker
                    sel.at[i, "rows_in"] = run_in
                    sel.at[i, "rows_dropped"] = int(total)
                    if "rule" in sel.columns:
                        sel.at[i, "rule"] = f"{selection.loc[i, 'rule']} (with the {len(run) - 1} step(s) above)"
                run, run_in = [], None
            del dropped
        for j in run:  # a run still open at the end of the chain
            for c in cols:
                sel.at[j, c] = rules.marker
    return sel
