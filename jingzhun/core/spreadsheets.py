"""Reading CSV and Excel files as offices produce them, and parsing their values.

Offices exchange .xlsx, legacy .xls and CSV (UTF-8 or GBK). Headers carry
spaces, line breaks and full-width brackets; values carry full-width digits,
thousands separators, Excel date serials and dates written 2020年3月5日.
Every parser raises ``CellError`` with a reason the import report can show
next to the row and column.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
TRUE_WORDS = {"是", "√", "✓", "1", "y", "yes", "true", "有"}
FALSE_WORDS = {"否", "×", "0", "n", "no", "false", "无", ""}


class CellError(ValueError):
    pass


class FileFormatError(ValueError):
    pass


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[list[object]]
    header_row: int  # 1-based line of the header in the file


def normalise_header(text: object) -> str:
    """Fold the ways one header is written: width, spaces, line breaks, bracket styles."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"\s+", "", folded).replace("（", "(").replace("）", ")").lower()


def clean_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_decimal(value: object) -> Decimal | None:
    text = clean_text(value).replace(",", "").replace("元", "")
    if text == "":
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": text})
    return number.quantize(Decimal("0.01"))


def parse_date(value: object) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:  # an Excel serial day number
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_("%(value)s is not a date.") % {"value": value})
    text = clean_text(value).split(" ")[0]
    if text == "":
        return None
    if text.isdigit() and len(text) <= 5:
        return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(
        _("“%(value)s” is not a date (use 2020-03-05, 2020.3.5 or 2020年3月5日).") % {"value": text}
    )


def parse_month(value: str) -> datetime.date:
    match = _MONTH_PATTERN.match(clean_text(value))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CellError(_("“%(value)s” is not a month (use 2025-06).") % {"value": value})
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def parse_bool(value: object) -> bool | None:
    text = clean_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return None if text == "" else False
    raise CellError(_("“%(value)s” is not yes or no (use 是/否).") % {"value": text})


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError(_("The file is neither UTF-8 nor GBK text."))


def _rows_of(path: Path, data: bytes) -> Iterator[list[object]]:
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        yield from csv.reader(io.StringIO(_decode(data)))
        return
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = workbook.get_sheet_by_index(0)
        except Exception as error:  # calamine raises its own error types per format
            raise FileFormatError(_("The spreadsheet cannot be read: %(error)s") % {"error": error}) from None
        for row in sheet.to_python(skip_empty_area=False):
            yield list(row)
        return
    raise FileFormatError(
        _("Unsupported file type %(suffix)s (use .xlsx, .xls or .csv).") % {"suffix": suffix}
    )


def read_sheet(path: Path, data: bytes, *, known_headers: set[str], minimum_matches: int = 2) -> Sheet:
    """The first sheet's rows under the header row: the first row (within the first 20)
    naming at least ``minimum_matches`` known headers, so that title rows above it are skipped."""
    rows = list(_rows_of(path, data))
    for index, row in enumerate(rows[:20]):
        headers = [normalise_header(cell) for cell in row]
        if sum(1 for header in headers if header in known_headers) >= minimum_matches:
            body = [list(r) for r in rows[index + 1 :]]
            while body and all(clean_text(cell) == "" for cell in body[-1]):
                body.pop()  # trailing blank rows
            return Sheet(headers=headers, rows=body, header_row=index + 1)
    raise FileFormatError(_("No header row with the expected column names was found in the first 20 rows."))
