"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.text_data`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import text_data as _moved

warnings.warn("cohorts.report.text_data moved to cohorts.studies.high_mortgages.text_data; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
