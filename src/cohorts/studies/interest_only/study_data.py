"""Where the study's package data files are (``data/``, listed with their sources in ``data/SOURCES.md``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SCENARIOS_FILE = "scenarios.toml"
TARGETS_FILE = "io_refinancing_targets.csv"


def data_path(name: str) -> Path:
    """Path of the packaged data file ``name`` (raises ``FileNotFoundError`` if it is not shipped)."""
    path = Path(str(resources.files("cohorts.studies.interest_only").joinpath("data", name)))
    if not path.is_file():
        raise FileNotFoundError(f"the interest-only study ships no data file {name!r} (looked in {path.parent})")
    return path


def scenarios_path() -> Path:
    """The packaged scenarios file (read it with :func:`cohorts.scenarios.load_scenarios`)."""
    return data_path(SCENARIOS_FILE)
