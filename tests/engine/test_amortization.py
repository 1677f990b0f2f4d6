"""Tests of cohorts.amortization (loan-part balance at a later date, residual debt).

Kinds of test, by name prefix:

* ``test_hand_*``: hand-worked arithmetic, the computation written out in the test (one per
  repayment type, a part maturing before the date, a zero rate, the month convention).
* ``test_reference_*``: external reference: the annuity balance against an independent closed
  form (the present value of the remaining scheduled payments, summed payment by payment).
* ``test_property_*``: properties over many random parts (balances never rise with the year;
  the savings net debt reaches 0 at maturity; linear = annuity at rate 0).
* ``test_bad_*``: bad input gives a ValueError naming the argument, the rule and the positions.
"""

from __future__ import annotations

import numpy as np
import pytest

from cohorts.amortization import balance_at, months_between, residual_debt

SNAP = "2016-12-31"
NAT = np.datetime64("NaT")


def one(kind: str, *, balance: float, rate: float, maturity, at_year: int, origination="2006-12-31", **kw) -> float:
    out = balance_at(
        repayment_type=[kind],
        balance=[balance],
        rate=[rate],
        origination=[origination],
        maturity=[maturity],
        snapshot=SNAP,
        at_year=at_year,
        **kw,
    )
    assert out.shape == (1,)
    return float(out[0])


# --------------------------------------------------------------------------- hand-worked
def test_hand_month_convention():
    # 31 Dec 2016 -> 1 Jan 2020: 1096 days / 30.436875 = 36.008 -> 36 months
    assert months_between(np.datetime64("2016-12-31"), np.datetime64("2020-01-01")) == 36
    # 1 Jun 2005 -> 1 Jun 2035: 10957 days / 30.436875 = 359.99 -> 360 months
    assert months_between(np.datetime64("2005-06-01"), np.datetime64("2035-06-01")) == 360
    # backwards: negative
    assert months_between(np.datetime64("2020-01-01"), np.datetime64("2016-12-31")) == -36


def test_hand_interest_only_and_investment_unchanged():
    # IO stays whole, also after its own maturity (the study refinances it)
    assert one("interest_only", balance=150_000.0, rate=4.0, maturity="2030-06-01", at_year=2035) == 150_000.0
    # investment: linked capital counts as 0 (fn 2/54), perpetual coding (NaT) allowed
    assert one("investment", balance=80_000.0, rate=4.0, maturity=NAT, at_year=2040) == 80_000.0
    assert one("interest_only", balance=60_000.0, rate=4.0, maturity=NAT, at_year=2100) == 60_000.0


def test_hand_annuity():
    # B0 = 100,000 at 6%/yr: i = 0.005 per month; maturity 31 Dec 2018: n = 24 months;
    # 1 Jan 2018: k = 12 months.  1.005^12 = 1.0616778, 1.005^24 = 1.1271598.
    # B_12 = 100,000 x (1.1271598 - 1.0616778) / (1.1271598 - 1) = 100,000 x 0.0654820 / 0.1271598
    #      = 51,495.82
    got = one("annuity", balance=100_000.0, rate=6.0, maturity="2018-12-31", at_year=2018)
    assert got == pytest.approx(51_495.82, abs=0.01)
    # more than half is still owed after half the term (progressive repayment)
    assert got > 50_000.0


def test_hand_annuity_zero_rate_is_linear():
    # i = 0: B_k = B0 (1 - k/n) = 1,200 x (1 - 60/120) = 600
    assert one("annuity", balance=1_200.0, rate=0.0, maturity="2026-12-31", at_year=2022) == pytest.approx(600.0)


def test_hand_linear():
    # n = 120 months (31 Dec 2016 -> 31 Dec 2026), k = 60 (-> 1 Jan 2022): 1,200 x (1 - 60/120) = 600
    assert one("linear", balance=1_200.0, rate=4.0, maturity="2026-12-31", at_year=2022) == pytest.approx(600.0)


def test_hand_other_is_linear():
    # n = 36 (-> 31 Dec 2019), k = 12 (-> 1 Jan 2018): 90,000 x (1 - 12/36) = 60,000
    assert one("other", balance=90_000.0, rate=4.0, maturity="2019-12-31", at_year=2018) == pytest.approx(60_000.0)


def test_hand_savings():
    # origination 31 Dec 2006, maturity 31 Dec 2036: M = 360 months; 1 Jan 2027: m = 240 months.
    # 3%/yr: j = 0.0025; 1.0025^240 = 1.8207550, 1.0025^360 = 2.4568422.
    # capital C = 100,000 x 0.8207550 / 1.4568422 = 56,337.95; net = 100,000 - 56,337.95 = 43,662.05
    got = one("savings", balance=100_000.0, rate=3.0, maturity="2036-12-31", at_year=2027)
    assert got == pytest.approx(43_662.05, abs=0.01)


def test_hand_savings_zero_rate_and_life_counts_as_savings():
    # j = 0: C = B0 x m / M = 90,000 x 240/360 = 60,000 -> net 30,000 (for savings and life, fn 19)
    for kind in ("savings", "life"):
        assert one(kind, balance=90_000.0, rate=0.0, maturity="2036-12-31", at_year=2027) == pytest.approx(30_000.0)
    # savings_rate overrides the part's own rate (A17): 5% part, capital at 0% -> 30,000 again
    got = one("life", balance=90_000.0, rate=5.0, maturity="2036-12-31", at_year=2027, savings_rate=0.0)
    assert got == pytest.approx(30_000.0)


def test_hand_matured_parts_contribute_zero():
    # a guaranteed part maturing before (or on) 1 January of at_year contributes 0 (checklist B7)
    assert one("annuity", balance=50_000.0, rate=3.0, maturity="2019-06-30", at_year=2020) == 0.0
    assert one("linear", balance=50_000.0, rate=3.0, maturity="2020-01-01", at_year=2020) == 0.0  # on the date
    assert one("savings", balance=50_000.0, rate=3.0, maturity="2018-03-01", at_year=2025) == 0.0
    assert one("other", balance=50_000.0, rate=3.0, maturity="2016-06-30", at_year=2017) == 0.0  # before the snapshot


def test_hand_vector_with_per_part_years():
    # the same linear part read at three years: n = 120; k = 12, 60, 120 -> 1,080 / 600 / 0
    out = balance_at(
        repayment_type=["linear"] * 3,
        balance=[1_200.0] * 3,
        rate=[4.0] * 3,
        origination=[NAT] * 3,  # not needed for linear parts
        maturity=["2026-12-31"] * 3,
        snapshot=SNAP,
        at_year=np.array([2018, 2022, 2027]),
    )
    np.testing.assert_allclose(out, [1_080.0, 600.0, 0.0], atol=1e-9)


def test_hand_residual_debt():
    # default (A14): max(0, D - V): 300,000 - 250,000 = 50,000; 100,000 - 250,000 < 0 -> 0
    np.testing.assert_allclose(residual_debt(debt=[300_000, 100_000], house_value=[250_000, 250_000]), [50_000, 0])
    # with wealth 20,000: 300,000 - 250,000 - 20,000 = 30,000
    np.testing.assert_allclose(residual_debt(debt=[300_000], house_value=[250_000], wealth=[20_000]), [30_000])
    # selling costs 10%: 300,000 - 0.9 x 250,000 = 75,000
    np.testing.assert_allclose(residual_debt(debt=[300_000], house_value=[250_000], selling_cost_share=0.1), [75_000])
    # D = V exactly: no residual debt (the study's test is D_T > V_T)
    assert residual_debt(debt=[250_000], house_value=[250_000])[0] == 0.0


# --------------------------------------------------------------------------- external reference
def test_reference_annuity_equals_present_value_of_remaining_payments():
    """Independent closed form: P = B0 i / (1 - (1+i)^-n); B_k = sum_{t=1}^{n-k} P / (1+i)^t."""
    rng = np.random.default_rng(7)
    n_parts = 40
    rate = rng.uniform(0.5, 8.0, n_parts)
    b0 = rng.uniform(10_000, 400_000, n_parts)
    maturity_year = rng.integers(2020, 2050, n_parts)
    maturity = np.array([np.datetime64(f"{y}-12-31") for y in maturity_year])
    at_year = np.array([rng.integers(2017, y + 1) for y in maturity_year])
    got = balance_at(
        repayment_type=["annuity"] * n_parts,
        balance=b0,
        rate=rate,
        origination=[NAT] * n_parts,
        maturity=maturity,
        snapshot=SNAP,
        at_year=at_year,
    )
    for j in range(n_parts):
        i = rate[j] / 1200
        n = (maturity_year[j] - 2016) * 12  # 31 Dec 2016 -> 31 Dec Y: whole years
        k = (at_year[j] - 2017) * 12  # 31 Dec 2016 -> 1 Jan Y: whole years
        payment = b0[j] * i / (1 - (1 + i) ** -n)
        remaining = sum(payment / (1 + i) ** t for t in range(1, n - k + 1))
        assert got[j] == pytest.approx(remaining, rel=1e-9, abs=1e-6)


# --------------------------------------------------------------------------- properties
@pytest.mark.parametrize("kind", ["annuity", "linear", "other", "savings", "life"])
def test_property_balance_never_rises_with_the_year(kind):
    rng = np.random.default_rng(11)
    n_parts = 200
    origination = np.datetime64("1990-01-01") + rng.integers(0, 9_000, n_parts).astype("timedelta64[D]")
    maturity = origination + rng.integers(11_000, 14_000, n_parts).astype("timedelta64[D]")
    args = dict(
        repayment_type=[kind] * n_parts,
        balance=rng.uniform(0, 300_000, n_parts),
        rate=rng.uniform(0, 9, n_parts),
        origination=origination,
        maturity=maturity,
        snapshot=SNAP,
    )
    prev = balance_at(**args, at_year=2017)
    assert (prev <= args["balance"] + 1e-9).all()
    for year in range(2018, 2061):
        cur = balance_at(**args, at_year=year)
        assert (cur <= prev + 1e-9).all(), year
        assert (cur >= 0).all()
        prev = cur
    assert (prev == 0).all()  # every part has matured by 2060


@pytest.mark.parametrize("rate", [0.0, 1.5, 4.0, 9.0])
def test_property_savings_net_debt_reaches_zero_at_maturity(rate):
    # maturity 2 Jan 2030 is after 1 Jan 2030, so the part has not matured on that date and the formula
    # itself must give 0 (m = M = 360 months); a year earlier the capital does not cover the debt yet.
    kw = dict(balance=100_000.0, rate=rate, origination="2000-01-02", maturity="2030-01-02")
    assert one("savings", at_year=2030, **kw) == pytest.approx(0.0, abs=1e-6)
    before = one("savings", at_year=2029, **kw)
    # 12 of 360 months of saving are still to come; interest makes the capital grow convexly, so at
    # least their linear share (12/360) is still missing, exactly that share at rate 0
    assert 100_000.0 * 12 / 360 - 1e-6 <= before < 100_000.0
    if rate == 0.0:
        assert before == pytest.approx(100_000.0 * 12 / 360)


def test_property_annuity_at_zero_rate_equals_linear():
    rng = np.random.default_rng(3)
    n_parts = 100
    maturity = np.datetime64("2017-06-01") + rng.integers(0, 12_000, n_parts).astype("timedelta64[D]")
    common = dict(balance=rng.uniform(0, 1e5, n_parts), rate=np.zeros(n_parts), origination=[NAT] * n_parts,
                  maturity=maturity, snapshot=SNAP, at_year=rng.integers(2017, 2060, n_parts))
    np.testing.assert_allclose(
        balance_at(repayment_type=["annuity"] * n_parts, **common),
        balance_at(repayment_type=["linear"] * n_parts, **common),
    )


# --------------------------------------------------------------------------- bad input
def parts(**change):
    args = dict(
        repayment_type=["annuity", "linear", "savings"],
        balance=[1.0, 2.0, 3.0],
        rate=[3.0, 3.0, 3.0],
        origination=["2006-01-01"] * 3,
        maturity=["2036-01-01"] * 3,
        snapshot=SNAP,
        at_year=2030,
    )
    args.update(change)
    return args


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (dict(repayment_type=["annuity", "bullet", "savings"]),
         r"'repayment_type' breaks rule 'one of .*' for 1 part\(s\); first offending position\(s\): 1 \('bullet'\)"),
        (dict(balance=[1.0, -5.0, 3.0]), r"'balance' breaks rule '>= 0 and not missing' for 1 part\(s\); .*: 1 \(-5.0\)"),
        (dict(balance=[np.nan, 2.0, 3.0]), r"'balance' breaks rule '>= 0 and not missing' .*: 0 \(nan\)"),
        (dict(at_year=[2017, 2016, 2016]), r"'at_year' breaks rule '>= snapshot year \+ 1 = 2017' for 2 part\(s\); .*: 1 \(2016\), 2 \(2016\)"),
        (dict(maturity=["2036-01-01", "2036-01-01", "2005-01-01"]),
         r"'maturity' breaks rule 'on or after origination' for 1 part\(s\); .*: 2"),
        (dict(maturity=[NAT, "2036-01-01", "2036-01-01"]),
         r"'maturity' breaks rule 'an amortising part .* needs a maturity date \(not NaT\)' .*: 0 \('annuity'\)"),
        (dict(rate=[3.0, 3.0, np.nan]), r"'rate' breaks rule '>= 0 and not missing for annuity, savings and life parts' .*: 2"),
        (dict(rate=[-1.0, 3.0, 3.0]), r"'rate' breaks rule .*: 0 \(-1.0\)"),
        (dict(origination=["2006-01-01", "2006-01-01", NAT]), r"'origination' breaks rule 'savings and life parts need an origination date"),
        (dict(balance=[1.0, 2.0]), r"'balance' has shape \(2,\); expected \(3,\)"),
        (dict(savings_rate=[0.0, 0.0, -2.0]), r"'savings_rate' breaks rule '>= 0 and not missing' .*: 2"),
    ],
)
def test_bad_input(change, match):
    with pytest.raises(ValueError, match=match):
        balance_at(**parts(**change))


def test_bad_input_not_raised_where_the_field_is_not_needed():
    # NaT maturity of an IO part, NaN rate of a linear part, NaT origination of an annuity part are fine
    out = balance_at(
        repayment_type=["interest_only", "linear", "annuity"],
        balance=[10.0, 12.0, 0.0],
        rate=[np.nan, np.nan, 2.0],
        origination=[NAT, NAT, NAT],
        maturity=[NAT, "2018-12-31", "2030-01-01"],
        snapshot=SNAP,
        at_year=2018,
    )
    np.testing.assert_allclose(out, [10.0, 6.0, 0.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(debt=[1.0, -1.0], house_value=[1.0, 1.0]), r"'debt' breaks rule '>= 0 and not missing' for 1 row\(s\); .*: 1 \(-1.0\)"),
        (dict(debt=[1.0], house_value=[np.nan]), r"'house_value' breaks rule '>= 0 and not missing'"),
        (dict(debt=[1.0], house_value=[1.0], wealth=[-3.0]), r"'wealth' breaks rule"),
        (dict(debt=[1.0], house_value=[1.0], selling_cost_share=1.0), r"'selling_cost_share' breaks rule 'in \[0, 1\)'"),
    ],
)
def test_bad_residual_debt(kwargs, match):
    with pytest.raises(ValueError, match=match):
        residual_debt(**kwargs)
