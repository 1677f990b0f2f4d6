"""Planted truth: every exclusion rule of the build has something to exclude.

Each test reads the written files and checks the planted mess against
``truth.parquet``: what the generator says it planted is exactly what a reader
of the raw files finds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.synth import kinds as K


def _loans(lld: pd.DataFrame) -> pd.DataFrame:
    """One row per loan per snapshot with the oldest part's year."""
    g = lld.groupby([C.SNAPSHOT_YEAR, C.LOAN_ID])
    out = pd.DataFrame({"oldest": g[C.ORIGINATION_DATE].min(), "n_parts": g.size()}).reset_index()
    out["first"] = out.groupby(C.LOAN_ID)[C.SNAPSHOT_YEAR].transform("min")
    return out


def _ids(truth: pd.DataFrame, kind: str) -> set[int]:
    return set(truth.loc[truth["intended"] == kind, C.LOAN_ID])


def test_every_kind_is_planted(tables: dict[str, pd.DataFrame]) -> None:
    counts = tables["truth"]["intended"].value_counts()
    assert set(counts.index) == set(K.INTENDED)
    assert tables["truth"][C.LOAN_ID].is_unique
    assert set(tables["truth"][C.LOAN_ID]) == set(tables["lld"][C.LOAN_ID])


def test_several_parts_with_different_types_rates_and_dates(tables: dict[str, pd.DataFrame]) -> None:
    lld = tables["lld"]
    n = lld.groupby([C.SNAPSHOT_YEAR, C.LOAN_ID]).size()
    assert n.min() >= 1 and n.max() <= 6  # 1-5 parts, plus at most one added part
    assert n.isin([2, 3]).mean() > 0.5
    g = lld.groupby([C.SNAPSHOT_YEAR, C.LOAN_ID])
    assert (g[C.REPAYMENT_TYPE].nunique() > 1).mean() > 0.3
    assert (g[C.INTEREST_RATE].nunique() > 1).mean() > 0.5
    assert (g[C.ORIGINATION_DATE].nunique() > 1).mean() > 0.2


def test_multi_mortgage_households_are_exactly_the_planted_ones(tables: dict[str, pd.DataFrame]) -> None:
    lld, key, truth = tables["lld"], tables["key"], tables["truth"]
    seen = lld[[C.SNAPSHOT_YEAR, C.LOAN_ID]].drop_duplicates().merge(key, on=C.LOAN_ID)
    n = seen.groupby([C.SNAPSHOT_YEAR, C.PERSON_ID])[C.LOAN_ID].transform("size")
    multi = set(seen.loc[n > 1, C.LOAN_ID])
    assert multi and multi == _ids(truth, K.MULTI_MORTGAGE)


def test_unlinkable_and_2018_loans_are_not_in_the_key_table(tables: dict[str, pd.DataFrame]) -> None:
    key, truth = set(tables["key"][C.LOAN_ID]), tables["truth"]
    assert _ids(truth, K.UNLINKABLE) and not (_ids(truth, K.UNLINKABLE) & key)
    assert _ids(truth, K.COHORT_2018) and not (_ids(truth, K.COHORT_2018) & key)
    assert key == set(truth.loc[~truth["intended"].isin([K.UNLINKABLE, K.COHORT_2018]), C.LOAN_ID])
    first = tables["lld"].groupby(C.LOAN_ID)[C.SNAPSHOT_YEAR].min()
    assert first.loc[list(key)].max() <= 2017


def test_origination_year_differs_from_first_snapshot_exactly_where_planted(tables: dict[str, pd.DataFrame]) -> None:
    loans = _loans(tables["lld"])
    at_first = loans[loans[C.SNAPSHOT_YEAR] == loans["first"]]
    differs = set(at_first.loc[at_first["oldest"].dt.year != at_first["first"], C.LOAN_ID])
    truth = tables["truth"]
    assert differs == _ids(truth, K.ORIGINATION_YEAR_MISMATCH) | _ids(truth, K.PRE_2012_STOCK)
    late = at_first[at_first[C.LOAN_ID].isin(_ids(truth, K.ORIGINATION_YEAR_MISMATCH))]
    assert late["oldest"].dt.year.between(2012, 2016).all() and (late["first"] > late["oldest"].dt.year).all()
    # lenders joining the LLD: old loans first reported in 2013-2017
    old = at_first[at_first[C.LOAN_ID].isin(_ids(truth, K.PRE_2012_STOCK))]
    assert (old["oldest"].dt.year < 2012).all() and (old["first"] > 2012).any()


def test_refinanced_loans_keep_their_oldest_part(tables: dict[str, pd.DataFrame]) -> None:
    lld = tables["lld"]
    loans = _loans(lld)
    assert (loans.groupby(C.LOAN_ID)["oldest"].nunique() == 1).all()
    # some loans show a new part (new id, later origination) in a later snapshot
    first_snap = lld.groupby(C.LOAN_PART_ID)[C.SNAPSHOT_YEAR].transform("min")
    loan_first = lld.groupby(C.LOAN_ID)[C.SNAPSHOT_YEAR].transform("min")
    new_parts = lld[(first_snap > loan_first) & (lld[C.SNAPSHOT_YEAR] == first_snap)]
    assert len(new_parts) > 0
    assert (new_parts[C.ORIGINATION_DATE].dt.year == new_parts[C.SNAPSHOT_YEAR]).all()
    # and some parts disappear while their loan stays (replaced parts)
    last_part = lld.groupby(C.LOAN_PART_ID)[C.SNAPSHOT_YEAR].transform("max")
    last_loan = lld.groupby(C.LOAN_ID)[C.SNAPSHOT_YEAR].transform("max")
    assert (last_part < last_loan).any()


def test_missing_cbs_records_are_exactly_the_planted_ones(tables: dict[str, pd.DataFrame]) -> None:
    cbs, key, truth = tables["cbs"], tables["key"], tables["truth"]
    t = truth.merge(key, on=C.LOAN_ID)
    t = t[t["intended"] != K.PRE_2012_STOCK].assign(year=lambda d: d[C.FIRST_SEEN] + 1)
    rec = cbs[[C.PERSON_ID, C.YEAR, C.PARTNER_ID]]
    m = t.merge(rec, on=[C.PERSON_ID, C.YEAR], how="left", indicator=True)
    no_main = set(m.loc[m["_merge"] == "left_only", C.LOAN_ID])
    assert no_main == _ids(truth, K.MISSING_CBS_MAIN)
    has = m[(m["_merge"] == "both") & m[C.PARTNER_ID].notna()][[C.LOAN_ID, C.PARTNER_ID, C.YEAR]]
    p = has.merge(rec.rename(columns={C.PERSON_ID: "pp", C.PARTNER_ID: "back"}),
                  left_on=[C.PARTNER_ID, C.YEAR], right_on=["pp", C.YEAR], how="left", indicator=True)
    assert set(p.loc[p["_merge"] == "left_only", C.LOAN_ID]) == _ids(truth, K.MISSING_CBS_PARTNER)


def test_partners_link_both_ways_and_most_households_have_one(tables: dict[str, pd.DataFrame]) -> None:
    cbs = tables["cbs"]
    with_p = cbs[cbs[C.PARTNER_ID].notna()]
    back = with_p.merge(cbs[[C.PERSON_ID, C.YEAR, C.PARTNER_ID]], left_on=[C.PARTNER_ID, C.YEAR],
                        right_on=[C.PERSON_ID, C.YEAR], suffixes=("", "_p"))
    assert (back[C.PARTNER_ID + "_p"] == back[C.PERSON_ID]).all()
    mains = cbs[cbs[C.PERSON_ID].isin(tables["key"][C.PERSON_ID])]
    assert 0.55 < mains[C.PARTNER_ID].notna().mean() < 0.85


def test_owner_occupation_and_missing_house_value(tables: dict[str, pd.DataFrame]) -> None:
    lld, truth = tables["lld"], tables["truth"]
    not_oo = set(lld.loc[~lld[C.OWNER_OCCUPIED], C.LOAN_ID])
    assert not_oo and not_oo == _ids(truth, K.NOT_OWNER_OCCUPIED)
    first = lld.groupby(C.LOAN_ID)[C.SNAPSHOT_YEAR].transform("min")
    missing = set(lld.loc[lld[C.CURRENT_LTV].isna() & (lld[C.SNAPSHOT_YEAR] == first), C.LOAN_ID])
    assert missing == _ids(truth, K.HOUSE_VALUE_MISSING)
    assert lld.loc[lld[C.SNAPSHOT_YEAR] != first, C.CURRENT_LTV].notna().all()


def test_exits_and_arrears_patterns(tables: dict[str, pd.DataFrame]) -> None:
    lld = tables["lld"]
    per = lld.groupby([C.LOAN_ID, C.SNAPSHOT_YEAR])[C.ARREARS].any().unstack()
    last = lld.groupby(C.LOAN_ID)[C.SNAPSHOT_YEAR].max()
    assert (last < 2018).mean() > 0.05  # censored: left the data before 2018
    present = per.notna().to_numpy()
    flagged = present & (per.to_numpy(dtype=object) == True)  # noqa: E712 - object array with NaN
    nxt = np.zeros_like(flagged)
    nxt[:, :-1] = flagged[:, 1:]
    nxt_present = np.zeros_like(present)
    nxt_present[:, :-1] = present[:, 1:]
    assert (flagged & nxt_present & ~nxt).any()  # flagged, still there, not flagged again
    assert (flagged & nxt).any()  # flagged twice in a row


def test_household_finances_have_the_published_kinds_of_debt(tables: dict[str, pd.DataFrame]) -> None:
    cbs = tables["cbs"]
    assert (cbs[C.OTHER_DEBTS] > 50_000).mean() > 0.005
    assert (cbs[C.OTHER_DEBTS].between(1, 50_000)).mean() > 0.2
    assert (cbs[C.STUDENT_DEBT] > 0).mean() > 0.03
    assert 0.03 < cbs[C.ZZP].mean() < 0.2
