"""Progress lines of the command-line stages: a heartbeat while a long step runs.

The commands print one line when a stage starts and one with its wall time
when it ends (``cohorts build``, ``cohorts analyze``, ``cohorts reproduce``).
A step that reports nothing while it runs (the disclosure audit can take
minutes on the full population) is wrapped in :func:`heartbeat`, which prints
``"  ... still <doing> (<s> s)"`` every ``every`` seconds from a background
thread until the step ends.  Only the command-line layer uses this; the
library functions print nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

HEARTBEAT_SECONDS = 30.0


@contextmanager
def heartbeat(log: Callable[[str], None], doing: str, *, every: float | None = None) -> Iterator[None]:
    """Call ``log("  ... still <doing> (<elapsed> s)")`` every ``every`` seconds until the block ends.

    Parameters
    ----------
    log : callable
        Receives each progress line (``print`` to stderr in the commands).
    doing : str
        What runs, e.g. ``"attacking the release"``.
    every : float, optional
        Seconds between lines (default :data:`HEARTBEAT_SECONDS`, 30); the
        first comes after ``every`` seconds, so a short step prints nothing.
    """
    every = HEARTBEAT_SECONDS if every is None else every
    if every <= 0:
        raise ValueError(f"every must be > 0 seconds, but was {every!r}")
    done = threading.Event()
    t0 = time.perf_counter()

    def beat() -> None:
        while not done.wait(every):
            log(f"  ... still {doing} ({time.perf_counter() - t0:.0f} s)")

    thread = threading.Thread(target=beat, name="cohorts-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
