"""The asset ledger's columns (扶贫项目资产台账), in the order of the national ledger:
identity, formation, value, the four rights, upkeep, income and state."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhun.exports.services import ExportColumn, Labels


def ledger_columns(labels: Labels) -> list[ExportColumn]:
    return [
        ExportColumn(_("Asset number"), lambda a: a.number, width=22),
        ExportColumn(_("Asset name"), lambda a: a.name, width=24),
        ExportColumn(_("Asset type"), lambda a: a.get_asset_type_display(), width=12),
        ExportColumn(_("Township"), lambda a: a.village.parent.name if a.village.parent else ""),
        ExportColumn(_("Village"), lambda a: a.village.name),
        ExportColumn(_("Location"), lambda a: a.location, width=18),
        ExportColumn(_("Formed by project"), lambda a: a.project.name, width=24),
        ExportColumn(
            _("Project category"), lambda a: labels("project_category", a.project.category), width=14
        ),
        ExportColumn(_("Year formed"), lambda a: a.year_formed),
        ExportColumn(_("Quantity"), lambda a: a.quantity),
        ExportColumn(_("Unit"), lambda a: a.unit),
        ExportColumn(_("Value (yuan)"), lambda a: a.value, width=14),
        ExportColumn(_("Owner"), lambda a: a.get_owner_kind_display()),
        ExportColumn(_("Owner's name"), lambda a: a.owner_name, width=18),
        ExportColumn(_("Operated by"), lambda a: a.operator, width=18),
        ExportColumn(_("Operating contract"), lambda a: a.contract_number, width=16),
        ExportColumn(_("Contract until"), lambda a: a.contract_end, width=12),
        ExportColumn(_("Income and distribution rule"), lambda a: a.income_rule, width=30),
        ExportColumn(_("Supervised by"), lambda a: a.supervisor, width=16),
        ExportColumn(_("Kept up by"), lambda a: a.custodian, width=16),
        ExportColumn(_("Income (yuan)"), lambda a: getattr(a, "income_total", None), width=14),
        ExportColumn(_("Distributed (yuan)"), lambda a: getattr(a, "distributed_total", None), width=14),
        ExportColumn(_("State"), lambda a: a.get_state_display()),
        ExportColumn(_("Disposed on"), lambda a: a.disposed_on, width=12),
    ]
