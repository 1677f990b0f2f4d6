"""Data contracts for the three raw inputs (LLD loan parts, CBS persons, key table).

Each contract is a list of column rules and table rules.  Validation is *lazy*:
every rule is checked and all failures are collected into one
:class:`~cohorts.errors.ContractError` that names the file, the column, the
rule, the number of offending rows and the first few offending rows (with their
ids).  On success the validators return a new frame with the canonical column
order and dtypes (ids and amounts are never changed in value).

The same contracts run on the synthetic twin and on real extracts; a real
extract with other column names is first renamed by a column mapping (see
:func:`cohorts.io.load_mapping`).

Rules (canonical names from :mod:`cohorts.columns`):

LLD loan parts (one row per loan part per 31-December snapshot)
    ``snapshot_year`` integer in 2012..2018; ``loan_id``, ``loan_part_id`` not
    null; ``(snapshot_year, loan_id, loan_part_id)`` unique;
    ``origination_date`` a date, not null, not after 31 December of the
    snapshot year; ``maturity_date`` a date (may be missing) not before the
    origination date; ``current_balance`` >= 0 and ``original_balance`` > 0
    (euro, not null, below 100 million); ``current_ltv`` percent, > 0 and
    <= 1000 where present (missing allowed: such a mortgage is dropped, counted,
    when its house value is needed); ``interest_rate`` percent in [0, 20];
    ``fixed_period_months`` integer in [0, 600] (0 = variable);
    ``repayment_type`` one of :data:`cohorts.columns.REPAYMENT_TYPES`; ``nhg``,
    ``arrears``, ``owner_occupied`` booleans (0/1 accepted).

CBS persons (one row per person per year)
    ``person_id`` not null; ``year`` integer in 2000..2030; ``(person_id, year)``
    unique; ``birth_year`` integer in 1900..2030 and not after ``year``;
    ``partner_id`` may be missing, never equal to ``person_id``;
    ``gross_income`` not null (negative values are allowed: CBS personal income
    can be negative for entrepreneurs; the norm treats them as given);
    ``savings``, ``securities``, ``other_debts``, ``student_debt`` >= 0, not
    null; ``zzp`` boolean.

Key table (koppeltabel 2017)
    ``loan_id`` and ``person_id`` not null; ``loan_id`` unique (a loan mapped
    to two persons is an error: the link would be ambiguous).

CBS income and pension (interest-only study; one row per person per year, 2017)
    ``person_id`` not null; ``year`` integer in 2000..2030; ``(person_id, year)``
    unique; ``wages``, ``dga_wage``, ``pension_income``, ``benefits``,
    ``pension_attainable_active``, ``pension_attainable_inactive``,
    ``pension_accrued`` >= 0, not null; ``business_profit`` not null (may be
    negative: a loss); ``labour_status`` one of
    :data:`cohorts.columns.LABOUR_STATUSES`; ``aow_share`` in [0, 1].

CBS wealth and dwelling (interest-only study; one row per person per year, 2017)
    ``person_id``, ``year`` as above, ``(person_id, year)`` unique; ``cash``,
    ``other_real_estate``, ``business_assets`` >= 0, not null; ``woz_value``
    > 0 where present (missing: no owned dwelling).
Layout: the contracts themselves are in :mod:`cohorts.contracts.rules`, the
coercion and lazy validation in :mod:`cohorts.contracts.validation`; both are
re-exported here.
"""

from cohorts.contracts.rules import (
    CBS_CONTRACT,
    CONTRACTS,
    INCOME_PENSION_CONTRACT,
    KEY_CONTRACT,
    LLD_CONTRACT,
    WEALTH_DWELLING_CONTRACT,
    Check,
    Column,
    Contract,
    _calendar_year,
)
from cohorts.contracts.validation import (
    N_EXAMPLES,
    UniqueKeyCheck,
    _examples,
    coerce_columns,
    duplicated_rows,
    in_key_order,
    merge_failures,
    require_columns,
    validate,
    validate_cbs,
    validate_income_pension,
    validate_key,
    validate_lld,
    validate_wealth_dwelling,
)

__all__ = [
    "CBS_CONTRACT", "CONTRACTS", "INCOME_PENSION_CONTRACT", "KEY_CONTRACT", "LLD_CONTRACT", "N_EXAMPLES",
    "WEALTH_DWELLING_CONTRACT", "validate_income_pension", "validate_wealth_dwelling", "Check", "Column", "Contract",
    "UniqueKeyCheck", "coerce_columns", "duplicated_rows", "in_key_order", "merge_failures", "require_columns",
    "validate", "validate_cbs", "validate_key", "validate_lld",
]
