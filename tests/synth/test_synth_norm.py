"""The generator's own norm (cohorts.synth.norm) against the pipeline's engine (apply_norm).

Kind: cross-check of two separately written implementations of the same
regulation (Trhk art. 3, Bijlage 1) on a few thousand random households, plus
one hand-worked value.  The generator plants balances as utilisation x its own
maximum and the pipeline divides by the engine's maximum, so a disagreement
here is an error in one of them.  Households cover every norm year 2012-2018
(including the years that borrow the 2013 / 2015 tables), singles and couples,
main earners aged 60-70 (around the AOW age), lookup incomes on, just below
and just above every income-row label, test rates on and next to every rate
bracket edge, fixed periods just below and at 10 years, and wealth and debts.
The generator plants no interest-only amount into the maximum, so only the
standard maximum is compared.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.errors import NormTableFallbackWarning
from cohorts.norms import apply_norm, load_tables
from cohorts.synth.norm import max_mortgage_row, norm_maximum, table_percentage

YEARS = np.arange(2012, 2019)
N_RANDOM = 3000


def _engine(frame: pd.DataFrame) -> pd.DataFrame:
    full = frame.assign(**{C.BALANCE: 1.0, C.HOUSE_VALUE: 1.0, C.INTEREST_ONLY_AMOUNT: 0.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        return apply_norm(full)


def _synth(frame: pd.DataFrame) -> np.ndarray:
    return norm_maximum(
        year=frame[C.YEAR].to_numpy(), main_income=frame[C.MAIN_INCOME].to_numpy(),
        partner_income=frame[C.PARTNER_INCOME].to_numpy(), main_age=frame[C.MAIN_AGE].to_numpy(),
        interest_rate=frame[C.INTEREST_RATE].to_numpy(), fixed_period_years=frame[C.FIXED_PERIOD_YEARS].to_numpy(),
        savings=frame[C.SAVINGS].to_numpy(), securities=frame[C.SECURITIES].to_numpy(),
        consumer_credit=frame[C.CONSUMER_CREDIT].to_numpy(), student_debt=frame[C.STUDENT_DEBT].to_numpy(),
    )


def _households(seed: int) -> pd.DataFrame:
    """Random households whose lookup incomes and test rates sit at the table edges."""
    rng = np.random.default_rng(seed)
    tables = load_tables().to_frame()
    income_edges = np.unique(tables["income_from"].to_numpy(dtype="float64"))
    rate_edges = np.unique(np.concatenate([tables["rate_from"].to_numpy(dtype="float64"),
                                           tables["rate_to"].dropna().to_numpy(dtype="float64")]))
    n = N_RANDOM
    year = rng.choice(YEARS, n)
    couple = rng.random(n) < 0.5
    # the lookup income on, one euro below or one euro above an income-row label (or anywhere up to 150,000)
    on_edge = rng.random(n) < 0.7
    lookup = np.where(on_edge, rng.choice(income_edges, n) + rng.choice([-1.0, 0.0, 1.0], n),
                      np.round(rng.uniform(5_000, 150_000, n)))
    lookup = np.maximum(lookup, 1_000.0)
    # couples: split the lookup income into higher + w * lower with the year's partner weight
    weight = np.select([year <= 2015, year == 2016, year == 2017], [0.3333, 0.5, 0.6], 0.7)
    lower = np.where(couple, np.round(rng.uniform(0.0, 0.5, n) * lookup / (1 + weight)), 0.0)
    higher = lookup - weight * lower
    main_is_higher = rng.random(n) < 0.7
    main = np.where(main_is_higher, higher, lower)
    partner = np.where(main_is_higher, lower, higher)
    # test rates on and next to every bracket edge (or any 2-decimal rate)
    rate = np.where(rng.random(n) < 0.7, rng.choice(rate_edges, n) + rng.choice([-0.001, 0.0, 0.001], n),
                    np.round(rng.uniform(0.5, 9.0, n), 2))
    rate = np.round(np.clip(rate, 0.0, 20.0), 3)
    wealthy = rng.random(n) < 0.3
    return pd.DataFrame(
        {
            C.YEAR: year,
            C.MAIN_INCOME: main,
            C.PARTNER_INCOME: partner,
            C.MAIN_AGE: rng.integers(60, 71, n),
            C.INTEREST_RATE: rate,
            C.FIXED_PERIOD_YEARS: rng.choice([0, 1, 5, 9, 10, 15, 20, 30], n),
            C.SAVINGS: np.where(wealthy, np.round(rng.uniform(0, 100_000, n)), 0.0),
            C.SECURITIES: np.where(wealthy & (rng.random(n) < 0.5), np.round(rng.uniform(0, 50_000, n)), 0.0),
            C.CONSUMER_CREDIT: np.where(rng.random(n) < 0.2, np.round(rng.uniform(0, 30_000, n)), 0.0),
            C.STUDENT_DEBT: np.where(rng.random(n) < 0.2, np.round(rng.uniform(0, 40_000, n)), 0.0),
        }
    )


@pytest.fixture(scope="module")
def compared() -> pd.DataFrame:
    frame = _households(20221)
    engine = _engine(frame)
    return engine.assign(synth_max=_synth(frame))


def test_random_households_cover_the_edges(compared: pd.DataFrame) -> None:
    """The sample really holds every year, both tables, singles, couples, and both sides of the rate floor."""
    assert set(compared[C.YEAR]) == set(YEARS)
    assert set(compared["norm_table"]) == {"aow", "below_aow"}
    assert (compared[C.PARTNER_INCOME] == 0).any() and (compared[C.PARTNER_INCOME] > 0).sum() > N_RANDOM // 4
    assert set(compared["norm_table_year"]) == {2013, 2014, 2015}
    floored = compared["test_rate"] > compared[C.INTEREST_RATE]
    assert floored.sum() > 100 and (~floored).sum() > 100
    assert (compared[C.MAX_MORTGAGE] == 0).any() and (compared[C.MAX_MORTGAGE] > 0).sum() > N_RANDOM // 2


def test_maxima_agree_with_the_engine(compared: pd.DataFrame) -> None:
    np.testing.assert_allclose(compared["synth_max"], compared[C.MAX_MORTGAGE], rtol=1e-9, atol=1e-6)


def test_table_cells_agree_with_the_engine(compared: pd.DataFrame) -> None:
    """The looked-up percentage is the same cell, exactly (no tolerance)."""
    own = [
        table_percentage(int(ty), str(tab), float(inc), float(rate))
        for ty, tab, inc, rate in zip(compared["norm_table_year"], compared["norm_table"],
                                      compared["lookup_income"], compared["test_rate"], strict=True)
    ]
    assert np.array_equal(np.asarray(own), compared["pct"].to_numpy(dtype="float64"))


def test_hand_worked_single_household() -> None:
    """2014, single, 40,000 euro, age 30, 4.5% fixed 10 years: the 2014 below-AOW table's row 28,000
    (covering 28,000-55,000), column 4.001-4.500%, holds 26.5 (financieringslast_2014.csv); budget
    0.265 x 40,000 / 12 = 883.33 euro per month; annuity of 360 months at 0.375% per month: payment per
    euro 0.0050668531; maximum 883.33 / 0.0050668531 = 174,335.69 euro."""
    got = max_mortgage_row(year=2014, main_income=40_000.0, partner_income=0.0, main_age=30, interest_rate=4.5,
                           fixed_period_years=10, savings=0.0, securities=0.0, consumer_credit=0.0, student_debt=0.0)
    r = 0.045 / 12
    assert got == pytest.approx(0.265 * 40_000 / 12 / (r / (1 - (1 + r) ** -360)), rel=1e-12)
    assert got == pytest.approx(174_335.69, abs=0.01)
