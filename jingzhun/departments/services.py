"""Importing a department dataset: read, validate every row, match ID numbers to
the register, and write one batch — all of it or nothing."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Department, Role
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.core.bulk import bulk_insert
from jingzhun.core.spreadsheets import CellError, FileFormatError, normalise_header, parse_month, read_sheet
from jingzhun.departments.choices import KINDS, DatasetType, MatchStatus
from jingzhun.departments.models import DepartmentBatch, DepartmentRecord
from jingzhun.departments.schemas import SCHEMAS, Column, DatasetSchema
from jingzhun.registry.idnumbers import InvalidIdNumber, check_id_number, id_number_digest
from jingzhun.registry.models import Member

# Which department owns which dataset; the county office may import any of them.
OWNER = {
    DatasetType.MEDICAL: Department.MEDICAL_INSURANCE,
    DatasetType.EDUCATION: Department.EDUCATION,
    DatasetType.CIVIL_AFFAIRS: Department.CIVIL_AFFAIRS,
    DatasetType.DISABILITY: Department.DISABLED_PERSONS,
    DatasetType.HOUSING: Department.HOUSING,
    DatasetType.WATER: Department.WATER,
    DatasetType.HUMAN_RESOURCES: Department.HUMAN_RESOURCES,
    DatasetType.PUBLIC_SECURITY: Department.PUBLIC_SECURITY,
    DatasetType.DISASTER: Department.CIVIL_AFFAIRS,
}
_MATCH_CHUNK = 2000


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    dataset_type: str
    file_name: str
    batch_id: int | None = None
    period: str = ""
    rows: int = 0
    matched: int = 0
    not_in_register: int = 0
    invalid_id: int = 0
    area_level: int = 0
    already_imported: bool = False
    errors: list[RowError] = field(default_factory=list)
    not_in_register_ids: list[str] = field(default_factory=list)
    invalid_ids: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _require_import(user: User | None, dataset_type: str) -> None:
    if user is None:  # the command line, run by the operator
        return
    if user.role in (Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN):
        return
    if user.role == Role.DEPARTMENT_USER and OWNER.get(DatasetType(dataset_type)) == user.department:
        return
    raise PermissionDenied(_("Your role may not import this dataset."))


def _kind_lookup(dataset_type: str) -> dict[str, str]:
    lookup = {}
    for code, (label_zh, label_en) in KINDS.get(dataset_type, {}).items():
        for text in (code, label_zh, label_en):
            lookup[normalise_header(text)] = code
    return lookup


def _parse_rows(
    schema: DatasetSchema,
    sheet_headers: list[str],
    rows: list[list[object]],
    header_row: int,
    mapping: dict[str, str],
    report: ImportReport,
) -> list[dict[str, Any]]:
    header_map = schema.header_map()
    by_field = {column.field: column for column in schema.columns}
    for source, target in mapping.items():
        if target in by_field:
            header_map[normalise_header(source)] = by_field[target]
    positions: dict[str, tuple[int, Column, str]] = {}
    for position, header in enumerate(sheet_headers):
        column = header_map.get(header)
        if column is not None and column.field not in positions:
            positions[column.field] = (position, column, header)
    has_identity = "id_number" in positions or (schema.area_level_allowed and "village_code" in positions)
    missing = [
        column.headers[0] for column in schema.columns if column.required and column.field not in positions
    ]
    if not has_identity:
        missing.insert(0, schema.columns[0].headers[0])
    if missing:
        report.errors.append(RowError(header_row, ", ".join(missing), "", _("Required columns are missing.")))
        return []
    kinds = _kind_lookup(schema.dataset_type)
    parsed_rows = []
    for offset, row in enumerate(rows, start=1):
        line = header_row + offset
        values: dict[str, Any] = {"row_number": line, "flags": {}, "kind": schema.default_kind}
        for name, (position, column, header) in positions.items():
            raw = row[position] if position < len(row) else None
            try:
                value = column.parse(raw)
            except CellError as error:
                report.errors.append(RowError(line, header, str(raw), str(error)))
                continue
            if value in (None, "") and column.required:
                report.errors.append(RowError(line, header, "", _("A value is required.")))
                continue
            if name == "kind" and value:
                code = kinds.get(normalise_header(value))
                if code is None:
                    report.errors.append(
                        RowError(
                            line,
                            header,
                            str(raw),
                            _("Unknown value; expected one of %(kinds)s.")
                            % {
                                "kinds": "、".join(
                                    label for label, _en in KINDS[schema.dataset_type].values()
                                )
                            },
                        )
                    )
                    continue
                value = code
            if name.startswith("flags."):
                values["flags"][name.removeprefix("flags.")] = value
            elif value is not None:
                values[name] = value
        if not values.get("id_number") and not values.get("village_code"):
            report.errors.append(
                RowError(
                    line, schema.columns[0].headers[0], "", _("An ID number (or a village code) is required.")
                )
            )
        parsed_rows.append(values)
    _check_grades(schema, parsed_rows, report)
    return parsed_rows


def _check_grades(schema: DatasetSchema, rows: list[dict[str, Any]], report: ImportReport) -> None:
    allowed = {DatasetType.HOUSING: "ABCD", DatasetType.DISABILITY: "1234"}.get(schema.dataset_type)
    for values in rows:
        grade = str(values.get("grade", "")).upper().replace("级", "")
        if allowed and grade:
            if grade not in allowed:
                report.errors.append(
                    RowError(
                        values["row_number"],
                        "grade",
                        grade,
                        _("The grade must be one of %(allowed)s.") % {"allowed": allowed},
                    )
                )
            values["grade"] = grade


def _match(rows: list[dict[str, Any]], report: ImportReport) -> None:
    """Normalise ID numbers and match them to members, one query per chunk."""
    for values in rows:
        raw = values.get("id_number", "")
        if not raw:
            values["match_status"] = MatchStatus.AREA
            continue
        try:
            values["id_number"] = check_id_number(raw).number
        except InvalidIdNumber as error:
            values["match_status"] = MatchStatus.INVALID_ID
            report.invalid_ids.append(RowError(values["row_number"], "id_number", str(raw), str(error)))
    # Members' ID numbers are encrypted: matched by their blind index, never decrypted.
    digests = {v["id_number"]: id_number_digest(v["id_number"]) for v in rows if "match_status" not in v}
    wanted = sorted(set(digests.values()))
    found: dict[str, tuple[int, int, str]] = {}
    for start in range(0, len(wanted), _MATCH_CHUNK):
        chunk = wanted[start : start + _MATCH_CHUNK]
        for digest, member_id, household_id, village in Member.objects.filter(
            id_number_index__in=chunk
        ).values_list("id_number_index", "pk", "household_id", "household__village_id"):
            found[digest] = (member_id, household_id, village)
    for values in rows:
        if "match_status" in values:
            continue
        hit = found.get(digests[values["id_number"]])
        if hit is None:
            values["match_status"] = MatchStatus.NOT_IN_REGISTER
            report.not_in_register_ids.append(values["id_number"])
        else:
            values["match_status"] = MatchStatus.MATCHED
            values["member_id"], values["household_id"], values["village_code"] = hit


def _check_villages(rows: list[dict[str, Any]], report: ImportReport) -> None:
    codes = {
        v["village_code"] for v in rows if v.get("village_code") and v["match_status"] == MatchStatus.AREA
    }
    known = set(Area.objects.filter(code__in=codes).values_list("code", flat=True))
    for values in rows:
        if values["match_status"] == MatchStatus.AREA and values.get("village_code") not in known:
            report.errors.append(
                RowError(
                    values["row_number"],
                    "village_code",
                    str(values.get("village_code")),
                    _("Unknown village code."),
                )
            )


def department_import(
    *,
    user: User | None,
    dataset_type: str,
    file_name: str,
    data: bytes,
    period: str | None = None,
    source: str = "",
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    """Import one file. On any row error nothing is written and the report lists them all."""
    _require_import(user, dataset_type)
    schema = SCHEMAS[dataset_type]
    report = ImportReport(dataset_type=dataset_type, file_name=file_name)
    fingerprint = hashlib.sha256(data).hexdigest()
    existing = DepartmentBatch.objects.filter(dataset_type=dataset_type, file_sha256=fingerprint).first()
    if existing is not None:
        return _report_of(existing, report)
    try:
        month = parse_month(period) if period else None
    except CellError as error:
        report.errors.append(RowError(0, "period", str(period), str(error)))
        return report
    try:
        known = set(schema.header_map()) | {normalise_header(source) for source in (mapping or {})}
        sheet = read_sheet(Path(file_name), data, known_headers=known)
    except FileFormatError as error:
        report.errors.append(RowError(0, "", "", str(error)))
        return report
    rows = _parse_rows(schema, sheet.headers, sheet.rows, sheet.header_row, mapping or {}, report)
    if report.errors:
        return report
    _match(rows, report)
    _check_villages(rows, report)
    if report.errors:
        return report
    month = month or max(v["event_date"] for v in rows).replace(day=1) if rows else month
    with transaction.atomic():
        batch = DepartmentBatch.objects.create(
            dataset_type=dataset_type,
            period=month or datetime.date.today().replace(day=1),
            source=source,
            file_name=file_name[:200],
            file_sha256=fingerprint,
            uploaded_by=user,
            row_count=len(rows),
            matched_count=sum(v["match_status"] == MatchStatus.MATCHED for v in rows),
            not_in_register_count=sum(v["match_status"] == MatchStatus.NOT_IN_REGISTER for v in rows),
            invalid_id_count=sum(v["match_status"] == MatchStatus.INVALID_ID for v in rows),
            area_count=sum(v["match_status"] == MatchStatus.AREA for v in rows),
        )
        bulk_insert(
            DepartmentRecord, [DepartmentRecord(batch=batch, dataset_type=dataset_type, **v) for v in rows]
        )
    return _report_of(batch, report, already_imported=False)


def _report_of(
    batch: DepartmentBatch, report: ImportReport, *, already_imported: bool = True
) -> ImportReport:
    report.batch_id = batch.pk
    report.period = f"{batch.period:%Y-%m}"
    report.rows = batch.row_count
    report.matched = batch.matched_count
    report.not_in_register = batch.not_in_register_count
    report.invalid_id = batch.invalid_id_count
    report.area_level = batch.area_count
    report.already_imported = already_imported
    return report
