"""Column names, defined once.

Every stage of the pipeline refers to columns through these constants, never
through scattered string literals.  The canonical names are what the synthetic
generator writes and what the contracts in :mod:`cohorts.contracts` check; a
user's real extract with other names is mapped onto them by a column-mapping
TOML file (see :mod:`cohorts.io`).

The groups below follow the data flow: raw inputs (LLD loan parts, CBS persons,
key table), the mortgage-per-snapshot table, the cohort table (one row per new
mortgage), and the survival columns.
"""

from __future__ import annotations

from typing import Final

# --------------------------------------------------------------------------
# Raw input 1: DNB Loan Level Data, one row per loan part per snapshot (31 Dec)
# --------------------------------------------------------------------------
SNAPSHOT_YEAR: Final = "snapshot_year"  # int, 2012..2018
LOAN_ID: Final = "loan_id"  # mortgage (loan) identifier, stable over snapshots
LOAN_PART_ID: Final = "loan_part_id"  # loan-part identifier within the loan
ORIGINATION_DATE: Final = "origination_date"  # date the loan part started
MATURITY_DATE: Final = "maturity_date"  # contractual end date of the loan part
CURRENT_BALANCE: Final = "current_balance"  # euro, outstanding at the snapshot
ORIGINAL_BALANCE: Final = "original_balance"  # euro, at origination of the part
CURRENT_LTV: Final = "current_ltv"  # percent: loan balance / market value x 100
INTEREST_RATE: Final = "interest_rate"  # percent per year
FIXED_PERIOD_MONTHS: Final = "fixed_period_months"  # interest-fixed period; 0 = variable
REPAYMENT_TYPE: Final = "repayment_type"  # one of REPAYMENT_TYPES
NHG: Final = "nhg"  # bool: National Mortgage Guarantee
ARREARS: Final = "arrears"  # bool: registered arrears of >= 3 months (BKR) at the snapshot
OWNER_OCCUPIED: Final = "owner_occupied"  # bool

LLD_COLUMNS: Final = (
    SNAPSHOT_YEAR,
    LOAN_ID,
    LOAN_PART_ID,
    ORIGINATION_DATE,
    MATURITY_DATE,
    CURRENT_BALANCE,
    ORIGINAL_BALANCE,
    CURRENT_LTV,
    INTEREST_RATE,
    FIXED_PERIOD_MONTHS,
    REPAYMENT_TYPE,
    NHG,
    ARREARS,
    OWNER_OCCUPIED,
)

REPAYMENT_TYPES: Final = (
    "annuity",
    "linear",
    "interest_only",
    "savings",
    "investment",
    "life",
    "other",
)
INTEREST_ONLY: Final = "interest_only"

# --------------------------------------------------------------------------
# Raw input 2: CBS persons, one row per person per year
# Income is the gross personal income of that calendar year (report, appendix 2);
# savings, securities and debts are positions on 1 January of that year.
# --------------------------------------------------------------------------
PERSON_ID: Final = "person_id"  # RINPERSOON-like
YEAR: Final = "year"
BIRTH_YEAR: Final = "birth_year"
PARTNER_ID: Final = "partner_id"  # officially cohabiting partner; may be missing
GROSS_INCOME: Final = "gross_income"  # euro per year
ZZP: Final = "zzp"  # bool: self-employed without staff
SAVINGS: Final = "savings"  # euro, bank and savings balances
SECURITIES: Final = "securities"  # euro, bonds and shares excl. substantial holdings
OTHER_DEBTS: Final = "other_debts"  # euro, CBS 'overige schulden'
STUDENT_DEBT: Final = "student_debt"  # euro, outstanding

CBS_COLUMNS: Final = (
    PERSON_ID,
    YEAR,
    BIRTH_YEAR,
    PARTNER_ID,
    GROSS_INCOME,
    ZZP,
    SAVINGS,
    SECURITIES,
    OTHER_DEBTS,
    STUDENT_DEBT,
)

# --------------------------------------------------------------------------
# Raw input 2b (the interest-only study, end-2016 cross-section): CBS income by source,
# pension and AOW entitlements and labour-market position, one row per person for 2017
# (file cbs_income_pension), and wealth beyond savings plus the dwelling's WOZ value on
# 1 January 2017 (file cbs_wealth_dwelling).  Euro per year unless stated.
# --------------------------------------------------------------------------
WAGES: Final = "wages"  # gross wages 2017 (employees)
BUSINESS_PROFIT: Final = "business_profit"  # own-business profit, mean 2015-2017
DGA_WAGE: Final = "dga_wage"  # director-shareholder wage, mean 2015-2017
PENSION_INCOME: Final = "pension_income"  # 2nd-pillar and paying-out 3rd-pillar pension received in 2017
BENEFITS: Final = "benefits"  # social benefits received in 2017
LABOUR_STATUS: Final = "labour_status"  # one of LABOUR_STATUSES
PENSION_ATTAINABLE_ACTIVE: Final = "pension_attainable_active"  # attainable 2nd pillar, active schemes (PAS)
PENSION_ATTAINABLE_INACTIVE: Final = "pension_attainable_inactive"  # attainable 2nd pillar, inactive schemes
PENSION_ACCRUED: Final = "pension_accrued"  # 2nd pillar accrued to 1 Jan 2017, all schemes
AOW_SHARE: Final = "aow_share"  # fraction 0..1 of the full AOW earned by years of residence
CASH: Final = "cash"  # other liquid assets (cash), 1 January
OTHER_REAL_ESTATE: Final = "other_real_estate"  # euro, 1 January
BUSINESS_ASSETS: Final = "business_assets"  # business assets and substantial holdings, 1 January
WOZ_VALUE: Final = "woz_value"  # WOZ value of the owned dwelling the person lives in

LABOUR_STATUSES: Final = (
    "employee",  # employee (active scheme or not: see PENSION_ATTAINABLE_ACTIVE)
    "self_employed",
    "employee_self_employed",
    "dga",
    "benefits",  # benefit recipient
    "pensioner",
    "other",  # student, helping family member, no income
)

INCOME_PENSION_COLUMNS: Final = (
    PERSON_ID,
    YEAR,
    WAGES,
    BUSINESS_PROFIT,
    DGA_WAGE,
    PENSION_INCOME,
    BENEFITS,
    LABOUR_STATUS,
    PENSION_ATTAINABLE_ACTIVE,
    PENSION_ATTAINABLE_INACTIVE,
    PENSION_ACCRUED,
    AOW_SHARE,
)
WEALTH_DWELLING_COLUMNS: Final = (PERSON_ID, YEAR, CASH, OTHER_REAL_ESTATE, BUSINESS_ASSETS, WOZ_VALUE)

# --------------------------------------------------------------------------
# Raw input 3: key table (koppeltabel, 2017): loan -> main earner
# --------------------------------------------------------------------------
KEY_COLUMNS: Final = (LOAN_ID, PERSON_ID)

# --------------------------------------------------------------------------
# Mortgage per snapshot (loan parts aggregated)
# --------------------------------------------------------------------------
N_PARTS: Final = "n_parts"
BALANCE: Final = "observed_mortgage"  # euro, sum of current balances of the parts
FIXED_PERIOD_YEARS: Final = "fixed_period_years"  # shortest fixed period, whole years
INTEREST_ONLY_AMOUNT: Final = "interest_only_amount"  # euro, balance of interest-only parts
INTEREST_ONLY_SHARE: Final = "interest_only_share"  # interest_only_amount / observed_mortgage
ORIGINATION_YEAR: Final = "origination_year"  # year of the oldest part's origination date
HOUSE_VALUE: Final = "house_value"  # euro, observed_mortgage / (current_ltv / 100)
LTV: Final = "ltv"  # ratio observed_mortgage / house_value (1.0 = 100%)
FIRST_SEEN: Final = "first_seen"  # first snapshot year in which the loan appears
LAST_SEEN: Final = "last_seen"  # last snapshot year in which the loan appears

# --------------------------------------------------------------------------
# Cohort table: one row per new mortgage (cohorts.parquet)
# --------------------------------------------------------------------------
COHORT: Final = "cohort"  # origination year, 2012..2017
MAIN_ID: Final = "main_id"  # person id of the main earner
PARTNER: Final = "partner_id"  # person id of the partner (same name as in CBS)
MAIN_AGE: Final = "main_age"  # age of the main earner at origination (cohort - birth_year)
STARTER: Final = "starter"  # bool: main earner aged <= 35 at origination
MAIN_INCOME: Final = "main_income"  # euro, t+1
PARTNER_INCOME: Final = "partner_income"  # euro, t+1 (0 without partner)
HOUSEHOLD_INCOME: Final = "household_income"  # main + partner
CONSUMER_CREDIT: Final = "consumer_credit"  # other debts if <= bound, else 0
NET_WEALTH: Final = "net_wealth"  # savings + securities - other debts - student debt
HAS_PARTNER: Final = "has_partner"
STUDENT_DEBT_HH: Final = STUDENT_DEBT  # household student debt (main + partner)

# --------------------------------------------------------------------------
# Follow-up (survival) columns in the cohort table
# --------------------------------------------------------------------------
DURATION: Final = "duration"  # whole years; 1 = the origination year
EVENT: Final = "event"  # bool: first registered arrears observed at `duration`
EXIT_TYPE: Final = "exit_type"  # one of EXIT_TYPES
EXIT_ARREARS: Final = "arrears"
EXIT_LEFT: Final = "left"  # left the data before the last snapshot (redemption, sale, move)
EXIT_OBSERVED_END: Final = "observed_end"  # still observed at the last snapshot
EXIT_TYPES: Final = (EXIT_ARREARS, EXIT_LEFT, EXIT_OBSERVED_END)

# Panel (panel.parquet): one row per new mortgage per snapshot in which it is seen
YEARS_SINCE_ORIGINATION: Final = "years_since_origination"  # 0 = origination year

# Norm-engine outputs added to the cohort table (see cohorts.norms)
LTI_UTIL: Final = "lti_util"
LTV_UTIL: Final = "ltv_util"
HIGH: Final = "high"
MAX_MORTGAGE: Final = "max_mortgage"

FIRST_SNAPSHOT: Final = 2012
LAST_SNAPSHOT: Final = 2018
COHORT_YEARS: Final = tuple(range(2012, 2018))
