from django.urls import path

from jingzhun.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list_view, name="list"),
    path("new/", views.project_create_view, name="create"),
    path("<int:pk>/", views.project_detail_view, name="detail"),
    path("<int:pk>/edit/", views.project_edit_view, name="edit"),
    path("<int:pk>/act/<slug:action>/", views.project_act_view, name="act"),
    path("<int:pk>/targets/", views.target_add_view, name="target_add"),
    path("<int:pk>/targets/<int:target>/remove/", views.target_remove_view, name="target_remove"),
    path("<int:pk>/beneficiaries/", views.beneficiary_add_view, name="beneficiary_add"),
    path(
        "<int:pk>/beneficiaries/<int:beneficiary>/remove/",
        views.beneficiary_remove_view,
        name="beneficiary_remove",
    ),
    path("<int:pk>/progress/", views.progress_view, name="progress"),
    path("<int:pk>/notice/", views.notice_view, name="notice"),
    path("attachments/<int:pk>/", views.attachment_view, name="attachment"),
]
