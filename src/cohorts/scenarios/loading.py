"""Reading and validating a scenarios file (TOML): :func:`load_scenarios`.

Part of :mod:`cohorts.scenarios` (the package docstring says what a scenario is; the schema is in
``docs/projection.md``); import the names from there.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cohorts.errors import ConfigError
from cohorts.scenarios.definition import (
    K_FLOOR_YEARS,
    K_GROWTH,
    K_INFLATION,
    K_RATE,
    K_RATE_CHANGE,
    K_REAL,
    K_RECOVERY_YEARS,
    K_SHOCK_YEARS,
    K_SOURCE,
    K_START_YEAR,
    K_START_YEARS,
    K_TIMED_BY,
    K_TREND,
    PARAMETERS,
    SHOCK_KEYS,
    SHOCK_REQUIRED,
    TIMED_BY,
    TREND_KEYS,
    TREND_REQUIRED,
    _REAL_TOLERANCE,
    Scenario,
)


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


class _Problems:
    """Collects every broken rule of a file, so that one error lists them all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, block: str, key: str, rule: str, got: object = None) -> None:
        where = f"[{block}] {key}" if key else f"[{block}]"
        tail = f" (got {got!r})" if got is not None else ""
        self.items.append(f"{where}: {rule}{tail}")

    def raise_if_any(self) -> None:
        if self.items:
            lines = [f"{self.path}: {len(self.items)} problem(s) in the scenarios file:"]
            lines += [f"  - {item}" for item in self.items]
            raise ConfigError("\n".join(lines))


def _param_table(block: dict[str, Any], name: str, key: str, problems: _Problems) -> dict[str, Any] | None:
    table = block.get(key)
    if not isinstance(table, dict):
        problems.add(name, key, f"must be a table with keys {list(PARAMETERS)}", table)
        return None
    unknown = sorted(set(table) - set(PARAMETERS))
    missing = [p for p in PARAMETERS if p not in table]
    for k in unknown:
        problems.add(name, f"{key}.{k}", f"unknown parameter; allowed: {list(PARAMETERS)}")
    for k in missing:
        problems.add(name, f"{key}.{k}", "missing (every parameter needs a value)")
    return table if not unknown and not missing else None


def _check_trend(name: str, block: dict[str, Any], problems: _Problems) -> dict[str, Any] | None:
    ok = True
    growth = _param_table(block, name, K_GROWTH, problems)
    if growth is None:
        ok = False
    else:
        for p in PARAMETERS:
            if not _is_number(growth[p]):
                problems.add(name, f"{K_GROWTH}.{p}", "must be a number (percent per year)", growth[p])
                ok = False
    if not _is_number(block.get(K_RATE)):
        problems.add(name, K_RATE, "must be a number (percent)", block.get(K_RATE))
        ok = False
    inflation = block.get(K_INFLATION)
    if inflation is not None and not _is_number(inflation):
        problems.add(name, K_INFLATION, "must be a number (percent per year)", inflation)
        ok = False
    real = None
    if K_REAL in block:
        if inflation is None:
            problems.add(name, K_REAL, f"needs '{K_INFLATION}' (nominal = real + inflation)")
            ok = False
        real = _param_table(block, name, K_REAL, problems)
        if real is None:
            ok = False
        else:
            for p in PARAMETERS:
                if not _is_number(real[p]):
                    problems.add(name, f"{K_REAL}.{p}", "must be a number (percent per year)", real[p])
                    ok = False
        if ok and real is not None and growth is not None:
            for p in PARAMETERS:
                implied = float(real[p]) + float(inflation)
                if abs(implied - float(growth[p])) > _REAL_TOLERANCE:
                    problems.add(
                        name,
                        f"{K_GROWTH}.{p}",
                        f"must equal real + inflation = {real[p]} + {inflation} = {implied:g} (additive, A32)",
                        growth[p],
                    )
                    ok = False
    if not ok:
        return None
    return {
        "trend_growth": {p: float(growth[p]) / 100 for p in PARAMETERS},
        "trend_rate": float(block[K_RATE]) / 100,
        "inflation": None if inflation is None else float(inflation) / 100,
        "real_growth": None if real is None else {p: float(real[p]) / 100 for p in PARAMETERS},
    }


def _check_path(
    name: str, key: str, values: object, n: int | None, problems: _Problems
) -> tuple[float, ...] | None:
    if not isinstance(values, list):
        problems.add(name, key, "must be a list with one number (percent) per shock year", values)
        return None
    ok = True
    if n is not None and len(values) != n:
        problems.add(name, key, f"needs one entry per shock year: {n} entries, not {len(values)}")
        ok = False
    for i, v in enumerate(values):
        if not _is_number(v):
            problems.add(name, f"{key}[{i}]", "must be a number (percent)", v)
            ok = False
    return tuple(float(v) / 100 for v in values) if ok else None


def _check_shock(name: str, block: dict[str, Any], problems: _Problems) -> dict[str, Any] | None:
    ok = True
    n = block.get(K_SHOCK_YEARS)
    if not (_is_int(n) and n >= 1):
        problems.add(name, K_SHOCK_YEARS, "must be a whole number >= 1", n)
        ok, n = False, None
    growth = _param_table(block, name, K_GROWTH, problems)
    shock_growth: dict[str, tuple[float, ...]] = {}
    if growth is None:
        ok = False
    else:
        for p in PARAMETERS:
            path = _check_path(name, f"{K_GROWTH}.{p}", growth[p], n, problems)
            if path is None:
                ok = False
            else:
                shock_growth[p] = path
    rate_change: tuple[float, ...] = ()
    if K_RATE_CHANGE in block:
        path = _check_path(name, K_RATE_CHANGE, block[K_RATE_CHANGE], n, problems)
        if path is None:
            ok = False
        else:
            rate_change = path
    recovery = block.get(K_RECOVERY_YEARS)
    if not (_is_int(recovery) and recovery >= 1):
        problems.add(name, K_RECOVERY_YEARS, "must be a whole number >= 1", recovery)
        ok = False
    floor = block.get(K_FLOOR_YEARS, 0)
    if not (_is_int(floor) and floor >= 0):
        problems.add(name, K_FLOOR_YEARS, "must be a whole number >= 0", floor)
        ok = False
    years = block.get(K_START_YEARS)
    if not (isinstance(years, list) and len(years) == 2 and all(_is_int(y) for y in years) and years[0] <= years[1]):
        problems.add(name, K_START_YEARS, "must be [first, last], two whole years with first <= last", years)
        ok, years = False, None
    start = block.get(K_START_YEAR)
    if not _is_int(start):
        problems.add(name, K_START_YEAR, "must be a whole year", start)
        ok = False
    elif years is not None and not (years[0] <= start <= years[1]):
        problems.add(name, K_START_YEAR, f"must lie in {K_START_YEARS} = {years}", start)
        ok = False
    timed_by = block.get(K_TIMED_BY, "outcome")
    if timed_by not in TIMED_BY:
        problems.add(name, K_TIMED_BY, f"must be one of {list(TIMED_BY)}", timed_by)
        ok = False
    elif timed_by == "floor" and _is_int(floor) and floor == 0:
        problems.add(name, K_TIMED_BY, f"'floor' needs {K_FLOOR_YEARS} >= 1 (a path without a floor)", timed_by)
        ok = False
    if not ok:
        return None
    return {
        "shock_years": n,
        "shock_growth": shock_growth,
        "rate_change": rate_change or (0.0,) * n,
        "recovery_years": recovery,
        "floor_years": floor,
        "start_year": start,
        "start_year_range": (years[0], years[1]),
        "timed_by": timed_by,
    }


def load_scenarios(path: str | Path) -> Mapping[str, Scenario]:
    """Read and validate a scenarios file.

    Parameters
    ----------
    path : str or pathlib.Path
        A TOML file with one table per scenario (schema: module docstring and
        ``docs/projection.md``).  Growth rates and rates are in percent as printed in the source.

    Returns
    -------
    Mapping[str, Scenario]
        Read-only mapping from block name to :class:`Scenario`, in file order.

    Raises
    ------
    cohorts.errors.ConfigError
        (a ``ValueError``) if the file cannot be read or parsed, or breaks any rule: an unknown or
        missing key, a non-numeric value, a shock path whose length differs from ``shock_years``,
        a ``start_year`` outside ``start_years``, a shock block whose ``trend`` is not a trend block
        of the file, a trend block whose nominal growth is not real + inflation.  Every problem is
        listed, each naming the file, the block and the key; nothing is returned half-loaded.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: scenarios file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as TOML: {exc}") from None

    problems = _Problems(path)
    if not raw:
        problems.add("<file>", "", "holds no scenario block")
    checked: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, block in raw.items():
        if not isinstance(block, dict):
            problems.add(name, "", "top-level keys must be scenario blocks ([name] tables)", block)
            continue
        is_shock = K_TREND in block
        allowed, required = (SHOCK_KEYS, SHOCK_REQUIRED) if is_shock else (TREND_KEYS, TREND_REQUIRED)
        kind = "shock" if is_shock else "trend"
        for key in block:
            if key not in allowed:
                problems.add(name, key, f"unknown key for a {kind} block; allowed: {list(allowed)}")
        for key in required:
            if key not in block:
                problems.add(name, key, f"missing (required in a {kind} block)")
        source = block.get(K_SOURCE)
        if K_SOURCE in block and not (isinstance(source, str) and source.strip()):
            problems.add(name, K_SOURCE, "must be a non-empty string naming where the numbers come from", source)
        if any(key not in block for key in required):
            continue
        fields = _check_shock(name, block, problems) if is_shock else _check_trend(name, block, problems)
        if fields is not None:
            checked[name] = (kind, fields)

    for name, block in raw.items():
        if isinstance(block, dict) and K_TREND in block:
            ref = block[K_TREND]
            if not (isinstance(ref, str) and isinstance(raw.get(ref), dict) and K_TREND not in raw[ref]):
                problems.add(name, K_TREND, "must name a trend block of this file", ref)
    problems.raise_if_any()

    out: dict[str, Scenario] = {}
    for name, (kind, fields) in checked.items():
        if kind == "trend":
            out[name] = Scenario(name=name, source=raw[name][K_SOURCE], trend_name=name, **fields)
        else:
            trend_name = raw[name][K_TREND]
            trend = checked[trend_name][1]
            out[name] = Scenario(
                name=name,
                source=raw[name][K_SOURCE],
                trend_name=trend_name,
                trend_growth=trend["trend_growth"],
                trend_rate=trend["trend_rate"],
                real_growth=trend["real_growth"],
                inflation=trend["inflation"],
                **fields,
            )
    return MappingProxyType(out)
