"""Identifier rules: INSZ (national register, BIS, born from 2000) and KBO, via python-stdnum."""

from __future__ import annotations

import pytest

from gateway.identifiers.establishment import (
    InvalidEstablishmentUnit,
    validate_establishment_unit,
)
from gateway.identifiers.insz import InvalidInsz, is_bis_number, mask_insz, validate_insz
from gateway.identifiers.kbo import InvalidKbo, validate_kbo


def _insz(birth: str, counter: str, *, after_2000: bool = False) -> str:
    base = birth + counter
    n = int(("2" if after_2000 else "") + base)
    return f"{base}{97 - n % 97:02d}"


def test_valid_insz_is_compacted() -> None:
    assert validate_insz("85.07.30-033.28") == "85073003328"


def test_checksum_rule_named() -> None:
    with pytest.raises(InvalidInsz) as info:
        validate_insz("85073003329")
    assert info.value.rule == "insz.checksum"


def test_length_and_format_rules() -> None:
    with pytest.raises(InvalidInsz) as info:
        validate_insz("8507300332")
    assert info.value.rule == "insz.length"
    with pytest.raises(InvalidInsz) as info:
        validate_insz("85O73003328")
    assert info.value.rule in {"insz.format", "insz.length"}


def test_born_from_2000_uses_prefix_2() -> None:
    number = _insz("050312", "123", after_2000=True)
    assert validate_insz(number) == number
    # the same digits with the pre-2000 check digits are wrong for a person born in 2005 ...
    old_style = _insz("050312", "123", after_2000=False)
    # ... but valid for someone born in 1905: stdnum accepts either century when it matches
    assert validate_insz(old_style) == old_style
    assert number != old_style


def test_impossible_birth_date_rejected() -> None:
    with pytest.raises(InvalidInsz) as info:
        validate_insz(_insz("851332", "033"))
    assert info.value.rule in {"insz.birth-date", "insz.checksum"}


@pytest.mark.parametrize("offset", [20, 40])
def test_bis_numbers_month_offsets(offset: int) -> None:
    number = _insz(f"85{7 + offset:02d}30", "033")
    assert is_bis_number(number)
    assert validate_insz(number) == number


def test_bis_number_born_from_2000() -> None:
    number = _insz("054315", "001", after_2000=True)
    assert validate_insz(number) == number


def test_bis_with_wrong_checksum() -> None:
    number = _insz("852730", "033")
    bad = number[:-2] + f"{(int(number[-2:]) + 1) % 100:02d}"
    with pytest.raises(InvalidInsz):
        validate_insz(bad)


def test_mask_never_shows_birth_date() -> None:
    masked = mask_insz("85073003328")
    assert "850730" not in masked
    assert masked.endswith("328")
    assert mask_insz("garbage") == "***********"


def test_kbo_valid_and_rules() -> None:
    assert validate_kbo("0403.170.701") == "0403170701"
    with pytest.raises(InvalidKbo) as info:
        validate_kbo("0403170702")
    assert info.value.rule == "kbo.checksum"
    with pytest.raises(InvalidKbo) as info:
        validate_kbo("04031707")
    assert info.value.rule in {"kbo.length", "kbo.format"}


def test_kbo_must_start_with_0_or_1() -> None:
    digits = "20000001"
    number = digits + f"{97 - int(digits) % 97:02d}"
    with pytest.raises(InvalidKbo):
        validate_kbo(number)


def test_establishment_unit() -> None:
    digits = "20000001"
    number = digits + f"{97 - int(digits) % 97:02d}"
    assert validate_establishment_unit(number) == number
    with pytest.raises(InvalidEstablishmentUnit) as info:
        validate_establishment_unit("0403170701")
    assert info.value.rule == "establishment.format"
    with pytest.raises(InvalidEstablishmentUnit) as info:
        validate_establishment_unit(number[:-1] + str((int(number[-1]) + 1) % 10))
    assert info.value.rule == "establishment.checksum"
