"""The old paths of the AFM 2022 study keep working for one release, with a DeprecationWarning.

Regression check: each old module path is the study's module itself (same object, so attributes and
monkeypatching behave as before); each old name of ``cohorts.report`` is the study's object.
"""

from __future__ import annotations

import importlib
import sys

import pytest

import cohorts.report

MODULES = {
    "command": "command", "compare": "comparison", "exports": "exports", "figures": "figures",
    "findings": "findings", "narrative": "narrative", "notebook": "notebook", "phrases": "phrases",
    "release": "release", "sensitivity_tables": "sensitivity_tables", "tables": "tables", "text_data": "text_data",
}
NAMES = {
    "tables": ("tables", None), "figures": ("figures", None), "compare": ("comparison", None),
    "Exporter": ("exports", "Exporter"), "Options": ("comparison", "Options"),
    "StudyResults": ("comparison", "StudyResults"), "load_targets": ("comparison", "load_targets"),
    "load_tolerances": ("comparison", "load_tolerances"),
}


@pytest.mark.parametrize("old", sorted(MODULES))
def test_an_old_module_path_warns_and_is_the_study_module(old, monkeypatch):
    name = f"cohorts.report.{old}"
    monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.warns(DeprecationWarning, match=f"{name} moved to cohorts.studies.high_mortgages.{MODULES[old]}"):
        module = importlib.import_module(name)
    assert module is importlib.import_module(f"cohorts.studies.high_mortgages.{MODULES[old]}")


@pytest.mark.parametrize("old", sorted(NAMES))
def test_an_old_name_of_cohorts_report_warns_and_is_the_study_object(old, monkeypatch):
    module_name, attr = NAMES[old]
    if old in vars(cohorts.report):  # set when an alias module was imported
        monkeypatch.delattr(cohorts.report, old)
    with pytest.warns(DeprecationWarning, match=f"cohorts.report.{old} moved to"):
        value = getattr(cohorts.report, old)
    module = importlib.import_module(f"cohorts.studies.high_mortgages.{module_name}")
    assert value is (module if attr is None else getattr(module, attr))


def test_the_engine_names_need_no_warning():
    from cohorts.report import Artefacts, ExportResult, Study, house_style, load_study, summarize  # noqa: F401

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        cohorts.report.nothing  # noqa: B018
