"""Column names of the interest-only study's frames, defined once.

The study works on three frames (``docs/io_refinancing.md``):

* **households** (:func:`cohorts.studies.interest_only.population.households`): one row per
  household with at least one interest-only or investment loan part at the end-2016 snapshot,
  with what is known then (stocks at 31 Dec 2016, incomes of 2017);
* **parts**: the loan parts of those households at the end-2016 snapshot (raw LLD columns of
  :mod:`cohorts.columns` plus :data:`HOUSEHOLD_ID`);
* **outcomes** (:func:`cohorts.studies.interest_only.tree.classify`): the households' projected
  quantities at their refinancing (or event) year under one scenario and start year, and the
  flags of the vulnerability tree.

Raw input columns (LLD, CBS) live in :mod:`cohorts.columns`; only the study's own derived columns
are named here.  Money is euro (nominal), rates are fractions per year (0.03 = 3%) unless a name
says ``_pct``.
"""

from __future__ import annotations

from typing import Final

from cohorts import columns as _C

# --------------------------------------------------------------------------
# households: one row per IO household at the end-2016 snapshot
# --------------------------------------------------------------------------
HOUSEHOLD_ID: Final = "household_id"  # the loan id of the household's mortgage (one mortgage per household)
MAIN_BIRTH_YEAR: Final = "main_birth_year"  # birth year of the main earner (highest income)
HAS_PARTNER: Final = "has_partner"  # bool
REFI_DATE: Final = "refi_date"  # maturity date of the first-maturing dated IO/investment part; NaT for perpetuals
REFI_YEAR: Final = "refi_year"  # T: year of the first-maturing IO/investment part; <NA> for perpetuals
PERPETUAL_ADMIN: Final = "perpetual_admin"  # bool: IO part without contractual end date (lender's coding)
PERPETUAL_AGE: Final = "perpetual_age"  # bool: first IO part matures after the main earner's 85th birthday
PERPETUAL: Final = "perpetual"  # bool: step 1, no refinancing moment (either of the two above)
FULLY_IO: Final = "fully_io"  # bool: every part is interest-only or investment
DEBT_NOW: Final = "debt_now"  # D0: sum of balances at the snapshot
IO_DEBT_NOW: Final = "io_debt_now"  # sum of interest-only and investment balances at the snapshot
HOUSE_VALUE_NOW: Final = "house_value_now"  # V0: WOZ value
LIQUID_ASSETS: Final = "liquid_assets"  # L: savings + securities + cash (1 Jan 2017)
CONSUMER_CREDIT_NOW: Final = "consumer_credit_now"  # CK = min(other debts, cap)
CONSUMER_CREDIT_NET: Final = "consumer_credit_net"  # CK' = max(0, CK - L)
FREE_WEALTH_NOW: Final = "free_wealth_now"  # W0 = max(0, L - CK - buffer)
INCOME_NOW: Final = "income_now"  # household gross income 2017 (main + partner, all sources used)
# Per person: the raw fields of cohorts.columns.INCOME_PENSION_COLUMNS (WAGES, BUSINESS_PROFIT,
# DGA_WAGE, PENSION_INCOME, BENEFITS, LABOUR_STATUS, PENSION_ATTAINABLE_ACTIVE, PENSION_ATTAINABLE_INACTIVE,
# PENSION_ACCRUED, AOW_SHARE) appear twice, as f"{name}{MAIN_SUFFIX}" and f"{name}{PARTNER_SUFFIX}"
# (partner fields 0 / "other" without a partner), e.g. "wages_main", "aow_share_partner".
MAIN_SUFFIX: Final = "_main"
PARTNER_SUFFIX: Final = "_partner"
SOCIAL_ASSISTANCE: Final = "social_assistance"  # bijstandsnorm of the household type, 2017
# Household-level wealth (main + partner, 1 Jan 2017), same names as the raw CBS person fields
SAVINGS: Final = _C.SAVINGS  # bank and savings balances
SECURITIES: Final = _C.SECURITIES  # securities (effecten/beleggingen)
CASH: Final = _C.CASH  # other liquid assets such as cash
OTHER_DEBTS: Final = _C.OTHER_DEBTS  # CBS "overige schulden"
OTHER_REAL_ESTATE: Final = _C.OTHER_REAL_ESTATE
BUSINESS_ASSETS: Final = _C.BUSINESS_ASSETS

# --------------------------------------------------------------------------
# outcomes: one row per household under one scenario and start year
# --------------------------------------------------------------------------
SCENARIO: Final = "scenario"
START_YEAR: Final = "start_year"
AGE_AT_T: Final = "age_at_refi"  # T - main birth year
REGIME: Final = "regime"  # "labour" or "pension"
PENSION_BASIS: Final = "pension_basis"  # "attainable" (age_T >= AOW age), "accrued" (AOW age - 10 .. AOW age - 1), "" (labour)
NORM_TABLE_YEAR: Final = "norm_table_year"  # Trhk table year actually used (2019 asked; nearest earlier if absent)
HRA_END: Final = "hra_end"  # year the mortgage-interest deduction lapses
WITH_HRA: Final = "with_hra"  # bool: the with-HRA table applies (hra_end - T >= 10)
DEBT_AT_T: Final = "debt_at_refi"  # D_T
HOUSE_VALUE_AT_T: Final = "house_value_at_refi"  # V_T
WEALTH_AT_T: Final = "wealth_at_refi"  # W_T
TEST_INCOME_AT_T: Final = "test_income_at_refi"  # Y_T, nominal
TEST_INCOME_LABOUR_AOW: Final = "test_income_labour_aow"  # Y_T's labour, benefits and AOW part, 2017 prices
TEST_INCOME_SECOND_PILLAR: Final = "test_income_second_pillar"  # Y_T's 2P and other pensions part, 2017 prices
LOOKUP_INCOME: Final = "lookup_income"  # income for the table lookup (2017 prices, partner weighted)
FINANCING_PCT: Final = "financing_pct"  # f in percent (Trhk table, plus the low-income rule)
MAX_MONTHLY_COST: Final = "max_monthly_cost"  # X_T
RATE_AT_T: Final = "rate_at_refi"  # r_T, fraction per year
STEP: Final = "step"  # 1..7: the tree's outcome (see tree.STEPS)
WEALTH_REPAY: Final = "wealth_repay"  # step 2
FAIL_ANNUITY: Final = "fail_annuity"  # fails step 4
FORCED_SALE: Final = "forced_sale"  # fails step 6
RESIDUAL_DEBT: Final = "residual_debt"  # forced sale and D_T > V_T
RESIDUAL_AMOUNT: Final = "residual_amount"  # max(0, D_T - V_T) for forced sales, euro
LTI_BINDS_ANNUITY: Final = "lti_binds_annuity"
LTV_BINDS_ANNUITY: Final = "ltv_binds_annuity"
LTI_BINDS_IO50: Final = "lti_binds_io50"
LTV_BINDS_IO50: Final = "ltv_binds_io50"
LOW_INCOME_FLAG: Final = "meas_low_income"  # 2017 income below the social-assistance level
HIGH_LTV_FLAG: Final = "meas_high_ltv"  # current LTV above 200%
VULNERABLE: Final = "vulnerable"
CORE_RISK: Final = "core_risk"
YEARS_TO_REFI: Final = "years_to_refi"  # T - 2020
EVENT_YEAR: Final = "event_year"  # perpetuals: E
AGILE_NOW: Final = "agile_now"  # perpetuals: V0 >= D0
AGILE_AT_EVENT: Final = "agile_at_event"  # perpetuals: V_E >= D_E
AFFORD_FAIL: Final = "afford_fail"  # perpetuals: fail the income test at E

# --------------------------------------------------------------------------
# profiles.csv (the profiles of vulnerable households, Figuren 11-13 and 25-28)
# --------------------------------------------------------------------------
PROFILE_FIGURE: Final = "figure"  # the report's figure number (11, 12, 13, 25, 26, 27, 28)
PROFILE_PANEL: Final = "panel"  # the characteristic (a section of data/profiles.toml)
PROFILE_GROUP: Final = "group"  # "vulnerable" or "refi_moment"
PROFILE_CLASS: Final = "class"  # a class of the panel, or "all" (the group's households in the panel)
INCOME_DROP_PCT: Final = "income_drop_pct"  # 100 x (1 - retirement income / income 2017), 2017 prices
IO_SHARE_ORIGINATION_PCT: Final = "io_share_origination_pct"  # IO + investment share of the original principal
IN_ARREARS: Final = "in_arrears"  # bool: any loan part in arrears at the snapshot

# descriptive tables (descriptives.py): per household, euro
ORIGINAL_IO: Final = "original_io"  # sum of the IO / investment parts' original balances
VOLUNTARY_REPAID: Final = "voluntary_repaid"  # cumulative voluntary repayment of the IO parts: sum of max(0, original - current)
