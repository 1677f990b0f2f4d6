"""Figures of the interest-only study drawn from hand-made released tables (figures.py).

Kinds: hand-worked (bar widths are the released counts over the total; the hidden cells of a scenario are
one hatched segment of the total minus the released cells, never a zero; the sweep's steps are the rounded
counts over the total and the worst start year's exact value is a marker); checks on the drawn Axes (every
drawn series has a legend entry, the N is printed, no legend entry without an artist).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from cohorts.studies.interest_only.figures import HIDDEN_LABEL, plot_sweep, plot_tree
from cohorts.studies.interest_only.release import OUTCOMES

X = "x"


def _tree() -> pd.DataFrame:
    rows = []
    # base: every cell shown; crisis (start 2030): the last two cells hidden (their sum is 20 + 10 = 30)
    base = dict(zip(OUTCOMES, [440, 80, 400, 10, 30, 10, 20, 10], strict=True))
    crisis = dict(zip(OUTCOMES, [440, 60, 380, 20, 40, 30, X, X], strict=True))
    for name, start, cells in (("base", "trend", base), ("housing_crisis", "2030", crisis)):
        rows.append({"scenario": name, "start_year": start, "outcome": "all", "n": 1000})
        rows += [{"scenario": name, "start_year": start, "outcome": o, "n": v} for o, v in cells.items()]
    return pd.DataFrame(rows)


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_tree_bars_are_released_shares_and_hidden_cells_one_segment() -> None:
    ax = plot_tree(_tree())
    bars = _bars(ax)
    ys = sorted({round(b.get_y() + b.get_height() / 2, 6) for b in bars})
    by_row = {y: [b for b in bars if round(b.get_y() + b.get_height() / 2, 6) == y] for y in ys}
    crisis_row, base_row = by_row[ys[0]], by_row[ys[1]]  # scenarios drawn top-down: base on top
    # base: 44.0, 8.0, 40.0, 1.0, 3.0, 1.0, 2.0, 1.0 percent, summing to 100
    assert [round(b.get_width(), 6) for b in base_row] == [44.0, 8.0, 40.0, 1.0, 3.0, 1.0, 2.0, 1.0]
    # crisis: six released cells (44 + 6 + 38 + 2 + 4 + 3 = 97) and one hatched segment of 3.0
    widths = [round(b.get_width(), 6) for b in crisis_row]
    assert widths == [44.0, 6.0, 38.0, 2.0, 4.0, 3.0, 3.0]
    assert crisis_row[-1].get_hatch() and not any(b.get_hatch() for b in crisis_row[:-1])
    assert round(sum(b.get_width() for b in crisis_row), 6) == 100.0
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert HIDDEN_LABEL in labels and len(labels) == 7  # six segments + hidden, each drawn
    assert "N = 1,000" in ax.get_title(loc="left")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["base", "housing crisis (start 2030)"]


def test_sweep_steps_are_rounded_counts_and_the_worst_year_a_marker() -> None:
    tree = _tree()
    sweep = pd.DataFrame({"scenario": "housing_crisis", "start_year": [2028, 2029, 2031], "group": "fail_annuity",
                          "n_rounded": [100, 100, 0], "share": [10.0, 10.0, 0.0], "population": 0.0,
                          "rounding_base": 100})
    ax = plot_sweep(sweep, tree)
    step = [ln for ln in ax.get_lines() if ln.get_linestyle() != "None"][0]
    np.testing.assert_allclose(step.get_ydata(), [10.0, 10.0, 0.0])  # 100 / 1000 households
    marker = [ln for ln in ax.get_lines() if ln.get_linestyle() == "None"][0]
    # crisis at 2030: fail step 4 = total minus the released cells 1-4 = 1000 - (440 + 60 + 380 + 20) = 100
    assert marker.get_xdata().tolist() == [2030]
    np.testing.assert_allclose(marker.get_ydata(), [10.0])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["housing crisis (rounded)", "housing crisis: worst start 2030 (exact)"]
    timed = plot_sweep(sweep, tree, timed_by={"housing_crisis": "floor"})  # the shipped crisis: timed by its floor
    assert [t.get_text() for t in timed.get_legend().get_texts()][1] == \
        "housing crisis: start 2030, most refinancing at its floor (exact)"


@pytest.mark.parametrize("plot", ["tree", "sweep"])
def test_every_drawn_series_has_a_legend_entry(plot) -> None:
    tree = _tree()
    if plot == "tree":
        ax = plot_tree(tree)
        n_series = len({b.get_facecolor() + (b.get_hatch(),) for b in _bars(ax)})
    else:
        sweep = pd.DataFrame({"scenario": "housing_crisis", "start_year": [2028], "group": "fail_annuity",
                              "n_rounded": [100], "share": [10.0], "population": 0.0, "rounding_base": 100})
        ax = plot_sweep(sweep, tree)
        n_series = len(ax.get_lines())
    assert len(ax.get_legend().get_texts()) == n_series


def test_sensitivity_bars_span_each_parameters_range() -> None:
    from cohorts.studies.interest_only.figures import plot_sensitivity

    sens = pd.DataFrame({"parameter": ["mortgage_rate"] * 3 + ["wealth"] * 3, "value": [2.0, 3.0, 4.0, 50, 100, 150],
                         "is_baseline": [False, True, False, False, True, False],
                         "share": [8.0, 10.0, 13.0, 10.5, 10.0, 9.5], "rounding_base": 100})
    ax = plot_sensitivity(sens)
    bars = sorted(_bars(ax), key=lambda b: b.get_y())
    # widest range on top: wealth 9.5-10.5 (width 1) below, the rate 8-13 (width 5) above
    assert [(round(b.get_x(), 6), round(b.get_width(), 6)) for b in bars] == [(9.5, 1.0), (8.0, 5.0)]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["free wealth (% of 2017)", "mortgage rate (%)"]
    assert ax.get_lines()[0].get_xdata()[0] == 10.0  # the baseline
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["2", "4", "150", "50"])


def test_maturity_bars_are_the_released_population_estimates() -> None:
    from cohorts.studies.interest_only.figures import plot_maturities

    by_year = pd.DataFrame({"refinancing_year": ["2030", "2031", "2060+"], "households_n_rounded": [100, 300, 200],
                            "households_population": [15000.0, 45000.0, 30000.0], "rounding_base": 100})
    ax = plot_maturities(by_year)
    assert [round(b.get_height(), 6) for b in _bars(ax)] == [15.0, 45.0, 30.0]  # thousands
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2030", "2060+"]
    assert "rounded to 100" in ax.get_title(loc="left")
