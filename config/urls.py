from django.contrib import admin
from django.urls import include, path

from jingzhun.api.api import api
from jingzhun.api.views import token_page, token_revoke_view

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("jingzhun.accounts.urls")),
    path("warnings/", include("jingzhun.monitoring.urls")),
    path("quality/", include("jingzhun.quality.urls")),
    path("cases/", include("jingzhun.cases.urls")),
    path("assistance/", include("jingzhun.assistance.urls")),
    path("projects/", include("jingzhun.projects.urls")),
    path("funds/", include("jingzhun.funds.urls")),
    path("assets/", include("jingzhun.assets.urls")),
    path("oversight/", include("jingzhun.oversight.urls")),
    path("declare/", include("jingzhun.cases.public_urls")),
    path("imports/", include("jingzhun.imports.urls")),
    path("dashboards/", include("jingzhun.dashboards.urls")),
    path("api/v1/", api.urls),
    path("api-tokens/", token_page, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", token_revoke_view, name="api_token_revoke"),
    path("", include("jingzhun.households.urls")),
]
