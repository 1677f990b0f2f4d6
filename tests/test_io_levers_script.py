"""Tests of ``benchmarks/io_levers.py``, the calibration aid that changes the households in memory.

Kinds: **hand-worked** (each lever on a frame built here, the expected values written out) and a
**cross-check of two implementations** (the aid's counts for the twin as made against the
comparison that ``cohorts refinance`` writes for the same twin, which counts through its own
release path).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from benchmark_script import load_benchmark
from sample import SAMPLE, SAMPLE_SCALE


@pytest.fixture(scope="module")
def levers():
    yield from load_benchmark("io_levers")


def _households() -> pd.DataFrame:
    n = 5
    frame = pd.DataFrame(
        {
            "household_id": np.arange(1, n + 1),
            "main_birth_year": [1950, 1970, 1960, 1980, 1955],
            "debt_now": [300_000.0, 100_000.0, 260_000.0, 120_000.0, 250_000.0],
            "house_value_now": [100_000.0, 400_000.0, 200_000.0, 300_000.0, 100_000.0],
            "cash": [0.0, 500.0, 0.0, 0.0, 0.0],
            "aow_share_main": [1.0, 0.3, 0.86, 0.0, 1.0],
            "aow_share_partner": [0.5, 1.0, 1.0, 1.0, 1.0],
        }
    )
    for c in ("pension_attainable_active_main", "pension_attainable_inactive_main",
              "pension_attainable_active_partner", "pension_attainable_inactive_partner"):
        frame[c] = [10_000.0, 20_000.0, 0.0, 5_000.0, 1_000.0]
    return frame


def _context(levers, **kw):
    base = dict(rank=np.array([1.0, 0.0, 0.5, 0.9, 0.2]), dated=np.array([True, True, True, False, True]),
                refi_year=np.array([2035.0, 2030.0, 2042.0, np.nan, 2036.0]),
                low_income=np.array([False, False, False, False, True]), seed=1)
    base.update(kw)
    return levers.Context(**base)


def test_pension_level_and_thin_pension_hand_worked(levers) -> None:
    """Hand-worked: pension_level 1.1 multiplies every attainable pension (10,000 -> 11,000); thin_pension
    with chance value x 8 r^7: r = 1 gives 8 x value, so value 0.125 empties households of rank 1 (both
    persons) and r = 0 never (chance 0); rank 0.5 has chance 0.125 x 8 / 128 = 0.0078."""
    hh, ctx = _households(), _context(levers)
    up = levers.pension_level(hh, 1.1, ctx)
    assert up["pension_attainable_active_main"].tolist() == pytest.approx([11_000.0, 22_000.0, 0.0, 5_500.0, 1_100.0])
    thin = levers.thin_pension(hh, 0.125, ctx)
    assert thin.loc[0, "pension_attainable_active_main"] == 0.0 and thin.loc[0, "pension_attainable_inactive_partner"] == 0.0
    assert thin.loc[1, "pension_attainable_active_main"] == 20_000.0


def test_aow_partial_lo_hand_worked(levers) -> None:
    """Hand-worked: the generator's gaps (1 - share, up to 0.70) are rescaled by (1 - 0.52) / 0.70:
    share 0.30 (gap 0.70) -> gap 0.48 -> 0.52; share 0.86 (gap 0.14) -> gap 0.096 -> rounded to 0.10 ->
    0.90; share 0.5 (gap 0.5) -> 0.3429 -> 0.34 -> 0.66; shares 1.0 and 0.0 (no AOW) stay."""
    got = levers.aow_partial_lo(_households(), 0.52, _context(levers))
    assert got["aow_share_main"].tolist() == pytest.approx([1.0, 0.52, 0.90, 0.0, 1.0])
    assert got["aow_share_partner"].tolist() == pytest.approx([0.66, 1.0, 1.0, 1.0, 1.0])


def test_value_levers_pick_the_documented_households(levers) -> None:
    """Hand-worked: with value 1 every eligible household is changed and no other.  cap_high_ltv: only
    household 1 (dated, not low income, debt / WOZ 3.0 > 2) goes to [1.7, 2.0); household 3 has 1.3,
    household 5 has 2.5 but the low-income sign.  underwater (chance 3 r^2 x value): rank 1 in 2035
    (chance 3) surely, its WOZ min(WOZ, debt / l) with l in [0.95, 1.35); household 2 (2030) is outside the window and household 4 perpetual.  lowdebt_cash:
    main earner 50+ in 2016 and debt <= 150,000: none of these (household 2 is 46, household 4 36);
    older_cash: households 1, 3 and 5 (66, 56 and 61)."""
    hh, ctx = _households(), _context(levers)
    cap = levers.cap_high_ltv(hh, 1.0, ctx)
    ltv = cap["debt_now"] / cap["house_value_now"]
    assert 1.7 <= ltv[0] < 2.0 and (cap["house_value_now"][1:] == hh["house_value_now"][1:]).all()
    under = levers.underwater(hh, 1.0, ctx)
    assert under.loc[0, "house_value_now"] == 100_000.0  # min(WOZ, debt / l): 300,000 / l > 100,000 keeps it
    assert under.loc[1, "house_value_now"] == 400_000.0 and under.loc[3, "house_value_now"] == 300_000.0
    rich = levers.underwater(hh.assign(house_value_now=[1e6, 1e6, 2e5, 3e5, 1e5]), 1.0, ctx)["house_value_now"]
    assert 0.95 <= 300_000.0 / rich[0] < 1.35 and rich[1] == 1e6
    assert (levers.lowdebt_cash(hh, 1.0, ctx)["cash"] == hh["cash"]).all()
    older = levers.older_cash(hh, 1.0, ctx)["cash"].to_numpy()
    assert older[0] > 0 and older[2] > 0 and older[4] > 0 and older[1] == 500.0 and older[3] == 0.0


def test_parse_variant(levers) -> None:
    """Hand-worked: two levers joined by a comma; an unknown lever or a non-number is a clear error."""
    assert levers.parse_variant("pension_level=1.1,cap_high_ltv=0.4") == {"pension_level": 1.1, "cap_high_ltv": 0.4}
    with pytest.raises(ValueError, match="lever=value"):
        levers.parse_variant("pensions=1.1")
    with pytest.raises(ValueError, match="not a number"):
        levers.parse_variant("pension_level=high")


def test_as_made_counts_match_the_command(levers, tmp_path: Path) -> None:
    """Cross-check: for the committed sample as made, the aid's base counts (households / scale x the
    report's coverage, in thousands) round to the comparison's reproduced values of ``cohorts refinance``
    (step-4 failures, forced sales, vulnerable households, wealth repayments, core risk)."""
    from cohorts.cli import main

    out = tmp_path / "out"
    with pytest.warns(Warning):
        assert main(["refinance", "--data", str(SAMPLE), "--out", str(out), "--scenario", "base", "--quiet"]) == 0
    cmp = pd.read_csv(out / "comparison.csv").set_index("id")["reproduced"]
    with pytest.warns(Warning):  # the same notes as the command's (social-assistance level, Trhk 2019 -> 2015)
        table = levers.run(SAMPLE, [], scale=SAMPLE_SCALE)
    base = table.loc[table["scenario"] == "base"].set_index("measure")["value"]
    for measure, row in (("fail_annuity", "IO_TXT_fail_annuity_n"), ("forced_sale", "IO_TXT_forced_sale_n"),
                         ("vulnerable", "IO_TXT_vulnerable_n"), ("wealth_repay", "IO_TXT_wealth_repay_n"),
                         ("core_risk", "IO_TXT_core_n")):
        assert round(base[measure]) * 1000 == cmp[row], measure
