"""Property/regression check: interrupted runs leave no temporaries and the previous outputs intact.

Reference: the rules of the cohorts.atomic docstring (planted situations, checked
as properties). Each test runs the ``cohorts`` command as a separate process, as a
user or a scheduler would, and:

* sends SIGTERM while the run's temporary file or folder exists (the test polls the
  output folder for the ``.cohorts-tmp-<pid>-...`` name), then checks that the
  process ended with status 128 + 15, that no temporary is left, that the
  outputs of the previous run are byte for byte as they were and that
  ``cohorts verify`` still accepts them;
* plants the leftovers of a run killed with SIGKILL (a temporary of a process
  that no longer runs) and of earlier versions (``.stock-*.parquet``,
  ``.partial-*``, older than an hour), and checks that the next run removes
  exactly those, and keeps a fresh legacy name, a temporary of a running
  process and an unrelated hidden file;
* runs with umask 022 and 077 and checks the outputs' modes (0644 and 0600).

``cohorts build`` is interrupted as it runs (it reads ``data_synthetic`` for a few
seconds while its stock temporary exists). ``cohorts synth`` and ``cohorts
reproduce`` write their temporaries for too short a time at small scales, so
they run through a launcher that pauses inside the writer, after the
temporary was made (:data:`_PAUSED`): the signal then lands inside the
writer's ``try`` block, as it would in a long run.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cohorts import atomic
from sample import SAMPLE

ROOT = Path(__file__).resolve().parents[1]
DATA = SAMPLE

#: Runs ``cohorts`` with a pause of PAUSE seconds before every file a writer writes
#: (cohorts.io.write_outputs) and before the synthetic panel is written (inside its temporary folder).
_PAUSED = """
import sys, time
PAUSE = float(sys.argv[1])
import cohorts.io as io
import cohorts.synth.write as sw
_write_outputs, _write_world = io.write_outputs, sw.write_world

def slow(writer):
    def run(path):
        time.sleep(PAUSE)
        return writer(path)
    return run

def write_outputs(out_dir, writers):
    return _write_outputs(out_dir, {name: slow(w) for name, w in writers.items()})

def write_world(world, directory):
    time.sleep(PAUSE)
    return _write_world(world, directory)

io.write_outputs, sw.write_world = write_outputs, write_world
from cohorts.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    env["MPLBACKEND"] = "Agg"
    return env


def _cohorts(*args: str, paused: float | None = None) -> list[str]:
    if paused is None:
        return [sys.executable, "-m", "cohorts.cli", *args]
    return [sys.executable, "-c", _PAUSED, str(paused), *args]


def _run(cmd: list[str], *, umask: int | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=cwd, timeout=900,
                         preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    assert res.returncode == 0, f"{cmd[2:]} failed ({res.returncode}):\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}"
    return res


def _temporaries(*folders: Path) -> list[Path]:
    """Every temporary or legacy leftover name anywhere under ``folders``."""
    found = []
    for folder in folders:
        if folder.is_dir():
            for p in folder.rglob(".*"):
                if p.name.startswith(atomic.TEMP_PREFIX) or atomic._LEGACY_RE.fullmatch(p.name):
                    found.append(p)
    return found


def _interrupt(cmd: list[str], watch: list[Path], *, timeout: float = 300) -> tuple[int, list[Path], str]:
    """Start ``cmd``; send SIGTERM as soon as a temporary appears directly in one of ``watch``."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    seen: list[Path] = []
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            seen = [p for d in watch if d.is_dir() for p in d.iterdir() if p.name.startswith(atomic.TEMP_PREFIX)]
            if seen:
                proc.send_signal(signal.SIGTERM)
                break
            time.sleep(0.005)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert seen, f"the run ended (status {proc.returncode}) before a temporary appeared in {watch}:\n{err[-2000:]}"
    for p in seen:
        assert p.name.startswith(f"{atomic.TEMP_PREFIX}{proc.pid}-{atomic.host_tag()}-"), p.name
    return proc.returncode, seen, err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()}


def _dead_pid() -> int:
    """The pid of a process that has ended (not reused this soon on Linux, which hands out pids in turn)."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


# ---------------------------------------------------------------------------------------- build
@pytest.mark.slow
def test_sigterm_during_build_keeps_previous_outputs(tmp_path):
    out = tmp_path / "build"
    _run(_cohorts("build", "--data", str(DATA), "--out", str(out)))
    before = _snapshot(out)
    assert {"cohorts.parquet", "panel.parquet", "stock.parquet", "selection.csv", "manifest.json"} <= set(before)

    code, seen, err = _interrupt(_cohorts("build", "--data", str(DATA), "--out", str(out)), [out])
    assert code == 128 + signal.SIGTERM, err[-2000:]
    assert any("-stock-" in p.name for p in seen)
    assert _temporaries(tmp_path) == []
    assert _snapshot(out) == before
    _run(_cohorts("verify", str(out)))


@pytest.mark.slow
def test_next_build_sweeps_stale_temporaries_only(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    host, dead = atomic.host_tag(), _dead_pid()
    stale_dir = out / f"{atomic.TEMP_PREFIX}{dead}-{host}-partial-0123456789ab"
    stale_dir.mkdir()
    (stale_dir / "cohorts.parquet").write_bytes(b"half")
    stale_file = out / f"{atomic.TEMP_PREFIX}{dead}-{host}-stock-0123456789ab.parquet"
    stale_file.write_bytes(b"half")
    old_stock, old_partial = out / ".stock-abcd1234.parquet", out / ".partial-abcd1234"
    old_stock.write_bytes(b"old")
    old_partial.mkdir()
    (old_partial / "panel.parquet").write_bytes(b"old")
    two_hours_ago = time.time() - 2 * 3600
    for p in (old_stock, old_partial / "panel.parquet", old_partial):
        os.utime(p, (two_hours_ago, two_hours_ago))
    fresh_legacy = out / ".stock-fresh123.parquet"  # untouched for less than an hour: maybe a running old version
    fresh_legacy.write_bytes(b"new")
    running = out / f"{atomic.TEMP_PREFIX}{os.getpid()}-{host}-partial-0123456789ab"  # this test process runs
    running.mkdir()
    other = out / ".keep"
    other.write_text("mine")

    _run(_cohorts("build", "--data", str(DATA), "--out", str(out)))
    left = {p.name for p in out.iterdir()}
    assert not {stale_dir.name, stale_file.name, old_stock.name, old_partial.name} & left
    assert {fresh_legacy.name, running.name, other.name} <= left
    assert {"cohorts.parquet", "stock.parquet", "manifest.json"} <= left
    _run(_cohorts("verify", str(out)))


@pytest.mark.slow
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_build_outputs_get_the_umasks_mode(tmp_path, umask, mode):
    out = tmp_path / "build"
    _run(_cohorts("build", "--data", str(DATA), "--out", str(out)), umask=umask)
    modes = _modes(out)
    assert modes["stock.parquet"] == mode
    assert set(modes) == {"cohorts.parquet", "panel.parquet", "stock.parquet", "selection.csv", "manifest.json"}
    assert set(modes.values()) == {mode}


# ---------------------------------------------------------------------------------------- synth
@pytest.mark.slow
def test_sigterm_during_synth_keeps_previous_outputs(tmp_path):
    out = tmp_path / "data"
    _run(_cohorts("synth", "--scale", "0.001", "--seed", "3", "--out", str(out)))
    before = _snapshot(out)
    code, seen, err = _interrupt(_cohorts("synth", "--scale", "0.001", "--seed", "4", "--out", str(out), paused=30),
                                 [tmp_path])
    assert code == 128 + signal.SIGTERM, err[-2000:]
    assert any("-synth-" in p.name for p in seen)
    assert _temporaries(tmp_path) == []
    assert _snapshot(out) == before


@pytest.mark.slow
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_synth_outputs_get_the_umasks_mode(tmp_path, umask, mode):
    out = tmp_path / "data"
    _run(_cohorts("synth", "--scale", "0.001", "--seed", "3", "--out", str(out)), umask=umask)
    modes = _modes(out)
    assert "lld_loan_parts.parquet" in modes and "manifest.json" in modes
    assert set(modes.values()) == {mode}
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask


# ---------------------------------------------------------------------------------------- reproduce
@pytest.mark.slow
def test_reproduce_umask_then_sigterm_keeps_previous_outputs(tmp_path):
    out, paper = tmp_path / "out", tmp_path / "paper"
    args = ("reproduce", "--data", str(DATA), "--scale", "0.01", "--seed", "20221", "--out", str(out),
            "--paper", str(paper), "--quiet")
    _run(_cohorts(*args), umask=0o077)
    modes = {**_modes(out), **{f"paper/{k}": v for k, v in _modes(paper).items()}}
    assert "manifest.json" in modes and any(k.startswith("tables/") for k in modes)
    assert any(k.startswith("paper/") for k in modes)
    assert {k: v for k, v in modes.items() if v != 0o600} == {}
    before_out, before_paper = _snapshot(out), _snapshot(paper)

    code, seen, err = _interrupt(_cohorts(*args, paused=30), [out, *(p for p in out.rglob("*") if p.is_dir()), paper])
    assert code == 128 + signal.SIGTERM, err[-2000:]
    assert _temporaries(tmp_path) == []
    assert _snapshot(out) == before_out and _snapshot(paper) == before_paper
    _run(_cohorts("verify", str(out)))
