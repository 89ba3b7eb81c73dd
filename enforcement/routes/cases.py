from django.urls import path

from enforcement.views import cases as views

urlpatterns = [
    path("enforcement/cases/<str:number>/", views.case_detail, name="case"),
]
api_urlpatterns: list = []
