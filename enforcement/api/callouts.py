"""/api/v1/enforcement/callouts/: call-outs (出动) and their 1-2-3-45 steps.

- the centre (dispatchers, supervisors, bureau head) creates a call-out (idempotent on
  ``client_uuid``: 201, then 200 with the same call-out for a resend);
- the officers it went to (and the squad leader), or the department's on-call person it went
  to (and the department's heads), respond, accept, set out and arrive — each a
  POST stamped with the server's time; "arrive" needs ``lat``/``lng`` within the radius;
- ``?open=1`` lists the caller's open call-outs: what the officer's phone polls to ring.
Scope: the centre and the bureau see all; officers their squad's and their own; a department's
on-call person their own, its heads the department's; others 404. A department's call-out is
created through grid (its on-call roster), not here."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enforcement.models import CallOut, CallOutSource, CallOutStep, Squad
from enforcement.selectors import callouts as sel
from enforcement.services import callouts as svc
from portal.api_fields import BoundedSerializer
from portal.errors import ActionError

NUMBER_REGEX = r"[0-9A-Za-z]{1,24}"


class StepSerializer(BoundedSerializer):
    step = serializers.CharField()
    label = serializers.CharField()
    due = serializers.DateTimeField()
    at = serializers.DateTimeField(allow_null=True)
    seconds = serializers.IntegerField(allow_null=True)
    limit_minutes = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["on_time", "late", "missed", "running", "none"])


class CallOutSerializer(BoundedSerializer):
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    target_kind = serializers.ChoiceField(choices=["squad", "department"])
    target_name = serializers.CharField()
    squad = serializers.CharField(help_text="the squad's code; empty for a department's call-out")
    squad_name = serializers.CharField(help_text="the called-out unit's name (squad or department)")
    department = serializers.CharField(help_text="the department's code; empty for a squad's")
    department_name = serializers.CharField()
    person_name = serializers.CharField(help_text="the department's on-call person called out")
    source = serializers.CharField()
    source_ref = serializers.CharField()
    description = serializers.CharField()
    address = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    radius_m = serializers.IntegerField()
    called_at = serializers.DateTimeField()
    next_step = serializers.CharField()
    steps = StepSerializer(many=True)
    missed = serializers.ListField(child=serializers.CharField())
    on_site_distance_m = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()
    server_time = serializers.DateTimeField()


def _data(callout: CallOut) -> dict:
    now = timezone.now()
    summary = sel.summary(callout, now)
    return {
        **summary,
        "radius_m": callout.radius_m,
        "next_step": callout.next_step(),
        "on_site_distance_m": callout.on_site_distance_m,
        "url": svc.phone_url(callout),
        "server_time": now,
    }


class CallOutCreateSerializer(BoundedSerializer):
    squad = serializers.CharField(max_length=16, help_text="the squad's code")
    description = serializers.CharField(max_length=2000)
    source = serializers.ChoiceField(choices=CallOutSource.choices, default=CallOutSource.CALL)
    source_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    client_uuid = serializers.UUIDField()


class PositionSerializer(BoundedSerializer):
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    accuracy = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=100000
    )


class RequiredPositionSerializer(BoundedSerializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=100000
    )


class NoteSerializer(BoundedSerializer):
    note = serializers.CharField(max_length=2000)


class ReasonSerializer(BoundedSerializer):
    reason = serializers.CharField(max_length=300)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CallOutViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_field = "number"
    lookup_value_regex = NUMBER_REGEX
    serializer_class = CallOutSerializer
    pagination_class = None
    queryset = CallOut.objects.none()
    error_statuses = (404, 409)

    def get_object(self):
        return sel.callout_get(self.request.user, self.kwargs["number"])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "open", str, required=False, enum=["1"], description="only my open call-outs"
            )
        ],
        responses=CallOutSerializer(many=True),
    )
    def list(self, request):
        if request.query_params.get("open") == "1":
            rows = list(sel.open_for(request.user)[:20])
        else:
            rows = list(
                sel.visible_callouts(request.user)
                .select_related(*sel.TARGET_RELATED)
                .order_by("-called_at")[:50]
            )
        return Response([_data(c) for c in rows])

    @extend_schema(responses=CallOutSerializer)
    def retrieve(self, request, number=None):
        return Response(_data(self.get_object()))

    @extend_schema(
        request=CallOutCreateSerializer, responses={201: CallOutSerializer, 200: CallOutSerializer}
    )
    def create(self, request):
        data = _valid(CallOutCreateSerializer, request)
        squad = Squad.objects.filter(code=data.pop("squad"), is_active=True).first()
        if squad is None:
            raise ActionError(
                _("中队不存在。"), code="invalid", fields={"squad": _("中队不存在。")}
            )
        existing = CallOut.objects.filter(client_uuid=data["client_uuid"]).first()
        callout = svc.callout_create(actor=request.user, squad=squad, **data)
        return Response(_data(callout), status=200 if existing else 201)

    def _step(self, request, step: str, serializer_class=PositionSerializer):
        callout = self.get_object()
        data = _valid(serializer_class, request)
        callout = svc.callout_step(
            actor=request.user,
            callout=callout,
            step=step,
            lat=data.get("lat"),
            lng=data.get("lng"),
            accuracy=data.get("accuracy"),
        )
        return Response(_data(callout))

    @extend_schema(request=PositionSerializer, responses=CallOutSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, number=None):
        """响应 (≤ 1 minute from the call)."""
        return self._step(request, CallOutStep.RESPOND)

    @extend_schema(request=PositionSerializer, responses=CallOutSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, number=None):
        """接单 (≤ 2 minutes)."""
        return self._step(request, CallOutStep.ACCEPT)

    @extend_schema(request=PositionSerializer, responses=CallOutSerializer)
    @action(detail=True, methods=["post"], url_path="set-out")
    def set_out(self, request, number=None):
        """出发 (≤ 3 minutes)."""
        return self._step(request, CallOutStep.SET_OUT)

    @extend_schema(request=RequiredPositionSerializer, responses=CallOutSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, number=None):
        """到场 (≤ 45 minutes): the phone's position must lie within the call-out's radius."""
        return self._step(request, CallOutStep.ON_SITE, RequiredPositionSerializer)

    @extend_schema(request=RequiredPositionSerializer, responses=CallOutSerializer)
    @action(detail=True, methods=["post"])
    def position(self, request, number=None):
        """The phone's position while the call-out is open (the centre's map)."""
        data = _valid(RequiredPositionSerializer, request)
        callout = svc.callout_position(
            actor=request.user, callout=self.get_object(), lat=data["lat"], lng=data["lng"]
        )
        return Response(_data(callout))

    @extend_schema(request=NoteSerializer, responses=CallOutSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request, number=None):
        data = _valid(NoteSerializer, request)
        callout = svc.callout_finish(
            actor=request.user, callout=self.get_object(), note=data["note"]
        )
        return Response(_data(callout))

    @extend_schema(request=ReasonSerializer, responses=CallOutSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        data = _valid(ReasonSerializer, request)
        callout = svc.callout_cancel(
            actor=request.user, callout=self.get_object(), reason=data["reason"]
        )
        return Response(_data(callout))
