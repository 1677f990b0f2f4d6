"""Survival points released apart from their curve (the sweep's six-year values beside Figure 9).

Kind: planted truth and hand-worked decisions.  A population is planted with
known events and numbers at risk per year; Figure 9 pools or cuts its last
steps (fewer than 10 events), and the sweep releases the same population's
exact Kaplan-Meier value at year 7.  The attack is worked out independently of
the gate: from Figure 9's last shown value, its released numbers at risk and
the sweep's point, the integer solutions of ``prod (1 - d_k / n_k) = S_7 / S_5``
are enumerated; without the point check the planted events come back as the
only solution, with it the point is hidden.  The decisions of
:func:`cohorts.disclosure.survival.point_decisions` on hand-made frames are
worked out from its rule (a point at ``t`` is released only where every step
curve of the same population shows every step up to ``t``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.codebook import UNIVERSES
from cohorts.disclosure import DisclosureError, Rules, figure_release, protect
from cohorts.disclosure.checks import Checked, log_frame
from cohorts.disclosure.facts import population
from cohorts.disclosure.secondary import Release
from cohorts.disclosure.survival import CurveView, point_decisions
from cohorts.studies.high_mortgages.release import curve_views, read_release
from cohorts.studies.high_mortgages.tables import survival_data, threshold_sweep_data

RULES = Rules()

#: Planted starters per year 1..7: numbers at risk and first arrears.  High: years 6 and 7 have 6 and 4
#: events (each below 10, together 10); within the norm every year has at least 10.
HIGH_N = (400, 360, 330, 300, 250, 150, 90)
HIGH_D = (20, 15, 12, 11, 10, 6, 4)
WITHIN_N = (2000, 1900, 1800, 1600, 1300, 900, 500)
WITHIN_D = (40, 30, 28, 25, 22, 15, 11)


def _rows(n_at_risk, events, *, lti: float) -> pd.DataFrame:
    """Mortgages with exactly these numbers at risk and events per year (the rest censored at its year)."""
    dur, ev = [], []
    for t, (n, d) in enumerate(zip(n_at_risk, events, strict=True), start=1):
        nxt = n_at_risk[t] if t < len(n_at_risk) else 0
        dur += [t] * (n - nxt)
        ev += [True] * d + [False] * (n - nxt - d)
    k = len(dur)
    return pd.DataFrame({C.DURATION: dur, C.EVENT: ev, C.LTI_UTIL: lti, C.STARTER: True,
                         C.COHORT: 2012, C.EXIT_TYPE: np.where(ev, "arrears", "observed_end")[:k]})


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    coh = pd.concat([_rows(HIGH_N, HIGH_D, lti=1.1), _rows(WITHIN_N, WITHIN_D, lti=0.8)], ignore_index=True)
    coh[C.HIGH] = coh[C.LTI_UTIL] > 1.0
    coh[C.LOAN_ID] = np.arange(1, len(coh) + 1)
    return coh


def _releases(planted: pd.DataFrame) -> list[Release]:
    return [figure_release("figure_9_data", survival_data(planted, starters=True), rules=RULES),
            figure_release("figure_sweep_data", threshold_sweep_data(planted, thresholds=(1.0,)), rules=RULES)]


def _protect(planted: pd.DataFrame, *, check: bool):
    views = curve_views()
    return protect(_releases(planted), read=lambda frames: read_release(frames), universes=UNIVERSES, rules=RULES,
                   cross_check=(lambda frames: point_decisions(frames, views)) if check else None)


def _solutions(ratio: float, n_at_risk: tuple[int, ...], *, d_max: int = 60) -> list[tuple[int, ...]]:
    """Every whole-number split of the hidden steps' events consistent with the released ratio (the attack)."""
    out = []
    for ds in itertools.product(range(d_max), repeat=len(n_at_risk)):
        if abs(np.prod([1 - d / n for d, n in zip(ds, n_at_risk, strict=True)]) - ratio) < 1e-9:
            out.append(ds)
    return out


def test_figure_9_hides_the_planted_small_steps(planted):
    fig9 = _protect(planted, check=True).checked["figure_9_data.csv"].released
    high = fig9[fig9["category"] == "high"].set_index("time")
    assert high.loc[[1.0, 2.0, 3.0, 4.0, 5.0], "surv"].notna().all()
    assert high.loc[6.0, "surv"] != high.loc[6.0, "surv"]  # step 6 (6 events) pooled
    assert high.loc[[6.0, 7.0], "n_at_risk"].tolist() == [150.0, 90.0]  # the numbers at risk stay released


def test_without_the_point_check_the_sweep_gives_the_pooled_steps_away(planted):
    """The leak this check closes: Figure 9's S_5 and numbers at risk with the sweep's exact S_7."""
    res = _protect(planted, check=False).checked
    fig9 = res["figure_9_data.csv"].released.set_index(["category", "time"])
    sweep = res["figure_sweep_data.csv"].released.set_index("group")
    s7 = 1.0 - sweep.loc["above", "km_cum_inc"]
    assert np.isfinite(s7)
    ratio = s7 / fig9.loc[("high", 5.0), "surv"]
    n = (int(fig9.loc[("high", 6.0), "n_at_risk"]), int(fig9.loc[("high", 7.0), "n_at_risk"]))
    assert _solutions(ratio, n) == [(6, 4)]  # the planted events, and nothing else


def test_with_the_point_check_the_sweep_point_is_hidden_and_logged(planted):
    res = _protect(planted, check=True)
    sweep = res.checked["figure_sweep_data.csv"].released.set_index("group")
    assert np.isnan(sweep.loc["above", "km_cum_inc"]) and np.isnan(sweep.loc["above", "km_cum_inc_upper"])
    assert np.isfinite(sweep.loc["within", "km_cum_inc"])  # every within step of Figure 9 is shown
    why = res.decisions["figure_sweep_data.csv"][("threshold=1.0; population=starters; group=above; time=7", "pool")]
    assert "figure_9_data.csv category=high" in why and "6" in why
    log = res.checked["figure_sweep_data.csv"].log
    assert log["protects"].str.contains("figure_9_data.csv category=high").any()


def _view(estimate: str = "est", by: tuple[str, ...] = ("g",)) -> CurveView:
    return CurveView(by, lambda row: population(starter=True, io=str(row["g"]) == "a"), estimate)


def _curve(shown: dict[int, bool], g: str = "a") -> pd.DataFrame:
    return pd.DataFrame({"g": g, "time": [float(t) for t in shown],
                         "est": [0.9 if ok else np.nan for ok in shown.values()]})


def _point(t: int, g: str = "a", value: float = 0.8) -> pd.DataFrame:
    return pd.DataFrame({"g": [g], "time": [float(t)], "est": [value]})


@pytest.mark.parametrize(("shown", "t", "hidden"), [
    ({1: True, 2: True, 3: True}, 3, None),          # every step shown: the point adds nothing
    ({1: True, 2: True, 3: False}, 3, "3"),          # the point's own step pooled or cut
    ({1: False, 2: True, 3: True}, 3, "1"),          # an earlier step pooled: the exact value splits the run
    ({1: True, 2: True, 3: False}, 2, None),         # a later hidden step does not matter
    ({1: True, 2: False, 3: False}, 5, "2, 3, 4, 5"),  # beyond the curve's end: nothing shown there
])
def test_point_decisions_by_hand(shown, t, hidden):
    found = point_decisions({"curve.csv": _curve(shown), "points.csv": _point(t)},
                            {"curve.csv": _view(), "points.csv": _view()})
    if hidden is None:
        assert found == {}
    else:
        assert list(found) == [("points.csv", f"g=a; time={t}", "pool")]
        assert f"time {hidden} pooled or cut" in found[("points.csv", f"g=a; time={t}", "pool")]


def test_point_decisions_only_for_the_same_population():
    found = point_decisions({"curve.csv": _curve({1: False, 2: False}, g="a"), "points.csv": _point(2, g="b")},
                            {"curve.csv": _view(), "points.csv": _view()})
    assert found == {}


def test_a_hidden_point_and_unread_files_are_left_alone():
    frames = {"curve.csv": _curve({1: False, 2: True}), "points.csv": _point(2, value=np.nan),
              "other.csv": _point(2)}
    assert point_decisions(frames, {"curve.csv": _view(), "points.csv": _view()}) == {}


def _toy(name: str, frame: pd.DataFrame, seen: list) -> Release:
    def make(extra):
        seen.append((name, dict(extra)))
        out = frame.copy()
        for (cell, action) in extra:
            t = float(cell.rsplit("time=", 1)[1])
            out.loc[out["time"] == t, "est"] = np.nan
        return Checked(out.assign(disclosure=""), log_frame([]))
    return Release(name, make)


def test_protect_applies_cross_check_decisions_until_none_is_left():
    seen: list = []
    views = {"curve.csv": _view(), "points.csv": _view()}
    res = protect([_toy("curve.csv", _curve({1: False, 2: True}), seen), _toy("points.csv", _point(2), seen)],
                  read=lambda frames: {}, universes=UNIVERSES, rules=RULES,
                  cross_check=lambda frames: point_decisions(frames, views))
    assert np.isnan(res.checked["points.csv"].released["est"]).all()
    assert list(res.decisions) == ["points.csv"] and res.rounds == 2
    assert ("points.csv", {("g=a; time=2", "pool"): res.decisions["points.csv"][("g=a; time=2", "pool")]}) in seen


def test_a_decision_on_an_earlier_release_is_an_error():
    """A point already out cannot be hidden any more: the run must not release the curve that it exposes."""
    earlier = {"points.csv": _point(2)}
    views = {"curve.csv": _view(), "points.csv": _view()}
    with pytest.raises(DisclosureError, match="earlier release would give away"):
        protect([_toy("curve.csv", _curve({1: False, 2: True}), [])], read=lambda frames: {}, universes=UNIVERSES,
                rules=RULES, cross_check=lambda frames: point_decisions({**earlier, **frames}, views))
