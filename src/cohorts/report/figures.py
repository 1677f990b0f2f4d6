"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.figures`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import figures as _moved

warnings.warn("cohorts.report.figures moved to cohorts.studies.high_mortgages.figures; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
