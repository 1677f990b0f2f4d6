"""External reference (R) and regression checks: what ``print(result)`` shows.

Every number a result prints is read back from the printed text and compared
(1) with the result's own field, to the printed precision (half a unit of the
last printed digit), and (2) with R's value for the same fit in
``tests/reference`` (``expected_cox.csv``, ``expected_cox_ci.csv``,
``expected_cox_tests.csv``, ``expected_km.csv``, ``expected_km_median.csv``,
``expected_logrank*.csv``, ``expected_discrete*.csv``, ``expected_cif.csv``;
made by ``make_reference.R``), to the printed precision plus the agreement the
reference tests establish (1e-6 absolute, 1e-5 relative for p-values).  The
layout checks (no variance matrix, HTML equals text) are regression checks.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from cohorts.survival import fit_cif, fit_cox, fit_discrete, fit_km, logrank

STUDY_COVS = ["high", "starter", "nhg", "C(cohort)"]
SLACK = 1e-6  # our numbers agree with R's to 1e-6 (tests/survival/test_*_reference.py)


# ----------------------------------------------------------------------------- reading the text back
def printed(token: str) -> tuple[float, float]:
    """The value of a printed number and half a unit of its last printed digit."""
    s = token.replace(",", "")
    if s == "NA":
        return math.nan, 0.0
    mant, _, exp = s.partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return float(s), 0.5 * 10.0 ** (-decimals) * 10.0 ** (int(exp) if exp else 0)


def agrees(token: str, value: float, *, slack: float = 0.0, rel: float = 0.0) -> bool:
    """The printed ``token`` is ``value`` rounded (within ``slack`` absolute or ``rel`` relative)."""
    got, half = printed(token)
    if math.isnan(got) or (isinstance(value, float) and math.isnan(value)):
        return math.isnan(got) and math.isnan(float(value))
    return abs(got - float(value)) <= half * (1 + 1e-9) + slack + rel * abs(float(value))


def row(text: str, label: str, k: int) -> list[str]:
    """The ``k`` values of the one line of ``text`` that is ``label`` followed by ``k`` tokens."""
    words = label.split()
    lines = [ln.split() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln[: len(words)] == words and len(ln) == len(words) + k]
    assert len(lines) == 1, (label, lines)
    return lines[0][-k:]


def after(text: str, prefix: str) -> str:
    """The rest of the one line starting with ``prefix``."""
    lines = [ln for ln in text.splitlines() if ln.strip().startswith(prefix)]
    assert len(lines) == 1, (prefix, lines)
    return lines[0].strip()[len(prefix):]


def r_term(name: str) -> str:
    return name.replace("cohort[T.", "cohort_f").replace("]", "")


def check(tokens: list[str], values: list[float], **kw) -> None:
    for t, v in zip(tokens, values, strict=True):
        assert agrees(t, v, **kw), (t, v)


def html_shows(res, tokens: list[str]) -> None:
    page = res._repr_html_()
    for t in tokens:
        assert f"<td>{t}</td>" in page, t


# ----------------------------------------------------------------------------- Cox
COX = {
    "study_efron": dict(covariates=STUDY_COVS),
    "study_strata": dict(covariates=["high", "nhg", "C(cohort)"], strata="starter"),
    "study_cluster": dict(covariates=STUDY_COVS, cluster="lender"),
}


@pytest.mark.parametrize(("model", "level"), [(m, 0.95) for m in COX] + [("study_efron", 0.90)])
def test_cox_print_equals_fields_and_r(study, expected, model, level):
    res = fit_cox(study, duration="duration", event="event", alpha=1 - level, **COX[model])
    text = str(res)
    assert repr(res) == text
    ci = expected("cox_ci")
    ci = ci[(ci["model"] == model) & np.isclose(ci["level"], level)].set_index("term")
    ref = expected("cox")
    ref = ref[ref["model"] == model].set_index("term")
    tests = expected("cox_tests")
    lr = tests[(tests["model"] == model) & (tests["test"] == "likelihood_ratio")].iloc[0]
    pct = f"{100 * level:g}%"
    assert f"lower {pct}" in text and f"upper {pct}" in text
    assert ("robust se" in text) == (model == "study_cluster")
    summ = res.summary
    for name, s in summ.iterrows():
        tok = row(text, name, 7)  # coef, exp(coef), se, lower, upper, z, p
        check(tok, [s["coef"], s["hr"], s["se"], s["hr_lower"], s["hr_upper"], s["z"], s["p"]])
        r = ci.loc[r_term(name)]
        check(tok[:2], [r["coef"], r["exp_coef"]], slack=SLACK)
        check(tok[2:3], [ref.loc[r_term(name), "se"]], slack=SLACK)
        check(tok[3:6], [r["lower"], r["upper"], r["z"]], slack=SLACK)
        check(tok[6:], [r["p"]], rel=1e-5)
        html_shows(res, tok)
    n_ev = after(text, "n = ").split(";")[0]
    assert n_ev == f"{ref['n'].iloc[0]:,}, events = {ref['nevent'].iloc[0]}"
    conc = after(text, "Concordance = ")
    assert agrees(conc, res.concordance) and agrees(conc, ref["concordance"].iloc[0], slack=1e-8)
    m = re.fullmatch(r"(\S+) on (\d+) df, p = (\S+)", after(text, "Likelihood ratio test = "))
    assert m is not None
    assert agrees(m[1], res.lr_test["statistic"]) and agrees(m[1], lr["statistic"], slack=SLACK)
    assert int(m[2]) == res.lr_test["df"] == lr["df"]
    assert agrees(m[3], res.lr_test["p"]) and agrees(m[3], lr["p"], rel=1e-5)
    m = re.fullmatch(r"(\S+) \(null model (\S+)\)", after(text, "Log-likelihood = "))
    assert agrees(m[1], res.loglik) and agrees(m[1], ref["loglik"].iloc[0], slack=SLACK)
    assert agrees(m[2], res.loglik_null) and agrees(m[2], ref["loglik_null"].iloc[0], slack=SLACK)


def test_cox_print_is_compact(study):
    res = fit_cox(study, duration="duration", event="event", covariates=STUDY_COVS, robust=True)
    text = str(res)
    # the summary, not the fields: no variance matrix, no Schoenfeld arrays, one line per coefficient
    assert "cov" not in text and "naive" not in text and "array" not in text and "_zph" not in text
    assert len(text.splitlines()) == len(res.params) + 9
    assert "p = " in text and "e-0" in text  # a p below 0.001 in e-notation


def test_cox_print_ph_fit_with_few_digits_rossi(rossi, expected):
    """Another data set (Rossi), the p-values above 0.001 as 4 decimals, against R."""
    covs = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    res = fit_cox(rossi, duration="week", event="arrest", covariates=covs)
    ci = expected("cox_ci")
    ci = ci[(ci["model"] == "rossi_efron") & np.isclose(ci["level"], 0.95)].set_index("term")
    text = str(res)
    for name in covs:
        tok = row(text, name, 7)
        check([tok[1], tok[6]], [ci.loc[name, "exp_coef"], ci.loc[name, "p"]], slack=SLACK, rel=1e-5)
    p_fin = row(text, "fin", 7)[6]
    assert re.fullmatch(r"0\.\d{4}", p_fin) and agrees(p_fin, ci.loc["fin", "p"], rel=1e-5)  # above 0.001


# ----------------------------------------------------------------------------- Kaplan-Meier
@pytest.mark.parametrize(("model", "data", "duration", "event", "group"), [
    ("study_by_high", "study", "duration", "event", "high"),
    ("toy_by_grp", "toy", "time", "status", "grp"),
])
def test_km_print_equals_fields_and_r(request, expected, model, data, duration, event, group):
    df = request.getfixturevalue(data)
    res = fit_km(df, duration=duration, event=event, group=group)
    text = str(res)
    assert repr(res) == text
    ref = expected("km")
    ref = ref[(ref["model"] == model) & (ref["conf_type"] == "log-log")]
    med = expected("km_median")
    med = med[med["model"] == model].set_index(med[med["model"] == model]["group"].astype(str))
    assert "log-log 95% intervals" in text
    for g, tab in res.summary.groupby("group", sort=False):
        rg = ref[ref["group"].astype(str) == str(g)]
        tok = row(text, str(g), 7)  # n, events, median, last time, surv, lower, upper
        last = tab.iloc[-1]
        mine = [tab["n_at_risk"].iloc[0], tab["n_events"].sum(),
                res.median.set_index("group").loc[g, "median"], last["time"], last["surv"],
                last["surv_lower"], last["surv_upper"]]
        check(tok, mine)
        rl = rg.iloc[-1]
        theirs = [rg["n_risk"].iloc[0], rg["n_event"].sum(), med.loc[str(g), "median"], rl["time"], rl["surv"],
                  rl["lower"], rl["upper"]]
        check(tok, theirs, slack=SLACK)
        html_shows(res, tok)


# ----------------------------------------------------------------------------- log-rank
def test_logrank_print_equals_fields_and_r(study, expected):
    res = logrank(study, duration="duration", event="event", group="cohort")
    text = str(res)
    assert repr(res) == text
    groups = expected("logrank_groups")
    groups = groups[groups["model"] == "study_cohort"].set_index("group")
    var = expected("logrank_var")
    var = var[var["model"] == "study_cohort"].set_index("group")
    for _, t in res.table.iterrows():
        tok = row(text.split("pairwise")[0], str(t["group"]), 5)  # n, observed, expected, O-E, var
        check(tok, [t["n"], t["observed"], t["expected"], t["o_minus_e"], t["variance"]])
        g = int(t["group"])
        check(tok, [groups.loc[g, "n"], groups.loc[g, "observed"], groups.loc[g, "expected"],
                    var.loc[g, "o_minus_e"], var.loc[g, "variance"]], slack=SLACK)
        html_shows(res, tok)
    test = expected("logrank").set_index("model").loc["study_cohort"]
    m = re.fullmatch(r"(\S+) on (\d+) df, p = (\S+)", after(text, "Chisq = "))
    assert agrees(m[1], res.statistic) and agrees(m[1], test["chisq"], slack=SLACK)
    assert int(m[2]) == res.df == test["df"]
    assert agrees(m[3], res.p_value) and agrees(m[3], test["p"], rel=1e-5)
    pw = expected("logrank_pairwise")
    assert "pairwise tests (p adjusted: holm)" in text
    assert len(res.pairwise) == len(pw) == 15
    for p, r in zip(res.pairwise.itertuples(), pw.itertuples(), strict=True):
        assert (str(p.group1), str(p.group2)) == (str(r.group1), str(r.group2))
        tok = row(text, f"{p.group1} vs {p.group2}", 3)
        check(tok, [p.statistic, p.p, p.p_adjusted])
        check(tok, [r.chisq, r.p, r.p_holm], slack=SLACK, rel=1e-5)


def test_logrank_two_groups_prints_no_pairwise_table(study):
    res = logrank(study, duration="duration", event="event", group="high", strata="starter")
    text = str(res)
    assert "pairwise" not in text and "strata: starter" in text


# ----------------------------------------------------------------------------- discrete-time model
@pytest.mark.parametrize("link", ["cloglog", "logit"])
def test_discrete_print_equals_fields_and_r(study, expected, link):
    res = fit_discrete(study, duration="duration", event="event", covariates=STUDY_COVS, link=link)
    text = str(res)
    assert repr(res) == text
    assert ("hazard ratio" in text) == (link == "cloglog")
    ci = expected("discrete_ci")
    ci = ci[(ci["model"] == f"study_{link}") & np.isclose(ci["level"], 0.95)]
    ci = ci.set_index(ci["term"].str.replace("factor(cohort)", "cohort_f"))
    ref = expected("discrete")
    ref = ref[ref["model"] == f"study_{link}"]
    ref = ref.set_index(ref["term"].str.replace("factor(cohort)", "cohort_f"))
    k = res.ratio_name
    for name, s in res.summary.iterrows():
        tok = row(text, name, 7)
        check(tok, [s["coef"], s[k], s["se"], s[f"{k}_lower"], s[f"{k}_upper"], s["z"], s["p"]])
        r = ci.loc[r_term(name)]
        check(tok, [r["coef"], math.exp(r["coef"]), ref.loc[r_term(name), "se"], r["exp_lower"], r["exp_upper"],
                    r["z"], r["p"]], slack=1e-5, rel=1e-5)
        html_shows(res, tok)
    counts = after(text, "n = ")
    assert counts == f"5,000 subjects, {ref['n_person_years'].iloc[0]:,} person-periods, events = {study['event'].sum()}"
    ll = after(text, "Log-likelihood = ")
    assert agrees(ll, res.loglik) and agrees(ll, ref["loglik"].iloc[0], slack=SLACK)


# ----------------------------------------------------------------------------- Aalen-Johansen
def test_cif_print_equals_fields_and_r(study, expected):
    res = fit_cif(study, duration="duration", event_type="exit_type", group="high")
    text = str(res)
    assert repr(res) == text
    ref = expected("cif")
    ref = ref[ref["model"] == "study_by_high"]
    for g, tab in res.summary.groupby("group", sort=False):
        tok = row(text, str(g), 7)  # n, events, competing, last time, cif, lower, upper
        last = tab.iloc[-1]
        check(tok, [tab["n_at_risk"].iloc[0], tab["n_events"].sum(), tab["n_competing"].sum(), last["time"],
                    last["cif"], last["cif_lower"], last["cif_upper"]])
        rl = ref[ref["group"].astype(str) == str(g)].iloc[-1]
        rf = ref[ref["group"].astype(str) == str(g)].iloc[0]
        check([tok[0], *tok[3:]], [rf["n_risk"], rl["time"], rl["cif"], rl["lower"], rl["upper"]], slack=SLACK)
        html_shows(res, tok)
    sub = study[study["high"] == 1]
    assert row(text, "1", 7)[1:3] == [str((sub["exit_type"] == "arrears").sum()), str((sub["exit_type"] == "left").sum())]


# ----------------------------------------------------------------------------- the reader itself
def test_printed_reads_precision():
    assert printed("0.4488") == (0.4488, pytest.approx(5e-5))
    assert printed("8.5e-05")[1] == pytest.approx(5e-7)
    assert printed("5,000") == (5000.0, 0.5)
    assert not agrees("0.4488", 0.44886)
    assert agrees("0.4488", 0.44884)


def test_number_formats_hand_worked():
    from cohorts.survival import _printing as P

    assert [P.pval(p) for p in (0.2169, 0.001, 0.00099, 0.00018, 8.533e-05, 2.7e-300)] == \
        ["0.2169", "0.0010", "9.9e-04", "1.8e-04", "8.5e-05", "2.7e-300"]
    assert [P.num(x) for x in (0.448775, -0.2676, float("nan"), float("inf"))] == ["0.4488", "-0.2676", "NA", "Inf"]
    assert P.num(38.6776, 2) == "38.68"
    assert [P.count(x) for x in (5000, 377.0, 1234.5)] == ["5,000", "377", "1,234.50"]
    assert [P.time(x) for x in (7.0, 2.5, float("nan"))] == ["7", "2.5", "NA"]
    assert [P.level(a) for a in (0.05, 0.1, 0.01)] == ["95%", "90%", "99%"]
