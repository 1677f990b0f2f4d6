"""Releasing survival curves: cut where too few remain at risk, pool steps with too few events.

A Kaplan-Meier curve released step by step tells how many events each step
had: ``d_t = n_t (1 - S_t / S_{t-1})``.  A step with fewer than
``min_events`` events is therefore not released on its own; it is *pooled*
with the following steps until the run has enough.  How the estimate after a
pooled run is computed matters: the exact Kaplan-Meier value after two pooled
steps is ``(1 - d_a/n_a)(1 - d_b/n_b)``, and with both numbers at risk
released that product usually has a single solution in whole numbers, which
would give the pooled steps away.  The released curve therefore treats a
pooled run as **one step**: its events ``D`` are counted at the run's end,
against the number at risk at the run's start ``N`` (censorings inside the
run count as at risk until its end), so that

    S_released(t_k) = prod over released runs up to t_k of (1 - D / N),
    var(-log S)     = sum over released runs of D / (N (N - D))  (Greenwood),

which is the Kaplan-Meier estimator (and Greenwood variance) of the data
with the event and censoring times of each run moved to its end, i.e. R's
``survfit`` on the coarsened times; where no step is pooled it is the
ordinary estimate.  The interval is then formed as for any released curve
(:func:`cohorts.survival.km.confint`, R's ``conf.type``).  The
Aalen-Johansen cumulative incidence (:func:`release_cif`) is coarsened the
same way.  A run still open at the end of a curve is never released: the
curve ends at its last released step.  From the first time with fewer than
``min_at_risk`` at risk the curve is cut (nothing of it is released; a curve
that has simply ended, with nobody left at risk, is not cut).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts.columns import EXIT_ARREARS, EXIT_LEFT, EXIT_OBSERVED_END
from cohorts.disclosure.checks import (
    CUT,
    CUT_SECONDARY,
    NOTE,
    POOL,
    POOL_SECONDARY,
    Checked,
    Extra,
    _log,
    _row,
    secondary_row,
)
from cohorts.disclosure.facts import Population
from cohorts.disclosure.readers import cell_label
from cohorts.disclosure.rules import Rules

#: Note of a pooled row in a released curve.
POOLED_NOTE = "pooled with the next shown step (disclosure control)"
#: Note of a cut row.
CUT_NOTE = "cut (disclosure control)"
#: Note of a row after the curve has ended (nobody left at risk): no estimate, nothing hidden.
ENDED_NOTE = "empty: nobody left at risk"


def step_events(n_at_risk: np.ndarray, surv: np.ndarray) -> np.ndarray:
    """Events at each listed time of a curve listed at every step: ``round(n_t (1 - S_t / S_{t-1}))``.

    Raises
    ------
    ValueError
        When the result is not a whole number (the curve skips steps).
    """
    s_prev = np.concatenate([[1.0], surv[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        d = n_at_risk * (1.0 - surv / s_prev)
    d = np.where(np.isfinite(d), d, 0.0)
    if np.any(np.abs(d - np.round(d)) > 1e-6):
        raise ValueError("a survival curve given without its events must list every step: "
                         "events derived from the estimates are not whole numbers")
    return np.round(d)


def coarsened(n_at_risk: np.ndarray, events: np.ndarray, released: np.ndarray, *, alpha: float,
              conf_type: str = "log-log") -> pd.DataFrame:
    """The estimate at each released step of one curve, pooled runs treated as one step (module docstring).

    Parameters
    ----------
    n_at_risk, events : numpy.ndarray
        Per listed time (in order): number at risk and events.
    released : numpy.ndarray of bool
        Which times are released steps.
    alpha : float
        1 - confidence level.
    conf_type : str
        As :func:`cohorts.survival.km.confint`.

    Returns
    -------
    pandas.DataFrame
        Per listed time: ``surv, std_err, surv_lower, surv_upper`` (NaN where
        not released) and ``run_events`` (the events of the run ending there).
    """
    from cohorts.survival.km import confint

    k = len(n_at_risk)
    surv = np.full(k, np.nan)
    se = np.full(k, np.nan)
    run_events = np.full(k, np.nan)
    s, var, start, pending = 1.0, 0.0, 0, 0.0
    for i in range(k):
        pending += events[i]
        if not released[i]:
            continue
        N, D = n_at_risk[start], pending
        if N > 0:
            s *= 1.0 - D / N
            var += D / (N * (N - D)) if N > D else np.inf
        surv[i], se[i], run_events[i] = s, np.sqrt(var), D
        start, pending = i + 1, 0.0
    lo, up = confint(surv, se, alpha=alpha, conf_type=conf_type)
    return pd.DataFrame({"surv": surv, "std_err": se, "surv_lower": lo, "surv_upper": up, "run_events": run_events})


@dataclass(frozen=True)
class _Runs:
    released: np.ndarray
    cut: np.ndarray
    ended: np.ndarray
    notes: list[str]
    log: list[dict]


def _runs(n: np.ndarray, d: np.ndarray, labels: Sequence[str], *, rules: Rules, artefact: str, extra: Extra) -> _Runs:
    """Which steps of one curve are released, pooled or cut (module docstring)."""
    k = len(n)
    log: list[dict] = []
    ended = ~np.isfinite(n) | (n == 0)
    cut = np.zeros(k, dtype=bool)
    for j in range(k):
        if ended[j]:
            break
        ok = bool(n[j] >= rules.min_at_risk)
        log.append(_row(artefact, labels[j], f"at risk >= {rules.min_at_risk}", n[j], rules.min_at_risk, ok, fail=CUT))
        why = extra.get((labels[j], "at_risk"))
        if not ok or why:
            if why and ok:
                log.append(secondary_row(artefact, labels[j], why, count=n[j], decision=CUT_SECONDARY))
            cut[j:] = ~ended[j:]
            break
    released = np.zeros(k, dtype=bool)
    notes = [""] * k
    pending = 0.0
    for j in range(k):
        if cut[j] or ended[j]:
            notes[j] = CUT_NOTE if cut[j] else ENDED_NOTE
            continue
        pending += d[j]
        ok = pending == 0 or pending >= rules.min_events
        log.append(_row(artefact, labels[j], f"events since the previous shown step 0 or >= {rules.min_events}",
                        pending, rules.min_events, ok, fail=POOL))
        why = extra.get((labels[j], "pool"))
        if ok and why:
            log.append(secondary_row(artefact, labels[j], why, count=pending, decision=POOL_SECONDARY))
        if ok and not why:
            released[j] = True
            pending = 0.0
        else:
            notes[j] = POOLED_NOTE
    return _Runs(released, cut, ended, notes, log)


def _curves(frame: pd.DataFrame, by: Sequence[str], time: str):
    groups = frame.groupby(list(by), sort=False, dropna=False) if by else [((), frame)]
    for _, sub in groups:
        idx = sub.sort_values(time, kind="stable").index.to_numpy()
        head = cell_label(frame.loc[idx[0]], by)
        labels = [f"{head}; time={frame.loc[i, time]:g}" for i in idx]
        yield idx, frame.index.get_indexer(idx), labels


def _numbers(frame: pd.DataFrame, col: str, pos: np.ndarray) -> np.ndarray:
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")[pos]


def _run_sums(v: np.ndarray, released: np.ndarray) -> np.ndarray:
    """Per released step, the sum of ``v`` over the run ending there (NaN elsewhere)."""
    run = np.cumsum(np.nan_to_num(v))
    ends = np.flatnonzero(released)
    out = np.full(len(v), np.nan)
    out[ends] = run[ends] - np.concatenate([[0.0], run[ends][:-1]])
    return out


def release_curves(
    frame: pd.DataFrame,
    *,
    rules: Rules,
    artefact: str,
    by: Sequence[str],
    time: str = "time",
    at_risk: str = "n_at_risk",
    events: str | None = None,
    survival: str = "surv",
    estimate: str = "surv",
    alpha: float = 0.05,
    conf_type: str = "log-log",
    sums: Sequence[str] = (),
    extra: Extra | None = None,
) -> Checked:
    """Cut, pool and re-estimate every Kaplan-Meier curve of a frame for release.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per curve per time, every step listed, with the number at
        risk and the estimate (and optionally the events per step).
    rules : Rules
        ``min_at_risk`` and ``min_events``.
    artefact : str
        File name, for the log.
    by : sequence of str
        Columns naming a curve.
    time, at_risk : str
    events : str, optional
        Events per step; derived from ``survival`` when absent (:func:`step_events`).
    survival : str
        The survival column, or with ``estimate="cum_inc"`` the cumulative
        incidence column (``1 - S``), used to derive the events.
    estimate : {"surv", "cum_inc"}
        How the released frame states the estimate: survival columns
        (``surv, std_err, surv_lower, surv_upper`` and the ``cum_inc`` ones
        if ``frame`` has them), or ``km_cum_inc, km_cum_inc_lower,
        km_cum_inc_upper`` (the sweep layout).
    alpha, conf_type
        Interval of the released estimate.
    sums : sequence of str
        Further count columns per step (e.g. ``n_censored``) released, like
        the events, as the sum over the run ending at a released step.
    extra : mapping, optional
        Secondary decisions of the run's audit: ``(cell, action) -> what it
        protects``, with ``action`` ``"pool"`` (pool the step at that cell)
        or ``"at_risk"`` (cut the curve from that cell on).

    Returns
    -------
    Checked
        The frame with the released estimates (pooled and cut rows missing),
        the number at risk (missing where cut), the events and ``sums`` of
        each released run, and the note column (:data:`POOLED_NOTE`,
        :data:`CUT_NOTE`).
    """
    extra = dict(extra or {})
    out = frame.copy()
    if estimate == "surv":
        cols = {"surv": "surv", "std_err": "std_err", "surv_lower": "surv_lower", "surv_upper": "surv_upper"}
        cum = [c for c in ("cum_inc", "cum_inc_lower", "cum_inc_upper") if c in frame.columns]
    else:
        cols, cum = {}, ["km_cum_inc", "km_cum_inc_lower", "km_cum_inc_upper"]
    for c in [*cols, *cum, at_risk, *([events] if events else []), *sums]:
        if c not in out.columns:
            out[c] = np.nan
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    note = [""] * len(out)
    log: list[dict] = []
    for idx, pos, labels in _curves(frame, by, time):
        n = _numbers(frame, at_risk, pos)
        if events is not None:
            d = np.nan_to_num(_numbers(frame, events, pos))
        else:
            s = _numbers(frame, survival, pos)
            s = 1.0 - s if estimate == "cum_inc" else s
            live = np.isfinite(n) & (n > 0)
            d = np.zeros(len(n))
            d[live] = step_events(n[live], s[live])
        runs = _runs(n, d, labels, rules=rules, artefact=artefact, extra=extra)
        log.extend(runs.log)
        est = coarsened(np.nan_to_num(n), d, runs.released, alpha=alpha, conf_type=conf_type)
        for c in cols:
            out.loc[idx, c] = est[cols[c]].to_numpy()
        if cum:
            out.loc[idx, cum[0]] = 1.0 - est["surv"].to_numpy()
            out.loc[idx, cum[1]] = 1.0 - est["surv_upper"].to_numpy()
            out.loc[idx, cum[2]] = 1.0 - est["surv_lower"].to_numpy()
        if events is not None:
            out.loc[idx, events] = est["run_events"].to_numpy()
        for c in sums:
            out.loc[idx, c] = _run_sums(_numbers(frame, c, pos), runs.released)
        out.loc[idx[runs.cut], at_risk] = np.nan
        for j, p in enumerate(pos):
            note[p] = runs.notes[j]
    out[NOTE] = note
    return Checked(out.reset_index(drop=True), _log(log))


def release_cif(
    frame: pd.DataFrame,
    *,
    rules: Rules,
    artefact: str,
    by: Sequence[str],
    time: str = "time",
    alpha: float = 0.05,
    conf_type: str = "log",
    extra: Extra | None = None,
) -> Checked:
    """Cut, pool and re-estimate Aalen-Johansen cumulative-incidence curves (``cif.csv``) for release.

    The steps follow the events of interest as in :func:`release_curves`;
    a released step's ``n_events``, ``n_competing`` and ``n_censored`` are the
    sums over its run, and its ``cif`` (with ``std_err``, ``cif_lower``,
    ``cif_upper``) is the estimate of :func:`cohorts.survival.cif.fit_cif` on
    the data with each run's times moved to its end (a pooled run as one step).
    """
    from cohorts.survival.cif import fit_cif

    extra = dict(extra or {})
    out = frame.copy()
    count_cols = ("n_events", "n_competing", "n_censored")
    for c in ("cif", "std_err", "cif_lower", "cif_upper", "n_at_risk", *count_cols):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    note = [""] * len(out)
    log: list[dict] = []
    for idx, pos, labels in _curves(frame, by, time):
        n = _numbers(frame, "n_at_risk", pos)
        counts = {c: np.nan_to_num(_numbers(frame, c, pos)) for c in count_cols}
        runs = _runs(n, counts["n_events"], labels, rules=rules, artefact=artefact, extra=extra)
        log.extend(runs.log)
        t = _numbers(frame, time, pos)
        # every observation at its step; steps inside a released run move to the run's end
        end = t.copy()
        last = None
        for j in range(len(t) - 1, -1, -1):
            if runs.released[j]:
                last = t[j]
            elif last is not None and not runs.cut[j]:
                end[j] = last
        reps = np.concatenate([np.repeat(end, counts[c].astype(np.int64)) for c in count_cols])
        kinds = np.concatenate([np.repeat(k, counts[c].astype(np.int64).sum())
                                for k, c in zip((EXIT_ARREARS, EXIT_LEFT, EXIT_OBSERVED_END), count_cols,
                                                strict=True)])
        est = np.full((len(t), 4), np.nan)
        if runs.released.any() and len(reps) and (kinds == "arrears").any():
            fit = fit_cif(pd.DataFrame({"d": reps, "x": kinds}), duration="d", event_type="x", alpha=alpha,
                          conf_type=conf_type).summary
            at = fit.set_index("time")
            for j in np.flatnonzero(runs.released):
                if t[j] in at.index:
                    est[j] = at.loc[t[j], ["cif", "std_err", "cif_lower", "cif_upper"]].to_numpy(dtype="float64")
                else:  # no observation ends there: the estimate of the previous time carries on
                    prior = at.loc[at.index < t[j]]
                    est[j] = (prior[["cif", "std_err", "cif_lower", "cif_upper"]].iloc[-1].to_numpy(dtype="float64")
                              if len(prior) else (0.0, 0.0, np.nan, np.nan))
        for k, c in enumerate(("cif", "std_err", "cif_lower", "cif_upper")):
            out.loc[idx, c] = est[:, k]
        for c in count_cols:
            out.loc[idx, c] = _run_sums(counts[c], runs.released)
        out.loc[idx[runs.cut], "n_at_risk"] = np.nan
        for j, p in enumerate(pos):
            note[p] = runs.notes[j]
    out[NOTE] = note
    return Checked(out.reset_index(drop=True), _log(log))


# --------------------------------------------------------------------------
# points released apart from their curve
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class CurveView:
    """How :func:`point_decisions` reads one released survival frame.

    Attributes
    ----------
    by : tuple of str
        Columns naming a curve.
    population : callable
        A curve's first row -> the population it follows (None: not read).
    estimate : str
        The estimate column (survival or cumulative incidence; missing where hidden).
    time : str
        The time column.
    """

    by: tuple[str, ...]
    population: Callable[[pd.Series], Population | None]
    estimate: str
    time: str = "time"


def _point_label(row: pd.Series, by: Sequence[str], time: str) -> str:
    """The cell label of an isolated point, as the gate of the sweep writes it."""
    return f"{'; '.join(f'{k}={row[k]}' for k in by)}; time={float(row[time]):g}"


def point_decisions(released: Mapping[str, pd.DataFrame], views: Mapping[str, CurveView]
                    ) -> dict[tuple[str, str, str], str]:
    """Points of a survival curve released apart from its steps, held to the steps released elsewhere.

    A frame whose curves list every time ``1..T`` releases each curve step by
    step (Figures 8 and 9, ``km.csv``); a frame whose curves list only later
    times releases *points* (the sweep's six-year values).  A point of a
    population whose step curve is released elsewhere is a step of that curve
    too: beside the curve's last shown value and its released numbers at
    risk, the exact Kaplan-Meier value at the point pins down the events of
    every step the curve pooled or cut in between
    (``S_t / S_s = prod (1 - d_k / n_k)`` usually has one solution in whole
    numbers), and beside a curve whose earlier steps were pooled (estimated as
    one step, :func:`coarsened`) it pins down the pooled steps.  The linear
    audit cannot see this, so the rule is explicit: a point at time ``t`` is
    released only where every step curve of the same population releases every
    step up to ``t``; otherwise it is hidden (decision ``(artefact, cell,
    "pool")``, the reason naming the curve).

    Parameters
    ----------
    released : mapping of str to DataFrame
        File name -> the frame as the gate releases it this round (hidden
        estimates missing).
    views : mapping of str to CurveView
        How to read each file that holds survival curves; other files are
        ignored.

    Returns
    -------
    dict
        ``(artefact, cell label, "pool") -> reason`` for every point to hide.
    """
    steps: dict[Population, list[tuple[str, str, dict[int, bool]]]] = {}
    points: list[tuple[str, str, Population, int]] = []
    for name, view in views.items():
        frame = released.get(name)
        if frame is None or not len(frame):
            continue
        groups = frame.groupby(list(view.by), sort=False, dropna=False) if view.by else [((), frame)]
        for _, sub in groups:
            sub = sub.sort_values(view.time, kind="stable")
            pop = view.population(sub.iloc[0])
            if pop is None:
                continue
            times = [int(t) for t in sub[view.time].to_numpy(dtype="float64")]
            shown = np.isfinite(pd.to_numeric(sub[view.estimate], errors="coerce").to_numpy(dtype="float64"))
            if times == list(range(1, len(times) + 1)):
                curve = f"{name} {cell_label(sub.iloc[0], view.by)}"
                steps.setdefault(pop, []).append((name, curve, dict(zip(times, shown, strict=True))))
            else:
                for (_, row), ok in zip(sub.iterrows(), shown, strict=True):
                    if ok:
                        points.append((name, _point_label(row, view.by, view.time), pop, int(row[view.time])))
    out: dict[tuple[str, str, str], str] = {}
    for name, label, pop, t in points:
        for _, curve, shown in steps.get(pop, []):
            hidden = [k for k in range(1, t + 1) if not shown.get(k, False)]
            if hidden:
                out.setdefault((name, label, "pool"), (
                    f"{curve}: step(s) at time {', '.join(map(str, hidden))} pooled or cut there; the point's "
                    f"exact value would give them away"))
    return out
