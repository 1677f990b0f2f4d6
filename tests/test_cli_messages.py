"""Regression checks of the messages users read: wrong column names, `cohorts reproduce --data`, norm fallback.

Hand-worked expectations (no statistics here): a misspelt column suggests the
real one and lists the columns the call needs (not the frame's others); a
folder of raw inputs is never overwritten by the synthetic twin and the message
says exactly what to pass; ``--real`` with a bad folder names what is missing
and never the synthetic options; the norm-table fallback of the tiny panel's
2016 cohort (2016 uses the 2015 tables, docs/norms.md) is one line per command
run, in a subprocess so that Python's own warning display is what is checked.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from cohorts import contracts
from cohorts.cli import main, notes_as_lines
from cohorts.errors import CohortsWarning, ContractError, NormTableFallbackWarning, close_matches
from cohorts.io import write_parquet
from cohorts.progress import heartbeat
from cohorts.survival import fit_cif, fit_cox, fit_discrete, fit_km, logrank

REFERENCE = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="module")
def study() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "study.csv")


@pytest.fixture
def raw_dir(tmp_path, tiny_raw):
    lld, cbs, key = tiny_raw
    d = tmp_path / "raw"
    d.mkdir()
    write_parquet(lld, d / "lld_loan_parts.parquet")
    write_parquet(cbs, d / "cbs_persons.parquet")
    write_parquet(key, d / "key_table.parquet")
    return d


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ----------------------------------------------------------------------------- wrong column names
def test_close_matches():
    cols = ["duration", "event", "starter", "lti_util", "exit_type"]
    assert close_matches("durration", cols) == ["duration"]
    assert close_matches("Starter", cols) == ["starter"]
    assert close_matches("LTI util", cols) == ["lti_util"]
    assert close_matches("zzz", cols) == []


def test_misspelt_duration_suggests_and_lists_the_needed_columns(study):
    with pytest.raises(ContractError) as err:
        fit_cox(study, duration="durration", event="event", covariates=["high", "C(cohort)"], strata="starter")
    msg = str(err.value)
    assert msg.splitlines() == [
        "missing column(s) ['durration']; this call needs the column(s) "
        "['durration', 'event', 'high', 'cohort', 'starter']:",
        "  - survival input: column 'durration' breaks rule 'column present'; did you mean 'duration'?",
    ]
    for other in ("lender", "exit_type", "nhg", "'w'"):  # columns of the frame the call does not need
        assert other not in msg


@pytest.mark.parametrize(("call", "missing", "suggested"), [
    (lambda d: fit_km(d, duration="duration", event="evnt", group="high"), "evnt", "'event'"),
    (lambda d: fit_cox(d, duration="duration", event="event", covariates=["high", "Starter"]), "Starter",
     "'starter'"),
    (lambda d: fit_discrete(d, duration="duration", event="event", covariates=["C(cohrt)"]), "cohrt", "'cohort'"),
    (lambda d: logrank(d, duration="duration", event="event", group="hihg"), "hihg", "'high'"),
    (lambda d: fit_cif(d, duration="duration", event_type="exit_typ"), "exit_typ", "'exit_type'"),
])
def test_every_survival_function_suggests(study, call, missing, suggested):
    with pytest.raises(ContractError, match=rf"column '{missing}' breaks rule 'column present'; "
                                            rf"did you mean {suggested}\?"):
        call(study)


def test_no_close_match_says_so(study):
    with pytest.raises(ContractError, match=r"column 'zzz' breaks rule 'column present'; no similar column$"):
        fit_km(study, duration="duration", event="event", group="zzz")


def test_raw_input_contract_suggests_and_names_the_contract_columns(tiny_raw):
    lld = tiny_raw[0].rename(columns={"current_ltv": "curent_ltv"})
    with pytest.raises(ContractError) as err:
        contracts.validate_lld(lld, source="lld.csv")
    msg = str(err.value)
    assert "lld.csv: column 'current_ltv' breaks rule 'column present'; did you mean 'curent_ltv' or 'current_balance'?" in msg
    assert f"contract needs the columns {', '.join(contracts.LLD_CONTRACT.names)}" in msg
    assert "columns found" not in msg


def test_stage_boundary_suggests():
    with pytest.raises(ContractError, match=r"cohorts: input lacks 1 required column\(s\); it needs duration, "
                                            r"event:\n  - cohorts: column 'event' breaks rule 'column present'; "
                                            r"did you mean 'events'\?"):
        contracts.require_columns(pd.DataFrame({"duration": [1], "events": [0]}), ["duration", "event"],
                                  stage="cohorts")


# ----------------------------------------------------------------------------- cohorts reproduce --data
def test_reproduce_data_without_real_refuses_and_says_what_to_pass(raw_dir, tmp_path, capsys):
    before = _digest(raw_dir)
    assert main(["reproduce", "--out", str(tmp_path / "out"), "--data", str(raw_dir), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"cohorts reproduce: error: {raw_dir}: holds raw inputs (lld_loan_parts.parquet, cbs_persons.parquet, "
        "key_table.parquet) but no synthetic manifest.json, so they are not the synthetic twin; refusing to "
        "overwrite them with synthetic data. To use them as they are, run "
        f"`cohorts reproduce --data {raw_dir} --real` (add `--mapping FILE` when the extract's files or columns "
        f"have other names), or call load_study('{raw_dir}', ...) without scale and seed; to generate the "
        "synthetic twin, give --data (data_dir) an empty or new folder\n"
    )
    assert _digest(raw_dir) == before  # untouched


def test_reproduce_data_with_some_inputs_is_not_overwritten(raw_dir, tmp_path, capsys):
    (raw_dir / "cbs_persons.parquet").unlink()
    before = _digest(raw_dir)
    assert main(["reproduce", "--out", str(tmp_path / "out"), "--data", str(raw_dir), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "holds raw inputs (lld_loan_parts.parquet, key_table.parquet)" in err and "--real" in err
    assert _digest(raw_dir) == before


def test_real_with_missing_folder_names_it_and_no_synthetic_options(tmp_path, capsys):
    missing = tmp_path / "nope"
    assert main(["reproduce", "--out", str(tmp_path / "out"), "--data", str(missing), "--real", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == (f"cohorts reproduce: error: {missing}: no raw inputs found: no such folder "
                   "(check `--data DIR`, load_study's data_dir)\n")
    assert not missing.exists()


def test_real_with_incomplete_folder_names_each_missing_input(raw_dir, tmp_path, capsys):
    (raw_dir / "cbs_persons.parquet").unlink()
    (raw_dir / "key_table.parquet").unlink()
    assert main(["reproduce", "--out", str(tmp_path / "out"), "--data", str(raw_dir), "--real", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"cohorts reproduce: error: {raw_dir}: no raw inputs found: no cbs input found (expected cbs_persons.parquet "
        "or .csv, or a 'file' entry in a column mapping); no key input found (expected key_table.parquet or .csv, "
        "or a 'file' entry in a column mapping). Put the three inputs there (lld_loan_parts, cbs_persons, key_table "
        "as .parquet or .csv) or name the extract's files in a column mapping (`--mapping FILE`; "
        "load_study(mapping=...); see 'Pointing it at real extracts' in the README)\n"
    )
    for synthetic_option in ("scale", "seed", "synthetic"):
        assert synthetic_option not in err


# ----------------------------------------------------------------------------- norm-table fallback
def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cohorts.cli", *args], capture_output=True, text=True,
                          timeout=600, check=False)


FALLBACK = ("note: no Trhk table for 2016; used 2015 for 2016 (the nearest earlier table year; a year before the "
            "first table year uses the first; see docs/norms.md); column 'norm_table_year' records the table "
            "year of each row")


def test_build_prints_the_fallback_as_one_line(raw_dir, tmp_path):
    done = _run(["build", "--data", str(raw_dir), "--out", str(tmp_path / "out")])
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert [line for line in lines if "Trhk" in line] == [f"cohorts build: {FALLBACK}"]
    assert "Warning" not in done.stderr and "warnings.warn" not in done.stderr and ".py:" not in done.stderr
    # the note sits between the build's stage lines
    assert lines.index(f"cohorts build: {FALLBACK}") > lines.index("building cohorts, panel and stock ...")


def test_norm_command_prints_the_fallback_as_one_line(tmp_path):
    from cohorts.norms import schema as S

    row = {S.YEAR: 2016, S.MAIN_INCOME: 40000, S.PARTNER_INCOME: 0, S.MAIN_AGE: 30, S.INTEREST_RATE: 2.5,
           S.FIXED_PERIOD_YEARS: 10, S.SAVINGS: 0, S.SECURITIES: 0, S.CONSUMER_CREDIT: 0, S.STUDENT_DEBT: 0,
           S.OBSERVED_MORTGAGE: 150000, S.HOUSE_VALUE: 200000, S.INTEREST_ONLY_AMOUNT: 0}
    src = tmp_path / "households.csv"
    pd.DataFrame([row, row]).to_csv(src, index=False)
    done = _run(["norm", str(src), "--out", str(tmp_path / "normed.csv")])
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"cohorts norm: {FALLBACK}"]


def test_notes_as_lines_changes_only_the_display():
    original = warnings.formatwarning
    with notes_as_lines("cohorts x"):
        assert warnings.formatwarning("2016 uses 2015", NormTableFallbackWarning, "f.py", 1) == \
            "cohorts x: note: 2016 uses 2015\n"
        assert warnings.formatwarning("m", CohortsWarning, "f.py", 1) == "cohorts x: note: m\n"
        assert warnings.formatwarning("m", UserWarning, "f.py", 1, "src") == original("m", UserWarning, "f.py", 1,
                                                                                        "src")
        with pytest.warns(NormTableFallbackWarning, match="2016"):  # still a warning: filters and records see it
            warnings.warn("2016 uses 2015", NormTableFallbackWarning, stacklevel=1)
    assert warnings.formatwarning is original


_ONCE_SCRIPT = """
import warnings
from cohorts.cli import notes_as_lines
from cohorts.errors import CohortsWarning, NormTableFallbackWarning
with notes_as_lines("cohorts x"):
    for _ in range(3):
        with warnings.catch_warnings():  # resets Python's record of what it showed
            pass
        warnings.warn("2019 uses 2015", NormTableFallbackWarning, stacklevel=1)
    warnings.warn("another note", CohortsWarning, stacklevel=1)
    warnings.warn("plain", UserWarning, stacklevel=1)
"""


def test_a_note_is_shown_once_per_run_even_when_filters_change_in_between():
    """Hand-worked: the same note issued three times, with a filter change (catch_warnings) between, prints once;
    another note and a non-package warning print as usual (run in a child: pytest records warnings itself)."""
    done = subprocess.run([sys.executable, "-c", _ONCE_SCRIPT], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONWARNINGS": "default"})
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("cohorts x: note: 2019 uses 2015") == 1
    assert done.stderr.count("cohorts x: note: another note") == 1
    assert "UserWarning: plain" in done.stderr


# ----------------------------------------------------------------------------- heartbeat
def test_heartbeat_beats_while_the_step_runs_and_stops_after():
    lines: list[str] = []
    with heartbeat(lines.append, "attacking", every=0.05):
        time.sleep(0.32)
    n = len(lines)
    assert n >= 3 and all(line.startswith("  ... still attacking (") and line.endswith(" s)") for line in lines)
    time.sleep(0.15)
    assert len(lines) == n  # stopped with the block
    quick: list[str] = []
    with heartbeat(quick.append, "x", every=10):
        pass
    assert quick == []  # a short step prints nothing
    with pytest.raises(ValueError, match="every must be > 0 seconds, but was 0"):
        with heartbeat(quick.append, "x", every=0):
            pass
