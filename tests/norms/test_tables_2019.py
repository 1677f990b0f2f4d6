"""Trhk 2019 tables: packaged state, loud fallback to 2015, and user-supplied 2019 tables.

The interest-only study needs the four Trhk 2019 tables (Wijzigingsregeling hypothecair krediet 2019,
Stcrt. 2018, 62895; targets checklist D17, seed lines 856-860 and footnote 12).  They could not be
retrieved from any available source (``src/cohorts/norms/data/SOURCES.md``, section "2019"), so the
package ships none and a 2019 norm year falls back to the 2015 tables with a warning.

Kinds of test in this module:

* ``test_packaged_tables_have_no_2019`` -- regression on the package state: no 2019 CSV, SOURCES.md says
  NOT FOUND.  Meant to fail the day a packaged 2019 CSV appears, so that its source record and this
  module are updated together.
* ``test_packaged_years_up_to_2018_map_as_before`` -- regression: table years used for 2012-2018 (the
  first study) are unchanged, and 2019-2025 fall back to 2015.
* ``test_2019_falls_back_to_2015_for_all_four_variants`` -- hand-read cells: the expected
  percentages are copied from named lines of ``financieringslast_2015.csv`` (written next to each value).
* ``test_fallback_message_names_2019`` -- planted truth on the engine's message builder.
* ``test_apply_norm_2019_warns_and_uses_2015`` -- hand-read cells through ``apply_norm``; the 2019 norm
  parameters are *planted* (2018's copied to 2019, monkeypatched; not official values) because the packaged
  ``norm_parameters.csv`` stops at 2018.
* ``test_apply_norm_rejects_2019_without_parameters`` -- regression: with the packaged parameters, 2019
  fails loudly rather than silently.
* ``test_user_2019_tables_*`` -- planted truth: an invented (not official) 2019 table set in a tmp folder
  is picked up for 2019, recorded as the source, and leaves 2013-2015 untouched; every value looked up
  is written next to the planted line it comes from.
* ``test_user_2019_file_without_aow_table_is_rejected`` -- bad input names the file and rule.
"""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts.errors import ContractError, NormTableFallbackWarning
from cohorts.norms import apply_norm, load_parameters, load_tables
from cohorts.norms import engine as E
from cohorts.norms import schema as S

HEADER = ",".join(S.TABLE_COLUMNS) + "\n"

# Invented 2019 tables (NOT the official ones): 2 income rows x 3 rate brackets for each of the four
# variants; pct = base + 5 * income row + 1 * rate bracket, base 20 / 30 / 10 / 25.
_BASES = {S.BELOW_AOW: 20.0, S.AOW: 30.0, S.BELOW_AOW_NO_HRA: 10.0, S.AOW_NO_HRA: 25.0}
_INCOME = (("0", "40000"), ("40000", ""))
_RATES = (("0.000", "2.000"), ("2.001", "3.000"), ("3.001", ""))
USER_2019 = HEADER + "".join(
    f"2019,{table},{inc_from},{inc_to},{r_from},{r_to},{base + 5 * i + j:.1f}\n"
    for table, base in _BASES.items()
    for i, (inc_from, inc_to) in enumerate(_INCOME)
    for j, (r_from, r_to) in enumerate(_RATES)
)

# One household, year 2019: 40,000 single income, no wealth or debts, 3.0% fixed for 10 years.
BASE = {
    S.YEAR: 2019, S.MAIN_INCOME: 40_000.0, S.PARTNER_INCOME: 0.0, S.MAIN_AGE: 40, S.INTEREST_RATE: 3.0,
    S.FIXED_PERIOD_YEARS: 10, S.SAVINGS: 0.0, S.SECURITIES: 0.0, S.CONSUMER_CREDIT: 0.0, S.STUDENT_DEBT: 0.0,
    S.OBSERVED_MORTGAGE: 100_000.0, S.HOUSE_VALUE: 200_000.0, S.INTEREST_ONLY_AMOUNT: 50_000.0,
}


def _data_dir():
    return resources.files("cohorts.norms").joinpath("data")


def _planted_2019_parameters() -> pd.DataFrame:
    """The packaged parameters plus 2019 rows copied from 2018 (a test stand-in, not official values)."""
    p = load_parameters()
    extra = p[p["year"] == 2018].assign(year=2019, source="TEST STAND-IN: 2018 value copied to 2019")
    return pd.concat([p, extra], ignore_index=True)


def _write(folder: Path, text: str, name: str = "financieringslast_2019.csv") -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------
# Packaged state and the fallback
# --------------------------------------------------------------------------
def test_packaged_tables_have_no_2019():
    names = sorted(e.name for e in _data_dir().iterdir())
    assert "financieringslast_2019.csv" not in names
    assert 2019 not in load_tables().years
    sources = _data_dir().joinpath("SOURCES.md").read_text(encoding="utf-8")
    section = sources.split("## 2019", 1)[1]
    assert "**Status: NOT FOUND." in section
    assert "Stcrt. 2018, 62895" in section


def test_packaged_years_up_to_2018_map_as_before():
    t = load_tables()
    assert t.years == (2013, 2014, 2015)
    years = np.arange(2012, 2026)
    assert t.table_years(years).tolist() == [2013, 2013, 2014] + [2015] * 11
    assert t.table_year(2019) == 2015


def test_2019_falls_back_to_2015_for_all_four_variants():
    t = load_tables()
    ty = np.full(2, t.table_year(2019))
    aow = np.array([False, True])
    income = np.full(2, 40_000.0)
    rate = np.full(2, 3.0)
    # financieringslast_2015.csv line 207 "2015,below_aow,34000,47000,2.501,3.000,22.5"
    # and line 999 "2015,aow,40000,43000,2.501,3.000,26.5"
    assert t.lookup_pct(ty, aow, income, rate).tolist() == [22.5, 26.5]
    # line 1851 "2015,below_aow_no_hra,40000,41000,2.501,3.000,18.5"
    # and line 2715 "2015,aow_no_hra,40000,41000,2.501,3.000,24.0"
    assert t.lookup_pct(ty, aow, income, rate, no_hra=True).tolist() == [18.5, 24.0]


def test_fallback_message_names_2019():
    t = load_tables()
    years = np.array([2015, 2019, 2019, 2017])
    message = E._fallback_message(years, t.table_years(years))
    assert message is not None
    assert message.startswith("no Trhk table for 2017, 2019; used 2015 for 2017, 2019 ")
    assert S.NORM_TABLE_YEAR in message
    assert E._fallback_message(np.array([2015]), np.array([2015])) is None


def test_apply_norm_2019_warns_and_uses_2015(monkeypatch):
    monkeypatch.setattr(E, "load_parameters", _planted_2019_parameters)
    rows = pd.DataFrame([BASE, {**BASE, S.MAIN_AGE: 70}])  # planted aow_age 2019 = 66 (2018's)
    with pytest.warns(NormTableFallbackWarning, match=r"^no Trhk table for 2019; used 2015 for 2019 "):
        out = apply_norm(rows)
    assert out[S.NORM_TABLE_YEAR].tolist() == [2015, 2015]
    assert out[S.NORM_TABLE].tolist() == [S.BELOW_AOW, S.AOW]
    assert out[S.PCT].tolist() == [22.5, 26.5]  # 2015 CSV lines 207 and 999
    assert out[S.PCT_NOHRA].tolist() == [18.5, 24.0]  # 2015 CSV lines 1851 and 2715


def test_apply_norm_rejects_2019_without_parameters():
    with pytest.raises(ContractError, match=r"column 'year' breaks rule 'year with norm parameters \(2012-2018\)'"):
        apply_norm(pd.DataFrame([BASE]))


# --------------------------------------------------------------------------
# User-supplied 2019 tables
# --------------------------------------------------------------------------
def test_user_2019_tables_are_loaded_and_recorded(tmp_path):
    folder = _write(tmp_path, USER_2019)
    t = load_tables(folder)
    assert t.years == (2013, 2014, 2015, 2019)
    assert t.table_year(2019) == 2019
    assert t.table_years(np.array([2018, 2019, 2020])).tolist() == [2015, 2019, 2019]
    assert t.sources[2019] == str(folder / "financieringslast_2019.csv")
    assert {tab for (y, tab) in t.grids if y == 2019} == set(_BASES)
    packaged = load_tables()
    for key, grid in packaged.grids.items():
        np.testing.assert_array_equal(t.grids[key].pct, grid.pct)
        np.testing.assert_array_equal(t.grids[key].income_from, grid.income_from)
        assert t.sources[key[0]] == packaged.sources[key[0]]


def test_user_2019_tables_lookup_each_variant(tmp_path):
    t = load_tables(_write(tmp_path, USER_2019))
    ty = np.full(4, 2019)
    aow = np.array([False, True, False, True])
    income = np.array([39_999.0, 39_999.0, 40_000.0, 1_000_000.0])
    rate = np.array([2.0, 2.0004, 2.0006, 9.0])  # 2.0004 rounds to 2.000, 2.0006 to 2.001
    # planted lines: "2019,below_aow,0,40000,0.000,2.000,20.0", "2019,aow,0,40000,0.000,2.000,30.0",
    # "2019,below_aow,40000,,2.001,3.000,26.0", "2019,aow,40000,,3.001,,37.0"
    assert t.lookup_pct(ty, aow, income, rate).tolist() == [20.0, 30.0, 26.0, 37.0]
    # the same cells of the no-HRA tables (bases 10 and 25): 10.0, 25.0, 16.0, 32.0
    assert t.lookup_pct(ty, aow, income, rate, no_hra=True).tolist() == [10.0, 25.0, 16.0, 32.0]


def test_user_2019_tables_through_apply_norm_without_fallback(tmp_path, monkeypatch):
    monkeypatch.setattr(E, "load_parameters", _planted_2019_parameters)
    t = load_tables(_write(tmp_path, USER_2019))
    rows = pd.DataFrame([BASE, {**BASE, S.MAIN_AGE: 70}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NormTableFallbackWarning for 2019 now
        out = apply_norm(rows, tables=t)
    assert out[S.NORM_TABLE_YEAR].tolist() == [2019, 2019]
    # lookup income 40,000 -> second income row; 3.0% -> bracket 2.001-3.000:
    # "2019,below_aow,40000,,2.001,3.000,26.0", "2019,aow,40000,,2.001,3.000,36.0"
    assert out[S.PCT].tolist() == [26.0, 36.0]
    # "2019,below_aow_no_hra,40000,,2.001,3.000,16.0", "2019,aow_no_hra,40000,,2.001,3.000,31.0"
    assert out[S.PCT_NOHRA].tolist() == [16.0, 31.0]


def test_user_2019_file_without_aow_table_is_rejected(tmp_path):
    text = HEADER + "".join(line + "\n" for line in USER_2019.splitlines()[1:] if ",aow," not in line)
    folder = _write(tmp_path, text)
    with pytest.raises(ContractError) as info:
        load_tables(folder)
    message = str(info.value)
    assert "financieringslast_2019.csv" in message
    assert "aow" in message
