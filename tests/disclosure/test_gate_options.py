"""Hand-worked checks of the shared command-line options: the gate's (:mod:`cohorts.disclosure.options`) and the
reproductions' data options (:mod:`cohorts.data_options`).

Kind: hand-worked (each command's parser parsed on written-out argument lists).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cohorts.disclosure.options import add_gate_arguments, gate_argv
from cohorts.studies.high_mortgages import command as reproduce_command
from cohorts.studies.interest_only import command as refinance_command
from cohorts.studies.interest_only import reproduce as io_reproduce
from cohorts.survival import command as analyze_command


def parser_of(add) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add(parser)
    return parser


@pytest.mark.parametrize("add, required", [
    (analyze_command.add_arguments, ["--cohorts", "c.parquet", "--out", "o"]),
    (reproduce_command.add_arguments, ["--out", "o"]),
    (refinance_command.add_arguments, ["--data", "d", "--out", "o"]),
    (io_reproduce.add_arguments, ["--out", "o"]),
])
def test_every_gated_command_reads_the_three_options_alike(add, required):
    parser = parser_of(add)
    unset = parser.parse_args(required)
    assert (unset.disclosure_rules, unset.strict, unset.quiet) == (None, None, False)
    on = parser.parse_args([*required, "--disclosure-rules", "r.toml", "--strict", "--quiet"])
    assert (on.disclosure_rules, on.strict, on.quiet) == (Path("r.toml"), True, True)
    assert parser.parse_args([*required, "--no-strict"]).strict is False


def test_gate_argv_forwards_only_what_was_set():
    parser = parser_of(lambda p: add_gate_arguments(p, strict_default="never"))
    assert gate_argv(parser.parse_args([])) == []
    assert gate_argv(parser.parse_args(["--no-strict"])) == ["--no-strict"]
    assert gate_argv(parser.parse_args(["--disclosure-rules", "x.toml", "--strict", "--quiet"])) == [
        "--disclosure-rules", "x.toml", "--strict", "--quiet"]
    assert "(default: never)" in parser.format_help()


def test_the_interest_only_reproduction_forwards_them_to_refinance():
    args = parser_of(io_reproduce.add_arguments).parse_args(["--out", "o", "--no-strict", "--disclosure-rules",
                                                              "r.toml"])
    forwarded = io_reproduce.refinance_arguments(args, data=Path("d"))
    assert (forwarded.strict, forwarded.disclosure_rules, forwarded.quiet) == (False, Path("r.toml"), False)


def test_both_reproductions_read_the_data_options_alike():
    argv = ["--out", "o", "--data", "d", "--real", "--mapping", "m.toml", "--scale", "0.5", "--seed", "7"]
    for add in (reproduce_command.add_arguments, io_reproduce.add_arguments):
        a = parser_of(add).parse_args(argv)
        assert (a.out, a.data, a.real, a.mapping, a.scale, a.seed) == (Path("o"), Path("d"), True, Path("m.toml"),
                                                                        0.5, 7)
        d = parser_of(add).parse_args(["--out", "o"])
        assert (d.data, d.real, d.mapping, d.scale, d.seed) == (None, False, None, 0.01, 20221)
