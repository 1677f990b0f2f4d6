"""The numbers of comparison.csv held to the report's published values.

Kind: external reference -- the published numbers of AFM (2022) in the packaged
target list -- reproduced from a synthetic twin generated here, fresh, at the
committed sample's settings (scale 0.01, seed 20221), built and compared without
the disclosure gate (:func:`cohorts.studies.high_mortgages.comparison.compare` on the build's
frames: the same function ``cohorts reproduce`` writes comparison.csv with).
Generating fresh data makes a change in the generator visible too.

Widening for the small scale.  The tolerances of ``tolerances.csv`` are set for
the report's full population; at scale 0.01 a group holds 1% of the report's
mortgages and its statistics carry sampling noise the tolerance does not allow
for.  A target is held to ``tolerance + 3 * se`` where ``se`` is the larger of

* ``sample_se`` (shares: the binomial standard error at the target share and
  the study's expected N, report N x scale), and
* a bootstrap standard error of the reproduced number: the comparison is
  recomputed on ``N_BOOT`` resamples of the study frames (mortgages drawn with
  replacement within each cohort, with their income panel; stock rows within
  each snapshot), and ``se`` is the standard deviation of the replicates.  It
  gives means, medians, counts of subgroups, Kaplan-Meier incidences and ratios
  a noise level of their own; an exactly planted count has none.

One target is a known misfit of the synthetic twin at this scale and is
listed in :data:`KNOWN_MISFITS` with the reason (the targets no data can meet have a
conflict status, not "compared"); every other compared target,
``recomputed`` and ``planted`` alike, must hold.  Mutations of the method (a
median replaced by a mean, a norm maximum 5% off, an unweighted interest-only
premium) and of the generator (half the planted NHG share) fail here; see
benchmarks/mutations/comparison.toml.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.build import build
from cohorts.errors import CohortsWarning
from cohorts.io import read_raw
from cohorts.studies.high_mortgages import comparison as K
from cohorts.studies.high_mortgages import rules as R
from cohorts.synth import write_synthetic

SCALE = 0.01
SEED = 20221
N_BOOT = 16
Z = 3.0

#: Compared targets the synthetic twin does not reproduce, with the reason (not a tolerance matter).
KNOWN_MISFITS: dict[str, str] = {
    "TB5_starters_high_2012": "43 mortgages at scale 0.01: a median of 43 net wealths near zero, whose bootstrap "
                              "standard error understates its noise",
}
#: The targets no data set can meet (the WLT shares of Tabel 1, the N under Figures B1/B2, the text's rounded
#: counts and shares) are not misfits: source_conflicts.csv lists them with the arithmetic or the method
#: statement they contradict, and the comparison gives them the status source_conflict or method_conflict.


def _resample(cohorts: pd.DataFrame, panel: pd.DataFrame, stock: pd.DataFrame,
              rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Mortgages with replacement within each cohort (new loan ids, their panel rows along); stock within snapshots."""
    coh = cohorts[C.COHORT].to_numpy()
    idx = np.concatenate([rng.choice(np.flatnonzero(coh == y), size=int((coh == y).sum())) for y in np.unique(coh)])
    boot = cohorts.iloc[idx].reset_index(drop=True)
    ids = pd.DataFrame({C.LOAN_ID: boot[C.LOAN_ID].to_numpy(), "_new": np.arange(len(boot), dtype="int64")})
    boot[C.LOAN_ID] = ids["_new"].to_numpy()
    boot_panel = panel.merge(ids, on=C.LOAN_ID).drop(columns=C.LOAN_ID).rename(columns={"_new": C.LOAN_ID})
    snap = stock[C.SNAPSHOT_YEAR].to_numpy()
    sidx = np.concatenate([rng.choice(np.flatnonzero(snap == y), size=int((snap == y).sum())) for y in np.unique(snap)])
    return boot, boot_panel, stock.iloc[sidx].reset_index(drop=True)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """comparison.csv's frame for a fresh twin at scale 0.01, seed 20221, with ``boot_se`` and ``allowed``."""
    out = tmp_path_factory.mktemp("twin") / "data"
    write_synthetic(out, scale=SCALE, seed=SEED)
    raw = read_raw(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CohortsWarning)  # table-year fallbacks of the norm
        built = build(raw.lld, raw.cbs, raw.key)
    comp = K.compare(K.StudyResults(built.cohorts, built.panel, built.stock, scale=SCALE))
    rng = np.random.default_rng(SEED)
    reps = []
    for _ in range(N_BOOT):
        c, p, s = _resample(built.cohorts, built.panel, built.stock, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # empty groups in a resample
            reps.append(K.compare(K.StudyResults(c, p, s, scale=SCALE))["reproduced"].to_numpy(dtype="float64"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        comp["boot_se"] = np.nanstd(np.vstack(reps), axis=0, ddof=1)
    se = np.fmax(comp["boot_se"].to_numpy(), comp["sample_se"].to_numpy())
    comp["allowed"] = comp["tolerance"] + Z * np.nan_to_num(se, nan=0.0)
    diff = comp["reproduced"] - comp["target"]
    comp["violation"] = np.select([comp["bound"] == "at_least", comp["bound"] == "at_most"],
                                  [np.maximum(0.0, -diff), np.maximum(0.0, diff)], np.abs(diff))
    return comp


def _held(comparison: pd.DataFrame, klass: str) -> pd.DataFrame:
    comp = comparison[(comparison["status"] == "compared") & (comparison["class"] == klass)]
    return comp[~comp["id"].isin(list(KNOWN_MISFITS))]


def _report(bad: pd.DataFrame) -> str:
    cols = ["id", "target", "reproduced", "tolerance", "sample_se", "boot_se", "allowed"]
    return "\n" + bad[cols].to_string(index=False)


def test_recomputed_targets_hold(comparison: pd.DataFrame) -> None:
    held = _held(comparison, "recomputed")
    # every compared recomputed target but the misfits is held (159 compared at this scale and seed, not a chosen few)
    assert len(held) >= 155
    bad = held[~(held["violation"] <= held["allowed"])]
    assert bad.empty, _report(bad)


def test_planted_targets_are_read_back(comparison: pd.DataFrame) -> None:
    held = _held(comparison, "planted")
    assert len(held) >= 320
    bad = held[~(held["violation"] <= held["allowed"])]
    assert bad.empty, _report(bad)


def test_every_compared_row_is_classed_and_the_misfits_are_real_targets(comparison: pd.DataFrame) -> None:
    compared = comparison[comparison["status"] == "compared"]
    assert set(compared["class"]) == set(K.CLASSES)
    assert set(KNOWN_MISFITS) <= set(compared["id"])
    assert comparison.loc[comparison["id"].isin(list(KNOWN_MISFITS)), "class"].eq("recomputed").sum() == 1


def test_headline_is_the_recomputed_count(comparison: pd.DataFrame) -> None:
    text = K.summarize(comparison.drop(columns=["boot_se", "allowed", "violation"]))
    rec = comparison[(comparison["status"] == "compared") & (comparison["class"] == "recomputed")]
    assert text.splitlines()[0].startswith("Recomputed targets")
    assert f": {int(rec['within'].sum())} of {len(rec)} within tolerance" in text.splitlines()[0]


def test_io_rate_premium_weights_cohorts_by_size() -> None:
    """Hand-worked: cohort 2016 has 4 mortgages (interest-only at 3%, 3%; others 2%, 2%: difference 1.0),
    cohort 2017 has 2 (2% and 2%: difference 0.0); weighted by size (4 x 1.0 + 2 x 0.0) / 6 = 0.6667,
    where the plain mean of the cohorts' differences would be 0.5."""
    cohorts = pd.DataFrame({
        C.COHORT: [2016, 2016, 2016, 2016, 2017, 2017],
        C.INTEREST_ONLY_AMOUNT: [10_000.0, 5_000.0, 0.0, 0.0, 8_000.0, 0.0],
        C.INTEREST_RATE: [3.0, 3.0, 2.0, 2.0, 2.0, 2.0],
    })
    res = K.StudyResults(cohorts, pd.DataFrame(), pd.DataFrame(), scale=1.0)
    row = pd.Series({"cohort_year": "2012-2017"})
    assert R._io_rate_premium(res, row) == pytest.approx(4.0 / 6.0, rel=1e-12)


def test_comparison_frame_has_the_class_column_in_place(comparison: pd.DataFrame, tmp_path: Path) -> None:
    """comparison.csv is this frame written as CSV: the class column is in it, after status."""
    cols = list(K.COMPARISON_COLUMNS)
    assert cols.index("class") == cols.index("status") + 1
    path = tmp_path / "comparison.csv"
    comparison[cols].to_csv(path, index=False)
    back = pd.read_csv(path)
    assert back["class"].isin(K.CLASSES).all()
