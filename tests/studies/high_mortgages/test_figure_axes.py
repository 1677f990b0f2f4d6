"""Property and regression checks on the drawn figures (read back from the matplotlib Axes).

Kind: property checks of what is drawn, and regression checks of defects seen in figures made by
``cohorts reproduce`` at scale 0.1 (seed 20221).  No number drawn is checked against an external
reference here (the drawn numbers are checked against hand-worked values in ``test_figures.py``).

Every registered figure is drawn from the data of a seeded synthetic population of 4,000 mortgages
(made in this module, large enough for every curve, bar and model to exist), both as computed and as
released by the disclosure gate's primary rules, in English and Dutch.  On each drawn figure:

* every legend entry whose label an artist carries has that artist's colour (a swatch in another
  series' colour fails); the only legend entries without such an artist are keys of a symbol
  (the pooled-steps note) or quadrant swatches;
* every labelled series has a legend entry, and the colour of every drawn data series is in the legend;
* no two visible texts overlap (window extents after ``canvas.draw()``), and no text leaves the figure;
* the N is printed where the figure has one (Figure 1, the quadrant bars, 6, 7, 8, 9, Cox).

Regression checks from the scale-0.1 run: a Cox model whose N the gate hid (secondary suppression of
``n``, ``n_events``) still shows its hazard ratios; a point released with hidden counts is drawn and not
marked ``x``; the last Kaplan-Meier step is drawn with its band; Figure 7's second series shows single
released points.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cohorts import columns as C
from cohorts.studies.high_mortgages import figures as F
from cohorts.studies.high_mortgages import tables as T

N_LOANS = 4000


# --------------------------------------------------------------------------
# a seeded synthetic population (for shapes, not for numbers)
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(20221)
    n = N_LOANS
    cohort = rng.integers(2012, 2018, n)
    starter = rng.random(n) < 0.35
    lti = np.clip(rng.lognormal(np.log(0.8), 0.25, n), 0.2, 2.0)
    ltv = np.clip(rng.normal(0.9, 0.15, n), 0.3, 1.3)
    high = lti > 1.0
    follow = 2018 - cohort + 1  # years of follow-up; duration 1 = origination year
    hazard = 0.008 * np.where(high, 1.8, 1.0) * np.where(starter, 1.2, 1.0)
    first = rng.geometric(hazard)
    event = first <= follow
    duration = np.where(event, first, follow)
    income = rng.lognormal(np.log(60_000), 0.3, n)
    cohorts = pd.DataFrame({
        C.LOAN_ID: np.arange(1, n + 1),
        C.COHORT: cohort,
        C.STARTER: starter,
        C.LTI_UTIL: lti,
        C.HIGH: high,
        C.LTV_UTIL: ltv,
        C.INTEREST_ONLY_AMOUNT: np.where(rng.random(n) < 0.4, rng.uniform(10_000, 150_000, n), 0.0),
        "wlt_possible": rng.random(n) < 0.2,
        C.NHG: rng.random(n) < 0.5,
        C.CONSUMER_CREDIT: np.where(rng.random(n) < 0.2, rng.uniform(1_000, 30_000, n), 0.0),
        C.ZZP: rng.random(n) < 0.1,
        C.EVENT: event,
        C.DURATION: duration,
        C.EXIT_TYPE: np.where(event, "arrears", "observed_end"),
        C.INTEREST_RATE: rng.uniform(1.5, 4.5, n),
        C.LTV: ltv * 0.95,
        C.BALANCE: rng.uniform(100_000, 400_000, n),
        C.HOUSE_VALUE: rng.uniform(150_000, 500_000, n),
        C.NET_WEALTH: rng.normal(20_000, 30_000, n),
        C.STUDENT_DEBT: np.where(rng.random(n) < 0.2, rng.uniform(1_000, 40_000, n), 0.0),
        C.HOUSEHOLD_INCOME: income,
        C.HAS_PARTNER: rng.random(n) < 0.6,
        C.FIXED_PERIOD_YEARS: rng.choice([0, 5, 10, 20], n),
    })
    rows = []
    for loan, y0, s, inc, f in zip(cohorts[C.LOAN_ID], cohort, starter, income, follow, strict=True):
        for k in range(min(int(f), 7)):
            rows.append((loan, k, s, inc * (1.0 + 0.04 * k + rng.normal(0, 0.03)) if k else inc))
    panel = pd.DataFrame(rows, columns=[C.LOAN_ID, C.YEARS_SINCE_ORIGINATION, C.STARTER, C.HOUSEHOLD_INCOME])
    return {"cohorts": cohorts, "panel": panel, "stock": cohorts}


@pytest.fixture(scope="module")
def figure_data(frames) -> dict[str, pd.DataFrame]:
    from cohorts.studies.high_mortgages.comparison import Options
    from cohorts.studies.high_mortgages.exports import FIGURE_DATA

    return {name: FIGURE_DATA[f"{name}_data"](frames, Options()) for name in F.FIGURES}


@pytest.fixture(scope="module")
def released_data(figure_data) -> dict[str, pd.DataFrame]:
    from cohorts.disclosure import Rules, figure_release

    return {name: figure_release(f"{name}_data", data, rules=Rules()).make({}).released
            for name, data in figure_data.items()}


# --------------------------------------------------------------------------
# what can be read back from a drawn figure
# --------------------------------------------------------------------------
def _hex(colour) -> str:
    return mpl.colors.to_hex(colour, keep_alpha=False)


def _artist_colours(artist) -> set[str]:
    """Colours of one drawn artist (line, bar container, error bar container, patch, collection)."""
    if isinstance(artist, mpl.container.ErrorbarContainer):
        return {_hex(artist.lines[0].get_color())}
    if isinstance(artist, mpl.container.BarContainer):
        return {_hex(p.get_facecolor()) for p in artist.patches}
    if isinstance(artist, mpl.lines.Line2D):
        return {_hex(artist.get_color())}
    if isinstance(artist, mpl.patches.Patch):
        return {_hex(artist.get_facecolor())}
    if isinstance(artist, mpl.collections.Collection):
        return {_hex(c) for c in artist.get_facecolor()} | {_hex(c) for c in artist.get_edgecolor()}
    return set()


def _labelled_artists(ax: Axes) -> dict[str, set[str]]:
    """Label -> colours of the drawn artists that carry that label (not ``_``-hidden ones)."""
    out: dict[str, set[str]] = {}
    for artist in [*ax.get_lines(), *ax.containers, *ax.collections, *ax.patches]:
        label = artist.get_label()
        if not label or label.startswith("_"):
            continue
        if isinstance(artist, mpl.container.BarContainer) and not artist.patches:
            continue  # no bar drawn
        out.setdefault(label, set()).update(_artist_colours(artist))
    return out


def _legend_entries(ax: Axes) -> list[tuple[str, str]]:
    """(label, colour) of every legend entry."""
    legend = ax.get_legend()
    if legend is None:
        return []
    out = []
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
        if isinstance(handle, mpl.patches.Patch):
            colour = handle.get_facecolor()
        elif isinstance(handle, mpl.collections.Collection):
            colour = handle.get_color()[0]
        else:
            colour = handle.get_color()
        out.append((text.get_text(), _hex(colour)))
    return out


def _data_colours(ax: Axes) -> set[str]:
    """Colours of drawn data series: non-empty lines and bars in a house palette."""
    from cohorts.report import style as S

    palette = {_hex(c) for c in (*S.PALETTE, *S.LINE_PALETTE)}
    # reference lines (axhline, axvline: not in data coordinates) and the pooled-step markers are no series
    drawn = {_hex(ln.get_color()) for ln in ax.get_lines()
             if np.isfinite(np.asarray(ln.get_ydata(), dtype=float)).any() and ln.get_marker() != "x"
             and ln.get_transform() == ax.transData}
    for container in ax.containers:
        if isinstance(container, mpl.container.BarContainer):
            drawn |= {_hex(p.get_facecolor()) for p in container.patches if p.get_height() > 0}
    return drawn & palette


def _keys(lang: str) -> set[str]:
    """Legend entries that explain a symbol rather than name a series."""
    return {F.TEXT[lang]["pooled"]}


def legend_problems(ax: Axes, *, lang: str) -> list[str]:
    """What is wrong with the legend of ``ax`` (empty when nothing)."""
    problems = []
    drawn = _labelled_artists(ax)
    entries = _legend_entries(ax)
    quadrant_swatches = {F.TEXT[lang][q]: _hex(c) for q, c in F.QUADRANT_COLOURS.items()}
    for label, colour in entries:
        if label in drawn:
            if colour not in drawn[label]:
                problems.append(f"legend {label!r} is {colour}, its series is {sorted(drawn[label])}")
        elif label in quadrant_swatches:
            if colour != quadrant_swatches[label]:
                problems.append(f"swatch {label!r} is {colour}, not its quadrant's {quadrant_swatches[label]}")
        elif label not in _keys(lang):
            problems.append(f"legend {label!r} names nothing drawn")
    labels = {label for label, _ in entries}
    problems += [f"series {label!r} has no legend entry" for label in drawn if label not in labels]
    if ax.get_legend() is None and len(_data_colours(ax)) <= 1 and not drawn:
        return problems  # one unlabelled series (the Cox estimates) or an image with its colour bar: no legend
    missing = _data_colours(ax) - {c for _, c in entries}
    problems += [f"a series drawn in {c} has no legend entry of its colour" for c in sorted(missing)]
    return problems


def _is_hidden_tick(text, fig: Figure) -> bool:
    for ax in fig.axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if text in (tick.label1, tick.label2):
                    lo, hi = sorted(lim)
                    return not (tick.label1.get_visible() and lo - 1e-9 <= tick.get_loc() <= hi + 1e-9)
    return False


def text_problems(fig: Figure) -> list[str]:
    """Overlapping texts, and texts outside the saved figure (bbox_inches='tight' crops to the artists,
    so a text outside the figure is one that the layout did not account for)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [t for t in fig.findobj(mpl.text.Text) if t.get_visible() and t.get_text().strip()
             and not _is_hidden_tick(t, fig)]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    out = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            if ba.x0 < bb.x1 - 0.5 and bb.x0 < ba.x1 - 0.5 and ba.y0 < bb.y1 - 0.5 and bb.y0 < ba.y1 - 0.5:
                out.append(f"{a!r} overlaps {b!r}")
    return out


def printed_texts(fig: Figure) -> set[str]:
    """Every visible text of the figure, split into lines (tick labels, legend title, annotations ...)."""
    FigureCanvasAgg(fig).draw()
    out: set[str] = set()
    for t in fig.findobj(mpl.text.Text):
        if t.get_visible():
            out |= {part.strip() for part in t.get_text().splitlines()}
            out.add(t.get_text())
    return out


def _n(value: float, lang: str) -> str:
    return T.format_number(float(value), decimals=0, lang=lang)


def expected_n(name: str, data: pd.DataFrame, *, lang: str) -> list[str]:
    """The N texts a figure must print (released counts of its data), as formatted numbers."""
    num = lambda col: pd.to_numeric(data[col], errors="coerce").astype(float)  # noqa: E731
    if name == "figure_1":
        n = num("n")
        return [f"N = {_n(n.sum(), lang)}"] if n.notna().all() else []
    if name in ("figure_2", "figure_3", "figure_b1", "figure_b2"):
        by = data.assign(_n=num("n")).groupby(C.COHORT)["_n"]
        return [_n(v, lang) for v in by.sum()[by.count() == by.size()]]
    if name == "figure_6":
        first = data.loc[data["group"] == data["group"].iloc[0]]
        return [_n(v, lang) for v in pd.to_numeric(first["n"], errors="coerce").dropna()]
    if name == "figure_7":
        n = num("n_mortgages").dropna()
        return [_n(n.iloc[0], lang)] if len(n) else []
    if name in ("figure_8", "figure_9"):
        return [_n(v, lang) for v in num("n_at_risk").dropna()]
    if name == "figure_cox":
        n = num("n").dropna()
        return [_n(n.iloc[0], lang)] if len(n) else []
    return []


def n_problems(name: str, fig: Figure, data: pd.DataFrame, *, lang: str) -> list[str]:
    texts = printed_texts(fig)
    want = expected_n(name, data, lang=lang)
    problems = []
    for w in want:
        if w not in texts and not any(w in t for t in texts):
            problems.append(f"N {w!r} not printed")
    if name in ("figure_1", "figure_2", "figure_3", "figure_b1", "figure_b2", "figure_6", "figure_7",
                "figure_8", "figure_9", "figure_cox") and not want and F.MARKER not in " ".join(texts):
        problems.append("no N and no marker where the N was hidden")
    return problems


# --------------------------------------------------------------------------
# every figure, computed and released, EN and NL
# --------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("gated", [False, True], ids=["computed", "released"])
@pytest.mark.parametrize("name", list(F.FIGURES))
def test_drawn_figure_is_readable(name, gated, lang, figure_data, released_data):
    data = (released_data if gated else figure_data)[name]
    fig = F.draw_data(name, data, lang=lang)
    ax = fig.axes[0]
    assert legend_problems(ax, lang=lang) == []
    assert text_problems(fig) == []
    assert n_problems(name, fig, data, lang=lang) == []


def test_the_population_gives_every_figure_something_to_draw(figure_data, released_data):
    """The checks above are not vacuous: the computed data draw series, legends and N everywhere."""
    for name, data in figure_data.items():
        ax = F.draw_data(name, data).axes[0]
        assert _data_colours(ax) or (name == "figure_1" and ax.get_images()), name
        if name != "figure_cox" and name != "figure_1":
            assert _legend_entries(ax), name
        if name in ("figure_1", "figure_2", "figure_3", "figure_b1", "figure_b2", "figure_6", "figure_7",
                    "figure_8", "figure_9", "figure_cox"):
            assert expected_n(name, data, lang="en"), name
    # and the gate hides something somewhere (so the released variants differ from the computed ones)
    assert any(F.suppressed(d).any() for d in released_data.values())


# --------------------------------------------------------------------------
# the checks catch the defects they are for (each one planted on a drawn figure)
# --------------------------------------------------------------------------
def test_a_swatch_in_another_quadrants_colour_is_caught(figure_data):
    fig = F.draw_data("figure_b1", figure_data["figure_b1"])
    ax = fig.axes[0]
    legend = ax.get_legend()
    q1, q2 = legend.legend_handles[0], legend.legend_handles[1]
    q2.set_facecolor(q1.get_facecolor())  # the old defect: "Q2 LTV above" drawn in Q1's colour
    assert any("Q2" in p for p in legend_problems(ax, lang="en"))


def test_a_missing_legend_entry_is_caught(figure_data):
    ax = F.draw_data("figure_4", figure_data["figure_4"]).axes[0]
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[1:], labels[1:])
    assert any("has no legend entry" in p for p in legend_problems(ax, lang="en"))


def test_overlapping_texts_are_caught(figure_data):
    fig = F.draw_data("figure_2", figure_data["figure_2"])
    ax = fig.axes[0]
    ax.text(0.0, 101.5, "12,345", ha="center", va="bottom", fontsize="x-small")  # on top of the 2012 N
    assert text_problems(fig)


def test_a_missing_n_is_caught(figure_data):
    data = figure_data["figure_2"]
    fig = F.draw_data("figure_2", data)
    for t in fig.axes[0].texts:
        t.set_visible(False)
    assert n_problems("figure_2", fig, data, lang="en")


# --------------------------------------------------------------------------
# regressions seen at scale 0.1
# --------------------------------------------------------------------------
def test_cox_with_hidden_n_still_shows_its_hazard_ratios(figure_data):
    data = figure_data["figure_cox"].copy()
    data["n"], data["n_events"] = np.nan, np.nan  # secondary suppression of the counts only
    data["disclosure"] = "suppressed (disclosure control)"
    ax = F.draw_data("figure_cox", data).axes[0]
    drawn = ax.containers[0].lines[0]
    np.testing.assert_allclose(drawn.get_xdata(), data["hr"].to_numpy())
    assert ax.get_title(loc="left") == f"N = {F.MARKER}"
    assert any("disclosure control" in t.get_text() for t in ax.texts)
    refused = data.iloc[:1].copy()
    refused[["hr", "hr_lower", "hr_upper"]] = np.nan
    ax = F.draw_data("figure_cox", refused).axes[0]
    assert not ax.containers and "model not shown (disclosure control)" in [t.get_text() for t in ax.texts]


def test_a_point_released_with_hidden_counts_is_drawn_not_marked(figure_data):
    data = figure_data["figure_cohort_sensitivity"].copy()
    data["disclosure"] = ""
    keep = ((data["view"] == "cohort") & (data["time"] == 2) & (data["group"] == "within")).to_numpy()
    i = int(np.flatnonzero(keep)[0])
    data["n"] = data["n"].astype(float)
    data.loc[i, "n"] = np.nan
    data.loc[i, "disclosure"] = "suppressed (disclosure control)"
    ax = F.draw_data("figure_cohort_sensitivity", data).axes[0]
    assert len(ax.containers[0].lines[0].get_xdata()) == int(keep.sum())
    assert F.MARKER not in [t.get_text() for t in ax.texts]


def test_the_last_kaplan_meier_step_is_drawn_with_its_band(figure_data):
    data = figure_data["figure_8"]
    ax = F.draw_data("figure_8", data).axes[0]
    last = float(data["time"].max())
    for k, colour in enumerate(F.LINE_PALETTE[:2]):
        curve = [ln for ln in ax.get_lines() if _hex(ln.get_color()) == _hex(colour) and ln.get_marker() != "x"]
        assert max(float(np.max(ln.get_xdata())) for ln in curve) > last  # a visible last step
        bands = [c for c in ax.collections if _hex(c.get_facecolor()[0]) == _hex(colour)]
        right = max(float(p.vertices[:, 0].max()) for c in bands for p in c.get_paths())
        assert right > last


def test_figure_7_shows_a_single_released_point_of_both_series(figure_data):
    data = figure_data["figure_7"].copy()
    data["disclosure"] = ""
    for col in ("share_events", "share_mortgages"):
        data[col] = data[col].astype(float)
    hide = [1, 3]  # point 2 stands alone between two hidden points
    data.loc[hide, ["share_events", "share_mortgages"]] = np.nan
    data.loc[hide, "disclosure"] = "suppressed (disclosure control)"
    ax = F.draw_data("figure_7", data).axes[0]
    for line in ax.get_lines()[:2]:
        assert line.get_marker() not in ("", "None", None)
