"""Phrases for sentences about released numbers: cells as shown, years, comparisons (:mod:`cohorts.studies.high_mortgages.narrative`).

A :class:`Cell` is one released value as the reader sees it: its text (a
table cell as formatted, a figure's share rounded), its number and whether
the disclosure gate suppressed it.  The phrases quote cells as shown and
compare only cells that are both shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

#: The word for a suppressed cell in the sentences.
SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Cell:
    """One released value: as shown, as a number (``None`` when suppressed or empty), and whether suppressed."""

    text: str
    value: float | None
    suppressed: bool


def parse_cell(text: str, *, marker: str = "x", lang: str = "en") -> Cell:
    """A cell of a released formatted table (``"42%"``, ``"12,066"``, ``"4,89%"`` in Dutch, ``"x"``, ``"-"``).

    Raises
    ------
    ValueError
        If the text is neither the marker, ``-`` nor a number in the report's format.
    """
    text = str(text).strip()
    if text == marker:
        return Cell(text, None, True)
    if text in ("-", ""):
        return Cell(text, None, False)
    number = text.removesuffix("%")
    number = number.replace(".", "").replace(",", ".") if lang == "nl" else number.replace(",", "")
    try:
        return Cell(text, float(number), False)
    except ValueError:
        raise ValueError(f"released table cell {text!r} is neither the marker {marker!r}, '-' nor a number") from None


def row_cells(table: pd.DataFrame, row: str, *, marker: str = "x", lang: str = "en") -> dict[int, Cell]:
    """Year -> cell of a row of a table whose columns are years (Tabel 1, S1, S2)."""
    if row not in table.index:
        raise ValueError(f"table has no row {row!r}; rows: {list(table.index)}")
    return {int(c): parse_cell(v, marker=marker, lang=lang) for c, v in table.loc[row].items()}


def column_cells(table: pd.DataFrame, column: str, *, marker: str = "x", lang: str = "en") -> dict[int, Cell]:
    """Year -> cell of a column of a table whose rows are years (Tabel 2-5, B1-B8)."""
    if column not in table.columns:
        raise ValueError(f"table has no column {column!r}; columns: {list(table.columns)}")
    return {int(y): parse_cell(v, marker=marker, lang=lang) for y, v in table[column].items()}


def data_cells(values: Mapping[int, float], *, decimals: int = 1, suffix: str = "%") -> dict[int, Cell]:
    """Year -> cell of released figure data (missing = suppressed), the number rounded to ``decimals``."""
    out = {}
    for year, v in values.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out[int(year)] = Cell("x", None, True)
        else:
            out[int(year)] = Cell(f"{float(v):,.{decimals}f}{suffix}", float(v), False)
    return out


def years(ys: Sequence[int]) -> str:
    """Years in order, a run of three or more as ``2012–2014``: ``2012, 2013 and 2015–2017``."""
    ys = sorted(int(y) for y in ys)
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = []
    for run in runs:
        parts += [f"{run[0]}–{run[-1]}"] if len(run) >= 3 else [str(y) for y in run]
    return join(parts)


def join(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def shown_cells(cells: Mapping[int, Cell]) -> dict[int, Cell]:
    """The cells with a number, in year order."""
    return {y: c for y, c in sorted(cells.items()) if c.value is not None}


def hidden_years(cells: Mapping[int, Cell]) -> list[int]:
    """The years of the suppressed cells."""
    return sorted(y for y, c in cells.items() if c.suppressed)


def suppressed_note(cells: Mapping[int, Cell]) -> str:
    """``"; suppressed in 2014 and 2017"`` (empty when nothing is suppressed)."""
    hidden = hidden_years(cells)
    return f"; {SUPPRESSED} in {years(hidden)}" if hidden else ""


def series(cells: Mapping[int, Cell]) -> str:
    """Every shown value with its year, then the suppressed years.

    ``0.0% in 2012, 48.4% in 2015; suppressed in 2014``
    """
    shown = shown_cells(cells)
    if not shown:
        return f"{SUPPRESSED} in every year" if hidden_years(cells) else "not available"
    return join([f"{c.text} in {y}" for y, c in shown.items()]) + suppressed_note(cells)


def span(cells: Mapping[int, Cell]) -> str:
    """The first and last shown values: ``from 404 (2012) to 1,183 (2016); suppressed in 2017``."""
    shown = list(shown_cells(cells).items())
    if not shown:
        return f"{SUPPRESSED} in every year" if hidden_years(cells) else "not available"
    (y0, c0), (y1, c1) = shown[0], shown[-1]
    text = f"{c0.text} in {y0}" if y0 == y1 else f"from {c0.text} ({y0}) to {c1.text} ({y1})"
    return text + suppressed_note(cells)


def extremes(cells: Mapping[int, Cell], *, note: bool = True) -> str:
    """The lowest and highest shown values: ``between 40.9% (2015) and 80.8% (2013)``."""
    shown = shown_cells(cells)
    if not shown:
        return f"{SUPPRESSED} in every year" if hidden_years(cells) else "not available"
    lo = min(shown, key=lambda y: (shown[y].value, y))
    hi = max(shown, key=lambda y: (shown[y].value, -y))
    if len(shown) == 1:
        text = f"{shown[lo].text} in {lo}"
    else:
        text = f"between {shown[lo].text} ({lo}) and {shown[hi].text} ({hi})"
    return text + (suppressed_note(cells) if note else "")


def compare(a: Mapping[int, Cell], b: Mapping[int, Cell], *, lower: bool = False) -> tuple[list[int], list[int]]:
    """Years where ``a`` is above ``b`` (below, with ``lower``) as shown, and years where it is not; both shown."""
    holds, fails = [], []
    for y in sorted(set(a) & set(b)):
        if a[y].value is None or b[y].value is None:
            continue
        ok = a[y].value < b[y].value if lower else a[y].value > b[y].value
        (holds if ok else fails).append(y)
    return holds, fails


def _label(label: str, ys: Sequence[int]) -> str:
    return label.format(s="s" if len(ys) > 1 else "")


def every(holds: Sequence[int], fails: Sequence[int], *, what: str, example: str = "",
          where: str = "where both are shown", unit: str = "year", label: str = "") -> str:
    """A claim and the years it holds in, capitalised, without the full stop.

    ``<What> in every year where both are shown (2012–2016; e.g. ...)``, or
    ``<What> in 2013 and 2014 (e.g. ...), but not in 2012 and 2015``, or
    ``<What> in no year where both are shown (...)``.  ``label`` goes before
    the years (``"year{s} "``: ``{s}`` is ``s`` for more than one year).
    """
    if not holds and not fails:
        text = f"whether {what} cannot be said: no {unit} has the values shown"
    elif not fails:
        text = (f"{what} in every {unit} {where} ({_label(label, holds)}{years(holds)}"
                f"{'; ' + example if example else ''})")
    elif not holds:
        text = f"{what} in no {unit} {where} ({_label(label, fails)}{years(fails)})"
    else:
        text = (f"{what} in {_label(label, holds)}{years(holds)}{' (' + example + ')' if example else ''}, "
                f"but not in {_label(label, fails)}{years(fails)}")
    return text[0].upper() + text[1:]


def plain(markdown: str) -> str:
    """Markdown emphasis and code marks removed (for alt text)."""
    return re.sub(r"[*`]", "", markdown)
