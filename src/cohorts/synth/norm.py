"""The one place where the generator asks the real Trhk norm for the maximum mortgage."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.errors import NormTableFallbackWarning
from cohorts.norms import apply_norm


def norm_maximum(
    *,
    year: np.ndarray,
    main_income: np.ndarray,
    partner_income: np.ndarray,
    main_age: np.ndarray,
    interest_rate: np.ndarray,
    fixed_period_years: np.ndarray,
    savings: np.ndarray,
    securities: np.ndarray,
    consumer_credit: np.ndarray,
    student_debt: np.ndarray,
) -> np.ndarray:
    """Maximum mortgage under the standard Trhk norm, per household.

    A thin wrapper around :func:`cohorts.norms.apply_norm` with placeholder
    mortgage, house value and no interest-only amount (the standard maximum does
    not depend on them).  Years without a table of their own silently use the
    engine's fallback table (the :class:`~cohorts.errors.NormTableFallbackWarning`
    is suppressed here, and only here).

    Parameters
    ----------
    year : ndarray of int
        Norm year (origination year).
    main_income, partner_income : ndarray of float
        Gross income of year t+1 (euro; 0 without partner).
    main_age : ndarray of int
        Age of the main earner in the norm year.
    interest_rate : ndarray of float
        Balance-weighted interest rate of the loan parts (percent).
    fixed_period_years : ndarray of int
        Shortest fixed-rate period of the parts (years, 0 = variable).
    savings, securities, consumer_credit, student_debt : ndarray of float
        Household totals (euro).

    Returns
    -------
    numpy.ndarray
        ``max_mortgage`` (euro, float64).
    """
    frame = pd.DataFrame(
        {
            C.YEAR: np.asarray(year, dtype="int64"),
            C.MAIN_INCOME: main_income,
            C.PARTNER_INCOME: partner_income,
            C.MAIN_AGE: np.asarray(main_age, dtype="int64"),
            C.INTEREST_RATE: interest_rate,
            C.FIXED_PERIOD_YEARS: np.asarray(fixed_period_years, dtype="int64"),
            C.SAVINGS: savings,
            C.SECURITIES: securities,
            C.CONSUMER_CREDIT: consumer_credit,
            C.STUDENT_DEBT: student_debt,
            C.BALANCE: 1.0,
            C.HOUSE_VALUE: 1.0,
            C.INTEREST_ONLY_AMOUNT: 0.0,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        out = apply_norm(frame)
    return out[C.MAX_MORTGAGE].to_numpy(dtype="float64")
