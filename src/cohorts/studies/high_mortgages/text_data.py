"""Numbers the text of the report quotes that no figure draws: the log-rank tests of Figures 8 and 9.

The report states in words that high mortgages run a higher risk of arrears;
the figures draw the two Kaplan-Meier curves (within the norm, high) for all
new mortgages (Figure 8) and for first-time buyers (Figure 9).  The test of
that difference is the log-rank test of the same two groups on the same
follow-up.  :func:`logrank_data` computes it for both populations; the
export gate (:data:`cohorts.studies.high_mortgages.exports.TEXT_DATA`,
:func:`cohorts.disclosure.artefacts.text_release`) releases the statistic and
its p-value by the model rule (one comparison: enough events and residual
degrees of freedom), never the counts behind them.
"""

from __future__ import annotations

import pandas as pd

from cohorts import columns as C
from cohorts.studies.high_mortgages.tables import survival_frame

#: Population of the log-rank test -> whether starters only (Figure 9) or all new mortgages (Figure 8).
LOGRANK_POPULATIONS = {"all": False, "starters": True}
#: The columns of :func:`logrank_data`.
LOGRANK_COLUMNS = ("population", "figure", "threshold", "statistic", "df", "p", "n", "n_events")


def logrank_data(cohorts: pd.DataFrame, *, threshold: float | None = None) -> pd.DataFrame:
    """The log-rank test of high vs within the norm behind Figures 8 and 9.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Cohort table with ``duration`` (1 = the origination year), ``event``,
        ``starter`` and ``high`` (or ``lti_util`` with a ``threshold``).
    threshold : float, optional
        LTI-utilisation cut-off for "high" (fraction); ``None`` = the
        ``high`` column, as :func:`cohorts.studies.high_mortgages.tables.survival_data`.

    Returns
    -------
    pandas.DataFrame
        One row per population (``all``, ``starters``): ``population,
        figure`` (``figure_8``/``figure_9``), ``threshold`` (1.0 for the
        ``high`` column), ``statistic`` (chi-square, 1 df), ``df``, ``p``, and
        for the gate only ``n`` and ``n_events`` (the rows and events the test
        is computed on; not released).  R: ``survdiff(Surv(duration, event) ~
        category)``.

    Raises
    ------
    cohorts.errors.ContractError
        When a population has only one of the two groups (no test possible).
    """
    from cohorts.survival.logrank import logrank

    rows = []
    for name, starters in LOGRANK_POPULATIONS.items():
        frame = survival_frame(cohorts, starters=starters, threshold=threshold)
        res = logrank(frame, duration=C.DURATION, event=C.EVENT, group="category")
        rows.append({"population": name, "figure": "figure_9" if starters else "figure_8",
                     "threshold": 1.0 if threshold is None else float(threshold),
                     "statistic": float(res.statistic), "df": int(res.df), "p": float(res.p_value),
                     "n": int(len(frame)), "n_events": int(frame[C.EVENT].sum())})
    return pd.DataFrame(rows, columns=list(LOGRANK_COLUMNS))
