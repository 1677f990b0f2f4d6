"""What every figure of the report shares: its labels, the house-style decorator, gated data drawn as gaps.

Part of :mod:`cohorts.studies.high_mortgages.figures`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from cohorts.disclosure import NOTE, suppressed_rows
from cohorts.report.style import styled


#: What a suppressed cell, bar or point shows in a figure (the gate's default marker).
MARKER = "x"

_TEXT = {
    "en": {
        "lti_util": "LTI utilisation",
        "ltv_util": "LTV utilisation",
        "share_new": "share of new mortgages (%)",
        "share_starters": "share of first-time buyers (%)",
        "share_households": "share of households (%)",
        "cohort": "origination year",
        "grid_share": "share of new mortgages (%), N = {n}",
        "cohort_n": "origination year (above each bar: N)",
        "quadrant_cut": "above: utilisation {op} {cut:g}% of the norm (LTI, LTV)",
        "income": "mean gross household income (euro 1,000)",
        "growth": "median income growth since origination (%)",
        "years_since": "years since origination",
        "years_since_n": "years since origination (below: N)",
        "threshold": "initial LTI utilisation at or above (%)",
        "share_arrears": "share of all arrears (%)",
        "share_mortgages": "share of all mortgages",
        "arrears": "share of all arrears",
        "surv": "share without arrears (%)",
        "year_after": "year after origination (1 = origination year)",
        "at_risk": "number at risk",
        "within": "within norm",
        "high": "high (LTI > {thr:g}%)",
        "cum_inc": "cumulative arrears after {h} years (%)",
        "lti_threshold": "LTI-utilisation threshold (%)",
        "above": "above threshold",
        "below": "at or below threshold",
        "hr": "hazard ratio of first arrears",
        "Q1": "Q1 within both",
        "Q2": "Q2 LTV above",
        "Q3": "Q3 LTI above",
        "Q4": "Q4 both above",
        "starters": "first-time buyers",
        "new": "all new mortgages",
        "new_high": "new, LTI > 100%",
        "starters_high": "first-time buyers, LTI > 100%",
        "cohort_arrears": "cumulative arrears (%)\n{h} yr after origination",
        "suppressed": "{marker}: not shown (disclosure control)",
        "refused": "model not shown (disclosure control)",
        "pooled": "pooled steps (disclosure control)",
        "n_events_mortgages": "{e} arrears among {m} mortgages",
        "share_arrears_mortgages": "% of all arrears / mortgages",
        "n_arrears": "N = {n}, {e} with arrears",
    },
    "nl": {
        "lti_util": "LTI-benutting",
        "ltv_util": "LTV-benutting",
        "share_new": "aandeel nieuwe hypotheken (%)",
        "share_starters": "aandeel koopstarters (%)",
        "share_households": "aandeel huishoudens (%)",
        "cohort": "jaar van afsluiten",
        "grid_share": "aandeel nieuwe hypotheken (%), N = {n}",
        "cohort_n": "jaar van afsluiten (boven elke staaf: N)",
        "quadrant_cut": "boven: benutting {op} {cut:g}% van de norm (LTI, LTV)",
        "income": "gemiddeld bruto huishoudinkomen (x 1.000 euro)",
        "growth": "mediane inkomensontwikkeling sinds afsluiten (%)",
        "years_since": "jaren na afsluiten",
        "years_since_n": "jaren na afsluiten (daaronder: N)",
        "threshold": "initiële LTI-benutting vanaf (%)",
        "share_arrears": "aandeel van alle achterstanden (%)",
        "share_mortgages": "aandeel van alle hypotheken",
        "arrears": "aandeel van alle achterstanden",
        "surv": "aandeel zonder betalingsachterstand (%)",
        "year_after": "jaar na afsluiten (1 = jaar van afsluiten)",
        "at_risk": "aantal gevolgd",
        "within": "binnen norm",
        "high": "hoog (LTI > {thr:g}%)",
        "cum_inc": "achterstand na {h} jaar (%)",
        "lti_threshold": "grens LTI-benutting (%)",
        "above": "boven de grens",
        "below": "op of onder de grens",
        "hr": "hazard ratio eerste achterstand",
        "Q1": "K1 binnen beide",
        "Q2": "K2 LTV boven",
        "Q3": "K3 LTI boven",
        "Q4": "K4 beide boven",
        "starters": "koopstarters",
        "new": "alle nieuwe hypotheken",
        "new_high": "nieuw, LTI > 100%",
        "starters_high": "koopstarters, LTI > 100%",
        "cohort_arrears": "achterstand (%)\n{h} jaar na afsluiten",
        "suppressed": "{marker}: niet getoond (geheimhouding)",
        "refused": "model niet getoond (geheimhouding)",
        "pooled": "samengevoegde stappen (geheimhouding)",
        "n_events_mortgages": "{e} achterstanden bij {m} hypotheken",
        "share_arrears_mortgages": "% van alle achterstanden /\nhypotheken",
        "n_arrears": "N = {n}, waarvan {e} met achterstand",
    },
}
#: Figure labels in English (``"en"``) and Dutch (``"nl"``).
TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({k: MappingProxyType(v) for k, v in _TEXT.items()})


def _t(lang: str, key: str, **kw: object) -> str:
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {tuple(TEXT)}, but was {lang!r}")
    return TEXT[lang][key].format(**kw)


#: The engine's decorator (:func:`cohorts.report.style.styled`), under the name this study's figures use.
_styled = styled


def _pct_axis(ax: Axes, axis: str = "y", *, xmax: float = 100.0) -> None:
    fmt = PercentFormatter(xmax=xmax, decimals=0, symbol="")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


# --------------------------------------------------------------------------
# gated data: suppressed cells are missing and drawn as gaps
# --------------------------------------------------------------------------
def suppressed(data: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the rows of figure data that the disclosure gate suppressed, pooled or cut.

    Rows of gated data carry a ``disclosure`` note: empty where released as
    computed, ``empty: ...`` for a population without units (no number
    exists, which is not a suppression), else what the gate did.  Data that
    did not pass the gate (no ``disclosure`` column) has no suppressed rows.

    Parameters
    ----------
    data : pandas.DataFrame
        Figure data, as computed or as released by
        the gate (:meth:`cohorts.studies.high_mortgages.Exporter.prepare_figure`).

    Returns
    -------
    numpy.ndarray of bool, shape (len(data),)
    """
    if NOTE not in data.columns:
        return np.zeros(len(data), dtype=bool)
    return suppressed_rows(data)


def _hidden(data: pd.DataFrame, column: str) -> np.ndarray:
    """Rows whose ``column`` the gate hid: a suppression note and no value.

    The gate may hide only some cells of a row (the counts ``n``, ``n_events``
    of a released estimate); such a row's value is drawn, not marked.
    """
    return suppressed(data) & ~np.isfinite(_values(data[column]))


def _values(series: pd.Series) -> np.ndarray:
    """Numbers as float64, the marker and missing values as NaN."""
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()


def _note_suppressed(ax: Axes, *, lang: str) -> None:
    """The legend of the marker, above the upper right corner of the axes."""
    ax.annotate(_t(lang, "suppressed", marker=MARKER), xy=(1.0, 1.04), xycoords="axes fraction", ha="right",
                va="bottom", fontsize="x-small", style="italic", annotation_clip=False)


def _mark_points(ax: Axes, x: Sequence[float], *, colour: str, row: int = 0) -> None:
    """The marker at each omitted point, just above the x-axis (``row`` 1, 2 ... stacked above row 0)."""
    for xx in x:
        ax.annotate(MARKER, xy=(float(xx), 0.02 + 0.06 * row), xycoords=("data", "axes fraction"), ha="center",
                    va="bottom",
                    fontsize="x-small", color=colour, annotation_clip=False)
