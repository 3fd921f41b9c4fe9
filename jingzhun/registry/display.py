"""Turning model instances into labelled rows for pages and exports.

Coded values are shown with their labels from the code list in force for the
record's province; sensitive values are masked unless the caller says they may
be shown.

Masking is judged by what a reader can combine, not field by field. A masked
ID number keeps the region (first six digits) and the last four; the eight
digits it hides are the birth date. So wherever the ID number is masked, the
birth date is masked with it, down to its year (``1970-**-**``): with the year,
the region, the sequence and the check digit about thirty dates remain possible
and no single number can be rebuilt. Sex (the sequence digit's parity) and the
age stay visible; neither narrows it to one. The birth date is shown in full
only where the ID number is: to a role that may reveal, when it asks to, and
recorded. Health details follow their own rule (``HEALTH_FIELDS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jingzhun.codelists.fields import CodeField, CodeListField
from jingzhun.codelists.selectors import code_label
from jingzhun.registry.idnumbers import mask_account, mask_birth_date, mask_id_number, mask_phone


class Sensitivity(StrEnum):
    """What kind of sensitive value a column of a sheet or an export holds."""

    NONE = ""
    ID_NUMBER = "id_number"
    BIRTH_DATE = "birth_date"  # masked with the ID number (below)
    PHONE = "phone"
    ACCOUNT = "account"
    HEALTH = "health"


# Masked together or not at all: see the module docstring.
MASKERS = {
    "id_number": mask_id_number,
    "birth_date": mask_birth_date,
    "phone": mask_phone,
    "bank_account": mask_account,
}
# Health details are shown only to roles that may reveal sensitive data.
HEALTH_FIELDS = {
    "health",
    "disability_category",
    "disability_grade",
    "disability_certificate_year",
    "medical_assistance_received",
}
EMPTY = "—"


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    value: str
    masked: bool = False


def display_value(
    instance: models.Model, name: str, *, province: str, reveal: bool = False, show_health: bool = True
) -> tuple[str, bool]:
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if name in HEALTH_FIELDS and not show_health:
        return "***", True
    if name in MASKERS and value:
        return (str(value), False) if reveal else (MASKERS[name](str(value)), True)
    if value is None or value == "" or value == []:
        return EMPTY, False
    if isinstance(field, CodeField):
        return code_label(field.code_list, value, province=province), False
    if isinstance(field, CodeListField):
        return "、".join(code_label(field.code_list, item, province=province) for item in value), False
    if isinstance(field, models.BooleanField):
        return (_("Yes") if value else _("No")), False
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2, force_grouping=True), False
    return str(value), False


def rows(
    instance: models.Model,
    names: Iterable[str],
    *,
    province: str,
    reveal: bool = False,
    show_health: bool = True,
) -> list[Row]:
    result = []
    for name in names:
        field = instance._meta.get_field(name)
        value, masked = display_value(
            instance, name, province=province, reveal=reveal, show_health=show_health
        )
        result.append(Row(name, str(getattr(field, "verbose_name", name)), value, masked))
    return result


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str
    new: str
    masked: bool


def change_lines(
    model: type[models.Model], changes: dict[str, list[object]], *, province: str, reveal: bool = False
) -> list[ChangeLine]:
    """A history entry's changes as labelled lines with code labels; sensitive
    values are never shown in the history, only the fact that they changed."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    lines = []
    for attname, values in changes.items():
        field = fields.get(attname)
        if field is None or not isinstance(values, list) or len(values) != 2:
            continue
        label = str(field.verbose_name)
        if field.name in MASKERS or (field.name in HEALTH_FIELDS and not reveal):
            lines.append(ChangeLine(label, "", "", True))
            continue
        lines.append(
            ChangeLine(
                label,
                _format_change(field, values[0], province),
                _format_change(field, values[1], province),
                False,
            )
        )
    return lines


def _format_change(field: models.Field, value: object, province: str) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(field, CodeField):
        return code_label(field.code_list, str(value), province=province)
    if isinstance(field, CodeListField) and isinstance(value, list):
        return "、".join(code_label(field.code_list, str(item), province=province) for item in value)
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.DateTimeField):
        # Stored as ISO text with microseconds and an offset: shown in local time, to the minute.
        moment = parse_datetime(str(value))
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else str(value)
    if isinstance(field, models.ForeignKey):
        # A record's key means nothing to a reader; its name does (a user by full name).
        related = field.related_model._default_manager.filter(pk=value).first()
        if related is None:
            return str(value)
        full_name = getattr(related, "get_full_name", lambda: "")()
        return full_name or str(related)
    if isinstance(field, models.DecimalField):
        try:
            return number_format(Decimal(str(value)), decimal_pos=field.decimal_places, force_grouping=True)
        except ArithmeticError:
            return str(value)
    return str(value)
