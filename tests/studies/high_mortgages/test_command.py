"""Regression/property check: ``load_study`` and ``cohorts reproduce`` end to end on the hand-built tiny panel.

The tiny panel (tests/conftest.py, ``tiny_raw``) has four analysable new
mortgages; its 2016 cohort makes the norm engine warn that no official 2016
table exists, which every build here expects.  Regression and contract checks:
which files are written, that a current build is reused and a changed input
rebuilt, that every comparable target gets a row.
"""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from cohorts.errors import NormTableFallbackWarning
from cohorts.io import write_parquet
from cohorts.report import study
from cohorts.studies.high_mortgages import command
from cohorts.studies.high_mortgages.comparison import comparable_targets, load_targets
from cohorts.studies.high_mortgages.figures import FIGURES
from cohorts.studies.high_mortgages.tables import NUMBER_FORMATS


@pytest.fixture
def raw_dir(tmp_path, tiny_raw):
    lld, cbs, key = tiny_raw
    d = tmp_path / "raw"
    d.mkdir()
    write_parquet(lld, d / "lld_loan_parts.parquet")
    write_parquet(cbs, d / "cbs_persons.parquet")
    write_parquet(key, d / "key_table.parquet")
    return d


def _load(raw_dir, build_dir, **kw):
    with pytest.warns(NormTableFallbackWarning):
        return study.load_study(raw_dir, build_dir, **kw)


def test_load_study_builds_then_reuses_then_rebuilds_on_change(raw_dir, tmp_path):
    first = _load(raw_dir, tmp_path / "build")
    assert first.rebuilt and not first.synthetic and first.scale == 1.0
    assert sorted(first.cohorts["loan_id"].tolist()) == [1, 2, 8, 13]
    for name in study.BUILD_FILES:
        assert (tmp_path / "build" / name).exists()
    second = study.load_study(raw_dir, tmp_path / "build")  # no build, so no warning
    assert not second.rebuilt
    assert sorted(second.cohorts["loan_id"].tolist()) == [1, 2, 8, 13]
    key = pd.read_parquet(raw_dir / "key_table.parquet")
    write_parquet(key.iloc[:-1], raw_dir / "key_table.parquet")  # drop loan 14's key row
    third = _load(raw_dir, tmp_path / "build")
    assert third.rebuilt


def test_load_study_argument_errors(raw_dir, tmp_path):
    with pytest.raises(ValueError, match="give both scale and seed"):
        study.load_study(raw_dir, tmp_path / "b", scale=0.01)
    with pytest.raises(ValueError, match="no raw inputs found"):
        study.load_study(tmp_path / "empty", tmp_path / "b")


def test_ensure_synthetic_reuses_regenerates_and_refuses(raw_dir, tmp_path, monkeypatch, tiny_raw):
    calls = []

    def fake_write_synthetic(out, *, scale, seed):  # stands in for the generator: writes the tiny panel
        calls.append((scale, seed))
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in zip(("lld_loan_parts", "cbs_persons", "key_table"), tiny_raw, strict=True):
            write_parquet(frame, out / f"{name}.parquet")
        manifest = {"synthetic": True, "scale": scale, "seed": seed}
        (out / "manifest.json").write_text(json.dumps(manifest))
        return manifest

    import cohorts.synth

    monkeypatch.setattr(cohorts.synth, "write_synthetic", fake_write_synthetic)
    d = tmp_path / "synthetic"
    study.ensure_synthetic(d, scale=0.5, seed=1)
    study.ensure_synthetic(d, scale=0.5, seed=1)  # same settings: reused
    study.ensure_synthetic(d, scale=0.5, seed=2)  # other seed: regenerated
    assert calls == [(0.5, 1), (0.5, 2)]
    s = _load(d, tmp_path / "build", scale=0.5, seed=2)
    assert s.synthetic and s.scale == 0.5
    with pytest.raises(ValueError, match="refusing to overwrite"):
        study.ensure_synthetic(raw_dir, scale=0.5, seed=1)


def test_reproduce_command_writes_everything(raw_dir, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    out = tmp_path / "out"
    # four mortgages: nearly every cell needs suppression, so this runs with --no-strict (strict is the
    # default on real data; tests/disclosure/test_gate_commands.py checks the strict refusal)
    args = parser.parse_args(["--out", str(out), "--data", str(raw_dir), "--real", "--quiet", "--no-strict",
                              "--paper", str(tmp_path / "paper")])
    with pytest.warns(NormTableFallbackWarning):
        assert command.run(args) == 0
    printed = capsys.readouterr().out
    assert "comparable targets within tolerance" in printed
    # the findings, read back from the released files, come before the comparison summary; four mortgages, none
    # high: no high curve and no log-rank test (one group), and the findings say so instead of quoting numbers
    findings = printed.index("Findings (from the gated release):")
    assert findings < printed.index("comparable targets within tolerance")
    assert "the six-year value of high mortgages is not in the release (no such mortgages)" in printed
    assert "the log-rank test is not released" in printed
    assert printed.rstrip().endswith("comparison.csv is withheld on real data (its numbers are not covered by the "
                                     "gate)")
    numbers = (tmp_path / "paper" / "numbers.tex").read_text()
    assert "\\newcommand{\\FindingAll}{Among new mortgages, the six-year value of high mortgages is not in" in numbers
    assert "\\newcommand{\\RunData}{the linked DNB and CBS microdata}" in numbers
    # real data: the reproduced numbers are not covered by the gate, so comparison.csv is withheld
    assert not (out / "comparison.csv").exists()
    targets = load_targets()
    for tid in NUMBER_FORMATS:
        assert (out / "tables" / f"table_{tid}.csv").exists()
        assert r"\toprule" in (out / "tables" / f"table_{tid}.tex").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    # four mortgages, none high: the Cox model has a constant covariate and is reported, not drawn
    assert {"figure_cox", "figure_cox_data.csv"} <= set(manifest["not_written"])
    assert "not constant" in manifest["not_written"]["figure_cox"]
    # every other figure is drawn from its gated data (not strict: suppressed cells are gaps marked x)
    for name in set(FIGURES) - {"figure_cox"}:
        assert name not in manifest["not_written"]
        for ext in ("pdf", "png"):
            assert (out / "figures" / f"{name}.{ext}").stat().st_size > 0
            assert (tmp_path / "paper" / "figures" / f"{name}.{ext}").exists()
        assert (out / "tables" / f"{name}_data.csv").exists()
    assert "comparison.csv" in manifest["not_written"]
    # the checker's log and audit stay in OUT/checker: never in the paper folder or among the released files
    assert (out / "checker" / "disclosure_log.csv").exists() and (out / "checker" / "audit.csv").exists()
    assert not (tmp_path / "paper" / "checker").exists() and not (tmp_path / "paper" / "disclosure_log.csv").exists()
    assert not any(k.startswith("checker/") for k in manifest["outputs"])
    assert manifest["scale"] == 1.0 and manifest["comparison"]["excluded_external_or_definition"] == (
        len(targets) - len(comparable_targets(targets)))


def test_cli_registration_and_bad_input(tmp_path, monkeypatch, capsys):
    from cohorts import cli

    monkeypatch.setitem(cli.COMMANDS, "reproduce", ("cohorts.studies.high_mortgages.command", "reproduce the report"))
    code = cli.main(["reproduce", "--out", str(tmp_path / "out"), "--data", str(tmp_path / "nothing"), "--real"])
    assert code == 2
    assert "no raw inputs found" in capsys.readouterr().err
