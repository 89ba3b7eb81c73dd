"""The supervisors' dashboards, their drill-down list and export; the public per-matter figures."""

from django.urls import path

from approvals.api import dashboard as api
from approvals.views import dashboard as views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/quality/", views.dashboard_quality, name="dashboard-quality"),
    path("dashboard/applications/", views.dashboard_list, name="dashboard-list"),
    path("dashboard/export/", views.dashboard_export, name="dashboard-export"),
    path("matters/<str:code>/performance/", views.matter_performance, name="matter-performance"),
]

api_urlpatterns = [
    path("dashboard/time-limits/", api.TimeLimitsView.as_view(), name="api-dashboard-time-limits"),
    path(
        "dashboard/service-quality/",
        api.ServiceQualityView.as_view(),
        name="api-dashboard-service-quality",
    ),
    path(
        "dashboard/applications/",
        api.DrilldownView.as_view(),
        name="api-dashboard-applications",
    ),
    path(
        "matters/<str:code>/performance/",
        api.MatterPerformanceView.as_view(),
        name="api-matter-performance",
    ),
]
