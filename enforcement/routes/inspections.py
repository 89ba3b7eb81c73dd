from django.urls import path

from enforcement.views import inspections as views

urlpatterns = [
    path("enforcement/inspections/", views.plans, name="inspections"),
]
api_urlpatterns: list = []
