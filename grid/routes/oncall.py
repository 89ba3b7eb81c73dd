"""The departments' on-call roster (部门值班) pages."""

from django.urls import path

from grid.views import oncall as views

urlpatterns = [
    path("grid/on-call/", views.roster, name="on-call"),
    path("grid/on-call/<int:pk>/remove/", views.remove, name="on-call-remove"),
]
