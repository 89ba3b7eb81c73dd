"""Evaluation (好差评) and rectification (差评整改): pages and API."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from approvals.api import evaluations as api
from approvals.views import evaluations as views

urlpatterns = [
    path("applications/<str:reference>/evaluate/", views.evaluate, name="evaluate"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification-detail"),
    path(
        "rectifications/<int:pk>/callbacks/",
        views.rectification_callback,
        name="rectification-callback",
    ),
    path("rectifications/<int:pk>/save/", views.rectification_save, name="rectification-save"),
]

router = SimpleRouter()
router.register("evaluations", api.EvaluationViewSet, basename="evaluation")
router.register("rectifications", api.RectificationViewSet, basename="rectification")

api_urlpatterns: list = [*router.urls]
