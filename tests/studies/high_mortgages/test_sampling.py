"""Standard errors of the compared numbers (cohorts.report.sampling).

Kinds of test: hand-worked values (binomial, mean, sub-population count,
Greenwood, delta-method ratio: the arithmetic is written next to each
assertion) and planted truth (samples drawn from known distributions: the
normal and the exponential median, whose asymptotic standard errors are
``sqrt(pi/2) sigma / sqrt(n)`` and ``1 / sqrt(n)`` for a unit rate, and a
Kaplan-Meier estimate of a known exponential survival; the 3-SE intervals must
cover the planted value at the nominal rate).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.studies.high_mortgages import comparison as K
from cohorts.report import sampling as S
from cohorts.studies.high_mortgages import sampling as HS


# --------------------------------------------------------------------------
# hand-worked
# --------------------------------------------------------------------------
def test_binomial_and_mean_se_hand_worked():
    assert S.binomial_se(0.2, 100) == pytest.approx(0.04)  # sqrt(.2 * .8 / 100) = sqrt(.0016)
    assert math.isnan(S.binomial_se(0.2, 0))
    # values 1, 2, 3, 4: mean 2.5, squared deviations 2.25 + .25 + .25 + 2.25 = 5, sd = sqrt(5/3)
    assert S.mean_se(np.array([1.0, 2.0, 3.0, 4.0, np.nan]), 15) == pytest.approx(math.sqrt(5 / 3) / math.sqrt(15))


def test_subpopulation_count_se_hand_worked():
    # 83,856 high among 447,719 new: p = .1873, sqrt(447,719 * p * (1 - p)) = sqrt(83,856 * 363,863 / 447,719)
    assert S.subpopulation_count_se(83_856, 447_719) == pytest.approx(math.sqrt(83_856 * 363_863 / 447_719))
    assert S.subpopulation_count_se(83_856, 447_719) == pytest.approx(261.06, abs=0.01)
    assert math.isnan(S.subpopulation_count_se(5, 0))


def test_greenwood_hand_worked():
    # durations 1, 2, 2, 3, 4 with events at 1, 2 (one of the two), 4; censored 2, 3
    d = np.array([1, 2, 2, 3, 4])
    e = np.array([True, True, False, False, True])
    s, se = S.greenwood_se(d, e, 2)
    # t = 1: n = 5, d = 1 -> S = 4/5; t = 2: n = 4, d = 1 -> S = 4/5 * 3/4 = 3/5
    # var = S^2 (1 / (5 * 4) + 1 / (4 * 3)) = .36 * (.05 + .08333)
    assert s == pytest.approx(0.6)
    assert se == pytest.approx(0.6 * math.sqrt(1 / 20 + 1 / 12))
    s4, se4 = S.greenwood_se(d, e, 4)  # t = 4: n = 1, d = 1 -> S = 0; the infinite term is left out
    assert s4 == 0.0 and se4 == 0.0


def test_ratio_se_hand_worked():
    # 8 / 4 = 2; relative SEs .1 and .05: 2 * sqrt(.01 + .0025)
    assert S.ratio_se(8.0, 0.8, 4.0, 0.2) == pytest.approx(2 * math.sqrt(0.0125))


def test_kernel_density_hand_worked():
    # two points 0 and 2: sd = sqrt(2), IQR = 1 (quartiles .5, 1.5) -> spread min(1.414, 1/1.34) = .7463,
    # h = .9 * .7463 * 2^(-1/5); density at 1: both points at distance 1
    h = 0.9 * (1 / 1.34) * 2 ** (-0.2)
    expected = 2 * math.exp(-0.5 / h**2) / (2 * h * math.sqrt(2 * math.pi))
    assert S.kernel_density_at(np.array([0.0, 2.0]), 1.0) == pytest.approx(expected)


def test_count_parents():
    t = K.load_targets()
    row = t.set_index("id").loc["TB3_new_high_2017"].copy()
    row["id"] = "TB3_new_high_2017"
    assert HS.count_parent(t, row) == 30_433  # Tabel B3 new 2017
    row = t.set_index("id").loc["T1_N_starters_high_io_2017"].copy()
    row["id"] = "T1_N_starters_high_io_2017"
    assert HS.count_parent(t, row) == t.set_index("id").loc["TB3_starters_high_2017", "value"]
    row = t.set_index("id").loc["TB3_new_2017"].copy()
    row["id"] = "TB3_new_2017"
    assert HS.count_parent(t, row) is None  # a whole population


# --------------------------------------------------------------------------
# planted truth
# --------------------------------------------------------------------------
@pytest.mark.parametrize("draw, truth_median, truth_se", [
    (lambda rng, n: rng.normal(0.0, 1.0, n), 0.0, lambda n: math.sqrt(math.pi / 2) / math.sqrt(n)),
    (lambda rng, n: rng.exponential(1.0, n), math.log(2.0), lambda n: 1.0 / math.sqrt(n)),  # f(ln 2) = 1/2
])
def test_median_se_planted_truth(draw, truth_median, truth_se):
    rng = np.random.default_rng(20221)
    n, reps = 400, 400
    meds, ses = np.empty(reps), np.empty(reps)
    for i in range(reps):
        x = draw(rng, n)
        meds[i], ses[i] = np.median(x), S.median_se(x, n)
    # the estimated SE is close to the asymptotic one and to the spread of the medians
    assert np.mean(ses) == pytest.approx(truth_se(n), rel=0.10)
    assert np.std(meds, ddof=1) == pytest.approx(truth_se(n), rel=0.12)
    # 3-SE intervals cover the planted median (nominal 99.7%; at least 98% of 400)
    assert np.mean(np.abs(meds - truth_median) <= 3 * ses) >= 0.98


def test_mean_se_planted_truth():
    rng = np.random.default_rng(7)
    n, reps = 200, 400
    x = rng.lognormal(0.0, 0.5, (reps, n))
    true_mean = math.exp(0.125)  # exp(sigma^2 / 2)
    ses = np.array([S.mean_se(r, n) for r in x])
    assert np.mean(np.abs(x.mean(axis=1) - true_mean) <= 3 * ses) >= 0.98


def test_greenwood_planted_truth():
    rng = np.random.default_rng(11)
    n, reps, t = 500, 300, 3
    true_s = math.exp(-0.1 * t)  # exponential event times, rate 0.1; censoring uniform on 0..8 years
    ses, ests = [], []
    for _ in range(reps):
        event_time = np.ceil(rng.exponential(10.0, n))
        cens = rng.integers(1, 9, n)
        d = np.minimum(event_time, cens)
        e = event_time <= cens
        s, se = S.greenwood_se(d, e, t)
        ests.append(s)
        ses.append(se)
    # discrete times: P(T > 3) = P(ceil(Exp) > 3) = exp(-0.3)
    ests, ses = np.array(ests), np.array(ses)
    assert np.mean(np.abs(ests - true_s) <= 3 * ses) >= 0.98
    assert np.std(ests, ddof=1) == pytest.approx(np.mean(ses), rel=0.12)


# --------------------------------------------------------------------------
# in the comparison
# --------------------------------------------------------------------------
def test_comparison_median_and_count_se(hand_cohorts, hand_panel, hand_stock):
    t = pd.DataFrame([
        dict(id="TB3_new_2017", source="Tabel B3", quantity="number of households", group="new",
             cohort_year="2017", horizon_years=np.nan, threshold=np.nan, value=8.0, unit="count",
             kind="table_cell", note=np.nan),
        dict(id="TB3_new_high_2017", source="Tabel B3", quantity="number of households", group="new_high",
             cohort_year="2017", horizon_years=np.nan, threshold=np.nan, value=4.0, unit="count",
             kind="table_cell", note=np.nan),
        dict(id="TB5_new_2017", source="Tabel B5", quantity="median household net wealth", group="new",
             cohort_year="2017", horizon_years=np.nan, threshold=np.nan, value=3_000.0, unit="euro",
             kind="table_cell", note=np.nan),
    ])
    res = K.StudyResults(hand_cohorts, hand_panel, hand_stock, scale=0.5)
    out = K.compare(res, targets=t).set_index("id")
    # 4 high of the parent 8: sqrt(8 * .5 * .5) = sqrt(2); tolerance max(2% of 4, 3 sqrt 2)
    assert out.loc["TB3_new_high_2017", "report_se"] == pytest.approx(math.sqrt(2))
    assert out.loc["TB3_new_high_2017", "tolerance"] == pytest.approx(3 * math.sqrt(2))
    assert out.loc["TB3_new_high_2017", "sample_se"] == pytest.approx(math.sqrt(2) / math.sqrt(0.5))
    assert math.isnan(out.loc["TB3_new_2017", "report_se"])
    # 2017 net wealth 1,000, 5,000, -2,000, 30,000; N = 8 (Tabel B3): 1 / (2 f(m) sqrt(8)), f by the kernel
    v = np.array([1_000.0, 5_000.0, -2_000.0, 30_000.0])
    f = S.kernel_density_at(v, 3_000.0)
    assert out.loc["TB5_new_2017", "reproduced"] == pytest.approx(3_000.0)
    assert out.loc["TB5_new_2017", "report_se"] == pytest.approx(1 / (2 * f * math.sqrt(8)))


def test_summary_says_how_much_of_each_miss_is_noise():
    comp = pd.DataFrame({
        "id": ["a", "b", "c", "d"], "status": ["compared"] * 4, "class": ["recomputed"] * 4,
        "within": [True, False, False, False], "within_sample": [True, True, False, True],
        "target": [1.0, 1.0, 1.0, 1.0], "reproduced": [1.0, 2.0, 9.0, 1.5], "tolerance": [0.1] * 4,
        "score": [0.0, 10.0, 80.0, 5.0], "sample_z": [0.0, 2.0, 16.0, 1.0], "tolerance_kind": ["share"] * 4,
    })
    text = K.summarize(comp, scale=0.1)
    assert "Sampling noise at scale 0.1" in text
    assert "2 of 3 miss(es) are within 3 standard errors at the run's own N" in text
    assert "1 are not" in text and "3 of 4 compared targets within" in text
    row_c = next(line for line in text.splitlines() if line.strip().startswith("c "))
    assert "noise  16.00 SE" in row_c
    assert "Sampling noise" not in K.summarize(comp, scale=1.0)
