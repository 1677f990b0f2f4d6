"""Regression/property check: sweep and by-cohort tables are consistent with the generic functions.

No external reference: checks that the tables are built from the functions
proven against R elsewhere (same numbers), that "high" is recomputed from
``lti_util`` at each threshold, and the table layout (time 1..7 on the study
scale, populations, groups, views).
"""

from __future__ import annotations

import numpy as np
import pytest

from cohorts.survival import by_cohort, fit_cif, fit_cox, fit_km, logrank, sweep


@pytest.fixture
def table(cohort_table):
    return sweep(cohort_table)


def test_layout(table):
    assert len(table) == 5 * 2 * 2 * 7
    assert sorted(table["threshold"].unique()) == [0.8, 0.9, 1.0, 1.1, 1.2]
    assert set(table["population"]) == {"all", "starters"}
    assert set(table["group"]) == {"within", "above"}
    assert sorted(table["time"].unique()) == [1, 2, 3, 4, 5, 6, 7]


def test_groups_recomputed_from_lti_util(table, cohort_table):
    for t in (0.8, 1.0, 1.2):
        rows = table[(table["threshold"] == t) & (table["population"] == "all") & (table["time"] == 1)]
        n_above = rows.loc[rows["group"] == "above", "n"].item()
        assert n_above == int((cohort_table["lti_util"] > t).sum())  # inf counts as above
        assert rows["n"].sum() == len(cohort_table)


def test_numbers_equal_the_generic_functions(table, cohort_table):
    t = 1.0
    st = cohort_table[cohort_table["starter"]].assign(above=lambda d: d["lti_util"] > t)
    rows = table[(table["threshold"] == t) & (table["population"] == "starters") & (table["group"] == "above")]
    km = fit_km(st[st["above"]], duration="duration", event="event").at([1, 2, 3, 4, 5, 6, 7])
    np.testing.assert_allclose(rows["km_cum_inc"], km["cum_inc"], atol=1e-14)
    np.testing.assert_allclose(rows["km_cum_inc_lower"], km["cum_inc_lower"], atol=1e-14)
    cif = fit_cif(st[st["above"]], duration="duration", event_type="exit_type").at(range(1, 8))
    np.testing.assert_allclose(rows["cif"], cif["cif"], atol=1e-14)
    lr = logrank(st, duration="duration", event="event", group="above")
    assert rows["logrank_p"].iloc[0] == pytest.approx(lr.p_value, rel=1e-12)
    cox = fit_cox(st, duration="duration", event="event", covariates=["above"]).summary
    assert rows["hr_above"].iloc[0] == pytest.approx(cox.loc["above", "hr"], rel=1e-12)
    # Aalen-Johansen with exits as competing events never exceeds 1 - KM
    assert np.all(rows["cif"] <= rows["km_cum_inc"] + 1e-12)


def test_time_seven_is_after_six_years(cohort_table):
    out = sweep(cohort_table, thresholds=[1.0], horizons=[7], populations={"all": None})
    km = fit_km(cohort_table.assign(g=cohort_table["lti_util"] > 1.0), duration="duration",
                event="event", group="g").at(7)
    np.testing.assert_allclose(out.sort_values("group", ascending=False)["km_cum_inc"],
                               km.sort_values("group")["cum_inc"], atol=1e-14)


def test_by_cohort_views(cohort_table):
    out = by_cohort(cohort_table, horizons=[1, 2, 7])
    assert set(out["view"]) == {"pooled", "cohort", "leave_one_out"}
    pooled = out[(out["view"] == "pooled") & (out["population"] == "all")]
    swept = sweep(cohort_table, thresholds=[1.0], horizons=[1, 2, 7], populations={"all": None})
    np.testing.assert_allclose(pooled["hr_above"], swept["hr_above"], rtol=1e-12)
    one = out[(out["view"] == "cohort") & (out["cohort"] == "2017") & (out["population"] == "all")]
    # the 2017 cohort is followed to time 2 at most: later times are NaN, not carried forward
    assert one.loc[one["time"] == 7, "km_cum_inc"].isna().all()
    loo = out[(out["view"] == "leave_one_out") & (out["cohort"] == "2012") & (out["time"] == 1)
              & (out["population"] == "all")]
    assert loo["n"].sum() == int((cohort_table["cohort"] != 2012).sum())


def test_empty_group_is_reported_not_hidden(cohort_table):
    out = sweep(cohort_table, thresholds=[float("inf")], horizons=[1], populations={"all": None})
    assert list(out["group"]) == ["within"] and (out["note"] != "").all()
    assert out["hr_above"].isna().all()
