from django.urls import path

from enforcement.views import field as views

urlpatterns = [
    path("enforcement/m/", views.home, name="field"),
    path("enforcement/m/leads/new/", views.lead_new, name="field-lead-new"),
    path("enforcement/m/spot/", views.spot, name="spot"),
    path("enforcement/m/spot/<str:number>/", views.spot_done, name="spot-done"),
    path("enforcement/m/cases/<str:number>/record/", views.record, name="field-record"),
]
api_urlpatterns: list = []
