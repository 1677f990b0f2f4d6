"""Offline install: ``make wheelhouse``, then an install from it alone, with no network.

Reference: planted truth and a hand-worked value. The wheelhouse is built as the
README says (``make wheelhouse``; downloading is allowed while building); a fresh
virtual environment then installs ``cohorts`` with ``pip install --no-index
--find-links`` and every pip configuration file ignored, in a network namespace
without any network where the system allows it (root), else through a proxy
address where nothing listens, so any download would fail. The installed
command must answer ``--help`` and build the hand-built tiny panel
(``tests/tiny_panel.py``: 4 analysable mortgages, worked out by hand in its
docstring) into an output folder that ``cohorts verify`` accepts.

About 1.5 minutes on 2 cores (the wheelhouse is about 200 MB, the environment
about 1 GB; both are removed at the end).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cohorts.io import write_parquet

from tiny_panel import tiny_cbs, tiny_key, tiny_lld

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _offline_prefix() -> list[str]:
    """``unshare -n`` (a network namespace with only a loopback that is down) when it works here, else nothing."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def _offline_env() -> dict[str, str]:
    """The environment without pip's configuration (no extra index, no find-links) and with a dead proxy."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env.update({"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
                "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "PYTHONNOUSERSITE": "1"})
    env.pop("PYTHONPATH", None)
    return env


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))} failed ({res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


def test_wheelhouse_installs_and_builds_offline(tmp_path):
    work = tmp_path / "offline"
    work.mkdir()
    try:
        wheelhouse = work / "wheelhouse"
        _run(["make", "-C", str(ROOT), "wheelhouse", f"PYTHON={sys.executable}", f"WHEELHOUSE={wheelhouse}"])
        wheels = sorted(p.name for p in wheelhouse.iterdir())
        assert any(n.startswith("cohorts-") and n.endswith("-py3-none-any.whl") for n in wheels), wheels
        assert all(n.endswith(".whl") for n in wheels), [n for n in wheels if not n.endswith(".whl")]
        assert not (ROOT / "build").exists()  # the target leaves no setuptools build folder behind

        venv = work / "venv"
        _run([sys.executable, "-m", "venv", str(venv)])
        offline, env = _offline_prefix(), _offline_env()
        bin_ = venv / "bin"
        _run([*offline, str(bin_ / "python"), "-m", "pip", "install", "--quiet", "--no-index",
              "--find-links", str(wheelhouse), "cohorts"], env=env, cwd=work)

        # the installed package, not the source tree
        where = _run([*offline, str(bin_ / "python"), "-c", "import cohorts; print(cohorts.__file__)"],
                     env=env, cwd=work).stdout.strip()
        assert Path(where).is_relative_to(venv), where
        helptext = _run([*offline, str(bin_ / "cohorts"), "--help"], env=env, cwd=work).stdout
        assert "build" in helptext and "verify" in helptext

        data = work / "data"
        data.mkdir()
        write_parquet(tiny_lld(), data / "lld_loan_parts.parquet")
        write_parquet(tiny_cbs(), data / "cbs_persons.parquet")
        write_parquet(tiny_key(), data / "key_table.parquet")
        out = work / "build"
        _run([*offline, str(bin_ / "cohorts"), "build", "--data", str(data), "--out", str(out), "--quiet"],
             env=env, cwd=work)
        assert len(pd.read_parquet(out / "cohorts.parquet")) == 4  # hand-worked (tiny_panel docstring)
        _run([*offline, str(bin_ / "cohorts"), "verify", str(out)], env=env, cwd=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(ROOT / "build", ignore_errors=True)
