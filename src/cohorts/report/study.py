"""Load the study data for the report: generate (synthetic), build or reuse, read.

:func:`load_study` is the one way the notebooks and ``cohorts reproduce`` get
their data:

1. **Raw data.**  ``data_dir`` holds the raw inputs (the synthetic twin or a
   real extract described by a column mapping).  When it has none and a
   ``scale`` and ``seed`` are given, the synthetic twin is generated there with
   :func:`cohorts.synth.write_synthetic`; a synthetic folder made with another
   seed or scale is regenerated.  Real extracts are never touched.
2. **Build.**  When ``build_dir`` holds a build (``cohorts.parquet`` ...
   ``manifest.json``, as ``cohorts build`` writes it) of exactly these input
   files (same SHA-256) and the same threshold, it is read; otherwise the build
   runs and its outputs are written to ``build_dir`` atomically.
3. **Scale.**  Counts are compared with the report after dividing by the
   scale: the synthetic manifest's ``scale``, else the ``scale`` argument, else
   1.0 (real data).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cohorts.build import BuildResult, build_and_write, build_manifest
from cohorts.io import DEFAULT_STEMS, KINDS, ColumnMapping, load_mapping, resolve_input, sha256_file

BUILD_FILES: tuple[str, ...] = ("cohorts.parquet", "panel.parquet", "stock.parquet", "selection.csv", "manifest.json")


@dataclass(frozen=True)
class Study:
    """The built study data and where it came from.

    Attributes
    ----------
    cohorts, panel, stock, selection : pandas.DataFrame
        The outputs of :func:`cohorts.build.build`.
    scale : float
        Population scale of the data (1.0 for real data).
    synthetic : bool
        Whether the raw data are the synthetic twin.
    data_dir, build_dir : pathlib.Path
        Raw inputs and build outputs.
    rebuilt : bool
        Whether the build ran (False: an existing build was read).
    wlt_reading : str
        Reading of the actual-cost test the build used (:mod:`cohorts.norms.wlt`).
    """

    cohorts: pd.DataFrame
    panel: pd.DataFrame
    stock: pd.DataFrame
    selection: pd.DataFrame
    scale: float
    synthetic: bool
    data_dir: Path
    build_dir: Path
    rebuilt: bool
    wlt_reading: str = "toetsrente"

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """``{"cohorts": ..., "panel": ..., "stock": ...}``."""
        return {"cohorts": self.cohorts, "panel": self.panel, "stock": self.stock}


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _has_raw_inputs(data_dir: Path, mapping: ColumnMapping) -> bool:
    return not _missing_inputs(data_dir, mapping)


def _missing_inputs(data_dir: Path, mapping: ColumnMapping) -> list[str]:
    """Why each raw input that cannot be found is missing (empty when all three are there)."""
    out = []
    for kind in KINDS:
        try:
            resolve_input(data_dir, kind, mapping)
        except FileNotFoundError as exc:
            out.append(str(exc))
    return out


def _present_inputs(data_dir: Path) -> list[str]:
    """The raw-input files under their default names that ``data_dir`` holds."""
    return [f"{DEFAULT_STEMS[k]}{ext}" for k in KINDS for ext in (".parquet", ".csv")
            if (data_dir / f"{DEFAULT_STEMS[k]}{ext}").is_file()]


# what to pass to use a folder as it is, for both ways in: the command line and load_study
_AS_IS = ("To use them as they are, run `cohorts reproduce --data {d} --real` (add `--mapping FILE` when the "
          "extract's files or columns have other names), or call load_study({d!r}, ...) without scale and seed")
_NO_INPUTS = ("{d}: no raw inputs found: {why}. Put the three inputs there (lld_loan_parts, cbs_persons, key_table "
              "as .parquet or .csv) or name the extract's files in a column mapping (`--mapping FILE`; "
              "load_study(mapping=...); see 'Pointing it at real extracts' in the README)")


def ensure_synthetic(data_dir: str | os.PathLike, *, scale: float, seed: int) -> dict:
    """Make sure ``data_dir`` holds the synthetic twin of this ``scale`` and ``seed``.

    Reuses an existing synthetic folder with the same seed and scale;
    otherwise (empty, missing, or synthetic with other settings) generates it.

    Returns
    -------
    dict
        The synthetic manifest.

    Raises
    ------
    ValueError
        If ``data_dir`` holds raw-input files (even only some) without a
        synthetic manifest: they are never overwritten; the message says
        what to pass to use them as they are.
    """
    data_dir = Path(data_dir)
    manifest = _read_json(data_dir / "manifest.json")
    if manifest is not None and manifest.get("synthetic") and manifest.get("seed") == seed \
            and float(manifest.get("scale", -1)) == float(scale) and _has_raw_inputs(data_dir, ColumnMapping()):
        return manifest
    present = _present_inputs(data_dir)
    if not (manifest is not None and manifest.get("synthetic")) and present:
        raise ValueError(
            f"{data_dir}: holds raw inputs ({', '.join(present)}) but no synthetic manifest.json, so they are not "
            f"the synthetic twin; refusing to overwrite them with synthetic data. " + _AS_IS.format(d=str(data_dir))
            + "; to generate the synthetic twin, give --data (data_dir) an empty or new folder")
    from cohorts.synth import write_synthetic

    return write_synthetic(data_dir, scale=scale, seed=seed)


def _build_is_current(build_dir: Path, data_paths: dict[str, Path], threshold: float,
                      wlt_reading: str = "toetsrente") -> bool:
    manifest = _read_json(build_dir / "manifest.json")
    if manifest is None or not all((build_dir / f).exists() for f in BUILD_FILES):
        return False
    inputs = manifest.get("inputs", {})
    for kind, path in data_paths.items():
        rec = inputs.get(kind, {})
        if rec.get("bytes") != path.stat().st_size or rec.get("sha256") != sha256_file(path):
            return False
    parameters = manifest.get("parameters", {})
    return (float(parameters.get("threshold", float("nan"))) == float(threshold)
            and parameters.get("wlt_reading", "toetsrente") == wlt_reading)


def load_study(
    data_dir: str | os.PathLike,
    build_dir: str | os.PathLike,
    *,
    scale: float | None = None,
    seed: int | None = None,
    mapping: str | os.PathLike | None = None,
    threshold: float = 1.0,
    rebuild: bool = False,
    stock_columns: Sequence[str] | None = None,
    wlt_reading: str = "toetsrente",
) -> Study:
    """Generate (synthetic only), build or reuse, and read the study data.

    Parameters
    ----------
    data_dir : path-like
        Raw inputs: the synthetic twin (e.g. ``data_synthetic``) or a real extract.
    build_dir : path-like
        Where the build outputs are (or will be written).
    scale, seed : float, int, optional
        Both given: generate the synthetic twin in ``data_dir`` if it is not
        there with these settings.  Neither: use ``data_dir`` as it is.
    mapping : path-like, optional
        Column-mapping TOML of a real extract (see :mod:`cohorts.io`).
    threshold : float, default 1.0
        LTI-utilisation cut-off of the ``high`` flag.
    rebuild : bool, default False
        Build even when a current build exists.
    stock_columns : sequence of str, optional
        Keep only these columns of the stock (default: all). The stock of the
        full population has about 12 million rows; the report's tables need a
        few of its columns (:data:`cohorts.studies.high_mortgages.tables.STOCK_COLUMNS`).
    wlt_reading : {"toetsrente", "contract"}, default "toetsrente"
        Reading of the actual-cost test (WLT) the build applies
        (:func:`cohorts.norms.apply_norm`); a build made with another reading
        is rebuilt.

    Returns
    -------
    Study

    Raises
    ------
    ValueError
        If only one of ``scale`` and ``seed`` is given, or ``data_dir`` has no
        raw inputs and no settings to generate them (the message names each
        missing input and what to pass), or holds raw inputs that are not the
        synthetic twin while ``scale`` and ``seed`` ask for it.

    Warns
    -----
    cohorts.errors.NormTableFallbackWarning
        From the norm engine when the build runs (cohorts without official tables).
    """

    data_dir, build_dir = Path(data_dir), Path(build_dir)
    if (scale is None) != (seed is None):
        raise ValueError(f"give both scale and seed (to generate synthetic data) or neither, "
                         f"but got scale={scale!r}, seed={seed!r}")
    cmap = load_mapping(mapping) if mapping is not None else ColumnMapping()
    if scale is not None and mapping is None:
        synth_manifest = ensure_synthetic(data_dir, scale=float(scale), seed=int(seed))
    else:
        if not data_dir.is_dir():
            raise ValueError(f"{data_dir}: no raw inputs found: no such folder (check `--data DIR`, load_study's "
                             "data_dir)")
        missing = _missing_inputs(data_dir, cmap)
        if missing:
            raise ValueError(_NO_INPUTS.format(d=data_dir, why="; ".join(m.removeprefix(f"{data_dir}: ")
                                                                          for m in missing)))
        synth_manifest = _read_json(data_dir / "manifest.json")
    synthetic = bool(synth_manifest and synth_manifest.get("synthetic"))
    data_scale = float(synth_manifest["scale"]) if synthetic else (float(scale) if scale is not None else 1.0)
    paths = {kind: resolve_input(data_dir, kind, cmap) for kind in KINDS}

    from cohorts.norms.wlt import check_reading

    check_reading(wlt_reading)
    if not rebuild and _build_is_current(build_dir, paths, threshold, wlt_reading):
        return Study(
            cohorts=pd.read_parquet(build_dir / "cohorts.parquet"),
            panel=pd.read_parquet(build_dir / "panel.parquet"),
            stock=pd.read_parquet(build_dir / "stock.parquet", columns=None if stock_columns is None else list(stock_columns)),
            selection=pd.read_csv(build_dir / "selection.csv"),
            scale=data_scale, synthetic=synthetic, data_dir=data_dir, build_dir=build_dir, rebuilt=False,
            wlt_reading=wlt_reading,
        )
    from cohorts.provenance import utc_now

    started = utc_now()
    def manifest(result: BuildResult, inputs: Mapping[str, Path]) -> dict:
        return build_manifest(
            result, inputs=inputs, mapping=cmap, parameters={"threshold": threshold, "wlt_reading": wlt_reading},
            command="cohorts.report.load_study", extra={"scale": data_scale}, started=started, finished=utc_now(),
            synthetic={"seed": synth_manifest.get("seed"), "scale": synth_manifest.get("scale")} if synthetic else None,
        )

    # the stock is written while it is built, then read back (only the columns asked for)
    result = build_and_write(data_dir, build_dir, mapping=cmap, manifest=manifest, threshold=threshold,
                             wlt_reading=wlt_reading)
    stock = pd.read_parquet(build_dir / "stock.parquet", columns=None if stock_columns is None else list(stock_columns))
    return Study(cohorts=result.cohorts, panel=result.panel, stock=stock, selection=result.selection,
                 scale=data_scale, synthetic=synthetic, data_dir=data_dir, build_dir=build_dir, rebuilt=True,
                 wlt_reading=wlt_reading)
