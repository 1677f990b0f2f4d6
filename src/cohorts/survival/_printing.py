"""What ``print(result)`` and a notebook show for the survival results.

Each result object (:class:`~cohorts.survival.CoxResult`, ``KMResult``,
``LogRankResult``, ``DiscreteResult``, ``CIFResult``) prints a compact summary
in the layout researchers know from R's ``print(summary(coxph(...)))`` and
lifelines' ``print_summary()``: a title, the sample (n, events), one table and
the model-level tests, never the variance matrices.  The numbers are the
result's own fields, only formatted:

- coefficients, standard errors, z, hazard/odds ratios and their limits: 4 decimals;
- p-values: 4 decimals, or 2 significant digits in e-notation below 0.001;
- chi-square statistics and log-likelihoods: 2 decimals; counts: integers
  (2 decimals when weighted); times: as stored (``%g``).

This module only formats; it computes no statistic.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from cohorts.survival.cif import CIFResult
    from cohorts.survival.cox import CoxResult
    from cohorts.survival.discrete import DiscreteResult
    from cohorts.survival.km import KMResult
    from cohorts.survival.logrank import LogRankResult

NA = "NA"


# ----------------------------------------------------------------------------- number formats
def num(x: float, digits: int = 4) -> str:
    """Fixed-point with ``digits`` decimals; ``"NA"`` for NaN, ``"Inf"`` for infinity."""
    x = float(x)
    if math.isnan(x):
        return NA
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return f"{x:.{digits}f}"


def pval(p: float) -> str:
    """A p-value: 4 decimals, or 2 significant digits (``8.5e-05``) below 0.001."""
    p = float(p)
    if math.isnan(p):
        return NA
    return f"{p:.4f}" if p >= 1e-3 else f"{p:.1e}"


def count(x: float) -> str:
    """A count with thousands separators; 2 decimals if it is not whole (case weights)."""
    x = float(x)
    if math.isnan(x):
        return NA
    return f"{x:,.0f}" if x == round(x) else f"{x:,.2f}"


def time(x: float) -> str:
    """A time on the duration column's scale, as stored (``%g``)."""
    x = float(x)
    return NA if math.isnan(x) else f"{x:g}"


def level(alpha: float) -> str:
    """The confidence level as a percentage, e.g. ``"95%"``."""
    return f"{100.0 * (1.0 - alpha):g}%"


# ----------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class Printout:
    """A title, header lines, captioned tables of formatted strings and footer lines."""

    title: str
    lines: tuple[str, ...]
    tables: tuple[tuple[str, pd.DataFrame], ...]
    footer: tuple[str, ...] = ()

    def text(self) -> str:
        """Plain text, as ``print(result)`` shows it."""
        out = [self.title] + [f"  {line}" for line in self.lines]
        for caption, frame in self.tables:
            out.append("")
            if caption:
                out.append(caption)
            out.append(frame.to_string())
        if self.footer:
            out.append("")
            out.extend(self.footer)
        return "\n".join(out)

    def html(self) -> str:
        """The same content as HTML (``_repr_html_`` of the result, for notebooks)."""
        esc = html.escape
        parts = [f"<div><p><strong>{esc(self.title)}</strong><br>"]
        parts.append("<br>".join(esc(line) for line in self.lines) + "</p>")
        for caption, frame in self.tables:
            if caption:
                parts.append(f"<p><em>{esc(caption)}</em></p>")
            parts.append(frame.to_html(escape=True, border=0))
        if self.footer:
            parts.append("<p>" + "<br>".join(esc(line) for line in self.footer) + "</p>")
        parts.append("</div>")
        return "\n".join(parts)


def _frame(rows: dict[str, list[str]], index: list[object]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.Index([str(i) for i in index]))


def _coef_table(summary: pd.DataFrame, *, ratio: str, se_label: str, alpha: float) -> pd.DataFrame:
    lv = level(alpha)
    return _frame(
        {
            "coef": [num(v) for v in summary["coef"]],
            "exp(coef)": [num(v) for v in summary[ratio]],
            se_label: [num(v) for v in summary["se"]],
            f"lower {lv}": [num(v) for v in summary[f"{ratio}_lower"]],
            f"upper {lv}": [num(v) for v in summary[f"{ratio}_upper"]],
            "z": [num(v) for v in summary["z"]],
            "p": [pval(v) for v in summary["p"]],
        },
        list(summary.index),
    )


# ----------------------------------------------------------------------------- the results
def cox(res: CoxResult) -> Printout:
    """Printout of a Cox model (R ``print(summary(coxph(...)))``, compact)."""
    lines = [f"n = {count(res.n)}, events = {count(res.n_events)}; ties: {res.ties}"]
    if res.strata:
        lines.append(f"strata: {', '.join(res.strata)}")
    if res.robust:
        lines.append("variance: robust (sandwich)" + (f", clustered by {res.cluster}" if res.cluster else ""))
    lr = res.lr_test
    footer = (
        f"Concordance = {num(res.concordance)}",
        f"Likelihood ratio test = {num(lr['statistic'], 2)} on {int(lr['df'])} df, p = {pval(lr['p'])}",
        f"Log-likelihood = {num(res.loglik, 2)} (null model {num(res.loglik_null, 2)})",
    )
    table = _coef_table(res.summary, ratio="hr", se_label="robust se" if res.robust else "se(coef)",
                        alpha=res.alpha)
    return Printout("Cox proportional-hazards model", tuple(lines), (("", table),), footer)


def km(res: KMResult) -> Printout:
    """Printout of a Kaplan-Meier fit: per group n, events, median and the curve at its last time."""
    lv = level(res.alpha)
    rows: dict[str, list[str]] = {k: [] for k in ("n", "events", "median", "last time", "surv",
                                                  f"lower {lv}", f"upper {lv}")}
    medians = res.median.set_index("group")["median"]
    groups = []
    for g, tab in res.summary.groupby("group", sort=False):
        last = tab.iloc[-1]
        groups.append(g)
        rows["n"].append(count(tab["n_at_risk"].iloc[0]))
        rows["events"].append(count(tab["n_events"].sum()))
        rows["median"].append(time(medians[g]))
        rows["last time"].append(time(last["time"]))
        rows["surv"].append(num(last["surv"]))
        rows[f"lower {lv}"].append(num(last["surv_lower"]))
        rows[f"upper {lv}"].append(num(last["surv_upper"]))
    lines = [
        f"duration: {res.duration}, event: {res.event}" + (f", group: {res.group}" if res.group else ""),
        f"n = {count(res.n)}, events = {count(res.n_events)}" + ("; case weights" if res.weighted else ""),
        f"{res.conf_type} {lv} intervals at the last time",
    ]
    if medians.isna().any():
        lines.append("median NA: the curve does not reach 0.5")
    return Printout("Kaplan-Meier estimate", tuple(lines), (("", _frame(rows, groups)),))


def logrank(res: LogRankResult) -> Printout:
    """Printout of a log-rank test (R ``print(survdiff(...))``): O and E per group, the test, pairs."""
    t = res.table
    table = _frame(
        {
            "n": [count(v) for v in t["n"]],
            "observed": [count(v) for v in t["observed"]],
            "expected": [num(v, 2) for v in t["expected"]],
            "O-E": [num(v, 2) for v in t["o_minus_e"]],
            "var(O-E)": [num(v, 2) for v in t["variance"]],
        },
        list(t["group"]),
    )
    lines = ["strata: " + (", ".join(res.strata) if res.strata else "none")]
    tables: list[tuple[str, pd.DataFrame]] = [("", table)]
    pw = res.pairwise
    if len(pw) > 1:
        tables.append((
            f"pairwise tests (p adjusted: {res.p_adjust})",
            _frame(
                {
                    "chisq": [num(v, 2) for v in pw["statistic"]],
                    "p": [pval(v) for v in pw["p"]],
                    "p adjusted": [pval(v) for v in pw["p_adjusted"]],
                },
                [f"{a} vs {b}" for a, b in zip(pw["group1"], pw["group2"], strict=True)],
            ),
        ))
    footer = (f"Chisq = {num(res.statistic, 2)} on {res.df} df, p = {pval(res.p_value)}",)
    return Printout("Log-rank test", tuple(lines), tuple(tables), footer)


def discrete(res: DiscreteResult) -> Printout:
    """Printout of a discrete-time hazard model (R ``summary(glm(...))`` of the covariates, compact)."""
    meaning = "hazard ratio" if res.link == "cloglog" else "odds ratio of the annual hazard"
    lines = (
        f"n = {count(res.n)} subjects, {count(res.n_person_periods)} person-periods, "
        f"events = {count(res.n_events)}",
        f"baseline: one parameter per period ({len(res.baseline)} periods; see .baseline)",
    )
    table = _coef_table(res.summary, ratio=res.ratio_name, se_label="se(coef)", alpha=res.alpha)
    footer = (f"Log-likelihood = {num(res.loglik, 2)}",)
    return Printout(f"Discrete-time hazard model, {res.link} link: exp(coef) = {meaning}", lines,
                    (("", table),), footer)


def cif(res: CIFResult) -> Printout:
    """Printout of an Aalen-Johansen fit: per group n, events, competing events and the CIF at the last time."""
    lv = level(res.alpha)
    rows: dict[str, list[str]] = {k: [] for k in ("n", "events", "competing", "last time", "cif",
                                                  f"lower {lv}", f"upper {lv}")}
    groups = []
    for g, tab in res.summary.groupby("group", sort=False):
        last = tab.iloc[-1]
        groups.append(g)
        rows["n"].append(count(tab["n_at_risk"].iloc[0]))
        rows["events"].append(count(tab["n_events"].sum()))
        rows["competing"].append(count(tab["n_competing"].sum()))
        rows["last time"].append(time(last["time"]))
        rows["cif"].append(num(last["cif"]))
        rows[f"lower {lv}"].append(num(last["cif_lower"]))
        rows[f"upper {lv}"].append(num(last["cif_upper"]))
    lines = (
        f"event: {res.event}; competing: {res.competing or 'none'}" + (f"; group: {res.group}" if res.group else ""),
        f"n = {count(res.n)}; {res.conf_type} {lv} intervals",
    )
    return Printout(f"Aalen-Johansen cumulative incidence of {res.event!r}", lines, (("", _frame(rows, groups)),))


__all__ = ["Printout", "cif", "count", "cox", "discrete", "km", "level", "logrank", "num", "pval", "time"]
