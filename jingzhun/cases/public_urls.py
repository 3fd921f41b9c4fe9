from django.urls import path

from jingzhun.cases import declaration_views

app_name = "declare"
urlpatterns = [
    path("", declaration_views.declare, name="form"),
    path("villages/", declaration_views.declare_villages, name="villages"),
    path("thanks/", declaration_views.declare_thanks, name="thanks"),
    path("status/", declaration_views.declare_status, name="status"),
]
