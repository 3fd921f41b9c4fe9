import datetime

import pytest
from stdnum.cn import ric

from jingzhun.registry.idnumbers import (
    FEMALE,
    MALE,
    InvalidIdNumber,
    check_id_number,
    mask_account,
    mask_id_number,
    mask_phone,
)

# 150124 (清水河县) has existed since 1995; the number below is valid for a man born 2001-02-12.
VALID = "15012420010212003" + ric.calc_check_digit("15012420010212003" + "0")
TODAY = datetime.date(2026, 11, 22)


def test_valid_number_gives_birth_date_and_sex():
    checked = check_id_number(VALID, today=TODAY)
    assert checked.number == VALID
    assert checked.birth_date == datetime.date(2001, 2, 12)
    assert checked.sex == MALE
    assert checked.warnings == []


def test_female_from_even_sequence_digit():
    seventeen = "15012420010212004"
    checked = check_id_number(seventeen + ric.calc_check_digit(seventeen + "0"), today=TODAY)
    assert checked.sex == FEMALE


def test_bad_checksum_refused():
    wrong = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
    with pytest.raises(InvalidIdNumber, match="check digit"):
        check_id_number(wrong, today=TODAY)


def test_impossible_birth_date_refused():
    seventeen = "15012420010230003"  # 30 February
    with pytest.raises(InvalidIdNumber, match="impossible birth date"):
        check_id_number(seventeen + ric.calc_check_digit(seventeen + "0"), today=TODAY)


def test_future_birth_date_refused():
    seventeen = "15012420301201003"
    with pytest.raises(InvalidIdNumber, match="future"):
        check_id_number(seventeen + ric.calc_check_digit(seventeen + "0"), today=TODAY)


def test_fifteen_digit_number_converted_to_eighteen():
    # First-generation number: area 152623, born 1965-03-08, sequence 123 (odd: male).
    checked = check_id_number("152623650308123", today=TODAY)
    expected_seventeen = "15262319650308123"
    assert checked.number == expected_seventeen + ric.calc_check_digit(expected_seventeen + "0")
    assert checked.birth_date == datetime.date(1965, 3, 8)
    assert checked.sex == MALE
    assert ric.is_valid(checked.number)


def test_full_width_digits_spaces_and_lower_case_x_normalised():
    seventeen = next(
        f"1501242001021200{d}" for d in range(10) if ric.calc_check_digit(f"1501242001021200{d}" + "0") == "X"
    )
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in seventeen)
    checked = check_id_number(f"  {full_width[:6]} {full_width[6:]}x ", today=TODAY)
    assert checked.number == seventeen + "X"


@pytest.mark.parametrize("mangled", ["1.50124E+17", "1.50124e+17", "150124E17"])
def test_excel_scientific_notation_refused_with_clear_message(mangled):
    with pytest.raises(InvalidIdNumber, match="Excel"):
        check_id_number(mangled, today=TODAY)


def test_number_read_as_float_refused():
    with pytest.raises(InvalidIdNumber, match="Excel"):
        check_id_number(1.50124200102e17, today=TODAY)


def test_wrong_length_refused():
    with pytest.raises(InvalidIdNumber, match="18 characters"):
        check_id_number("1501242001021", today=TODAY)


def test_letters_refused():
    with pytest.raises(InvalidIdNumber, match="digits"):
        check_id_number("15012420010212A03X", today=TODAY)


def test_unknown_area_code_refused():
    seventeen = "99012420010212003"
    with pytest.raises(InvalidIdNumber, match="not a county code"):
        check_id_number(seventeen + ric.calc_check_digit(seventeen + "0"), today=TODAY)


def test_real_county_code_outside_its_years_accepted_with_warning():
    # 150124 only exists from 1995; a person born in 1960 with it fails stdnum's
    # birth-place check but is a real person of a real county.
    seventeen = "15012419600101003"
    number = seventeen + ric.calc_check_digit(seventeen + "0")
    assert not ric.is_valid(number)
    checked = check_id_number(number, today=TODAY)
    assert checked.number == number
    assert len(checked.warnings) == 1
    assert "150124" in checked.warnings[0]


def test_masks():
    assert mask_id_number("150124199001010212") == "150124********0212"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_account("6221000012345678") == "************5678"


def test_disability_certificate_number():
    from jingzhun.registry.idnumbers import check_disability_certificate

    checked = check_disability_certificate(VALID.lower() + "42", today=TODAY)
    assert checked.number == VALID + "42"
    assert checked.birth_date == datetime.date(2001, 2, 12)
    assert check_disability_certificate(VALID + "42B1", today=TODAY).number == VALID + "42B1"
    with pytest.raises(InvalidIdNumber, match="20 or 22"):
        check_disability_certificate(VALID + "4", today=TODAY)
    with pytest.raises(InvalidIdNumber, match="category"):
        check_disability_certificate(VALID + "95", today=TODAY)
    with pytest.raises(InvalidIdNumber, match="check digit"):
        check_disability_certificate(VALID[:-1] + ("0" if VALID[-1] != "0" else "1") + "42", today=TODAY)
