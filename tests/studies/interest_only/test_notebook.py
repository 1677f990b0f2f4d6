"""Notebook 07 (the interest-only study) shows only the gated release, run headless on the committed sample.

Kinds:
* contract checks on the stored notebook: no outputs, one ``parameters`` cell, and no code that reaches the
  microdata or the study's microdata functions (only ``cohorts refinance`` through the CLI, and the files
  it released);
* regression check of the executed notebook (parameters replaced so the release goes to a temporary
  folder): no errors; the release folder holds only what the manifest lists, the manifest and the checker's
  folder; nothing is written into the repository;
* number check: every number in the tables the notebook shows is a number of the released CSV it reads
  (a planted cell that prints a raw count from the microdata is caught).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from sample import SAMPLE

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK = ROOT / "notebooks" / "07-io-refinancing.ipynb"
#: names that would reach the microdata or compute from it inside the notebook
FORBIDDEN = {"read_inputs", "build_population", "prepare", "outcomes", "run_many", "read_parquet", "load_study"}
NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?![\w])")


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_stored_without_outputs_with_parameters_and_no_microdata_access() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = _code(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    for cell in code:
        source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
        names = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Attribute)}
        assert not names & FORBIDDEN, f"a cell reaches the microdata: {names & FORBIDDEN}"


def _execute(nb, *, release: Path) -> None:
    from nbconvert.preprocessors import ExecutePreprocessor

    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = f'DATA = "{SAMPLE}"\nRELEASE = "{release}"\nSCENARIO = "all"\nMAPPING = None\n' \
                          'PARAMETERS = None\nSTRICT = None\n'
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(NOTEBOOK.parent)}})


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory):
    release = tmp_path_factory.mktemp("io_nb") / "release"
    before = sorted(p.name for p in ROOT.iterdir())
    nb = nbformat.read(NOTEBOOK, as_version=4)
    _execute(nb, release=release)
    assert sorted(p.name for p in ROOT.iterdir()) == before  # nothing written into the repository
    return nb, release


def test_runs_and_the_release_holds_only_released_files(executed) -> None:
    nb, release = executed
    assert not [o for c in _code(nb) for o in c.get("outputs", []) if o.output_type == "error"]
    manifest = json.loads((release / "manifest.json").read_text())
    listed = set(manifest["outputs"])
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert on_disk - listed == {"manifest.json", "checker/disclosure_log.csv", "checker/audit.csv"}


def _table_numbers(nb) -> list[str]:
    cells = []
    for cell in _code(nb):
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            cells += re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    return [m for c in cells for m in NUMBER.findall(c)]


def _released_numbers(release: Path) -> set[float]:
    values: set[float] = set()
    for name in ("tree.csv", "perpetuals.csv", "selection.csv"):
        frame = pd.read_csv(release / name, dtype=str, keep_default_na=False)
        for text in frame.to_numpy().ravel():
            for m in NUMBER.findall(str(text)):
                values.add(round(float(m.replace(",", "")), 6))
    return values


def test_every_table_number_is_released(executed) -> None:
    nb, release = executed
    shown = _table_numbers(nb)
    released = _released_numbers(release)
    assert len(shown) > 50
    missing = [s for s in shown if round(float(s.replace(",", "")), 6) not in released]
    assert not missing, f"numbers shown that are not in the released files: {missing[:10]}"


def test_a_planted_raw_count_is_caught(executed) -> None:
    nb, release = executed
    planted = nbformat.from_dict(json.loads(json.dumps(nb)))
    raw = pd.read_parquet(SAMPLE / "lld_loan_parts.parquet", columns=["loan_id"])["loan_id"].nunique()
    planted.cells[-2].outputs.append(nbformat.v4.new_output(
        "display_data", data={"text/html": f"<table><tr><td>{raw:,}</td></tr></table>"}))
    missing = [s for s in _table_numbers(planted)
               if round(float(s.replace(",", "")), 6) not in _released_numbers(release)]
    assert missing == [f"{raw:,}"]
