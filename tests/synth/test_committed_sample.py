"""Regression check: the committed sample ``data_synthetic/`` is what ``make data`` makes.

``make data`` runs ``cohorts synth --scale 0.01 --seed 20221 --out data_synthetic``; a fresh run into a
temporary folder must give the same bytes for every file the manifest lists, so a change to the generator
that forgets to re-make the sample fails here.  The two fields whose last bits differ between processors'
maths libraries are written rounded (checked below on the committed file itself).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.synth import write_synthetic
from cohorts.synth.panel import LAST_BITS_DECIMALS
from cohorts.synth.write import MANIFEST_FILE

SAMPLE = Path(__file__).resolve().parents[2] / "data_synthetic"


def _hashes(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in (entry["name"] for entry in manifest["files"])}


def test_make_data_remakes_the_committed_sample(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "fresh", scale=0.01, seed=20221)
    committed = _hashes(SAMPLE)
    assert committed == _hashes(tmp_path / "fresh")
    assert (SAMPLE / MANIFEST_FILE).read_bytes() == (tmp_path / "fresh" / MANIFEST_FILE).read_bytes()


def test_processor_dependent_fields_are_written_rounded() -> None:
    parts = pd.read_parquet(SAMPLE / "lld_loan_parts.parquet", columns=[C.CURRENT_LTV, C.INTEREST_RATE])
    for column in (C.CURRENT_LTV, C.INTEREST_RATE):
        values = parts[column].dropna().to_numpy()
        np.testing.assert_array_equal(values, np.round(values, LAST_BITS_DECIMALS), err_msg=column)
