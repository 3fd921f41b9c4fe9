"""Turning a spreadsheet cell into a field value, one converter per column.

A converter is derived from the model field the column fills, so that the
rules are the register's: a code field takes a code of its list by code or by
label (Chinese or English; “1” for “01” when Excel dropped the leading zero), a
list of codes is split on 、，,;/, yes/no is 是/否/√/1, money is a decimal, a
count is a whole number. Repeated values (most columns have a handful) are
converted once. Every converter raises ``CellError`` with the reason.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from jingzhun.codelists.fields import CodeField, CodeListField
from jingzhun.codelists.selectors import code_map
from jingzhun.core.money import MoneyField, parse_yuan
from jingzhun.core.spreadsheets import CellError, clean_text, normalise_header, parse_bool, parse_date
from jingzhun.core.spreadsheets import parse_decimal as _parse_decimal
from jingzhun.imports.layouts import Column

Converter = Callable[[object], Any]
_LIST_SEPARATORS = re.compile(r"[、，,;；/|\s]+")
# Digits a spreadsheet keeps exactly when it stores them as a number.
_EXACT_FLOAT_DIGITS = 15


def _code_lookup(code_list: str, *, year: int, province: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, item in code_map(code_list, year=year, province=province).items():
        for text in (item.label_en, item.label_zh, code):
            lookup[normalise_header(text)] = code
    return lookup


def _code_converter(code_list: str, *, year: int, province: str) -> Converter:
    lookup = _code_lookup(code_list, year=year, province=province)
    width = max((len(code) for code in lookup.values()), default=0)
    expected = "、".join(item.label_zh for item in code_map(code_list, year=year, province=province).values())

    def resolve(text: object) -> str:
        key = normalise_header(text)
        code = lookup.get(key)
        if code is None and key.isdigit():
            code = lookup.get(key.zfill(width))
        if code is None:
            raise CellError(_("Unknown value; expected one of %(values)s.") % {"values": expected})
        return code

    return resolve


def _memoised(convert: Converter) -> Converter:
    # Cells are str, int, float, bool, dates or None: hashable. ``typed`` keeps 1 and 1.0 apart.
    return functools.lru_cache(maxsize=10_000, typed=True)(convert)


def _whole_number(raw: object) -> int | None:
    number = _parse_decimal(raw)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": clean_text(raw)})
    return int(number)


def _digits_text(raw: object) -> str:
    """Account-like numbers: a cell stored as a number has lost digits past the 15th."""
    if isinstance(raw, float) and abs(raw) >= 10**_EXACT_FLOAT_DIGITS:
        raise CellError(
            _(
                "%(value)s was stored by Excel as a number and has lost digits; "
                "format the column as text and enter it again."
            )
            % {"value": repr(raw)}
        )
    return clean_text(raw)


def _with_validators(field: models.Field, convert: Converter) -> Converter:
    """Run the model field's own validators (lengths, minimums, 0-12 months)."""

    def converter(raw: object) -> Any:
        value = convert(raw)
        if value is None or value == "" or value == []:
            return value
        if isinstance(field, models.CharField) and field.max_length and len(value) > field.max_length:
            raise CellError(
                _("At most %(count)d characters; this value has %(length)d.")
                % {"count": field.max_length, "length": len(value)}
            )
        try:
            field.run_validators(value)
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None
        return value

    return converter


def converter_for(column: Column, *, year: int, province: str) -> Converter:
    field = column.model_field()
    if field is None:  # roster-only columns are read as text
        return _memoised(clean_text)
    if column.field == "id_number":
        # The ID checks need the raw cell: a float is refused, never rounded.
        return lambda raw: raw
    if column.field == "bank_account":
        return _with_validators(field, _digits_text)
    return field_converter(field, year=year, province=province)


def field_converter(field: models.Field, *, year: int, province: str) -> Converter:
    """The converter of a model field's cells: codes by code or label, yes/no, numbers, dates, text."""
    if isinstance(field, CodeListField):
        resolve = _code_converter(field.code_list, year=year, province=province)

        def codes(raw: object) -> list[str]:
            parts = [part for part in _LIST_SEPARATORS.split(clean_text(raw)) if part]
            return list(dict.fromkeys(resolve(part) for part in parts))

        return _memoised(_with_validators(field, codes))
    if isinstance(field, CodeField):
        resolve = _code_converter(field.code_list, year=year, province=province)
        return _memoised(lambda raw: resolve(text) if (text := clean_text(raw)) else "")
    if isinstance(field, models.BooleanField):
        return _memoised(parse_bool)
    if isinstance(field, MoneyField):
        return _memoised(_yuan)
    if isinstance(field, models.DecimalField):
        return _memoised(_with_validators(field, _parse_decimal))
    if isinstance(field, models.PositiveSmallIntegerField | models.IntegerField):
        return _memoised(_with_validators(field, _whole_number))
    if isinstance(field, models.DateField):
        return _memoised(parse_date)
    if field.choices:
        return _memoised(_with_validators(field, _choice_converter(field)))
    return _with_validators(field, clean_text)


def _yuan(raw: object) -> Decimal | None:
    """Money: yuan with at most two decimals (a float cell is read by its text, never as a float)."""
    text = clean_text(raw).replace("元", "")
    if text == "":
        return None
    try:
        return parse_yuan(text, allow_zero=True)
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from None


def _choice_converter(field: models.Field) -> Converter:
    """A field with fixed choices takes a choice by its value or its label, in either language."""
    from django.utils import translation

    lookup: dict[str, str] = {}
    for value, label in field.flatchoices:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[normalise_header(str(label))] = value
        lookup[normalise_header(value)] = value
    expected = "、".join(str(label) for _value, label in field.flatchoices)

    def resolve(raw: object) -> str:
        text = clean_text(raw)
        if not text:
            return ""
        value = lookup.get(normalise_header(text))
        if value is None:
            raise CellError(_("Unknown value; expected one of %(values)s.") % {"values": expected})
        return value

    return resolve


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def as_decimal(value: Any) -> Decimal:
    return Decimal("0") if value is None else value
