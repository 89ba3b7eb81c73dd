from django.urls import path

from enforcement.views import team as views

urlpatterns = [
    path("enforcement/team/", views.team, name="team"),
]
api_urlpatterns: list = []
