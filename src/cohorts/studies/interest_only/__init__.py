"""AFM, *Financiële kwetsbaarheid van huishoudens met een aflossingsvrije hypotheek*: the study package.

Interest-only (IO) households at the end-2016 LLD snapshot, projected to the maturity of their first IO
part and classified along the study's vulnerability tree under four macro scenarios
(``docs/io_refinancing.md``; the specification is the method checklist of the study's targets).

What the study provides (the contract is ``docs/studies.md``, :data:`cohorts.studies.REQUIRED`):

``data/``
    The published numbers (``io_refinancing_targets.csv``), their classes, tolerances and source
    conflicts, the scenarios and parameters, with ``SOURCES.md``.
:func:`compare`
    One comparison row per comparable target (:mod:`.comparison`, rules in :mod:`.rules`).
:func:`add_arguments`, :func:`run`
    ``cohorts reproduce --study interest_only`` (:mod:`.reproduce`): the synthetic twin (or given data),
    then ``cohorts refinance --scenario all --worst --sensitivity`` (:mod:`.command`).

It has no ``ARTEFACTS``/``Exporter`` (:data:`cohorts.studies.EXPORTS`): ``cohorts refinance`` gates its
own tables with the engine's disclosure package (:mod:`.release`, :func:`cohorts.disclosure.protect`)
instead of the engine's export gate.
"""

from __future__ import annotations

from cohorts.studies.interest_only.comparison import compare
from cohorts.studies.interest_only.reproduce import add_arguments, run

NAME = "interest_only"
TITLE = "AFM, Financiële kwetsbaarheid van huishoudens met een aflossingsvrije hypotheek"
#: The study's notebooks, relative to the repository root (they stay in ``notebooks/``).
NOTEBOOKS: tuple[str, ...] = ("notebooks/07-io-refinancing.ipynb",)

__all__ = ["NAME", "NOTEBOOKS", "TITLE", "add_arguments", "compare", "run"]
