"""The interest-only study's comparison with the report's published numbers (comparison.py, rules.py, results.py).

Kinds:
* external reference: the packaged target list is a byte copy of the project's shared target file
  (sha256; skipped where the shared path does not exist);
* property: every comparable target row gets exactly one comparison row with a known status; every
  tolerance kind a rule uses has a row in ``tolerances.csv``; the class file covers exactly the
  comparable targets; the headline rows of README section 1 are compared (not skipped) on the
  committed sample; the confirmed source conflicts carry the ``source_conflict`` status;
* hand-worked: the headline population counts are sample count / scale x coverage rounded to
  thousands, with the coverage 2.9 / 1.92 read from the targets; the tolerance of a share is
  ``max(0.5, 3 x 100 sqrt(p (1 - p) / N))`` with N = 1.92 million x the group's fraction;
* planted truth: results whose counts are planted at the report's published values are within
  tolerance on every headline row; the same results with ``fail_annuity`` doubled miss the
  step-4 rows, and with the forced sales doubled miss the step-6 rows.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import scenarios as SC
from cohorts.norms.tables import load_tables
from cohorts.report.comparison import STATUSES, comparable_targets
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only import comparison as CMP
from cohorts.studies.interest_only import rules as R
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.studies.interest_only.population import build_population, read_inputs
from cohorts.studies.interest_only.project import prepare
from cohorts.studies.interest_only.sweep import sweep as run_sweep
from cohorts.studies.interest_only.results import Results, report_coverage, results_from, targets_path
from cohorts.studies.interest_only.study_data import scenarios_path
from sample import SAMPLE

SHARED_TARGETS = Path("/work/shared/targets/io_refinancing/io_refinancing_targets.csv")

#: The ten headline numbers of README section 1 (their rows as the README names them).
HEADLINE_IDS: tuple[str, ...] = (
    "IO_TXT_fail_annuity_n",
    "IO_TXT_forced_sale_n",
    "IO_TXT_residual_n",
    "IO_TXT_perpetual_share",
    "IO_TXT_forced_sale_ge10y_share",
    "IO_TXT_vulnerable_n",
    "IO_TXT_core_n",
    "IO_TXT_f16_fail_annuity_min",
    "IO_TXT_f16_fail_annuity_max",
    "IO_TXT_f16_forced_sale_base",
    "IO_TXT_f16_forced_sale_rec",
    "IO_TXT_scen_rec_high_share_low",
    "IO_TXT_scen_rec_high_share_high",
    "IO_TXT_f16_residual_high",
    "IO_TXT_f16_residual_rec",
    "IO_TXT_f16_crisis_fail_annuity",
    "IO_TXT_f16_crisis_forced_sale",
    "IO_TXT_f16_crisis_residual",
    "IO_TXT_perp_afford_n",
    "IO_TXT_h4_perp_not_agile_share",
    "IO_TXT_h4_perp_not_agile_n",
    "IO_TXT_h4_perp_not_agile_afford_n",
)


def sample_scale() -> float:
    """The committed sample's scale, from its manifest."""
    return float(json.loads((SAMPLE / "manifest.json").read_text())["scale"])


def sample_results(*, with_sweep: bool) -> Results:
    """The committed sample through the whole chain (social-assistance levels 0 for the run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the engine's notes on the sample (e.g. missing norm-table years)
        inp = read_inputs(SAMPLE)
        pop = build_population(inp.lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling)
        params = load_parameters().replace(social_assistance_single=0.0, social_assistance_couple=0.0)
        scenarios = SC.load_scenarios(scenarios_path())
        prepared = prepare(pop.households, pop.parts, params=params, tables=load_tables(), scenarios=scenarios)
        sweep = None
        if with_sweep:
            sweep = run_sweep(prepared, scenarios=scenarios)  # G37: the worst start year is marked
        return results_from(prepared, scenarios=scenarios, scale=sample_scale(), sweep=sweep)


@pytest.fixture(scope="module")
def results() -> Results:
    return sample_results(with_sweep=False)


@pytest.fixture(scope="module")
def comparison(results: Results) -> pd.DataFrame:
    return CMP.compare(results)


# --------------------------------------------------------------------------
# data files
# --------------------------------------------------------------------------
def test_targets_copy_is_verbatim() -> None:
    if not SHARED_TARGETS.exists():
        pytest.skip(f"{SHARED_TARGETS} is not on this machine")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (targets_path(), SHARED_TARGETS)]
    assert digest[0] == digest[1]


def test_data_files_load_and_cover_the_kinds() -> None:
    targets = CMP.load_targets()
    assert len(targets) == 473
    tol = CMP.load_tolerances()
    assert set(CMP.TOLERANCE_KINDS) <= set(tol.index)
    classes = CMP.load_target_classes(targets=targets)
    assert set(classes["id"]) == set(comparable_targets(targets)["id"])
    assert set(classes["class"]) == {"recomputed", "planted"}
    CMP.load_conflicts(targets=targets)  # raises on a wrong implied value or an unknown id


def test_coverage_is_read_from_the_targets() -> None:
    t = CMP.load_targets()
    pop = float(t.loc[t["id"] == "IO_TXT_io_households_pop", "value"].iloc[0])
    sample = float(t.loc[t["id"] == "IO_F1_n_io_households", "value"].iloc[0])
    assert report_coverage(t) == pytest.approx(pop / sample)
    assert 1.4 < report_coverage() < 1.6  # two-thirds coverage (Figuur 17)


# --------------------------------------------------------------------------
# the comparison on the committed sample
# --------------------------------------------------------------------------
def test_every_target_row_gets_exactly_one_status(comparison: pd.DataFrame) -> None:
    comparable = comparable_targets(CMP.load_targets())
    assert len(comparison) == len(comparable) == 320
    assert comparison["id"].is_unique
    assert set(comparison["id"]) == set(comparable["id"])
    assert comparison["status"].isin(STATUSES).all()
    assert (comparison["class"] != "unclassified").all()
    no_number = comparison["status"] == "not_reproducible"
    assert (comparison.loc[no_number, "reason"].str.len() > 0).all()
    assert comparison.loc[~no_number, "reproduced"].notna().all()


def test_every_kind_used_has_a_tolerance(comparison: pd.DataFrame) -> None:
    used = set(comparison["tolerance_kind"]) - {""}
    assert used <= set(CMP.load_tolerances().index)
    assert used <= set(CMP.TOLERANCE_KINDS)


def test_headline_rows_are_compared(comparison: pd.DataFrame) -> None:
    head = comparison.set_index("id").loc[list(HEADLINE_IDS)]
    assert (head["status"] == "compared").all(), head.loc[head["status"] != "compared", ["status", "reason"]]
    assert np.isfinite(head["reproduced"].to_numpy(dtype=float)).all()
    assert (head["tolerance"] > 0).all()


def test_confirmed_conflicts_carry_their_status(comparison: pd.DataFrame) -> None:
    c = comparison.set_index("id")
    for i in ("IO_TXT_fail_annuity_lti_share", "IO_TXT_perp_afford_not_sell_n", "IO_F18_n_analysis"):
        assert c.loc[i, "status"] == "source_conflict"
        assert np.isfinite(c.loc[i, "reproduced"])
    assert c.loc["IO_TXT_h4_crisis_refi_n", "status"] == "compared"  # labels, not numbers (A1)


def test_headline_counts_hand_worked(results: Results, comparison: pd.DataFrame) -> None:
    c = comparison.set_index("id")["reproduced"]
    base = results.outcomes["base"]
    cover = 2.9 / 1.92  # the two target rows, written out for the hand check
    assert results.coverage == pytest.approx(cover)
    for col, i in ((IO.FAIL_ANNUITY, "IO_TXT_fail_annuity_n"), (IO.FORCED_SALE, "IO_TXT_forced_sale_n"),
                   (IO.RESIDUAL_DEBT, "IO_TXT_residual_n"), (IO.VULNERABLE, "IO_TXT_vulnerable_n")):
        n = int(pd.array(base[col], dtype="boolean").fillna(False).sum())
        assert c[i] == round(n / results.scale * cover, -3)
        assert c[i] % 1000 == 0
    perp = base[IO.PERPETUAL].to_numpy(dtype=bool)
    assert c["IO_TXT_perpetual_share"] == pytest.approx(100.0 * perp.mean())
    assert c["IO_F9_n"] == round(perp.sum() / results.scale / 1e6, 2)


def test_share_tolerance_hand_worked(results: Results, comparison: pd.DataFrame) -> None:
    row = comparison.set_index("id").loc["IO_TXT_forced_sale_ltv_share"]
    base = results.outcomes["base"]
    frac = base[IO.FORCED_SALE].to_numpy(dtype=bool).mean()
    n = 1.92e6 * frac
    p = 0.21
    se = 100.0 * math.sqrt(p * (1 - p) / n)
    assert row["report_se"] == pytest.approx(se)
    assert row["tolerance"] == pytest.approx(max(0.5, 3 * se))


# --------------------------------------------------------------------------
# planted truth
# --------------------------------------------------------------------------
def _planted(scale: float = 0.01) -> Results:
    """Base outcomes whose counts are the report's published numbers (README section 1), at ``scale``."""
    cover = report_coverage()
    n = round(1.92e6 * scale)

    def k(pop: float) -> int:  # sample count behind a published population count
        return round(pop / cover * scale)

    perp_n = round(0.44 * n)
    i = np.arange(n)
    perp = i < perp_n
    refi = ~perp
    start = perp_n
    fail = (i >= start) & (i < start + k(157_000))
    forced = (i >= start) & (i < start + k(78_000))
    resid = (i >= start) & (i < start + k(18_000))
    vuln = (i >= start) & (i < start + k(55_000))
    core = (i >= start) & (i < start + k(42_000))
    ge10 = (i >= start) & (i < start + round(0.84 * k(78_000)))
    afford = perp & (i < k(63_000))
    not_agile = perp & (i >= k(63_000) - k(12_000)) & (i < k(63_000) - k(12_000) + k(23_000))
    years = np.where(refi, np.where(ge10 | ~forced, 15, 5), -99)
    frame = pd.DataFrame({
        IO.HOUSEHOLD_ID: i,
        IO.PERPETUAL: perp,
        IO.WEALTH_REPAY: np.zeros(n, dtype=bool),
        IO.FAIL_ANNUITY: fail,
        IO.FORCED_SALE: forced,
        IO.RESIDUAL_DEBT: resid,
        IO.VULNERABLE: pd.array(vuln, dtype="boolean"),
        IO.CORE_RISK: pd.array(core, dtype="boolean"),
        IO.YEARS_TO_REFI: pd.array(np.where(refi, years, None), dtype="Int64"),
        IO.AFFORD_FAIL: pd.array(np.where(perp, afford, None), dtype="boolean"),
        IO.AGILE_AT_EVENT: pd.array(np.where(perp, ~not_agile, None), dtype="boolean"),
    })
    return Results(households=frame[[IO.HOUSEHOLD_ID]], outcomes={"base": frame}, scale=scale, coverage=cover)


_PLANTED_IDS = ("IO_TXT_fail_annuity_n", "IO_TXT_forced_sale_n", "IO_TXT_residual_n", "IO_TXT_perpetual_share",
                "IO_TXT_forced_sale_ge10y_share", "IO_TXT_vulnerable_n", "IO_TXT_core_n", "IO_TXT_perp_afford_n",
                "IO_TXT_h4_perp_not_agile_n", "IO_TXT_h4_perp_not_agile_afford_n", "IO_TXT_fail_annuity_share",
                "IO_TXT_forced_sale_share", "IO_F1_n_io_households")


def _compare_planted(res: Results) -> pd.DataFrame:
    t = CMP.load_targets()
    sub = t.loc[t["id"].isin(_PLANTED_IDS)].reset_index(drop=True)
    out = CMP.compare(res, targets=sub, classes=CMP.load_target_classes(), conflicts=CMP.load_conflicts())
    return out.set_index("id")


def test_planted_truth_is_within_tolerance() -> None:
    out = _compare_planted(_planted())
    assert len(out) == len(_PLANTED_IDS)
    assert (out["status"] == "compared").all(), out.loc[out["status"] != "compared", "reason"]
    assert out["within"].all(), out.loc[~out["within"], ["target", "reproduced", "tolerance"]]


def _doubled(res: Results, col: str) -> Results:
    o = res.outcomes["base"].copy()
    flag = o[col].to_numpy(dtype=bool)
    free = np.flatnonzero(~flag & ~o[IO.PERPETUAL].to_numpy(dtype=bool))[: int(flag.sum())]
    flag[free] = True
    o[col] = flag
    return Results(households=res.households, outcomes={"base": o}, scale=res.scale, coverage=res.coverage)


def test_doubled_step_4_failures_miss() -> None:
    out = _compare_planted(_doubled(_planted(), IO.FAIL_ANNUITY))
    assert not out.loc["IO_TXT_fail_annuity_n", "within"]
    assert not out.loc["IO_TXT_fail_annuity_share", "within"]
    assert out.loc["IO_TXT_forced_sale_n", "within"]  # untouched rows stay within


def test_doubled_forced_sales_miss() -> None:
    out = _compare_planted(_doubled(_planted(), IO.FORCED_SALE))
    assert not out.loc["IO_TXT_forced_sale_n", "within"]
    assert not out.loc["IO_TXT_forced_sale_share", "within"]
    assert not out.loc["IO_TXT_forced_sale_ge10y_share", "within"]


def test_rules_refuse_what_they_cannot_compute() -> None:
    res = _planted()
    row = CMP.load_targets().set_index("id", drop=False).loc["IO_T4_house_value_min"]
    with pytest.raises(R.NotReproducible, match="sensitivity"):
        R.RULES[[r.name for r in R.RULES].index("sensitivity input")].compute(res, row)
    rec = CMP.load_targets().set_index("id", drop=False).loc["IO_TXT_f16_forced_sale_rec"]
    with pytest.raises(R.NotReproducible, match="recession"):
        R.population_count(res, rec)


def test_figure_26_counts_the_vulnerable_with_retirement_ahead() -> None:
    """Hand-worked: Figuur 26's n (34.0 thousand in the report, against 36.5 in the other profiles) counts the
    vulnerable households whose main earner is below the AOW age (67) in 2017, not a pensioner, with a positive
    2017 income.  Six households at scale 1/1000, all vulnerable: born 1960 (57, employee, income 40,000) ahead;
    born 1950 (67) not; born 1955 pensioner not; born 1970 with income 0 not; born 1951 (66) ahead; one more
    born 1980 (37) not vulnerable.  Ahead and vulnerable: 2 -> 2 / 0.001 / 1000 = 2.0 thousand; the other
    profiles' n counts all 5 vulnerable -> 5.0."""
    from cohorts import columns as C

    hh = pd.DataFrame({
        IO.HOUSEHOLD_ID: np.arange(6),
        IO.MAIN_BIRTH_YEAR: [1960, 1950, 1955, 1970, 1951, 1980],
        f"{C.LABOUR_STATUS}{IO.MAIN_SUFFIX}": ["employee", "employee", "pensioner", "employee", "employee",
                                               "employee"],
        IO.INCOME_NOW: [40_000.0, 30_000.0, 25_000.0, 0.0, 35_000.0, 50_000.0],
    })
    vuln = pd.array([True, True, True, True, True, False], dtype="boolean")
    o = pd.DataFrame({IO.HOUSEHOLD_ID: np.arange(6), IO.VULNERABLE: vuln, IO.PERPETUAL: np.zeros(6, dtype=bool)})
    res = Results(households=hh, outcomes={"base": o}, scale=0.001, coverage=1.0, params=load_parameters())
    t = CMP.load_targets().set_index("id", drop=False)
    f26 = next(r for r in R.RULES if r.matches(t.loc["IO_F26_n_vulnerable"]))
    assert f26.compute(res, t.loc["IO_F26_n_vulnerable"]) == pytest.approx(2.0)
    f25 = next(r for r in R.RULES if r.matches(t.loc["IO_F25_n_vulnerable"]))
    assert f25.compute(res, t.loc["IO_F25_n_vulnerable"]) == pytest.approx(5.0)
