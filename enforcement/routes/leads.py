from django.urls import path

from enforcement.views import leads as views

LEAD = "enforcement/leads/<str:number>/"

urlpatterns = [
    path(LEAD, views.lead_detail, name="lead"),
    path(LEAD + "photos/<int:photo_id>/", views.lead_photo, name="lead-photo"),
    path(LEAD + "documents/<int:document_id>/", views.lead_document, name="lead-document"),
    path(LEAD + "<slug:action>/", views.lead_action, name="lead-action"),
]
api_urlpatterns: list = []
