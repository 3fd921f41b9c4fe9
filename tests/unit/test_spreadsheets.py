"""Reading a sheet column by column gives what reading it row by row gives."""

from pathlib import Path

import pytest

from jingzhun.core.spreadsheets import FileFormatError, read_columns, read_sheet

KNOWN = {"户编号", "姓名", "证件号码"}


def _by_rows(name: str, data: bytes) -> list[list[object]]:
    sheet = read_sheet(Path(name), data, known_headers=KNOWN)
    width = len(sheet.headers)
    return [
        [row[position] if position < len(row) else None for row in sheet.rows] for position in range(width)
    ]


def _blank_as_empty(columns) -> list[list[object]]:
    """A missing cell (None) and an empty one ("") read the same."""
    return [["" if value is None else value for value in column] for column in columns]


@pytest.mark.parametrize(
    "text",
    [
        # a title row, quoted commas, a line break inside a cell, spaces kept
        '建档立卡户家庭成员信息表,,\n户编号,姓 名,证件号码\n001,"王,五", 150124\n002,"李\n四",\n',
        # a blank line and a short row: Arrow refuses the rectangle, the csv module reads it
        "户编号,姓名,证件号码\n001,甲,1\n\n002,乙\n",
    ],
)
def test_csv_columns_match_the_rows(text):
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        data = text.encode(encoding)
        columns = read_columns(Path("a.csv"), data, known_headers=KNOWN)
        rows = read_sheet(Path("a.csv"), data, known_headers=KNOWN)
        assert columns.headers == rows.headers == ["户编号", "姓名", "证件号码"]
        assert columns.header_row == rows.header_row
        expected = _blank_as_empty(_by_rows("a.csv", data))
        assert _blank_as_empty(columns.columns) == expected


def test_a_file_without_the_header_is_refused():
    with pytest.raises(FileFormatError):
        read_columns(Path("a.csv"), "甲,乙\n1,2\n".encode(), known_headers=KNOWN)
