"""Origination cohorts: new mortgages, household finances at t+1, follow-up.

The report's rules (chapter 2 and appendix 2; checklist items 4-9, 20-21 of the
targets README), each applied as a counted step:

* **origination year** is identified only when the year of the oldest loan part
  (``origination_date``) equals the first snapshot in which the mortgage is
  observed; otherwise the mortgage is dropped. Loans first seen in 2012 with an
  older origination are the existing stock, not new mortgages (same rule,
  counted separately). Refinancing and moving keep the oldest part, so the
  origination year does not move.
* **cohorts** are 2012-2017.
* **household finances** come from the CBS records of year t+1: income of t+1,
  savings, securities and debts on 1 January t+1, for the main earner and the
  partner named in the main earner's t+1 record.
* **consumer credit** is CBS "overige schulden" of the household when at most
  50,000 euro, else 0 (our reading of "het bedrag aan overige schulden tot
  50.000 euro": larger debts are assumed not to be consumer credit, so they are
  set to 0, not capped; the bound is a parameter).
* **starter**: main earner aged 35 or younger at origination (age = cohort year
  minus birth year).
* **house value** = current balance / current LTV at the origination snapshot.
* **follow-up**: duration in whole years with 1 = the origination year; the
  event is the first snapshot with registered arrears; otherwise the mortgage is
  censored at the last snapshot in which it is seen (up to 2018).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.contracts import require_columns
from cohorts.frames import side_by_side
from cohorts.persons import PersonYears, as_person_years
from cohorts.selection import Step, drop_step, keep_rows, unit_step

#: default bound on "overige schulden" counted as consumer credit (report, appendix 2)
CONSUMER_CREDIT_BOUND = 50_000.0
#: starters: main earner at most this old at origination (report, chapter 2)
STARTER_MAX_AGE = 35


def loans_from_snapshots(linked: pd.DataFrame, *, population: str = "cohorts") -> tuple[pd.DataFrame, Step]:
    """One row per loan: the origination snapshot's values plus first and last snapshot seen.

    The row carries the mortgage as observed at its first snapshot (balance,
    rate, fixed period, interest-only amount, LTV, house value, NHG), its
    ``origination_date`` and ``origination_year`` (the oldest part's date over
    all snapshots in which the loan is seen), ``first_seen`` and ``last_seen``.
    """
    require_columns(linked, [C.SNAPSHOT_YEAR, C.LOAN_ID, C.ORIGINATION_YEAR, C.MAIN_ID], stage="loans_from_snapshots")
    # order and groups from the two key columns; the full width is copied once, for the first snapshots
    loan = linked[C.LOAN_ID].to_numpy()
    year = linked[C.SNAPSHOT_YEAR].to_numpy()
    order = np.lexsort((year, loan)) if len(loan) else np.zeros(0, dtype="int64")
    sorted_loan = loan[order]
    starts = np.flatnonzero(np.r_[True, sorted_loan[1:] != sorted_loan[:-1]]) if len(loan) else order
    loans = linked.take(order[starts])  # each loan's first snapshot (ties keep the row order)
    loans.index = pd.RangeIndex(len(loans))
    last_seen = np.maximum.reduceat(year[order], starts) if len(loan) else year[:0]
    # the oldest part over all snapshots: a part older than the first snapshot's
    # oldest that turns up later makes the origination year unidentified
    dates = linked[C.ORIGINATION_DATE].to_numpy().astype("datetime64[ns]")
    oldest = pd.DatetimeIndex(np.minimum.reduceat(dates[order], starts) if len(loan) else dates[:0])
    loans[C.ORIGINATION_DATE] = oldest
    loans[C.ORIGINATION_YEAR] = oldest.year.to_numpy().astype("int16")
    loans = loans.rename(columns={C.SNAPSHOT_YEAR: C.FIRST_SEEN})
    loans[C.LAST_SEEN] = last_seen.astype("int16")
    loans = loans[[C.LOAN_ID, *(c for c in loans.columns if c != C.LOAN_ID)]]
    return loans, unit_step(
        population, "mortgages", "one row per mortgage", len(linked), len(loans),
        "mortgage-snapshots collapsed to one row per loan (values of the first snapshot; first and last snapshot seen)",
    )


def select_new_mortgages(
    loans: pd.DataFrame, *, cohorts: tuple[int, ...] = C.COHORT_YEARS, population: str = "cohorts"
) -> tuple[pd.DataFrame, list[Step]]:
    """Keep new mortgages whose origination year is identified and in ``cohorts``.

    Three counted steps: originated before the first snapshot (existing stock);
    origination year differs from the first snapshot year; cohort outside
    ``cohorts``. Adds the ``cohort`` column.
    """
    steps = []
    first_year = C.FIRST_SNAPSHOT
    n0 = len(loans)
    stock = loans[C.ORIGINATION_YEAR].to_numpy() < first_year
    out = loans.loc[~stock]
    steps.append(drop_step(population, "mortgages", f"originated in or after {first_year}", n0, len(out),
                           f"oldest loan part originated before {first_year}: existing stock, not a new mortgage"))
    n1 = len(out)
    same = out[C.ORIGINATION_YEAR].to_numpy() == out[C.FIRST_SEEN].to_numpy()
    out = out.loc[same]
    steps.append(drop_step(population, "mortgages", "origination year = first snapshot year", n1, len(out),
                           "origination year not identified: the oldest part's origination year differs from the "
                           "year the mortgage is first observed"))
    n2 = len(out)
    in_range = np.isin(out[C.ORIGINATION_YEAR].to_numpy(), np.asarray(cohorts))
    out = out.loc[in_range].copy()
    steps.append(drop_step(population, "mortgages", f"cohort in {min(cohorts)}-{max(cohorts)}", n2, len(out),
                           "origination year outside the study cohorts"))
    out[C.COHORT] = out[C.ORIGINATION_YEAR].astype("int16")
    return out.reset_index(drop=True), steps


_FIN = [C.GROSS_INCOME, C.SAVINGS, C.SECURITIES, C.OTHER_DEBTS, C.STUDENT_DEBT]


def attach_finances(
    new: pd.DataFrame,
    cbs: pd.DataFrame | PersonYears,
    *,
    consumer_credit_bound: float = CONSUMER_CREDIT_BOUND,
    starter_max_age: int = STARTER_MAX_AGE,
    population: str = "cohorts",
    unit: str = "mortgages",
    year_col: str = C.COHORT,
    main_codes: np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[Step]]:
    """Attach household finances of year t+1 (t = ``year_col``) and the starter flag.

    Two counted steps: the main earner has no CBS record in t+1; the main
    earner's t+1 record names a partner who has no t+1 record. Adds
    ``partner_id, has_partner, main_income, partner_income, household_income,
    savings, securities, other_debts, student_debt, consumer_credit,
    net_wealth, zzp, birth_year, main_age, starter``. ``main_codes``: the main
    earners' person codes (:meth:`cohorts.persons.PersonYears.codes`), aligned
    with ``new``, if the caller has them already (saves hashing the ids again).
    """
    require_columns(new, [C.MAIN_ID, year_col], stage="attach_finances")
    persons = as_person_years(cbs)
    t1 = new[year_col].to_numpy(dtype="int64") + 1
    # record positions first; values are read only for the rows that pass both rules
    main_rows = persons.rows(new[C.MAIN_ID], t1, codes=main_codes)
    found = main_rows >= 0
    partner_id = persons.values(main_rows, [C.PARTNER_ID])[C.PARTNER_ID]
    has_partner = partner_id.notna().to_numpy()
    partner_rows = persons.rows(partner_id.array, t1)
    keep = found & ~(has_partner & (partner_rows < 0))
    steps = [
        drop_step(population, unit, "main earner has a CBS record in t+1", len(new), int(found.sum()),
                  "no CBS person record of the main earner in the year after the snapshot"),
        drop_step(population, unit, "partner has a CBS record in t+1", int(found.sum()), int(keep.sum()),
                  "the main earner's partner has no CBS person record in the year after the snapshot"),
    ]
    # one subset of the (possibly large) frame, after both rules
    out = keep_rows(new, keep)
    main = persons.values(main_rows[keep], [C.BIRTH_YEAR, C.PARTNER_ID, C.ZZP, *_FIN])
    prec = persons.values(partner_rows[keep], _FIN)
    has_partner = has_partner[keep]

    def pval(col: str) -> np.ndarray:
        return np.where(has_partner, prec[col].to_numpy(dtype="float64", na_value=0.0), 0.0)

    main_income = main[C.GROSS_INCOME].to_numpy(dtype="float64")
    partner_income = pval(C.GROSS_INCOME)
    sums = {c: main[c].to_numpy(dtype="float64") + pval(c) for c in (C.SAVINGS, C.SECURITIES, C.OTHER_DEBTS, C.STUDENT_DEBT)}
    od = sums[C.OTHER_DEBTS]
    birth_year = main[C.BIRTH_YEAR].to_numpy(dtype="int64")
    age = out[year_col].to_numpy(dtype="int64") - birth_year
    added = pd.DataFrame(
        {
            C.PARTNER_ID: main[C.PARTNER_ID].array,
            C.HAS_PARTNER: has_partner,
            C.MAIN_INCOME: main_income,
            C.PARTNER_INCOME: partner_income,
            C.HOUSEHOLD_INCOME: main_income + partner_income,
            **sums,
            C.CONSUMER_CREDIT: np.where(od <= consumer_credit_bound, od, 0.0),
            C.NET_WEALTH: sums[C.SAVINGS] + sums[C.SECURITIES] - sums[C.OTHER_DEBTS] - sums[C.STUDENT_DEBT],
            C.ZZP: main[C.ZZP].to_numpy(dtype=bool, na_value=False),
            C.BIRTH_YEAR: birth_year.astype("int16"),
            C.MAIN_AGE: age.astype("int16"),
            C.STARTER: age <= starter_max_age,
        },
        copy=False,
    )
    # one frame instead of many column insertions (no repeated block copies)
    return side_by_side(out, added), steps


def require_house_value(
    new: pd.DataFrame, *, population: str = "cohorts", unit: str = "mortgages"
) -> tuple[pd.DataFrame, Step]:
    """Drop mortgages whose house value cannot be derived (current LTV missing or 0, or zero balance)."""
    hv = new[C.HOUSE_VALUE].to_numpy(dtype="float64")
    ok = np.isfinite(hv) & (hv > 0)
    out = keep_rows(new, ok)
    return out, drop_step(population, unit, "house value derivable", len(new), len(out),
                          "current LTV missing or not positive (or balance 0) at the snapshot: no house value")


def follow_up(new: pd.DataFrame, linked: pd.DataFrame, *, last_snapshot: int = C.LAST_SNAPSHOT) -> pd.DataFrame:
    """Add ``duration``, ``event`` and ``exit_type`` to the new mortgages.

    Duration is in whole years with 1 = the origination year (the report's
    x-axis of Figures 8 and 9). The event is the first snapshot (from the
    origination snapshot on) with the arrears flag set: ``duration = year -
    cohort + 1``. Without arrears the mortgage is censored at the last snapshot
    in which it is seen: ``duration = last_seen - cohort + 1``, and its
    ``exit_type`` is ``"left"`` when that snapshot is before ``last_snapshot``
    (redemption, sale, move out of the data) or ``"observed_end"`` otherwise.
    A snapshot missing between two observations does not end the follow-up.
    """
    require_columns(new, [C.LOAN_ID, C.COHORT, C.LAST_SEEN], stage="follow_up")
    arrears = linked.loc[linked[C.ARREARS].to_numpy(dtype=bool), [C.LOAN_ID, C.SNAPSHOT_YEAR]]
    first_arrears = arrears.groupby(C.LOAN_ID, sort=False)[C.SNAPSHOT_YEAR].min()
    fa = first_arrears.reindex(new[C.LOAN_ID].to_numpy()).to_numpy(dtype="float64")
    cohort = new[C.COHORT].to_numpy(dtype="int64")
    last = new[C.LAST_SEEN].to_numpy(dtype="int64")
    event = np.isfinite(fa) & (fa >= cohort)
    end = np.where(event, np.nan_to_num(fa, nan=0).astype("int64"), last)
    out = new.copy()
    out[C.DURATION] = (end - cohort + 1).astype("int16")
    out[C.EVENT] = event
    exit_type = np.where(event, C.EXIT_ARREARS, np.where(last < last_snapshot, C.EXIT_LEFT, C.EXIT_OBSERVED_END))
    out[C.EXIT_TYPE] = pd.Categorical(exit_type, categories=list(C.EXIT_TYPES))
    return out


def build_panel(new: pd.DataFrame, linked: pd.DataFrame, cbs: pd.DataFrame | PersonYears) -> pd.DataFrame:
    """One row per new mortgage per snapshot in which it is seen, with household income of t+1.

    Columns: ``loan_id, cohort, starter, high`` (when present), ``snapshot_year,
    years_since_origination`` (0 = origination year), ``observed_mortgage,
    arrears, main_income, partner_income, household_income`` (CBS year
    snapshot + 1; the partner named in the main earner's record of that year;
    missing where the main earner has no record that year — kept, not dropped,
    so the income figure can report its own N).
    """
    keep_cols = [c for c in (C.COHORT, C.MAIN_ID, C.STARTER, C.HIGH) if c in new.columns]
    new_ids = pd.Index(new[C.LOAN_ID].to_numpy())
    if not new_ids.is_unique:
        raise ValueError("build_panel: loan_id must be unique in the new mortgages")
    # the snapshots of the new mortgages, in (loan, snapshot) order: found on the key columns, copied once
    which = new_ids.get_indexer(linked[C.LOAN_ID].to_numpy())
    rows = np.flatnonzero(which >= 0)
    loan = linked[C.LOAN_ID].to_numpy()[rows]
    year = linked[C.SNAPSHOT_YEAR].to_numpy()[rows]
    order = np.lexsort((year, loan))
    rows, which = rows[order], which[rows[order]]
    panel = {c: linked[c].take(rows).reset_index(drop=True) for c in (C.LOAN_ID, C.SNAPSHOT_YEAR, C.BALANCE, C.ARREARS)}
    panel.update({c: new[c].take(which).reset_index(drop=True) for c in keep_cols})
    years_since = panel[C.SNAPSHOT_YEAR].to_numpy(dtype="int64") - panel[C.COHORT].to_numpy(dtype="int64")
    panel[C.YEARS_SINCE_ORIGINATION] = pd.Series(years_since.astype("int16"))
    persons = as_person_years(cbs)
    t1 = panel[C.SNAPSHOT_YEAR].to_numpy(dtype="int64") + 1
    main = persons.lookup(panel.pop(C.MAIN_ID), t1, [C.PARTNER_ID, C.GROSS_INCOME])
    pid = main[C.PARTNER_ID]
    prec = persons.lookup(pid, t1, [C.GROSS_INCOME])
    main_income = main[C.GROSS_INCOME].to_numpy()
    partner_income = np.where(pid.notna().to_numpy(), prec[C.GROSS_INCOME].to_numpy(), 0.0)
    panel[C.MAIN_INCOME] = pd.Series(main_income)
    panel[C.PARTNER_INCOME] = pd.Series(partner_income)
    panel[C.HOUSEHOLD_INCOME] = pd.Series(main_income + partner_income)
    return pd.DataFrame(panel, copy=False)
