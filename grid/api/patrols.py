"""Patrol findings over the API, for the phones' offline outbox (portal/outbox.py): multipart
with the phone's ``client_uuid``; 201 the first time, 200 with the same finding for a resend,
409 for a UUID someone else used, 400 naming the fields (photos included)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from grid.models import Finding, Patrol
from grid.services import patrols as services
from portal import roles
from portal.api_errors import ServiceError
from portal.api_fields import BoundedSerializer

ERROR = inline_serializer(
    "PatrolErrorBody",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)


class FindingCreateSerializer(BoundedSerializer):
    client_uuid = serializers.UUIDField()
    category = serializers.ChoiceField(choices=Finding.Category.choices)
    description = serializers.CharField(max_length=2000)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class FindingCreatedSerializer(BoundedSerializer):
    public_id = serializers.UUIDField()
    number = serializers.CharField()
    message = serializers.CharField()
    page_url = serializers.CharField()
    photos = serializers.IntegerField()


class FindingCreateView(APIView):
    """Record a finding of one's own walking patrol (with photos)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="patrol_findings_create",
        request={"multipart/form-data": FindingCreateSerializer},
        responses={
            200: FindingCreatedSerializer,
            201: FindingCreatedSerializer,
            400: ERROR,
            401: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
        },
    )
    def post(self, request, public_id):
        if not request.user.has_role(roles.GRID_MEMBER, roles.GRID_HEAD):
            raise ServiceError(
                _("只有网格员和网格长可以巡查。"), code="not_allowed", status_code=403
            )
        patrol = get_object_or_404(Patrol, public_id=public_id, member=request.user)
        data = request.data
        serializer = FindingCreateSerializer(
            data={
                "client_uuid": data.get("client_uuid"),
                "category": data.get("category"),
                "description": data.get("description"),
                "lat": data.get("lat") or None,
                "lng": data.get("lng") or None,
            }
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        finding, created = services.finding_add(
            member=request.user,
            patrol=patrol,
            public_id=values["client_uuid"],
            category=values["category"],
            description=values["description"],
            lat=values.get("lat"),
            lng=values.get("lng"),
            photos=request.FILES.getlist("photos"),
        )
        body = {
            "public_id": finding.public_id,
            "number": str(finding.public_id)[:8],
            "message": _("已记录发现。") if created else _("这条发现已经记录过。"),
            "page_url": reverse("grid:patrol-detail", args=[finding.patrol.public_id]),
            "photos": finding.photos.count(),
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
