"""/api/v1/enforcement/…"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from enforcement.api import views as api

router = SimpleRouter()
router.register("enforcement/leads", api.LeadViewSet, basename="api-enforcement-lead")
router.register("enforcement/cases", api.CaseViewSet, basename="api-enforcement-case")

urlpatterns: list = []
api_urlpatterns = [
    path(
        "enforcement/simplified/", api.SimplifiedView.as_view(), name="api-enforcement-simplified"
    ),
    path(
        "enforcement/deadlines/",
        api.DeadlineCalculatorView.as_view(),
        name="api-enforcement-deadlines",
    ),
    path(
        "enforcement/late-fee/",
        api.LateFeeCalculatorView.as_view(),
        name="api-enforcement-late-fee",
    ),
    path("enforcement/squads/", api.SquadList.as_view(), name="api-enforcement-squads"),
    path("enforcement/officers/", api.OfficerList.as_view(), name="api-enforcement-officers"),
    path("enforcement/duty/", api.DutyList.as_view(), name="api-enforcement-duty"),
    path("enforcement/board/", api.BoardView.as_view(), name="api-enforcement-board"),
    *router.urls,
]
