"""Free wealth and consumer credit of the interest-only households (checklist C8-C11).

* Liquid assets L = savings + securities + cash (C8, seed l. 3117-3129).
* Consumer credit CK = min(overige schulden, 50,000) (C9, l. 3074-3079, fn 62).
* Netting, done once now (C10, fn 63 "eenmalige verrekening", l. 3104-3113; A16 default):
  CK' = max(0, CK - L) and W0 = max(0, L - CK - 10,000) (expense buffer, l. 3131-3145).
* Free wealth at T (C11, A2): W_T = W0 x the scenario's wealth growth factor; CK' stays constant.

The alternative of A16 (netting at the refinancing/event date, Tabel 1 l. 1134-1138) is
``netting="at_refi"`` in :func:`wealth_at_refi`: L grows to T first, then CK is netted and
the buffer taken.  The amounts are parameters (``data/parameters.toml``).

The module also holds the small frame checks the study's tree modules share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cohorts.errors import ContractError, Failure, missing_column_failures
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.parameters import Parameters

_MAX_EXAMPLES = 5

#: Household columns :func:`free_wealth` reads.
WEALTH_INPUTS = (IO.SAVINGS, IO.SECURITIES, IO.CASH, IO.OTHER_DEBTS)


def _ids(frame: pd.DataFrame, mask: np.ndarray) -> str:
    """The first few offending household ids (or row labels) as text."""
    sub = frame.loc[np.asarray(mask, dtype=bool)]
    ids = sub[IO.HOUSEHOLD_ID] if IO.HOUSEHOLD_ID in sub.columns else pd.Series(sub.index, index=sub.index)
    return ", ".join(str(v) for v in ids.head(_MAX_EXAMPLES))


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, source: str) -> None:
    """Raise :class:`~cohorts.errors.ContractError` naming ``source`` and every missing column."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ContractError(missing_column_failures(source, missing, frame.columns, len(frame)))


def check_values(frame: pd.DataFrame, column: str, bad: np.ndarray, rule: str, *, source: str) -> None:
    """Raise a :class:`~cohorts.errors.ContractError` if any row of ``bad`` is set.

    The message names ``source``, ``column``, ``rule``, the number of rows and the first few
    household ids.
    """
    bad = np.asarray(bad, dtype=bool)
    if bad.any():
        raise ContractError([Failure(source, column, rule, int(bad.sum()), (f"household ids {_ids(frame, bad)}",))])


def numeric(frame: pd.DataFrame, column: str, *, source: str, non_negative: bool = True, allow_nan: bool = False) -> np.ndarray:
    """Column ``column`` as float64, checked: a number, not NaN (unless allowed), >= 0 (unless not asked)."""
    try:
        x = pd.to_numeric(frame[column], errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (ValueError, TypeError) as exc:
        raise ContractError([Failure(source, column, "numeric", len(frame), (str(exc)[:120],))]) from exc
    if not allow_nan:
        check_values(frame, column, np.isnan(x), "not missing", source=source)
    if non_negative:
        check_values(frame, column, x < 0, ">= 0", source=source)
    return x


def free_wealth(frame: pd.DataFrame, *, params: Parameters, source: str = "households") -> pd.DataFrame:
    """Liquid assets, consumer credit and free wealth now (checklist C8-C10).

    Parameters
    ----------
    frame : pandas.DataFrame
        Households with the household-level columns :data:`WEALTH_INPUTS` (``savings``,
        ``securities``, ``cash``, ``other_debts``: main + partner, euro, 1 Jan 2017, >= 0).
    params : Parameters
        ``consumer_credit_cap`` (50,000) and ``expense_buffer`` (10,000).
    source : str, default "households"
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Same index; columns ``liquid_assets`` (L), ``consumer_credit_now`` (CK = min(other debts,
        cap)), ``consumer_credit_net`` (CK' = max(0, CK - L)) and ``free_wealth_now``
        (W0 = max(0, L - CK - buffer)).  The netting is done once, now (A16 default).

    Raises
    ------
    cohorts.errors.ContractError
        A missing column, a missing or negative amount (names the column and the first ids).

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> f = pd.DataFrame({"savings": [30_000.0], "securities": [5_000.0], "cash": [0.0], "other_debts": [60_000.0]})
    >>> free_wealth(f, params=load_parameters()).iloc[0].tolist()
    [35000.0, 50000.0, 15000.0, 0.0]
    """
    require_columns(frame, WEALTH_INPUTS, source=source)
    savings, securities, cash, other = (numeric(frame, c, source=source) for c in WEALTH_INPUTS)
    liquid = savings + securities + cash
    ck = np.minimum(other, params.consumer_credit_cap)
    return pd.DataFrame(
        {
            IO.LIQUID_ASSETS: liquid,
            IO.CONSUMER_CREDIT_NOW: ck,
            IO.CONSUMER_CREDIT_NET: np.maximum(0.0, ck - liquid),
            IO.FREE_WEALTH_NOW: np.maximum(0.0, liquid - ck - params.expense_buffer),
        },
        index=frame.index,
    )


def wealth_at_refi(
    frame: pd.DataFrame,
    *,
    params: Parameters,
    growth: np.ndarray | float,
    netting: Literal["once", "at_refi"] = "once",
    source: str = "households",
) -> pd.DataFrame:
    """Free wealth W_T and net consumer credit CK' at the refinancing (or event) year (C10-C11).

    Parameters
    ----------
    frame : pandas.DataFrame
        Households with ``liquid_assets`` and ``consumer_credit_now`` (see :func:`free_wealth`).
    params : Parameters
        ``expense_buffer``.
    growth : array_like
        Cumulative wealth growth factor from end 2016 to T per household (the scenario's
        "Vermogen" path; 1.0 = no growth, A2).
    netting : {"once", "at_refi"}, default "once"
        ``"once"`` (A16 default, fn 63): net now, then grow what is left,
        W_T = growth x max(0, L - CK - buffer), CK' = max(0, CK - L).
        ``"at_refi"`` (A16 alternative, Tabel 1): grow L first, L_T = growth x L, then
        W_T = max(0, L_T - CK - buffer), CK' = max(0, CK - L_T).
    source : str, default "households"

    Returns
    -------
    pandas.DataFrame
        ``wealth_at_refi`` (W_T) and ``consumer_credit_net`` (CK' at T), same index.

    Examples
    --------
    >>> from cohorts.studies.interest_only.parameters import load_parameters
    >>> f = pd.DataFrame({"liquid_assets": [40_000.0], "consumer_credit_now": [20_000.0]})
    >>> wealth_at_refi(f, params=load_parameters(), growth=1.5).iloc[0].tolist()
    [15000.0, 0.0]
    >>> wealth_at_refi(f, params=load_parameters(), growth=1.5, netting="at_refi").iloc[0].tolist()
    [30000.0, 0.0]
    """
    if netting not in ("once", "at_refi"):
        raise ValueError(f"netting must be 'once' or 'at_refi' (A16), got {netting!r}")
    require_columns(frame, (IO.LIQUID_ASSETS, IO.CONSUMER_CREDIT_NOW), source=source)
    liquid = numeric(frame, IO.LIQUID_ASSETS, source=source)
    ck = numeric(frame, IO.CONSUMER_CREDIT_NOW, source=source)
    g = np.broadcast_to(np.asarray(growth, dtype="float64"), liquid.shape)
    check_values(frame, "growth", ~(g > 0), "wealth growth factor > 0", source=source)
    if netting == "once":
        w = g * np.maximum(0.0, liquid - ck - params.expense_buffer)
        ck_net = np.maximum(0.0, ck - liquid)
    else:
        lt = g * liquid
        w = np.maximum(0.0, lt - ck - params.expense_buffer)
        ck_net = np.maximum(0.0, ck - lt)
    return pd.DataFrame({IO.WEALTH_AT_T: w, IO.CONSUMER_CREDIT_NET: ck_net}, index=frame.index)
