"""The release helpers of ``cohorts refinance`` (release.py), by hand.

Kinds: hand-worked (outcome categories from steps, the sweep's rounding and the shares computed from the
rounded counts, the attacker's structural knowledge that "no refinancing moment" does not depend on the
scenario); bad input (a rounding base below the minimum frequency).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.disclosure import load_rules
from cohorts.errors import ConfigError
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.release import (
    ReleaseSettings,
    check_rounding,
    outcome_of,
    rounded_sweep,
    universe,
)

SETTINGS = ReleaseSettings(sample_households=1_920_000, population_households=2_900_000, round_to=1000,
                           rounding_base=100)


def test_outcome_of_steps_and_residual_debt() -> None:
    frame = pd.DataFrame({IO.STEP: [1, 2, 3, 4, 5, 6, 7, 7],
                          IO.RESIDUAL_DEBT: pd.array([False, False, False, False, False, False, False, True],
                                                     dtype="boolean")})
    assert outcome_of(frame).tolist() == ["no_refinancing_moment", "repays_from_wealth", "annuity",
                                          "annuity_after_wealth", "io50", "io50_after_wealth", "sale_repays",
                                          "sale_residual_debt"]


def test_sweep_is_rounded_to_the_base_and_shares_follow_the_rounded_counts() -> None:
    sweep = pd.DataFrame({IO.SCENARIO: ["recession"] * 2, IO.START_YEAR: [2031, 2032], "households": [10_000] * 2,
                          "fail_annuity": [449, 451], "forced_sale": [149, 150], "residual_debt": [49, 0],
                          "worst": [False, True]})
    out = rounded_sweep(sweep, scale=0.01, settings=SETTINGS, rules=load_rules(None))
    # 449 -> 400, 451 -> 500; 149 -> 100, 150 -> 200 (numpy rounds half to even: 1.5 -> 2); 49 -> 0
    assert out["fail_annuity_n_rounded"].tolist() == [400, 500]
    assert out["forced_sale_n_rounded"].tolist() == [100, 200]
    assert out["residual_debt_n_rounded"].tolist() == [0, 0]
    # shares of 10,000 households: 4.00% and 5.00%; population 400 / 0.01 x 2.9 / 1.92 = 60,416.7 -> 60,000
    assert out["fail_annuity_share"].tolist() == [4.0, 5.0]
    assert out["fail_annuity_population"].tolist() == [60_000.0, 76_000.0]


def test_the_attacker_knows_perpetuals_do_not_depend_on_the_scenario() -> None:
    fam = universe(["base", "crisis"]).family("units")
    points = {"outcome[base]": np.array(["no_refinancing_moment", "no_refinancing_moment", "annuity", "annuity"]),
              "outcome[crisis]": np.array(["no_refinancing_moment", "io50", "no_refinancing_moment", "io50"])}
    assert fam.exists(points).tolist() == [True, False, False, True]


def test_rounding_base_below_the_minimum_is_refused() -> None:
    rules = load_rules(None)
    check_rounding(SETTINGS, rules=rules)  # 100 >= 10
    with pytest.raises(ConfigError, match=r"rounding_base 5 is below the gate's frequency.min_units 10"):
        check_rounding(ReleaseSettings(1.0, 1.0, 1, 5), rules=rules)
