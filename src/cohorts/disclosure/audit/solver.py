"""The linear-programme solver of the attacker: HiGHS (through ``highspy``), kept quiet.

:func:`_solver` passes a sparse programme to a fresh HiGHS instance (bounds
of rows and columns, an optional cost) and :func:`_optimal` tells whether a
run reached the optimum.  ``highspy`` is imported only when an audit runs.
"""

from __future__ import annotations

import contextlib
import os
import sys

import numpy as np
from scipy import sparse


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints a banner to the C-level standard output once per process; keep it off the user's screen."""
    try:
        fd = os.dup(1)
    except OSError:  # no file descriptor 1
        yield
        return
    sys.stdout.flush()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            try:
                yield
            finally:
                os.dup2(fd, 1)
    finally:
        os.close(fd)


def _solver(A: sparse.csc_matrix, row_lo: np.ndarray, row_hi: np.ndarray, col_hi: np.ndarray | None = None,
            cost: np.ndarray | None = None):
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    inf = highspy.kHighsInf
    n = A.shape[1]
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = np.zeros(n) if cost is None else cost
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, inf) if col_hi is None else np.where(np.isfinite(col_hi), col_hi, inf)
    lp.row_lower_ = np.where(np.isfinite(row_lo), row_lo, -inf)
    lp.row_upper_ = np.where(np.isfinite(row_hi), row_hi, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    h.passModel(lp)
    return h


def _optimal(h) -> bool:
    import highspy

    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal
