"""Importing households and members from a spreadsheet in the national layout.

The import reads every row, converts every cell, checks every household with
the register's rules and only then writes — in one transaction, so that a
failure or an interruption leaves the register as it was. By default one
error anywhere means nothing is written; ``partial`` writes the households
without errors. Households are matched by household number and members by ID
number, so importing the same file again changes nothing. A dry run does the
whole import, data-quality checks included, and rolls it back.

The importer reads the sheet (``batch``), maps it to register values, checks it
with the register's rules (``registry.rules``) and hands it to the register's
writer (``registry.writes``); it reports. Runs started from the web: ``runs``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.core.bulk import (
    any_of,
    id_table,
    without_cycle_collection,
)
from jingzhun.core.spreadsheets import FileFormatError, read_columns
from jingzhun.imports.batch import (
    REPORT_LIMIT,
    HouseholdImportReport,
    Problem,
    Progress,
    SheetBatch,
)
from jingzhun.imports.layouts import COLUMNS, Column, header_index
from jingzhun.quality.registry import RULES
from jingzhun.quality.selectors import sample_issues
from jingzhun.registry.income import AMOUNT_FIELDS, income_record_values
from jingzhun.registry.models import (
    Household,
)
from jingzhun.registry.writes import RegisterWriter, WriteOutcome, is_blank

_REQUIRED = ("household.household_number", "member.name", "member.id_number", "member.relation_to_head")


class _DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def require_import(user: User | None, area: Area | None) -> None:
    if user is None:  # the command line, run by the operator
        return
    if not user.can(Capability.EDIT_REGISTER):
        raise PermissionDenied(_("Your role may not change the register."))
    if area is not None and (user.area is None or not user.area.contains(area.code)):
        raise PermissionDenied(_("This area is outside yours."))


def _resolve_villages(batch: SheetBatch, *, user: User | None, area: Area | None) -> None:
    """Every household's village: its code, or its name inside the chosen area."""
    scope = area or (user.area if user else None)
    codes = {household.village_text for household in batch.households.values() if household.village_text}
    villages = {
        village.code: village
        for village in Area.objects.filter(code__in=any_of(sorted(codes)), level=AreaLevel.VILLAGE)
    }
    by_name: dict[str, list[str]] = defaultdict(list)
    if scope is not None and any(not h.village_text for h in batch.households.values()):
        for code, name in Area.objects.filter(
            code_range_q(scope, "code"), level=AreaLevel.VILLAGE
        ).values_list("code", "name"):
            by_name[name].append(code)
    for household in batch.households.values():
        line = household.first_row
        if household.village_text:
            if household.village_text not in villages:
                batch.fail(
                    household,
                    line,
                    "household.village",
                    household.village_text,
                    _("Not the code of a village."),
                )
                continue
            code = household.village_text
            registered_name = villages[code].name
            if household.village_name and household.village_name != registered_name:
                # The code decides; a name that disagrees is usually a typo, sometimes a wrong code.
                batch.warn(
                    household,
                    line,
                    "info.village_name",
                    household.village_name,
                    _("The village with code %(code)s is registered as “%(name)s”; the code was used.")
                    % {"code": code, "name": registered_name},
                )
        elif area is not None and area.level == AreaLevel.VILLAGE:
            code = area.code
        elif household.village_name:
            matches = by_name.get(household.village_name, [])
            if len(matches) != 1:
                batch.fail(
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
            batch.fail(
                household,
                line,
                "household.village",
                "",
                _("The village is required (a village code column, a village name or --area)."),
            )
            continue
        if scope is not None and not scope.contains(code):
            batch.fail(household, line, "household.village", code, _("This village is outside the area."))
            continue
        household.village = code
        household.values["village_id"] = code
        household.values.pop("village", None)


def _take_outcome(report: HouseholdImportReport, outcome: WriteOutcome) -> None:
    """What the register's writer did, in the import's report."""
    report.households_created += outcome.households_created
    report.households_updated += outcome.households_updated
    report.households_unchanged += outcome.households_unchanged
    report.members_created += outcome.members_created
    report.members_updated += outcome.members_updated
    for note in outcome.notes:
        report.warning(Problem(note.first_row, "", note.name, note.message, note.household_number))


def _check_income(batch: SheetBatch, report: HouseholdImportReport, default_year: int) -> None:
    for household in batch.households.values():
        if not any(not is_blank(household.income.get(name)) for name in AMOUNT_FIELDS):
            household.income = {}
            continue
        household.income.setdefault("year", default_year)
        if household.per_capita_in_file is None:
            continue
        residents = household.residents
        computed = income_record_values(household.income, residents)["per_capita_net_income"]
        if computed is not None and abs(computed - household.per_capita_in_file) > 1:
            report.warning(
                Problem(
                    household.first_row,
                    batch.headers.get("info.per_capita_net_income", ""),
                    str(household.per_capita_in_file),
                    _("The file says %(file)s; the incomes and %(members)d residents give %(computed)s.")
                    % {"file": household.per_capita_in_file, "members": residents, "computed": computed},
                    household.number,
                )
            )


@without_cycle_collection()
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
    require_import(user, area)
    report = HouseholdImportReport(file_name=file_name, dry_run=dry_run, partial=partial)
    try:
        index = header_index(mapping)
    except KeyError as error:
        report.error(Problem(0, str(error.args[0]), "", _("The mapping names an unknown column.")))
        return report
    try:
        sheet = read_columns(Path(file_name), data, known_headers=set(index), minimum_matches=3)
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
    batch = SheetBatch(report=report, positions=positions, year=today.year, default_province=default_province)
    batch.read(sheet, progress)
    del sheet  # the cells as read (a gigabyte for a million members) are converted: free them
    _resolve_villages(batch, user=user, area=area)
    batch.check_members()
    report.income_year = income_year or today.year - 1
    _check_income(batch, report, report.income_year)
    report.households = len(batch.households)
    report.members = batch.size
    failed = [h for h in batch.households.values() if h.failed]
    report.households_skipped = len(failed)
    if failed and not partial:
        return report
    good = [h for h in batch.households.values() if not h.failed]
    if not good:
        return report
    try:
        with transaction.atomic():
            writer = RegisterWriter(user=user, source=file_name)
            ids = writer.write(good, batch.members, progress)
            _take_outcome(report, writer.outcome)
            rows = {h.number: h.first_row for h in good}
            # A member's warning points at the member's own row, not the household's first.
            names = batch.members.get("name") or []
            member_rows = {(h.number, names[index]): batch.lines[index] for h in good for index in h.rows}
            _quality_warnings(ids, report, default_province, rows, member_rows)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        return report
    report.written = True
    return report


# Rules left out of an import's warnings: the first two the import refuses as errors, so they
# cannot fire on what it writes; the others judge monitoring episodes and measures, which a
# file never writes (the quality pages show them).
_RULES_NOT_FOR_IMPORTS = frozenset(
    {"ID_CHECKSUM", "ONE_HEAD", "RISK_WITHOUT_MEASURE", "NO_DEVELOPMENT_MEASURE", "LATE_FIRST_MEASURE"}
)


def _quality_warnings(
    ids: list[int],
    report: HouseholdImportReport,
    province: str,
    rows: dict[str, int],
    member_rows: dict[tuple[str, Any], int],
) -> None:
    """The data-quality rules on the imported households, as warnings (the import stands).
    Every issue is counted; the report lists the first of each rule."""
    with id_table(ids) as imported:
        counts, issues = sample_issues(
            Household.objects.filter(pk__in=imported),
            province=province,
            limit_per_rule=REPORT_LIMIT,
            codes=[code for code in RULES if code not in _RULES_NOT_FOR_IMPORTS],
        )
    for issue in issues:
        report.warning(
            Problem(
                member_rows.get((issue.household, issue.member), rows.get(issue.household, 0)),
                issue.rule,
                issue.member or "",
                str(issue.message),
                issue.household,
            )
        )
    report.warning_count += sum(counts.values()) - len(issues)


def file_fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
