"""What a release tells an attacker: linear facts about the counts of populations.

Every number a run releases that is a count, or implies one, is read as a
*fact*: a linear equation over the unknown counts of populations,

    sum_i  coef_i * count(family_i, population_i)  =  value,

for example "the new mortgages of 2012 with LTI utilisation above 100% number
96" (family ``units``), "41.6% of them have NHG" (family ``nhg``: count =
0.416 x 96), or "at time 3, 674 of the high group were at risk" (family
``at_risk[3]``).  A cell that was suppressed is a *target*: the attacker knows
it exists and which population it counts, not its value.

A :class:`Universe` says which populations exist: a population is a
conjunction of constraints on the universe's dimensions (categorical
dimensions such as the cohort year; numeric ones such as LTI utilisation,
constrained to intervals), and a :class:`Family` is one kind of count over
it (units; units with NHG; events at time t ...), with the structure an
attacker knows from the documentation: a family counts a subset of its
parent's units, a survival follow-up is a :class:`Chain` (the number at
risk at t+1 is at most those at risk at t minus the events at t).

Nothing here reads data: facts are read from what is released
(:mod:`cohorts.disclosure.audit` turns them into a linear programme).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: The family of unit counts, the root of every universe.
UNITS = "units"


@dataclass(frozen=True, order=True)
class Interval:
    """A numeric constraint: ``low < x <= high`` by default (closedness per side).

    ``Interval.above(c)`` is ``x > c``, ``Interval.at_least(c)`` is
    ``x >= c``, ``Interval.at_most(c)`` is ``x <= c``.
    """

    low: float = -math.inf
    high: float = math.inf
    low_closed: bool = False
    high_closed: bool = True

    @classmethod
    def above(cls, c: float) -> Interval:
        return cls(low=float(c), low_closed=False)

    @classmethod
    def at_least(cls, c: float) -> Interval:
        return cls(low=float(c), low_closed=True)

    @classmethod
    def at_most(cls, c: float) -> Interval:
        return cls(high=float(c), high_closed=True)

    @classmethod
    def below(cls, c: float) -> Interval:
        return cls(high=float(c), high_closed=False)

    def cuts(self) -> tuple[float, ...]:
        """The finite end points."""
        return tuple(x for x in (self.low, self.high) if math.isfinite(x))

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval."""
        lo_ok = x > self.low or (self.low_closed and x == self.low)
        hi_ok = x < self.high or (self.high_closed and x == self.high)
        return lo_ok and hi_ok

    def __str__(self) -> str:
        lo = "" if not math.isfinite(self.low) else f"{'>=' if self.low_closed else '>'}{self.low:g}"
        hi = "" if not math.isfinite(self.high) else f"{'<=' if self.high_closed else '<'}{self.high:g}"
        return " & ".join(x for x in (lo, hi) if x) or "any"


Constraint = frozenset | Interval


def _constraint_key(c: Constraint) -> tuple:
    if isinstance(c, Interval):
        return (0, c.low, c.high, c.low_closed, c.high_closed, ())
    return (1, 0.0, 0.0, False, False, tuple(sorted((type(v).__name__, repr(v)) for v in c)))


@dataclass(frozen=True)
class Population:
    """A conjunction of constraints on dimensions (unconstrained dimensions: any value).

    Build with :func:`population`: ``population(year=2012, new=True,
    lti=Interval.above(1.0))``.
    """

    items: tuple[tuple[str, Constraint], ...] = ()

    def sort_key(self) -> tuple:
        """A total order (sets compare by their sorted values, not by inclusion): sorting is reproducible."""
        return tuple((name, _constraint_key(c)) for name, c in self.items)

    def __lt__(self, other: Population) -> bool:
        return self.sort_key() < other.sort_key()

    def constraint(self, dim: str) -> Constraint | None:
        """The constraint on ``dim`` (None: unconstrained)."""
        for name, c in self.items:
            if name == dim:
                return c
        return None

    def __str__(self) -> str:
        parts = []
        for name, c in self.items:
            if isinstance(c, Interval):
                parts.append(f"{name} {c}")
            else:
                vals = sorted(c, key=str)
                parts.append(f"{name}={vals[0]}" if len(vals) == 1 else f"{name} in {{{', '.join(map(str, vals))}}}")
        return "; ".join(parts) or "all"


def population(**constraints: object) -> Population:
    """A :class:`Population` from keyword constraints.

    A value that is an :class:`Interval` constrains a numeric dimension; a
    set, list or tuple lists the allowed values of a categorical one; any
    other value is the one allowed value.  ``None`` leaves the dimension free.
    """
    items = []
    for name, value in sorted(constraints.items()):
        if value is None:
            continue
        if isinstance(value, Interval):
            items.append((name, value))
        elif isinstance(value, (set, frozenset, list, tuple)):
            items.append((name, frozenset(value)))
        else:
            items.append((name, frozenset([value])))
    return Population(tuple(items))


@dataclass(frozen=True)
class Term:
    """``coef x count(family, population)``."""

    family: str
    population: Population
    coef: float = 1.0


@dataclass(frozen=True)
class Source:
    """Where a fact or target comes from: a released file, a cell, and what the cell carries.

    ``action`` names what hiding it means to the gate (``"cell"``: the whole
    cell; ``"pool"``: pool a survival step into the next; ``"at_risk"``: the
    number at risk of a survival row).
    """

    artefact: str
    cell: str
    what: str
    action: str = "cell"


@dataclass(frozen=True)
class Fact:
    """A released linear equation ``sum(terms) = value``."""

    terms: tuple[Term, ...]
    value: float
    source: Source


@dataclass(frozen=True)
class Target:
    """A quantity whose value is not released: a suppressed cell (or its complement).

    ``kind`` is ``"count"`` (e.g. units of a hidden cell) or
    ``"complement"`` (the units of the cell's population without the
    property).
    """

    terms: tuple[Term, ...]
    source: Source
    kind: str = "count"


@dataclass(frozen=True)
class Reading:
    """What one released artefact tells: its facts and its hidden cells."""

    facts: tuple[Fact, ...] = ()
    targets: tuple[Target, ...] = ()

    def __add__(self, other: Reading) -> Reading:
        return Reading(self.facts + other.facts, self.targets + other.targets)


def combine(readings: Iterable[Reading]) -> Reading:
    """All facts and targets of several readings."""
    facts: list[Fact] = []
    targets: list[Target] = []
    for r in readings:
        facts.extend(r.facts)
        targets.extend(r.targets)
    return Reading(tuple(facts), tuple(targets))


def count_fact(family: str, pop: Population, value: float, source: Source) -> Fact:
    """The fact ``count(family, pop) = value``."""
    return Fact((Term(family, pop),), float(value), source)


def ratio_fact(family: str, pop: Population, denominator: tuple[str, Population], ratio: float,
               source: Source) -> Fact:
    """The fact ``count(family, pop) - ratio x count(denominator) = 0`` (a share whose counts are hidden)."""
    return Fact((Term(family, pop), Term(denominator[0], denominator[1], -float(ratio))), 0.0, source)


@dataclass(frozen=True)
class Dim:
    """A dimension of a universe: categorical (``values``) or numeric (``numeric=True``)."""

    name: str
    values: tuple = ()
    numeric: bool = False

    def __post_init__(self) -> None:
        if self.numeric == bool(self.values):
            raise ValueError(f"dimension {self.name!r}: give values for a categorical dimension, or numeric=True")


@dataclass(frozen=True)
class Family:
    """One kind of count over a universe.

    Attributes
    ----------
    name : str
    parent : str or None
        The family whose units this one counts a subset of (per atom:
        ``0 <= count <= parent count``); ``None`` only for :data:`UNITS`.
    exists : callable, optional
        ``exists(point) -> bool`` on a grid point (a dict of dimension ->
        value); where False the count is structurally zero (e.g. no one is at
        risk at time 7 in a cohort followed for two years).
    """

    name: str
    parent: str | None = UNITS
    exists: Callable[[Mapping[str, object]], bool] | None = None


@dataclass(frozen=True)
class Chain:
    """A follow-up in discrete times 1..T: families of the number at risk and the events at each time.

    Per atom: ``at_risk[1]`` equals the ``entry`` family's units;
    ``events[t] <= at_risk[t]``; ``at_risk[t+1] <= at_risk[t] - events[t]``
    (with ``censored``, the families of those leaving follow-up at t without
    an event: ``at_risk[t+1] = at_risk[t] - events[t] - censored[t]``, and at
    a unit's last time ``censored[t] = at_risk[t] - events[t]``); and, with
    ``total``, ``total = sum_t events[t]``.
    """

    at_risk: tuple[str, ...]
    events: tuple[str, ...]
    total: str | None = None
    entry: str = UNITS
    censored: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.at_risk) != len(self.events) or (self.censored is not None
                                                       and len(self.censored) != len(self.at_risk)):
            raise ValueError("a chain needs as many at-risk, event (and censoring) families")

    @property
    def families(self) -> tuple[str, ...]:
        return (*self.at_risk, *self.events, *(self.censored or ()), *((self.total,) if self.total else ()))


@dataclass(frozen=True)
class Universe:
    """The populations a release speaks of and what an attacker knows of their structure.

    Attributes
    ----------
    name : str
    dims : tuple of Dim
    families : tuple of Family
        Must include :data:`UNITS` (``parent=None``).
    chains : tuple of Chain
        Survival follow-ups (their families must be listed in ``families``).
    """

    name: str
    dims: tuple[Dim, ...]
    families: tuple[Family, ...]
    chains: tuple[Chain, ...] = ()
    _index: Mapping[str, Family] = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        index = {f.name: f for f in self.families}
        if UNITS not in index or index[UNITS].parent is not None:
            raise ValueError(f"universe {self.name!r} needs the family {UNITS!r} with parent None")
        for f in self.families:
            if f.parent is not None and f.parent not in index:
                raise ValueError(f"universe {self.name!r}: family {f.name!r} has unknown parent {f.parent!r}")
        for ch in self.chains:
            unknown = [n for n in ch.families if n not in index]
            if unknown:
                raise ValueError(f"universe {self.name!r}: chain families {unknown} are not declared")
        object.__setattr__(self, "_index", index)

    def family(self, name: str) -> Family:
        """The family called ``name``."""
        try:
            return self._index[name]
        except KeyError:
            raise ValueError(f"universe {self.name!r} has no family {name!r}; it has {sorted(self._index)}") \
                from None

    def dim(self, name: str) -> Dim:
        """The dimension called ``name``."""
        for d in self.dims:
            if d.name == name:
                return d
        raise ValueError(f"universe {self.name!r} has no dimension {name!r}; it has {[d.name for d in self.dims]}")

    def chain_of(self, family: str) -> Chain | None:
        """The chain a family belongs to, if any."""
        for ch in self.chains:
            if family in ch.families:
                return ch
        return None


def terms_populations(terms: Sequence[Term]) -> list[Population]:
    """The populations of some terms."""
    return [t.population for t in terms]
