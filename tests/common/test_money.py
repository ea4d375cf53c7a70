"""Money: Decimal only, units, formatting per language."""

from decimal import Decimal

import pytest

from klaster.common.money import Money, MoneyError, format_number, to_decimal


def test_formatting_per_language():
    assert format_number(Decimal("1234567.8"), "ru") == "1 234 567,8"
    assert format_number(Decimal("1234567.8"), "kk") == "1 234 567,8"
    assert format_number(Decimal("1234567.8"), "en") == "1,234,567.8"
    assert format_number(Decimal("-1234.5"), "ru") == "-1 234,5"
    assert format_number(Decimal("999"), "en") == "999"
    assert format_number(Decimal("1234567.85"), "ru", decimals=1) == "1 234 567,9"
    assert format_number(Decimal("1000"), "ru", nbsp=True) == "1\u00a0000"


def test_money_format_with_unit():
    assert Money("1234567.8", "tenge").format("ru") == "1 234 567,8 тенге"
    assert Money("3896.5", "mln tenge").format("en") == "3,896.5 mln tenge"
    assert Money("281.5", "mln USD").format("kk") == "281,5 млн АҚШ доллары"


def test_float_is_refused():
    with pytest.raises(MoneyError):
        Money(0.1)
    with pytest.raises(MoneyError):
        to_decimal(1.5, field="cost")


def test_parsing_strings_in_both_conventions():
    assert to_decimal("1 234 567,8") == Decimal("1234567.8")
    assert to_decimal("1,234,567.8") == Decimal("1234567.8")
    with pytest.raises(MoneyError):
        to_decimal("twelve")


def test_units_convert_exactly_and_arithmetic_stays_decimal():
    cost = Money("112.1", "mln tenge")
    assert cost.to("thousand tenge").amount == Decimal("112100")
    # 30% cluster share of 112.1 mln = 33.63 mln
    assert (cost * Decimal("0.3")).round(2) == Money("33.63", "mln tenge")
    total = Money("112.1", "mln tenge") + Money("110000", "thousand tenge")
    assert total == Money("222.1", "mln tenge")
    assert Money("2", "mln tenge").min(Money("1500000", "tenge")) == Money("1.5", "mln tenge")


def test_currencies_do_not_mix():
    with pytest.raises(MoneyError):
        Money("1", "mln tenge") + Money("1", "mln USD")
    with pytest.raises(MoneyError):
        Money("1", "roubles")
