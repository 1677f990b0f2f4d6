"""Independent random streams, one per generation block, from one seed."""

from __future__ import annotations

import numpy as np

BLOCKS: tuple[str, ...] = (
    "population",
    "households",
    "loans",
    "parts",
    "follow_up",
    "stock",
    "stock_households",
    "stock_parts",
    "refinance",
    "persons",
    "ids",
    "io_stock",
)
"""Block names; new blocks are appended so existing streams stay the same."""


def block_generators(seed: int) -> dict[str, np.random.Generator]:
    """One :class:`numpy.random.Generator` per block, spawned from ``seed``.

    Parameters
    ----------
    seed : int
        Non-negative master seed (``--seed``).

    Returns
    -------
    dict of str to numpy.random.Generator
        Keyed by the names in :data:`BLOCKS`; each block's stream does not depend
        on how many numbers other blocks draw.

    Raises
    ------
    ValueError
        If ``seed`` is negative.
    """
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, but was {seed}")
    children = np.random.default_rng(seed).bit_generator.seed_seq.spawn(len(BLOCKS))
    return {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(BLOCKS, children)}
