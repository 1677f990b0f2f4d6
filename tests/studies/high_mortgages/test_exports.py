"""Regression/property check: the export gate of the notebooks and ``cohorts reproduce`` (``Exporter``).

Contract checks on the hand-built tiny panel (tests/conftest.py, ``tiny_raw``:
four analysable new mortgages, so nearly every cell needs suppression): strict
mode refuses and writes nothing; not strict writes suppressed cells as the
marker, figures drawn from the released data, and a log and manifest that
cover every export, also across two exporters writing into one folder.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tiny_panel import tiny_cbs, tiny_key, tiny_lld

from cohorts.cli import main
from cohorts.disclosure import LOG_COLUMNS, DisclosureError
from cohorts.errors import NormTableFallbackWarning
from cohorts.io import write_parquet
from cohorts.report import ExportResult, study
from cohorts.studies.high_mortgages import Exporter


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory):
    lld, cbs, key = tiny_lld(), tiny_cbs(), tiny_key()
    d = tmp_path_factory.mktemp("raw")
    write_parquet(lld, d / "lld_loan_parts.parquet")
    write_parquet(cbs, d / "cbs_persons.parquet")
    write_parquet(key, d / "key_table.parquet")
    with pytest.warns(NormTableFallbackWarning):
        return study.load_study(d, d.parent / f"{d.name}-build")


def test_strict_is_the_default_on_real_data_and_refuses_without_writing(tiny_study, tmp_path):
    out = tmp_path / "paper"
    export = Exporter(tiny_study, out)
    assert export.strict  # the tiny panel is not synthetic
    with pytest.raises(DisclosureError, match="table_B3.csv"):
        export.table("B3")
    with pytest.raises(DisclosureError, match="figure_2_data.csv"):
        export.figure("figure_2")
    assert not out.exists()
    with pytest.raises(DisclosureError):  # the log would show the small counts: not written either
        export.finish()
    assert not out.exists()


def test_not_strict_writes_markers_figures_from_released_data_log_and_manifest(tiny_study, tmp_path, capsys):
    out = tmp_path / "paper"
    with Exporter(tiny_study, out, strict=False) as export:
        b3 = export.table("B3")
        fig2 = export.figure("figure_2")
        cox = export.figure("figure_cox")  # a constant covariate in four mortgages: not computed
    assert isinstance(b3, ExportResult) and b3.needs_suppression
    assert {p.relative_to(out).as_posix() for p in b3.written} == {
        "tables/table_B3.csv", "tables/table_B3_formatted.csv", "tables/table_B3.tex"}
    tidy = pd.read_csv(out / "tables" / "table_B3.csv", dtype=str, keep_default_na=False)
    hidden = tidy["disclosure"].str.startswith("suppressed")
    assert hidden.any() and (tidy.loc[hidden, "value"] == "x").all()  # a marker, never a number
    assert set(b3.display.to_numpy().ravel()) <= {"x", "0"}
    # Figure 2: its data with markers, the figure drawn from the released data (every segment a gap)
    data = pd.read_csv(out / "tables" / "figure_2_data.csv", dtype=str, keep_default_na=False)
    assert (data.loc[data["disclosure"].str.startswith("suppressed"), "share"] == "x").all()
    assert (out / "figures" / "figure_2.pdf").stat().st_size > 0 and (out / "figures" / "figure_2.png").exists()
    ax = fig2.figure.axes[0]
    assert data["disclosure"].str.startswith("suppressed").all()
    assert all(p.get_height() == 0 for c in ax.containers for p in c.patches)  # only cohorts without data
    assert "x" in [t.get_text() for t in ax.texts]
    assert cox.figure is None and "not constant" in cox.not_written["figure_cox"]
    # the log lists each artefact; the manifest each file, and verifies
    log = pd.read_csv(out / "checker" / "disclosure_log.csv")
    assert list(log.columns) == list(LOG_COLUMNS)
    assert {"table_B3.csv", "figure_2_data.csv", "figure_2.pdf/.png"} <= set(log["artefact"])
    assert log.loc[log["artefact"] == "figure_2.pdf/.png", "decision"].tolist() == ["suppress"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"tables/table_B3.csv", "tables/figure_2_data.csv", "figures/figure_2.pdf"} <= set(manifest["outputs"])
    # the checker's log stays with the checker: listed apart, never among the released files
    assert not any(k.startswith("checker/") for k in manifest["outputs"])
    assert "checker/disclosure_log.csv" in manifest["checker"]
    assert manifest["configuration"]["strict"] is False and "figure_cox" in manifest["not_written"]
    assert set(manifest["inputs"]) == {"lld", "cbs", "key"}
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0


def test_a_second_exporter_keeps_the_log_of_the_first(tiny_study, tmp_path):
    out = tmp_path / "paper"
    with Exporter(tiny_study, out, strict=False) as first:
        first.table("B3")
    with Exporter(tiny_study, out, strict=False) as second:
        second.figure("figure_5")
        second.table("B3")  # exported again: its rows are replaced, not repeated
    log = pd.read_csv(out / "checker" / "disclosure_log.csv")
    assert {"table_B3.csv", "figure_5_data.csv", "figure_5.pdf/.png"} <= set(log["artefact"])
    assert len(log.loc[log["artefact"] == "table_B3.csv"]) == len(first.log)
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"tables/table_B3.csv", "figures/figure_5.pdf"} <= set(manifest["outputs"])


def test_synthetic_study_defaults_to_not_strict_and_bad_names_are_refused(tiny_study, tmp_path):
    from dataclasses import replace

    export = Exporter(replace(tiny_study, synthetic=True), tmp_path)
    assert export.strict is False
    with pytest.raises(ValueError, match="unknown table"):
        export.table("T9")
    with pytest.raises(ValueError, match="unknown figure"):
        export.figure("figure_99")
    with pytest.raises(ValueError, match="lang must be one of"):
        Exporter(tiny_study, tmp_path, lang="de")


def test_prepared_figure_shows_the_released_numbers(tiny_study, tmp_path):
    """The figure and its data file agree: every plotted point is a released, non-suppressed value."""
    from cohorts.disclosure import Rules

    loose = Rules(min_units=1, magnitude_min_units=1, min_at_risk=1, min_events=1)  # release most cells
    export = Exporter(tiny_study, tmp_path, strict=False, rules=loose)
    res = export.prepare_figure("figure_5")
    released = res.display
    line = res.figure.axes[0].get_lines()[0]
    new = released.loc[released["group"] == "new"].sort_values("cohort")
    np.testing.assert_array_equal(line.get_ydata(), pd.to_numeric(new["value"]).to_numpy(dtype="float64"))
    assert np.isfinite(line.get_ydata()).any()  # something released under the loose rules
    assert res.written == ()  # prepared, not written
    assert not (tmp_path / "tables").exists()


def test_the_point_check_sees_this_run_and_earlier_exports(tiny_study, tmp_path, monkeypatch):
    """Wiring: every gating of the Exporter passes the survival frames of this run and of earlier exports
    to :func:`cohorts.disclosure.survival.point_decisions` (tests/disclosure/test_points.py checks its rule);
    a point it would hide in an earlier export is an error, not a silent release."""
    from cohorts.report import gate

    seen: list[set[str]] = []

    def spy(frames, views):
        seen.append(set(frames))
        assert set(views) == {"figure_8_data.csv", "figure_9_data.csv", "figure_sweep_data.csv",
                              "figure_cohort_sensitivity_data.csv"}
        if "figure_9_data.csv" in frames and "figure_sweep_data.csv" in frames:
            return {("figure_sweep_data.csv", "threshold=1.0; population=starters; group=above; time=7", "pool"):
                    "planted"}
        return {}

    monkeypatch.setattr(gate, "point_decisions", spy)
    with Exporter(tiny_study, tmp_path / "out", strict=False) as export:
        export.figure("figure_sweep")
        assert seen and "figure_sweep_data.csv" in seen[-1]
        with pytest.raises(DisclosureError, match="earlier release would give away"):
            export.figure("figure_9")
    assert {"figure_sweep_data.csv", "figure_9_data.csv"} <= seen[-1]
