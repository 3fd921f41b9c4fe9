from django.urls import path

from jingzhun.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/refresh/", views.refresh, name="refresh"),
    path("runs/<int:pk>/", views.run_status, name="run_status"),
    path("<str:code>/reports/<str:kind>/", views.report, name="report"),
    path("<str:code>/assessment/", views.assessment_view, name="assessment"),
    path("<str:code>/exit/", views.exit_indicator_view, name="exit_indicators"),
]
