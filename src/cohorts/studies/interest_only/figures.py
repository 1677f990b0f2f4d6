"""Figures of the interest-only study, drawn from the released tables (``tree.csv``, ``sweep.csv``).

They take the files as the gate released them (a hidden cell is the marker ``x``) and never the
microdata, so a notebook shows exactly what may leave.

* :func:`plot_tree`: the study's Figuur 6 / 15, the outcome of the vulnerability tree per scenario as
  shares of the interest-only households, one stacked bar per scenario.  Cells the gate hid are drawn
  together as one hatched segment whose size is the released total minus the released cells (public
  arithmetic), labelled as hidden, never as zero.
* :func:`plot_sweep`: the study's Figuur 24, the share failing the annuity test (step 4) by scenario
  start year, from the rounded sweep, with each scenario's worst start year (the exact value of
  ``tree.csv``) marked.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from cohorts.report.style import LINE_PALETTE, LINESTYLES, MARKERS, PALETTE, PALETTE_EXTRA, styled

from . import columns as IO
from .release import ALL, GROUPS, OUTCOMES, TREND

#: The tree's outcomes grouped as the study's Figuur 6 / 15 shows them (label, outcomes, colour).
SEGMENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("no refinancing moment (step 1)", OUTCOMES[0:1], PALETTE_EXTRA[0]),
    ("repays from free wealth (step 2)", OUTCOMES[1:2], PALETTE_EXTRA[2]),
    ("refinances with an annuity (steps 3-4)", OUTCOMES[2:4], PALETTE[0]),
    ("refinances with 50% interest-only (steps 5-6)", OUTCOMES[4:6], PALETTE[3]),
    ("forced sale, house value covers the debt", OUTCOMES[6:7], PALETTE[1]),
    ("forced sale with residual debt", OUTCOMES[7:8], PALETTE_EXTRA[1]),
)
HIDDEN_LABEL = "not shown (disclosure control)"
SCENARIO_LABELS = {"base": "base", "recession": "recession", "high_rate": "high rate", "housing_crisis": "housing crisis"}


def _numbers(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce")


@styled(width="double", aspect=0.42)
def plot_tree(tree: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked bars of the tree's outcomes per scenario (percent of the IO households).

    Parameters
    ----------
    tree : pandas.DataFrame
        ``tree.csv`` as released (``scenario, start_year, outcome, n, share, population``; hidden cells
        hold the marker).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (default: a new single-column figure in the house style).

    Returns
    -------
    matplotlib.axes.Axes
    """
    scenarios = list(dict.fromkeys(tree[IO.SCENARIO]))
    y = np.arange(len(scenarios))[::-1]
    drawn: dict[str, object] = {}
    any_hidden = False
    for yi, name in zip(y, scenarios, strict=True):
        rows = tree[tree[IO.SCENARIO] == name].set_index("outcome")
        n = _numbers(rows["n"])
        total = float(n[ALL])
        left = 0.0
        for label, outcomes, colour in SEGMENTS:
            for outcome in outcomes:  # cell by cell: a hidden cell leaves its released neighbours drawn
                if np.isnan(n[outcome]):
                    continue
                width = 100.0 * float(n[outcome]) / total
                drawn[label] = ax.barh(yi, width, left=left, color=colour, edgecolor=colour, linewidth=0.0)
                left += width
        hidden = n[list(OUTCOMES)].isna()
        if hidden.any():
            any_hidden = True
            width = 100.0 * (total - float(n[list(OUTCOMES)][~hidden].sum())) / total
            drawn[HIDDEN_LABEL] = ax.barh(yi, width, left=left, color="white", edgecolor="0.3", hatch="xxx",
                                          linewidth=0.4)
    start = tree.drop_duplicates(IO.SCENARIO).set_index(IO.SCENARIO)[IO.START_YEAR].astype(str)
    ax.set_yticks(y, [SCENARIO_LABELS.get(s, s) + ("" if start[s] == TREND else f" (start {start[s]})")
                      for s in scenarios])
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of households with an interest-only part, end 2016 (%)")
    n_all = int(_numbers(tree.loc[tree["outcome"] == ALL, "n"]).iloc[0])
    ax.set_title(f"Outcome of the vulnerability tree per scenario (N = {n_all:,} households)", loc="left")
    order = [label for label, _, _ in SEGMENTS if label in drawn] + ([HIDDEN_LABEL] if any_hidden else [])
    handles = [Patch(facecolor=drawn[k].patches[0].get_facecolor(), edgecolor=drawn[k].patches[0].get_edgecolor(),
                     hatch=drawn[k].patches[0].get_hatch()) for k in order]
    ax.legend(handles, order, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False)
    return ax


def _start_label(name: str, start: str, timed_by: Mapping[str, str] | None) -> str:
    """``worst start S``, or for a scenario timed by its floor ``start S, most refinancing at its floor``."""
    if (timed_by or {}).get(name) == "floor":
        return f"start {start}, most refinancing at its floor"
    return f"worst start {start}"


@styled(width="double", aspect=0.45)
def plot_sweep(
    sweep: pd.DataFrame, tree: pd.DataFrame, *, timed_by: Mapping[str, str] | None = None, ax: Axes | None = None
) -> Axes:
    """Share failing the annuity test (step 4) by start year, one line per shock scenario.

    Parameters
    ----------
    sweep : pandas.DataFrame
        ``sweep.csv`` as released (rounded counts; the worst start year's row is in ``tree.csv``).
    tree : pandas.DataFrame
        ``tree.csv`` as released: the worst start year and its exact share (a point).
    timed_by : Mapping[str, str], optional
        Per scenario its ``timed_by`` (:class:`cohorts.scenarios.Scenario`): a scenario timed by its
        floor (the housing crisis) is labelled so, since its start year need not maximise step 4.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    fail = sweep[sweep["group"] == "fail_annuity"]
    base = int(fail["rounding_base"].iloc[0]) if len(fail) else 0
    total = float(_numbers(tree.loc[tree["outcome"] == ALL, "n"]).iloc[0])
    for k, (name, rows) in enumerate(fail.groupby(IO.SCENARIO, sort=False)):
        colour, style, marker = LINE_PALETTE[k % 4], LINESTYLES[k % 4], MARKERS[k % 4]
        label = SCENARIO_LABELS.get(name, name)
        years = rows[IO.START_YEAR].to_numpy(dtype=int)
        counts = _numbers(rows["n_rounded"]).to_numpy()
        order = np.argsort(years)
        years, counts = years[order], counts[order]
        # the rounding interval: the true count lies within half a base of the rounded one
        ax.fill_between(years, 100.0 * np.maximum(counts - base / 2, 0) / total, 100.0 * (counts + base / 2) / total,
                        color=colour, alpha=0.12, linewidth=0, step="mid")
        ax.step(years, 100.0 * counts / total, where="mid", color=colour, linestyle=style, linewidth=1.0,
                label=f"{label} (rounded)")
        worst = tree[(tree[IO.SCENARIO] == name)].set_index("outcome")
        start = str(worst[IO.START_YEAR].iloc[0])
        n = _numbers(worst["n"])
        cells = n[list(GROUPS["fail_annuity"])]
        rest = n[[o for o in OUTCOMES if o not in GROUPS["fail_annuity"]]]
        exact = (float(cells.sum()) if not cells.isna().any()
                 else float(n[ALL]) - float(rest.sum()) if not rest.isna().any() else np.nan)
        if start != TREND and np.isfinite(exact):
            ax.plot([int(start)], [100.0 * exact / total], marker=marker, color=colour, linestyle="none",
                    markersize=5, label=f"{label}: {_start_label(name, start, timed_by)} (exact)")
    ax.set_xlabel("start year of the scenario")
    ax.set_ylabel("fail the annuity test (step 4), %")
    ax.set_title(f"Step-4 failures by start year (other years rounded to {base} households; band: "
                 "rounding interval)", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    return ax


@styled(width="double", aspect=0.45)
def plot_sensitivity(sensitivity: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The study's Figuur 19: per parameter, the share failing step 4 over its one-at-a-time range.

    Parameters
    ----------
    sensitivity : pandas.DataFrame
        ``sensitivity.csv`` as released (rounded counts; ``share`` in percent of the IO households).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One horizontal bar per parameter from the lowest to the highest share over its grid, the
        baseline (no shock) as a vertical line, the values at both ends written beside the bar.
    """
    rows = []
    for name, g in sensitivity.groupby("parameter", sort=False):
        share = _numbers(g["share"])
        values = _numbers(g["value"])
        lo, hi = share.idxmin(), share.idxmax()
        rows.append((name, share.min(), share.max(), values[lo], values[hi]))
    rows.sort(key=lambda r: r[2] - r[1])  # the widest range on top
    baseline = float(_numbers(sensitivity.loc[sensitivity["is_baseline"].astype(str).str.lower() == "true",
                                              "share"]).iloc[0])
    y = np.arange(len(rows))
    ax.barh(y, [r[2] - r[1] for r in rows], left=[r[1] for r in rows], color=PALETTE[0], height=0.6,
            label="range over the parameter's values")
    for yi, (_, lo, hi, vlo, vhi) in zip(y, rows, strict=True):
        ax.annotate(f"{vlo:g}", (lo, yi), xytext=(-3, 0), textcoords="offset points", ha="right", va="center")
        ax.annotate(f"{vhi:g}", (hi, yi), xytext=(3, 0), textcoords="offset points", ha="left", va="center")
    ax.axvline(baseline, color=LINE_PALETTE[2], linestyle=LINESTYLES[1], linewidth=1.0,
               label=f"baseline (values of 2017, no growth): {baseline:.1f}%")
    ax.set_yticks(y, [SENSITIVITY_LABELS.get(r[0], r[0]) for r in rows])
    ax.set_xlabel("fail the annuity test (step 4), % of households with an interest-only part")
    base = int(_numbers(sensitivity["rounding_base"]).iloc[0])
    ax.set_title(f"One parameter at a time (counts rounded to {base} households; numbers: the parameter's "
                 "value at each end)", loc="left")
    low, high = min(r[1] for r in rows), max(r[2] for r in rows)
    span = max(high - low, 1e-9)
    ax.set_xlim(low - 0.15 * span, high + 0.1 * span)  # room for the end values beside the bars
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, frameon=False)
    return ax


SENSITIVITY_LABELS = {"mortgage_rate": "mortgage rate (%)", "house_value": "house value (% of 2017)",
                      "labour_income": "labour income (% of 2017)", "pension_income": "pension income (% of 2017)",
                      "replacement_ratio": "replacement ratio (%)", "life_expectancy": "life expectancy (years)",
                      "wealth": "free wealth (% of 2017)"}


def _year_axis(by_year: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    labels = by_year["refinancing_year"].astype(str).tolist()
    return np.arange(len(labels)), labels


def _sparse_ticks(ax: Axes, x: np.ndarray, labels: list[str], *, every: int = 5) -> None:
    keep = [i for i, lab in enumerate(labels) if lab.endswith("+") or int(lab) % every == 0]
    ax.set_xticks(x[keep], [labels[i] for i in keep])


@styled(width="double", aspect=0.4)
def plot_maturities(by_year: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """The study's Figuur 4: households with a refinancing moment by the year their IO debt matures.

    Parameters
    ----------
    by_year : pandas.DataFrame
        ``by_year.csv`` as released (counts rounded; population estimates from them).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    x, labels = _year_axis(by_year)
    ax.bar(x, _numbers(by_year["households_population"]) / 1000.0, color=PALETTE[0], width=0.8,
           label="households (population estimate)")
    _sparse_ticks(ax, x, labels)
    ax.set_xlabel("year the first interest-only part matures (refinancing year)")
    ax.set_ylabel("households (thousands)")
    base = int(_numbers(by_year["rounding_base"]).iloc[0])
    ax.set_title(f"Maturities of interest-only debt by year (sample counts rounded to {base} households)", loc="left")
    ax.legend(loc="upper right", frameon=False)
    return ax
