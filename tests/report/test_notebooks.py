"""Execute the four notebooks headless on the committed synthetic sample.

Each notebook is run with nbconvert's ExecutePreprocessor after its
``parameters`` cell is replaced so that the build and the exports go to a
temporary folder (the repository's ``out/`` and ``paper/`` are not touched).
A regression check: the notebooks run, write their exports and are stored
without outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
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
    for var in ("SCALE", "SEED", "DATA", "OUT", "PAPER"):
        assert f"{var} =" in params[0].source


@pytest.mark.slow
def test_notebooks_execute_headless(tmp_path):
    settings = _sample_settings()
    if settings is None:
        pytest.skip("data_synthetic/manifest.json not found: the committed synthetic sample is needed "
                    "(make it with `make data`)")
    from nbconvert.preprocessors import ExecutePreprocessor

    scale, seed = settings
    params = (f"SCALE = {scale!r}\nSEED = {seed!r}\nDATA = {str(SAMPLE)!r}\nOUT = {str(tmp_path / 'out')!r}\n"
              f"PAPER = {str(tmp_path / 'paper')!r}\nREAL = False\nMAPPING = None\nLANG = 'en'\n")
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
