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


