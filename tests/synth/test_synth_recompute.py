"""Planted truth: the build's recomputations from the raw fields give the planted values.

A minimal re-implementation of the build's rules (sum of parts, balance-weighted
rate, shortest fixed period, CBS records of t+1 for main earner and partner,
consumer credit = other debts <= 50,000) feeds the pipeline's norm engine
(:func:`cohorts.norms.apply_norm`); the LTI utilisation, high flag and starter
flag must equal what the generator planted.  The generator computed the maximum
with its own row-by-row reading of the norm (:mod:`cohorts.synth.norm`), so a
wrong maximum in either implementation fails here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.errors import CohortsWarning
from cohorts.norms import apply_norm
from cohorts.synth import kinds as K


def test_planted_utilisation_is_recovered(tables: dict[str, pd.DataFrame]) -> None:
    lld, cbs, key, truth = tables["lld"], tables["cbs"], tables["key"], tables["truth"]
    ana = truth.loc[truth["intended"] == K.ANALYSABLE, [C.LOAN_ID, C.COHORT, C.STARTER, "planted_high", "planted_lti_util"]]
    first = lld.merge(ana, on=C.LOAN_ID)
    first = first[first[C.SNAPSHOT_YEAR] == first[C.COHORT].astype("int64")]
    first = first.assign(
        w=first[C.CURRENT_BALANCE] * first[C.INTEREST_RATE],
        io=first[C.CURRENT_BALANCE].where(first[C.REPAYMENT_TYPE] == C.INTEREST_ONLY, 0.0),
    )
    g = first.groupby(C.LOAN_ID)
    m = pd.DataFrame(
        {
            "obs": g[C.CURRENT_BALANCE].sum(),
            "rate": g["w"].sum() / g[C.CURRENT_BALANCE].sum(),
            "fix": g[C.FIXED_PERIOD_MONTHS].min() // 12,
            "io": g["io"].sum(),
            "ltv": g[C.CURRENT_LTV].first(),
            "snap": g[C.SNAPSHOT_YEAR].first().astype("int64"),
        }
    ).reset_index().merge(key, on=C.LOAN_ID)
    m[C.YEAR] = (m["snap"] + 1).astype("int16")  # CBS records of t+1
    main = m.merge(cbs, on=[C.PERSON_ID, C.YEAR], validate="one_to_one")
    partner = cbs.rename(columns={C.PERSON_ID: "pid"}).drop(columns=[C.PARTNER_ID, C.BIRTH_YEAR, C.ZZP])
    both = main.merge(partner, left_on=[C.PARTNER_ID, C.YEAR], right_on=["pid", C.YEAR], how="left", suffixes=("", "_p"))
    assert len(both) == len(ana)
    f = both.fillna({c + "_p": 0.0 for c in (C.GROSS_INCOME, C.SAVINGS, C.SECURITIES, C.OTHER_DEBTS, C.STUDENT_DEBT)})
    other = f[C.OTHER_DEBTS] + f[C.OTHER_DEBTS + "_p"]
    frame = pd.DataFrame(
        {
            C.YEAR: f["snap"],
            C.MAIN_INCOME: f[C.GROSS_INCOME],
            C.PARTNER_INCOME: f[C.GROSS_INCOME + "_p"],
            C.MAIN_AGE: f["snap"] - f[C.BIRTH_YEAR].astype("int64"),
            C.INTEREST_RATE: f["rate"],
            C.FIXED_PERIOD_YEARS: f["fix"].astype("int64"),
            C.SAVINGS: f[C.SAVINGS] + f[C.SAVINGS + "_p"],
            C.SECURITIES: f[C.SECURITIES] + f[C.SECURITIES + "_p"],
            C.CONSUMER_CREDIT: other.where(other <= 50_000, 0.0),
            C.STUDENT_DEBT: f[C.STUDENT_DEBT] + f[C.STUDENT_DEBT + "_p"],
            C.BALANCE: f["obs"],
            C.HOUSE_VALUE: f["obs"] / (f["ltv"] / 100.0),
            C.INTEREST_ONLY_AMOUNT: f["io"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CohortsWarning)  # table fallbacks / no-HRA rules are not under test here
        out = apply_norm(frame)
    res = out.assign(**{C.LOAN_ID: f[C.LOAN_ID].to_numpy()}).merge(ana, on=C.LOAN_ID)
    np.testing.assert_allclose(res[C.LTI_UTIL], res["planted_lti_util"], rtol=1e-6)
    assert (res[C.HIGH] == res["planted_high"]).all()
    assert ((res[C.MAIN_AGE] <= 35) == res[C.STARTER]).all()
    assert res[C.HOUSE_VALUE].gt(0).all()
