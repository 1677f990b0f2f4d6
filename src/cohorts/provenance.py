"""Provenance of an output folder: the ``manifest.json`` that every command writes beside its outputs.

A manifest (:func:`run_manifest`) records

* ``inputs``: every input file with its path, size and SHA-256;
* ``outputs``: every file written with it (path relative to the folder),
  size and SHA-256 -- :func:`cohorts.io.write_outputs_with_manifest` fills
  these in from the files just written, before anything is moved into place;
* ``mapping``: the column mapping of a real extract (or the default);
* ``configuration``: the command's parameters, including the disclosure rules;
* ``synthetic``: seed and scale from the synthetic twin's own manifest (None
  for real data);
* ``selection``: the selection table, as records;
* ``versions``: of cohorts, pandas, numpy, lifelines, statsmodels (and Python);
* ``git_commit``: of the toolkit's source when it runs from a git checkout
  (``git rev-parse HEAD``), else None;
* ``started`` and ``finished``: UTC times of the run.

The times make a manifest differ between runs; the outputs it lists do not
(tables and figures are byte-identical for the same inputs).  The synthetic
twin's own manifest is written by :mod:`cohorts.synth` without times, so the
synthetic data stay byte-identical for the same seed.

``cohorts verify DIR`` (:mod:`cohorts.verify`) re-computes the hashes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

import pandas as pd

from cohorts import __version__
from cohorts.io import file_record

#: Packages whose versions every manifest records.
PACKAGES: tuple[str, ...] = ("pandas", "numpy", "lifelines", "statsmodels", "pyarrow", "matplotlib")
MANIFEST_NAME = "manifest.json"


def utc_now() -> str:
    """The current UTC time as ISO 8601 with seconds (``2026-01-31T12:00:00Z``)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def package_versions() -> dict[str, str | None]:
    """Versions of cohorts, Python and :data:`PACKAGES` (None when a package is not installed)."""
    out: dict[str, str | None] = {"cohorts": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit(path: str | os.PathLike | None = None) -> str | None:
    """The commit of the git checkout holding ``path`` (default: this package's source), or None.

    None when git is not installed, the source is not in a checkout (an
    installed wheel), or git fails; never raises.
    """
    where = Path(path) if path is not None else Path(__file__).resolve().parent
    try:
        res = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = res.stdout.strip()
    return text if res.returncode == 0 and len(text) == 40 else None


def input_records(paths: Mapping[str, str | os.PathLike]) -> dict[str, dict]:
    """``{name: {"path", "bytes", "sha256"}}`` of input files (paths made absolute)."""
    return {k: file_record(Path(p).resolve()) for k, p in paths.items()}


def synthetic_settings(data_dir: str | os.PathLike) -> dict | None:
    """Seed and scale from the synthetic twin's manifest in ``data_dir``; None if it is not synthetic."""
    try:
        manifest = json.loads((Path(data_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(manifest, dict) or not manifest.get("synthetic"):
        return None
    return {"seed": manifest.get("seed"), "scale": manifest.get("scale")}


def run_manifest(
    *,
    command: str,
    started: str,
    finished: str,
    inputs: Mapping[str, str | os.PathLike] | Mapping[str, dict],
    outputs: Mapping[str, dict],
    configuration: Mapping[str, object],
    mapping: Mapping[str, object] | None = None,
    synthetic: Mapping[str, object] | None = None,
    selection: pd.DataFrame | None = None,
    extra: Mapping[str, object] | None = None,
) -> dict:
    """The provenance record of one run (see the module docstring for the keys).

    Parameters
    ----------
    command : str
        E.g. ``"cohorts reproduce"``.
    started, finished : str
        UTC times (:func:`utc_now`).
    inputs : mapping
        Name -> path (hashed here) or an existing file record.
    outputs : mapping
        Relative name -> file record (from :func:`cohorts.io.write_outputs_with_manifest`).
    configuration : mapping
        Parameters of the run, the disclosure rules included.
    mapping : mapping, optional
        :meth:`cohorts.io.ColumnMapping.to_dict`.
    synthetic : mapping, optional
        ``{"seed", "scale"}`` of synthetic data; None for real data.
    selection : pandas.DataFrame, optional
        The selection table (stored as records).
    extra : mapping, optional
        Further keys (row counts, artefacts not written, ...).

    Returns
    -------
    dict
        JSON-serialisable.
    """
    ins = {k: (dict(v) if isinstance(v, Mapping) else file_record(Path(v).resolve())) for k, v in inputs.items()}
    return {
        "command": command,
        "started": started,
        "finished": finished,
        "inputs": ins,
        "outputs": {k: dict(v) for k, v in outputs.items()},
        "mapping": dict(mapping) if mapping is not None else None,
        "configuration": dict(configuration),
        "synthetic": dict(synthetic) if synthetic is not None else None,
        "selection": (json.loads(selection.to_json(orient="records")) if selection is not None else None),
        "versions": package_versions(),
        "git_commit": git_commit(),
        **dict(extra or {}),
    }
