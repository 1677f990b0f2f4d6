"""The rules of the export gate: thresholds as data, validated on load.

The packaged defaults are ``cohorts/data/disclosure.toml`` (documented in
``docs/disclosure.md``); a file given with ``--disclosure-rules`` overrides any
subset of its keys.  An unknown key, a value of the wrong type, a threshold
below 1, a share outside (0, 1] or a protection level outside (0, 100] is an
error that names the file and the key, raised before anything is computed or
written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from cohorts.errors import ConfigError

DEFAULT_RULES_FILE = "disclosure.toml"


class DisclosureError(ValueError):
    """Strict mode: artefacts needed suppression or were refused, so nothing was written.

    Attributes
    ----------
    reasons : dict of str to list of str
        Artefact -> the reasons (rule and cell), as in the message.
    """

    def __init__(self, reasons: Mapping[str, Sequence[str]], *, max_per_artefact: int = 5,
                 head: str | None = None):
        self.reasons = {k: list(v) for k, v in reasons.items()}
        head = head or (f"disclosure control (strict mode): {len(self.reasons)} artefact(s) need suppression or were "
                        "refused; nothing was written (see docs/disclosure.md; --no-strict writes them with "
                        "suppressed cells, and checker/disclosure_log.csv says why):")
        lines = [head]
        for name, why in self.reasons.items():
            more = f" (+{len(why) - max_per_artefact} more)" if len(why) > max_per_artefact else ""
            lines.append(f"  - {name}: " + "; ".join(why[:max_per_artefact]) + more)
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Rules:
    """The thresholds of the export gate (see ``cohorts/data/disclosure.toml`` for each one's meaning).

    Attributes
    ----------
    marker : str
        What a suppressed cell shows.
    strict_real, strict_synthetic : bool
        Default of strict mode on real and on synthetic data.
    min_units : int
        Frequency rule: units in a count cell and in a share's denominator.
    complement : bool
        Frequency rule also for the units without the property of a share.
    zero_allowed : bool
        Empty (0) cells and complements may be shown.
    magnitude_min_units : int
        Contributing units of a mean.
    dominance_1, dominance_2 : float
        Largest / two largest absolute contributions at most this share of the cell total.
    percentile_min_units : int
        Units behind a median or percentile.
    extremes_allowed : bool
        Whether minima and maxima may be released (default False: never).
    min_at_risk, min_events : int
        Survival curves: cut below ``min_at_risk`` at risk; steps of fewer than
        ``min_events`` events pooled.
    min_resid_df, min_events_per_param : int
        Models: residual degrees of freedom, events per estimated coefficient.
    protection_level : float
        The audit (:mod:`cohorts.disclosure.audit`): an attacker who reads
        everything a run releases may not narrow a hidden count (or a
        difference population) to an interval narrower than this share of
        ``min_units`` around a small number.  In percent in the TOML file
        (``[audit] protection_level = 100``), a fraction here.
    source : str
        Where the rules came from (``"package"`` or a file path).
    """

    marker: str = "x"
    strict_real: bool = True
    strict_synthetic: bool = False
    min_units: int = 10
    complement: bool = True
    zero_allowed: bool = True
    magnitude_min_units: int = 10
    dominance_1: float = 0.50
    dominance_2: float = 0.75
    percentile_min_units: int = 10
    extremes_allowed: bool = False
    min_at_risk: int = 10
    min_events: int = 10
    min_resid_df: int = 10
    min_events_per_param: int = 10
    protection_level: float = 1.0
    source: str = "package"

    def to_dict(self) -> dict:
        """Plain-dict form, for manifests."""
        return asdict(self)


# TOML (section, key) -> Rules field, type
_FIELDS: Mapping[tuple[str, str], tuple[str, type]] = {
    ("gate", "marker"): ("marker", str),
    ("gate", "strict_real"): ("strict_real", bool),
    ("gate", "strict_synthetic"): ("strict_synthetic", bool),
    ("frequency", "min_units"): ("min_units", int),
    ("frequency", "complement"): ("complement", bool),
    ("frequency", "zero_allowed"): ("zero_allowed", bool),
    ("magnitude", "min_units"): ("magnitude_min_units", int),
    ("magnitude", "dominance_1"): ("dominance_1", float),
    ("magnitude", "dominance_2"): ("dominance_2", float),
    ("percentile", "min_units"): ("percentile_min_units", int),
    ("extremes", "allowed"): ("extremes_allowed", bool),
    ("survival", "min_at_risk"): ("min_at_risk", int),
    ("survival", "min_events"): ("min_events", int),
    ("model", "min_resid_df"): ("min_resid_df", int),
    ("model", "min_events_per_param"): ("min_events_per_param", int),
    ("audit", "protection_level"): ("protection_level", float),
}
_PERCENT = {("audit", "protection_level")}


def _values_from_toml(raw: Mapping, source: str) -> dict:
    values: dict = {}
    for section, body in raw.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{section}] must be a table of rules, but was {body!r}")
        for key, value in body.items():
            if (section, key) not in _FIELDS:
                known = ", ".join(f"{s}.{k}" for s, k in _FIELDS)
                raise ConfigError(f"{source}: unknown disclosure rule {section}.{key}; known rules: {known}")
            name, typ = _FIELDS[(section, key)]
            ok = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
            if typ is float and isinstance(value, int) and not isinstance(value, bool):
                value, ok = float(value), True
            if not ok:
                raise ConfigError(f"{source}: {section}.{key} must be {typ.__name__}, but was {value!r}")
            if (section, key) in _PERCENT:
                if not 0 < value <= 100:
                    raise ConfigError(f"{source}: {section}.{key} is a percentage in (0, 100], but was {value!r}")
                value = value / 100.0
            elif typ is int and value < 1:
                raise ConfigError(f"{source}: {section}.{key} must be >= 1, but was {value!r}")
            elif typ is float and not 0 < value <= 1:
                raise ConfigError(f"{source}: {section}.{key} must be in (0, 1], but was {value!r}")
            values[name] = value
    return values


def load_rules(path: str | Path | None = None) -> Rules:
    """The disclosure rules: the packaged defaults, overridden by ``path`` when given.

    Parameters
    ----------
    path : path-like, optional
        A TOML file with any subset of the sections and keys of the packaged
        ``cohorts/data/disclosure.toml``.

    Returns
    -------
    Rules

    Raises
    ------
    ConfigError
        Invalid TOML, an unknown key, or a value of the wrong type or range
        (the message names the file and the key).
    FileNotFoundError
        If ``path`` does not exist.
    """
    text = resources.files("cohorts").joinpath("data", DEFAULT_RULES_FILE).read_text(encoding="utf-8")
    values = _values_from_toml(tomllib.loads(text), "package disclosure.toml")
    source = "package"
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"disclosure rules file not found: {path}")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        values.update(_values_from_toml(raw, str(path)))
        source = str(path)
    return Rules(**values, source=source)


def strict_default(*, synthetic: bool, rules: Rules) -> bool:
    """Strict mode unless overridden: ``rules.strict_synthetic`` on synthetic data, else ``rules.strict_real``."""
    return rules.strict_synthetic if synthetic else rules.strict_real
