"""Secondary suppression over a whole run: hide more until the attacker finds nothing.

The primary rules (:mod:`cohorts.disclosure.checks`,
:mod:`cohorts.disclosure.survival`) look at one cell at a time.  What a run
releases as a whole is then attacked (:mod:`cohorts.disclosure.audit`) as an
outside reader of every released file would: margins within and across files,
shares beside counts, nested populations, survival steps.  For every exposed
target the audit names the released facts that pin it down (the non-zero
duals of its bounding programmes); one of them is hidden, and the run is
released and attacked again, until no target is exposed:

* a fact stated by several cells (a count in Tabel B3 and as ``n`` in other
  tables) disappears only when every cell stating it is hidden, so they go
  together;
* among the candidates, the fact stated by the fewest cells is hidden first,
  then the smallest (the least information lost: the classic choice of the
  smallest cell of a row), then the first in file and cell order;
* a survival curve's step is hidden by pooling it into the next step, its
  number at risk by cutting the curve from there.

This is a greedy heuristic, as the modular and hypercube methods of τ-ARGUS
are; it need not find the smallest suppression pattern, but what it releases
passes the audit.  Every secondary decision is logged with the target it
protects.  Facts of earlier releases (``prior``) are part of the attack but
cannot be hidden; a target that only they expose is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from cohorts.disclosure.audit import Audit, Bound, attack, stays_safe
from cohorts.disclosure.checks import Checked, Extra, publishable
from cohorts.disclosure.facts import Fact, Reading, Source, Universe, combine
from cohorts.disclosure.rules import DisclosureError, Rules

Reader = Callable[[Mapping[str, pd.DataFrame]], Mapping[str, Reading]]
#: Further decisions beyond the linear audit: released frames -> ``(artefact, cell, action) -> reason``.
CrossCheck = Callable[[Mapping[str, pd.DataFrame]], Mapping[tuple[str, str, str], str]]


@dataclass(frozen=True)
class Release:
    """One artefact of a run: its file name and how to release it given the secondary decisions.

    ``make(extra)`` applies the primary rules and the decisions ``extra``
    (``(cell label, action) -> what it protects``) and returns the
    :class:`~cohorts.disclosure.checks.Checked` frame.  ``priority``: among
    candidates that protect equally many targets, cells of artefacts with a
    lower priority are hidden first.
    """

    name: str
    make: Callable[[Extra], Checked]
    #: How much the release is worth keeping: secondary suppression hides cells of lower-priority
    #: artefacts first (e.g. the per-cohort sensitivity views before the headline curves).
    priority: int = 1
    #: Cell label -> its priority where it differs from the artefact's (None: the artefact's), e.g. the
    #: points a figure draws, worth more than the rows of its data file it does not draw.
    cell_priority: Callable[[str], int | None] | None = None

    def worth(self, cell: str) -> int:
        """The priority of one cell of this release (``cell_priority``, else ``priority``)."""
        found = self.cell_priority(cell) if self.cell_priority is not None else None
        return self.priority if found is None else found


@dataclass(frozen=True)
class Protected:
    """A run's release after secondary suppression.

    Attributes
    ----------
    checked : dict of str to Checked
        File name -> the released frame and its log (secondary decisions included).
    audit : Audit
        The final audit (no target exposed).
    decisions : dict
        File name -> the secondary decisions, ``(cell, action) -> what it protects``.
    rounds : int
        How many times the run was attacked.
    """

    checked: dict[str, Checked]
    audit: Audit
    decisions: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)
    rounds: int = 1


def _key(fact: Fact) -> tuple:
    return (tuple(sorted((t.family, t.population, round(t.coef, 12)) for t in fact.terms)), round(fact.value, 6))


def _facts_by_source(readings: Mapping[str, Reading]) -> dict[Source, Fact]:
    return {f.source: f for r in readings.values() for f in r.facts}


def _curve_time(cell: str) -> tuple[str, float] | None:
    head, sep, tail = cell.rpartition("; time=")
    if not sep:
        return None
    try:
        return head, float(tail)
    except ValueError:
        return None


def _effect(group: Sequence[Source], facts: Mapping[Source, Fact], rows: Mapping[Source, int]
            ) -> tuple[list[int], list[tuple[int, int]]]:
    """What hiding a group of carriers does to the attacker's rows: rows dropped, and pairs of rows merged.

    ``cell``: every fact of the cell goes.  ``pool``: the run ending at the
    cell merges with the next released run of its curve (its row is added to
    that run's row), or goes if it is the last.  ``at_risk``: the curve is cut
    there, every fact of the curve from that time on goes.
    """
    relax: list[int] = []
    merge: list[tuple[int, int]] = []
    for src in group:
        if src.action == "cell":
            relax += [r for s, r in rows.items() if s.artefact == src.artefact and s.cell == src.cell]
            continue
        ct = _curve_time(src.cell)
        if ct is None:
            relax += [rows[src]] if src in rows else []
            continue
        curve, t = ct
        if src.action == "at_risk":
            for s, r in rows.items():
                st = _curve_time(s.cell) if s.artefact == src.artefact else None
                if st is not None and st[0] == curve and st[1] >= t:
                    relax.append(r)
            continue
        later = [(st[1], r) for s, r in rows.items() if s.artefact == src.artefact and s.what == src.what
                 and s.action == "pool" and (st := _curve_time(s.cell)) is not None and st[0] == curve and st[1] > t]
        if src in rows:
            merge.append((rows[src], min(later)[1])) if later else relax.append(rows[src])
    return relax, merge


def _choose(exposures: Sequence[Bound], facts: Mapping[Source, Fact], own: Mapping[str, Release],
            taken: Mapping[str, Mapping[tuple[str, str], str]], *, programmes: Mapping[str, object],
            rules: Rules, tries: int = 3) -> dict[tuple[str, str, str], str]:
    """Facts to hide so that the exposed targets are protected (module docstring).

    The exposures are taken one by one on the attacker's programme: a target
    that what was chosen before it already protects is skipped; for the
    others the candidates (the facts that pin it down, cheapest first) are
    tried until one leaves it unexposed (else the cheapest is taken), and the
    choice stays in the programme for the next ones.  Returns
    ``(artefact, cell, action) -> what it protects``.
    """
    carriers: dict[tuple, list[Source]] = {}
    for src, f in facts.items():
        if src.artefact in own:
            carriers.setdefault(_key(f), []).append(src)
    rows = {name: prog.fact_rows() for name, prog in programmes.items()}
    chosen: dict[tuple[str, str, str], str] = {}
    stuck: list[str] = []
    m, p = rules.min_units, rules.protection_level
    touched: dict[str, set[int]] = {name: set() for name in programmes}
    for b in exposures:
        prog = programmes[b.universe]
        pinned = {rows[b.universe][s] for s in b.certificate if s in rows[b.universe]}
        # while no row of its certificate changed, the duals still prove the same interval: still exposed
        if pinned & touched[b.universe] and not prog.is_exposed(b.index, min_units=m, protection=p):
            continue
        options = []
        for src in b.certificate:
            if src.artefact not in own or src not in facts:
                continue
            group = carriers.get(_key(facts[src]), [src])
            fresh = [s for s in group if (s.cell, s.action) not in taken.get(s.artefact, {})
                     and (s.artefact, s.cell, s.action) not in chosen]
            if not fresh:
                continue
            rank = {"cell": 0, "at_risk": 1, "pool": 2}.get(src.action, 3)
            worth = max(own[s.artefact].worth(s.cell) for s in group if s.artefact in own)
            cost = (len(group), worth, abs(facts[src].value), rank, src.artefact, src.cell, src.what)
            options.append((cost, fresh))
        if not options:
            stuck.append(f"{b.label} [{b.lo:g}, {b.hi:g}]")
            continue
        options.sort(key=lambda o: o[0])
        pick, effect = options[0][1], None
        for _, fresh in options[:tries]:
            relax, merge = _effect(fresh, facts, rows[b.universe])
            undo = prog.change(relax=relax, merge=merge)
            if not prog.is_exposed(b.index, min_units=m, protection=p):
                pick, effect = fresh, undo
                touched[b.universe].update([*relax, *(r for pair in merge for r in pair)])
                break
            prog.revert(undo)
        if effect is None:
            relax, merge = _effect(pick, facts, rows[b.universe])
            prog.change(relax=relax, merge=merge)
            touched[b.universe].update([*relax, *(r for pair in merge for r in pair)])
        why = f"{b.label} (else narrowed to [{b.lo:g}, {b.hi:g}])"
        for s in pick:
            chosen.setdefault((s.artefact, s.cell, s.action), why)
    if stuck and not chosen:
        raise DisclosureError({"audit": stuck}, head=(
            "disclosure control: the audit finds targets that no cell of this run can protect (earlier releases "
            "already pin them down, or the release contradicts its documented structure):"))
    return chosen


def protect(
    releases: Sequence[Release],
    *,
    read: Reader,
    universes: Mapping[str, Universe],
    rules: Rules,
    units: Mapping[str, pd.DataFrame] | None = None,
    prior: Mapping[str, Reading] | None = None,
    max_rounds: int = 60,
    per_file: bool = False,
    cross_check: CrossCheck | None = None,
    cleanup: bool = False,
) -> Protected:
    """Release every artefact of a run so that the audit finds no exposed target (module docstring).

    Parameters
    ----------
    releases : sequence of Release
        The artefacts of the run.
    read : callable
        File name -> published frame, to facts per universe (the release's codebook).
    universes : mapping
        The universes the codebook speaks of.
    rules : Rules
        ``min_units``, ``protection_level`` and the marker.
    units : mapping of universe name -> DataFrame, optional
        Unit-level data (the audit's witness; never released).
    prior : mapping of universe name -> Reading, optional
        Facts of earlier releases of the same data.
    max_rounds : int
        Safety stop.
    per_file : bool, default False
        ``read`` reads each file on its own (as
        :func:`cohorts.report.release.read_release` does): the facts of a file
        whose release did not change since the last round are not read again,
        and those of all files are combined in file order.
    cross_check : callable, optional
        Checks the linear audit cannot express: file name -> the round's
        released frame (:attr:`Checked.released`) to further decisions
        ``(artefact, cell, action) -> reason`` (e.g.
        :func:`cohorts.disclosure.survival.point_decisions`).  They are applied
        like the audit's, and the run is released only when both find nothing.
        A decision on a file that is not part of this run (an earlier release)
        is an error: it cannot be hidden any more.
    cleanup : bool, default False
        After the greedy rounds, try to release each secondary decision again,
        the last taken first: a cell is shown again when the run, attacked
        anew without it (and checked by ``cross_check``), still exposes
        nothing.  This removes suppressions that an earlier choice made
        useless, and with them hidden cells that the rest of the release pins
        down exactly (a suppressed number must not be recoverable even when it
        is large).  One attack per decision: meant for runs with few decisions.

    Raises
    ------
    DisclosureError
        When a target cannot be protected by hiding cells of this run.
    """
    own = {r.name: r for r in releases}
    extra: dict[str, dict[tuple[str, str], str]] = {r.name: {} for r in releases}
    cache: dict[str, tuple[tuple, Checked]] = {}
    safe: frozenset[tuple[str, str, str, str]] = frozenset()
    programmes: dict = {}
    read_cache: dict[str, tuple[Checked, Mapping[str, Reading]]] = {}
    for round_no in range(1, max_rounds + 1):
        checked = {}
        for r in releases:
            sig = tuple(sorted(extra[r.name].items()))
            hit = cache.get(r.name)
            if hit is None or hit[0] != sig:
                hit = (sig, r.make(extra[r.name]))
                cache[r.name] = hit
            checked[r.name] = hit[1]
        readings = _read(checked, read=read, marker=rules.marker, per_file=per_file, cache=read_cache)
        for name, rd in (prior or {}).items():
            readings[name] = combine([rd, readings.get(name, Reading())])
        kept: dict = {}
        audit = attack(readings, universes, min_units=rules.min_units, protection=rules.protection_level,
                       units=units, certificates=True, known_safe=safe, cache=programmes, keep=kept)
        # hiding more only widens intervals: a target safe because its interval is wide enough (or reaches
        # the safe level) stays safe in the next round; one safe because it is [0, 0] or above m may not
        safe = safe | {b.key for b in audit.bounds if not b.exposed and stays_safe(
            b.lo, b.hi, min_units=rules.min_units, protection=rules.protection_level)}
        more = _cross(cross_check, checked, extra)
        if not audit.exposures and not more:
            if cleanup:
                checked, audit = _clean_up(releases, extra, checked, audit, read=read, universes=universes,
                                           rules=rules, units=units, prior=prior, cross_check=cross_check)
            return Protected(checked, audit, {k: dict(v) for k, v in extra.items() if v}, round_no)
        chosen = _choose(audit.exposures, _facts_by_source(readings), own, extra, programmes=kept,
                         rules=rules) if audit.exposures else {}
        chosen = {**more, **chosen}
        for (artefact, cell, action), why in chosen.items():
            extra[artefact][(cell, action)] = why
    raise DisclosureError({"audit": [b.label for b in audit.exposures[:10]]}, head=(
        f"disclosure control: secondary suppression did not converge in {max_rounds} rounds"))


def _clean_up(releases: Sequence[Release], extra: dict[str, dict[tuple[str, str], str]],
              checked: dict[str, Checked], audit: Audit, *, read: Reader, universes: Mapping[str, Universe],
              rules: Rules, units: Mapping[str, pd.DataFrame] | None, prior: Mapping[str, Reading] | None,
              cross_check: CrossCheck | None) -> tuple[dict[str, Checked], Audit]:
    """Release again every secondary decision that the run no longer needs (``cleanup`` of :func:`protect`).

    ``extra`` is changed in place; returns the released frames and the audit of the final release.
    """
    by_name = {r.name: r for r in releases}
    taken = [(name, key) for name, decisions in extra.items() for key in decisions]
    for name, key in reversed(taken):
        trial = {n: (dict(d) if n != name else {k: v for k, v in d.items() if k != key}) for n, d in extra.items()}
        frames = {**checked, name: by_name[name].make(trial[name])}
        readings = _read(frames, read=read, marker=rules.marker, per_file=False, cache={})
        for universe, rd in (prior or {}).items():
            readings[universe] = combine([rd, readings.get(universe, Reading())])
        again = attack(readings, universes, min_units=rules.min_units, protection=rules.protection_level,
                       units=units)
        if again.exposures or _cross(cross_check, frames, trial):
            continue
        extra[name] = trial[name]
        checked, audit = frames, again
    return checked, audit


def _cross(cross_check: CrossCheck | None, checked: Mapping[str, Checked],
           extra: Mapping[str, Mapping[tuple[str, str], str]]) -> dict[tuple[str, str, str], str]:
    """The cross-check's decisions not yet taken (see :func:`protect`)."""
    if cross_check is None:
        return {}
    found = cross_check({name: c.released for name, c in checked.items()})
    outside = sorted({a for a, _, _ in found if a not in extra})
    if outside:
        raise DisclosureError({"cross-check": [f"{k[0]} {k[1]}: {v}" for k, v in found.items() if k[0] in outside]},
                              head="disclosure control: an earlier release would give away cells of this run:")
    return {k: v for k, v in found.items() if (k[1], k[2]) not in extra[k[0]]}


def _read(checked: Mapping[str, Checked], *, read: Reader, marker: str, per_file: bool,
          cache: dict[str, tuple[Checked, Mapping[str, Reading]]]) -> dict[str, Reading]:
    """The facts of a round's release, per universe (``per_file``: see :func:`protect`)."""
    if not per_file:
        return dict(read({name: publishable(c.released, marker=marker) for name, c in checked.items()}))
    per: list[Mapping[str, Reading]] = []
    for name, c in checked.items():
        hit = cache.get(name)
        if hit is None or hit[0] is not c:  # a release is remade only when its decisions change
            hit = (c, read({name: publishable(c.released, marker=marker)}))
            cache[name] = hit
        per.append(hit[1])
    universes = list(dict.fromkeys(u for r in per for u in r))
    return {u: combine([r[u] for r in per if u in r]) for u in universes}
