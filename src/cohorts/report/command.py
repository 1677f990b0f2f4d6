"""Deprecated alias of :mod:`cohorts.studies.high_mortgages.command`; removed in the next release."""

import sys
import warnings

from cohorts.studies.high_mortgages import command as _moved

warnings.warn("cohorts.report.command moved to cohorts.studies.high_mortgages.command; "
              "the old path is a deprecated alias", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
