"""Regression/property check: the four notebooks run headless on the committed synthetic sample.

Each notebook is run with nbconvert's ExecutePreprocessor after its
``parameters`` cell is replaced so that the build and the exports go to a
temporary folder (the repository's ``out/`` and ``paper/`` are not touched).
A regression check: the notebooks run, write their exports and are stored
without outputs.  A contract check: the notebooks write only through the
export gate (:class:`cohorts.report.Exporter`): every export is listed in
``disclosure_log.csv`` and ``manifest.json`` beside them, and no notebook
writes files or calls an ungated writer itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE = ROOT / "data_synthetic"
NAMES = ("01-data-and-cohorts", "02-norm-utilisation", "03-risk-profile", "04-arrears-survival")

#: exports each notebook must write (paper/figures/<name>.pdf or paper/tables/<name>.csv)
EXPECTED = {
    "01-data-and-cohorts": ["tables/table_B3.csv"],
    "02-norm-utilisation": ["figures/figure_1.pdf", "figures/figure_2.pdf", "figures/figure_3.pdf",
                            "figures/figure_b1.pdf", "figures/figure_b2.pdf", "tables/table_T1.tex"],
    "03-risk-profile": ["figures/figure_4.pdf", "figures/figure_5.pdf", "figures/figure_6.pdf",
                        "tables/table_T2.tex", "tables/table_B8.csv"],
    "04-arrears-survival": ["tables/table_T5.tex", "figures/figure_7.pdf", "figures/figure_8.png",
                            "figures/figure_9.pdf", "figures/figure_sweep.pdf", "figures/figure_cox.pdf",
                            "figures/figure_cohort_sensitivity.pdf"],
}


def _sample_settings() -> tuple[float, int] | None:
    try:
        manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return float(manifest["scale"]), int(manifest["seed"])


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs_and_has_parameters(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for var in ("SCALE", "SEED", "DATA", "OUT", "PAPER", "STRICT"):
        assert f"{var} =" in params[0].source


#: calls that would write to disk without passing the export gate
UNGATED_WRITERS = ("export_figure", "export_table", "savefig", "to_csv", "to_latex", "write_text", "write_csv",
                   "to_parquet", "open(")


@pytest.mark.parametrize("name", NAMES)
def test_notebook_writes_only_through_the_export_gate(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "Exporter(study, PAPER" in source and "export.finish()" in source
    for call in UNGATED_WRITERS:
        assert call not in source, (name, call)


@pytest.mark.slow
def test_notebooks_execute_headless(tmp_path):
    settings = _sample_settings()
    if settings is None:
        pytest.skip("data_synthetic/manifest.json not found: the committed synthetic sample is needed "
                    "(make it with `make data`)")
    from nbconvert.preprocessors import ExecutePreprocessor

    scale, seed = settings
    params = (f"SCALE = {scale!r}\nSEED = {seed!r}\nDATA = {str(SAMPLE)!r}\nOUT = {str(tmp_path / 'out')!r}\n"
              f"PAPER = {str(tmp_path / 'paper')!r}\nREAL = False\nMAPPING = None\nLANG = 'en'\nSTRICT = None\n")
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = params
        ExecutePreprocessor(timeout=300, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(NOTEBOOKS)}})
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert errors == [], name
        for rel in EXPECTED[name]:
            assert (tmp_path / "paper" / rel).exists(), (name, rel)
    # the log beside the exports lists every notebook's artefacts; the manifest every file written
    paper = tmp_path / "paper"
    log = pd.read_csv(paper / "disclosure_log.csv")
    manifest = json.loads((paper / "manifest.json").read_text())
    for rel in (r for rels in EXPECTED.values() for r in rels):
        stem = Path(rel).stem
        artefact = f"{stem}.pdf/.png" if rel.startswith("figures/") else f"{stem.removesuffix('_formatted')}.csv"
        assert artefact in set(log["artefact"]), rel
        assert rel in manifest["outputs"], rel
    written = {p.relative_to(paper).as_posix() for p in paper.rglob("*") if p.is_file()}
    assert written - {"disclosure_log.csv", "manifest.json"} <= set(manifest["outputs"])
    assert manifest["configuration"]["strict"] is False  # synthetic data
    # figure data with suppressed cells are written with the marker, never as numbers
    for data in sorted((paper / "tables").glob("figure_*_data.csv")):
        frame = pd.read_csv(data, dtype=str, keep_default_na=False)
        hidden = frame["disclosure"].ne("") & ~frame["disclosure"].str.startswith("empty")
        value_cols = [c for c in ("share", "value", "surv", "km_cum_inc", "share_events", "median_growth", "hr")
                      if c in frame]
        for col in value_cols:
            assert frame.loc[hidden, col].isin(["x", ""]).all(), (data.name, col)
