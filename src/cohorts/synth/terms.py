"""Loan terms: rate premium and fixed-rate period, interest-only shares, LTV.

:func:`term_premium` and :func:`draw_min_fixed` give the rate premium of a
fixed-rate period and the shortest fixed period of a mortgage;
:func:`_io_share` and :func:`_io_value_share` the interest-only share;
:func:`_ltv` and :func:`_piecewise_quantile` turn uniforms into LTVs and other
piecewise distributions.  Shared by new loans (:mod:`cohorts.synth.loans`),
old loans (:mod:`cohorts.synth.stock`), parts and the panel.
"""

from __future__ import annotations

import numpy as np

from cohorts.synth.params import SynthParams


def term_premium(params: SynthParams, fixed_months: np.ndarray) -> np.ndarray:
    """Rate premium (percentage points) of a fixed-rate period (Tabel B1 structure)."""
    fm = np.asarray(params.rates["fixed_months"])
    tp = np.asarray(params.rates["term_premium"], dtype="float64")
    return tp[np.searchsorted(fm, fixed_months)]


def draw_min_fixed(rng: np.random.Generator, params: SynthParams, p_long: np.ndarray) -> np.ndarray:
    """Shortest fixed-rate period of a mortgage in months (>= 120 with probability ``p_long``)."""
    n = len(p_long)
    long_ = rng.choice(np.array([120, 180, 240, 360]), size=n, p=np.asarray(params.rates["long_fixed_probs"]))
    short = rng.choice(np.array([0, 12, 60]), size=n, p=np.asarray(params.rates["short_fixed_probs"]))
    return np.where(rng.random(n) < p_long, long_, short).astype(np.int16)


def _expected_premium(params: SynthParams, p_long: np.ndarray) -> np.ndarray:
    r = params.rates
    e_long = float(np.dot(r["long_fixed_probs"], term_premium(params, np.array([120, 180, 240, 360]))))
    e_short = float(np.dot(r["short_fixed_probs"], term_premium(params, np.array([0, 12, 60]))))
    return p_long * e_long + (1 - p_long) * e_short


def _io_share(rng: np.random.Generator, params: SynthParams, io: np.ndarray, n_parts: np.ndarray) -> np.ndarray:
    p = params.parts
    n = len(io)
    half = rng.random(n) < p["io_at_half_share"]
    share = np.where(half, rng.uniform(0.45, 0.50, n), rng.uniform(p["io_share_low"], p["io_share_high"], n))
    share = np.where(n_parts == 1, 1.0, share)
    return np.where(io, share, 0.0)


def _io_value_share(rng: np.random.Generator, params: SynthParams, io: np.ndarray) -> np.ndarray:
    """Interest-only amount as a share of the house value (0 without interest-only part)."""
    p = params.parts
    n = len(io)
    half = rng.random(n) < p["io_at_half_share"]
    share = np.where(half, rng.uniform(0.45, 0.50, n), rng.uniform(p["io_value_low"], p["io_value_high"], n))
    return np.where(io, share, 0.0)


def _ltv(params: SynthParams, mean: np.ndarray, top: np.ndarray, limit: np.ndarray, v: np.ndarray) -> np.ndarray:
    """LTV in percent with about the given mean, from the uniform ``v`` (inverse CDF).

    Three parts: a share ``above_limit_share`` above the year's limit (the top
    of ``v``), a share ``top`` at 90-100% of the limit (Figure 3: many loans
    borrow near the LTV maximum), and the rest a power distribution between
    the floor and 90% of the limit whose mean makes the total mean ``mean``.
    """
    lp = params.ltv
    a = lp["above_limit_share"]
    floor = lp["floor"]
    cut = lp["top_from"] * limit
    above_mean = limit + 0.5 * lp["above_limit_max"]
    top_mean = 0.5 * (cut + limit)
    rest = np.maximum(1.0 - a - top, 0.05)
    low_mean = (mean - a * above_mean - top * top_mean) / rest
    # power distribution on [floor, cut]: floor + (cut - floor) * w^(1/k), mean share k / (k + 1)
    frac = np.clip((low_mean - floor) / (cut - floor), 0.05, 0.95)
    k = frac / (1.0 - frac)
    v_above = 1.0 - a
    v_top = v_above - top
    w_low = np.clip(v / np.maximum(v_top, 1e-9), 0.0, 1.0)
    w_top = np.clip((v - v_top) / np.maximum(top, 1e-9), 0.0, 1.0)
    w_above = np.clip((v - v_above) / a, 0.0, 1.0)
    ltv = np.where(
        v >= v_above,
        limit + 0.1 + w_above * (lp["above_limit_max"] - 0.1),
        np.where(v >= v_top, cut + w_top * (limit - cut), floor + (cut - floor) * w_low ** (1.0 / k)),
    )
    return ltv


def _piecewise_quantile(v: np.ndarray, edges: tuple[float, ...], probs: tuple[float, ...]) -> np.ndarray:
    """Inverse CDF of a piecewise-uniform distribution at the uniforms ``v``."""
    p = np.asarray(probs, dtype="float64")
    p = p / p.sum()
    e = np.asarray(edges, dtype="float64")
    cum = np.concatenate([[0.0], np.cumsum(p)])
    b = np.clip(np.searchsorted(cum, v, side="right") - 1, 0, len(p) - 1)
    w = np.clip((v - cum[b]) / np.where(p[b] > 0, p[b], 1.0), 0.0, 1.0)
    return e[b] + w * (e[b + 1] - e[b])
