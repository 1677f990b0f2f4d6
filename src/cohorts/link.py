"""Linking: loan parts -> mortgages per snapshot -> main earner and partner.

The report's method (appendix 2; checklist items 1-3 in the targets README):

* the observed mortgage debt is the sum of all LLD loan parts of the dwelling;
* mortgages are linked to households through the single 2017 key table
  (loan -> main earner's person id); the partner is the main earner's officially
  cohabiting partner in the CBS records;
* households with more than one mortgage are removed.

Every function here is pure (DataFrame in, DataFrame out) and returns the
:class:`~cohorts.selection.Step` records of what it removed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.contracts import in_key_order, require_columns
from cohorts.frames import join_rows
from cohorts.persons import PersonYears, as_person_years
from cohorts.selection import Step, drop_step, keep_rows, unit_step

MORTGAGE_COLUMNS = (
    C.SNAPSHOT_YEAR,
    C.LOAN_ID,
    C.N_PARTS,
    C.BALANCE,
    C.INTEREST_RATE,
    C.FIXED_PERIOD_YEARS,
    C.INTEREST_ONLY_AMOUNT,
    C.INTEREST_ONLY_SHARE,
    C.ORIGINATION_DATE,
    C.ORIGINATION_YEAR,
    C.CURRENT_LTV,
    C.HOUSE_VALUE,
    C.LTV,
    C.NHG,
    C.ARREARS,
)


def owner_occupied_mask(parts: pd.DataFrame, *, population: str = "cohorts") -> tuple[np.ndarray, Step]:
    """Which loan parts are owner-occupied; parts that are not are dropped (counted).

    The report studies owner-occupier mortgages; the LLD flag tells them apart.
    This step is ours (the report does not spell it out). A mask is returned
    instead of a filtered copy: the full LLD has tens of millions of rows, and
    :func:`aggregate_parts` takes the mask.
    """
    require_columns(parts, [C.OWNER_OCCUPIED], stage="owner_occupied_mask")
    keep = parts[C.OWNER_OCCUPIED].to_numpy(dtype=bool)
    return keep, drop_step(
        population, "loan parts", "owner-occupied loan parts", len(parts), int(keep.sum()),
        "loan part is not owner-occupied (buy-to-let or other use)",
    )


class _Groups:
    """Grouped reductions over integer group codes (0..G-1), sort-based and copy-light."""

    def __init__(self, codes: np.ndarray, n_groups: int):
        self.n = n_groups
        self.codes = codes
        if len(codes) and np.all(codes[1:] >= codes[:-1]):
            self.order = None  # already grouped (the usual layout of an LLD extract)
            sorted_codes = codes
        else:
            self.order = np.argsort(codes, kind="stable")
            sorted_codes = codes[self.order]
        self.starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]) if len(codes) else np.zeros(0, int)

    def _sorted(self, values: np.ndarray) -> np.ndarray:
        return values if self.order is None else values[self.order]

    def size(self) -> np.ndarray:
        return np.bincount(self.codes, minlength=self.n)

    def sum(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes, weights=values, minlength=self.n)

    def min(self, values: np.ndarray) -> np.ndarray:
        return np.minimum.reduceat(self._sorted(values), self.starts)

    def fmax(self, values: np.ndarray) -> np.ndarray:
        """Maximum ignoring NaN (NaN only where the whole group is NaN)."""
        return np.fmax.reduceat(self._sorted(values), self.starts)

    def any(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes, weights=values.astype("float64"), minlength=self.n) > 0


def _mortgage_groups(year: np.ndarray, loan: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group codes of ``(snapshot year, loan id)``, numbered in that sort order.

    Returns the code of every row and, per group, its year and loan id. Rows
    already sorted by year and loan id (the usual layout of an extract) are
    numbered by one pass over neighbours; any other order is factorized.
    """
    integer = np.issubdtype(loan.dtype, np.integer)
    loan_codes, loan_ids = (loan.astype("int64", copy=False), None) if integer else pd.factorize(loan, sort=True)
    if len(year) and in_key_order([year, loan_codes]):
        first = np.r_[True, (year[1:] != year[:-1]) | (loan_codes[1:] != loan_codes[:-1])]
        starts = np.flatnonzero(first)
        return np.cumsum(first) - 1, year[starts], loan[starts]
    if integer:
        loan_codes, loan_ids = pd.factorize(loan, sort=True)
    gkey = (year - C.FIRST_SNAPSHOT) * len(loan_ids) + loan_codes
    gcodes, gkeys = pd.factorize(gkey, sort=True)
    gkeys = np.asarray(gkeys)
    return gcodes, gkeys // len(loan_ids) + C.FIRST_SNAPSHOT, np.asarray(loan_ids)[gkeys % len(loan_ids)]


def aggregate_parts(
    parts: pd.DataFrame, *, keep: np.ndarray | None = None, population: str = "cohorts"
) -> tuple[pd.DataFrame, Step]:
    """Aggregate loan parts to one row per mortgage per snapshot.

    Per ``(snapshot_year, loan_id)``:

    * ``observed_mortgage``: sum of the parts' current balances;
    * ``interest_rate``: balance-weighted mean rate (plain mean where the total
      balance is 0);
    * ``fixed_period_years``: the shortest interest-fixed period among parts with
      a positive balance (all parts if none has one), in whole years (months // 12;
      0 = variable rate);
    * ``interest_only_amount``: balance of the interest-only parts, and its share;
    * ``origination_date``: the oldest part's origination date, and its year;
    * ``current_ltv``: the loan's LTV (the same on every part; the maximum is taken);
      ``house_value = observed_mortgage / (current_ltv / 100)`` where the LTV is
      positive and the balance positive, else missing; ``ltv = current_ltv / 100``;
    * ``nhg`` and ``arrears``: true if true on any part.

    Parameters
    ----------
    parts : pandas.DataFrame
        Validated LLD loan parts.
    keep : numpy.ndarray of bool, optional
        Only these parts are used (e.g. from :func:`owner_occupied_mask`).
    population : str, default "cohorts"
        Label of the selection-table step.

    Returns
    -------
    (DataFrame, Step)
        Columns :data:`MORTGAGE_COLUMNS`, sorted by snapshot year and loan id.
    """
    partial = partial_sums(parts, keep=keep)
    n_rows = int(partial[_N].sum())
    out = finish_sums([partial])
    return out, aggregate_step(population, n_rows, len(out))


def aggregate_step(population: str, n_parts: int, n_mortgages: int) -> Step:
    """The selection-table record of the aggregation (parts in, mortgage-snapshots out)."""
    return unit_step(
        population, "mortgage-snapshots", "aggregate loan parts per loan and snapshot", n_parts, n_mortgages,
        "loan parts summed to one mortgage per snapshot (balance, weighted rate, shortest fixed period, "
        "interest-only amount, oldest origination date, NHG, arrears)",
    )


# partial sums per (snapshot, loan): additive or min/max, so partial sums of chunks of a file combine exactly
_N, _BAL, _RATE_BAL, _RATE, _MONTHS_POS, _MONTHS_ALL, _IO, _ORIG, _LTV, _NHG, _ARREARS = (
    "n", "bal", "rate_bal", "rate", "months_pos", "months_all", "io", "orig_ns", "ltv_max", "nhg", "arrears"
)


def partial_sums(parts: pd.DataFrame, *, keep: np.ndarray | None = None) -> pd.DataFrame:
    """Per ``(snapshot_year, loan_id)``: the sums, minima and maxima that :func:`aggregate_parts` needs.

    All of them combine over chunks of a file (sums add, minima take the
    minimum), so a file can be aggregated chunk by chunk: :func:`finish_sums`
    combines the partial sums of all chunks and gives the same mortgages as
    aggregating the whole file at once, whatever the row order.
    """
    require_columns(
        parts,
        [C.SNAPSHOT_YEAR, C.LOAN_ID, C.CURRENT_BALANCE, C.INTEREST_RATE, C.FIXED_PERIOD_MONTHS,
         C.REPAYMENT_TYPE, C.ORIGINATION_DATE, C.CURRENT_LTV, C.NHG, C.ARREARS],
        stage="aggregate_parts",
    )
    subset = keep is not None and not keep.all()

    def col(name: str, dtype: str | None = None, na_value: object = None) -> np.ndarray:
        s = parts[name]
        a = s.to_numpy(dtype=dtype, na_value=na_value) if na_value is not None else s.to_numpy(dtype=dtype)
        return a[keep] if subset else a

    gcodes, year, loan = _mortgage_groups(col(C.SNAPSHOT_YEAR, "int64"), col(C.LOAN_ID))
    g = _Groups(gcodes, len(year))
    bal = col(C.CURRENT_BALANCE, "float64")
    rate = col(C.INTEREST_RATE, "float64")
    months = col(C.FIXED_PERIOD_MONTHS, "float64")
    is_io = (parts[C.REPAYMENT_TYPE] == C.INTEREST_ONLY).to_numpy(dtype=bool, na_value=False)
    is_io = is_io[keep] if subset else is_io
    return pd.DataFrame(
        {
            C.SNAPSHOT_YEAR: year,
            C.LOAN_ID: loan,
            _N: g.size(),
            _BAL: g.sum(bal),
            _RATE_BAL: g.sum(rate * bal),
            _RATE: g.sum(rate),
            _MONTHS_POS: g.min(np.where(bal > 0, months, np.inf)),
            _MONTHS_ALL: g.min(months),
            _IO: g.sum(np.where(is_io, bal, 0.0)),
            _ORIG: g.min(col(C.ORIGINATION_DATE).astype("datetime64[ns]").view("int64")),
            _LTV: g.fmax(col(C.CURRENT_LTV, "float64", np.nan)),
            _NHG: g.any(col(C.NHG, bool)),
            _ARREARS: g.any(col(C.ARREARS, bool)),
        },
        copy=False,
    )


#: how each partial sum combines over chunks
_COMBINE = {_N: "sum", _BAL: "sum", _RATE_BAL: "sum", _RATE: "sum", _MONTHS_POS: "min", _MONTHS_ALL: "min",
            _IO: "sum", _ORIG: "min", _LTV: "fmax", _NHG: "any", _ARREARS: "any"}
#: the same combinations for two rows of one mortgage (a chunk boundary cuts it)
_PAIRWISE = {"sum": np.add, "min": np.minimum, "fmax": np.fmax, "any": np.logical_or}


class PartialSums:
    """The partial sums of a file's chunks (:func:`partial_sums`), added one by one and finished into mortgages.

    A file in key order (snapshot, loan: the usual layout of an extract) gives
    chunks whose keys follow on, where only a mortgage cut by a chunk boundary
    has a row in two chunks. Such rows are combined as they arrive, so
    :meth:`finish` finishes each chunk on its own and joins the results column
    by column, releasing the partial sums as it goes (no copy of all of them
    and no grouping over all of them). Chunks in any other order are combined
    by grouping at the end; the result is the same either way.
    """

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []
        self._template: pd.DataFrame | None = None
        self.in_sequence = True  #: False once a chunk's keys did not follow on from the previous chunk's

    def add(self, partial: pd.DataFrame) -> None:
        """Add one chunk's partial sums (keys sorted and unique within the chunk, as :func:`partial_sums` makes)."""
        if self._template is None:
            self._template = partial.iloc[:0]
        if len(partial) == 0:
            return
        if self.in_sequence and self._parts:
            prev = self._parts[-1]
            last, first = _key_at(prev, -1), _key_at(partial, 0)
            if first == last:  # a mortgage cut by the chunk boundary: combine its two rows
                joined = pd.DataFrame({name: _combine_pair(name, prev[name], partial[name])
                                       for name in partial.columns})
                self._parts[-1:] = [prev.iloc[:-1]] if len(prev) > 1 else []
                self._parts.append(joined)
                partial = partial.iloc[1:]
                if len(partial) == 0:
                    return
            elif first < last:
                self.in_sequence = False
        self._parts.append(partial)

    def finish(self) -> pd.DataFrame:
        """The mortgages (:data:`MORTGAGE_COLUMNS`, sorted by snapshot year and loan id); empties the accumulator."""
        parts, self._parts = self._parts, []
        if not parts:
            if self._template is None:
                raise ValueError("no partial sums to finish")
            parts = [self._template]
        if not self.in_sequence:
            return _finish_grouped(parts)
        finished = []
        while parts:  # finish and release the partial sums chunk by chunk
            finished.append(_finish_sorted(parts.pop(0)))
        return join_rows(finished)


def _key_at(partial: pd.DataFrame, i: int) -> tuple:
    return (int(partial[C.SNAPSHOT_YEAR].iat[i]), partial[C.LOAN_ID].iat[i])


def _combine_pair(name: str, prev: pd.Series, nxt: pd.Series) -> np.ndarray:
    """The last row of ``prev`` combined with the first row of ``nxt`` (one value, as an array)."""
    a, b = prev.to_numpy()[-1:], nxt.to_numpy()[:1]
    how = _COMBINE.get(name)
    if how is None:  # the key columns: the same in both rows
        return b
    return _PAIRWISE[how](a, b)


def finish_sums(partials: list[pd.DataFrame]) -> pd.DataFrame:
    """Combine partial sums (:func:`partial_sums`, one frame per chunk, in file order) into mortgages.

    The same as adding them to a :class:`PartialSums` and finishing it.
    Returns the columns :data:`MORTGAGE_COLUMNS`, sorted by snapshot year and loan id.
    """
    acc = PartialSums()
    for p in partials:
        acc.add(p)
    return acc.finish()


def _finish_sorted(partial: pd.DataFrame) -> pd.DataFrame:
    """Finish partial sums whose keys are unique and sorted (one chunk, boundary rows combined)."""
    year = partial[C.SNAPSHOT_YEAR].to_numpy().astype("int64", copy=False)
    return _mortgages(lambda name: partial[name].to_numpy(), year, partial[C.LOAN_ID].to_numpy())


def _finish_grouped(partials: list[pd.DataFrame]) -> pd.DataFrame:
    """Finish partial sums in any order: group their rows by (snapshot, loan) and combine each group."""
    def column(name: str) -> np.ndarray:  # one column at a time: no copy of the whole frame
        parts = [p[name].to_numpy() for p in partials]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    gcodes, year, loan = _mortgage_groups(column(C.SNAPSHOT_YEAR).astype("int64", copy=False), column(C.LOAN_ID))
    g = _Groups(gcodes, len(year))
    if len(year) == len(gcodes):  # no mortgage split over chunks: the partial sums are final
        def red(name: str) -> np.ndarray:
            return column(name) if g.order is None else column(name)[g.order]
    else:
        how = {"sum": g.sum, "min": g.min, "fmax": g.fmax, "any": g.any}

        def red(name: str) -> np.ndarray:
            return how[_COMBINE[name]](column(name))
    return _mortgages(red, year, loan)


def _mortgages(red: Callable[[str], np.ndarray], year: np.ndarray, loan: np.ndarray) -> pd.DataFrame:
    """The mortgage columns from the combined partial sums (``red(name)``: one value per mortgage)."""
    n = red(_N)
    total = red(_BAL)
    io = red(_IO)
    ltv_pct = red(_LTV)
    months_pos = red(_MONTHS_POS)
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted = np.where(total > 0, red(_RATE_BAL) / np.where(total > 0, total, 1.0), red(_RATE) / n)
        io_share = np.where(total > 0, io / np.where(total > 0, total, 1.0), 0.0)
    months_rel = np.where(np.isfinite(months_pos), months_pos, red(_MONTHS_ALL))
    valid_hv = (ltv_pct > 0) & (total > 0)
    house_value = np.full(len(total), np.nan)
    house_value[valid_hv] = total[valid_hv] / (ltv_pct[valid_hv] / 100.0)
    orig_dt = pd.DatetimeIndex(red(_ORIG).astype("int64").view("datetime64[ns]"))
    return pd.DataFrame(
        {
            C.SNAPSHOT_YEAR: year.astype("int16"),
            C.LOAN_ID: loan,
            C.N_PARTS: n.astype("int16"),
            C.BALANCE: total,
            C.INTEREST_RATE: weighted,
            C.FIXED_PERIOD_YEARS: (months_rel // 12).astype("int16"),
            C.INTEREST_ONLY_AMOUNT: io,
            C.INTEREST_ONLY_SHARE: io_share,
            C.ORIGINATION_DATE: orig_dt,
            C.ORIGINATION_YEAR: orig_dt.year.to_numpy().astype("int16"),
            C.CURRENT_LTV: ltv_pct,
            C.HOUSE_VALUE: house_value,
            C.LTV: ltv_pct / 100.0,
            C.NHG: red(_NHG).astype(bool),
            C.ARREARS: red(_ARREARS).astype(bool),
        },
        copy=False,  # one block per column: no consolidation copy of millions of rows
    )


def link_key(mortgages: pd.DataFrame, key: pd.DataFrame, *, population: str = "cohorts") -> tuple[pd.DataFrame, Step]:
    """Attach the main earner's person id through the 2017 key table; drop unlinkable loans.

    A mortgage-snapshot whose loan id is not in the key table cannot be linked to
    CBS data and is dropped (report footnote 4: one key table, 2017; loans first
    seen in 2018 are not in it). Row order is kept.
    """
    require_columns(key, [C.LOAN_ID, C.PERSON_ID], stage="link_key (key table)")
    index = pd.Index(key[C.LOAN_ID].to_numpy())
    if not index.is_unique:
        raise ValueError("key table: loan_id must be unique (validate it with cohorts.contracts.validate_key)")
    pos = index.get_indexer(mortgages[C.LOAN_ID].to_numpy())
    found = pos >= 0
    out = keep_rows(mortgages, found)
    out[C.MAIN_ID] = key[C.PERSON_ID].to_numpy()[pos[found]]
    return out, drop_step(
        population, "mortgage-snapshots", "linkable through the 2017 key table", len(mortgages), len(out),
        "loan id not in the key table (not matched by CBS, or first seen after 2017)",
    )


def partner_at(
    frame: pd.DataFrame,
    cbs: pd.DataFrame | PersonYears,
    *,
    year_col: str,
    offset: int = 1,
    main_codes: np.ndarray | None = None,
) -> pd.Series:
    """The main earner's partner id from the CBS record of ``frame[year_col] + offset``.

    Returns a Series aligned with ``frame`` (missing where the main earner has no
    record that year or no partner). ``main_codes``: the main earners' person
    codes (:meth:`PersonYears.codes`), if the caller has them already.
    """
    rec = as_person_years(cbs).lookup(frame[C.MAIN_ID], frame[year_col].to_numpy(dtype="int64") + offset,
                                      [C.PARTNER_ID], codes=main_codes)
    return pd.Series(rec[C.PARTNER_ID].array, index=frame.index, name=C.PARTNER_ID)


def multi_mortgage_loans(
    linked: pd.DataFrame, cbs: pd.DataFrame | PersonYears, *, main_codes: np.ndarray | None = None
) -> np.ndarray:
    """Loan ids of households that hold more than one mortgage in some snapshot.

    A household is the main earner plus the partner (the main earner's CBS
    partner id of year t+1, the same year whose finances are used). A loan is
    flagged when, in some snapshot, its main earner or partner is a member of
    another loan's household too (e.g. the same person is main earner of two
    loans, or the partner is the main earner of another loan). ``main_codes``:
    the person codes of ``linked``'s main earners (:meth:`PersonYears.codes`),
    if the caller has them already.
    """
    persons = as_person_years(cbs)
    main_codes = persons.codes(linked[C.MAIN_ID]) if main_codes is None else main_codes
    partner = partner_at(linked, persons, year_col=C.SNAPSHOT_YEAR, main_codes=main_codes)
    # one member row per (mortgage-snapshot, person): the main earner, and the partner where there is one.
    # (snapshot, loan) is unique in `linked` and a partner is never the main earner himself (CBS
    # contract), so counting member rows per (snapshot, person) counts distinct loans.
    has_partner = partner.notna().to_numpy()
    members = [linked[C.MAIN_ID].array, partner.array[has_partner]]
    codes = np.concatenate([main_codes, persons.codes(members[1])])
    # persons without any CBS record still count: they get codes after the CBS persons
    unknown = codes < 0
    if unknown.any():
        ids = np.concatenate([np.asarray(m, dtype=object) for m in members])[unknown]
        codes[unknown] = persons.n_persons + pd.factorize(ids)[0]
    year = linked[C.SNAPSHOT_YEAR].to_numpy(dtype="int64") - C.FIRST_SNAPSHOT
    years = np.concatenate([year, year[has_partner]])
    span = C.LAST_SNAPSHOT - C.FIRST_SNAPSHOT + 1
    key = codes * span + years
    counts = np.bincount(key)
    shared = counts[key] > 1
    loans = linked[C.LOAN_ID].to_numpy()
    return np.unique(np.concatenate([loans, loans[has_partner]])[shared])
