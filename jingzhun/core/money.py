"""Money: Decimal yuan with two decimals in Python, whole fen (分) in the database.

A column of fen is a plain integer, so every engine adds it up exactly: SQLite has no
decimal type (a NUMERIC column holds a fractional amount as a REAL, and ``SUM`` over
REALs is floating-point), PostgreSQL sums bigints as exact numerics, and Parquet and
DuckDB read integers as they are. No float is ever on the path: values are parsed
from text into ``Decimal``, refused when they carry more than two decimals, and
converted to fen by exact multiplication.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Twelve digits of yuan: a province's whole budget fits many times over.
MAX_YUAN = Decimal("999999999999.99")


def parse_yuan(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """Yuan as a Decimal with two decimals, or a ValidationError naming ``field``.

    A float is refused outright: it has already lost the cents it may have had."""
    if isinstance(value, float):
        raise ValidationError({field: [_("Enter the amount as text, not a floating-point number.")]})
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter an amount in yuan.")]}) from None
    low_ok = amount >= 0 if allow_zero else amount > 0
    if not amount.is_finite() or not low_ok or amount > MAX_YUAN or amount != amount.quantize(CENT):
        message = (
            _("An amount is zero or more yuan, with at most two decimals.")
            if allow_zero
            else _("An amount is more than zero yuan, with at most two decimals.")
        )
        raise ValidationError({field: [message]})
    return amount.quantize(CENT)


def to_fen(value: Decimal) -> int:
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise ValueError(f"{value} yuan has more than two decimals")
    return int(amount * 100)


def from_fen(value: int | Decimal) -> Decimal:
    return (Decimal(value) / 100).quantize(CENT)


class MoneyField(models.BigIntegerField):
    """Yuan (``Decimal``, two decimals) stored as whole fen; see the module docstring.
    Sums, comparisons and constraints work in the database as on any integer column."""

    description = "Amount of money in yuan, stored as fen"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else from_fen(value)

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(_("Enter an amount in yuan."), code="invalid") from None

    def get_prep_value(self, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money is never a float")
        return to_fen(Decimal(str(value)))

    def formfield(self, **kwargs: Any) -> Any:
        # Field's own defaults (label, help text, required), not an integer's bounds.
        options = {"form_class": forms.DecimalField, "max_digits": 14, "decimal_places": 2, **kwargs}
        return models.Field.formfield(self, **options)
