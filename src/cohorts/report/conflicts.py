"""Published numbers that contradict other published numbers or the report's method.

A study's file ``source_conflicts.csv`` (for AFM 2022:
``cohorts/studies/high_mortgages/data/source_conflicts.csv``, described in the
``SOURCES.md`` beside it) lists every target that no data set can meet
together with the numbers it conflicts with.  Columns:

``id``
    The target (a row of ``report_targets.csv``).
``kind``
    ``arithmetic`` -- the report's own published numbers imply another value;
    ``method`` -- the number cannot follow from the method the report
    describes (a reading of the method, not arithmetic; ``expression`` empty).
``conflicts_with``
    Space-separated target ids the number contradicts.
``expression``
    For ``arithmetic`` rows: a small expression over target ids that
    recomputes the implied value, e.g. ``100 * T1_N_new_high_io_2012 /
    TB3_new_high_2012``.  Allowed: numbers, target ids, ``+ - * /``, unary
    minus, parentheses and the functions ``sum, min, max, abs, round``.
    Anything else is refused (the expression is parsed with :mod:`ast`,
    never ``eval``-ed).
``implied``
    The implied value as documented (checked against the recomputation).
``reason``
    Why the numbers contradict each other.

Rounding rule
-------------
A published value is read as rounded to the last digit it shows: it stands for
the interval ``value +- half a unit of its last shown digit`` (``1.3`` ->
``[1.25, 1.35]``; ``20`` and ``6500`` -> ``+- 0.5``; words such as "circa" or
"een op de drie" are read as the number written in the target list).  The
implied value is computed with interval arithmetic over these intervals, so
the rounding of every input is propagated.  An ``arithmetic`` row is a
*confirmed* contradiction only where the implied interval and the target's own
interval are disjoint; for a ``lower_bound`` target ("meer dan x") the
target's interval is ``[x - h, inf)``, for ``upper_bound`` ``(-inf, x + h]``.
"""

from __future__ import annotations

import ast
import csv
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

CONFLICT_KINDS: tuple[str, ...] = ("arithmetic", "method")
CONFLICT_COLUMNS: tuple[str, ...] = ("id", "kind", "conflicts_with", "expression", "implied", "reason")
#: Columns of :func:`check_conflicts` (also added to ``comparison.csv``).
CHECK_COLUMNS: tuple[str, ...] = ("id", "conflict_kind", "conflicts_with", "implied", "implied_low", "implied_high",
                                  "contradiction", "conflict_check")
FUNCTIONS: tuple[str, ...] = ("sum", "min", "max", "abs", "round")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class SourceDataError(ValueError):
    """A targets, classification or conflicts file breaks a rule (the message names file, line and id)."""


# --------------------------------------------------------------------------
# rounding and intervals
# --------------------------------------------------------------------------
def shown_decimals(text: object) -> int:
    """Number of decimals a published value shows (``"13.0"`` -> 1, ``"6500"`` -> 0).

    Floats (a target list read without its text) are written in the shortest
    positional form, so ``13.0`` counts as ``13`` there.
    """
    if isinstance(text, float | np.floating):
        text = np.format_float_positional(float(text), trim="-")
    s = str(text).strip()
    return len(s.split(".", 1)[1]) if "." in s else 0


def half_unit(text: object) -> float:
    """Half a unit of the last digit shown: the rounding half-width of a published value."""
    return 0.5 * 10.0 ** (-shown_decimals(text))


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[lo, hi]`` for propagating rounding."""

    lo: float
    hi: float

    def __add__(self, o: Interval) -> Interval:
        return Interval(self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, o: Interval) -> Interval:
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __mul__(self, o: Interval) -> Interval:
        p = (self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi)
        return Interval(min(p), max(p))

    def __truediv__(self, o: Interval) -> Interval:
        if o.lo <= 0.0 <= o.hi:
            raise ZeroDivisionError("the divisor's rounding interval contains 0")
        return self * Interval(1.0 / o.hi, 1.0 / o.lo)

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)


def _iabs(x: Interval) -> Interval:
    if x.lo >= 0:
        return x
    if x.hi <= 0:
        return -x
    return Interval(0.0, max(-x.lo, x.hi))


_IFUNCS = {
    "sum": lambda *a: sum(a[1:], a[0]),
    "min": lambda *a: Interval(min(x.lo for x in a), min(x.hi for x in a)),
    "max": lambda *a: Interval(max(x.lo for x in a), max(x.hi for x in a)),
    "abs": lambda x: _iabs(x),
    "round": lambda x: Interval(float(round(x.lo)), float(round(x.hi))),
}


# --------------------------------------------------------------------------
# safe expressions
# --------------------------------------------------------------------------
def parse_expression(text: str) -> ast.Expression:
    """Parse an expression and refuse everything but numbers, ids, ``+ - * /``, parentheses and :data:`FUNCTIONS`.

    Raises
    ------
    ValueError
        For a syntax error or a disallowed construct (named in the message).
    """
    try:
        tree = ast.parse(str(text), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"malformed expression {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        ok = isinstance(node, ast.Expression | ast.BinOp | ast.UnaryOp | ast.Name | ast.Load | ast.Add | ast.Sub
                        | ast.Mult | ast.Div | ast.USub | ast.UAdd)
        if isinstance(node, ast.Constant):
            ok = isinstance(node.value, int | float) and not isinstance(node.value, bool)
        if isinstance(node, ast.Call):
            ok = (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords
                  and len(node.args) >= 1 and (node.func.id not in ("abs", "round") or len(node.args) == 1))
        if not ok:
            raise ValueError(f"malformed expression {text!r}: {type(node).__name__} is not allowed "
                             f"(only numbers, target ids, + - * /, parentheses and {', '.join(FUNCTIONS)})")
    return tree


def expression_ids(text: str) -> list[str]:
    """The target ids an expression reads, in order of first use (function names excluded)."""
    tree = parse_expression(text)
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls]
    return list(dict.fromkeys(names))


def evaluate_interval(text: str, values: Mapping[str, Interval]) -> Interval:
    """Evaluate an expression over intervals (rounding propagated through every operation).

    Parameters
    ----------
    text : str
        Expression (see :func:`parse_expression`).
    values : mapping of str to Interval
        The interval each id stands for.

    Examples
    --------
    >>> v = {"a": Interval(0.95, 1.05), "b": Interval(1.95, 2.05)}
    >>> evaluate_interval("a + b", v)
    Interval(lo=2.9, hi=3.0999999999999996)
    """
    tree = parse_expression(text)

    def ev(node: ast.AST) -> Interval:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return Interval(float(node.value), float(node.value))
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise KeyError(node.id)
            return values[node.id]
        if isinstance(node, ast.UnaryOp):
            x = ev(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            op = type(node.op)
            return {ast.Add: a.__add__, ast.Sub: a.__sub__, ast.Mult: a.__mul__, ast.Div: a.__truediv__}[op](b)
        assert isinstance(node, ast.Call)  # parse_expression allows nothing else
        return _IFUNCS[node.func.id](*(ev(a) for a in node.args))

    return ev(tree)


def evaluate(text: str, values: Mapping[str, float]) -> float:
    """Evaluate an expression at exact values (no rounding).

    >>> evaluate("100 * a / (a + b)", {"a": 1.0, "b": 3.0})
    25.0
    """
    r = evaluate_interval(text, {k: Interval(float(v), float(v)) for k, v in values.items()})
    return r.lo


# --------------------------------------------------------------------------
# loading with checks
# --------------------------------------------------------------------------
def _read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """CSV rows with the file line each starts on."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows, start = [], 2
        for rec in reader:
            rows.append((start, {k: (v or "") for k, v in rec.items() if k is not None}))
            start = reader.line_num + 1
        return rows, list(reader.fieldnames or [])


def _fail(path: Path, problems: list[tuple[int, str, str]], what: str) -> None:
    if problems:
        shown = "; ".join(f"line {ln}, id {i!r}: {msg}" for ln, i, msg in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise SourceDataError(f"{path}: {what}: {len(problems)} problem(s): {shown}{more}")


def duplicate_id_problems(ids_by_line: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """``(line, id, message)`` for every repeat of an id (the first occurrence's line is named)."""
    first: dict[str, int] = {}
    out = []
    for ln, i in ids_by_line:
        if i in first:
            out.append((ln, i, f"id appears more than once (first on line {first[i]})"))
        else:
            first[i] = ln
    return out


def load_conflicts(path: str | Path, *, targets: pd.DataFrame) -> pd.DataFrame:
    """Read and check a study's source-conflict file (``source_conflicts.csv``).

    Parameters
    ----------
    path : str or Path
    targets : pandas.DataFrame
        The target list the ids must belong to (:func:`cohorts.studies.high_mortgages.comparison.load_targets`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CONFLICT_COLUMNS` plus ``line`` (the file line); ``implied`` as float.

    Raises
    ------
    SourceDataError
        Missing column, duplicate id, an id or a referenced id not in the
        target list, an unknown kind, an empty reason, an arithmetic row
        without a valid expression, a method row with one, or a stated
        ``implied`` value that the recomputed expression does not give (to the
        stated value's rounding).  The message names the file, line and id.
    """
    p = Path(path)
    rows, header = _read_rows(p)
    missing = [c for c in CONFLICT_COLUMNS if c not in header]
    if missing:
        raise SourceDataError(f"{p}: conflict file lacks column(s) {missing}")
    known = set(targets["id"].astype(str))
    values = target_values(targets)
    problems = duplicate_id_problems([(ln, r["id"]) for ln, r in rows])
    for ln, r in rows:
        i, kind, expr = r["id"], r["kind"].strip(), r["expression"].strip()
        if i not in known:
            problems.append((ln, i, "id is not in the target list"))
        if kind not in CONFLICT_KINDS:
            problems.append((ln, i, f"kind {kind!r} is not one of {list(CONFLICT_KINDS)}"))
        if not r["reason"].strip():
            problems.append((ln, i, "empty reason"))
        refs = r["conflicts_with"].split()
        if not refs:
            problems.append((ln, i, "conflicts_with names no target"))
        problems += [(ln, i, f"conflicts_with names unknown id {x!r}") for x in refs if x not in known]
        if kind == "method" and expr:
            problems.append((ln, i, "a method conflict has no expression (its kind says it is not arithmetic)"))
        if kind != "arithmetic":
            continue
        if not expr:
            problems.append((ln, i, "an arithmetic conflict needs an expression"))
            continue
        try:
            used = expression_ids(expr)
        except ValueError as exc:
            problems.append((ln, i, str(exc)))
            continue
        unknown = [x for x in used if x not in known]
        if unknown:
            problems.append((ln, i, f"expression reads unknown id(s) {unknown}"))
            continue
        if i in used:
            problems.append((ln, i, "expression reads the conflicting target itself"))
        if set(used) - set(refs):
            problems.append((ln, i, f"expression reads {sorted(set(used) - set(refs))} not named in conflicts_with"))
        if r["implied"].strip():
            try:
                stated = float(r["implied"])
            except ValueError:
                problems.append((ln, i, f"implied {r['implied']!r} is not a number"))
                continue
            try:
                got = evaluate(expr, values)
            except (KeyError, ZeroDivisionError) as exc:
                problems.append((ln, i, f"expression cannot be evaluated: {exc}"))
                continue
            if abs(got - stated) > half_unit(r["implied"].strip()) + 1e-9:
                problems.append((ln, i, f"implied {r['implied']} but the expression gives {got:.6g}"))
    _fail(p, problems, "source conflicts")
    out = pd.DataFrame([{**{c: r[c] for c in CONFLICT_COLUMNS}, "line": ln} for ln, r in rows],
                       columns=[*CONFLICT_COLUMNS, "line"])
    out["implied"] = pd.to_numeric(out["implied"].replace("", np.nan))
    return out


def target_values(targets: pd.DataFrame) -> dict[str, float]:
    """``id -> value`` of the targets that have a value."""
    v = pd.to_numeric(targets["value"], errors="coerce")
    return {str(i): float(x) for i, x in zip(targets["id"], v, strict=True) if pd.notna(x)}


def target_intervals(targets: pd.DataFrame) -> dict[str, Interval]:
    """``id -> [value - h, value + h]`` with ``h`` half a unit of the last shown digit (``value_text`` if present)."""
    texts = targets["value_text"] if "value_text" in targets.columns else targets["value"]
    out = {}
    for i, v, t in zip(targets["id"], pd.to_numeric(targets["value"], errors="coerce"), texts, strict=True):
        if pd.notna(v):
            h = half_unit(t if isinstance(t, str) and t.strip() else float(v))
            out[str(i)] = Interval(float(v) - h, float(v) + h)
    return out


def _bound_of(note: object) -> str:
    text = "" if pd.isna(note) else str(note)
    return "at_least" if "lower_bound" in text else "at_most" if "upper_bound" in text else "two_sided"


def check_conflicts(conflicts: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Recompute every conflict's implied value and decide whether the arithmetic contradicts the target.

    Parameters
    ----------
    conflicts : pandas.DataFrame
        From :func:`load_conflicts`.
    targets : pandas.DataFrame
        The target list whose values the expressions read.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHECK_COLUMNS`: ``implied`` (the expression at the
        published values), ``implied_low/high`` (its interval under the
        rounding rule), ``contradiction`` (True for a method conflict; for an
        arithmetic one True only where the implied interval and the target's
        interval are disjoint) and ``conflict_check`` (the verdict in words).
        An expression that reads an id missing from ``targets`` is not
        evaluated (``contradiction`` False; the check says why).
    """
    iv = target_intervals(targets)
    info = targets.set_index(targets["id"].astype(str))
    rows = []
    for r in conflicts.itertuples(index=False):
        rec = {"id": r.id, "conflict_kind": r.kind, "conflicts_with": r.conflicts_with, "implied": np.nan,
               "implied_low": np.nan, "implied_high": np.nan, "contradiction": False, "conflict_check": ""}
        if r.kind == "method":
            rec.update(contradiction=True, conflict_check=f"method: {r.reason}")
            rows.append(rec)
            continue
        expr = str(r.expression)
        missing = [x for x in expression_ids(expr) if x not in iv]
        if missing or r.id not in iv:
            rec["conflict_check"] = f"not evaluated: the target list lacks {missing or [r.id]}"
            rows.append(rec)
            continue
        point = evaluate(expr, {k: 0.5 * (x.lo + x.hi) for k, x in iv.items()})
        imp = evaluate_interval(expr, iv)
        t = iv[r.id]
        bound = _bound_of(info.loc[r.id, "note"] if "note" in info.columns else "")
        t_lo = -math.inf if bound == "at_most" else t.lo
        t_hi = math.inf if bound == "at_least" else t.hi
        disjoint = imp.hi < t_lo or imp.lo > t_hi
        shown = 0.5 * (t.lo + t.hi)
        rec.update(implied=point, implied_low=imp.lo, implied_high=imp.hi, contradiction=bool(disjoint))
        verdict = "contradiction beyond rounding" if disjoint else "no contradiction beyond rounding"
        rec["conflict_check"] = (f"arithmetic: {expr} = {point:.6g} (rounding interval [{imp.lo:.6g}, {imp.hi:.6g}]) "
                                 f"vs published {shown:g} ([{t_lo:.6g}, {t_hi:.6g}]): {verdict}; {r.reason}")
        rows.append(rec)
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS)).astype({"contradiction": bool})


def conflict_lines(comparison: pd.DataFrame) -> list[str]:
    """Summary lines for the rows with a conflict status (empty when there are none).

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`cohorts.studies.high_mortgages.comparison.compare`.
    """
    if "status" not in comparison.columns:
        return []
    lines = []
    for status, label in (("source_conflict", "Source conflicts (the report's own numbers imply another value, "
                                              "beyond rounding; source_conflicts.csv)"),
                          ("method_conflict", "Method conflicts (the number cannot follow from the report's "
                                              "method; source_conflicts.csv)")):
        sub = comparison.loc[comparison["status"] == status]
        if len(sub):
            k = int(sub["within"].sum())
            ids = ", ".join(sub["id"].astype(str).tolist())
            lines.append(f"{label}: {len(sub)} target(s), not counted above ({k} of them within tolerance "
                         f"anyway): {ids}.")
    if "conflict_kind" in comparison.columns:
        unconfirmed = comparison.loc[(comparison["conflict_kind"] == "arithmetic") & ~comparison["status"].isin(
            ("source_conflict",))]
        if len(unconfirmed):
            lines.append(f"{len(unconfirmed)} listed arithmetic conflict(s) not confirmed by the arithmetic (or not "
                         f"evaluated) and compared as usual: {', '.join(unconfirmed['id'].astype(str))}.")
    return lines
