from django.urls import path

from enforcement.views import publicity as views

urlpatterns = [
    path("enforcement/publicity/", views.publicity, name="publicity"),
    path("enforcement/public/<uuid:public_id>/", views.public_case, name="public-case"),
    path("enforcement/d/<uuid:token>/", views.party_document, name="party-document"),
]
api_urlpatterns: list = []
