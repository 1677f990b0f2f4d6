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
    return "x (hidden by disclosure control)" if np.isnan(count) else f"{100.0 * count / total:.1f}%"


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
        when = "" if start == TREND else f" starting in {start} (its worst start year)"
        perpetual = group_count(cells, OUTCOMES[:1])
        wealth = group_count(cells, OUTCOMES[1:2])
        fail4 = group_count(cells, GROUPS["fail_annuity"])
        fail6 = group_count(cells, GROUPS["forced_sale"])
        residual = group_count(cells, GROUPS["residual_debt"])
        lines.append(
            f"Under {SCENARIO_NAMES.get(name, name)}{when}, of the {int(total):,} households with an interest-only "
            f"part at the end of 2016: no refinancing moment {_share(perpetual, total)}; repay from their free wealth "
            f"{_share(wealth, total)}; cannot refinance with an annuity even after using their free wealth (step 4) "
            f"{_share(fail4, total)}; cannot refinance even with half of the house value interest-only (step 6, a "
            f"forced sale) {_share(fail6, total)}; left with residual debt after selling {_share(residual, total)}."
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


def perpetual_findings(perpetuals: pd.DataFrame, tree: pd.DataFrame) -> list[str]:
    """One sentence per scenario on the households without a refinancing moment (F31-F33), from released counts.

    Parameters
    ----------
    perpetuals : pandas.DataFrame
        ``perpetuals.csv`` as released.
    tree : pandas.DataFrame
        ``tree.csv`` as released (the number of perpetual households is its ``no_refinancing_moment`` cell).
    """
    lines = []
    for name, rows in perpetuals.groupby(IO.SCENARIO, sort=False):
        n = pd.to_numeric(rows.set_index("group")["n"], errors="coerce")
        cells = tree[tree[IO.SCENARIO] == name].set_index("outcome")["n"]
        total = float(pd.to_numeric(cells[OUTCOMES[0]], errors="coerce"))
        if np.isnan(total):
            lines.append(f"Under {SCENARIO_NAMES.get(name, name)}, the households without a refinancing moment "
                         "are not shown (disclosure control).")
            continue

        def of(group: str, complement: str | None = None) -> str:
            value = n.get(group, np.nan)
            if np.isnan(value) and complement is not None and not np.isnan(n.get(complement, np.nan)):
                value = total - n[complement]
            return _share(value, total)

        lines.append(
            f"Under {SCENARIO_NAMES.get(name, name)}, of the {int(total):,} households without a refinancing moment: "
            f"could sell without residual debt at the end of 2016 {of('agile_now', 'not_agile_now')}; could at "
            f"their event year (retirement or the end of the mortgage-interest deduction) "
            f"{of('agile_at_event', 'not_agile_at_event')}; fail the affordability test then {of('afford_fail')}; "
            f"of them also unable to sell without residual debt {of('afford_fail_not_agile_at_event')}."
        )
    return lines


def alt_text_sensitivity(sensitivity: pd.DataFrame) -> str:
    """Alt text of the sensitivity figure: each parameter's range of the share failing step 4 (released, rounded)."""
    parts = []
    for name, g in sensitivity.groupby("parameter", sort=False):
        share = pd.to_numeric(g["share"], errors="coerce")
        parts.append(f"{name.replace('_', ' ')} {share.min():.1f}% to {share.max():.1f}%")
    base = pd.to_numeric(sensitivity.loc[sensitivity["is_baseline"].astype(str).str.lower() == "true", "share"],
                         errors="coerce")
    return ("Horizontal bars of the share failing the annuity test (step 4) when one parameter at a time is moved "
            f"over its range, values of 2017 without growth (baseline {base.iloc[0]:.1f}%): " + "; ".join(parts) + ".")
