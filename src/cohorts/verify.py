"""``cohorts verify DIR``: do an output folder's files and inputs still match its manifest?

Reads ``DIR/manifest.json`` (written by ``cohorts build``, ``cohorts analyze``
and ``cohorts reproduce``; see :mod:`cohorts.provenance`), re-computes the size
and SHA-256 of every recorded input (at its recorded path) and output (relative
to ``DIR``), and prints one line per mismatch: a missing file, another size,
another hash.  Exit code 0 when everything matches, 1 otherwise (2 when the
manifest itself is missing or unreadable).
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cohorts.io import sha256_file
from cohorts.provenance import MANIFEST_NAME


@dataclass(frozen=True)
class Mismatch:
    """One recorded file that no longer matches.

    Attributes
    ----------
    role : str
        ``"input"`` or ``"output"``.
    name : str
        The manifest's key of the file.
    path : str
        Where it was looked for.
    problem : str
        ``"missing"``, ``"size"`` or ``"sha256"``, with the recorded and found values.
    """

    role: str
    name: str
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.role} {self.name} ({self.path}): {self.problem}"


def _check(role: str, name: str, path: Path, record: dict) -> Mismatch | None:
    if not path.is_file():
        return Mismatch(role, name, str(path), "missing")
    size = path.stat().st_size
    if record.get("bytes") is not None and size != record["bytes"]:
        return Mismatch(role, name, str(path), f"size {size} bytes, recorded {record['bytes']}")
    digest = sha256_file(path)
    if digest != record.get("sha256"):
        return Mismatch(role, name, str(path), f"sha256 {digest[:12]}..., recorded {str(record.get('sha256'))[:12]}...")
    return None


def verify_dir(directory: str | os.PathLike) -> tuple[int, list[Mismatch]]:
    """Re-hash every input and output recorded in ``directory/manifest.json``.

    Returns
    -------
    n_checked : int
        Files checked.
    mismatches : list of Mismatch
        Empty when everything matches.

    Raises
    ------
    FileNotFoundError
        No manifest in ``directory``.
    ValueError
        The manifest is not JSON or records no files.
    """
    directory = Path(directory)
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{directory}: no {MANIFEST_NAME} (is this an output folder of cohorts?)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from exc
    inputs = manifest.get("inputs") or {}
    outputs = manifest.get("outputs") or {}
    if not isinstance(inputs, dict) or not isinstance(outputs, dict) or not (inputs or outputs):
        raise ValueError(f"{path}: records no input or output files")
    mismatches: list[Mismatch] = []
    for name, rec in inputs.items():
        m = _check("input", name, Path(rec.get("path", name)), rec)
        if m:
            mismatches.append(m)
    for name, rec in outputs.items():
        m = _check("output", name, directory / rec.get("path", name), rec)
        if m:
            mismatches.append(m)
    return len(inputs) + len(outputs), mismatches


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the argument of ``cohorts verify``."""
    parser.add_argument("dir", type=Path, metavar="DIR", help="output folder with a manifest.json")


def run(args: argparse.Namespace) -> int:
    """``cohorts verify DIR``: 0 if every recorded file matches, 1 with a list of mismatches otherwise."""
    n, mismatches = verify_dir(args.dir)
    if mismatches:
        print(f"cohorts verify: {args.dir}: {len(mismatches)} of {n} recorded file(s) do not match:")
        for m in mismatches:
            print(f"  - {m}")
        return 1
    print(f"cohorts verify: {args.dir}: all {n} recorded file(s) match")
    return 0
