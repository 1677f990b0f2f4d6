"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.tables`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import tables as _moved

warnings.warn("cohorts.report.tables moved to cohorts.studies.high_mortgages.tables; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
