from django.urls import path

from grid.views import map as views

urlpatterns = [
    path("grid/map/", views.map_page, name="map"),
    path("grid/map/card/<str:code>/", views.map_card, name="map-card"),
]
