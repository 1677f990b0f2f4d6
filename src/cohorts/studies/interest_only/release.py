"""What ``cohorts refinance`` releases, its codebook for the attacker, and the population scaling.

Released files (all through the gate, :func:`gate_tree` / :func:`sweep_release`):

``tree.csv``
    Per scenario (at the start year run), the partition of the interest-only households by the
    outcome of the vulnerability tree (:data:`OUTCOMES`: the step at which a household leaves the
    tree, the forced sales split by residual debt), with the sample count ``n``, the ``share`` of
    all IO households (percent) and the ``population`` estimate (checklist H39: ``n`` x
    population / sample households, per scale on the synthetic twin, rounded to thousands).  The
    published nested groups (fail step 4 = outcomes 5-7, fail step 6 = outcome 7, residual debt)
    are sums of released cells, so they are not released apart.  Gate: the frequency rule per cell
    (a cell with 1-9 households is hidden with its share and population), then the run's audit
    (:func:`cohorts.disclosure.protect`) over :data:`UNIVERSE` hides further cells until no hidden
    count can be narrowed (the cells of a scenario sum to the released total).
``sweep.csv``
    Per scenario and start year, the numbers failing step 4, step 6 and left with residual debt,
    **rounded** to ``[sweep] rounding_base`` sample households (``data/release.toml``), and the
    shares and population estimates computed from the rounded counts, plus the worst start year.
    Two start years differ in which households a shock reaches; those differences are not
    populations an attacker can name, but their exact counts could still be small, so only rounded
    counts leave: any difference of two released numbers is then known only within an interval
    twice the rounding base wide (the base must be at least the gate's ``frequency.min_units``).
``perpetuals.csv``
    Per scenario, the households without a refinancing moment by their agility now and at their event
    year and by the affordability test there (F31-F33; :data:`PERPETUAL_GROUPS`), with ``n``, the
    ``share`` of the perpetual households (whose number is ``tree.csv``'s ``no_refinancing_moment``
    cell) and the ``population`` estimate.  Gate: the frequency rule per cell, then the audit over one
    universe per scenario whose units are that scenario's perpetual households (their total is read from
    ``tree.csv``), so a group and its complement, or a group and its part, cannot reveal a small count.
``sensitivity.csv`` (with ``--sensitivity``)
    Tabel 4 / Figuur 19: per parameter and value of the one-at-a-time grid, the number failing step 4,
    rounded like the sweep (each grid point classifies the same households anew; a rate and the next are
    nested populations, so only rounded counts leave), the share of all IO households from the rounded
    count and its change against the rounded baseline.
``by_year.csv``
    The study's Figuur 4: the households with a refinancing moment by the year their first interest-only
    part matures (years from 2060 pooled), rounded like the sweep (the years partition the households, so
    exact small years could be subtracted from the exact totals of ``tree.csv``); years whose households
    round to 0 are left out.  (Figuur 7, the risk by year, is ``risk_by_year.csv``: rounded counts, no
    shares, which would mislead for rounded small counts below the study's population.)
``selection.csv``
    The population's selection steps, pooled like the build's (:func:`cohorts.disclosure.release_selection`).
``prevalence.csv``, ``coverage.csv``, ``risk_by_year.csv``, ``perpetual_profile.csv`` (:mod:`.descriptives`)
    Figuren 1, 2, 7, 14: counts rounded like the sweep, medians under the percentile rule (units rounded).
    They state no exact count, so they add no fact to :func:`read_release`; what sums to what, for an
    attacker with intervals of half the base per rounded count: ``fully_io + partly_io`` and each
    profile group's total are ``tree.csv``'s total and ``no_refinancing_moment`` cells; per year of
    ``risk_by_year.csv`` ``forced_sale <= fail_annuity <= households`` (the households equal
    ``by_year.csv``'s), summed over the years the base scenario's step-4 cells (``io50`` to
    ``sale_residual_debt``) and step-6 cells (``sale_*``); the ``mortgages`` panel is the selection
    step's ``rows_in`` / ``rows_out``.  ``test_io_descriptives.py`` attacks the tree's hidden cells with
    these intervals (a linear programme).  ``method_tables.csv`` (Tables 1, 2, 3, 5) holds parameters only.
"""

from __future__ import annotations

import io
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from cohorts.disclosure import readers as R
from cohorts.disclosure.facts import UNITS, Dim, Family, Reading, Universe, combine, population
from cohorts.disclosure.rules import Rules
from cohorts.errors import ConfigError

from . import columns as IO

#: Outcome categories of ``tree.csv``: a partition of the IO households (step of tree.STEPS; 7 split).
OUTCOMES: tuple[str, ...] = (
    "no_refinancing_moment",  # step 1
    "repays_from_wealth",  # step 2
    "annuity",  # step 3
    "annuity_after_wealth",  # step 4
    "io50",  # step 5 (fails step 4)
    "io50_after_wealth",  # step 6 (fails step 4)
    "sale_repays",  # step 7 (fails step 6), house value covers the debt
    "sale_residual_debt",  # step 7 and debt at T above the house value then
)
ALL = "all"
#: The ``start_year`` of the base scenario's rows (the trend has no start year).
TREND = "trend"
#: Sums of outcomes the report publishes (released only as sums of ``tree.csv`` cells).
GROUPS: Mapping[str, tuple[str, ...]] = {
    "fail_annuity": OUTCOMES[4:],
    "forced_sale": OUTCOMES[6:],
    "residual_debt": OUTCOMES[7:],
}
TREE_FILE = "tree.csv"
SWEEP_FILE = "sweep.csv"
PERPETUALS_FILE = "perpetuals.csv"
SENSITIVITY_FILE = "sensitivity.csv"
BY_YEAR_FILE = "by_year.csv"
#: Refinancing years from this one on are pooled in ``by_year.csv`` (few households mature so late).
LAST_SINGLE_YEAR = 2060
TREE_KEYS = (IO.SCENARIO, "outcome")
PERPETUAL_KEYS = (IO.SCENARIO, "group")
#: Groups of ``perpetuals.csv`` (households without a refinancing moment; checklist F31-F33): name ->
#: (agile now, agile at the event year, fails the affordability test), None = either.
PERPETUAL_GROUPS: Mapping[str, tuple[bool | None, bool | None, bool | None]] = {
    "agile_now": (True, None, None),
    "not_agile_now": (False, None, None),
    "agile_at_event": (None, True, None),
    "not_agile_at_event": (None, False, None),
    "afford_fail": (None, None, True),
    "afford_fail_not_agile_at_event": (None, False, True),
}
PERPETUAL_DIMS = ("agile_now", "agile_at_event", "afford_fail")


@dataclass(frozen=True)
class ReleaseSettings:
    """``data/release.toml``: population scaling and the sweep's rounding base."""

    sample_households: float
    population_households: float
    round_to: int
    rounding_base: int

    @property
    def coverage_factor(self) -> float:
        """Population per sample household (2.9 / 1.92 million)."""
        return self.population_households / self.sample_households


def load_release_settings() -> ReleaseSettings:
    """The packaged ``data/release.toml`` (sources in ``data/SOURCES.md``)."""
    text = resources.files("cohorts.studies.interest_only").joinpath("data", "release.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    try:
        return ReleaseSettings(
            sample_households=float(data["population"]["sample_households"]),
            population_households=float(data["population"]["population_households"]),
            round_to=int(data["population"]["round_to"]),
            rounding_base=int(data["sweep"]["rounding_base"]),
        )
    except KeyError as exc:
        raise ConfigError(f"package data release.toml: missing key {exc}") from None


def outcome_of(outcomes: pd.DataFrame) -> np.ndarray:
    """The :data:`OUTCOMES` category of every household of one scenario's outcomes frame."""
    step = outcomes[IO.STEP].to_numpy(dtype="int64")
    residual = pd.array(outcomes[IO.RESIDUAL_DEBT], dtype="boolean").fillna(False).to_numpy(dtype=bool)
    cat = np.asarray(OUTCOMES, dtype=object)[np.clip(step, 1, 7) - 1]
    return np.where((step == 7) & residual, OUTCOMES[7], cat)


def population_estimate(n: np.ndarray | pd.Series, *, scale: float, settings: ReleaseSettings) -> np.ndarray:
    """Sample count -> population count (H39), per ``scale`` on the twin, rounded to ``round_to``."""
    est = np.asarray(n, dtype="float64") / scale * settings.coverage_factor
    return np.round(est / settings.round_to) * settings.round_to


def tree_table(outcomes: Mapping[str, pd.DataFrame], *, start_years: Mapping[str, int | None], scale: float,
               settings: ReleaseSettings) -> pd.DataFrame:
    """The tidy ``tree.csv`` before the gate: scenario, start_year (:data:`TREND` for the base), outcome, n,
    share (percent of the IO households, 2 decimals), population (H39, rounded to thousands)."""
    rows = []
    for name, frame in outcomes.items():
        cats = pd.Series(outcome_of(frame))
        counts = cats.value_counts().reindex(list(OUTCOMES), fill_value=0)
        total = len(frame)
        for outcome, n in [(ALL, total), *counts.items()]:
            start = start_years.get(name)
            rows.append({IO.SCENARIO: name, IO.START_YEAR: TREND if start is None else str(int(start)),
                         "outcome": outcome, "n": int(n),
                         "share": round(100.0 * n / total, 2) if total else np.nan})
    table = pd.DataFrame(rows)
    table["population"] = population_estimate(table["n"], scale=scale, settings=settings)
    return table


def perpetual_table(outcomes: Mapping[str, pd.DataFrame], *, start_years: Mapping[str, int | None], scale: float,
                    settings: ReleaseSettings) -> pd.DataFrame:
    """The tidy ``perpetuals.csv`` before the gate: scenario, start_year, group, n, share, population."""
    rows = []
    for name, frame in outcomes.items():
        perp = frame[IO.PERPETUAL].to_numpy(dtype=bool)
        flags = {d: pd.array(frame[col], dtype="boolean").fillna(False).to_numpy(dtype=bool)[perp]
                 for d, col in zip(PERPETUAL_DIMS, (IO.AGILE_NOW, IO.AGILE_AT_EVENT, IO.AFFORD_FAIL), strict=True)}
        total = int(perp.sum())
        start = start_years.get(name)
        for group, wanted in PERPETUAL_GROUPS.items():
            hit = np.ones(total, dtype=bool)
            for d, w in zip(PERPETUAL_DIMS, wanted, strict=True):
                if w is not None:
                    hit &= flags[d] == w
            n = int(hit.sum())
            rows.append({IO.SCENARIO: name, IO.START_YEAR: TREND if start is None else str(int(start)), "group": group,
                         "n": n, "share": round(100.0 * n / total, 2) if total else np.nan})
    table = pd.DataFrame(rows)
    table["population"] = population_estimate(table["n"], scale=scale, settings=settings)
    return table


def perpetual_universe(scenario: str) -> Universe:
    """The attacker's picture of one scenario's ``perpetuals.csv``: its perpetual households by three flags."""
    return Universe(f"perpetuals[{scenario}]", dims=tuple(Dim(d, values=(True, False)) for d in PERPETUAL_DIMS),
                    families=(Family(UNITS, parent=None),))


def perpetual_units(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per perpetual household of one scenario with its three flags (the audit's witness)."""
    perp = outcomes[IO.PERPETUAL].to_numpy(dtype=bool)
    out = {d: pd.array(outcomes[col], dtype="boolean").fillna(False).to_numpy(dtype=bool)[perp]
           for d, col in zip(PERPETUAL_DIMS, (IO.AGILE_NOW, IO.AGILE_AT_EVENT, IO.AFFORD_FAIL), strict=True)}
    return pd.DataFrame({**out, UNITS: np.ones(int(perp.sum()))})


def universes(scenarios: Sequence[str]) -> dict[str, Universe]:
    """Every universe a ``cohorts refinance`` release speaks of."""
    out = {"io_households": universe(scenarios)}
    out.update({f"perpetuals[{s}]": perpetual_universe(s) for s in scenarios})
    return out


def universe(scenarios: Sequence[str]) -> Universe:
    """The attacker's picture of ``tree.csv``: one outcome dimension per scenario over the same households.

    The attacker knows that having no refinancing moment does not depend on the scenario (it is the
    loan's and the main earner's, checklist B6): a household is ``no_refinancing_moment`` under every
    scenario or under none, so the atoms that mix the two are structurally empty.
    """
    dims = tuple(dimension(s) for s in scenarios)

    def consistent(points: Mapping[str, np.ndarray]) -> np.ndarray:
        flags = [np.asarray(points[d]) == OUTCOMES[0] for d in dims if d in points]
        size = len(next(iter(points.values()))) if points else 0
        ok = np.ones(size, dtype=bool)
        for flag in flags[1:]:
            ok &= flag == flags[0]
        return ok

    return Universe("io_households", dims=tuple(Dim(d, values=OUTCOMES) for d in dims),
                    families=(Family(UNITS, parent=None, exists=consistent),))


def dimension(scenario: str) -> str:
    """The universe dimension of a scenario's outcome."""
    return f"outcome[{scenario}]"


def units_frame(outcomes: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per household with its outcome under every scenario (the audit's witness; never released)."""
    out = {dimension(name): outcome_of(frame) for name, frame in outcomes.items()}
    n = len(next(iter(outcomes.values())))
    return pd.DataFrame({**out, UNITS: np.ones(n)})


def read_release(frames: Mapping[str, pd.DataFrame]) -> dict[str, Reading]:
    """The files of a ``cohorts refinance`` release as published, as facts (hidden cells as targets) per universe."""
    readings: dict[str, list[Reading]] = {"io_households": []}
    tree = frames.get(TREE_FILE)
    if tree is not None:
        def pop(row: pd.Series):  # noqa: ANN202
            outcome = str(row["outcome"])
            return population() if outcome == ALL else population(**{dimension(str(row[IO.SCENARIO])): outcome})

        readings["io_households"].append(R.count_cells(tree, artefact=TREE_FILE, keys=TREE_KEYS, population=pop,
                                                       columns=[("n", UNITS)]))
        # the number of perpetual households of a scenario is the total of its perpetuals' universe
        perpetual_rows = tree[tree["outcome"].astype(str) == OUTCOMES[0]]
        for name, rows in perpetual_rows.groupby(IO.SCENARIO, sort=False):
            readings.setdefault(f"perpetuals[{name}]", []).append(
                R.count_cells(rows, artefact=TREE_FILE, keys=TREE_KEYS, population=lambda row: population(),
                              columns=[("n", UNITS)]))
    perpetuals = frames.get(PERPETUALS_FILE)
    if perpetuals is not None:
        def group_pop(row: pd.Series):  # noqa: ANN202
            wanted = PERPETUAL_GROUPS[str(row["group"])]
            return population(**{d: w for d, w in zip(PERPETUAL_DIMS, wanted, strict=True) if w is not None})

        for name, rows in perpetuals.groupby(IO.SCENARIO, sort=False):
            readings.setdefault(f"perpetuals[{name}]", []).append(
                R.count_cells(rows, artefact=PERPETUALS_FILE, keys=PERPETUAL_KEYS, population=group_pop,
                              columns=[("n", UNITS)]))
    return {name: combine(parts) for name, parts in readings.items()}


def read_tree(frames: Mapping[str, pd.DataFrame]) -> dict[str, Reading]:
    """``tree.csv`` alone as facts of :func:`universe` (see :func:`read_release`)."""
    return {"io_households": read_release({k: v for k, v in frames.items() if k == TREE_FILE})["io_households"]}


def read_released_tree(source: str | os.PathLike | io.StringIO) -> pd.DataFrame:
    """``tree.csv`` as released, read back (the marker stays a string; ``start_year`` is text)."""
    return pd.read_csv(source, dtype={IO.START_YEAR: str}, keep_default_na=False)


def read_released_by_year(source: str | os.PathLike | io.StringIO) -> pd.DataFrame:
    """``by_year.csv`` as released, read back (long form: one row per year and group)."""
    long = pd.read_csv(source, dtype={"refinancing_year": str}, keep_default_na=False)
    wide = long.pivot(index="refinancing_year", columns="group", values=["n_rounded", "population", "share"])
    out = pd.DataFrame({"refinancing_year": wide.index.astype(str)})
    for group in wide["n_rounded"].columns:
        out[f"{group}_n_rounded"] = pd.to_numeric(wide[("n_rounded", group)], errors="coerce").to_numpy()
        out[f"{group}_population"] = pd.to_numeric(wide[("population", group)], errors="coerce").to_numpy()
        out[f"{group}_share"] = pd.to_numeric(wide[("share", group)], errors="coerce").to_numpy()
    out["rounding_base"] = int(pd.to_numeric(long["rounding_base"]).iloc[0])
    order = out["refinancing_year"].str.rstrip("+").astype(int).to_numpy()
    return out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def read_released_sweep(source: str | os.PathLike | io.StringIO) -> pd.DataFrame:
    """``sweep.csv`` as released, read back."""
    return pd.read_csv(source, dtype={IO.START_YEAR: str}, keep_default_na=False)


def as_read_back(frame: pd.DataFrame, reader) -> pd.DataFrame:  # noqa: ANN001
    """A published frame as a reader of the released CSV sees it (what the figures are drawn from)."""
    return reader(io.StringIO(frame.to_csv(index=False)))


def rounded_sensitivity(frame: pd.DataFrame, *, scale: float, settings: ReleaseSettings,
                        rules: Rules) -> pd.DataFrame:
    """``sensitivity.csv``: step-4 failures per grid point rounded to the sweep's base, with shares from them.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`cohorts.studies.interest_only.sensitivity.sensitivity` (``parameter, value, is_baseline,
        households, fail_annuity, ...``).
    """
    check_rounding(settings, rules=rules)
    base = settings.rounding_base
    n = np.round(frame["fail_annuity"].to_numpy(dtype="float64") / base) * base
    total = frame["households"].to_numpy(dtype="float64")
    out = frame[["parameter", "value", "is_baseline"]].copy()
    out["fail_annuity_n_rounded"] = n.astype("int64")
    out["share"] = np.round(100.0 * n / total, 2)
    baseline = pd.Series(np.where(frame["is_baseline"].to_numpy(dtype=bool), n, np.nan)).groupby(
        frame["parameter"].to_numpy()).transform("max").to_numpy()
    out["change_share"] = np.round(100.0 * (n - baseline) / total, 2)
    out["population"] = population_estimate(n, scale=scale, settings=settings)
    out["rounding_base"] = base
    return out


def by_year_table(outcomes: pd.DataFrame, *, scale: float, settings: ReleaseSettings, rules: Rules) -> pd.DataFrame:
    """``by_year.csv`` before the gate: households with a refinancing moment by refinancing year, rounded.

    Years from :data:`LAST_SINGLE_YEAR` are pooled (``"2060+"``); a year whose households round to 0 (fewer
    than half the base) is left out.  The refinancing year does not depend on the scenario.
    """
    check_rounding(settings, rules=rules)
    base = settings.rounding_base
    refi = ~outcomes[IO.PERPETUAL].to_numpy(dtype=bool)
    year = pd.array(outcomes[IO.REFI_YEAR], dtype="Int64").to_numpy(dtype="float64", na_value=np.nan)[refi]
    label = np.where(year >= LAST_SINGLE_YEAR, float(LAST_SINGLE_YEAR), year)
    counts = pd.Series(label).value_counts().sort_index()
    n = np.round(counts.to_numpy(dtype="float64") / base) * base
    out = pd.DataFrame({
        "refinancing_year": [f"{int(y)}+" if y >= LAST_SINGLE_YEAR else str(int(y)) for y in counts.index],
        "households_n_rounded": n.astype("int64"),
        "households_population": population_estimate(n, scale=scale, settings=settings),
        "rounding_base": base,
    })
    return out.loc[out["households_n_rounded"] > 0].reset_index(drop=True)


def check_rounding(settings: ReleaseSettings, *, rules: Rules) -> None:
    """Refuse a sweep rounding base below the gate's minimum frequency (checked before any data are read).

    Raises
    ------
    ConfigError
        Naming the file, the key and the rule.
    """
    if settings.rounding_base < rules.min_units:
        raise ConfigError(f"package data release.toml: [sweep] rounding_base {settings.rounding_base} is below the "
                          f"gate's frequency.min_units {rules.min_units}; a difference of two start years could be "
                          "narrowed below it (raise the base or lower min_units)")


def rounded_sweep(sweep: pd.DataFrame, *, scale: float, settings: ReleaseSettings, rules: Rules) -> pd.DataFrame:
    """``sweep.csv``: the sweep's counts rounded to the base, with shares and population estimates from them.

    Raises
    ------
    ConfigError
        If the rounding base is below the gate's minimum frequency.
    """
    check_rounding(settings, rules=rules)
    base = settings.rounding_base
    out = sweep[[IO.SCENARIO, IO.START_YEAR]].copy()
    total = sweep["households"].to_numpy(dtype="float64")
    for group in GROUPS:
        n = np.round(sweep[group].to_numpy(dtype="float64") / base) * base
        out[f"{group}_n_rounded"] = n.astype("int64")
        out[f"{group}_share"] = np.round(100.0 * n / total, 2)
        out[f"{group}_population"] = population_estimate(n, scale=scale, settings=settings)
    out["worst"] = sweep["worst"].to_numpy(dtype=bool) if "worst" in sweep else False
    out["rounding_base"] = base
    return out
