"""From loans, parts and households to the three raw tables and the truth.

* :func:`lld_snapshots` - the LLD rows of each snapshot (one row per loan part);
* :func:`cbs_persons` - one CBS record per person per year;
* :func:`key_table` - the 2017 koppeltabel loan -> main earner;
* :func:`truth_table` - the planted fate of every loan (synthetic only).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.synth import kinds as K
from cohorts.synth.generator import World
from cohorts.synth.kinds import NO_PERSON_KINDS
from cohorts.synth.params import SynthParams
from cohorts.synth.parts import market_rate, months_elapsed, remaining_fraction
from cohorts.synth.terms import term_premium


_PART_COLUMNS = (
    "first_year", "last_year", "loan_row", "rep", "orig_year", "orig_month", "orig_day", "rate0", "term_months",
    "bal_first", "rf_first", "fixed", "spread", "k", "original",
)


def lld_snapshots(world: World, years: Iterable[int] | None = None) -> Iterator[pd.DataFrame]:
    """LLD rows (one row per loan part), snapshot by snapshot, sorted by ``loan_id, loan_part_id``.

    The parts are put in loan-part-id order once; every snapshot is then a
    selection in that order, so no snapshot is sorted again. Each snapshot is
    made in pieces of about :data:`SNAPSHOT_PIECE_PARTS` parts that never
    split a loan (the loan's LTV sums its parts), so the working arrays stay
    small however large the population: the cost grows linearly with it.

    Parameters
    ----------
    world : cohorts.synth.generator.World
        The generated loans and parts.
    years : iterable of int, optional
        Snapshot years (31 December), default 2012..2018.

    Yields
    ------
    pandas.DataFrame
        Consecutive pieces of the snapshots in year order, columns exactly
        :data:`cohorts.columns.LLD_COLUMNS`; their concatenation is the LLD.
    """
    years = range(C.FIRST_SNAPSHOT, C.LAST_SNAPSHOT + 1) if years is None else years
    params, loans, parts = world.params, world.loans, world.parts
    # Loans in loan-id order, and parts in loan-part-id order: the parts of a snapshot then
    # read the loan-level values in increasing position (no random access into arrays far
    # larger than the CPU caches, which made this step grow faster than the population).
    loan_id = loans["loan_id"].to_numpy()
    loan_order = np.argsort(loan_id, kind="stable")
    rank = np.empty_like(loan_order)
    rank[loan_order] = np.arange(len(loan_order))
    loan_row = rank[parts["loan_row"].to_numpy()]
    part_id = loan_id[loan_order][loan_row] * 100 + parts["k"].to_numpy().astype("int64") + 1
    order = np.argsort(part_id, kind="stable")
    sorted_parts = {c: parts[c].to_numpy()[order] for c in _PART_COLUMNS}
    sorted_parts["loan_row"] = loan_row[order]
    sorted_parts["part_id"] = part_id[order]
    del part_id, order, loan_row, rank
    loan_cols = {
        "loan_id": loan_id[loan_order],
        "first_seen": loans["first_seen"].to_numpy().astype("int64")[loan_order],
        "house_value_first": loans["house_value_first"].to_numpy()[loan_order],
        "ltv_missing_first": loans["ltv_missing_first"].to_numpy()[loan_order],
        "arrears_bits": loans["arrears_bits"].to_numpy()[loan_order],
        "nhg": loans["nhg"].to_numpy()[loan_order],
        "owner_occupied": loans["owner_occupied"].to_numpy()[loan_order],
    }
    for year in years:
        sel = np.flatnonzero((sorted_parts["first_year"] <= year) & (year <= sorted_parts["last_year"]))
        rows = sorted_parts["loan_row"][sel]  # non-decreasing: parts are in loan-id order
        # cut about every SNAPSHOT_PIECE_PARTS parts, moved back to the start of the loan there
        cuts = np.unique(np.r_[0, np.searchsorted(rows, rows[SNAPSHOT_PIECE_PARTS::SNAPSHOT_PIECE_PARTS]), len(sel)])
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            yield _snapshot(params, sorted_parts, loan_cols, year, sel[lo:hi])
        if len(sel) == 0:
            yield _snapshot(params, sorted_parts, loan_cols, year, sel)


#: Loan parts per piece of a snapshot (:func:`lld_snapshots`); pieces end at a loan's last part.
SNAPSHOT_PIECE_PARTS = 1_000_000

#: Decimals kept of ``current_ltv`` and ``interest_rate``: far below any rule's precision (rates are
#: looked up at 3 decimals), far above the last-bit differences between processors' maths libraries.
LAST_BITS_DECIMALS = 9


def _snapshot(
    params: SynthParams, parts: dict[str, np.ndarray], loans: dict[str, np.ndarray], year: int, sel: np.ndarray
) -> pd.DataFrame:
    """The LLD rows of the parts ``sel`` (whole loans, in output order) in snapshot ``year``."""
    p = {c: v[sel] for c, v in parts.items()}
    first_loan = int(p["loan_row"][0]) if len(sel) else 0
    row = p["loan_row"] - first_loan  # positions in the slice of the loans these parts belong to
    loans = {c: v[first_loan:first_loan + (int(row[-1]) + 1 if len(sel) else 0)] for c, v in loans.items()}
    rep = p["rep"]
    oy = p["orig_year"].astype("int64")
    rf = remaining_fraction(rep, p["rate0"], p["term_months"], months_elapsed(year, oy, p["orig_month"]))
    first = p["first_year"] == year
    bal = np.where(first, p["bal_first"], np.round(p["bal_first"] * rf / p["rf_first"], 2))

    fixed = p["fixed"].astype("int64")
    fy = np.maximum(fixed // 12, 1)
    reset = np.where(fixed > 0, oy + ((year - oy) // fy) * fy, year)
    reset_rate = market_rate(params, reset) + term_premium(params, fixed) + p["spread"]
    rate = np.where(reset == oy, p["rate0"], np.round(np.maximum(reset_rate, 0.1), 3))

    n_loans = len(loans["loan_id"])
    loan_bal = np.bincount(row, weights=bal, minlength=n_loans)
    hpi = np.asarray(params.ltv["house_price_index"], dtype="float64")
    first_seen = loans["first_seen"]
    hv = loans["house_value_first"] * hpi[year - C.FIRST_SNAPSHOT] / hpi[first_seen - C.FIRST_SNAPSHOT]
    ltv = loan_bal / hv * 100.0
    ltv = np.where(loans["ltv_missing_first"] & (first_seen == year), np.nan, ltv)
    arrears = ((loans["arrears_bits"] >> (year - C.FIRST_SNAPSHOT)) & 1).astype(bool)

    day = p["orig_day"].astype("int64").astype("datetime64[D]")
    month_start = day.astype("datetime64[M]")
    maturity = (month_start + p["term_months"].astype("int64")).astype("datetime64[D]") + (
        day - month_start.astype("datetime64[D]")
    )
    return pd.DataFrame(
        {
            C.SNAPSHOT_YEAR: np.full(len(sel), year, dtype=np.int16),
            C.LOAN_ID: loans["loan_id"][row],
            C.LOAN_PART_ID: p["part_id"],
            C.ORIGINATION_DATE: day.astype("datetime64[ns]"),
            C.MATURITY_DATE: maturity.astype("datetime64[ns]"),
            C.CURRENT_BALANCE: bal,
            C.ORIGINAL_BALANCE: p["original"],
            # rounded to 9 decimals: the last bits of these two depend on the processor's maths
            # library, and the committed sample must be the same bytes on every machine
            C.CURRENT_LTV: np.round(ltv[row], LAST_BITS_DECIMALS),
            C.INTEREST_RATE: np.round(rate, LAST_BITS_DECIMALS),
            C.FIXED_PERIOD_MONTHS: fixed.astype(np.int16),
            C.REPAYMENT_TYPE: np.asarray(C.REPAYMENT_TYPES, dtype=object)[rep],
            C.NHG: loans["nhg"][row],
            C.ARREARS: arrears[row],
            C.OWNER_OCCUPIED: loans["owner_occupied"][row],
        },
        copy=False,  # one block per column: no consolidation copy of millions of rows
    )


CBS_CHUNK_PERSONS = 400_000
"""Persons per chunk of CBS records (fixed: the random draws depend on it)."""


def cbs_chunks(world: World, *, persons_per_chunk: int = CBS_CHUNK_PERSONS) -> Iterator[pd.DataFrame]:
    """CBS records, one per person per year, in chunks sorted by ``person_id, year``.

    Each person has records for the years from the first snapshot of the
    household's loan(s) up to one year after the last (at most 2019).  Incomes
    follow a person-specific random walk around the mean growth, assets grow,
    debts decay; the record of the base year (first snapshot + 1) holds exactly
    the planted values.  The planted missing records (kinds
    ``missing_cbs_main`` / ``missing_cbs_partner``) are left out.

    Parameters
    ----------
    world : cohorts.synth.generator.World
        The generated persons.
    persons_per_chunk : int
        Persons per yielded frame; the output depends on it, so writers keep
        the default.

    Yields
    ------
    pandas.DataFrame
        Columns exactly :data:`cohorts.columns.CBS_COLUMNS`.
    """
    per = world.persons
    params = world.params
    rng = np.random.default_rng(world.cbs_seed)
    order = np.argsort(per["person_id"].to_numpy(), kind="stable")
    cols = {c: per[c].to_numpy()[order] for c in per.columns}
    w = params.wealth
    for lo in range(0, len(order), persons_per_chunk):
        c = {k: v[lo : lo + persons_per_chunk] for k, v in cols.items()}
        y0 = c["y0"].astype("int64")
        b = c["base_year"].astype("int64")
        n_years = c["y1"].astype("int64") - y0 + 1
        idx = np.repeat(np.arange(len(y0)), n_years)
        start = np.cumsum(n_years) - n_years
        year = y0[idx] + (np.arange(len(idx)) - start[idx])
        dt = (year - b[idx]).astype("float64")
        eps = rng.normal(0.0, params.income["growth_sd"], len(idx))
        eps[start] = 0.0
        walk = np.cumsum(eps)
        walk -= walk[start][idx]  # restart at each person
        walk -= walk[start + (b - y0)][idx]  # zero in the base year
        income = np.round(c["income"][idx] * np.exp(np.log1p(c["growth"][idx]) * dt + walk))
        asset_f = np.power(1 + w["asset_growth"], dt)
        keep = year != c["drop_year"][idx]
        partner = c["partner_id"][idx][keep]
        yield pd.DataFrame(
            {
                C.PERSON_ID: c["person_id"][idx][keep],
                C.YEAR: year[keep].astype(np.int16),
                C.BIRTH_YEAR: c["birth_year"][idx][keep].astype(np.int16),
                C.PARTNER_ID: pd.arrays.IntegerArray(np.where(partner >= 0, partner, 0).astype(np.int64), partner < 0),
                C.GROSS_INCOME: income[keep],
                C.ZZP: c["zzp"][idx][keep],
                C.SAVINGS: np.round(c["savings"][idx] * asset_f)[keep],
                C.SECURITIES: np.round(c["securities"][idx] * asset_f)[keep],
                C.OTHER_DEBTS: np.round(
                    c["other_debts"][idx] * np.power(params.consumer_credit["decay"], np.maximum(dt, 0))
                )[keep],
                C.STUDENT_DEBT: np.round(c["student_debt"][idx] * np.power(params.student_debt["decay"], dt))[keep],
            },
            copy=False,
        )


def cbs_persons(world: World) -> pd.DataFrame:
    """All CBS records in one frame (see :func:`cbs_chunks`)."""
    return pd.concat(list(cbs_chunks(world)), ignore_index=True)


def key_table(world: World) -> pd.DataFrame:
    """The 2017 key table: loans seen up to 2017, minus the unlinkable ones.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`cohorts.columns.KEY_COLUMNS`, sorted by ``loan_id``.
    """
    loans = world.loans
    ok = (loans["first_seen"].to_numpy() <= C.COHORT_YEARS[-1]) & ~np.isin(loans["kind"].to_numpy(), NO_PERSON_KINDS)
    sub = loans.loc[ok, ["loan_id", "main_pid"]].sort_values("loan_id", kind="stable")
    return pd.DataFrame(
        {C.LOAN_ID: sub["loan_id"].to_numpy().astype(np.int64), C.PERSON_ID: sub["main_pid"].to_numpy().astype(np.int64)}
    )


TRUTH_COLUMNS = (
    C.LOAN_ID, "intended", C.COHORT, C.ORIGINATION_YEAR, C.FIRST_SEEN, C.LAST_SEEN, C.MAIN_ID, C.STARTER,
    "planted_high", "planted_lti_util", "arrears_hazard_first", "arrears_hazard", "in_stock",
)


def truth_table(world: World) -> pd.DataFrame:
    """The planted fate of every loan (synthetic ground truth; not a pipeline input).

    Returns
    -------
    pandas.DataFrame
        One row per loan, sorted by ``loan_id``: ``loan_id``; ``intended`` (one
        of :data:`cohorts.synth.kinds.INTENDED`); ``cohort`` (Int16, the
        origination year of a loan that is first reported in it, else <NA>);
        ``origination_year`` (year of the oldest part); ``first_seen``,
        ``last_seen`` (snapshots); ``main_id`` (Int64, <NA> for loans without a
        household in CBS); ``starter``; ``planted_high``; ``planted_lti_util``
        (NaN for old loans); ``arrears_hazard_first`` (origination year) and
        ``arrears_hazard`` (later years), planted annual hazards of a first
        arrears (NaN for old loans, whose arrears are drawn per snapshot at the
        stock rate); ``in_stock`` (counted in the Tabel B3 stock when present).
    """
    loans = world.loans.sort_values("loan_id", kind="stable")
    kind = loans["kind"].to_numpy()
    old = kind == K.CODE[K.PRE_2012_STOCK]
    no_cohort = old | (kind == K.CODE[K.ORIGINATION_YEAR_MISMATCH])
    cell = loans["cell"].to_numpy()
    pid = loans["main_pid"].to_numpy()
    return pd.DataFrame(
        {
            C.LOAN_ID: loans["loan_id"].to_numpy().astype(np.int64),
            "intended": np.asarray(K.INTENDED, dtype=object)[kind],
            C.COHORT: pd.arrays.IntegerArray(loans["orig_year"].to_numpy().astype(np.int16), no_cohort.copy()),
            C.ORIGINATION_YEAR: loans["orig_year"].to_numpy().astype(np.int16),
            C.FIRST_SEEN: loans["first_seen"].to_numpy().astype(np.int16),
            C.LAST_SEEN: loans["last_seen"].to_numpy().astype(np.int16),
            C.MAIN_ID: pd.arrays.IntegerArray(np.where(pid >= 0, pid, 0).astype(np.int64), pid < 0),
            C.STARTER: (cell >= 2) & ~old,
            "planted_high": (cell % 2 == 1) & ~old,
            "planted_lti_util": loans["lti_util"].to_numpy(),
            "arrears_hazard_first": loans["hazard_first"].to_numpy(),
            "arrears_hazard": loans["hazard"].to_numpy(),
            "in_stock": np.isin(kind, [K.CODE[k] for k in K.STOCK_KINDS]),
        }
    )
