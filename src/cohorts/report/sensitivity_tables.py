"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.sensitivity_tables`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import sensitivity_tables as _moved

warnings.warn("cohorts.report.sensitivity_tables moved to cohorts.studies.high_mortgages.sensitivity_tables; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
