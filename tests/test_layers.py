"""Engine below, studies above: the engine never imports a study; a study imports only the engine and itself.

Read from the source with ``ast`` (every ``import`` anywhere in a module, also inside functions, and every
string that names a study module outside docstrings), so a lazy import cannot hide.  Regression check of
the layout (ARCHITECTURE.md, docs/studies.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cohorts"
EXAMPLE = Path(__file__).resolve().parent / "studies" / "example_study"

#: Old paths of the AFM 2022 study kept as deprecated aliases for one release (they import the study).
ALIASES = frozenset(f"report/{m}.py" for m in (
    "command", "compare", "exports", "figures", "findings", "narrative", "notebook", "phrases", "release",
    "sensitivity_tables", "tables", "text_data"))
#: The edges above the engine that name studies: the CLI registers ``cohorts reproduce`` (the study router) and
#: ``cohorts refinance`` (the interest-only study's own command);
#: ``cohorts.report``'s package resolves its deprecated names (``cohorts.report.Exporter``, ...) lazily.
EDGES = frozenset({"cli.py", "report/__init__.py"})


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def imported(path: Path) -> list[str]:
    """Every module a file imports (``import a.b``, ``from a.b import c`` -> ``a.b`` and ``a.b.c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
    return out


def named_studies(path: Path) -> list[str]:
    """Strings outside docstrings that name a study module (``importlib.import_module("cohorts.studies...")``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs and n.value.startswith("cohorts.studies")]


def _rel(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


ENGINE = sorted(p for p in SRC.rglob("*.py") if not _rel(p).startswith("studies/"))
STUDIES = sorted(p for p in (SRC / "studies").iterdir() if p.is_dir() and (p / "__init__.py").is_file())


def test_there_are_modules_to_check():
    assert len(ENGINE) > 50 and [p.name for p in STUDIES] == ["high_mortgages", "interest_only"]


@pytest.mark.parametrize("path", [p for p in ENGINE if _rel(p) not in ALIASES], ids=_rel)
def test_the_engine_imports_no_study(path):
    rel = _rel(path)
    bad = [m for m in imported(path) if m == "cohorts.studies" or m.startswith("cohorts.studies.")]
    assert not bad, f"{rel} (engine) imports a study: {bad}"
    if rel not in EDGES:
        assert not named_studies(path), f"{rel} (engine) names a study module: {named_studies(path)}"


def test_only_the_listed_aliases_and_edges_reach_a_study():
    reaching = {_rel(p) for p in ENGINE if any(m.startswith("cohorts.studies") for m in imported(p))
                or named_studies(p)}
    assert reaching == ALIASES | EDGES


@pytest.mark.parametrize("package", [*STUDIES, EXAMPLE], ids=lambda p: p.name)
def test_a_study_imports_only_the_engine_and_itself(package):
    own = "example_study" if package == EXAMPLE else f"cohorts.studies.{package.name}"
    for path in sorted(package.rglob("*.py")):
        for m in imported(path):
            top = m.split(".")[0]
            if top not in ("cohorts", "example_study"):
                continue  # the standard library and third-party packages
            in_studies = m == "cohorts.studies" or m.startswith("cohorts.studies.")
            mine = m == own or m.startswith(own + ".")
            assert mine or (top == "cohorts" and not in_studies), f"{path.name} of {own} imports {m}"
