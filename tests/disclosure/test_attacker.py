"""An attacker with the files a run released and nothing else, on synthetic runs at several scales and seeds.

Kind: property check of the gate against an attacker, with a planted truth.
The attacker reads only what ``manifest.json`` lists under ``released``
(``tables/``; the figures are drawn from those data files) and tries:

* direct visibility: a row marked suppressed shows no number in a column the
  release hides elsewhere (the count ``n`` of a hidden share, say);
* ratio and margin recovery by hand, independently of the gate's code: in
  each partition figure (a cohort split into LTI x LTV quadrants, Figures 2,
  3, B1, B2) the cohort total follows from any released ``n`` and share, and
  the hidden cells then sum to the total minus the released ones: that sum
  must be 0 or at least the minimum cell size;
* linear programming over everything released (:func:`cohorts.disclosure.attack`
  on the report's codebook, no witness from the data): every hidden cell and
  every difference of nested populations must keep an interval at least as
  wide as the protection level allows.

The planted truth: the checker's log (``checker/``, never released) holds
each hidden cell's true count; it must lie inside the attacker's interval
(else the codebook misreads a file, and the audit's bounds mean nothing).
That the attacker finds leaks when there are some is shown in
``tests/disclosure/test_audit.py`` (planted leaks in copies of released files).

Runs: scale 0.002 and 0.01 on seeds 1, 2, 3 (the committed sample, 0.01 and
seed 20221, is attacked in ``test_gate_commands.py``'s fixture too).  Scale
0.1 runs outside the suite: ``python benchmarks/attack.py --scale 0.1 --seeds 1 2 3``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cohorts.codebook import UNIVERSES
from cohorts.disclosure import attack, load_rules
from cohorts.studies.high_mortgages.release import read_release, released_files as released_frames, truth_outside


RUNS = [(0.002, 1), (0.002, 2), (0.002, 3), (0.01, 1), (0.01, 2), (0.01, 3)]
RULES = load_rules()
PARTITIONS = ("figure_2_data.csv", "figure_3_data.csv", "figure_b1_data.csv", "figure_b2_data.csv")


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.replace({RULES.marker: np.nan, "": np.nan}).apply(pd.to_numeric, errors="coerce")


@pytest.fixture(scope="module", params=RUNS, ids=[f"scale{s}-seed{k}" for s, k in RUNS])
def run(request, released_run):
    return released_run(*request.param)


@pytest.mark.slow
def test_only_tables_figures_and_the_manifest_are_released(run):
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["released"] == ["tables", "figures", "manifest.json"]
    assert not any(k.startswith("checker/") for k in manifest["outputs"])
    # the checker's log: every secondary decision names the target it protects and the interval avoided
    log = pd.read_csv(run / "checker" / "disclosure_log.csv", keep_default_na=False)
    secondary = log.loc[log["decision"].str.endswith("(secondary)")]
    # (the audit's interval avoided, or the step curve a survival point would give away: point_decisions)
    assert len(secondary) and secondary["protects"].str.contains(
        r"\(else narrowed to \[|: step\(s\) at time [\d, ]+ pooled or cut there; the point's exact value").all()
    assert (log.loc[~log["decision"].str.endswith("(secondary)"), "protects"] == "").all()


@pytest.mark.slow
def test_no_hidden_row_shows_the_count_that_carries_it(run):
    checked = 0
    for name, frame in released_frames(run).items():
        if "disclosure" not in frame:
            continue
        if any(c in frame for c in ("surv", "km_cum_inc", "cif")):
            continue  # a curve row holds several facts (the curve's totals, one step): the LP attack below
        hidden = frame["disclosure"].str.startswith("suppressed")
        for col in (c for c in ("n", "count", "events", "n_events", "value", "share") if c in frame):
            assert frame.loc[hidden, col].isin([RULES.marker, ""]).all(), (name, col)
            checked += int(hidden.sum())
    assert checked > 0


@pytest.mark.slow
def test_partition_margins_do_not_give_a_hidden_quadrant_back(run):
    frames = released_frames(run)
    checked = 0
    for name in PARTITIONS:
        if name not in frames:
            continue
        frame = frames[name]
        num = _numbers(frame[["n", "share"]])
        for _, idx in frame.groupby("cohort").groups.items():
            n, share = num.loc[idx, "n"], num.loc[idx, "share"]
            known = n.notna() & share.notna() & (share > 0)
            hidden = n.isna() | share.isna()
            if not known.any() or not hidden.any():
                continue
            total = float((n[known] / share[known] * 100.0).round().iloc[0])  # N = n / share
            rest = total - n[~hidden].sum()
            assert rest == 0 or rest >= RULES.min_units, (name, frame.loc[idx, "cohort"].iloc[0], rest)
            checked += 1
    assert checked > 0  # some cohorts with hidden quadrants were attacked


@pytest.mark.slow
def test_linear_programming_recovers_no_hidden_cell_and_the_truth_lies_inside(run):
    frames = released_frames(run)
    readings = read_release(frames)
    audit = attack(readings, UNIVERSES, min_units=RULES.min_units, protection=RULES.protection_level)
    assert not audit.exposures, [f"{b.label} [{b.lo:g}, {b.hi:g}]" for b in audit.exposures[:5]]
    # planted truth: the checker's log holds the true count behind each primary suppression; with a protection
    # level nothing can reach, no target is settled by the witnessed spread, so every interval is the exact
    # optimum, and the truth must lie inside it (else the codebook misreads a file)
    exact = attack(readings, UNIVERSES, min_units=RULES.min_units, protection=1000.0, differences=False)
    found = truth_outside(exact.bounds, pd.read_csv(run / "checker" / "disclosure_log.csv"))
    assert found[:-1] == [], found[:5]
    inside = int(found[-1].removeprefix("checked: "))
    assert inside > 0


#: Step curves of the report by (population, group of a point) at the report's threshold: Figures 8 and 9.
_CURVE_OF = {("all", "within"): ("figure_8_data.csv", "within"), ("all", "above"): ("figure_8_data.csv", "high"),
             ("starters", "within"): ("figure_9_data.csv", "within"),
             ("starters", "above"): ("figure_9_data.csv", "high")}


def _split_solutions(ratio: float, n_at_risk: list[float], *, d_max: int = 60) -> int:
    """How many whole-number event counts of the hidden steps give the released ratio of survivals."""
    grids = np.meshgrid(*[np.arange(d_max)] * len(n_at_risk), indexing="ij")
    prod = np.ones_like(grids[0], dtype="float64")
    for g, n in zip(grids, n_at_risk, strict=True):
        prod = prod * (1.0 - g / n)
    return int((np.abs(prod - ratio) < 1e-9).sum())


def points_beside_hidden_steps(folder) -> list[str]:
    """Released points (exact Kaplan-Meier at time t, in a curve that does not list every step: the sweep's
    six-year values) of the population of Figure 8 or 9 whose curve there hides a step up to t, with what the
    attack finds.  Curves listed step by step (the cohort-sensitivity views) are linear facts of the audit."""
    frames = {}
    for k, v in released_frames(folder).items():
        num = v.apply(pd.to_numeric, errors="coerce")
        for c in ("population", "group", "category", "view", "cohort"):
            if c in v.columns:
                num[c] = v[c]
        frames[k] = num
    points = []
    at_report = {"figure_sweep_data.csv": lambda f: f["threshold"] == 1.0,
                 "figure_cohort_sensitivity_data.csv": lambda f: (f["view"] == "pooled") & (f["threshold"] == 1.0)}
    for name, keep in at_report.items():
        frame = frames.get(name)
        if frame is None:
            continue
        frame = frame.loc[keep(frame)]
        for _, curve in frame.groupby(["population", "group"]):
            if sorted(curve["time"]) != list(range(1, len(curve) + 1)):  # a step curve is read by the linear audit
                points += [r for _, r in curve.iterrows()]
    found = []
    for p in points:
        if not np.isfinite(p["km_cum_inc"]):
            continue
        name, category = _CURVE_OF[(str(p["population"]), str(p["group"]))]
        curve = frames[name].loc[frames[name]["category"] == category].set_index("time").sort_index()
        t = int(p["time"])
        surv = [curve["surv"].get(float(k), np.nan) for k in range(1, t + 1)]
        if np.isfinite(surv).all():
            continue  # every step up to t shown: the point is one of them
        s = max((k for k in range(1, t) if np.isfinite(surv[k - 1])), default=0)
        hidden = list(range(s + 1, t + 1))
        n_risk = [curve["n_at_risk"].get(float(k), np.nan) for k in hidden]
        what = "not solved"
        if len(hidden) <= 3 and np.isfinite(n_risk).all():
            ratio = (1.0 - p["km_cum_inc"]) / (surv[s - 1] if s else 1.0)
            what = f"{_split_solutions(ratio, n_risk)} whole-number solution(s) for the events of {hidden}"
        found.append(f"{name} {category}: point at time {t} beside hidden step(s) {hidden}: {what}")
    return found


@pytest.mark.slow
def test_no_released_point_splits_a_pooled_step_of_figures_8_and_9(run):
    """The non-linear attack the LP cannot make: a point of the sweep or the cohort-sensitivity view (exact
    Kaplan-Meier at time t) of the population of Figure 8 or 9, beside the figure's last shown value before t
    and its released numbers at risk, solves for the events of the steps the figure pooled or cut
    (tests/disclosure/test_points.py plants it).  No such point may be released."""
    assert points_beside_hidden_steps(run) == []
