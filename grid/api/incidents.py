"""/api/v1/incidents/: thin DRF views over grid.services.incidents and grid.selectors.

Transitions are POST actions on ``/api/v1/incidents/{number}/<action>/``. A transition not
allowed in the current state answers 400 (``invalid_transition``), one the caller's role or
grid may not do 403, one that lost a race 409; incidents outside the caller's scope are 404.

Interfaces other systems rely on (kept exactly):
- ``POST /api/v1/incidents/`` with ``client_uuid``, ``category``, ``description``, ``lat``,
  ``lng`` (WGS-84), optional ``photos``: 201 with ``number``; the same ``client_uuid`` again →
  200 with the same ``number`` (``created: false``), nothing new written.
- ``POST /api/v1/incidents/hotline/`` (the hotline's system token): the same
  ``external_number`` twice → one incident (201, then 200).
- ``GET /api/v1/incidents/duplicates/?category=&lat=&lng=`` → nearest first, ``distance_m``.
- ``GET /api/v1/incidents/categories/`` → the leaves in force with their limits.
- ``GET /api/v1/incidents/{number}/`` → ``state``, ``outcome``, ``grid``, ``deadline``,
  ``clock_status`` among the rest."""

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from grid.models import Incident, IncidentExtension, IncidentPhoto
from grid.models.incidents import (
    LocationSource,
    Outcome,
    Source,
    State,
    VoidReason,
)
from grid.selectors import categories as category_sel
from grid.selectors import incident_scope as scope
from grid.selectors import incidents as sel
from grid.services import incidents as svc
from portal import photos, roles
from portal.api_fields import BoundedJSONParser, BoundedSerializer, DisplayField
from portal.errors import ActionError, NotFound
from portal.models import User
from portal.planner import joins_as_written

NUMBER_REGEX = r"SJ\d{13}"


class IncidentErrorSerializer(BoundedSerializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


ERR = OpenApiResponse(IncidentErrorSerializer)
READ_ERRORS = {401: ERR, 403: ERR, 404: ERR}
ACTION_ERRORS = {400: ERR, 401: ERR, 403: ERR, 404: ERR, 409: ERR}


# --- serializers -----------------------------------------------------------------------------


class IncidentLimitsSerializer(BoundedSerializer):
    unit = serializers.ChoiceField(choices=["hours", "working_days"])
    verify = serializers.IntegerField()
    accept = serializers.IntegerField()
    handle = serializers.IntegerField()
    max_handle = serializers.IntegerField()


class IncidentCategorySerializer(BoundedSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    branch = serializers.CharField(source="branch.code")
    branch_name = serializers.CharField(source="branch.name")
    network = serializers.CharField(source="branch.network")
    version = serializers.IntegerField()
    urgency = serializers.CharField()
    limits = serializers.SerializerMethodField()
    grid_may_handle = serializers.BooleanField()
    possible_violation = serializers.BooleanField()
    matter_code = serializers.CharField()
    duplicate_radius_m = serializers.IntegerField()
    duplicate_days = serializers.IntegerField()

    def get_limits(self, obj) -> IncidentLimitsSerializer:
        return obj.limits_dict()


class IncidentListSerializer(BoundedSerializer):
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = DisplayField(source="get_state_display")
    outcome = serializers.CharField()
    source = serializers.CharField()
    category = serializers.CharField(source="category_code")
    category_name = serializers.CharField(source="category.name")
    urgency = serializers.CharField()
    description = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    grid = serializers.SerializerMethodField()
    reported_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(source="due_at", allow_null=True)
    clock_status = serializers.CharField()

    def get_grid(self, obj) -> str | None:
        return obj.grid.code if obj.grid_id else None


class IncidentStepSerializer(BoundedSerializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label")
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()


class IncidentPhotoSerializer(BoundedSerializer):
    id = serializers.IntegerField(source="photo_id")
    stage = serializers.CharField()
    sha256 = serializers.CharField(source="photo.sha256")
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return f"/api/v1/incidents/{obj.incident.number}/photos/{obj.photo_id}/"


class IncidentExtensionSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    amount = serializers.IntegerField()
    reason = serializers.CharField()
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class IncidentDetailSerializer(IncidentListSerializer):
    category_version = serializers.IntegerField(source="category.version")
    limits = serializers.SerializerMethodField()
    address = serializers.CharField()
    village = serializers.SerializerMethodField()
    micro_grid = serializers.SerializerMethodField()
    step = serializers.CharField()
    warn_at = serializers.DateTimeField(allow_null=True)
    handle_due_at = serializers.DateTimeField(allow_null=True)
    external_number = serializers.CharField()
    external_due_at = serializers.DateTimeField(allow_null=True)
    outcome_label = DisplayField(source="get_outcome_display")
    outcome_reason = serializers.CharField()
    void_reason = serializers.CharField()
    duplicate_of = serializers.SerializerMethodField()
    handler = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()
    anonymous = serializers.BooleanField()
    extension = serializers.IntegerField()
    reopen_count = serializers.IntegerField()
    on_time = serializers.BooleanField(allow_null=True)
    handling_score = serializers.IntegerField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    followers = serializers.SerializerMethodField()
    photos = IncidentPhotoSerializer(many=True)
    history = IncidentStepSerializer(many=True)
    extensions = IncidentExtensionSerializer(many=True)
    page_url = serializers.SerializerMethodField()

    def get_page_url(self, obj) -> str:
        return sel.page_url(self.context["request"].user, obj)

    def get_limits(self, obj) -> IncidentLimitsSerializer:
        return obj.category.limits_dict()

    def get_village(self, obj) -> str | None:
        return obj.village.code if obj.village_id else None

    def get_micro_grid(self, obj) -> str | None:
        return obj.micro_grid.code if obj.micro_grid_id else None

    def get_duplicate_of(self, obj) -> str | None:
        return obj.duplicate_of.number if obj.duplicate_of_id else None

    def get_handler(self, obj) -> str | None:
        return obj.handler.display_name if obj.handler_id else None

    def get_reporter(self, obj) -> str | None:
        """The reporter's name: hidden when anonymous (except for supervisors), a resident's
        or caller's name only for staff, and every time it is shown, audited."""
        viewer = self.context["request"].user
        if obj.source in (Source.GRID_MEMBER, Source.PATROL):
            return obj.reporter.display_name if obj.reporter_id else None
        if obj.reporter_id == viewer.pk:
            return viewer.display_name
        if obj.anonymous and not scope.sees_reporter(viewer):
            return None
        if not (scope.is_centre(viewer) or scope.is_in_grid(viewer, obj.grid_id)):
            return None
        name = obj.reporter.display_name if obj.reporter_id else obj.reporter_name
        if name:
            svc.record_reporter_view(actor=viewer, incident=obj)
        return name or None

    def get_followers(self, obj) -> int:
        return len(obj.followers.all())


class IncidentCreateSerializer(BoundedSerializer):
    client_uuid = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="made on the phone before the first try: a resend returns the same incident",
    )
    category = serializers.CharField(max_length=16, help_text="leaf code")
    description = serializers.CharField(max_length=2000)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False, help_text="residents only")
    location_source = serializers.ChoiceField(
        choices=[LocationSource.GPS, LocationSource.MAP], required=False, default="gps"
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=9, help_text="1 to 9 photos"
    )


class IncidentCreatedSerializer(IncidentListSerializer):
    """The answer to a report: the incident's summary (GET …/{number}/ for the whole of it)."""

    client_uuid = serializers.UUIDField(allow_null=True)
    step = serializers.CharField()
    page_url = serializers.SerializerMethodField()
    created = serializers.BooleanField(
        help_text="false when this client_uuid (or hotline number) was already received"
    )
    message = serializers.CharField()

    def get_page_url(self, obj) -> str:
        return sel.page_url(self.context["request"].user, obj)


class HotlineSerializer(BoundedSerializer):
    external_number = serializers.CharField(max_length=64)
    category = serializers.CharField(max_length=16)
    description = serializers.CharField(max_length=2000)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    village = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="village code, without a point"
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    caller_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    caller_mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)


class HotlineStatusSerializer(BoundedSerializer):
    external_number = serializers.CharField()
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    outcome_reason = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    clock_status = serializers.CharField()
    rating_url = serializers.CharField(allow_null=True)


class IncidentDuplicateSerializer(BoundedSerializer):
    number = serializers.CharField()
    distance_m = serializers.IntegerField()
    description = serializers.CharField()
    address = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    reported_at = serializers.DateTimeField()
    followers = serializers.IntegerField()


class IncidentNoteSerializer(BoundedSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class IncidentPhotosNoteSerializer(IncidentNoteSerializer):
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)


class IncidentAcceptSerializer(IncidentNoteSerializer):
    handler = serializers.CharField(
        required=False, allow_blank=True, help_text="user name: handle in the grid at once"
    )


class IncidentVoidSerializer(IncidentNoteSerializer):
    reason = serializers.ChoiceField(choices=VoidReason.choices)
    duplicate_of = serializers.RegexField(NUMBER_REGEX, required=False, allow_blank=True)


class IncidentHandlerSerializer(IncidentNoteSerializer):
    handler = serializers.CharField(required=False, allow_blank=True, help_text="user name")


class IncidentResultSerializer(BoundedSerializer):
    note = serializers.CharField(max_length=2000)
    photos = serializers.ListField(child=serializers.FileField(), max_length=9)


class IncidentCloseSerializer(IncidentNoteSerializer):
    outcome = serializers.ChoiceField(choices=[c for c in Outcome.choices if c[0] != "duplicate"])
    outcome_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)


class IncidentReasonSerializer(BoundedSerializer):
    reason = serializers.CharField(max_length=2000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)


class IncidentHoldSerializer(BoundedSerializer):
    reason = serializers.CharField(max_length=2000)
    review_on = serializers.DateField()


class IncidentExtensionRequestSerializer(BoundedSerializer):
    amount = serializers.IntegerField(min_value=1, max_value=720)
    reason = serializers.CharField(max_length=2000)


class IncidentExtensionDecisionSerializer(IncidentNoteSerializer):
    approve = serializers.BooleanField()


class IncidentMergeSerializer(IncidentNoteSerializer):
    into = serializers.RegexField(NUMBER_REGEX)


class IncidentRelocateSerializer(IncidentNoteSerializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


class IncidentJoinSerializer(IncidentNoteSerializer):
    client_uuid = serializers.UUIDField(required=False, allow_null=True)


class IncidentRateSerializer(BoundedSerializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class IncidentFollowerSerializer(BoundedSerializer):
    number = serializers.CharField()
    created = serializers.BooleanField()


# --- helpers ---------------------------------------------------------------------------------


def _body(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _files(request) -> list:
    return request.FILES.getlist("photos") if hasattr(request, "FILES") else []


def _user_named(username: str, field: str = "handler"):
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ActionError(
            _("没有该用户。"), code="user_not_found", fields={field: _("没有该用户。")}
        )
    return user


def _visible_number(user, number: str) -> Incident:
    incident = sel.one_visible(user, number)
    if incident is None:
        raise NotFound(_("事件不存在。"))
    return incident


def _source_for(user) -> str:
    if user.has_role(roles.GRID_MEMBER, roles.GRID_HEAD):
        return Source.GRID_MEMBER
    if user.has_role(roles.CITIZEN):
        return Source.RESIDENT
    return Source.GRID_MEMBER


def detail_data(incident: Incident, request) -> dict:
    fresh = sel.get_visible(request.user, incident.number) or incident
    fresh.clock_status = fresh.clock_status(timezone.now())
    return IncidentDetailSerializer(fresh, context={"request": request}).data


def _detail_any(incident: Incident, request) -> dict:
    """Detail for someone who may no longer see it after acting (a hotline account)."""
    fresh = (
        Incident.objects.select_related(
            "category", "category__branch", "grid", "village", "micro_grid", "reporter", "handler"
        )
        .defer("grid__boundary", "village__boundary", "micro_grid__boundary")
        .prefetch_related("photos__photo", "history", "followers", "extensions")
        .get(pk=incident.pk)
    )
    fresh.clock_status = fresh.clock_status(timezone.now())
    return IncidentDetailSerializer(fresh, context={"request": request}).data


# --- views -----------------------------------------------------------------------------------

MULTI = [parsers.MultiPartParser, parsers.FormParser, BoundedJSONParser]


@extend_schema(tags=["incidents"])
class IncidentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Incidents in the caller's scope (grid people: their grids; the centre: all; residents:
    their own reports and those they follow)."""

    lookup_field = "number"
    lookup_value_regex = NUMBER_REGEX
    serializer_class = IncidentListSerializer
    parser_classes = MULTI

    def get_queryset(self):
        params = self.request.query_params
        filters = sel.Filters(
            category=params.get("category", "")[:16],
            state=params.get("state", "")[:16],
            clock=params.get("clock_status", "")[:16],
            outcome=params.get("outcome", "")[:20],
            source=params.get("source", "")[:16],
        )
        # Only what IncidentListSerializer shows (issue 19): search() joins the category's
        # branch, the village and the handler too, every column of each, for the pages.
        return (
            sel.search(self.request.user, filters)
            .select_related(None)
            .select_related("category", "grid")
            .only(*sel.LIST_COLUMNS, *sel.RELATED_COLUMNS)
            .order_by("-reported_at", "-id")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, description="leaf or branch code"),
            OpenApiParameter("state", str, description="a state, or 'open'"),
            OpenApiParameter("clock_status", str),
            OpenApiParameter("outcome", str),
            OpenApiParameter("source", str),
        ],
        responses={200: IncidentListSerializer(many=True), 401: ERR},
    )
    @joins_as_written()
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request={
            "multipart/form-data": IncidentCreateSerializer,
            "application/json": IncidentCreateSerializer,
        },
        responses={201: IncidentCreatedSerializer, 200: IncidentCreatedSerializer, **ACTION_ERRORS},
        description="Report an incident (grid member: 采集上报; resident: 随手拍). Idempotent on "
        "client_uuid: a resend answers 200 with the incident made the first time.",
    )
    def create(self, request):
        data = _body(IncidentCreateSerializer, request)
        result = svc.incident_report(
            actor=request.user,
            source=_source_for(request.user),
            category_code=data["category"],
            description=data["description"],
            lat=data["lat"],
            lng=data["lng"],
            address=data.get("address", ""),
            location_source=data.get("location_source", LocationSource.GPS),
            anonymous=data.get("anonymous", False),
            client_uuid=data.get("client_uuid"),
            photo_files=_files(request),
        )
        incident = (
            Incident.objects.select_related("category", "grid")
            .only(*sel.LIST_COLUMNS, *sel.RELATED_COLUMNS, "client_uuid", "step")
            .get(pk=result.incident.pk)
        )
        incident.clock_status = incident.clock_status(timezone.now())
        incident.created = result.created
        incident.message = (
            _("已上报，事件编号 %(number)s。")
            if result.created
            else _("这条上报已经收到过（事件编号 %(number)s），没有重复登记。")
        ) % {"number": incident.number}
        body = IncidentCreatedSerializer(incident, context={"request": request}).data
        return Response(body, status=201 if result.created else 200)

    @extend_schema(responses={200: IncidentDetailSerializer, **READ_ERRORS})
    @joins_as_written()
    def retrieve(self, request, number=None):
        incident = sel.get_visible(request.user, number)
        if incident is None:
            raise NotFound(_("事件不存在。"))
        incident.clock_status = incident.clock_status(timezone.now())
        return Response(IncidentDetailSerializer(incident, context={"request": request}).data)

    def _act(self, request, number, service, **kwargs):
        incident = _visible_number(request.user, number)
        service(actor=request.user, incident=incident, **kwargs)
        return Response(detail_data(incident, request))

    @extend_schema(
        request=IncidentPhotosNoteSerializer,
        responses={200: IncidentDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, number=None):
        data = _body(IncidentPhotosNoteSerializer, request)
        return self._act(
            request, number, svc.incident_verify, note=data["note"], photo_files=_files(request)
        )

    @extend_schema(
        request=IncidentAcceptSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, number=None):
        data = _body(IncidentAcceptSerializer, request)
        handler = _user_named(data.get("handler", ""))
        return self._act(request, number, svc.incident_accept, note=data["note"], handler=handler)

    @extend_schema(
        request=IncidentVoidSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def void(self, request, number=None):
        data = _body(IncidentVoidSerializer, request)
        original = None
        if data.get("duplicate_of"):
            original = sel.visible(request.user).filter(number=data["duplicate_of"]).first()
            if original is None:
                raise ActionError(
                    _("没有编号为 %(number)s 的事件。") % {"number": data["duplicate_of"]},
                    code="invalid_duplicate",
                    fields={"duplicate_of": _("事件不存在。")},
                )
        return self._act(
            request,
            number,
            svc.incident_void,
            reason=data["reason"],
            note=data["note"],
            duplicate_of=original,
        )

    @extend_schema(
        request=IncidentHandlerSerializer,
        responses={200: IncidentDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="start-handling")
    def start_handling(self, request, number=None):
        data = _body(IncidentHandlerSerializer, request)
        return self._act(
            request,
            number,
            svc.incident_start_handling,
            handler=_user_named(data.get("handler", "")),
        )

    @extend_schema(
        request=IncidentHandlerSerializer,
        responses={200: IncidentDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, number=None):
        data = _body(IncidentHandlerSerializer, request)
        handler = _user_named(data.get("handler", ""))
        if handler is None:
            raise ActionError(
                _("请选择处置人。"), code="invalid", fields={"handler": _("请选择处置人。")}
            )
        return self._act(request, number, svc.incident_reassign, handler=handler, note=data["note"])

    @extend_schema(
        request=IncidentResultSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="report-result")
    def report_result(self, request, number=None):
        data = _body(IncidentResultSerializer, request)
        return self._act(
            request,
            number,
            svc.incident_report_result,
            note=data["note"],
            photo_files=_files(request),
        )

    @extend_schema(
        request=IncidentCloseSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, number=None):
        data = _body(IncidentCloseSerializer, request)
        return self._act(
            request,
            number,
            svc.incident_close,
            outcome=data["outcome"],
            outcome_reason=data["outcome_reason"],
            note=data["note"],
            photo_files=_files(request),
        )

    @extend_schema(
        request=IncidentReasonSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, number=None):
        data = _body(IncidentReasonSerializer, request)
        return self._act(
            request,
            number,
            svc.incident_send_back,
            reason=data["reason"],
            photo_files=_files(request),
        )

    @extend_schema(
        request=IncidentReasonSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, number=None):
        data = _body(IncidentReasonSerializer, request)
        return self._act(
            request, number, svc.incident_reopen, reason=data["reason"], photo_files=_files(request)
        )

    @extend_schema(
        request=IncidentHoldSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def hold(self, request, number=None):
        data = _body(IncidentHoldSerializer, request)
        return self._act(
            request, number, svc.incident_hold, reason=data["reason"], review_on=data["review_on"]
        )

    @extend_schema(
        request=IncidentNoteSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, number=None):
        data = _body(IncidentNoteSerializer, request)
        return self._act(request, number, svc.incident_resume, note=data["note"])

    @extend_schema(
        request=IncidentExtensionRequestSerializer,
        responses={200: IncidentDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, number=None):
        data = _body(IncidentExtensionRequestSerializer, request)
        return self._act(
            request, number, svc.extension_request, amount=data["amount"], reason=data["reason"]
        )

    @extend_schema(
        request=IncidentExtensionDecisionSerializer,
        responses={200: IncidentDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="decide-extension")
    def decide_extension(self, request, number=None):
        data = _body(IncidentExtensionDecisionSerializer, request)
        incident = _visible_number(request.user, number)
        pending = incident.extensions.filter(status=IncidentExtension.Status.PENDING).first()
        if pending is None:
            raise ActionError(_("没有待审批的延期申请。"), code="no_pending_extension")
        svc.extension_decide(
            actor=request.user, extension=pending, approve=data["approve"], note=data["note"]
        )
        return Response(detail_data(incident, request))

    @extend_schema(
        request=IncidentMergeSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, number=None):
        data = _body(IncidentMergeSerializer, request)
        into = sel.visible(request.user).filter(number=data["into"]).first()
        if into is None:
            raise ActionError(
                _("没有编号为 %(number)s 的事件。") % {"number": data["into"]},
                code="invalid_duplicate",
                fields={"into": _("事件不存在。")},
            )
        return self._act(request, number, svc.incident_merge, into=into, note=data["note"])

    @extend_schema(
        request=IncidentRelocateSerializer,
        responses={200: IncidentDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def relocate(self, request, number=None):
        data = _body(IncidentRelocateSerializer, request)
        return self._act(
            request,
            number,
            svc.incident_relocate,
            lat=data["lat"],
            lng=data["lng"],
            note=data["note"],
        )

    @extend_schema(
        request=IncidentJoinSerializer,
        responses={
            200: IncidentFollowerSerializer,
            201: IncidentFollowerSerializer,
            **ACTION_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def join(self, request, number=None):
        """ "Is it one of these?" — yes: follow this open incident instead of reporting it
        again. Any signed-in reporter may join an open incident the duplicate suggestion
        showed them."""
        data = _body(IncidentJoinSerializer, request)
        incident = Incident.objects.filter(number=number).first()
        if incident is None or not incident.is_open:
            raise NotFound(_("事件不存在或已办结。"))
        if not request.user.has_role(roles.CITIZEN, roles.GRID_MEMBER, roles.GRID_HEAD):
            raise NotFound(_("事件不存在或已办结。"))
        _follower, created = svc.incident_join(
            actor=request.user,
            incident=incident,
            client_uuid=data.get("client_uuid"),
            note=data["note"],
        )
        return Response(
            {"number": incident.number, "created": created}, status=201 if created else 200
        )

    @extend_schema(
        request=IncidentRateSerializer, responses={200: IncidentDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def rate(self, request, number=None):
        data = _body(IncidentRateSerializer, request)
        incident = _visible_number(request.user, number)
        svc.incident_rate(
            incident=incident,
            actor=request.user,
            score=data["score"],
            comment=data["comment"],
            rater="reporter" if incident.reporter_id == request.user.pk else "follower",
        )
        return Response(detail_data(incident, request))

    @extend_schema(
        parameters=[OpenApiParameter("original", bool, description="the original (evidence)")],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>\d+)")
    def photo(self, request, number=None, photo_id=None):
        incident = _visible_number(request.user, number)
        link = (
            IncidentPhoto.objects.filter(incident=incident, photo_id=photo_id)
            .select_related("photo")
            .first()
        )
        if link is None:
            raise NotFound(_("照片不存在。"))
        if request.query_params.get("original") in ("1", "true"):
            if not (
                scope.is_centre(request.user) or scope.is_in_grid(request.user, incident.grid_id)
            ):
                raise NotFound(_("照片不存在。"))
            return photos.original_response(link.photo, actor=request.user, obj=incident)
        return photos.thumbnail_response(link.photo, actor=request.user, obj=incident)


@extend_schema(tags=["incidents"])
class CategoryListView(APIView):
    """The leaves of the category catalogue in force, with their limits."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: IncidentCategorySerializer(many=True), 401: ERR})
    def get(self, request):
        return Response(IncidentCategorySerializer(category_sel.in_force(), many=True).data)


def _float_param(request, name: str) -> float:
    raw = request.query_params.get(name, "")
    try:
        value = float(raw)
        if value != value or abs(value) > (90 if name == "lat" else 180):
            raise ValueError
    except ValueError:
        raise ActionError(
            _("请提供有效的坐标。"), code="invalid", fields={name: _("应为数字（WGS-84）。")}
        ) from None
    return value


@extend_schema(tags=["incidents"])
class DuplicateView(APIView):
    """Open incidents of the same category near a point, in the category's radius (default
    200 m) and last N days (default 14), nearest first."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, required=True),
            OpenApiParameter("lat", float, required=True),
            OpenApiParameter("lng", float, required=True),
        ],
        responses={200: IncidentDuplicateSerializer(many=True), 400: ERR, 401: ERR},
    )
    def get(self, request):
        code = request.query_params.get("category", "").strip()[:16]
        if not code:
            raise ActionError(
                _("请选择事件分类。"), code="invalid", fields={"category": _("必填。")}
            )
        found = sel.duplicates(
            category_code=code, lat=_float_param(request, "lat"), lng=_float_param(request, "lng")
        )
        return Response(IncidentDuplicateSerializer([c.__dict__ for c in found], many=True).data)


class IsHotline(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(roles.HOTLINE))


def _hotline_status(incident: Incident) -> dict:
    rating = None
    if incident.state == State.CLOSED:
        from portal.notifications import absolute_url

        rating = absolute_url(svc.rating_url(incident, rater="caller"))
    return {
        "external_number": incident.external_number,
        "number": incident.number,
        "state": incident.state,
        "state_label": incident.get_state_display(),
        "outcome": incident.outcome,
        "outcome_label": incident.get_outcome_display(),
        "outcome_reason": incident.outcome_reason,
        "closed_at": incident.closed_at,
        "deadline": incident.due_at,
        "clock_status": incident.clock_status(timezone.now()),
        "rating_url": rating,
    }


@extend_schema(tags=["incidents"])
class HotlineView(APIView):
    """12345 work orders pushed by the hotline system with its system token. Idempotent on
    ``external_number``: the same order twice is one incident (201, then 200)."""

    permission_classes = [IsHotline]

    @extend_schema(
        request=HotlineSerializer,
        responses={201: HotlineStatusSerializer, 200: HotlineStatusSerializer, **ACTION_ERRORS},
    )
    def post(self, request):
        data = _body(HotlineSerializer, request)
        due = data.get("due_at")
        if isinstance(due, datetime) and timezone.is_naive(due):
            due = timezone.make_aware(due)
        result = svc.incident_report(
            actor=request.user,
            source=Source.HOTLINE,
            category_code=data["category"],
            description=data["description"],
            lat=data.get("lat"),
            lng=data.get("lng"),
            village_code=data.get("village", ""),
            address=data.get("address", ""),
            external_number=data["external_number"],
            external_due_at=due,
            reporter_name=data.get("caller_name", ""),
            reporter_mobile=data.get("caller_mobile", ""),
        )
        return Response(_hotline_status(result.incident), status=201 if result.created else 200)


@extend_schema(tags=["incidents"])
class HotlineStatusView(APIView):
    """What became of a hotline order: state, outcome, and the caller's rating link once
    closed (the hotline sends it to the caller with its reply)."""

    permission_classes = [IsHotline]

    @extend_schema(responses={200: HotlineStatusSerializer, **READ_ERRORS})
    def get(self, request, external_number: str):
        incident = Incident.objects.filter(
            source=Source.HOTLINE, external_number=external_number
        ).first()
        if incident is None:
            raise NotFound(_("没有该热线工单。"))
        return Response(_hotline_status(incident))


__all__ = [
    "CategoryListView",
    "DuplicateView",
    "HotlineStatusView",
    "HotlineView",
    "IncidentViewSet",
    "parse_datetime",
]
