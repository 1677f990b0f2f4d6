"""Hand-worked values: aggregation of loan parts and the multi-mortgage rule, on hand-made frames.

Reference: appendix 2 of the report ("Geobserveerde hypotheekschuld",
"Woningwaarde") and the rules in the cohorts.link docstrings; expected values
are computed by hand in each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.link import aggregate_parts, link_key, multi_mortgage_loans


def _parts(rows):
    cols = [C.SNAPSHOT_YEAR, C.LOAN_ID, C.CURRENT_BALANCE, C.INTEREST_RATE, C.FIXED_PERIOD_MONTHS, C.REPAYMENT_TYPE,
            C.ORIGINATION_DATE, C.CURRENT_LTV, C.NHG, C.ARREARS]
    df = pd.DataFrame(rows, columns=cols)
    df[C.ORIGINATION_DATE] = pd.to_datetime(df[C.ORIGINATION_DATE])
    return df


def test_aggregate_sums_weights_and_takes_the_shortest_live_fixed_period():
    parts = _parts([
        (2015, 1, 100_000.0, 2.0, 240, "annuity", "2015-01-01", 80.0, False, False),
        (2015, 1, 50_000.0, 3.0, 120, "interest_only", "2014-12-01", 80.0, True, False),
        (2015, 1, 0.0, 6.0, 12, "linear", "2015-02-01", 80.0, False, True),  # repaid part: no weight, no fixed period
    ])
    m, step = aggregate_parts(parts)
    row = m.iloc[0]
    assert row[C.BALANCE] == 150_000
    assert row[C.INTEREST_RATE] == pytest.approx((100_000 * 2.0 + 50_000 * 3.0) / 150_000, abs=1e-12)
    assert row[C.FIXED_PERIOD_YEARS] == 10  # 120 months; the 12-month part has no balance
    assert row[C.INTEREST_ONLY_AMOUNT] == 50_000 and row[C.INTEREST_ONLY_SHARE] == pytest.approx(1 / 3)
    assert row[C.ORIGINATION_YEAR] == 2014  # oldest part
    assert row[C.HOUSE_VALUE] == pytest.approx(150_000 / 0.80)
    assert bool(row[C.NHG]) and bool(row[C.ARREARS])
    assert (step.rows_in, step.rows_out, step.rows_dropped) == (3, 1, 0)


def test_zero_balance_mortgage_has_plain_mean_rate_and_no_house_value():
    parts = _parts([
        (2016, 2, 0.0, 2.0, 0, "annuity", "2016-01-01", 50.0, False, False),
        (2016, 2, 0.0, 4.0, 0, "annuity", "2016-01-01", 50.0, False, False),
    ])
    row = aggregate_parts(parts)[0].iloc[0]
    assert row[C.INTEREST_RATE] == pytest.approx(3.0)
    assert row[C.FIXED_PERIOD_YEARS] == 0  # variable
    assert np.isnan(row[C.HOUSE_VALUE])


def test_missing_ltv_gives_no_house_value():
    parts = _parts([(2016, 3, 1000.0, 2.0, 120, "annuity", "2016-01-01", np.nan, False, False)])
    assert np.isnan(aggregate_parts(parts)[0][C.HOUSE_VALUE].iloc[0])


def test_same_main_earner_in_two_loans_in_one_snapshot():
    mortgages = pd.DataFrame({C.SNAPSHOT_YEAR: [2014, 2014, 2015, 2016], C.LOAN_ID: [1, 2, 3, 4]})
    key = pd.DataFrame({C.LOAN_ID: [1, 2, 3, 4], C.PERSON_ID: [10, 10, 30, 30]})
    linked, step = link_key(mortgages, key)
    cbs = pd.DataFrame({C.PERSON_ID: [10, 30, 30], C.YEAR: [2015, 2016, 2017],
                        C.PARTNER_ID: pd.array([pd.NA, pd.NA, pd.NA], dtype="Int64")})
    # person 10 holds loans 1 and 2 in 2014; person 30 holds 3 (2015) and 4 (2016): a move, not two mortgages
    assert multi_mortgage_loans(linked, cbs).tolist() == [1, 2]
    assert step.rows_dropped == 0


def _random_parts(n_loans: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for loan in range(n_loans):
        for year in range(2012, 2012 + int(rng.integers(1, 4))):
            for _ in range(int(rng.integers(1, 4))):
                rows.append([year, 1000 + loan, float(rng.choice([0.0, rng.uniform(1e4, 2e5)])),
                             float(rng.uniform(1, 6)), int(rng.choice([0, 12, 60, 120, 240])),
                             str(rng.choice(["annuity", "interest_only", "linear"])),
                             f"{int(rng.integers(2000, year + 1))}-0{int(rng.integers(1, 10))}-15",
                             float(rng.choice([np.nan, rng.uniform(40, 110)])), bool(rng.random() < .3),
                             bool(rng.random() < .05)])
    return _parts(rows)


@pytest.mark.parametrize("shuffle", [False, True])
def test_chunked_partial_sums_give_the_same_mortgages(shuffle):
    """Aggregating a file chunk by chunk (mortgages split over chunks) equals aggregating it whole."""
    from cohorts.link import finish_sums, partial_sums

    parts = _random_parts(300, seed=5)
    if shuffle:
        parts = parts.sample(frac=1.0, random_state=1).reset_index(drop=True)
    whole, _ = aggregate_parts(parts)
    bounds = [0, 7, 150, 151, 400, len(parts)]  # splits inside mortgages
    chunks = [partial_sums(parts.iloc[a:b].reset_index(drop=True)) for a, b in zip(bounds[:-1], bounds[1:])]
    assert sum(len(c) for c in chunks) > len(whole)  # some mortgage is split
    pd.testing.assert_frame_equal(finish_sums(chunks), whole, check_exact=False, rtol=1e-12)
    # reversed chunk order: the result is still sorted by snapshot and loan
    pd.testing.assert_frame_equal(finish_sums(chunks[::-1]), whole, check_exact=False, rtol=1e-12)
    # the expected values themselves, for one mortgage, by hand
    one = parts[(parts[C.LOAN_ID] == 1000) & (parts[C.SNAPSHOT_YEAR] == 2012)]
    row = whole[(whole[C.LOAN_ID] == 1000) & (whole[C.SNAPSHOT_YEAR] == 2012)].iloc[0]
    assert row[C.BALANCE] == pytest.approx(one[C.CURRENT_BALANCE].sum())
    assert row[C.N_PARTS] == len(one)
    assert row[C.ORIGINATION_DATE] == one[C.ORIGINATION_DATE].min()


@pytest.mark.parametrize("bounds", [
    [0, 7, 150, 151, 400],  # splits inside mortgages, a one-row chunk
    [0, 1, 2, 3, 4, 5],  # one mortgage cut into one-row chunks
    [0, 5, 5, 9, 300],  # an empty chunk between two
])
def test_partial_sums_of_a_file_in_key_order_are_combined_chunk_by_chunk(bounds):
    """A file in (snapshot, loan) order: chunks follow on, only boundary rows are combined; same mortgages."""
    from cohorts.link import PartialSums, partial_sums

    parts = _random_parts(300, seed=7).sort_values([C.SNAPSHOT_YEAR, C.LOAN_ID], kind="stable")
    parts = pd.concat([_parts([(2012, 999, 1000.0 * (i + 1), 2.0 + i, 12 * (i + 1), "annuity", f"2011-0{i + 1}-01",
                                80.0, i == 3, False) for i in range(6)]), parts], ignore_index=True)
    whole, _ = aggregate_parts(parts)
    edges = [*bounds, len(parts)]
    acc = PartialSums()
    for a, b in zip(edges[:-1], edges[1:]):
        acc.add(partial_sums(parts.iloc[a:b].reset_index(drop=True)))
    assert acc.in_sequence
    got = acc.finish()
    pd.testing.assert_frame_equal(got, whole, check_exact=False, rtol=1e-12)
    # the mortgage cut into pieces, by hand: 6 parts of 1000..6000, the shortest fixed period 12 months
    row = got[got[C.LOAN_ID] == 999].iloc[0]
    assert row[C.N_PARTS] == 6 and row[C.BALANCE] == 21_000.0
    assert row[C.INTEREST_RATE] == pytest.approx(sum(1000 * (i + 1) * (2.0 + i) for i in range(6)) / 21_000)
    assert row[C.FIXED_PERIOD_YEARS] == 1 and bool(row[C.NHG])
    assert row[C.ORIGINATION_DATE] == pd.Timestamp("2011-01-01")


def test_partial_sums_out_of_order_are_grouped():
    """A chunk whose keys go back (a file not in key order) switches to grouping; same mortgages."""
    from cohorts.link import PartialSums, partial_sums

    parts = _random_parts(100, seed=8).sort_values([C.SNAPSHOT_YEAR, C.LOAN_ID], kind="stable")
    whole, _ = aggregate_parts(parts)
    acc = PartialSums()
    for a, b in [(100, len(parts)), (0, 100)]:
        acc.add(partial_sums(parts.iloc[a:b].reset_index(drop=True)))
    assert not acc.in_sequence
    pd.testing.assert_frame_equal(acc.finish(), whole, check_exact=False, rtol=1e-12)


def test_multi_mortgage_counts_persons_without_cbs_records():
    """A main earner with no CBS record at all who holds two loans in one snapshot is still one person."""
    mortgages = pd.DataFrame({C.SNAPSHOT_YEAR: [2014, 2014, 2014], C.LOAN_ID: [1, 2, 3]})
    key = pd.DataFrame({C.LOAN_ID: [1, 2, 3], C.PERSON_ID: [77, 77, 30]})
    linked, _ = link_key(mortgages, key)
    cbs = pd.DataFrame({C.PERSON_ID: [30], C.YEAR: [2015], C.PARTNER_ID: pd.array([pd.NA], dtype="Int64")})
    assert multi_mortgage_loans(linked, cbs).tolist() == [1, 2]
