"""Column names of the lending-norm engine, defined once.

The input names are the canonical names of :mod:`cohorts.columns`; a caller
whose table uses other names passes ``columns={"year": "cohort", ...}`` to
:func:`cohorts.norms.apply_norm`.  The output names are fixed.
"""

from __future__ import annotations

from typing import Final

from cohorts import columns as C

# --------------------------------------------------------------------------
# Inputs (canonical names)
# --------------------------------------------------------------------------
YEAR: Final = C.YEAR  # norm year (origination year); int
MAIN_INCOME: Final = C.MAIN_INCOME  # euro per year, >= 0
PARTNER_INCOME: Final = C.PARTNER_INCOME  # euro per year, >= 0 (0 without partner)
MAIN_AGE: Final = C.MAIN_AGE  # integer age of the main earner in the norm year
INTEREST_RATE: Final = C.INTEREST_RATE  # percent per year, in [0, 20]
FIXED_PERIOD_YEARS: Final = C.FIXED_PERIOD_YEARS  # interest-fixed period in years; 0 = variable
SAVINGS: Final = C.SAVINGS  # euro, >= 0
SECURITIES: Final = C.SECURITIES  # euro, >= 0
CONSUMER_CREDIT: Final = C.CONSUMER_CREDIT  # euro outstanding, >= 0
STUDENT_DEBT: Final = C.STUDENT_DEBT  # euro outstanding, >= 0
OBSERVED_MORTGAGE: Final = C.BALANCE  # euro, >= 0 ("observed_mortgage")
HOUSE_VALUE: Final = C.HOUSE_VALUE  # euro, > 0
INTEREST_ONLY_AMOUNT: Final = C.INTEREST_ONLY_AMOUNT  # euro, in [0, observed_mortgage]

INPUT_COLUMNS: Final = (
    YEAR,
    MAIN_INCOME,
    PARTNER_INCOME,
    MAIN_AGE,
    INTEREST_RATE,
    FIXED_PERIOD_YEARS,
    SAVINGS,
    SECURITIES,
    CONSUMER_CREDIT,
    STUDENT_DEBT,
    OBSERVED_MORTGAGE,
    HOUSE_VALUE,
    INTEREST_ONLY_AMOUNT,
)

# --------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------
LTV: Final = C.LTV  # observed_mortgage / house_value
LOOKUP_INCOME: Final = "lookup_income"  # income that selects the table row
CHARGE_INCOME: Final = "charge_income"  # income the percentage is applied to
TEST_RATE: Final = "test_rate"  # percent per year
NORM_TABLE: Final = "norm_table"  # "below_aow" or "aow"
NORM_TABLE_YEAR: Final = "norm_table_year"  # year of the Trhk table actually used
PCT: Final = "pct"  # financieringslastpercentage, percent of gross income
MAX_MONTHLY: Final = "max_monthly"  # euro per month
ANNUITY_FACTOR: Final = "annuity_factor"  # monthly payment per euro borrowed
MAX_MORTGAGE: Final = C.MAX_MORTGAGE  # euro
LTI_UTIL: Final = C.LTI_UTIL  # observed_mortgage / max_mortgage
LTV_LIMIT: Final = "ltv_limit"  # fraction of house value
LTV_UTIL: Final = C.LTV_UTIL  # ltv / ltv_limit
HIGH: Final = C.HIGH  # lti_util > threshold
PCT_NOHRA: Final = "pct_nohra"  # percentage without mortgage-interest deduction
MAX_MORTGAGE_WLT: Final = "max_mortgage_wlt"  # euro, maximum under the actual-cost test
WLT_POSSIBLE: Final = "wlt_possible"  # high, interest-only part, and within the WLT maximum

OUTPUT_COLUMNS: Final = (
    LOOKUP_INCOME,
    CHARGE_INCOME,
    TEST_RATE,
    NORM_TABLE,
    NORM_TABLE_YEAR,
    PCT,
    MAX_MONTHLY,
    ANNUITY_FACTOR,
    MAX_MORTGAGE,
    LTI_UTIL,
    LTV_LIMIT,
    LTV_UTIL,
    HIGH,
    PCT_NOHRA,
    MAX_MORTGAGE_WLT,
    WLT_POSSIBLE,
)

# --------------------------------------------------------------------------
# Tables (long CSV format) and their names
# --------------------------------------------------------------------------
TABLE_COLUMNS: Final = ("year", "table", "income_from", "income_to", "rate_from", "rate_to", "pct")
BELOW_AOW: Final = "below_aow"
AOW: Final = "aow"
BELOW_AOW_NO_HRA: Final = "below_aow_no_hra"
AOW_NO_HRA: Final = "aow_no_hra"
STANDARD_TABLES: Final = (BELOW_AOW, AOW)
NO_HRA_TABLES: Final = (BELOW_AOW_NO_HRA, AOW_NO_HRA)
TABLE_NAMES: Final = STANDARD_TABLES + NO_HRA_TABLES
