"""Utilisation categories, LTI x LTV quadrants and exceedance shares.

Pure functions on the utilisation columns written by
:func:`cohorts.norms.apply_norm` (``lti_util``, ``ltv_util``; 1.0 = 100% of
the norm).  They serve Figures 1-3, B1-B2 (categories and quadrants) and
Figure 7 (share of arrears at or above an LTI-utilisation threshold) of the
report.

Conventions
-----------
* Categories are right-closed: ``(0.9, 1.0]`` is "90-100%", so 100% exactly is
  within the norm, consistent with ``high = lti_util > 1.0``.
* A quadrant side is "above" when ``util > cut`` (``strict=True``, default) or
  ``util >= cut`` (``strict=False``).  The report writes "boven 90%" in one
  place and "90% of meer" in another (targets README, ambiguity 12).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cohorts import columns as C

#: Default category edges (fractions): below 60%, 10-point steps, above 120%.
DEFAULT_EDGES: tuple[float, ...] = (0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2)
#: Default thresholds of :func:`exceedance_shares` (Figure 7), fractions.
DEFAULT_EXCEEDANCE_THRESHOLDS: tuple[float, ...] = (0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2)

QUADRANTS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")
"""Q1 within both norms; Q2 LTV above only; Q3 LTI above only; Q4 both above."""


def _as_float(values: pd.Series | np.ndarray | Sequence[float], *, name: str) -> tuple[np.ndarray, pd.Index | None]:
    index = values.index if isinstance(values, pd.Series) else None
    if isinstance(values, pd.Series):
        arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = np.isnan(arr) & values.notna().to_numpy()
    else:
        arr = np.asarray(values, dtype="float64")
        bad = np.zeros(arr.shape, dtype=bool)
    if bad.any():
        raise TypeError(f"{name} must be numeric, but {int(bad.sum())} value(s) are not")
    neg = arr < 0
    if neg.any():
        pos = np.flatnonzero(neg)[:5]
        raise ValueError(f"{name} must be >= 0, but {int(neg.sum())} value(s) are negative, e.g. at positions {pos.tolist()}")
    return arr, index


def _check_edges(edges: Sequence[float]) -> np.ndarray:
    e = np.asarray(edges, dtype="float64")
    if e.ndim != 1 or e.size < 1 or not np.all(np.isfinite(e)) or np.any(np.diff(e) <= 0) or e[0] <= 0:
        raise ValueError(f"edges must be positive, finite and strictly increasing, but were {list(edges)!r}")
    return e


def category_labels(edges: Sequence[float] = DEFAULT_EDGES) -> list[str]:
    """Labels of the categories defined by ``edges``.

    Examples
    --------
    >>> category_labels((0.6, 0.8, 1.0))
    ['<=60%', '60-80%', '80-100%', '>100%']
    """
    e = _check_edges(edges)
    pct = [f"{x * 100:g}" for x in e]
    return [f"<={pct[0]}%"] + [f"{a}-{b}%" for a, b in zip(pct[:-1], pct[1:], strict=True)] + [f">{pct[-1]}%"]


def utilisation_category(
    util: pd.Series | np.ndarray | Sequence[float],
    *,
    edges: Sequence[float] = DEFAULT_EDGES,
) -> pd.Series:
    """Bin a utilisation (fraction of the norm) into right-closed categories.

    Parameters
    ----------
    util : Series or array_like
        Utilisation, >= 0 (``inf`` allowed: it falls in the top category).
    edges : sequence of float, default ``(0.6, 0.7, ..., 1.2)``
        Category edges as fractions.  With ``k`` edges there are ``k + 1``
        categories: ``<= edges[0]``, ``(edges[i], edges[i+1]]``, ``> edges[-1]``.

    Returns
    -------
    pandas.Series
        Ordered categorical with the labels of :func:`category_labels`; the
        index of ``util`` if it is a Series.  Missing input stays missing.

    Raises
    ------
    ValueError
        If ``edges`` are not positive and strictly increasing, or ``util`` < 0.
    TypeError
        If ``util`` is not numeric.

    Examples
    --------
    >>> utilisation_category([0.5, 0.6, 1.0, 1.05, 2.0]).tolist()
    ['<=60%', '<=60%', '90-100%', '100-110%', '>120%']
    """
    arr, index = _as_float(util, name="util")
    e = _check_edges(edges)
    labels = category_labels(e)
    codes = np.searchsorted(e, arr, side="left")  # x <= e[0] -> 0; e[i-1] < x <= e[i] -> i
    codes = np.where(np.isnan(arr), -1, codes)
    cat = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    return pd.Series(cat, index=index, name="category")


def lti_category(util: pd.Series | np.ndarray, *, edges: Sequence[float] = DEFAULT_EDGES) -> pd.Series:
    """LTI-utilisation categories (Figure 1 rows); see :func:`utilisation_category`."""
    return utilisation_category(util, edges=edges).rename("lti_category")


def ltv_category(util: pd.Series | np.ndarray, *, edges: Sequence[float] = DEFAULT_EDGES) -> pd.Series:
    """LTV-utilisation categories (Figure 1 columns); see :func:`utilisation_category`."""
    return utilisation_category(util, edges=edges).rename("ltv_category")


def quadrant(
    lti_util: pd.Series | np.ndarray,
    ltv_util: pd.Series | np.ndarray,
    *,
    cut: float = 1.0,
    strict: bool = True,
) -> pd.Series:
    """Quadrant of the LTI x LTV utilisation plane (report Figures 1-3, B1-B2).

    Parameters
    ----------
    lti_util, ltv_util : Series or array_like
        Utilisations (fractions of the norm), same length.
    cut : float, default 1.0
        The cut in both dimensions (1.0 = 100%; 0.9 for Figures 3 and B2).
    strict : bool, default True
        Above means ``util > cut``; with ``False``, ``util >= cut``.

    Returns
    -------
    pandas.Series
        Categorical ``Q1`` (within both), ``Q2`` (LTV above only), ``Q3``
        (LTI above only), ``Q4`` (both above); missing where either input is
        missing.  Index of ``lti_util`` if it is a Series.

    Examples
    --------
    >>> quadrant([0.8, 0.8, 1.2, 1.2], [0.5, 1.1, 0.5, 1.1]).tolist()
    ['Q1', 'Q2', 'Q3', 'Q4']
    """
    lti, index = _as_float(lti_util, name="lti_util")
    ltv, _ = _as_float(ltv_util, name="ltv_util")
    if lti.shape != ltv.shape:
        raise ValueError(f"lti_util and ltv_util must have the same length, but had {lti.shape[0]} and {ltv.shape[0]}")
    if not (np.isfinite(cut) and cut > 0):
        raise ValueError(f"cut must be a positive finite number, but was {cut!r}")
    above_lti = lti > cut if strict else lti >= cut
    above_ltv = ltv > cut if strict else ltv >= cut
    codes = above_lti.astype("int64") * 2 + above_ltv.astype("int64")
    codes = np.where(np.isnan(lti) | np.isnan(ltv), -1, codes)
    cat = pd.Categorical.from_codes(codes, categories=list(QUADRANTS), ordered=False)
    return pd.Series(cat, index=index, name="quadrant")


def quadrant_shares(
    df: pd.DataFrame,
    *,
    cut: float = 1.0,
    strict: bool = True,
    by: str | None = None,
    lti_col: str = C.LTI_UTIL,
    ltv_col: str = C.LTV_UTIL,
) -> pd.DataFrame:
    """Share of rows in each quadrant, in percent (Figures 2, 3, B1, B2).

    Parameters
    ----------
    df : pandas.DataFrame
        With the utilisation columns.
    cut, strict : see :func:`quadrant`.
    by : str, optional
        Group column (e.g. ``"cohort"``); one row per group.
    lti_col, ltv_col : str
        Column names, default ``lti_util`` and ``ltv_util``.

    Returns
    -------
    pandas.DataFrame
        Tidy: columns ``[by,] quadrant, n, share`` (share in percent of the
        group's rows with both utilisations present; sums to 100 per group).
    """
    q = quadrant(df[lti_col], df[ltv_col], cut=cut, strict=strict)
    frame = pd.DataFrame({"quadrant": q})
    keys = ["quadrant"]
    if by is not None:
        frame.insert(0, by, df[by].to_numpy())
        keys = [by, "quadrant"]
    counts = frame.groupby(keys, observed=False).size().rename("n").reset_index()
    totals = counts.groupby(by)["n"].transform("sum") if by is not None else counts["n"].sum()
    counts["share"] = 100.0 * counts["n"] / totals
    return counts


def exceedance_shares(
    df: pd.DataFrame,
    *,
    thresholds: Sequence[float] = DEFAULT_EXCEEDANCE_THRESHOLDS,
    util_col: str = C.LTI_UTIL,
    event_col: str = C.EVENT,
    inclusive: bool = True,
) -> pd.DataFrame:
    """Share of all events (arrears) in mortgages at or above each threshold (Figure 7).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per mortgage with the initial utilisation and a boolean event
        column (ever in arrears during follow-up).
    thresholds : sequence of float, default ``(0.6, 0.7, ..., 1.2)``
        Utilisation thresholds as fractions.
    util_col : str, default ``"lti_util"``
        Utilisation column.
    event_col : str, default ``"event"``
        Boolean event column (nullable booleans accepted; missing not allowed).
    inclusive : bool, default True
        ``util >= threshold`` (Figure 7: "60% of hoger"); ``False`` gives
        ``util > threshold`` (the summary's "boven 100%").

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold, n_mortgages, n_mortgages_above,
        n_events, n_events_above, share_events`` (percent of all events in
        mortgages above the threshold; NaN if there are no events) and
        ``share_mortgages`` (percent of mortgages above).

    Raises
    ------
    ValueError
        If a utilisation or event value is missing, or a threshold is not
        positive and finite.
    """
    util, _ = _as_float(df[util_col], name=util_col)
    if np.isnan(util).any():
        n = int(np.isnan(util).sum())
        raise ValueError(f"column '{util_col}' must not be missing, but {n} value(s) are")
    ev_series = df[event_col]
    if ev_series.isna().any():
        raise ValueError(f"column '{event_col}' must not be missing, but {int(ev_series.isna().sum())} value(s) are")
    events = ev_series.astype(bool).to_numpy()
    t = np.asarray(thresholds, dtype="float64")
    if t.ndim != 1 or not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError(f"thresholds must be positive and finite, but were {list(thresholds)!r}")
    above = util[None, :] >= t[:, None] if inclusive else util[None, :] > t[:, None]
    n_events = int(events.sum())
    n_events_above = (above & events[None, :]).sum(axis=1)
    n_above = above.sum(axis=1)
    share_events = 100.0 * n_events_above / n_events if n_events > 0 else np.full(t.shape, np.nan)
    return pd.DataFrame(
        {
            "threshold": t,
            "n_mortgages": len(util),
            "n_mortgages_above": n_above,
            "n_events": n_events,
            "n_events_above": n_events_above,
            "share_events": share_events,
            "share_mortgages": 100.0 * n_above / len(util) if len(util) else np.nan,
        }
    )
