"""The social-assistance level of the measurement flag (checklist E27, ambiguity A10).

Kinds:
* hand-worked (``test_hw_*``): the packaged net proxy (12 x the net Participatiewet norm of 1 July 2017,
  Stcrt. 2017, 36285) on a few households, the arithmetic written in the test: single / couple, below /
  at the AOW age in 2017, the boundary on both sides, a user-supplied gross level overriding the proxy
  per household type, the frame's own column overriding both, no birth year (the lower level), the
  tree's flag and ``vulnerable`` following the level, and the run's note naming the level used;
* external reference (``test_ext_*``): the packaged amounts of ``parameters.toml`` against the values
  written in ``SOURCES.md`` (each read independently of the loader, so a typo in either file fails),
  and against the amounts of the page itself (https://allewetten.nl/content/abwnorm44.htm, column
  "Bijstand incl. VT", copied into this test).
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from cohorts.errors import CohortsWarning
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.studies.interest_only.tree import classify, social_assistance_level, social_assistance_note

# net per month incl. 5.0% holiday allowance, as printed on the page (1 July 2017)
PAGE = {"single_monthly": Decimal("986.52"), "couple_monthly": Decimal("1409.31"),
        "single_pension_age_monthly": Decimal("1108.48"), "couple_pension_age_monthly": Decimal("1514.74")}
# x 12, worked by hand: 986.52 x 12 = 11,838.24; 1,409.31 x 12 = 16,911.72; 1,108.48 x 12 = 13,301.76;
# 1,514.74 x 12 = 18,176.88
SINGLE, COUPLE, SINGLE_AOW, COUPLE_AOW = 11_838.24, 16_911.72, 13_301.76, 18_176.88


def _data(name: str) -> str:
    return resources.files("cohorts.studies.interest_only").joinpath("data", name).read_text(encoding="utf-8")


def frame(*rows: tuple[bool, int | None, float]) -> pd.DataFrame:
    """(has_partner, main_birth_year, income_now) per household; a passing tree household otherwise.

    Every row is a step-7 forced sale with the LTI binding (D_T = 200,000, V_T = 300,000, X_T = 480: the
    50%-IO cost 585.80 > 480, see test_tree.py), D0 / V0 = 0.8 (no high-LTV flag), so ``vulnerable`` is
    exactly ``not meas_low_income``.
    """
    n = len(rows)
    f = pd.DataFrame({
        IO.HOUSEHOLD_ID: np.arange(1, n + 1), IO.PERPETUAL: False, IO.REFI_YEAR: pd.array([2031] * n, dtype="Int64"),
        IO.DEBT_AT_T: 200_000.0, IO.HOUSE_VALUE_AT_T: 300_000.0, IO.WEALTH_AT_T: 0.0, IO.MAX_MONTHLY_COST: 480.0,
        IO.RATE_AT_T: 0.03, IO.DEBT_NOW: 200_000.0, IO.HOUSE_VALUE_NOW: 250_000.0,
        IO.HAS_PARTNER: [r[0] for r in rows],
        IO.MAIN_BIRTH_YEAR: pd.array([r[1] for r in rows], dtype="Int64"),
        IO.INCOME_NOW: [r[2] for r in rows],
    })
    return f.set_index(IO.HOUSEHOLD_ID, drop=False)


@pytest.fixture
def params():
    return load_parameters()  # packaged: no gross level, the net proxy


def test_hw_packaged_level_by_type_and_age(params):
    # 2017 - 1970 = 47 < 67: below the pension age; 2017 - 1950 = 67 >= 67: at it; 2017 - 1951 = 66 < 67: below
    f = frame((False, 1970, 0.0), (True, 1970, 0.0), (False, 1950, 0.0), (True, 1950, 0.0), (False, 1951, 0.0),
              (True, 1951, 0.0))
    got = social_assistance_level(f, params=params)
    assert got["level"].round(2).tolist() == [SINGLE, COUPLE, SINGLE_AOW, COUPLE_AOW, SINGLE, COUPLE]
    assert set(got["source"]) == {"packaged_net"}


def test_hw_flag_with_packaged_level(params):
    f = frame(
        (False, 1970, 11_800.0),  # 11,800 < 11,838.24: flagged
        (False, 1970, 11_900.0),  # 11,900 >= 11,838.24: not
        (True, 1970, 16_900.0),   # 16,900 < 16,911.72: flagged
        (True, 1970, 16_950.0),   # 16,950 >= 16,911.72: not
        (False, 1950, 13_000.0),  # 13,000 < 13,301.76 (pension age): flagged; the lower level would not flag it
        (True, 1950, 17_000.0),   # 17,000 < 18,176.88 (pension age): flagged; 17,000 >= 16,911.72 would not
        (True, 1951, 17_000.0),   # age 66: the level below the pension age, 17,000 >= 16,911.72: not
    )
    out = classify(f, params=params)
    expected = [True, False, True, False, True, True, False]
    assert out[IO.LOW_INCOME_FLAG].tolist() == expected
    # every row is a forced sale with the LTI binding and no high LTV: vulnerable = not flagged
    assert out[IO.VULNERABLE].tolist() == [not e for e in expected]


def test_hw_user_supplied_gross_overrides_packaged(params):
    # gross single 12,000 supplied, couple not: singles use 12,000 (whatever their age), couples the proxy
    p = params.replace(social_assistance_single=12_000.0)
    f = frame((False, 1970, 11_900.0), (False, 1950, 12_500.0), (True, 1970, 16_900.0))
    got = social_assistance_level(f, params=p)
    assert got["level"].round(2).tolist() == [12_000.0, 12_000.0, COUPLE]
    assert got["source"].tolist() == ["user_supplied_gross", "user_supplied_gross", "packaged_net"]
    # 11,900 < 12,000 now flagged (not with the proxy 11,838.24); 12,500 >= 12,000 not (flagged with 13,301.76)
    assert classify(f, params=p)[IO.LOW_INCOME_FLAG].tolist() == [True, False, True]
    # both gross levels supplied: no household uses the proxy and the run has no note
    both = params.replace(social_assistance_single=12_000.0, social_assistance_couple=20_000.0)
    assert social_assistance_level(f, params=both)["level"].tolist() == [12_000.0, 12_000.0, 20_000.0]
    assert social_assistance_note(f, params=both) is None


def test_hw_column_overrides_parameters(params):
    f = frame((False, 1970, 11_900.0), (True, 1950, 17_000.0))
    f[IO.SOCIAL_ASSISTANCE] = [12_000.0, np.nan]  # the second falls back to the proxy, pension age: 18,176.88
    got = social_assistance_level(f, params=params.replace(social_assistance_single=5_000.0))
    assert got["level"].round(2).tolist() == [12_000.0, COUPLE_AOW]
    assert got["source"].tolist() == ["column", "packaged_net"]


def test_hw_without_birth_year_the_lower_level(params):
    f = frame((False, 1950, 13_000.0), (True, 1950, 17_000.0)).drop(columns=[IO.MAIN_BIRTH_YEAR])
    assert social_assistance_level(f, params=params)["level"].round(2).tolist() == [SINGLE, COUPLE]
    # 13,000 >= 11,838.24 and 17,000 >= 16,911.72: not flagged (they would be with their age known)
    assert classify(f, params=params)[IO.LOW_INCOME_FLAG].tolist() == [False, False]
    g = frame((False, None, 0.0))  # a missing birth year: the level below the pension age
    assert social_assistance_level(g, params=params)["level"].round(2).tolist() == [SINGLE]


def test_hw_no_level_at_all_is_unknown_and_warns(params):
    none = params.replace(social_assistance_net_single_monthly=None, social_assistance_net_couple_monthly=None,
                          social_assistance_net_single_pension_monthly=None,
                          social_assistance_net_couple_pension_monthly=None)
    f = frame((False, 1970, 11_800.0), (True, 1950, 17_000.0))
    assert social_assistance_level(f, params=none)["source"].tolist() == ["unknown", "unknown"]
    with pytest.warns(CohortsWarning, match=r"unknown for 2 of 2 .*no \[social_assistance_net\] proxy"):
        out = classify(f, params=none)
    assert out[IO.LOW_INCOME_FLAG].isna().all() and out[IO.VULNERABLE].isna().all()
    assert "not supplied" in social_assistance_note(f, params=none)


def test_hw_note_names_the_packaged_level(params):
    f = frame((False, 1970, 11_800.0), (True, 1950, 17_000.0))
    note = social_assistance_note(f, params=params)
    assert "packaged net level, Stcrt. 2017, 36285" in note and "lower bound" in note
    assert "for every household" in note and "--parameters" in note
    # the note names no count: a subset of the households (a sensitivity point) gives the same sentence
    assert social_assistance_note(f.iloc[:1], params=params) == note
    one = params.replace(social_assistance_single=12_000.0)
    assert "for the households without a user-supplied gross level" in social_assistance_note(f, params=one)


def test_ext_packaged_amounts_match_sources_md_and_page():
    raw = tomllib.loads(_data("parameters.toml"), parse_float=Decimal)["social_assistance_net"]
    sources = _data("SOURCES.md")
    found = re.findall(r"^\| `social_assistance_net\.(\w+)` \| ([\d,.]+) \| ([\d,.]+) \|", sources, flags=re.M)
    rows = {key: month for key, month, _ in found}
    per_year = {key: Decimal(year.replace(",", "")) for key, _, year in found}  # 11,838.24: thousands comma
    assert len(found) == 4 and set(rows) == set(PAGE) == set(raw)
    p = load_parameters()
    for key, page in PAGE.items():
        written = Decimal(rows[key].replace(",", "."))  # SOURCES.md prints the page's decimal comma
        assert written == page == raw[key], key
        assert per_year[key] == 12 * page, key
        assert getattr(p, f"social_assistance_net_{key.replace('_age', '')}") == float(page), key
    assert "Stcrt. 2017, 36285" in sources and "https://allewetten.nl/content/abwnorm44.htm" in sources
    assert "retrieved on 2026-12-07" in sources
    assert [round(float(12 * PAGE[k]), 2) for k in PAGE] == [SINGLE, COUPLE, SINGLE_AOW, COUPLE_AOW]
