"""Tests of cohorts.scenarios (scenario files, year-by-year paths, household projection).

Kinds of test, by name prefix:

* ``test_reference_*``: external reference: the report's own cross-checks (targets README §8),
  asserted on :func:`paths` output at the printed precision; the printed values are typed here
  with their target ids (io_refinancing_targets.csv) and seed lines.
* ``test_hand_*``: hand-worked arithmetic written out in the test (trend factors, lookups).
* ``test_property_*``: properties (base paths monotone; a downturn never above trend while off
  trend, a boom never below; every scenario equal to trend outside its off-trend years).
* ``test_bad_*``: bad input (broken TOML written to tmp_path, bad years, bad options) gives a
  ValueError naming the file, the block, the key and the rule.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cohorts
from cohorts.errors import ConfigError
from cohorts.scenarios import (
    HOUSE,
    INCOME,
    PARAMETERS,
    PENSION,
    RATE,
    WEALTH,
    YEAR,
    Scenario,
    factor_at,
    grow,
    load_scenarios,
    paths,
)

STUDY_FILE = Path(cohorts.__file__).parent / "studies" / "interest_only" / "data" / "scenarios.toml"


@pytest.fixture(scope="module")
def scen():
    return load_scenarios(STUDY_FILE)


def off_trend_years(table: pd.DataFrame, trend: pd.DataFrame, columns=(*PARAMETERS, RATE)) -> list[int]:
    off = np.zeros(len(table), dtype=bool)
    for c in columns:
        off |= ~np.isclose(table[c].to_numpy(), trend[c].to_numpy(), rtol=1e-12, atol=1e-15)
    return table.loc[off, YEAR].tolist()


def level(table: pd.DataFrame, year: int, column: str) -> float:
    return float(table.loc[table[YEAR] == year, column].iloc[0])


# --------------------------------------------------------------------------- the shipped file
def test_shipped_file_has_the_four_scenarios(scen):
    assert list(scen) == ["base", "recession", "high_rate", "housing_crisis"]
    assert not scen["base"].is_shock
    assert all(scen[n].is_shock and scen[n].trend_name == "base" for n in ("recession", "high_rate", "housing_crisis"))
    assert [scen[n].start_year for n in ("recession", "high_rate", "housing_crisis")] == [2032, 2032, 2030]
    assert all(scen[n].start_year_range == (2020, 2050) for n in ("recession", "high_rate", "housing_crisis"))


def test_scenarios_are_immutable(scen):
    with pytest.raises(dataclasses.FrozenInstanceError):
        scen["base"].trend_rate = 0.05
    with pytest.raises(TypeError):
        scen["base"].trend_growth[HOUSE] = 0.05
    with pytest.raises(TypeError):
        scen["recession"].shock_growth[HOUSE] = (0.0,)
    with pytest.raises(TypeError):
        scen["new"] = scen["base"]


# --------------------------------------------------------------------------- README §8 cross-checks
# (scenario, column, printed cumulative 5-year change in %, target id)
CUM5Y = [
    ("recession", HOUSE, -22.6, "IO_T6_house_value_cum5y"),
    ("recession", INCOME, 0.0, "IO_T6_income_cum5y"),
    ("recession", PENSION, 0.0, "IO_T6_pension_cum5y"),
    ("recession", WEALTH, -7.3, "IO_T6_wealth_cum5y"),
    ("high_rate", HOUSE, 21.7, "IO_T7_house_value_cum5y"),
    ("high_rate", INCOME, 13.1, "IO_T7_income_cum5y"),
    ("high_rate", PENSION, 7.7, "IO_T7_pension_cum5y"),
    ("high_rate", WEALTH, 13.1, "IO_T7_wealth_cum5y"),
    ("housing_crisis", INCOME, 0.0, "IO_T8_income_cum5y"),
    ("housing_crisis", PENSION, -4.9, "IO_T8_pension_cum5y"),
    ("housing_crisis", WEALTH, -18.5, "IO_T8_wealth_cum5y"),
]


@pytest.mark.parametrize(("name", "column", "printed", "target"), CUM5Y)
def test_reference_cumulative_five_year_changes(scen, name, column, printed, target):
    s = scen[name].start_year
    table = paths(scen[name])
    change = level(table, s + 4, column) / level(table, s - 1, column) - 1
    assert round(100 * change, 1) == printed, target


def test_reference_crisis_house_cumulative_within_printed_tolerance(scen):
    # IO_T8_house_value_cum5y prints -34.7; 0.918^5 - 1 = -34.8%: README §8 allows 0.15 pp
    table = paths(scen["housing_crisis"])
    change = 100 * (level(table, 2034, HOUSE) / level(table, 2029, HOUSE) - 1)
    assert abs(change - (-34.7)) <= 0.15
    assert round(change) == -35  # "35% nominaal" (seed 3398)


def test_reference_crisis_trough_is_the_end_2013_level(scen):
    # 1.025^13 x 0.918^5 = 1.37851 x 0.65195 = 0.899 ~ 0.90 x the end-2016 level (fn 70: ~10% below end 2016)
    table = paths(scen["housing_crisis"])  # S = 2030
    trough = level(table, 2034, HOUSE)
    assert trough == pytest.approx(1.025**13 * 0.918**5, rel=1e-12)
    assert round(trough, 2) == 0.90
    # held for 5 year-ends, 2034..2038 ('blijven die 5 jaar op dat niveau', seed 3365; '5-jarige dal', seed 3375)
    for year in range(2035, 2039):
        assert level(table, year, HOUSE) == pytest.approx(trough, rel=1e-12)
    assert level(table, 2039, HOUSE) > trough
    # real fall "bijna 40%" (seed 3398): 0.652 / 1.015^5 - 1 = -39.5% (README §8's -39.4% starts from
    # the printed -34.7%, i.e. 0.653)
    real = (level(table, 2034, HOUSE) / level(table, 2029, HOUSE)) / 1.015**5 - 1
    assert -40.0 < 100 * real < -39.0


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [("recession", 2032, 2040), ("high_rate", 2032, 2040), ("housing_crisis", 2030, 2052)],
)
def test_reference_years_off_trend(scen, name, first, last):
    # Tabel 2 header '2032 t/m 2040' (9 years, seed 2018) and '2030 t/m 2052' (23 years, seed 2024)
    trend = paths(scen["base"])
    years = off_trend_years(paths(scen[name]), trend)
    assert years == list(range(first, last + 1))
    assert len(years) == {"housing_crisis": 23}.get(name, 9)


def test_reference_recovery_periods(scen):
    # 'herstel/afkoeling tussen 2037 en 2041' (seed 2080): off trend at end 2040, on trend at end 2041;
    # 'herstel tussen 2039 en 2053' (seed 2081): the crisis recovers from end 2038 and is back at end 2053
    trend = paths(scen["base"])
    rec = paths(scen["recession"])
    assert level(rec, 2036, HOUSE) < level(rec, 2037, HOUSE) < level(rec, 2041, HOUSE) == pytest.approx(level(trend, 2041, HOUSE))
    crisis = paths(scen["housing_crisis"])
    assert level(crisis, 2038, HOUSE) < level(crisis, 2039, HOUSE)
    assert level(crisis, 2052, HOUSE) < level(trend, 2052, HOUSE)
    assert level(crisis, 2053, HOUSE) == pytest.approx(level(trend, 2053, HOUSE), rel=1e-12)


def test_reference_high_rate_path(scen):
    # 3% + 5 x 0.4 pp = 5% after the 5 shock years (IO_DEF_high_rate_to, seed 3303); then back to 3%
    # in 5 equal steps of 0.4 pp (default, checklist G35)
    table = paths(scen["high_rate"])
    rates = [level(table, y, RATE) for y in range(2030, 2043)]
    np.testing.assert_allclose(
        rates, [0.03, 0.03, 0.034, 0.038, 0.042, 0.046, 0.05, 0.046, 0.042, 0.038, 0.034, 0.03, 0.03], atol=1e-12
    )
    jump = paths(scen["high_rate"], rate_recovery="jump")
    assert level(jump, 2036, RATE) == pytest.approx(0.05)
    assert level(jump, 2037, RATE) == pytest.approx(0.03)


def test_hand_rate_timing_start_of_year(scen):
    """Hand-worked (A5): with ``rate_timing="start_of_year"`` a household of year T gets the rate reached in T - 1.

    High rate from S = 2032: the rates of the years 2031..2042 are 3.0, 3.4, 3.8, 4.2, 4.6, 5.0, 4.6, 4.2,
    3.8, 3.4, 3.0, 3.0 % (test above), so on 1 January of 2032 the rate is 3.0 (2031's), of 2033 3.4, of 2037
    5.0 (2036's), of 2042 3.0; 2017, the table's first year, gets the trend rate of the year before it.
    """
    table = paths(scen["high_rate"], start_year=2032, last_year=2045)
    years = np.array([2017, 2032, 2033, 2036, 2037, 2038, 2041, 2042])
    np.testing.assert_allclose(
        factor_at(table, years, RATE, rate_timing="start_of_year"),
        [0.03, 0.03, 0.034, 0.046, 0.05, 0.046, 0.034, 0.03], atol=1e-12,
    )
    np.testing.assert_allclose(
        factor_at(table, years, RATE), [0.03, 0.034, 0.038, 0.05, 0.046, 0.042, 0.03, 0.03], atol=1e-12
    )
    # the stocks' and flows' factors do not depend on it; 2046 = 1 January after the table's last year
    np.testing.assert_array_equal(factor_at(table, years, INCOME), factor_at(table, years, INCOME, rate_timing="start_of_year"))
    assert factor_at(table, [2046], RATE, rate_timing="start_of_year")[0] == pytest.approx(0.03)
    with pytest.raises(ValueError, match=r"column 'rate' \(start_of_year\): 1 year\(s\) outside the table's years 2017..2046"):
        factor_at(table, [2047], RATE, rate_timing="start_of_year")
    with pytest.raises(ValueError, match=r"rate_timing must be one of \('in_year', 'start_of_year'\), not 'mid_year'"):
        factor_at(table, [2020], RATE, rate_timing="mid_year")


def test_reference_other_scenarios_keep_the_3_percent_rate(scen):
    # '3% (stand)' (Tabel 2, seed 2078); 'Geen (blijft 3,0%)' (Tabel 6 seed 3259, Tabel 8 seed 3426)
    for name in ("base", "recession", "housing_crisis"):
        np.testing.assert_allclose(paths(scen[name])[RATE], 0.03, atol=1e-15)


def test_reference_tabel5_nominal_is_real_plus_inflation(scen):
    # Tabel 5 (seed 3185-3201): 1.0 + 1.5 = 2.5; 0.4 + 1.5 = 1.9; -0.8 + 1.5 = 0.7; -0.5 + 1.5 = 1.0
    base = scen["base"]
    assert base.inflation == pytest.approx(0.015)
    expected = {HOUSE: 0.025, INCOME: 0.019, PENSION: 0.007, WEALTH: 0.010}
    for p in PARAMETERS:
        assert base.real_growth[p] + base.inflation == pytest.approx(base.trend_growth[p], abs=1e-12)
        assert base.trend_growth[p] == pytest.approx(expected[p], abs=1e-12)


# --------------------------------------------------------------------------- options (A5, A6, G36)
def test_hand_crisis_floor_options(scen):
    trend = paths(scen["base"])
    # A6 alternative: 5 flat years after the fall -> 10 down/flat years, off trend 2030..2053 (24)
    alt = paths(scen["housing_crisis"], floor_counts_last_shock_year=False)
    assert off_trend_years(alt, trend, (HOUSE,)) == list(range(2030, 2054))
    # G36 alternative: only the house value holds the floor; income recovers right after the shock:
    # 5 shock + 15 recovery years, off trend 2030..2048 (19 years, footnote 23's '9 tot 19 jaar')
    house_only = paths(scen["housing_crisis"], floor_applies_to="house")
    assert off_trend_years(house_only, trend, (HOUSE,)) == list(range(2030, 2053))
    assert off_trend_years(house_only, trend, (INCOME,)) == list(range(2030, 2049))
    # default: income follows the house value's shape (flat 2035..2038)
    default = paths(scen["housing_crisis"])
    assert level(default, 2038, INCOME) == pytest.approx(level(default, 2034, INCOME), rel=1e-12)


def test_hand_start_year_moves_the_shock(scen):
    trend = paths(scen["base"])
    assert off_trend_years(paths(scen["recession"], start_year=2020), trend) == list(range(2020, 2029))
    assert off_trend_years(paths(scen["recession"], start_year=2050), trend) == list(range(2050, 2059))
    # a base scenario has no shock: the start year is ignored
    pd.testing.assert_frame_equal(paths(scen["base"], start_year=2040), trend)


# --------------------------------------------------------------------------- hand-worked trend and lookup
def test_hand_base_factors(scen):
    table = paths(scen["base"], last_year=2020)
    assert table[YEAR].tolist() == [2017, 2018, 2019, 2020]
    # stocks: end of 2017 = 1.025, end of 2019 = 1.025^3 = 1.076890625; flows: 2017 = 1, 2019 = 1.019^2 = 1.038361
    assert level(table, 2017, HOUSE) == pytest.approx(1.025)
    assert level(table, 2019, HOUSE) == pytest.approx(1.076890625)
    assert level(table, 2019, WEALTH) == pytest.approx(1.01**3)
    assert level(table, 2017, INCOME) == 1.0
    assert level(table, 2019, INCOME) == pytest.approx(1.038361)
    assert level(table, 2020, PENSION) == pytest.approx(1.007**3)
    assert table.attrs == {"scenario": "base", "start_year": None, "first_year": 2017}


def test_hand_factor_at_and_grow(scen):
    table = paths(scen["base"], last_year=2030)
    years = np.array([2017, 2019, 2019, 2031])
    # stocks, default 'start_of_year' (A5): 1 Jan 2017 = end 2016 -> 1.0; 1 Jan 2019 = end 2018 -> 1.025^2
    # 2031 is allowed: 1 Jan 2031 = end 2030, the table's last row
    np.testing.assert_allclose(factor_at(table, years, HOUSE), [1.0, 1.050625, 1.050625, 1.025**14])
    # 'end_of_year': end 2017 = 1.025, end 2019 = 1.025^3
    np.testing.assert_allclose(factor_at(table, years[:3], HOUSE, stock_timing="end_of_year"), [1.025, 1.076890625, 1.076890625])
    # flows and the rate use the year itself whatever the timing
    np.testing.assert_allclose(factor_at(table, years[:3], INCOME), [1.0, 1.038361, 1.038361])
    np.testing.assert_allclose(factor_at(table, years[:3], RATE, stock_timing="end_of_year"), [0.03] * 3)
    # grow: 200,000 x 1.050625 = 210,125; 30,000 x 1.0201 (wealth, 1.01^2) = 30,603
    np.testing.assert_allclose(grow([200_000.0, 30_000.0], [2019, 2019], table, HOUSE), [210_125.0, 31_518.75])
    np.testing.assert_allclose(grow([30_000.0], [2019], table, WEALTH), [30_603.0])
    # nullable integer years (as a frame column would hold them)
    np.testing.assert_allclose(factor_at(table, pd.array([2018, 2019], dtype="Int64"), WEALTH), [1.01, 1.0201])


def test_hand_household_projection_under_the_crisis(scen):
    # a household refinancing in 2035 (1 Jan 2035 = end 2034, the trough): V_T = 300,000 x 0.8987
    table = paths(scen["housing_crisis"])
    got = grow(np.array([300_000.0]), np.array([2035]), table, HOUSE)
    assert got[0] == pytest.approx(300_000.0 * 1.025**13 * 0.918**5)


# --------------------------------------------------------------------------- properties
def test_property_base_paths_monotone(scen):
    table = paths(scen["base"])
    for p in PARAMETERS:
        assert (np.diff(table[p].to_numpy()) > 0).all(), p
    assert (table[RATE] == table[RATE].iloc[0]).all()


@pytest.mark.parametrize("name", ["recession", "housing_crisis", "high_rate"])
@pytest.mark.parametrize("start", [2020, 2027, 2032, 2050])
def test_property_shock_side_of_trend(scen, name, start):
    trend = paths(scen["base"])
    table = paths(scen[name], start_year=start)
    off = set(off_trend_years(table, trend))
    in_off = table[YEAR].isin(off).to_numpy()
    for p in PARAMETERS:
        ratio = table[p].to_numpy() / trend[p].to_numpy()
        if name == "high_rate":
            assert (ratio[in_off] >= 1 - 1e-12).all(), p
        else:
            assert (ratio[in_off] <= 1 + 1e-12).all(), p
        np.testing.assert_allclose(ratio[~in_off], 1.0, rtol=1e-12)
    assert min(off) == start
    if name == "high_rate":
        assert (table[RATE].to_numpy()[in_off] >= 0.03 - 1e-15).all()


def test_property_factor_at_matches_the_table_row_by_row(scen):
    table = paths(scen["recession"])
    years = table[YEAR].to_numpy()
    for p in PARAMETERS:
        np.testing.assert_array_equal(factor_at(table, years, p, stock_timing="end_of_year"), table[p].to_numpy())
    np.testing.assert_array_equal(factor_at(table, years[1:], HOUSE), table[HOUSE].to_numpy()[:-1])


# --------------------------------------------------------------------------- bad input
VALID = """
[base]
source = "test"
rate = 3.0
inflation = 1.5
[base.growth]
house = 2.5
income = 1.9
pension = 0.7
wealth = 1.0
[base.real]
house = 1.0
income = 0.4
pension = -0.8
wealth = -0.5

[recession]
source = "test"
trend = "base"
shock_years = 5
recovery_years = 5
start_year = 2032
start_years = [2020, 2050]
[recession.growth]
house = [-5.0, -5.0, -5.0, -5.0, -5.0]
income = [0.0, 0.0, 0.0, 0.0, 0.0]
pension = [0.0, 0.0, 0.0, 0.0, 0.0]
wealth = [-1.5, -1.5, -1.5, -1.5, -1.5]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_text_loads(tmp_path):
    loaded = load_scenarios(write(tmp_path, VALID))
    assert list(loaded) == ["base", "recession"]
    assert loaded["recession"].shock_growth[HOUSE] == pytest.approx((-0.05,) * 5)
    assert loaded["recession"].timed_by == "outcome" and loaded["base"].timed_by == "outcome"  # the default


def test_timed_by_floor_loads(tmp_path):
    text = VALID.replace("start_year = 2032", "start_year = 2032\nfloor_years = 3\ntimed_by = \"floor\"", 1)
    assert load_scenarios(write(tmp_path, text))["recession"].timed_by == "floor"


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("shock_years = 5", "shock_years = 5\nshock_yeers = 5", r"\[recession\] shock_yeers: unknown key for a shock block"),
        ("rate = 3.0", "rate = 3.0\nfloor_years = 2", r"\[base\] floor_years: unknown key for a trend block"),
        ("house = [-5.0", "houses = [1.0]\nhouse = [-5.0", r"\[recession\] growth.houses: unknown parameter"),
        ("recovery_years = 5\n", "", r"\[recession\] recovery_years: missing \(required in a shock block\)"),
        ("wealth = 1.0\n", "", r"\[base\] growth.wealth: missing"),
        ("source = \"test\"\ntrend", "trend", r"\[recession\] source: missing"),
        ("house = [-5.0, -5.0, -5.0, -5.0, -5.0]", "house = [-5.0, \"x\", -5.0, -5.0, -5.0]",
         r"\[recession\] growth.house\[1\]: must be a number \(percent\) \(got 'x'\)"),
        ("house = 2.5", "house = \"2.5\"", r"\[base\] growth.house: must be a number"),
        ("rate = 3.0", "rate = true", r"\[base\] rate: must be a number"),
        ("shock_years = 5", "shock_years = 5.0", r"\[recession\] shock_years: must be a whole number >= 1"),
        ("house = [-5.0, -5.0, -5.0, -5.0, -5.0]", "house = [-5.0, -5.0, -5.0, -5.0]",
         r"\[recession\] growth.house: needs one entry per shock year: 5 entries, not 4"),
        ("wealth = [-1.5, -1.5, -1.5, -1.5, -1.5]", "wealth = [-1.5, -1.5, -1.5, -1.5, -1.5, -1.5]",
         r"\[recession\] growth.wealth: needs one entry per shock year: 5 entries, not 6"),
        ("wealth = [-1.5, -1.5, -1.5, -1.5, -1.5]", "wealth = -1.5", r"\[recession\] growth.wealth: must be a list"),
        ("start_years = [2020, 2050]", "start_years = [2020, 2050]\nrate_change_pp = [0.4, 0.4]",
         r"\[recession\] rate_change_pp: needs one entry per shock year: 5 entries, not 2"),
        ("start_year = 2032", "start_year = 2060", r"\[recession\] start_year: must lie in start_years = \[2020, 2050\] \(got 2060\)"),
        ("start_years = [2020, 2050]", "start_years = [2050, 2020]", r"\[recession\] start_years: must be \[first, last\]"),
        ("trend = \"base\"", "trend = \"bass\"", r"\[recession\] trend: must name a trend block of this file \(got 'bass'\)"),
        ("pension = 0.7", "pension = 0.8", r"\[base\] growth.pension: must equal real \+ inflation"),
        ("inflation = 1.5\n", "", r"\[base\] real: needs 'inflation'"),
        ("[base]\n", "stray = 1\n[base]\n", r"\[stray\]: top-level keys must be scenario blocks"),
        ("recovery_years = 5", "recovery_years = 0", r"\[recession\] recovery_years: must be a whole number >= 1"),
        ("start_year = 2032", "start_year = 2032\ntimed_by = \"trough\"",
         r"\[recession\] timed_by: must be one of \['outcome', 'floor'\] \(got 'trough'\)"),
        ("start_year = 2032", "start_year = 2032\ntimed_by = \"floor\"",
         r"\[recession\] timed_by: 'floor' needs floor_years >= 1"),
        ("rate = 3.0", "rate = 3.0\ntimed_by = \"floor\"", r"\[base\] timed_by: unknown key for a trend block"),
    ],
)
def test_bad_file(tmp_path, old, new, match):
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ConfigError, match=match) as info:
        load_scenarios(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_file_lists_every_problem(tmp_path):
    text = VALID.replace("start_year = 2032", "start_year = 2060").replace("house = 2.5", "house = \"x\"")
    with pytest.raises(ConfigError, match=r"2 problem\(s\)") as info:
        load_scenarios(write(tmp_path, text))
    assert "[base] growth.house" in str(info.value) and "[recession] start_year" in str(info.value)


def test_bad_file_not_toml_or_missing(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot be read as TOML"):
        load_scenarios(write(tmp_path, "[base\nrate = 3"))
    with pytest.raises(ConfigError, match=r"scenarios file not found"):
        load_scenarios(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r"holds no scenario block"):
        load_scenarios(write(tmp_path, "# empty\n"))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(start_year=2019), r"scenario 'recession': start year 2019 is outside its start-year range 2020..2050"),
        (dict(start_year=2051), r"start year 2051 is outside its start-year range 2020..2050"),
        (dict(first_year=2040), r"start year 2032 must be after first_year 2040"),
        (dict(first_year=2030, last_year=2020), r"first_year 2030 is after last_year 2020"),
        (dict(rate_recovery="slow"), r"rate_recovery must be 'steps' or 'jump'"),
        (dict(floor_applies_to="rate"), r"floor_applies_to must be 'all' or 'house'"),
    ],
)
def test_bad_paths_arguments(scen, kwargs, match):
    with pytest.raises(ValueError, match=match):
        paths(scen["recession"], **kwargs)


def test_bad_lookups(scen):
    table = paths(scen["base"], last_year=2030)
    with pytest.raises(ValueError, match=r"2 year\(s\) outside the table's years 2017..2030 or missing; first offending position\(s\): 1 \(2016\), 2 \(2031\)"):
        factor_at(table, [2020, 2016, 2031], INCOME)
    with pytest.raises(ValueError, match=r"column 'house' \(start_of_year\): 1 year\(s\) outside the table's years 2017..2031.*0 \(2032\)"):
        factor_at(table, [2032], HOUSE)
    with pytest.raises(ValueError, match=r"position\(s\): 1 \(NA\)"):
        factor_at(table, pd.array([2020, None], dtype="Int64"), WEALTH)
    with pytest.raises(ValueError, match=r"position\(s\): 0 \(2020.5\)"):
        factor_at(table, [2020.5], RATE)
    with pytest.raises(ValueError, match=r"unknown column 'houses'"):
        factor_at(table, [2020], "houses")
    with pytest.raises(ValueError, match=r"stock_timing must be"):
        factor_at(table, [2020], HOUSE, stock_timing="mid_year")
    with pytest.raises(ValueError, match=r"consecutive"):
        factor_at(table.iloc[[0, 2]], [2017], INCOME)
    # a slice that does not start at the base year cannot give the start-of-year stock of its first year
    sliced = table[table[YEAR] >= 2020]
    with pytest.raises(ValueError, match=r"outside the table's years 2021..2031"):
        factor_at(sliced, [2020], HOUSE)
    with pytest.raises(ValueError, match=r"values have shape \(2,\) but years have shape \(1,\)"):
        grow([1.0, 2.0], [2020], table, HOUSE)


def test_bad_scenario_built_by_hand():
    with pytest.raises(ValueError, match=r"trend growth lacks \['wealth'\]"):
        Scenario(name="x", source="s", trend_name="x", trend_rate=0.03,
                 trend_growth={HOUSE: 0.0, INCOME: 0.0, PENSION: 0.0})
    with pytest.raises(ValueError, match=r"shock growth of 'house' needs 5 entries"):
        Scenario(name="x", source="s", trend_name="x", trend_rate=0.03,
                 trend_growth=dict.fromkeys(PARAMETERS, 0.0), shock_years=5, recovery_years=5,
                 shock_growth={p: (0.0,) * (4 if p == HOUSE else 5) for p in PARAMETERS})
