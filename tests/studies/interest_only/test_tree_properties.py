"""Property tests of the vulnerability tree (checklist E22-E29).

Kinds: every test here is a **property** test (hypothesis on single households, plus one
seeded random grid of 20,000 households run vectorised):
* monotonicity: a household never moves to a safer (lower) step when its maximum monthly cost
  X_T (its income) falls, its house value V_T falls or the rate rises; nor when its wealth falls;
* nesting: residual debt => forced sale => fail annuity; vulnerable => forced sale; core risk
  => vulnerable; a failure has at least one reason (LTI or LTV);
* each grid property is also checked to be non-vacuous (some households do move).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.studies.interest_only.tree import classify

PARAMS = load_parameters().replace(social_assistance_single=15_000.0, social_assistance_couple=20_000.0)


def frame(d, v, w, x, r, *, d0=None, v0=None, income=None) -> pd.DataFrame:
    d = np.atleast_1d(np.asarray(d, dtype="float64"))
    n = d.shape[0]

    def full(val, default):
        return np.broadcast_to(np.asarray(default if val is None else val, dtype="float64"), (n,))

    return pd.DataFrame(
        {
            IO.HOUSEHOLD_ID: np.arange(n),
            IO.PERPETUAL: np.zeros(n, dtype=bool),
            IO.REFI_YEAR: np.full(n, 2035),
            IO.DEBT_AT_T: d,
            IO.HOUSE_VALUE_AT_T: full(v, 0),
            IO.WEALTH_AT_T: full(w, 0),
            IO.MAX_MONTHLY_COST: full(x, 0),
            IO.RATE_AT_T: full(r, 0),
            IO.DEBT_NOW: full(d0, 200_000.0),
            IO.HOUSE_VALUE_NOW: full(v0, 250_000.0),
            IO.INCOME_NOW: full(income, 40_000.0),
            IO.HAS_PARTNER: np.zeros(n, dtype=bool),
        }
    )


def steps(**kw) -> np.ndarray:
    return classify(frame(**kw), params=PARAMS)[IO.STEP].to_numpy()


money = st.floats(0.0, 1_500_000.0, allow_nan=False)
value = st.floats(1_000.0, 2_000_000.0, allow_nan=False)
cost = st.floats(-1_000.0, 10_000.0, allow_nan=False)
rate = st.floats(0.0, 0.15, allow_nan=False)
share = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(d=money, v=value, w=money, x=cost, r=rate, cut=share)
def test_prop_lower_income_never_safer(d, v, w, x, r, cut):
    before = steps(d=d, v=v, w=w, x=x, r=r)
    after = steps(d=d, v=v, w=w, x=x - cut * (abs(x) + 100.0), r=r)
    assert after[0] >= before[0]


@settings(max_examples=300, deadline=None)
@given(d=money, v=value, w=money, x=cost, r=rate, cut=share)
def test_prop_lower_house_value_never_safer(d, v, w, x, r, cut):
    before = steps(d=d, v=v, w=w, x=x, r=r)
    after = steps(d=d, v=v * (1.0 - 0.99 * cut), w=w, x=x, r=r)
    assert after[0] >= before[0]


@settings(max_examples=300, deadline=None)
@given(d=money, v=value, w=money, x=cost, r=rate, up=st.floats(0.0, 0.05, allow_nan=False))
def test_prop_higher_rate_never_safer(d, v, w, x, r, up):
    before = steps(d=d, v=v, w=w, x=x, r=r)
    after = steps(d=d, v=v, w=w, x=x, r=min(r + up, 0.2))
    assert after[0] >= before[0]


@settings(max_examples=300, deadline=None)
@given(d=money, v=value, w=money, x=cost, r=rate)
def test_prop_nesting_single(d, v, w, x, r):
    out = classify(frame(d=d, v=v, w=w, x=x, r=r), params=PARAMS).iloc[0]
    assert (not out[IO.RESIDUAL_DEBT]) or out[IO.FORCED_SALE]
    assert (not out[IO.FORCED_SALE]) or out[IO.FAIL_ANNUITY]
    assert (not out[IO.FAIL_ANNUITY]) or (out[IO.LTI_BINDS_ANNUITY] or out[IO.LTV_BINDS_ANNUITY])
    assert (not out[IO.FORCED_SALE]) or (out[IO.LTI_BINDS_IO50] or out[IO.LTV_BINDS_IO50])


def _grid(seed: int = 20221, n: int = 20_000) -> dict:
    rng = np.random.default_rng(seed)
    v = rng.uniform(50_000, 900_000, n)
    return dict(
        d=v * rng.uniform(0.0, 1.6, n),
        v=v,
        w=np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 400_000, n)),
        x=rng.uniform(-300, 3_000, n),
        r=rng.uniform(0.005, 0.10, n),
        d0=rng.uniform(20_000, 600_000, n),
        v0=rng.uniform(100_000, 700_000, n),
        income=rng.uniform(0, 120_000, n),
    )


def test_prop_grid_monotone_and_nested():
    g = _grid()
    rng = np.random.default_rng(7)
    n = g["d"].shape[0]
    base = classify(frame(**g), params=PARAMS)
    s0 = base[IO.STEP].to_numpy()
    shocks = {
        "income": dict(g, x=g["x"] * rng.uniform(0.3, 1.0, n) - 50.0),
        "house value": dict(g, v=g["v"] * rng.uniform(0.5, 1.0, n)),
        "rate": dict(g, r=g["r"] + rng.uniform(0.0, 0.03, n)),
        "wealth": dict(g, w=g["w"] * rng.uniform(0.0, 1.0, n)),
    }
    for name, kw in shocks.items():
        s1 = classify(frame(**kw), params=PARAMS)[IO.STEP].to_numpy()
        assert (s1 >= s0).all(), f"a fall in {name} moved {int((s1 < s0).sum())} household(s) to a safer step"
        assert (s1 > s0).any(), f"the {name} shock moves nobody: the property is vacuous"
    # nesting
    res, forced, fail = base[IO.RESIDUAL_DEBT], base[IO.FORCED_SALE], base[IO.FAIL_ANNUITY]
    assert not (res & ~forced).any() and not (forced & ~fail).any()
    vul = base[IO.VULNERABLE].fillna(False).to_numpy(dtype=bool)
    core = base[IO.CORE_RISK].fillna(False).to_numpy(dtype=bool)
    assert not (vul & ~forced.to_numpy()).any() and not (core & ~vul).any()
    # every step occurs (2..7) and the nesting is strict somewhere
    assert set(np.unique(s0)) == {2, 3, 4, 5, 6, 7}
    assert (fail & ~forced).any() and (forced & ~res).any() and res.any() and (vul & ~core).any() and core.any()
