"""The portal's URLs plus the bare Django JSON view (no database, no DRF): the floor against
which a simple API read is compared."""

from django.http import JsonResponse
from django.urls import path

from portal.urls import *  # noqa: F403
from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *portal_urlpatterns]
