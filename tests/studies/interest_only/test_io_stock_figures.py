"""The stock figures of the interest-only study (figures_stock.py) drawn from hand-made released tables.

Kinds: hand-worked (bar lengths are the released shares, medians and population counts; a hidden cell is
drawn as a hatched gap or an "x" and labelled "not shown", never as a zero bar); checks on the drawn Axes
(every legend entry has a drawn artist of the same colour and every drawn series a legend entry; the N
is printed).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from cohorts.studies.interest_only.descriptives import sale_outcome, scenario_counts
from cohorts.studies.interest_only.figures import HIDDEN_LABEL
from cohorts.studies.interest_only.figures_stock import (
    plot_coverage,
    plot_prevalence,
    plot_profile,
    plot_risk_by_year,
    plot_sale_outcome,
    plot_scenario_counts,
)
from cohorts.studies.interest_only.release import OUTCOMES, ReleaseSettings

X = "x"
SETTINGS = ReleaseSettings(sample_households=1_920_000, population_households=2_900_000, round_to=1000,
                           rounding_base=100)


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _legend(ax) -> dict[str, object]:
    legend = ax.get_legend()
    return {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)}


def _assert_legend_matches(ax) -> None:
    """Every legend patch's colour is drawn; every drawn bar colour (but white hatching) has an entry."""
    entries = _legend(ax)
    drawn = {mcolors.to_hex(b.get_facecolor()) for b in _bars(ax) if b.get_width() > 0 and b.get_height() > 0}
    legend_colours = {mcolors.to_hex(h.get_facecolor()) for h in entries.values() if not isinstance(h, Line2D)}
    assert legend_colours <= drawn | {"#ffffff"}, (legend_colours, drawn)
    assert drawn <= legend_colours, (drawn, legend_colours)


def _markers(ax) -> list[Line2D]:
    return [ln for ln in ax.get_lines() if ln.get_marker() == "x"]


def test_prevalence_bars_are_the_released_shares_and_a_hidden_cell_is_hatched() -> None:
    table = pd.DataFrame({"panel": ["mortgages", "mortgages", "io_households", "io_households", "tabel3_note"],
                          "group": ["with_io", "without_io", "fully_io", "partly_io", "retired_active_scheme"],
                          "n_rounded": ["17300", "4600", "8700", X, "0"], "share": ["79.0", "21.0", "51.06", X, "0"],
                          "population": ["1", "1", "1", X, "0"], "rounding_base": ["100"] * 5})
    ax = plot_prevalence(table)
    bars = _bars(ax)
    top = [b for b in bars if abs(b.get_y() + b.get_height() / 2 - 1) < 1e-9]
    bottom = [b for b in bars if abs(b.get_y() + b.get_height() / 2) < 1e-9]
    assert [round(b.get_width(), 6) for b in top] == [79.0, 21.0]
    # bottom: 51.06 released, the hidden rest 48.94 hatched (never a zero bar)
    assert [round(b.get_width(), 6) for b in bottom] == [51.06, 48.94]
    assert bottom[-1].get_hatch() and not bottom[0].get_hatch()
    assert HIDDEN_LABEL in _legend(ax) and "partly interest-only" not in _legend(ax)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "N = 21,900" in ticks[0] and "N not shown" in ticks[1]  # a hidden count leaves the panel's N unknown
    _assert_legend_matches(ax)


def _coverage() -> pd.DataFrame:
    return pd.DataFrame({"dimension": ["all", "io_share", "io_share", "remaining_term", "remaining_term"],
                         "class": ["all", "0-50%", "100% (fully IO)", "<= 5", "6-10"],
                         "median": ["17.0", "18.0", "16.0", X, "19.0"], "n_rounded": ["9500", "3700", "4400", X, "1100"],
                         "rounding_base": ["100"] * 5})


def test_coverage_bars_are_the_medians_and_a_hidden_median_an_x() -> None:
    ax = plot_coverage(_coverage())
    assert sorted(round(b.get_width(), 6) for b in _bars(ax)) == [16.0, 18.0, 19.0]  # the released classes only
    marks = _markers(ax)
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 0
    texts = [t.get_text() for t in ax.texts]
    assert any("not shown" in t for t in texts)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["0-50% (n = 3,700)", "100% (fully IO) (n = 4,400)", "<= 5 years (n not shown)",
                     "6-10 years (n = 1,100)"]
    assert "N = 9,500" in ax.get_title(loc="left")
    entries = _legend(ax)
    assert HIDDEN_LABEL in entries and "all households with a refinancing moment" in entries
    _assert_legend_matches(ax)


def test_risk_by_year_bars_are_population_thousands_and_hidden_cells_marked() -> None:
    rows = []
    for year, hh, fail, sale in (("2030", 15000, 3000, X), ("2031", 30000, 0, 0), ("2060+", 45000, 15000, 15000)):
        for group, v in (("households", hh), ("fail_annuity", fail), ("forced_sale", sale)):
            rows.append({"refinancing_year": year, "group": group, "n_rounded": X if v == X else str(v // 150),
                         "population": str(v), "rounding_base": "100"})
    ax = plot_risk_by_year(pd.DataFrame(rows))
    heights = sorted(round(b.get_height(), 6) for b in _bars(ax))
    # households 15, 30, 45; fail 3, 0, 15; sale 0, 15 (the hidden one is not a bar)
    assert heights == [0.0, 0.0, 3.0, 15.0, 15.0, 15.0, 30.0, 45.0]
    marks = _markers(ax)
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 0  # 2030's forced sales
    assert "N = 600 households" in ax.get_title(loc="left")  # 100 + 200 + 300 rounded sample households
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2030", "2060+"]
    _assert_legend_matches(ax)


def _tree(hide: tuple[str, ...] = ()) -> pd.DataFrame:
    cells = dict(zip(OUTCOMES, [440, 80, 300, 60, 50, 20, 36, 14], strict=True))
    rows = []
    for name, start in (("base", "trend"), ("recession", "2032")):
        rows.append({"scenario": name, "start_year": start, "outcome": "all", "n": "1000", "population": "151000"})
        for o, v in cells.items():
            hidden = name == "base" and o in hide
            rows.append({"scenario": name, "start_year": start, "outcome": o, "n": X if hidden else str(v),
                         "population": X if hidden else str(v * 1000)})
    return pd.DataFrame(rows)


def test_sale_outcome_bars_and_a_hidden_residual() -> None:
    ax = plot_sale_outcome(sale_outcome(_tree()))
    assert [round(b.get_height(), 6) for b in _bars(ax)] == [36.0, 14.0]
    assert any("72%" in t.get_text() for t in ax.texts) and any("28%" in t.get_text() for t in ax.texts)
    assert "N = 50" in ax.get_title(loc="left")
    _assert_legend_matches(ax)
    ax = plot_sale_outcome(sale_outcome(_tree(hide=("sale_residual_debt", "io50"))))
    assert [round(b.get_height(), 6) for b in _bars(ax)] == [36.0]
    assert len(_markers(ax)) == 1 and HIDDEN_LABEL in _legend(ax)
    assert "N not shown" in ax.get_title(loc="left")


def test_scenario_counts_bars_and_a_group_released_cells_cannot_give() -> None:
    counts = scenario_counts(_tree(hide=("sale_residual_debt", "io50")), settings=SETTINGS, scale=0.01)
    ax = plot_scenario_counts(counts, n_households=1000)
    heights = sorted(round(b.get_height(), 6) for b in _bars(ax))
    # recession: 120, 50, 14 sample -> 18,125 -> 18,000; 7,552 -> 8,000; 2,115 -> 2,000 (thousands: 18, 8, 2)
    # base: step 4 = 1000 - (440+80+300+60) = 120 -> 18; step 6 and residual debt: hidden in the sums -> x
    assert heights == [2.0, 8.0, 18.0, 18.0]
    assert len(_markers(ax)) == 2
    assert "N = 1,000" in ax.get_title(loc="left")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["base", "recession\n(start 2032)"]
    _assert_legend_matches(ax)


def test_profile_bars_are_the_shares_and_medians_a_table_with_x() -> None:
    rows = []
    for group in ("perpetual", "all"):
        for char, value in (("age_over_cut", "47.0"), ("fully_io", X if group == "perpetual" else "50.0")):
            rows.append({"group": group, "characteristic": char, "measure": "share", "value": value,
                         "n_rounded": X if value == X else "800"})
        for char, value in (("age", "61"), ("income", X if group == "all" else "52000")):
            rows.append({"group": group, "characteristic": char, "measure": "median", "value": value,
                         "n_rounded": "8400" if group == "perpetual" else "19200"})
    ax = plot_profile(pd.DataFrame(rows))
    assert sorted(round(b.get_width(), 6) for b in _bars(ax)) == [47.0, 47.0, 50.0]
    assert len(_markers(ax)) == 1
    table = ax.tables[0]
    cells = {(r, c): table[r, c].get_text().get_text() for (r, c) in table.get_celld() if r > 0 and c >= 0}
    assert cells[(1, 0)] == "61" and cells[(1, 1)] == "52,000" and cells[(2, 1)] == X
    assert "N = 8,400 / 19,200" in ax.get_title(loc="left")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["main earner older than 60", "fully interest-only"]
    _assert_legend_matches(ax)
    np.testing.assert_equal(HIDDEN_LABEL in _legend(ax), True)
