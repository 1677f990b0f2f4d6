"""When a feasibility interval exposes a count: the criterion, and the bound of one target.

:func:`exposed` is the rule of the module docstring of
:mod:`cohorts.disclosure.audit` (an interval that meets the small counts
``1 .. m-1`` and is narrower than ``p x m``); :func:`stays_safe`,
:func:`witnessed_safe` and :func:`safe_level` are the reasons for safety
that survive any widening of the interval, which let witnesses settle targets
without solving.  :class:`Bound` is the interval found for one target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cohorts.disclosure.facts import Source

_EPS = 1e-6


@dataclass(frozen=True)
class Bound:
    """The feasibility interval of one target.

    Attributes
    ----------
    label : str
        What is bounded (the hidden cell, or the difference population).
    kind : str
        ``"count"`` or ``"complement"`` (a hidden cell); ``"difference"`` or
        ``"difference complement"``.
    lo, hi : float
        Smallest and largest value, rounded inward to whole units.  For a
        ``certified`` target they are the witnessed spread only (the true
        interval contains it).
    exposed : bool
        Whether the interval is narrower than the protection allows (module docstring).
    certified : bool
        Settled by witnesses, without solving for it.
    source : Source or None
        The hidden cell's source (None for difference populations).
    certificate : tuple of Source
        For exposed targets: the released facts that pin it down (non-zero
        duals of its bounding programmes), the candidates for secondary
        suppression.
    """

    label: str
    kind: str
    lo: float
    hi: float
    exposed: bool
    certified: bool = False
    source: Source | None = None
    certificate: tuple[Source, ...] = ()
    universe: str = ""
    index: int = -1

    @property
    def key(self) -> tuple[str, str, str, str]:
        """:func:`target_key` of this target (for ``known_safe``)."""
        return target_key(self.label, self.kind, self.source)


def target_key(label: str, kind: str, source: Source | None) -> tuple[str, str, str, str]:
    """What names one target across audits: its label and kind, and the file and column it is hidden in
    (labels repeat across files: Tabel T4 and T5 both have ``group=starters_high; cohort=2012``)."""
    return (label, kind, source.artefact if source is not None else "", source.what if source is not None else "")


def exposed(lo: float, hi: float, *, min_units: int, protection: float) -> bool:
    """Whether ``[lo, hi]`` pins a count down: it meets 1..m-1 and is narrower than ``protection x m``."""
    if hi < 1 or lo > min_units - 1:
        return False
    return (hi - lo) < protection * min_units - _EPS


def stays_safe(lo: float, hi: float, *, min_units: int, protection: float) -> bool:
    """Whether ``[lo, hi]`` is safe for a reason that holds for any wider interval (wide enough, or
    reaching the safe level); ``[0, 0]`` or an interval above ``m`` is safe but may not stay so."""
    return (hi - lo) >= protection * min_units - _EPS or hi >= safe_level(min_units=min_units,
                                                                           protection=protection) - _EPS


def witnessed_safe(wlo: np.ndarray, whi: np.ndarray, *, min_units: int, protection: float) -> np.ndarray:
    """Targets that feasible points alone prove safe: the smallest and largest value seen are ``wlo, whi``.

    Only reasons that hold for every interval containing ``[wlo, whi]``:
    the spread is at least ``protection x m`` wide, or the target reaches the
    safe level.  A target whose witnessed values are all at least ``m`` may
    still reach below ``m``, and must be solved.
    """
    level = safe_level(min_units=min_units, protection=protection)
    return (whi >= level - _EPS) | (whi - wlo >= protection * min_units - _EPS)


def safe_level(*, min_units: int, protection: float) -> float:
    """A target that can reach this value is not exposed, whatever its minimum."""
    return (min_units - 1) + protection * min_units
