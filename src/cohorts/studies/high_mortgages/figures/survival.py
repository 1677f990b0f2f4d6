"""Survival curves: Figures 8 and 9 (Kaplan-Meier by utilisation, with the numbers at risk)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from cohorts import columns as C
from cohorts.disclosure import NOTE
from cohorts.studies.high_mortgages import tables as T
from cohorts.report.style import LINE_PALETTE, LINESTYLES
from cohorts.studies.high_mortgages.figures.common import _hidden, _styled, _t, _values


# --------------------------------------------------------------------------
# Figures 8, 9 and the survival extras
# --------------------------------------------------------------------------
def _at_risk_table(ax: Axes, at: pd.DataFrame, *, lang: str) -> None:
    """Numbers at risk under the x-axis label, one row per group (labels carry a 2-character sort key)."""
    ax.annotate(_t(lang, "at_risk"), xy=(0.0, -0.25), xycoords="axes fraction", ha="left", va="top",
                fontsize="small", style="italic", annotation_clip=False)
    for row, (group, tab) in enumerate(at.groupby("group", sort=True)):
        y = -0.32 - 0.07 * row
        ax.annotate(str(group)[2:], xy=(0.0, y), xycoords="axes fraction", ha="right", va="top", fontsize="small",
                    annotation_clip=False)
        for t, n in zip(tab["time"], tab["n_at_risk"], strict=True):
            ax.annotate(T.format_number(float(n), decimals=0, lang=lang), xy=(t, y),
                        xycoords=("data", "axes fraction"), ha="center", va="top", fontsize="x-small",
                        annotation_clip=False)


def _survival_runs(note: np.ndarray, hidden: np.ndarray) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Released runs and hidden (pooled or suppressed) runs of one curve's points, as ``[start, stop)`` indices.

    Point 0 is the start of the curve (time 0, survival 1, always released);
    points cut by the gate (note ``cut ...``) end the curve and are in no run.
    """
    state = np.where(hidden, "hidden", "shown")
    state[np.char.startswith(note.astype(str), "cut")] = "cut"
    released: list[tuple[int, int]] = []
    pooled: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(state) + 1):
        if i == len(state) or state[i] != state[start]:
            if state[start] == "shown":
                released.append((start, i))
            elif state[start] == "hidden":
                pooled.append((start, i))
            start = i
    return released, pooled


#: How far (in years) the last released Kaplan-Meier step is drawn after its time.
_LAST_STEP: float = 0.3


def plot_survival(data: pd.DataFrame, *, threshold: float = 1.0, lang: str = "en", ax: Axes) -> Axes:
    """Figures 8 and 9 drawn from their data (:func:`cohorts.studies.high_mortgages.tables.survival_data`, gated or not).

    Released steps are drawn as a step curve with its 95% band.  A run of
    steps the gate pooled (or suppressed) is not drawn as a flat line (that
    would say "no arrears"): the curve stops at the start of the run, a dotted
    connector joins it to the next released step (when there is one), and
    each pooled time is marked ``x`` above the x-axis in the curve's colour,
    with the note "pooled steps (disclosure control)".  A cut curve ends at
    its last released step; the numbers at risk are those of the data (a
    hidden number is not printed).
    """
    from matplotlib.lines import Line2D

    gaps = _hidden(data, "surv")
    pooled_any = False
    handles: list[Line2D] = []
    for k, cat in enumerate(("within", "high")):
        hit = (data["category"] == cat).to_numpy()
        sub = data.loc[hit].assign(_gap=gaps[hit]).sort_values("time")
        t = np.concatenate([[0.0], sub["time"].to_numpy(dtype="float64")])
        y = np.concatenate([[1.0], _values(sub["surv"])])
        lo = np.concatenate([[1.0], _values(sub["surv_lower"])])
        hi = np.concatenate([[1.0], _values(sub["surv_upper"])])
        hidden = np.concatenate([[False], sub["_gap"].to_numpy(dtype=bool) | ~np.isfinite(_values(sub["surv"]))])
        note = sub[NOTE].fillna("").astype(str).to_numpy() if NOTE in sub.columns else np.full(len(sub), "")
        released, pooled = _survival_runs(np.concatenate([[""], note]), hidden)
        label = _t(lang, "within") if cat == "within" else _t(lang, "high", thr=100.0 * threshold)
        colour = LINE_PALETTE[k]
        for i, (a, b) in enumerate(released):
            # a released value holds until the next row's time when that row is pooled (known up to then)
            end = b + 1 if b < len(t) and any(p[0] == b for p in pooled) else b
            tt = np.append(t[a:b], t[end - 1]) if end > b else t[a:b]
            yy, ll, uu = (np.append(v[a:b], v[b - 1]) if end > b else v[a:b] for v in (y, lo, hi))
            if b == len(t) and b > 1:
                # the last released step: a short stub after it, so its value and band are seen
                # (a step at the last time would otherwise be a bare vertical drop without a band)
                tt = np.append(tt, t[-1] + _LAST_STEP)
                yy, ll, uu = (np.append(v, v[-1]) for v in (yy, ll, uu))
            ax.step(tt, yy, where="post", color=colour, linestyle=LINESTYLES[k], label=label if i == 0 else None)
            ax.fill_between(tt, ll, uu, step="post", color=colour, alpha=0.2, linewidth=0)
        for a, b in pooled:
            pooled_any = True
            nxt = [r for r in released if r[0] == b]
            if nxt:  # dotted connector from the last known value to the next released step
                ax.plot([t[a], t[b]], [y[a - 1], y[b]], color=colour, linestyle=":", linewidth=1.0)
            ax.plot(t[a:b], np.full(b - a, 0.03 + 0.05 * k), transform=ax.get_xaxis_transform(), linestyle="none",
                    marker="x", markersize=3.5, color=colour, clip_on=False)
        handles.append(Line2D([], [], color=colour, linestyle=LINESTYLES[k], label=label))
        y_row = -0.32 - 0.07 * k
        ax.annotate(label, xy=(0.0, y_row), xycoords="axes fraction", ha="right", va="top", fontsize="small",
                    annotation_clip=False)
        risk = sub.loc[np.isfinite(_values(sub["n_at_risk"]))]
        for tt_, n in zip(risk["time"], _values(risk["n_at_risk"]), strict=True):
            ax.annotate(T.format_number(float(n), decimals=0, lang=lang), xy=(tt_, y_row),
                        xycoords=("data", "axes fraction"), ha="center", va="top", fontsize="x-small",
                        annotation_clip=False)
    if pooled_any:
        handles.append(Line2D([], [], color="black", linestyle=":", marker="x", markersize=3.5,
                              label=_t(lang, "pooled")))
    ax.annotate(_t(lang, "at_risk"), xy=(0.0, -0.25), xycoords="axes fraction", ha="left", va="top",
                fontsize="small", style="italic", annotation_clip=False)
    ax.legend(handles=handles, loc="best")
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))  # whole percents only
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0, symbol=""))
    low = np.nanmin(_values(data["surv_lower"])) if np.isfinite(_values(data["surv_lower"])).any() else 0.9
    ax.set_ylim(max(0.0, min(0.9, np.floor(low * 20.0) / 20.0)), 1.005)
    ax.set_ylabel(_t(lang, "surv"))
    ax.set_xlabel(_t(lang, "year_after"))
    ax.set_xlim(0, 7.4)
    ax.set_xticks(list(range(1, 8)))
    return ax


def _survival_figure(
    cohorts: pd.DataFrame, *, starters: bool, threshold: float | None, lang: str, ax: Axes | None, ci: bool
) -> Axes:
    from cohorts.survival.km import fit_km

    frame = T.survival_frame(cohorts, starters=starters, threshold=threshold)
    thr = 100.0 * (1.0 if threshold is None else threshold)
    labels = {"within": _t(lang, "within"), "high": _t(lang, "high", thr=thr)}
    order = {"within": "1 ", "high": "2 "}  # sort key: within first (fit_km sorts the labels)
    frame["category"] = frame["category"].map(lambda c: order[c] + labels[c])
    res = fit_km(frame, duration=C.DURATION, event=C.EVENT, group="category")
    res.plot(ax=ax, at_risk=False, ci=ci)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles, [n[2:] for n in names], title=None, loc="lower left")
    _at_risk_table(ax, res.at(list(range(1, 8))), lang=lang)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0, symbol=""))
    ax.set_ylabel(_t(lang, "surv"))
    ax.set_xlabel(_t(lang, "year_after"))
    ax.set_xlim(0, 7.4)
    ax.set_xticks(list(range(1, 8)))
    return ax


@_styled(aspect=0.85)
def figure_8(
    cohorts: pd.DataFrame, *, threshold: float | None = None, ci: bool = True, lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Figure 8: Kaplan-Meier share without arrears, within the norm vs high, with numbers at risk.

    x = 1 is the origination year; the numbers at risk at x = k are the N the
    report prints under the figure.  ``threshold`` (fraction) redefines
    "high"; ``None`` uses the ``high`` column (> 100%).
    """
    return _survival_figure(cohorts, starters=False, threshold=threshold, lang=lang, ax=ax, ci=ci)


@_styled(aspect=0.85)
def figure_9(
    cohorts: pd.DataFrame, *, threshold: float | None = None, ci: bool = True, lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Figure 9: as Figure 8, for starters."""
    return _survival_figure(cohorts, starters=True, threshold=threshold, lang=lang, ax=ax, ci=ci)
