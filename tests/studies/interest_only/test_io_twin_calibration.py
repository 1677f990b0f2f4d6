"""Calibration of the synthetic twin's interest-only block to the study: sample size and ages.

Kinds of test (each test's docstring starts with its kind):

* **calibration**: twins at scale 0.03 on two seeds nobody tuned on (1 and 2; the ``[io_stock]``
  block of ``src/cohorts/synth/params.toml`` was tuned on seed 20221) are read by the study's
  unchanged population builder; the shares the block calibrates must be within a tolerance of the
  report's number.  Each tolerance = the calibration's remaining miss on seed 20221 (scale 0.1,
  ``docs/io_calibration.md``) + 3 sampling standard errors at scale 0.03 (about 57,000 IO households,
  24,500 perpetuals, 32,500 refinancing households), rounded up; the s.e. is written beside each.
* **property**: the birth years the block moves are those of pre-2012 stock households only, moved
  to older ages (the first study's cohorts are untouched).

The forced sales' maturity mix (IO_TXT_forced_sale_ge10y_share, 84%) is improved but not reached
(strict xfail in ``test_population.py``); see ``docs/io_calibration.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohorts import columns as C
from cohorts.studies.interest_only import columns as S
from cohorts.studies.interest_only.population import build_population, read_inputs
from cohorts.synth import kinds as K
from cohorts.synth import write_synthetic
from cohorts.synth.generator import build_world
from cohorts.synth.panel import cbs_persons

SCALE = 0.03


@pytest.fixture(scope="module", params=[1, 2], ids=["seed1", "seed2"])
def twin(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp(f"io_twin_cal{request.param}") / "panel"
    write_synthetic(out, scale=SCALE, seed=request.param)
    return request.param, out


@pytest.fixture(scope="module")
def households(twin: tuple[int, Path]) -> pd.DataFrame:
    inp = read_inputs(twin[1])
    return build_population(inp.lld, inp.cbs, inp.key, inp.income_pension, inp.wealth_dwelling).households


def _gt60(hh: pd.DataFrame) -> np.ndarray:
    return (2016 - hh[S.MAIN_BIRTH_YEAR].astype("int64")).to_numpy() > 60


@pytest.mark.slow
def test_io_households_per_million(households: pd.DataFrame) -> None:
    """Calibration: IO households at scale 1 = count / scale within 1.90-1.93 million (IO_F1_n_io_households
    1.92; the block plants 1.92 million before the study's selection but the pre-2012 stock without an
    IO part runs out at about 1.91, docs/io_calibration.md; the count is planted, its noise is the
    dropped kinds', s.e. about 0.002 million)."""
    n = len(households) / SCALE / 1e6
    assert 1.90 <= n <= 1.93


@pytest.mark.slow
def test_perpetuals_are_older(households: pd.DataFrame) -> None:
    """Calibration: main earner above 60 (2016) among perpetuals 47% +- 2 pp (IO_TXT_perp_age_gt60_share;
    s.e. 0.32 pp, miss on seed 20221 0.3 pp), among the refinancing households 19% +- 2 pp
    (IO_TXT_refi_age_gt60_share; s.e. 0.22 pp, miss 1.7 pp before the last tuning step)."""
    p = households[S.PERPETUAL].to_numpy(dtype=bool)
    old = _gt60(households)
    assert abs(100 * old[p].mean() - 47.0) <= 2.0
    assert abs(100 * old[~p].mean() - 19.0) <= 2.0


@pytest.mark.slow
def test_retired_perpetuals(households: pd.DataFrame) -> None:
    """Calibration: retired (labour status pensioner) main earners among perpetuals 33.3% +- 5 pp
    (IO_TXT_perpetual_retired_share, 'één derde'; the study's own tolerance; s.e. 0.3 pp)."""
    p = households[S.PERPETUAL].to_numpy(dtype=bool)
    retired = households["labour_status_main"].astype(str).to_numpy() == "pensioner"
    assert abs(100 * retired[p].mean() - 33.3) <= 5.0


@pytest.mark.slow
def test_only_pre_2012_stock_persons_age(twin: tuple[int, Path]) -> None:
    """Property: the CBS birth years differ from the panel writer's only for persons of pre-2012 stock
    loans (kind ``pre_2012_stock``), and only towards older ages; some do move."""
    seed, folder = twin
    world = build_world(scale=SCALE, seed=seed)
    base = cbs_persons(world)
    written = pd.read_parquet(folder / "cbs_persons.parquet")
    assert len(written) == len(base)
    pd.testing.assert_frame_equal(written.drop(columns=C.BIRTH_YEAR), base.drop(columns=C.BIRTH_YEAR))
    moved = written[C.BIRTH_YEAR].to_numpy() != base[C.BIRTH_YEAR].to_numpy()
    assert moved.sum() > 1000
    assert (written[C.BIRTH_YEAR].to_numpy()[moved] < base[C.BIRTH_YEAR].to_numpy()[moved]).all()
    loans = world.loans
    own = loans.loc[loans["kind"].to_numpy() == K.CODE[K.PRE_2012_STOCK], "main_pid"].to_numpy()
    per = world.persons.set_index("person_id")
    partners = per["partner_id"].reindex(own).to_numpy()
    allowed = set(own.tolist()) | set(partners[partners >= 0].tolist())
    assert set(written.loc[moved, C.PERSON_ID].tolist()) <= allowed
