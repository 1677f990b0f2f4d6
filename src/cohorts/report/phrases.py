"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.phrases`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import phrases as _moved

warnings.warn("cohorts.report.phrases moved to cohorts.studies.high_mortgages.phrases; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
