"""Which statistic of the interest-only study answers which published number of the AFM report.

The rules (:data:`RULES`) are tried in order by the engine's comparison
(:func:`cohorts.report.comparison.compare`); the first whose patterns match a target row computes
its number from a :class:`~cohorts.studies.interest_only.results.Results`.  Conventions:

* **Scenario.**  A target's ``threshold`` names the scenario (``base``, ``recession``,
  ``high_rate``, ``housing_crisis``); empty = a snapshot statistic (computed on the base run).  A
  statement spanning scenarios (``base|recession|high_rate``) takes the minimum over them when its
  id says ``min``/``low`` and the maximum otherwise ("tussen de 157.000 en 182.000", "tot 44.000").
* **Population counts** (unit ``count``, ``count_millions`` of the population) are sample count /
  scale x coverage (H39), rounded as the report rounds: to thousands (Figuren 6, 16), millions to
  the decimals printed.  **Sample sizes** (the n under the figures: 1.92, 1.09, 0.84 million,
  36.5 thousand) are sample count / scale, rounded to the printed decimals.
* **Shares** are percent of the target's ``group`` in the target's scenario.  Groups:
  ``io_households`` (all), ``perpetual`` (step 1), ``refi_moment`` (not step 1),
  ``wealth_repay`` (step 2), ``must_refinance`` (after steps 1-2), ``fail_annuity`` (fail step 4),
  ``forced_sale`` (fail step 6), ``residual_debt``, ``vulnerable``, ``core_risk``,
  ``perpetual_afford_fail``, ``perpetual_not_agile``, ``forced_sale_no_meas_error``; Figuur 26's n counts
  ``vulnerable_retirement_ahead`` (vulnerable with the retirement still ahead, as the profile).
* **Scenario parameters** (Tabel 2, 5-8 and the periods of Figuren 15/16) are recomputed from the
  scenario file through :func:`cohorts.scenarios.paths`: they check that the data file and the
  path builder reproduce the tables, not the households.
* Everything else raises :class:`~cohorts.report.comparison.NotReproducible` with the reason.

:func:`report_se` gives each target's standard error at the report's N (1.92 million sample
households, :func:`~cohorts.studies.interest_only.results.report_sample_n`): binomial for shares,
counts through their share of all IO households.

The package is split by kind of number; every name is importable from here:
:mod:`~.groups` (a row's scenarios and group, shares and population counts), :mod:`~.counts`,
:mod:`~.shares`, :mod:`~.scenario_numbers` (maturity years, scenario periods and tables, sensitivity
inputs), :mod:`~.standard_errors`, and here the rules themselves (:data:`RULES`).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from cohorts.report.comparison import NotReproducible, Rule
from cohorts.studies.interest_only import columns as IO
from cohorts.studies.interest_only.results import Results, target_value
from cohorts.studies.interest_only.rules.counts import (
    count_kind,
    millions_kind,
    population_count,
    population_millions,
    sample_size,
)
from cohorts.studies.interest_only.rules.groups import HIGH_AMOUNT, SCENARIOS, _hh, group_mask  # noqa: F401
from cohorts.studies.interest_only.rules.scenario_numbers import (
    _crisis_drop,
    _cum_years,
    _inflation,
    _median_refi_year,
    _modal_refi_year,
    _period,
    _scenario_cell,
    _sensitivity_input,
    _test_rate,
    _worst_start,
    off_trend_years,
)
from cohorts.studies.interest_only.rules.shares import (
    _accrued,
    _age_gt60,
    _g,
    _ge10y,
    _hhflag,
    _incomplete_aow,
    _low_income_at_t,
    _meas,
    _median_aow_gap,
    _no_erosion_share,
    _no_rise_share,
    _o,
    _ratio_of_counts,
    _reason_sum,
    _refi_years,
    _retired,
    _trough_share,
    _vuln_ltv_ratio,
    share_kind,
    share_of_group,
)
from cohorts.studies.interest_only.rules.standard_errors import report_group_n, report_se


# --------------------------------------------------------------------------
# not reproducible
# --------------------------------------------------------------------------
def _not(reason: str) -> Callable:
    def compute(res: Results, row: pd.Series) -> float:
        raise NotReproducible(reason)

    return compute


# --------------------------------------------------------------------------
# the rules
# --------------------------------------------------------------------------
_SAMPLE_IDS = (r"^IO_F\d+_n(_io|_io_households|_refi|_perpetual|_vulnerable)?$|^IO_F18_n_analysis$"
               r"|^IO_TXT_analysis_households_2mln_[ab]$")
_POP_MILLIONS = r"^IO_(SUM|TXT)_io_households_pop$|^IO_TXT_must_refi_n(_afford)?$|^IO_TXT_perpetual_n$"
_FAIL4 = r"cannot refinance with a full annuity"
_FAIL6 = r"fail the 50%-interest-only test after using free wealth"
_RESID = r"fail step 6 and are left with residual debt|keep residual debt"

#: The rules, tried in order; the first match computes the number.
RULES: tuple[Rule, ...] = (
    # ---- not reproducible (external, figures' plotted values, labels, parameters) ------------------
    Rule("not in the analysis file", _not("the analysis file holds IO households only (all mortgage households, "
                                          "LLD debtors and DNB Mercurius are external)"),
         "share", id=r"^IO_F1_n_mortgage_households$|^IO_TXT_mortgagors_with_io_share$|^IO_TXT_lld_|"
                     r"^IO_TXT_mercurius_|^IO_F18_n_mercurius$"),
    Rule("coverage", _not("coverage is measured against DNB Mercurius and CBS Statline (external); the comparison "
                          "takes it from the targets (H39)"), "share",
         id=r"^IO_TXT_analysis_io_coverage$|^IO_F17_title_coverage$|^IO_TXT_perpetual_coverage_gt_two_thirds$"),
    Rule("date label", _not("a date or rounding label of a figure or table, not a statistic"), "year",
         id=r"_stand_year$|^IO_F9_title_year$|^IO_F4_rounding$|^IO_T4_note_base_(level|year)$|^IO_F23_title_year$"),
    Rule("method parameter", _not("a method parameter (parameters.toml), not a statistic of the data"), "count",
         id=r"^IO_T1_ck_upper_bound$|_note_toetsrente$"),
    Rule("original principal", _not("needs the original principal and cumulative voluntary repayment (Figuur 2), "
                                    "which the prepared frame does not hold"), "share",
         id=r"median_covered$|^IO_TXT_le5y_|^IO_TXT_h4_le5y_"),
    Rule("pension rules", _not("the pension rule applied per person (Bijlage 2 rules 1-4) is not kept in the "
                               "prepared frame"), "share",
         id=r"^IO_TXT_pension_rules|^IO_TXT_retirees_active_scheme_share$"),
    Rule("counterfactual without consumer credit", _not("needs a rerun of the tree without consumer credit"),
         "share", id=r"^IO_TXT_vuln_ck_could_refi_share$"),
    Rule("years statement", _not("a statement about a share of the step-6 failures; compared as "
                                 "IO_TXT_forced_sale_ge10y_share (84%)"), "years",
         id=r"^IO_SUM_forced_sale_ge10y$|^IO_TXT_majority_ge10y$"),
    Rule("trend period", _not("the trend path has no period of its own (its horizon 2016-2060 is a table label)"),
         "year", id=r"^IO_T2_period_base_"),
    # ---- scenario parameters, recomputed from the scenario file ---------------------------------
    Rule("Tabel 5 inflation", _inflation, "rate", id=r"^IO_T5_inflation_level$"),
    Rule("scenario cumulative change", _scenario_cell,
         lambda r: "rate_pp" if r["unit"] == "percent_points" else "rate_cum", id=r"^IO_T[678]_\w+_cum5y$"),
    Rule("scenario annual rate", _scenario_cell, lambda r: "rate_pp" if r["unit"] == "percent_points" else "rate",
         id=r"^IO_T[25678]_(house_value|income|pension|wealth|mortgage_rate)_"),
    Rule("shock years", _cum_years, "years", id=r"^IO_T[678]_cum_years$"),
    Rule("test rate", _test_rate, "rate", id=r"_note_test_rate$"),
    Rule("crisis house-value fall", _crisis_drop, "percent_round", id=r"^IO_TXT_crisis_house_drop_"),
    Rule("scenario period (file)", lambda r, w: _period(r, w, use_sweep=False), "year",
         id=r"^IO_T2_(period_(conj|crisis)|conj_recovery|crisis_recovery)_"),
    Rule("scenario period (worst timing)", lambda r, w: _period(r, w, use_sweep=True), "year",
         id=r"^IO_F1[56]_(conj|crisis)_"),
    Rule("worst start year", _worst_start, "year", id=r"^IO_F24_title_worst_start$"),
    Rule("sensitivity input", _sensitivity_input, "sensitivity_input", id=r"^IO_T4_"),
    # ---- sample sizes and population counts -------------------------------------------------------
    Rule("sample size (Figuur 26: retirement ahead)",
         lambda res, row: sample_size(res, row, group="vulnerable_retirement_ahead"), "thousands_1dp",
         id=r"^IO_F26_n_vulnerable$"),
    Rule("sample size", sample_size, lambda r: "thousands_1dp" if r["unit"] == "count_thousands" else millions_kind(r),
         id=_SAMPLE_IDS),
    Rule("population (millions)", population_millions, millions_kind, id=_POP_MILLIONS),
    Rule("population count", population_count, count_kind, id=r"_n(_\w+)?$", quantity=r"^number of"),
    Rule("population count (range)", population_count, count_kind, id=r"^IO_TXT_f16_(fail_annuity|forced_sale|"
                                                                      r"residual_(high|rec)|crisis)"),
    # ---- ratios of counts --------------------------------------------------------------------------
    Rule("residual-debt ratio", _ratio_of_counts("residual_debt", "residual_debt"), "ratio",
         id=r"residual_ratio"),
    Rule("forced-sale ratio", _ratio_of_counts("forced_sale", "forced_sale"), "ratio",
         id=r"^IO_TXT_crisis_forced_sale_ratio$"),
    Rule("vulnerable LTV ratio", _vuln_ltv_ratio, "ratio", id=r"^IO_TXT_vuln_ltv_gt100_ratio$"),
    # ---- shares of all IO households -------------------------------------------------------------
    Rule("perpetual share", share_of_group(_g("perpetual"), "io_households"), share_kind,
         id=r"perpetual_share$"),
    Rule("wealth-repay share", share_of_group(_g("wealth_repay"), "io_households"), share_kind,
         id=r"^IO_TXT_wealth_repay_share$"),
    Rule("must-refinance share", share_of_group(_g("must_refinance"), "io_households"), share_kind,
         id=r"^IO_TXT_must_refi_share$"),
    Rule("step-4 share", share_of_group(_g("fail_annuity"), "io_households"), share_kind,
         quantity=_FAIL4, source=r"."),
    Rule("step-6 share", share_of_group(_g("forced_sale"), "io_households"), share_kind, quantity=_FAIL6),
    Rule("residual-debt share", share_of_group(_g("residual_debt"), "io_households"), share_kind, quantity=_RESID),
    Rule("fully IO share", share_of_group(_hhflag(IO.FULLY_IO)), share_kind, id=r"fully_io_share$"),
    Rule("age above 60", share_of_group(_age_gt60), share_kind, id=r"_age_gt60_share$"),
    # ---- shares within the failures --------------------------------------------------------------
    Rule("step 6 of step 4", share_of_group(_g("forced_sale")), share_kind,
         id=r"^IO_SUM_fail_io50_share_of_fail_annuity$"),
    Rule("passes step 6 of step 4", share_of_group(lambda r, s: ~group_mask(r, "forced_sale", s)), share_kind,
         id=r"^IO_TXT_pass_io50_share_of_fail_annuity$"),
    Rule("LTI reason, annuity", share_of_group(_o(IO.LTI_BINDS_ANNUITY)), share_kind,
         id=r"^IO_TXT_fail_annuity_lti_share$"),
    Rule("LTV reason, annuity", share_of_group(_o(IO.LTV_BINDS_ANNUITY)), share_kind,
         id=r"fail_annuity_ltv_share"),
    Rule("both reasons, annuity", share_of_group(lambda r, s: _o(IO.LTI_BINDS_ANNUITY)(r, s)
                                                 & _o(IO.LTV_BINDS_ANNUITY)(r, s)), share_kind,
         id=r"^IO_TXT_fail_annuity_both_share$"),
    Rule("LTI reason, 50% IO", share_of_group(_o("lti_binds_io50")), share_kind, id=r"^IO_TXT_forced_sale_lti_share$"),
    Rule("LTV reason, 50% IO", share_of_group(_o("ltv_binds_io50")), share_kind, id=r"^IO_TXT_forced_sale_ltv_share$"),
    Rule("both reasons, 50% IO", share_of_group(lambda r, s: _o("lti_binds_io50")(r, s) & _o("ltv_binds_io50")(r, s)),
         share_kind, id=r"^IO_TXT_forced_sale_both_share$"),
    Rule("reason shares sum", _reason_sum, "share_sum", id=r"^IO_TXT_reason_shares_sum$"),
    Rule("measurement flag: income", share_of_group(_meas("income")), share_kind,
         id=r"^IO_TXT_meas_income_below_assistance$"),
    Rule("measurement flag: LTV", share_of_group(_meas("ltv")), share_kind, id=r"^IO_TXT_meas_ltv_gt200$"),
    Rule("measurement flag: both", share_of_group(_meas("both")), share_kind, id=r"^IO_TXT_meas_both$"),
    Rule("sale repays", share_of_group(lambda r, s: ~group_mask(r, "residual_debt", s)), share_kind,
         id=r"sale_repays_share$"),
    Rule("residual of step 6", share_of_group(_g("residual_debt")), share_kind, id=r"^IO_F8_title_residual_share$"),
    Rule("at least 10 years to maturity", share_of_group(_ge10y), share_kind, id=r"forced_sale_ge10y_share$"),
    Rule("maturity 2020-2029", share_of_group(_refi_years(2020, 2029)), share_kind,
         id=r"^IO_TXT_refi_before_2030_share$"),
    Rule("maturity in the past", share_of_group(_refi_years(None, 2019)), share_kind,
         id=r"^IO_TXT_refi_in_past_share$"),
    Rule("core of vulnerable", share_of_group(_g("core_risk")), share_kind,
         id=r"^IO_TXT_core_share_of_vulnerable$|^IO_TXT_h4_vuln_higher_io_no_help$"),
    # ---- perpetuals -------------------------------------------------------------------------------
    Rule("agile now", share_of_group(_o(IO.AGILE_NOW)), share_kind, id=r"agile_2016$"),
    Rule("agile at event", share_of_group(_o(IO.AGILE_AT_EVENT)), share_kind, id=r"agile_event$|_perp_agile_share$"),
    Rule("not agile at event", share_of_group(_g("perpetual_not_agile")), share_kind, id=r"not_agile_share$"),
    Rule("affordability", share_of_group(_g("perpetual_afford_fail")), share_kind,
         id=r"perp_afford_share|^IO_F10_title_share$"),
    Rule("affordability, can sell", share_of_group(_o(IO.AGILE_AT_EVENT)), share_kind,
         id=r"^IO_TXT_perp_afford_sell_share$"),
    Rule("retired perpetuals", share_of_group(_retired), share_kind, id=r"^IO_TXT_perpetual_retired_share$"),
    # ---- tested households -------------------------------------------------------------------------
    Rule("tested on pension", share_of_group(_hhflag(IO.REGIME, lambda x: x.astype(str) == "pension")), share_kind,
         id=r"^IO_TXT_must_refi_pension_tested_share$"),
    Rule("tested on accrued pension", share_of_group(_accrued), share_kind,
         id=r"^IO_TXT_accrued_pension_tested_share$"),
    Rule("must refinance, fail", share_of_group(_g("fail_annuity")), share_kind, id=r"^IO_TXT_must_refi_fail_share$"),
    Rule("must refinance, no risk", share_of_group(lambda r, s: ~group_mask(r, "fail_annuity", s)), share_kind,
         id=r"^IO_TXT_must_refi_no_afford_risk_share$"),
    # ---- profiles (Figuren 11-13, 25-28) ---------------------------------------------------------
    Rule("incomplete AOW", _incomplete_aow, share_kind, id=r"^IO_TXT_vuln_incomplete_aow_share$"),
    Rule("median AOW gap", _median_aow_gap, "share", id=r"^IO_TXT_vuln_median_aow_gap$"),
    Rule("consumer credit", share_of_group(_hhflag(IO.CONSUMER_CREDIT_NOW, lambda x: x.astype(float) > 0)), share_kind,
         id=r"_ck_share$"),
    Rule("consumer credit above 40k", share_of_group(_hhflag(IO.CONSUMER_CREDIT_NOW,
                                                             lambda x: x.astype(float) > 40_000.0)), share_kind,
         id=r"^IO_TXT_vuln_ck_gt40k_share$"),
    Rule("single", share_of_group(_hhflag(IO.HAS_PARTNER, lambda x: ~x.astype(bool))), share_kind,
         id=r"_single_share$"),
    Rule("debt and value above 350k (A29: both)",
         share_of_group(lambda r, s: (_hh(r, IO.DEBT_NOW) > HIGH_AMOUNT) & (_hh(r, IO.HOUSE_VALUE_NOW) > HIGH_AMOUNT)),
         share_kind, id=r"^IO_TXT_vuln_high_debt_value_share$"),
    Rule("debt above 350k", share_of_group(lambda r, s: _hh(r, IO.DEBT_NOW) > HIGH_AMOUNT), share_kind,
         id=r"^IO_TXT_refi_debt_gt350k_share$"),
    Rule("LTV above 100", share_of_group(lambda r, s: _hh(r, IO.DEBT_NOW) > _hh(r, IO.HOUSE_VALUE_NOW)), share_kind,
         id=r"^IO_TXT_vuln_ltv_gt100_share$"),
    Rule("income below 30k at T", share_of_group(_low_income_at_t), share_kind,
         id=r"^IO_TXT_h4_vuln_low_income_share$"),
    # ---- maturity profile and the crisis timing --------------------------------------------------
    Rule("modal maturity year", _modal_refi_year, "year_approx", id=r"2035|maturity_peak_year"),
    Rule("median maturity year", _median_refi_year, "year_approx", id=r"_bulk_after_2030_"),
    Rule("crisis trough", _trough_share, share_kind, id=r"^IO_TXT_crisis_trough_expiry_share$|^IO_F23_title_share$"),
    Rule("crisis no rise", _no_rise_share, share_kind, id=r"^IO_TXT_crisis_no_rise_share$"),
    Rule("crisis no debt erosion", _no_erosion_share, share_kind, id=r"^IO_TXT_crisis_no_debt_erosion_share$"),
)



__all__ = [
    "HIGH_AMOUNT",
    "RULES",
    "SCENARIOS",
    "NotReproducible",
    "Results",
    "Rule",
    "count_kind",
    "group_mask",
    "millions_kind",
    "off_trend_years",
    "population_count",
    "population_millions",
    "report_group_n",
    "report_se",
    "sample_size",
    "share_kind",
    "share_of_group",
    "target_value",
]
