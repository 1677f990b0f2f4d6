"""Regression/property check: the gate of ``cohorts analyze`` / ``reproduce``, manifests, ``cohorts verify``.

Contract and regression checks: strict mode writes nothing and names the
artefacts; non-strict writes suppressed cells as the marker and a log row per
check; figures agree with their gated data; outputs are byte-identical across
runs; verify notices a changed, missing or extra-tampered file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from cohorts.cli import main
from cohorts.disclosure import LOG_COLUMNS, Rules, figure_release
from cohorts.errors import NormTableFallbackWarning
from cohorts.studies.high_mortgages import tables as T
from cohorts.studies.high_mortgages.command import draw_gated_survival
from cohorts.studies.high_mortgages.figures import FIGURES
from sample import SAMPLE


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def cohorts_file(tmp_path, analysis_cohorts):
    path = tmp_path / "build" / "cohorts.parquet"
    path.parent.mkdir()
    analysis_cohorts.to_parquet(path)
    return path


def test_analyze_strict_refuses_and_writes_nothing(tmp_path, cohorts_file, capsys):
    out = tmp_path / "analysis"
    assert main(["analyze", "--cohorts", str(cohorts_file), "--out", str(out)]) == 2  # no manifest: real, strict
    err = capsys.readouterr().err
    assert "disclosure control (strict mode)" in err and "km.csv" in err and "pool" in err
    assert not out.exists()


def test_analyze_synthetic_build_manifest_defaults_to_not_strict(tmp_path, cohorts_file):
    (cohorts_file.parent / "manifest.json").write_text(json.dumps({"synthetic": {"seed": 1, "scale": 0.01}}))
    out = tmp_path / "analysis"
    assert main(["analyze", "--cohorts", str(cohorts_file), "--out", str(out), "--thresholds", "1.0"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["configuration"]["strict"] is False and manifest["synthetic"] == {"seed": 1, "scale": 0.01}
    assert main(["analyze", "--cohorts", str(cohorts_file), "--out", str(tmp_path / "a2"), "--strict"]) == 2


def test_analyze_log_markers_manifest_verify_and_determinism(tmp_path, cohorts_file, capsys):
    out1, out2 = tmp_path / "a1", tmp_path / "a2"
    for out in (out1, out2):
        assert main(["analyze", "--cohorts", str(cohorts_file), "--out", str(out), "--no-strict",
                     "--thresholds", "1.0"]) == 0  # one sweep threshold keeps the audit short
    log = pd.read_csv(out1 / "checker" / "disclosure_log.csv")
    assert list(log.columns) == list(LOG_COLUMNS)
    assert {"km.csv", "cif.csv", "cox.csv", "sweep.csv", "by_cohort.csv", "logrank.csv"} <= set(log["artefact"])
    assert {"release", "pool"} <= set(log["decision"])
    km = pd.read_csv(out1 / "km.csv", dtype=str, keep_default_na=False)
    pooled = km["disclosure"].str.startswith("pooled")
    assert pooled.any() and (km.loc[pooled, "surv"] == "x").all()  # a marker, never a number
    # every table and the log are byte-identical across runs; only the manifest's times differ
    d1, d2 = _digest(out1), _digest(out2)
    assert {k: v for k, v in d1.items() if k != "manifest.json"} == {k: v for k, v in d2.items()
                                                                      if k != "manifest.json"}
    manifest = json.loads((out1 / "manifest.json").read_text())
    # the manifest hashes the released files only; the checker's files are named apart
    assert set(manifest["outputs"]) == {k for k in d1 if not k.startswith("checker/")} - {"manifest.json"}
    assert manifest["checker"] == ["checker/audit.csv", "checker/disclosure_log.csv"]
    assert manifest["inputs"]["cohorts"]["sha256"] == hashlib.sha256(cohorts_file.read_bytes()).hexdigest()
    assert {"cohorts", "pandas", "numpy", "lifelines", "statsmodels"} <= set(manifest["versions"])
    assert manifest["started"] <= manifest["finished"]
    assert manifest["configuration"]["disclosure_rules"]["min_units"] == 10
    capsys.readouterr()
    assert main(["verify", str(out1)]) == 0
    assert "all" in capsys.readouterr().out
    (out1 / "km.csv").write_text("changed\n")
    (out1 / "cif.csv").unlink()
    assert main(["verify", str(out1)]) == 1
    printed = capsys.readouterr().out
    assert "output km.csv" in printed and "size" in printed and "output cif.csv" in printed and "missing" in printed
    cohorts_file.write_bytes(cohorts_file.read_bytes() + b"\0")
    assert main(["verify", str(out2)]) == 1
    assert "input cohorts" in capsys.readouterr().out
    assert main(["verify", str(tmp_path / "nowhere")]) == 2


def test_reproduce_strict_on_real_data_writes_no_output(tmp_path, raw_dir, capsys):
    out = tmp_path / "out"
    with pytest.warns(NormTableFallbackWarning):
        code = main(["reproduce", "--out", str(out), "--data", str(raw_dir), "--real", "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "strict mode" in err and "table_T2.csv" in err and "figure_8_data.csv" in err
    # the build (microdata, a cache inside the secure environment) may exist; no export does
    assert sorted(p.name for p in out.iterdir()) == ["build"]


def test_reproduce_not_strict_writes_markers_log_and_verifiable_manifest(tmp_path, raw_dir, capsys):
    out = tmp_path / "out"
    with pytest.warns(NormTableFallbackWarning):
        assert main(["reproduce", "--out", str(out), "--data", str(raw_dir), "--real", "--quiet",
                     "--no-strict"]) == 0
    formatted = pd.read_csv(out / "tables" / "table_B3_formatted.csv", dtype=str)
    cells = formatted.drop(columns=formatted.columns[0]).to_numpy().ravel()
    assert set(cells) == {"x", "0"}  # four mortgages: every count hidden, empty cells shown as 0
    assert "& x" in (out / "tables" / "table_B3.tex").read_text()
    log = pd.read_csv(out / "checker" / "disclosure_log.csv")
    assert "comparison.csv" in set(log["artefact"]) and "figure_8.pdf/.png" in set(log["artefact"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["selection"] and manifest["synthetic"] is None and manifest["mapping"]["source"] == "default"
    assert set(manifest["inputs"]) == {"lld", "cbs", "key"}
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    assert main(["verify", str(out / "build")]) == 0  # the build manifest lists its outputs too


def test_km_figure_is_drawn_from_the_gated_curve(analysis_cohorts):
    data = T.survival_data(analysis_cohorts.assign(high=analysis_cohorts["lti_util"] > 1.0))
    gated = figure_release("figure_8_data", data, rules=Rules()).make({})  # the primary rules alone
    released = gated.released
    assert released["disclosure"].ne("").any()  # some steps pooled or cut in this sample
    fig = draw_gated_survival(released)
    ax = fig.axes[0]
    # the curves (solid and dashed step lines; dotted connectors across pooled runs and x markers aside)
    # show only released values: 1 at the start and the released estimates, each at its released time
    drawn = [(x, y) for line in ax.get_lines() if line.get_linestyle() in ("-", "--")
             for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)]
    shown = released.loc[released["disclosure"].eq("")]
    values = set(np.round(shown["surv"].astype(float), 12)) | {1.0}
    assert {round(float(y), 12) for _, y in drawn} <= values
    points = {(float(x), round(float(y), 12)) for x, y in drawn}
    for t, sv in zip(shown["time"], shown["surv"], strict=True):
        assert (float(t), round(float(sv), 12)) in points  # every released step is drawn


# --------------------------------------------------------------------------
# the committed synthetic sample: every figure drawn from its gated data
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory):
    """A copy of the committed synthetic sample (the command may not write into the repository)."""
    try:
        settings = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        pytest.skip("data_synthetic/manifest.json not found: the committed synthetic sample is needed")
    d = tmp_path_factory.mktemp("sample") / "data"
    shutil.copytree(SAMPLE, d)
    return d, float(settings["scale"]), int(settings["seed"])


@pytest.fixture(scope="module")
def sample_reproduce(sample_copy, tmp_path_factory):
    data, scale, seed = sample_copy
    out = tmp_path_factory.mktemp("reproduce") / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        code = main(["reproduce", "--data", str(data), "--scale", str(scale), "--seed", str(seed), "--out", str(out),
                     "--quiet"])
    return code, out


@pytest.mark.slow
def test_reproduce_on_the_sample_writes_every_figure_with_gaps(sample_reproduce):
    code, out = sample_reproduce
    assert code == 0  # synthetic: not strict
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["configuration"]["strict"] is False
    for name in FIGURES:
        assert name not in manifest["not_written"], name
        for ext in ("pdf", "png"):
            assert (out / "figures" / f"{name}.{ext}").stat().st_size > 0, (name, ext)
    log = pd.read_csv(out / "checker" / "disclosure_log.csv")
    suppressed = log.loc[log["decision"].str.startswith("suppress")]
    assert len(suppressed)  # the small sample needs suppression somewhere ...
    drawn_with_gaps = set(log.loc[(log["cell"] == "figure") & (log["decision"] == "suppress"), "artefact"])
    needing = {a.removesuffix("_data.csv") for a in manifest["disclosure"]["artefacts_needing_suppression"]
               if a.startswith("figure_")}
    assert {f"{n}.pdf/.png" for n in needing} == drawn_with_gaps  # ... and those figures are drawn with gaps
    # suppressed cells are written as the marker, never as numbers (a row may keep some columns: e.g. a
    # curve's totals hidden, its released step shown; tests/disclosure/test_attacker.py attacks what is shown)
    for data in sorted((out / "tables").glob("figure_*_data.csv")):
        frame = pd.read_csv(data, dtype=str, keep_default_na=False)
        hidden = frame["disclosure"].ne("") & ~frame["disclosure"].str.startswith("empty")
        assert frame.loc[hidden].eq("x").any(axis=1).all(), data.name
        whole = hidden & frame["disclosure"].str.startswith(("cut", "pooled"))
        for col in ("surv", "km_cum_inc"):
            if col in frame:
                assert frame.loc[whole, col].isin(["x", ""]).all(), (data.name, col)


@pytest.mark.slow
def test_reproduce_on_the_sample_figures_show_the_released_values(sample_copy, sample_reproduce):
    """Figure and data agree: the values drawn are the released ones of ``<figure>_data.csv``."""
    from cohorts.report import load_study
    from cohorts.studies.high_mortgages import Exporter

    data, scale, seed = sample_copy
    _, out = sample_reproduce
    study = load_study(data, out / "build", scale=scale, seed=seed)  # the build of the run above, reused
    assert not study.rebuilt
    export = Exporter(study, data.parent / "unused", strict=False)
    fig5 = export.prepare_figure("figure_5")
    released = fig5.display
    for line, group in zip(fig5.figure.axes[0].get_lines(), pd.unique(released["group"]), strict=False):
        sub = released.loc[released["group"] == group].sort_values("cohort")
        np.testing.assert_array_equal(line.get_ydata(), pd.to_numeric(sub["value"]).to_numpy(dtype="float64"))
    written = pd.read_csv(out / "tables" / "figure_5_data.csv", dtype=str, keep_default_na=False)
    # the run gated every artefact together: its secondary suppression may hide cells that this figure, gated
    # alone, shows; every cell shown in both must agree
    shown = (pd.to_numeric(released["value"]).notna() & written["value"].ne("x")).to_numpy()
    assert shown.sum() >= len(shown) // 2
    np.testing.assert_allclose(pd.to_numeric(written.loc[shown, "value"]).to_numpy(),
                               pd.to_numeric(released.loc[shown, "value"]).to_numpy(), rtol=1e-12)
    fig7 = export.prepare_figure("figure_7")
    released = fig7.display.sort_values("threshold")
    np.testing.assert_array_equal(fig7.figure.axes[0].get_lines()[0].get_ydata(),
                                  pd.to_numeric(released["share_events"]).to_numpy(dtype="float64"))


@pytest.mark.slow
def test_reproduce_on_the_sample_strict_still_refuses(sample_copy, tmp_path, capsys):
    data, scale, seed = sample_copy
    out = tmp_path / "strict"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NormTableFallbackWarning)
        code = main(["reproduce", "--data", str(data), "--scale", str(scale), "--seed", str(seed), "--out", str(out),
                     "--quiet", "--strict"])
    assert code == 2
    assert "strict mode" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["build"]


def test_bad_disclosure_rules_are_refused_before_anything_is_written(tmp_path, cohorts_file, capsys):
    rules = tmp_path / "rules.toml"
    for text, says in (("[audit]\nprotection_level = 150\n", "audit.protection_level is a percentage in (0, 100]"),
                       ("[frequency]\nmin_units = -1\n", "frequency.min_units must be >= 1"),
                       ("[frequency]\nminimum = 5\n", "unknown disclosure rule frequency.minimum")):
        rules.write_text(text)
        out = tmp_path / "analysis"
        assert main(["analyze", "--cohorts", str(cohorts_file), "--out", str(out), "--no-strict",
                     "--disclosure-rules", str(rules)]) == 2
        err = capsys.readouterr().err
        assert says in err and str(rules) in err
        assert not out.exists()
