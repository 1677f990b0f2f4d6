"""Exception and warning classes of the package."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Failure:
    """One broken rule in one input.

    Attributes
    ----------
    source : str
        The file (or frame name) that was checked.
    column : str
        The column the rule is about (``"<table>"`` for table-level rules).
    rule : str
        The rule, in words (e.g. ``"> 0"``, ``"not null"``, ``"unique (loan_id, loan_part_id, snapshot_year)"``).
    n_rows : int
        How many rows break it.
    examples : tuple of str
        A few offending rows, as ``"row 12 (loan_id=123): -5.0"``.
    """

    source: str
    column: str
    rule: str
    n_rows: int
    examples: tuple[str, ...] = ()

    def __str__(self) -> str:
        ex = "; ".join(self.examples)
        if self.column == "<file>":
            return f"{self.source}: cannot be read as {self.rule}" + (f" ({ex})" if ex else "")
        if self.column == "<table>":
            return f"{self.source}: breaks rule '{self.rule}'" + (f" ({ex})" if ex else "")
        if self.rule == MISSING_COLUMN_RULE:
            return f"{self.source}: column '{self.column}' breaks rule '{self.rule}'" + (f"; {ex}" if ex else "")
        return (
            f"{self.source}: column '{self.column}' breaks rule '{self.rule}' "
            f"in {self.n_rows} row(s)" + (f", e.g. {ex}" if ex else "")
        )


MISSING_COLUMN_RULE = "column present"


def close_matches(name: str, columns: Iterable[object], *, n: int = 3) -> list[str]:
    """The names in ``columns`` closest to ``name`` (:func:`difflib.get_close_matches`, cutoff 0.6).

    A name equal up to case, spaces, dashes and underscores comes first, so
    ``"Loan ID"`` suggests ``"loan_id"``.
    """
    names = [str(c) for c in columns]

    def key(s: str) -> str:
        return s.lower().replace(" ", "").replace("_", "").replace("-", "")

    same = [c for c in names if key(c) == key(name) and c != name]
    near = difflib.get_close_matches(name, names, n=n, cutoff=0.6)
    return list(dict.fromkeys(same + near))[:n]


def missing_column_failures(
    source: str, missing: Sequence[str], columns: Iterable[object], n_rows: int
) -> list[Failure]:
    """One failure per missing column, each suggesting the close matches among ``columns``."""
    columns = list(columns)
    out = []
    for name in missing:
        near = close_matches(name, columns)
        hint = (f"did you mean {' or '.join(repr(c) for c in near)}?",) if near else ("no similar column",)
        out.append(Failure(source, name, MISSING_COLUMN_RULE, n_rows, hint))
    return out


class ContractError(ValueError):
    """Input data that break a data contract.

    All failures of one validation are collected (lazy validation) and listed in
    the message; they are also available as :attr:`failures` and, as a table,
    via :meth:`to_frame`.
    """

    def __init__(self, failures: list[Failure] | tuple[Failure, ...], *, header: str | None = None):
        self.failures = tuple(failures)
        head = header or f"{len(self.failures)} data-contract failure(s)"
        lines = [head + ":"] + [f"  - {f}" for f in self.failures]
        super().__init__("\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        """The failures as a DataFrame with columns source, column, rule, n_rows, examples."""
        return pd.DataFrame(
            [
                {
                    "source": f.source,
                    "column": f.column,
                    "rule": f.rule,
                    "n_rows": f.n_rows,
                    "examples": "; ".join(f.examples),
                }
                for f in self.failures
            ],
            columns=["source", "column", "rule", "n_rows", "examples"],
        )


class ConfigError(ValueError):
    """A configuration or column-mapping file that cannot be used."""


class CohortsWarning(UserWarning):
    """Base class of the package's warnings."""


class NormTableFallbackWarning(CohortsWarning):
    """A norm year without its own table used the nearest earlier year's table."""
