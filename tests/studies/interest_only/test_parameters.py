"""The packaged amounts that the seed does not print (``[user_supplied]`` in ``data/parameters.toml``).

Hand-worked: the defaults must equal the cited official amounts, recomputed here from the monthly
figures quoted in ``data/SOURCES.md`` (SVB, "AOW pension rates - Amounts as from 1 July 2017",
https://www.svb.nl/int/en/aow/hoogte_aow/bedragen/): 12 x (gross monthly AOW incl. the AOW top-up
+ monthly holiday allowance).  These are the 1 JULY 2017 rates (no official 1 January 2017 text
was readable).  The social-assistance levels have no default (only net norms were found).
"""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from cohorts.studies.interest_only.parameters import load_parameters

SVB_URL = "https://www.svb.nl/int/en/aow/hoogte_aow/bedragen/"

# monthly amounts as printed on the SVB page (rates of 1 July 2017), euro
SINGLE_GROSS, SINGLE_HOLIDAY = Decimal("1161.69"), Decimal("70.26")  # gross incl. top-up 25.56; holiday allowance
PARTNER_GROSS, PARTNER_HOLIDAY = Decimal("801.05"), Decimal("50.18")  # per person, both receive AOW


def _data(name: str) -> str:
    return resources.files("cohorts.studies.interest_only").joinpath("data", name).read_text(encoding="utf-8")


def test_hw_aow_defaults_equal_cited_svb_amounts():
    p = load_parameters()
    # single: 12 x (1,161.69 + 70.26) = 12 x 1,231.95 = 14,783.40
    assert 12 * (SINGLE_GROSS + SINGLE_HOLIDAY) == Decimal("14783.40")
    # with a partner, per person: 12 x (801.05 + 50.18) = 12 x 851.23 = 10,214.76
    assert 12 * (PARTNER_GROSS + PARTNER_HOLIDAY) == Decimal("10214.76")
    assert p.aow_full_single == pytest.approx(14_783.40, abs=1e-9)
    assert p.aow_full_partnered == pytest.approx(10_214.76, abs=1e-9)
    assert p.aow_full_partnered < p.aow_full_single


def test_hw_social_assistance_has_no_default():
    p = load_parameters()
    assert p.social_assistance_single is None and p.social_assistance_couple is None


def test_hw_defaults_are_documented_with_source_and_date():
    toml = _data("parameters.toml")
    assert SVB_URL in toml and "1 JULY 2017" in toml
    sources = _data("SOURCES.md")
    assert SVB_URL in sources and "1 July 2017" in sources
    # the quoted sentences carry the monthly figures used above
    for figure in ("1,161.69", "70.26", "801.05", "50.18", "25.56"):
        assert figure in sources, figure
    assert "| `user_supplied.aow_full_single` | 14,783.40 |" in sources
    assert "| `user_supplied.aow_full_partnered` | 10,214.76 |" in sources
    assert "| `user_supplied.social_assistance_single` | no default |" in sources
