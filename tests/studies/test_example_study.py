"""The study contract (docs/studies.md), proven by a minimal study: registered, gated, compared, run from the CLI.

The example study (``example_study/``: three targets, one table, one figure) imports only the engine and runs
on the committed sample (``data_synthetic/``, scale 0.01, seed 20221).  Regression checks of the contract,
not of numbers: the targets are made up near what the sample gives.
"""

from __future__ import annotations


import example_study
import pandas as pd
import pytest

from cohorts import studies
from cohorts.cli import main
from cohorts.errors import NormTableFallbackWarning
from cohorts.report import load_study
from sample import SAMPLE

DATA = SAMPLE


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(studies.REGISTRY, "example", example_study)
    return studies.get("example")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    with pytest.warns(NormTableFallbackWarning):  # 2016 and 2017 use the 2015 norm tables
        return load_study(DATA, tmp_path_factory.mktemp("build"), scale=0.01, seed=20221)


def test_a_registered_study_provides_the_contract(registered):
    assert registered is example_study
    assert "example" in studies.names()
    assert all(hasattr(registered, attr) for attr in studies.REQUIRED)


def test_the_table_and_the_figure_go_through_the_gate(registered, sample, tmp_path):
    with registered.Exporter(sample, tmp_path) as export:
        table = export.table("E1")
        figure = export.figure("figure_share_high")
    written = {p.relative_to(tmp_path).as_posix() for r in (table, figure) for p in r.written}
    assert written == {"tables/table_E1.csv", "tables/table_E1_formatted.csv", "tables/table_E1.tex",
                       "tables/figure_share_high_data.csv", "figures/figure_share_high.pdf",
                       "figures/figure_share_high.png"}
    assert (tmp_path / "manifest.json").is_file() and (tmp_path / "checker" / "disclosure_log.csv").is_file()
    released = pd.read_csv(tmp_path / "tables" / "table_E1.csv")
    assert sorted(released["cohort"]) == list(range(2012, 2018))
    with pytest.raises(ValueError, match="unknown table 'T2'; known: E1"):
        export.prepare_table("T2")


def test_the_comparison_runs_on_the_engine(registered, sample):
    comparison = registered.compare(registered.Results(sample.frames["cohorts"], scale=0.01))
    assert list(comparison["id"]) == ["EX_N_new_2017", "EX_share_high_2017", "EX_share_starters_2017"]
    assert (comparison["status"] == "compared").all() and comparison["within"].all()
    assert comparison.loc[0, "reproduced"] == pytest.approx(304 / 0.01)  # 304 new mortgages in the 2017 sample
    assert list(comparison["class"]) == ["planted", "recomputed", "planted"]


def test_cohorts_reproduce_runs_a_study_by_name(registered, tmp_path, capsys):
    with pytest.warns(NormTableFallbackWarning):
        code = main(["reproduce", "--study", "example", "--data", str(DATA), "--scale", "0.01", "--seed", "20221",
                     "--out", str(tmp_path)])
    assert code == 0
    assert "3 of 3 comparable targets within tolerance" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "comparison.csv")) == 3
    assert (tmp_path / "figures" / "figure_share_high.png").is_file()


def test_an_unknown_study_is_an_error_naming_the_known_ones(tmp_path, capsys):
    assert main(["reproduce", "--study", "nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown study 'nope'; known studies: high_mortgages" in err
    assert not any(tmp_path.iterdir())
