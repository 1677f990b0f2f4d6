"""The study registry (cohorts.studies): names, lookup, registration, and the errors that name what is known."""

from __future__ import annotations

import types

import pytest

from cohorts import studies


def test_the_shipped_study_is_registered_and_is_the_default():
    assert studies.names() == ("high_mortgages", "interest_only") and studies.DEFAULT == "high_mortgages"
    study = studies.get("high_mortgages")
    assert study.NAME == "high_mortgages" and study.NOTEBOOKS[0] == "notebooks/01-data-and-cohorts.ipynb"


def test_an_unknown_name_lists_the_known_studies():
    with pytest.raises(studies.UnknownStudyError, match="unknown study 'afm'; known studies: high_mortgages, interest_only"):
        studies.get("afm")
    assert issubclass(studies.UnknownStudyError, ValueError)  # the CLI prints it and exits with code 2


def test_a_package_lacking_part_of_the_contract_is_refused(monkeypatch):
    monkeypatch.setitem(studies.REGISTRY, "half", types.ModuleType("half"))
    with pytest.raises(TypeError, match=r"study 'half' \(half\) lacks \['NAME', 'TITLE'"):
        studies.get("half")


@pytest.mark.parametrize(("name", "message"), [
    ("not a name", "a study name must be a Python identifier, but was 'not a name'"),
    ("high_mortgages", "study 'high_mortgages' is already registered as cohorts.studies.high_mortgages"),
])
def test_register_refuses_bad_or_taken_names(name, message):
    with pytest.raises(ValueError, match=message):
        studies.register(name, "my.package")


def test_register_adds_a_study_by_its_dotted_name(monkeypatch):
    monkeypatch.setattr(studies, "REGISTRY", dict(studies.REGISTRY))
    studies.register("mine", "my.package")
    studies.register("mine", "my.package")  # the same package again is fine
    assert studies.names() == ("high_mortgages", "interest_only", "mine")
