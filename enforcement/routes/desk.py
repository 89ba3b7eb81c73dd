from django.urls import path

from enforcement.views import desk as views

urlpatterns = [path("enforcement/desk/", views.desk, name="desk")]
api_urlpatterns: list = []
