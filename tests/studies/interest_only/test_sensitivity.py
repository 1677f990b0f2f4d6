"""The one-at-a-time sensitivity analysis (sensitivity.py, Tabel 4 / Figuur 19).

Kinds:
* hand-worked: one household on the tiny Trhk tables (arithmetic in the test): the rate shock flips
  it to ``fail_annuity`` between 4% and 5% (threshold a(r*) = X / D), the house-value shock between
  80% and 90% (LTV), the labour-income shock between 70% and 80% (LTI); the pension shock leaves this
  labour-regime household alone with ``income_split="regime"``;
* external reference: the packaged grid's baseline / min / max equal the ``IO_T4_*`` rows of the
  targets CSV (skipped when the shared targets folder is absent);
* cross-check of two implementations: the baseline count equals ``counts(outcomes(...))`` of a
  growth-free scenario at 3%; ``with_life_expectancy(85)`` reproduces the population's own
  ``perpetual`` and ``refi_year`` on the committed sample;
* property (committed sample): ``fail_annuity`` is non-decreasing in the rate and non-increasing in
  the house value, labour income, pension income, wealth and replacement ratio; the number of
  perpetuals is non-increasing in the life expectancy; every parameter's baseline row has the same
  count;
* bad input: an unknown grid parameter, a grid without a baseline, a broken grid file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.errors import NormTableFallbackWarning
from cohorts.norms.tables import load_tables
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.studies.interest_only.population import build_population, read_inputs
from cohorts.studies.interest_only.project import counts, outcomes, prepare
from cohorts.studies.interest_only.sensitivity import (
    PARAMETERS,
    as_is_scenario,
    load_grid,
    ranking,
    sensitivity,
    with_life_expectancy,
)
from cohorts.studies.interest_only.tree import annuity_factor

from io_tree_helpers import household, params, tables  # noqa: F401  (fixtures)
from sample import SAMPLE

TARGETS = Path("/work/shared/targets/io_refinancing/io_refinancing_targets.csv")


def _grid(parameter: str, values: list[float], baseline: float) -> pd.DataFrame:
    return pd.DataFrame({"parameter": parameter, "value": [float(v) for v in values],
                         "is_baseline": [v == baseline for v in values]})


def _one(**fields) -> tuple[pd.DataFrame, pd.DataFrame]:
    row = household(household_id=1, main_birth_year=1985, refi_year=2030, perpetual=False,
                    labour_status_main="employee", wages_main=60_000.0, income_now=60_000.0,
                    social_assistance=10_000.0, savings=0.0, securities=0.0, cash=0.0, other_debts=0.0, **fields)
    hh = pd.DataFrame([row])
    hh[IO.REFI_YEAR] = hh[IO.REFI_YEAR].astype("Int64")
    parts = pd.DataFrame([{IO.HOUSEHOLD_ID: 1, C.REPAYMENT_TYPE: "interest_only", C.CURRENT_BALANCE: row[IO.DEBT_NOW],
                           C.INTEREST_RATE: 3.5, C.ORIGINATION_DATE: pd.Timestamp("2000-01-01"),
                           C.MATURITY_DATE: pd.Timestamp("2030-06-30")}])
    return hh, parts


def test_rate_flips_at_the_hand_computed_threshold(params, tables):  # noqa: F811
    # Born 1985, T = 2030: age 45, labour regime; hra_end = 2040, 10 years left -> with-HRA table
    # below AOW age ("below_aow"), income row 50,000+: f = 25% up to 5.000%, 26% above.
    # No growth: Y = 60,000; X = 0.25 x 60,000 / 12 = 1,250 (r <= 5%), 0.26 x 60,000 / 12 = 1,300 (r > 5%).
    # D = 250,000 (the IO part), V = 400,000 (LTV fine), no wealth: fails iff 250,000 a(r) > X.
    # a(4%) = 0.00477415 -> 1,193.54 <= 1,250 passes; a(5%) = 0.00536822 -> 1,342.05 > 1,250 fails;
    # the threshold a(r*) = 1,250 / 250,000 = 0.005 lies at r* = 4.4%.
    assert round(float(annuity_factor(0.04)), 8) == 0.00477415
    assert round(float(annuity_factor(0.05)), 8) == 0.00536822
    hh, parts = _one(debt_now=250_000.0, house_value_now=400_000.0)
    res = sensitivity(hh, parts, params=params, tables=tables,
                      grid=_grid("mortgage_rate", [1, 2, 3, 4, 4.3, 4.5, 5, 6, 10], 3))
    assert res["fail_annuity"].tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert res["change"].tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert res["share"].tolist() == [0.0] * 5 + [1.0] * 4


def test_house_labour_pension_and_wealth_shocks_by_hand(params, tables):  # noqa: F811
    # D = 250,000, V0 = 300,000, rate 3%: cost 250,000 x 0.00421604 = 1,054.01 <= X = 1,250.
    # House 83%: V = 249,000 < D -> the LTV half fails (no wealth): fail_annuity; 84%: 252,000 >= D passes.
    hh, parts = _one(debt_now=250_000.0, house_value_now=300_000.0)
    res = sensitivity(hh, parts, params=params, tables=tables, grid=_grid("house_value", [70, 83, 84, 100, 130], 100))
    assert res["fail_annuity"].tolist() == [1, 1, 0, 0, 0]
    # Labour income x m: X = 0.25 x 60,000 m / 12 = 1,250 m (f stays the 2017 lookup); fails iff
    # 1,250 m < 1,054.01, i.e. m < 84.32%.
    res = sensitivity(hh, parts, params=params, tables=tables, grid=_grid("labour_income", [70, 84, 85, 100], 100))
    assert res["fail_annuity"].tolist() == [1, 1, 0, 0]
    # A labour-regime household has no pension income: the pension shock changes nothing ...
    res = sensitivity(hh, parts, params=params, tables=tables, grid=_grid("pension_income", [70, 100, 130], 100))
    assert res["fail_annuity"].tolist() == [0, 0, 0]
    # Wealth x m: wages 45,000 -> row 31,000-50,000, f = 22%: X = 0.22 x 45,000 / 12 = 825;
    # step 3: 1,054.01 > 825 fails; step 4 passes iff (250,000 - W) a(3%) <= 825, i.e.
    # W >= 250,000 - 825 / 0.00421604 = 54,318.8; savings 70,000 -> W0 = 60,000 (buffer 10,000):
    # passes iff m >= 90.53%.
    hh, parts = _one(debt_now=250_000.0, house_value_now=400_000.0)
    hh[IO.INCOME_NOW] = hh["wages_main"] = 45_000.0
    hh[IO.SAVINGS] = 70_000.0
    res = sensitivity(hh, parts, params=params, tables=tables, grid=_grid("wealth", [50, 90, 91, 100, 150], 100))
    assert res["fail_annuity"].tolist() == [1, 1, 0, 0, 0]
    assert res["change"].tolist() == [1, 1, 0, 0, 0]


def test_income_split_for_a_pension_regime_household(params, tables):  # noqa: F811
    # Born 1950, T = 2030: age 80, pension regime; retired with a current 2nd-pillar pension of 20,000
    # and no active scheme: 2P = 20,000; AOW = 1.0 x 12,000 (the fixture's made-up full AOW, single).
    # hra_end = max(2030, 2005) = 2030: no HRA years left -> table "aow_no_hra", income 32,000 in the
    # row 31,000-50,000: f = 17%.  X = 0.17 x (AOW + 2P) / 12; D = 100,000 costs 421.60 at 3%.
    # "regime": the pension shock scales AOW + 2P: 90% -> X = 0.17 x 28,800 / 12 = 408.00 < 421.60 fails;
    #   the labour shock does not touch this household.
    # "component": the labour shock scales labour + AOW: 70% -> X = 0.17 x (8,400 + 20,000) / 12 = 402.33
    #   fails; the pension shock scales the 2P only: 90% -> X = 0.17 x 30,000 / 12 = 425.00 passes.
    hh, parts = _one(debt_now=100_000.0, house_value_now=400_000.0)
    hh[IO.MAIN_BIRTH_YEAR] = 1950
    hh["labour_status_main"] = "pensioner"
    hh["wages_main"] = 0.0
    hh["pension_income_main"] = 20_000.0
    hh["aow_share_main"] = 1.0
    hh[IO.INCOME_NOW] = 32_000.0
    grid = pd.concat([_grid("pension_income", [90, 100], 100), _grid("labour_income", [70, 100], 100)])
    regime = sensitivity(hh, parts, params=params, tables=tables, grid=grid)
    assert regime["fail_annuity"].tolist() == [1, 0, 0, 0]
    component = sensitivity(hh, parts, params=params, tables=tables, grid=grid, income_split="component")
    assert component["fail_annuity"].tolist() == [0, 0, 1, 0]


# ---------------------------------------------------------------- the grid file
def test_grid_matches_the_targets_csv():
    if not TARGETS.exists():
        pytest.skip(f"{TARGETS} not available")
    t = pd.read_csv(TARGETS).set_index("id")["value"]
    grid = load_grid()
    assert sorted(grid["parameter"].unique()) == sorted(PARAMETERS)
    for name, g in grid.groupby("parameter"):
        assert float(g.loc[g["is_baseline"], "value"].iloc[0]) == float(t[f"IO_T4_{name}_baseline"]), name
        assert float(g["value"].min()) == float(t[f"IO_T4_{name}_min"]), name
        assert float(g["value"].max()) == float(t[f"IO_T4_{name}_max"]), name
        assert g["is_baseline"].sum() == 1


def test_bad_grids(params, tables, tmp_path):  # noqa: F811
    hh, parts = _one(debt_now=250_000.0, house_value_now=400_000.0)
    with pytest.raises(ValueError, match="unknown parameter"):
        sensitivity(hh, parts, params=params, tables=tables, grid=_grid("interest", [1, 2], 1))
    with pytest.raises(ValueError, match="exactly one baseline"):
        sensitivity(hh, parts, params=params, tables=tables, grid=_grid("wealth", [50, 150], 100))
    bad = tmp_path / "s.toml"
    bad.write_text(load_grid_text().replace("[wealth]", "[vermogen]"))
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['vermogen'\], missing \['wealth'\]"):
        load_grid(bad)
    bad.write_text(load_grid_text().replace("baseline = 85", "baseline = 95"))
    with pytest.raises(ValueError, match=r"\[life_expectancy\] needs min <= baseline <= max"):
        load_grid(bad)


def load_grid_text() -> str:
    from cohorts.studies.interest_only.sensitivity import grid_path

    return grid_path().read_text()


# ---------------------------------------------------------------- the committed sample
@pytest.fixture(scope="module")
def sample():
    inp = read_inputs(SAMPLE)
    pop = build_population(inp.lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling)
    prm = load_parameters().replace(social_assistance_single=0.0, social_assistance_couple=0.0)
    return pop, prm


@pytest.fixture(scope="module")
def sample_result(sample):
    pop, prm = sample
    with warnings.catch_warnings():  # the packaged tables stop at 2015: the study's 2019 falls back, by design
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        return sensitivity(pop.households, pop.parts, params=prm, tables=load_tables())


def test_baseline_is_the_same_for_every_parameter_and_equals_outcomes(sample, sample_result):
    res = sample_result
    base = res[res["is_baseline"]]
    assert sorted(base["parameter"]) == sorted(PARAMETERS)
    assert base["fail_annuity"].nunique() == 1
    pop, prm = sample
    sc = as_is_scenario(0.03)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        prep = prepare(pop.households, pop.parts, params=prm, tables=load_tables(), scenarios={"as_is": sc})
    assert int(base["fail_annuity"].iloc[0]) == counts(outcomes(prep, scenario=sc))["fail_annuity"]
    assert (res["households"] == len(pop.households)).all()
    np.testing.assert_allclose(res["share"], res["fail_annuity"] / len(pop.households))


@pytest.mark.parametrize("name, direction", [
    ("mortgage_rate", 1), ("house_value", -1), ("labour_income", -1), ("pension_income", -1), ("wealth", -1),
    ("replacement_ratio", -1),
])
def test_monotone_in_each_parameter(sample_result, name, direction):
    g = sample_result[sample_result["parameter"] == name].sort_values("value")
    steps = np.diff(g["fail_annuity"].to_numpy()) * direction
    assert (steps >= 0).all(), g[["value", "fail_annuity"]]
    assert g["fail_annuity"].iloc[-1] != g["fail_annuity"].iloc[0]  # the parameter does move the count


def test_ranking_rate_first(sample_result):
    rank = ranking(sample_result)
    assert rank["parameter"].iloc[0] == "mortgage_rate"  # the report: rate and house value matter most
    assert (rank["spread"].diff().dropna() <= 0).all()


def test_life_expectancy_redraws_the_perpetuals(sample):
    pop, _ = sample
    hh = pop.households
    same = with_life_expectancy(hh, pop.parts, life_expectancy=85)
    pd.testing.assert_series_equal(same[IO.PERPETUAL], hh[IO.PERPETUAL])
    pd.testing.assert_series_equal(same[IO.REFI_YEAR], hh[IO.REFI_YEAR])
    n = [int(with_life_expectancy(hh, pop.parts, life_expectancy=a)[IO.PERPETUAL].sum()) for a in (80, 85, 90)]
    assert n[0] > n[1] > n[2]
