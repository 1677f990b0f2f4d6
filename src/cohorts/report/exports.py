"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.exports`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import exports as _moved

warnings.warn("cohorts.report.exports moved to cohorts.studies.high_mortgages.exports; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
