"""Importing households and members from a spreadsheet in the national layout.

The import reads every row, converts every cell, checks every household with
the register's rules and only then writes — in one transaction, so that a
failure or an interruption leaves the register as it was. By default one
error anywhere means nothing is written; ``partial`` writes the households
without errors. Households are matched by household number and members by ID
number, so importing the same file again changes nothing. A dry run does the
whole import, data-quality checks included, and rolls it back.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.core.bulk import insert_rows
from jingzhun.core.runs import runs_record_failure
from jingzhun.core.spreadsheets import CellError, FileFormatError, clean_text, read_sheet
from jingzhun.imports.choices import ImportState
from jingzhun.imports.converters import Converter, converter_for, is_blank
from jingzhun.imports.layouts import COLUMNS, Column, Record, header_index
from jingzhun.imports.models import ImportRun
from jingzhun.quality.selectors import find_issues
from jingzhun.registry.choices import (
    DISABILITY_CERTIFICATE_ID_TYPE,
    HEAD_RELATION,
    RESIDENT_ID_TYPE,
    ChangeAction,
)
from jingzhun.registry.idnumbers import InvalidIdNumber, check_disability_certificate, check_id_number
from jingzhun.registry.income import TRANSFER_FIELDS, compute_income
from jingzhun.registry.models import (
    Household,
    HouseholdChange,
    IncomeRecord,
    LivingConditions,
    Member,
)
from jingzhun.registry.services import status_changes_record

Progress = Callable[[str, int, int], None]
_CHUNK = 2000
# Reports list at most this many problems of each kind; the counts are always complete.
REPORT_LIMIT = 2000
_INCOME_AMOUNTS = (
    "wage_income",
    "business_income",
    "property_income",
    *TRANSFER_FIELDS,
    "production_costs",
)
_REQUIRED = ("household.household_number", "member.name", "member.id_number", "member.relation_to_head")


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
class _MemberRow:
    row: int
    values: dict[str, Any]
    birth_date_derived: bool = False


@dataclass
class _HouseholdRows:
    number: str
    first_row: int
    village_text: str = ""
    village_name: str = ""
    village: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    income: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    per_capita_in_file: Decimal | None = None
    members: list[_MemberRow] = field(default_factory=list)
    failed: bool = False


class _DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def _require_import(user: User | None, area: Area | None) -> None:
    if user is None:  # the command line, run by the operator
        return
    if not user.can(Capability.EDIT_REGISTER):
        raise PermissionDenied(_("Your role may not change the register."))
    if area is not None and (user.area is None or not user.area.contains(area.code)):
        raise PermissionDenied(_("This area is outside yours."))


class _Reader:
    """Turns the sheet's rows into households, collecting every problem."""

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
        self._converters: dict[str, list[tuple[int, Column, str, Converter]]] = {}
        self.households: dict[str, _HouseholdRows] = {}

    def converters(self, province: str) -> list[tuple[int, Column, str, Converter]]:
        if province not in self._converters:
            self._converters[province] = [
                (position, column, header, converter_for(column, year=self.year, province=province))
                for position, column, header in self.positions
            ]
        return self._converters[province]

    def fail(self, household: _HouseholdRows | None, row: int, key: str, value: object, reason: str) -> None:
        if household is not None:
            household.failed = True
        self.report.error(
            Problem(
                row,
                self.headers.get(key, key),
                clean_text(value) if not isinstance(value, float) else repr(value),
                reason,
                household.number if household else "",
            )
        )

    def read(self, rows: list[list[object]], header_row: int, progress: Progress | None) -> None:
        village_position = next(
            (position for position, column, _h in self.positions if column.key == "household.village"), None
        )
        number_position = next(
            position for position, column, _h in self.positions if column.key == "household.household_number"
        )
        current: _HouseholdRows | None = None
        for offset, row in enumerate(rows, start=1):
            line = header_row + offset
            if all(clean_text(cell) == "" for cell in row):
                continue
            self.report.rows += 1
            if progress and offset % 5000 == 0:
                progress("read", offset, len(rows))
            number = clean_text(row[number_position]) if number_position < len(row) else ""
            if number == "" and current is None:
                self.fail(None, line, "household.household_number", "", _("A value is required."))
                continue
            if number and (current is None or number != current.number):
                current = self.households.get(number)
                if current is None:
                    current = _HouseholdRows(number=number, first_row=line)
                    self.households[number] = current
            # A blank household number continues the household above (merged cells).
            assert current is not None
            village_text = ""
            if village_position is not None and village_position < len(row):
                village_text = clean_text(row[village_position])
            province = (village_text or current.village_text or self.default_province)[:2]
            self._read_row(current, line, row, self.converters(province))

    def _read_row(
        self,
        household: _HouseholdRows,
        line: int,
        row: list[object],
        converters: list[tuple[int, Column, str, Converter]],
    ) -> None:
        member: dict[str, Any] = {}
        targets = {
            Record.HOUSEHOLD: household.values,
            Record.INCOME: household.income,
            Record.CONDITIONS: household.conditions,
        }
        for position, column, _header, convert in converters:
            raw = row[position] if position < len(row) else None
            try:
                value = convert(raw)
            except CellError as error:
                self.fail(household, line, column.key, raw, str(error))
                continue
            if column.record == Record.MEMBER:
                if value is not None:  # a blank yes/no or amount takes the register's default
                    member[column.field] = value
                continue
            if is_blank(value):
                continue
            if column.record == Record.INFO:
                if column.field == "village_name":
                    household.village_name = value
                elif column.field == "per_capita_net_income":
                    try:
                        household.per_capita_in_file = Decimal(str(value).replace(",", ""))
                    except ArithmeticError:
                        self.fail(household, line, column.key, raw, _("Not a number."))
                continue
            if column.key == "household.village":
                household.village_text = value
            target = targets[column.record]
            if column.field in target and target[column.field] != value:
                self.fail(
                    household,
                    line,
                    column.key,
                    raw,
                    _("Differs from the value %(value)s given above for the same household.")
                    % {"value": target[column.field]},
                )
                continue
            target[column.field] = value
        household.members.append(_MemberRow(line, member))


def _resolve_villages(
    reader: _Reader, *, user: User | None, area: Area | None, report: HouseholdImportReport
) -> None:
    """Every household's village: its code, or its name inside the chosen area."""
    scope = area or (user.area if user else None)
    codes = {household.village_text for household in reader.households.values() if household.village_text}
    villages = {
        village.code: village
        for chunk in _chunks(sorted(codes))
        for village in Area.objects.filter(code__in=chunk, level=AreaLevel.VILLAGE)
    }
    by_name: dict[str, list[str]] = defaultdict(list)
    if scope is not None and any(not h.village_text for h in reader.households.values()):
        for code, name in Area.objects.filter(
            code_range_q(scope, "code"), level=AreaLevel.VILLAGE
        ).values_list("code", "name"):
            by_name[name].append(code)
    for household in reader.households.values():
        line = household.first_row
        if household.village_text:
            if household.village_text not in villages:
                reader.fail(
                    household,
                    line,
                    "household.village",
                    household.village_text,
                    _("Not the code of a village."),
                )
                continue
            code = household.village_text
        elif area is not None and area.level == AreaLevel.VILLAGE:
            code = area.code
        elif household.village_name:
            matches = by_name.get(household.village_name, [])
            if len(matches) != 1:
                reader.fail(
                    household,
                    line,
                    "info.village_name",
                    household.village_name,
                    _("No village of this name in the area.")
                    if not matches
                    else _("Several villages of this name in the area; give the village code."),
                )
                continue
            code = matches[0]
        else:
            reader.fail(
                household,
                line,
                "household.village",
                "",
                _("The village is required (a village code column, a village name or --area)."),
            )
            continue
        if scope is not None and not scope.contains(code):
            reader.fail(household, line, "household.village", code, _("This village is outside the area."))
            continue
        household.village = code
        household.values["village_id"] = code
        household.values.pop("village", None)


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_identity(reader: _Reader, household: _HouseholdRows, member: _MemberRow, checked: Any) -> None:
    """Birth date and sex follow from the ID number: derived when blank, compared when given."""
    values = member.values
    values["id_number"] = checked.number
    for message in checked.warnings:
        reader.report.warning(
            Problem(member.row, reader.headers["member.id_number"], checked.number, message, household.number)
        )
    if is_blank(values.get("birth_date")):
        values["birth_date"] = checked.birth_date
    elif values["birth_date"] != checked.birth_date:
        reader.fail(
            household,
            member.row,
            "member.birth_date",
            values["birth_date"].isoformat(),
            _("Does not match the ID number (%(derived)s).") % {"derived": checked.birth_date.isoformat()},
        )
    if is_blank(values.get("sex")):
        values["sex"] = checked.sex
    elif values["sex"] != checked.sex:
        reader.fail(household, member.row, "member.sex", values["sex"], _("Does not match the ID number."))


def _check_members(reader: _Reader) -> dict[str, tuple[int, str]]:
    """ID numbers, birth dates and sexes, the head of each household, duplicates in the file.
    Returns the registered members of the file's ID numbers: number → (member id, household number)."""
    seen: dict[str, tuple[int, str]] = {}
    for household in reader.households.values():
        heads = 0
        for member in household.members:
            values = member.values
            line = member.row
            if is_blank(values.get("name")):
                reader.fail(household, line, "member.name", "", _("A value is required."))
            relation = values.get("relation_to_head") or ""
            if relation == "":
                reader.fail(household, line, "member.relation_to_head", "", _("A value is required."))
            heads += relation == HEAD_RELATION
            id_type = values.get("id_type") or RESIDENT_ID_TYPE
            values["id_type"] = id_type
            raw = values.get("id_number")
            checker = {
                RESIDENT_ID_TYPE: check_id_number,
                DISABILITY_CERTIFICATE_ID_TYPE: check_disability_certificate,
            }.get(id_type)
            if checker is None:
                number = clean_text(raw).upper()
                values["id_number"] = number
                if not number:
                    reader.fail(household, line, "member.id_number", "", _("The ID number is empty."))
                    continue
            else:
                try:
                    checked = checker(raw)
                except InvalidIdNumber as error:
                    reader.fail(household, line, "member.id_number", raw, str(error))
                    continue
                number = checked.number
                _apply_identity(reader, household, member, checked)
            earlier = seen.get(number)
            if earlier is not None:
                reader.fail(
                    household,
                    line,
                    "member.id_number",
                    number,
                    _("The same ID number is on row %(row)d.") % {"row": earlier[0]},
                )
            else:
                seen[number] = (line, household.number)
        if heads != 1:
            reader.fail(
                household,
                household.first_row,
                "member.relation_to_head",
                "",
                _("A household has exactly one head (户主); this one has %(count)d.") % {"count": heads},
            )
    registered: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(seen)):
        for member_id, number, household_number in Member.objects.filter(id_number__in=chunk).values_list(
            "pk", "id_number", "household__household_number"
        ):
            registered[number] = (member_id, household_number)
    for household in reader.households.values():
        for member in household.members:
            entered = member.values.get("id_number")
            holder = registered.get(entered) if isinstance(entered, str) else None
            if holder is not None and holder[1] != household.number:
                reader.fail(
                    household,
                    member.row,
                    "member.id_number",
                    entered,
                    _("Already registered in household %(household)s.") % {"household": holder[1]},
                )
    return registered


def _differences(instance: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for name, value in values.items():
        current = getattr(instance, name)
        if current != value:
            changes[name] = [_plain(current), _plain(value)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _income_figures(values: dict[str, Any], resident_members: int) -> dict[str, Any]:
    amounts = {name: values.get(name) or Decimal("0") for name in _INCOME_AMOUNTS}
    figures = compute_income(
        wage_income=amounts["wage_income"],
        business_income=amounts["business_income"],
        property_income=amounts["property_income"],
        transfers={name: amounts[name] for name in TRANSFER_FIELDS},
        production_costs=amounts["production_costs"],
        resident_members=resident_members,
    )
    return {
        **amounts,
        "resident_members": resident_members,
        "transfer_income": figures.transfer_income,
        "annual_income": figures.annual_income,
        "net_income": figures.net_income,
        "per_capita_net_income": figures.per_capita_net_income,
    }


class _Writer:
    """Writes the checked households: set-wise inserts for new ones, per-record
    comparison for those already registered (only changes are written and audited)."""

    def __init__(self, *, user: User | None, report: HouseholdImportReport, file_name: str) -> None:
        self.user = user
        self.report = report
        self.file_name = file_name
        self.now = timezone.now()
        self.changes: list[dict[str, Any]] = []

    def audit(
        self, household_id: int, action: str, record: Any, record_id: int | None, changes: dict
    ) -> None:
        self.changes.append(
            {
                "household_id": household_id,
                "action": action,
                "record_type": record,
                "record_id": record_id,
                "record_label": "",
                "changes": changes,
                "actor_id": self.user.pk if self.user else None,
                "at": self.now,
            }
        )

    def write(self, households: list[_HouseholdRows], progress: Progress | None) -> list[int]:
        existing = {
            household.household_number: household
            for chunk in _chunks([h.number for h in households])
            for household in Household.objects.filter(household_number__in=chunk)
        }
        new = [h for h in households if h.number not in existing]
        old = [h for h in households if h.number in existing]
        ids = self._create(new, progress)
        self._load_registered([existing[h.number].pk for h in old])
        for done, rows in enumerate(old, start=1):
            self._update(existing[rows.number], rows)
            if progress and done % 1000 == 0:
                progress("write", len(new) + done, len(households))
        insert_rows(HouseholdChange, self.changes)
        return ids + [existing[h.number].pk for h in old]

    def _load_registered(self, household_ids: list[int]) -> None:
        """The matched households' members, conditions and incomes, a chunk of households per query."""
        self.members: dict[int, list[Member]] = defaultdict(list)
        self.conditions: dict[int, LivingConditions] = {}
        self.incomes: dict[int, list[IncomeRecord]] = defaultdict(list)
        for chunk in _chunks(household_ids):
            for member in Member.objects.filter(household_id__in=chunk):
                self.members[member.household_id].append(member)
            for conditions in LivingConditions.objects.filter(household_id__in=chunk):
                self.conditions[conditions.household_id] = conditions
            for income in IncomeRecord.objects.filter(household_id__in=chunk).order_by("-year"):
                self.incomes[income.household_id].append(income)

    def _create(self, households: list[_HouseholdRows], progress: Progress | None) -> list[int]:
        if not households:
            return []
        insert_rows(Household, ({**h.values, "household_number": h.number} for h in households))
        ids = {
            number: pk
            for chunk in _chunks([h.number for h in households])
            for number, pk in Household.objects.filter(household_number__in=chunk).values_list(
                "household_number", "pk"
            )
        }
        insert_rows(
            Member,
            ({**member.values, "household_id": ids[h.number]} for h in households for member in h.members),
        )
        insert_rows(LivingConditions, ({**h.conditions, "household_id": ids[h.number]} for h in households))
        incomes = []
        for h in households:
            if h.income:
                residents = sum(m.values.get("is_resident") is not False for m in h.members)
                incomes.append(
                    {
                        "household_id": ids[h.number],
                        "year": h.income["year"],
                        **_income_figures(h.income, residents),
                    }
                )
        insert_rows(IncomeRecord, incomes)
        for h in households:
            self.audit(
                ids[h.number],
                ChangeAction.CREATE,
                "household",
                ids[h.number],
                {
                    "import": [None, self.file_name],
                    "members": [None, len(h.members)],
                    **{key: [None, _plain(value)] for key, value in h.values.items() if not is_blank(value)},
                },
            )
        self.report.households_created += len(households)
        self.report.members_created += sum(len(h.members) for h in households)
        if progress:
            progress("write", len(households), len(households))
        return [ids[h.number] for h in households]

    def _update(self, household: Household, rows: _HouseholdRows) -> None:
        changed = False
        values = {
            name: value for name, value in rows.values.items() if not is_blank(value) or name == "village_id"
        }
        household_changes = _differences(household, values)
        if household_changes:
            for name in household_changes:
                setattr(household, name, values[name])
            household.save(update_fields=[*household_changes, "updated_at"])
            self.audit(household.pk, ChangeAction.UPDATE, "household", household.pk, household_changes)
            status_changes_record(household=household, changes=household_changes, user=self.user)
            changed = True
        registered = {member.id_number: member for member in self.members[household.pk]}
        for member_rows in rows.members:
            member = registered.pop(member_rows.values["id_number"], None)
            if member is None:
                created = Member.objects.create(household=household, **member_rows.values)
                self.members[household.pk].append(created)
                self.audit(
                    household.pk,
                    ChangeAction.CREATE,
                    "member",
                    created.pk,
                    {"import": [None, self.file_name], "name": [None, created.name]},
                )
                self.report.members_created += 1
                changed = True
                continue
            # A blank cell brings no information: the registered value stays.
            member_values = {name: value for name, value in member_rows.values.items() if not is_blank(value)}
            member_changes = _differences(member, member_values)
            if member_changes:
                for name in member_changes:
                    setattr(member, name, member_values[name])
                member.save(update_fields=[*member_changes, "updated_at"])
                self.audit(household.pk, ChangeAction.UPDATE, "member", member.pk, member_changes)
                self.report.members_updated += 1
                changed = True
        for member in registered.values():
            self.report.warning(
                Problem(
                    rows.first_row,
                    "",
                    member.name,
                    _("Registered in this household but not in the file; left as it is."),
                    rows.number,
                )
            )
        changed |= self._update_conditions(household, rows)
        changed |= self._update_income(household, rows)
        if changed:
            Household.objects.filter(pk=household.pk).update(updated_at=self.now)
            self.report.households_updated += 1
        else:
            self.report.households_unchanged += 1

    def _update_conditions(self, household: Household, rows: _HouseholdRows) -> bool:
        conditions = self.conditions.get(household.pk) or LivingConditions(household=household)
        changes = _differences(conditions, rows.conditions)
        if not changes:
            return False
        for name in changes:
            setattr(conditions, name, rows.conditions[name])
        conditions.save()
        self.audit(household.pk, ChangeAction.UPDATE, "livingconditions", conditions.pk, changes)
        return True

    def _update_income(self, household: Household, rows: _HouseholdRows) -> bool:
        residents = sum(member.is_resident for member in self.members[household.pk])
        incomes = self.incomes[household.pk]  # latest year first
        year = rows.income.get("year")
        record = None
        if year is not None:
            record = next((income for income in incomes if income.year == year), None)
            values = _income_figures(rows.income, residents)
        else:
            # Members joined or left: the latest year's per-capita figure follows (as on the form).
            record = incomes[0] if incomes else None
            if record is None or record.resident_members == residents:
                return False
            values = _income_figures({name: getattr(record, name) for name in _INCOME_AMOUNTS}, residents)
        if record is None:
            assert year is not None  # without a year in the file there is a latest record
            created = IncomeRecord.objects.create(household=household, year=year, **values)
            self.audit(
                household.pk,
                ChangeAction.CREATE,
                "incomerecord",
                created.pk,
                {name: [None, _plain(values[name])] for name in _INCOME_AMOUNTS if values[name]},
            )
            return True
        changes = _differences(record, values)
        if not changes:
            return False
        for name in changes:
            setattr(record, name, values[name])
        record.save()
        self.audit(
            household.pk,
            ChangeAction.UPDATE,
            "incomerecord",
            record.pk,
            {name: change for name, change in changes.items() if name in _INCOME_AMOUNTS},
        )
        return True


def _check_income(reader: _Reader, report: HouseholdImportReport, default_year: int) -> None:
    for household in reader.households.values():
        if not any(not is_blank(household.income.get(name)) for name in _INCOME_AMOUNTS):
            household.income = {}
            continue
        household.income.setdefault("year", default_year)
        if household.per_capita_in_file is None:
            continue
        residents = sum(m.values.get("is_resident") is not False for m in household.members)
        computed = _income_figures(household.income, residents)["per_capita_net_income"]
        if computed is not None and abs(computed - household.per_capita_in_file) > 1:
            report.warning(
                Problem(
                    household.first_row,
                    reader.headers.get("info.per_capita_net_income", ""),
                    str(household.per_capita_in_file),
                    _("The file says %(file)s; the incomes and %(members)d residents give %(computed)s.")
                    % {"file": household.per_capita_in_file, "members": residents, "computed": computed},
                    household.number,
                )
            )


def household_import(
    *,
    user: User | None,
    file_name: str,
    data: bytes,
    area: Area | None = None,
    dry_run: bool = False,
    partial: bool = False,
    mapping: dict[str, str] | None = None,
    income_year: int | None = None,
    progress: Progress | None = None,
) -> HouseholdImportReport:
    """Import a household-and-member sheet; see the module docstring for the rules."""
    _require_import(user, area)
    report = HouseholdImportReport(file_name=file_name, dry_run=dry_run, partial=partial)
    try:
        index = header_index(mapping)
    except KeyError as error:
        report.error(Problem(0, str(error.args[0]), "", _("The mapping names an unknown column.")))
        return report
    try:
        sheet = read_sheet(Path(file_name), data, known_headers=set(index), minimum_matches=3)
    except FileFormatError as error:
        report.error(Problem(0, "", "", str(error)))
        return report
    report.header_row = sheet.header_row
    positions: list[tuple[int, Column, str]] = []
    taken: set[str] = set()
    for position, header in enumerate(sheet.headers):
        column = index.get(header)
        if column is None or column.key in taken:
            if header and header not in ("序号", "no.", "#"):
                report.ignored_columns.append(header)
            continue
        taken.add(column.key)
        positions.append((position, column, header))
    report.columns = [header for _position, _column, header in positions]
    missing = [next(c.header for c in COLUMNS if c.key == key) for key in _REQUIRED if key not in taken]
    if missing:
        report.error(Problem(sheet.header_row, "、".join(missing), "", _("Required columns are missing.")))
        return report
    today = timezone.localdate()
    scope = area or (user.area if user else None)
    default_province = scope.code[:2] if scope else ""
    reader = _Reader(report=report, positions=positions, year=today.year, default_province=default_province)
    reader.read(sheet.rows, sheet.header_row, progress)
    _resolve_villages(reader, user=user, area=area, report=report)
    _check_members(reader)
    report.income_year = income_year or today.year - 1
    _check_income(reader, report, report.income_year)
    report.households = len(reader.households)
    report.members = sum(len(h.members) for h in reader.households.values())
    failed = [h for h in reader.households.values() if h.failed]
    report.households_skipped = len(failed)
    if failed and not partial:
        return report
    good = [h for h in reader.households.values() if not h.failed]
    if not good:
        return report
    try:
        with transaction.atomic():
            ids = _Writer(user=user, report=report, file_name=file_name).write(good, progress)
            _quality_warnings(ids, report, default_province, {h.number: h.first_row for h in good})
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        return report
    report.written = True
    return report


def _quality_warnings(
    ids: list[int], report: HouseholdImportReport, province: str, rows: dict[str, int]
) -> None:
    """The data-quality rules on the imported households, as warnings (the import stands)."""
    for chunk in _chunks(ids, 20_000):
        households = Household.objects.filter(pk__in=chunk)
        for issue in find_issues(households, province=province):
            report.warning(
                Problem(
                    rows.get(issue.household, 0),
                    issue.rule,
                    issue.member or "",
                    str(issue.message),
                    issue.household,
                )
            )


def file_fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- imports from the web: upload, check in the background, confirm ----------------


def import_run_upload(
    *, user: User, file_name: str, data: bytes, area: Area | None, partial: bool
) -> ImportRun:
    """Store the file, record the run and hand the check (a dry run) to the worker."""
    from jingzhun.imports.tasks import import_run_task  # the task module imports this one

    _require_import(user, area)
    run = ImportRun(
        file_name=Path(file_name).name[:200],
        file_sha256=file_fingerprint(data),
        area=area,
        partial=partial,
        uploaded_by=user,
    )
    run.file.save(Path(file_name).name, ContentFile(data), save=False)
    run.save()
    transaction.on_commit(lambda: import_run_task.enqueue(run.pk))
    return run


def _run_progress(run: ImportRun, start: int, end: int) -> Progress:
    def progress(_phase: str, done: int, total: int) -> None:
        percent = start + (end - start) * done // max(total, 1)
        ImportRun.objects.filter(pk=run.pk).update(progress=min(percent, end))

    return progress


def import_run_execute(run: ImportRun) -> ImportRun:
    """Check a run (state CHECKING) or write it (state WRITING); a crash marks it failed."""
    writing = run.state == ImportState.WRITING
    try:
        with run.file.open("rb") as handle:
            data = handle.read()
        report = household_import(
            user=run.uploaded_by,
            file_name=run.file_name,
            data=data,
            area=run.area,
            dry_run=not writing,
            partial=run.partial,
            progress=_run_progress(run, 0, 90),
        )
    except Exception as error:  # recorded for the user; the transaction has rolled back
        runs_record_failure(ImportRun.objects.filter(pk=run.pk), error, state=ImportState.FAILED)
        raise
    if writing:
        state = ImportState.DONE if report.written else ImportState.REJECTED
    else:
        writable = report.households - report.households_skipped
        state = ImportState.CHECKED if report.ok or (run.partial and writable) else ImportState.REJECTED
    ImportRun.objects.filter(pk=run.pk).update(
        state=state,
        progress=100,
        report=report.as_dict(),
        finished_at=timezone.now() if state != ImportState.CHECKED else None,
    )
    run.refresh_from_db()
    return run


def import_run_confirm(*, user: User, run: ImportRun) -> ImportRun:
    from jingzhun.imports.tasks import import_run_task

    if run.uploaded_by_id != user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file may confirm it."))
    updated = ImportRun.objects.filter(pk=run.pk, state=ImportState.CHECKED).update(
        state=ImportState.WRITING, progress=0
    )
    if not updated:
        raise ValidationError(_("This import is not waiting for confirmation."))
    transaction.on_commit(lambda: import_run_task.enqueue(run.pk))
    run.refresh_from_db()
    return run


def import_run_cancel(*, user: User, run: ImportRun) -> None:
    if run.uploaded_by_id != user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file may cancel it."))
    ImportRun.objects.filter(pk=run.pk, state=ImportState.CHECKED).update(
        state=ImportState.CANCELLED, finished_at=timezone.now()
    )
