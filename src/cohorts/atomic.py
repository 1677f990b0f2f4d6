"""Temporary files of the writers: named, swept, removed on SIGTERM, and given the user's permissions.

Every command writes its outputs atomically: the files go to a temporary file or
folder inside (or beside) the output folder first and are moved into place only
when everything was written (:func:`cohorts.io.write_outputs`,
:func:`cohorts.build.build_and_write`, :func:`cohorts.synth.write.write_synthetic`).
This module keeps those temporaries from piling up:

* every temporary is named ``.cohorts-tmp-<pid>-<host>-<label>-<random>``
  (:data:`TEMP_PREFIX`; ``<host>`` is 8 hex digits of a hash of the host name), made
  by :func:`temp_file` or :func:`temp_dir` and registered while it lives;
* :func:`terminate_cleanly` (around every ``cohorts`` command) turns
  SIGTERM (and SIGHUP) into :class:`Terminated`, an exception, so the
  ``finally`` blocks of the writers remove their temporaries as they do on an
  error or Ctrl-C; an ``atexit`` hook removes whatever is still registered;
* a process killed with SIGKILL cannot clean up, so before a writer makes a new
  temporary in a folder it sweeps that folder (:func:`sweep`): it removes the
  temporaries whose process is gone (same host, pid no longer running), those of
  another host untouched for :data:`FOREIGN_AGE_SECONDS`, and the hidden files
  that versions before this module left (``.stock-*.parquet``, ``.partial-*``,
  ``.<name>.partial-*``, ``.<name>.old-*``) when untouched for
  :data:`LEGACY_AGE_SECONDS`. Nothing else is ever removed: only these names, and
  never a temporary of a process that is still running;
* temporaries from :mod:`tempfile` are private (0600 files, 0700 folders);
  :func:`temp_file` and :func:`temp_dir` give them the mode the user's umask gives
  any new file or folder (:func:`file_mode`, :func:`dir_mode`), so outputs moved
  into place can be read by whoever can read the user's other files.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Start of the name of every temporary file or folder the package makes.
TEMP_PREFIX = ".cohorts-tmp-"
#: A temporary of another host is removed only when untouched this long (its process cannot be asked).
FOREIGN_AGE_SECONDS = 24 * 3600
#: Leftovers of earlier versions (no pid in the name) are removed only when untouched this long.
LEGACY_AGE_SECONDS = 3600

_TEMP_RE = re.compile(re.escape(TEMP_PREFIX) + r"(?P<pid>\d+)-(?P<host>[0-9a-f]{8})-")
#: Names of the temporaries of versions before this module (no owner recorded).
_LEGACY_RE = re.compile(r"\.stock-[a-z0-9_]{8}\.parquet|\.partial-[a-z0-9_]{8}|\..+\.(?:partial|old)-[a-z0-9_]{8}")

_live: set[Path] = set()
_live_lock = threading.Lock()


class Terminated(SystemExit):
    """Raised in the main thread when the process receives SIGTERM or SIGHUP.

    A :class:`SystemExit`, so ``except Exception`` blocks let it pass while
    ``finally`` blocks and context managers run; the exit status is 128 + the
    signal number, as a shell reports a process ended by that signal.
    """

    def __init__(self, signum: int):
        super().__init__(128 + signum)
        self.signum = signum


def host_tag() -> str:
    """8 hex digits that name this host in temporary names."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    with _live_lock:  # elsewhere: set and restore (not atomic for other threads, hence the lock)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode of a new file under the current umask (``0o666 & ~umask``)."""
    return 0o666 & ~current_umask()


def dir_mode() -> int:
    """The mode of a new folder under the current umask (``0o777 & ~umask``)."""
    return 0o777 & ~current_umask()


def _name(label: str, suffix: str = "") -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-{host_tag()}-{label}-{secrets.token_hex(6)}{suffix}"


def temp_file(directory: str | os.PathLike, *, label: str = "file", suffix: str = "") -> Path:
    """Create an empty temporary file in ``directory`` (swept first), with the umask's mode.

    The caller moves it into place or removes it (:func:`discard`); until then it
    is registered, so SIGTERM or the end of the process removes it.
    """
    directory = Path(directory)
    sweep(directory)
    while True:
        path = directory / _name(label, suffix)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        break
    _register(path)
    try:
        os.fchmod(fd, file_mode())
    finally:
        os.close(fd)
    return path


def temp_dir(directory: str | os.PathLike, *, label: str = "dir") -> Path:
    """Create a temporary folder in ``directory`` (swept first), with the umask's mode (see :func:`temp_file`)."""
    directory = Path(directory)
    sweep(directory)
    while True:
        path = directory / _name(label)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # pragma: no cover
            continue
        break
    _register(path)
    path.chmod(dir_mode())
    return path


def _register(path: Path) -> None:
    with _live_lock:
        _live.add(path.absolute())


def release(path: str | os.PathLike) -> None:
    """Stop tracking ``path`` (it was moved into place and is an output now)."""
    with _live_lock:
        _live.discard(Path(path).absolute())


def discard(path: str | os.PathLike) -> None:
    """Remove a temporary file or folder (if it still exists) and stop tracking it."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    release(path)


def live() -> list[Path]:
    """The temporaries of this process that still exist (for tests and the exit hook)."""
    with _live_lock:
        return sorted(p for p in _live if os.path.lexists(p))


def _remove_live() -> None:
    for p in live():
        discard(p)


atexit.register(_remove_live)


def _pid_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _untouched_for(path: Path, now: float) -> float:
    """Seconds since the newest change of ``path`` or, for a folder, of anything in it."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for root, dirs, files in os.walk(path):
            for n in (*dirs, *files):
                with contextlib.suppress(OSError):
                    newest = max(newest, os.lstat(os.path.join(root, n)).st_mtime)
    return now - newest


def is_stale(path: Path, *, now: float | None = None) -> bool:
    """Whether ``path`` is a temporary of this package that no running process owns (rules in the module docstring)."""
    now = time.time() if now is None else now
    m = _TEMP_RE.match(path.name)
    try:
        if m is not None:
            if m["host"] == host_tag():
                return not _pid_running(int(m["pid"]))
            return _untouched_for(path, now) > FOREIGN_AGE_SECONDS
        if _LEGACY_RE.fullmatch(path.name):
            return _untouched_for(path, now) > LEGACY_AGE_SECONDS
    except FileNotFoundError:
        return False
    return False


def sweep(directory: str | os.PathLike) -> list[Path]:
    """Remove the stale temporaries directly in ``directory``; return what was removed.

    Only names of :data:`TEMP_PREFIX` and the leftovers of earlier versions are
    considered (:func:`is_stale`); a missing folder is nothing to sweep.
    """
    directory = Path(directory)
    try:
        entries: Iterable[os.DirEntry[str]] = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return []
    removed = []
    now = time.time()
    for entry in entries:
        if not entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if is_stale(path, now=now):
            discard(path)
            removed.append(path)
    return removed


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread.

    So the ``finally`` blocks of the writers remove their temporaries, as on an
    error or Ctrl-C. A second signal while the first is handled is ignored, so
    clean-up is not cut short. The previous handlers are restored on leaving.
    Outside the main thread this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        for s in _SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise Terminated(signum)

    previous = {s: signal.getsignal(s) for s in _SIGNALS}
    for s in _SIGNALS:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)


_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)
