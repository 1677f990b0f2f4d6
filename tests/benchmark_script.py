"""Load a script of ``benchmarks/`` as a module for its tests (the scripts are not a package)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load_benchmark(name: str) -> Iterator[ModuleType]:
    """Yield ``benchmarks/<name>.py`` imported as ``cohorts_<name>_script``; unregister it afterwards.

    Use as ``yield from load_benchmark("seeds")`` in a fixture.  The module is registered in
    ``sys.modules`` while it is in use (dataclasses look their module up there).
    """
    spec = importlib.util.spec_from_file_location(f"cohorts_{name}_script", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)
