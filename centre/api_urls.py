"""/api/v1/centre/…"""

from django.urls import path

from centre.api import views as api

urlpatterns = [
    path("centre/board/", api.BoardView.as_view(), name="api-centre-board"),
    path("centre/late/", api.LateView.as_view(), name="api-centre-late"),
    path("centre/map/", api.MapView.as_view(), name="api-centre-map"),
    path("centre/areas/", api.AreasView.as_view(), name="api-centre-areas"),
    path("centre/forecast/", api.ForecastView.as_view(), name="api-centre-forecast"),
    path("centre/press/", api.PressView.as_view(), name="api-centre-press"),
]
