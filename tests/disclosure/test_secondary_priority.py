"""Which cells secondary suppression hides: the cheapest, unless a cell is worth more (``Release.cell_priority``),
and none the run does not need (``protect(cleanup=True)``).

Kind: hand-worked.  A one-way table of three cells (4, 30, 100) with its total
released: the 4 is hidden by the frequency rule, and the total minus the two
others would give it back, so one more cell must go.  Worked out from the
rule in :mod:`cohorts.disclosure.secondary` (fewest carriers, then the lowest
priority, then the smallest value): by default the 30 is hidden (after it,
the 4 lies anywhere in [0, 34]); when the 30 is a cell the figure draws
(priority above its file's), the 100 goes instead ([0, 104]) and the 30 is
released.  The last test checks the first study's use: the cohort-sensitivity
figure's drawn points (each cohort at the horizon) outrank the other rows of
its data file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts.disclosure import Rules, protect
from cohorts.disclosure.artefacts import COHORT_SENSITIVITY_HORIZON, figure_release
from cohorts.disclosure.checks import Checked, log_frame
from cohorts.disclosure.facts import UNITS, Dim, Family, Reading, Source, Target, Term, Universe, count_fact, population

RULES = Rules()
CELLS = {0: 4, 1: 30, 2: 100}
UNIVERSE = Universe("t", (Dim("c", values=(0, 1, 2)),), (Family(UNITS, parent=None),))


def _label(c: int) -> str:
    return f"c={c}"


def _release(*, cell_priority=None):
    from cohorts.disclosure.secondary import Release

    def make(extra) -> Checked:
        n = [np.nan if (v < RULES.min_units or (_label(c), "cell") in extra) else float(v) for c, v in CELLS.items()]
        return Checked(pd.DataFrame({"c": list(CELLS), "n": n, "disclosure": ""}), log_frame([]))
    return Release("t.csv", make, priority=1, cell_priority=cell_priority)


def _read(frames) -> dict[str, Reading]:
    frame = frames["t.csv"]
    facts = [count_fact(UNITS, population(), float(sum(CELLS.values())), Source("t.csv", "all", "n"))]
    targets = []
    for c, v in zip(frame["c"], pd.to_numeric(frame["n"], errors="coerce"), strict=True):
        src = Source("t.csv", _label(int(c)), "n")
        if np.isfinite(v):
            facts.append(count_fact(UNITS, population(c=int(c)), float(v), src))
        else:
            targets.append(Target((Term(UNITS, population(c=int(c))),), src))
    return {"t": Reading(tuple(facts), tuple(targets))}


def _hidden(res) -> list[int]:
    n = res.checked["t.csv"].released["n"]
    return [int(c) for c, v in zip(CELLS, n, strict=True) if not np.isfinite(v)]


def test_by_default_the_smallest_complement_is_hidden():
    res = protect([_release()], read=_read, universes={"t": UNIVERSE}, rules=RULES)
    assert _hidden(res) == [0, 1]


def test_a_cell_worth_more_than_its_file_is_kept_and_a_larger_one_hidden_instead():
    keep_30 = lambda cell: 2 if cell == _label(1) else None  # noqa: E731
    res = protect([_release(cell_priority=keep_30)], read=_read, universes={"t": UNIVERSE}, rules=RULES)
    assert _hidden(res) == [0, 2]
    assert res.decisions["t.csv"] == {(_label(2), "cell"): res.decisions["t.csv"][(_label(2), "cell")]}


def test_cohort_sensitivity_drawn_points_outrank_the_rest_of_the_file():
    rel = figure_release("figure_cohort_sensitivity_data", pd.DataFrame(), rules=RULES)
    h = COHORT_SENSITIVITY_HORIZON
    head = "cohort=2013; threshold=1.0; population=all; group=above"
    assert rel.priority == 0
    assert rel.worth(f"view=cohort; {head}; time={h:g}") == 1
    assert rel.worth(f"view=cohort; {head}; time={h + 1:g}") == 0
    assert rel.worth(f"view=leave_one_out; {head}; time={h:g}") == 0
    assert rel.worth(f"view=pooled; cohort=all; threshold=1.0; population=all; group=above; time={h:g}") == 0
    assert figure_release("figure_8_data", pd.DataFrame(), rules=RULES).worth("category=high; time=2") == 1


def test_cleanup_keeps_a_needed_suppression():
    """Hand-worked: the 30 protects the 4 (else total - 30 - 100 = 4), so the clean-up cannot show it again."""
    res = protect([_release()], read=_read, universes={"t": UNIVERSE}, rules=RULES, cleanup=True)
    assert _hidden(res) == [0, 1]


def test_cleanup_shows_again_a_suppression_the_run_does_not_need():
    """Hand-worked: a cross-check hides the 100 while the 30 is shown; the audit hides the 30 in the same round.

    After the greedy rounds the 4, the 30 and the 100 are hidden, but one of the two protects the 4 alone.
    The clean-up tries the last decision taken first (the audit's 30): with the 100 hidden the 4 lies in
    [0, 104] and the cross-check asks for nothing more (the 100 is already hidden), so the 30 is shown again;
    the 100 is then needed (else total - 30 - 100 = 4) and stays hidden.
    """
    def cross(frames):
        n = frames["t.csv"]["n"]
        return {("t.csv", _label(2), "cell"): "test"} if np.isfinite(n.iloc[1]) else {}
    plain = protect([_release()], read=_read, universes={"t": UNIVERSE}, rules=RULES, cross_check=cross)
    assert _hidden(plain) == [0, 1, 2]
    clean = protect([_release()], read=_read, universes={"t": UNIVERSE}, rules=RULES, cross_check=cross, cleanup=True)
    assert _hidden(clean) == [0, 2]
    assert list(clean.decisions["t.csv"]) == [(_label(2), "cell")]
    assert not clean.audit.exposures
