"""The survival extras: the threshold sweep, the Cox model (hazard ratios) and the cohort sensitivity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from cohorts import columns as C
from cohorts.disclosure.artefacts import COHORT_SENSITIVITY_HORIZON
from cohorts.studies.high_mortgages import tables as T
from cohorts.report.style import LINESTYLES, MARKERS, PALETTE
from cohorts.studies.high_mortgages.figures.common import (
    _hidden,
    _mark_points,
    MARKER,
    _note_suppressed,
    _styled,
    _t,
    _values,
)


def _points_with_intervals(
    ax: Axes, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, k: int, label: str,
    hidden: np.ndarray,
) -> bool:
    """Points with intervals at the released ``x``; the omitted (``hidden``) points marked ``x``."""
    shown = np.isfinite(y)
    err = np.vstack([np.nan_to_num(y[shown] - lo[shown]), np.nan_to_num(hi[shown] - y[shown])])
    ax.errorbar(x[shown], y[shown], yerr=err, fmt=MARKERS[k], color=PALETTE[k], capsize=2,
                linestyle=LINESTYLES[k], label=label)
    if hidden.any():
        _mark_points(ax, x[hidden], colour=PALETTE[k], row=k)  # series on the same x: one row each
    return bool(hidden.any())


def _percent_floor(ax: Axes, values: pd.Series) -> None:
    """A y-axis of percentages from 0 (0 to 10 when no point is released)."""
    if np.isfinite(_values(values)).any():
        ax.set_ylim(bottom=0.0)
    else:
        ax.set_ylim(0.0, 10.0)


def _cum_inc_points(ax: Axes, sub: pd.DataFrame, x: np.ndarray, *, k: int, label: str) -> bool:
    """KM cumulative incidence (percent) with its interval at ``x``; gaps where ``sub['_gap']``."""
    return _points_with_intervals(
        ax, x, 100.0 * _values(sub["km_cum_inc"]), 100.0 * _values(sub["km_cum_inc_lower"]),
        100.0 * _values(sub["km_cum_inc_upper"]), k=k, label=label, hidden=sub["_gap"].to_numpy())


def plot_figure_sweep(data: pd.DataFrame, *, horizon: int | None = None, lang: str = "en", ax: Axes) -> Axes:
    """The threshold sweep drawn from its data (:func:`cohorts.studies.high_mortgages.tables.threshold_sweep_data`, gated or not).

    Points with 95% intervals above and at/below each threshold at one
    ``horizon`` (default: the largest time in the data); a suppressed point
    is omitted and marked ``x``.
    """
    h = int(data["time"].max()) if horizon is None and len(data) else int(horizon or 0)
    data = data.loc[(data["time"] == h).to_numpy()]
    gaps = _hidden(data, "km_cum_inc")
    hidden_any = False
    for k, (group, key) in enumerate((("within", "below"), ("above", "above"))):
        hit = (data["group"] == group).to_numpy()
        sub = data.loc[hit].assign(_gap=gaps[hit]).sort_values("threshold")
        x = 100.0 * sub["threshold"].to_numpy(dtype="float64") + (1.0 if k else -1.0)
        hidden_any |= _cum_inc_points(ax, sub, x, k=k, label=_t(lang, key))
    ticks = sorted(100.0 * float(t) for t in pd.unique(data["threshold"]))
    ax.set_xticks(ticks)
    if ticks:
        ax.set_xlim(ticks[0] - 5.0, ticks[-1] + 5.0)
    _percent_floor(ax, data["km_cum_inc"])
    ax.set_xlabel(_t(lang, "lti_threshold"))
    ax.set_ylabel(_t(lang, "cum_inc", h=h - 1))
    ax.legend()
    if hidden_any:
        _note_suppressed(ax, lang=lang)
    return ax


@_styled()
def figure_sweep(
    cohorts: pd.DataFrame,
    *,
    thresholds: Sequence[float] = (0.8, 0.9, 1.0, 1.1, 1.2),
    horizon: int = 7,
    starters: bool = True,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """The robustness sweep: cumulative arrears at ``horizon`` above vs at/below each threshold.

    Points with 95% intervals; the report quotes starters above 90% (8.4%)
    and 80% (7.6%) after 6 years (duration 7).
    """
    data = T.threshold_sweep_data(cohorts, thresholds=thresholds, horizon=horizon, starters=starters)
    plot_figure_sweep(data, horizon=horizon, lang=lang, ax=ax)
    ax.set_xticks([100.0 * t for t in thresholds])
    return ax


#: Plain tick values of the hazard-ratio axis (log scale): no 3x10^-1 labels.
_HR_TICKS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)

_COX_LABELS = {
    "en": {C.HIGH: "LTI > 100% (ref. \u2264 100%)", C.STARTER: "first-time buyer (ref. other)",
           C.COHORT: "cohort {level} (ref. {ref})"},
    "nl": {C.HIGH: "LTI > 100% (ref. \u2264 100%)", C.STARTER: "koopstarter (ref. overig)",
           C.COHORT: "jaargang {level} (ref. {ref})"},
}
#: Readable labels of the Cox model's terms in English and Dutch (``{level}``, ``{ref}`` of a factor).
COX_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({k: MappingProxyType(v) for k, v in _COX_LABELS.items()})


def cox_label(term: str, *, ref: object = None, lang: str = "en") -> str:
    """A readable label of a Cox model term (``cohort[T.2013]`` -> ``cohort 2013 (ref. 2012)``).

    ``ref`` is the reference level of a factor (treatment coding drops the
    lowest level; default: the first cohort year).  A term without a label is
    returned as it is.
    """
    _t(lang, "within")
    labels = COX_LABELS[lang]
    name, _, rest = term.partition("[T.")
    if rest and name in labels:
        return labels[name].format(level=rest.rstrip("]"), ref=C.COHORT_YEARS[0] if ref is None else ref)
    return labels.get(term, term)


def _cohort_reference(terms: Sequence[str]) -> int | None:
    """The reference cohort of the ``cohort[T.<year>]`` terms: the year before the first one shown."""
    years = [int(t[len(C.COHORT) + 3:-1]) for t in terms if t.startswith(f"{C.COHORT}[T.") and t[-1] == "]"
             and t[len(C.COHORT) + 3:-1].isdigit()]
    return min(years) - 1 if years else None


def plot_figure_cox(data: pd.DataFrame, *, lang: str = "en", ax: Axes) -> Axes:
    """The Cox forest plot drawn from its data (:func:`cohorts.studies.high_mortgages.tables.cox_data`, gated or not).

    A model refused by the disclosure gate (one row with its reason) is not
    drawn; the axes say so.
    """
    hr = _values(data["hr"])
    # a refused model is one row without estimates; a released model whose N the gate hid
    # (secondary suppression of n, n_events) still shows its hazard ratios
    shown = np.isfinite(hr) & np.isfinite(_values(data["hr_lower"])) & np.isfinite(_values(data["hr_upper"]))
    sub = data.loc[shown]
    y = np.arange(len(sub))[::-1]
    hr = hr[shown]
    xerr = np.vstack([hr - _values(sub["hr_lower"]), _values(sub["hr_upper"]) - hr])
    if len(sub):
        ax.errorbar(hr, y, xerr=xerr, fmt="o", color=PALETTE[0], capsize=2)
        ax.set_xscale("log")
        lo = float(np.nanmin(np.concatenate([_values(sub["hr_lower"]), hr, [1.0]])))
        hi = float(np.nanmax(np.concatenate([_values(sub["hr_upper"]), hr, [1.0]])))
        ticks = [v for v in _HR_TICKS if lo / 1.25 <= v <= hi * 1.25]
        ax.set_xlim(min(lo, ticks[0]) / 1.1, max(hi, ticks[-1]) * 1.1)
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    else:
        ax.text(0.5, 0.5, _t(lang, "refused"), ha="center", va="center", transform=ax.transAxes,
                fontsize="small", style="italic")
        ax.set_xticks([])  # no axis of numbers without a number drawn
    if len(sub):
        ax.axvline(1.0, color="grey", linewidth=0.6)
    terms = [str(c) for c in data["covariate"]]
    ax.set_yticks(y, [cox_label(t, ref=_cohort_reference(terms), lang=lang) for t in map(str, sub["covariate"])])
    ax.set_xlabel(_t(lang, "hr"))
    n = _values(data["n"])[:1]
    e = _values(data["n_events"])[:1]
    if len(n) and np.isfinite(n[0]) and np.isfinite(e[0]):
        ax.set_title(_t(lang, "n_arrears", n=T.format_number(float(n[0]), decimals=0, lang=lang),
                        e=T.format_number(float(e[0]), decimals=0, lang=lang)), loc="left")
    else:
        ax.set_title(f"N = {MARKER}", loc="left")
        if len(sub):  # the estimates are shown, their N is not: say why
            _note_suppressed(ax, lang=lang)
    return ax


@_styled(aspect=0.8)
def figure_cox(
    cohorts: pd.DataFrame,
    *,
    covariates: Sequence[str] = (C.HIGH, C.STARTER, f"C({C.COHORT})"),
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Forest plot of Cox hazard ratios of first arrears (log scale, 95% intervals).

    The report states the comparison only in words; the default model has the
    high flag, the starter flag and cohort dummies (reference 2012).
    """
    return plot_figure_cox(T.cox_data(cohorts, covariates=covariates), lang=lang, ax=ax)


def plot_figure_cohort_sensitivity(data: pd.DataFrame, *, horizon: int = COHORT_SENSITIVITY_HORIZON, lang: str = "en",
                                   ax: Axes) -> Axes:
    """Cohort sensitivity drawn from its data (:func:`cohorts.studies.high_mortgages.tables.cohort_sensitivity_data`, gated or not).

    Cumulative arrears at duration ``horizon`` per cohort (view ``cohort``),
    within the norm vs high; a suppressed point is omitted and marked ``x``.
    """
    keep = (data["view"] == "cohort").to_numpy() & (data["time"] == horizon).to_numpy()
    data = data.loc[keep]
    gaps = _hidden(data, "km_cum_inc")
    hidden_any = False
    for k, (group, cat) in enumerate((("within", "within"), ("above", "high"))):
        hit = (data["group"] == group).to_numpy()
        sub = data.loc[hit].assign(_gap=gaps[hit], _cohort=data.loc[hit, C.COHORT].astype(int)).sort_values("_cohort")
        x = sub["_cohort"].to_numpy(dtype="float64")  # on the year ticks; series differ in colour and marker
        hidden_any |= _cum_inc_points(ax, sub, x, k=k, label=_t(lang, cat, thr=100.0))
    years = list(C.COHORT_YEARS)
    ax.set_xticks(years)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)  # all years, also when few points are released
    _percent_floor(ax, data["km_cum_inc"])
    ax.set_xlabel(_t(lang, "cohort"))
    ax.set_ylabel(_t(lang, "cohort_arrears", h=horizon - 1))
    ax.legend(ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    if hidden_any:
        _note_suppressed(ax, lang=lang)
    return ax


@_styled()
def figure_cohort_sensitivity(
    cohorts: pd.DataFrame,
    *,
    horizon: int = COHORT_SENSITIVITY_HORIZON,
    starters: bool = False,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Cohort sensitivity: cumulative arrears at duration ``horizon`` per cohort, within vs high.

    ``horizon=2`` (one year after origination) is the longest follow-up that
    every cohort, including 2017, has; the disclosure gate's secondary
    suppression keeps these drawn points before the other rows of the data
    (:data:`cohorts.disclosure.artefacts.COHORT_SENSITIVITY_HORIZON`).
    """
    data = T.cohort_sensitivity_data(cohorts, starters=starters)
    return plot_figure_cohort_sensitivity(data, horizon=horizon, lang=lang, ax=ax)
