"""``cohorts refinance`` on the committed sample: what it writes, what it refuses, and what an attacker can read.

Kinds:
* cross-check of two implementations: ``tree.csv``'s counts equal the study's functions run directly
  (population -> prepare -> outcomes at the start year the command reports), and its population column
  equals the checklist's scaling (H39) computed by hand from ``release.toml``'s two numbers;
* property: each scenario's released cells form a partition of its total; the worst start year the
  command keeps really has the most step-4 failures among the sweep's rows (read from the files; the
  housing crisis, timed by its floor, is checked in test_sweep.py);
* attacker (independent of the gate's audit): from the released files alone, with a raised minimum
  frequency (on a smaller twin, ``conftest.strict_release``), no scenario hides exactly one cell (the
  total would give it away), the hidden cells of a scenario sum to at least the minimum, and the
  scenario-free cell (no refinancing moment) is either shown in every scenario or hidden in every one;
* bad input: an unknown scenario, a start year outside a scenario's range, a rounding base below the
  minimum frequency, and a negative pension in the raw data each exit 2 naming the problem, and write nothing.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.cli import main
from cohorts.scenarios import load_scenarios
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.studies.interest_only.population import build_population, read_inputs
from cohorts.studies.interest_only.project import counts, outcomes, prepare
from cohorts.studies.interest_only.release import ALL, OUTCOMES, TREND
from cohorts.studies.interest_only.study_data import scenarios_path
from cohorts.norms.tables import load_tables
from sample import SAMPLE


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("refi") / "out"
    with pytest.warns(Warning):  # the notes: no social-assistance level, Trhk 2019 -> 2015
        assert main(["refinance", "--data", str(SAMPLE), "--out", str(out), "--quiet"]) == 0
    return out


def _tree(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "tree.csv", dtype={"start_year": str}, keep_default_na=False)


def test_writes_the_gated_files_and_a_manifest(released: Path) -> None:
    names = sorted(p.name for p in released.iterdir())
    stock = ["coverage.csv", "method_tables.csv", "perpetual_profile.csv", "prevalence.csv", "risk_by_year.csv"]
    stock_figures = [f"{s}.{e}" for s in ("coverage", "perpetual_profile", "prevalence", "risk_by_year", "sale_outcome",
                                           "scenario_counts") for e in ("pdf", "png")]  # descriptives.py
    profiles = [f"profile_{n}.{e}" for n in (11, 12, 13, 25, 26, 27, 28) for e in ("pdf", "png")]
    assert names == sorted(["by_year.csv", "checker", "comparison.csv", "figures", "manifest.json", "perpetuals.csv",
                            "profiles.csv", "selection.csv", "sweep.csv", "tree.csv", *stock])
    assert sorted(p.name for p in (released / "figures").iterdir()) == sorted(
        ["maturities.pdf", "maturities.png", "sweep.pdf", "sweep.png", "tree.pdf", "tree.png", *stock_figures,
         *profiles])
    manifest = json.loads((released / "manifest.json").read_text())
    listed = sorted(Path(f["path"] if "path" in f else f["name"]).name for f in manifest["outputs"]) \
        if isinstance(manifest["outputs"], list) else sorted(manifest["outputs"])
    assert listed == sorted(["by_year.csv", "comparison.csv", "figures/maturities.pdf", "figures/maturities.png",
                             "figures/sweep.pdf", "figures/sweep.png", "figures/tree.pdf", "figures/tree.png",
                             *[f"figures/{p}" for p in profiles], "perpetuals.csv", "profiles.csv", "selection.csv",
                             "sweep.csv", "tree.csv", *stock, *[f"figures/{f}" for f in stock_figures]])
    # the comparison (synthetic data only): the headline rows are compared, not skipped
    comparison = pd.read_csv(released / "comparison.csv")
    headline = comparison[comparison["id"].isin(["IO_TXT_fail_annuity_n", "IO_TXT_forced_sale_n",
                                                 "IO_TXT_perpetual_share"])]
    assert len(headline) == 3 and headline["reproduced"].notna().all()
    assert manifest["configuration"]["scenarios"] == ["base", "recession", "high_rate", "housing_crisis"]


def test_tree_equals_the_functions_run_directly(released: Path) -> None:
    tree = _tree(released)
    inputs = read_inputs(SAMPLE)
    pop = build_population(inputs.lld, inputs.cbs, inputs.key, inputs.income_pension, inputs.wealth_dwelling)
    scenarios = load_scenarios(scenarios_path())
    with pytest.warns(Warning):
        prep = prepare(pop.households, pop.parts, params=load_parameters(), tables=load_tables(), scenarios=scenarios)
    for name, sc in scenarios.items():
        rows = tree[tree["scenario"] == name].set_index("outcome")
        start = rows["start_year"].iloc[0]
        out = outcomes(prep, scenario=sc, start_year=None if start == TREND else int(start))
        c = counts(out)
        n = pd.to_numeric(rows["n"])
        assert n[ALL] == c["households"] == len(pop.households)
        assert n["no_refinancing_moment"] == c["perpetual"]
        assert n["repays_from_wealth"] == c["wealth_repay"]
        assert n[list(OUTCOMES[4:])].sum() == c["fail_annuity"]
        assert n[list(OUTCOMES[6:])].sum() == c["forced_sale"]
        assert n["sale_residual_debt"] == c["residual_debt"]
        if name == "base":
            # by_year.csv: households with a refinancing moment per refinancing year, rounded to 100 (2060+ pooled)
            years = pd.array(out.loc[~out[IO.PERPETUAL], IO.REFI_YEAR], dtype="Int64").to_numpy(dtype=float)
            labels = pd.Series(np.where(years >= 2060, "2060+", years.astype(int).astype(str)))
            expected = (np.round(labels.value_counts() / 100) * 100).astype(int)
            expected = expected[expected > 0].sort_index()
            by_year = pd.read_csv(released / "by_year.csv", dtype={"refinancing_year": str})
            got = by_year.set_index("refinancing_year")["n_rounded"].sort_index()
            pd.testing.assert_series_equal(got, expected, check_names=False, check_dtype=False)
        perpetuals = pd.read_csv(released / "perpetuals.csv", keep_default_na=False)
        p = pd.to_numeric(perpetuals[perpetuals["scenario"] == name].set_index("group")["n"], errors="coerce")
        if not np.isnan(p["afford_fail"]):
            assert p["afford_fail"] == c["afford_fail"]
        if not np.isnan(p["not_agile_at_event"]):
            assert p["not_agile_at_event"] == c["not_agile_at_event"]


def test_population_column_is_the_checklist_scaling(released: Path) -> None:
    tree = _tree(released)
    # release.toml: 2,900,000 IO households in the population, 1,920,000 in the report's sample;
    # the committed sample is scale 0.01: population = n / 0.01 x 2.9 / 1.92, rounded to thousands.
    n = pd.to_numeric(tree["n"]).to_numpy()
    expected = np.round(n / 0.01 * 2_900_000 / 1_920_000 / 1000) * 1000
    np.testing.assert_array_equal(pd.to_numeric(tree["population"]).to_numpy(), expected)


def test_each_scenario_is_a_partition_and_the_worst_year_is_the_maximum(released: Path) -> None:
    tree = _tree(released)
    for _, rows in tree.groupby("scenario"):
        n = pd.to_numeric(rows.set_index("outcome")["n"])
        assert n[list(OUTCOMES)].sum() == n[ALL]
    sweep = pd.read_csv(released / "sweep.csv")
    fail = sweep[sweep["group"] == "fail_annuity"]
    timed_by_floor = {n for n, sc in load_scenarios(scenarios_path()).items() if sc.timed_by == "floor"}
    assert timed_by_floor == {"housing_crisis"}  # timed by its floor (test_sweep.py); the others by step 4
    for name, rows in tree[tree["start_year"] != TREND].groupby("scenario"):
        if name in timed_by_floor:
            continue
        worst_start = int(rows["start_year"].iloc[0])
        worst = pd.to_numeric(rows.set_index("outcome")["n"])[list(OUTCOMES[4:])].sum()
        others = fail[fail["scenario"] == name]
        assert worst_start not in set(others["start_year"])  # the exact row is in tree.csv only
        # every other start year's rounded count is at most the worst's count rounded up to the base
        base = int(others["rounding_base"].iloc[0])
        assert (others["n_rounded"] <= np.ceil(worst / base) * base).all()


def test_attacker_cannot_recover_a_hidden_cell(strict_release: Path, raised_minimum: int) -> None:
    tree = _tree(strict_release)
    marker = "x"
    hidden_any = False
    perpetual_hidden = set()
    for name, rows in tree.groupby("scenario"):
        rows = rows.set_index("outcome")
        hidden = [o for o in OUTCOMES if rows.loc[o, "n"] == marker]
        hidden_any |= bool(hidden)
        assert len(hidden) != 1, f"{name}: a single hidden cell is the total minus the others"
        if hidden:
            shown = sum(int(rows.loc[o, "n"]) for o in OUTCOMES if o not in hidden)
            assert int(rows.loc[ALL, "n"]) - shown >= raised_minimum, \
                f"{name}: the hidden cells sum to fewer than the minimum"
        for o in hidden:
            assert rows.loc[o, "share"] == marker and rows.loc[o, "population"] == marker
        perpetual_hidden.add(rows.loc["no_refinancing_moment", "n"] == marker)
    assert hidden_any, "the raised minimum should hide some cells (else this test checks nothing)"
    assert len(perpetual_hidden) == 1
    # perpetuals.csv: a group and its complement add up to the tree's perpetual cell, so one of them may not be
    # hidden alone; a hidden part (afford_fail and not agile at the event) must leave its two wholes' other
    # parts unreleased or hidden too, i.e. no released cell equals a whole minus the part
    perpetuals = pd.read_csv(strict_release / "perpetuals.csv", keep_default_na=False)
    hidden_perpetual = False
    for name, rows in perpetuals.groupby("scenario"):
        rows = rows.set_index("group")
        total_shown = tree[(tree["scenario"] == name) & (tree["outcome"] == "no_refinancing_moment")]["n"].iloc[0]
        for group, complement in (("agile_now", "not_agile_now"), ("agile_at_event", "not_agile_at_event")):
            hidden = [rows.loc[g, "n"] == marker for g in (group, complement)]
            hidden_perpetual |= any(hidden)
            if total_shown != marker:
                assert hidden[0] == hidden[1], f"{name}: {group} / {complement} hidden alone"
        part = "afford_fail_not_agile_at_event"
        if rows.loc[part, "n"] == marker:
            hidden_perpetual = True
            # the part's complements in its two wholes (afford_fail and agile; not agile and affordable) are
            # not released groups, so no whole minus a released cell gives the part
            assert set(rows.index) == {"agile_now", "not_agile_now", "agile_at_event", "not_agile_at_event",
                                       "afford_fail", part}, f"{name}: a new group may complete the hidden part"
    # at that twin's counts the raised minimum hides the part in three scenarios of four (not the pairs: their
    # smaller halves hold 128 or more households); the pair rule is exercised wherever a pair is hidden
    assert hidden_perpetual, "the raised minimum should hide some perpetual cells (else this checks nothing)"


@pytest.mark.parametrize("extra, message", [
    (["--scenario", "deflation"], "known scenarios: base, recession, high_rate, housing_crisis"),
    (["--start-year", "2060"], "outside the declared range of scenario 'recession'"),
])
def test_bad_options_exit_2_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra, message):
    out = tmp_path / "out"
    assert main(["refinance", "--data", str(SAMPLE), "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_rounding_base_below_the_minimum_is_refused_before_reading(tmp_path: Path, capsys) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[frequency]\nmin_units = 300\n")
    out = tmp_path / "out"
    assert main(["refinance", "--data", str(tmp_path / "no-such-folder"), "--out", str(out),
                 "--disclosure-rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "rounding_base 100 is below the gate's frequency.min_units 300" in err
    assert not out.exists()


def test_negative_pension_is_a_contract_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    income = pd.read_parquet(data / "cbs_income_pension.parquet")
    bad_ids = income[C.PERSON_ID].iloc[[3, 7]].tolist()
    income.loc[income.index[[3, 7]], C.PENSION_ATTAINABLE_ACTIVE] = -1.0
    income.to_parquet(data / "cbs_income_pension.parquet", index=False)
    out = tmp_path / "out"
    assert main(["refinance", "--data", str(data), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cbs_income_pension" in err and C.PENSION_ATTAINABLE_ACTIVE in err
    assert str(bad_ids[0]) in err
    assert not out.exists()


def test_maturity_before_origination_is_a_contract_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    lld = pd.read_parquet(data / "lld_loan_parts.parquet")
    row = lld.index[(lld[C.SNAPSHOT_YEAR] == 2016) & lld[C.MATURITY_DATE].notna()][0]
    lld.loc[row, C.MATURITY_DATE] = lld.loc[row, C.ORIGINATION_DATE] - pd.Timedelta(days=1)
    lld.to_parquet(data / "lld_loan_parts.parquet", index=False)
    out = tmp_path / "out"
    assert main(["refinance", "--data", str(data), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "maturity_date not before origination_date" in err and str(lld.loc[row, C.LOAN_ID]) in err
    assert not out.exists()


def test_sensitivity_is_released_rounded(tmp_path: Path) -> None:
    from cohorts.studies.interest_only.sensitivity import sensitivity

    out = tmp_path / "out"
    with pytest.warns(Warning):
        assert main(["refinance", "--data", str(SAMPLE), "--out", str(out), "--scenario", "base", "--sensitivity",
                     "--quiet"]) == 0
    released = pd.read_csv(out / "sensitivity.csv")
    inputs = read_inputs(SAMPLE)
    pop = build_population(inputs.lld, inputs.cbs, inputs.key, inputs.income_pension, inputs.wealth_dwelling)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the same notes as the command gave
        direct = sensitivity(pop.households, pop.parts, params=load_parameters(), tables=load_tables())
    # rounded to 100 households (release.toml): 1,681 -> 1,700; shares from the rounded counts
    expected = (np.round(direct["fail_annuity"].to_numpy() / 100) * 100).astype(int)
    np.testing.assert_array_equal(released["fail_annuity_n_rounded"].to_numpy(), expected)
    np.testing.assert_allclose(released["share"], np.round(100 * expected / direct["households"].to_numpy(), 2))
    assert (released.loc[released["is_baseline"], "change_share"] == 0).all()
    assert (out / "figures" / "sensitivity.png").is_file()
