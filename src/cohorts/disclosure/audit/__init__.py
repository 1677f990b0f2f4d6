"""The attacker: how narrowly every hidden count can be pinned down from what was released.

Statistical offices audit a table with suppressed cells by computing, for each
hidden cell, the *feasibility interval*: the smallest and largest value it can
take given every released number and what is known of the table's structure
(cells are non-negative counts, parts add up to totals).  τ-ARGUS calls this
the audit; R's ``sdcTable`` computes it with ``attack()``.  Here the same is
done over everything a run releases, across files:

1. the released numbers are read as linear facts over the counts of
   populations (:mod:`cohorts.disclosure.facts`, :mod:`cohorts.disclosure.readers`);
2. the universe is cut into *atoms*, the coarsest pieces of which every
   released or hidden population is a union.  Each family has its own atoms
   (those of its own populations; the families of one survival chain share
   theirs); the unit counts are cut by every population of every family, so
   that "a family counts a subset of the units" holds atom by atom and the
   programme is exact;
3. the linear programme ``facts = values, counts >= 0`` with the structure of
   each :class:`~cohorts.disclosure.facts.Family` and
   :class:`~cohorts.disclosure.facts.Chain` is solved (HiGHS, through
   ``highspy``) for the minimum and maximum of every *target*:

   * each hidden cell, and the complement of each hidden share;
   * every *difference population* an attacker can form by adding and
     subtracting released counts of one family: the atoms of the family's
     own populations that lie in their linear span (non-starters as all
     minus starters, within-norm non-starters by inclusion-exclusion, one
     cohort as pooled minus leave-one-out, a band between two thresholds),
     with their complements, and the difference of each released population
     with every released population inside it that differs from it in one
     dimension only (starters vs all, a cohort vs all cohorts, a threshold vs
     the next);

4. a target is **exposed** when its interval ``[lo, hi]`` (rounded inward to
   whole units, as an attacker knows counts are integers) meets the small
   counts ``1 .. m-1`` and is narrower than the protection width ``p x m``
   (``m`` = ``Rules.min_units``, ``p`` = ``Rules.protection_level``).  With
   the defaults (m = 10, p = 100%) a count may not be narrowed to fewer than
   10 possible values around a small number: ``[0, 9]``, ``[4, 4]`` and
   ``[8, 15]`` are exposed; ``[0, 12]``, ``[3, 13]`` and ``[40, 45]`` (not
   small) are not.

The criterion uses only released information, so the gate
(:mod:`cohorts.disclosure.secondary`) and an outside attacker who reads the
released files agree on it.  Bounds are those of the continuous relaxation,
rounded inward; an integer attacker could in rare cases do better (the same
caveat applies to τ-ARGUS and ``sdcTable``).  Atoms that no sum or difference
of released counts isolates (a cell of two unrelated cross-classifications)
are bounded only through their margins and are not targets of their own.

Speed: every solution the solver visits is a feasible point, and a target
whose values over the feasible points seen so far already spread over
``p x m``, or reach ``m - 1 + p x m``, cannot be exposed.  Such *witnesses*
(the true counts when the gate supplies them, one programme that pushes every
target up at once, and each optimum found on the way) settle most targets;
the rest get their own pair of solves, warm-started from the previous basis.
Layout: :mod:`.grid` (the atoms), :mod:`.exposure` (the criterion and
:class:`Bound`), :mod:`.programme` (building the linear programme),
:mod:`.solve` (solving it), :mod:`.solver` (HiGHS), :mod:`.memo` (what
audits of one run share) and :mod:`.release` (:func:`attack`, :class:`Audit`).
"""


from cohorts.disclosure.audit.exposure import Bound, exposed, safe_level, stays_safe, target_key, witnessed_safe
from cohorts.disclosure.audit.programme import Programme
from cohorts.disclosure.audit.release import Audit, attack

__all__ = ["Audit", "Bound", "Programme", "attack", "exposed", "safe_level", "stays_safe", "target_key", "witnessed_safe"]
