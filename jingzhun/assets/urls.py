from django.urls import path

from jingzhun.assets import views

app_name = "assets"

urlpatterns = [
    path("", views.ledger_view, name="ledger"),
    path("<int:pk>/", views.asset_detail_view, name="detail"),
    path("<int:pk>/rights/", views.rights_view, name="rights"),
    path("<int:pk>/income/", views.income_view, name="income"),
    path("<int:pk>/distribute/", views.distribute_view, name="distribute"),
    path("<int:pk>/act/<slug:action>/", views.act_view, name="act"),
    path("register/<int:project_pk>/", views.register_view, name="register"),
]
