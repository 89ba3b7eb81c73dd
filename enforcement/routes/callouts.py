"""Call-outs (出动): the officer's phone pages and /api/v1/enforcement/callouts/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from enforcement.api.callouts import CallOutViewSet
from enforcement.views import callouts as views

urlpatterns = [
    path("enforcement/m/callouts/", views.callouts, name="callouts"),
    path("enforcement/m/callouts/<str:number>/", views.callout, name="callout"),
]

router = SimpleRouter()
router.register("enforcement/callouts", CallOutViewSet, basename="api-enforcement-callout")
api_urlpatterns = [*router.urls]
