"""A study's published numbers, their classes and the tolerances by kind, read from its data files.

The engine half of a comparison (:mod:`cohorts.report.comparison`): a study keeps its files in its
package (``cohorts/studies/<name>/data/``) and passes their paths; nothing here knows a study.
The files and their columns are described in ``docs/studies.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cohorts.report.conflicts import SourceDataError, duplicate_id_problems

#: What a comparable target can tell (``target_classes.csv``): ``recomputed`` -- the pipeline computes it from raw
#: fields through a method step (survival, norm and utilisation, medians and means of derived quantities, income
#: growth, WLT); ``planted`` -- the synthetic generator writes the published value into a raw field that the
#: pipeline only selects and averages (or counts), so it checks selection and grouping, not a computation.
#: Targets missing from the file (e.g. a user's own target list) are ``unclassified``.
CLASSES: tuple[str, ...] = ("recomputed", "planted")
UNCLASSIFIED = "unclassified"


def load_targets(path: str | Path) -> pd.DataFrame:
    """A study's published numbers: its target list (a CSV file; e.g. the AFM 2022 report's
    ``cohorts/studies/high_mortgages/data/report_targets.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, source, quantity, group, cohort_year, horizon_years,
        threshold, value, unit, kind, note`` (``cohort_year`` as text).
    """
    p = Path(path)
    df = pd.read_csv(p, dtype={"cohort_year": str, "group": str, "note": str})
    required = ["id", "source", "quantity", "group", "cohort_year", "horizon_years", "threshold", "value", "unit",
                "kind", "note"]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"{p}: target file lacks column(s) {missing}")
    _refuse(p, "targets", duplicate_id_problems(list(zip(_lines(p, len(df)), df["id"].astype(str), strict=True))))
    # the value as printed (decimals kept: "13.0"), for the rounding rule of cohorts.report.conflicts
    df["value_text"] = pd.read_csv(p, usecols=["value"], dtype=str, keep_default_na=False)["value"].to_numpy()
    return df


def _lines(path: Path, n: int) -> list[int]:
    """The file line each of the ``n`` CSV records starts on (header = line 1)."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        out, start = [], 2
        for rec in reader:
            if rec:  # pandas skips blank lines too
                out.append(start)
            start = reader.line_num + 1
    if len(out) != n:
        raise SourceDataError(f"{path}: {len(out)} CSV records but {n} rows read; check quoting")
    return out


def _refuse(path: Path, what: str, problems: list[tuple[int, str, str]]) -> None:
    if problems:
        shown = "; ".join(f"line {ln}, id {i!r}: {msg}" for ln, i, msg in problems[:5])
        raise SourceDataError(f"{path}: {what}: {len(problems)} problem(s): {shown}")


def load_target_classes(path: str | Path, *, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The class of each comparable target (a study's ``target_classes.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns ``id`` (unique), ``class`` (one of :data:`CLASSES`) and
        ``reason`` (how the generator and the pipeline produce the number).

    Parameters
    ----------
    path : str or Path, optional
    targets : pandas.DataFrame, optional
        When given, every id must be one of its ids.

    Raises
    ------
    ValueError
        (:class:`~cohorts.report.conflicts.SourceDataError`) If a column is
        missing, an id appears twice, a class is unknown, a reason is empty or
        an id is not in ``targets`` (naming the file, the offending ids and
        their lines).
    """
    p = Path(path)
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in ("id", "class", "reason") if c not in df.columns]
    if missing:
        raise SourceDataError(f"{p}: class file lacks column(s) {missing}")
    line = pd.Series(_lines(p, len(df)), index=df.index)
    problems = {
        "id appears more than once": df["id"].duplicated(keep=False),
        f"class not one of {list(CLASSES)}": ~df["class"].isin(CLASSES),
        "empty reason": df["reason"].str.strip() == "",
    }
    if targets is not None:
        problems["id is not in the target list"] = ~df["id"].isin(targets["id"].astype(str))
    for rule, bad in problems.items():
        if bad.any():
            ids, lines = df.loc[bad, "id"].head(5).tolist(), line[bad].head(5).tolist()
            raise SourceDataError(f"{p}: column 'class'/'id'/'reason': {rule}: {int(bad.sum())} row(s), "
                                  f"e.g. {ids} at line(s) {lines}")
    return df[["id", "class", "reason"]]


def load_tolerances(path: str | Path, *, kinds: Sequence[str] = ()) -> pd.DataFrame:
    """The tolerance per kind of number (a study's ``tolerances.csv``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``kind``; columns ``absolute`` (percentage points or the
        unit of the target), ``relative`` (fraction of the target),
        ``se_multiplier``, ``unit``, ``applies_to``, ``rationale``.

    Raises
    ------
    ValueError
        If one of ``kinds`` (those the study's rules use) is missing, or a kind has no bound.
    """
    p = Path(path)
    df = pd.read_csv(p).set_index("kind")
    missing = [k for k in kinds if k not in df.index]
    if missing:
        raise ValueError(f"{p}: no tolerance for kind(s) {missing}")
    no_bound = df.index[df[["absolute", "relative", "se_multiplier"]].isna().all(axis=1)].tolist()
    if no_bound:
        raise ValueError(f"{p}: kind(s) {no_bound} have neither an absolute nor a relative bound")
    return df
