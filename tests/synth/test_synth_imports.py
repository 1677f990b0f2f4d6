"""Regression check: the modules of cohorts.synth import each other without a circle (issue 16).

Each module's intra-package imports are read from its source (``from cohorts.synth import kinds`` counts as an
import of ``kinds``; a name from the package itself, of its ``__init__``); the graph must be acyclic.
"""

from __future__ import annotations

import ast
from pathlib import Path

import cohorts.synth

PACKAGE = Path(cohorts.synth.__file__).parent


def _graph() -> dict[str, set[str]]:
    modules = {p.stem: p for p in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "cohorts.synth":
                deps.update(a.name if a.name in modules else "__init__" for a in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cohorts.synth."):
                deps.add(node.module.split(".")[2])
            elif isinstance(node, ast.Import):
                deps.update(a.name.split(".")[2] for a in node.names if a.name.startswith("cohorts.synth."))
        graph[name] = deps - {name}
    return graph


def test_synth_imports_are_acyclic():
    graph = _graph()
    assert {"generator", "panel", "loans"} <= set(graph)
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import circle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for dep in sorted(graph.get(name, ())):
            visit(dep, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
