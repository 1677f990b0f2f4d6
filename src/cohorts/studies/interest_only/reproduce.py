"""``cohorts reproduce --study interest_only``: the whole study on a fresh synthetic twin (or given data).

::

    cohorts reproduce --study interest_only --scale 0.01 --seed 20221 --out out/io

1. generates the synthetic twin in ``OUT/data`` (or reuses it when its manifest has the same seed and
   scale; :func:`cohorts.report.study.ensure_synthetic`, as the first study does); ``--data DIR`` points at
   another folder, used as the twin of ``--scale``/``--seed`` (generated there when empty), and with
   ``--real`` (or ``--mapping``) at a real extract, used as it is;
2. runs ``cohorts refinance --data DATA --out OUT --scenario all --worst --sensitivity`` on it (the study's
   command, :mod:`cohorts.studies.interest_only.command`), passing ``--mapping``, ``--disclosure-rules``,
   ``--strict``/``--no-strict`` and ``--quiet``: the same released files, figures, ``manifest.json``, the
   checker's folder and (on the synthetic twin) ``comparison.csv``.

The options are those of ``cohorts reproduce`` (the router's, :mod:`cohorts.studies.command`); the
first study's own (``--lang``, ``--paper``, ``--table5-window``, ``--worst N`` rows to print, ...) mean
nothing here and are ignored.  The scale of the population estimates is the twin's (its manifest), 1 on
a real extract.  For other scenario, parameter or table files run ``cohorts refinance`` itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cohorts.report.study import ensure_synthetic
from cohorts.disclosure.options import add_gate_arguments, gate_argv
from cohorts.data_options import add_data_arguments

from . import command as _refinance

#: The ``cohorts refinance`` options the reproduction runs with (the study's full set of results).
REFINANCE_OPTIONS: tuple[str, ...] = ("--scenario", "all", "--worst", "--sensitivity")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the options ``run`` reads (``--out``, ``--data``, ``--real``, ``--mapping``, ``--scale``,
    ``--seed``, ``--disclosure-rules``, ``--strict``, ``--quiet``; the router registers the first study's,
    which include these)."""
    add_data_arguments(parser)
    add_gate_arguments(parser, strict_default="strict unless the data are the synthetic twin")


def refinance_arguments(args: argparse.Namespace, *, data: Path) -> argparse.Namespace:
    """The ``cohorts refinance`` options of a reproduction: :data:`REFINANCE_OPTIONS` on ``data`` into
    ``args.out``, with the options of ``args`` that ``cohorts refinance`` shares; every other option at its
    ``cohorts refinance`` default."""
    argv = ["--data", str(data), "--out", str(args.out), *REFINANCE_OPTIONS]
    if getattr(args, "mapping", None) is not None:
        argv += ["--mapping", str(args.mapping)]
    argv += gate_argv(args)
    parser = argparse.ArgumentParser(prog="cohorts refinance")
    _refinance.add_arguments(parser)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    """Generate or reuse the data, then run ``cohorts refinance`` with :data:`REFINANCE_OPTIONS`; returns its code."""
    out = Path(args.out)
    data = Path(args.data) if args.data is not None else out / "data"
    real = bool(getattr(args, "real", False)) or getattr(args, "mapping", None) is not None
    if not real:
        ensure_synthetic(data, scale=float(args.scale), seed=int(args.seed))
    return _refinance.run(refinance_arguments(args, data=data))


__all__ = ["REFINANCE_OPTIONS", "add_arguments", "refinance_arguments", "run"]
