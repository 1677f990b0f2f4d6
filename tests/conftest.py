"""Shared fixtures: the hand-built tiny panel of ``tiny_panel.py``."""

from __future__ import annotations

import pandas as pd
import pytest

from tiny_panel import tiny_cbs, tiny_key, tiny_lld


@pytest.fixture
def tiny_raw() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(lld, cbs, key) of the hand-built panel described in the module docstring."""
    return tiny_lld(), tiny_cbs(), tiny_key()
