from django.urls import path

from jingzhun.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/confirm/", views.run_confirm, name="run_confirm"),
    path("<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("roster.xlsx", views.roster, name="roster"),
    path("summary/", views.summary, name="summary"),
    path("ledgers/<slug:kind>.xlsx", views.ledger_sheet, name="ledger_sheet"),
    path("ledgers/<slug:kind>/", views.ledger_import, name="ledger_import"),
    path("questionnaires/<int:plan_pk>.xlsx", views.questionnaire_sheet, name="questionnaire_sheet"),
    path("questionnaires/<int:plan_pk>/", views.questionnaire_upload, name="questionnaire_upload"),
    path("households/<int:pk>/form.<str:file_format>", views.household_form_view, name="household_form"),
]
