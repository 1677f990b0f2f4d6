"""One-at-a-time sensitivity analysis (Tabel 4 / Figuur 19; checklist G34, last paragraph).

The report holds every quantity at its (early) 2017 value, applies **no growth paths** ("as is",
fn 65, seed 3170-3175), and moves one parameter at a time over the range of Tabel 4 (seed
3150-3168); the outcome is the number of step-4 failures (``fail_annuity``, Figuur 19 caption,
seed 3179-3180).  Text (seed 1057-1067): the results are most sensitive to the mortgage rate and
the house value, then to pension income; the other assumptions matter little.

The grid is data: ``data/sensitivity.toml`` (baseline, min and max of every Tabel 4 row with its
target ids; the step between min and max is our choice, the report prints curves only), read by
:func:`load_grid`.  How each parameter enters:

* ``mortgage_rate`` (level, percent): the rate of the tests and of the financing-percentage
  lookup (so :func:`~cohorts.studies.interest_only.project.prepare` is given every rate of the grid);
* ``house_value``, ``wealth`` (shock, percent of the 2017 value): a uniform multiplier on V and on
  the free wealth W0 at the refinancing (or event) year (Tabel 4 note '*': "uniforme op- of
  afwaardering ... op het moment van herfinanciering");
* ``labour_income``, ``pension_income`` (shock): uniform multipliers on the test income.  The
  report does not say where AOW belongs.  Default ``income_split="regime"``: "pension income" is
  what a household in the pension regime is tested on (AOW + second pillar) and the second-pillar
  pension of everybody, "labour income" the labour-regime households' income from work and
  benefits (this makes labour income matter little, as the text says: 92% of the tested are
  tested on pension income, seed 1675).  ``income_split="component"`` uses the split of the growth
  paths instead (labour and AOW vs second pillar, D18).  The financing percentage stays the one
  looked up on the 2017 income (D17, as for the growth paths);
* ``replacement_ratio`` (level, percent): ``params.replacement_ratio`` of the pension rules 3-4
  (D15), so the households are prepared again for each value;
* ``life_expectancy`` (level, years): who is a de-facto perpetual (B6): ``perpetual`` and
  ``refi_year`` are derived again with :func:`~cohorts.studies.interest_only.population.refinancing`
  and the households prepared again.

"No growth paths" is read as: growth factors 1 for house value, incomes and wealth, the rate at its
level, while the **debt at the refinancing year** still follows the loan parts' contractual
schedules (amortisation is not a growth path; the IO debt itself is unchanged).  Every grid point
is counted with :func:`cohorts.studies.interest_only.sweep` 's fast kernel (cross-checked there
against ``counts(outcomes(...))``; ``test_sensitivity.py`` repeats the check on the baseline).
Only the households with a refinancing moment can fail step 4, so each preparation is run on
those alone (for the life-expectancy rows, those of that life expectancy); ``share`` still
divides by every IO household.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from cohorts import scenarios as SC
from cohorts.norms.tables import NormTables

from . import columns as IO
from .parameters import Parameters
from .population import load_population_params, refinancing
from .project import prepare
from .sweep import _evaluate, compile_counts

#: The seven rows of Tabel 4, in its order.
PARAMETERS = (
    "mortgage_rate",
    "house_value",
    "labour_income",
    "pension_income",
    "replacement_ratio",
    "life_expectancy",
    "wealth",
)
_KINDS = {"mortgage_rate": "level", "house_value": "shock", "labour_income": "shock", "pension_income": "shock",
          "replacement_ratio": "level", "life_expectancy": "level", "wealth": "shock"}
_UNITS = {p: ("years" if p == "life_expectancy" else "percent") for p in PARAMETERS}
#: Columns of :func:`load_grid`.
GRID_COLUMNS = ("parameter", "label", "kind", "unit", "value", "is_baseline")


def grid_path() -> Path:
    """The packaged grid file, ``data/sensitivity.toml``."""
    return Path(__file__).resolve().parent / "data" / "sensitivity.toml"


def load_grid(path: str | Path | None = None) -> pd.DataFrame:
    """Read the sensitivity grid (Tabel 4) into one row per (parameter, value).

    Parameters
    ----------
    path : str or Path, optional
        Default :func:`grid_path`.

    Returns
    -------
    pandas.DataFrame
        ``parameter``, ``label``, ``kind``, ``unit``, ``value`` (as printed: percent or years),
        ``is_baseline``; per parameter min, min + step, ..., max and the baseline, ascending.

    Raises
    ------
    ValueError
        An unknown or missing parameter, a wrong kind or unit, min > max, a baseline outside
        [min, max], a step <= 0, or a missing key (the file and parameter are named).
    """
    p = Path(path) if path is not None else grid_path()
    with open(p, "rb") as fh:
        raw: dict[str, Any] = tomllib.load(fh)
    unknown = sorted(set(raw) - set(PARAMETERS))
    missing = [k for k in PARAMETERS if k not in raw]
    if unknown or missing:
        raise ValueError(f"{p}: unknown parameter(s) {unknown}, missing {missing}; expected {list(PARAMETERS)}")
    rows = []
    for name in PARAMETERS:
        block = raw[name]
        need = [k for k in ("label", "kind", "unit", "baseline", "min", "max", "step") if k not in block]
        if need:
            raise ValueError(f"{p}: [{name}] lacks {need}")
        if block["kind"] != _KINDS[name] or block["unit"] != _UNITS[name]:
            raise ValueError(f"{p}: [{name}] must have kind {_KINDS[name]!r} and unit {_UNITS[name]!r}")
        lo, hi, base, step = (float(block[k]) for k in ("min", "max", "baseline", "step"))
        if not (lo <= base <= hi) or step <= 0:
            raise ValueError(f"{p}: [{name}] needs min <= baseline <= max and step > 0, got {lo}, {base}, {hi}, {step}")
        n = int(np.floor((hi - lo) / step + 1e-9))
        values = sorted({round(lo + i * step, 9) for i in range(n + 1)} | {hi, base})
        for v in values:
            rows.append({"parameter": name, "label": block["label"], "kind": block["kind"], "unit": block["unit"],
                         "value": float(v), "is_baseline": v == base})
    return pd.DataFrame(rows, columns=list(GRID_COLUMNS))


def as_is_scenario(rate: float) -> SC.Scenario:
    """A trend scenario without growth (all factors 1) at a constant mortgage ``rate`` (fraction)."""
    return SC.Scenario(
        name=f"as_is_{rate:.6f}",
        source="sensitivity analysis: values of (early) 2017, no growth paths (fn 65)",
        trend_name=f"as_is_{rate:.6f}",
        trend_growth={p: 0.0 for p in SC.PARAMETERS},
        trend_rate=float(rate),
    )


def _check_grid(grid: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("parameter", "value", "is_baseline") if c not in grid.columns]
    if missing:
        raise ValueError(f"sensitivity grid: missing column(s) {missing}")
    unknown = sorted(set(grid["parameter"]) - set(PARAMETERS))
    if unknown:
        raise ValueError(f"sensitivity grid: unknown parameter(s) {unknown}; known: {list(PARAMETERS)}")
    for name, g in grid.groupby("parameter", sort=False):
        if int(g["is_baseline"].astype(bool).sum()) != 1:
            raise ValueError(f"sensitivity grid: parameter {name!r} needs exactly one baseline row")
    return grid


def with_life_expectancy(
    households: pd.DataFrame,
    parts: pd.DataFrame,
    *,
    life_expectancy: int,
    io_types: tuple[str, ...] | None = None,
    **refinancing_options: Any,
) -> pd.DataFrame:
    """The households with ``perpetual`` / ``refi_year`` derived again for another life expectancy (B6).

    Parameters
    ----------
    households, parts : pandas.DataFrame
        From :func:`~cohorts.studies.interest_only.population.build_population`.
    life_expectancy : int
        Age after which a maturing IO part makes the household a de-facto perpetual.
    io_types : tuple of str, optional
        Default the population file's ``io_types``.
    **refinancing_options
        ``part_rule``, ``admin_rule``, ``age_boundary`` of
        :func:`~cohorts.studies.interest_only.population.refinancing` (A13).

    Returns
    -------
    pandas.DataFrame
        A copy with ``refi_date``, ``refi_year``, ``perpetual_admin``, ``perpetual_age`` and
        ``perpetual`` replaced.
    """
    types = tuple(io_types) if io_types is not None else tuple(load_population_params()["io_types"])
    birth = pd.Series(households[IO.MAIN_BIRTH_YEAR].to_numpy(), index=households[IO.HOUSEHOLD_ID].to_numpy())
    refi = refinancing(parts, birth, io_types=types, life_expectancy=int(life_expectancy), **refinancing_options)
    out = households.copy()
    for col in refi.columns:
        out[col] = refi[col].array  # same order as households (the birth-year index)
    return out


def sensitivity(
    households: pd.DataFrame,
    parts: pd.DataFrame,
    *,
    params: Parameters,
    tables: NormTables,
    grid: pd.DataFrame | None = None,
    income_split: Literal["regime", "component"] = "regime",
    io_types: tuple[str, ...] | None = None,
    refinancing_options: Mapping[str, Any] | None = None,
    prepare_options: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Step-4 failures with one Tabel 4 parameter moved at a time, no growth paths (Figuur 19).

    Parameters
    ----------
    households, parts : pandas.DataFrame
        From :func:`~cohorts.studies.interest_only.population.build_population`.
    params : Parameters
    tables : cohorts.norms.tables.NormTables
    grid : pandas.DataFrame, optional
        Rows ``parameter``, ``value`` (percent, or years for the life expectancy) and
        ``is_baseline``; default :func:`load_grid`.  Parameters absent from the grid are skipped;
        the mortgage-rate baseline (3%) is the rate of every other row (3% if the grid has no rate rows).
    income_split : {"regime", "component"}, default "regime"
        Which income the labour / pension shocks scale (module docstring).
    io_types, refinancing_options
        Passed to :func:`with_life_expectancy` for the life-expectancy rows (use the options the
        population was built with).
    prepare_options : Mapping, optional
        Extra keywords of :func:`~cohorts.studies.interest_only.project.prepare` (A3, A4, A12).
    progress : callable, optional
        Receives one line per parameter.

    Returns
    -------
    pandas.DataFrame
        One row per grid point: ``parameter``, ``value``, ``is_baseline``, ``households``,
        ``fail_annuity`` (sample count), ``share`` (of the IO households), ``change`` (count minus
        the parameter's baseline count), ``change_share`` (share minus the baseline share) and
        ``forced_sale`` (step-6 failures, for reference).
    """
    if income_split not in ("regime", "component"):
        raise ValueError(f"income_split must be 'regime' or 'component', got {income_split!r}")
    grid = _check_grid(load_grid() if grid is None else grid)
    log = progress or (lambda _line: None)
    popts = dict(prepare_options or {})
    ropts = dict(refinancing_options or {})
    rate_rows = grid[grid["parameter"] == "mortgage_rate"]
    base_rate = (float(rate_rows.loc[rate_rows["is_baseline"].astype(bool), "value"].iloc[0]) / 100.0
                 if len(rate_rows) else 0.03)
    rates = sorted({round(base_rate, 9)} | {round(float(v) / 100.0, 9) for v in rate_rows["value"]})
    base_only = {"as_is": as_is_scenario(base_rate)}
    aow_with = "pension" if income_split == "regime" else "labour"

    def factors(kernel: Any, rate: float) -> dict[str, np.ndarray]:
        ones = np.ones(len(kernel.years))
        return {SC.HOUSE: ones, SC.INCOME: ones, SC.PENSION: ones, SC.WEALTH: ones,
                SC.RATE: np.full(len(kernel.years), round(rate, 9))}

    n_all = len(households)

    def kernel_of(hh: pd.DataFrame, prm: Parameters, scenarios: Mapping[str, SC.Scenario]) -> Any:
        # only households with a refinancing moment can fail step 4: prepare those alone (speed)
        tested = hh[~hh[IO.PERPETUAL].to_numpy(dtype=bool)]
        sub = parts[np.isin(parts[IO.HOUSEHOLD_ID].to_numpy(), tested[IO.HOUSEHOLD_ID].to_numpy())]
        k = compile_counts(prepare(tested, sub, params=prm, tables=tables, scenarios=scenarios, **popts))
        return dataclasses.replace(k, n_households=n_all)

    log("sensitivity: preparing the baseline")
    kernel = kernel_of(households, params, {f"r{r}": as_is_scenario(r) for r in rates})
    rows = []
    for name, g in grid.groupby("parameter", sort=False):
        log(f"sensitivity: {name} ({len(g)} values)")
        for value, is_base in zip(g["value"].astype(float), g["is_baseline"].astype(bool)):
            k, rate, mult = kernel, base_rate, {}
            if name == "mortgage_rate":
                rate = value / 100.0
            elif name in ("house_value", "wealth"):
                mult = {"house" if name == "house_value" else "wealth": value / 100.0}
            elif name == "labour_income":
                mult = {"labour": value / 100.0}
            elif name == "pension_income":
                mult = {"pension": value / 100.0}
            elif name == "replacement_ratio":
                k = kernel_of(households, params.replace(replacement_ratio=value / 100.0), base_only)
            elif name == "life_expectancy":
                hh = with_life_expectancy(households, parts, life_expectancy=int(round(value)), io_types=io_types, **ropts)
                k = kernel_of(hh, params.replace(life_expectancy=int(round(value))), base_only)
            c = _evaluate(k, factors(k, rate), scenario=name, aow_with=aow_with, **mult)  # type: ignore[arg-type]
            rows.append({"parameter": name, "value": value, "is_baseline": bool(is_base),
                         "households": c["households"], "fail_annuity": c["fail_annuity"],
                         "forced_sale": c["forced_sale"]})
    out = pd.DataFrame(rows)
    out["share"] = out["fail_annuity"] / out["households"]
    base = out[out["is_baseline"]].set_index("parameter")
    out["change"] = out["fail_annuity"] - out["parameter"].map(base["fail_annuity"])
    out["change_share"] = out["share"] - out["parameter"].map(base["share"])
    return out[["parameter", "value", "is_baseline", "households", "fail_annuity", "share", "change",
                "change_share", "forced_sale"]]


def ranking(result: pd.DataFrame) -> pd.DataFrame:
    """Parameters ordered by the spread of ``fail_annuity`` over their range (largest first).

    Parameters
    ----------
    result : pandas.DataFrame
        From :func:`sensitivity`.

    Returns
    -------
    pandas.DataFrame
        ``parameter``, ``min``, ``baseline``, ``max`` (counts) and ``spread`` (max - min), sorted.
    """
    g = result.groupby("parameter", sort=False)["fail_annuity"]
    base = result[result["is_baseline"]].set_index("parameter")["fail_annuity"]
    out = pd.DataFrame({"min": g.min(), "baseline": base, "max": g.max()})
    out["spread"] = out["max"] - out["min"]
    return out.sort_values("spread", ascending=False, kind="stable").reset_index(names="parameter")
