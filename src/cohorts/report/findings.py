"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.findings`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import findings as _moved

warnings.warn("cohorts.report.findings moved to cohorts.studies.high_mortgages.findings; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
