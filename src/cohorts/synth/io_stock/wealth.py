"""Stage 4 of the interest-only block: wealth beyond savings and the WOZ value (1 January 2017).

See :mod:`cohorts.synth.io_stock` for the whole block.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.synth.io_stock._common import INCOME_YEAR


def _lognormal(rng: np.random.Generator, n: int, median: float, sigma: float) -> np.ndarray:
    return float(median) * np.exp(float(sigma) * rng.standard_normal(n))


def wealth_dwelling(
    rng: np.random.Generator, params: Mapping[str, Any], persons: pd.DataFrame, *, status: np.ndarray, woz: np.ndarray
) -> pd.DataFrame:
    """Cash, other real estate, business assets (1 January 2017) and the dwelling's WOZ value.

    Parameters
    ----------
    rng : numpy.random.Generator
        Drawn from the ``io_stock`` stream.
    params : Mapping
        The ``[io_stock]`` block.
    persons : pandas.DataFrame
        ``person_id`` per row.
    status : ndarray of str
        Each person's labour status (:func:`income_pension`): business assets go mostly to
        entrepreneurs.
    woz : ndarray of float
        The household's WOZ value for each person (the same for main and partner).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`cohorts.columns.WEALTH_DWELLING_COLUMNS`, one row per person, year 2017.
    """
    p = params
    n = len(persons)
    u_cash, u_ore, u_bus = rng.random(n), rng.random(n), rng.random(n)
    cash = np.where(u_cash < float(p["cash_share"]), _lognormal(rng, n, p["cash_median"], p["cash_sigma"]), 0.0)
    ore = np.where(
        u_ore < float(p["other_real_estate_share"]),
        _lognormal(rng, n, p["other_real_estate_median"], p["other_real_estate_sigma"]),
        0.0,
    )
    entre = np.isin(status, ("self_employed", "employee_self_employed"))
    dga = status == "dga"
    share = np.where(entre, float(p["business_share_self_employed"]),
                     np.where(dga, float(p["business_share_dga"]), float(p["business_share_other"])))
    z = rng.standard_normal(n)
    median = np.where(dga, float(p["business_median_dga"]), float(p["business_median_self_employed"]))
    bus = np.where(u_bus < share, median * np.exp(float(p["business_sigma"]) * z), 0.0)
    return pd.DataFrame(
        {
            C.PERSON_ID: persons[C.PERSON_ID].to_numpy().astype("int64"),
            C.YEAR: np.full(n, INCOME_YEAR, dtype=np.int16),
            C.CASH: np.round(cash),
            C.OTHER_REAL_ESTATE: np.round(ore, -3),
            C.BUSINESS_ASSETS: np.round(bus, -2),
            C.WOZ_VALUE: np.round(woz, -3),
        }
    )


def woz_low_factor(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    n: int,
    *,
    weight: np.ndarray | None = None,
    share: np.ndarray | None = None,
    log_mu: np.ndarray | None = None,
    log_sigma: np.ndarray | None = None,
) -> np.ndarray:
    """Extra WOZ factor of the low-WOZ tail: ``exp(N(woz_low_log_mu, woz_low_log_sigma))`` for a share.

    A share ``woz_low_share`` of the loans gets a WOZ value far below the LLD-implied house value
    (WOZ underestimates, A33; and the report's measurement-error signs, current LTV above 200%),
    1 for the rest.  Two draws per loan whatever the outcome.

    Parameters
    ----------
    rng : numpy.random.Generator
        The WOZ stream (drawn after the main WOZ noise).
    params : Mapping
        The ``[io_stock]`` block (``woz_low_share``, ``woz_low_log_mu``, ``woz_low_log_sigma``;
        absent = no tail).
    n : int
        Number of loans.
    weight : ndarray, optional
        Relative chance of each loan to be in the tail (mean about 1; :func:`perpetual_weight` of
        the debt-to-income ratio with a negative tilt leans the tail to the stretched households);
        ``None`` = all alike.
    share, log_mu, log_sigma : ndarray, optional
        Per-loan values replacing ``woz_low_share``, ``woz_low_log_mu``, ``woz_low_log_sigma``
        (round 3: perpetual and dated households get different tails); the same two draws per loan.

    Returns
    -------
    numpy.ndarray
        Factor per loan (1.0 outside the tail).
    """
    u = rng.random(n)
    z = rng.standard_normal(n)
    w = np.ones(n) if weight is None else np.asarray(weight, dtype="float64")
    q = float(params.get("woz_low_share", 0.0)) if share is None else np.asarray(share, dtype="float64")
    mu = float(params.get("woz_low_log_mu", 0.0)) if log_mu is None else np.asarray(log_mu, dtype="float64")
    sd = float(params.get("woz_low_log_sigma", 0.0)) if log_sigma is None else np.asarray(log_sigma, dtype="float64")
    low = u < q * w
    return np.where(low, np.exp(mu + sd * z), 1.0)


def underwater_woz(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    woz: np.ndarray,
    *,
    debt: np.ndarray,
    maturity_year: np.ndarray,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """WOZ of the under-water loans: lowered so that debt / WOZ is at least a drawn LTV.

    A loan whose first interest-only maturity year lies in ``underwater_first_year`` ..
    ``underwater_last_year`` is under water with chance ``underwater_share`` x ``weight``; its WOZ
    becomes ``min(woz, debt / l)`` with ``l`` uniform in [``underwater_ltv_lo``, ``underwater_ltv_hi``)
    (a WOZ the other draws already put lower stays).  Two draws per loan whatever the outcome, after
    every other draw of the WOZ stream; without ``underwater_share`` nothing is drawn and ``woz`` is
    returned unchanged.

    Parameters
    ----------
    rng : numpy.random.Generator
        The WOZ stream (drawn last).
    params : Mapping
        The ``[io_stock]`` block.
    woz : ndarray of float
        WOZ value per loan.
    debt : ndarray of float
        End-2016 debt per loan (every part).
    maturity_year : ndarray of float
        First interest-only maturity year per loan; NaN for perpetual and other loans (never under
        water here).
    weight : ndarray, optional
        Relative chance per loan (mean about 1); ``None`` = all alike.

    Returns
    -------
    numpy.ndarray
        The WOZ value per loan.
    """
    woz = np.asarray(woz, dtype="float64")
    if "underwater_share" not in params:
        return woz
    n = len(woz)
    u = rng.random(n)
    ltv = rng.uniform(float(params["underwater_ltv_lo"]), float(params["underwater_ltv_hi"]), n)
    year = np.asarray(maturity_year, dtype="float64")
    window = (year >= float(params["underwater_first_year"])) & (year <= float(params["underwater_last_year"]))
    w = np.ones(n) if weight is None else np.asarray(weight, dtype="float64")
    under = window & (u < float(params["underwater_share"]) * w)
    return np.where(under, np.minimum(woz, np.asarray(debt, dtype="float64") / ltv), woz)
