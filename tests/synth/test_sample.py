"""Regression check: the small sample ``data_synthetic/`` the tests read is what ``make data`` makes.

``make data`` runs ``cohorts synth --scale 0.01 --seed 20221 --out data_synthetic`` (``make test`` and the
test session make it when it is missing or older than the generator; it is not committed).  A fresh run
into a temporary folder must give the same bytes for every file the manifest lists: the generator is
deterministic, and a sample left over from an older generator (``pytest`` run directly after a change)
fails here rather than feeding the other tests stale data.  Its manifest (file hashes, parameter hash,
version) is recorded in ``tests/synth/data/sample_manifest.json`` (``make data`` writes it): a sample made
on another machine, or by a generator changed without ``make data``, must match it byte for byte.  The two fields whose last bits differ between processors'
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
from sample import SAMPLE, SAMPLE_SCALE, SAMPLE_SEED

RECORDED = Path(__file__).resolve().parent / "data" / "sample_manifest.json"


def _hashes(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in (entry["name"] for entry in manifest["files"])}


def test_make_data_remakes_the_sample(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "fresh", scale=SAMPLE_SCALE, seed=SAMPLE_SEED)
    sample = _hashes(SAMPLE)
    assert sample == _hashes(tmp_path / "fresh"), "data_synthetic/ is not what the generator makes now: run `make data`"
    assert (SAMPLE / MANIFEST_FILE).read_bytes() == (tmp_path / "fresh" / MANIFEST_FILE).read_bytes()


def test_sample_matches_the_recorded_manifest() -> None:
    assert (SAMPLE / MANIFEST_FILE).read_bytes() == RECORDED.read_bytes(), (
        "data_synthetic/manifest.json differs from tests/synth/data/sample_manifest.json: a changed generator "
        "needs `make data` (which records the new manifest); otherwise the generator is not byte-stable here")


def test_processor_dependent_fields_are_written_rounded() -> None:
    parts = pd.read_parquet(SAMPLE / "lld_loan_parts.parquet", columns=[C.CURRENT_LTV, C.INTEREST_RATE])
    for column in (C.CURRENT_LTV, C.INTEREST_RATE):
        values = parts[column].dropna().to_numpy()
        np.testing.assert_array_equal(values, np.round(values, LAST_BITS_DECIMALS), err_msg=column)


def test_makefile_makes_the_sample_the_tests_read() -> None:
    """Property: the Makefile's SAMPLE_DIR / SAMPLE_SCALE / SAMPLE_SEED (``make data``, ``make test``) are
    the folder, scale and seed of ``tests/sample.py`` (the test session's own fallback)."""
    import re

    text = (SAMPLE.parent / "Makefile").read_text()
    values = dict(re.findall(r"^(SAMPLE_DIR|SAMPLE_SCALE|SAMPLE_SEED)\s*:=\s*(\S+)\s*$", text, flags=re.M))
    assert values == {"SAMPLE_DIR": SAMPLE.name, "SAMPLE_SCALE": str(SAMPLE_SCALE), "SAMPLE_SEED": str(SAMPLE_SEED)}
