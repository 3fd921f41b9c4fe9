from django.contrib import admin

from jingzhun.areas.models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_valid"]
    list_filter = ["level", "is_valid"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
