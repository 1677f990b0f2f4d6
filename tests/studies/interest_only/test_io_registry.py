"""The interest-only study registered: ``cohorts reproduce --study interest_only`` is ``cohorts refinance``.

Kinds:
* regression check of the contract (docs/studies.md): the registry lists both shipped studies, and
  ``get("interest_only")`` passes its check (every name of ``REQUIRED``, none of ``EXPORTS``); a package
  with only half of ``EXPORTS`` is refused;
* cross-check of two implementations: ``cohorts reproduce --study interest_only --data data_synthetic``
  writes the same files as ``cohorts refinance --scenario all --worst --sensitivity`` on the same data, the
  released tables byte for byte (the manifests differ only in their times), and the comparison too; and
  on a fresh twin generated into ``OUT/data`` (deterministic generator) the same tables as on the sample;
* bad input: an unknown study exits 2 naming the known ones and writes nothing;
* property: ``interest_only.memory.return_freed_memory`` (called by ``cohorts refinance``) leaves Arrow on the
  system allocator (that the files do not change is the byte-for-byte check above, run with it).
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest

from cohorts import studies
from cohorts.cli import main
from cohorts.studies.interest_only import reproduce
from sample import SAMPLE


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("io_reg")
    refinance, reproduced = root / "refinance", root / "reproduce"
    with pytest.warns(Warning):  # the notes: no social-assistance level, Trhk 2019 -> 2015
        assert main(["refinance", "--data", str(SAMPLE), "--out", str(refinance), "--scenario", "all", "--worst",
                     "--sensitivity", "--quiet"]) == 0
    with pytest.warns(Warning):
        assert main(["reproduce", "--study", "interest_only", "--data", str(SAMPLE), "--out", str(reproduced),
                     "--quiet"]) == 0
    return refinance, reproduced


def test_the_registry_lists_both_studies() -> None:
    assert studies.names() == ("high_mortgages", "interest_only") and studies.DEFAULT == "high_mortgages"


def test_the_interest_only_study_passes_the_check() -> None:
    study = studies.get("interest_only")
    assert study.NAME == "interest_only" and study.NOTEBOOKS == ("notebooks/07-io-refinancing.ipynb",)
    assert all(callable(getattr(study, f)) for f in ("compare", "add_arguments", "run"))
    assert not any(hasattr(study, attr) for attr in studies.EXPORTS)  # it gates its own tables
    assert all(hasattr(studies.get("high_mortgages"), attr) for attr in (*studies.REQUIRED, *studies.EXPORTS))
    for notebook in study.NOTEBOOKS:
        assert (SAMPLE.parent / notebook).is_file()


def test_half_of_the_exports_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    half = types.ModuleType("half")
    for attr in studies.REQUIRED:
        setattr(half, attr, None)
    half.ARTEFACTS = object()
    monkeypatch.setitem(studies.REGISTRY, "half", half)
    with pytest.raises(TypeError, match=r"provides \['ARTEFACTS'\] but not \['Exporter'\]"):
        studies.get("half")


def test_reproduce_runs_refinance_with_the_full_options(tmp_path: Path) -> None:
    args = types.SimpleNamespace(out=tmp_path / "o", mapping=None, disclosure_rules=None, strict=False, quiet=True,
                                 worst=10)  # the first study's --worst (rows to print) is not refinance's
    parsed = reproduce.refinance_arguments(args, data=SAMPLE)
    assert (parsed.scenario, parsed.worst, parsed.sensitivity, parsed.start_year) == ("all", True, True, None)
    assert (parsed.data, parsed.out, parsed.strict, parsed.quiet, parsed.scale) == (SAMPLE, tmp_path / "o", False,
                                                                                   True, None)


def test_reproduce_writes_what_refinance_writes(both: tuple[Path, Path]) -> None:
    refinance, reproduced = _files(both[0]), _files(both[1])
    assert sorted(refinance) == sorted(reproduced)
    assert {"tree.csv", "perpetuals.csv", "by_year.csv", "sweep.csv", "sensitivity.csv", "selection.csv",
            "comparison.csv", "figures/sensitivity.png"} <= set(refinance)
    for name in refinance:
        if name.endswith(".csv"):
            assert reproduced[name] == refinance[name], name
    a, b = (json.loads((d / "manifest.json").read_text()) for d in both)
    assert a["outputs"] == b["outputs"] and a["configuration"] == b["configuration"]


def test_reproduce_on_a_fresh_twin_generates_it_and_releases_the_same(both: tuple[Path, Path], tmp_path: Path) -> None:
    """Without --data the twin of --scale/--seed (default 0.01, 20221: the committed sample's) is generated in
    OUT/data; the generator is deterministic, so the released tables equal those on the committed sample."""
    out = tmp_path / "fresh"
    with pytest.warns(Warning):
        assert main(["reproduce", "--study", "interest_only", "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "data" / "manifest.json").read_text())
    assert manifest["synthetic"] and (manifest["scale"], manifest["seed"]) == (0.01, 20221)
    for name in ("tree.csv", "sweep.csv", "sensitivity.csv", "comparison.csv"):
        assert (out / name).read_bytes() == (both[0] / name).read_bytes(), name


def test_an_unknown_study_exits_2_naming_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["reproduce", "--study", "afm", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "unknown study 'afm'" in err and "known studies: high_mortgages, interest_only" in err
    assert not (tmp_path / "o").exists()


def test_return_freed_memory_switches_the_allocators() -> None:
    import pyarrow as pa

    from cohorts.studies.interest_only.memory import return_freed_memory, reuse_freed_memory

    before = pa.default_memory_pool()
    try:
        settings = return_freed_memory()
        assert pa.default_memory_pool().backend_name == "system"
        assert settings["arrow_system_pool"] is True and isinstance(settings["glibc_mmap_threshold"], bool)
        assert reuse_freed_memory() is settings["glibc_mmap_threshold"]  # glibc takes both thresholds or neither
    finally:
        pa.set_memory_pool(before)


def test_the_lean_population_build_equals_the_plain_one() -> None:
    """Cross-check: the parts as build_population returns them (sorted from the two key columns, one copy) equal
    the plain pandas reference (filter, insert, sort_values) on shuffled loan parts; the households are
    indexed 0..n-1, id first."""
    import warnings

    import pandas as pd

    from cohorts import columns as C
    from cohorts.studies.interest_only import columns as IO
    from cohorts.studies.interest_only.population import build_population, read_inputs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inp = read_inputs(SAMPLE)
        lld = inp.lld.sample(frac=1.0, random_state=1).reset_index(drop=True)  # any row order in
        pop = build_population(lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling)
    hid = pop.households[IO.HOUSEHOLD_ID].to_numpy()
    ref = lld.loc[lld[C.LOAN_ID].isin(hid)].reset_index(drop=True)
    ref.insert(0, IO.HOUSEHOLD_ID, ref[C.LOAN_ID].to_numpy())
    ref = ref.sort_values([IO.HOUSEHOLD_ID, C.LOAN_PART_ID], kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(pop.parts, ref, check_exact=True)
    assert list(pop.households.columns[:1]) == [IO.HOUSEHOLD_ID]
    assert pop.households.index.equals(pd.RangeIndex(len(hid))) and pd.Index(hid).is_unique
