"""The intended fates of synthetic loans (the ``intended`` column of ``truth.parquet``).

Every loan the generator writes is planted with exactly one fate: it is either
analysable (it survives every exclusion of the build) or it breaks exactly one
rule of the build.
"""

from __future__ import annotations

from typing import Final

ANALYSABLE: Final = "analysable"
MULTI_MORTGAGE: Final = "multi_mortgage"  # main earner has two loans in one snapshot
UNLINKABLE: Final = "unlinkable"  # absent from the 2017 key table
ORIGINATION_YEAR_MISMATCH: Final = "origination_year_mismatch"  # oldest part 2012-2016, first reported later
PRE_2012_STOCK: Final = "pre_2012_stock"  # oldest part before 2012
MISSING_CBS_MAIN: Final = "missing_cbs_main"  # main earner has no CBS record for t+1
MISSING_CBS_PARTNER: Final = "missing_cbs_partner"  # partner has no CBS record for t+1
NOT_OWNER_OCCUPIED: Final = "not_owner_occupied"
COHORT_2018: Final = "cohort_2018"  # originated in 2018: cannot be linked
HOUSE_VALUE_MISSING: Final = "house_value_missing"  # current_ltv missing at the first snapshot

INTENDED: Final = (
    ANALYSABLE,
    MULTI_MORTGAGE,
    UNLINKABLE,
    ORIGINATION_YEAR_MISMATCH,
    PRE_2012_STOCK,
    MISSING_CBS_MAIN,
    MISSING_CBS_PARTNER,
    NOT_OWNER_OCCUPIED,
    COHORT_2018,
    HOUSE_VALUE_MISSING,
)
"""All fates; the integer code of a fate is its position in this tuple."""

CODE: Final = {name: i for i, name in enumerate(INTENDED)}

NO_PERSON_KINDS: Final = (CODE[UNLINKABLE], CODE[COHORT_2018])
"""Codes of the fates whose loans have no person in the key table (and so no CBS records)."""

STOCK_KINDS: Final = (ANALYSABLE, ORIGINATION_YEAR_MISMATCH, PRE_2012_STOCK)
"""Fates whose loans make up the linkable single-mortgage stock of Tabel B3."""

# Excluded new-type kinds generated as a share of the analysable count, in the
# order of the [messiness] block of params.toml.
SHARE_KINDS: Final = (
    UNLINKABLE,
    ORIGINATION_YEAR_MISMATCH,
    MISSING_CBS_MAIN,
    MISSING_CBS_PARTNER,
    NOT_OWNER_OCCUPIED,
    HOUSE_VALUE_MISSING,
)
