from django.urls import path

from jingzhun.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.assistance_list, name="list"),
    path("pairings/", views.pairing_assign, name="pairing_assign"),
    path("households/<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("households/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("photos/<int:pk>/", views.visit_photo, name="visit_photo"),
]
