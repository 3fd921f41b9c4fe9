"""Loading administrative areas.

Province, city and county codes come from python-stdnum's copy of the national
division list (stdnum/cn/loc.dat); townships and villages are imported from a
CSV of ``code,name`` rows or generated for the demo county.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from django.db import transaction

from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.codes import InvalidAreaCode, level_of, normalise_code, parent_code
from jingzhun.areas.models import Area

_HISTORY = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\](?P<name>.+)$")


def _current_name(raw: str) -> tuple[str, bool]:
    """Pick the name in use from stdnum's ``[1983-1999]郊区,[2000-]赛罕区`` notation.

    Returns the name and whether the code is still in use (no end year on the
    last period).
    """
    periods = raw.split(",")
    last = periods[-1]
    match = _HISTORY.match(last)
    if match is None:
        return last, True
    return match.group("name"), match.group("end") == ""


def national_division_rows() -> list[tuple[str, str, bool]]:
    """(12-digit code, name, in use) for every province, city and county in stdnum."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    rows: list[tuple[str, str, bool]] = []
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province, rest = line.split(" ", 1)
            name = rest.split("=", 1)[1].strip('"')
            rows.append((province.ljust(12, "0"), name, True))
            continue
        suffix, rest = line.strip().split(" ", 1)
        if suffix == "0000":
            continue  # repeats the province itself
        name, in_use = _current_name(rest.split("=", 1)[1].strip('"'))
        rows.append(((province + suffix).ljust(12, "0"), name, in_use))
    return rows


@transaction.atomic
def areas_load_national(*, area_model: Any = Area) -> int:
    """Create or refresh the province/city/county areas. Returns how many exist afterwards.

    ``area_model`` lets a data migration pass its historical model.
    """
    rows = national_division_rows()
    listed = {code for code, _name, _in_use in rows}
    new_areas = []
    for code, name, in_use in rows:
        level = level_of(code)
        parent = parent_code(code)
        # stdnum lists some counties whose city line is missing (direct-administered
        # counties); attach those to the province.
        if parent is not None and parent not in listed:
            parent = code[:2].ljust(12, "0")
        area = area_model(code=code, name=name, level=level, parent_id=parent, is_valid=in_use)
        new_areas.append(area)
    area_model.objects.bulk_create(
        new_areas,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent", "is_valid"],
    )
    return int(area_model.objects.count())


@dataclass
class AreaImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def areas_import_csv(*, text: str) -> AreaImportReport:
    """Import townships and villages from ``code,name`` rows; all or nothing.

    Every error names the line and the reason; if any row is wrong nothing is written.
    """
    report = AreaImportReport()
    reader = csv.reader(io.StringIO(text))
    parsed: list[Area] = []
    known = set(Area.objects.values_list("code", flat=True))
    for line_number, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip():
            continue
        if line_number == 1 and row[0].strip().lower() in {"code", "代码", "区划代码"}:
            continue
        if len(row) < 2 or not row[1].strip():
            report.errors.append(f"line {line_number}: expected code,name")
            continue
        try:
            code = normalise_code(row[0])
            level = level_of(code)
        except InvalidAreaCode as error:
            report.errors.append(f"line {line_number}: {error}")
            continue
        if level not in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE):
            report.errors.append(f"line {line_number}: {code} is not a township or village code")
            continue
        parent = parent_code(code)
        if parent not in known:
            report.errors.append(f"line {line_number}: parent area {parent} of {code} does not exist")
            continue
        known.add(code)
        parsed.append(Area(code=code, name=row[1].strip(), level=level, parent_id=parent))
    if report.errors:
        return report
    existing = set(Area.objects.filter(code__in=[a.code for a in parsed]).values_list("code", flat=True))
    report.updated = len(existing)
    report.created = len(parsed) - report.updated
    with transaction.atomic():
        Area.objects.bulk_create(
            parsed, update_conflicts=True, unique_fields=["code"], update_fields=["name", "level", "parent"]
        )
    return report
