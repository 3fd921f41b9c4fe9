"""The measures list's columns for its export (``jingzhun.exports``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhun.exports.services import ExportColumn, Labels


def measure_columns(labels: Labels) -> list[ExportColumn]:
    return [
        ExportColumn(_("Household number"), lambda m: m.household.household_number, width=16),
        ExportColumn(_("Village"), lambda m: m.household.village.name),
        ExportColumn(_("Measure"), lambda m: labels("assistance_measure", m.measure_type), width=18),
        ExportColumn(_("Start date"), lambda m: m.start_date, width=12),
        ExportColumn(_("End date"), lambda m: m.end_date, width=12),
        ExportColumn(_("Amount"), lambda m: m.amount),
        ExportColumn(_("Responsible unit"), lambda m: m.responsible_unit, width=18),
        ExportColumn(_("Status"), lambda m: m.get_status_display()),
    ]
