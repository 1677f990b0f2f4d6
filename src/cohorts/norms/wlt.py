"""The actual-cost test (werkelijke lastentoets, WLT) for interest-only parts.

Our reading of the report's Box 1 (Hoofdstuk 2): the maximum monthly housing
cost stays that of the standard norm; the interest-only (IO) part carries no
mortgage-interest deduction, so its percentage is the no-deduction one
``pct_nohra``; the gross-up factor (bruteringsfactor) is ``b = pct_nohra / pct``.
With ``s = IO / observed_mortgage`` and ``rm = test_rate / 1200`` the maximum
mortgage ``X`` solves

    max_monthly = (1 - s) * X * annuity_factor + s * X * rm / b

(the annuity part costs its annuity, the IO part its interest, grossed up by
``1 / b`` because it is charged against a budget set with the deduction), so

    max_mortgage_wlt = max_monthly / ((1 - s) * annuity_factor + s * rm / b).

Two readings of "the IO part costs its interest" (``wlt_reading``):

``"toetsrente"`` (the default, the reading so far)
    the IO part is charged at the test rate: ``rm = test_rate / 1200``, the
    rate of the annuity part;
``"contract"`` ("werkelijke lasten")
    the IO part is charged at the contract rate, the mortgage's own interest
    rate as the loan-level data record it (``interest_rate``, the
    balance-weighted mean over its loan parts): ``rm = interest_rate / 1200``.

The annuity part, the budget ``max_monthly`` and ``b`` (both percentages are
looked up at the test rate) are the same under both readings.  They differ
only where the test rate is not the contract rate: a fixed period shorter
than 10 years with a contract rate below the 5.0% floor.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np

from cohorts.norms.parameters import NormParameters
from cohorts.norms.tables import NormTables

#: The readings of Box 1: the rate the interest-only part is charged at (default first).
WLT_READINGS: Final = ("toetsrente", "contract")
WltReading = Literal["toetsrente", "contract"]


def check_reading(wlt_reading: object) -> str:
    """Return ``wlt_reading`` if it is one of :data:`WLT_READINGS`, else raise ``ValueError``."""
    if not isinstance(wlt_reading, str) or wlt_reading not in WLT_READINGS:
        raise ValueError(f"wlt_reading must be one of {', '.join(WLT_READINGS)}, but was {wlt_reading!r}")
    return wlt_reading


def io_charge_rate(wlt_reading: str, *, test_rate: np.ndarray, contract_rate: np.ndarray) -> np.ndarray:
    """The rate (percent per year) the interest-only part is charged at under a reading.

    ``test_rate`` for ``"toetsrente"``, ``contract_rate`` for ``"contract"``
    (see the module docstring).
    """
    return np.asarray(test_rate if check_reading(wlt_reading) == "toetsrente" else contract_rate, dtype="float64")


def pct_without_deduction(
    tables: NormTables,
    params: NormParameters,
    *,
    table_years: np.ndarray,
    aow: np.ndarray,
    lookup_income: np.ndarray,
    test_rate: np.ndarray,
    pct: np.ndarray,
) -> np.ndarray:
    """The financing-cost percentage without mortgage-interest deduction.

    Per row: the no-HRA table of the table year (``below_aow_no_hra`` /
    ``aow_no_hra``, published for 2015) looked up exactly like the standard
    table; where the table year has none, the footnote formula of that table
    year, ``pct - no_hra_slope * test_rate + no_hra_constant`` (2013: slope 1.5,
    constant -0.25; 2014: slope 1.6, constant +0.1), kept within ``[0, pct]``
    (the 2014 "+0.1" would otherwise exceed ``pct`` at test rates below
    0.0625%); NaN where neither exists.

    Parameters
    ----------
    tables : NormTables
        The tables.
    params : NormParameters
        The parameters (``no_hra_slope``, ``no_hra_constant`` keyed by table year).
    table_years, aow, lookup_income, test_rate, pct : numpy.ndarray
        Per-row table year, whether the main earner is at or above AOW age,
        lookup income (euro), test rate (percent) and standard percentage.

    Returns
    -------
    numpy.ndarray
        float64, percent of gross income.
    """
    out = tables.lookup_pct(table_years, aow, lookup_income, test_rate, no_hra=True)
    need = np.isnan(out)
    if need.any():
        slopes = params.values.get("no_hra_slope", {})
        consts = params.values.get("no_hra_constant", {})
        for ty in np.unique(table_years[need]):
            if int(ty) not in slopes or int(ty) not in consts:
                continue
            sel = need & (table_years == ty)
            formula = pct[sel] - slopes[int(ty)] * test_rate[sel] + consts[int(ty)]
            out[sel] = np.clip(formula, 0.0, pct[sel])
    return out


def max_mortgage_wlt(
    *,
    max_monthly: np.ndarray,
    annuity_factor: np.ndarray,
    test_rate: np.ndarray,
    pct: np.ndarray,
    pct_nohra: np.ndarray,
    io_share: np.ndarray,
    io_rate: np.ndarray | None = None,
) -> np.ndarray:
    """Maximum mortgage under the actual-cost test (our reading of Box 1).

    Parameters
    ----------
    max_monthly : numpy.ndarray
        Maximum monthly housing cost of the standard norm (euro); negative
        values count as 0.
    annuity_factor : numpy.ndarray
        30-year annuity factor at the test rate.
    test_rate : numpy.ndarray
        Test rate in percent per year.
    pct, pct_nohra : numpy.ndarray
        Percentages with and without interest deduction.
    io_share : numpy.ndarray
        Interest-only share ``s`` of the observed mortgage, in [0, 1].
    io_rate : numpy.ndarray, optional
        Rate (percent per year) the interest-only part is charged at; default
        ``test_rate`` (the ``"toetsrente"`` reading; see :func:`io_charge_rate`).

    Returns
    -------
    numpy.ndarray
        ``max(max_monthly, 0) / ((1 - s) * annuity_factor + s * rm / b)`` with
        ``b = pct_nohra / pct`` and ``rm = io_rate / 1200``.  Equals the
        standard maximum when ``s == 0``; 0 when ``s > 0`` and ``pct_nohra == 0``
        (the IO part cannot be financed); NaN where ``pct_nohra`` is NaN and
        ``s > 0``.
    """
    rm = (test_rate if io_rate is None else io_rate) / 1200.0
    b = np.divide(pct_nohra, pct, out=np.full_like(pct, np.nan), where=pct > 0)
    io_cost = np.zeros_like(rm)
    has_io = io_share > 0
    pos_b = has_io & (b > 0)
    io_cost[pos_b] = io_share[pos_b] * rm[pos_b] / b[pos_b]
    io_cost[has_io & (b <= 0) & (rm > 0)] = np.inf
    io_cost[has_io & np.isnan(b)] = np.nan
    denom = (1.0 - io_share) * annuity_factor + io_cost
    budget = np.maximum(max_monthly, 0.0)
    out = np.zeros_like(budget)
    finite = np.isfinite(denom)
    with np.errstate(over="ignore"):  # a ~0% rate on an all-IO loan: capacity overflows to inf
        np.divide(budget, denom, out=out, where=finite & (denom > 0))
    out[(denom == 0) & (budget > 0)] = np.inf  # only at a 0% rate with an all-IO loan
    out[np.isnan(denom)] = np.nan
    return out
