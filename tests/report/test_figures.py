"""Figures and the house style, on the hand-made frames of conftest.py.

Planted truth where possible: the bar heights, cell labels and numbers at risk
drawn are compared with the values worked out by hand in test_tables.py.
Regression checks: byte-identical exports, no leaked rcParams.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cohorts import columns as C
from cohorts.report import figures as F
from cohorts.report import style as S


def _texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("name", list(F.FIGURES))
def test_every_figure_returns_axes_with_or_without_ax(name, hand_cohorts, hand_panel):
    spec = F.FIGURES[name]
    frame = hand_panel if spec.frame == "panel" else hand_cohorts
    options = {"covariates": (C.HIGH,)} if name == "figure_cox" else {}
    ax = spec.function(frame, **options)
    assert isinstance(ax, Axes)
    assert ax.figure.get_figwidth() == pytest.approx(S.WIDTHS[spec.width])
    with S.house_style():
        fig, given = S.new_figure()
    assert spec.function(frame, ax=given, **options) is given
    fig2 = F.draw(name, {"cohorts": hand_cohorts, "panel": hand_panel}, lang="nl", **options)
    assert isinstance(fig2, Figure)


def test_figure_2_bars_are_the_quadrant_shares(hand_cohorts):
    ax = F.figure_2(hand_cohorts)
    bars = [p for p in ax.patches]
    # 6 cohorts x 4 quadrants, drawn quadrant by quadrant; 2017 is the last cohort
    heights_2017 = [bars[q * 6 + 5].get_height() for q in range(4)]
    assert heights_2017 == pytest.approx([50.0, 0.0, 25.0, 25.0])
    assert ax.get_ylabel() == "share of new mortgages (%)"


def test_figure_3_and_b2_use_at_least_90_by_default(hand_cohorts):
    bars = F.figure_3(hand_cohorts).patches
    assert [bars[q * 6 + 5].get_height() for q in range(4)] == pytest.approx([50.0, 0.0, 0.0, 50.0])
    strict = F.figure_3(hand_cohorts, strict=True).patches  # row 1 (.95 LTV) stays "above", same shares here
    assert sum(strict[q * 6 + 5].get_height() for q in range(4)) == pytest.approx(100.0)
    b2 = F.figure_b2(hand_cohorts).patches
    assert b2[3 * 6 + 4].get_height() == pytest.approx(100.0)  # 2016 starter (row 5): Q4 at >= 90%


def test_figure_1_cells_sum_to_100(hand_cohorts):
    ax = F.figure_1(hand_cohorts, year=2017)
    values = [float(t) for t in _texts(ax) if t != "-"]
    assert sum(values) == pytest.approx(100.0, abs=0.2)
    assert sorted(v for v in values if v > 0) == pytest.approx([25.0] * 4)


def test_figure_8_numbers_at_risk_and_labels(hand_cohorts):
    ax = F.figure_8(hand_cohorts)
    texts = _texts(ax)
    assert "number at risk" in texts
    assert "within norm" in texts and "high (LTI > 100%)" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["within norm", "high (LTI > 100%)"]
    # within: durations 2, 2, 3 -> at risk 3, 3, 1, then 0; high: 1, 2, 3 -> 3, 2, 1, then 0
    i, j = texts.index("within norm"), texts.index("high (LTI > 100%)")
    assert texts[i + 1:i + 8] == ["3", "3", "1", "0", "0", "0", "0"]
    assert texts[j + 1:j + 8] == ["3", "2", "1", "0", "0", "0", "0"]
    nl = F.figure_8(hand_cohorts, lang="nl")
    assert nl.get_xlabel().startswith("jaar na afsluiten")


def test_figure_7_default_population_is_starters(hand_cohorts):
    ax = F.figure_7(hand_cohorts)
    assert ax.get_legend().get_title().get_text() == "N = 1 / 3"  # 1 arrears among 3 starters
    ax = F.figure_7(hand_cohorts, population="new")
    assert ax.get_legend().get_title().get_text() == "N = 3 / 6"


def test_unknown_language_is_refused(hand_cohorts):
    with pytest.raises(ValueError, match="lang must be one of"):
        F.figure_4(hand_cohorts, lang="de")


def test_house_style_does_not_leak():
    before = dict(mpl.rcParams)
    with S.house_style():
        assert mpl.rcParams["pdf.fonttype"] == 42
        assert mpl.rcParams["font.sans-serif"][0] == "DejaVu Sans"
    assert dict(mpl.rcParams) == before


def test_sizes():
    assert S.figure_size("single") == pytest.approx((3.5, 2.625))
    assert S.figure_size("double", aspect=0.5) == pytest.approx((7.2, 3.6))
    with pytest.raises(ValueError, match="width must be one of"):
        S.figure_size("triple")


def test_palette_is_distinct_in_greyscale():
    lum = sorted(S.luminance(c) for c in S.PALETTE)
    assert np.min(np.diff(lum)) >= 0.15


def test_export_is_byte_identical_and_embeds_fonts(tmp_path, hand_cohorts):
    def make():
        return F.draw("figure_8", {"cohorts": hand_cohorts})

    a = S.export_figure(make(), tmp_path / "a" / "fig")
    b = S.export_figure(make(), tmp_path / "b" / "fig")
    assert [p.name for p in a] == ["fig.pdf", "fig.png"]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()
    pdf = a[0].read_bytes()
    assert b"CreationDate" not in pdf and b"Producer" not in pdf
    assert b"FontFile2" in pdf  # TrueType fonts embedded
    png = a[1].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in png
    from PIL import Image

    with Image.open(a[1]) as im:
        dpi = im.info.get("dpi")
    assert dpi is not None and round(dpi[0]) == S.DPI
