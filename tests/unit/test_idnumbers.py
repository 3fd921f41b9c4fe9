import datetime
import random

import pytest
from stdnum.cn import ric

from jingzhun.registry.idnumbers import (
    FEMALE,
    MALE,
    InvalidIdNumber,
    check_id_number,
    check_id_numbers,
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


def _with_check_digit(seventeen: str) -> str:
    return seventeen + ric.calc_check_digit(seventeen + "0")


def _checked_or_reason(value: object):
    try:
        return check_id_number(value, today=TODAY)
    except InvalidIdNumber as error:
        return str(error)


def test_the_column_check_agrees_with_the_single_check_on_every_kind_of_value():
    rng = random.Random(3)
    values: list[object] = [
        VALID,
        VALID.lower()[:-1] + "x" if VALID.endswith("X") else VALID,
        _with_check_digit("15012419800229001").lower(),  # 1980 is a leap year
        _with_check_digit("15012419810229001"),  # 1981 is not
        _with_check_digit("15012418890101001"),  # before 1890
        _with_check_digit("15012420270101001"),  # after today
        _with_check_digit("99999919800101001"),  # not a county
        _with_check_digit("11010819600101001"),  # a county code not in use in 1960
        _with_check_digit("15012419801301001"),  # month 13
        _with_check_digit("15012419800132001"),  # day 32
        VALID[:-1] + ("0" if VALID[-1] != "0" else "1"),
        "150124800101001",  # first generation, 15 digits
        " " + VALID,
        "１５０１２４" + VALID[6:],  # full-width digits
        VALID[:10] + " " + VALID[11:],
        "15012419800101001A",
        float(VALID[:17]),
        "1.50124E+17",
        "",
        None,
        12345,
    ]
    for _index in range(300):
        born = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(45000))
        values.append(_with_check_digit(f"150124{born:%Y%m%d}{rng.randrange(1000):03d}"))
        values.append(f"150124{born:%Y%m%d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}")
    column = check_id_numbers(values, today=TODAY)
    for index, value in enumerate(values):
        checked = _checked_or_reason(value)
        if isinstance(checked, str):
            assert column.errors.get(index) == checked, value
            assert column.numbers[index] is None
            continue
        assert index not in column.errors, (value, column.errors.get(index))
        assert column.numbers[index] == checked.number
        assert column.birth_dates[index] == checked.birth_date
        assert column.sexes[index] == checked.sex
        assert column.warnings.get(index, []) == checked.warnings, value
    assert len(column.errors) > 10  # the sample has refused values of every kind
