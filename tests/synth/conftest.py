"""Shared fixtures of the synthetic-generator tests: one small panel per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cohorts.synth import write_synthetic
from cohorts.synth.write import CBS_FILE, KEY_FILE, LLD_FILE, TRUTH_FILE

SCALE = 0.002
SEED = 11


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A panel written at scale 0.002 with seed 11."""
    out = tmp_path_factory.mktemp("synth") / "panel"
    write_synthetic(out, scale=SCALE, seed=SEED)
    return out


@pytest.fixture(scope="session")
def tables(synth_dir: Path) -> dict[str, pd.DataFrame]:
    """The four parquet files, read back with pandas."""
    return {
        "lld": pd.read_parquet(synth_dir / LLD_FILE),
        "cbs": pd.read_parquet(synth_dir / CBS_FILE),
        "key": pd.read_parquet(synth_dir / KEY_FILE),
        "truth": pd.read_parquet(synth_dir / TRUTH_FILE),
    }
