"""Tests of the interest-only study's parameters, wealth and test income (checklist C8-C10, D13-D19).

Kinds:
* hand-worked arithmetic written out in the test: every test named ``test_hw_*`` (wealth
  netting, partner weights, HRA cut-off at 55 and the 10-year rule at 9/10 years, the pension
  rules 1-4, the accrued pension of the 57-66 group, the low-income single rule, X_T);
* property: ``test_prop_*`` (X_T never rises when wages fall);
* error paths (bad input must fail with a message naming file/column/key): ``test_err_*``.
The Trhk tables are a tiny hand-made set (``io_tree_helpers.TINY``), so each expected f is read
off that table in the comment; the AOW amounts are made-up round test numbers (the seed prints none).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from io_tree_helpers import frame, household, params, tables, tiny_tables  # noqa: F401 (fixtures)

from cohorts.errors import ConfigError, ContractError, NormTableFallbackWarning
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.income import income_at_refi, second_pillar
from cohorts.studies.interest_only.parameters import load_parameters, parameters_from_mapping
from cohorts.studies.interest_only.wealth import free_wealth, wealth_at_refi


# --------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------
def test_hw_parameters_from_seed():
    p = load_parameters()
    assert (p.aow_age, p.pension_window_years, p.life_expectancy) == (67, 10, 85)
    assert (p.hra_floor_year, p.hra_lapse_age, p.hra_min_remaining_years) == (2030, 55, 10)
    assert (p.replacement_ratio, p.expense_buffer, p.consumer_credit_cap, p.consumer_credit_monthly_charge) == (0.6, 10_000, 50_000, 0.02)
    assert (p.ltv_limit, p.io_cap, p.io_cap_core, p.term_months, p.table_year) == (1.0, 0.5, 1.0, 360, 2019)
    assert (p.high_ltv, p.now_year, p.low_income_single_threshold, p.low_income_single_add_pct) == (2.0, 2020, 31_000, 3.0)
    # packaged AOW defaults (SVB, 1 July 2017) are checked in test_parameters.py; no bijstand default
    assert p.aow_full_single is not None and p.social_assistance_single is None


def test_hw_partner_weight_interpolation():
    p = load_parameters()
    # 2017: 0.6; 2020: 0.8 (fn 14); 2021: 0.8 + (1.0 - 0.8) / 3 = 0.866667; 2023: 1.0; 2030: held at 1.0
    w = p.partner_weight(np.array([2017, 2020, 2021, 2023, 2030]))
    np.testing.assert_allclose(w, [0.6, 0.8, 0.8 + 0.2 / 3, 1.0, 1.0], rtol=0, atol=1e-12)


def _raw():
    import tomllib
    from importlib import resources

    text = resources.files("cohorts.studies.interest_only").joinpath("data", "parameters.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_BAD_PARAMETERS = [
    # (section, key, value; None = delete the key), the error message expected
    ("tests", "io_capp", 0.5, r"f\.toml: unknown key tests\.io_capp"),
    ("ages", "aow_age", None, r"f\.toml: missing key\(s\) ages\.aow_age"),
    ("ages", "aow_age", "67", r"f\.toml: key ages\.aow_age: expected int"),
    ("tests", "io_cap", 1.5, r"io_cap in \[0\.0, 1\.0\]"),
    ("tests", "rate_timing", "end_of_year",
     r"f\.toml: invalid parameter value\(s\): rate_timing one of in_year, start_of_year \(got 'end_of_year'\)"),
    ("tests", "rate_timing", 1, r"f\.toml: key tests\.rate_timing: expected string, got int 1"),
    ("tests", "rate_timing", None, r"f\.toml: missing key\(s\) tests\.rate_timing"),
]


@pytest.mark.parametrize("section, key, value, message", _BAD_PARAMETERS)
def test_err_parameters_unknown_missing_wrong_type(section, key, value, message):
    data = _raw()
    if value is None:
        del data[section][key]
    else:
        data[section][key] = value
    with pytest.raises(ConfigError, match=message):
        parameters_from_mapping(data, source="f.toml")


def test_hw_parameters_user_supplied_file(tmp_path):
    text = (tmp_path / "p.toml")
    from importlib import resources

    base = resources.files("cohorts.studies.interest_only").joinpath("data", "parameters.toml").read_text(encoding="utf-8")
    # the packaged [user_supplied] table holds the AOW defaults; a user copy edits that table
    lines = [ln for ln in base.splitlines() if not ln.startswith("aow_full_partnered")]
    lines = ["aow_full_single = 12000.0" if ln.startswith("aow_full_single") else ln for ln in lines]
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = load_parameters(text)
    assert p.aow_full_single == 12_000.0 and p.aow_full_partnered is None and p.source == str(text)
    # a second [user_supplied] table is a TOML error, reported with the file name
    text.write_text(base + "\n[user_supplied]\naow_full_single = 12000.0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_parameters(text)


# --------------------------------------------------------------------------
# wealth (C8-C10)
# --------------------------------------------------------------------------
def test_hw_free_wealth_netting_once():
    f = pd.DataFrame(
        {
            IO.SAVINGS: [30_000.0, 60_000.0, 25_000.0],
            IO.SECURITIES: [5_000.0, 20_000.0, 0.0],
            IO.CASH: [1_000.0, 0.0, 0.0],
            IO.OTHER_DEBTS: [70_000.0, 20_000.0, 15_000.0],
        }
    )
    out = free_wealth(f, params=load_parameters())
    # 1: L = 30,000 + 5,000 + 1,000 = 36,000; CK = min(70,000, 50,000) = 50,000 (cap);
    #    CK' = 50,000 - 36,000 = 14,000; W0 = max(0, 36,000 - 50,000 - 10,000) = 0
    # 2: L = 80,000; CK = 20,000; CK' = 0; W0 = 80,000 - 20,000 - 10,000 = 50,000
    # 3: L = 25,000; CK = 15,000; CK' = 0; W0 = 25,000 - 15,000 - 10,000 = 0 (boundary)
    assert out[IO.LIQUID_ASSETS].tolist() == [36_000.0, 80_000.0, 25_000.0]
    assert out[IO.CONSUMER_CREDIT_NOW].tolist() == [50_000.0, 20_000.0, 15_000.0]
    assert out[IO.CONSUMER_CREDIT_NET].tolist() == [14_000.0, 0.0, 0.0]
    assert out[IO.FREE_WEALTH_NOW].tolist() == [0.0, 50_000.0, 0.0]


def test_hw_wealth_at_refi_once_vs_at_refi():
    f = pd.DataFrame({IO.LIQUID_ASSETS: [40_000.0, 10_000.0], IO.CONSUMER_CREDIT_NOW: [20_000.0, 30_000.0]})
    p = load_parameters()
    once = wealth_at_refi(f, params=p, growth=np.array([1.5, 2.0]))
    # once: W_T = 1.5 x max(0, 40,000 - 20,000 - 10,000) = 15,000; CK' = 0
    #       W_T = 2.0 x 0 = 0; CK' = 30,000 - 10,000 = 20,000
    assert once[IO.WEALTH_AT_T].tolist() == [15_000.0, 0.0]
    assert once[IO.CONSUMER_CREDIT_NET].tolist() == [0.0, 20_000.0]
    late = wealth_at_refi(f, params=p, growth=np.array([1.5, 2.0]), netting="at_refi")
    # at_refi: L_T = 60,000 -> W_T = 60,000 - 20,000 - 10,000 = 30,000; L_T = 20,000 -> CK' = 10,000, W_T = 0
    assert late[IO.WEALTH_AT_T].tolist() == [30_000.0, 0.0]
    assert late[IO.CONSUMER_CREDIT_NET].tolist() == [0.0, 10_000.0]


def test_err_wealth_negative_names_column_and_id():
    f = pd.DataFrame({IO.HOUSEHOLD_ID: [7, 8], IO.SAVINGS: [1.0, -5.0], IO.SECURITIES: [0.0, 0.0], IO.CASH: [0.0, 0.0], IO.OTHER_DEBTS: [0.0, 0.0]})
    with pytest.raises(ContractError, match=r"households: column 'savings' breaks rule '>= 0' in 1 row\(s\), e\.g\. household ids 8"):
        free_wealth(f, params=load_parameters())
    with pytest.raises(ContractError, match="column 'cash'"):
        free_wealth(f.drop(columns=[IO.CASH]), params=load_parameters())


# --------------------------------------------------------------------------
# labour regime, HRA cut-off and the 10-year rule (D13, D16, D17)
# --------------------------------------------------------------------------
def _labour_couple(refi_year: int, **extra) -> dict:
    # main earner born 1985: turns 55 in 2040 -> hra_end = max(2030, 2040) = 2040
    return household(
        **{IO.MAIN_BIRTH_YEAR: 1985, IO.HAS_PARTNER: True, IO.REFI_YEAR: refi_year, IO.CONSUMER_CREDIT_NET: 10_000.0,
           "wages_main": 50_000.0, "labour_status_main": "employee", "wages_partner": 20_000.0,
           "labour_status_partner": "employee", **extra},
    )


def test_hw_hra_cutoff_at_55_and_ten_year_rule(params, tables):
    f = frame(_labour_couple(2030), _labour_couple(2031))
    out = income_at_refi(f, params=params, tables=tables, rate=0.03, income_factor=1.2)
    # age 45 / 46 -> labour regime, below-AOW tables.  hra_end = 2040.
    # T = 2030: 2040 - 2030 = 10 >= 10 -> with HRA;  T = 2031: 9 < 10 -> no HRA.
    assert out[IO.REGIME].tolist() == ["labour", "labour"]
    assert out[IO.HRA_END].tolist() == [2040, 2040]
    assert out[IO.WITH_HRA].tolist() == [True, False]
    # lookup = 50,000 + 1.0 x 20,000 = 70,000 (weight 1.0 from 2023) -> row 50,000, rate 3% <= 5%:
    # below_aow 25%, below_aow_no_hra 23%
    assert out[IO.LOOKUP_INCOME].tolist() == [70_000.0, 70_000.0]
    assert out[IO.FINANCING_PCT].tolist() == [25.0, 23.0]
    # Y_T = 70,000 x 1.2 = 84,000; X = f x 84,000 / 12 - 0.02 x 10,000
    #   T=2030: 0.25 x 7,000 - 200 = 1,750 - 200 = 1,550;  T=2031: 0.23 x 7,000 - 200 = 1,610 - 200 = 1,410
    np.testing.assert_allclose(out[IO.TEST_INCOME_AT_T], [84_000.0, 84_000.0])
    np.testing.assert_allclose(out[IO.MAX_MONTHLY_COST], [1_550.0, 1_410.0])
    assert out[IO.NORM_TABLE_YEAR].tolist() == [2019, 2019]


def test_hw_hra_older_than_55_alternative(params, tables):
    f = frame(_labour_couple(2031), _labour_couple(2032))
    out = income_at_refi(f, params=params, tables=tables, rate=0.03, hra_rule="older_than_55")
    # A3 alternative: HRA kept while 55 -> hra_end = max(2030, 1985 + 56) = 2041
    # T = 2031: 2041 - 2031 = 10 -> with HRA (25%);  T = 2032: 9 -> without (23%)
    assert out[IO.HRA_END].tolist() == [2041, 2041]
    assert out[IO.FINANCING_PCT].tolist() == [25.0, 23.0]


def test_hw_partner_weight_in_lookup(params, tables):
    rows = [
        household(**{IO.HAS_PARTNER: True, IO.REFI_YEAR: t, "wages_main": 40_000.0, "labour_status_main": "employee",
                     "wages_partner": 10_000.0, "labour_status_partner": "employee"})
        for t in (2017, 2020, 2021, 2023, 2030)
    ]
    out = income_at_refi(frame(*rows), params=params, tables=tables, rate=0.03)
    # lookup = 40,000 + w(T) x 10,000 with w = 0.6, 0.8, 0.866667, 1.0, 1.0
    np.testing.assert_allclose(out[IO.LOOKUP_INCOME], [46_000.0, 48_000.0, 40_000.0 + 10_000.0 * (0.8 + 0.2 / 3), 50_000.0, 50_000.0])
    # rows 31,000 (22%) for the first three, 50,000 (25%) from 2023; all with HRA (hra_end 2040 - T >= 10)
    assert out[IO.FINANCING_PCT].tolist() == [22.0, 22.0, 22.0, 25.0, 25.0]
    # Y_T counts the partner fully: 50,000 in every year
    assert out[IO.TEST_INCOME_AT_T].tolist() == [50_000.0] * 5


def test_hw_regime_boundaries(params, tables):
    # T = 2030; born 1974 -> 56 (labour), 1973 -> 57 (pension, accrued), 1963 -> 67 (pension, attainable)
    rows = [household(**{IO.MAIN_BIRTH_YEAR: b, "wages_main": 40_000.0, "labour_status_main": "employee"}) for b in (1974, 1973, 1963)]
    out = income_at_refi(frame(*rows), params=params, tables=tables, rate=0.03)
    assert out[IO.AGE_AT_T].tolist() == [56, 57, 67]
    assert out[IO.REGIME].tolist() == ["labour", "pension", "pension"]
    assert out[IO.PENSION_BASIS].tolist() == ["", "accrued", "attainable"]


# --------------------------------------------------------------------------
# pension regime (D15, D17, D18)
# --------------------------------------------------------------------------
def _retired_single(**extra) -> dict:
    return household(**{IO.MAIN_BIRTH_YEAR: 1955, IO.REFI_YEAR: 2025, "labour_status_main": "pensioner",
                        "pension_income_main": 10_000.0, "aow_share_main": 0.9, **extra})


def test_hw_retired_single_low_income_rule(params, tables):
    out = income_at_refi(frame(_retired_single()), params=params, tables=tables, rate=0.03, income_factor=1.1, pension_factor=1.05)
    # age 70 -> attainable pension; AOW = 0.9 x 12,000 (single, test amount) = 10,800; 2P rule 2 = 10,000
    # lookup = 20,800; hra_end = max(2030, 2010) = 2030, 2030 - 2025 = 5 < 10 -> aow_no_hra, row 0: 13%
    # single below 31,000: min(13 + 3, aow_no_hra at 31,000 = 17) = 16%
    assert out[IO.LOOKUP_INCOME].iloc[0] == 20_800.0
    assert out[IO.FINANCING_PCT].iloc[0] == 16.0
    # Y_T = 10,800 x 1.1 + 10,000 x 1.05 = 11,880 + 10,500 = 22,380; X = 0.16 x 22,380 / 12 = 298.40
    assert out[IO.TEST_INCOME_AT_T].iloc[0] == pytest.approx(22_380.0)
    assert out[IO.MAX_MONTHLY_COST].iloc[0] == pytest.approx(298.40)


def test_hw_low_income_cap_binds(params, tables):
    # labour single, 20,000 wages, born 1985, T = 2031 -> no HRA (2040 - 2031 = 9): below_aow_no_hra row 0: 18%
    # 18 + 3 = 21 > below_aow_no_hra at 31,000 = 20 -> capped at 20%
    f = frame(household(**{IO.REFI_YEAR: 2031, "wages_main": 20_000.0, "labour_status_main": "employee"}))
    assert income_at_refi(f, params=params, tables=tables, rate=0.03)[IO.FINANCING_PCT].iloc[0] == 20.0
    # with a partner the rule does not apply: 18%
    g = f.assign(**{IO.HAS_PARTNER: True, "labour_status_partner": "other"})
    assert income_at_refi(g, params=params, tables=tables, rate=0.03)[IO.FINANCING_PCT].iloc[0] == 18.0


def test_hw_low_income_basis_nominal(params, tables):
    f = frame(_retired_single())
    # Y_T = 10,800 x 2 + 10,000 x 1.5 = 21,600 + 15,000 = 36,600 >= 31,000: no bonus on the nominal basis (13%),
    # the 2017-price lookup income 20,800 < 31,000 gives the bonus (16%)
    kw = dict(params=params, tables=tables, rate=0.03, income_factor=2.0, pension_factor=1.5)
    assert income_at_refi(f, **kw)[IO.FINANCING_PCT].iloc[0] == 16.0
    assert income_at_refi(f, **kw, low_income_basis="nominal")[IO.FINANCING_PCT].iloc[0] == 13.0


def test_hw_accrued_pension_57_to_66(params, tables):
    h = household(**{IO.MAIN_BIRTH_YEAR: 1968, IO.REFI_YEAR: 2030, "labour_status_main": "employee",
                     "wages_main": 45_000.0, "pension_attainable_active_main": 20_000.0,
                     "pension_attainable_inactive_main": 2_000.0, "pension_accrued_main": 11_000.0, "aow_share_main": 1.0})
    f = frame(h)
    out = income_at_refi(f, params=params, tables=tables, rate=0.03)
    # age 62 -> accrued basis.  Rule 1: attainable 2P = 20,000 + 2,000 = 22,000; accrued 2017 = 11,000.
    # AOW year 1968 + 67 = 2035; fraction (2030 - 2017) / (2035 - 2017) = 13/18
    # P_T = 11,000 + (22,000 - 11,000) x 13/18 = 11,000 + 7,944.44 = 18,944.44; AOW = 12,000 -> 30,944.44
    expected = 12_000.0 + 11_000.0 + 11_000.0 * 13.0 / 18.0
    assert out[IO.LOOKUP_INCOME].iloc[0] == pytest.approx(expected)
    # hra_end = 2030 -> no HRA -> aow_no_hra row 0: 13%; single < 31,000: min(16, 17) = 16%
    assert out[IO.FINANCING_PCT].iloc[0] == 16.0
    assert out[IO.MAX_MONTHLY_COST].iloc[0] == pytest.approx(0.16 * expected / 12.0)
    # A4 alternatives: attainable -> 12,000 + 22,000 = 34,000 (row 31,000: 17%, no bonus); accrued_2017 -> 23,000
    att = income_at_refi(f, params=params, tables=tables, rate=0.03, accrued_estimate="attainable")
    assert (att[IO.LOOKUP_INCOME].iloc[0], att[IO.FINANCING_PCT].iloc[0]) == (34_000.0, 17.0)
    acc = income_at_refi(f, params=params, tables=tables, rate=0.03, accrued_estimate="accrued_2017")
    assert acc[IO.LOOKUP_INCOME].iloc[0] == 23_000.0


def test_hw_rules_3_and_4_couple(params, tables):
    h = household(**{IO.MAIN_BIRTH_YEAR: 1955, IO.REFI_YEAR: 2025, IO.HAS_PARTNER: True,
                     "labour_status_main": "self_employed", "business_profit_main": 60_000.0,
                     "pension_attainable_inactive_main": 5_000.0, "aow_share_main": 1.0,
                     "labour_status_partner": "employee_self_employed", "wages_partner": 10_000.0,
                     "business_profit_partner": 20_000.0, "pension_attainable_active_partner": 3_000.0,
                     "pension_attainable_inactive_partner": 1_000.0, "aow_share_partner": 0.5})
    out = income_at_refi(frame(h), params=params, tables=tables, rate=0.03, income_factor=1.1, pension_factor=1.2)
    # main: AOW = 1.0 x 8,000 (partnered test amount); rule 3: A = max(0.6 x 60,000, 8,000) - 8,000 = 28,000,
    #       B = 5,000 -> 28,000
    # partner: AOW = 0.5 x 8,000 = 4,000; rule 4: 3,000 + 1,000 + 0.5 x 0.6 x 20,000 = 10,000
    # lookup = (8,000 + 28,000) + 1.0 x (4,000 + 10,000) = 50,000 -> aow_no_hra (2030 - 2025 = 5) row 50,000: 19%
    assert out[IO.LOOKUP_INCOME].iloc[0] == 50_000.0
    assert out[IO.FINANCING_PCT].iloc[0] == 19.0
    # Y_T = (8,000 + 4,000) x 1.1 + (28,000 + 10,000) x 1.2 = 13,200 + 45,600 = 58,800; X = 0.19 x 58,800 / 12 = 931
    assert out[IO.TEST_INCOME_AT_T].iloc[0] == pytest.approx(58_800.0)
    assert out[IO.MAX_MONTHLY_COST].iloc[0] == pytest.approx(931.0)


def test_hw_second_pillar_rules_1_and_2():
    z = np.zeros(3)
    p2, rule = second_pillar(
        np.array(["benefits", "pensioner", "employee"]),
        wages=np.array([0.0, 0.0, 40_000.0]), business_profit=z, dga_wage=z,
        pension_income=np.array([0.0, 10_000.0, 0.0]),
        attainable_active=np.array([0.0, 2_000.0, 9_000.0]), attainable_inactive=np.array([3_000.0, 0.0, 1_000.0]),
        aow=z, params=load_parameters(),
    )
    # benefits: rule 1 = 0 + 3,000; pensioner: rule 2 = 10,000 + 2,000 (active scheme added); employee with active: 9,000 + 1,000
    assert p2.tolist() == [3_000.0, 12_000.0, 10_000.0] and rule.tolist() == [1, 2, 1]
    p2b, _ = second_pillar(
        np.array(["pensioner"]), wages=z[:1], business_profit=z[:1], dga_wage=z[:1], pension_income=np.array([10_000.0]),
        attainable_active=np.array([2_000.0]), attainable_inactive=z[:1], aow=z[:1], params=load_parameters(),
        retiree_active="ignore",
    )
    assert p2b.tolist() == [10_000.0]


def test_hw_perpetual_row_is_missing(params, tables):
    f = frame(_labour_couple(2030), _labour_couple(2030))
    f[IO.REFI_YEAR] = pd.array([2030, None], dtype="Int64")
    out = income_at_refi(f, params=params, tables=tables, rate=0.03)
    assert out[IO.FINANCING_PCT].iloc[0] == 25.0
    assert np.isnan(out[IO.MAX_MONTHLY_COST].iloc[1]) and out[IO.WITH_HRA].isna().iloc[1]


# --------------------------------------------------------------------------
# tables: fallback year, missing tables
# --------------------------------------------------------------------------
def test_hw_table_year_fallback_warns_and_records(params):
    f = frame(_labour_couple(2030))
    with pytest.warns(NormTableFallbackWarning, match="no Trhk table for 2019.*used 2018"):
        out = income_at_refi(f, params=params, tables=tiny_tables(2018), rate=0.03)
    assert out[IO.NORM_TABLE_YEAR].iloc[0] == 2018 and out[IO.FINANCING_PCT].iloc[0] == 25.0


def test_err_missing_no_hra_tables(params):
    f = frame(_labour_couple(2031))
    with pytest.raises(ConfigError, match="lacks table\\(s\\) below_aow_no_hra"):
        income_at_refi(f, params=params, tables=tiny_tables(2019, ("below_aow", "aow")), rate=0.03)


def test_err_aow_amount_required(tables):
    no_aow = load_parameters().replace(aow_full_single=None, aow_full_partnered=None)
    with pytest.raises(ConfigError, match="user_supplied.aow_full_single.*not supplied"):
        income_at_refi(frame(_retired_single()), params=no_aow, tables=tables, rate=0.03)
    # the labour regime does not need it
    out = income_at_refi(frame(_labour_couple(2030)), params=no_aow, tables=tables, rate=0.03)
    assert out[IO.FINANCING_PCT].iloc[0] == 25.0
    # the packaged parameters carry a default (SVB, 1 July 2017), so the pension regime runs
    out = income_at_refi(frame(_retired_single()), params=load_parameters(), tables=tables, rate=0.03)
    assert len(out) == 1


def test_err_bad_person_fields(params, tables):
    f = frame(_labour_couple(2030, household_id=41), _labour_couple(2030, household_id=42, wages_main=-1.0))
    with pytest.raises(ContractError, match="column 'wages_main' breaks rule '>= 0'.*household ids 42"):
        income_at_refi(f, params=params, tables=tables, rate=0.03)
    g = frame(_labour_couple(2030, household_id=43, labour_status_main="retired"))
    with pytest.raises(ContractError, match="column 'labour_status_main' breaks rule 'one of employee.*household ids 43"):
        income_at_refi(g, params=params, tables=tables, rate=0.03)
    with pytest.raises(ContractError, match="column 'aow_share_main'"):
        income_at_refi(frame(_labour_couple(2030)).drop(columns=["aow_share_main"]), params=params, tables=tables, rate=0.03)
    with pytest.raises(ContractError, match="rate at T in \\[0, 0.2\\]"):
        income_at_refi(frame(_labour_couple(2030)), params=params, tables=tables, rate=3.0)


# --------------------------------------------------------------------------
# property
# --------------------------------------------------------------------------
def test_prop_lower_wages_never_raise_x(params, tables):
    rng = np.random.default_rng(20240)
    n = 2_000
    base = pd.DataFrame([household()] * n)
    base[IO.REFI_YEAR] = rng.integers(2017, 2050, n)
    base[IO.MAIN_BIRTH_YEAR] = rng.integers(1960, 1995, n)
    base[IO.HAS_PARTNER] = rng.random(n) < 0.5
    base["labour_status_main"] = "employee"
    base["wages_main"] = rng.uniform(0, 90_000, n)
    base["wages_partner"] = np.where(base[IO.HAS_PARTNER], rng.uniform(0, 40_000, n), 0.0)
    base["pension_attainable_active_main"] = rng.uniform(0, 30_000, n)
    base["aow_share_main"] = rng.uniform(0, 1, n)
    base[IO.CONSUMER_CREDIT_NET] = rng.uniform(0, 20_000, n)
    rate = rng.uniform(0.0, 0.08, n)
    lower = base.assign(wages_main=base["wages_main"] * rng.uniform(0, 1, n))
    x0 = income_at_refi(base, params=params, tables=tables, rate=rate)[IO.MAX_MONTHLY_COST].to_numpy()
    x1 = income_at_refi(lower, params=params, tables=tables, rate=rate)[IO.MAX_MONTHLY_COST].to_numpy()
    assert (x1 <= x0 + 1e-9).all()
    assert (x1 < x0 - 1e-9).any()  # the property is not vacuous


def test_hw_perpetual_event_year_uses_aow_table_without_hra(params, tables):
    from cohorts.studies.interest_only.tree import event_year

    h = household(**{IO.MAIN_BIRTH_YEAR: 1970, IO.REFI_YEAR: None, "labour_status_main": "employee", "wages_main": 50_000.0,
                     "pension_attainable_active_main": 20_000.0, "aow_share_main": 1.0})
    f = frame(h)
    e = event_year(f[IO.MAIN_BIRTH_YEAR].to_numpy(), params=params)
    # E = max(1970 + 67, max(2030, 1970 + 55)) = max(2037, 2030) = 2037: age 67 -> attainable pension,
    # hra_end 2030 - 2037 < 10 -> no HRA: the AOW-without-HRA table of F33 follows from E itself
    out = income_at_refi(f, params=params, tables=tables, rate=0.03, year=e)
    assert e.tolist() == [2037]
    assert (out[IO.REGIME].iloc[0], out[IO.PENSION_BASIS].iloc[0], out[IO.WITH_HRA].iloc[0]) == ("pension", "attainable", False)
    # lookup = AOW 12,000 + rule 1 20,000 = 32,000 -> aow_no_hra row 31,000: 17%; X = 0.17 x 32,000 / 12 = 453.33
    assert out[IO.FINANCING_PCT].iloc[0] == 17.0
    assert out[IO.MAX_MONTHLY_COST].iloc[0] == pytest.approx(0.17 * 32_000.0 / 12.0)
