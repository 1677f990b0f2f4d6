"""Linking: loan parts -> mortgages per snapshot -> main earner and partner.

The report's method (appendix 2; checklist items 1-3 in the targets README):

* the observed mortgage debt is the sum of all LLD loan parts of the dwelling;
* mortgages are linked to households through the single 2017 key table
  (loan -> main earner's person id); the partner is the main earner's officially
  cohabiting partner in the CBS records;
* households with more than one mortgage are removed.

Every function here is pure (DataFrame in, DataFrame out) and returns the
:class:`~cohorts.selection.Step` records of what it removed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.contracts import require_columns
from cohorts.persons import PersonYears, as_person_years
from cohorts.selection import Step, drop_step, unit_step

MORTGAGE_COLUMNS = (
    C.SNAPSHOT_YEAR,
    C.LOAN_ID,
    C.N_PARTS,
    C.BALANCE,
    C.INTEREST_RATE,
    C.FIXED_PERIOD_YEARS,
    C.INTEREST_ONLY_AMOUNT,
    C.INTEREST_ONLY_SHARE,
    C.ORIGINATION_DATE,
    C.ORIGINATION_YEAR,
    C.CURRENT_LTV,
    C.HOUSE_VALUE,
    C.LTV,
    C.NHG,
    C.ARREARS,
)


def keep_owner_occupied(parts: pd.DataFrame, *, population: str = "cohorts") -> tuple[pd.DataFrame, Step]:
    """Drop loan parts that are not owner-occupied (not a home mortgage of the household).

    The report studies owner-occupier mortgages; the LLD flag tells them apart.
    This step is ours (the report does not spell it out) and is counted.
    """
    require_columns(parts, [C.OWNER_OCCUPIED], stage="keep_owner_occupied")
    keep = parts[C.OWNER_OCCUPIED].to_numpy(dtype=bool)
    out = parts.loc[keep]
    return out, drop_step(
        population, "loan parts", "owner-occupied loan parts", len(parts), len(out),
        "loan part is not owner-occupied (buy-to-let or other use)",
    )


def aggregate_parts(parts: pd.DataFrame, *, population: str = "cohorts") -> tuple[pd.DataFrame, Step]:
    """Aggregate loan parts to one row per mortgage per snapshot.

    Per ``(snapshot_year, loan_id)``:

    * ``observed_mortgage``: sum of the parts' current balances;
    * ``interest_rate``: balance-weighted mean rate (plain mean where the total
      balance is 0);
    * ``fixed_period_years``: the shortest interest-fixed period among parts with
      a positive balance (all parts if none has one), in whole years (months // 12;
      0 = variable rate);
    * ``interest_only_amount``: balance of the interest-only parts, and its share;
    * ``origination_date``: the oldest part's origination date, and its year;
    * ``current_ltv``: the loan's LTV (the same on every part; the maximum is taken);
      ``house_value = observed_mortgage / (current_ltv / 100)`` where the LTV is
      positive and the balance positive, else missing; ``ltv = current_ltv / 100``;
    * ``nhg`` and ``arrears``: true if true on any part.

    Returns
    -------
    (DataFrame, Step)
        Columns :data:`MORTGAGE_COLUMNS`, sorted by snapshot year and loan id.
    """
    require_columns(
        parts,
        [C.SNAPSHOT_YEAR, C.LOAN_ID, C.CURRENT_BALANCE, C.INTEREST_RATE, C.FIXED_PERIOD_MONTHS,
         C.REPAYMENT_TYPE, C.ORIGINATION_DATE, C.CURRENT_LTV, C.NHG, C.ARREARS],
        stage="aggregate_parts",
    )
    bal = parts[C.CURRENT_BALANCE].to_numpy(dtype="float64")
    rate = parts[C.INTEREST_RATE].to_numpy(dtype="float64")
    months = parts[C.FIXED_PERIOD_MONTHS].to_numpy(dtype="float64")
    work = pd.DataFrame(
        {
            C.SNAPSHOT_YEAR: parts[C.SNAPSHOT_YEAR].to_numpy(),
            C.LOAN_ID: parts[C.LOAN_ID].to_numpy(),
            "bal": bal,
            "rate_x_bal": rate * bal,
            "rate": rate,
            "months_pos": np.where(bal > 0, months, np.nan),
            "months": months,
            "io": np.where((parts[C.REPAYMENT_TYPE] == C.INTEREST_ONLY).to_numpy(dtype=bool), bal, 0.0),
            "orig": parts[C.ORIGINATION_DATE].to_numpy(),
            "ltv": parts[C.CURRENT_LTV].to_numpy(dtype="float64", na_value=np.nan),
            "nhg": parts[C.NHG].to_numpy(dtype=bool),
            "arrears": parts[C.ARREARS].to_numpy(dtype=bool),
        }
    )
    g = work.groupby([C.SNAPSHOT_YEAR, C.LOAN_ID], sort=True, observed=True)
    agg = g.agg(
        n_parts=("bal", "size"),
        bal=("bal", "sum"),
        rate_x_bal=("rate_x_bal", "sum"),
        rate_mean=("rate", "mean"),
        months_pos=("months_pos", "min"),
        months=("months", "min"),
        io=("io", "sum"),
        orig=("orig", "min"),
        ltv=("ltv", "max"),
        nhg=("nhg", "max"),
        arrears=("arrears", "max"),
    ).reset_index()
    total = agg["bal"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted = np.where(total > 0, agg["rate_x_bal"].to_numpy() / np.where(total > 0, total, 1.0), agg["rate_mean"].to_numpy())
        io_share = np.where(total > 0, agg["io"].to_numpy() / np.where(total > 0, total, 1.0), 0.0)
    months_rel = agg["months_pos"].fillna(agg["months"]).to_numpy()
    ltv_pct = agg["ltv"].to_numpy()
    valid_hv = (ltv_pct > 0) & (total > 0)
    house_value = np.full(len(agg), np.nan)
    house_value[valid_hv] = total[valid_hv] / (ltv_pct[valid_hv] / 100.0)
    out = pd.DataFrame(
        {
            C.SNAPSHOT_YEAR: agg[C.SNAPSHOT_YEAR].astype("int16"),
            C.LOAN_ID: agg[C.LOAN_ID],
            C.N_PARTS: agg["n_parts"].astype("int16"),
            C.BALANCE: total,
            C.INTEREST_RATE: weighted,
            C.FIXED_PERIOD_YEARS: (months_rel // 12).astype("int16"),
            C.INTEREST_ONLY_AMOUNT: agg["io"].to_numpy(),
            C.INTEREST_ONLY_SHARE: io_share,
            C.ORIGINATION_DATE: agg["orig"],
            C.ORIGINATION_YEAR: agg["orig"].dt.year.astype("int16"),
            C.CURRENT_LTV: ltv_pct,
            C.HOUSE_VALUE: house_value,
            C.LTV: ltv_pct / 100.0,
            C.NHG: agg["nhg"].astype(bool),
            C.ARREARS: agg["arrears"].astype(bool),
        }
    )
    return out, unit_step(
        population, "mortgage-snapshots", "aggregate loan parts per loan and snapshot", len(parts), len(out),
        "loan parts summed to one mortgage per snapshot (balance, weighted rate, shortest fixed period, "
        "interest-only amount, oldest origination date, NHG, arrears)",
    )


def link_key(mortgages: pd.DataFrame, key: pd.DataFrame, *, population: str = "cohorts") -> tuple[pd.DataFrame, Step]:
    """Attach the main earner's person id through the 2017 key table; drop unlinkable loans.

    A mortgage-snapshot whose loan id is not in the key table cannot be linked to
    CBS data and is dropped (report footnote 4: one key table, 2017; loans first
    seen in 2018 are not in it).
    """
    require_columns(key, [C.LOAN_ID, C.PERSON_ID], stage="link_key (key table)")
    k = key[[C.LOAN_ID, C.PERSON_ID]].rename(columns={C.PERSON_ID: C.MAIN_ID})
    out = mortgages.merge(k, on=C.LOAN_ID, how="inner", validate="many_to_one")
    out = out.sort_values([C.SNAPSHOT_YEAR, C.LOAN_ID], kind="stable").reset_index(drop=True)
    return out, drop_step(
        population, "mortgage-snapshots", "linkable through the 2017 key table", len(mortgages), len(out),
        "loan id not in the key table (not matched by CBS, or first seen after 2017)",
    )


def partner_at(frame: pd.DataFrame, cbs: pd.DataFrame | PersonYears, *, year_col: str, offset: int = 1) -> pd.Series:
    """The main earner's partner id from the CBS record of ``frame[year_col] + offset``.

    Returns a Series aligned with ``frame`` (missing where the main earner has no
    record that year or no partner).
    """
    rec = as_person_years(cbs).lookup(frame[C.MAIN_ID], frame[year_col].to_numpy(dtype="int64") + offset, [C.PARTNER_ID])
    return pd.Series(rec[C.PARTNER_ID].array, index=frame.index, name=C.PARTNER_ID)


def multi_mortgage_loans(linked: pd.DataFrame, cbs: pd.DataFrame | PersonYears) -> np.ndarray:
    """Loan ids of households that hold more than one mortgage in some snapshot.

    A household is the main earner plus the partner (the main earner's CBS
    partner id of year t+1, the same year whose finances are used). A loan is
    flagged when, in some snapshot, its main earner or partner is a member of
    another loan's household too (e.g. the same person is main earner of two
    loans, or the partner is the main earner of another loan).
    """
    partner = partner_at(linked, cbs, year_col=C.SNAPSHOT_YEAR)
    members = pd.concat(
        [
            pd.DataFrame({C.SNAPSHOT_YEAR: linked[C.SNAPSHOT_YEAR].to_numpy(), C.LOAN_ID: linked[C.LOAN_ID].to_numpy(), "person": linked[C.MAIN_ID].to_numpy()}),
            pd.DataFrame({C.SNAPSHOT_YEAR: linked[C.SNAPSHOT_YEAR].to_numpy(), C.LOAN_ID: linked[C.LOAN_ID].to_numpy(), "person": partner.to_numpy()}),
        ],
        ignore_index=True,
    ).dropna(subset=["person"])
    members = members.drop_duplicates()
    n_loans = members.groupby([C.SNAPSHOT_YEAR, "person"], sort=False)[C.LOAN_ID].transform("size")
    return np.unique(members.loc[n_loans.to_numpy() > 1, C.LOAN_ID].to_numpy())
