"""Threshold and cohort robustness of the arrears comparison, as tidy tables.

:func:`sweep` moves the LTI-utilisation threshold that defines a "high"
mortgage (the report moves it in 10-point steps across 80-120%) and
:func:`by_cohort` repeats the comparison per origination cohort and leaving one
cohort out, to show whether one cohort drives the result. Both return one row
per threshold (or cohort view) x population x group x time, with the
Kaplan-Meier cumulative incidence 1 - S and the Aalen-Johansen cumulative
incidence (leaving the data as a competing event) side by side, the log-rank
p-value and the Cox hazard ratio of "above" versus "within".

Times are on the study's own scale: ``time`` 1 is the origination year, so the
report's "after 6 years" is ``time == 7``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from cohorts.columns import COHORT, DURATION, EVENT, EXIT_ARREARS, EXIT_TYPE, LTI_UTIL, STARTER
from cohorts.errors import ContractError, Failure
from cohorts.survival._validate import SOURCE, check_alpha, check_survival, require_columns
from cohorts.survival.cif import fit_cif
from cohorts.survival.cox import ConvergenceError, fit_cox
from cohorts.survival.km import fit_km
from cohorts.survival.logrank import logrank

WITHIN = "within"
ABOVE = "above"
DEFAULT_THRESHOLDS = (0.8, 0.9, 1.0, 1.1, 1.2)
DEFAULT_HORIZONS = tuple(range(1, 8))
ALL = "all"
STARTERS = "starters"

SWEEP_COLUMNS = (
    "population",
    "group",
    "time",
    "n",
    "events",
    "n_at_risk",
    "km_cum_inc",
    "km_cum_inc_lower",
    "km_cum_inc_upper",
    "cif",
    "cif_lower",
    "cif_upper",
    "logrank_p",
    "hr_above",
    "hr_lower",
    "hr_upper",
    "note",
)


def default_populations() -> dict[str, str | None]:
    """``{"all": None, "starters": "starter"}``: all new mortgages, and rows with ``starter`` true."""
    return {ALL: None, STARTERS: STARTER}


def _check_inputs(
    df: pd.DataFrame,
    *,
    duration: str,
    event: str,
    exit_type: str,
    lti_util: str,
    populations: Mapping[str, str | None],
    extra: Sequence[str] = (),
) -> None:
    pop_cols = [c for c in populations.values() if c is not None]
    require_columns(df, [duration, event, exit_type, lti_util, *pop_cols, *extra])
    check_survival(df, duration=duration, event=event, others=[exit_type, *pop_cols, *extra])
    u = pd.to_numeric(df[lti_util], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(u)
    if bad.any():
        ex = tuple(f"row {df.index[i]!r}" for i in np.flatnonzero(bad)[:3])
        raise ContractError([Failure(SOURCE, lti_util, "number (inf allowed), not missing", int(bad.sum()), ex)])
    ev = df[event].astype(bool).to_numpy()
    mismatch = ev != (df[exit_type].to_numpy() == EXIT_ARREARS)
    if mismatch.any():
        ex = tuple(f"row {df.index[i]!r}" for i in np.flatnonzero(mismatch)[:3])
        raise ContractError(
            [Failure(SOURCE, exit_type, f"{EXIT_ARREARS} exactly where {event} is true", int(mismatch.sum()), ex)]
        )


def compare_groups(
    df: pd.DataFrame,
    above: np.ndarray,
    *,
    horizons: Iterable[float] = DEFAULT_HORIZONS,
    alpha: float = 0.05,
    duration: str = DURATION,
    event: str = EVENT,
    exit_type: str = EXIT_TYPE,
    labels: tuple[str, str] = (WITHIN, ABOVE),
) -> pd.DataFrame:
    """Compare two groups (``above`` false / true) of one population at the horizons.

    Parameters
    ----------
    df : pandas.DataFrame
        The population (one row per mortgage).
    above : numpy.ndarray of bool
        Group indicator, aligned with ``df``.
    horizons : iterable of float, default 1..7
        Times on the study scale (1 = origination year).
    alpha : float, default 0.05
        1 - confidence level.
    duration, event, exit_type : str
        Column names (defaults from :mod:`cohorts.columns`).
    labels : tuple of str, default ("within", "above")
        Labels of the false and true group.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`SWEEP_COLUMNS` except ``population``. Estimates are
        NaN at times with nobody at risk in a group. ``logrank_p`` and the Cox
        hazard ratio of the true group (univariable, Efron ties) repeat on
        every row; ``note`` says why they are missing, if they are.
    """
    hs = np.asarray(list(horizons), dtype=float)
    g = np.where(above, labels[1], labels[0])
    work = pd.DataFrame(
        {
            "d": df[duration].to_numpy(dtype=float),
            "e": df[event].astype(bool).to_numpy(),
            "x": df[exit_type].to_numpy(),
            "g": pd.Categorical(g, categories=list(labels)),
            "a": above.astype(float),
        }
    )
    present = [lab for lab in labels if (g == lab).any()]
    out = []
    for lab in present:
        sub = work[work["g"] == lab]
        km = fit_km(sub, duration="d", event="e", alpha=alpha).at(hs)
        rows = pd.DataFrame(
            {
                "group": lab,
                "time": hs,
                "n": len(sub),
                "events": int(sub["e"].sum()),
                "n_at_risk": km["n_at_risk"].to_numpy(),
                "km_cum_inc": km["cum_inc"].to_numpy(),
                "km_cum_inc_lower": km["cum_inc_lower"].to_numpy(),
                "km_cum_inc_upper": km["cum_inc_upper"].to_numpy(),
            }
        )
        if sub["e"].any():
            cf = fit_cif(sub, duration="d", event_type="x", alpha=alpha).at(hs)
            rows["cif"] = cf["cif"].to_numpy()
            rows["cif_lower"] = cf["cif_lower"].to_numpy()
            rows["cif_upper"] = cf["cif_upper"].to_numpy()
        else:
            rows["cif"] = 0.0
            rows["cif_lower"] = np.nan
            rows["cif_upper"] = np.nan
        gone = rows["n_at_risk"].to_numpy() == 0
        for c in ("km_cum_inc", "km_cum_inc_lower", "km_cum_inc_upper", "cif", "cif_lower", "cif_upper"):
            rows.loc[gone, c] = np.nan
        out.append(rows)
    res = pd.concat(out, ignore_index=True)
    note = ""
    lr_p = hr = lo = hi = np.nan
    if len(present) < 2:
        note = f"only group {present[0]!r} present"
    elif not work["e"].any():
        note = "no events"
    else:
        lr_p = logrank(work, duration="d", event="e", group="a").p_value
        ev_by = work.groupby("g", observed=True)["e"].sum()
        if (ev_by == 0).any():
            note = "a group without events: hazard ratio not estimable"
        else:
            try:
                s = fit_cox(work, duration="d", event="e", covariates=["a"], alpha=alpha).summary
                hr, lo, hi = (float(s.loc["a", k]) for k in ("hr", "hr_lower", "hr_upper"))
            except ConvergenceError as exc:
                note = f"Cox model did not converge: {exc}"
    res["logrank_p"] = lr_p
    res["hr_above"] = hr
    res["hr_lower"] = lo
    res["hr_upper"] = hi
    res["note"] = note
    return res


def sweep(
    df: pd.DataFrame,
    *,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    populations: Mapping[str, str | None] | None = None,
    horizons: Iterable[float] = DEFAULT_HORIZONS,
    alpha: float = 0.05,
    duration: str = DURATION,
    event: str = EVENT,
    exit_type: str = EXIT_TYPE,
    lti_util: str = LTI_UTIL,
) -> pd.DataFrame:
    """Arrears comparison of "within" vs "above" for a range of LTI thresholds.

    For each threshold t the group "above" is recomputed as ``lti_util > t``
    (the stored ``high`` column is not used) and "within" is ``lti_util <= t``;
    infinite utilisation counts as above.

    Parameters
    ----------
    df : pandas.DataFrame
        The cohort table: one row per new mortgage with ``duration``, ``event``,
        ``exit_type``, ``lti_util`` and the population columns.
    thresholds : sequence of float, default (0.8, 0.9, 1.0, 1.1, 1.2)
        Utilisation cut-offs as ratios (1.0 = 100% of the norm maximum).
    populations : mapping of str to str or None, optional
        Name -> boolean column selecting the population (``None`` = all rows).
        Default: ``{"all": None, "starters": "starter"}``.
    horizons : iterable of float, default 1..7
        Times on the study scale (column ``time``; 1 = origination year, 7 =
        the report's "after 6 years").
    alpha : float, default 0.05
        1 - confidence level of every interval.
    duration, event, exit_type, lti_util : str
        Column names (defaults from :mod:`cohorts.columns`).

    Returns
    -------
    pandas.DataFrame
        One row per threshold x population x group x time with columns
        ``threshold`` and :data:`SWEEP_COLUMNS`: ``n`` and ``events`` of the
        group, ``n_at_risk`` at ``time``, ``km_cum_inc`` = 1 - Kaplan-Meier
        with its log-log interval, ``cif`` = Aalen-Johansen cumulative
        incidence with leaving the data as competing event (log interval),
        ``logrank_p`` (within vs above), ``hr_above`` with ``hr_lower`` /
        ``hr_upper`` (univariable Cox, Efron ties) and ``note``.

    Raises
    ------
    cohorts.errors.ContractError
        Missing columns, invalid durations or events, missing ``lti_util``,
        ``exit_type`` inconsistent with ``event``.
    ValueError
        For an empty ``thresholds`` or ``alpha`` outside (0, 1).
    """
    alpha = check_alpha(alpha)
    if len(thresholds) == 0:
        raise ValueError("thresholds must contain at least one value, but was empty")
    pops = default_populations() if populations is None else dict(populations)
    _check_inputs(df, duration=duration, event=event, exit_type=exit_type, lti_util=lti_util, populations=pops)
    util = df[lti_util].to_numpy(dtype=float)
    parts = []
    for name, col in pops.items():
        mask = np.ones(len(df), bool) if col is None else df[col].astype(bool).to_numpy()
        sub = df.loc[mask]
        for t in thresholds:
            res = compare_groups(
                sub, util[mask] > t, horizons=horizons, alpha=alpha,
                duration=duration, event=event, exit_type=exit_type,
            )
            res.insert(0, "population", name)
            res.insert(0, "threshold", float(t))
            parts.append(res)
    return pd.concat(parts, ignore_index=True)[["threshold", *SWEEP_COLUMNS]]


def by_cohort(
    df: pd.DataFrame,
    *,
    threshold: float = 1.0,
    populations: Mapping[str, str | None] | None = None,
    horizons: Iterable[float] = DEFAULT_HORIZONS,
    alpha: float = 0.05,
    duration: str = DURATION,
    event: str = EVENT,
    exit_type: str = EXIT_TYPE,
    lti_util: str = LTI_UTIL,
    cohort: str = COHORT,
) -> pd.DataFrame:
    """The within/above comparison pooled, per origination cohort, and leaving one cohort out.

    Parameters
    ----------
    df : pandas.DataFrame
        The cohort table (see :func:`sweep`), with a ``cohort`` column.
    threshold : float, default 1.0
        Utilisation cut-off; "above" is ``lti_util > threshold``.
    populations : mapping of str to str or None, optional
        As in :func:`sweep`.
    horizons : iterable of float, default 1..7
        Times on the study scale. A cohort originated in year c is followed to
        at most ``2019 - c`` on this scale; later times are NaN.
    alpha : float, default 0.05
        1 - confidence level.
    duration, event, exit_type, lti_util, cohort : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Columns ``view`` (``"pooled"``, ``"cohort"`` = only that cohort,
        ``"leave_one_out"`` = all cohorts but that one), ``cohort`` (the
        cohort concerned; ``"all"`` for the pooled view), ``threshold`` and
        :data:`SWEEP_COLUMNS`. If dropping one cohort moves the hazard ratio
        outside the pooled interval, that cohort drives the result.

    Raises
    ------
    cohorts.errors.ContractError
        As :func:`sweep`, and a missing ``cohort`` column.
    """
    alpha = check_alpha(alpha)
    pops = default_populations() if populations is None else dict(populations)
    _check_inputs(
        df, duration=duration, event=event, exit_type=exit_type, lti_util=lti_util,
        populations=pops, extra=[cohort],
    )
    util = df[lti_util].to_numpy(dtype=float)
    coh = df[cohort].to_numpy()
    parts = []
    kw = dict(horizons=list(horizons), alpha=alpha, duration=duration, event=event, exit_type=exit_type)
    for name, col in pops.items():
        pmask = np.ones(len(df), bool) if col is None else df[col].astype(bool).to_numpy()
        views = [("pooled", "all", pmask)]
        for c in sorted(pd.unique(coh[pmask])):
            views.append(("cohort", str(c), pmask & (coh == c)))
            views.append(("leave_one_out", str(c), pmask & (coh != c)))
        for view, label, m in views:
            if not m.any():
                continue
            res = compare_groups(df.loc[m], util[m] > threshold, **kw)  # type: ignore[arg-type]
            res.insert(0, "population", name)
            res.insert(0, "threshold", float(threshold))
            res.insert(0, "cohort", label)
            res.insert(0, "view", view)
            parts.append(res)
    return pd.concat(parts, ignore_index=True)[["view", "cohort", "threshold", *SWEEP_COLUMNS]]
