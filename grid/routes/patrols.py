from django.urls import path

from grid.api import patrols as api
from grid.views import patrols as views

urlpatterns = [
    path("grid/patrol/", views.patrol_home, name="patrol-home"),
    path("grid/patrol/start/", views.patrol_start, name="patrol-start"),
    path("grid/patrol/<uuid:public_id>/", views.patrol_detail, name="patrol-detail"),
    path("grid/patrol/<uuid:public_id>/track/", views.patrol_track, name="patrol-track"),
    path("grid/patrol/<uuid:public_id>/findings/", views.patrol_finding, name="patrol-finding"),
    path("grid/patrol/<uuid:public_id>/finish/", views.patrol_finish, name="patrol-finish"),
    path("grid/photos/<int:pk>/", views.finding_photo, name="finding-photo"),
    path("grid/compliance/", views.compliance, name="compliance"),
]

api_urlpatterns = [
    path(
        "patrols/<uuid:public_id>/findings/",
        api.FindingCreateView.as_view(),
        name="api-patrol-findings",
    ),
]
