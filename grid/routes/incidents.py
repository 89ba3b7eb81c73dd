"""Incident pages: grid people (phone), residents (phone), supervisors (desktop)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from grid.api import incidents as api
from grid.views import incidents as views
from grid.views import resident

NUMBER = "<str:number>"

urlpatterns = [
    # grid members and heads
    path("grid/incidents/", views.my_grid, name="my-grid"),
    path("grid/incidents/report/", views.report, name="incident-report"),
    path("grid/incidents/board/", views.board, name="incident-board"),
    path(f"grid/incidents/{NUMBER}/", views.incident_detail, name="incident-detail"),
    path(
        f"grid/incidents/{NUMBER}/photos/<int:photo_id>/",
        views.incident_photo,
        name="incident-photo",
    ),
    path(
        f"grid/incidents/{NUMBER}/<slug:action>/",
        views.incident_action,
        name="incident-action",
    ),
    # supervisors (desktop)
    path("grid/supervise/", views.supervise, name="incident-supervise"),
    path("grid/supervise/export.xlsx", views.supervise_export, name="incident-export"),
    # residents
    path("incidents/report/", resident.report, name="resident-report"),
    path("my/incidents/", resident.my_reports, name="my-reports"),
    path(f"my/incidents/{NUMBER}/", resident.my_report, name="my-report"),
    path(f"my/incidents/{NUMBER}/reopen/", resident.reopen, name="my-report-reopen"),
    path(f"my/incidents/{NUMBER}/rate/", resident.rate, name="my-report-rate"),
    path("incidents/rate/<str:token>/", resident.rate_by_link, name="rate"),
]

router = SimpleRouter()
router.register("incidents", api.IncidentViewSet, basename="incident")

# /api/v1/ (grid/api_urls.py collects every area's api_urlpatterns)
api_urlpatterns = [
    path("incidents/categories/", api.CategoryListView.as_view(), name="api-incident-categories"),
    path("incidents/duplicates/", api.DuplicateView.as_view(), name="api-incident-duplicates"),
    path("incidents/hotline/", api.HotlineView.as_view(), name="api-incident-hotline"),
    path(
        "incidents/hotline/<str:external_number>/",
        api.HotlineStatusView.as_view(),
        name="api-incident-hotline-status",
    ),
    *router.urls,
]
