"""Shared fixtures: the hand-built tiny panel of ``tiny_panel.py``; the small synthetic sample.

The sample ``data_synthetic/`` (folder, scale and seed in ``sample.py``) is generated, not committed:
``make test`` re-makes it whenever the generator changes, and a session started without it (``pytest``
run directly on a fresh checkout) makes it first.  ``tests/synth/test_sample.py`` fails on a sample
that a changed generator no longer makes.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sample import SAMPLE, SAMPLE_SCALE, SAMPLE_SEED
from tiny_panel import tiny_cbs, tiny_key, tiny_lld


def pytest_sessionstart(session: pytest.Session) -> None:
    """Generate the small sample if it is missing (a few seconds)."""
    from cohorts.synth import write_synthetic
    from cohorts.synth.write import MANIFEST_FILE

    if not (SAMPLE / MANIFEST_FILE).is_file():
        write_synthetic(SAMPLE, scale=SAMPLE_SCALE, seed=SAMPLE_SEED)


@pytest.fixture
def tiny_raw() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(lld, cbs, key) of the hand-built panel described in the module docstring."""
    return tiny_lld(), tiny_cbs(), tiny_key()
