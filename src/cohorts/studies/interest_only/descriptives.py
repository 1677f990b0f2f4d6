"""The interest-only study's stock tables and figures (Figuren 1, 2, 7, 8, 14, 16) and Tables 1, 2, 3, 5.

Pure functions from the study's frames to tidy tables (exact, never released), and their release
through the gate as rounded / checked tables (:func:`descriptive_releases`), plus the method tables
that are parameters, not data (:func:`method_tables`, from the parameter and scenario files).

Figures and what they are drawn from:

* **Figuur 1** (:func:`prevalence`, ``prevalence.csv``): top, the end-2016 mortgages with at least one
  interest-only or investment part among all the snapshot's mortgages (the selection table's step "no
  interest-only or investment part": the LLD's mortgages before the study's other exclusions, so the
  denominator is mortgages in the LLD, not the 2.53 million CBS mortgage households the study links);
  bottom, fully vs partly IO among the IO households.  The same file holds Tabel 3's note ``#``: the IO
  households whose main earner is a pensioner with an active pension scheme.
* **Figuur 2** (:func:`coverage`, ``coverage.csv``): the median of free wealth now plus the cumulative
  voluntary repayment of the IO parts (original minus current balance; an IO part has no scheduled
  repayment) as percent of the original IO principal, for the households with a refinancing moment, by
  IO share and by remaining term (classes: ``data/descriptives.toml``).
* **Figuur 7** (:func:`risk_by_year`, ``risk_by_year.csv``): in the base scenario, per refinancing year,
  the households with a refinancing moment, those failing the annuity test after using free wealth
  (step 4) and those failing the 50%-IO test after using free wealth (step 6).
* **Figuur 8** (:func:`sale_outcome`) and **Figuur 16** (:func:`scenario_counts`): public arithmetic on
  ``tree.csv`` as released; no further file.
* **Figuur 14** (:func:`perpetual_profile`, ``perpetual_profile.csv``): perpetual vs all IO households:
  shares (main earner older than 60 at end 2016, retired, fully IO, single) and medians (age, income,
  free wealth, debt, LTV, cumulative voluntary repayment).

Disclosure: every count leaves rounded to the sweep's base (``data/release.toml``, at least the gate's
minimum frequency) with shares computed from the rounded count (over the exact group total ``tree.csv``
states, or over another rounded count); a median leaves only when at least ``percentile_min_units``
households stand behind it, with its unit count rounded.  So none of these files states an exact count,
and no hidden cell of ``tree.csv`` or ``perpetuals.csv`` is narrowed by them below the rounding base
(``tests/studies/interest_only/test_io_descriptives.py`` attacks them with a linear program).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts import scenarios as SC
from cohorts.disclosure.checks import Checked, check_table
from cohorts.disclosure.checks.common import EMPTY, NOTE
from cohorts.disclosure.rules import Rules
from cohorts.disclosure.secondary import Release
from cohorts.errors import ConfigError

from . import columns as IO
from .parameters import Parameters
from .population import load_population_params
from .release import (
    ALL,
    GROUPS,
    LAST_SINGLE_YEAR,
    OUTCOMES,
    ReleaseSettings,
    check_rounding,
    population_estimate,
)

PREVALENCE_FILE = "prevalence.csv"
COVERAGE_FILE = "coverage.csv"
RISK_BY_YEAR_FILE = "risk_by_year.csv"
PROFILE_FILE = "perpetual_profile.csv"
METHOD_TABLES_FILE = "method_tables.csv"
#: The loan-part columns the descriptive tables read (:func:`voluntary_repayment`, :func:`coverage`,
#: :func:`perpetual_profile`); ``cohorts refinance`` keeps only these of the parts once the households are projected.
PART_COLUMNS = (IO.HOUSEHOLD_ID, C.REPAYMENT_TYPE, C.ORIGINAL_BALANCE, C.CURRENT_BALANCE)
ROUNDED_NOTE = "rounded to 0: fewer than half the rounding base"
#: Groups of ``risk_by_year.csv`` (households with a refinancing moment, and the two nested failures).
RISK_GROUPS: tuple[str, ...] = ("households", "fail_annuity", "forced_sale")


@dataclass(frozen=True)
class DescriptiveSettings:
    """``data/descriptives.toml``: the classes and cut-offs of the descriptive tables."""

    snapshot_year: int
    io_share_edges: tuple[float, ...]
    term_edges: tuple[int, ...]
    median_decimals: int
    age_cut: int
    money_round_to: int
    ltv_decimals: int


def load_descriptive_settings() -> DescriptiveSettings:
    """The packaged ``data/descriptives.toml``."""
    text = resources.files("cohorts.studies.interest_only").joinpath("data", "descriptives.toml").read_text("utf-8")
    d = tomllib.loads(text)
    try:
        return DescriptiveSettings(
            snapshot_year=int(d["stock"]["snapshot_year"]),
            io_share_edges=tuple(float(x) for x in d["coverage"]["io_share_edges"]),
            term_edges=tuple(int(x) for x in d["coverage"]["term_edges"]),
            median_decimals=int(d["coverage"]["median_decimals"]),
            age_cut=int(d["profile"]["age_cut"]),
            money_round_to=int(d["profile"]["money_round_to"]),
            ltv_decimals=int(d["profile"]["ltv_decimals"]),
        )
    except KeyError as exc:
        raise ConfigError(f"package data descriptives.toml: missing key {exc}") from None


# --------------------------------------------------------------------------
# exact tables (never released as they are)
# --------------------------------------------------------------------------
def voluntary_repayment(households: pd.DataFrame, parts: pd.DataFrame, *,
                        io_types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Original IO principal and cumulative voluntary repayment per household (euro).

    Parameters
    ----------
    households : pandas.DataFrame
        With ``household_id`` (the order of the result).
    parts : pandas.DataFrame
        The end-2016 loan parts with ``household_id``, ``repayment_type``, ``original_balance`` and
        ``current_balance``.
    io_types : tuple of str, optional
        The repayment types counted as interest-only (default: the population file's ``io_types``).

    Returns
    -------
    pandas.DataFrame
        ``original_io`` (sum of the IO parts' original balances) and ``voluntary_repaid`` (sum over the
        IO parts of ``max(0, original - current)``: an IO part has no scheduled repayment), aligned
        with ``households``.
    """
    types = tuple(load_population_params()["io_types"]) if io_types is None else io_types
    is_io = parts[C.REPAYMENT_TYPE].astype(str).isin(types).to_numpy()
    orig = parts[C.ORIGINAL_BALANCE].to_numpy(dtype="float64")
    cur = parts[C.CURRENT_BALANCE].to_numpy(dtype="float64")
    pos = pd.Index(households[IO.HOUSEHOLD_ID]).get_indexer(parts[IO.HOUSEHOLD_ID])
    keep = is_io & (pos >= 0)
    n = len(households)
    return pd.DataFrame({
        IO.ORIGINAL_IO: np.bincount(pos[keep], weights=orig[keep], minlength=n),
        IO.VOLUNTARY_REPAID: np.bincount(pos[keep], weights=np.maximum(orig - cur, 0.0)[keep], minlength=n),
    })


def prevalence(households: pd.DataFrame, selection: pd.DataFrame, *, person: str = "main") -> pd.DataFrame:
    """Figuur 1 and Tabel 3's note ``#``, exact: ``panel, group, n, total``.

    Parameters
    ----------
    households : pandas.DataFrame
        The IO households (``fully_io``, ``labour_status_main``, ``pension_attainable_active_main``;
        with ``person="either"`` also the partner's).
    selection : pandas.DataFrame
        The population's selection table (its step ``no interest-only or investment part``).
    person : {"main", "either"}, default "main"
        Tabel 3's note counts "debtors who are retirees with an active scheme": the main earner (default)
        or either person of the household.

    Returns
    -------
    pandas.DataFrame
        Panel ``mortgages`` (groups ``with_io``, ``without_io``; total = the snapshot's mortgages),
        panel ``io_households`` (``fully_io``, ``partly_io``; total = the IO households) and panel
        ``tabel3_note`` (``retired_active_scheme``, total = the IO households).
    """
    if person not in ("main", "either"):
        raise ValueError(f"prevalence: person must be 'main' or 'either', not {person!r}")
    step = selection[selection["rule"].astype(str) == "no interest-only or investment part"]
    if len(step) != 1:
        raise ValueError("prevalence: the selection table has no single step 'no interest-only or investment part'")
    before, after = int(step["rows_in"].iloc[0]), int(step["rows_out"].iloc[0])
    fully = households[IO.FULLY_IO].to_numpy(dtype=bool)
    total = len(households)

    def retired_active(suffix: str) -> np.ndarray:
        status = households[f"{C.LABOUR_STATUS}{suffix}"].astype(str).to_numpy()
        active = households[f"{C.PENSION_ATTAINABLE_ACTIVE}{suffix}"].to_numpy(dtype="float64")
        return (status == "pensioner") & (active > 0)

    flag = retired_active(IO.MAIN_SUFFIX)
    if person == "either":
        flag |= retired_active(IO.PARTNER_SUFFIX) & households[IO.HAS_PARTNER].to_numpy(dtype=bool)
    rows = [("mortgages", "with_io", after, before), ("mortgages", "without_io", before - after, before),
            ("io_households", "fully_io", int(fully.sum()), total),
            ("io_households", "partly_io", int((~fully).sum()), total),
            ("tabel3_note", "retired_active_scheme", int(flag.sum()), total)]
    return pd.DataFrame(rows, columns=["panel", "group", "n", "total"])


def _classes(values: np.ndarray, edges: tuple[float, ...], labels: list[str]) -> np.ndarray:
    idx = np.searchsorted(np.asarray(edges, dtype="float64"), values, side="left")
    return np.asarray(labels, dtype=object)[np.clip(idx, 0, len(labels) - 1)]


def io_share_labels(edges: tuple[float, ...]) -> list[str]:
    """Labels of the IO-share classes: ``(a, b]`` percent, the last class is 100% (fully IO)."""
    inner = [f"{edges[i]:g}-{edges[i + 1]:g}%" for i in range(len(edges) - 2)]
    return [*inner, f"{edges[-2]:g}-<{edges[-1]:g}%", "100% (fully IO)"]


def term_labels(edges: tuple[int, ...]) -> list[str]:
    """Labels of the remaining-term classes: ``<= e0``, ``e0+1 - e1``, ..., ``> e_last`` years."""
    return [f"<= {edges[0]}", *[f"{edges[i] + 1}-{edges[i + 1]}" for i in range(len(edges) - 1)], f"> {edges[-1]}"]


def coverage_ratio(households: pd.DataFrame, parts: pd.DataFrame, *,
                   io_types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per household with a refinancing moment: free wealth plus voluntary repayment, % of the original IO debt.

    Returns
    -------
    pandas.DataFrame
        ``household_id``, ``io_share_pct`` (IO share of the original principal), ``fully_io``,
        ``refi_year`` (the refinancing year; :func:`coverage` subtracts the snapshot year for the
        remaining term), ``coverage_pct``; only the
        households with a refinancing moment and an original IO principal above 0.
    """
    vol = voluntary_repayment(households, parts, io_types=io_types)
    orig_all = (pd.Series(parts[C.ORIGINAL_BALANCE].to_numpy(dtype="float64"))
                .groupby(pd.Index(households[IO.HOUSEHOLD_ID]).get_indexer(parts[IO.HOUSEHOLD_ID])).sum()
                .reindex(np.arange(len(households)), fill_value=0.0).to_numpy())
    orig_io = vol[IO.ORIGINAL_IO].to_numpy()
    keep = ~households[IO.PERPETUAL].to_numpy(dtype=bool) & (orig_io > 0)
    wealth = households[IO.FREE_WEALTH_NOW].to_numpy(dtype="float64")
    refi = pd.array(households[IO.REFI_YEAR], dtype="Int64").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = 100.0 * orig_io / orig_all
        cov = 100.0 * (wealth + vol[IO.VOLUNTARY_REPAID].to_numpy()) / orig_io
    return pd.DataFrame({IO.HOUSEHOLD_ID: households[IO.HOUSEHOLD_ID].to_numpy()[keep],
                         "io_share_pct": share[keep], IO.FULLY_IO: households[IO.FULLY_IO].to_numpy(dtype=bool)[keep],
                         IO.REFI_YEAR: refi[keep], "coverage_pct": cov[keep]})


def coverage(households: pd.DataFrame, parts: pd.DataFrame, *, settings: DescriptiveSettings,
             io_types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Figuur 2, exact: the median coverage (percent) by IO share and by remaining term.

    Parameters
    ----------
    households : pandas.DataFrame
        The prepared households (with ``free_wealth_now``).
    parts : pandas.DataFrame
    settings : DescriptiveSettings

    Returns
    -------
    pandas.DataFrame
        ``dimension`` (``all``, ``io_share``, ``remaining_term``), ``class``, ``n`` (households),
        ``median`` (percent).  A household whose mortgage is fully IO is in the class "100% (fully IO)"
        whatever its balances say; the remaining term is ``refi_year - snapshot_year`` (a year in the
        past counts as <= 5).
    """
    r = coverage_ratio(households, parts, io_types=io_types)
    share_labels = io_share_labels(settings.io_share_edges)
    share_class = np.where(r[IO.FULLY_IO].to_numpy(), share_labels[-1],
                           _classes(r["io_share_pct"].to_numpy(), settings.io_share_edges[1:-1], share_labels[:-1]))
    t_labels = term_labels(settings.term_edges)
    term = r[IO.REFI_YEAR].to_numpy() - settings.snapshot_year
    term_class = _classes(term, tuple(float(e) for e in settings.term_edges), t_labels)
    cov = r["coverage_pct"].to_numpy()
    rows = [("all", "all", len(cov), float(np.median(cov)) if len(cov) else np.nan)]
    for dim, cls, labels in (("io_share", share_class, share_labels), ("remaining_term", term_class, t_labels)):
        for label in labels:
            v = cov[cls == label]
            rows.append((dim, label, len(v), float(np.median(v)) if len(v) else np.nan))
    return pd.DataFrame(rows, columns=["dimension", "class", "n", "median"])


def risk_by_year(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Figuur 7, exact: per refinancing year (from :data:`~.release.LAST_SINGLE_YEAR` pooled), ``n`` per group.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One scenario's outcomes (the base scenario for the study's figure).

    Returns
    -------
    pandas.DataFrame
        ``refinancing_year`` (text, ``"2060+"`` pooled), ``group`` (:data:`RISK_GROUPS`), ``n``.
    """
    refi = ~outcomes[IO.PERPETUAL].to_numpy(dtype=bool)
    year = pd.array(outcomes[IO.REFI_YEAR], dtype="Int64").to_numpy(dtype="float64", na_value=np.nan)[refi]
    label = np.where(year >= LAST_SINGLE_YEAR, float(LAST_SINGLE_YEAR), year)
    flags = {"households": np.ones(len(year), dtype=bool),
             "fail_annuity": _flag(outcomes, IO.FAIL_ANNUITY)[refi],
             "forced_sale": _flag(outcomes, IO.FORCED_SALE)[refi]}
    years = np.unique(label)
    rows = []
    for y in years:
        at = label == y
        name = f"{int(y)}+" if y >= LAST_SINGLE_YEAR else str(int(y))
        rows += [(name, g, int((flags[g] & at).sum())) for g in RISK_GROUPS]
    return pd.DataFrame(rows, columns=["refinancing_year", "group", "n"])


def _flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.array(frame[col], dtype="boolean").fillna(False).to_numpy(dtype=bool)


#: Figuur 14's characteristics: name -> (statistic, unit).
PROFILE: Mapping[str, tuple[str, str]] = {
    "age_over_cut": ("share", "percent"), "retired": ("share", "percent"), "fully_io": ("share", "percent"),
    "single": ("share", "percent"), "age": ("median", "years"), "income": ("median", "euro"),
    "free_wealth": ("median", "euro"), "debt": ("median", "euro"), "ltv": ("median", "percent"),
    "voluntary_repaid": ("median", "euro"),
}


def perpetual_profile(households: pd.DataFrame, parts: pd.DataFrame, *, settings: DescriptiveSettings,
                      io_types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Figuur 14, exact: perpetual vs all IO households.

    Parameters
    ----------
    households : pandas.DataFrame
        The prepared households (with ``free_wealth_now``).
    parts : pandas.DataFrame
    settings : DescriptiveSettings
        ``age_cut`` (older than 60 at the end of the snapshot year: ``snapshot_year - birth year > 60``).

    Returns
    -------
    pandas.DataFrame
        ``group`` (``perpetual``, ``all``), ``characteristic`` (:data:`PROFILE`), ``statistic``
        (``share`` / ``median``), ``unit``, ``n`` (households in the group), ``count`` (the households
        with the property, shares only), ``value`` (percent of the group, or the median).
    """
    vol = voluntary_repayment(households, parts, io_types=io_types)[IO.VOLUNTARY_REPAID].to_numpy()
    age = settings.snapshot_year - households[IO.MAIN_BIRTH_YEAR].to_numpy(dtype="float64")
    debt = households[IO.DEBT_NOW].to_numpy(dtype="float64")
    value = households[IO.HOUSE_VALUE_NOW].to_numpy(dtype="float64")
    props = {
        "age_over_cut": age > settings.age_cut,
        "retired": households[f"{C.LABOUR_STATUS}{IO.MAIN_SUFFIX}"].astype(str).to_numpy() == "pensioner",
        "fully_io": households[IO.FULLY_IO].to_numpy(dtype=bool),
        "single": ~households[IO.HAS_PARTNER].to_numpy(dtype=bool),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        ltv = 100.0 * debt / value
    amounts = {"age": age, "income": households[IO.INCOME_NOW].to_numpy(dtype="float64"),
               "free_wealth": households[IO.FREE_WEALTH_NOW].to_numpy(dtype="float64"), "debt": debt,
               "ltv": ltv, "voluntary_repaid": vol}
    perpetual = households[IO.PERPETUAL].to_numpy(dtype=bool)
    rows = []
    for group, sel in (("perpetual", perpetual), (ALL, np.ones(len(households), dtype=bool))):
        n = int(sel.sum())
        for name, (stat, unit) in PROFILE.items():
            if stat == "share":
                k = int(props[name][sel].sum())
                rows.append((group, name, stat, unit, n, k, 100.0 * k / n if n else np.nan))
            else:
                v = amounts[name][sel]
                v = v[np.isfinite(v)]
                rows.append((group, name, stat, unit, len(v), np.nan, float(np.median(v)) if len(v) else np.nan))
    return pd.DataFrame(rows, columns=["group", "characteristic", "statistic", "unit", "n", "count", "value"])


# --------------------------------------------------------------------------
# from tree.csv as released (public arithmetic; no further file)
# --------------------------------------------------------------------------
def _num(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce")


def _group_count(n: pd.Series, group: tuple[str, ...]) -> float:
    """A nested group's count from released cells: their sum, or the total minus the rest; NaN if hidden."""
    cells, rest = n[list(group)], n[[o for o in OUTCOMES if o not in group]]
    if not cells.isna().any():
        return float(cells.sum())
    if not rest.isna().any() and np.isfinite(n[ALL]):
        return float(n[ALL]) - float(rest.sum())
    return float("nan")


def sale_outcome(tree: pd.DataFrame, *, scenario: str = "base") -> pd.DataFrame:
    """Figuur 8: the households failing step 6 by sale outcome, from ``tree.csv`` as released.

    Returns
    -------
    pandas.DataFrame
        ``outcome`` (``sale_repays``, ``sale_residual_debt``, ``forced_sale``), ``n`` and
        ``population`` (NaN where the gate hid the cell and released arithmetic cannot give it),
        ``share`` (percent of the step-6 failures).
    """
    rows = tree[tree[IO.SCENARIO].astype(str) == scenario].set_index("outcome")
    if rows.empty:
        raise ValueError(f"sale_outcome: tree.csv has no scenario {scenario!r}")
    n, pop = _num(rows["n"]), _num(rows["population"])
    total = _group_count(n, GROUPS["forced_sale"])
    out = []
    for outcome in ("sale_repays", "sale_residual_debt"):
        k = float(n[outcome])
        if np.isnan(k) and np.isfinite(total):  # one hidden part of the group: the group minus the other
            other = float(n["sale_residual_debt" if outcome == "sale_repays" else "sale_repays"])
            k = total - other if np.isfinite(other) else np.nan
        out.append((outcome, k, float(pop[outcome]) if np.isfinite(pop[outcome]) else np.nan))
    out.append(("forced_sale", total, np.nan))
    frame = pd.DataFrame(out, columns=["outcome", "n", "population"])
    frame["share"] = np.round(100.0 * frame["n"] / total, 2) if np.isfinite(total) and total > 0 else np.nan
    return frame


def scenario_counts(tree: pd.DataFrame, *, settings: ReleaseSettings, scale: float) -> pd.DataFrame:
    """Figuur 16: per scenario the population counts of the published nested groups, from ``tree.csv``.

    Parameters
    ----------
    tree : pandas.DataFrame
        ``tree.csv`` as released.
    settings : ReleaseSettings
    scale : float
        The synthetic scale (1 on real data): population = n / scale x coverage, rounded to thousands.

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``start_year``, ``group`` (``fail_annuity``, ``forced_sale``, ``residual_debt``),
        ``n`` (sample count, from released cells by sums or the total minus the rest; NaN where hidden)
        and ``population``.
    """
    rows = []
    for name, g in tree.groupby(IO.SCENARIO, sort=False):
        n = _num(g.set_index("outcome")["n"])
        start = str(g[IO.START_YEAR].iloc[0])
        for group in ("fail_annuity", "forced_sale", "residual_debt"):
            k = _group_count(n, GROUPS[group])
            rows.append((name, start, group, k))
    out = pd.DataFrame(rows, columns=[IO.SCENARIO, IO.START_YEAR, "group", "n"])
    pop = population_estimate(out["n"].fillna(0.0).to_numpy(), scale=scale, settings=settings)
    out["population"] = np.where(out["n"].isna(), np.nan, pop)
    return out


# --------------------------------------------------------------------------
# Tables 1, 2, 3, 5: method parameters (from the parameter and scenario files; no data)
# --------------------------------------------------------------------------
_GROWTH = {"house_value": SC.HOUSE, "income": SC.INCOME, "pension": SC.PENSION, "wealth": SC.WEALTH}
NOT_HELD = "not held: "


def method_tables(params: Parameters, scenarios: Mapping[str, SC.Scenario]) -> pd.DataFrame:
    """Tables 1, 2, 3 and 5 of the study as the package's parameter and scenario files state them.

    Parameters
    ----------
    params : Parameters
        The run's parameter file.
    scenarios : Mapping[str, cohorts.scenarios.Scenario]
        The scenario file's scenarios (``base`` and the shock scenarios of the run).

    Returns
    -------
    pandas.DataFrame
        ``table, row, column, value, unit, source, note``.  A cell the files cannot carry (a table label,
        an external number) has ``value`` NaN and a note beginning "not held:"; Tabel 3's note ``#`` (a
        share of the data) points to ``prevalence.csv``.  Tabel 2's shock growth is the scenario's first
        shock year (the file allows a path per year); its periods are the scenario file's start years
        (the study's worst timing), the recovery years follow from the shock, floor (A6) and recovery
        lengths.
    """
    rows: list[tuple] = []

    def add(table: str, row: str, column: str, value: float, unit: str, source: str, note: str = "") -> None:
        rows.append((table, row, column, value, unit, source, note))

    # Tabel 1: the one number of the (otherwise qualitative) table
    add("Tabel 1", "consumer_credit_cap", "value", params.consumer_credit_cap, "euro",
        "parameters.toml [wealth] consumer_credit_cap",
        "the table's other rows are qualitative assumptions (docs/io_refinancing.md)")
    # Tabel 2
    base = scenarios.get("base")
    for name, sc in scenarios.items():
        src = f"scenarios.toml [{name}]"
        for row, key in _GROWTH.items():
            v = sc.trend_growth[key] if not sc.is_shock else sc.shock_growth[key][0]
            add("Tabel 2", row, name, 100.0 * float(v), "percent", f"{src}.growth" if sc.is_shock else f"{src}.growth (trend)")
        if sc.is_shock and any(sc.rate_change):
            add("Tabel 2", "mortgage_rate", name, 100.0 * float(sc.rate_change[0]), "percent_points",
                f"{src} rate_change_pp", "rise per year on top of the current level")
        else:
            add("Tabel 2", "mortgage_rate", name, 100.0 * float(sc.trend_rate), "percent", f"{src} rate",
                "the rate level ('stand')")
        if sc.is_shock and sc.start_year is not None:
            down = sc.shock_years + max(sc.floor_years - 1, 0)  # A6: the floor includes the last year of the fall
            add("Tabel 2", "period_start", name, float(sc.start_year), "calendar_year", f"{src} start_year")
            add("Tabel 2", "period_end", name, np.nan, "calendar_year", "",
                NOT_HELD + "the printed period end ('t/m') lies one year before the recovery end the file implies "
                "(year-end convention, targets note); the file states no such year")
            add("Tabel 2", "recovery_start", name, float(sc.start_year + down), "calendar_year",
                f"{src} shock_years, floor_years, start_year")
            add("Tabel 2", "recovery_end", name, float(sc.start_year + down + sc.recovery_years - 1),
                "calendar_year", f"{src} recovery_years")
    add("Tabel 2", "period_start", "base", np.nan, "calendar_year", "",
        NOT_HELD + "the trend has no period of its own (the study's 2016-2060 is a table label)")
    add("Tabel 2", "period_end", "base", np.nan, "calendar_year", "",
        NOT_HELD + "the trend has no period of its own (the study's 2016-2060 is a table label)")
    add("Tabel 2", "note_test_rate", "all", 100.0 * float(base.trend_rate) if base is not None else np.nan,
        "percent", "scenarios.toml [base] rate", "the rate tested in the base and downturn scenarios")
    add("Tabel 2", "note_toetsrente", "all", np.nan, "percent", "",
        NOT_HELD + "the regulatory test rate lenders use is external to the method")
    # Tabel 3
    add("Tabel 3", "self_employed_rr_share", "rule 4", params.self_employed_rr_share, "ratio",
        "parameters.toml [income] self_employed_rr_share")
    add("Tabel 3", "replacement_ratio", "rule 4", params.replacement_ratio, "ratio",
        "parameters.toml [income] replacement_ratio")
    add("Tabel 3", "retirees_active_scheme_share", "note #", np.nan, "percent", "",
        f"data, not a parameter: released in {PREVALENCE_FILE} (panel tabel3_note)")
    # Tabel 5
    if base is not None:
        if base.inflation is not None:
            add("Tabel 5", "inflation", "level", 100.0 * float(base.inflation), "percent", "scenarios.toml [base] inflation")
        for row, key in _GROWTH.items():
            add("Tabel 5", row, "nominal", 100.0 * float(base.trend_growth[key]), "percent",
                "scenarios.toml [base.growth]")
            real = base.real_growth.get(key) if base.real_growth else None
            add("Tabel 5", row, "real", 100.0 * float(real) if real is not None else np.nan, "percent",
                "scenarios.toml [base.real]", "" if real is not None else NOT_HELD + "no real growth in the file")
        add("Tabel 5", "mortgage_rate", "level", 100.0 * float(base.trend_rate), "percent", "scenarios.toml [base] rate")
        add("Tabel 5", "note_test_rate", "all", 100.0 * float(base.trend_rate), "percent", "scenarios.toml [base] rate",
            "the rate tested in the base and downturn scenarios")
        add("Tabel 5", "note_toetsrente", "all", np.nan, "percent", "",
            NOT_HELD + "the regulatory test rate lenders use is external to the method")
    return pd.DataFrame(rows, columns=["table", "row", "column", "value", "unit", "source", "note"])


# --------------------------------------------------------------------------
# the release: rounded counts, checked medians
# --------------------------------------------------------------------------
def _round(n: np.ndarray, base: int) -> np.ndarray:
    return (np.round(np.asarray(n, dtype="float64") / base) * base).astype("int64")


def prevalence_release(table: pd.DataFrame, *, scale: float, settings: ReleaseSettings) -> pd.DataFrame:
    """``prevalence.csv`` before the gate: counts rounded to the base, shares from the rounded counts.

    A panel's share has the panel's rounded total as denominator (``mortgages``) or the exact number of
    IO households ``tree.csv`` states (the other panels).
    """
    base = settings.rounding_base
    out = table[["panel", "group"]].copy()
    n = _round(table["n"], base)
    out["n_rounded"] = n
    total = np.where(table["panel"] == "mortgages", _round(table["total"], base), table["total"]).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.round(100.0 * n / total, 2)
    out["population"] = population_estimate(n, scale=scale, settings=settings)
    out["statistic"] = "count"
    out["n_units"] = n
    out["rounding_base"] = base
    return out


def coverage_release(table: pd.DataFrame, *, settings: ReleaseSettings,
                     descriptive: DescriptiveSettings) -> pd.DataFrame:
    """``coverage.csv`` before the gate: medians rounded to ``median_decimals``, units rounded to the base."""
    out = table[["dimension", "class"]].copy()
    out["median"] = np.round(table["median"].to_numpy(dtype="float64"), descriptive.median_decimals)
    out["n_rounded"] = _round(table["n"], settings.rounding_base)
    out["n_units"] = table["n"].to_numpy()
    out["statistic"] = "median"
    out["unit"] = "percent of the original interest-only principal"
    out["rounding_base"] = settings.rounding_base
    return out


def risk_by_year_release(table: pd.DataFrame, *, scale: float, settings: ReleaseSettings) -> pd.DataFrame:
    """``risk_by_year.csv`` before the gate: rounded counts; years whose households round to 0 left out."""
    base = settings.rounding_base
    out = table[["refinancing_year", "group"]].copy()
    out["n_rounded"] = _round(table["n"], base)
    out["population"] = population_estimate(out["n_rounded"], scale=scale, settings=settings)
    hh = out[out["group"] == "households"].set_index("refinancing_year")["n_rounded"]
    out = out[out["refinancing_year"].map(hh).to_numpy() > 0].reset_index(drop=True)
    out["statistic"] = "count"
    out["n_units"] = out["n_rounded"]
    out["rounding_base"] = base
    return out


def profile_release(table: pd.DataFrame, *, scale: float, settings: ReleaseSettings,
                    descriptive: DescriptiveSettings) -> pd.DataFrame:
    """``perpetual_profile.csv`` before the gate.

    A share's count is rounded to the base and the share computed from it over the group's exact total
    (``tree.csv``'s cells); a median is rounded (euro to ``money_round_to``, percent to ``ltv_decimals``,
    age to whole years) and its units rounded to the base.
    """
    base = settings.rounding_base
    out = table[["group", "characteristic"]].copy()
    out["measure"] = table["statistic"].to_numpy()  # share / median (the gate's ``statistic`` is count / median)
    out["unit"] = table["unit"].to_numpy()
    share = table["statistic"].to_numpy() == "share"
    k = _round(table["count"].fillna(0.0), base)
    n = table["n"].to_numpy(dtype="float64")
    value = table["value"].to_numpy(dtype="float64").copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(share, np.round(100.0 * k / n, 2), value)
    unit = table["unit"].to_numpy()
    money = ~share & (unit == "euro")
    value = np.where(money, np.round(value / descriptive.money_round_to) * descriptive.money_round_to, value)
    value = np.where(~share & (unit == "percent"), np.round(value, descriptive.ltv_decimals), value)
    value = np.where(~share & (unit == "years"), np.round(value), value)
    out["value"] = value
    out["n_rounded"] = np.where(share, k, _round(n, base))
    out["population"] = np.where(share, population_estimate(k, scale=scale, settings=settings), np.nan)
    out["statistic"] = np.where(share, "count", "median")
    out["n_units"] = np.where(share, k, n)
    out["rounding_base"] = base
    return out


def checked_rounded(frame: pd.DataFrame, *, keys: tuple[str, ...], values: tuple[str, ...], artefact: str,
                    rules: Rules, extra=None) -> Checked:  # noqa: ANN001
    """A table of rounded counts and medians through the gate's rules.

    Count rows are checked on their rounded count (0 or at least the base, itself at least the minimum
    frequency), median rows on their exact units (the percentile rule, ``percentile_min_units``); the
    exact units (``n_units``) never leave.  A count rounded to 0 says so, not "empty".
    """
    checked = check_table(frame, rules=rules, artefact=artefact, keys=keys, values=values, n="n_units",
                          carried=("n_rounded",), extra=extra)
    released = checked.released.drop(columns=["n_units"])
    note = released[NOTE].replace(EMPTY, ROUNDED_NOTE)
    n = pd.to_numeric(released["n_rounded"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    zero = (n == 0) & (note.astype(str) == "").to_numpy(dtype=bool)
    released[NOTE] = np.where(zero, ROUNDED_NOTE, note.astype(str).to_numpy())
    return Checked(released, checked.log)


def descriptive_releases(households: pd.DataFrame, parts: pd.DataFrame, selection: pd.DataFrame,
                         outcomes: Mapping[str, pd.DataFrame], *, scale: float, settings: ReleaseSettings,
                         rules: Rules, descriptive: DescriptiveSettings | None = None) -> list[Release]:
    """The gate's :class:`~cohorts.disclosure.secondary.Release` of every descriptive table.

    Parameters
    ----------
    households : pandas.DataFrame
        The prepared households (:attr:`~.project.Prepared.households`).
    parts : pandas.DataFrame
        The population's loan parts.
    selection : pandas.DataFrame
        The population's selection table.
    outcomes : Mapping[str, pandas.DataFrame]
        The run's outcomes per scenario (``risk_by_year.csv`` needs ``base``; without it no such file).
    scale : float
    settings : ReleaseSettings
    rules : Rules
    descriptive : DescriptiveSettings, optional
        Default: the packaged ``data/descriptives.toml``.

    Returns
    -------
    list of Release
        ``prevalence.csv``, ``coverage.csv``, ``perpetual_profile.csv`` and (with the base scenario)
        ``risk_by_year.csv``.
    """
    check_rounding(settings, rules=rules)
    d = load_descriptive_settings() if descriptive is None else descriptive
    prev = prevalence_release(prevalence(households, selection), scale=scale, settings=settings)
    cov = coverage_release(coverage(households, parts, settings=d), settings=settings, descriptive=d)
    prof = profile_release(perpetual_profile(households, parts, settings=d), scale=scale, settings=settings,
                           descriptive=d)
    out = [
        Release(PREVALENCE_FILE, lambda extra: checked_rounded(prev, keys=("panel", "group"),
                                                               values=("share", "population"),
                                                               artefact=PREVALENCE_FILE, rules=rules, extra=extra)),
        Release(COVERAGE_FILE, lambda extra: checked_rounded(cov, keys=("dimension", "class"), values=("median",),
                                                             artefact=COVERAGE_FILE, rules=rules, extra=extra)),
        Release(PROFILE_FILE, lambda extra: checked_rounded(prof, keys=("group", "characteristic"),
                                                            values=("value", "population"), artefact=PROFILE_FILE,
                                                            rules=rules, extra=extra)),
    ]
    if "base" in outcomes:
        risk = risk_by_year_release(risk_by_year(outcomes["base"]), scale=scale, settings=settings)
        out.append(Release(RISK_BY_YEAR_FILE, lambda extra: checked_rounded(
            risk, keys=("refinancing_year", "group"), values=("population",), artefact=RISK_BY_YEAR_FILE,
            rules=rules, extra=extra)))
    return out


def release_descriptives(gate, *, params: Parameters, scenarios: Mapping[str, SC.Scenario], scale: float,  # noqa: ANN001
                         settings: ReleaseSettings, profile: DescriptiveSettings | None = None) -> dict:
    """The writers of the method tables and of the stock figures, drawn from the gated files as read back.

    Parameters
    ----------
    gate : cohorts.disclosure.Gate
        The run's gate after the audit (its ``checked`` holds the descriptive files when
        :func:`descriptive_releases` was among the releases).
    params : Parameters
    scenarios : Mapping[str, cohorts.scenarios.Scenario]
        The scenario file's scenarios (Tabel 2 lists every one the file holds).
    scale : float
    settings : ReleaseSettings
    profile : DescriptiveSettings, optional

    Returns
    -------
    dict
        Relative path -> writer: ``method_tables.csv`` and ``figures/{prevalence, coverage, risk_by_year,
        sale_outcome, perpetual_profile, scenario_counts}.{png,pdf}`` (each where its file was released).
    """
    from cohorts.io import write_csv
    from cohorts.report.style import figure_writers

    from . import figures_stock as F
    from .release import TREE_FILE, as_read_back, read_released_tree

    d = load_descriptive_settings() if profile is None else profile
    method = method_tables(params, scenarios)
    writers: dict = {METHOD_TABLES_FILE: lambda p: write_csv(method, p)}
    drawers = {PREVALENCE_FILE: ("figures/prevalence", F.plot_prevalence),
               COVERAGE_FILE: ("figures/coverage", F.plot_coverage),
               RISK_BY_YEAR_FILE: ("figures/risk_by_year", F.plot_risk_by_year),
               PROFILE_FILE: ("figures/perpetual_profile", lambda t: F.plot_profile(t, age_cut=d.age_cut))}
    for name, (stem, draw) in drawers.items():
        if name in gate.checked:
            writers.update(figure_writers(draw(as_read_back(gate.published(name), read_released)).figure, stem))
    if TREE_FILE in gate.checked:
        tree = as_read_back(gate.published(TREE_FILE), read_released_tree)
        if (tree[IO.SCENARIO].astype(str) == "base").any():
            writers.update(figure_writers(F.plot_sale_outcome(sale_outcome(tree)).figure, "figures/sale_outcome"))
        n_all = pd.to_numeric(tree.loc[tree["outcome"] == ALL, "n"], errors="coerce").iloc[0]
        writers.update(figure_writers(F.plot_scenario_counts(scenario_counts(tree, settings=settings, scale=scale),
                                                             n_households=float(n_all)).figure,
                                      "figures/scenario_counts"))
    return writers


def read_released(source) -> pd.DataFrame:  # noqa: ANN001
    """One of the descriptive files as released, read back (hidden cells keep the marker; keys stay text)."""
    return pd.read_csv(source, dtype={"refinancing_year": str, "class": str, IO.START_YEAR: str},
                       keep_default_na=False)


__all__ = [
    "COVERAGE_FILE", "METHOD_TABLES_FILE", "PREVALENCE_FILE", "PROFILE_FILE", "RISK_BY_YEAR_FILE",
    "DescriptiveSettings", "checked_rounded", "coverage", "coverage_ratio", "descriptive_releases",
    "release_descriptives",
    "load_descriptive_settings", "method_tables", "perpetual_profile", "prevalence", "read_released",
    "risk_by_year", "sale_outcome", "scenario_counts", "voluntary_repayment",
]
