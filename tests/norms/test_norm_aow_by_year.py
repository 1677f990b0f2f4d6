"""Hand-worked values: the AOW table switch at integer age 66 in every year 2013-2018.

Reference: the convention documented in ``data/norm_parameters.csv`` (rows
``aow_age``): ``main_age`` is an integer (year - birth year) and the statutory
AOW age was above 65 in 2013-2017 (65 years and 1 to 9 months, Algemene
Ouderdomswet art. 7a, as quoted there) and 66 in 2018, so an integer age of 65
is below it and 66 at or above it. ``test_norm_boundaries.py`` checks 2012
(age 65) and the years 2013 and 2015; this module checks each year.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from cohorts.errors import NormTableFallbackWarning
from cohorts.norms import apply_norm, load_tables

BASE = dict(
    main_income=40_000.0, partner_income=0.0, interest_rate=4.0,
    fixed_period_years=10, savings=0.0, securities=0.0, consumer_credit=0.0, student_debt=0.0,
    observed_mortgage=100_000.0, house_value=200_000.0, interest_only_amount=0.0,
)


@pytest.mark.parametrize("year", [2013, 2014, 2015, 2016, 2017, 2018])
def test_age_65_is_below_and_66_at_the_aow_age(year):
    frame = pd.DataFrame([{**BASE, "year": year, "main_age": age} for age in (64, 65, 66, 67)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NormTableFallbackWarning)  # 2016-2018 use the 2015 tables
        out = apply_norm(frame, tables=load_tables())
    assert out["norm_table"].tolist() == ["below_aow", "below_aow", "aow", "aow"]
