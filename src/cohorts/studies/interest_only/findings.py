"""The study's findings in words, from the released ``tree.csv`` only (nothing typed in).

A group the study reports (fail step 4, fail step 6, residual debt) is a sum of released cells; where
the gate hid a cell of it, the group is still stated when the total minus the other released cells gives
it (public arithmetic), and otherwise the sentence says it is not shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import columns as IO
from .release import ALL, GROUPS, OUTCOMES, TREND

SCENARIO_NAMES = {"base": "the base scenario", "recession": "a recession", "high_rate": "a rate rise",
                  "housing_crisis": "a housing-market crisis"}


def group_count(cells: pd.Series, outcomes: tuple[str, ...]) -> float:
    """The count of a group of outcomes from one scenario's released counts (NaN if not derivable).

    Parameters
    ----------
    cells : pandas.Series
        Released ``n`` by outcome (the marker or NaN where hidden), with the ``all`` total.
    outcomes : tuple of str
    """
    n = pd.to_numeric(cells, errors="coerce")
    own = n[list(outcomes)]
    if not own.isna().any():
        return float(own.sum())
    rest = n[[o for o in OUTCOMES if o not in outcomes]]
    return float("nan") if rest.isna().any() else float(n[ALL]) - float(rest.sum())


def _share(count: float, total: float) -> str:
    return "not shown (disclosure control)" if np.isnan(count) else f"{100.0 * count / total:.1f}%"


def findings(tree: pd.DataFrame) -> list[str]:
    """One sentence per scenario, as a researcher would state the tree's outcome.

    Parameters
    ----------
    tree : pandas.DataFrame
        ``tree.csv`` as released (:func:`cohorts.studies.interest_only.release.read_released_tree`).

    Returns
    -------
    list of str
    """
    lines = []
    for name, rows in tree.groupby(IO.SCENARIO, sort=False):
        cells = rows.set_index("outcome")["n"]
        total = float(pd.to_numeric(cells[ALL]))
        start = str(rows[IO.START_YEAR].iloc[0])
        when = "" if start == TREND else f" starting in {start} (the start year with the most step-4 failures)"
        perpetual = group_count(cells, OUTCOMES[:1])
        wealth = group_count(cells, OUTCOMES[1:2])
        fail4 = group_count(cells, GROUPS["fail_annuity"])
        fail6 = group_count(cells, GROUPS["forced_sale"])
        residual = group_count(cells, GROUPS["residual_debt"])
        lines.append(
            f"Under {SCENARIO_NAMES.get(name, name)}{when}, of the {int(total):,} households with an interest-only "
            f"part at the end of 2016, {_share(perpetual, total)} have no refinancing moment and "
            f"{_share(wealth, total)} can repay from their free wealth; {_share(fail4, total)} cannot refinance "
            f"with an annuity even after using their free wealth (step 4), {_share(fail6, total)} cannot refinance "
            f"even with half of the house value interest-only (step 6: a forced sale), and "
            f"{_share(residual, total)} would be left with residual debt after selling."
        )
    return lines


def alt_text_tree(tree: pd.DataFrame) -> str:
    """Alt text of the tree figure: what the bars show and the released numbers they show."""
    return ("Horizontal stacked bars, one per scenario, of the shares of households with an interest-only part by "
            "the outcome of the vulnerability tree (no refinancing moment, repays from wealth, refinances with an "
            "annuity, refinances with 50% interest-only, forced sale without and with residual debt; cells hidden by "
            "disclosure control drawn as one hatched segment). " + " ".join(findings(tree)))


def alt_text_sweep(sweep: pd.DataFrame, tree: pd.DataFrame) -> str:
    """Alt text of the sweep figure: per shock scenario its worst start year and the range of the rounded shares."""
    parts = []
    fail = sweep[sweep["group"] == "fail_annuity"]
    for name, rows in fail.groupby(IO.SCENARIO, sort=False):
        shares = pd.to_numeric(rows["share"], errors="coerce")
        start = str(tree.loc[tree[IO.SCENARIO] == name, IO.START_YEAR].iloc[0])
        parts.append(f"{SCENARIO_NAMES.get(name, name)}: worst start year {start}; at the other start years "
                     f"{shares.min():.1f}% to {shares.max():.1f}% fail step 4 (counts rounded)")
    return ("Step lines of the share failing the annuity test (step 4) by the start year of each shock scenario, "
            "with rounding bands and the worst start year marked. " + "; ".join(parts) + ".")
