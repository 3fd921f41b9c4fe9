from django.contrib import admin

from jingzhun.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    # Tokens are created through the token page or the API (the key is shown once);
    # here an administrator can see and revoke them.
    readonly_fields = ["user", "key_sha256", "prefix", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request, obj=None):
        return False
