"""Synthetic twin of the DNB Loan Level Data linked to CBS microdata.

The real microdata never leave the CBS secure environment, so the pipeline is
developed and tested on a synthetic panel with the same layout and the same
kinds of mess (several loan parts per mortgage, refinanced parts, late-reported
and pre-2012 loans, households with two mortgages, unlinkable loans, missing
CBS records, ...).  The analysable new mortgages meet the Tabel B3 counts of
the AFM (2022) study exactly (times ``scale``), and household finances, loan
terms, LTI utilisation and arrears are planted so that the report's patterns
emerge when the pipeline recomputes everything from the raw fields.

Public API
----------
write_synthetic(out, *, scale, seed, params=None) -> dict
    Generate and write ``lld_loan_parts.parquet``, ``cbs_persons.parquet``,
    ``key_table.parquet``, ``truth.parquet``, ``README.md`` and
    ``manifest.json`` (atomically).
build_world(*, scale, seed, params=None) -> World
    Generate in memory; :mod:`cohorts.synth.panel` turns a world into tables.
load_params(path=None) -> SynthParams
    The generator parameters (``params.toml``).
INTENDED
    The planted fates of ``truth.parquet``'s ``intended`` column.
"""

from cohorts.synth.generator import World, build_world
from cohorts.synth.kinds import INTENDED
from cohorts.synth.params import SynthParams, load_params
from cohorts.synth.write import write_synthetic

__all__ = ["INTENDED", "SynthParams", "World", "build_world", "load_params", "write_synthetic"]
