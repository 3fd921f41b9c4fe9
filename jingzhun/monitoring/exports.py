"""The warnings list's columns for its export (``jingzhun.exports``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhun.exports.services import ExportColumn


def warning_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("Household number"), lambda w: w.household.household_number, width=16),
        ExportColumn(_("Village"), lambda w: w.household.village.name),
        ExportColumn(_("Member"), lambda w: w.member.name if w.member else "", width=10),
        ExportColumn(_("Rule"), lambda w: f"{w.rule.code} {w.rule.name}", width=30),
        ExportColumn(_("Status"), lambda w: w.get_status_display()),
        ExportColumn(_("Raised"), lambda w: w.created_at.date(), width=12),
        ExportColumn(_("Verify by"), lambda w: w.deadline, width=12),
        ExportColumn(_("Overdue"), lambda w: w.is_overdue, width=8),
    ]
