"""Trhk financieringslast tables: loading, validation and vectorised lookup.

The tables are data, not code.  The packaged tables (2013, 2014, 2015; see
``data/SOURCES.md``) are read with :mod:`importlib.resources`; a user can add or
replace years with CSV files in the same long format::

    year,table,income_from,income_to,rate_from,rate_to,pct
    2013,below_aow,19000,19500,0.000,5.000,18.5
    2013,below_aow,19000,19500,5.001,5.500,19.0
    ...

One line per income row x rate bracket.  ``table`` is one of ``below_aow``,
``aow`` (required for every year), ``below_aow_no_hra``, ``aow_no_hra``
(optional, both or neither).  An income row covers ``income_from`` (inclusive)
to ``income_to`` (exclusive); only the last row may leave ``income_to`` empty.
Rate brackets are inclusive at both ends with bounds on 3 decimals, contiguous
(the next ``rate_from`` is the previous ``rate_to`` + 0.001), the first starting
at 0 and the last open (empty ``rate_to``).  Percentages must not decrease with
income (down a rate column) nor with the rate (along an income row).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from cohorts.errors import ContractError, Failure
from cohorts.norms import schema as S

_PACKAGED_PATTERN = re.compile(r"^financieringslast_(\d{4})\.csv$")
_MAX_EXAMPLES = 5


def rate_to_milli(rate: np.ndarray | float) -> np.ndarray:
    """Rates in percent rounded to 3 decimals, as integer thousandths of a percent.

    Table brackets have 3-decimal bounds, so comparing integers avoids any
    floating-point doubt at a bracket edge (``5.0005`` rounds to ``5.001``,
    i.e. 5001).
    """
    return np.rint(np.asarray(rate, dtype="float64") * 1000.0).astype("int64")


@dataclass(frozen=True, eq=False, repr=False)
class TableGrid:
    """One financieringslast table as a grid.

    Attributes
    ----------
    year : int
        Table year.
    table : str
        Table name (``below_aow``, ``aow``, ``below_aow_no_hra``, ``aow_no_hra``).
    income_from : numpy.ndarray
        Lower edges of the income rows, ascending, shape ``(n_income,)``.
    rate_from_milli : numpy.ndarray
        Lower edges of the rate brackets in thousandths of a percent, ascending,
        shape ``(n_rate,)``.
    pct : numpy.ndarray
        Percentages, shape ``(n_income, n_rate)``.
    """

    year: int
    table: str
    income_from: np.ndarray
    rate_from_milli: np.ndarray
    pct: np.ndarray

    def __post_init__(self) -> None:
        for arr in (self.income_from, self.rate_from_milli, self.pct):
            arr.setflags(write=False)

    def __repr__(self) -> str:
        n_i, n_r = self.pct.shape
        return f"TableGrid({self.year}, {self.table!r}, {n_i} income rows x {n_r} rate brackets)"

    def lookup(self, income: np.ndarray, rate_milli: np.ndarray) -> np.ndarray:
        """Percentages for each (income, rate) pair, vectorised.

        Parameters
        ----------
        income : numpy.ndarray
            Lookup income in euro.  Below the first row the first row is used,
            above the last row the last row.
        rate_milli : numpy.ndarray
            Test rate in thousandths of a percent (see :func:`rate_to_milli`).

        Returns
        -------
        numpy.ndarray
            The table cells, float64.
        """
        n_inc = self.income_from.shape[0]
        i = np.searchsorted(self.income_from, income, side="right") - 1
        i = np.clip(i, 0, n_inc - 1)
        j = np.searchsorted(self.rate_from_milli, rate_milli, side="right") - 1
        j = np.clip(j, 0, self.rate_from_milli.shape[0] - 1)
        return self.pct[i, j]


@dataclass(frozen=True, repr=False)
class NormTables:
    """A validated, read-only set of financieringslast tables.

    Build it with :func:`load_tables`.

    Attributes
    ----------
    grids : Mapping[tuple[int, str], TableGrid]
        ``grids[(year, table)]``.
    sources : Mapping[int, str]
        Where each year's tables came from (packaged file or user file).
    """

    grids: Mapping[tuple[int, str], TableGrid]
    sources: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        parts = []
        for y in self.years:
            names = sorted(t for yy, t in self.grids if yy == y)
            parts.append(f"{y}: {'/'.join(names)} ({self.sources.get(y, '?')})")
        return "NormTables(" + "; ".join(parts) + ")"

    @property
    def years(self) -> tuple[int, ...]:
        """The table years present, ascending."""
        return tuple(sorted({y for y, _ in self.grids}))

    def has_table(self, year: int, table: str) -> bool:
        """Whether table ``table`` exists for table year ``year``."""
        return (int(year), table) in self.grids

    def table_year(self, year: int) -> int:
        """The table year used for norm year ``year``.

        The year itself if it has tables; otherwise the nearest earlier year that
        has them; for a year before the first table year, the first table year
        (the 2012 cohort uses the 2013 tables).

        Examples
        --------
        >>> t = load_tables()
        >>> t.table_year(2014), t.table_year(2017), t.table_year(2012)
        (2014, 2015, 2013)
        """
        return int(self.table_years(np.array([year], dtype="int64"))[0])

    def table_years(self, years: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`table_year`."""
        avail = np.array(self.years, dtype="int64")
        idx = np.searchsorted(avail, np.asarray(years, dtype="int64"), side="right") - 1
        return avail[np.clip(idx, 0, avail.shape[0] - 1)]

    def lookup_pct(
        self,
        table_years: np.ndarray,
        aow: np.ndarray,
        income: np.ndarray,
        rate: np.ndarray,
        *,
        no_hra: bool = False,
    ) -> np.ndarray:
        """Percentages for each row, vectorised per (table year, table) group.

        Parameters
        ----------
        table_years : numpy.ndarray
            Table year per row (see :meth:`table_years`).
        aow : numpy.ndarray of bool
            Per row: use the AOW-age table (``aow`` / ``aow_no_hra``) rather
            than ``below_aow`` / ``below_aow_no_hra``.
        income : numpy.ndarray
            Lookup income in euro per row.
        rate : numpy.ndarray
            Test rate in percent per row; rounded to 3 decimals before the lookup.
        no_hra : bool, default False
            Look up the tables without mortgage-interest deduction.

        Returns
        -------
        numpy.ndarray
            float64 percentages; NaN where the (year, table) pair does not exist.
        """
        out = np.full(np.shape(income), np.nan, dtype="float64")
        table_years = np.asarray(table_years, dtype="int64")
        aow = np.asarray(aow, dtype=bool)
        income = np.asarray(income, dtype="float64")
        milli = rate_to_milli(rate)
        names = S.NO_HRA_TABLES if no_hra else S.STANDARD_TABLES  # (below AOW, AOW)
        for is_aow, name in ((aow, names[1]), (~aow, names[0])):
            if not is_aow.any():
                continue
            for (ty, tab), grid in self.grids.items():
                if tab != name:
                    continue
                sel = is_aow & (table_years == ty)
                if sel.any():
                    out[sel] = grid.lookup(income[sel], milli[sel])
        return out

    def to_frame(self) -> pd.DataFrame:
        """All tables in the long CSV format (``income_to``/``rate_to`` as NaN where open)."""
        parts = []
        for (year, table), g in sorted(self.grids.items()):
            n_i, n_r = g.pct.shape
            inc_to = np.append(g.income_from[1:], np.nan)
            rate_from = g.rate_from_milli / 1000.0
            rate_to = np.append((g.rate_from_milli[1:] - 1) / 1000.0, np.nan)
            parts.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "table": table,
                        "income_from": np.repeat(g.income_from, n_r),
                        "income_to": np.repeat(inc_to, n_r),
                        "rate_from": np.tile(rate_from, n_i),
                        "rate_to": np.tile(rate_to, n_i),
                        "pct": g.pct.ravel(),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------
def load_tables(directory: str | os.PathLike[str] | None = None) -> NormTables:
    """Load the financieringslast tables.

    Parameters
    ----------
    directory : str or os.PathLike, optional
        A folder of CSV files in the long format (see the module docstring).
        Every ``*.csv`` file in it is read and validated.  A year present in the
        folder replaces that year of the packaged tables entirely; other years
        are added.  ``None`` (default): the packaged tables only.

    Returns
    -------
    NormTables

    Raises
    ------
    FileNotFoundError
        If ``directory`` does not exist or is not a folder.
    cohorts.errors.ContractError
        If a file breaks the format (columns, values, shape, gaps or overlaps of
        income rows or rate brackets, monotonicity, missing tables), or a year
        appears in two user files.  The message names file, column, rule and lines.

    Examples
    --------
    >>> load_tables().years
    (2013, 2014, 2015)
    """
    grids: dict[tuple[int, str], TableGrid] = {}
    sources: dict[int, str] = {}
    root = resources.files("cohorts.norms").joinpath("data")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not _PACKAGED_PATTERN.match(entry.name):
            continue
        source = f"package data {entry.name}"
        frame = _read_table_csv(entry.read_text(encoding="utf-8"), source=source)
        for (y, t), g in _build_grids(frame, source=source).items():
            grids[(y, t)] = g
            sources[y] = source
    if directory is not None:
        user_grids, user_sources = _load_user_directory(Path(directory))
        for y in set(user_sources):
            for key in [k for k in grids if k[0] == y]:
                del grids[key]
        grids.update(user_grids)
        sources.update(user_sources)
    return NormTables(grids=MappingProxyType(grids), sources=MappingProxyType(sources))


def _load_user_directory(path: Path) -> tuple[dict[tuple[int, str], TableGrid], dict[int, str]]:
    if not path.is_dir():
        raise FileNotFoundError(f"table directory not found (expected a folder of *.csv tables): {path}")
    files = sorted(path.glob("*.csv"))
    if not files:
        raise ContractError(
            [Failure(str(path), "<table>", "folder holds at least one *.csv table file", 0, ("no *.csv file found",))]
        )
    grids: dict[tuple[int, str], TableGrid] = {}
    sources: dict[int, str] = {}
    clashes: list[str] = []
    for file in files:
        source = str(file)
        frame = _read_table_csv(file.read_text(encoding="utf-8"), source=source)
        for (y, t), g in _build_grids(frame, source=source).items():
            if y in sources and sources[y] != source:
                clashes.append(f"{y} in {sources[y]} and {source}")
            grids[(y, t)] = g
            sources[y] = source
    if clashes:
        raise ContractError(
            [Failure(str(path), "year", "each year in one file only", len(clashes), tuple(clashes[:_MAX_EXAMPLES]))]
        )
    return grids, sources


def _read_table_csv(text: str, *, source: str) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in S.TABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ContractError(
            [
                Failure(
                    source,
                    "<table>",
                    f"columns {', '.join(S.TABLE_COLUMNS)}",
                    len(frame),
                    (f"missing {', '.join(missing)}; found {', '.join(map(str, frame.columns))}",),
                )
            ]
        )
    frame = frame[list(S.TABLE_COLUMNS)].apply(lambda s: s.str.strip())
    frame.insert(0, "_line", np.arange(2, len(frame) + 2))  # line 1 is the header
    return frame


def _examples(frame: pd.DataFrame, mask: np.ndarray | pd.Series, column: str) -> tuple[str, ...]:
    rows = frame.loc[np.asarray(mask)].head(_MAX_EXAMPLES)
    return tuple(f"line {ln}: {column}={val!r}" for ln, val in zip(rows["_line"], rows[column], strict=True))


def _coerce(frame: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Parse the string columns; raise one ContractError listing every bad value."""
    failures: list[Failure] = []
    out = frame[["_line"]].copy()

    def number(col: str, *, required: bool) -> pd.Series:
        raw = frame[col]
        val = pd.to_numeric(raw.where(raw != ""), errors="coerce")
        bad = val.isna() & (raw != "")
        if bad.any():
            failures.append(Failure(source, col, "a number", int(bad.sum()), _examples(frame, bad, col)))
        if required:
            empty = raw == ""
            if empty.any():
                failures.append(Failure(source, col, "not empty", int(empty.sum()), _examples(frame, empty, col)))
        return val.astype("float64")

    year = number("year", required=True)
    nonint = year.notna() & (year != np.round(year))
    if nonint.any():
        failures.append(Failure(source, "year", "a whole number", int(nonint.sum()), _examples(frame, nonint, "year")))
    out["year"] = year
    badtab = ~frame["table"].isin(S.TABLE_NAMES)
    if badtab.any():
        failures.append(
            Failure(source, "table", f"one of {', '.join(S.TABLE_NAMES)}", int(badtab.sum()), _examples(frame, badtab, "table"))
        )
    out["table"] = frame["table"]
    for col in ("income_from", "income_to", "rate_from", "rate_to", "pct"):
        out[col] = number(col, required=col in ("income_from", "rate_from", "pct"))
    neg = out["income_from"] < 0
    if neg.any():
        failures.append(Failure(source, "income_from", ">= 0", int(neg.sum()), _examples(frame, neg, "income_from")))
    badpct = (out["pct"] <= 0) | (out["pct"] > 100)
    if badpct.any():
        failures.append(Failure(source, "pct", "in (0, 100]", int(badpct.sum()), _examples(frame, badpct, "pct")))
    for col in ("rate_from", "rate_to"):
        r = out[col]
        off = r.notna() & ((r < 0) | (np.abs(r * 1000 - np.rint(r * 1000)) > 1e-6))
        if off.any():
            failures.append(Failure(source, col, ">= 0 with at most 3 decimals", int(off.sum()), _examples(frame, off, col)))
    if failures:
        raise ContractError(failures, header=f"{source}: {len(failures)} table-format failure(s)")
    out["year"] = out["year"].astype("int64")
    out["rate_from_milli"] = rate_to_milli(out["rate_from"].to_numpy())
    out["rate_to_milli"] = np.where(out["rate_to"].isna(), -1, rate_to_milli(out["rate_to"].fillna(0).to_numpy()))
    return out


def _lines(sub: pd.DataFrame) -> tuple[str, ...]:
    return tuple(f"line {ln}" for ln in sub["_line"].head(_MAX_EXAMPLES))


def _build_grids(frame: pd.DataFrame, *, source: str) -> dict[tuple[int, str], TableGrid]:
    """Validate a parsed long-format frame and turn it into grids."""
    t = _coerce(frame, source=source)
    failures: list[Failure] = []
    dup = t.duplicated(["year", "table", "income_from", "rate_from_milli"], keep=False)
    if dup.any():
        failures.append(
            Failure(source, "<table>", "one line per (year, table, income_from, rate_from)", int(dup.sum()), _lines(t[dup]))
        )
        raise ContractError(failures, header=f"{source}: {len(failures)} table-format failure(s)")

    grids: dict[tuple[int, str], TableGrid] = {}
    for (year, table), g in t.groupby(["year", "table"], sort=True):
        name = f"{year} {table}"
        g = g.sort_values(["income_from", "rate_from_milli"])
        incomes = np.unique(g["income_from"].to_numpy())
        brackets = g.drop_duplicates(["rate_from_milli", "rate_to_milli"]).sort_values("rate_from_milli")
        rates = brackets["rate_from_milli"].to_numpy()
        rate_tos = brackets["rate_to_milli"].to_numpy()
        # shape: a full grid, one rate_to per rate_from, one income_to per income_from
        if len(np.unique(rates)) != len(rates):
            bad = g[g["rate_from_milli"].isin(rates[np.r_[False, np.diff(rates) == 0]])]
            failures.append(Failure(source, "rate_to", f"{name}: one rate_to per rate_from", len(bad), _lines(bad)))
            continue
        if len(g) != len(incomes) * len(rates):
            counts = g.groupby("income_from")["rate_from_milli"].transform("size")
            bad = g[counts != len(rates)]
            failures.append(
                Failure(
                    source,
                    "<table>",
                    f"{name}: every income row has all {len(rates)} rate brackets (full grid)",
                    len(bad),
                    _lines(bad),
                )
            )
            continue
        inc_to = g.groupby("income_from")["income_to"].agg(lambda s: s.nunique(dropna=False))
        if (inc_to > 1).any():
            bad = g[g["income_from"].isin(inc_to.index[inc_to > 1])]
            failures.append(Failure(source, "income_to", f"{name}: one income_to per income row", len(bad), _lines(bad)))
            continue
        rows = g.drop_duplicates("income_from").set_index("income_from")["income_to"].reindex(incomes)
        nxt = incomes[1:]
        to = rows.to_numpy()[:-1]
        open_mid = np.isnan(to)
        gap = ~open_mid & (to < nxt)
        overlap = ~open_mid & (to > nxt)
        for mask, rule in (
            (open_mid, "only the last income row may leave income_to empty"),
            (gap, "no gap: income_to equals the next row's income_from"),
            (overlap, "no overlap: income_to equals the next row's income_from"),
        ):
            if mask.any():
                bad = g[g["income_from"].isin(incomes[:-1][mask])]
                failures.append(Failure(source, "income_to", f"{name}: {rule}", int(mask.sum()), _lines(bad)))
        last_to = rows.to_numpy()[-1]
        if not np.isnan(last_to) and last_to <= incomes[-1]:
            bad = g[g["income_from"] == incomes[-1]]
            failures.append(Failure(source, "income_to", f"{name}: income_to > income_from", 1, _lines(bad)))
        # rate brackets
        if rates[0] != 0:
            bad = g[g["rate_from_milli"] == rates[0]]
            failures.append(Failure(source, "rate_from", f"{name}: first rate bracket starts at 0.000", len(bad), _lines(bad)))
        if rate_tos[-1] != -1:
            bad = g[g["rate_from_milli"] == rates[-1]]
            failures.append(Failure(source, "rate_to", f"{name}: last rate bracket is open (empty rate_to)", len(bad), _lines(bad)))
        inner_to = rate_tos[:-1]
        for mask, rule in (
            (inner_to == -1, "only the last rate bracket may leave rate_to empty"),
            ((inner_to != -1) & (inner_to < rates[:-1]), "rate_to >= rate_from"),
            ((inner_to != -1) & (inner_to + 1 < rates[1:]), "no gap: next rate_from = rate_to + 0.001"),
            ((inner_to != -1) & (inner_to + 1 > rates[1:]), "no overlap: next rate_from = rate_to + 0.001"),
        ):
            if mask.any():
                bad = g[g["rate_from_milli"].isin(rates[:-1][mask])]
                failures.append(Failure(source, "rate_to", f"{name}: {rule}", int(mask.sum()), _lines(bad)))
        pct = g.pivot(index="income_from", columns="rate_from_milli", values="pct").to_numpy()
        line = g.pivot(index="income_from", columns="rate_from_milli", values="_line").to_numpy()
        down_income = np.diff(pct, axis=0) < 0
        along_rate = np.diff(pct, axis=1) < 0
        for mask, lines, rule in (
            (down_income, line[1:, :], "pct does not decrease with income (within a rate column)"),
            (along_rate, line[:, 1:], "pct does not decrease with the rate (within an income row)"),
        ):
            if mask.any():
                ex = tuple(f"line {int(ln)}" for ln in np.sort(lines[mask])[:_MAX_EXAMPLES])
                failures.append(Failure(source, "pct", f"{name}: {rule}", int(mask.sum()), ex))
        grids[(int(year), str(table))] = TableGrid(
            year=int(year),
            table=str(table),
            income_from=incomes.astype("float64"),
            rate_from_milli=rates.astype("int64"),
            pct=pct.astype("float64"),
        )
    years = sorted({y for y, _ in grids} | set(t["year"].unique().tolist()))
    for y in years:
        have = {tab for (yy, tab) in grids if yy == y} | set(t.loc[t["year"] == y, "table"])
        missing = [tab for tab in S.STANDARD_TABLES if tab not in have]
        if missing:
            failures.append(
                Failure(source, "table", f"{y}: tables {' and '.join(S.STANDARD_TABLES)} present", 0, (f"missing {', '.join(missing)}",))
            )
        nohra = [tab for tab in S.NO_HRA_TABLES if tab in have]
        if len(nohra) == 1:
            failures.append(
                Failure(
                    source,
                    "table",
                    f"{y}: no-HRA tables {' and '.join(S.NO_HRA_TABLES)} both present or both absent",
                    0,
                    (f"only {nohra[0]}",),
                )
            )
    if failures:
        raise ContractError(failures, header=f"{source}: {len(failures)} table-format failure(s)")
    return grids
