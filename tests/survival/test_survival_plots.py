"""Regression/property check: plots draw on the given Axes and return it, headless (no reference)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from cohorts.survival import fit_cif, fit_cox, fit_km


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_km_plot_with_at_risk_table(study):
    res = fit_km(study, duration="duration", event="event", group="high")
    fig, ax = plt.subplots()
    out = res.plot(ax=ax)
    assert out is ax
    assert len(ax.get_lines()) == 2
    texts = [t.get_text() for t in ax.texts]
    assert "number at risk" in texts
    at1 = res.at(1.0)
    for n in at1["n_at_risk"]:
        assert f"{n:,.0f}" in texts
    assert ax.get_ylim()[1] <= 1.05


def test_km_plot_makes_its_own_axes(study):
    ax = fit_km(study, duration="duration", event="event").plot(at_risk=False, ci=False, cumulative=True)
    assert ax.get_ylabel() == "cumulative incidence"


def test_cif_and_forest_plots(study):
    ax = fit_cif(study, duration="duration", event_type="exit_type", group="high").plot()
    assert len(ax.get_lines()) == 2
    ax2 = fit_cox(study, duration="duration", event="event", covariates=["high", "starter"]).plot()
    assert [t.get_text() for t in ax2.get_yticklabels()] == ["high", "starter"]
