"""The map over the API: every area in force as GeoJSON (cached until the map changes), one
area, and the point lookup."""

from __future__ import annotations

import json
import math
from datetime import date

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_errors import ServiceError
from portal.api_fields import BoundedSerializer
from portal.areas import locate
from portal.areas import selectors as sel
from portal.models import Area, AreaKind

JSON = "application/json"


class AreaRefSerializer(BoundedSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AreaLocationSerializer(BoundedSerializer):
    village = AreaRefSerializer(allow_null=True)
    grid = AreaRefSerializer(allow_null=True)
    micro_grid = AreaRefSerializer(allow_null=True)
    special_grids = AreaRefSerializer(many=True)


ERROR = inline_serializer(
    "AreaErrorBody",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)

_PROPERTIES = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": [k for k in AreaKind.values if k != "town"]},
        "special_kind": {"type": "string"},
        "parent": {"type": "string", "nullable": True},
        "village": {"type": "string", "nullable": True},
        "households": {"type": "integer"},
        "residents": {"type": "integer"},
        "enterprises": {"type": "integer"},
        "active_from": {"type": "string", "format": "date"},
        "active_to": {"type": "string", "format": "date", "nullable": True},
        "label": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    },
    "required": ["code", "name", "kind", "parent", "village", "label"],
}
FEATURE = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
                "coordinates": {"type": "array", "items": {}},
            },
            "required": ["type", "coordinates"],
        },
        "properties": _PROPERTIES,
    },
    "required": ["type", "geometry", "properties"],
}
FEATURE_COLLECTION = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": FEATURE},
    },
    "required": ["type", "features"],
}


def _invalid(field: str, message: str) -> ServiceError:
    return ServiceError(message, code="invalid", fields={field: [message]})


def _on(request) -> date | None:
    raw = request.query_params.get("on")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _invalid("on", _("日期格式应为 YYYY-MM-DD。")) from None


def _json(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type=JSON)


def _conditional(request, found: sel.MapJSON) -> HttpResponse:
    """304 when the client already has this version of the map (If-None-Match), else the body
    — gzipped when the client accepts it. The client revalidates every time (no-cache), so a
    change to the map is seen on the next load."""
    tags = {
        t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")
    }
    if found.etag in tags or "*" in tags:
        response = HttpResponse(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", "").lower():
        response = HttpResponse(found.gzipped, content_type=JSON)
        response["Content-Encoding"] = "gzip"
    else:
        response = _json(found.body)
    response["ETag"] = found.etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


class AreaCollectionView(APIView):
    """Every area in force as a GeoJSON FeatureCollection, for the map: built once per change to
    the map (boundaries simplified for drawing), gzipped, with an ETag (If-None-Match → 304)."""

    # Also the schema of the centre's copy for wall screens (centre.api.views.AreasView).
    schema_kwargs = {
        "parameters": [
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                description="comma-separated kinds: village, community, grid, micro_grid, special_grid",
            ),
            OpenApiParameter(
                "village", OpenApiTypes.STR, description="a village's code: it and below"
            ),
            OpenApiParameter(
                "on", OpenApiTypes.DATE, description="in force on this day (default today)"
            ),
        ],
        "responses": {200: FEATURE_COLLECTION, 304: None, 400: ERROR, 401: ERROR, 403: ERROR},
    }

    @extend_schema(operation_id="areas_list", **schema_kwargs)
    def get(self, request):
        kinds = sel.MAP_KINDS
        raw = request.query_params.get("kind")
        if raw:
            kinds = tuple(k.strip() for k in raw.split(",") if k.strip())
            if not kinds or any(k not in sel.MAP_KINDS for k in kinds):
                raise _invalid(
                    "kind", _("类别应为 village、community、grid、micro_grid、special_grid。")
                )
        village = None
        code = request.query_params.get("village")
        if code:
            village = Area.objects.villages().filter(code=code).first()
            if village is None:
                raise _invalid("village", _("没有该村（社区）编码。"))
        found = sel.map_json(on=_on(request), kinds=kinds, village=village)
        return _conditional(request, found)


class AreaDetailView(APIView):
    """One area (in force or not) as a GeoJSON Feature."""

    @extend_schema(
        operation_id="areas_retrieve", responses={200: FEATURE, 401: ERROR, 403: ERROR, 404: ERROR}
    )
    def get(self, request, code):
        area = Area.objects.filter(code=code).exclude(kind=AreaKind.TOWN).first()
        if area is None:
            raise NotFound(_("没有该区域。"))
        codes = {}
        for pk in (area.parent_id, area.village_id):
            if pk:
                codes[pk] = Area.objects.filter(pk=pk).values_list("code", flat=True).first()
        row = {
            f: getattr(area, f)
            for f in (
                "code",
                "name",
                "kind",
                "special_kind",
                "households",
                "residents",
                "enterprises",
                "active_from",
                "active_to",
                "boundary",
            )
        }
        row["parent_id"], row["village_id"] = area.parent_id, area.village_id
        feature = sel._feature(row, codes)
        return _json(json.dumps(feature, ensure_ascii=False).encode())


def _coordinate(request, name: str, limit: float) -> float:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        raise _invalid(name, _("请提供 %(name)s。") % {"name": name})
    try:
        value = float(raw)
    except ValueError:
        raise _invalid(name, _("%(name)s 应为数字。") % {"name": name}) from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise _invalid(
            name,
            _("%(name)s 应在 -%(limit)s 到 %(limit)s 之间。") % {"name": name, "limit": int(limit)},
        )
    return value


class LocateView(APIView):
    """Which village, grid, micro-grid and special grids contain a WGS-84 point; 404 outside the
    town."""

    @extend_schema(
        operation_id="areas_locate",
        parameters=[
            OpenApiParameter(
                "lat", OpenApiTypes.DOUBLE, required=True, description="WGS-84 latitude"
            ),
            OpenApiParameter(
                "lng", OpenApiTypes.DOUBLE, required=True, description="WGS-84 longitude"
            ),
            OpenApiParameter("on", OpenApiTypes.DATE, description="areas in force on this day"),
        ],
        responses={200: AreaLocationSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def get(self, request):
        lat = _coordinate(request, "lat", 90)
        lng = _coordinate(request, "lng", 180)
        where = locate(lat, lng, on=_on(request))
        if where is None:
            raise ServiceError(_("该位置不在本镇范围内。"), code="outside_town", status_code=404)
        return Response(where.as_dict())
