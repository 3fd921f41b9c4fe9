from django.urls import path

from jingzhun.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.fund_list_view, name="list"),
    path("new/", views.fund_create_view, name="create"),
    path("<int:pk>/", views.fund_detail_view, name="detail"),
    path("<int:pk>/allocate/", views.allocate_view, name="allocate"),
    path("movements/<int:pk>/reverse/", views.reverse_view, name="reverse"),
    path("movements/<int:pk>/voucher/", views.voucher_view, name="voucher"),
    path("projects/<int:pk>/", views.project_money_view, name="project"),
    path("projects/<int:pk>/pay/", views.pay_view, name="pay"),
    path("monitoring/", views.findings_view, name="findings"),
    path("monitoring/run/", views.monitoring_start_view, name="monitoring_start"),
    path("monitoring/runs/<int:pk>/", views.monitoring_run_view, name="monitoring_run"),
    path("monitoring/findings/<int:pk>/decide/", views.finding_decide_view, name="finding_decide"),
]
