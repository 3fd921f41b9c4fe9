from __future__ import annotations

from typing import Any

from django.contrib import admin

from jingzhun.monitoring.models import ScreeningRule, ScreeningRun


@admin.register(ScreeningRule)
class ScreeningRuleAdmin(admin.ModelAdmin):
    """The catalogue is data: names, messages, severity and whether a rule runs are
    edited here; thresholds are parameters (code lists) per province and year."""

    list_display = ["code", "name_zh", "risk_type", "severity", "department", "health_data", "is_active"]
    list_filter = ["is_active", "severity", "department"]
    readonly_fields = ["code", "parameters"]

    def has_add_permission(self, request: Any) -> bool:
        # A rule's logic is code; a row without its function would never run.
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ScreeningRun)
class ScreeningRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "area", "engine", "income_year", "status", "started_at", "warnings_created"]
    list_filter = ["status", "engine"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False
