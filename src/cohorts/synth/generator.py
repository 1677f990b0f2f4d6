"""Assemble the synthetic world: loans, parts and persons, from one seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cohorts.columns import COHORT_YEARS
from cohorts.synth import kinds as K
from cohorts.synth.follow_up import simulate_follow_up
from cohorts.synth.kinds import NO_PERSON_KINDS
from cohorts.synth.loans import Counts, draw_new_loans, planted_counts
from cohorts.synth.params import SynthParams, load_params
from cohorts.synth.parts import add_refinancings, build_parts
from cohorts.synth.stock import draw_old_loans, present_counts
from cohorts.synth.streams import block_generators

LAST_CBS_YEAR = 2019

LOAN_ID_BASE = 100_000_000
PERSON_ID_BASE = 1_000_000_000


@dataclass(frozen=True)
class World:
    """Everything the writers need; built by :func:`build_world`.

    Attributes
    ----------
    params : SynthParams
        Generator parameters.
    scale : float
        Population scale.
    seed : int
        Master seed.
    counts : Counts
        Planted Tabel B3 counts at this scale.
    loans : pandas.DataFrame
        One row per loan (new-type and old), with ``loan_id`` and ``main_pid``
        (-1 without a CBS household).
    parts : pandas.DataFrame
        One row per loan part over its life (see :mod:`cohorts.synth.parts`).
    persons : pandas.DataFrame
        One row per person with base-year values and the years to write.
    rngs : dict of str to numpy.random.Generator
        Block streams (all used when the world is returned).
    cbs_seed : int
        Seed of the CBS-record draws (income walks), so that the records can be
        produced again from the same world.
    io_seed : int
        Seed of the interest-only study's draws (:mod:`cohorts.synth.io_stock`:
        maturities of interest-only parts, the 2017 income-by-source and wealth
        files), from the ``io_stock`` stream; no other stream is touched.
    """

    params: SynthParams
    scale: float
    seed: int
    counts: Counts
    loans: pd.DataFrame
    parts: pd.DataFrame
    persons: pd.DataFrame
    rngs: dict[str, np.random.Generator]
    cbs_seed: int
    io_seed: int = 0


def _pair_second(pair: np.ndarray) -> np.ndarray:
    """True on the second row of each multi-mortgage pair (pairs are adjacent)."""
    prev = np.concatenate([[-2], pair[:-1]])
    return (pair >= 0) & (pair == prev)


def _persons(rng: np.random.Generator, loans: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    kind = loans["kind"].to_numpy()
    pair = loans["pair"].to_numpy()
    second = _pair_second(pair)
    rows = np.flatnonzero(~np.isin(kind, NO_PERSON_KINDS) & ~second)
    first_seen = loans["first_seen"].to_numpy().astype(np.int64)
    last_seen = loans["last_seen"].to_numpy().astype(np.int64)
    last = last_seen.copy()
    sec = np.flatnonzero(second)
    last[sec - 1] = np.maximum(last[sec - 1], last_seen[sec])
    y0 = first_seen[rows]
    y1 = np.minimum(last[rows] + 1, LAST_CBS_YEAR)
    base = first_seen[rows] + 1
    has_p = loans["has_partner"].to_numpy()[rows]
    n_main, n_partner = len(rows), int(has_p.sum())
    pids = PERSON_ID_BASE + rng.permutation(n_main + n_partner).astype(np.int64)
    main_pid, partner_pid = pids[:n_main], pids[n_main:]
    main_partner = np.full(n_main, -1, dtype=np.int64)
    main_partner[has_p] = partner_pid
    g = lambda c: loans[c].to_numpy()[rows]  # noqa: E731
    k = kind[rows]
    main = pd.DataFrame(
        {
            "person_id": main_pid,
            "partner_id": main_partner,
            "birth_year": g("birth_year"),
            "zzp": g("main_zzp"),
            "income": g("main_income"),
            "growth": g("main_growth"),
            "savings": g("main_savings"),
            "securities": g("main_securities"),
            "other_debts": g("main_other_debts"),
            "student_debt": g("main_student_debt"),
            "y0": y0,
            "y1": y1,
            "base_year": base,
            "drop_year": np.where(k == K.CODE[K.MISSING_CBS_MAIN], base, -1),
        }
    )
    p = has_p
    partner = pd.DataFrame(
        {
            "person_id": partner_pid,
            "partner_id": main_pid[p],
            "birth_year": g("partner_birth_year")[p],
            "zzp": g("partner_zzp")[p],
            "income": g("partner_income")[p],
            "growth": g("partner_growth")[p],
            "savings": g("partner_savings")[p],
            "securities": g("partner_securities")[p],
            "other_debts": np.zeros(n_partner),
            "student_debt": g("partner_student_debt")[p],
            "y0": y0[p],
            "y1": y1[p],
            "base_year": base[p],
            "drop_year": np.where(k[p] == K.CODE[K.MISSING_CBS_PARTNER], base[p], -1),
        }
    )
    loan_main = np.full(len(loans), -1, dtype=np.int64)
    loan_main[rows] = main_pid
    loan_main[sec] = loan_main[sec - 1]
    return pd.concat([main, partner], ignore_index=True), loan_main


def build_world(*, scale: float, seed: int, params: SynthParams | None = None) -> World:
    """Generate loans, loan parts and persons.

    Parameters
    ----------
    scale : float
        Population scale; 1.0 gives the report's population (Tabel B3).
    seed : int
        Master seed; the same seed and parameters give the same world.
    params : SynthParams, optional
        Default: the packaged ``params.toml``.

    Returns
    -------
    World

    Raises
    ------
    ValueError
        If ``scale`` is not positive, ``seed`` is negative, or the stock
        targets are smaller than the new mortgages they must contain.
    """
    params = load_params() if params is None else params
    rngs = block_generators(seed)
    counts = planted_counts(params, scale=scale)

    new = draw_new_loans(rngs, params, counts=counts, scale=scale)
    last, bits = simulate_follow_up(
        rngs["follow_up"],
        first_seen=new["first_seen"].to_numpy(),
        orig_year=new["orig_year"].to_numpy(),
        hazard_first=new["hazard_first"].to_numpy(),
        hazard=new["hazard"].to_numpy(),
        params=params,
        exit_factor=new["exit_factor"].to_numpy(),
    )
    new["last_seen"] = last
    new["arrears_bits"] = bits
    in_stock = np.isin(new["kind"].to_numpy(), [K.CODE[K.ANALYSABLE], K.CODE[K.ORIGINATION_YEAR_MISMATCH]])
    present = present_counts(new["first_seen"].to_numpy()[in_stock], last[in_stock])[: len(COHORT_YEARS)]
    targets = counts.stock - present
    if np.any(targets < 0):
        raise ValueError(f"stock targets {counts.stock.tolist()} are below the new mortgages present {present.tolist()}")
    old = draw_old_loans(rngs, params, targets=targets)
    loans = pd.concat([new, old], ignore_index=True)

    is_old = loans["kind"].to_numpy() == K.CODE[K.PRE_2012_STOCK]
    until = np.where(is_old, loans["first_seen"].to_numpy(), loans["orig_year"].to_numpy())
    parts = build_parts(rngs["parts"], params, loans=loans, later_parts_until=until)
    initial = np.bincount(parts["loan_row"].to_numpy(), weights=parts["bal_first"].to_numpy(), minlength=len(loans))
    loans["balance_first"] = initial
    loans["house_value_first"] = initial / (loans["ltv_first"].to_numpy() / 100.0)
    parts = add_refinancings(rngs["refinance"], params, loans=loans, parts=parts)

    loans["loan_id"] = LOAN_ID_BASE + rngs["ids"].permutation(len(loans)).astype(np.int64)
    persons, main_pid = _persons(rngs["ids"], loans)
    loans["main_pid"] = main_pid
    cbs_seed = int(rngs["persons"].integers(0, 2**63 - 1))
    io_seed = int(rngs["io_stock"].integers(0, 2**63 - 1))
    return World(
        params=params, scale=scale, seed=seed, counts=counts, loans=loans, parts=parts, persons=persons,
        rngs=rngs, cbs_seed=cbs_seed, io_seed=io_seed,
    )
