"""The small synthetic sample the tests read: its folder, scale and seed, written once.

``data_synthetic/`` is generated, not committed: ``make test`` (and a pytest session, ``conftest.py``)
makes it when it is missing, ``make data`` re-makes it and records its manifest.  The Makefile's
``SAMPLE_SCALE`` / ``SAMPLE_SEED`` must equal these (``tests/synth/test_sample.py`` checks it).
"""

from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "data_synthetic"
SAMPLE_SCALE, SAMPLE_SEED = 0.01, 20221
