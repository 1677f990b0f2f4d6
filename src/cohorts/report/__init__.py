"""The engine's report layer: what every study needs to release and compare, knowing no study.

Public API
----------
load_study(data_dir, build_dir, *, scale=None, seed=None, mapping=None, threshold=1.0, rebuild=False, stock_columns=None) -> Study
    Generate (synthetic), build or reuse, and read the study data
    (:mod:`cohorts.report.study`).
house_style(), new_figure(), export_figure(fig, path_stem)
    The house style and deterministic PDF + PNG export (:mod:`cohorts.report.style`).
gate
    The one export gate: :class:`~cohorts.report.gate.Exporter` with a study's
    :class:`~cohorts.report.gate.Artefacts` gates, draws from the released
    data and writes atomically (:mod:`cohorts.report.gate`).
comparison, targets, conflicts, sampling
    The generic comparison machinery: a study's targets, classes and
    tolerances (:mod:`cohorts.report.targets`), source conflicts
    (:mod:`cohorts.report.conflicts`), standard errors
    (:mod:`cohorts.report.sampling`), statuses, tolerance by kind, verdicts
    and the summary (:mod:`cohorts.report.comparison`).

A study (``cohorts.studies.<name>``, ``docs/studies.md``) builds on these; the
AFM 2022 report is :mod:`cohorts.studies.high_mortgages` (its tables, figures,
comparison wiring, ``Exporter`` and ``cohorts reproduce``).

The names that lived here before the split (``tables``, ``figures``,
``compare``, ``Exporter``, ``Options``, ``StudyResults``, ``load_targets``,
``load_tolerances``, and the modules ``cohorts.report.tables`` ...) are
deprecated aliases of the study's, removed in the next release.
"""

import importlib
import warnings

from cohorts.report import comparison, conflicts, gate, outputs, sampling, targets
from cohorts.report.outputs import Artefacts, ExportResult
from cohorts.report.study import Study, load_study
from cohorts.report.style import export_figure, house_style, new_figure
from cohorts.report.comparison import summarize

#: Deprecated name -> (module of the AFM 2022 study, attribute or None for the module itself).
_MOVED = {
    "tables": ("cohorts.studies.high_mortgages.tables", None),
    "figures": ("cohorts.studies.high_mortgages.figures", None),
    "compare": ("cohorts.studies.high_mortgages.comparison", None),
    "Exporter": ("cohorts.studies.high_mortgages.exports", "Exporter"),
    "Options": ("cohorts.studies.high_mortgages.comparison", "Options"),
    "StudyResults": ("cohorts.studies.high_mortgages.comparison", "StudyResults"),
    "load_targets": ("cohorts.studies.high_mortgages.comparison", "load_targets"),
    "load_tolerances": ("cohorts.studies.high_mortgages.comparison", "load_tolerances"),
}


def __getattr__(name: str) -> object:
    """The deprecated names of the AFM 2022 study (a warning, then the study's object)."""
    if name not in _MOVED:
        raise AttributeError(f"module 'cohorts.report' has no attribute {name!r}")
    module_name, attr = _MOVED[name]
    where = module_name if attr is None else f"{module_name}.{attr}"
    warnings.warn(f"cohorts.report.{name} moved to {where}; the old name is a deprecated alias",
                  DeprecationWarning, stacklevel=2)
    module = importlib.import_module(module_name)
    return module if attr is None else getattr(module, attr)


__all__ = [
    "Artefacts",
    "ExportResult",
    "Study",
    "comparison",
    "conflicts",
    "export_figure",
    "gate",
    "outputs",
    "house_style",
    "load_study",
    "new_figure",
    "sampling",
    "summarize",
    "targets",
]
