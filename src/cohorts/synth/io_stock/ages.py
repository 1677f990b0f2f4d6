"""Stage 1 of the interest-only block: which households hold IO at end 2016, and their ages.

See :mod:`cohorts.synth.io_stock` for the whole block.

* :func:`household_births` - the birth years of main person and partner of each loan;
* :func:`plan_extra_io` - recodes one part of some pre-2012 mortgages without an IO part to
  interest-only, so the study's IO households number ``io_households_target`` x scale (Figuur 1);
* :func:`plan_ages` - makes a share of the pre-2012 IO households "senior" (main earner
  ``senior_age_min``-``senior_age_max`` in 2016; the study's IO borrowers are older, Box 2), more among the perpetuals than among the
  dated households; main person and partner shift by the same number of years;
* :func:`apply_births` - puts the new birth years into the CBS persons frames as they are written.

Only households of kind ``pre_2012_stock`` that share no person with another loan change: the first
study (cohorts 2012-2017) never reads them after its build's cohort filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from cohorts import columns as C
from cohorts.synth import kinds as K
from cohorts.synth.io_stock._common import IO_TYPES, SNAPSHOT, _days, _lookup, _year


def household_births(world: Any, loan_ids: np.ndarray) -> pd.DataFrame:
    """Birth years of the main person (key-table person) and partner of each loan.

    Parameters
    ----------
    world : cohorts.synth.generator.World
        The generated world (its ``loans`` with ``loan_id``/``main_pid`` and ``persons``).
    loan_ids : ndarray of int64
        Loans asked for.

    Returns
    -------
    pandas.DataFrame
        ``loan_id``, ``birth_older`` and ``birth_younger`` (equal without a partner), ``birth_main``; loans
        without a person get the birth year of the loan's planted household (``birth_year``
        column of the loans), so every loan has a value.
    """
    loans = world.loans
    per = world.persons
    pos = pd.Index(loans["loan_id"].to_numpy()).get_indexer(loan_ids)
    main = loans["main_pid"].to_numpy()[pos]
    main_birth = loans["birth_year"].to_numpy()[pos].astype("int64")
    pid = pd.Index(per["person_id"].to_numpy())
    prow = pid.get_indexer(main)
    partner = np.where(prow >= 0, per["partner_id"].to_numpy()[np.maximum(prow, 0)], -1)
    qrow = pid.get_indexer(partner)
    by_main = np.where(prow >= 0, per["birth_year"].to_numpy()[np.maximum(prow, 0)], main_birth).astype("int64")
    by_partner = np.where(qrow >= 0, per["birth_year"].to_numpy()[np.maximum(qrow, 0)], by_main).astype("int64")
    return pd.DataFrame(
        {
            C.LOAN_ID: loan_ids,
            "birth_older": np.minimum(by_main, by_partner),
            "birth_younger": np.maximum(by_main, by_partner),
            "birth_main": by_main,
        }
    )



def own_stock_loans(world: Any) -> np.ndarray:
    """Loan ids of kind ``pre_2012_stock`` whose persons belong to no other loan (sorted).

    These are the only loans whose repayment types and persons' birth years the block may change:
    the first study's cohorts (2012-2017 originations) never contain them.
    """
    loans = world.loans
    ok = (loans["kind"].to_numpy() == K.CODE[K.PRE_2012_STOCK]) & (loans["pair"].to_numpy() < 0)
    return np.sort(loans["loan_id"].to_numpy()[ok].astype("int64"))


def plan_extra_io(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    *,
    snap: pd.DataFrame,
    eligible_loans: np.ndarray,
    kept_loans: np.ndarray,
    scale: float,
) -> pd.Series:
    """Recode one part of some pre-2012 mortgages without an IO part to ``interest_only``.

    The number is chosen so that the end-2016 mortgages with an IO/investment part that the study
    keeps (``kept_loans``: its selection drops the unlinkable, multi-mortgage, not owner-occupied
    and CBS-missing kinds) number ``io_households_target`` x ``scale``; the recoded mortgages are
    drawn at random (one uniform per candidate) among ``eligible_loans`` that have no IO part at end
    2016 and whose oldest part originated before 2012 (round 4: a later part, a further advance, no
    longer disqualifies the mortgage; the pool had run out at 1.91 million).  The part recoded is the
    household's largest end-2016 part originated before 2012 (ties: lowest part id), in every
    snapshot; balances are not touched.

    Parameters
    ----------
    rng : numpy.random.Generator
        Its own stream.
    params : Mapping
        The ``[io_stock]`` block; without ``io_households_target`` nothing changes.
    snap : pandas.DataFrame
        The end-2016 LLD rows.
    eligible_loans : ndarray of int64
        :func:`own_stock_loans`.
    kept_loans : ndarray of int64
        Loan ids of the kinds the study's selection keeps.
    scale : float
        The twin's scale.

    Returns
    -------
    pandas.Series
        ``"interest_only"`` by ``loan_part_id`` (sorted; empty if none).
    """
    empty = pd.Series([], index=pd.Index([], name=C.LOAN_PART_ID, dtype="int64"), name=C.REPAYMENT_TYPE, dtype=object)
    if "io_households_target" not in params or len(snap) == 0:
        return empty
    lid = snap[C.LOAN_ID].to_numpy()
    io = snap[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).to_numpy()
    frame = pd.DataFrame({"loan": lid, "io": io, "orig": _days(snap[C.ORIGINATION_DATE].to_numpy())})
    g = frame.groupby("loan", sort=True)
    any_io, first_orig = g["io"].any(), g["orig"].min()
    loans = any_io.index.to_numpy()
    have = int(np.isin(loans[any_io.to_numpy()], kept_loans).sum())
    need = int(round(float(params["io_households_target"]) * float(scale))) - have
    cut = np.datetime64("2012-01-01", "D").astype("int64")
    cand = loans[(~any_io.to_numpy()) & (first_orig.to_numpy() < cut) & np.isin(loans, eligible_loans)]
    u = rng.random(len(cand))
    if need <= 0 or len(cand) == 0:
        return empty
    chosen = cand[np.argsort(u, kind="stable")[: min(need, len(cand))]]
    old_part = frame["orig"].to_numpy() < cut
    p = snap.loc[np.isin(lid, chosen) & old_part, [C.LOAN_ID, C.LOAN_PART_ID, C.CURRENT_BALANCE]]
    p = p.sort_values([C.LOAN_ID, C.CURRENT_BALANCE, C.LOAN_PART_ID], ascending=[True, False, True], kind="stable")
    ids = np.unique(p.drop_duplicates(C.LOAN_ID)[C.LOAN_PART_ID].to_numpy().astype("int64"))
    return pd.Series(np.full(len(ids), C.INTEREST_ONLY, dtype=object), index=pd.Index(ids, name=C.LOAN_PART_ID),
                     name=C.REPAYMENT_TYPE)


def plan_ages(
    rng: np.random.Generator,
    params: Mapping[str, Any],
    *,
    households: pd.DataFrame,
    births: pd.DataFrame,
    eligible: np.ndarray,
    first_natural_year: np.ndarray,
) -> pd.Series:
    """Shift of the birth years (years, <= 0) of each IO household: the "senior" households.

    A share of the ``eligible`` households - ``senior_share_perpetual`` of the perpetuals (both
    kinds), ``senior_share_dated`` of the dated ones - gets a main person aged uniformly
    ``senior_age_min`` .. ``senior_age_max`` in 2016 (integer ages); main person and partner move by
    the same number of years, never to a younger age.  A dated household stays dated: its older
    person's 85th-birthday year must stay after its contractual first IO maturity (the oldest
    allowed age is lowered to fit, and the household is not senior if even ``senior_age_min``
    does not fit).  Three draws per household whatever the outcome.

    Parameters
    ----------
    rng : numpy.random.Generator
        Its own stream.
    params : Mapping
        The ``[io_stock]`` block; without ``senior_share_perpetual`` every shift is 0.
    households : pandas.DataFrame
        :func:`cohorts.synth.io_stock.maturity.plan_maturities`'s households (``loan_id``,
        ``kind``), sorted by loan id.
    births : pandas.DataFrame
        :func:`household_births` of those loans (any order).
    eligible : ndarray of bool
        Per household: may its persons' birth years change (:func:`own_stock_loans`)?
    first_natural_year : ndarray of int64
        Per household: year of its earliest contractual IO maturity (origination + term).

    Returns
    -------
    pandas.Series
        Shift in years (int64, 0 for most) by loan id, in the order of ``households``.
    """
    n = len(households)
    u_senior, u_age, _spare = rng.random(n), rng.random(n), rng.random(n)
    hh = households[C.LOAN_ID].to_numpy()
    shift = np.zeros(n, dtype="int64")
    if "senior_share_perpetual" not in params or n == 0:
        return pd.Series(shift, index=pd.Index(hh, name=C.LOAN_ID))
    b = births.set_index(C.LOAN_ID).reindex(hh)
    older = b["birth_older"].to_numpy().astype("int64")
    main = b["birth_main"].to_numpy().astype("int64")
    kind = households["kind"].to_numpy()
    dated = kind == "dated"
    share = np.where(dated, float(params["senior_share_dated"]), float(params["senior_share_perpetual"]))
    a_min, a_max = int(params["senior_age_min"]), int(params["senior_age_max"])
    life = int(params["life_expectancy"])
    # dated: older person's new birth year >= first maturity year - (life - 1)
    shift_min = np.asarray(first_natural_year, dtype="int64") - (life - 1) - older
    cap = np.where(dated, np.minimum(a_max, SNAPSHOT - (main + shift_min)), a_max)
    senior = eligible & (u_senior < share) & (cap >= a_min)
    age = a_min + np.floor(u_age * (np.maximum(cap, a_min) - a_min + 1)).astype("int64")
    new_main = SNAPSHOT - age
    shift = np.where(senior, np.minimum(new_main - main, 0), 0).astype("int64")
    return pd.Series(shift, index=pd.Index(hh, name=C.LOAN_ID))


def person_births(world: Any, shift: pd.Series) -> pd.Series:
    """New birth year by person id of the main person and partner of each loan with a non-zero shift.

    Returns
    -------
    pandas.Series
        int64 birth years by person id (sorted; empty if no shift).
    """
    s = shift.loc[shift.to_numpy() != 0]
    loans, per = world.loans, world.persons
    pos = pd.Index(loans["loan_id"].to_numpy()).get_indexer(s.index.to_numpy())
    main = loans["main_pid"].to_numpy()[pos]
    pid = pd.Index(per["person_id"].to_numpy())
    prow = pid.get_indexer(main)
    partner = np.where(prow >= 0, per["partner_id"].to_numpy()[np.maximum(prow, 0)], -1)
    ids = np.r_[main, partner]
    d = np.r_[s.to_numpy(), s.to_numpy()]
    rows = pid.get_indexer(ids)
    ok = (ids >= 0) & (rows >= 0)
    new = per["birth_year"].to_numpy().astype("int64")[rows[ok]] + d[ok]
    out = pd.Series(new, index=pd.Index(ids[ok].astype("int64"), name=C.PERSON_ID), name=C.BIRTH_YEAR)
    return out.sort_index()


def apply_births(frames: Iterable[pd.DataFrame], births: pd.Series) -> Iterator[pd.DataFrame]:
    """Replace ``birth_year`` of the persons in ``births`` (sorted index) in CBS persons frames.

    Parameters
    ----------
    frames : iterable of pandas.DataFrame
        CBS persons pieces (:func:`cohorts.synth.panel.cbs_chunks`).
    births : pandas.Series
        :func:`person_births`.

    Yields
    ------
    pandas.DataFrame
        The same frames, every other column untouched (dtype kept).
    """
    keys = births.index.to_numpy()
    values = births.to_numpy()
    for frame in frames:
        if len(keys) and len(frame):
            pos, hit = _lookup(keys, frame[C.PERSON_ID].to_numpy())
            if hit.any():
                col = frame[C.BIRTH_YEAR].to_numpy().copy()
                col[hit] = values[pos[hit]].astype(col.dtype)
                frame[C.BIRTH_YEAR] = col
        yield frame


def first_natural_year(snap: pd.DataFrame, loan_ids: np.ndarray) -> np.ndarray:
    """Year of the earliest contractual maturity of the IO/investment parts of each loan of ``loan_ids``."""
    io = snap[C.REPAYMENT_TYPE].astype(str).isin(IO_TYPES).to_numpy()
    days = pd.Series(_days(snap.loc[io, C.MATURITY_DATE].to_numpy()), index=snap.loc[io, C.LOAN_ID].to_numpy())
    first = days.groupby(level=0).min().reindex(loan_ids).to_numpy()
    return _year(first.astype("int64").astype("datetime64[D]"))
