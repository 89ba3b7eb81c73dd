"""The portal's URLs plus the bare Django JSON view (no database, no DRF): the floor against
which a simple API read is compared; and a DRF view that reads nothing, DRF's own floor."""

from django.http import JsonResponse
from django.urls import path
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.urls import *  # noqa: F403
from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return JsonResponse({"status": "ok"})


class DrfConstant(APIView):
    """DRF's own floor: an API view that reads nothing."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    renderer_classes = [JSONRenderer]

    def get(self, request):
        return Response({"status": "ok"})


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/drf/", DrfConstant.as_view(), name="bench-drf"),
    *portal_urlpatterns,
]
