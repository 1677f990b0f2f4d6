"""``cohorts refinance``: the interest-only households' refinancing risk under one or all scenarios.

Reads the raw inputs (LLD loan parts, CBS persons, key table, and the two 2017 CBS files of the
study: income by source and pension entitlements, wealth and WOZ value), builds the population of
households with interest-only parts at the end-2016 snapshot (every exclusion a counted selection
step), projects each household to its refinancing (or event) year under the scenario(s) and
classifies it along the vulnerability tree.  For a shock scenario the start year is the worst one
(``--worst``, the default: every start year of the scenario's range is run and the one with the
most step-4 failures is kept, checklist G37; the housing crisis, ``timed_by = "floor"``, keeps the one
with the most refinancing years at its floor, seed 3365-3369) or the one given (``--start-year``).

Everything written passes the disclosure gate (:mod:`cohorts.studies.interest_only.release`):
``tree.csv``, ``perpetuals.csv``, ``sweep.csv`` (with ``--worst``), ``selection.csv``, the figures and
``manifest.json`` (and ``comparison.csv`` on the synthetic twin); the
checker's log and audit go to ``checker/`` (never released).  Nothing is written when the input
breaks a contract or an option is invalid.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cohorts import scenarios as SC
from cohorts.disclosure import Gate, load_rules, protect, release_selection, strict_default
from cohorts.disclosure.checks import Checked, check_table
from cohorts.disclosure.checks.common import EMPTY
from cohorts.disclosure.secondary import Release
from cohorts.io import write_csv, write_outputs, write_outputs_with_manifest
from cohorts.norms.tables import load_tables
from cohorts.progress import heartbeat
from cohorts.report.style import figure_writers
from cohorts.disclosure.options import add_gate_arguments

from . import columns as IO
from .memory import return_freed_memory, reuse_freed_memory
from .parameters import load_parameters
from .population import build_population, read_inputs
from .project import outcomes, prepare
from .sensitivity import sensitivity as run_sensitivity
from .sweep import sweep as run_sweep
from .sweep import worst_start_years
from .descriptives import PART_COLUMNS as DESCRIPTIVE_PART_COLUMNS
from .descriptives import descriptive_releases, release_descriptives
from .profiles import PART_COLUMNS as PROFILE_PART_COLUMNS
from .figures import plot_maturities, plot_sensitivity, plot_sweep, plot_tree
from .findings import findings, perpetual_findings
from .release import (
    BY_YEAR_FILE,
    PERPETUALS_FILE,
    PERPETUAL_KEYS,
    SENSITIVITY_FILE,
    SWEEP_FILE,
    TREE_FILE,
    TREE_KEYS,
    as_read_back,
    by_year_table,
    check_rounding,
    load_release_settings,
    perpetual_table,
    perpetual_units,
    read_release,
    read_released_by_year,
    read_released_sweep,
    read_released_tree,
    rounded_sensitivity,
    rounded_sweep,
    tree_table,
    units_frame,
    universes,
)
from .study_data import scenarios_path
from .tree import PACKAGED_NET, social_assistance_level

ALL_SCENARIOS = "all"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options of ``cohorts refinance``."""
    parser.add_argument("--data", required=True, type=Path, help="folder with the raw inputs (or files named in --mapping)")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--mapping", type=Path, default=None, help="column-mapping TOML for a real extract")
    parser.add_argument("--scenario", default=ALL_SCENARIOS, metavar="NAME",
                        help="a scenario of the scenario file (base, recession, high_rate, housing_crisis) or 'all' "
                             "(default)")
    timing = parser.add_mutually_exclusive_group()
    timing.add_argument("--start-year", type=int, default=None, metavar="Y",
                        help="start year of the shock scenario(s) (within each scenario's declared range)")
    timing.add_argument("--worst", action="store_true",
                        help="run every start year and keep the one with the most step-4 failures (the housing crisis: the "
                             "most refinancing years at its floor; the default)")
    parser.add_argument("--sensitivity", action="store_true",
                        help="also run the one-at-a-time sensitivity analysis (Tabel 4 / Figuur 19 of the study; "
                             "about 3 minutes at the report's population)")
    parser.add_argument("--scenarios", type=Path, default=None, metavar="TOML",
                        help="scenario file (default: the study's data/scenarios.toml; see docs/projection.md)")
    parser.add_argument("--parameters", type=Path, default=None, metavar="TOML",
                        help="parameter file (default: the study's data/parameters.toml), e.g. with the "
                             "[user_supplied] social-assistance levels")
    parser.add_argument("--tables", type=Path, default=None, help="folder with further Trhk tables (long CSV format)")
    parser.add_argument("--scale", type=float, default=None,
                        help="synthetic scale for the population estimates (default: from the data's manifest; 1 on "
                             "real data)")
    add_gate_arguments(parser, strict_default="strict unless the data are the synthetic twin")


def _chosen(names: list[str], choice: str, source: str) -> list[str]:
    if choice == ALL_SCENARIOS:
        return names
    if choice not in names:
        raise ValueError(f"--scenario {choice!r} is not in {source}; known scenarios: {', '.join(names)} (or 'all')")
    return [choice]


def _check_start_year(scenarios: dict[str, SC.Scenario], year: int | None, source: str) -> None:
    if year is None:
        return
    for sc in scenarios.values():
        if sc.is_shock and not (sc.start_year_range[0] <= year <= sc.start_year_range[1]):
            raise ValueError(f"--start-year {year} is outside the declared range of scenario {sc.name!r} in {source} "
                             f"(start_years = [{sc.start_year_range[0]}, {sc.start_year_range[1]}])")


def run(args: argparse.Namespace) -> int:
    """Build, project, classify, gate and write; returns 0 (2 for bad input, via the CLI)."""
    from cohorts.mapping import load_mapping
    from cohorts.provenance import run_manifest, synthetic_settings, utc_now

    started = utc_now()
    t0 = time.perf_counter()
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    # every option is checked before the data are read: a bad option writes nothing
    rules = load_rules(args.disclosure_rules)
    scenario_file = args.scenarios or scenarios_path()
    all_scenarios = dict(SC.load_scenarios(scenario_file))
    names = _chosen(list(all_scenarios), args.scenario, str(scenario_file))
    chosen = {n: all_scenarios[n] for n in names}
    _check_start_year(chosen, args.start_year, str(scenario_file))
    params = load_parameters(args.parameters)
    settings = load_release_settings()
    if args.start_year is None:
        check_rounding(settings, rules=rules)
    tables = load_tables(args.tables)
    mapping = load_mapping(args.mapping) if args.mapping else None
    synthetic = synthetic_settings(args.data)
    scale = args.scale if args.scale is not None else float(synthetic["scale"]) if synthetic else 1.0
    if not scale > 0:
        raise ValueError(f"--scale must be positive, but was {scale}")
    strict = strict_default(synthetic=synthetic is not None, rules=rules) if args.strict is None else args.strict

    log(f"reading the raw inputs in {args.data} ...")
    return_freed_memory()  # peak memory: freed frames go back to the system (cohorts.studies.interest_only.memory)
    inputs = read_inputs(args.data, mapping=mapping)
    pop = build_population(inputs.lld, inputs.cbs, inputs.key, inputs.income_pension, inputs.wealth_dwelling,
                           lld_rows_read=inputs.lld_rows_read)
    del inputs  # peak memory: the raw frames are not needed once the households are built
    log(f"  {len(pop.households):,} households with interest-only parts at the end-2016 snapshot "
        f"({time.perf_counter() - t0:.1f} s)")
    sensitivity = None
    if args.sensitivity:  # first, so that its preparations do not stack on the prepared frame and the outcomes
        t = time.perf_counter()
        sensitivity = run_sensitivity(pop.households, pop.parts, params=params, tables=tables)
        log(f"  sensitivity analysis: {len(sensitivity)} grid points ({time.perf_counter() - t:.1f} s)")
    t = time.perf_counter()
    prepared = prepare(pop.households, pop.parts, params=params, tables=tables, scenarios=chosen)
    population_selection = pop.selection
    # what the descriptive tables and the profiles read of the parts
    parts_kept = pop.parts[list(dict.fromkeys(DESCRIPTIVE_PART_COLUMNS + PROFILE_PART_COLUMNS))].copy()
    del pop  # the prepared frame holds the households from here on (one copy instead of two, and no parts)
    reuse_freed_memory()  # the sweep's same-sized arrays from the heap (cohorts.studies.interest_only.memory)
    log(f"  projected debt, wealth and test income to each household's tested year ({time.perf_counter() - t:.1f} s)")

    sweep = None
    start_years: dict[str, int | None] = {}
    if args.start_year is None:  # --worst, the default
        t = time.perf_counter()
        sweep = run_sweep(prepared, scenarios=chosen, progress=None if args.quiet else log)
        worst = worst_start_years(sweep)
        start_years = {n: worst.get(n) if chosen[n].is_shock else None for n in names}
        log(f"  start-year sweep: {len(sweep)} runs ({time.perf_counter() - t:.1f} s); worst start years: "
            + ", ".join(f"{n} {s}" + (" (most refinancing years at its floor)" if chosen[n].timed_by == "floor" else "")
                        for n, s in start_years.items() if s is not None))
    else:
        start_years = {n: (args.start_year if chosen[n].is_shock else None) for n in names}
    results = {n: outcomes(prepared, scenario=chosen[n], start_year=start_years[n]) for n in names}
    tree = tree_table(results, start_years=start_years, scale=scale, settings=settings)

    log("disclosure control: the tables gated, then attacked together ...")
    t = time.perf_counter()
    releases = [Release(TREE_FILE, lambda extra: check_table(tree, rules=rules, artefact=TREE_FILE, keys=TREE_KEYS,
                                                            values=("share", "population"), statistic="count",
                                                            n="n", extra=extra))]
    perpetuals = perpetual_table(results, start_years=start_years, scale=scale, settings=settings)
    releases.append(Release(PERPETUALS_FILE, lambda extra: check_table(
        perpetuals, rules=rules, artefact=PERPETUALS_FILE, keys=PERPETUAL_KEYS, values=("share", "population"),
        statistic="count", n="n", extra=extra)))
    if sweep is not None:
        rounded = rounded_sweep(sweep, scale=scale, settings=settings, rules=rules)
        rounded = _blank_released_rows(rounded)
        releases.append(Release(SWEEP_FILE, lambda extra: _long_rounded_checked(
            rounded, keys=(IO.SCENARIO, IO.START_YEAR), groups=("fail_annuity", "forced_sale", "residual_debt"),
            artefact=SWEEP_FILE, rules=rules, extra=extra)))
    by_year = by_year_table(results["base"], scale=scale, settings=settings, rules=rules) if "base" in results else None
    if by_year is not None:
        releases.append(Release(BY_YEAR_FILE, lambda extra: _long_rounded_checked(
            by_year, keys=("refinancing_year",), groups=("households",),
            artefact=BY_YEAR_FILE, rules=rules, extra=extra)))
    if sensitivity is not None:
        sens_released = rounded_sensitivity(sensitivity, scale=scale, settings=settings, rules=rules)
        releases.append(Release(SENSITIVITY_FILE, lambda extra: check_table(
            sens_released, rules=rules, artefact=SENSITIVITY_FILE, keys=("parameter", "value"),
            values=("share", "change_share", "population"), statistic="count", n="fail_annuity_n_rounded",
            extra=extra)))
    releases += descriptive_releases(prepared.households, parts_kept, population_selection, results, scale=scale,
                                     settings=settings, rules=rules)  # Figuren 1, 2, 7, 14 (descriptives.py)
    if "base" in results:  # the profiles of vulnerable households (Figuren 11-13, 25-28)
        from .profiles import profile_release
        profiles, why = profile_release(prepared.households, results["base"], parts_kept, params=params, tables=tables,
                                        scale=scale, settings=settings, rules=rules)
        releases.append(profiles)
        if why:
            log(f"  {why}")
    if strict:
        Gate({r.name: r.make({}) for r in releases}, rules, True).enforce()
    with heartbeat(log, "checking and attacking the tables"):
        units = {"io_households": units_frame(results)}
        units.update({f"perpetuals[{n}]": perpetual_units(results[n]) for n in names})
        protected = protect(releases, read=read_release, universes=universes(names), rules=rules, units=units,
                            cleanup=True)
    gate = Gate(protected.checked, rules, bool(strict))
    gate.enforce()
    writers = {name: _csv(gate.published(name)) for name in gate.checked}
    writers.update(_figure_writers(gate, timed_by={n: sc.timed_by for n, sc in chosen.items()},
                                   sweep_released=sweep is not None, sensitivity_released=sensitivity is not None,
                                   by_year_released=by_year is not None))
    writers.update(release_descriptives(gate, params=params, scenarios=all_scenarios, scale=scale, settings=settings))
    if "profiles.csv" in gate.checked:
        from .figures_profiles import profile_figure_writers
        net = social_assistance_level(prepared.households, params=params)["source"].eq(PACKAGED_NET).any()
        writers.update(profile_figure_writers(gate, net_level=bool(net)))
    selection = release_selection(population_selection, rules=rules)
    if selection is not None:
        writers["selection.csv"] = _csv(selection)
    log(f"  {len(gate.needing())} table(s) needed suppression ({time.perf_counter() - t:.1f} s)")
    checker = {"checker/disclosure_log.csv": _csv(gate.log), "checker/audit.csv": _csv(protected.audit.table())}
    configuration = {"scenarios": names, "start_years": start_years, "worst": args.start_year is None,
                     "scenario_file": str(scenario_file), "parameters": params.source, "scale": scale,
                     "strict": bool(strict), "disclosure_rules": rules.to_dict(),
                     "norm_table_year": int(prepared.households[IO.NORM_TABLE_YEAR].iloc[0])
                     if len(prepared.households) else None}

    def manifest(records: dict[str, dict]) -> dict:
        return run_manifest(command="cohorts refinance", started=started, finished=utc_now(),
                            inputs={"data": {"path": str(args.data)}}, outputs=records, configuration=configuration,
                            mapping=mapping.to_dict() if mapping else None, synthetic=synthetic, selection=selection,
                            extra={"rows": {"households": len(prepared.households)}, "checker": sorted(checker)})

    comparison = None
    if synthetic is not None:  # the published numbers beside the reproduced ones: on the synthetic twin only
        from cohorts.report.comparison import summarize

        from .comparison import RELEASED_FILES, compare
        from .descriptives import read_released
        from .results import Results, report_coverage

        comparison = compare(Results(households=prepared.households, outcomes=results, sweep=sweep, scale=scale,
                                     coverage=report_coverage(), scenarios=chosen, params=params,
                                     sensitivity=sensitivity),
                             released={f: as_read_back(gate.published(f), read_released)
                                       for f in RELEASED_FILES if f in gate.checked})
        writers["comparison.csv"] = _csv(comparison)
    write_outputs(args.out, checker)
    write_outputs_with_manifest(args.out, writers, manifest)
    released_tree = as_read_back(gate.published(TREE_FILE), read_released_tree)
    released_perpetuals = as_read_back(gate.published(PERPETUALS_FILE), read_released_tree)
    for line in [*findings(released_tree), *perpetual_findings(released_perpetuals, released_tree)]:
        log(line)
    if comparison is not None:
        log(summarize(comparison, scale=scale))
        log(f"Full comparison table (every published number beside the reproduced one): {args.out}/comparison.csv")
    log(f"wrote {args.out}/{', '.join(sorted(writers))}, manifest.json; for the output checker (not for release): "
        f"{args.out}/checker ({time.perf_counter() - t0:.1f} s)")
    return 0


def _blank_released_rows(rounded: pd.DataFrame) -> pd.DataFrame:
    """Drop the sweep's rows that ``tree.csv`` holds exactly (the base, and each worst start year).

    Rounded and exact counts of the same classification side by side would narrow a cell the tree
    hides to the overlap of the two intervals.
    """
    keep = ~(rounded["worst"].to_numpy(dtype=bool) | rounded[IO.START_YEAR].isna().to_numpy())
    return rounded.loc[keep].reset_index(drop=True)


def _figure_writers(gate: Gate, *, sweep_released: bool, sensitivity_released: bool, by_year_released: bool,
                    timed_by: dict[str, str] | None = None) -> dict:
    """The study's figures drawn from the gated tables as a reader of the released files sees them."""
    tree = as_read_back(gate.published(TREE_FILE), read_released_tree)
    writers = figure_writers(plot_tree(tree).figure, "figures/tree")
    if sweep_released:
        sweep = as_read_back(gate.published(SWEEP_FILE), read_released_sweep)
        writers.update(figure_writers(plot_sweep(sweep, tree, timed_by=timed_by).figure, "figures/sweep"))
    if sensitivity_released:
        sens = as_read_back(gate.published(SENSITIVITY_FILE), read_released_sweep)
        writers.update(figure_writers(plot_sensitivity(sens).figure, "figures/sensitivity"))
    if by_year_released:
        years = as_read_back(gate.published(BY_YEAR_FILE), read_released_by_year)
        writers.update(figure_writers(plot_maturities(years).figure, "figures/maturities"))
    return writers


def _long_rounded_checked(frame: pd.DataFrame, *, keys: tuple[str, ...], groups: tuple[str, ...], artefact: str,
                          rules, extra):  # noqa: ANN001, ANN202
    """A table of rounded counts (a rounded count is 0 or at least the base) through the frequency rule, in long form:
    one row per key and group with ``n_rounded``, ``population`` and, where the table has one, ``share``."""
    long = []
    for group in groups:
        part = frame[list(keys)].copy()
        part["group"] = group
        part["n_rounded"] = frame[f"{group}_n_rounded"].to_numpy()
        part["population"] = frame[f"{group}_population"].to_numpy()
        part["share"] = frame[f"{group}_share"].to_numpy() if f"{group}_share" in frame else np.nan
        part["rounding_base"] = frame["rounding_base"].to_numpy()
        long.append(part)
    checked = check_table(pd.concat(long, ignore_index=True), rules=rules, artefact=artefact, keys=(*keys, "group"),
                          values=("share", "population"), statistic="count", n="n_rounded", extra=extra)
    # a count rounded to 0 is "fewer than half the base", not an empty population
    released = checked.released.assign(disclosure=checked.released["disclosure"].replace(
        EMPTY, "rounded to 0: fewer than half the rounding base"))
    return Checked(released, checked.log)


def _csv(frame: pd.DataFrame):  # noqa: ANN202
    return lambda p: write_csv(frame, p)
