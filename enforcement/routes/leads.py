from django.urls import path

from enforcement.views import leads as views

urlpatterns = [
    path("enforcement/leads/<str:number>/", views.lead_detail, name="lead"),
]
api_urlpatterns: list = []
