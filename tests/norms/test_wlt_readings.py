"""The two readings of Box 1 (WLT): hand-worked households, the reading option, the CLI option.

Kind: hand-worked values.  Each household is worked by hand below from the
report's formula (Box 1, footnote 37: the 30-year annuity) and the cells of
the packaged Trhk tables (quoted line by line from
``src/cohorts/norms/data/financieringslast_*.csv``); the engine's output is
compared with those numbers.  The CLI tests check that ``--wlt-reading``
reaches the engine (a household whose ``wlt_possible`` differs between the
readings) and that a bad value is refused.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

from cohorts.norms import apply_norm, command
from cohorts.norms.sensitivity import max_mortgage_wlt_under, wlt_possible_under
from cohorts.norms.wlt import WLT_READINGS

# A 2014 single earner: income 40,000, contract rate 3.0% fixed for 5 years, mortgage 200,000 of which
# 100,000 interest-only.
HH_2014 = dict(
    year=2014, main_income=40_000, partner_income=0, main_age=30, interest_rate=3.0, fixed_period_years=5,
    savings=0, securities=0, consumer_credit=0, student_debt=0, observed_mortgage=200_000,
    house_value=220_000, interest_only_amount=100_000,
)
# A 2015 single earner: income 40,000, contract rate 2.0% fixed for 5 years, mortgage 200,000 of which
# 150,000 interest-only.
HH_2015 = {**HH_2014, "year": 2015, "interest_rate": 2.0, "interest_only_amount": 150_000}


def annuity(rate_percent: float) -> float:
    """Footnote 37: rm (1 + rm)^360 / ((1 + rm)^360 - 1), rm = rate / 12."""
    rm = rate_percent / 1200
    return rm * (1 + rm) ** 360 / ((1 + rm) ** 360 - 1)


def hand_2014() -> dict[str, float]:
    # fixed period 5 < 10 years -> test rate = max(3.0, 5.0) = 5.0
    # financieringslast_2014.csv: "2014,below_aow,28000,55000,4.501,5.000,27.5"  -> pct = 27.5
    # no-HRA, 2014 footnote: pct - 1.6 x toetsrente + 0.1 = 27.5 - 8.0 + 0.1 = 19.6
    pct, pct_nohra = 27.5, 27.5 - 1.6 * 5.0 + 0.1
    max_monthly = pct / 100 * 40_000 / 12  # 916.67
    af = annuity(5.0)  # 0.0053682162
    b = pct_nohra / pct  # 0.712727
    s = 100_000 / 200_000  # 0.5
    return {
        "pct": pct, "pct_nohra": pct_nohra, "max_monthly": max_monthly, "af": af,
        "max_mortgage": max_monthly / af,  # 170,758.15 -> 200,000 is high (117%)
        # IO part at the test rate 5.0%: 916.67 / (0.5 x 0.0053682 + 0.5 x 0.0041667 / 0.712727) = 163,481.68
        "toetsrente": max_monthly / ((1 - s) * af + s * (5.0 / 1200) / b),
        # IO part at the contract rate 3.0%: 916.67 / (0.5 x 0.0053682 + 0.5 x 0.0025 / 0.712727) = 206,552.54
        "contract": max_monthly / ((1 - s) * af + s * (3.0 / 1200) / b),
    }


def hand_2015() -> dict[str, float]:
    # test rate = max(2.0, 5.0) = 5.0
    # financieringslast_2015.csv: "2015,below_aow,34000,47000,4.501,5.000,27.0"          -> pct = 27.0
    # financieringslast_2015.csv: "2015,below_aow_no_hra,40000,41000,4.501,5.000,19.5"   -> pct_nohra = 19.5
    pct, pct_nohra = 27.0, 19.5
    max_monthly = pct / 100 * 40_000 / 12  # 900.00
    af = annuity(5.0)
    b = pct_nohra / pct  # 0.722222
    s = 150_000 / 200_000  # 0.75
    return {
        "pct": pct, "pct_nohra": pct_nohra, "max_monthly": max_monthly, "af": af,
        "max_mortgage": max_monthly / af,  # 900 / 0.0053682162 = 167,653.46
        # 900 / (0.25 x 0.00536822 + 0.75 x 0.00416667 / 0.722222) = 900 / 0.00566898 = 158,758.80
        "toetsrente": max_monthly / ((1 - s) * af + s * (5.0 / 1200) / b),
        # 900 / (0.25 x 0.00536822 + 0.75 x 0.00166667 / 0.722222) = 900 / 0.00307282 = 292,890.26
        "contract": max_monthly / ((1 - s) * af + s * (2.0 / 1200) / b),
    }


def test_hand_worked_numbers_are_what_the_comments_say():
    h = hand_2014()
    assert h["af"] == pytest.approx(0.0053682162, abs=1e-10)
    assert h["max_mortgage"] == pytest.approx(170_758.15, abs=0.01)
    assert h["toetsrente"] == pytest.approx(163_481.68, abs=0.01)
    assert h["contract"] == pytest.approx(206_552.54, abs=0.01)
    g = hand_2015()
    assert g["max_mortgage"] == pytest.approx(167_653.46, abs=0.01)
    assert g["toetsrente"] == pytest.approx(158_758.80, abs=0.01)
    assert g["contract"] == pytest.approx(292_890.26, abs=0.01)


@pytest.mark.parametrize("household,hand", [(HH_2014, hand_2014), (HH_2015, hand_2015)], ids=["2014", "2015"])
@pytest.mark.parametrize("reading", WLT_READINGS)
def test_engine_matches_the_hand_worked_household(household, hand, reading):
    h = hand()
    out = apply_norm(pd.DataFrame([household]), wlt_reading=reading).iloc[0]
    assert out["test_rate"] == 5.0
    assert out["pct"] == h["pct"]
    assert out["pct_nohra"] == pytest.approx(h["pct_nohra"], abs=1e-12)
    assert out["max_monthly"] == pytest.approx(h["max_monthly"], rel=1e-12)
    # the standard norm does not depend on the reading
    assert out["max_mortgage"] == pytest.approx(h["max_mortgage"], rel=1e-9)
    assert bool(out["high"]) is True
    assert out["max_mortgage_wlt"] == pytest.approx(h[reading], rel=1e-9)
    # 200,000 observed: above the WLT maximum at the test rate, within it at the contract rate
    assert bool(out["wlt_possible"]) is (reading == "contract")


def test_default_reading_is_toetsrente():
    out = apply_norm(pd.DataFrame([HH_2014]))
    assert out["max_mortgage_wlt"].iloc[0] == pytest.approx(hand_2014()["toetsrente"], rel=1e-9)


def test_readings_agree_when_the_test_rate_is_the_contract_rate():
    # fixed for 10 years: the test rate is the contract rate 3.0, so both readings charge the IO part at 3.0%
    row = {**HH_2014, "fixed_period_years": 10}
    a, b = (apply_norm(pd.DataFrame([row]), wlt_reading=r).iloc[0] for r in WLT_READINGS)
    assert a["test_rate"] == 3.0
    assert a["max_mortgage_wlt"] == b["max_mortgage_wlt"]
    # 2014 row 28000-55000, bracket 0.000-4.000: pct 25.5; no-HRA 25.5 - 1.6 x 3.0 + 0.1 = 20.8
    pct, nohra = 25.5, 25.5 - 4.8 + 0.1
    mm = pct / 100 * 40_000 / 12
    expected = mm / (0.5 * annuity(3.0) + 0.5 * (3.0 / 1200) / (nohra / pct))
    assert a["max_mortgage_wlt"] == pytest.approx(expected, rel=1e-9)


def test_bad_reading_is_refused():
    with pytest.raises(ValueError, match="wlt_reading must be one of toetsrente, contract"):
        apply_norm(pd.DataFrame([HH_2014]), wlt_reading="werkelijk")


@pytest.mark.parametrize("built", WLT_READINGS)
def test_recomputation_from_the_columns_equals_the_engine(built):
    # wlt_possible_under recomputes a reading from a built frame's own columns: for the reading the
    # frame was built with it returns the frame's wlt_possible, for the other one the other engine run's
    rows = pd.DataFrame([HH_2014, HH_2015, {**HH_2014, "interest_only_amount": 0},
                         {**HH_2015, "observed_mortgage": 100_000, "interest_only_amount": 50_000}])
    frame = apply_norm(rows, wlt_reading=built)
    for reading in WLT_READINGS:
        ref = apply_norm(rows, wlt_reading=reading)
        np.testing.assert_array_equal(wlt_possible_under(frame, wlt_reading=reading), ref["wlt_possible"])
        np.testing.assert_allclose(max_mortgage_wlt_under(frame, wlt_reading=reading), ref["max_mortgage_wlt"],
                                   rtol=1e-12)
    # the hand-worked rows: IO household 1 flips, the one without IO part never counts
    assert list(wlt_possible_under(frame, wlt_reading="contract")) == [True, True, False, False]
    assert list(wlt_possible_under(frame, wlt_reading="toetsrente")) == [False, False, False, False]


# ------------------------------------------------------------------ the CLI option
def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cohorts norm")
    command.add_arguments(parser)
    return parser.parse_args(argv)


def test_cli_wlt_reading_option(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame([HH_2014]).to_csv(src, index=False)
    assert command.run(parse([str(src), "--out", str(tmp_path / "default.csv")])) == 0
    assert command.run(parse([str(src), "--out", str(tmp_path / "contract.csv"), "--wlt-reading", "contract"])) == 0
    assert command.run(parse([str(src), "--out", str(tmp_path / "test.csv"), "--wlt-reading", "toetsrente"])) == 0
    default, contract, test = (pd.read_csv(tmp_path / f"{n}.csv").iloc[0] for n in ("default", "contract", "test"))
    h = hand_2014()
    assert default["max_mortgage_wlt"] == pytest.approx(h["toetsrente"], rel=1e-9)
    assert test["max_mortgage_wlt"] == pytest.approx(h["toetsrente"], rel=1e-9)
    assert contract["max_mortgage_wlt"] == pytest.approx(h["contract"], rel=1e-9)
    assert (bool(default["wlt_possible"]), bool(contract["wlt_possible"])) == (False, True)


def test_cli_refuses_an_unknown_reading(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        parse([str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.csv"), "--wlt-reading", "actual"])
    assert exc.value.code == 2
    assert "invalid choice: 'actual'" in capsys.readouterr().err


def test_build_and_reproduce_parsers_take_the_option():
    from cohorts import build
    from cohorts.studies.high_mortgages import command as report_command

    for module, argv in ((build, ["--data", "d", "--out", "o"]), (report_command, ["--out", "o"])):
        parser = argparse.ArgumentParser()
        module.add_arguments(parser)
        assert parser.parse_args(argv).wlt_reading == "toetsrente"
        assert parser.parse_args([*argv, "--wlt-reading", "contract"]).wlt_reading == "contract"
