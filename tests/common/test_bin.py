"""BIN / IIN validation (check digit with the two weight sequences; BIN structure)."""

import datetime as dt

import pytest

from klaster.common.bin import InvalidBIN, InvalidIIN, check_digit, has_valid_check_digit, make_number, validate_bin, validate_iin


def test_check_digit_by_hand():
    # 0 8 1 1 4 0 0 0 0 4 3 with weights 1..11: 16+3+4+20+40+33 = 116; 116 mod 11 = 6.
    assert check_digit("08114000043") == 6
    info = validate_bin("081140000436", today=dt.date(2026, 1, 1))
    assert (info.registration_year, info.registration_month) == (2008, 11)
    assert info.entity_type == "4" and info.entity_type_name == "resident legal entity"
    assert info.division == "0" and info.division_name == "head organisation"


def test_second_weight_sequence_used_when_first_gives_10():
    # 1·1 + 2·10 + 8·11 = 109 ≡ 10 (mod 11); second weights: 1·3 + 2·1 + 8·2 = 21 ≡ 10 → undefined.
    assert check_digit("10000000028") is None
    for last in "0123456789":
        assert not has_valid_check_digit("10000000028" + last)
    # 0 0 0 0 0 0 0 0 0 1 0: first sum 10 ≡ 10; second sum 1·1 = 1 → check digit 1.
    assert check_digit("00000000010") == 1


def test_wrong_check_digit_names_the_rule():
    with pytest.raises(InvalidBIN) as e:
        validate_bin("081140000437", today=dt.date(2026, 1, 1))
    assert e.value.rule == "check digit"
    assert "expected 6" in str(e.value)


@pytest.mark.parametrize("value, rule", [
    ("08114000043", "format"),
    ("0811400004361", "format"),
    ("08114000043A", "format"),
])
def test_format_errors(value, rule):
    with pytest.raises(InvalidBIN) as e:
        validate_bin(value)
    assert e.value.rule == rule


def test_structure_errors():
    bad_month = make_number("081340000" + "43")  # month 13
    assert bad_month is not None
    with pytest.raises(InvalidBIN) as e:
        validate_bin(bad_month, today=dt.date(2026, 1, 1))
    assert e.value.rule == "registration month"
    bad_type = make_number("08117000043")  # 5th digit 7
    with pytest.raises(InvalidBIN) as e:
        validate_bin(bad_type, today=dt.date(2026, 1, 1))
    assert e.value.rule == "entity type"
    bad_div = make_number("08114900043")  # 6th digit 9
    with pytest.raises(InvalidBIN) as e:
        validate_bin(bad_div, today=dt.date(2026, 1, 1))
    assert e.value.rule == "division"
    future = make_number("27114000043")  # registered 2027-11
    with pytest.raises(InvalidBIN) as e:
        validate_bin(future, today=dt.date(2026, 11, 22))
    assert e.value.rule == "registration date"


def test_branch_and_non_resident():
    branch = make_number("15044100123")
    assert validate_bin(branch, today=dt.date(2026, 1, 1)).division_name == "branch"
    nonres = make_number("19065000007")
    assert validate_bin(nonres, today=dt.date(2026, 1, 1)).entity_type_name == "non-resident legal entity"


def test_iin():
    iin = make_number("85071530012")  # born 1985-07-15, 7th digit 3: 20th century, male
    info = validate_iin(iin)
    assert info.birth_date == dt.date(1985, 7, 15) and info.sex == "male"
    with pytest.raises(InvalidIIN) as e:
        validate_iin(make_number("85023130012"))  # 31 February
    assert e.value.rule == "date of birth"


def test_legal_entity_is_the_head_organisation_of_a_resident_or_non_resident_entity():
    today = dt.date(2026, 1, 1)
    assert validate_bin("081140000436", today=today).is_legal_entity  # resident, head organisation
    assert validate_bin(make_number("19065000007"), today=today).is_legal_entity  # non-resident, head
    assert not validate_bin(make_number("15044100123"), today=today).is_legal_entity  # branch
    assert not validate_bin(make_number("15046000123"), today=today).is_legal_entity  # joint-business entrepreneur
