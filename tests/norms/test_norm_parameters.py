"""External reference: the parameters file against the values the report states (reference: report text)."""

from __future__ import annotations

import pytest

from cohorts.norms import load_parameters
from cohorts.norms.parameters import YEARLY_PARAMETERS, NormParameters


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def value(params, year: int, name: str) -> float:
    hit = params.query("year == @year and name == @name")["value"]
    assert len(hit) == 1, (year, name)
    return float(hit.iloc[0])


def test_every_row_has_a_source_and_every_year_is_complete(params):
    assert params["source"].str.len().min() > 20
    assert not params.duplicated(["year", "name"]).any()
    assert NormParameters.from_frame(params).years == tuple(range(2012, 2019))
    for name in YEARLY_PARAMETERS:
        assert set(params.query("name == @name")["year"]) == set(range(2012, 2019)), name


def test_values_stated_in_the_report(params):
    # Bijlage 3 / H3 / footnote 31: LTV limit 105% (2013) down 1 pp a year to 101% (2017), 100% from 2018;
    # 106% for 2012 is inferred (see docs/norms.md, interpretation 5).
    assert [value(params, y, "ltv_limit") for y in range(2012, 2019)] == [1.06, 1.05, 1.04, 1.03, 1.02, 1.01, 1.00]
    # Bijlage 2/3, footnote 13: second income 33% (2012-2015; Trhk text 33,33%), 50% (2016), 60% (2017), 70% (2018, Bijlage 3)
    assert [value(params, y, "partner_income_weight") for y in range(2012, 2019)] == [0.3333] * 4 + [0.5, 0.6, 0.7]
    for y in range(2012, 2019):
        assert value(params, y, "min_test_rate") == 5.0                 # Bijlage 2: 'minimale toetsrente (5,0%)'
        assert value(params, y, "fixed_period_min_years") == 10         # footnote 23
        assert value(params, y, "consumer_credit_monthly_rate") == 0.02  # Bijlage 3: 2 procent
        assert value(params, y, "student_debt_monthly_rate") == 0.0075   # Bijlage 3: 0,75 procent
        assert value(params, y, "wealth_return") == 0.03                 # footnote 33: 3 procent
        assert value(params, y, "annuity_months") == 360                 # footnote 37: 30*12


def test_no_hra_footnotes_as_written_in_the_regulation(params):
    # Trhk 2013 Bijlage 1 footnote: minus 1,5 x toetsrente and minus 0,25%
    assert value(params, 2013, "no_hra_slope") == 1.5 and value(params, 2013, "no_hra_constant") == -0.25
    # Trhk 2014 Bijlage 1 footnote: minus 1,6 x toetsrente, 'waarna bij het resultaat 0,1% wordt opgeteld'
    assert value(params, 2014, "no_hra_slope") == 1.6 and value(params, 2014, "no_hra_constant") == 0.1
