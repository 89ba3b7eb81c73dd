"""/api/v1/centre/: the live board (ETag; If-None-Match with an unchanged board → 304), the one
clock's late list, the map layer, the forecast and 督办. Dispatchers, supervisors and leaders;
the board, late list and map also for a registered wall screen's browser."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from centre.access import IsBoardReader, IsCentre
from centre.models import Press
from centre.selectors import board as board_sel
from centre.selectors import forecast as forecast_sel
from centre.selectors import late as late_sel
from centre.selectors import map as map_sel
from centre.selectors.stamp import change_stamp, map_stamp
from centre.services import press as press_svc
from portal.api_fields import BoundedModelSerializer, BoundedSerializer
from portal.areas import api as areas_api
from portal.errors import ActionError


def _etag(stamp: str) -> str:
    return f'"{stamp}"'


def _matches(request, stamp: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    tags = {t.strip() for t in header.split(",") if t.strip()}
    return _etag(stamp) in tags or f"W/{_etag(stamp)}" in tags or "*" in tags


def _not_modified(stamp: str) -> Response:
    response = Response(status=status.HTTP_304_NOT_MODIFIED)
    response["ETag"] = _etag(stamp)
    response["Cache-Control"] = "private, no-cache"
    return response


class _RenderedJson(Response):
    """A response whose body JSONRenderer rendered before (the same bytes it makes of the data)."""

    def __init__(self, body: bytes):
        super().__init__()
        self.body = body

    @property
    def rendered_content(self):
        self["Content-Type"] = self.content_type or self.accepted_renderer.media_type
        return self.body


def _with_etag(response: Response, stamp: str) -> Response:
    response["ETag"] = _etag(stamp)
    response["Cache-Control"] = "private, no-cache"
    return response


# --- serializers (the schema; the views answer dicts) -----------------------------------------


class LateBySerializer(BoundedSerializer):
    amount = serializers.IntegerField()
    unit = serializers.ChoiceField(choices=["hours", "working_days"])
    text = serializers.CharField()


class LateItemSerializer(BoundedSerializer):
    kind = serializers.ChoiceField(choices=Press.Kind.choices)
    kind_label = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    holder = serializers.CharField()
    due = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["overdue", "warning"])
    late_by = LateBySerializer(allow_null=True)
    url = serializers.CharField()
    phone = serializers.CharField()
    can_press = serializers.BooleanField()


class LateListSerializer(BoundedSerializer):
    now = serializers.DateTimeField()
    count = serializers.IntegerField()
    results = LateItemSerializer(many=True)


class BoardSerializer(BoundedSerializer):
    """Every panel (see docs/centre.md); a panel of an app not yet installed is null."""

    stamp = serializers.CharField()
    generated_at = serializers.DateTimeField()
    duty = serializers.JSONField()
    new_reports = serializers.JSONField()
    incidents = serializers.JSONField()
    work_orders = serializers.JSONField(allow_null=True)
    returned = serializers.JSONField(allow_null=True)
    whistles = serializers.JSONField(allow_null=True)
    callouts = serializers.JSONField()
    cases = serializers.JSONField()
    applications = serializers.JSONField()
    late = serializers.JSONField()
    forecast = serializers.JSONField()


class MapSerializer(BoundedSerializer):
    stamp = serializers.CharField()
    grids = serializers.JSONField()
    pins = serializers.JSONField(help_text="[number, lat, lng, urgency, clock status]")
    clusters = serializers.JSONField(
        help_text="When the open incidents with a place are more than the map draws one by one "
        "(CENTRE_MAP_PINS), the ones not urgent (all of them, when the urgent ones alone are "
        "more) per grid: [grid code, mean lat, mean lng, count, overdue, warning, urgent]; "
        "empty otherwise"
    )
    placed = serializers.IntegerField(help_text="open incidents with a place: pins + clusters")
    squads = serializers.JSONField()
    callouts = serializers.JSONField()


class ForecastSerializer(BoundedSerializer):
    computed_at = serializers.DateTimeField()
    total = serializers.IntegerField()
    items = serializers.JSONField()


class PressRequestSerializer(BoundedSerializer):
    kind = serializers.ChoiceField(choices=Press.Kind.choices)
    number = serializers.CharField(max_length=40)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PressSerializer(BoundedModelSerializer):
    actor = serializers.CharField(source="actor.display_name")

    class Meta:
        model = Press
        fields = ["kind", "number", "holder", "due_at", "note", "actor", "at", "told"]


# --- views -----------------------------------------------------------------------------------

NOT_MODIFIED = OpenApiResponse(description="Unchanged since the ETag sent in If-None-Match.")
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, required=False, description="The ETag you hold."
)


class BoardView(APIView):
    """Every panel's figures. Poll it with ``If-None-Match``: 304 while nothing changed."""

    permission_classes = [IsBoardReader]

    @extend_schema(parameters=[IF_NONE_MATCH], responses={200: BoardSerializer, 304: NOT_MODIFIED})
    def get(self, request):
        now = timezone.now()
        stamp = change_stamp(now)
        if _matches(request, stamp):
            return _not_modified(stamp)
        # Plain JSON (not the browsable API, no indent): the body is rendered once per stamp and
        # kept beside the board (issue 19: the board's JSON encoding and unpickling were most of
        # a poll). A board shown under a previous panel's stamp is never kept, like its data.
        plain = type(request.accepted_renderer) is JSONRenderer and ";" not in (
            request.accepted_media_type or ""
        )
        body_key = f"centre:board-json:{stamp}"
        if plain:
            body = cache.get(body_key)
            if body is not None:
                return _with_etag(_RenderedJson(body), stamp)
        shown, data = board_sel.board(now, stamp=stamp)
        if plain and shown == stamp:
            body = request.accepted_renderer.render(data, request.accepted_media_type, {})
            cache.add(body_key, body, board_sel.CACHE_SECONDS)
            return _with_etag(_RenderedJson(body), stamp)
        return _with_etag(Response(data), shown)


class LateView(APIView):
    """The one clock: applications, incidents, work orders and cases that are late (and, unless
    ``status=overdue``, about to be), most late first."""

    permission_classes = [IsBoardReader]

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, required=False, description="1–200, default 20"),
            OpenApiParameter(
                "status", str, required=False, enum=["overdue"], description="only the late ones"
            ),
            OpenApiParameter(
                "kind",
                str,
                required=False,
                enum=["application", "incident", "work_order", "case"],
            ),
        ],
        responses=LateListSerializer,
    )
    def get(self, request):
        params = request.query_params
        raw = params.get("limit", "20")
        try:
            limit = int(raw)
        except (TypeError, ValueError):
            limit = 0
        if not 1 <= limit <= late_sel.MAX_LIMIT:
            raise ActionError(
                _("limit 须为1到%(n)s之间的整数。") % {"n": late_sel.MAX_LIMIT},
                code="invalid",
                fields={"limit": _("须为1到%(n)s之间的整数。") % {"n": late_sel.MAX_LIMIT}},
            )
        status_ = params.get("status", "")
        if status_ not in ("", "overdue"):
            raise ActionError(
                _("status 只能是 overdue。"), code="invalid", fields={"status": _("无效。")}
            )
        kind = params.get("kind", "")
        if kind and kind not in Press.Kind.values:
            raise ActionError(_("kind 无效。"), code="invalid", fields={"kind": _("无效。")})
        now = timezone.now()
        rows = late_sel.late_list(
            now=now, limit=limit, overdue_only=bool(status_), kinds={kind} if kind else None
        )
        return Response({"now": now, "count": len(rows), "results": [r.as_dict() for r in rows]})


class MapView(APIView):
    """The map's layers over the town's areas (GET /api/v1/areas/): grids by open and late
    incidents, incident pins, squads' last positions during call-outs. ETag like the board."""

    permission_classes = [IsBoardReader]

    @extend_schema(parameters=[IF_NONE_MATCH], responses={200: MapSerializer, 304: NOT_MODIFIED})
    def get(self, request):
        now = timezone.now()
        stamp = map_stamp(now)
        if _matches(request, stamp):
            return _not_modified(stamp)
        return _with_etag(Response(map_sel.layer(now, stamp=stamp)), stamp)


class AreasView(areas_api.AreaCollectionView):
    """The town's areas for the centre's map (GET /api/v1/areas/'s answer, ETag and all), read
    by the centre's people and by a registered wall screen, which has no log-in."""

    permission_classes = [IsBoardReader]

    @extend_schema(operation_id="centre_areas_list", **areas_api.AreaCollectionView.schema_kwargs)
    def get(self, request):
        return super().get(request)


class ForecastView(APIView):
    """Open items that will miss their deadline at the current pace (not red yet)."""

    permission_classes = [IsCentre]

    @extend_schema(responses=ForecastSerializer)
    def get(self, request):
        return Response(forecast_sel.cached(limit=200))


class PressView(APIView):
    """督办: tell the holder of an item on the clock to hurry (not twice within 10 minutes)."""

    permission_classes = [IsCentre]

    @extend_schema(request=PressRequestSerializer, responses={201: PressSerializer})
    def post(self, request):
        data = PressRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = press_svc.press(actor=request.user, **data.validated_data)
        return Response(PressSerializer(row).data, status=status.HTTP_201_CREATED)
