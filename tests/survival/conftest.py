"""Shared fixtures of the survival tests: the stored R references and their inputs.

Plots are drawn headless (Agg backend); the reference files are read from
``tests/reference`` (made by ``make_data.py`` and ``make_reference.R`` there).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="session")
def ref_dir() -> Path:
    return REFERENCE


@pytest.fixture(scope="session")
def study() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "study.csv")


@pytest.fixture(scope="session")
def rossi() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "rossi.csv")


@pytest.fixture(scope="session")
def toy() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "toy.csv")


@pytest.fixture(scope="session")
def expected():
    """Reader of ``expected_<name>.csv`` (cached per session)."""
    cache: dict[str, pd.DataFrame] = {}

    def read(name: str) -> pd.DataFrame:
        if name not in cache:
            cache[name] = pd.read_csv(REFERENCE / f"expected_{name}.csv")
        return cache[name]

    return read


@pytest.fixture
def cohort_table() -> pd.DataFrame:
    """A small synthetic cohort table (seeded) with the study's columns."""
    return make_cohort_table(1500)


def make_cohort_table(n: int) -> pd.DataFrame:
    """The first ``n`` rows of the stored study data as a cohort table (seeded utilisations)."""
    import numpy as np

    from cohorts import columns as C

    rng = np.random.default_rng(7)
    frame = pd.read_csv(REFERENCE / "study.csv").iloc[:n]
    util = np.where(frame["high"] == 1, rng.uniform(1.0, 1.4, n), rng.uniform(0.5, 1.0, n))
    util[:3] = np.inf
    return pd.DataFrame(
        {
            C.DURATION: frame["duration"].to_numpy(),
            C.EVENT: frame["event"].astype(bool).to_numpy(),
            C.EXIT_TYPE: frame["exit_type"].to_numpy(),
            C.COHORT: frame["cohort"].to_numpy(),
            C.STARTER: frame["starter"].astype(bool).to_numpy(),
            C.NHG: frame["nhg"].astype(bool).to_numpy(),
            C.LTI_UTIL: util,
            C.HIGH: np.zeros(n, dtype=bool),  # deliberately wrong: sweep must recompute it
        }
    )
