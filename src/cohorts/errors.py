"""Exception and warning classes of the package."""

from __future__ import annotations

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
        return (
            f"{self.source}: column '{self.column}' breaks rule '{self.rule}' "
            f"in {self.n_rows} row(s)" + (f", e.g. {ex}" if ex else "")
        )


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
