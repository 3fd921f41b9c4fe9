"""Resident ID numbers (居民身份证号码) as real registers hold them.

python-stdnum checks the checksum, the birth date and the birth-place code;
this module adds what data from village offices needs: full-width digits,
spaces and a lower-case x are normalised, 15-digit first-generation numbers are
converted, and Excel's scientific notation is refused with a clear message
instead of a guessed number. The birth-place check of stdnum also compares the
county code with the birth year; a real county code that fails only that
comparison is accepted with a warning, because the register is not the place
to reject a real person.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumValidationError

from jingzhun.core.crypto import blind_index

MALE = "1"
FEMALE = "2"
_EXCEL_NUMBER = re.compile(r"^\d+(\.\d+)?E\+?\d+$")
_WELL_FORMED = re.compile(r"^[0-9]{17}[0-9X]$")


class InvalidIdNumber(ValueError):
    """The reason an ID number was refused, in the user's language."""


@dataclass(frozen=True)
class CheckedIdNumber:
    number: str
    birth_date: datetime.date
    sex: str
    warnings: list[str] = field(default_factory=list)


def _clean(raw: object) -> str:
    if isinstance(raw, float):
        # A cell read as a float has already lost digits: there is no safe way back.
        raise InvalidIdNumber(
            _(
                "The ID number %(value)s was stored by Excel as a number and has lost digits; "
                "format the column as text and enter it again."
            )
            % {"value": repr(raw)}
        )
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"[\s\-]", "", text).upper()


def _convert_first_generation(number: str) -> str:
    """15-digit numbers (before 1999) lack the century and the check digit."""
    seventeen = number[:6] + "19" + number[6:]
    return seventeen + ric.calc_check_digit(seventeen + "0")


@functools.lru_cache(maxsize=50_000)
def _birth_place(code: str, birth_year: int) -> tuple[bool, bool]:
    """Whether ``code`` is a county code, and whether it was in use in ``birth_year``.
    The area-code database lookup is most of the cost of a check; an import of a
    county's members repeats a few hundred (code, year) pairs."""
    place = dict(prop for _part, props in numdb.get("cn/loc").info(code) for prop in props.items())
    if "county" not in place:
        return False, False
    try:
        ric.get_birth_place(f"{code}{birth_year:04d}01010000")
    except StdnumValidationError:
        return True, False
    return True, True


def _not_in_use(code: str, year: int) -> str:
    return _("The area code %(code)s was not in use in the birth year %(year)d; accepted as recorded.") % {
        "code": code,
        "year": year,
    }


def check_id_number(raw: object, *, today: datetime.date | None = None) -> CheckedIdNumber:
    number = _clean(raw)
    if not number:
        raise InvalidIdNumber(_("The ID number is empty."))
    if _EXCEL_NUMBER.match(number):
        raise InvalidIdNumber(
            _(
                "The ID number %(value)s was turned into a number by Excel and has lost digits; "
                "format the column as text and enter it again."
            )
            % {"value": number}
        )
    if len(number) == 15 and number.isdigit():
        number = _convert_first_generation(number)
    if len(number) != 18:
        raise InvalidIdNumber(
            _("An ID number has 18 characters; %(value)s has %(length)d.")
            % {"value": number, "length": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(
            _("The ID number %(value)s may contain only digits and a final X.") % {"value": number}
        )
    if number[17] != ric.calc_check_digit(number):
        raise InvalidIdNumber(_("The check digit of ID number %(value)s is wrong.") % {"value": number})
    try:
        # The number is already normalised: the date is read directly (ric would clean it again).
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            _("The ID number %(value)s contains an impossible birth date.") % {"value": number}
        ) from None
    today = today or timezone.localdate()
    if birth_date > today:
        raise InvalidIdNumber(
            _("The ID number %(value)s has a birth date in the future.") % {"value": number}
        )
    if birth_date.year < 1890:
        raise InvalidIdNumber(_("The ID number %(value)s has a birth date before 1890.") % {"value": number})
    warnings: list[str] = []
    is_county, in_use = _birth_place(number[:6], birth_date.year)
    if not is_county:
        raise InvalidIdNumber(
            _("The ID number %(value)s starts with %(code)s, which is not a county code.")
            % {"value": number, "code": number[:6]}
        )
    if not in_use:
        warnings.append(_not_in_use(number[:6], birth_date.year))
    sex = MALE if int(number[16]) % 2 == 1 else FEMALE
    return CheckedIdNumber(number=number, birth_date=birth_date, sex=sex, warnings=warnings)


@dataclass
class CheckedIdColumn:
    """``check_id_number`` over a column: per position the number, birth date and
    sex (None where refused), the reason for each refused position and the
    warnings of accepted ones."""

    numbers: list[str | None]
    birth_dates: list[datetime.date | None]
    sexes: list[str | None]
    errors: dict[int, str] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)


_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK_CHARACTERS = np.frombuffer(b"10X98765432", dtype=np.uint8)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _well_formed(numbers: list[str], today: datetime.date) -> np.ndarray:
    """For 18-character ASCII numbers: digits and a final digit or X, the check digit,
    a real birth date between 1890 and today. Array arithmetic over the whole column."""
    chars = np.frombuffer("".join(numbers).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    digits = chars[:, :17].astype(np.int64) - ord("0")
    last = chars[:, 17]
    good = ((digits >= 0) & (digits <= 9)).all(axis=1)
    good &= ((last >= ord("0")) & (last <= ord("9"))) | (last == ord("X"))
    good &= _CHECK_CHARACTERS[(digits * _WEIGHTS).sum(axis=1) % 11] == last
    year = digits[:, 6] * 1000 + digits[:, 7] * 100 + digits[:, 8] * 10 + digits[:, 9]
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + ((month == 2) & leap)
    good &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
    good &= (year >= 1890) & (
        year * 10000 + month * 100 + day <= today.year * 10000 + today.month * 100 + today.day
    )
    return good


def check_id_numbers(raws: Sequence[object], *, today: datetime.date | None = None) -> CheckedIdColumn:
    """``check_id_number`` for a whole column, with the same results and messages.
    The common case (18 ASCII characters) is checked with array arithmetic and one
    birth-place lookup per county code and year; every other value, and every
    value that fails, goes through ``check_id_number`` for its reason."""
    today = today or timezone.localdate()
    count = len(raws)
    result = CheckedIdColumn(numbers=[None] * count, birth_dates=[None] * count, sexes=[None] * count)
    candidates = [
        index for index, raw in enumerate(raws) if type(raw) is str and len(raw) == 18 and raw.isascii()
    ]
    numbers = [str(raws[index]).upper() for index in candidates]
    slow = set(range(count)).difference(candidates)
    if candidates:
        good = _well_formed(numbers, today).tolist()
        dates: dict[str, datetime.date] = {}
        not_in_use: dict[tuple[str, int], str] = {}
        for index, number, ok in zip(candidates, numbers, good, strict=True):
            if not ok:
                slow.add(index)
                continue
            born = number[6:14]
            birth_date = dates.get(born)
            if birth_date is None:
                birth_date = dates[born] = datetime.date(int(born[:4]), int(born[4:6]), int(born[6:]))
            is_county, in_use = _birth_place(number[:6], birth_date.year)
            if not is_county:
                slow.add(index)
                continue
            if not in_use:
                place = (number[:6], birth_date.year)
                if place not in not_in_use:
                    not_in_use[place] = _not_in_use(*place)
                result.warnings[index] = [not_in_use[place]]
            result.numbers[index] = number
            result.birth_dates[index] = birth_date
            result.sexes[index] = MALE if int(number[16]) % 2 == 1 else FEMALE
    for index in sorted(slow):
        try:
            checked = check_id_number(raws[index], today=today)
        except InvalidIdNumber as error:
            result.errors[index] = str(error)
            continue
        result.numbers[index] = checked.number
        result.birth_dates[index] = checked.birth_date
        result.sexes[index] = checked.sex
        if checked.warnings:
            result.warnings[index] = checked.warnings
    return result


def check_disability_certificate(raw: object, *, today: datetime.date | None = None) -> CheckedIdNumber:
    """A disability certificate number (残疾人证号): the holder's 18-character ID
    number followed by the disability category and grade (20 characters), and on
    re-issued certificates two more characters (22)."""
    number = _clean(raw)
    if len(number) not in (20, 22):
        raise InvalidIdNumber(
            _("A disability certificate number has 20 or 22 characters; %(value)s has %(length)d.")
            % {"value": number, "length": len(number)}
        )
    if not number[18:20].isdigit() or number[18] not in "1234567" or number[19] not in "1234":
        raise InvalidIdNumber(
            _(
                "Characters 19-20 of certificate %(value)s must be the disability category (1-7) "
                "and grade (1-4)."
            )
            % {"value": number}
        )
    checked = check_id_number(number[:18], today=today)
    return CheckedIdNumber(checked.number + number[18:], checked.birth_date, checked.sex, checked.warnings)


# ID numbers are encrypted in the database (core.crypto); these name the blind indexes
# beside them. Every table's index of the whole number has the same purpose, so that
# department records and declarations are matched to members by digest.
ID_NUMBER_PURPOSE = "id_number"
ID_TAIL_PURPOSE = "id_tail"
ID_TAIL_LENGTH = 4  # "the last four digits", as people quote their number


def id_number_digest(number: str) -> str:
    """What ``id_number_index`` holds for ``number`` (already normalised)."""
    return blind_index(number, purpose=ID_NUMBER_PURPOSE)


def id_tail_digest(number_or_tail: str) -> str:
    """What ``id_number_tail`` holds for a number ending in these characters."""
    return blind_index(number_or_tail[-ID_TAIL_LENGTH:], purpose=ID_TAIL_PURPOSE)


def is_well_formed(number: object) -> bool:
    """Whether ``number`` as stored is 17 digits and the right check digit. Entry refuses
    anything else, but older registers hold such numbers: the quality check finds them."""
    text = str(number or "")
    return bool(_WELL_FORMED.match(text)) and text[17] == ric.calc_check_digit(text)


def mask_id_number(number: str) -> str:
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_birth_date(value: object) -> str:
    """Only the year of a birth date (``1970-**-**``): see ``registry.display`` for why."""
    return f"{str(value)[:4]}-**-**"


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_account(account: str) -> str:
    if len(account) <= 4:
        return "*" * len(account)
    return "*" * (len(account) - 4) + account[-4:]
