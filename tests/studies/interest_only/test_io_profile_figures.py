"""The profile figures (figures_profiles.py) drawn from a hand-made released ``profiles.csv``.

Kinds:
* hand-worked: from a small released table written out here (read back through the CSV reader), the bars
  drawn equal the shown cells with their shares as widths, a hidden cell (``x``) gets no bar and an ``x``
  mark at its class, never a zero bar; the legend has one entry per drawn group, its handles are the
  drawn bar containers, and it prints the group sizes N (rounded sample count and population); the panel
  titles and classes are the tick labels and texts; without the vulnerable group the figure says why;
  with it, on the packaged net social-assistance level, the figure says the group is an upper bound;
* property: every plot function draws only its own figure's rows and refuses a table without them.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer

from cohorts.studies.interest_only.figures_profiles import (
    HIDDEN_MARK,
    NET_LEVEL_NOTE,
    NOT_RELEASED,
    PLOTS,
    plot_arrears,
)
from cohorts.studies.interest_only.profiles import read_released_profiles

RELEASED = """figure,panel,group,class,n_rounded,share,population,rounding_base,disclosure
28,arrears,vulnerable,all,300,100.0,45000.0,100,
28,arrears,vulnerable,in arrears,x,x,x,100,hidden
28,arrears,vulnerable,no arrears,300,100.0,45000.0,100,
28,arrears,refi_moment,all,9500,100.0,1435000.0,100,
28,arrears,refi_moment,in arrears,100,1.1,15000.0,100,
28,arrears,refi_moment,no arrears,9400,98.9,1420000.0,100,
27,io_at_origination,refi_moment,all,9500,100.0,1435000.0,100,
27,io_at_origination,refi_moment,< 50%,9500,100.0,1435000.0,100,
"""


def _table(text: str = RELEASED) -> pd.DataFrame:
    return read_released_profiles(io.StringIO(text))


def _bars(ax) -> list[BarContainer]:  # noqa: ANN001
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def test_bars_legend_hidden_mark_and_n() -> None:
    ax = plot_arrears(_table())
    try:
        bars = _bars(ax)
        # vulnerable: one shown cell (no arrears 100%); refi: two (1.1%, 98.9%)
        widths = [sorted(round(p.get_width(), 1) for p in c.patches) for c in bars]
        assert widths == [[100.0], [1.1, 98.9]]
        legend = ax.get_legend()
        handles = legend.legend_handles
        assert len(handles) == len(bars) == 2
        assert [t.get_text() for t in legend.get_texts()] == [c.get_label() for c in bars]
        for handle, container in zip(handles, bars, strict=True):
            assert handle.get_facecolor() == container.patches[0].get_facecolor()
        texts = [t.get_text() for t in legend.get_texts()]
        assert "n = 300 sample, 45,000 population" in texts[0] and texts[0].startswith("vulnerable")
        assert "n = 9,500 sample, 1,435,000 population" in texts[1]
        # the hidden cell: an 'x' at the class 'in arrears', above its centre (vulnerable bars sit above)
        ticks = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)}
        marks = [t for t in ax.texts if t.get_text() == HIDDEN_MARK]
        assert len(marks) == 1
        assert marks[0].get_position()[1] > ticks["in arrears"]
        # no bar of the vulnerable group at that class (never drawn as zero)
        vul_y = [p.get_y() + p.get_height() / 2 for p in bars[0].patches]
        assert all(abs(y - marks[0].get_position()[1]) > 1e-9 for y in vul_y)
        assert "not shown (disclosure control)" in ax.get_xlabel()
        assert "rounded to 100 households" in ax.get_xlabel()
        # the panel title is written above its classes
        assert any(t.get_text().startswith("payment arrears") for t in ax.texts)
        assert set(ticks) == {"in arrears", "no arrears"}
    finally:
        plt.close(ax.figure)


def test_without_the_vulnerable_group_the_figure_says_why() -> None:
    table = _table()
    ax = PLOTS[28](table[table["group"] == "refi_moment"])
    try:
        assert len(_bars(ax)) == 1 and len(ax.get_legend().legend_handles) == 1
        assert NOT_RELEASED in ax.get_xlabel().replace("\n", " ")
        assert not [t for t in ax.texts if t.get_text() == HIDDEN_MARK]
    finally:
        plt.close(ax.figure)


def test_the_net_level_caveat_is_printed_only_under_a_drawn_vulnerable_group() -> None:
    table = _table()
    for figure_rows, net, expected in ((table, True, True), (table, False, False),
                                       (table[table["group"] == "refi_moment"], True, False)):
        ax = PLOTS[28](figure_rows, net_level=net)
        try:
            assert (NET_LEVEL_NOTE in ax.get_xlabel().replace("\n", " ")) is expected
        finally:
            plt.close(ax.figure)


def test_each_plot_draws_only_its_figure() -> None:
    ax = PLOTS[27](_table())
    try:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["< 50%"]
        assert np.isclose(_bars(ax)[0].patches[0].get_width(), 100.0)
    finally:
        plt.close(ax.figure)
    with pytest.raises(ValueError, match="no rows for figure 11"):
        PLOTS[11](_table())
    plt.close("all")
