"""Regression/property check: the parameter file loads, is frozen, and is checked."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from cohorts.errors import ConfigError
from cohorts.synth.params import default_params_path, load_params


def test_packaged_params_load_and_match_tabel_b3() -> None:
    p = load_params()
    assert p.population["new"] == (40442, 47877, 106900, 103776, 118291, 30433)  # Tabel B3 new
    assert p.population["stock"][0] == 905464
    assert len(p.sha256) == 64


def test_params_are_frozen() -> None:
    p = load_params()
    with pytest.raises(FrozenInstanceError):
        p.sha256 = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.rates["new"] = (1.0,)  # type: ignore[index]


def test_by_cohort_array_of_wrong_length_is_refused(tmp_path: Path) -> None:
    text = default_params_path().read_text(encoding="utf-8")
    bad = tmp_path / "params.toml"
    bad.write_text(text.replace("new = [4.89, 4.73, 4.15, 3.05, 2.59, 2.35]", "new = [4.89]"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[rates\] new must have 6 values"):
        load_params(bad)


def test_missing_block_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "params.toml"
    bad.write_text("[population]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing block"):
        load_params(bad)


def test_debt_score_is_the_normal_score_of_the_rank_within_the_group() -> None:
    """Rank r (1..m) among the m holders of debts in a group gets Phi^-1((r - 1/2) / m); no debts gets 0."""
    import numpy as np
    from scipy.stats import norm

    from cohorts.synth.households import _debt_score

    debts = np.array([0.0, 300.0, 100.0, 200.0, 50.0, 0.0, 70.0])
    group = np.array([1, 1, 1, 1, 2, 2, 2])
    score = _debt_score(debts, group)
    expected = np.array([0.0, norm.ppf(2.5 / 3), norm.ppf(0.5 / 3), norm.ppf(1.5 / 3), norm.ppf(0.25), 0.0, norm.ppf(0.75)])
    np.testing.assert_allclose(score, expected, rtol=0, atol=1e-12)
    assert np.all(_debt_score(np.zeros(4), np.zeros(4)) == 0)
