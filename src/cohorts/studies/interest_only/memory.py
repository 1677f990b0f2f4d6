"""Process-level allocator settings for ``cohorts refinance`` at scale (an edge of the program, like the CLI).

At the report's population (about 1.7 million households with 4 million loan parts, read from 30
million LLD rows and 24 million CBS rows) the command allocates and frees its frames by the
gigabyte.  Two allocators keep freed memory for reuse instead of returning it to the operating
system, so the process's resident memory (what the 6 GB target of ``benchmarks/README.md``
bounds) grows well past what it holds:

* Arrow's default pool (mimalloc) holds the buffers the parquet reader decoded (a pandas column
  converted without a copy lives in one), long after the frame is gone;
* glibc's ``malloc`` raises its mmap threshold after a large block is freed (up to 32 MB), after
  which column-sized arrays (a few MB at scale 1.0) come from the heap, which gives memory back
  only from its top.

:func:`return_freed_memory` makes Arrow allocate with the system allocator and fixes glibc's mmap
threshold at 128 KiB, so that every array larger than that is a mapping of its own, returned when
it is freed; once the frames are built and prepared, :func:`reuse_freed_memory` raises the threshold
to 32 MB, so that the sweep's many same-sized arrays are reused from the heap.  Nothing else changes (the same numbers, the same files); the cost is a page fault per
new page of a large array.  With another C library only the Arrow part applies.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa

#: ``mallopt`` parameter number of ``M_MMAP_THRESHOLD`` (glibc ``malloc.h``).
M_MMAP_THRESHOLD = -3
#: Allocations of at least this many bytes get a mapping of their own (glibc's initial default).
MMAP_THRESHOLD = 128 * 1024
#: glibc's largest mmap threshold on 64-bit systems (``DEFAULT_MMAP_THRESHOLD_MAX``): below it the heap serves.
HEAP_THRESHOLD = 32 * 1024 * 1024


def _mallopt_threshold(size: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, size))
    except (OSError, AttributeError):  # no glibc: no mallopt
        return False


def reuse_freed_memory() -> bool:
    """Once the frames are built and prepared: let the heap serve arrays below 32 MB again; process-wide.

    The sweep and the outcomes allocate and free arrays of one size (a column of the households) many
    times; from the heap a freed one is reused at once, as a fresh mapping is not (twice the sweep's time
    with :func:`return_freed_memory`'s threshold).  Returns whether ``mallopt`` accepted it.
    """
    return _mallopt_threshold(HEAP_THRESHOLD)


def return_freed_memory() -> dict[str, bool]:
    """Make freed memory go back to the operating system (see the module docstring); process-wide.

    Returns
    -------
    dict
        ``{"arrow_system_pool": True, "glibc_mmap_threshold": bool}``: whether ``mallopt`` was
        available and accepted the fixed threshold.
    """
    pa.set_memory_pool(pa.system_memory_pool())
    return {"arrow_system_pool": True, "glibc_mmap_threshold": _mallopt_threshold(MMAP_THRESHOLD)}


__all__ = ["HEAP_THRESHOLD", "MMAP_THRESHOLD", "M_MMAP_THRESHOLD", "return_freed_memory", "reuse_freed_memory"]
