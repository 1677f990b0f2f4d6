"""Fixtures shared by the interest-only study's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohorts.cli import main

SAMPLE = Path(__file__).resolve().parents[3] / "data_synthetic"


@pytest.fixture(scope="session")
def strict_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cohorts refinance`` on the committed sample with the frequency minimum raised to 95 (made once):
    the gate then hides cells of ``tree.csv`` and the other files, which the attacker tests read."""
    root = tmp_path_factory.mktemp("refi95")
    rules = root / "rules.toml"
    rules.write_text("[frequency]\nmin_units = 95\n")
    out = root / "out"
    with pytest.warns(Warning):
        assert main(["refinance", "--data", str(SAMPLE), "--out", str(out), "--disclosure-rules", str(rules),
                     "--quiet"]) == 0
    return out
