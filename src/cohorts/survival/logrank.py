"""Log-rank test for two or more groups, optionally stratified, with pairwise comparisons.

Computed here, vectorised over (stratum, time, group) counts, to reproduce R's
``survival::survdiff(Surv(time, status) ~ group + strata(s), rho = 0)`` exactly
(hypergeometric variance with the ``(n - d) / (n - 1)`` tie correction); see
``tests/reference``. lifelines' ``multivariate_logrank_test`` has no strata,
which the study needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from cohorts.survival import _printing
from cohorts.survival._validate import check_survival, group_labels, strata_codes, unique_inverse

P_ADJUST = ("holm", "bonferroni", "fdr_bh", "none")


@dataclass(frozen=True)
class LogRankResult:
    """Log-rank test (immutable).

    Attributes
    ----------
    statistic : float
        Chi-square statistic (R ``survdiff()$chisq``).
    df : int
        Degrees of freedom, number of groups - 1.
    p_value : float
        Upper-tail chi-square p-value.
    table : pandas.DataFrame
        One row per group: ``group, n, observed, expected, o_minus_e, variance``
        (observed and expected events summed over strata, R ``obs``/``exp``;
        ``variance`` is the diagonal of the variance of O - E).
    pairwise : pandas.DataFrame
        One row per pair of groups: ``group1, group2, statistic, p, p_adjusted``,
        each pair tested on its own rows (with the same strata), p-values
        adjusted by ``p_adjust``.
    p_adjust : str
        Multiplicity correction of the pairwise p-values.
    strata : tuple of str
        Stratification columns (empty if none).
    """

    statistic: float
    df: int
    p_value: float
    table: pd.DataFrame
    pairwise: pd.DataFrame
    p_adjust: str
    strata: tuple[str, ...]

    def __str__(self) -> str:
        """A compact R-style summary: what ``print(result)`` shows (see :mod:`cohorts.survival._printing`)."""
        return _printing.logrank(self).text()

    __repr__ = __str__  # the summary, never the fields' arrays or variance matrices

    def _repr_html_(self) -> str:
        """The same summary as HTML, for notebooks."""
        return _printing.logrank(self).html()

    @property
    def summary(self) -> pd.DataFrame:
        """One-row DataFrame ``statistic, df, p``."""
        return pd.DataFrame({"statistic": [self.statistic], "df": [self.df], "p": [self.p_value]})


def adjust_pvalues(p: np.ndarray, method: str) -> np.ndarray:
    """Multiplicity-adjusted p-values (Holm, Bonferroni, Benjamini-Hochberg or none).

    Same values as ``statsmodels.stats.multitest.multipletests(p, method=...)[1]``
    and R's ``p.adjust(p, method=c("holm", "bonferroni", "BH"))``.
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if method == "none" or m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    if method == "holm":
        adj = np.minimum(np.maximum.accumulate((m - np.arange(m)) * ps), 1.0)
    else:  # fdr_bh
        adj = np.minimum(np.minimum.accumulate((m / np.arange(m, 0, -1) * ps[::-1]))[::-1], 1.0)
    out = np.empty(m)
    out[order] = adj
    return out


def _logrank_core(
    dur: np.ndarray, ev: np.ndarray, codes: np.ndarray, n_groups: int, strat: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (chisq, n, observed, expected, var matrix) summed over strata."""
    # cells: (stratum, time) x group
    key = pd.MultiIndex.from_arrays([strat, dur]) if strat.any() else None
    if key is None:
        ut, tinv = unique_inverse(dur)
        cell = tinv
        n_cells = len(ut)
        cell_stratum = np.zeros(n_cells, dtype=np.intp)
    else:
        order = np.lexsort((dur, strat))
        s_sorted, t_sorted = strat[order], dur[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (s_sorted[1:] != s_sorted[:-1]) | (t_sorted[1:] != t_sorted[:-1])
        cid_sorted = np.cumsum(new) - 1
        cell = np.empty(len(order), dtype=np.intp)
        cell[order] = cid_sorted
        n_cells = int(cid_sorted[-1]) + 1
        cell_stratum = s_sorted[new]
    flat = cell * n_groups + codes
    size = n_cells * n_groups
    tot = np.bincount(flat, minlength=size).reshape(n_cells, n_groups).astype(float)
    dead = np.bincount(flat, weights=ev.astype(float), minlength=size).reshape(n_cells, n_groups)
    # at risk: reverse cumulative sum over time within stratum
    rc = np.cumsum(tot[::-1], axis=0)[::-1]
    rc = np.vstack([rc, np.zeros((1, n_groups))])
    # index of the first cell of the next stratum for each cell
    bounds = np.flatnonzero(np.r_[True, cell_stratum[1:] != cell_stratum[:-1]])
    nxt = np.searchsorted(bounds, np.arange(n_cells), side="right")
    nxt_start = np.r_[bounds, n_cells][nxt]
    risk = rc[:n_cells] - rc[nxt_start]
    n_all = risk.sum(axis=1)
    d_all = dead.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(n_all[:, None] > 0, risk / n_all[:, None], 0.0)
        c = np.where(n_all > 1, d_all * (n_all - d_all) / (n_all - 1), 0.0)
    expected = (frac * d_all[:, None]).sum(axis=0)
    observed = dead.sum(axis=0)
    var = np.einsum("t,ti,ij->ij", c, frac, np.eye(n_groups)) - np.einsum("t,ti,tj->ij", c, frac, frac)
    diff = observed - expected
    keep = slice(0, n_groups - 1)
    v = var[keep, keep]
    chisq = float(diff[keep] @ np.linalg.pinv(v, hermitian=True) @ diff[keep])
    n = tot.sum(axis=0)
    return chisq, n, observed, expected, var


def logrank(
    df: pd.DataFrame,
    *,
    duration: str,
    event: str,
    group: str,
    strata: str | Sequence[str] | None = None,
    p_adjust: str = "holm",
) -> LogRankResult:
    """Log-rank (Mantel-Haenszel) test of equal survival across groups.

    Equals R's ``survdiff(Surv(duration, event) ~ group + strata(...), rho = 0)``
    (tested to 1e-6) and Stata's ``sts test group, logrank strata(...)``. With
    ``strata`` the observed, expected and variance are summed over strata
    before forming the statistic.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per subject.
    duration : str
        Column of follow-up times (> 0); tied times are one time point.
    event : str
        Column with 1/True for an event, 0/False for censoring.
    group : str
        Column with the groups to compare (at least two distinct values).
    strata : str or sequence of str, optional
        Column(s) defining strata (R ``strata()``).
    p_adjust : {"holm", "bonferroni", "fdr_bh", "none"}, default "holm"
        Multiplicity correction of the pairwise p-values (R ``p.adjust``;
        ``"fdr_bh"`` is R's ``"BH"``).

    Returns
    -------
    LogRankResult
        Statistic, df, p-value, observed/expected per group and pairwise tests.

    Raises
    ------
    cohorts.errors.ContractError
        Missing columns, invalid durations or events, missing labels.
    ValueError
        Fewer than two groups, or an unknown ``p_adjust``.

    Notes
    -----
    At each distinct time with n at risk and d events the variance contribution
    is d (n - d) / (n - 1) times the multinomial covariance of the group shares
    of the risk set; the statistic is (O - E)' V^- (O - E) over the first G - 1
    groups (a generalised inverse, as R).

    References
    ----------
    Mantel, N. (1966). Evaluation of survival data and two new rank order
    statistics arising in its consideration. Cancer Chemotherapy Reports 50, 163-170.
    Peto, R. and Peto, J. (1972). Asymptotically efficient rank invariant test
    procedures. JRSS A 135, 185-207.
    """
    if p_adjust not in P_ADJUST:
        raise ValueError(f"p_adjust must be one of {list(P_ADJUST)}, but was {p_adjust!r}")
    strata_cols = [] if strata is None else ([strata] if isinstance(strata, str) else list(strata))
    dur, ev = check_survival(df, duration=duration, event=event, others=[group, *strata_cols])
    codes, labels = group_labels(df, group)
    if len(labels) < 2:
        raise ValueError(
            f"logrank needs at least 2 groups in column '{group}', but found {len(labels)}: "
            f"{list(labels)[:5]}"
        )
    strat, _ = strata_codes(df, strata)
    chisq, n, obs, exp, var = _logrank_core(dur, ev, codes, len(labels), strat)
    dof = len(labels) - 1
    table = pd.DataFrame(
        {
            "group": labels,
            "n": n,
            "observed": obs,
            "expected": exp,
            "o_minus_e": obs - exp,
            "variance": np.diag(var),
        }
    )
    pairs = []
    for i, j in combinations(range(len(labels)), 2):
        m = (codes == i) | (codes == j)
        sub_codes = (codes[m] == j).astype(np.intp)
        st = strat[m]
        st = pd.factorize(st, sort=True)[0].astype(np.intp)
        c2 = _logrank_core(dur[m], ev[m], sub_codes, 2, st)[0]
        pairs.append((labels[i], labels[j], c2, float(stats.chi2.sf(c2, 1))))
    pairwise = pd.DataFrame(pairs, columns=["group1", "group2", "statistic", "p"])
    pairwise["p_adjusted"] = adjust_pvalues(pairwise["p"].to_numpy(), p_adjust)
    return LogRankResult(
        statistic=chisq,
        df=dof,
        p_value=float(stats.chi2.sf(chisq, dof)),
        table=table,
        pairwise=pairwise,
        p_adjust=p_adjust,
        strata=tuple(strata_cols),
    )
