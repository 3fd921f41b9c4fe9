from django.urls import path

from jingzhun.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.issue_list, name="list"),
]
