"""The interest-only study's source conflicts (data/source_conflicts.csv) recompute to their documented values.

Kinds:
* hand-worked: each implied value is worked out from the report's printed numbers in the test
  (footnote 26: 100 - 11 + 11 = 100; (100 - 15 - 4 - 5)% x 78,000 = 59,280; 63,000 - 52,000 =
  11,000; 2052 - 2030 + 1 = 23; 16,000 / 18,000 = 0.889; 1.92; 2.9; 2012; 204,000) and compared with
  the engine's recomputation (:func:`cohorts.report.conflicts.check_conflicts`) and the file's
  ``implied`` column;
* property: the engine confirms a contradiction exactly where the rounding intervals are disjoint
  (README section 8's known inconsistencies that are contradictions beyond rounding), and leaves
  the others (59,280 vs 'ruim 60.000'; 204,000 under 'maximaal 263.000'; 'circa 3 miljoen' vs 2.9)
  to be compared as usual; every README section 8 inconsistency has a row;
* planted error: a copy of the file with a wrong implied value, or an expression that reads an
  unknown id, is refused with the file, line and id named.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cohorts.report.conflicts import SourceDataError, check_conflicts
from cohorts.studies.interest_only import comparison as CMP

#: id -> the implied value worked out by hand from the printed numbers (README section 8, "Known inconsistencies").
HAND = {
    "IO_TXT_fail_annuity_lti_share": 100 - 11 + 11,
    "IO_TXT_no_meas_error_n": (100 - 15 - 4 - 5) / 100 * 78_000,
    "IO_TXT_perp_afford_not_sell_n": 63_000 - 52_000,
    "IO_DEF_low_scen_years_below_max": 2052 - 2030 + 1,
    "IO_SUM_scen_residual_ratio": 16_000 / 18_000,
    "IO_TXT_h4_crisis_refi_n": 204_000,
    "IO_DEF_recession_analogue_end": 2012,
    "IO_SUM_io_households_pop": 2.9,
    "IO_TXT_mercurius_io_mortgages": 2.9,
    "IO_F18_n_analysis": 1.92,
}
#: Contradictions beyond rounding (the rounding intervals are disjoint).
CONFIRMED = {"IO_TXT_fail_annuity_lti_share", "IO_TXT_perp_afford_not_sell_n", "IO_DEF_low_scen_years_below_max",
             "IO_SUM_scen_residual_ratio", "IO_DEF_recession_analogue_end", "IO_TXT_mercurius_io_mortgages",
             "IO_F18_n_analysis"}


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return CMP.load_targets()


@pytest.fixture(scope="module")
def checked(targets: pd.DataFrame) -> pd.DataFrame:
    return check_conflicts(CMP.load_conflicts(targets=targets), targets).set_index("id")


def test_every_known_inconsistency_has_a_row(checked: pd.DataFrame) -> None:
    assert set(checked.index) == set(HAND)
    assert (checked["conflict_kind"] == "arithmetic").all()


@pytest.mark.parametrize("id_", sorted(HAND))
def test_implied_values_recompute(checked: pd.DataFrame, id_: str) -> None:
    assert checked.loc[id_, "implied"] == pytest.approx(HAND[id_], rel=1e-12)
    stated = CMP.load_conflicts().set_index("id").loc[id_, "implied"]
    assert stated == pytest.approx(HAND[id_], abs=0.0005 if HAND[id_] < 10 else 0.5)


def test_contradictions_beyond_rounding(checked: pd.DataFrame, targets: pd.DataFrame) -> None:
    assert set(checked.index[checked["contradiction"]]) == CONFIRMED
    # 97 in [96.5, 97.5] against 100 - [10.5, 11.5] + [10.5, 11.5] = [99, 101]: disjoint
    row = checked.loc["IO_TXT_fail_annuity_lti_share"]
    assert (row["implied_low"], row["implied_high"]) == pytest.approx((99.0, 101.0))
    # 'ruim 60.000' (lower bound) is within the rounding of (100 - 15 - 4 - 5)% x 78,000
    row = checked.loc["IO_TXT_no_meas_error_n"]
    assert row["implied_low"] < 60_000 < row["implied_high"]


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = CMP.data_path("source_conflicts.csv").read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "source_conflicts.csv"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


def test_wrong_implied_value_is_refused(tmp_path: Path, targets: pd.DataFrame) -> None:
    p = _broken(tmp_path, ",59280,", ",60000,")
    with pytest.raises(SourceDataError, match=r"line 3, id 'IO_TXT_no_meas_error_n'.*implied 60000"):
        CMP.load_conflicts(p, targets=targets)


def test_unknown_id_is_refused(tmp_path: Path, targets: pd.DataFrame) -> None:
    p = _broken(tmp_path, ",IO_T6_hist_period_end,2012,", ",IO_T6_hist_period_stop,2012,")
    with pytest.raises(SourceDataError, match="IO_DEF_recession_analogue_end"):
        CMP.load_conflicts(p, targets=targets)
