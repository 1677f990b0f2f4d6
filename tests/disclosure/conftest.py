"""Fixtures of the disclosure tests: a seeded cohort table and the tiny raw panel on disk."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.io import write_parquet

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="session")
def analysis_cohorts() -> pd.DataFrame:
    """1,500 rows of the stored study sample with the columns ``cohorts analyze`` reads (seeded)."""
    rng = np.random.default_rng(11)
    frame = pd.read_csv(REFERENCE / "study.csv").iloc[:1500]
    n = len(frame)
    util = np.where(frame["high"] == 1, rng.uniform(1.0, 1.4, n), rng.uniform(0.5, 1.0, n))
    return pd.DataFrame({
        C.DURATION: frame["duration"].to_numpy(),
        C.EVENT: frame["event"].astype(bool).to_numpy(),
        C.EXIT_TYPE: frame["exit_type"].to_numpy(),
        C.COHORT: frame["cohort"].to_numpy(),
        C.STARTER: frame["starter"].astype(bool).to_numpy(),
        C.NHG: frame["nhg"].astype(bool).to_numpy(),
        C.LTI_UTIL: util,
    })


@pytest.fixture
def raw_dir(tmp_path, tiny_raw) -> Path:
    lld, cbs, key = tiny_raw
    d = tmp_path / "raw"
    d.mkdir()
    write_parquet(lld, d / "lld_loan_parts.parquet")
    write_parquet(cbs, d / "cbs_persons.parquet")
    write_parquet(key, d / "key_table.parquet")
    return d


_RUNS: dict[tuple[float, int], Path] = {}


def _released_run(tmp_path_factory, scale: float, seed: int) -> Path:
    """``cohorts synth`` and ``cohorts reproduce`` at (scale, seed), once per test session; returns OUT.

    Shared by the attacker (test_attacker.py) and the planted leaks (test_audit.py). The gate is
    deterministic, so one run serves every module that attacks it.
    """
    key = (scale, seed)
    if key not in _RUNS:
        import warnings

        from cohorts.cli import main
        from cohorts.errors import NormTableFallbackWarning

        root = tmp_path_factory.mktemp(f"run-{scale}-{seed}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NormTableFallbackWarning)
            assert main(["synth", "--scale", str(scale), "--seed", str(seed), "--out", str(root / "data")]) == 0
            assert main(["reproduce", "--data", str(root / "data"), "--scale", str(scale), "--seed", str(seed),
                         "--out", str(root / "out"), "--quiet"]) == 0
        _RUNS[key] = root / "out"
    return _RUNS[key]


@pytest.fixture(scope="session")
def released_run(tmp_path_factory):
    """``released_run(scale, seed)`` -> the OUT folder of a synthetic run, made once per session."""
    return lambda scale, seed: _released_run(tmp_path_factory, scale, seed)
