from django.urls import path
from rest_framework.routers import DefaultRouter

from portal import api

router = DefaultRouter()
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("windows", api.WindowViewSet, basename="window")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("workdays/", api.WorkdaysView.as_view(), name="api-workdays"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    *router.urls,
]
