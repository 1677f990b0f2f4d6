"""The profiles of vulnerable households (profiles.py, Figuren 11-13 and 25-28) and their release.

Kinds:
* hand-worked: the variables of three households written out (LTV, entrepreneur, IO share at origination,
  arrears, the income drop at retirement from the AOW parameter and the attainable pension), the class edges
  at the printed cut-offs (30,000 in the upper class, 40,000 in the lower), the counts and ``all`` rows of a
  five-household table, the rounding of counts to the base with shares from the rounded counts, and the
  vulnerable rows left out when the flag is unknown;
* cross-check of two implementations: ``profiles.csv`` written by ``cohorts refinance`` on the committed
  sample (with a social-assistance level given as a TEST INPUT) against the same classes counted directly
  with plain masks from the unreleased frames (population -> prepare -> outcomes) and rounded by hand;
* attacker (independent of the gate): from ``profiles.csv`` and ``tree.csv`` alone, subtracting released
  counts from released totals (the refinancing-moment total is ``tree.csv``'s total minus its perpetuals,
  exact) narrows no cell that rounds to 0 to a range of positive counts below the minimum frequency; the
  same attacker does recover a planted exact release with one hidden cell (so it can fail);
* bad input: classes whose edges do not match their labels are refused.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.cli import main
from cohorts.disclosure import load_rules
from cohorts.errors import ConfigError
from cohorts.norms.tables import load_tables
from cohorts.scenarios import load_scenarios
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.income import PERSON_FIELDS
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.studies.interest_only.population import build_population, read_inputs
from cohorts.studies.interest_only.profiles import (
    ALL,
    Panel,
    classify,
    load_profile_classes,
    profile_table,
    profile_variables,
    read_released_profiles,
    released_profiles,
)
from cohorts.studies.interest_only.project import outcomes, prepare
from cohorts.studies.interest_only.release import ReleaseSettings
from cohorts.studies.interest_only.study_data import scenarios_path
from sample import SAMPLE

SETTINGS = ReleaseSettings(sample_households=1_920_000, population_households=2_900_000, round_to=1000,
                           rounding_base=100)
#: TEST INPUT, not an official level: round gross yearly social-assistance levels for the synthetic twin.
TEST_LEVELS = {"social_assistance_single": 15_000.0, "social_assistance_couple": 21_000.0}


# ---------------------------------------------------------------- hand-worked
def _households() -> pd.DataFrame:
    """Three households: a single employee (born 1960), a couple of a dga and a self-employed partner (born
    1980), a single pensioner (born 1948)."""
    hh = pd.DataFrame({IO.HOUSEHOLD_ID: [1, 2, 3], IO.MAIN_BIRTH_YEAR: [1960, 1980, 1948],
                       IO.HAS_PARTNER: [False, True, False],
                       IO.DEBT_NOW: [150_000.0, 400_000.0, 50_000.0],
                       IO.HOUSE_VALUE_NOW: [200_000.0, 320_000.0, 0.0],
                       IO.INCOME_NOW: [40_000.0, 90_000.0, 30_000.0],
                       IO.CONSUMER_CREDIT_NOW: [0.0, 45_000.0, 1_000.0],
                       IO.TEST_INCOME_LABOUR_AOW: [1.0, 2.0, 3.0], IO.TEST_INCOME_SECOND_PILLAR: [0.0, 0.0, 0.0]})
    for f in PERSON_FIELDS:
        for s in (IO.MAIN_SUFFIX, IO.PARTNER_SUFFIX):
            hh[f"{f}{s}"] = "other" if f == C.LABOUR_STATUS else 0.0
    hh[f"{C.LABOUR_STATUS}_main"] = ["employee", "dga", "pensioner"]
    hh[f"{C.LABOUR_STATUS}_partner"] = ["other", "self_employed", "other"]
    hh[f"{C.WAGES}_main"] = [40_000.0, 0.0, 0.0]
    hh[f"{C.DGA_WAGE}_main"] = [0.0, 60_000.0, 0.0]
    hh[f"{C.BUSINESS_PROFIT}_partner"] = [0.0, 30_000.0, 0.0]
    hh[f"{C.PENSION_INCOME}_main"] = [0.0, 0.0, 30_000.0]
    hh[f"{C.PENSION_ATTAINABLE_ACTIVE}_main"] = [10_000.0, 20_000.0, 0.0]
    hh[f"{C.PENSION_ATTAINABLE_ACTIVE}_partner"] = [0.0, 5_000.0, 0.0]
    hh[f"{C.AOW_SHARE}_main"] = [1.0, 0.5, 1.0]
    hh[f"{C.AOW_SHARE}_partner"] = [0.0, 1.0, 0.0]
    return hh


def _outcomes() -> pd.DataFrame:
    return pd.DataFrame({IO.HOUSEHOLD_ID: [1, 2, 3], IO.PERPETUAL: [False, False, True],
                         IO.VULNERABLE: pd.array([True, False, False], dtype="boolean"),
                         IO.TEST_INCOME_AT_T: [29_999.0, 30_000.0, 20_000.0], IO.RATE_AT_T: [0.03] * 3})


def _parts() -> pd.DataFrame:
    # household 1: 100,000 IO + 100,000 annuity at origination (50%), arrears on the annuity part;
    # household 2: 250,000 IO + 50,000 investment (100%); household 3: 80,000 IO
    return pd.DataFrame({IO.HOUSEHOLD_ID: [1, 1, 2, 2, 3],
                         C.REPAYMENT_TYPE: ["interest_only", "annuity", "interest_only", "investment", "interest_only"],
                         C.ORIGINAL_BALANCE: [100_000.0, 100_000.0, 250_000.0, 50_000.0, 80_000.0],
                         C.ARREARS: [False, True, False, False, False]})


def test_variables_by_hand() -> None:
    params = load_parameters()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Trhk table-year note
        v = profile_variables(_households(), _outcomes(), _parts(), params=params, tables=load_tables())
    assert v["refi_moment"].tolist() == [True, True, False]
    assert v["vulnerable"].tolist() == [True, False, False]
    np.testing.assert_allclose(v["ltv_now_pct"].to_numpy()[:2], [75.0, 125.0])  # 150/200, 400/320
    assert np.isnan(v["ltv_now_pct"].iloc[2])  # no house value: no LTV
    assert v["entrepreneur"].tolist() == ["no entrepreneur", "director-shareholder (dga)", "no entrepreneur"]
    np.testing.assert_allclose(v[IO.IO_SHARE_ORIGINATION_PCT], [50.0, 100.0, 100.0])
    assert v[IO.IN_ARREARS].tolist() == [1.0, 0.0, 0.0]
    # income drop (Figuur 26), 2017 prices: household 1, single employee with an active scheme (rule 1):
    # retirement income = 1.0 x full single AOW + 10,000 attainable; drop = 100 x (1 - that / 40,000)
    expected_1 = 100.0 * (1.0 - (params.aow_full_single + 10_000.0) / 40_000.0)
    # household 2: both persons' attainable pensions (rule 1) + AOW at the partnered rate x shares 0.5 and 1.0
    expected_2 = 100.0 * (1.0 - (1.5 * params.aow_full_partnered + 25_000.0) / 90_000.0)
    np.testing.assert_allclose(v[IO.INCOME_DROP_PCT].to_numpy()[:2], [expected_1, expected_2])
    assert np.isnan(v[IO.INCOME_DROP_PCT].iloc[2])  # already a pensioner (and past the AOW age): no drop ahead
    # the 'main' option: the partner's self-employment no longer counts, the dga main earner still does
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        main_only = profile_variables(_households().assign(**{f"{C.LABOUR_STATUS}_main": ["employee", "employee",
                                                                                          "pensioner"]}),
                                      _outcomes(), _parts(), params=params, tables=load_tables(), entrepreneur="main")
    assert main_only["entrepreneur"].tolist() == ["no entrepreneur"] * 3


def test_unknown_original_principal_gives_no_share() -> None:
    parts = _parts()
    parts.loc[1, C.ORIGINAL_BALANCE] = np.nan  # household 1's annuity part
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = profile_variables(_households(), _outcomes(), parts, params=load_parameters(), tables=load_tables())
    assert np.isnan(v[IO.IO_SHARE_ORIGINATION_PCT].iloc[0])  # not 100% (the IO part over itself)
    np.testing.assert_allclose(v[IO.IO_SHARE_ORIGINATION_PCT].to_numpy()[1:], [100.0, 100.0])


def test_class_edges_at_the_printed_cut_offs() -> None:
    panels = load_profile_classes()
    frame = pd.DataFrame({IO.TEST_INCOME_AT_T: [29_999.0, 30_000.0, 19_999.0],
                          IO.CONSUMER_CREDIT_NOW: [0.0, 40_000.0, 40_000.01],
                          IO.IO_SHARE_ORIGINATION_PCT: [100.0, 99.9, 50.0]})
    # "below 30,000": 30,000 itself is in 30-40k
    assert classify(frame, panels["income_at_refi"]).tolist() == ["20-30k", "30-40k", "< 20k"]
    # "above 40,000": 40,000 itself is in 20-40k; no consumer credit is 'none'
    assert classify(frame, panels["consumer_credit"]).tolist() == ["none", "20-40k", "> 40k"]
    assert classify(frame, panels["io_at_origination"]).tolist() == ["100% (fully interest-only)", "75-100%",
                                                                     "50-75%"]


def _five() -> pd.DataFrame:
    return pd.DataFrame({"refi_moment": [True, True, True, True, False],
                         "vulnerable": pd.array([True, True, False, False, False], dtype="boolean"),
                         IO.DEBT_NOW: [50.0, 150.0, 150.0, np.nan, 50.0],
                         IO.HAS_PARTNER: [False, True, True, True, False]})


PANELS = {"debt_now": Panel("debt_now", 13, "debt", ("low", "high"), edges=(-np.inf, 100.0, np.inf)),
          "household_type": Panel("household_type", 12, "type", ("single", "with partner"))}


def test_table_by_hand() -> None:
    t = profile_table(_five(), panels=PANELS).set_index(["panel", "group", "class"])["n"]
    # debt: vulnerable = households 0, 1 -> low 1, high 1; refi = 0-3, household 3 has no debt -> all 3
    assert t[("debt_now", "vulnerable", ALL)] == 2
    assert (t[("debt_now", "vulnerable", "low")], t[("debt_now", "vulnerable", "high")]) == (1, 1)
    assert t[("debt_now", "refi_moment", ALL)] == 3  # the panel's own N (a household without the variable is out)
    assert (t[("debt_now", "refi_moment", "low")], t[("debt_now", "refi_moment", "high")]) == (1, 2)
    # household type: refi = 0-3 -> single 1, with partner 3 (household 4 is perpetual)
    assert (t[("household_type", "refi_moment", "single")], t[("household_type", "refi_moment", "with partner")]) \
        == (1, 3)


def test_vulnerable_rows_left_out_when_unknown() -> None:
    frame = _five().assign(vulnerable=pd.array([True, None, False, False, False], dtype="boolean"))
    t = profile_table(frame, panels=PANELS)
    assert set(t["group"]) == {"refi_moment"}


def test_release_rounds_counts_and_takes_shares_from_them() -> None:
    table = pd.DataFrame({"figure": 28, "panel": "arrears", "group": "refi_moment",
                          "class": [ALL, "in arrears", "no arrears"], "n": [9_449, 149, 9_300], "share": np.nan})
    r = released_profiles(table, scale=0.01, settings=SETTINGS, rules=load_rules(None))
    # 9,449 -> 9,400; 149 -> 100; 9,300 -> 9,300; shares 100 / 9,400 = 1.1%, 9,300 / 9,400 = 98.9%
    assert r["n_rounded"].tolist() == [9_400, 100, 9_300]
    assert r["share"].tolist() == [100.0, 1.1, 98.9]
    # population: 100 / 0.01 x 2.9 / 1.92 = 15,104 -> 15,000
    assert r["population"].iloc[1] == 15_000


def test_classes_must_match_their_labels(tmp_path: Path) -> None:
    bad = tmp_path / "profiles.toml"
    bad.write_text('[debt_now]\nfigure = 13\ntitle = "d"\nedges = [0, 1]\nlabels = ["a", "b"]\n')
    with pytest.raises(ConfigError, match="one more than labels"):
        load_profile_classes(bad)


# ---------------------------------------------------------------- the command on the committed sample
@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("profiles")
    packaged = Path(__file__).resolve().parents[3] / "src/cohorts/studies/interest_only/data/parameters.toml"
    params = root / "parameters.toml"
    params.write_text(packaged.read_text(encoding="utf-8") + "# TEST INPUT, not an official level\n"
                      + "".join(f"{k} = {v}\n" for k, v in TEST_LEVELS.items()), encoding="utf-8")
    out = root / "out"
    with pytest.warns(Warning):  # the Trhk 2019 -> 2015 note
        assert main(["refinance", "--data", str(SAMPLE), "--out", str(out), "--scenario", "base",
                     "--parameters", str(params), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def direct() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    inputs = read_inputs(SAMPLE)
    pop = build_population(inputs.lld, inputs.cbs, inputs.key, inputs.income_pension, inputs.wealth_dwelling)
    params = dataclasses.replace(load_parameters(), **TEST_LEVELS)
    scenarios = {"base": load_scenarios(scenarios_path())["base"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prep = prepare(pop.households, pop.parts, params=params, tables=load_tables(), scenarios=scenarios)
    return prep.households, outcomes(prep, scenario=scenarios["base"]), pop.parts


def _rounded(n: int | np.integer) -> int:
    return int(np.round(n / 100) * 100)


def test_released_profiles_equal_plain_masks_on_the_frames(released: Path, direct) -> None:
    hh, out, parts = direct
    got = read_released_profiles(released / "profiles.csv").set_index(["panel", "group", "class"])["n_rounded"]
    groups = {"vulnerable": out[IO.VULNERABLE].to_numpy(dtype=bool), "refi_moment": ~out[IO.PERPETUAL].to_numpy(bool)}
    assert 0 < groups["vulnerable"].sum() < groups["refi_moment"].sum()
    ck = hh[IO.CONSUMER_CREDIT_NOW].to_numpy()
    debt, value = hh[IO.DEBT_NOW].to_numpy(), hh[IO.HOUSE_VALUE_NOW].to_numpy()
    io = parts[C.REPAYMENT_TYPE].isin(["interest_only", "investment"])
    io_orig = (parts[C.ORIGINAL_BALANCE] * io).groupby(parts[IO.HOUSEHOLD_ID]).sum()
    all_orig = parts[C.ORIGINAL_BALANCE].groupby(parts[IO.HOUSEHOLD_ID]).sum()
    fully = (io_orig >= all_orig).reindex(hh[IO.HOUSEHOLD_ID]).to_numpy()
    arrears = parts.groupby(IO.HOUSEHOLD_ID)[C.ARREARS].any().reindex(hh[IO.HOUSEHOLD_ID]).to_numpy(dtype=bool)
    income_t = out[IO.TEST_INCOME_AT_T].to_numpy()
    expected = {
        ("consumer_credit", "none"): ck == 0,
        ("consumer_credit", "> 40k"): ck > 40_000,
        ("household_type", "single"): ~hh[IO.HAS_PARTNER].to_numpy(dtype=bool),
        ("debt_now", "350-500k"): (debt > 350_000) & (debt <= 500_000),
        ("ltv_now", "100-125%"): (debt / value > 1.0) & (debt / value <= 1.25),
        ("income_at_refi", "20-30k"): (income_t >= 20_000) & (income_t < 30_000),
        ("io_at_origination", "100% (fully interest-only)"): fully,
        ("arrears", "in arrears"): arrears,
    }
    for group, mask in groups.items():
        assert got[("household_type", group, ALL)] == _rounded(mask.sum())
        for (panel, cls), hit in expected.items():
            assert got[(panel, group, cls)] == _rounded((hit & mask).sum()), (panel, group, cls)


# ---------------------------------------------------------------- the attacker
def narrowed_cells(profiles: pd.DataFrame, tree: pd.DataFrame, *, min_units: int) -> list[tuple]:
    """Cells a subtraction attacker pins to a range of positive counts narrower than ``min_units``.

    A rounded count r stands for [r - base/2, r + base/2]; a hidden cell ("x") for [0, its total]; the
    refinancing-moment total is exact (``tree.csv``: all minus no_refinancing_moment, base scenario); a
    cell is also the panel's total minus the other cells.  Only cells the release does not state exactly
    (hidden, or rounded) are attacked; a rounded cell is attacked only when it rounds to 0 (a shown
    count of at least the base is not small).
    """
    base_tree = tree[tree["scenario"] == "base"].set_index("outcome")["n"]
    refi_total = int(base_tree[ALL]) - int(base_tree["no_refinancing_moment"])
    found = []
    for (panel, group), rows in profiles.groupby(["panel", "group"], sort=False):
        rows = rows.set_index("class")
        half = float(rows["rounding_base"].iloc[0]) / 2 if "rounding_base" in rows else 0.0
        n = pd.to_numeric(rows["n_rounded"], errors="coerce")
        lo, hi = n - half, n + half
        hidden = n.isna()
        if group == "refi_moment":
            lo[ALL] = hi[ALL] = refi_total
        lo[hidden], hi[hidden] = 0.0, hi[ALL]
        classes = [c for c in rows.index if c != ALL]
        for c in classes:
            others = [o for o in classes if o != c]
            low = max(lo[c], lo[ALL] - hi[others].sum(), 0.0)
            high = min(hi[c], hi[ALL] - lo[others].sum())
            low, high = np.ceil(low), np.floor(high)
            if (hidden[c] or n[c] == 0) and low >= 1 and high - low + 1 < min_units:
                found.append((panel, group, c, low, high))
    return found


def test_attacker_recovers_a_planted_exact_release() -> None:
    # exact counts, one class hidden: the total minus the shown class gives it away
    tree = pd.DataFrame({"scenario": "base", "outcome": [ALL, "no_refinancing_moment"], "n": [110, 10]})
    planted = pd.DataFrame({"panel": "arrears", "group": "refi_moment", "class": [ALL, "in arrears", "no arrears"],
                            "n_rounded": ["100", "x", "97"], "rounding_base": 0})
    assert narrowed_cells(planted, tree, min_units=10) == [("arrears", "refi_moment", "in arrears", 3.0, 3.0)]


def test_no_cell_of_profiles_is_narrowed_by_subtraction(released: Path) -> None:
    profiles = read_released_profiles(released / "profiles.csv")
    tree = pd.read_csv(released / "tree.csv", dtype={"start_year": str}, keep_default_na=False)
    rounded_to_0 = (pd.to_numeric(profiles["n_rounded"], errors="coerce") == 0) & (profiles["class"] != ALL)
    assert rounded_to_0.sum() > 5, "some classes should round to 0 on the sample (else this checks little)"
    assert narrowed_cells(profiles, tree, min_units=load_rules(None).min_units) == []
