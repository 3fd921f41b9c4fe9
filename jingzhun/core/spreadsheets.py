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
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
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


@dataclass(frozen=True)
class SheetColumns:
    """A sheet column by column: one sequence per header, all of the same length;
    the value at position ``i`` is on line ``header_row + 1 + i``."""

    headers: list[str]
    columns: list[Sequence[object]]
    header_row: int

    @property
    def size(self) -> int:
        return len(self.columns[0]) if self.columns else 0


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


@dataclass(frozen=True)
class SheetLimits:
    """How large a sheet may be before it is read (JINGZHUN_SHEET_MAX_* settings).

    A spreadsheet is a zip of XML: a file of one megabyte can unpack to hundreds
    and hold a worker for minutes, so the sizes are checked on the packed file,
    before a cell is parsed."""

    max_rows: int
    max_columns: int
    max_unpacked_bytes: int

    @classmethod
    def from_settings(cls) -> SheetLimits:
        return cls(
            max_rows=settings.SHEET_MAX_ROWS,
            max_columns=settings.SHEET_MAX_COLUMNS,
            max_unpacked_bytes=settings.SHEET_MAX_UNPACKED_MB * 1024 * 1024,
        )

    def refuse_rows(self, rows: int) -> FileFormatError:
        return FileFormatError(
            _("The file has more than %(limit)s rows (found at least %(rows)s); split it by village.")
            % {"limit": f"{self.max_rows:,}", "rows": f"{rows:,}"}
        )

    def check_columns(self, columns: int) -> None:
        if columns > self.max_columns:
            raise FileFormatError(
                _("The sheet has %(columns)s columns; at most %(limit)s are read.")
                % {"columns": columns, "limit": self.max_columns}
            )


_XML_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")


def check_sheet_size(path: Path, data: bytes, limits: SheetLimits | None = None) -> None:
    """Refuse a file that would be too large once unpacked, before it is read.

    For a zipped workbook (.xlsx, .ods) the unpacked size is read from the zip's
    directory and the first sheet's rows are counted while it is inflated in
    chunks, stopping at the limit; a text file's lines are counted directly."""
    limits = limits or SheetLimits.from_settings()
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        lines = data.count(b"\n")
        if lines > limits.max_rows + 20:  # title rows above the header
            raise limits.refuse_rows(lines)
        return
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return  # a legacy .xls is not compressed: its size is the upload's
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > limits.max_unpacked_bytes:
                raise FileFormatError(
                    _("The file unpacks to %(size)s MB; at most %(limit)s MB are read.")
                    % {
                        "size": f"{unpacked / 1024 / 1024:,.0f}",
                        "limit": f"{limits.max_unpacked_bytes / 1024 / 1024:,.0f}",
                    }
                )
            worksheets = sorted(
                member.filename
                for member in members
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
            )
            if worksheets:
                _count_xml_rows(archive, worksheets[0], limits)
    except zipfile.BadZipFile as error:
        raise FileFormatError(_("The spreadsheet cannot be read: %(error)s") % {"error": error}) from None


def _count_xml_rows(archive: zipfile.ZipFile, member: str, limits: SheetLimits) -> None:
    # The declared size is only a claim: the rows are counted on the inflated bytes.
    rows, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            rows += len(_XML_ROW.findall(window))
            tail = window[-8:]
            rows -= len(_XML_ROW.findall(tail))  # counted again with the next chunk
            if rows > limits.max_rows + 20:
                raise limits.refuse_rows(rows)


def _rows_of(path: Path, data: bytes) -> Iterator[list[object]]:
    suffix = path.suffix.lower()
    limits = SheetLimits.from_settings()
    check_sheet_size(path, data, limits)
    if suffix in {".csv", ".txt"}:
        reader = csv.reader(io.StringIO(_decode(data)))
        head = list(itertools.islice(reader, 21))  # the header lies within them
        limits.check_columns(max((len(row) for row in head), default=0))
        for line in itertools.chain(head, reader):
            yield list(line)
        return
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = workbook.get_sheet_by_index(0)
        except Exception as error:  # calamine raises its own error types per format
            raise FileFormatError(_("The spreadsheet cannot be read: %(error)s") % {"error": error}) from None
        if sheet.height > limits.max_rows + 20:
            raise limits.refuse_rows(sheet.height)
        limits.check_columns(sheet.width)
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
    index = _header_index(rows, known_headers, minimum_matches)
    if index is not None:
        body = [list(r) for r in rows[index + 1 :]]
        while body and all(clean_text(cell) == "" for cell in body[-1]):
            body.pop()  # trailing blank rows
        return Sheet(
            headers=[normalise_header(cell) for cell in rows[index]], rows=body, header_row=index + 1
        )
    raise FileFormatError(_("No header row with the expected column names was found in the first 20 rows."))


def _header_index(
    rows: Sequence[Sequence[object]], known_headers: set[str], minimum_matches: int
) -> int | None:
    for index, row in enumerate(rows[:20]):
        headers = [normalise_header(cell) for cell in row]
        if sum(1 for header in headers if header in known_headers) >= minimum_matches:
            return index
    return None


def read_columns(
    path: Path, data: bytes, *, known_headers: set[str], minimum_matches: int = 2
) -> SheetColumns:
    """``read_sheet`` column by column. CSV is parsed by Arrow in C++ (every value a
    string, as the csv module gives it), which a million-row file needs; a file
    Arrow does not read as a rectangle, and every spreadsheet, goes through
    ``read_sheet``."""
    if path.suffix.lower() in {".csv", ".txt"}:
        check_sheet_size(path, data)
        columns = _arrow_csv_columns(data, known_headers, minimum_matches)
        if columns is not None:
            return columns
    sheet = read_sheet(path, data, known_headers=known_headers, minimum_matches=minimum_matches)
    width = len(sheet.headers)
    transposed: list[Sequence[object]] = []
    transposed.extend(itertools.islice(itertools.zip_longest(*sheet.rows), width))
    blank: tuple[object, ...] = (None,) * len(sheet.rows)
    transposed.extend(blank for _ in range(width - len(transposed)))
    return SheetColumns(headers=sheet.headers, columns=transposed, header_row=sheet.header_row)


def _arrow_csv_columns(data: bytes, known_headers: set[str], minimum_matches: int) -> SheetColumns | None:
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    try:
        text = data.decode("utf-8-sig")
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    except UnicodeDecodeError:
        text = _decode(data)
        body = text.encode("utf-8")
    head = list(itertools.islice(csv.reader(io.StringIO(text[: 1 << 20])), 21))
    index = _header_index(head, known_headers, minimum_matches)
    if index is None:
        return None  # read_sheet gives the error
    SheetLimits.from_settings().check_columns(max(len(row) for row in head))
    names = [f"c{position}" for position in range(len(head[index]))]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(body),
            read_options=arrow_csv.ReadOptions(skip_rows=index + 1, column_names=names),
            parse_options=arrow_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # ragged rows or blank lines: the csv module reads them
    return SheetColumns(
        headers=[normalise_header(cell) for cell in head[index]],
        columns=[table.column(name).to_pylist() for name in names],
        header_row=index + 1,
    )
