"""Lists as spreadsheets: the rows a list page shows, with its columns, masked for the
user who exports them, and every export recorded (who, which list, which filters,
whether sensitive columns were in full).

Below the domain apps: each app declares its own list's columns (``ExportColumn``) and
hands them to ``export_list``; the register's masking (``registry.display``) applies.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.codelists.selectors import code_label
from jingzhun.exports.models import ExportRecord
from jingzhun.registry.display import MASKERS, Sensitivity

# The pages' maskers (registry.display), by the kind of sensitive column.
_MASKS: dict[Sensitivity, Callable[[str], str]] = {
    Sensitivity.ID_NUMBER: MASKERS["id_number"],
    Sensitivity.BIRTH_DATE: MASKERS["birth_date"],
    Sensitivity.PHONE: MASKERS["phone"],
    Sensitivity.ACCOUNT: MASKERS["bank_account"],
    Sensitivity.HEALTH: lambda value: "***",
}


def masked(sensitivity: Sensitivity, value: Any) -> Any:
    """``value`` as a user without the right to see it in full sees it."""
    return value if sensitivity == Sensitivity.NONE else _MASKS[sensitivity](str(value))


@dataclass(frozen=True)
class ExportColumn:
    header: str
    value: Callable[[Any], Any]
    sensitivity: Sensitivity = Sensitivity.NONE
    width: int = 14


def shows_sensitive(user: User | None) -> bool:
    return user is None or user.can(Capability.REVEAL_SENSITIVE)


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers as numbers, yes/no in words, lists joined."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(str(part) for part in value)
    return value


def workbook(sheets: Iterable[tuple[str, list[str], Iterable[list[Any]], list[int]]]) -> bytes:
    """An .xlsx of (title, headers, rows, widths) sheets. Text stays text: an ID number
    written here is never turned into a number by Excel."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "constant_memory": True, "default_date_format": "yyyy-mm-dd"}
    )
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": "#eef2f7"})
    for title, headers, rows, widths in sheets:
        sheet = book.add_worksheet(title[:31])
        for position, width in enumerate(widths):
            sheet.set_column(position, position, width)
        sheet.write_row(0, 0, headers, bold)
        sheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            for position, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(count, position, value)
                elif value is not None:
                    sheet.write(count, position, value)
        if headers:
            sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    book.close()
    return buffer.getvalue()


def export_list(
    *,
    user: User | None,
    what: str,
    title: str,
    columns: list[ExportColumn],
    objects: Iterable[Any],
    parameters: str = "",
) -> bytes:
    """One sheet: a list page's rows with its columns, masked for the user, recorded."""
    full = shows_sensitive(user)
    counted = 0

    def rows() -> Iterable[list[Any]]:
        nonlocal counted
        for obj in objects:
            counted += 1
            row = []
            for column in columns:
                value = column.value(obj)
                if not full and value:
                    value = masked(column.sensitivity, value)
                row.append(cell(value))
            yield row

    data = workbook([(title, [c.header for c in columns], rows(), [c.width for c in columns])])
    has_sensitive = any(c.sensitivity != Sensitivity.NONE for c in columns)
    ExportRecord.objects.create(
        what=what,
        parameters=parameters[:500],
        rows=counted,
        sensitive_in_full=full and has_sensitive,
        user=user,
    )
    return data


class Labels:
    """Code → label for a province (the code lists themselves are cached per process)."""

    def __init__(self, province: str) -> None:
        self.province = province

    def __call__(self, code_list: str, value: Any) -> Any:
        if isinstance(value, list):
            return [code_label(code_list, code, province=self.province) for code in value]
        return code_label(code_list, value, province=self.province)


def label_of(labels: Labels, model: Any, field: str) -> Callable[[Any], Any]:
    model_field = model._meta.get_field(field)
    code_list = model_field.code_list
    return lambda obj: labels(code_list, getattr(obj, field))


def dated_file_name(stem: str) -> str:
    return f"{stem}-{datetime.date.today():%Y%m%d}.xlsx"
