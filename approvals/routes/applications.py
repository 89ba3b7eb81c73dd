from django.urls import path
from rest_framework.routers import SimpleRouter

from approvals.api import applications as api

router = SimpleRouter()
router.register("applications", api.ApplicationViewSet, basename="application")

urlpatterns: list = []
api_urlpatterns: list = [
    path("status/", api.StatusLookupView.as_view(), name="api-status-lookup"),
    *router.urls,
]
