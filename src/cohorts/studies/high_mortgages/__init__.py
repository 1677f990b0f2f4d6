"""AFM (2022), *Hoge hypotheken en betalingsproblemen*: the study package.

What the study holds (the contract is ``docs/studies.md``):

``data/``
    ``report_targets.csv`` (every published number), ``target_classes.csv``,
    ``source_conflicts.csv``, ``tolerances.csv`` and their ``SOURCES.md``.
:mod:`~cohorts.studies.high_mortgages.tables`
    The report's tables by section (main text, appendix, figure data,
    survival data, layout) as tidy frames.
:mod:`~cohorts.studies.high_mortgages.figures`
    The figures by kind (grids and quadrant bars, lines, survival curves,
    models), each ``(frame, *, ..., lang="en", ax=None) -> Axes``.
:mod:`~cohorts.studies.high_mortgages.exports`
    What the report releases through the engine's gate (:data:`ARTEFACTS`)
    and the :class:`Exporter` bound to it.
:mod:`~cohorts.studies.high_mortgages.comparison`
    The comparison wiring: data files, :class:`~.results.Options`,
    :class:`~.results.StudyResults`, the rules (:mod:`.rules`), the report's N
    and the standard errors (:mod:`.sampling`).
:mod:`~cohorts.studies.high_mortgages.command`
    ``cohorts reproduce`` (``--study high_mortgages``, the default).
:mod:`~cohorts.studies.high_mortgages.findings`, :mod:`.narrative`, :mod:`.phrases`, :mod:`.text_data`
    The headline findings and the notebooks' text, from the released files.
:mod:`~cohorts.studies.high_mortgages.notebook`
    The notebooks' release (:func:`~.notebook.release`); the notebooks
    themselves are :data:`NOTEBOOKS`.
"""

from __future__ import annotations

from cohorts.studies.high_mortgages.command import add_arguments, run
from cohorts.studies.high_mortgages.comparison import Options, StudyResults, compare, load_targets, load_tolerances
from cohorts.studies.high_mortgages.exports import ARTEFACTS, Exporter

NAME = "high_mortgages"
TITLE = "AFM (2022), Hoge hypotheken en betalingsproblemen"
#: The study's notebooks, relative to the repository root (they stay in ``notebooks/``).
NOTEBOOKS: tuple[str, ...] = (
    "notebooks/01-data-and-cohorts.ipynb",
    "notebooks/02-norm-utilisation.ipynb",
    "notebooks/03-risk-profile.ipynb",
    "notebooks/04-arrears-survival.ipynb",
)

__all__ = [
    "ARTEFACTS",
    "NAME",
    "NOTEBOOKS",
    "TITLE",
    "Exporter",
    "Options",
    "StudyResults",
    "add_arguments",
    "compare",
    "load_targets",
    "load_tolerances",
    "run",
]
