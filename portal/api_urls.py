from django.urls import path
from rest_framework.routers import DefaultRouter

from portal import api
from portal.areas import api as areas_api

router = DefaultRouter()
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("windows", api.WindowViewSet, basename="window")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("workdays/", api.WorkdaysView.as_view(), name="api-workdays"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("areas/", areas_api.AreaCollectionView.as_view(), name="api-areas"),
    path("areas/locate/", areas_api.LocateView.as_view(), name="api-areas-locate"),
    path("areas/<str:code>/", areas_api.AreaDetailView.as_view(), name="api-area"),
    *router.urls,
]
