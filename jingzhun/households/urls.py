from django.urls import path

from jingzhun.households import views
from jingzhun.worklist.views import home

urlpatterns = [
    path("", home, name="home"),
    path("households/", views.household_list_view, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("households/<int:pk>/income/<int:year>/", views.income_edit, name="income_edit"),
    path("households/<int:pk>/conditions/", views.conditions_edit, name="conditions_edit"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/delete/", views.member_delete, name="member_delete"),
]
