"""An audit of a whole release: one programme per universe, every bound, the exposed ones first.

:func:`attack` reads what a release tells about each universe, builds its
:class:`~cohorts.disclosure.audit.programme.Programme` (reusing what a
``cache`` holds), bounds every target and collects the bounds into an
:class:`Audit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from cohorts.disclosure.audit.exposure import Bound
from cohorts.disclosure.audit.programme import Programme
from cohorts.disclosure.facts import Reading, Universe


# --------------------------------------------------------------------------
# an audit of a whole release
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Audit:
    """The result of attacking one release: every bound, the exposed ones first.

    Attributes
    ----------
    bounds : tuple of Bound
    n_facts, n_targets : int
    """

    bounds: tuple[Bound, ...]
    n_facts: int
    n_targets: int

    @property
    def exposures(self) -> list[Bound]:
        """The exposed targets."""
        return [b for b in self.bounds if b.exposed]

    def table(self) -> pd.DataFrame:
        """One row per bounded target: ``label, kind, lo, hi, exposed, certified, artefact``."""
        return pd.DataFrame([{"label": b.label, "kind": b.kind, "lo": b.lo, "hi": b.hi, "exposed": b.exposed,
                              "certified": b.certified,
                              "artefact": b.source.artefact if b.source is not None else ""} for b in self.bounds],
                            columns=["label", "kind", "lo", "hi", "exposed", "certified", "artefact"])


def attack(readings: Mapping[str, Reading] | Reading, universes: Mapping[str, Universe], *, min_units: int,
           protection: float, units: Mapping[str, pd.DataFrame] | None = None, certificates: bool = False,
           differences: bool = True, known_safe: frozenset[tuple[str, str, str, str]] = frozenset(),
           cache: dict | None = None, keep: dict | None = None) -> Audit:
    """Bound every hidden cell and every difference population of a release (module docstring).

    Parameters
    ----------
    readings : Reading or mapping of universe name -> Reading
        What the release tells, per universe (a single Reading when there is one universe).
    universes : mapping of name -> Universe
    min_units : int
        The frequency threshold ``m``.
    protection : float
        Protection level as a fraction of ``m`` (1.0 = 100%).
    units : mapping of universe name -> DataFrame, optional
        Unit-level data per universe (see :meth:`Programme.counts`): the
        gate's witness, which speeds the audit up and changes no bound.
    certificates : bool
        Record the facts behind each exposure.
    differences : bool
        Also bound the difference populations.
    known_safe : frozenset of Bound.key
        See :meth:`Programme.bounds`.
    cache : dict, optional
        Keeps the parts of the programmes that depend only on which
        populations are spoken of, for repeated audits of a changing release.
    keep : dict, optional
        Receives the programme of each universe (for trials of secondary decisions).

    Returns
    -------
    Audit
    """
    if isinstance(readings, Reading):
        if len(universes) != 1:
            raise ValueError("a single Reading needs exactly one universe")
        readings = {next(iter(universes)): readings}
    bounds: list[Bound] = []
    n_facts = n_targets = 0
    for name, reading in readings.items():
        if name not in universes:
            raise ValueError(f"no universe {name!r}; known: {sorted(universes)}")
        if not reading.facts and not reading.targets:
            continue
        prog = Programme(universes[name], reading.facts, reading.targets, differences=differences, cache=cache)
        witnesses = [prog.counts(units[name])] if units is not None and name in units else []
        bounds.extend(prog.bounds(min_units=min_units, protection=protection, witnesses=witnesses,
                                  certificates=certificates, known_safe=known_safe))
        if keep is not None:
            keep[name] = prog
        n_facts += len(reading.facts)
        n_targets += len(prog.target_exprs)
    bounds.sort(key=lambda b: not b.exposed)
    return Audit(tuple(bounds), n_facts, n_targets)
