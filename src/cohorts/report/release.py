"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.release`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import release as _moved

warnings.warn("cohorts.report.release moved to cohorts.studies.high_mortgages.release; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
