"""The cases list's columns for its export (``jingzhun.exports``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhun.exports.services import ExportColumn


def case_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("Procedure"), lambda c: c.get_kind_display(), width=18),
        ExportColumn(_("Household number"), lambda c: c.household.household_number, width=16),
        ExportColumn(_("Village"), lambda c: c.household.village.name),
        ExportColumn(_("Step"), lambda c: c.get_state_display(), width=18),
        ExportColumn(_("Channel"), lambda c: c.get_channel_display()),
        ExportColumn(_("Opened on"), lambda c: c.opened_on, width=12),
        ExportColumn(_("Decide by"), lambda c: c.deadline, width=12),
        ExportColumn(_("Closed on"), lambda c: c.closed_on, width=12),
        ExportColumn(_("Overdue"), lambda c: c.is_overdue, width=8),
    ]
