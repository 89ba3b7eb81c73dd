from django.urls import path

from enforcement.views import cases as views

CASE = "enforcement/cases/<str:number>/"

urlpatterns = [
    path(CASE, views.case_detail, name="case"),
    path(CASE + "documents/<int:document_id>/", views.case_document, name="case-document"),
    path(CASE + "evidence/<int:evidence_id>/", views.case_evidence, name="case-evidence"),
    path(
        CASE + "evidence/<int:evidence_id>/original/",
        views.case_evidence,
        {"which": "original"},
        name="case-evidence-original",
    ),
    path(CASE + "<slug:action>/", views.case_action, name="case-action"),
]
api_urlpatterns: list = []
