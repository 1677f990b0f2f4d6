"""Fixtures shared by the interest-only study's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohorts.cli import main


#: The raised frequency minimum of :func:`strict_release`.
RAISED_MINIMUM = 95
#: The twin :func:`strict_release` runs on: scale 0.008, seed 20221 (made once, about 3 s).  Smaller than
#: the committed sample (0.01) so that the tree's smallest cells (about 80-130 households) straddle a
#: minimum that the sweep's rounding base (100, release.toml) still allows.
STRICT_SCALE, STRICT_SEED = 0.008, 20221


@pytest.fixture(scope="session")
def raised_minimum() -> int:
    """:data:`RAISED_MINIMUM`, for the tests that check what :func:`strict_release` hides."""
    return RAISED_MINIMUM


@pytest.fixture(scope="session")
def strict_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The twin at :data:`STRICT_SCALE`, :data:`STRICT_SEED` (raw files, made once)."""
    from cohorts.synth import write_synthetic

    out = tmp_path_factory.mktemp("strict_twin") / "data"
    write_synthetic(out, scale=STRICT_SCALE, seed=STRICT_SEED)
    return out


@pytest.fixture(scope="session")
def strict_release(strict_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cohorts refinance`` on :func:`strict_data` with the frequency minimum raised to
    :data:`RAISED_MINIMUM` (made once): the gate then hides cells of ``tree.csv`` and the other files,
    which the attacker tests read."""
    root = tmp_path_factory.mktemp("refi_raised")
    rules = root / "rules.toml"
    rules.write_text(f"[frequency]\nmin_units = {RAISED_MINIMUM}\n")
    out = root / "out"
    with pytest.warns(Warning):
        assert main(["refinance", "--data", str(strict_data), "--out", str(out), "--disclosure-rules", str(rules),
                     "--quiet"]) == 0
    return out
