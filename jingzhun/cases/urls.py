from django.urls import path

from jingzhun.cases import declaration_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_view, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="case_act"),
    path("<int:pk>/objections/", views.objection_add, name="objection_add"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("open/<int:pk>/<slug:kind>/", views.case_open, name="case_open"),
    path("notices/<str:code>/", views.notice_view, name="notice"),
    path("announcements/<str:code>/", views.announcement_view, name="announcement"),
    path("declarations/", declaration_views.declaration_list_view, name="declaration_list"),
    path("declarations/<int:pk>/", declaration_views.declaration_detail, name="declaration_detail"),
]
