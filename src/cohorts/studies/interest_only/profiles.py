"""Profiles of vulnerable households against all households with a refinancing moment (Figuren 11-13, 25-28).

The study compares two groups of the base scenario (spec section 4, checklist H40):

* **vulnerable** (dark blue; checklist E28): fail step 6 (the 50%-interest-only test after using free
  wealth), the LTI norm binds, and no sign of a measurement error (income 2017 below the
  social-assistance level, or a current LTV above 200%).  The flag needs the social-assistance level,
  which the report does not print (A10): by default the packaged net proxy (Stcrt. 2017, 36285; a lower
  bound of the flag, so the group is an upper bound: :func:`~.tree.social_assistance_level`), a
  user-supplied gross level overriding it.  **Where no level is known the group is unknown** and
  :func:`profile_table` leaves its rows out, so only the comparison group is released;
* **refi_moment** (light blue): every household with a refinancing moment (not perpetual; includes
  the step-2 repayers), 1.09 million in the report's sample.

Characteristics (classes in ``data/profiles.toml``, with the report's printed cut-offs as edges):

====  ===================  =====================================================================
Fig.  panel                variable
====  ===================  =====================================================================
11    income_at_refi       test income at the refinancing date, nominal (Y_T; the text's "inkomen
                           onder 30.000 op herfinancieringsdatum"; the price level is not stated,
                           alternative ``income_basis="real_2017"``: Y_T's components in 2017 prices)
11    consumer_credit      consumer credit now (CK, capped "overige schulden"; fn 37-38)
12    household_type       single / with partner (children are not in the inputs)
12    entrepreneur         dga / self-employed (incl. employee-self-employed) / neither, of the main
                           earner or the partner (``entrepreneur="any"``, default; ``"main"``: main
                           earner only); dga first
13    debt_now             mortgage debt now (D0)
13    house_value_now      WOZ value now (V0)
13    ltv_now              100 x D0 / V0
25    income_now           household gross income 2017 (the test-income sources, both persons)
26    income_drop          100 x (1 - retirement income / income 2017): retirement income is the
                           test income in the pension regime at the main earner's AOW year on the
                           attainable pension (AOW and second pillar, 2017 prices; the study's
                           D15 rules); only households whose main earner is below the AOW age in
                           2017, not a pensioner, with a positive income (the report's Figuur 26
                           has 34.0 instead of 36.5 thousand vulnerable households: the already
                           retired have no drop ahead; the report does not say so)
27    io_at_origination    interest-only and investment share of the parts' original principal
                           (footnote 40: "volledig aflossingsvrij" = 100%)
28    arrears              any loan part in arrears (>= 3 months) at the snapshot; the report does
                           not name the source of "nu al meer moeite om hun hypotheek te betalen"
====  ===================  =====================================================================

:func:`profile_variables` computes one row per household (pure; the study's households, outcomes and
parts frames in, nothing read or written), :func:`profile_table` the exact tidy counts (never
released), :func:`released_profiles` the release: counts **rounded** to ``release.toml``'s
``[sweep] rounding_base`` like ``by_year.csv`` (a class and its group both cover households that
``tree.csv`` counts exactly, e.g. the refinancing-moment group is ``tree.csv``'s total minus its
perpetuals, so exact small classes could be subtracted), shares from the rounded counts, and the
population estimate (H39) from them.  :func:`profile_release` passes it through the gate's frequency
rule (rounded counts are 0 or at least the base); a class whose count rounds to 0 is released as 0
with the disclosure note "rounded to 0".
"""

from __future__ import annotations

import io
import os
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.disclosure.checks import Checked, check_table
from cohorts.disclosure.checks.common import EMPTY
from cohorts.disclosure.rules import Rules
from cohorts.disclosure.secondary import Release
from cohorts.errors import ConfigError, NormTableFallbackWarning
from cohorts.norms.tables import NormTables

from . import columns as IO
from .income import income_at_refi
from .parameters import Parameters
from .population import load_population_params
from .release import ReleaseSettings, check_rounding, population_estimate

PROFILES_FILE = "profiles.csv"
VULNERABLE = "vulnerable"
REFI_MOMENT = "refi_moment"
#: The two groups in the order the figures draw them (dark blue, light blue).
GROUPS: tuple[str, ...] = (VULNERABLE, REFI_MOMENT)
ALL = "all"
KEYS = (IO.PROFILE_FIGURE, IO.PROFILE_PANEL, IO.PROFILE_GROUP, IO.PROFILE_CLASS)
#: The loan-part columns the profiles read (Figuren 27 and 28); ``cohorts refinance`` keeps only these (and
#: :data:`cohorts.studies.interest_only.descriptives.PART_COLUMNS`) of the parts once the households are projected.
PART_COLUMNS = (IO.HOUSEHOLD_ID, C.REPAYMENT_TYPE, C.ORIGINAL_BALANCE, C.ARREARS)
#: The figures' numbers in the report, in order.
FIGURES: tuple[int, ...] = (11, 12, 13, 25, 26, 27, 28)
DGA, SELF_EMPLOYED, NO_ENTREPRENEUR = "director-shareholder (dga)", "self-employed", "no entrepreneur"
SINGLE, PARTNERED = "single", "with partner"
IN_ARREARS_LABEL, NO_ARREARS_LABEL = "in arrears", "no arrears"
ROUNDED_TO_0 = "rounded to 0: fewer than half the rounding base"
#: Panel -> the column of :func:`profile_variables` it classifies.
VARIABLES: Mapping[str, str] = {
    "income_at_refi": IO.TEST_INCOME_AT_T,
    "consumer_credit": IO.CONSUMER_CREDIT_NOW,
    "household_type": IO.HAS_PARTNER,
    "entrepreneur": "entrepreneur",
    "debt_now": IO.DEBT_NOW,
    "house_value_now": IO.HOUSE_VALUE_NOW,
    "ltv_now": "ltv_now_pct",
    "income_now": IO.INCOME_NOW,
    "income_drop": IO.INCOME_DROP_PCT,
    "io_at_origination": IO.IO_SHARE_ORIGINATION_PCT,
    "arrears": IO.IN_ARREARS,
}


@dataclass(frozen=True)
class Panel:
    """One characteristic of a profile figure (a section of ``data/profiles.toml``)."""

    name: str
    figure: int
    title: str
    labels: tuple[str, ...]
    edges: tuple[float, ...] | None = None
    closed: str = "right"


def load_profile_classes(path: str | os.PathLike | None = None) -> dict[str, Panel]:
    """The profile panels and their classes (default: the packaged ``data/profiles.toml``).

    Raises
    ------
    cohorts.errors.ConfigError
        A panel unknown to :data:`VARIABLES`, edges that do not ascend or do not match the labels.
    """
    if path is None:
        text = resources.files("cohorts.studies.interest_only").joinpath("data", "profiles.toml").read_text(
            encoding="utf-8")
        source = "package data profiles.toml"
    else:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        source = str(path)
    raw = tomllib.loads(text)
    out = {}
    for name, spec in raw.items():
        if name not in VARIABLES:
            raise ConfigError(f"{source}: unknown panel [{name}] (known: {', '.join(VARIABLES)})")
        labels = tuple(str(x) for x in spec["labels"])
        edges = tuple(float(x) for x in spec["edges"]) if "edges" in spec else None
        if edges is not None and (len(edges) != len(labels) + 1 or np.any(np.diff(edges) <= 0)):
            raise ConfigError(f"{source}: [{name}] needs ascending edges, one more than labels")
        closed = str(spec.get("closed", "right"))
        if closed not in ("right", "left"):
            raise ConfigError(f"{source}: [{name}] closed must be 'right' or 'left', not {closed!r}")
        out[name] = Panel(name=name, figure=int(spec["figure"]), title=str(spec["title"]), labels=labels,
                          edges=edges, closed=closed)
    return out


def vulnerable_known(outcomes: pd.DataFrame) -> bool:
    """Whether the vulnerable flag is known for every household (a social-assistance level, A10, was found)."""
    return not bool(pd.array(outcomes[IO.VULNERABLE], dtype="boolean").isna().any())


def retirement_income(households: pd.DataFrame, *, params: Parameters, tables: NormTables,
                      rate: np.ndarray | float) -> np.ndarray:
    """Household income at the main earner's AOW year on the attainable pension, 2017 prices (D15).

    The study's test income in the pension regime (AOW x entitlement share plus the second pillar by
    labour status, the partner following the main earner) before growth, at ``birth year + aow_age``.
    ``rate`` only feeds the financing percentage, which is not used.
    """
    year = households[IO.MAIN_BIRTH_YEAR].to_numpy(dtype="int64") + int(params.aow_age)
    with warnings.catch_warnings():  # the table-year note was given when the study prepared the households
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        at = income_at_refi(households, params=params, tables=tables, rate=rate, year=year,
                            accrued_estimate="attainable", consumer_credit_net=np.zeros(len(households)),
                            source="households (retirement income)")
    return (at[IO.TEST_INCOME_LABOUR_AOW] + at[IO.TEST_INCOME_SECOND_PILLAR]).to_numpy(dtype="float64")


def retirement_ahead(households: pd.DataFrame, *, params: Parameters) -> np.ndarray:
    """Households with their retirement still ahead in the income year: Figuur 26's population.

    The main earner is below the AOW age in the income year (``income_year`` of ``population.toml``), is
    not a pensioner, and the household's 2017 income is positive (the report's Figuur 26 counts 34.0
    thousand sample households against 36.5 thousand in the other profiles: the retired have no drop ahead;
    the report does not say so).  Used by the profile and by the comparison's rule for its N.
    """
    income_year = int(load_population_params()["income_year"])
    main = households[f"{C.LABOUR_STATUS}{IO.MAIN_SUFFIX}"].astype(str).to_numpy()
    income_now = households[IO.INCOME_NOW].to_numpy(dtype="float64")
    return ((income_year - households[IO.MAIN_BIRTH_YEAR].to_numpy(dtype="int64") < params.aow_age)
            & (main != "pensioner") & (income_now > 0))


def profile_variables(
    households: pd.DataFrame,
    outcomes: pd.DataFrame,
    parts: pd.DataFrame,
    *,
    params: Parameters,
    tables: NormTables,
    income_basis: Literal["nominal", "real_2017"] = "nominal",
    entrepreneur: Literal["any", "main"] = "any",
) -> pd.DataFrame:
    """One row per household: the two groups' flags and the variables the profile panels classify.

    Parameters
    ----------
    households : pandas.DataFrame
        The prepared households (:attr:`cohorts.studies.interest_only.project.Prepared.households`),
        in the row order of ``outcomes``.
    outcomes : pandas.DataFrame
        :func:`cohorts.studies.interest_only.project.outcomes` of the base scenario.
    parts : pandas.DataFrame
        The households' loan parts (``household_id``, ``repayment_type``, ``original_balance``,
        ``arrears``).
    params : Parameters
    tables : cohorts.norms.tables.NormTables
        For the retirement income (Figuur 26).
    income_basis : {"nominal", "real_2017"}, default "nominal"
        Figuur 11's income at the refinancing date: nominal Y_T (default; the comparison's rule for
        "onder 30.000 op herfinancieringsdatum") or its components in 2017 prices.
    entrepreneur : {"any", "main"}, default "any"
        Whose labour status makes a household an entrepreneur's (Figuur 12).

    Returns
    -------
    pandas.DataFrame
        ``household_id``, ``refi_moment`` (bool), ``vulnerable`` (boolean, <NA> when unknown) and the
        columns of :data:`VARIABLES` (NaN where a panel does not apply).

    Raises
    ------
    ValueError
        When the households and outcomes are not in the same order, or an option is unknown.
    """
    if income_basis not in ("nominal", "real_2017"):
        raise ValueError(f"income_basis must be 'nominal' or 'real_2017', not {income_basis!r}")
    if entrepreneur not in ("any", "main"):
        raise ValueError(f"entrepreneur must be 'any' or 'main', not {entrepreneur!r}")
    hid = households[IO.HOUSEHOLD_ID].to_numpy()
    if len(hid) != len(outcomes) or not np.array_equal(hid, outcomes[IO.HOUSEHOLD_ID].to_numpy()):
        raise ValueError("profile_variables: households and outcomes must list the same households in the same order")
    hh = households
    refi = ~outcomes[IO.PERPETUAL].to_numpy(dtype=bool)
    if income_basis == "nominal":
        income_t = outcomes[IO.TEST_INCOME_AT_T].to_numpy(dtype="float64")
    else:
        income_t = (hh[IO.TEST_INCOME_LABOUR_AOW] + hh[IO.TEST_INCOME_SECOND_PILLAR]).to_numpy(dtype="float64")
    # entrepreneurs: dga before self-employed
    main = hh[f"{C.LABOUR_STATUS}{IO.MAIN_SUFFIX}"].astype(str).to_numpy()
    statuses = [main]
    if entrepreneur == "any":
        statuses.append(hh[f"{C.LABOUR_STATUS}{IO.PARTNER_SUFFIX}"].astype(str).to_numpy())
    dga = np.logical_or.reduce([s == "dga" for s in statuses])
    self_emp = np.logical_or.reduce([np.isin(s, ("self_employed", "employee_self_employed")) for s in statuses])
    kind = np.where(dga, DGA, np.where(self_emp, SELF_EMPLOYED, NO_ENTREPRENEUR))
    debt = hh[IO.DEBT_NOW].to_numpy(dtype="float64")
    value = hh[IO.HOUSE_VALUE_NOW].to_numpy(dtype="float64")
    ltv = np.divide(100.0 * debt, value, out=np.full(len(hh), np.nan), where=value > 0)
    # Figuur 26: households whose main earner has not yet retired in the income year
    income_now = hh[IO.INCOME_NOW].to_numpy(dtype="float64")
    ahead = retirement_ahead(hh, params=params)
    drop = np.full(len(hh), np.nan)
    if ahead.any():
        rate = outcomes[IO.RATE_AT_T].to_numpy(dtype="float64")[ahead]
        retire = retirement_income(hh.loc[ahead], params=params, tables=tables, rate=rate)
        drop[ahead] = 100.0 * (1.0 - retire / income_now[ahead])
    # Figuur 27 and 28 from the loan parts
    io_types = tuple(load_population_params()["io_types"])
    p_hid = parts[IO.HOUSEHOLD_ID].to_numpy()
    original = pd.to_numeric(parts[C.ORIGINAL_BALANCE]).to_numpy(dtype="float64", na_value=np.nan)
    is_io = parts[C.REPAYMENT_TYPE].astype(str).isin(io_types).to_numpy()
    sums = pd.DataFrame({"h": p_hid, "all": original, "io": np.where(is_io, original, 0.0),
                         "missing": np.isnan(original),
                         "arrears": pd.array(parts[C.ARREARS], dtype="boolean").fillna(False).to_numpy(dtype=bool)})
    by = sums.groupby("h", sort=False).agg({"all": "sum", "io": "sum", "missing": "any", "arrears": "any"})
    by = by.reindex(hid)
    # a household with a part whose original principal is unknown has no share (not a partial one)
    total = np.where(by["missing"].to_numpy(dtype=bool, na_value=True), np.nan, by["all"].to_numpy(dtype="float64"))
    io_share = np.divide(100.0 * by["io"].to_numpy(dtype="float64"), total, out=np.full(len(hh), np.nan),
                         where=np.isfinite(total) & (total > 0))
    arrears = by["arrears"].astype("boolean").to_numpy(dtype="float64", na_value=np.nan)
    return pd.DataFrame({
        IO.HOUSEHOLD_ID: hid,
        REFI_MOMENT: refi,
        VULNERABLE: pd.array(outcomes[IO.VULNERABLE], dtype="boolean"),
        IO.TEST_INCOME_AT_T: income_t,
        IO.CONSUMER_CREDIT_NOW: hh[IO.CONSUMER_CREDIT_NOW].to_numpy(dtype="float64"),
        IO.HAS_PARTNER: hh[IO.HAS_PARTNER].astype("boolean").fillna(False).to_numpy(dtype=bool),
        "entrepreneur": kind,
        IO.DEBT_NOW: debt,
        IO.HOUSE_VALUE_NOW: value,
        "ltv_now_pct": ltv,
        IO.INCOME_NOW: income_now,
        IO.INCOME_DROP_PCT: drop,
        IO.IO_SHARE_ORIGINATION_PCT: io_share,
        IO.IN_ARREARS: arrears,
    })


def classify(variables: pd.DataFrame, panel: Panel) -> pd.Series:
    """The class label of every household in one panel (missing where the panel does not apply)."""
    col = variables[VARIABLES[panel.name]]
    if panel.edges is not None:
        return pd.cut(pd.to_numeric(col), bins=list(panel.edges), labels=list(panel.labels),
                      right=panel.closed == "right").astype(object)
    if panel.name == "household_type":
        mapped = np.where(col.to_numpy(dtype=bool), PARTNERED, SINGLE)
    elif panel.name == "arrears":
        v = col.to_numpy(dtype="float64")
        mapped = np.where(np.isnan(v), None, np.where(v == 1.0, IN_ARREARS_LABEL, NO_ARREARS_LABEL))
    else:
        mapped = col.astype(object).to_numpy()
    out = pd.Series(mapped, index=variables.index, dtype=object)
    unknown = set(out.dropna()) - set(panel.labels)
    if unknown:
        raise ConfigError(f"profiles.toml [{panel.name}]: labels must include {sorted(unknown)}")
    return out


def profile_table(variables: pd.DataFrame, *, panels: Mapping[str, Panel] | None = None) -> pd.DataFrame:
    """Exact counts per figure, panel, group and class (never released; see :func:`released_profiles`).

    Parameters
    ----------
    variables : pandas.DataFrame
        :func:`profile_variables`.
    panels : mapping, optional
        :func:`load_profile_classes` (default: the packaged classes).

    Returns
    -------
    pandas.DataFrame
        ``figure, panel, group, class, n, share``: one row per class and an ``all`` row per panel and
        group (the group's households with a known class in that panel; the classes sum to it);
        ``share`` in percent of that row.  The vulnerable group's rows are left out when its flag is
        unknown for some household (the social-assistance level was not supplied).
    """
    panels = load_profile_classes() if panels is None else panels
    vul = pd.array(variables[VULNERABLE], dtype="boolean")
    masks = {REFI_MOMENT: variables[REFI_MOMENT].to_numpy(dtype=bool)}
    if not vul.isna().any():
        masks = {VULNERABLE: vul.to_numpy(dtype=bool), **masks}
    rows = []
    for panel in panels.values():
        labels = classify(variables, panel)
        for group in GROUPS:
            if group not in masks:
                continue
            chosen = labels[masks[group]].dropna()
            counts = chosen.value_counts().reindex(list(panel.labels), fill_value=0)
            total = int(counts.sum())
            for cls, n in [(ALL, total), *counts.items()]:
                rows.append({IO.PROFILE_FIGURE: panel.figure, IO.PROFILE_PANEL: panel.name, IO.PROFILE_GROUP: group,
                             IO.PROFILE_CLASS: cls, "n": int(n),
                             "share": 100.0 * n / total if total else np.nan})
    return pd.DataFrame(rows, columns=[*KEYS, "n", "share"])


def released_profiles(table: pd.DataFrame, *, scale: float, settings: ReleaseSettings, rules: Rules) -> pd.DataFrame:
    """``profiles.csv`` before the gate: every count rounded to the base, shares and populations from them.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`profile_table`.
    scale, settings, rules
        The synthetic scale, ``release.toml`` and the gate's rules (the base must be at least the
        minimum frequency, :func:`~cohorts.studies.interest_only.release.check_rounding`).

    Returns
    -------
    pandas.DataFrame
        ``figure, panel, group, class, n_rounded, share`` (percent of the rounded ``all`` row of the
        same panel and group, one decimal; NaN when that rounds to 0), ``population`` (H39) and
        ``rounding_base``.
    """
    check_rounding(settings, rules=rules)
    base = settings.rounding_base
    out = table[list(KEYS)].copy()
    n = np.round(table["n"].to_numpy(dtype="float64") / base) * base
    out["n_rounded"] = n.astype("int64")
    total = pd.Series(np.where(table[IO.PROFILE_CLASS].to_numpy() == ALL, n, np.nan)).groupby(
        [table[IO.PROFILE_PANEL].to_numpy(), table[IO.PROFILE_GROUP].to_numpy()]).transform("max").to_numpy()
    out["share"] = np.round(np.divide(100.0 * n, total, out=np.full(len(n), np.nan), where=total > 0), 1)
    out["population"] = population_estimate(n, scale=scale, settings=settings)
    out["rounding_base"] = base
    return out


def check_profiles(released: pd.DataFrame, *, rules: Rules, extra=None) -> Checked:  # noqa: ANN001
    """The gate's frequency rule over :func:`released_profiles` (a rounded 0 is "rounded to 0", not empty)."""
    checked = check_table(released, rules=rules, artefact=PROFILES_FILE, keys=KEYS, values=("share", "population"),
                          statistic="count", n="n_rounded", extra=extra)
    return Checked(checked.released.assign(disclosure=checked.released["disclosure"].replace(EMPTY, ROUNDED_TO_0)),
                   checked.log)


def profile_release(
    households: pd.DataFrame,
    outcomes: pd.DataFrame,
    parts: pd.DataFrame,
    *,
    params: Parameters,
    tables: NormTables,
    scale: float,
    settings: ReleaseSettings,
    rules: Rules,
) -> tuple[Release, str | None]:
    """What ``cohorts refinance`` hands the gate for ``profiles.csv``, and why the vulnerable group is absent.

    Returns
    -------
    (cohorts.disclosure.secondary.Release, str or None)
        The release, and a sentence for the log when the vulnerable group is unknown (else None).
    """
    variables = profile_variables(households, outcomes, parts, params=params, tables=tables)
    released = released_profiles(profile_table(variables), scale=scale, settings=settings, rules=rules)
    note = None if vulnerable_known(outcomes) else (
        "profiles.csv: the vulnerable group is unknown (the social-assistance level, which the report does not "
        "print, was not supplied and the parameters have no [social_assistance_net] proxy: give "
        "user_supplied.social_assistance_single and _couple in a --parameters file); "
        "only the households with a refinancing moment are released")
    return Release(PROFILES_FILE, lambda extra: check_profiles(released, rules=rules, extra=extra)), note


def read_released_profiles(source: str | os.PathLike | io.StringIO) -> pd.DataFrame:
    """``profiles.csv`` as released, read back (a hidden cell keeps its marker as a string)."""
    return pd.read_csv(source, dtype={IO.PROFILE_CLASS: str, IO.PROFILE_PANEL: str, IO.PROFILE_GROUP: str},
                       keep_default_na=False)
