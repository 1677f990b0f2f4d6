"""Write the seeded input datasets that ``make_reference.R`` runs through R.

Run from the repository root::

    .venv/bin/python tests/reference/make_data.py

It writes, beside this file:

``study.csv``
    5,000 synthetic new mortgages shaped like the study: duration in whole years
    1..7 (1 = the origination year; at most ``2019 - cohort``), heavy ties, about
    7% first arrears, covariates ``high``, ``starter``, ``nhg`` (0/1) and ``cohort``
    (2012..2017), a lender id ``lender`` (for cluster-robust variances), a case
    weight ``w`` (non-integer: R then uses its infinitesimal-jackknife variance), an
    integer case weight ``wi`` and ``exit_type`` (arrears / left / observed_end).
``toy.csv``
    A hand-checkable 11-row frame with two groups whose curves reach 0.5
    (group ``a`` is exactly 0.5 on a flat stretch, so R's median is a midpoint).
``rossi.csv``
    The Rossi et al. (1980) recidivism data as shipped by lifelines
    (``lifelines.datasets.load_rossi``).

The generator is deterministic for the fixed seed below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from lifelines.datasets import load_rossi

HERE = Path(__file__).resolve().parent
SEED = 20221
N_STUDY = 5000


def make_study(n: int = N_STUDY, seed: int = SEED) -> pd.DataFrame:
    """Annual discrete-time arrears with a competing 'left' exit, censored in 2018."""
    rng = np.random.default_rng(seed)
    cohort = rng.integers(2012, 2018, size=n)
    starter = rng.random(n) < 0.35
    high = rng.random(n) < np.where(starter, 0.27, 0.17)
    nhg = rng.random(n) < 0.45
    lender = rng.integers(1, 41, size=n)
    w = np.round(rng.uniform(0.5, 2.0, size=n), 3)
    max_dur = 2019 - cohort  # 2012 -> 7, 2017 -> 2
    # yearly cloglog hazard of first arrears and yearly probability of leaving
    base = np.array([-4.4, -3.8, -3.9, -4.0, -4.1, -4.2, -4.3])
    lin = 0.45 * high + 0.25 * starter - 0.2 * nhg
    duration = max_dur.copy()
    exit_type = np.full(n, "observed_end", dtype=object)
    alive = np.ones(n, dtype=bool)
    for t in range(1, 8):
        at_risk = alive & (t <= max_dur)
        h = 1.0 - np.exp(-np.exp(base[t - 1] + lin))
        arrears = at_risk & (rng.random(n) < h)
        left = at_risk & ~arrears & (t < max_dur) & (rng.random(n) < 0.06)
        duration[arrears | left] = t
        exit_type[arrears] = "arrears"
        exit_type[left] = "left"
        alive &= ~(arrears | left)
    event = (exit_type == "arrears").astype(int)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "duration": duration,
            "event": event,
            "exit_type": exit_type,
            "high": high.astype(int),
            "starter": starter.astype(int),
            "nhg": nhg.astype(int),
            "cohort": cohort,
            "lender": lender,
            "w": w,
            "wi": np.ceil(w * 2).astype(int),
        }
    )


def make_toy() -> pd.DataFrame:
    """Eleven rows, two groups, ties, censoring, and a survival curve at exactly 0.5."""
    return pd.DataFrame(
        {
            "time": [1, 2, 3, 4, 1, 2, 2, 3, 5, 6, 7],
            "status": [1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0],
            "grp": ["a"] * 4 + ["b"] * 7,
        }
    )


def main() -> None:
    study = make_study()
    study.to_csv(HERE / "study.csv", index=False)
    make_toy().to_csv(HERE / "toy.csv", index=False)
    rossi = load_rossi()
    rossi.to_csv(HERE / "rossi.csv", index=False)


if __name__ == "__main__":
    main()
