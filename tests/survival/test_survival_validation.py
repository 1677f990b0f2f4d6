"""Regression/property check: invalid input gives clear errors naming column, rule, count and rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.errors import ContractError
from cohorts.survival import fit_cif, fit_cox, fit_discrete, fit_km, logrank, sweep


@pytest.fixture
def df():
    return pd.DataFrame({"t": [1.0, 2.0, 3.0, 4.0], "e": [1, 0, 1, 0], "g": ["a", "a", "b", "b"],
                         "x": [0.1, 0.4, 0.2, 0.3]})


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.drop(columns="t"), r"missing column\(s\) \['t'\]"),
        (lambda d: d.assign(t=[1.0, np.nan, 3.0, 4.0]), r"column 't' breaks rule 'finite number > 0' in 1 row\(s\), e.g. row 1: nan"),
        (lambda d: d.assign(t=[1.0, 0.0, -3.0, 4.0]), r"'t' breaks rule 'finite number > 0' in 2 row\(s\)"),
        (lambda d: d.assign(e=[1, 2, 0, 0]), r"column 'e' breaks rule 'event in \{0, 1\}' in 1 row\(s\), e.g. row 1: 2"),
        (lambda d: d.assign(e=["yes", "no", "no", "no"]), r"'e' breaks rule 'event in \{0, 1\}' in 4 row"),
        (lambda d: d.assign(g=["a", None, "b", "b"]), r"column 'g' breaks rule 'not null' in 1 row"),
        (lambda d: d.iloc[:0], r"at least one row"),
    ],
)
def test_km_input_errors(df, change, match):
    with pytest.raises(ContractError, match=match):
        fit_km(change(df), duration="t", event="e", group="g")


def test_error_is_value_error(df):
    with pytest.raises(ValueError):
        fit_km(df.drop(columns="e"), duration="t", event="e")


def test_not_a_dataframe():
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        fit_km({"t": [1]}, duration="t", event="e")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alpha": 1.5}, r"alpha must be in \(0, 1\), but was 1.5"),
        ({"conf_type": "logit"}, r"conf_type must be one of \['log-log', 'log', 'plain'\], but was 'logit'"),
    ],
)
def test_km_option_errors(df, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_km(df, duration="t", event="e", **kwargs)


def test_logrank_needs_two_groups(df):
    with pytest.raises(ValueError, match=r"at least 2 groups in column 'g', but found 1"):
        logrank(df.assign(g="a"), duration="t", event="e", group="g")


def test_cox_errors(df):
    with pytest.raises(ValueError, match=r"ties must be one of \['efron', 'breslow'\]"):
        fit_cox(df, duration="t", event="e", covariates=["x"], ties="exact")
    with pytest.raises(ContractError, match=r"'x' breaks rule 'not constant'"):
        fit_cox(df.assign(x=1.0), duration="t", event="e", covariates=["x"])
    with pytest.raises(ContractError, match=r"missing column\(s\) \['nope'\]"):
        fit_cox(df, duration="t", event="e", covariates=["C(nope)"])
    with pytest.raises(ContractError, match=r"'e' breaks rule 'at least one event'"):
        fit_cox(df.assign(e=0), duration="t", event="e", covariates=["x"])


def test_discrete_needs_whole_periods(df):
    with pytest.raises(ContractError, match=r"'t' breaks rule 'whole number of periods >= 1' in 1 row"):
        fit_discrete(df.assign(t=[1.0, 2.5, 3.0, 4.0]), duration="t", event="e", covariates=["x"])
    with pytest.raises(ContractError, match=r"periods without events: \[2, 4\]"):
        fit_discrete(df, duration="t", event="e", covariates=["x"])
    with pytest.raises(ValueError, match=r"link must be one of"):
        fit_discrete(df, duration="t", event="e", covariates=["x"], link="probit")


def test_cif_needs_the_event_value(df):
    with pytest.raises(ContractError, match=r"contains the event value 'arrears'"):
        fit_cif(df.assign(k="left"), duration="t", event_type="k")


def test_sweep_checks_its_inputs(cohort_table):
    bad = cohort_table.copy()
    bad.loc[5, "lti_util"] = np.nan
    with pytest.raises(ContractError, match=r"'lti_util' breaks rule 'number \(inf allowed\), not missing' in 1 row"):
        sweep(bad)
    bad = cohort_table.copy()
    bad.loc[bad.index[0], "exit_type"] = "left" if bad["event"].iloc[0] else "arrears"
    with pytest.raises(ContractError, match=r"'exit_type' breaks rule 'arrears exactly where event is true' in 1 row"):
        sweep(bad)


def test_monotone_likelihood_raises_convergence_error():
    from cohorts.survival import ConvergenceError

    d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6, 2, 3], "e": [1, 1, 1, 0, 1, 0, 0, 0],
                      "x": [0, 0, 0, 0, 0, 0, 1, 1]})  # x = 1 never has an event
    with pytest.raises(ConvergenceError, match="diverges"):
        fit_cox(d, duration="t", event="e", covariates=["x"])
