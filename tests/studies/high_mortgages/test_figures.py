"""Hand-worked values: figures and the house style on the hand-made frames; also regression and property checks.

Planted truth where possible: the bar heights, cell labels and numbers at risk
drawn are compared with the values worked out by hand in test_tables.py; the
N per bar, the pooled Kaplan-Meier steps and the Cox labels are checked on
hand-made released data whose drawing is worked out by hand.
Regression and property checks of what is drawn (from the Axes): legend
swatches equal the colours of the drawn series (quadrants: the colour map),
no two texts overlap after a draw, the legend covers no data point, labels
fit the figure, plain tick labels; byte-identical exports, no leaked rcParams.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cohorts import columns as C
from cohorts.studies.high_mortgages import figures as F
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
    assert ax.get_legend().get_title().get_text() == "1 arrears among 3 mortgages"  # 3 starters
    ax = F.figure_7(hand_cohorts, population="new", window="ever")
    assert ax.get_legend().get_title().get_text() == "3 arrears among 6 mortgages"
    ax = F.figure_7(hand_cohorts, population="new")  # default window: first-year arrears (row 1 only)
    assert ax.get_legend().get_title().get_text() == "1 arrears among 6 mortgages"


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


# --------------------------------------------------------------------------
# figures drawn from gated data: a suppressed cell (NaN with a disclosure note) is a gap marked "x"
# --------------------------------------------------------------------------
SUPPRESSED = "suppressed: units in cell >= 10"


def _gate(frame, hidden):
    """Hand-made 'released' data: the rows in ``hidden`` suppressed as the gate does (value NaN, a note)."""
    out = frame.copy()
    out["disclosure"] = ["" if i not in hidden else SUPPRESSED for i in range(len(out))]
    return out


def _quadrant_data():
    rows = [(c, q, n) for c in (2016, 2017) for q, n in zip(("Q1", "Q2", "Q3", "Q4"), (40, 30, 20, 10), strict=True)]
    frame = pd.DataFrame(rows, columns=["cohort", "quadrant", "n"]).astype({"n": "float64"})
    frame["share"] = frame["n"]  # 100 per cohort, so share (%) == n
    return frame


def test_quadrant_figure_leaves_a_suppressed_segment_out(hand_cohorts):
    data = _quadrant_data()
    hidden = {5, 7}  # 2017 Q2 and (secondary) 2017 Q4
    released = _gate(data, hidden)
    released.loc[list(hidden), ["share", "n"]] = np.nan
    ax = F.FIGURES["figure_2"].plot(released, ax=S.new_figure()[1])
    x_2016, x_2017 = 4, 5  # positions of the cohorts among 2012..2017
    drawn = {}
    for q, container in zip(("Q1", "Q2", "Q3", "Q4"), ax.containers, strict=True):
        for bar in container.patches:
            drawn[(round(bar.get_x() + bar.get_width() / 2), q)] = (bar.get_y(), bar.get_height())
    assert (x_2017, "Q2") not in drawn and (x_2017, "Q4") not in drawn
    # the released quadrants of 2017 stacked without the suppressed ones; 2016 complete
    assert drawn[(x_2017, "Q1")] == pytest.approx((0.0, 40.0))
    assert drawn[(x_2017, "Q3")] == pytest.approx((40.0, 20.0))
    assert [drawn[(x_2016, q)][1] for q in ("Q1", "Q2", "Q3", "Q4")] == pytest.approx([40.0, 30.0, 20.0, 10.0])
    assert [t for t in _texts(ax) if t == F.MARKER] == [F.MARKER]  # one "x" over the 2017 bar
    assert any("disclosure control" in t.get_text() for t in ax.texts)


def test_figure_1_grid_shows_x_for_a_suppressed_cell(hand_cohorts):
    from cohorts.studies.high_mortgages import tables as T

    data = T.figure_1_data(hand_cohorts.assign(lti_util=[0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), year=2017)
    data["share"] = data["share"].astype("float64")
    hit = int(np.flatnonzero(data["share"].to_numpy() > 0)[0])  # the one filled cell: 100%
    other = hit + 1
    released = _gate(data, {hit})
    released.loc[hit, ["share"]] = np.nan
    released.loc[other, "share"] = 12.5  # a released cell with a value of its own
    ax = F.plot_figure_1(released, ax=S.new_figure(width="double")[1])
    n_ltv = data["ltv_category"].cat.categories.size
    image = ax.get_images()[0].get_array()
    assert np.ma.is_masked(image[hit // n_ltv, hit % n_ltv])  # not coloured
    assert image[other // n_ltv, other % n_ltv] == pytest.approx(12.5)
    by_pos = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert by_pos[(hit // n_ltv, hit % n_ltv)] == F.MARKER
    assert by_pos[(other // n_ltv, other % n_ltv)] == "12.5"
    assert any(p.get_hatch() for p in ax.patches)  # the blank cell is hatched


def test_group_lines_omit_a_suppressed_point(hand_cohorts):
    from cohorts.studies.high_mortgages import tables as T

    data = T.interest_only_data(hand_cohorts)
    data["value"] = np.linspace(10.0, 90.0, len(data))  # every cell released with a value ...
    hit = int(np.flatnonzero((data["group"] == "new").to_numpy() & (data["cohort"] == 2015).to_numpy())[0])
    released = _gate(data, {hit})  # ... but one
    released.loc[hit, "value"] = np.nan
    ax = F.plot_figure_5(released, ax=S.new_figure()[1])
    line = ax.get_lines()[0]  # group "new"
    new = released.loc[released["group"] == "new"].sort_values("cohort")
    np.testing.assert_array_equal(line.get_xdata(), new["cohort"].to_numpy())
    np.testing.assert_array_equal(line.get_ydata(), new["value"].to_numpy())  # NaN (a gap) at 2015
    assert np.isnan(line.get_ydata()[3]) and np.isfinite(np.delete(line.get_ydata(), 3)).all()
    assert F.MARKER in _texts(ax)


def test_figure_7_omits_suppressed_thresholds_and_takes_n_from_a_released_one(hand_cohorts):
    from cohorts.studies.high_mortgages import tables as T

    data = T.arrears_threshold_data(hand_cohorts, population="new", window="ever")
    released = _gate(data, {0})
    released.loc[0, ["share_events", "share_mortgages"]] = np.nan
    released["n_events"] = released["n_events"].astype("float64")
    released.loc[0, "n_events"] = np.nan
    ax = F.plot_figure_7(released, ax=S.new_figure()[1])
    events = ax.get_lines()[0]
    np.testing.assert_array_equal(events.get_ydata(), released["share_events"].to_numpy())
    assert ax.get_legend().get_title().get_text() == "3 arrears among 6 mortgages"


def test_sweep_and_cohort_sensitivity_draw_only_released_points(hand_cohorts):
    from cohorts.studies.high_mortgages import tables as T

    sweep = T.threshold_sweep_data(hand_cohorts, starters=False)
    sweep["km_cum_inc"] = np.linspace(0.1, 0.5, len(sweep))
    sweep["km_cum_inc_lower"], sweep["km_cum_inc_upper"] = sweep["km_cum_inc"] - 0.05, sweep["km_cum_inc"] + 0.05
    hit = int(np.flatnonzero((sweep["group"] == "above").to_numpy())[1])
    released = _gate(sweep, {hit})
    released.loc[hit, ["km_cum_inc", "km_cum_inc_lower", "km_cum_inc_upper"]] = np.nan
    ax = F.plot_figure_sweep(released, ax=S.new_figure()[1])
    above = released.loc[(released["group"] == "above") & released["km_cum_inc"].notna()].sort_values("threshold")
    drawn = ax.containers[1].lines[0]  # the data line of the "above" errorbar
    np.testing.assert_allclose(drawn.get_ydata(), 100.0 * above["km_cum_inc"].to_numpy())
    np.testing.assert_allclose(drawn.get_xdata(), 100.0 * above["threshold"].to_numpy() + 1.0)
    assert F.MARKER in _texts(ax)

    sens = T.cohort_sensitivity_data(hand_cohorts)
    keep = (sens["view"] == "cohort") & (sens["time"] == 2)
    hit = int(np.flatnonzero(keep.to_numpy() & (sens["group"] == "within").to_numpy())[0])
    released = _gate(sens, {hit})
    released.loc[hit, "km_cum_inc"] = np.nan
    ax = F.plot_figure_cohort_sensitivity(released, ax=S.new_figure()[1])
    within = released.loc[keep & (released["group"] == "within") & released["km_cum_inc"].notna()]
    np.testing.assert_allclose(ax.containers[0].lines[0].get_ydata(), 100.0 * within["km_cum_inc"].to_numpy())


@pytest.mark.parametrize("name", list(F.FIGURES))
def test_every_figure_draws_from_fully_suppressed_data(name, hand_cohorts, hand_panel):
    """Gated data where every cell is suppressed still draws (all gaps), without warnings."""
    from cohorts.disclosure import Rules, figure_release
    from cohorts.studies.high_mortgages.comparison import Options
    from cohorts.studies.high_mortgages.exports import FIGURE_DATA

    options = Options()
    frames = {"cohorts": hand_cohorts, "panel": hand_panel, "stock": hand_cohorts}
    if name == "figure_cox":  # the default model has too many coefficients for six mortgages
        from cohorts.studies.high_mortgages import tables as T

        data = T.cox_data(hand_cohorts, covariates=(C.HIGH,))
    else:
        data = FIGURE_DATA[f"{name}_data"](frames, options)
    released = figure_release(f"{name}_data", data, rules=Rules()).make({}).released  # primary rules only
    fig = F.draw_data(name, released)
    assert isinstance(fig, Figure)
    if name == "figure_cox":  # refused: one row with the reason, nothing drawn, no axis of numbers
        assert "model not shown (disclosure control)" in _texts(fig.axes[0])
        assert len(fig.axes[0].get_xticks()) == 0 and not fig.axes[0].get_lines()
    import io

    fig.savefig(io.BytesIO(), format="png")  # constrained layout copes with the gap markers


def test_draw_data_refuses_unknown_names():
    with pytest.raises(ValueError, match="unknown figure"):
        F.draw_data("figure_99", pd.DataFrame())


# --------------------------------------------------------------------------
# figures a journal accepts as they are: legends, overlaps, N, and the defects of each figure
# --------------------------------------------------------------------------
def _hex(colour) -> str:
    return mpl.colors.to_hex(colour, keep_alpha=False)


def _series_colours(ax: Axes) -> set[str]:
    """Colours of the drawn data series: lines, bars and error bars in one of the house palettes."""
    palette = {_hex(c) for c in (*S.PALETTE, *S.LINE_PALETTE)}
    drawn = {_hex(line.get_color()) for line in ax.get_lines() if len(line.get_xdata())}
    drawn |= {_hex(p.get_facecolor()) for p in ax.patches if p.get_height() > 0} if ax.containers else set()
    return drawn & palette


def _legend_colours(ax: Axes, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    legend = ax.get_legend()
    out = {}
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
        if text.get_text() in skip:
            continue
        if isinstance(handle, mpl.patches.Patch):
            colour = handle.get_facecolor()
        elif isinstance(handle, mpl.collections.Collection):  # an error bar's handle: its line collection
            colour = handle.get_color()[0]
        else:
            colour = handle.get_color()
        out[text.get_text()] = _hex(colour)
    return out


def _is_hidden_tick(text) -> bool:
    """A tick label of a tick outside the view (never drawn)."""
    for ax in text.figure.axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if text in (tick.label1, tick.label2):
                    lo, hi = sorted(lim)
                    return not (tick.label1.get_visible() and lo - 1e-9 <= tick.get_loc() <= hi + 1e-9)
    return False


def _overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts of the figure whose window extents overlap (after a draw)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [t for t in fig.findobj(mpl.text.Text) if t.get_visible() and t.get_text().strip()
             and not _is_hidden_tick(t)]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    out = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            if ba.x0 < bb.x1 - 0.5 and bb.x0 < ba.x1 - 0.5 and ba.y0 < bb.y1 - 0.5 and bb.y0 < ba.y1 - 0.5:
                out.append((a, b))
    return out


def _km_data() -> pd.DataFrame:
    """Released survival data: 'within' has steps 2 and 3 pooled into 4; 'high' has 6 pooled, 7 cut."""
    rows = []
    for cat, s in (("within", [0.99, 0.97, 0.96, 0.95, 0.93, 0.92, 0.91]),
                   ("high", [0.98, 0.95, 0.93, 0.90, 0.88, 0.86, 0.85])):
        rows += [{"category": cat, "time": float(i + 1), "n_at_risk": 1000.0 - 100 * i, "surv": v,
                  "surv_lower": v - 0.01, "surv_upper": v + 0.01, "disclosure": ""} for i, v in enumerate(s)]
    data = pd.DataFrame(rows)
    for i, note in ((1, "pooled with the next shown step (disclosure control)"),
                    (2, "pooled with the next shown step (disclosure control)"),
                    (12, "pooled with the next shown step (disclosure control)"), (13, "cut (disclosure control)")):
        data.loc[i, ["surv", "surv_lower", "surv_upper"]] = np.nan
        data.loc[i, "disclosure"] = note
    return data


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_figure_8_draws_pooled_steps_as_unknown_not_flat(lang):
    fig = F.draw_data("figure_8", _km_data(), lang=lang)
    ax = fig.axes[0]
    within, high = _hex(S.LINE_PALETTE[0]), _hex(S.LINE_PALETTE[1])
    solid = [ln for ln in ax.get_lines() if ln.get_linestyle() in ("-", "--") and len(ln.get_xdata())]
    # no solid curve piece of 'within' runs through the pooled times 2..4 (it stops at 2 and restarts at 4)
    for ln in solid:
        if _hex(ln.get_color()) == within:
            x = np.asarray(ln.get_xdata())
            assert not ((x > 2.0) & (x < 4.0)).any()
            assert not (x.min() < 3.0 < x.max())
    pieces = sorted((float(np.min(ln.get_xdata())), float(np.max(ln.get_xdata()))) for ln in solid
                    if _hex(ln.get_color()) == within)
    # the released value 0.99 holds up to the first pooled time; the last released step (t = 7) is drawn
    # 0.3 years on, so its value and band are seen
    assert pieces == [(0.0, 2.0), (4.0, 7.3)]
    # the dotted connector from the last known value (0.99 at t = 2) to the next released step (0.95 at 4)
    dotted = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":" and _hex(ln.get_color()) == within]
    assert len(dotted) == 1
    np.testing.assert_allclose(dotted[0].get_xdata(), [2.0, 4.0])
    np.testing.assert_allclose(dotted[0].get_ydata(), [0.99, 0.95])
    # pooled times marked x in the curve's colour; 'high' pooled at 6 has no next step: no connector
    marks = {(_hex(ln.get_color()), float(x)) for ln in ax.get_lines() if ln.get_marker() == "x"
             and ln.get_linestyle() == "None" for x in ln.get_xdata()}
    assert marks == {(within, 2.0), (within, 3.0), (high, 6.0)}
    assert not [ln for ln in ax.get_lines() if ln.get_linestyle() == ":" and _hex(ln.get_color()) == high]
    # the band of 'within' is drawn only where released
    bands = [p for p in ax.collections if _hex(p.get_facecolor()[0]) == within]
    assert len(bands) == 2
    for poly in bands:
        x = poly.get_paths()[0].vertices[:, 0]
        assert not ((x > 2.0) & (x < 4.0)).any()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert F.TEXT[lang]["pooled"] in legend
    assert _legend_colours(ax, skip=(F.TEXT[lang]["pooled"],)) == {
        F.TEXT[lang]["within"]: within, F.TEXT[lang]["high"].format(thr=100.0): high}
    assert _series_colours(ax) == {within, high}
    assert _overlapping_texts(fig) == []
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(set(ticks)) == len(ticks)  # no two ticks rounded to the same whole percent


def test_figure_9_with_every_step_pooled_draws_no_flat_curve():
    data = _km_data()
    data["surv"] = data["surv_lower"] = data["surv_upper"] = np.nan
    data["disclosure"] = "pooled with the next shown step (disclosure control)"
    ax = F.draw_data("figure_9", data).axes[0]
    solid = [ln for ln in ax.get_lines() if ln.get_linestyle() in ("-", "--") and len(ln.get_xdata())]
    assert all(float(np.max(ln.get_xdata())) <= 1.0 for ln in solid)  # only the known start, up to t = 1
    assert sum(len(ln.get_xdata()) for ln in ax.get_lines() if ln.get_marker() == "x") == 14


@pytest.mark.parametrize("name", ["figure_2", "figure_3", "figure_b1", "figure_b2"])
def test_quadrant_legend_swatches_are_the_quadrant_colours_even_without_bars(name):
    rows = [(c, q, n) for c in C.COHORT_YEARS for q, n in zip(("Q1", "Q2", "Q3", "Q4"), (40, 30, 20, 10), strict=True)]
    data = pd.DataFrame(rows, columns=["cohort", "quadrant", "n"]).astype({"n": "float64"})
    data["share"] = data["n"]
    hidden = set(np.flatnonzero(data["quadrant"].isin(["Q1", "Q2"]).to_numpy()).tolist())  # no Q1 or Q2 bar at all
    released = _gate(data, hidden)
    released.loc[list(hidden), ["share", "n"]] = np.nan
    fig = F.draw_data(name, released)
    ax = fig.axes[0]
    swatches = _legend_colours(ax)
    assert swatches == {F.TEXT["en"][q]: _hex(F.QUADRANT_COLOURS[q]) for q in ("Q1", "Q2", "Q3", "Q4")}
    drawn = {_hex(p.get_facecolor()) for p in ax.patches if p.get_height() > 0}
    assert drawn == {_hex(F.QUADRANT_COLOURS[q]) for q in ("Q3", "Q4")}
    assert len(set(F.QUADRANT_COLOURS.values())) == 4


def test_quadrant_figures_print_n_per_year_and_state_their_cut():
    rows = [(c, q, n) for c in C.COHORT_YEARS
            for q, n in zip(("Q1", "Q2", "Q3", "Q4"), (400, 300, 200, 100), strict=True)]
    data = pd.DataFrame(rows, columns=["cohort", "quadrant", "n"]).astype({"n": "float64"})
    data["share"] = data["n"] / 10.0
    data.loc[data["cohort"] == 2013, "n"] *= 2  # N 2,000 in 2013
    hit = int(np.flatnonzero(((data["cohort"] == 2015) & (data["quadrant"] == "Q3")).to_numpy())[0])
    released = _gate(data, {hit})
    released.loc[hit, ["share", "n"]] = np.nan
    titles = {}
    for name in ("figure_2", "figure_3", "figure_b1", "figure_b2"):
        fig = F.draw_data(name, released)
        ax = fig.axes[0]
        above = {round(t.get_position()[0]): t.get_text() for t in ax.texts if t.get_position()[1] > 100.0}
        assert above == {0: "1,000", 1: "2,000", 2: "1,000", 3: F.MARKER, 4: "1,000", 5: "1,000"}
        assert "N" in ax.get_xlabel()
        titles[name] = ax.get_legend().get_title().get_text()
        assert _overlapping_texts(fig) == []
    assert "> 100%" in titles["figure_2"] and "> 100%" in titles["figure_b1"]
    assert "\u2265 90%" in titles["figure_3"] and "\u2265 90%" in titles["figure_b2"]
    nl = F.draw_data("figure_2", released, lang="nl").axes[0]
    assert "1.000" in [t.get_text() for t in nl.texts]


def _cox_data() -> pd.DataFrame:
    terms = ["high", "starter", "cohort[T.2013]", "cohort[T.2014]", "cohort[T.2015]", "cohort[T.2016]",
             "cohort[T.2017]"]
    hr = np.array([1.5, 1.27, 1.36, 1.57, 1.19, 1.64, 0.84])
    return pd.DataFrame({"covariate": terms, "hr": hr, "hr_lower": hr / 1.9, "hr_upper": hr * 1.9,
                         "n": 4477.0, "n_events": 160.0, "disclosure": ""})


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_figure_cox_has_plain_ticks_and_readable_labels_with_reference(lang):
    fig = F.draw_data("figure_cox", _cox_data(), lang=lang)
    ax = fig.axes[0]
    assert _overlapping_texts(fig) == []  # draws the figure
    lo, hi = ax.get_xlim()
    major = [t.get_text() for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]
    assert major == ["0.5", "1", "2"]  # plain numbers
    assert all(t.get_text() == "" for t in ax.get_xticklabels(minor=True))  # no minor labels
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not any("[T." in t for t in labels)
    word = {"en": "cohort", "nl": "jaargang"}[lang]
    assert labels[2:] == [f"{word} {y} (ref. 2012)" for y in range(2013, 2018)]
    assert labels[0] == "LTI > 100% (ref. \u2264 100%)"
    assert ax.get_title(loc="left") == {"en": "N = 4,477, 160 with arrears",
                                         "nl": "N = 4.477, waarvan 160 met achterstand"}[lang]


def test_cox_reference_follows_the_first_level_shown():
    assert F.cox_label("cohort[T.2015]", ref=2014) == "cohort 2015 (ref. 2014)"
    data = _cox_data().iloc[[0, 4, 5, 6]]  # cohort terms from 2015: the reference is 2014
    ax = F.draw_data("figure_cox", data).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][1] == "cohort 2015 (ref. 2014)"
    assert F.cox_label("income") == "income"


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_figure_1_zero_is_lightest_lines_dark_colour_bar_with_n(hand_cohorts, lang):
    from cohorts.studies.high_mortgages import tables as T

    data = T.figure_1_data(hand_cohorts, year=2017)  # four cells of 25%, the rest 0
    fig = F.draw_data("figure_1", data, lang=lang)
    ax = fig.axes[0]
    image = ax.get_images()[0]
    values = np.ma.filled(image.get_array().astype(float), np.nan)
    rgba = image.to_rgba(image.get_array())
    lum = 0.299 * rgba[..., 0] + 0.587 * rgba[..., 1] + 0.114 * rgba[..., 2]
    zero, full = values == 0.0, values == 25.0
    assert zero.any() and full.any()
    assert lum[zero].min() > 0.9 and lum[zero].min() > lum[full].max() + 0.3  # 0 the lightest, near white
    quadrant_lines = [ln for ln in ax.get_lines()]
    assert len(quadrant_lines) == 2 and all(S.luminance(ln.get_color()) < 0.2 for ln in quadrant_lines)
    assert len(fig.axes) == 2  # the colour bar
    label = fig.axes[1].get_ylabel()
    assert "(%)" in label and label.endswith("N = 4")  # the 2017 cohort has four new mortgages
    ticks = [t.get_text() for t in ax.get_xticklabels()] + [t.get_text() for t in ax.get_yticklabels()]
    assert "\u2264 60%" in ticks and "> 120%" in ticks and not any("<=" in t for t in ticks)
    assert _overlapping_texts(fig) == []


def _points_under_legend(fig: Figure, ax: Axes) -> int:
    """Number of drawn data points (line vertices) inside the legend's box, after a draw."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = ax.get_legend().get_window_extent(canvas.get_renderer())
    count = 0
    for line in ax.get_lines():
        xy = line.get_transform().transform(line.get_xydata())
        xy = xy[np.isfinite(xy).all(axis=1)]
        inside = (xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)
        count += int(inside.sum())
    return count


@pytest.mark.parametrize("name", ["figure_4", "figure_5"])
def test_group_line_legend_covers_no_line_and_names_every_series(name, hand_cohorts):
    from cohorts.studies.high_mortgages import tables as T

    data = (T.income_data if name == "figure_4" else T.interest_only_data)(hand_cohorts)
    # lines spread over the whole plot area: the legend has nowhere to hide inside it
    data["value"] = np.tile(np.linspace(10.0, 90.0, 6), len(data) // 6 + 1)[:len(data)] * (
        1000.0 if name == "figure_4" else 1.0)
    data.loc[data["group"] == data["group"].iloc[0], "value"] = np.linspace(90.0, 10.0, 6) * (
        1000.0 if name == "figure_4" else 1.0)
    fig = F.draw_data(name, data)
    ax = fig.axes[0]
    assert _points_under_legend(fig, ax) == 0
    assert set(_legend_colours(ax).values()) == _series_colours(ax)
    assert len(_legend_colours(ax)) == len(pd.unique(data["group"]))
    assert _overlapping_texts(fig) == []


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_figure_7_says_what_its_numbers_are_and_labels_both_series(hand_cohorts, lang):
    from cohorts.studies.high_mortgages import tables as T

    data = T.arrears_threshold_data(hand_cohorts, population="new", window="ever")
    data["n_events"], data["n_mortgages"] = 1234, 5678
    fig = F.draw_data("figure_7", data, lang=lang)
    ax = fig.axes[0]
    title = ax.get_legend().get_title().get_text()
    assert title == {"en": "1,234 arrears among 5,678 mortgages",
                     "nl": "1.234 achterstanden bij 5.678 hypotheken"}[lang]
    ylabel = ax.get_ylabel()
    assert {"en": "arrears", "nl": "achterstanden"}[lang] in ylabel
    assert {"en": "mortgages", "nl": "hypotheken"}[lang] in ylabel
    assert set(_legend_colours(ax).values()) == _series_colours(ax) and len(_legend_colours(ax)) == 2
    assert _points_under_legend(fig, ax) == 0
    assert _overlapping_texts(fig) == []


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_cohort_sensitivity_points_sit_on_their_year_ticks_and_label_fits(hand_cohorts, lang):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from cohorts.studies.high_mortgages import tables as T

    data = T.cohort_sensitivity_data(hand_cohorts)
    keep = ((data["view"] == "cohort") & (data["time"] == 2)).to_numpy()
    data.loc[keep, "km_cum_inc"] = 0.02
    data.loc[keep, "km_cum_inc_lower"], data.loc[keep, "km_cum_inc_upper"] = 0.01, 0.03
    released = _gate(data, {int(np.flatnonzero(keep)[0])})  # one point suppressed: a marker, not a point
    released.loc[int(np.flatnonzero(keep)[0]), "km_cum_inc"] = np.nan
    fig = F.draw_data("figure_cohort_sensitivity", released, lang=lang)
    ax = fig.axes[0]
    ticks = set(ax.get_xticks().tolist())
    assert ticks == set(C.COHORT_YEARS)
    for container in ax.containers:
        xs = container.lines[0].get_xdata()
        assert len(xs) and set(np.asarray(xs, dtype=float).tolist()) <= ticks  # exactly on the year ticks
    lo, hi = ax.get_xlim()
    assert lo < min(C.COHORT_YEARS) and hi > max(C.COHORT_YEARS) and hi - lo < 10
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    label = ax.yaxis.label.get_window_extent(canvas.get_renderer())
    assert label.y0 >= 0 and label.y1 <= fig.bbox.height  # not clipped by the figure
    assert set(_legend_colours(ax).values()) == _series_colours(ax) and len(_legend_colours(ax)) == 2
    assert _overlapping_texts(fig) == []


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("name", list(F.FIGURES))
def test_every_figure_has_no_overlapping_text_and_a_legend_entry_per_series(name, lang, hand_cohorts, hand_panel):
    """From the hand-made frames (computed, not gated): readable texts, legend colours = drawn series colours."""
    from cohorts.studies.high_mortgages.comparison import Options
    from cohorts.studies.high_mortgages.exports import FIGURE_DATA

    frames = {"cohorts": hand_cohorts, "panel": hand_panel, "stock": hand_cohorts}
    if name == "figure_cox":
        from cohorts.studies.high_mortgages import tables as T

        data = T.cox_data(hand_cohorts, covariates=(C.HIGH,))
    else:
        data = FIGURE_DATA[f"{name}_data"](frames, Options())
    fig = F.draw_data(name, data, lang=lang)
    ax = fig.axes[0]
    assert _overlapping_texts(fig) == []
    if ax.get_legend() is not None:
        skip = (F.TEXT[lang]["pooled"],)
        legend = _legend_colours(ax, skip=skip)
        assert set(legend.values()) <= _series_colours(ax) | {_hex(c) for c in F.QUADRANT_COLOURS.values()}
        if not name.startswith(("figure_2", "figure_3", "figure_b")):  # bars: swatches of every quadrant
            assert _series_colours(ax) <= set(legend.values())


@pytest.mark.parametrize("name", ["figure_1", "figure_8", "figure_b1", "figure_cox"])
def test_figures_drawn_from_data_are_byte_reproducible(name, tmp_path, hand_cohorts):
    from cohorts.studies.high_mortgages import tables as T

    data = {"figure_1": lambda: T.figure_1_data(hand_cohorts, year=2017), "figure_8": _km_data,
            "figure_b1": _quadrant_data, "figure_cox": _cox_data}[name]()
    a = S.export_figure(F.draw_data(name, data), tmp_path / "a" / name)
    b = S.export_figure(F.draw_data(name, data.copy()), tmp_path / "b" / name)
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()


def test_figure_1_n_is_implied_by_a_released_cell_or_marked(hand_cohorts):
    from cohorts.studies.high_mortgages import tables as T

    data = T.figure_1_data(hand_cohorts, year=2017)  # four mortgages, four cells of 25%
    filled = np.flatnonzero(data["n"].to_numpy(dtype="float64") > 0)
    released = _gate(data.astype({"n": "float64", "share": "float64"}), {int(filled[0])})
    released.loc[int(filled[0]), ["n", "share"]] = np.nan
    fig = F.draw_data("figure_1", released)
    assert fig.axes[1].get_ylabel().endswith("N = 4")  # 1 mortgage is 25%: N = 4
    released.loc[filled[1:], ["n", "share"]] = np.nan
    released.loc[filled[1:], "disclosure"] = SUPPRESSED
    fig = F.draw_data("figure_1", released)
    assert fig.axes[1].get_ylabel().endswith(f"N = {F.MARKER}")  # only empty cells released: N not implied
