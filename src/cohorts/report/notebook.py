"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.notebook`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import notebook as _moved

warnings.warn("cohorts.report.notebook moved to cohorts.studies.high_mortgages.notebook; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
