"""Where the raw inputs are and what their columns are called: the column-mapping TOML.

A data folder holds the three raw inputs (:data:`KINDS`), and for the interest-only
study two more CBS files (:data:`IO_KINDS`), under their default
names (:data:`DEFAULT_STEMS`); a real extract with other file or column names,
or its own codes, is described by a column-mapping TOML file (format in
:mod:`cohorts.io`), read by :func:`load_mapping` into a :class:`ColumnMapping`.
:func:`resolve_input` finds the file of one input.  Re-exported by :mod:`cohorts.io`.
"""

from __future__ import annotations

import datetime
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from cohorts import columns as C
from cohorts.errors import ConfigError
from cohorts.recode import parse_values

#: default file stems of the raw inputs in a data folder
DEFAULT_STEMS: Mapping[str, str] = MappingProxyType(
    {
        "lld": "lld_loan_parts",
        "cbs": "cbs_persons",
        "key": "key_table",
        "income_pension": "cbs_income_pension",
        "wealth_dwelling": "cbs_wealth_dwelling",
    }
)
KINDS = ("lld", "cbs", "key")
#: the interest-only study's two extra CBS inputs (2017); read only by that study, so
#: :func:`cohorts.raw.read_raw` and ``cohorts build`` still need just :data:`KINDS`
IO_KINDS = ("income_pension", "wealth_dwelling")
ALL_KINDS = KINDS + IO_KINDS
_CANONICAL = {
    "lld": C.LLD_COLUMNS,
    "cbs": C.CBS_COLUMNS,
    "key": C.KEY_COLUMNS,
    "income_pension": C.INCOME_PENSION_COLUMNS,
    "wealth_dwelling": C.WEALTH_DWELLING_COLUMNS,
}
#: earliest date accepted as ``perpetual_from`` (a far-future code, not a real maturity)
PERPETUAL_FROM_MIN = datetime.date(2050, 1, 1)


@dataclass(frozen=True)
class ColumnMapping:
    """File names and column renames for the three raw inputs.

    Attributes
    ----------
    files : Mapping[str, str]
        ``{"lld"|"cbs"|"key": file name}``, relative to the data folder or absolute.
    columns : Mapping[str, Mapping[str, str]]
        ``{kind: {canonical name: name in the extract}}``.
    source : str
        Where the mapping came from (a file path, or ``"default"``).
    values : Mapping[str, Mapping[str, Mapping[str, str]]]
        ``{kind: {canonical column: {code in the extract: canonical value}}}``
        (:mod:`cohorts.recode`).
    perpetual_from : datetime.date or None
        ``[lld] perpetual_from``: a lender that codes an interest-only part without a
        contractual end date ("geadministreerde perpetual", interest-only study, seed lines
        2757-2763) as a far-future maturity; every ``maturity_date`` on or after this date is
        read as missing (the canonical perpetual coding).  None (default): dates are kept.
    """

    files: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source: str = "default"
    values: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    perpetual_from: datetime.date | None = None

    def extract_name(self, kind: str, canonical: str) -> str:
        """The column name in the extract for a canonical column."""
        return self.columns.get(kind, {}).get(canonical, canonical)

    def to_dict(self) -> dict:
        """Plain-dict form, for manifests."""
        out = {"source": self.source, "files": dict(self.files), "columns": {k: dict(v) for k, v in self.columns.items()}}
        if self.values:
            out["values"] = {k: {c: dict(t) for c, t in v.items()} for k, v in self.values.items()}
        if self.perpetual_from is not None:
            out["perpetual_from"] = self.perpetual_from.isoformat()
        return out


def load_mapping(path: str | os.PathLike) -> ColumnMapping:
    """Read a column-mapping TOML file (format in the module docstring).

    Raises
    ------
    ConfigError
        If the file is not valid TOML, names an unknown table or an unknown
        canonical column, maps two canonical columns to one extract column, or
        has a values table that :func:`cohorts.recode.parse_values` refuses.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    files: dict[str, str] = {}
    cols: dict[str, dict[str, str]] = {}
    values: dict[str, dict[str, dict[str, str]]] = {}
    perpetual_from: datetime.date | None = None
    for kind, section in raw.items():
        if kind not in ALL_KINDS:
            raise ConfigError(f"{path}: unknown section [{kind}]; expected one of {', '.join(ALL_KINDS)}")
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [{kind}] must be a table")
        allowed = {"file", "columns", "values"} | ({"perpetual_from"} if kind == "lld" else set())
        unknown_keys = set(section) - allowed
        if unknown_keys:
            extra = ", 'perpetual_from'" if kind == "lld" else ""
            raise ConfigError(f"{path}: [{kind}] has unknown key(s) {sorted(unknown_keys)}; "
                              f"expected 'file'{extra}, [{kind}.columns] and [{kind}.values.<column>]")
        if "perpetual_from" in section:
            perpetual_from = _perpetual_from(section["perpetual_from"], path)
        if "file" in section:
            files[kind] = str(section["file"])
        mapping = section.get("columns", {})
        bad = sorted(set(mapping) - set(_CANONICAL[kind]))
        if bad:
            raise ConfigError(
                f"{path}: [{kind}.columns] names unknown canonical column(s) {bad}; "
                f"canonical columns are: {', '.join(_CANONICAL[kind])}"
            )
        targets = list(mapping.values())
        dupes = sorted({t for t in targets if targets.count(t) > 1})
        if dupes:
            raise ConfigError(f"{path}: [{kind}.columns] maps several columns to {dupes}")
        cols[kind] = {str(k): str(v) for k, v in mapping.items()}
        if "values" in section:
            values[kind] = parse_values(section["values"], kind=kind, source=str(path))
    return ColumnMapping(files=files, columns=cols, source=str(path), values=values, perpetual_from=perpetual_from)


def _perpetual_from(value: object, path: Path) -> datetime.date:
    """Check ``[lld] perpetual_from``: a date (TOML date or ISO text) on or after :data:`PERPETUAL_FROM_MIN`."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ConfigError(f"{path}: [lld] perpetual_from must be a date (YYYY-MM-DD), but was {value!r}") from None
    if not isinstance(value, datetime.date):
        raise ConfigError(f"{path}: [lld] perpetual_from must be a date (YYYY-MM-DD), but was {value!r}")
    if value < PERPETUAL_FROM_MIN:
        raise ConfigError(
            f"{path}: [lld] perpetual_from = {value.isoformat()} is before {PERPETUAL_FROM_MIN.isoformat()}: it would "
            "turn real maturities into perpetuals; give the far-future date the lender uses as its perpetual code"
        )
    return value


def resolve_input(data_dir: str | os.PathLike, kind: str, mapping: ColumnMapping | None = None) -> Path:
    """The path of one raw input: the mapping's file, else ``<stem>.parquet`` or ``<stem>.csv``."""
    data_dir = Path(data_dir)
    mapping = mapping or ColumnMapping()
    if kind in mapping.files:
        p = Path(mapping.files[kind])
        p = p if p.is_absolute() else data_dir / p
        if not p.exists():
            raise FileNotFoundError(f"{p}: {kind} input named in {mapping.source} does not exist")
        return p
    for ext in (".parquet", ".csv"):
        p = data_dir / f"{DEFAULT_STEMS[kind]}{ext}"
        if p.exists():
            return p
    raise FileNotFoundError(
        f"{data_dir}: no {kind} input found (expected {DEFAULT_STEMS[kind]}.parquet or .csv, "
        "or a 'file' entry in a column mapping)"
    )
