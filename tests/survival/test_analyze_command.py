"""Regression/property check: ``cohorts analyze`` end to end on a small cohort table.

Checks the files written, that the numbers are those of the library functions,
that invalid input writes nothing and exits with code 2, and that no
temporary files are left behind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cohorts.cli import main
from cohorts.survival import fit_km

EXPECTED = {"km", "logrank", "cox", "ph", "discrete", "cif", "sweep", "by_cohort"}


@pytest.fixture
def cohorts_file(tmp_path, cohort_table):
    path = tmp_path / "cohorts.parquet"
    cohort_table.to_parquet(path)
    return path


def test_analyze_writes_the_tables(tmp_path, cohorts_file, cohort_table):
    # --no-strict: the small table needs suppression (strict, the default without a synthetic build
    # manifest, refuses; see tests/disclosure/test_gate_commands.py)
    out = tmp_path / "analysis"
    assert main(["analyze", "--cohorts", str(cohorts_file), "--out", str(out), "--no-strict"]) == 0
    assert {p.stem for p in out.iterdir()} == EXPECTED | {"disclosure_log", "manifest"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    km = pd.read_csv(out / "km.csv")
    assert set(km["population"]) == {"all", "starters"} and set(km["group"]) == {"within", "high"}
    direct = fit_km(cohort_table.assign(g=np.where(cohort_table["lti_util"] > 1.0, "high", "within")),
                    duration="duration", event="event", group="g").summary
    mine = km[km["population"] == "all"].reset_index(drop=True)
    released = mine["disclosure"].isna().to_numpy()  # pooled and cut steps show the marker instead
    assert released.any()
    np.testing.assert_allclose(mine.loc[released, "surv"].astype(float), direct.loc[released, "surv"],
                               rtol=1e-12)
    assert set(mine.loc[~released, "surv"]) <= {"x"}
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


def test_missing_file_exit_code(tmp_path):
    assert main(["analyze", "--cohorts", str(tmp_path / "nope.parquet"), "--out", str(tmp_path / "o")]) == 2
