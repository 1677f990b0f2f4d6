"""The primary check of regression output: residual degrees of freedom and events per coefficient.

:func:`check_model` releases a model's summary only when it has enough
residual degrees of freedom and events per coefficient, else refuses it
whole.  Re-exported by :mod:`cohorts.disclosure.checks`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts.disclosure.checks.common import NOTE, REFUSE, Checked, _log, _row
from cohorts.disclosure.rules import Rules


# --------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------
def check_model(
    summary: pd.DataFrame,
    *,
    rules: Rules,
    artefact: str,
    n_events: float,
    n_params: int,
    resid_df: float,
    label: str = "model",
) -> Checked:
    """Release a model summary only with enough residual degrees of freedom and events per coefficient.

    Parameters
    ----------
    summary : pandas.DataFrame
        The coefficient table.
    rules : Rules
    artefact, label : str
        File name and which model (for the log).
    n_events : float
        Events the model is fitted on.
    n_params : int
        Estimated coefficients.
    resid_df : float
        Residual degrees of freedom (observations minus coefficients).

    Returns
    -------
    Checked
        ``released`` is the summary (with an empty ``disclosure`` note) or,
        when refused, an empty frame with its columns.
    """
    epp = n_events / n_params if n_params > 0 else float("nan")
    log = [
        _row(artefact, label, f"residual degrees of freedom >= {rules.min_resid_df}", resid_df, rules.min_resid_df,
             bool(np.isfinite(resid_df) and resid_df >= rules.min_resid_df), fail=REFUSE),
        _row(artefact, label, f"events per coefficient >= {rules.min_events_per_param}", n_events,
             rules.min_events_per_param, bool(np.isfinite(epp) and epp >= rules.min_events_per_param),
             measure=epp, fail=REFUSE),
    ]
    refused = any(r["decision"] == REFUSE for r in log)
    out = summary.iloc[0:0].copy() if refused else summary.copy()
    out[NOTE] = pd.Series([""] * len(out), index=out.index, dtype=object)
    return Checked(out.reset_index(drop=True), _log(log))
