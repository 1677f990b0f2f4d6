"""Generator parameters: ``params.toml`` loaded into a frozen dataclass.

Every number the synthetic generator uses lives in
``cohorts/synth/params.toml`` (package data); each block of that file says which
published numbers of the AFM (2022) study it serves.  This module only reads and
checks the file.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from cohorts.columns import COHORT_YEARS
from cohorts.errors import ConfigError

PARAMS_FILE = "params.toml"

# Blocks whose listed keys must hold one value per cohort 2012..2017.
_BY_COHORT: dict[str, tuple[str, ...]] = {
    "population": ("new", "new_high", "starters", "starters_high", "stock"),
    "rates": ("new", "new_high", "starters", "starters_high", "fixed10_new", "fixed10_starters"),
    "ltv": ("new", "new_high", "starters", "starters_high", "limit", "top_new", "top_new_high", "top_starters", "top_starters_high",
            "size_correlation", "size_correlation_high"),
    "utilisation": ("within_scale_starters", "within_scale_others"),
    "income": ("new", "starters", "high_cohort_others", "high_cohort_starters"),
    "wealth": ("new", "new_high", "starters", "starters_high"),
    "consumer_credit": (
        "share_new", "share_new_high", "share_starters", "share_starters_high",
        "mean_new", "mean_new_high", "mean_starters", "mean_starters_high",
    ),
    "student_debt": ("share_new", "share_new_high", "share_starters", "share_starters_high"),
    "zzp": ("new", "new_high", "starters", "starters_high"),
    "nhg": ("new", "new_high", "starters", "starters_high", "stock_by_entry"),
    "interest_only": ("new", "new_high", "starters", "starters_high"),
    "arrears": ("cohort_first_factor",),
}


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class SynthParams:
    """All generator parameters, one read-only mapping per TOML block.

    Attributes
    ----------
    population, messiness, parts, rates, utilisation, ltv, income, age, wealth, \
consumer_credit, student_debt, zzp, nhg, interest_only, arrears, stock_loans, io_stock : Mapping
        The blocks of ``params.toml``; TOML arrays become tuples.
    sha256 : str
        Hex SHA-256 of the parameter file's bytes (recorded in the manifest).
    """

    population: Mapping[str, Any]
    messiness: Mapping[str, Any]
    parts: Mapping[str, Any]
    rates: Mapping[str, Any]
    utilisation: Mapping[str, Any]
    ltv: Mapping[str, Any]
    income: Mapping[str, Any]
    age: Mapping[str, Any]
    wealth: Mapping[str, Any]
    consumer_credit: Mapping[str, Any]
    student_debt: Mapping[str, Any]
    zzp: Mapping[str, Any]
    nhg: Mapping[str, Any]
    interest_only: Mapping[str, Any]
    arrears: Mapping[str, Any]
    stock_loans: Mapping[str, Any]
    io_stock: Mapping[str, Any]
    sha256: str


def default_params_path() -> Path:
    """Path of the packaged ``params.toml``."""
    return Path(str(resources.files("cohorts.synth").joinpath(PARAMS_FILE)))


def load_params(path: str | Path | None = None) -> SynthParams:
    """Read and check the generator parameters.

    Parameters
    ----------
    path : str or Path, optional
        A parameter file; default the packaged ``params.toml``.

    Returns
    -------
    SynthParams
        The frozen parameters.

    Raises
    ------
    ConfigError
        If the file is not valid TOML, lacks a block, or a by-cohort array does
        not have one value per cohort 2012..2017.
    """
    p = Path(path) if path is not None else default_params_path()
    raw_bytes = p.read_bytes()
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not a valid TOML file: {exc}") from exc
    names = [f.name for f in fields(SynthParams) if f.name != "sha256"]
    missing = [n for n in names if n not in raw]
    if missing:
        raise ConfigError(f"{p}: missing block(s) {missing}")
    n = len(COHORT_YEARS)
    for block, keys in _BY_COHORT.items():
        for key in keys:
            if key not in raw[block]:
                raise ConfigError(f"{p}: [{block}] lacks '{key}'")
            if len(raw[block][key]) != n:
                raise ConfigError(
                    f"{p}: [{block}] {key} must have {n} values (cohorts {COHORT_YEARS[0]}..{COHORT_YEARS[-1]}), "
                    f"but has {len(raw[block][key])}"
                )
    if tuple(raw["population"]["cohorts"]) != tuple(COHORT_YEARS):
        raise ConfigError(f"{p}: [population] cohorts must be {list(COHORT_YEARS)}")
    return SynthParams(
        **{name: _freeze(raw[name]) for name in names},
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
    )
