"""The report's tables (Tabel 1-5, B1-B8) and the data behind its figures, as tidy frames.

Every function here is pure: it takes the built study frames (``cohorts``, one
row per new mortgage; ``stock``, one row per linkable mortgage per snapshot;
``panel``, one row per new mortgage per snapshot) and returns a tidy
DataFrame.  Drawing is in :mod:`cohorts.studies.high_mortgages.figures`, file export in
:mod:`cohorts.studies.high_mortgages.command`.

Tidy table layout
-----------------
One row per (group, cohort year) with the columns

``table``
    the report's table id (``"T2"``, ``"B3"``, ...),
``group``
    the population (see :data:`POPULATIONS`),
``cohort``
    origination cohort (for ``stock``: the snapshot year),
``statistic``
    ``"share"``, ``"mean"``, ``"median"`` or ``"count"``,
``unit``
    ``"percent"``, ``"euro"`` or ``"count"``,
``n``
    number of rows the statistic is computed on (the denominator),
``value``
    the statistic (shares and percentages in percent).

:func:`wide` turns it into the report's layout (cohort years as rows, groups as
columns; Tabel 1 the other way round), :func:`format_table` and
:func:`to_latex` apply the report's number formats.

Populations
-----------
``new`` all new mortgages of a cohort; ``new_high`` LTI utilisation above the
threshold (the ``high`` column, > 100% by default); ``starters`` main earner
aged <= 35; ``starters_high``; ``within_norm`` and ``starters_within_norm`` the
complements of the high groups; ``non_starters``; ``new_io`` mortgages with an
interest-only amount > 0 and ``new_high_io`` / ``starters_high_io`` (the
population of Tabel 1); ``stock`` the linkable outstanding mortgages of a
snapshot year (from the stock frame).

Choices where the report is ambiguous (targets README, "Ambiguities")
---------------------------------------------------------------------
* Tabel 5 (arrears) for new mortgages: by default the share of a cohort's
  mortgages whose first registered arrears fall in the origination year
  (``window="first_year"``, duration 1); ``window="ever"`` counts first arrears
  at any time during follow-up.  The report says "in het eerste jaar na
  afsluiten" only for 2017 (ambiguity 10), but its own survival curves decide
  the reading: Figures 8 and 9 put the cumulative share with arrears after six
  years at 4.6-9.2%, so an "ever" share of 1.2% for the 2012 cohort (followed
  for seven snapshots) is impossible, while first-year shares of 1-3% agree
  with the curves' first step.  Figure 7's N (3,321 arrears) equals Tabel B3 x
  Tabel 5 for starters, so the report's Figure 7 counts the same arrears as its
  Tabel 5: first arrears in the origination year (see the Figure 7 bullet).
* Tabel B4 (mean consumer-credit amount): by default the mean among households
  that have consumer credit (``among="holders"``), following its caption "Tabel
  B3 i.c.m. Tabel 3"; ``among="all"`` averages over all households (ambiguity 14).
* Tabel 1 (WLT possibly applied): the denominator is high mortgages *with*
  interest-only parts (ambiguity 4).
* Figure 7: by default computed on starters (``population="starters"``),
  whose N matches the caption; ``population="new"`` gives all new mortgages
  (ambiguity 1).  Its arrears are by default those of Tabel 5, first arrears
  in the origination year (``window="first_year"``): the caption's 3,321
  arrears on 157,712 mortgages equal Tabel B3 starters x Tabel 5 starters
  (about 3,330, a first-year share of 2.1%), whereas a starter's chance of
  arrears at any time during follow-up is 5.6-9.2% after six years (Figure 9),
  about 8,000-10,000 arrears on that N.  ``window="ever"`` counts every first
  arrears during follow-up (the text's "alle waargenomen
  betalingsachterstanden").
* Figures 3 and B2 (90% quadrants): a side is "above" when utilisation >= 90%
  (``strict=False``; the text's "90% of meer" and "onder 90%"); Figures 2 and
  B1 use > 100% (the definition of a high mortgage).  Both are parameters
  (ambiguity 12).
* Survival (Figures 8/9): duration 1 is the origination year, so the report's
  "after 6 years" is ``horizon=7`` (ambiguity 9).
* Rows with ``cohort_year`` "2012-2017" (or no year) in the targets are pooled
  over all cohorts; "2013-2017" over those years.
"""

from __future__ import annotations

from cohorts.studies.high_mortgages.tables.populations import (
    cohort_selection,
    GROUP_LABELS,
    GROUPS,
    high_flag,
    LANGS,
    NUMBER_FORMATS,
    population_mask,
    POPULATIONS,
    STOCK,
    STOCK_COLUMNS,
    SUPPORT_COLUMNS,
    TIDY_COLUMNS,
    TITLES,
    Values,
)
from cohorts.studies.high_mortgages.tables.main import (
    table_1,
    table_2,
    table_3,
    table_4,
    table_5,
    TABLE_5_WINDOWS,
)
from cohorts.studies.high_mortgages.tables.appendix import (
    all_tables,
    table_b1,
    table_b2,
    table_b3,
    table_b4,
    TABLE_B4_AMONG,
    table_b5,
    table_b6,
    table_b7,
    table_b8,
)
from cohorts.studies.high_mortgages.tables.layout import (
    format_number,
    format_table,
    to_latex,
    wide,
)
from cohorts.studies.high_mortgages.tables.figure_data import (
    arrears_threshold_data,
    figure_1_data,
    figure_7_frame,
    FIGURE_7_POPULATIONS,
    FIGURE_7_WINDOWS,
    income_data,
    income_growth_data,
    interest_only_data,
    quadrant_data,
)
from cohorts.studies.high_mortgages.tables.survival_data import (
    cohort_sensitivity_data,
    cox_data,
    survival_data,
    survival_frame,
    threshold_sweep_data,
)

__all__ = [
    "FIGURE_7_POPULATIONS",
    "FIGURE_7_WINDOWS",
    "GROUPS",
    "GROUP_LABELS",
    "LANGS",
    "NUMBER_FORMATS",
    "POPULATIONS",
    "STOCK",
    "STOCK_COLUMNS",
    "SUPPORT_COLUMNS",
    "TABLE_5_WINDOWS",
    "TABLE_B4_AMONG",
    "TIDY_COLUMNS",
    "TITLES",
    "Values",
    "all_tables",
    "arrears_threshold_data",
    "cohort_selection",
    "cohort_sensitivity_data",
    "cox_data",
    "figure_1_data",
    "figure_7_frame",
    "format_number",
    "format_table",
    "high_flag",
    "income_data",
    "income_growth_data",
    "interest_only_data",
    "population_mask",
    "quadrant_data",
    "survival_data",
    "survival_frame",
    "table_1",
    "table_2",
    "table_3",
    "table_4",
    "table_5",
    "table_b1",
    "table_b2",
    "table_b3",
    "table_b4",
    "table_b5",
    "table_b6",
    "table_b7",
    "table_b8",
    "threshold_sweep_data",
    "to_latex",
    "wide",
]
