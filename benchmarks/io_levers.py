"""What would a change of the twin's data do to the interest-only study's counts? (calibration aid)

The study chain (population, projection, vulnerability tree) is run on a twin once as made and
then with the **households' fields changed in memory**, one variant per argument, so that a
candidate change of the generator (``[io_stock]`` of ``cohorts/synth/params.toml``) can be judged
in seconds before the twin is re-made.  The changes ("levers") act on the households frame of
:func:`~cohorts.studies.interest_only.population.build_population`, after the generator, so they
only approximate a generator change (a generator change may also move other fields through its
random streams); the twin decides (``docs/io_calibration.md``, rounds 7 and 8).

Levers (``name=value``; several joined by ``,`` form one variant):

* ``pension_level`` -- every attainable second-pillar pension (active and inactive schemes, main
  earner and partner) times the value;
* ``thin_pension`` -- a further thin-pension group: each person of a household of debt / income
  rank r (1 = most stretched) with chance value x 8 r^7 keeps none of its attainable pension (the
  generator's ``thin_pension_*`` rule with power 7 and factor 0);
* ``older_cash`` -- a share (the value) of the households whose main earner is 50 or older at the
  end of 2016 get lognormal cash, median 30,000 euro, sigma 1 (liquid wealth);
* ``lowdebt_cash`` -- a share (the value) of the households whose main earner is 50 or older and
  whose end-2016 debt is at most 150,000 euro get lognormal cash, median 60,000, sigma 0.8 (a
  generator rule tried in round 8 and not kept);
* ``aow_partial_lo`` -- the partial AOW shares of the generator's ``aow_partial_lo`` 0.30 (gaps up
  to 70%) rescaled to gaps up to 1 - value, rounded to 0.02;
* ``cap_high_ltv`` -- a share (the value) of the dated households without the low-income sign and
  with debt / WOZ above 2 at the end of 2016 get WOZ = debt / l, l uniform in [1.7, 2.0) (a
  generator rule tried in round 8 and not kept; it excluded the planted low-income group instead);
* ``underwater`` -- a further share (the value x 3 r^2) of the dated households whose first
  refinancing year is 2032-2042 under water, WOZ = min(WOZ, debt / l), l uniform in [0.95, 1.35)
  (the generator's ``underwater_*`` rule).

Output: a tidy CSV (``variant, scenario, measure, value``; counts as the study prints them:
households / scale x the report's coverage, in thousands; shares in percent; the perpetuals'
affordability failures and non-agile households besides the tree's counts) and a wide table on
stdout, the first variant always the twin as made.  The counts at scale 0.1 run 1-4% below those at
scale 1.0 (round 8 measured both), and the perpetuals' counts move with any change of liquid wealth
(consumer credit is netted against it), so a variant that looks right here is still checked on the
twin at scale 1.0.  Usage::

    python benchmarks/io_levers.py --data /tmp/io-0.1 --scale 0.1 --out benchmarks/io_levers-0.1.csv \\
        pension_level=1.1 older_cash=0.15 thin_pension=0.02 cap_high_ltv=0.4 underwater=0.05 \\
        aow_partial_lo=0.52 aow_partial_lo=0.52,cap_high_ltv=0.4
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cohorts.synth.io_stock import power_weight, underwater_woz

#: The crisis and recession start years the study's Figuur 16 reports (worst start years).
SCENARIO_RUNS: tuple[tuple[str, int | None], ...] = (("base", None), ("housing_crisis", 2030), ("recession", 2032))
#: The thin-pension lever's power k of the chance (k + 1) r^k (the generator's ``thin_pension_dti_power``).
THIN_PENSION_POWER = 7.0
PENSION_COLUMNS = tuple(f"pension_attainable_{k}_{w}" for k in ("active", "inactive") for w in ("main", "partner"))
GENERATOR_AOW_PARTIAL_LO = 0.30
SNAPSHOT_YEAR = 2016


@dataclass(frozen=True)
class Context:
    """What the levers need besides the households: per-household arrays in the frame's order."""

    rank: np.ndarray  # debt / income rank, 0 = least, 1 = most stretched
    dated: np.ndarray  # bool: has a refinancing moment
    refi_year: np.ndarray  # float, NaN for perpetuals
    low_income: np.ndarray  # bool: the measurement sign "income below social assistance"
    seed: int


def pension_level(hh: pd.DataFrame, value: float, ctx: Context) -> pd.DataFrame:
    """Attainable second-pillar pensions times ``value``."""
    return hh.assign(**{c: hh[c].to_numpy(dtype="float64") * value for c in PENSION_COLUMNS})


def thin_pension(hh: pd.DataFrame, value: float, ctx: Context) -> pd.DataFrame:
    """Each person: with chance value x 8 r^7 no attainable pension (r the household's rank)."""
    rng = np.random.default_rng(ctx.seed)
    out = {}
    for who in ("main", "partner"):
        thin = rng.random(len(hh)) < value * power_weight(ctx.rank, THIN_PENSION_POWER)
        for c in PENSION_COLUMNS:
            if c.endswith(who):
                out[c] = np.where(thin, 0.0, hh[c].to_numpy(dtype="float64"))
    return hh.assign(**out)


def older_cash(hh: pd.DataFrame, value: float, ctx: Context) -> pd.DataFrame:
    """A share ``value`` of the households with a main earner of 50+ get lognormal cash (median 30,000)."""
    rng = np.random.default_rng(ctx.seed)
    age = SNAPSHOT_YEAR - hh["main_birth_year"].to_numpy(dtype="float64")
    pick = (age >= 50) & (rng.random(len(hh)) < value)
    extra = np.round(30_000.0 * np.exp(rng.standard_normal(len(hh))))
    return hh.assign(cash=hh["cash"].to_numpy(dtype="float64") + np.where(pick, extra, 0.0))


def lowdebt_cash(hh: pd.DataFrame, value: float, ctx: Context) -> pd.DataFrame:
    """A share ``value`` of the households with a main earner of 50+ and debt <= 150,000 get lognormal cash (median 60,000, sigma 0.8)."""
    rng = np.random.default_rng(ctx.seed)
    age = SNAPSHOT_YEAR - hh["main_birth_year"].to_numpy(dtype="float64")
    low = hh["debt_now"].to_numpy(dtype="float64") <= 150_000.0
    pick = (age >= 50) & low & (rng.random(len(hh)) < value)
    extra = np.round(60_000.0 * np.exp(0.8 * rng.standard_normal(len(hh))))
    return hh.assign(cash=hh["cash"].to_numpy(dtype="float64") + np.where(pick, extra, 0.0))


def aow_partial_lo(hh: pd.DataFrame, value: float, ctx: Context) -> pd.DataFrame:
    """Partial AOW gaps (up to 1 - 0.30) rescaled to gaps up to 1 - ``value``, rounded to 0.02."""
    out = {}
    for who in ("main", "partner"):
        a = hh[f"aow_share_{who}"].to_numpy(dtype="float64")
        partial = (a > 0) & (a < 1)
        gap = (1.0 - a) * (1.0 - value) / (1.0 - GENERATOR_AOW_PARTIAL_LO)
        out[f"aow_share_{who}"] = np.where(partial, 1.0 - np.round(gap / 0.02) * 0.02, a)
    return hh.assign(**out)


def cap_high_ltv(hh: pd.DataFrame, value: float, ctx: Context) -> pd.DataFrame:
    """A share ``value`` of the dated households without the low-income sign and debt / WOZ > 2: WOZ = debt / U[1.7, 2)."""
    rng = np.random.default_rng(ctx.seed)
    d0, v0 = hh["debt_now"].to_numpy(dtype="float64"), hh["house_value_now"].to_numpy(dtype="float64")
    pick = ctx.dated & ~ctx.low_income & (d0 > 2.0 * v0) & (rng.random(len(hh)) < value)
    return hh.assign(house_value_now=np.where(pick, d0 / rng.uniform(1.7, 2.0, len(hh)), v0))


def underwater(hh: pd.DataFrame, value: float, ctx: Context) -> pd.DataFrame:
    """A further share value x 3 r^2 of the dated households refinancing in 2032-2042: WOZ = min(WOZ, debt / U[0.95, 1.35)).

    The generator's own rule (:func:`cohorts.synth.io_stock.underwater_woz`) with its packaged window,
    LTV range and power, and ``value`` as the share.
    """
    from cohorts.synth.params import load_params

    params = {**load_params().io_stock, "underwater_share": value}
    year = np.where(ctx.dated, ctx.refi_year, np.nan)
    woz = underwater_woz(
        np.random.default_rng(ctx.seed), params, hh["house_value_now"].to_numpy(dtype="float64"),
        debt=hh["debt_now"].to_numpy(dtype="float64"), maturity_year=year,
        weight=power_weight(ctx.rank, float(params["underwater_dti_power"])),
    )
    return hh.assign(house_value_now=woz)


LEVERS: Mapping[str, Callable[[pd.DataFrame, float, Context], pd.DataFrame]] = {
    f.__name__: f for f in (pension_level, thin_pension, older_cash, lowdebt_cash, aow_partial_lo, cap_high_ltv, underwater)
}


def parse_variant(text: str) -> dict[str, float]:
    """``"a=1,b=2"`` -> ``{"a": 1.0, "b": 2.0}``; unknown levers and non-numbers raise ``ValueError``."""
    out: dict[str, float] = {}
    for item in filter(None, text.split(",")):
        name, sep, value = item.partition("=")
        if not sep or name not in LEVERS:
            raise ValueError(f"{item!r}: expected lever=value with a lever among {sorted(LEVERS)}")
        try:
            out[name] = float(value)
        except ValueError:
            raise ValueError(f"{item!r}: the value {value!r} is not a number") from None
    return out


def apply_levers(hh: pd.DataFrame, variant: Mapping[str, float], ctx: Context) -> pd.DataFrame:
    """The households with the variant's levers applied in the order :data:`LEVERS` lists them."""
    for name, lever in LEVERS.items():
        if name in variant:
            hh = lever(hh, variant[name], ctx)
    return hh


def measures(outcomes: Mapping[str, pd.DataFrame], households: pd.DataFrame, *, factor: float) -> dict[tuple[str, str], float]:
    """Counts (thousands, population scale) and shares (percent) of each scenario run."""
    out: dict[tuple[str, str], float] = {}
    for name, o in outcomes.items():
        dated = ~o["perpetual"].astype(bool).to_numpy()

        def flag(c: str, o: pd.DataFrame = o, dated: np.ndarray = dated) -> np.ndarray:
            return o[c].astype("boolean").fillna(False).to_numpy(dtype=bool) & dated

        for c in ("fail_annuity", "forced_sale", "residual_debt"):
            out[(name, c)] = flag(c).sum() * factor / 1e3
        if name != "base":
            continue
        for c in ("wealth_repay", "vulnerable", "core_risk"):
            out[(name, c)] = flag(c).sum() * factor / 1e3
        perpetual = o["perpetual"].astype(bool).to_numpy()
        afford = o["afford_fail"].astype("boolean").fillna(False).to_numpy(dtype=bool) & perpetual
        agile = o["agile_at_event"].astype("boolean").fillna(True).to_numpy(dtype=bool)
        out[(name, "perpetual_afford_fail")] = afford.sum() * factor / 1e3
        out[(name, "perpetual_not_agile")] = (perpetual & ~agile).sum() * factor / 1e3
        forced = flag("forced_sale")
        ltv_only = flag("meas_high_ltv") & ~flag("meas_low_income")
        out[(name, "meas_ltv_gt200_pct")] = 100.0 * ltv_only[forced].mean()
        hv = households.set_index("household_id").loc[o.loc[flag("vulnerable"), "household_id"]]
        gaps = 1.0 - np.r_[hv["aow_share_main"].to_numpy(dtype="float64"), hv["aow_share_partner"].to_numpy(dtype="float64")]
        gaps = gaps[(gaps > 1e-9) & (gaps < 1.0)]
        out[(name, "vuln_median_aow_gap_pct")] = 100.0 * float(np.median(gaps)) if len(gaps) else float("nan")
    return out


def run(data: Path, variants: list[dict[str, float]], *, scale: float, seed: int = 11) -> pd.DataFrame:
    """Tidy table of :func:`measures` for the twin as made (variant ``""``) and each variant."""
    from cohorts import scenarios as sc_mod
    from cohorts.studies.interest_only import command
    from cohorts.studies.interest_only.parameters import load_parameters
    from cohorts.studies.interest_only.population import build_population, read_inputs
    from cohorts.studies.interest_only.project import outcomes, prepare
    from cohorts.studies.interest_only.results import report_coverage
    from cohorts.studies.interest_only.study_data import scenarios_path

    scenarios = dict(sc_mod.load_scenarios(scenarios_path()))
    params, tables = load_parameters(None), command.load_tables(None)
    inp = read_inputs(data)
    pop = build_population(inp.lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling)
    hh0 = pop.households.reset_index(drop=True)
    factor = report_coverage() / scale

    def chain(hh: pd.DataFrame) -> dict[str, pd.DataFrame]:
        prep = prepare(hh, pop.parts, params=params, tables=tables, scenarios=scenarios)
        return {name: outcomes(prep, scenario=scenarios[name], start_year=start) for name, start in SCENARIO_RUNS}

    first = chain(hh0)
    base = first["base"].set_index("household_id").reindex(hh0["household_id"].to_numpy())
    income = hh0["income_now"].to_numpy(dtype="float64")
    ratio = pd.Series(hh0["debt_now"].to_numpy(dtype="float64") / np.maximum(income, 1_000.0))
    ctx = Context(
        rank=((ratio.rank().to_numpy() - 1.0) / max(len(ratio) - 1, 1)),
        dated=~base["perpetual"].astype("boolean").fillna(True).to_numpy(dtype=bool),
        refi_year=pd.to_numeric(base["refi_year"], errors="coerce").to_numpy(dtype="float64"),
        low_income=base["meas_low_income"].astype("boolean").fillna(False).to_numpy(dtype=bool),
        seed=seed,
    )
    rows = []
    for label, variant in [("", {})] + [(",".join(f"{k}={v:g}" for k, v in v.items()), v) for v in variants]:
        hh = apply_levers(hh0, variant, ctx) if variant else hh0
        res = first if not variant else chain(hh)
        for (scen, measure), value in measures(res, hh, factor=factor).items():
            rows.append({"variant": label, "scenario": scen, "measure": measure, "value": round(float(value), 2)})
        print(f"done: {label or '(as made)'}", file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="a twin (cohorts synth) or extracts in the same layout")
    ap.add_argument("--scale", type=float, required=True, help="the twin's scale (counts are households / scale)")
    ap.add_argument("--out", type=Path, help="tidy CSV to write")
    ap.add_argument("--seed", type=int, default=11, help="seed of the levers' draws")
    ap.add_argument("variants", nargs="*", help="lever=value[,lever=value...] per variant")
    args = ap.parse_args(argv)
    try:
        variants = [parse_variant(v) for v in args.variants]
    except ValueError as err:
        ap.error(str(err))
    warnings.simplefilter("ignore")
    table = run(args.data, variants, scale=args.scale, seed=args.seed)
    if args.out:
        table.to_csv(args.out, index=False)
    wide = table.assign(key=table["scenario"].str[:4] + ":" + table["measure"]).pivot(index="variant", columns="key", values="value")
    print(wide.reindex(table["variant"].unique()).round(1).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
