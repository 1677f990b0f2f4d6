"""Regression/property check: provenance manifests and the manifest-writing output helper of cohorts.io.

Contract checks: the manifest lists exactly the files written with their true
hashes; a failing writer leaves the folder as it was; the git commit is a
40-character hash or None, never an error.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from cohorts.io import write_outputs_with_manifest
from cohorts.provenance import (
    git_commit,
    package_versions,
    run_manifest,
    synthetic_settings,
    utc_now,
)


def test_manifest_hashes_the_files_as_written(tmp_path):
    out = tmp_path / "out"

    def manifest(records):
        return run_manifest(command="test", started=utc_now(), finished=utc_now(), inputs={}, outputs=records,
                            configuration={"a": 1}, selection=pd.DataFrame({"step": ["x"], "rows": [3]}))

    write_outputs_with_manifest(out, {"a.csv": lambda p: p.write_text("1\n"),
                                      "sub/b.txt": lambda p: p.write_text("hello")}, manifest)
    m = json.loads((out / "manifest.json").read_text())
    assert set(m["outputs"]) == {"a.csv", "sub/b.txt"}
    assert m["outputs"]["sub/b.txt"]["sha256"] == hashlib.sha256(b"hello").hexdigest()
    assert m["outputs"]["a.csv"]["bytes"] == 2
    assert m["selection"] == [{"step": "x", "rows": 3}]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_failed_write_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old\n")

    def boom(_records):
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_outputs_with_manifest(out, {"a.csv": lambda p: p.write_text("new\n")}, boom)
    assert sorted(p.name for p in out.iterdir()) == ["a.csv"] and (out / "a.csv").read_text() == "old\n"
    with pytest.raises(ValueError, match="written by the manifest itself"):
        write_outputs_with_manifest(out, {"manifest.json": lambda p: None}, lambda r: {})


def test_versions_git_and_synthetic_settings(tmp_path):
    v = package_versions()
    assert {"cohorts", "python", "pandas", "numpy", "lifelines", "statsmodels"} <= set(v)
    commit = git_commit()
    assert commit is None or (len(commit) == 40 and int(commit, 16) >= 0)
    assert git_commit(tmp_path) is None  # not a checkout
    assert synthetic_settings(tmp_path) is None
    (tmp_path / "manifest.json").write_text(json.dumps({"synthetic": True, "seed": 3, "scale": 0.5}))
    assert synthetic_settings(tmp_path) == {"seed": 3, "scale": 0.5}
