from django.urls import path

from enforcement.views import inspections as views

urlpatterns = [
    path("enforcement/inspections/", views.plans, name="inspections"),
    path("enforcement/inspections/<str:code>/", views.plan_detail, name="inspection"),
]
api_urlpatterns: list = []
