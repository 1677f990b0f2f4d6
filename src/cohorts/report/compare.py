"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.comparison`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import comparison as _moved

warnings.warn("cohorts.report.compare moved to cohorts.studies.high_mortgages.comparison; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
