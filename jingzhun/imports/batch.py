"""The sheet of an import, column by column.

A county's file holds a million member rows and a few dozen columns, most of
which repeat a handful of values. Working cell by cell costs microseconds per
cell; working column by column converts each distinct value once, checks the
ID numbers with array arithmetic (``check_id_numbers``) and leaves only simple
loops over lists. The rules are the register's all the same: the converters
derived from the model fields, the ID checks of ``registry.idnumbers``, one
head per household, no ID number twice. Every problem is reported with its
sheet line, column header, value and reason.

Rows are grouped into households by household number; a blank number continues
the household above (what a reader sees under merged cells). Household,
income and living-condition columns must agree over a household's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jingzhun.core.spreadsheets import CellError, SheetColumns, clean_text
from jingzhun.imports.converters import Converter, converter_for
from jingzhun.imports.layouts import Column, Record
from jingzhun.registry.rules import MemberBatch, check_members
from jingzhun.registry.writes import HouseholdEntry, WriteProgress

Progress = WriteProgress
# Reports list at most this many problems of each kind; the counts are always complete.
REPORT_LIMIT = 2000
_NUMERIC_TYPES = (int, float, bool)


@dataclass
class Problem:
    row: int
    column: str
    value: str
    reason: str
    household: str = ""


@dataclass
class HouseholdImportReport:
    file_name: str
    dry_run: bool = False
    partial: bool = False
    rows: int = 0
    households: int = 0
    members: int = 0
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    households_skipped: int = 0
    members_created: int = 0
    members_updated: int = 0
    income_year: int | None = None
    written: bool = False
    header_row: int = 0
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < REPORT_LIMIT:
            self.errors.append(problem)

    def warning(self, problem: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < REPORT_LIMIT:
            self.warnings.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


@dataclass
class HouseholdRows(HouseholdEntry):
    """A household of the sheet: what the register's writer takes, and where it came from."""

    village_text: str = ""
    village_name: str = ""
    village: str = ""
    per_capita_in_file: Decimal | None = None
    failed: bool = False


def convert_column(values: Sequence[object], convert: Converter) -> tuple[list[Any], dict[int, str]]:
    """Convert a column, each distinct value once. Returns the converted values
    (None where refused) and the reason for each refused position."""
    distinct = set(values)
    # 1, 1.0 and True are equal as keys but may convert differently: key them by type too.
    mixed = len({type(value) for value in distinct if type(value) in _NUMERIC_TYPES}) > 1
    keys: Sequence[object] = [(type(value), value) for value in values] if mixed else values
    outcomes: dict[object, Any] = {}
    for key in set(keys) if mixed else distinct:
        raw = key[1] if mixed else key  # type: ignore[index]
        try:
            outcomes[key] = convert(raw)
        except CellError as error:
            outcomes[key] = error
    converted = [outcomes[key] for key in keys]
    refused = {key for key, outcome in outcomes.items() if isinstance(outcome, CellError)}
    reasons: dict[int, str] = {}
    if refused:
        for index, key in enumerate(keys):
            if key in refused:
                reasons[index] = str(outcomes[key])
                converted[index] = None
    return converted, reasons


class SheetBatch:
    """The rows of a sheet as columns, grouped into households, with every problem reported."""

    def __init__(
        self,
        *,
        report: HouseholdImportReport,
        positions: list[tuple[int, Column, str]],
        year: int,
        default_province: str,
    ) -> None:
        self.report = report
        self.positions = positions
        self.year = year
        self.default_province = default_province
        self.headers = {column.key: header for _position, column, header in positions}
        self.lines: list[int] = []
        self.numbers: list[str] = []
        self.raw_id_numbers: Sequence[object] = ()  # the cells as read: the ID checks need them
        self.members: dict[str, list[Any]] = {}
        self.households: dict[str, HouseholdRows] = {}
        self._province_rows: dict[str, list[int]] | None = None

    @property
    def size(self) -> int:
        return len(self.lines)

    def fail(self, household: HouseholdRows | None, row: int, key: str, value: object, reason: str) -> None:
        if household is not None:
            household.failed = True
        if len(self.report.errors) >= REPORT_LIMIT:  # counted, not listed
            self.report.error_count += 1
            return
        self.report.error(
            Problem(
                row,
                self.headers.get(key, key),
                clean_text(value) if not isinstance(value, float) else repr(value),
                reason,
                household.number if household else "",
            )
        )

    def fail_at(self, index: int, key: str, value: object, reason: str) -> None:
        self.fail(self.households[self.numbers[index]], self.lines[index], key, value, reason)

    def warn(self, household: HouseholdRows, row: int, key: str, value: object, reason: str) -> None:
        if len(self.report.warnings) >= REPORT_LIMIT:  # counted, not listed
            self.report.warning_count += 1
            return
        header = self.headers.get(key, key)
        self.report.warning(Problem(row, header, clean_text(value), reason, household.number))

    def warn_at(self, index: int, key: str, value: object, reason: str) -> None:
        self.warn(self.households[self.numbers[index]], self.lines[index], key, value, reason)

    # --- reading ----------------------------------------------------------------

    def read(self, sheet: SheetColumns, progress: Progress | None = None) -> None:
        """Group the rows into households and convert every column but the ID numbers."""
        number_position = next(
            position for position, column, _h in self.positions if column.key == "household.household_number"
        )
        kept = self._group(sheet, number_position)
        columns: dict[str, tuple[Sequence[object], Column]] = {}
        for position, column, _header in self.positions:
            values = sheet.columns[position]
            if len(kept) < sheet.size:
                values = [values[index] for index in kept]
            columns[column.key] = (values, column)
        self.raw_id_numbers = columns["member.id_number"][0]
        # The village comes first: its province chooses the code lists of the other columns.
        order = sorted(columns, key=lambda key: key != "household.village")
        for done, key in enumerate(order, start=1):
            values, column = columns[key]
            if key in ("household.household_number", "member.id_number"):
                continue  # the number groups the rows; ID numbers are checked as a column by check_members
            converted = self._convert(values, column)
            if column.record == Record.MEMBER:
                self.members[column.field] = converted
            else:
                self._household_column(column, values, converted)
            if progress:
                progress("read", done, len(order))
        self._count_residents()

    def _group(self, sheet: SheetColumns, number_position: int) -> list[int]:
        """Give every non-blank row its household number and group the rows by it.
        Returns the positions of the rows kept."""
        kept: list[int] = []
        texts: dict[object, str] = {}
        current = ""
        for index, raw in enumerate(sheet.columns[number_position]):
            line = sheet.header_row + 1 + index
            number = texts.get(raw)
            if number is None:
                number = texts[raw] = clean_text(raw)
            if number == "":
                if all(clean_text(column[index]) == "" for column in sheet.columns):
                    continue
                self.report.rows += 1
                if not current:
                    self.fail(None, line, "household.household_number", "", _("A value is required."))
                    continue
                number = current  # a blank household number continues the household above
            else:
                self.report.rows += 1
            current = number
            household = self.households.get(number)
            if household is None:
                household = self.households[number] = HouseholdRows(number=number, first_row=line)
            household.rows.append(len(kept))
            kept.append(index)
            self.lines.append(line)
            self.numbers.append(number)
        return kept

    def _convert(self, values: Sequence[object], column: Column) -> list[Any]:
        # The village column is read before any province is known; its converter needs none.
        provinces = {} if column.key == "household.village" else self._rows_by_province()
        if len(provinces) <= 1:
            province = next(iter(provinces), self.default_province)
            converted, reasons = convert_column(
                values, converter_for(column, year=self.year, province=province)
            )
        else:
            converted = [None] * len(values)
            reasons = {}
            for province, indexes in provinces.items():
                part, part_reasons = convert_column(
                    [values[index] for index in indexes],
                    converter_for(column, year=self.year, province=province),
                )
                for index, value in zip(indexes, part, strict=True):
                    converted[index] = value
                reasons.update({indexes[position]: reason for position, reason in part_reasons.items()})
        for index in sorted(reasons):
            self.fail_at(index, column.key, values[index], reasons[index])
        return converted

    def _rows_by_province(self) -> dict[str, list[int]]:
        """Code lists may differ by province: a row's is its household's village's."""
        if self._province_rows is None:
            self._province_rows = {}
            for household in self.households.values():
                province = (household.village_text or self.default_province)[:2]
                self._province_rows.setdefault(province, []).extend(household.rows)
        return self._province_rows

    def _household_column(self, column: Column, raw: Sequence[object], values: list[Any]) -> None:
        """A household's value is its first non-blank cell; the others must agree."""
        first: dict[str, Any] = {}
        numbers = self.numbers
        for index, value in enumerate(values):
            if value is None or value == "" or value == []:
                continue
            number = numbers[index]
            given = first.get(number, _MISSING)
            if given is _MISSING:
                first[number] = value
            elif given != value and column.record != Record.INFO:
                self.fail_at(
                    index,
                    column.key,
                    raw[index],
                    _("Differs from the value %(value)s given above for the same household.")
                    % {"value": given},
                )
        households = self.households
        if column.key == "household.village":
            for number, value in first.items():
                households[number].village_text = value
        elif column.key == "info.village_name":
            for number, value in first.items():
                households[number].village_name = value
        elif column.key == "info.per_capita_net_income":
            for number, value in first.items():
                try:
                    households[number].per_capita_in_file = Decimal(str(value).replace(",", ""))
                except ArithmeticError:
                    household = households[number]
                    self.fail(household, household.first_row, column.key, value, _("Not a number."))
        elif column.record != Record.INFO:
            attribute = {
                Record.HOUSEHOLD: "values",
                Record.INCOME: "income",
                Record.CONDITIONS: "conditions",
            }[column.record]
            for number, value in first.items():
                getattr(households[number], attribute)[column.field] = value

    def _count_residents(self) -> None:
        resident = self.members.get("is_resident")
        for household in self.households.values():
            if resident is None:
                household.residents = len(household.rows)
            else:
                household.residents = sum(resident[index] is not False for index in household.rows)

    # --- members ----------------------------------------------------------------

    def check_members(self) -> None:
        """The register's member rules (``registry.rules``) over the sheet's columns."""
        check_members(
            MemberBatch(
                members=self.members,
                raw_id_numbers=self.raw_id_numbers,
                numbers=self.numbers,
                households={number: household.rows for number, household in self.households.items()},
                lines=self.lines,
            ),
            self,
        )

    def fail_household(self, number: str, key: str, value: object, reason: str) -> None:
        household = self.households[number]
        self.fail(household, household.first_row, key, value, reason)


_MISSING = object()
