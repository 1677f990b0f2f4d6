"""Loan-part amortisation and residual debt: the balance of a loan part at a later date.

Engine module (it knows no study).  The interest-only study (``cohorts.studies.interest_only``)
uses it for the debt at the refinancing year, D_T (its method checklist items A1, B7 and E29);
a later residual-debt study can use it as it is.

The balance of each loan part is projected from its balance at a snapshot date (the LLD
snapshot, 31 Dec 2016 in the interest-only study) to **1 January of a later year** (= the end
of the year before), one target year per part.  No voluntary repayments, arrears or rate resets
are modelled: every part follows its contractual schedule (checklist A2).

Rules per repayment type (:data:`cohorts.columns.REPAYMENT_TYPES`; checklist A1, B7):

``interest_only``, ``investment``
    Unchanged.  The capital linked to an investment part counts as 0 (report fn 2 / fn 54:
    repayment at maturity is not guaranteed), so its debt is its balance.  These parts stay
    whole even after their maturity date: the study refinances them.
``annuity``
    Scheduled monthly annuity at the part's own rate and maturity.  With monthly rate
    ``i = rate / 1200`` (``rate`` in percent per year), ``n`` months from the snapshot to
    maturity and ``k`` months from the snapshot to the date,
    ``B_k = B_0 ((1+i)^n - (1+i)^k) / ((1+i)^n - 1)``; for ``i = 0`` this is linear.
``linear``, ``other``
    Linear repayment: ``B_k = B_0 (1 - k/n)`` (the report: "lineaire aflossing bij de overige
    hypotheekvormen", seed lines 2681-2689).
``savings``, ``life``
    The balance stays ``B_0`` but a pledged capital is built up that equals the debt at the
    part's maturity (seed lines 2689-2695; life parts count as savings parts, report fn 19).
    The net debt is ``B_0 - C``.  **Assumption (ambiguity A17: the report does not say how the
    capital is projected):** the capital grows as a monthly savings annuity from origination at
    the part's own rate, so ``C = B_0 ((1+j)^m - 1) / ((1+j)^M - 1)`` with ``j`` the monthly
    savings rate, ``m`` months from origination to the date and ``M`` months from origination
    to maturity (``j = 0``: ``C = B_0 m / M``).  ``savings_rate`` sets another rate.

A part of any amortising type (annuity, linear, other, savings, life) that matures on or before
the date contributes 0 (checklist B7: "a guaranteed part that matures before T contributes 0").

**Month convention.**  The number of months between two dates is their difference in days
divided by the mean Gregorian month (365.2425 / 12 = 30.436875 days), rounded to the nearest
whole month.  So 31 Dec 2016 -> 1 Jan 2020 is 36 months and 1 Jun 2005 -> 1 Jun 2035 is 360,
whichever day of the month a lender records; payments are taken to fall once a month.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from cohorts.columns import INTEREST_ONLY, REPAYMENT_TYPES

__all__ = [
    "AMORTISING_TYPES",
    "DAYS_PER_MONTH",
    "UNCHANGED_TYPES",
    "balance_at",
    "months_between",
    "residual_debt",
]

DAYS_PER_MONTH: Final = 365.2425 / 12
"""Mean Gregorian month in days (the month convention of this module)."""

INVESTMENT: Final = "investment"
ANNUITY: Final = "annuity"
LINEAR: Final = "linear"
OTHER: Final = "other"
SAVINGS: Final = "savings"
LIFE: Final = "life"

UNCHANGED_TYPES: Final = (INTEREST_ONLY, INVESTMENT)
"""Repayment types whose balance does not change (checklist A1: non-guaranteed parts)."""
AMORTISING_TYPES: Final = (ANNUITY, LINEAR, OTHER, SAVINGS, LIFE)
"""Repayment types that are repaid (or covered) by their maturity (checklist A1: guaranteed parts)."""

_N_EXAMPLES: Final = 5


def _offending(mask: np.ndarray, values: np.ndarray | None = None) -> str:
    """The first few offending positions (and their values), as text for an error message."""
    pos = np.flatnonzero(mask)[:_N_EXAMPLES]
    if values is None:
        return ", ".join(str(p) for p in pos)
    return ", ".join(f"{p} ({_show(values[p])})" for p in pos)


def _show(value: object) -> str:
    """A value for an error message: numpy scalars as plain Python values, dates as text."""
    if isinstance(value, np.datetime64):
        return str(value)
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def _fail(argument: str, rule: str, mask: np.ndarray, values: np.ndarray | None = None) -> ValueError:
    n = int(mask.sum())
    return ValueError(
        f"balance_at: '{argument}' breaks rule '{rule}' for {n} part(s); "
        f"first offending position(s): {_offending(mask, values)}"
    )


def months_between(start: npt.ArrayLike, end: npt.ArrayLike) -> np.ndarray:
    """Whole months from ``start`` to ``end`` (the module's month convention).

    Parameters
    ----------
    start, end : array-like of datetime64
        Dates (broadcast against each other).  NaT gives a meaningless value: mask it first.

    Returns
    -------
    numpy.ndarray of int64
        ``round((end - start) in days / 30.436875)``; negative if ``end`` is before ``start``.
    """
    s = np.asarray(start, dtype="datetime64[D]")
    e = np.asarray(end, dtype="datetime64[D]")
    days = (e - s).astype("int64").astype(float)
    return np.rint(days / DAYS_PER_MONTH).astype(np.int64)


def _as_1d(name: str, value: npt.ArrayLike, n: int, dtype: str | type) -> np.ndarray:
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim == 0:
        return np.full(n, arr[()], dtype=arr.dtype)
    if arr.shape != (n,):
        raise ValueError(f"balance_at: '{name}' has shape {arr.shape}; expected ({n},) like 'balance' or a scalar")
    return arr


def _growth_ratio(months_done: np.ndarray, months_total: np.ndarray, monthly_rate: np.ndarray) -> np.ndarray:
    """((1+i)^k - 1) / ((1+i)^n - 1), and k / n where i == 0; 1 where n <= 0 (already due)."""
    k = months_done.astype(float)
    n = months_total.astype(float)
    safe_n = np.where(n > 0, n, 1.0)
    pos = monthly_rate > 0
    i = np.where(pos, monthly_rate, 1e-3)  # placeholder rate where i == 0 (discarded): avoids 0/0
    with np.errstate(over="ignore", invalid="ignore"):
        geometric = np.expm1(k * np.log1p(i)) / np.expm1(safe_n * np.log1p(i))
    ratio = np.where(pos, geometric, k / safe_n)
    return np.where(n > 0, ratio, 1.0)


def balance_at(
    *,
    repayment_type: npt.ArrayLike,
    balance: npt.ArrayLike,
    rate: npt.ArrayLike,
    origination: npt.ArrayLike,
    maturity: npt.ArrayLike,
    snapshot: np.datetime64 | str,
    at_year: npt.ArrayLike | int,
    savings_rate: npt.ArrayLike | float | None = None,
) -> np.ndarray:
    """Balance (net of pledged capital) of each loan part on 1 January of ``at_year``.

    Vectorised over loan parts; the rules per repayment type, the savings-capital assumption
    (ambiguity A17) and the month convention are in the module docstring (checklist A1, B7).

    Parameters
    ----------
    repayment_type : array-like of str
        One of :data:`cohorts.columns.REPAYMENT_TYPES` per part.
    balance : array-like of float
        Outstanding balance at ``snapshot`` (euro, >= 0).
    rate : array-like of float
        The part's interest rate in percent per year (>= 0), as in the LLD
        (:data:`cohorts.columns.INTEREST_RATE`).  Only used for annuity, savings and life parts.
    origination : array-like of datetime64
        Start date of each part.  Needed (not NaT) for savings and life parts only.
    maturity : array-like of datetime64
        Contractual end date.  NaT (a perpetual coding) is allowed for interest-only and
        investment parts only.
    snapshot : numpy.datetime64 or str
        The date the balances refer to (``"2016-12-31"`` in the interest-only study).
    at_year : array-like of int or int
        Per part (or one for all): the year on whose 1 January the balance is wanted.  Must be
        at least the snapshot's year + 1.
    savings_rate : array-like of float or float, optional
        Rate (percent per year) at which the pledged capital of savings and life parts grows.
        ``None`` (default) means each part's own ``rate`` (ambiguity A17).

    Returns
    -------
    numpy.ndarray of float
        The balance per part at 1 January of ``at_year``: unchanged for interest-only and
        investment parts; the scheduled balance for annuity, linear and other parts; balance minus
        pledged capital for savings and life parts; 0 for an amortising part that matures on or
        before that date.

    Raises
    ------
    ValueError
        An unknown repayment type; a missing or negative balance; a missing or negative rate of an
        annuity, savings or life part; a missing maturity of an amortising part; a missing
        origination of a savings or life part; a maturity before the origination; an ``at_year``
        before the snapshot's year + 1.  The message names the argument, the rule and the first
        offending positions.

    Examples
    --------
    >>> balance_at(repayment_type=["linear"], balance=[1200.0], rate=[4.0],
    ...            origination=["2000-01-01"], maturity=["2026-12-31"],
    ...            snapshot="2016-12-31", at_year=2022).round(2).tolist()
    [600.0]
    """
    kind = np.asarray(repayment_type, dtype=object)
    if kind.ndim != 1:
        raise ValueError(f"balance_at: 'repayment_type' must be one-dimensional, got shape {kind.shape}")
    n = kind.shape[0]
    b0 = _as_1d("balance", balance, n, float)
    r = _as_1d("rate", rate, n, float)
    orig = _as_1d("origination", origination, n, "datetime64[D]")
    mat = _as_1d("maturity", maturity, n, "datetime64[D]")
    year = _as_1d("at_year", at_year, n, np.int64)
    snap = np.datetime64(snapshot, "D")
    if np.isnat(snap):
        raise ValueError("balance_at: 'snapshot' is NaT; give the date the balances refer to")

    code = pd.Categorical(kind, categories=list(REPAYMENT_TYPES)).codes  # -1: unknown or missing

    def of(*types: str) -> np.ndarray:
        return np.isin(code, [REPAYMENT_TYPES.index(t) for t in types])

    known = code >= 0
    if not known.all():
        raise _fail("repayment_type", f"one of {REPAYMENT_TYPES}", ~known, kind)
    bad = ~(b0 >= 0)  # also catches NaN
    if bad.any():
        raise _fail("balance", ">= 0 and not missing", bad, b0)
    snap_year = int(snap.astype("datetime64[Y]").astype(np.int64)) + 1970
    bad = year < snap_year + 1
    if bad.any():
        raise _fail("at_year", f">= snapshot year + 1 = {snap_year + 1}", bad, year)

    unchanged = of(*UNCHANGED_TYPES)
    is_annuity = of(ANNUITY)
    is_linear = of(LINEAR, OTHER)
    is_savings = of(SAVINGS, LIFE)
    amortising = ~unchanged
    needs_rate = is_annuity | is_savings

    bad = amortising & np.isnat(mat)
    if bad.any():
        raise _fail(
            "maturity",
            "an amortising part (annuity, linear, other, savings, life) needs a maturity date (not NaT)",
            bad,
            kind,
        )
    bad = needs_rate & ~(r >= 0)
    if bad.any():
        raise _fail("rate", ">= 0 and not missing for annuity, savings and life parts", bad, r)
    bad = is_savings & np.isnat(orig)
    if bad.any():
        raise _fail("origination", "savings and life parts need an origination date (not NaT)", bad, kind)
    both = ~np.isnat(orig) & ~np.isnat(mat)
    bad = both & (mat < np.where(both, orig, mat))
    if bad.any():
        raise _fail("maturity", "on or after origination", bad, mat)

    if savings_rate is None:
        s_rate = r
    else:
        s_rate = _as_1d("savings_rate", savings_rate, n, float)
        bad = is_savings & ~(s_rate >= 0)
        if bad.any():
            raise _fail("savings_rate", ">= 0 and not missing", bad, s_rate)

    at = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")  # 1 January of at_year
    mat_f = np.where(np.isnat(mat), at, mat)  # placeholder where NaT (only unchanged parts)
    orig_f = np.where(np.isnat(orig), snap, orig)
    matured = mat_f <= at

    n_rem = months_between(snap, mat_f)  # months from the snapshot to maturity
    k_done = np.clip(months_between(snap, at), 0, np.maximum(n_rem, 0))
    i = np.where(is_annuity, np.nan_to_num(r) / 1200.0, 0.0)
    # annuity: B_k / B_0 = 1 - ((1+i)^k - 1) / ((1+i)^n - 1); linear: 1 - k/n
    repaid = _growth_ratio(k_done, n_rem, np.where(is_annuity, i, 0.0))

    m_total = months_between(orig_f, mat_f)  # origination -> maturity
    m_done = np.clip(months_between(orig_f, at), 0, np.maximum(m_total, 0))
    j = np.where(is_savings, np.nan_to_num(s_rate) / 1200.0, 0.0)
    covered = _growth_ratio(m_done, m_total, j)

    out = b0.copy()
    out = np.where(is_annuity | is_linear, b0 * (1.0 - repaid), out)
    out = np.where(is_savings, b0 * (1.0 - covered), out)
    # checklist B7, stated explicitly (the clipping of k and m above already gives 0 at maturity)
    out = np.where(amortising & matured, 0.0, out)
    return np.maximum(out, 0.0)


def residual_debt(
    *,
    debt: npt.ArrayLike,
    house_value: npt.ArrayLike,
    wealth: npt.ArrayLike | float = 0.0,
    selling_cost_share: float = 0.0,
) -> np.ndarray:
    """Debt left after selling the house: ``max(0, debt - (1 - selling_cost_share) * house_value - wealth)``.

    The interest-only study's default (checklist E29, ambiguity A14: the report does not say
    whether free wealth is applied before the sale or whether selling costs count) is
    ``wealth = 0`` and ``selling_cost_share = 0``, i.e. residual debt iff ``D_T > V_T``.

    Parameters
    ----------
    debt : array-like of float
        Debt at the sale (euro, >= 0).
    house_value : array-like of float
        Sale value of the house (euro, >= 0).
    wealth : array-like of float or float, default 0.0
        Free wealth applied to the debt as well (euro, >= 0).
    selling_cost_share : float, default 0.0
        Selling costs as a share of the house value, in [0, 1).

    Returns
    -------
    numpy.ndarray of float
        The residual debt per household (0 where the sale clears the debt).

    Raises
    ------
    ValueError
        A negative or missing debt, house value or wealth (first offending positions named), or a
        selling-cost share outside [0, 1).

    Examples
    --------
    >>> residual_debt(debt=[300_000, 100_000], house_value=[250_000, 250_000]).tolist()
    [50000.0, 0.0]
    """
    if not (0.0 <= float(selling_cost_share) < 1.0):
        raise ValueError(f"residual_debt: 'selling_cost_share' breaks rule 'in [0, 1)': {selling_cost_share!r}")
    arrays: dict[str, np.ndarray] = {}
    for name, value in (("debt", debt), ("house_value", house_value), ("wealth", wealth)):
        arr = np.asarray(value, dtype=float)
        bad = np.atleast_1d(~(arr >= 0))
        if bad.any():
            flat = np.atleast_1d(arr)
            raise ValueError(
                f"residual_debt: '{name}' breaks rule '>= 0 and not missing' for {int(bad.sum())} row(s); "
                f"first offending position(s): {_offending(bad, flat)}"
            )
        arrays[name] = arr
    left = arrays["debt"] - (1.0 - float(selling_cost_share)) * arrays["house_value"] - arrays["wealth"]
    return np.atleast_1d(np.maximum(left, 0.0))

