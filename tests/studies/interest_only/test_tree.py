"""Hand-worked tests of the vulnerability tree (checklist B6, C12, E20-E30, F31-F33).

Kinds:
* hand-worked arithmetic written out in the test (``test_hw_*``): one household per branch of
  the tree (steps 1-7), the LTI vs LTV reason flags, the measurement flags, vulnerable vs core
  risk, residual debt and its A14 alternatives, years to maturity, and the perpetuals' event
  year, agility and affordability;
* external reference (``test_ext_*``): the annuity factor against the closed form computed by hand;
* error paths (``test_err_*``): bad input fails naming column, rule and household ids.

All tests use r = 3%, so a(r) = (0.03/12) / (1 - 1.0025^-360):
  1.0025^360 = exp(360 x ln 1.0025) = exp(360 x 0.00249688) = exp(0.898878) = 2.456842
  1 - 1 / 2.456842 = 1 - 0.407027 = 0.592973;  a = 0.0025 / 0.592973 = 0.004216 (0.00421604034)
so a 200,000 annuity costs 843.21 a month, 180,000 costs 758.89, 50,000 costs 210.80,
30,000 costs 126.48 and 170,000 costs 716.73; interest only costs r/12 = 0.0025 a euro.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.errors import CohortsWarning, ContractError
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.parameters import load_parameters
from cohorts.amortization import residual_debt
from cohorts.studies.interest_only.tree import STEPS, annuity_factor, classify, event_year, perpetual_outcomes

A3 = 0.00421604034  # a(3%), see the module docstring


@pytest.fixture
def params():
    # social-assistance levels: made-up round test numbers (the seed prints none)
    return load_parameters().replace(social_assistance_single=15_000.0, social_assistance_couple=20_000.0)


def hh(hid, *, d=200_000.0, v=300_000.0, w=0.0, x=1_000.0, perpetual=False, year=2031, d0=200_000.0, v0=250_000.0,
       income=30_000.0, partner=False, sa=None):
    return {
        IO.HOUSEHOLD_ID: hid, IO.PERPETUAL: perpetual, IO.REFI_YEAR: None if perpetual else year,
        IO.DEBT_AT_T: np.nan if perpetual else d, IO.HOUSE_VALUE_AT_T: np.nan if perpetual else v,
        IO.WEALTH_AT_T: np.nan if perpetual else w, IO.MAX_MONTHLY_COST: np.nan if perpetual else x,
        IO.RATE_AT_T: np.nan if perpetual else 0.03, IO.DEBT_NOW: d0, IO.HOUSE_VALUE_NOW: v0, IO.INCOME_NOW: income,
        IO.HAS_PARTNER: partner, IO.SOCIAL_ASSISTANCE: sa,
    }


def table(*rows):
    f = pd.DataFrame(list(rows)).set_index(IO.HOUSEHOLD_ID, drop=False)
    f[IO.REFI_YEAR] = f[IO.REFI_YEAR].astype("Int64")
    f[IO.SOCIAL_ASSISTANCE] = f[IO.SOCIAL_ASSISTANCE].astype("float64")
    return f


def test_ext_annuity_factor():
    # closed form written out in the module docstring: 0.004216 at 3%; 5% gives 0.0053682162 (cohorts.norms docstring)
    assert round(float(annuity_factor(0.03)), 6) == 0.004216
    assert float(annuity_factor(0.03)) == pytest.approx(0.0025 / (1 - 1.0025 ** -360), rel=1e-12)
    assert round(float(annuity_factor(0.05)), 10) == 0.0053682162


BRANCHES = table(
    hh(1, perpetual=True),
    # step 2: W_T = 200,000 >= D_T = 200,000 (equality counts)
    hh(2, w=200_000.0),
    # step 3: 200,000 x a = 843.21 <= X = 900, N <= V
    hh(3, x=900.0),
    # step 4: 843.21 > 800 fails; N = 200,000 - 20,000 = 180,000: 758.89 <= 800
    hh(4, w=20_000.0, x=800.0),
    # step 5: annuity 843.21 > 700 (W = 0, so step 4 is the same); 50% IO: I = min(200,000, 150,000) = 150,000
    #   -> 150,000 x 0.0025 = 375.00; A = 50,000 -> 210.80; cost 585.80 <= 700
    hh(5, x=700.0),
    # step 6: step 3 843.21, step 4 758.89, step 5 585.80 all > 560; N = 180,000: I = 150,000 -> 375.00,
    #   A = 30,000 -> 126.48; cost 501.48 <= 560
    hh(6, w=20_000.0, x=560.0),
    # step 7, LTI only: 585.80 > 480 (and 843.21 > 480); N = 200,000 <= V = 300,000; no residual (D < V)
    #   core probe (100% IO): I = min(200,000, 300,000) = 200,000 -> 500.00 > 480: core risk
    hh(7, x=480.0),
    # step 7, LTV only: D = 320,000 > V = 300,000; annuity 1,349.13 and 50%-IO 375 + 170,000 x a = 1,091.73 are
    #   both <= X = 5,000; residual 320,000 - 300,000 = 20,000
    hh(8, d=320_000.0, x=5_000.0),
    # step 7, LTI and LTV: as 8 with X = 500 (1,091.73 > 500)
    hh(9, d=320_000.0, x=500.0),
    # step 7, LTI only, vulnerable but not core: 585.80 > 520, probe 500.00 <= 520
    hh(10, x=520.0),
    # as 7 but income now 10,000 < social assistance 15,000 (single): measurement flag, not vulnerable
    hh(11, x=480.0, income=10_000.0),
    # as 7 but LTV now 520,000 / 250,000 = 2.08 > 2.0: measurement flag, not vulnerable
    hh(12, x=480.0, d0=520_000.0),
    # as 7 but LTV now exactly 500,000 / 250,000 = 2.0: not above 200%, vulnerable
    hh(13, x=480.0, d0=500_000.0),
    # as 7, couple: income 18,000 < couple level 20,000 -> flag; the column overrides the parameters when given
    hh(14, x=480.0, income=18_000.0, partner=True),
    hh(15, x=480.0, income=18_000.0, partner=True, sa=17_000.0),
    # refinancing in the past (2019): years to refi -1
    hh(16, x=900.0, year=2019),
)


@pytest.fixture
def out(params):
    return classify(BRANCHES, params=params)


def test_hw_steps(out):
    assert out[IO.STEP].tolist() == [1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 3]
    assert set(STEPS) == set(range(1, 8))


def test_hw_step_flags(out):
    assert out[IO.WEALTH_REPAY].tolist() == [False, True] + [False] * 14
    assert out[IO.FAIL_ANNUITY].tolist() == [False] * 4 + [True] * 11 + [False]
    assert out[IO.FORCED_SALE].tolist() == [False] * 6 + [True] * 9 + [False]


def test_hw_reason_flags(out):
    # annuity (step-4 N): LTI binds for 5, 6, 7, 9-15 (costs above X); LTV binds for 8 and 9 (320,000 > 300,000)
    lti = out[IO.LTI_BINDS_ANNUITY]
    ltv = out[IO.LTV_BINDS_ANNUITY]
    assert lti[lti].index.tolist() == [5, 6, 7, 9, 10, 11, 12, 13, 14, 15]
    assert ltv[ltv].index.tolist() == [8, 9]
    # 50% IO test (only forced sales): LTI for 7, 9-15; LTV for 8 and 9
    lti6 = out[IO.LTI_BINDS_IO50]
    ltv6 = out[IO.LTV_BINDS_IO50]
    assert lti6[lti6].index.tolist() == [7, 9, 10, 11, 12, 13, 14, 15]
    assert ltv6[ltv6].index.tolist() == [8, 9]


def test_hw_residual_debt(out):
    # forced sales 8 and 9 owe 320,000 on a 300,000 house: residual 20,000; the others sell without residual
    res = out[IO.RESIDUAL_DEBT]
    assert res[res].index.tolist() == [8, 9]
    assert out.loc[8, IO.RESIDUAL_AMOUNT] == 20_000.0 and out.loc[7, IO.RESIDUAL_AMOUNT] == 0.0
    assert np.isnan(out.loc[3, IO.RESIDUAL_AMOUNT])


def test_hw_residual_alternatives(params):
    f = table(hh(1, d=320_000.0, w=15_000.0, x=500.0))
    # default (A14): D_T > V_T -> 20,000
    assert classify(f, params=params)[IO.RESIDUAL_AMOUNT].iloc[0] == 20_000.0
    # with wealth: 320,000 - 300,000 - 15,000 = 5,000
    assert classify(f, params=params, residual_wealth=True)[IO.RESIDUAL_AMOUNT].iloc[0] == 5_000.0
    # selling costs 2%: 320,000 - 0.98 x 300,000 = 26,000
    assert classify(f, params=params, selling_cost_share=0.02)[IO.RESIDUAL_AMOUNT].iloc[0] == pytest.approx(26_000.0)
    assert residual_debt(debt=100.0, house_value=150.0).tolist() == [0.0]


def test_hw_measurement_flags(out):
    low = out[IO.LOW_INCOME_FLAG]
    high = out[IO.HIGH_LTV_FLAG]
    # income now 10,000 < 15,000 (11); couple 18,000 < 20,000 (14); 18,000 >= 17,000 from the column (15)
    assert low[low].index.tolist() == [11, 14]
    # 520,000 / 250,000 = 2.08 > 2 (12); 2.0 exactly is not flagged (13)
    assert high[high].index.tolist() == [12]


def test_hw_vulnerable_and_core(out):
    vul = out[IO.VULNERABLE]
    core = out[IO.CORE_RISK]
    # forced sale + LTI binding in the 50% test + no flag: 7, 9, 10, 13, 15 (8: LTV only; 11, 12, 14: flagged)
    assert vul[vul].index.tolist() == [7, 9, 10, 13, 15]
    # core: the 100%-IO probe still fails: 7, 13, 15 (500.00 > 480) and 9 (320,000 > V: LTV cap kept, A15);
    # 10 passes the probe (500.00 <= 520)
    assert core[core].index.tolist() == [7, 9, 13, 15]


def test_hw_core_probe_without_ltv(params):
    # 9 without the LTV cap in the probe: I = min(320,000, 300,000) = 300,000 -> 750.00; A = 20,000 -> 84.32;
    # 834.32 > 500: still core.  With X = 850 (still forced: LTV binds at 50%), the income-only probe passes.
    f = table(hh(9, d=320_000.0, x=500.0), hh(90, d=320_000.0, x=850.0))
    out = classify(f, params=params, core_ltv=False)
    assert out[IO.VULNERABLE].tolist() == [True, True]
    assert out[IO.CORE_RISK].tolist() == [True, False]
    assert classify(f, params=params)[IO.CORE_RISK].tolist() == [True, True]


def test_hw_years_to_refi(out):
    # T = 2031 -> 11; T = 2019 -> -1; perpetual -> <NA>
    assert out.loc[3, IO.YEARS_TO_REFI] == 11 and out.loc[16, IO.YEARS_TO_REFI] == -1
    assert out[IO.YEARS_TO_REFI].isna().tolist() == [True] + [False] * 15


def test_hw_social_assistance_missing_warns():
    f = table(hh(7, x=480.0), hh(3, x=900.0))
    no_proxy = load_parameters().replace(  # neither a gross level nor the packaged net proxy
        social_assistance_net_single_monthly=None, social_assistance_net_couple_monthly=None,
        social_assistance_net_single_pension_monthly=None, social_assistance_net_couple_pension_monthly=None)
    with pytest.warns(CohortsWarning, match="social-assistance level .* unknown for 2 of 2"):
        out = classify(f, params=no_proxy)
    assert out[IO.LOW_INCOME_FLAG].isna().all()
    # a forced sale with the flag unknown is unknown; a household that passes stays False
    assert out[IO.VULNERABLE].isna().tolist() == [True, False]
    assert out.loc[3, IO.VULNERABLE] is not pd.NA and not out.loc[3, IO.VULNERABLE]


def test_err_classify_inputs(params):
    f = table(hh(1), hh(2, d=-5.0))
    with pytest.raises(ContractError, match="column 'debt_at_refi' breaks rule '>= 0' in 1 row.*household ids 2"):
        classify(f, params=params)
    g = table(hh(1), hh(3))
    g.loc[3, IO.HOUSE_VALUE_AT_T] = np.nan
    with pytest.raises(ContractError, match="column 'house_value_at_refi' breaks rule 'not missing unless perpetual'.*ids 3"):
        classify(g, params=params)
    with pytest.raises(ContractError, match="column 'rate_at_refi'"):
        classify(table(hh(1)).drop(columns=[IO.RATE_AT_T]), params=params)
    h = table(hh(4))
    h[IO.RATE_AT_T] = 3.0
    with pytest.raises(ContractError, match="<= 0.2"):
        classify(h, params=params)


# --------------------------------------------------------------------------
# perpetuals (F31-F33)
# --------------------------------------------------------------------------
def test_hw_event_year():
    p = load_parameters()
    # born 1950: AOW 2017, hra_end max(2030, 2005) = 2030 -> E = 2030 (retired: the HRA lapse, fn 31)
    # born 1970: AOW 2037, hra_end 2030 -> 2037;  born 1980: AOW 2047, hra_end 2035 -> 2047
    assert event_year(np.array([1950, 1970, 1980]), params=p).tolist() == [2030, 2037, 2047]
    # A12 alternatives for 1950: AOW year 2017, HRA 2030, earlier 2017
    assert event_year(np.array([1950]), params=p, event_rule="retirement").tolist() == [2017]
    assert event_year(np.array([1950]), params=p, event_rule="earlier").tolist() == [2017]


def _perp(hid, *, by, d0, v0, d, v, x, w=0.0, perpetual=True):
    return {IO.HOUSEHOLD_ID: hid, IO.PERPETUAL: perpetual, IO.MAIN_BIRTH_YEAR: by, IO.DEBT_NOW: d0, IO.HOUSE_VALUE_NOW: v0,
            IO.DEBT_AT_T: d, IO.HOUSE_VALUE_AT_T: v, IO.MAX_MONTHLY_COST: x, IO.RATE_AT_T: 0.03, IO.WEALTH_AT_T: w}


def test_hw_perpetual_outcomes():
    f = pd.DataFrame([
        # not agile now (180,000 < 200,000), agile at E (250,000 >= 200,000); 200,000 x a = 843.21 > 800: afford fail
        _perp(1, by=1960, d0=200_000.0, v0=180_000.0, d=200_000.0, v=250_000.0, x=800.0, w=50_000.0),
        # agile now (equal), not agile at E (190,000 < 200,000); 843.21 <= 900: affordable
        _perp(2, by=1970, d0=200_000.0, v0=200_000.0, d=200_000.0, v=190_000.0, x=900.0),
        # not perpetual: everything <NA>
        _perp(3, by=1980, d0=1.0, v0=1.0, d=np.nan, v=np.nan, x=np.nan, perpetual=False),
    ])
    out = perpetual_outcomes(f, params=load_parameters())
    assert out[IO.EVENT_YEAR].tolist()[:2] == [2030, 2037] and out[IO.EVENT_YEAR].isna().tolist() == [False, False, True]
    assert out[IO.AGILE_NOW].tolist()[:2] == [False, True]
    assert out[IO.AGILE_AT_EVENT].tolist()[:2] == [True, False]
    assert out[IO.AFFORD_FAIL].tolist()[:2] == [True, False]
    assert out.iloc[2].isna().all()
    # A12 alternative: with wealth, N = 200,000 - 50,000 = 150,000 -> 632.41 <= 800: affordable
    assert perpetual_outcomes(f, params=load_parameters(), use_wealth=True)[IO.AFFORD_FAIL].iloc[0] == False  # noqa: E712
