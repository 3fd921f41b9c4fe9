from django.urls import path

from jingzhun.oversight import views

app_name = "oversight"

urlpatterns = [
    path("evaluations/", views.plans_view, name="plans"),
    path("evaluations/<int:pk>/", views.plan_view, name="plan"),
    path("evaluations/<int:pk>/draw/", views.plan_draw_view, name="plan_draw"),
    path("evaluations/<int:pk>/assign/", views.plan_assign_view, name="plan_assign"),
    path("evaluations/households/<int:pk>/", views.questionnaire_view, name="questionnaire"),
    path("evaluations/leads/", views.leads_view, name="leads"),
    path("rectification/", views.ledger_view, name="ledger"),
    path("rectification/quality/", views.quality_findings_view, name="quality_findings"),
    path("rectification/notice/", views.rectification_notice_view, name="rectification_notice"),
    path("phone-checks/", views.phone_checks_view, name="phone_checks"),
    path("inspections/", views.inspections_view, name="inspections"),
    path("inspections/<int:pk>/", views.inspection_view, name="inspection"),
    path("rectification/<int:pk>/", views.finding_view, name="finding"),
    path("rectification/photos/<int:pk>/", views.finding_photo_view, name="finding_photo"),
]
