from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import User


@admin.register(User)
class JingzhunUserAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "role", "area", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    raw_id_fields = ["area"]
    fieldsets = (*UserAdmin.fieldsets, (_("Role and area"), {"fields": ("role", "area", "department")}))  # type: ignore[misc]
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role and area"), {"fields": ("role", "area", "department")}),
    )
