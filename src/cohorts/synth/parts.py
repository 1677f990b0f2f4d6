"""Loan parts: the LLD's unit of observation.

A mortgage has 1-5 parts with their own origination date, repayment type,
fixed-rate period and rate.  Part 0 is the oldest; it is never replaced, so the
loan's origination year (the year of its oldest part) stays the same over the
snapshots.  A refinancing or move later replaces a younger part by a new part,
or adds a part; the new part gets its own later origination date and a new
``loan_part_id``.

The parts of a new mortgage are built so that the build's recomputations give
the planted values at the first snapshot: the sum of the current balances is
the planted mortgage, the balance-weighted rate is the planted rate, the
shortest fixed period is the planted one, and the interest-only parts carry the
planted interest-only share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts.columns import INTEREST_ONLY, REPAYMENT_TYPES
from cohorts.synth.params import SynthParams
from cohorts.synth.terms import draw_min_fixed, term_premium

IO_CODE = REPAYMENT_TYPES.index(INTEREST_ONLY)
ANNUITY_CODE = REPAYMENT_TYPES.index("annuity")
LINEAR_CODE = REPAYMENT_TYPES.index("linear")
_OTHER_TYPES = np.array([REPAYMENT_TYPES.index(t) for t in REPAYMENT_TYPES if t != INTEREST_ONLY], dtype=np.int8)


def year_start_day(year: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of 1 January of ``year``."""
    y = np.asarray(year, dtype="int64")
    return (y - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype("int64")


def month_of(day: np.ndarray) -> np.ndarray:
    """Calendar month (1-12) of a day number."""
    d = np.asarray(day, dtype="int64").astype("datetime64[D]")
    return (d.astype("datetime64[M]").astype("int64") % 12 + 1).astype(np.int8)


def market_rate(params: SynthParams, year: np.ndarray) -> np.ndarray:
    """Market rate (percent) of a year, interpolated in the ``[rates]`` table."""
    r = params.rates
    return np.interp(np.asarray(year, dtype="float64"), r["market_years"], r["market_rate"])


def remaining_fraction(rep: np.ndarray, rate: np.ndarray, term_months: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
    """Outstanding fraction of the original balance after ``elapsed`` monthly payments.

    Annuity parts follow the annuity schedule at their original rate, linear
    parts repay ``1/term`` a month, all other types (interest-only, savings,
    investment, life, other) repay nothing before maturity.
    """
    m = np.clip(np.asarray(elapsed, dtype="float64"), 0, None)
    n = np.asarray(term_months, dtype="float64")
    i = np.asarray(rate, dtype="float64") / 1200.0
    m, n, i = np.broadcast_arrays(m, n, i)
    rep = np.broadcast_to(rep, m.shape)
    out = np.ones(m.shape)
    lin = rep == LINEAR_CODE
    ann = rep == ANNUITY_CODE
    with np.errstate(divide="ignore", invalid="ignore"):
        out[lin] = 1 - m[lin] / n[lin]
        ia, na, ma = i[ann], n[ann], m[ann]  # the powers only where they are needed
        g_n = np.power(1 + ia, na)
        out[ann] = np.where(ia > 0, (g_n - np.power(1 + ia, ma)) / (g_n - 1), 1 - ma / na)
    return np.clip(out, 0.0, 1.0)


def months_elapsed(snapshot: np.ndarray | int, orig_year: np.ndarray, orig_month: np.ndarray) -> np.ndarray:
    """Monthly payments made from origination up to 31 December of ``snapshot``."""
    return 12 * (np.asarray(snapshot, dtype="int64") - orig_year) + 12 - orig_month.astype("int64")


def _rep_types(rng: np.random.Generator, params: SynthParams, year: np.ndarray) -> np.ndarray:
    p = params.parts
    before = rng.choice(_OTHER_TYPES, size=len(year), p=np.asarray(p["types_before_2013"]))
    after = rng.choice(_OTHER_TYPES, size=len(year), p=np.asarray(p["types_from_2013"]))
    return np.where(year < 2013, before, after).astype(np.int8)


def _terms(rng: np.random.Generator, params: SynthParams, year: np.ndarray) -> np.ndarray:
    p = params.parts
    t = rng.choice(np.asarray(p["term_years"]), size=len(year), p=np.asarray(p["term_probs"]))
    return (12 * np.where(year < 1999, 30, t)).astype(np.int16)


def build_parts(
    rng: np.random.Generator,
    params: SynthParams,
    *,
    loans: pd.DataFrame,
    later_parts_until: np.ndarray,
) -> pd.DataFrame:
    """The initial parts of every loan, as they look at its first snapshot.

    Parameters
    ----------
    rng : numpy.random.Generator
        The ``parts`` stream.
    params : SynthParams
        Generator parameters.
    loans : pandas.DataFrame
        Loans with ``n_parts, orig_year, first_seen, last_seen, io, io_share,
        fixed_min, rate`` (NaN = no planted rate) and ``balance_first``.
    later_parts_until : ndarray of int
        Per loan, the last year in which its younger parts may have started.

    Returns
    -------
    pandas.DataFrame
        One row per part: ``loan_row, k, orig_day, orig_year, orig_month,
        term_months, rep, fixed, rate0, spread, bal_first, rf_first, original,
        first_year, last_year``.
    """
    n_parts = loans["n_parts"].to_numpy().astype("int64")
    loan_row = np.repeat(np.arange(len(loans), dtype=np.int32), n_parts)
    start = np.cumsum(n_parts) - n_parts
    k = (np.arange(len(loan_row)) - start[loan_row]).astype(np.int8)
    nparts = n_parts[loan_row]
    L = len(loans)
    P = len(loan_row)

    orig_year_loan = loans["orig_year"].to_numpy().astype("int64")
    first_seen = loans["first_seen"].to_numpy()
    d0 = year_start_day(orig_year_loan) + np.floor(rng.random(L) * 365).astype("int64")
    span_end = year_start_day(np.asarray(later_parts_until, dtype="int64") + 1) - 1
    pp = params.parts
    same = rng.random(P) < pp["same_date_share"]
    later = d0[loan_row] + np.floor(rng.random(P) * (span_end[loan_row] - d0[loan_row] + 1)).astype("int64")
    orig_day = np.where((k == 0) | same, d0[loan_row], later)
    orig_year = orig_day.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970
    orig_month = month_of(orig_day)

    # Balance shares: one interest-only part (if any) with the planted share.
    io = loans["io"].to_numpy()[loan_row]
    io_share = loans["io_share"].to_numpy()[loan_row]
    j_io = np.floor(rng.random(L) * n_parts).astype("int64")[loan_row]
    is_io = io & (k == j_io)
    g = rng.gamma(pp["share_gamma_shape"], 1.0, P) + pp["share_offset"]
    g_other = np.where(is_io, 0.0, g)
    sum_other = np.bincount(loan_row, weights=g_other, minlength=L)[loan_row]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(is_io, io_share, np.where(sum_other > 0, g_other / sum_other, 0.0) * (1 - np.where(io, io_share, 0.0)))
    rep = np.where(is_io, IO_CODE, _rep_types(rng, params, orig_year)).astype(np.int8)

    # Fixed periods: one part has the loan's shortest, the others at least that.
    fixed_min = loans["fixed_min"].to_numpy()[loan_row]
    j_min = np.floor(rng.random(L) * n_parts).astype("int64")[loan_row]
    other_fixed = draw_min_fixed(rng, params, np.full(P, pp["other_parts_fixed10"]))
    fixed = np.where(k == j_min, fixed_min, np.maximum(other_fixed, fixed_min)).astype(np.int16)

    # Rates: market of the part's year + term premium (+ interest-only premium) + noise,
    # scaled so that the balance-weighted mean is the planted loan rate.
    base = market_rate(params, orig_year) + term_premium(params, fixed)
    rate0 = base + np.where(is_io, params.parts["io_rate_premium"], 0.0) + rng.normal(0.0, params.parts["part_rate_sd"], P)
    rate0 = np.maximum(rate0, 0.3)
    target = loans["rate"].to_numpy()[loan_row]
    wmean = np.bincount(loan_row, weights=share * rate0, minlength=L)[loan_row]
    # scaled (not shifted) so that no part rate turns negative
    rate0 = np.where(np.isnan(target), rate0, rate0 * (target / wmean))

    term = _terms(rng, params, orig_year)
    bal_first = np.round(loans["balance_first"].to_numpy()[loan_row] * share, 2)
    rf_first = remaining_fraction(rep, rate0, term, months_elapsed(first_seen[loan_row], orig_year, orig_month))
    rf_first = np.maximum(rf_first, 1e-3)
    original = np.maximum(np.round(bal_first / rf_first, 2), bal_first)
    return pd.DataFrame(
        {
            "loan_row": loan_row,
            "k": k,
            "orig_day": orig_day.astype(np.int32),
            "orig_year": orig_year.astype(np.int16),
            "orig_month": orig_month,
            "term_months": term,
            "rep": rep,
            "fixed": fixed,
            "rate0": rate0,
            "spread": rate0 - base,
            "bal_first": bal_first,
            "rf_first": rf_first,
            "original": original,
            "first_year": first_seen[loan_row].astype(np.int16),
            "last_year": loans["last_seen"].to_numpy()[loan_row].astype(np.int16),
        }
    )


def add_refinancings(
    rng: np.random.Generator,
    params: SynthParams,
    *,
    loans: pd.DataFrame,
    parts: pd.DataFrame,
) -> pd.DataFrame:
    """Refinancings and moves: replace a younger part, or add a part, in a later snapshot.

    At most one event per loan, in year ``r`` after its first snapshot while it
    is still present.  A replaced part is last seen in ``r - 1``; the new part
    starts in year ``r`` with a new position ``k = n_parts`` (so a new
    ``loan_part_id``) and carries the replaced part's balance (replace) or a new
    amount (add).  The oldest part (``k = 0``) is never replaced.

    Returns
    -------
    pandas.DataFrame
        ``parts`` with the replaced parts' ``last_year`` shortened and the new
        parts appended (same columns).
    """
    m = params.messiness
    L = len(loans)
    first_seen = loans["first_seen"].to_numpy().astype("int64")
    last_seen = loans["last_seen"].to_numpy().astype("int64")
    n_parts = loans["n_parts"].to_numpy().astype("int64")
    r = first_seen + rng.geometric(m["refinance_rate"], L)
    event = r <= last_seen
    add = (rng.random(L) < m["refinance_add_share"]) | (n_parts == 1)
    j = 1 + np.floor(rng.random(L) * np.maximum(n_parts - 1, 1)).astype("int64")
    add_frac = rng.uniform(m["refinance_add_low"], m["refinance_add_high"], L)
    rows = np.flatnonzero(event)

    start = np.cumsum(n_parts) - n_parts  # parts are in loan order, k ascending
    parts = parts.copy()
    replaced = start[rows] + j[rows]
    is_replace = ~add[rows]
    rep_rows, rep_parts = rows[is_replace], replaced[is_replace]
    last_year = parts["last_year"].to_numpy().copy()
    last_year[rep_parts] = (r[rep_rows] - 1).astype(np.int16)
    parts["last_year"] = last_year

    # balance of the replaced part at year r (it is paid off by the new part)
    p = parts.iloc[rep_parts]
    rf_r = remaining_fraction(p["rep"].to_numpy(), p["rate0"].to_numpy(), p["term_months"].to_numpy(),
                              months_elapsed(r[rep_rows], p["orig_year"].to_numpy(), p["orig_month"].to_numpy()))
    bal = np.empty(len(rows))
    bal[is_replace] = p["bal_first"].to_numpy() * rf_r / p["rf_first"].to_numpy()
    bal[~is_replace] = loans["balance_first"].to_numpy()[rows[~is_replace]] * add_frac[rows[~is_replace]]
    bal = np.maximum(np.round(bal, 2), 1000.0)

    n_new = len(rows)
    year = r[rows]
    day = year_start_day(year) + np.floor(rng.random(n_new) * 365).astype("int64")
    month = month_of(day)
    fixed = draw_min_fixed(rng, params, np.full(n_new, m["refinance_fixed10"]))
    io = rng.random(n_new) < m["refinance_io_share"]
    rep = np.where(io, IO_CODE, _rep_types(rng, params, year)).astype(np.int8)
    base = market_rate(params, year) + term_premium(params, fixed)
    rate0 = np.maximum(base + np.where(io, params.parts["io_rate_premium"], 0.0) + rng.normal(0.0, params.parts["part_rate_sd"], n_new), 0.3)
    term = _terms(rng, params, year)
    rf_first = np.maximum(remaining_fraction(rep, rate0, term, months_elapsed(year, year, month)), 1e-3)
    new = pd.DataFrame(
        {
            "loan_row": rows.astype(np.int32),
            "k": n_parts[rows].astype(np.int8),
            "orig_day": day.astype(np.int32),
            "orig_year": year.astype(np.int16),
            "orig_month": month,
            "term_months": term,
            "rep": rep,
            "fixed": fixed,
            "rate0": rate0,
            "spread": rate0 - base,
            "bal_first": bal,
            "rf_first": rf_first,
            "original": np.maximum(np.round(bal / rf_first, 2), bal),
            "first_year": year.astype(np.int16),
            "last_year": last_seen[rows].astype(np.int16),
        }
    )
    return pd.concat([parts, new], ignore_index=True)
