"""Regression/property check: properties that must hold for any input (hypothesis), no reference.

Survival in [0, 1] and non-increasing, at-risk non-increasing, cumulative
incidence non-decreasing, ``hr == exp(coef)``, results unchanged by row order,
and the share "above" non-increasing in the threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohorts.survival import fit_cif, fit_cox, fit_km, logrank, sweep

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def frames(draw, min_size=6, max_size=60):
    n = draw(st.integers(min_size, max_size))
    dur = draw(st.lists(st.integers(1, 7), min_size=n, max_size=n))
    ev = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    grp = draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
    x = draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=n, max_size=n))
    left = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    df = pd.DataFrame({"t": dur, "e": ev, "g": grp, "x": x})
    df["kind"] = np.where(df["e"], "arrears", np.where(left, "left", "observed_end"))
    return df


@SETTINGS
@given(frames(), st.sampled_from(["log-log", "log", "plain"]))
def test_km_curve_is_a_survival_curve(df, conf_type):
    s = fit_km(df, duration="t", event="e", group="g", conf_type=conf_type).summary
    for _, tab in s.groupby("group"):
        surv = tab["surv"].to_numpy()
        assert np.all((surv >= 0) & (surv <= 1))
        assert np.all(np.diff(surv) <= 1e-15)
        assert np.all(np.diff(tab["n_at_risk"].to_numpy()) <= 0)
        lo, up = tab["surv_lower"].to_numpy(), tab["surv_upper"].to_numpy()
        ok = ~np.isnan(lo)
        assert np.all(lo[ok] <= surv[ok] + 1e-12) and np.all(up[ok] >= surv[ok] - 1e-12)
        assert np.all((lo[ok] >= 0) & (up[ok] <= 1 + 1e-12))


@SETTINGS
@given(frames())
def test_cif_is_non_decreasing_and_bounded(df):
    if not df["e"].any():
        return
    s = fit_cif(df, duration="t", event_type="kind", group="g").summary
    for _, tab in s.groupby("group"):
        c = tab["cif"].to_numpy()
        assert np.all((c >= 0) & (c <= 1 + 1e-12))
        assert np.all(np.diff(c) >= -1e-15)


@SETTINGS
@given(frames(min_size=10), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(df, rnd):
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    shuffled = df.iloc[perm].reset_index(drop=True)
    a = fit_km(df, duration="t", event="e", group="g").summary
    b = fit_km(shuffled, duration="t", event="e", group="g").summary
    pd.testing.assert_frame_equal(a, b)
    if df["g"].nunique() == 2:
        la = logrank(df, duration="t", event="e", group="g")
        lb = logrank(shuffled, duration="t", event="e", group="g")
        assert np.isclose(la.statistic, lb.statistic, rtol=1e-10, atol=1e-12)
    if df["e"].sum() >= 2 and df["x"].nunique() > 1:
        try:
            ca = fit_cox(df, duration="t", event="e", covariates=["x"])
        except ValueError:
            return  # monotone likelihood on a tiny sample; not what this test is about
        cb = fit_cox(shuffled, duration="t", event="e", covariates=["x"])
        np.testing.assert_allclose(ca.params, cb.params, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(ca.summary["hr"], np.exp(ca.summary["coef"]), rtol=1e-15)
        assert ca.concordance == cb.concordance


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.5, 1.5), min_size=20, max_size=60, unique=True))
def test_share_above_non_increasing_in_threshold(utils):
    n = len(utils)
    df = pd.DataFrame(
        {
            "duration": np.arange(n) % 7 + 1,
            "event": np.arange(n) % 5 == 0,
            "lti_util": utils,
            "starter": np.arange(n) % 2 == 0,
        }
    )
    df["exit_type"] = np.where(df["event"], "arrears", "observed_end")
    out = sweep(df, horizons=[1], populations={"all": None})
    above = out[out["group"] == "above"].set_index("threshold")["n"]
    share = above.reindex([0.8, 0.9, 1.0, 1.1, 1.2], fill_value=0).to_numpy()
    assert np.all(np.diff(share) <= 0)
