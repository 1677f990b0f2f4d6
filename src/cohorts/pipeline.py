"""The pure build pipeline: loan parts -> mortgages -> linked households -> cohorts, panel and stock.

:func:`build` (and :func:`build_linked`, which starts from the linked
mortgage-snapshots) chains the pure steps of :mod:`cohorts.link`,
:mod:`cohorts.cohort` and :mod:`cohorts.norms` and accounts for every row in
the selection table; :func:`aggregate_chunks` and :func:`link_parts` reduce the
loan parts chunk by chunk.  Nothing here reads or writes a file; the result is
a :class:`BuildResult`.  Re-exported by :mod:`cohorts.build`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.cohort import (
    CONSUMER_CREDIT_BOUND,
    STARTER_MAX_AGE,
    attach_finances,
    build_panel,
    follow_up,
    loans_from_snapshots,
    require_house_value,
    select_new_mortgages,
)
from cohorts.frames import side_by_side
from cohorts.link import (
    PartialSums,
    aggregate_step,
    link_key,
    multi_mortgage_loans,
    owner_occupied_mask,
    partial_sums,
)
from cohorts.persons import PersonYears, as_person_years
from cohorts.selection import Step, check_reconciles, drop_step, keep_rows, selection_frame


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` returns.

    Attributes
    ----------
    cohorts : pandas.DataFrame
        One row per analysable new mortgage (every analysis column, norm columns
        included, and ``duration, event, exit_type``).
    panel : pandas.DataFrame
        One row per new mortgage per snapshot seen, with household income of t+1.
    stock_parts : tuple of pandas.DataFrame
        The stock, one frame per snapshot: one row per linkable
        single-mortgage household per snapshot, with its finances of t+1 (the
        report's "hypotheekvoorraad"). :attr:`stock` joins them. The full
        population has millions of rows per snapshot, so the parts are kept
        apart until they are written. Empty when a ``stock_sink`` took them.
    n_stock : int
        Rows of the stock.
    selection : pandas.DataFrame
        Every step of the selection (see :mod:`cohorts.selection`), for the
        cohorts and for the stock; it reconciles exactly.
    timings : dict
        Wall time in seconds per stage.
    """

    cohorts: pd.DataFrame
    panel: pd.DataFrame
    stock_parts: tuple[pd.DataFrame, ...]
    selection: pd.DataFrame
    n_stock: int
    timings: dict = field(default_factory=dict)

    @property
    def stock(self) -> pd.DataFrame:
        """The stock as one frame (joined on each access; :func:`write_build` writes the parts).

        Raises
        ------
        ValueError
            If the stock was handed to a ``stock_sink`` instead of kept.
        """
        if not self.stock_parts and self.n_stock:
            raise ValueError("the stock was handed to a stock_sink (written while built), not kept in the result")
        if len(self.stock_parts) == 1:
            return self.stock_parts[0]
        return pd.concat(self.stock_parts, ignore_index=True)


def _drop_negative_income(df: pd.DataFrame, *, population: str, unit: str) -> tuple[pd.DataFrame, Step]:
    neg = (df[C.MAIN_INCOME].to_numpy() < 0) | (df[C.PARTNER_INCOME].to_numpy() < 0)
    out = keep_rows(df, ~neg)
    return out, drop_step(population, unit, "personal incomes at t+1 not negative", len(df), len(out),
                          "negative gross personal income (loss from own business) of main earner or partner: "
                          "the lending norm is undefined")


def aggregate_chunks(parts: pd.DataFrame | Iterable[pd.DataFrame]) -> tuple[pd.DataFrame, list[Step]]:
    """Loan parts -> one row per mortgage per snapshot, from one frame or chunk by chunk.

    Drops parts that are not owner-occupied and aggregates the rest
    (:func:`cohorts.link.aggregate_parts`). ``parts`` may be an iterable of
    validated chunks (:func:`cohorts.io.iter_input`): each chunk is reduced to
    partial sums before the next is read, so the loan parts are never all in
    memory, and the result is the same as for the whole file.

    Returns
    -------
    (DataFrame, list of Step)
        Mortgage-snapshots (:data:`cohorts.link.MORTGAGE_COLUMNS`) and the
        selection steps so far.
    """
    chunks = [parts] if isinstance(parts, pd.DataFrame) else parts
    n_parts = n_owner = 0
    sums, owner_step = PartialSums(), None
    for chunk in chunks:
        keep, owner_step = owner_occupied_mask(chunk)
        n_parts += len(chunk)
        n_owner += int(keep.sum())
        sums.add(partial_sums(chunk, keep=keep))
        del chunk, keep
    if owner_step is None:
        raise ValueError("no loan parts to aggregate")
    mortgages = sums.finish()
    steps = [
        Step("cohorts", "input", "loan parts", "raw LLD loan parts", n_parts, n_parts, 0, "as read and validated"),
        drop_step("cohorts", owner_step.unit, owner_step.rule, n_parts, n_owner, owner_step.reason),
        aggregate_step("cohorts", n_owner, len(mortgages)),
    ]
    return mortgages, steps


def _link(mortgages: pd.DataFrame, key: pd.DataFrame, steps: list[Step]) -> tuple[pd.DataFrame, list[Step]]:
    linked, s = link_key(mortgages, key)
    if len(linked) == 0:
        raise ValueError(
            f"key table: none of the {len(mortgages):,} LLD mortgage-snapshots has its loan_id in the key table "
            f"({len(key):,} rows); the loan ids of the two files do not match (check the column mapping)"
        )
    return linked, [*steps, s]


def link_parts(lld: pd.DataFrame | Iterable[pd.DataFrame], key: pd.DataFrame) -> tuple[pd.DataFrame, list[Step]]:
    """First half of the build: loan parts -> linked mortgage-snapshots.

    :func:`aggregate_chunks`, then the link to the main earner through the
    2017 key table (:func:`cohorts.link.link_key`). Only this step needs the
    loan parts.

    Returns
    -------
    (DataFrame, list of Step)
        One row per linked mortgage-snapshot (:data:`cohorts.link.MORTGAGE_COLUMNS`
        plus ``main_id``) and the selection steps so far.
    """
    mortgages, steps = aggregate_chunks(lld)
    return _link(mortgages, key, steps)


def build(
    lld: pd.DataFrame,
    cbs: pd.DataFrame,
    key: pd.DataFrame,
    *,
    threshold: float = 1.0,
    consumer_credit_bound: float = CONSUMER_CREDIT_BOUND,
    starter_max_age: int = STARTER_MAX_AGE,
    norm_tables: object | None = None,
    wlt_reading: str = "toetsrente",
) -> BuildResult:
    """Link the raw inputs and build the cohort table, panel, stock and selection table.

    The composition of :func:`link_parts` and :func:`build_linked`.

    Parameters
    ----------
    lld, cbs, key : pandas.DataFrame
        Validated raw inputs (see :mod:`cohorts.contracts`).
    threshold : float, default 1.0
        LTI-utilisation cut-off for the ``high`` flag (1.0 = 100% of the norm).
    consumer_credit_bound : float, default 50000
        CBS "overige schulden" above this are not counted as consumer credit.
    starter_max_age : int, default 35
        Starters: main earner at most this old at origination.
    norm_tables : cohorts.norms.NormTables, optional
        Norm tables to use (default: the packaged Trhk tables).
    wlt_reading : {"toetsrente", "contract"}, default "toetsrente"
        Reading of the actual-cost test (:func:`cohorts.norms.apply_norm`).

    Returns
    -------
    BuildResult
    """
    t0 = time.perf_counter()
    linked, steps = link_parts(lld, key)
    seconds = time.perf_counter() - t0
    result = build_linked(linked, cbs, steps=steps, threshold=threshold, consumer_credit_bound=consumer_credit_bound,
                          starter_max_age=starter_max_age, norm_tables=norm_tables, wlt_reading=wlt_reading)
    result.timings["link_parts"] = seconds
    return result


_ROW = "_linked_row"


def _stock_snapshot(
    linked: pd.DataFrame,
    rows: np.ndarray,
    cbs: PersonYears,
    *,
    main_codes: np.ndarray,
    consumer_credit_bound: float,
    starter_max_age: int,
) -> tuple[pd.DataFrame, list[Step]]:
    """One snapshot of the stock: ``linked``'s ``rows`` with t+1 finances, after the stock's rules.

    The rules (:func:`attach_finances`, :func:`require_house_value`) run on
    the few columns they read; the full width of ``linked`` is then copied
    once, for the rows that pass. (Filtering the full-width part rule by rule
    copied millions of rows per rule.) The result and its steps are those of
    running the rules on ``linked.take(rows)``.
    """
    keys = linked[[C.MAIN_ID, C.SNAPSHOT_YEAR, C.HOUSE_VALUE]].take(rows)
    keys[_ROW] = rows
    fin, steps = attach_finances(keys, cbs, consumer_credit_bound=consumer_credit_bound, starter_max_age=starter_max_age,
                                 population="stock", unit="mortgage-snapshots", year_col=C.SNAPSHOT_YEAR,
                                 main_codes=main_codes)
    fin, s = require_house_value(fin, population="stock", unit="mortgage-snapshots")
    wide = linked.take(fin[_ROW].to_numpy())
    wide.index = pd.RangeIndex(len(wide))
    added = fin.drop(columns=[*keys.columns])
    return side_by_side(wide, added), [*steps, s]


def build_linked(
    linked: pd.DataFrame,
    cbs: pd.DataFrame | PersonYears,
    *,
    steps: list[Step],
    threshold: float = 1.0,
    consumer_credit_bound: float = CONSUMER_CREDIT_BOUND,
    starter_max_age: int = STARTER_MAX_AGE,
    norm_tables: object | None = None,
    wlt_reading: str = "toetsrente",
    stock_sink: Callable[[pd.DataFrame], None] | None = None,
) -> BuildResult:
    """Second half of the build: linked mortgage-snapshots + CBS -> cohorts, panel, stock, selection.

    Parameters
    ----------
    linked : pandas.DataFrame
        The output of :func:`link_parts`.
    cbs : pandas.DataFrame or cohorts.persons.PersonYears
        Validated CBS person-years, or their index.
    steps : list of Step
        The selection steps of :func:`link_parts`; the table continues from them.
    threshold, consumer_credit_bound, starter_max_age, norm_tables, wlt_reading
        As in :func:`build`.
    stock_sink : callable, optional
        Called with each snapshot's part of the stock as soon as it is built
        (e.g. :meth:`cohorts.io.ParquetAppender.append`); the parts are then
        not kept in the result. The stock of the full population has millions
        of rows per snapshot: ``cohorts build`` writes them one by one.

    Returns
    -------
    BuildResult
    """
    from cohorts.norms import apply_norm  # the norm stage

    timings: dict[str, float] = {}
    steps = list(steps)
    n_linked = len(linked)
    t = time.perf_counter()
    cbs = as_person_years(cbs)  # one index for every CBS look-up below
    main_codes = cbs.codes(linked[C.MAIN_ID])  # hashed once, used by the household and stock look-ups
    multi = multi_mortgage_loans(linked, cbs, main_codes=main_codes)
    timings["households"] = time.perf_counter() - t

    # ---- stock (first: its last snapshot is written while the cohorts are built) ----
    t = time.perf_counter()
    stock_steps: list[Step] = []
    is_multi_snap = np.isin(linked[C.LOAN_ID].to_numpy(), multi)
    stock_steps.append(drop_step("stock", "mortgage-snapshots", "household holds one mortgage", n_linked,
                                 int((~is_multi_snap).sum()),
                                 "main earner or partner also in another mortgage's household in some snapshot"))
    # one snapshot at a time: the full stock has millions of rows per snapshot
    chunks, chunk_steps, n_stock = [], [], 0
    snapshot = linked[C.SNAPSHOT_YEAR].to_numpy()
    for year in np.unique(snapshot):
        rows = np.flatnonzero(~is_multi_snap & (snapshot == year))
        part, ss = _stock_snapshot(linked, rows, cbs, main_codes=main_codes[rows],
                                   consumer_credit_bound=consumer_credit_bound, starter_max_age=starter_max_age)
        n_stock += len(part)
        if stock_sink is None:
            chunks.append(part)
        else:
            stock_sink(part)
        del part
        chunk_steps.append(ss)
    # the per-snapshot steps, summed over snapshots, in their order
    for i in range(len(chunk_steps[0])):
        first = chunk_steps[0][i]
        stock_steps.append(drop_step("stock", first.unit, first.rule, sum(c[i].rows_in for c in chunk_steps),
                                     sum(c[i].rows_out for c in chunk_steps), first.reason))
    stock_steps.append(Step("stock", "result", "mortgage-snapshots", "linkable stock", n_stock, n_stock, 0,
                            "stock.parquet"))
    timings["stock"] = time.perf_counter() - t

    # ---- new mortgages -------------------------------------------------
    t = time.perf_counter()
    loans, s = loans_from_snapshots(linked)
    steps.append(s)
    is_multi = np.isin(loans[C.LOAN_ID].to_numpy(), multi)
    single = loans.loc[~is_multi]
    steps.append(drop_step("cohorts", "mortgages", "household holds one mortgage", len(loans), len(single),
                           "main earner or partner also in another mortgage's household in some snapshot"))
    new, ss = select_new_mortgages(single)
    steps.extend(ss)
    new, ss = attach_finances(new, cbs, consumer_credit_bound=consumer_credit_bound, starter_max_age=starter_max_age)
    steps.extend(ss)
    new, s = _drop_negative_income(new, population="cohorts", unit="mortgages")
    steps.append(s)
    new, s = require_house_value(new)
    steps.append(s)
    new = apply_norm(new, threshold=threshold, tables=norm_tables, columns={"year": C.COHORT},
                     wlt_reading=wlt_reading)
    new = follow_up(new, linked)
    steps.append(Step("cohorts", "result", "mortgages", "analysable new mortgages", len(new), len(new), 0,
                      "cohorts.parquet"))
    panel = build_panel(new, linked, cbs)
    timings["cohorts"] = time.perf_counter() - t

    selection = selection_frame(steps + stock_steps)
    check_reconciles(selection)
    return BuildResult(cohorts=new, panel=panel, stock_parts=tuple(chunks), selection=selection, n_stock=n_stock,
                       timings=timings)
