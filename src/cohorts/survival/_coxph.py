"""The Newton-Raphson engine of the Cox model: prepared rows, partial-likelihood terms, residuals, concordance.

Rows are sorted once by (stratum, time) into their distinct points
(:func:`_prepare`); :func:`_terms` gives the Efron or Breslow log partial
likelihood, score and information at a coefficient vector, vectorised over the
points; :func:`_newton` maximises it with step halving (raising
:class:`ConvergenceError`); :func:`_score_residuals` feeds the robust variance
and :func:`_concordance` gives Harrell's C.  Used by
:func:`cohorts.survival.cox.fit_cox`, which re-exports :class:`ConvergenceError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cohorts.survival._validate import stable_order, unique_inverse


class ConvergenceError(ValueError):
    """The Newton-Raphson iterations of a model did not converge."""


# --------------------------------------------------------------------------- engine
@dataclass(frozen=True)
class _Prepared:
    """Rows sorted by (stratum, time) and the (stratum, time) point structure."""

    X: np.ndarray  # centred covariates, sorted rows
    ev: np.ndarray  # float 0/1, sorted
    order: np.ndarray  # sorted position -> original row
    starts: np.ndarray  # first sorted row of each point
    point: np.ndarray  # point index of each sorted row
    p_stratum: np.ndarray  # stratum of each point
    p_time: np.ndarray  # time of each point
    p_next: np.ndarray  # first point of the next stratum (for risk-set sums)
    p_first: np.ndarray  # first point of the own stratum
    d: np.ndarray  # events per point
    ev_rows: np.ndarray  # sorted positions of the event rows
    ev_starts: np.ndarray  # first event row of each event point, within ev_rows
    ev_X: np.ndarray  # covariates of the event rows
    ev_xsum: np.ndarray  # per event point sum of x over its events


def _prepare(dur: np.ndarray, ev: np.ndarray, X: np.ndarray, strat: np.ndarray) -> _Prepared:
    order = np.lexsort((dur, strat))
    t, s = dur[order], strat[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (t[1:] != t[:-1]) | (s[1:] != s[:-1])
    starts = np.flatnonzero(new)
    point = np.cumsum(new) - 1
    p_stratum = s[starts]
    n_points = len(starts)
    sb = np.flatnonzero(np.r_[True, p_stratum[1:] != p_stratum[:-1]])
    which = np.searchsorted(sb, np.arange(n_points), side="right") - 1
    p_first = sb[which]
    p_next = np.r_[sb, n_points][which + 1]
    evs = ev[order].astype(float)
    Xs = X[order] - X.mean(axis=0)
    ev_rows = np.flatnonzero(evs > 0)
    ev_pt = point[ev_rows]
    ev_starts = np.flatnonzero(np.r_[True, ev_pt[1:] != ev_pt[:-1]]) if ev_rows.size else ev_rows
    ev_X = Xs[ev_rows]
    return _Prepared(
        X=Xs,
        ev=evs,
        order=order,
        starts=starts,
        point=point,
        p_stratum=p_stratum,
        p_time=t[starts],
        p_next=p_next,
        p_first=p_first,
        d=np.add.reduceat(evs, starts),
        ev_rows=ev_rows,
        ev_starts=ev_starts,
        ev_X=ev_X,
        ev_xsum=np.add.reduceat(ev_X, ev_starts, axis=0) if ev_rows.size else ev_X,
    )


def _point_moments(
    X: np.ndarray, r: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-point sums of r, r x and r x x' over contiguous row blocks."""
    p = X.shape[1]
    rx = r[:, None] * X
    g0 = np.add.reduceat(r, starts)
    g1 = np.add.reduceat(rx, starts, axis=0)
    g2 = np.empty((len(starts), p, p))
    if len(starts) <= 5000:  # few points (annual data): one BLAS product per point
        ends = np.r_[starts[1:], len(r)]
        for j, (a, b) in enumerate(zip(starts, ends, strict=True)):
            g2[j] = rx[a:b].T @ X[a:b]
    else:
        for i in range(p):
            g2[:, i, :] = np.add.reduceat(rx[:, i : i + 1] * X, starts, axis=0)
    return g0, g1, g2


def _risk_sum(pr: _Prepared, g: np.ndarray) -> np.ndarray:
    """Sum over the risk set (same stratum, time >= point time) of per-point sums ``g``."""
    rc = np.cumsum(g[::-1], axis=0)[::-1]
    rc = np.concatenate([rc, np.zeros((1,) + g.shape[1:])], axis=0)
    return rc[: len(g)] - rc[pr.p_next]


@dataclass(frozen=True)
class _Terms:
    loglik: float
    score: np.ndarray
    info: np.ndarray
    eta: np.ndarray | None = None
    per_point: dict[str, np.ndarray] = field(default_factory=dict)


def _terms(pr: _Prepared, beta: np.ndarray, efron: bool, *, full: bool = False) -> _Terms:
    """Log partial likelihood, score and information at ``beta`` (R ``coxfit6``)."""
    X, ev, starts = pr.X, pr.ev, pr.starts
    eta = X @ beta
    r = np.exp(eta)
    G0, G1, G2 = _point_moments(X, r, starts)
    S0 = _risk_sum(pr, G0)
    S1 = _risk_sum(pr, G1)
    S2 = _risk_sum(pr, G2)
    e = pr.d > 0
    d = pr.d[e]
    # sums over the tied events of each event point (event rows are contiguous per point)
    E0, E1, E2 = _point_moments(pr.ev_X, r[pr.ev_rows], pr.ev_starts)
    xs = pr.ev_xsum
    S0e, S1e, S2e = S0[e], S1[e], S2[e]
    # Efron: the k-th of d tied events sees the risk set minus k/d of the tied events
    di = d.astype(np.int64)
    idx = np.repeat(np.arange(len(di)), di)
    k = np.arange(idx.size) - np.repeat(np.cumsum(di) - di, di)
    c = k / d[idx] if efron else np.zeros(idx.size)
    den = S0e[idx] - c * E0[idx]
    nE = len(di)
    q0 = np.bincount(idx, 1.0 / den, minlength=nE)
    q1 = np.bincount(idx, c / den, minlength=nE)
    q2 = np.bincount(idx, 1.0 / den**2, minlength=nE)
    q3 = np.bincount(idx, c / den**2, minlength=nE)
    q4 = np.bincount(idx, c * c / den**2, minlength=nE)
    loglik = float(np.dot(ev, eta) - np.log(den).sum())
    u_point = xs - S1e * q0[:, None] + E1 * q1[:, None]  # Schoenfeld sums per event point
    score = u_point.sum(axis=0)
    outer = lambda a, b: a[:, :, None] * b[:, None, :]  # noqa: E731
    v_point = (
        S2e * q0[:, None, None]
        - E2 * q1[:, None, None]
        - outer(S1e, S1e) * q2[:, None, None]
        + (outer(S1e, E1) + outer(E1, S1e)) * q3[:, None, None]
        - outer(E1, E1) * q4[:, None, None]
    )
    info = v_point.sum(axis=0)
    per: dict[str, np.ndarray] = {}
    if full:
        per = {
            "event_points": np.flatnonzero(e),
            "u": u_point,
            "v": v_point,
            "q": np.stack([q0, q1, q2, q3, q4]),
            "S1": S1e,
            "E1": E1,
            "r": r,
        }
    return _Terms(loglik, score, info, eta, per)


def _newton(pr: _Prepared, efron: bool, *, max_iter: int = 30, tol: float = 1e-10) -> tuple[np.ndarray, _Terms, _Terms, int]:
    p = pr.X.shape[1]
    beta = np.zeros(p)
    cur = _terms(pr, beta, efron)
    null = cur
    for it in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(cur.info, cur.score)
        except np.linalg.LinAlgError as exc:
            raise ConvergenceError(
                "Cox information matrix is singular: covariates are collinear or a "
                "covariate does not vary among subjects with events"
            ) from exc
        new_beta = beta + step
        new = _terms(pr, new_beta, efron)
        halvings = 0
        while not np.isfinite(new.loglik) or new.loglik < cur.loglik - 1e-12 * abs(cur.loglik):
            halvings += 1
            if halvings > 30:
                raise ConvergenceError("Cox Newton-Raphson: step halving failed")
            step = step / 2.0
            new_beta = beta + step
            new = _terms(pr, new_beta, efron)
        beta, cur = new_beta, new
        if np.max(np.abs(step)) < tol * max(1.0, float(np.max(np.abs(beta)))):
            return beta, cur, null, it
    if np.any(np.abs(beta) > 10):
        raise ConvergenceError(
            f"Cox Newton-Raphson did not converge in {max_iter} iterations: a coefficient "
            f"diverges (largest |coef| = {float(np.max(np.abs(beta))):.1f}), probably a group "
            "without events (monotone likelihood)"
        )
    raise ConvergenceError(f"Cox Newton-Raphson did not converge in {max_iter} iterations")


def _score_residuals(pr: _Prepared, t: _Terms, efron: bool) -> np.ndarray:
    """Score residuals in sorted row order (R ``residuals(fit, type="score")``)."""
    per = t.per_point
    ep = per["event_points"]
    q0, q1, q2, q3, q4 = per["q"]
    S1e, E1 = per["S1"], per["E1"]
    n_points = len(pr.starts)
    p = pr.X.shape[1]
    d = pr.d[ep]
    h0 = np.zeros(n_points)
    h1 = np.zeros((n_points, p))
    h0d = np.zeros(n_points)
    h1d = np.zeros((n_points, p))
    xbar = np.zeros((n_points, p))
    h0[ep] = q0
    h1[ep] = S1e * q2[:, None] - E1 * q3[:, None]
    if efron:
        h0d[ep] = q0 - q1
        h1d[ep] = S1e * (q2 - q3)[:, None] - E1 * (q3 - q4)[:, None]
    else:
        h0d[ep] = h0[ep]
        h1d[ep] = h1[ep]
    xbar[ep] = (S1e * q0[:, None] - E1 * q1[:, None]) / d[:, None]
    c0 = np.cumsum(h0)
    c1 = np.cumsum(h1, axis=0)
    first = pr.p_first
    c0 = c0 - np.r_[0.0, c0][first]
    c1 = c1 - np.vstack([np.zeros((1, p)), c1])[first]
    pt = pr.point
    ev = pr.ev
    H0 = c0[pt] + ev * (h0d[pt] - h0[pt])
    H1 = c1[pt] + ev[:, None] * (h1d[pt] - h1[pt])
    r = per["r"]
    return ev[:, None] * (pr.X - xbar[pt]) - r[:, None] * (pr.X * H0[:, None] - H1)


def _concordance(dur: np.ndarray, ev: np.ndarray, eta: np.ndarray, strat: np.ndarray) -> dict[str, float]:
    """Harrell's C as R's ``concordance`` for a ``coxph`` fit (timewt="n").

    A pair is comparable when the shorter time is an event; a subject censored at
    the same time as an event counts as having the longer time. Tied risk scores
    count 1/2; pairs tied on time with two events are not counted.
    """
    _, ranks = unique_inverse(eta)
    n_rank = int(ranks.max()) + 1
    ut, tcode = unique_inverse(dur)
    conc = disc = tied = 0.0
    for s in pd.unique(strat):
        m = strat == s
        tc, e, rk = tcode[m], ev[m], ranks[m]
        order = stable_order(tc, len(ut))[::-1]  # by time, largest first
        tc, e, rk = tc[order], e[order], rk[order]
        counts = np.zeros(n_rank)
        # walk distinct times from the largest down; counts holds subjects with larger time
        bounds = np.r_[0, np.flatnonzero(tc[1:] != tc[:-1]) + 1, len(tc)]
        for j in range(len(bounds) - 1):
            lo, hi = bounds[j], bounds[j + 1]
            te, tr = e[lo:hi], rk[lo:hi]
            if te.any():
                cens = tr[~te]
                cc = counts + np.bincount(cens, minlength=n_rank) if cens.size else counts
                below = np.cumsum(cc) - cc
                total = cc.sum()
                er = tr[te]
                conc += below[er].sum()
                tied += cc[er].sum()
                disc += (total - below[er] - cc[er]).sum()
            counts += np.bincount(tr, minlength=n_rank)
    denom = conc + disc + tied
    return {
        "concordance": (conc + tied / 2.0) / denom if denom > 0 else np.nan,
        "concordant": conc,
        "discordant": disc,
        "tied_risk": tied,
    }

