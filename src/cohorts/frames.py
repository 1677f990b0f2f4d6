"""Frame helpers that keep the memory of millions of rows in check (pure, no I/O)."""

from __future__ import annotations

from collections.abc import MutableSequence

import pandas as pd
from pandas.api.types import union_categoricals


def join_rows(frames: MutableSequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack frames with the same columns, one column at a time, emptying ``frames`` as it goes.

    The same frame as ``pd.concat(frames, ignore_index=True)`` (categorical
    columns get the union of the categories), for less peak memory: each
    input column is released as soon as its joined column exists, so the
    inputs and the result are never both complete. ``frames`` is cleared.
    """
    if len(frames) == 1:
        return frames.pop()
    names = list(frames[0].columns)
    out: dict[str, pd.Series] = {}
    for name in names:
        parts = [f[name] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            joined = pd.Series(union_categoricals([p.array for p in parts]))
        else:
            joined = pd.concat(parts, ignore_index=True)
        del parts
        for f in frames:
            del f[name]  # a frame built column by column holds one block per column: this frees it
        out[name] = joined
    frames.clear()
    return pd.DataFrame(out, copy=False)


def side_by_side(*frames: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``frames`` (same index, distinct names) in one frame, without copying them.

    ``pd.concat(frames, axis=1, copy=False)`` consolidates columns of one
    dtype into 2-D blocks, which copies every one of them; this keeps one
    block per column, as the frames had.
    """
    columns: dict[str, pd.Series] = {}
    for f in frames:
        if not f.index.equals(frames[0].index):
            raise ValueError("side_by_side: the frames have different indexes")
        for name, col in f.items():
            if name in columns:
                raise ValueError(f"side_by_side: column {name!r} is in two frames")
            columns[name] = col
    return pd.DataFrame(columns, copy=False)
