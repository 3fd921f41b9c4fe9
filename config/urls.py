from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("jingzhun.accounts.urls")),
    path("warnings/", include("jingzhun.monitoring.urls")),
    path("quality/", include("jingzhun.quality.urls")),
    path("cases/", include("jingzhun.cases.urls")),
    path("assistance/", include("jingzhun.assistance.urls")),
    path("declare/", include("jingzhun.cases.public_urls")),
    path("imports/", include("jingzhun.imports.urls")),
    path("", include("jingzhun.registry.urls")),
]
