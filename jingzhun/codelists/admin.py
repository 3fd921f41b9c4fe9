from __future__ import annotations

from typing import Any

from django.contrib import admin

from jingzhun.codelists.models import CalendarDay, CodeItem, CodeList, Parameter
from jingzhun.codelists.selectors import clear_caches


class ClearCacheAdmin(admin.ModelAdmin):
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        clear_caches()

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        clear_caches()


class CodeItemInline(admin.TabularInline):
    model = CodeItem
    extra = 0


@admin.register(CodeList)
class CodeListAdmin(ClearCacheAdmin):
    list_display = ["key", "name_zh", "name_en"]
    inlines = [CodeItemInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        clear_caches()


@admin.register(CodeItem)
class CodeItemAdmin(ClearCacheAdmin):
    list_display = ["code_list", "code", "label_zh", "label_en", "province", "valid_from_year", "is_active"]
    list_filter = ["code_list", "province", "is_active"]
    search_fields = ["code", "label_zh", "label_en"]


@admin.register(Parameter)
class ParameterAdmin(ClearCacheAdmin):
    list_display = ["key", "province", "year", "value", "description"]
    list_filter = ["key", "province"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "province", "is_working_day", "name"]
    list_filter = ["province", "is_working_day"]
    date_hierarchy = "date"
