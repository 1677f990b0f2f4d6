"""Regression/property check: parsing and validation of ``benchmarks/mutation.py`` (no mutation is run).

Checks that a mutation list is read into its fields, that malformed lists and
a fragment that does not occur exactly once are reported as errors (exit
status 2 of ``--check``), that a mutation replaces exactly its fragment, and
that the packaged list is valid against the current tree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmark_script import load_benchmark

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mut():
    yield from load_benchmark("mutation")


def _tree(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\ny = x + 1\nz = x + 1\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mod.py").write_text("def test_x():\n    assert True\n", encoding="utf-8")
    lst = tmp_path / "list.toml"
    lst.write_text(toml, encoding="utf-8")
    return lst


ENTRY = """
[[mutation]]
name = "{name}"
file = "pkg/mod.py"
original = "{original}"
replacement = "{replacement}"
tests = ["tests/test_mod.py"]
description = "a test mutation"
"""


def test_list_is_parsed_into_mutations(mut, tmp_path):
    lst = _tree(tmp_path, ENTRY.format(name="a", original="x = 1", replacement="x = 2")
                + ENTRY.format(name="b", original="y = x", replacement="y = -x"))
    ms = mut.load_mutations(lst)
    assert [m.name for m in ms] == ["a", "b"]
    assert ms[0].file == "pkg/mod.py" and ms[0].tests == ("tests/test_mod.py",)
    assert ms[1].original == "y = x" and ms[1].replacement == "y = -x"
    assert mut.check_mutations(tmp_path, ms) == []
    assert mut.mutate_text("x = 1\ny = x + 1\n", ms[1]) == "x = 1\ny = -x + 1\n"
    assert mut.main(["--check", "--root", str(tmp_path), str(lst)]) == 0


@pytest.mark.parametrize(
    ("original", "message"),
    [("w = 3", "not found"), ("x + 1", "found 2 times")],
)
def test_fragment_not_found_once_is_an_error(mut, tmp_path, capsys, original, message):
    lst = _tree(tmp_path, ENTRY.format(name="bad", original=original, replacement="q"))
    ms = mut.load_mutations(lst)
    problems = mut.check_mutations(tmp_path, ms)
    assert len(problems) == 1 and message in problems[0] and "'bad'" in problems[0]
    with pytest.raises(mut.MutationError, match=message):
        mut.mutate_text((tmp_path / "pkg" / "mod.py").read_text(), ms[0])
    assert mut.main(["--check", "--root", str(tmp_path), str(lst)]) == 2
    assert message in capsys.readouterr().err
    assert (tmp_path / "pkg" / "mod.py").read_text() == "x = 1\ny = x + 1\nz = x + 1\n"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("", "no \\[\\[mutation\\]\\] entries"),
        ("[[mutation]]\nname = 'a'\n", "field 'file' is missing"),
        (ENTRY.format(name="a", original="x = 1", replacement="x = 1"), "equals the original"),
        (ENTRY.format(name="a", original="x = 1", replacement="x = 2") * 2, "used twice"),
        (ENTRY.format(name="a", original="x = 1", replacement="x = 2") + "colour = 'red'\n", "unknown field"),
        ("[[mutation]\n", "cannot read"),
    ],
)
def test_malformed_lists_are_refused(mut, tmp_path, toml, message):
    lst = _tree(tmp_path, toml)
    with pytest.raises(mut.MutationError, match=message):
        mut.load_mutations(lst)
    assert mut.main(["--check", "--root", str(tmp_path), str(lst)]) == 2


def test_missing_test_path_is_an_error(mut, tmp_path):
    lst = _tree(tmp_path, ENTRY.format(name="a", original="x = 1", replacement="x = 2").replace(
        "tests/test_mod.py", "tests/test_gone.py"))
    problems = mut.check_mutations(tmp_path, mut.load_mutations(lst))
    assert len(problems) == 1 and "tests/test_gone.py does not exist" in problems[0]


def test_verdicts(mut):
    assert mut.verdict(0) == "survived"
    assert mut.verdict(1) == "killed" and mut.verdict(2) == "killed"
    assert mut.verdict(5) == "error"  # no tests collected: a broken list, not a kill


def test_packaged_lists_are_valid_against_the_tree(mut):
    lists = sorted((ROOT / "benchmarks" / "mutations").glob("*.toml"))
    assert lists
    ms = [m for p in lists for m in mut.load_mutations(p)]
    assert len(ms) >= 30
    assert mut.check_mutations(ROOT, ms) == []
