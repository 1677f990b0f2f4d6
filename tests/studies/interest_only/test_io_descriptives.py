"""The interest-only study's descriptive tables (descriptives.py): Figuren 1, 2, 7, 8, 14, 16 and Tables 1, 2, 3, 5.

Kinds:
* hand-worked: small frames through every table function (voluntary repayment, prevalence, coverage
  medians and classes, risk by year, the perpetual profile, Figuur 8 and 16 from a released tree with
  hidden cells), the release's rounding and shares from rounded counts, the percentile rule on a median;
* external reference: Tables 2 and 5 as released equal the published numbers of the targets file;
* cross-check of two implementations: Tabel 2's growth rates against the scenario paths
  (:func:`cohorts.scenarios.paths`), and every released file of ``cohorts refinance`` on a small twin
  (``conftest.strict_data``) against the same numbers computed here directly with pandas from the raw
  and unreleased frames;
* attacker: a linear program over the base scenario's households by refinancing year and tree outcome,
  constrained by ``tree.csv`` (exact) and ``risk_by_year.csv`` (rounded intervals), cannot narrow the cells
  the gate hid in ``tree.csv`` below the minimum frequency (the constraint matrix is an interval matrix of
  nested groups per year plus the tree's columns, so the LP bounds are the integer bounds).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts import scenarios as SC
from cohorts.disclosure import load_rules
from cohorts.norms.tables import load_tables
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.descriptives import (
    ROUNDED_NOTE,
    DescriptiveSettings,
    checked_rounded,
    coverage,
    coverage_release,
    method_tables,
    perpetual_profile,
    prevalence,
    prevalence_release,
    read_released,
    risk_by_year,
    sale_outcome,
    scenario_counts,
    voluntary_repayment,
)
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.studies.interest_only.population import build_population, read_inputs
from cohorts.studies.interest_only.project import outcomes, prepare
from cohorts.studies.interest_only.release import GROUPS, OUTCOMES, ReleaseSettings
from cohorts.studies.interest_only.study_data import scenarios_path

TARGETS = Path(__file__).resolve().parents[3] / "src/cohorts/studies/interest_only/data/io_refinancing_targets.csv"
SETTINGS = ReleaseSettings(sample_households=1_920_000, population_households=2_900_000, round_to=1000,
                           rounding_base=100)
DESC = DescriptiveSettings(snapshot_year=2016, io_share_edges=(0.0, 50.0, 75.0, 100.0), term_edges=(5, 10, 15, 20, 25),
                           median_decimals=0, age_cut=60, money_round_to=1000, ltv_decimals=0)
IO_TYPES = ("interest_only", "investment")


# --------------------------------------------------------------------------
# hand-worked frames
# --------------------------------------------------------------------------
def _households() -> pd.DataFrame:
    return pd.DataFrame({
        IO.HOUSEHOLD_ID: [1, 2, 3, 4],
        IO.PERPETUAL: [False, False, True, True],
        IO.REFI_YEAR: pd.array([2020, 2040, pd.NA, pd.NA], dtype="Int64"),
        IO.FULLY_IO: [False, True, True, False],
        IO.FREE_WEALTH_NOW: [10_000.0, 50_000.0, 0.0, 30_000.0],
        IO.MAIN_BIRTH_YEAR: [1950, 1970, 1940, 1956],  # ages at end 2016: 66, 46, 76, 60
        IO.HAS_PARTNER: [True, False, True, True],
        IO.INCOME_NOW: [40_000.0, 60_000.0, 20_000.0, 80_000.0],
        IO.DEBT_NOW: [150_000.0, 260_000.0, 90_000.0, 100_000.0],
        IO.HOUSE_VALUE_NOW: [300_000.0, 260_000.0, 300_000.0, 400_000.0],
        "labour_status_main": ["pensioner", "employee", "pensioner", "employee"],
        "pension_attainable_active_main": [5_000.0, 9_000.0, 0.0, 0.0],
    })


def _parts() -> pd.DataFrame:
    return pd.DataFrame({
        IO.HOUSEHOLD_ID: [1, 1, 2, 2, 3, 4, 4, 9],
        C.REPAYMENT_TYPE: ["interest_only", "annuity", "interest_only", "investment", "interest_only",
                           "interest_only", "linear", "interest_only"],
        C.ORIGINAL_BALANCE: [100_000.0, 100_000.0, 200_000.0, 50_000.0, 100_000.0, 40_000.0, 100_000.0, 1.0],
        C.CURRENT_BALANCE: [80_000.0, 50_000.0, 200_000.0, 60_000.0, 90_000.0, 40_000.0, 60_000.0, 1.0],
    })


def test_voluntary_repayment_sums_the_io_parts_decreases() -> None:
    out = voluntary_repayment(_households(), _parts(), io_types=IO_TYPES)
    # 1: IO part 100k -> 80k repaid 20k (the annuity part's 50k is scheduled, not counted)
    # 2: IO 200k -> 200k (0) and investment 50k -> 60k (a rise is not a repayment: 0); original IO 250k
    # 3: 100k -> 90k: 10k.  4: 40k -> 40k: 0.  Household 9 has no household row: ignored
    assert out[IO.ORIGINAL_IO].tolist() == [100_000.0, 250_000.0, 100_000.0, 40_000.0]
    assert out[IO.VOLUNTARY_REPAID].tolist() == [20_000.0, 0.0, 10_000.0, 0.0]


def test_coverage_medians_by_class() -> None:
    out = coverage(_households(), _parts(), settings=DESC, io_types=IO_TYPES).set_index(["dimension", "class"])
    # households with a refinancing moment: 1 and 2 (3 and 4 are perpetual)
    # 1: (10k wealth + 20k repaid) / 100k original IO = 30%; IO share 100k / 200k = 50% -> class "0-50%";
    #    remaining term 2020 - 2016 = 4 years -> "<= 5"
    # 2: (50k + 0) / 250k = 20%; fully IO -> "100% (fully IO)"; 2040 - 2016 = 24 -> "21-25"
    assert out.loc[("all", "all"), "median"] == pytest.approx(25.0)  # median of 30 and 20
    assert out.loc[("all", "all"), "n"] == 2
    assert out.loc[("io_share", "0-50%"), "median"] == pytest.approx(30.0)
    assert out.loc[("io_share", "100% (fully IO)"), "median"] == pytest.approx(20.0)
    assert out.loc[("remaining_term", "<= 5"), "median"] == pytest.approx(30.0)
    assert out.loc[("remaining_term", "21-25"), "median"] == pytest.approx(20.0)
    assert out.loc[("io_share", "50-75%"), "n"] == 0 and np.isnan(out.loc[("io_share", "50-75%"), "median"])
    assert out.xs("io_share")["n"].sum() == 2 and out.xs("remaining_term")["n"].sum() == 2  # each a partition


def test_prevalence_and_tabel3_note() -> None:
    selection = pd.DataFrame({"rule": ["snapshot 2016", "no interest-only or investment part"],
                              "rows_in": [50, 30], "rows_out": [30, 24]})
    out = prevalence(_households(), selection).set_index("group")
    assert (out.loc["with_io", "n"], out.loc["with_io", "total"]) == (24, 30)
    assert out.loc["without_io", "n"] == 6
    assert (out.loc["fully_io", "n"], out.loc["partly_io", "n"], out.loc["fully_io", "total"]) == (2, 2, 4)
    # pensioner main earners with an active scheme: household 1 only (3 is a pensioner without one)
    assert out.loc["retired_active_scheme", "n"] == 1


def test_risk_by_year_counts_nested_groups_and_pools_late_years() -> None:
    frame = pd.DataFrame({IO.PERPETUAL: [False, False, False, False, True],
                          IO.REFI_YEAR: pd.array([2030, 2030, 2030, 2061, pd.NA], dtype="Int64"),
                          IO.FAIL_ANNUITY: pd.array([True, False, True, True, pd.NA], dtype="boolean"),
                          IO.FORCED_SALE: pd.array([True, False, False, False, pd.NA], dtype="boolean")})
    out = risk_by_year(frame).set_index(["refinancing_year", "group"])["n"]
    assert out.to_dict() == {("2030", "households"): 3, ("2030", "fail_annuity"): 2, ("2030", "forced_sale"): 1,
                             ("2060+", "households"): 1, ("2060+", "fail_annuity"): 1, ("2060+", "forced_sale"): 0}


def test_perpetual_profile_by_hand() -> None:
    out = perpetual_profile(_households(), _parts(), settings=DESC, io_types=IO_TYPES).set_index(
        ["group", "characteristic"])
    # perpetuals: households 3 (age 76, pensioner, fully IO, partner) and 4 (age 60: not older than 60)
    assert out.loc[("perpetual", "age_over_cut"), ["n", "count", "value"]].tolist() == [2, 1, 50.0]
    assert out.loc[("perpetual", "retired"), "count"] == 1 and out.loc[("perpetual", "fully_io"), "count"] == 1
    assert out.loc[("perpetual", "single"), "count"] == 0
    assert out.loc[("perpetual", "age"), "value"] == 68.0  # median of 76 and 60
    assert out.loc[("perpetual", "ltv"), "value"] == pytest.approx(27.5)  # 90/300 = 30%, 100/400 = 25%
    assert out.loc[("perpetual", "voluntary_repaid"), "value"] == 5_000.0  # median of 10k and 0
    # all four: older than 60 are households 1 and 3 -> 2 of 4 = 50%; single: household 2 -> 25%
    assert out.loc[("all", "age_over_cut"), "value"] == 50.0 and out.loc[("all", "single"), "value"] == 25.0
    assert out.loc[("all", "income"), "value"] == 50_000.0  # median of 20k, 40k, 60k, 80k
    assert out.loc[("all", "debt"), "value"] == 125_000.0  # median of 90k, 100k, 150k, 260k


def _released_tree(hide: tuple[str, ...] = ()) -> pd.DataFrame:
    cells = dict(zip(OUTCOMES, [440, 80, 300, 60, 50, 20, 36, 14], strict=True))
    rows = []
    for name, start in (("base", "trend"), ("recession", "2032")):
        rows.append({"scenario": name, "start_year": start, "outcome": "all", "n": "1000", "population": "x"})
        for o, v in cells.items():
            hidden = name == "base" and o in hide
            rows.append({"scenario": name, "start_year": start, "outcome": o, "n": "x" if hidden else str(v),
                         "population": "x" if hidden else str(v * 1000)})
    return pd.DataFrame(rows)


def test_sale_outcome_from_the_released_tree() -> None:
    out = sale_outcome(_released_tree()).set_index("outcome")
    # step-6 failures: 36 + 14 = 50; shares 72% and 28%
    assert out.loc["forced_sale", "n"] == 50 and out.loc["sale_repays", "share"] == 72.0
    assert out.loc["sale_residual_debt", "share"] == 28.0
    # residual debt hidden with one other cell outside the group: the group cannot be summed, and the
    # total minus the rest holds a hidden cell too: no number, never a zero
    out = sale_outcome(_released_tree(hide=("sale_residual_debt", "io50"))).set_index("outcome")
    assert np.isnan(out.loc["forced_sale", "n"]) and np.isnan(out.loc["sale_residual_debt", "n"])
    assert out.loc["sale_repays", "n"] == 36 and np.isnan(out.loc["sale_repays", "share"])


def test_scenario_counts_from_the_released_tree() -> None:
    out = scenario_counts(_released_tree(hide=("io50", "io50_after_wealth")), settings=SETTINGS, scale=0.01)
    base = out[out["scenario"] == "base"].set_index("group")
    # fail step 4 = io50 + io50_after_wealth + sales: two hidden, but total - rest = 1000 - (440+80+300+60) = 120
    assert base.loc["fail_annuity", "n"] == 120
    # fail step 6 = 36 + 14 = 50; population 50 / 0.01 x 2.9 / 1.92 = 7,552 -> 8,000
    assert base.loc["forced_sale", "n"] == 50 and base.loc["forced_sale", "population"] == 8000
    assert base.loc["residual_debt", "n"] == 14
    assert out[out["scenario"] == "recession"].set_index("group").loc["fail_annuity", "n"] == 50 + 20 + 36 + 14


# --------------------------------------------------------------------------
# the release's rounding and the percentile rule
# --------------------------------------------------------------------------
def test_prevalence_is_rounded_and_shares_follow_the_rounded_counts() -> None:
    table = pd.DataFrame({"panel": ["mortgages", "mortgages", "io_households", "io_households", "tabel3_note"],
                          "group": ["with_io", "without_io", "fully_io", "partly_io", "retired_active_scheme"],
                          "n": [17318, 4616, 8653, 8385, 7], "total": [21934, 21934, 17038, 17038, 17038]})
    out = prevalence_release(table, scale=0.01, settings=SETTINGS).set_index("group")
    assert out["n_rounded"].tolist() == [17300, 4600, 8700, 8400, 0]
    # mortgages: 17,300 / 21,900 (the rounded total) = 78.995% -> 79.0; fully IO: 8,700 / 17,038 = 51.06%
    assert out.loc["with_io", "share"] == 79.0 and out.loc["fully_io", "share"] == 51.06
    # population: 8,700 / 0.01 x 2.9 / 1.92 = 1,314,062.5 -> 1,314,000
    assert out.loc["fully_io", "population"] == 1_314_000
    checked = checked_rounded(out.reset_index(), keys=("panel", "group"), values=("share", "population"),
                              artefact="prevalence.csv", rules=load_rules(None))
    note = checked.released.set_index("group")["disclosure"]
    assert note["retired_active_scheme"] == ROUNDED_NOTE and note["fully_io"] == ""


def test_a_median_of_too_few_households_is_hidden_with_its_units() -> None:
    table = pd.DataFrame({"dimension": ["remaining_term"] * 2, "class": ["<= 5", "6-10"], "n": [9, 240],
                          "median": [31.4, 18.6]})
    cells = coverage_release(table, settings=SETTINGS, descriptive=DESC)
    rules = load_rules(None)
    assert rules.percentile_min_units == 10
    released = checked_rounded(cells, keys=("dimension", "class"), values=("median",), artefact="coverage.csv",
                               rules=rules).released.set_index("class")
    assert pd.isna(released.loc["<= 5", "median"]) and pd.isna(released.loc["<= 5", "n_rounded"])
    assert released.loc["6-10", "median"] == 19.0 and released.loc["6-10", "n_rounded"] == 200
    assert "n_units" not in released.columns  # the exact units never leave


# --------------------------------------------------------------------------
# Tables 1, 2, 3, 5
# --------------------------------------------------------------------------
def _targets() -> dict[str, float]:
    with TARGETS.open(encoding="utf-8") as fh:
        return {r["id"]: float(r["value"]) for r in csv.DictReader(fh) if r["value"]}


def test_method_tables_equal_the_published_numbers() -> None:
    table = method_tables(load_parameters(), SC.load_scenarios(scenarios_path()))
    cell = table.set_index(["table", "row", "column"])["value"]
    t = _targets()
    for name in ("base", "recession", "high_rate", "housing_crisis"):
        for row in ("house_value", "income", "pension", "wealth", "mortgage_rate"):
            assert cell[("Tabel 2", row, name)] == pytest.approx(t[f"IO_T2_{row}_{name}"]), (row, name)
    for row in ("house_value", "income", "pension", "wealth"):
        for col in ("real", "nominal"):
            assert cell[("Tabel 5", row, col)] == pytest.approx(t[f"IO_T5_{row}_{col}"]), (row, col)
    assert cell[("Tabel 5", "inflation", "level")] == t["IO_T5_inflation_level"]
    assert cell[("Tabel 5", "mortgage_rate", "level")] == t["IO_T5_mortgage_rate_level"]
    assert cell[("Tabel 1", "consumer_credit_cap", "value")] == t["IO_T1_ck_upper_bound"]
    assert cell[("Tabel 3", "self_employed_rr_share", "rule 4")] == t["IO_DEF_selfemp_pension_factor"]
    for name, key in (("recession", "conj"), ("housing_crisis", "crisis")):
        assert cell[("Tabel 2", "period_start", name)] == t[f"IO_T2_period_{key}_start"]
        assert cell[("Tabel 2", "recovery_start", name)] == t[f"IO_T2_{key}_recovery_start"]
        assert cell[("Tabel 2", "recovery_end", name)] == t[f"IO_T2_{key}_recovery_end"]
    # what the files cannot carry is said, not invented
    held_not = table[table["value"].isna()]
    assert set(held_not["row"]) == {"period_start", "period_end", "note_toetsrente", "retirees_active_scheme_share"}
    assert held_not["note"].str.len().gt(0).all()
    # Tabel 2's 32 cells: 4 x 5 parameters, 6 period ends, 4 recovery years, 2 notes.  The file's rows: 20
    # parameters + the base's 2 period rows + 4 period rows (start, end, recovery start, end) per shock
    # scenario (recession and high rate repeat the study's shared 'Conjunctuur' columns: 4 rows) + 2 notes
    t2 = table[table["table"] == "Tabel 2"]
    assert len(t2) == 20 + 2 + 3 * 4 + 2 == 32 + 4


def test_tabel2_growth_equals_the_scenario_paths() -> None:
    scenarios = SC.load_scenarios(scenarios_path())
    cell = method_tables(load_parameters(), scenarios).set_index(["table", "row", "column"])["value"]
    for name, sc in scenarios.items():
        start = sc.start_year if sc.is_shock else None
        path = SC.paths(sc, start_year=start).set_index(SC.YEAR)
        first = start if start is not None else int(path.index[0]) + 1
        for row, col in (("house_value", SC.HOUSE), ("income", SC.INCOME), ("pension", SC.PENSION),
                         ("wealth", SC.WEALTH)):
            growth = 100.0 * (path.loc[first, col] / path.loc[first - 1, col] - 1.0)
            assert cell[("Tabel 2", row, name)] == pytest.approx(growth, abs=1e-9), (name, row)


# --------------------------------------------------------------------------
# the command's files against direct computations, and the attacker
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run(strict_release: Path, strict_data: Path) -> dict:
    out = strict_release  # conftest.py: cohorts refinance on a small twin with a raised minimum
    inputs = read_inputs(strict_data)
    pop = build_population(inputs.lld, inputs.cbs, inputs.key, inputs.income_pension, inputs.wealth_dwelling)
    scenarios = SC.load_scenarios(scenarios_path())
    with pytest.warns(Warning):
        prep = prepare(pop.households, pop.parts, params=load_parameters(), tables=load_tables(),
                       scenarios={"base": scenarios["base"]})
    base = outcomes(prep, scenario=scenarios["base"])
    return {"out": out, "lld": inputs.lld, "hh": prep.households, "parts": pop.parts, "base": base}


def _rounded(n: float) -> int:
    return int(np.round(n / 100.0) * 100)


def test_prevalence_file_equals_a_direct_count(run: dict) -> None:
    released = read_released(run["out"] / "prevalence.csv").set_index("group")
    lld = run["lld"][run["lld"][C.SNAPSHOT_YEAR] == 2016]
    any_io = lld[C.REPAYMENT_TYPE].isin(IO_TYPES).groupby(lld[C.LOAN_ID]).any()
    assert int(released.loc["with_io", "n_rounded"]) == _rounded(any_io.sum())
    assert int(released.loc["without_io", "n_rounded"]) == _rounded((~any_io).sum())
    hh = run["hh"]
    assert int(released.loc["fully_io", "n_rounded"]) == _rounded(hh[IO.FULLY_IO].sum())
    assert float(released.loc["fully_io", "share"]) == round(100 * _rounded(hh[IO.FULLY_IO].sum()) / len(hh), 2)
    retired_active = (hh["labour_status_main"] == "pensioner") & (hh["pension_attainable_active_main"] > 0)
    assert int(released.loc["retired_active_scheme", "n_rounded"]) == _rounded(retired_active.sum())


def test_coverage_file_equals_a_direct_median(run: dict) -> None:
    released = read_released(run["out"] / "coverage.csv").set_index("class")
    parts, hh = run["parts"], run["hh"].set_index(IO.HOUSEHOLD_ID)
    io = parts[parts[C.REPAYMENT_TYPE].isin(IO_TYPES)]
    g = io.assign(vol=(io[C.ORIGINAL_BALANCE] - io[C.CURRENT_BALANCE]).clip(lower=0)).groupby(IO.HOUSEHOLD_ID)
    frame = pd.DataFrame({"orig": g[C.ORIGINAL_BALANCE].sum(), "vol": g["vol"].sum()}).join(hh)
    frame = frame[~frame[IO.PERPETUAL].astype(bool) & (frame["orig"] > 0)]
    ratio = 100 * (frame[IO.FREE_WEALTH_NOW] + frame["vol"]) / frame["orig"]
    fully = ratio[frame[IO.FULLY_IO].astype(bool)]
    assert float(released.loc["100% (fully IO)", "median"]) == round(fully.median())
    assert int(released.loc["100% (fully IO)", "n_rounded"]) == _rounded(len(fully))
    short = ratio[frame[IO.REFI_YEAR].astype(float) - 2016 <= 5]
    assert float(released.loc["<= 5", "median"]) == round(short.median())
    assert float(released.loc["all", "median"]) == round(ratio.median())


def test_risk_by_year_file_equals_a_direct_count(run: dict) -> None:
    released = read_released(run["out"] / "risk_by_year.csv")
    base = run["base"][~run["base"][IO.PERPETUAL]]
    year = base[IO.REFI_YEAR].astype(int).clip(upper=2060)
    fail = base[IO.FAIL_ANNUITY].astype(bool)
    sale = base[IO.FORCED_SALE].astype(bool)
    direct = {("households", y): n for y, n in year.value_counts().items()}
    direct.update({("fail_annuity", y): n for y, n in year[fail].value_counts().items()})
    direct.update({("forced_sale", y): n for y, n in year[sale].value_counts().items()})
    assert len(released) > 30
    for row in released.itertuples():
        y = int(row.refinancing_year.rstrip("+"))
        assert int(row.n_rounded) == _rounded(direct.get((row.group, y), 0)), (row.refinancing_year, row.group)
    listed = {int(y.rstrip("+")) for y in released["refinancing_year"]}
    assert all(_rounded(n) == 0 for (g, y), n in direct.items() if g == "households" and y not in listed)


def test_profile_file_equals_a_direct_count(run: dict) -> None:
    released = read_released(run["out"] / "perpetual_profile.csv").set_index(["group", "characteristic"])
    hh = run["hh"]
    perp = hh[hh[IO.PERPETUAL].astype(bool)]
    older = (2016 - perp[IO.MAIN_BIRTH_YEAR] > 60).sum()
    assert int(released.loc[("perpetual", "age_over_cut"), "n_rounded"]) == _rounded(older)
    assert float(released.loc[("perpetual", "age_over_cut"), "value"]) == round(100 * _rounded(older) / len(perp), 2)
    assert float(released.loc[("all", "income"), "value"]) == round(hh[IO.INCOME_NOW].median() / 1000) * 1000
    ltv = 100 * perp[IO.DEBT_NOW] / perp[IO.HOUSE_VALUE_NOW]
    assert float(released.loc[("perpetual", "ltv"), "value"]) == round(ltv.median())


def test_no_file_states_an_exact_count(run: dict) -> None:
    for name in ("prevalence.csv", "coverage.csv", "risk_by_year.csv", "perpetual_profile.csv"):
        frame = read_released(run["out"] / name)
        n = pd.to_numeric(frame["n_rounded"], errors="coerce").dropna()
        assert len(n) and (n % 100 == 0).all(), name
        assert not {"n", "n_units", "count"} & set(frame.columns), name


def test_attacker_cannot_narrow_a_hidden_tree_cell_with_risk_by_year(run: dict, raised_minimum: int) -> None:
    from scipy.optimize import linprog

    tree = pd.read_csv(run["out"] / "tree.csv", dtype={"start_year": str}, keep_default_na=False)
    base = tree[tree["scenario"] == "base"].set_index("outcome")["n"]
    hidden = [o for o in OUTCOMES if base[o] == "x"]
    assert len(hidden) >= 2, "the raised minimum should hide base cells (else this test checks nothing)"
    risk = read_released(run["out"] / "risk_by_year.csv")
    refi_outcomes = list(OUTCOMES[1:])  # the perpetual cell holds no refinancing year
    years = [*range(2016, 2060), 2060]
    label = {y: (f"{y}+" if y == 2060 else str(y)) for y in years}
    idx = {(y, o): i for i, (y, o) in enumerate((y, o) for y in years for o in refi_outcomes)}
    nvar = len(idx)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for o in refi_outcomes:  # tree.csv: every released cell exactly
        if base[o] != "x":
            row = np.zeros(nvar)
            for y in years:
                row[idx[(y, o)]] = 1
            a_eq.append(row)
            b_eq.append(float(base[o]))
    row = np.zeros(nvar)
    row[:] = 1
    a_eq.append(row)
    b_eq.append(float(base["all"]) - float(base[OUTCOMES[0]]))
    members = {"households": refi_outcomes, "fail_annuity": list(GROUPS["fail_annuity"]),
               "forced_sale": list(GROUPS["forced_sale"])}
    released = risk.set_index(["refinancing_year", "group"])["n_rounded"]
    for y in years:
        for group, outs in members.items():
            r = float(released.get((label[y], group), 0))  # a year not listed: its households round to 0
            if (label[y], group) not in released.index and group != "households":
                continue  # a year left out says only that its households round to 0
            row = np.zeros(nvar)
            for o in outs:
                row[idx[(y, o)]] = 1
            a_ub += [row, -row]
            b_ub += [r + 49.5, -(max(r - 50.0, 0.0))]  # the true count rounds to r: [r - 50, r + 50)
    narrowed = {}
    for o in hidden:
        c = np.zeros(nvar)
        for y in years:
            c[idx[(y, o)]] = 1
        lo = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status == 0, "the released files must be consistent with some population"
        narrowed[o] = (lo.fun, -hi.fun)
    # from tree.csv alone a hidden cell lies in [0, sum of the hidden cells]
    total_hidden = float(base["all"]) - sum(float(base[o]) for o in OUTCOMES if base[o] != "x")
    for o, (lo, hi) in narrowed.items():
        assert hi - lo >= raised_minimum, f"{o}: narrowed to [{lo:.0f}, {hi:.0f}] by risk_by_year.csv"
        assert lo <= 0.5 or hi >= total_hidden - 0.5, (o, lo, hi, total_hidden)
