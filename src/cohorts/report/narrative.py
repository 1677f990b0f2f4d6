"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.narrative`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import narrative as _moved

warnings.warn("cohorts.report.narrative moved to cohorts.studies.high_mortgages.narrative; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
