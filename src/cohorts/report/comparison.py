"""The comparison engine: one row per published number, its tolerance, its verdict and a summary.

A study brings its target list, classes, tolerances and source conflicts (data files read by
:mod:`cohorts.report.targets` and :mod:`cohorts.report.conflicts`), its :class:`Rule` list (which
statistic of its data answers which target row) and the standard error of a target at the report's
N; :func:`compare` does the rest for any study, and :func:`summarize` words the result.  The
conventions (bounds, scores, tolerances by kind, sampling noise) are those of the AFM 2022 study's
comparison, described in :mod:`cohorts.studies.high_mortgages.comparison` and ``docs/studies.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts.report.conflicts import CHECK_COLUMNS, check_conflicts, conflict_lines
from cohorts.report.sampling import SAMPLING_COLUMNS, noise_lines
from cohorts.report.targets import CLASSES, UNCLASSIFIED

COMPARISON_COLUMNS: tuple[str, ...] = (
    "id",
    "target",
    "reproduced",
    "abs_diff",
    "tolerance",
    "within",
    "status",
    "class",
    "reason",
    "tolerance_kind",
    "bound",
    "score",
    "sample_se",
    "note",
    "source",
    "group",
    "cohort_year",
    "target_note",
    # sampling noise (cohorts.report.sampling) and source conflicts (cohorts.report.conflicts), added later
    *SAMPLING_COLUMNS,
    *CHECK_COLUMNS[1:],
)
#: ``source_conflict``: the report's own numbers imply another value beyond rounding
#: (``source_conflicts.csv``, kind ``arithmetic``); ``method_conflict``: the number cannot follow from the
#: report's method (kind ``method``).  Both rows still carry the reproduced number and its verdict.
STATUSES: tuple[str, ...] = ("compared", "not_reproducible", "no_data", "source_conflict", "method_conflict")
CONFLICT_STATUSES: tuple[str, ...] = ("source_conflict", "method_conflict")


class NotReproducible(Exception):
    """Raised by a rule when the target cannot be computed from the study data."""


#: ``compute(results, row) -> float`` of a rule.
Compute = Callable[[object, pd.Series], float]
#: ``report_se(results, targets, row, *, rule, kind) -> float``.
ReportSE = Callable[..., float]


@dataclass(frozen=True)
class Rule:
    """One mapping from target rows to a statistic.

    Attributes
    ----------
    name : str
        Short name (written to ``comparison.csv`` as part of ``note``).
    compute : callable
        ``compute(results, row) -> float``; raises :class:`NotReproducible`.
    kind : str or callable
        Tolerance kind, or ``kind(row) -> str``.
    id : str, optional
        Regex that the target id must match (``re.search``).
    quantity : str, optional
        Regex that the quantity must match (``re.search``, case-insensitive).
    source : str, optional
        Regex that the source must match.
    """

    name: str
    compute: Compute
    kind: str | Callable[[pd.Series], str]
    id: str | None = None
    quantity: str | None = None
    source: str | None = None

    def matches(self, row: pd.Series) -> bool:
        """Whether every given pattern matches the row."""
        if self.id is not None and not re.search(self.id, str(row["id"])):
            return False
        if self.quantity is not None and not re.search(self.quantity, str(row["quantity"]), flags=re.IGNORECASE):
            return False
        return self.source is None or bool(re.search(self.source, str(row["source"])))

    def kind_of(self, row: pd.Series) -> str:
        """The tolerance kind for a row."""
        return self.kind(row) if callable(self.kind) else self.kind


def match_rule(row: pd.Series, rules: Sequence[Rule]) -> Rule | None:
    """The first rule that matches a target row, or ``None``."""
    for rule in rules:
        if rule.matches(row):
            return rule
    return None


# --------------------------------------------------------------------------
# tolerances
# --------------------------------------------------------------------------
def tolerance_for(kind: str, target: float, *, n: float | None, tolerances: pd.DataFrame,
                  se: float | None = None) -> float:
    """The tolerance of one target of a given kind.

    Parameters
    ----------
    kind : str
        Row of ``tolerances``.
    target : float
        Published value (percent for shares).
    n : float, optional
        The report's N for a share's binomial standard error (used when ``se`` is not given).
    tolerances : pandas.DataFrame
        From :func:`cohorts.report.targets.load_tolerances`.
    se : float, optional
        The target's standard error at the report's N, any kind
        (e.g. :func:`cohorts.studies.high_mortgages.sampling.report_se`); NaN or None = none.

    Returns
    -------
    float
        ``max(absolute, se_multiplier * SE, relative * |target|)`` over the
        bounds given for the kind; ``SE = 100 sqrt(p (1 - p) / n)`` with
        ``p = target / 100``.

    Examples
    --------
    >>> from cohorts.studies.high_mortgages.comparison import load_tolerances  # a study's tolerances
    >>> tol = load_tolerances()
    >>> round(tolerance_for("share", 50.0, n=100, tolerances=tol), 6)  # 3 * 5 pp
    15.0
    >>> tolerance_for("share", 50.0, n=1_000_000, tolerances=tol)  # the 1 pp floor
    1.0
    """
    if kind not in tolerances.index:
        raise ValueError(f"no tolerance for kind {kind!r}; known kinds: {list(tolerances.index)}")
    spec = tolerances.loc[kind]
    bounds = [0.0]
    if pd.notna(spec["absolute"]):
        bounds.append(float(spec["absolute"]))
    if pd.notna(spec["relative"]):
        bounds.append(float(spec["relative"]) * abs(target))
    if pd.notna(spec["se_multiplier"]):
        if se is not None and np.isfinite(se):
            bounds.append(float(spec["se_multiplier"]) * float(se))
        elif se is None and n is not None and n > 0:
            p = min(max(target / 100.0, 0.0), 1.0)
            bounds.append(float(spec["se_multiplier"]) * 100.0 * math.sqrt(p * (1.0 - p) / n))
    return max(bounds)


def _bound(note: object) -> str:
    text = "" if pd.isna(note) else str(note)
    if "lower_bound" in text:
        return "at_least"
    if "upper_bound" in text:
        return "at_most"
    return "two_sided"


# --------------------------------------------------------------------------
# the comparison
# --------------------------------------------------------------------------
def comparable_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Target rows that are study statistics: not ``external`` and not ``definition``."""
    keep = (targets["kind"] != "definition") & (targets["group"].fillna("") != "external")
    return targets.loc[keep].reset_index(drop=True)


def compare(
    results: object,
    *,
    targets: pd.DataFrame,
    tolerances: pd.DataFrame,
    rules: Sequence[Rule],
    classes: pd.DataFrame,
    conflicts: pd.DataFrame,
    report_se: ReportSE,
) -> pd.DataFrame:
    """One comparison row per comparable target.

    Parameters
    ----------
    results : object
        The study's results: what its rules compute from, with a ``scale``
        attribute (the synthetic scale; 1.0 for real data).
    targets : pandas.DataFrame
        Target list (:func:`cohorts.report.targets.load_targets`).
    tolerances : pandas.DataFrame
        Tolerances by kind (:func:`cohorts.report.targets.load_tolerances`).
    rules : sequence of Rule
        The study's mapping from target rows to statistics.
    classes : pandas.DataFrame
        Class of each target (:func:`cohorts.report.targets.load_target_classes`).
    conflicts : pandas.DataFrame
        Source conflicts (:func:`cohorts.report.conflicts.load_conflicts`).
    report_se : callable
        ``report_se(results, targets, row, *, rule, kind) -> float``: the
        target's standard error at the report's N (NaN = none).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`: ``id, target, reproduced,
        abs_diff, tolerance, within`` (bool; False unless compared),
        ``status`` (``compared``; ``not_reproducible`` with a ``reason``;
        ``no_data`` when the study population is empty), ``class``
        (``recomputed`` / ``planted`` from the class file, ``unclassified``
        for an id not in it; see :data:`CLASSES`), ``reason``,
        ``tolerance_kind``, ``bound`` (``two_sided``/``at_least``/``at_most``),
        ``score`` (violation / tolerance; <= 1 means within), ``sample_se``
        (the standard error at the study's own N, report N x scale, for every
        kind that has one -- the sampling noise of a synthetic sample, for
        telling noise from misfit), ``note`` (the rule used, and "count /
        scale" for counts), ``source, group, cohort_year`` and ``target_note``
        (the target's own note: approximations, bounds, ambiguities); then
        ``report_se`` (the standard error at the report's N; the tolerance is
        ``max(fixed, 3 report_se)``), ``sample_tolerance`` (``max(fixed, 3
        sample_se)``), ``within_sample`` (the verdict at the run's own N),
        ``sample_z`` (violation / sample_se), and for the targets of
        ``source_conflicts.csv``: ``conflict_kind, conflicts_with, implied,
        implied_low, implied_high, contradiction, conflict_check``.  A
        confirmed arithmetic contradiction has ``status = "source_conflict"``,
        a method conflict ``"method_conflict"`` (both keep their numbers and
        verdicts but are not counted with the compared targets).
    """
    all_targets, tol, cls, conf = targets, tolerances, classes, conflicts
    class_of = dict(zip(cls["id"], cls["class"], strict=True))
    checks = check_conflicts(conf, all_targets).set_index("id")
    rows = []
    for _, row in comparable_targets(all_targets).iterrows():
        rec = {
            "id": row["id"], "target": row["value"], "reproduced": np.nan, "abs_diff": np.nan,
            "tolerance": np.nan, "within": False, "status": "not_reproducible",
            "class": class_of.get(row["id"], UNCLASSIFIED), "reason": "",
            "tolerance_kind": "", "bound": _bound(row["note"]), "score": np.nan, "sample_se": np.nan, "note": "",
            "source": row["source"], "group": row["group"], "cohort_year": row["cohort_year"],
            "target_note": "" if pd.isna(row["note"]) else str(row["note"]),
            "report_se": np.nan, "sample_tolerance": np.nan, "within_sample": False, "sample_z": np.nan,
            "conflict_kind": "", "conflicts_with": "", "implied": np.nan, "implied_low": np.nan,
            "implied_high": np.nan, "contradiction": False, "conflict_check": "",
        }
        if row["id"] in checks.index:
            rec.update(checks.loc[row["id"]].to_dict())
        rule = match_rule(row, rules)
        if rule is None:
            rec["reason"] = "no rule maps this statement to a statistic of the study data"
            rows.append(rec)
            continue
        rec["note"] = rule.name
        try:
            kind = rule.kind_of(row)
            rec["tolerance_kind"] = kind
            value = float(rule.compute(results, row))
        except NotReproducible as exc:
            rec["reason"] = str(exc)
            rows.append(rec)
            continue
        if kind == "count":
            rec["note"] += f"; study count divided by scale {results.scale:g}"
        if not np.isfinite(value):
            rec["status"] = "no_data"
            rec["reason"] = "the population is empty (or has no events) in the study data"
            rows.append(rec)
            continue
        target = float(row["value"])
        se = report_se(results, all_targets, row, rule=rule.name, kind=kind)
        tolerance = tolerance_for(kind, target, n=None, tolerances=tol, se=se)
        rec["report_se"] = se
        rec["sample_se"] = se / math.sqrt(results.scale)  # the study's N is the report's N x scale
        fixed = tolerance_for(kind, target, n=None, tolerances=tol, se=float("nan"))
        sample_tol = max(fixed, 3.0 * rec["sample_se"]) if np.isfinite(rec["sample_se"]) else fixed
        diff = value - target
        violation = {"two_sided": abs(diff), "at_least": max(0.0, -diff), "at_most": max(0.0, diff)}[rec["bound"]]
        status = "compared"
        if rec["conflict_kind"] == "method":
            status = "method_conflict"
        elif rec["conflict_kind"] == "arithmetic" and rec["contradiction"]:
            status = "source_conflict"
        rec.update(
            reproduced=value, abs_diff=abs(diff), tolerance=tolerance, within=bool(violation <= tolerance),
            status=status, score=violation / tolerance if tolerance > 0 else (0.0 if violation == 0 else np.inf),
            sample_tolerance=sample_tol, within_sample=bool(violation <= sample_tol),
            sample_z=violation / rec["sample_se"] if rec["sample_se"] > 0 else np.nan,
        )
        rows.append(rec)
    out = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    return out.astype({"within": bool, "within_sample": bool, "contradiction": bool})


def _within_line(label: str, comp: pd.DataFrame) -> str:
    k, n = int(comp["within"].sum()), len(comp)
    return f"{label}: {k} of {n} within tolerance ({100.0 * k / n if n else 0.0:.1f}%)"


def summarize(
    comparison: pd.DataFrame, *, worst: int = 10, n_excluded: int | None = None, scale: float | None = None
) -> str:
    """A short text summary: how many are within tolerance, by class, the conflicts, the noise and the worst rows.

    The headline (first line) counts the ``recomputed`` targets only: numbers
    the pipeline computes through a method step.  ``planted`` targets (the
    generator writes the published value into a raw field and the pipeline
    reads it back) follow on their own line, then all compared targets
    together (the former headline, worded as before: "k of n comparable
    targets within tolerance").  Rows without a ``class`` column count as
    ``unclassified``.  Rows with status ``source_conflict`` or
    ``method_conflict`` are not counted there but listed on their own lines;
    at ``scale`` below 1 a line says how many misses the sampling noise at
    the run's own N explains (``within_sample``), and each of the worst rows
    shows its miss in standard errors at the run's N (``sample_z``).

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`compare`.
    worst : int, default 10
        How many of the worst compared rows (largest ``score``) to list.
    n_excluded : int, optional
        Number of target rows left out as external or definitions (reported).
    scale : float, optional
        Synthetic scale, mentioned next to the count rule.

    Returns
    -------
    str
    """
    comp = comparison.loc[comparison["status"] == "compared"]
    klass = comp["class"] if "class" in comp.columns else pd.Series(UNCLASSIFIED, index=comp.index)
    lines = [
        _within_line("Recomputed targets (computed by the pipeline through a method step)", comp.loc[klass == "recomputed"])
        + ". This is the headline.",
        _within_line("Planted targets (written into raw fields by the generator and read back; they check "
                     "selection and grouping, not a computation)", comp.loc[klass == "planted"]) + ".",
    ]
    other = comp.loc[~klass.isin(CLASSES)]
    if len(other):
        lines.append(_within_line("Unclassified targets (not in target_classes.csv)", other) + ".")
    n_all, k_all = len(comp), int(comp["within"].sum())
    lines.append(f"All: {k_all} of {n_all} comparable targets within tolerance "
                 f"({100.0 * k_all / n_all if n_all else 0.0:.1f}%), recomputed and planted together.")
    lines += conflict_lines(comparison)
    lines += noise_lines(comparison, scale=scale)
    for status in ("not_reproducible", "no_data"):
        n = int((comparison["status"] == status).sum())
        if n:
            lines.append(f"{n} target(s) {status.replace('_', ' ')}; reasons in comparison.csv.")
    if n_excluded is not None:
        lines.append(f"{n_excluded} target row(s) left out: external numbers and method definitions.")
    if scale is not None:
        lines.append(f"Counts are compared as study count / scale ({scale:g}).")
    by_kind = comp.groupby([klass, "tolerance_kind"])["within"].agg(["sum", "size"])
    lines.append("By class and kind: " + ", ".join(f"{c} {k} {int(r['sum'])}/{int(r['size'])}"
                                                  for (c, k), r in by_kind.iterrows()))
    if len(comp):
        top = comp.sort_values(["score", "id"], ascending=[False, True], kind="stable").head(worst)
        lines.append(f"Worst {len(top)} (|reproduced - target| / tolerance"
                     + ("; noise = the miss in standard errors at the run's own N, sample_se):"
                        if "sample_z" in top.columns else "):"))
        for r, c in zip(top.itertuples(index=False), klass.loc[top.index], strict=True):
            z = getattr(r, "sample_z", np.nan)
            noise = f"  noise {z:>6.2f} SE" if pd.notna(z) else ("  noise      - " if "sample_z" in top.columns else "")
            lines.append(f"  {r.id:<40} {c:<10} target {r.target:>12.4g}  reproduced {r.reproduced:>12.4g}  "
                         f"tolerance {r.tolerance:>9.3g}  score {r.score:>7.2f}{noise}")
    return "\n".join(lines)
