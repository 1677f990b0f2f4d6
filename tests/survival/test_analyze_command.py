"""Regression/property check: ``cohorts analyze`` end to end on a small cohort table.

Checks the files written, that the numbers are those of the library functions,
that invalid input writes nothing and exits with code 2, that no temporary
files are left behind, and the stage lines with timings (and the heartbeat of
the disclosure audit) printed on stderr.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from .conftest import make_cohort_table

from cohorts import progress
from cohorts.cli import main
from cohorts.survival import fit_km

EXPECTED = {"km", "logrank", "cox", "ph", "discrete", "cif", "sweep", "by_cohort"}


@pytest.fixture
def cohorts_file(tmp_path, cohort_table):
    path = tmp_path / "cohorts.parquet"
    cohort_table.to_parquet(path)
    return path


@pytest.fixture
def larger_file(tmp_path):
    """All 5,000 rows of the stored study data: enough that the gate releases Kaplan-Meier steps."""
    table = make_cohort_table(5000)
    path = tmp_path / "larger.parquet"
    table.to_parquet(path)
    return path, table


def test_analyze_writes_the_tables(tmp_path, larger_file, capsys, monkeypatch):
    cohorts_file, cohort_table = larger_file
    # --no-strict: the small table needs suppression (strict, the default without a synthetic build
    # manifest, refuses; see tests/disclosure/test_gate_commands.py)
    # two sweep thresholds keep the gate's audit of this small table short
    monkeypatch.setattr(progress, "HEARTBEAT_SECONDS", 0.5)  # the audit takes seconds: show its heartbeat
    out = tmp_path / "analysis"
    assert main(["analyze", "--cohorts", str(cohorts_file), "--out", str(out), "--no-strict",
                 "--thresholds", "0.9", "1.0"]) == 0
    # the stages, in order, each with its wall time, as cohorts build prints them (stderr)
    err = capsys.readouterr().err.splitlines()
    timed = r" \(\d+\.\d s\)$"
    stages = [
        rf"reading the cohort table {re.escape(str(cohorts_file))} \.\.\.$",
        rf"  5,000 new mortgages{timed}",
        r"computing the survival tables \.\.\.$",
        r"  all \(5,000 mortgages\): Kaplan-Meier, cumulative incidence, log-rank, Cox \(univariable, adjusted\), "
        rf"PH test, discrete-time model{timed}",
        rf"  starters \({int(cohort_table['starter'].sum()):,} mortgages\): .*{timed}",
        rf"  threshold sweep \(2 thresholds x 2 populations\){timed}",
        rf"  by origination cohort \(6 cohorts\){timed}",
        rf"  8 tables{timed}",
        r"disclosure control: 8 tables gated, then attacked together \.\.\.$",
        r"  \.\.\. still checking and attacking the tables \(\d+ s\)$",
        rf"  \d+ table\(s\) needed suppression; [\d,]+ hidden cells and difference populations bounded, "
        rf"none exposed{timed}",
        rf"wrote {re.escape(str(out))}/by_cohort\.csv, cif\.csv, cox\.csv, discrete\.csv, km\.csv, logrank\.csv, "
        rf"ph\.csv, sweep\.csv, manifest\.json; for the output checker \(not for release\): "
        rf"{re.escape(str(out))}/checker{timed}",
    ]
    beats = [i for i, line in enumerate(err) if "... still" in line]
    assert beats, err  # at least one heartbeat during the audit
    shown = [line for i, line in enumerate(err) if i not in beats[1:]]
    assert len(shown) == len(stages), err
    for line, pattern in zip(shown, stages, strict=True):
        assert re.match(pattern, line), (line, pattern)
    assert {p.stem for p in out.iterdir()} == EXPECTED | {"checker", "manifest"}
    assert {p.name for p in (out / "checker").iterdir()} == {"disclosure_log.csv", "audit.csv"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert not any(k.startswith("checker/") for k in manifest["outputs"])  # listed apart, never hashed
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    km = pd.read_csv(out / "km.csv")
    assert set(km["population"]) == {"all", "starters"} and set(km["group"]) == {"within", "high"}
    # the released steps are the Kaplan-Meier estimate of the coarsened data: each duration moved to the
    # end of its released run (disclosure/survival.py); fit_km itself is checked against R's survfit
    table = cohort_table.assign(g=np.where(cohort_table["lti_util"] > 1.0, "high", "within"))
    shown = 0
    for (pop, group), mine in km.groupby(["population", "group"]):
        rows = table if pop == "all" else table.loc[table["starter"]]
        rows = rows.loc[rows["g"] == group]
        released = mine["disclosure"].isna().to_numpy()  # pooled and cut steps show the marker instead
        assert set(mine.loc[~released, "surv"]) <= {"x"}
        if not released.any():
            continue
        ends = np.sort(mine.loc[released, "time"].astype(float).to_numpy())
        at = np.searchsorted(ends, rows["duration"].to_numpy(dtype=float))
        moved = np.where(at < len(ends), ends[np.minimum(at, len(ends) - 1)], rows["duration"] + 100.0)
        direct = fit_km(rows.assign(duration=moved), duration="duration", event="event").summary
        expected = direct.set_index("time")["surv"].reindex(ends).to_numpy()
        np.testing.assert_allclose(mine.loc[released, "surv"].astype(float).to_numpy(), expected, rtol=1e-12)
        shown += int(released.sum())
    assert shown > 0
    cox = pd.read_csv(out / "cox.csv")
    assert {"univariable", "adjusted"} == set(cox["model"])
    assert "cohort[T.2013]" in set(cox["covariate"])
    assert set(pd.read_csv(out / "sweep.csv")["time"]) == set(range(1, 8))


def test_invalid_input_writes_nothing(tmp_path, cohort_table, capsys):
    path = tmp_path / "bad.csv"
    cohort_table.drop(columns="lti_util").to_csv(path, index=False)
    out = tmp_path / "analysis"
    assert main(["analyze", "--cohorts", str(path), "--out", str(out)]) == 2
    assert "missing column(s) ['lti_util']" in capsys.readouterr().err
    assert not out.exists()


def test_quiet_prints_nothing_but_errors(tmp_path, cohort_table, capsys):
    path = tmp_path / "bad.csv"
    cohort_table.drop(columns="lti_util").to_csv(path, index=False)
    assert main(["analyze", "--cohorts", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cohorts analyze: error: ") and "reading" not in err


def test_missing_file_exit_code(tmp_path):
    assert main(["analyze", "--cohorts", str(tmp_path / "nope.parquet"), "--out", str(tmp_path / "o")]) == 2


def test_the_gate_holds_survival_points_to_the_released_curves(tmp_path, cohorts_file, monkeypatch):
    """Wiring: the gate of ``cohorts analyze`` passes every round's tables to
    :func:`cohorts.disclosure.survival.point_decisions` with the views of ``km.csv``, ``sweep.csv`` and
    ``by_cohort.csv`` (its rule: tests/disclosure/test_points.py), and hides what it returns."""
    from cohorts.survival import command

    seen: list[tuple[set[str], set[str]]] = []

    def spy(frames, views):
        seen.append((set(frames), set(views)))
        return {}

    monkeypatch.setattr(command, "point_decisions", spy)
    assert main(["analyze", "--cohorts", str(cohorts_file), "--out", str(tmp_path / "a"), "--no-strict",
                 "--thresholds", "1.0", "--quiet"]) == 0
    assert seen and all(v == {"km.csv", "sweep.csv", "by_cohort.csv"} for _, v in seen)
    assert {"km.csv", "sweep.csv", "by_cohort.csv"} <= seen[-1][0]
