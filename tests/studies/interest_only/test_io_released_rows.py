"""The comparison rows read from the released ``coverage.csv`` and ``prevalence.csv`` (comparison.released_rules).

Kinds:
* hand-worked (``test_hw_*``): small hand-made released frames in the released files' layout (as read back,
  every cell text), each target row of the packaged target list matched to its first rule among
  ``(*released_rules(...), *RULES)`` as :func:`cohorts.studies.interest_only.comparison.compare` orders
  them, and the number written out: the fully-IO median for both texts, 100 minus the <= 5-year median, the
  Tabel 3 note share; a hidden cell (the gate's marker), a missing row and a missing file give "not
  released", never a number; the <= 5-year share statement and the share of CBS mortgage households stay
  not reproducible with their reasons;
* cross-check (``test_cross_*``): the class labels the rules look up are those ``descriptives.coverage``
  writes (labels built from the same settings by the writer's own functions, compared with a table the
  writer produced on a hand-made household set).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.report.comparison import NotReproducible, match_rule
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.comparison import RELEASED_FILES, load_targets, released_rules
from cohorts.studies.interest_only.descriptives import coverage, load_descriptive_settings, read_released
from cohorts.studies.interest_only.rules import RULES

COVERAGE_CSV = """dimension,class,median,n_rounded,statistic,unit,rounding_base,disclosure
all,all,17.0,10700,median,percent of the original interest-only principal,100,
io_share,0-50%,19.0,4200,median,percent of the original interest-only principal,100,
io_share,100% (fully IO),23.0,4600,median,percent of the original interest-only principal,100,
remaining_term,<= 5,41.0,300,median,percent of the original interest-only principal,100,
remaining_term,6-10,21.0,1200,median,percent of the original interest-only principal,100,
"""
PREVALENCE_CSV = """panel,group,n_rounded,share,population,statistic,rounding_base,disclosure
mortgages,with_io,1937300,88.36,2926000.0,count,100,
io_households,fully_io,968200,50.68,1462000.0,count,100,
tabel3_note,retired_active_scheme,16300,0.85,24000.0,count,100,
"""
IDS = ("IO_TXT_fully_io_median_covered", "IO_TXT_h4_fully_io_median_covered", "IO_TXT_h4_le5y_median_open",
       "IO_TXT_le5y_half_mostly_uncovered", "IO_TXT_retirees_active_scheme_share")


def released(coverage_csv: str = COVERAGE_CSV, prevalence_csv: str = PREVALENCE_CSV) -> dict[str, pd.DataFrame]:
    return {"coverage.csv": read_released(io.StringIO(coverage_csv)),
            "prevalence.csv": read_released(io.StringIO(prevalence_csv))}


def value(rel: dict[str, pd.DataFrame] | None, id_: str) -> float:
    targets = load_targets()
    row = targets.loc[targets["id"] == id_].iloc[0]
    rule = match_rule(row, (*released_rules(rel), *RULES))
    assert rule is not None
    return float(rule.compute(None, row))  # the released rules read no Results


def test_hw_released_files_are_the_descriptive_files():
    assert RELEASED_FILES == ("coverage.csv", "prevalence.csv")


def test_hw_numbers_from_the_released_frames():
    rel = released()
    # the class "100% (fully IO)": 23 for both texts (IO debt = original principal when fully IO)
    assert value(rel, "IO_TXT_fully_io_median_covered") == 23.0
    assert value(rel, "IO_TXT_h4_fully_io_median_covered") == 23.0
    # median open share with <= 5 years to go: 100 - 41 = 59
    assert value(rel, "IO_TXT_h4_le5y_median_open") == 59.0
    # Tabel 3 note #: the released share, 0.85 percent of the IO households
    assert value(rel, "IO_TXT_retirees_active_scheme_share") == 0.85


def test_hw_share_statement_stays_not_reproducible():
    with pytest.raises(NotReproducible, match="median coverage .* not the share"):
        value(released(), "IO_TXT_le5y_half_mostly_uncovered")


def test_hw_other_denominator_stays_not_reproducible():
    # prevalence.csv has 88.36% of the LLD's mortgages with an IO part; the 75% is of CBS mortgage households
    with pytest.raises(NotReproducible, match="LLD's mortgages .* not over the CBS households"):
        value(released(), "IO_TXT_mortgagors_with_io_share")


def test_hw_hidden_cell_is_not_released():
    hidden = COVERAGE_CSV.replace("100% (fully IO),23.0,4600", "100% (fully IO),x,x").replace(
        "<= 5,41.0,300", "<= 5,x,x")
    rel = released(coverage_csv=hidden)
    for id_ in ("IO_TXT_fully_io_median_covered", "IO_TXT_h4_fully_io_median_covered", "IO_TXT_h4_le5y_median_open"):
        with pytest.raises(NotReproducible, match="not released: coverage.csv hides 'median'"):
            value(rel, id_)
    rel = released(prevalence_csv=PREVALENCE_CSV.replace("16300,0.85,24000.0", "x,x,x"))
    with pytest.raises(NotReproducible, match="not released: prevalence.csv hides 'share'"):
        value(rel, "IO_TXT_retirees_active_scheme_share")
    assert value(rel, "IO_TXT_fully_io_median_covered") == 23.0  # the other file is unaffected


def test_hw_missing_row_or_file_is_not_released():
    row = "tabel3_note,retired_active_scheme,16300,0.85,24000.0,count,100,\n"
    rel = released(prevalence_csv=PREVALENCE_CSV.replace(row, ""))
    with pytest.raises(NotReproducible, match="not released: prevalence.csv has no single row"):
        value(rel, "IO_TXT_retirees_active_scheme_share")
    for rel in (None, {"prevalence.csv": released()["prevalence.csv"]}):
        for id_ in ("IO_TXT_fully_io_median_covered", "IO_TXT_h4_le5y_median_open"):
            with pytest.raises(NotReproducible, match="not released: coverage.csv was not given"):
                value(rel, id_)


def test_cross_class_labels_are_the_writers():
    # three fully-IO households and two partly-IO ones with a refinancing moment, maturing 2019 (<= 5 years)
    # and 2030; coverage = (free wealth + voluntary repayment) / original IO principal
    d = load_descriptive_settings()
    hh = pd.DataFrame({IO.HOUSEHOLD_ID: [1, 2, 3, 4, 5], IO.PERPETUAL: False,
                       IO.FULLY_IO: [True, True, True, False, False],
                       IO.FREE_WEALTH_NOW: [10_000.0, 20_000.0, 30_000.0, 0.0, 0.0],
                       IO.REFI_YEAR: pd.array([2019, 2030, 2030, 2019, 2030], dtype="Int64")})
    parts = pd.DataFrame({IO.HOUSEHOLD_ID: [1, 2, 3, 4, 4, 5, 5],
                          C.REPAYMENT_TYPE: ["interest_only"] * 4 + ["annuity", "interest_only", "annuity"],
                          C.ORIGINAL_BALANCE: [100_000.0] * 7, C.CURRENT_BALANCE: [100_000.0] * 7})
    table = coverage(hh, parts, settings=d)
    out = io.StringIO(table.assign(median=table["median"].round(0)).to_csv(index=False))
    rel = {"coverage.csv": read_released(out), "prevalence.csv": released()["prevalence.csv"]}
    # fully IO: 10%, 20%, 30% -> median 20; <= 5 years: households 1 (10%) and 4 (0%) -> median 5, open 95
    assert value(rel, "IO_TXT_fully_io_median_covered") == 20.0
    assert value(rel, "IO_TXT_h4_le5y_median_open") == 95.0
