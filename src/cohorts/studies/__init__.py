"""The studies: one package per publication, above the engine.

A study (``cohorts.studies.<name>``) holds its published targets, source
conflicts and tolerances (data files), its tables and figures, the wiring of
its comparison and a pointer to its notebooks; it imports only the engine
(everything in :mod:`cohorts` outside ``cohorts.studies``), and the engine
never imports a study.  ``docs/studies.md`` says what a study package must
provide.

Adding a study is registering one package: a line in :data:`REGISTRY` for a
study shipped with the toolkit, or :func:`register` for one of your own::

    >>> import cohorts.studies as studies
    >>> studies.names()
    ('high_mortgages', 'interest_only')
    >>> studies.get("high_mortgages").TITLE
    'AFM (2022), Hoge hypotheken en betalingsproblemen'

``cohorts reproduce --study NAME`` runs a registered study
(:mod:`cohorts.studies.command`; default :data:`DEFAULT`).
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Study name -> its package (imported only when asked for).
REGISTRY: dict[str, str | ModuleType] = {
    "high_mortgages": "cohorts.studies.high_mortgages",
    "interest_only": "cohorts.studies.interest_only",
}
#: The study ``cohorts reproduce`` runs without ``--study``.
DEFAULT = "high_mortgages"
#: What a study package must provide (checked by :func:`get`; see ``docs/studies.md``).
REQUIRED: tuple[str, ...] = ("NAME", "TITLE", "NOTEBOOKS", "compare", "add_arguments", "run")
#: What a study that releases through the engine's export gate (:class:`cohorts.report.gate.Exporter`)
#: provides, both or neither (checked by :func:`get`): a study whose command gates its own tables
#: (``cohorts.disclosure.protect``, as the interest-only study's) has no artefacts to declare.
EXPORTS: tuple[str, ...] = ("ARTEFACTS", "Exporter")


class UnknownStudyError(ValueError):
    """No study of that name is registered (the message lists the known ones)."""


def names() -> tuple[str, ...]:
    """The registered study names, sorted."""
    return tuple(sorted(REGISTRY))


def register(name: str, package: str | ModuleType) -> None:
    """Register a study package under ``name`` (a dotted module name, or the module itself).

    Raises
    ------
    ValueError
        If ``name`` is not a Python identifier, or is taken by another package.
    """
    if not name.isidentifier():
        raise ValueError(f"a study name must be a Python identifier, but was {name!r}")
    known = REGISTRY.get(name)
    if known is not None and _dotted(known) != _dotted(package):
        raise ValueError(f"study {name!r} is already registered as {_dotted(known)}")
    REGISTRY[name] = package


def get(name: str) -> ModuleType:
    """The package of a registered study.

    Raises
    ------
    UnknownStudyError
        If no study of that name is registered (a ``ValueError``; the message lists the known studies).
    TypeError
        If the package lacks something a study must provide (:data:`REQUIRED`), or provides only part
        of :data:`EXPORTS`.
    """
    if name not in REGISTRY:
        raise UnknownStudyError(f"unknown study {name!r}; known studies: {', '.join(names())}")
    entry = REGISTRY[name]
    module = importlib.import_module(entry) if isinstance(entry, str) else entry
    missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
    if missing:
        raise TypeError(f"study {name!r} ({module.__name__}) lacks {missing}; see docs/studies.md")
    exports = [attr for attr in EXPORTS if hasattr(module, attr)]
    if exports and len(exports) < len(EXPORTS):
        raise TypeError(f"study {name!r} ({module.__name__}) provides {exports} but not "
                        f"{[a for a in EXPORTS if a not in exports]} (both or neither); see docs/studies.md")
    return module


def _dotted(package: str | ModuleType) -> str:
    return package if isinstance(package, str) else package.__name__


__all__ = ["DEFAULT", "EXPORTS", "REGISTRY", "REQUIRED", "UnknownStudyError", "get", "names", "register"]
