from django.urls import path

from jingzhun.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.warning_list_view, name="warning_list"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("<int:pk>/decide/", views.warning_decide, name="warning_decide"),
    path("screening/", views.screening_list, name="screening_list"),
    path("screening/<int:pk>/", views.run_detail, name="run_detail"),
]
