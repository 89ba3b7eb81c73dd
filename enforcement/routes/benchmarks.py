from django.urls import path

from enforcement.views import benchmarks as views

urlpatterns = [
    path("enforcement/benchmarks/", views.benchmarks, name="benchmarks"),
    path("enforcement/benchmarks/export/", views.benchmarks_export, name="benchmarks-export"),
    path("enforcement/benchmarks/<str:code>/", views.benchmark_public, name="benchmark-public"),
]
api_urlpatterns: list = []
