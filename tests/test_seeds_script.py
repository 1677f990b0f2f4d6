"""Hand-worked values: the tables of ``benchmarks/seeds.py`` on small comparison frames (no run is started).

Every expected number below is counted or subtracted by hand from the frames built here:
the status counts (any status, also one the script does not name), the within-tolerance
counts by class, the conflicts, the misses by id, the one-sided violation of a bound, the
0.5-point rule for the survival numbers and the systematic/noise verdict across seeds.
"""

from __future__ import annotations

import pandas as pd
import pytest
from benchmark_script import load_benchmark


@pytest.fixture(scope="module")
def seeds():
    yield from load_benchmark("seeds")


def _comparison(km_high: float, share: float) -> pd.DataFrame:
    rows = [
        # id, target, reproduced, tolerance, within, status, class, kind, bound, sample_se
        ("A_share", 50.0, share, 1.0, abs(share - 50.0) <= 1.0, "compared", "planted", "share", "two_sided", 0.3),
        ("B_count", 100.0, 100.0, 5.0, True, "compared", "planted", "count", "two_sided", None),
        ("C_conf", 20.0, 17.0, 1.0, False, "source_conflict", "recomputed", "share", "two_sided", 0.2),
        ("D_none", 3.0, None, None, None, "no_data", "recomputed", "percent", "two_sided", None),
        ("F8_km_high_6y", 7.9, km_high, 0.5, abs(km_high - 7.9) <= 0.5, "compared", "recomputed", "cum_incidence",
         "two_sided", None),
        ("F9_km_one_in_ten", 10.0, 9.2, 0.5, True, "compared", "recomputed", "cum_incidence", "at_most", None),
        ("F9_km_at_least", 5.0, 4.3, 0.5, False, "compared", "recomputed", "cum_incidence", "at_least", None),
    ]
    cols = ["id", "target", "reproduced", "tolerance", "within", "status", "class", "tolerance_kind", "bound",
            "sample_se"]
    return pd.DataFrame(rows, columns=cols)


def test_seed_row_counts_statuses_classes_conflicts_and_misses(seeds):
    row = seeds.seed_row(_comparison(km_high=8.2, share=52.0), seed=7)
    assert row["statuses"] == "compared=5; no_data=1; source_conflict=1"
    assert (row["n_comparable"], row["within"]) == (5, 3)
    assert row["within_pct"] == 60.0
    assert (row["planted_within"], row["planted_total"]) == (1, 2)
    assert (row["recomputed_within"], row["recomputed_total"]) == (2, 3)
    assert row["conflicts"] == 1
    assert row["misses"] == "A_share F9_km_at_least"
    assert (row["survival_within_0.5pp"], row["survival_total"]) == (2, 3)


def test_survival_rows_use_one_sided_violation_for_bounds(seeds):
    s = seeds.survival_rows(_comparison(km_high=8.5, share=50.0), seed=1).set_index("id")
    assert list(s.index) == ["F8_km_high_6y", "F9_km_one_in_ten", "F9_km_at_least"]
    assert s.at["F8_km_high_6y", "diff_pp"] == pytest.approx(0.6)
    assert s.at["F8_km_high_6y", "violation_pp"] == pytest.approx(0.6)
    assert not s.at["F8_km_high_6y", "within_0.5pp"]
    # "bijna 1 op de 10": 9.2 is 0.8 below 10 but does not violate an upper bound
    assert s.at["F9_km_one_in_ten", "abs_diff_pp"] == pytest.approx(0.8)
    assert s.at["F9_km_one_in_ten", "violation_pp"] == 0.0
    assert s.at["F9_km_one_in_ten", "within_0.5pp"]
    assert s.at["F9_km_at_least", "violation_pp"] == pytest.approx(0.7)
    assert not s.at["F9_km_at_least", "within_0.5pp"]


def test_miss_table_tells_systematic_from_noise(seeds):
    comps = {1: _comparison(km_high=8.5, share=51.5), 2: _comparison(km_high=7.8, share=51.2),
             3: _comparison(km_high=8.0, share=48.7)}
    m = seeds.miss_table(comps).set_index("id")
    assert list(m.index) == ["A_share", "F8_km_high_6y", "F9_km_at_least"]
    # A_share misses on seeds 1 and 2 (above) and 3 (below): every seed but not one side -> noise
    assert m.at["A_share", "n_missed"] == 3
    assert m.at["A_share", "side"] == "above/below"
    assert m.at["A_share", "verdict"] == "noise"
    assert m.at["A_share", "mean_diff"] == pytest.approx((1.5 + 1.2 - 1.3) / 3, abs=1e-4)
    assert m.at["A_share", "sample_se"] == 0.3
    # F8 misses on seed 1 only -> noise
    assert (m.at["F8_km_high_6y", "n_missed"], m.at["F8_km_high_6y", "verdict"]) == (1, "noise")
    assert m.at["F8_km_high_6y", "sd_seeds"] == pytest.approx(pd.Series([8.5, 7.8, 8.0]).std(), abs=1e-4)
    # the lower bound misses on all three seeds, always below -> systematic
    assert (m.at["F9_km_at_least", "side"], m.at["F9_km_at_least", "verdict"]) == ("below", "systematic")


def test_read_comparison_names_file_and_missing_column(seeds, tmp_path):
    path = tmp_path / "comparison.csv"
    _comparison(km_high=8.0, share=50.0).drop(columns=["bound"]).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"comparison.csv.*\['bound'\]"):
        seeds.read_comparison(path)


def test_commands_follow_the_makefile(seeds, tmp_path):
    cmds = dict(seeds.seed_commands(scale="1.0", seed=3, folder=tmp_path / "seed-3", python="py"))
    assert cmds["synth"][-6:] == ["--scale", "1.0", "--seed", "3", "--out", str(tmp_path / "seed-3" / "data")]
    assert cmds["reproduce"][3:] == ["reproduce", "--data", str(tmp_path / "seed-3" / "data"), "--scale", "1.0",
                                     "--seed", "3", "--out", str(tmp_path / "seed-3")]
    assert "--paper" not in cmds["reproduce"]


def test_comparison_only_replaces_build_and_reproduce(seeds, tmp_path):
    cmds = seeds.seed_commands(scale="0.1", seed=5, folder=tmp_path, python="py", comparison_only=True)
    assert [stage for stage, _ in cmds] == ["synth", "compare"]
    argv = dict(cmds)["compare"]
    assert argv[:2] == ["py", "-c"] and "compare(res, targets=load_targets())" in argv[2]
    assert argv[3:] == [str(tmp_path / "data"), str(tmp_path), "0.1", "5"]


def test_miss_table_gives_no_verdict_on_one_seed(seeds):
    m = seeds.miss_table({1: _comparison(km_high=8.5, share=51.5)})
    assert set(m["verdict"]) == {"one seed"}
