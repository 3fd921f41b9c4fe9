from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.models import User
from jingzhun.accounts.services import account_reset_done


@admin.register(User)
class JingzhunUserAdmin(UserAdmin):
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the new password was saved
            user = self.get_object(request, unquote(id))
            if user is not None and user.pk != request.user.pk:
                account_reset_done(user=user)
        return response

    list_display = ["username", "get_full_name", "role", "area", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    raw_id_fields = ["area"]
    fieldsets = (*UserAdmin.fieldsets, (_("Role and area"), {"fields": ("role", "area", "department")}))  # type: ignore[misc]
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role and area"), {"fields": ("role", "area", "department")}),
    )
