"""/api/v1/work-orders/, /api/v1/routing-rules/, /api/v1/dispatches/, /api/v1/whistles/:
thin DRF views over grid.services.dispatch and grid.selectors.

Scope: the centre (dispatchers, supervisors) sees every work order; a department's staff their
department's only — anything else is 404. Transitions are POST actions; not allowed in the state
→ 400 ``invalid_transition``; not for this role → 403; a lost race → 409.

Interfaces other systems rely on (kept exactly):
- ``GET /api/v1/routing-rules/test/?category=…&lat=…&lng=…&at=ISO`` (or ``area=`` instead of
  the point) → ``{"rule": {"id","name","order"} | null, "handler": {"kind","code"} | null,
  "evaluated": [...]}``;
- ``GET /api/v1/work-orders/{id}/`` includes ``state``, ``sign_for_due_at``, ``due_at``,
  ``clock_status``, ``rule`` (the matched rule's id)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from grid.models.dispatch import (
    HandlerKind,
    RoutingRule,
    Whistle,
    WorkOrder,
    WorkOrderExtension,
)
from grid.openapi import RoutingEvaluationStatus
from grid.selectors import dispatch as sel
from grid.selectors import dispatch_scope as who
from grid.selectors import incidents as incident_sel
from grid.selectors import routing
from grid.services import dispatch as svc
from portal.api_fields import BoundedJSONParser, BoundedSerializer, DisplayField
from portal.errors import ActionError, NotFound
from portal.models import Department

MULTI = [parsers.MultiPartParser, parsers.FormParser, BoundedJSONParser]


class DispatchErrorSerializer(BoundedSerializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


ERR = DispatchErrorSerializer
READ_ERRORS = {401: ERR, 403: ERR, 404: ERR}
ACTION_ERRORS = {400: ERR, 401: ERR, 403: ERR, 404: ERR, 409: ERR}


def _body(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _department(code: str, field: str = "department") -> Department:
    department = Department.objects.filter(code=(code or "").strip().upper()).first()
    if department is None:
        raise ActionError(
            _("没有编码为 %(code)s 的部门。") % {"code": code},
            code="invalid",
            fields={field: _("部门编码不存在。")},
        )
    return department


# --- serializers -------------------------------------------------------------------------------


class WorkOrderListSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    incident = serializers.CharField(source="incident.number")
    category = serializers.CharField(source="category_code")
    category_name = serializers.CharField(source="incident.category.name")
    urgency = serializers.CharField()
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    role = serializers.CharField()
    is_district = serializers.BooleanField()
    state = serializers.CharField()
    state_label = DisplayField(source="get_state_display")
    sent_at = serializers.DateTimeField()
    sign_for_due_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    clock_status = serializers.CharField()
    rule = serializers.IntegerField(source="rule_id", allow_null=True)


class WorkOrderStepSerializer(BoundedSerializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label")
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()


class WorkOrderExtensionSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    new_due_on = serializers.DateField()
    reason = serializers.CharField()
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class WorkOrderPhotoSerializer(BoundedSerializer):
    id = serializers.IntegerField(source="photo_id")
    sha256 = serializers.CharField(source="photo.sha256")
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return f"/api/v1/work-orders/{obj.work_order_id}/photos/{obj.photo_id}/"


class WorkOrderSiblingSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    role = serializers.CharField()
    state = serializers.CharField()


class WorkOrderIncidentSerializer(BoundedSerializer):
    number = serializers.CharField()
    category = serializers.CharField(source="category_code")
    category_name = serializers.CharField(source="category.name")
    description = serializers.CharField()
    address = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    grid = serializers.SerializerMethodField()
    source = serializers.CharField()

    def get_grid(self, obj) -> str | None:
        return obj.grid.code if obj.grid_id else None


class WorkOrderDetailSerializer(WorkOrderListSerializer):
    rule_version = serializers.IntegerField(allow_null=True)
    rule_name = serializers.SerializerMethodField()
    dispatch = serializers.IntegerField(source="dispatch_id")
    is_hotline = serializers.BooleanField()
    return_until = serializers.DateTimeField()
    warn_at = serializers.DateTimeField()
    signed_at = serializers.DateTimeField(allow_null=True)
    sign_for_on_time = serializers.BooleanField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    done_on_time = serializers.BooleanField(allow_null=True)
    feedback_note = serializers.CharField()
    answered_on = serializers.DateField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField()
    return_basis = serializers.CharField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()
    pressed = serializers.IntegerField()
    incident_detail = WorkOrderIncidentSerializer(source="incident")
    others = serializers.SerializerMethodField()
    photos = WorkOrderPhotoSerializer(many=True)
    extensions = WorkOrderExtensionSerializer(many=True)
    history = WorkOrderStepSerializer(many=True)

    def get_rule_name(self, obj) -> str | None:
        return obj.rule.name if obj.rule_id else None

    def get_others(self, obj) -> WorkOrderSiblingSerializer(many=True):
        siblings = [o for o in obj.dispatch.work_orders.all() if o.pk != obj.pk]
        return WorkOrderSiblingSerializer(siblings, many=True).data


class WorkOrderFeedbackCreatedSerializer(WorkOrderDetailSerializer):
    created = serializers.BooleanField()
    message = serializers.CharField()
    page_url = serializers.CharField()


class WorkOrderSignForSerializer(BoundedSerializer):
    at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="district orders: when the district signed"
    )


class WorkOrderReturnSerializer(BoundedSerializer):
    reason = serializers.CharField(max_length=1000)
    basis = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="the legal basis (required for 12345 hotline orders)",
    )


class WorkOrderFeedbackSerializer(BoundedSerializer):
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000)
    answered_on = serializers.DateField(
        required=False, allow_null=True, help_text="district orders: the date of its answer"
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)


class WorkOrderExtensionRequestSerializer(BoundedSerializer):
    new_due_on = serializers.DateField()
    reason = serializers.CharField(max_length=1000)


class WorkOrderExtensionDecisionSerializer(BoundedSerializer):
    extension = serializers.IntegerField(min_value=1)
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class WorkOrderNoteSerializer(BoundedSerializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class WorkOrderReasonSerializer(BoundedSerializer):
    reason = serializers.CharField(max_length=1000)


class WorkOrderRedispatchSerializer(WorkOrderNoteSerializer):
    department = serializers.CharField(max_length=32, help_text="department code")


# --- work orders -------------------------------------------------------------------------------------


@extend_schema(tags=["dispatch"])
class WorkOrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Work orders in the caller's scope: the centre all, a department's staff their own."""

    serializer_class = WorkOrderListSerializer
    lookup_value_regex = r"\d+"
    parser_classes = MULTI
    error_statuses = (404,)

    def get_queryset(self):
        params = self.request.query_params
        return sel.queue_for(
            self.request.user,
            state=params.get("state", "")[:16],
            clock_status=params.get("clock_status", "")[:16],
            department=params.get("department", "")[:32],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="open (default), all, or a state"),
            OpenApiParameter("clock_status", str, description="normal, warning, overdue …"),
            OpenApiParameter("department", str, description="department code (the centre)"),
        ],
        responses={200: WorkOrderListSerializer(many=True), 401: ERR, 403: ERR, 404: ERR},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _get(self, request, pk, load=sel.get_visible) -> WorkOrder:
        order = load(request.user, pk)
        if order is None:
            raise NotFound(_("工单不存在。"))
        return order

    def _detail(self, request, pk) -> dict:
        order = self._get(request, pk)
        order.clock_status = order.now_status
        return WorkOrderDetailSerializer(order, context={"request": request}).data

    @extend_schema(responses={200: WorkOrderDetailSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        return Response(self._detail(request, pk))

    def _act(self, request, pk, service, **kwargs):
        order = self._get(request, pk, sel.get_visible_row)
        service(actor=request.user, work_order=order, **kwargs)
        return Response(self._detail(request, pk))

    @extend_schema(
        request=WorkOrderSignForSerializer,
        responses={200: WorkOrderDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="sign-for")
    def sign_for(self, request, pk=None):
        data = _body(WorkOrderSignForSerializer, request)
        return self._act(request, pk, svc.work_order_sign_for, at=data.get("at"))

    @extend_schema(
        request=WorkOrderReturnSerializer,
        responses={200: WorkOrderDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def give_back(self, request, pk=None):
        data = _body(WorkOrderReturnSerializer, request)
        return self._act(
            request, pk, svc.work_order_return, reason=data["reason"], basis=data["basis"]
        )

    @extend_schema(
        request={
            "multipart/form-data": WorkOrderFeedbackSerializer,
            "application/json": WorkOrderFeedbackSerializer,
        },
        responses={
            201: WorkOrderFeedbackCreatedSerializer,
            200: WorkOrderFeedbackCreatedSerializer,
            **ACTION_ERRORS,
        },
        description="办理结果 with words and photos. Idempotent on client_uuid (the phone's "
        "outbox): a resend answers 200 with the order as it is.",
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        data = _body(WorkOrderFeedbackSerializer, request)
        order = self._get(request, pk)
        result = svc.work_order_feedback(
            actor=request.user,
            work_order=order,
            note=data["note"],
            photo_files=request.FILES.getlist("photos"),
            client_uuid=data.get("client_uuid"),
            answered_on=data.get("answered_on"),
        )
        body = self._detail(request, pk)
        body["created"] = result.created
        body["message"] = (
            _("已反馈，工单 %(number)s。")
            if result.created
            else _("这条反馈已经收到过（工单 %(number)s），没有重复登记。")
        ) % {"number": order.number}
        body["page_url"] = svc.work_order_url(order)
        return Response(body, status=201 if result.created else 200)

    @extend_schema(
        request=WorkOrderExtensionRequestSerializer,
        responses={200: WorkOrderDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        data = _body(WorkOrderExtensionRequestSerializer, request)
        return self._act(
            request,
            pk,
            svc.work_order_request_extension,
            new_due_on=data["new_due_on"],
            reason=data["reason"],
        )

    @extend_schema(
        request=WorkOrderExtensionDecisionSerializer,
        responses={200: WorkOrderDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="decide-extension")
    def decide_extension(self, request, pk=None):
        data = _body(WorkOrderExtensionDecisionSerializer, request)
        order = self._get(request, pk)
        extension = WorkOrderExtension.objects.filter(
            pk=data["extension"], work_order=order
        ).first()
        if extension is None:
            raise ActionError(
                _("该工单没有这个延期申请。"), code="invalid", fields={"extension": _("不存在。")}
            )
        svc.work_order_decide_extension(
            actor=request.user, extension=extension, approve=data["approve"], note=data["note"]
        )
        return Response(self._detail(request, pk))

    @extend_schema(
        request=WorkOrderNoteSerializer, responses={200: WorkOrderDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def press(self, request, pk=None):
        data = _body(WorkOrderNoteSerializer, request)
        return self._act(request, pk, svc.work_order_press, note=data["note"])

    @extend_schema(
        request=WorkOrderReasonSerializer,
        responses={200: WorkOrderDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _body(WorkOrderReasonSerializer, request)
        return self._act(request, pk, svc.work_order_cancel, reason=data["reason"])

    @extend_schema(
        request=WorkOrderRedispatchSerializer,
        responses={200: WorkOrderDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def redispatch(self, request, pk=None):
        data = _body(WorkOrderRedispatchSerializer, request)
        order = self._get(request, pk)
        new = svc.work_order_redispatch(
            actor=request.user,
            work_order=order,
            department=_department(data["department"]),
            note=data["note"],
        )
        return Response(self._detail(request, new.pk))

    @extend_schema(
        request=WorkOrderNoteSerializer, responses={200: WorkOrderDetailSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        data = _body(WorkOrderNoteSerializer, request)
        return self._act(request, pk, svc.work_order_drop, note=data["note"])

    @extend_schema(
        parameters=[OpenApiParameter("original", bool, description="the original (evidence)")],
        responses={(200, "image/jpeg"): bytes, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>\d+)")
    def photo(self, request, pk=None, photo_id=None):
        from portal import photos

        order = self._get(request, pk)
        link = order.photos.filter(photo_id=photo_id).select_related("photo").first()
        if link is None:
            raise NotFound(_("照片不存在。"))
        if request.query_params.get("original") in ("1", "true"):
            return photos.original_response(link.photo, actor=request.user, obj=order)
        return photos.thumbnail_response(link.photo, actor=request.user, obj=order)


# --- routing rules -----------------------------------------------------------------------------------


def _may_read_rules(user) -> bool:
    from portal import roles

    return who.is_centre(user) or user.has_role(roles.REGISTER_ADMIN)


class RulesReaders(permissions.BasePermission):
    """The centre and register administrators."""

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and _may_read_rules(request.user)
        )


class RoutingRuleRefSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    order = serializers.IntegerField()


class RoutingHandlerSerializer(BoundedSerializer):
    kind = serializers.ChoiceField(choices=HandlerKind.choices)
    code = serializers.CharField(help_text="grid code, department code or squad code")
    co_handlers = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        optional_fields = ["co_handlers"]


class RoutingEvaluatedSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    order = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RoutingEvaluationStatus.choices)
    checks = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())
    handler = RoutingHandlerSerializer()
    handler_label = serializers.CharField()


class RoutingTestResultSerializer(BoundedSerializer):
    rule = RoutingRuleRefSerializer(allow_null=True)
    handler = RoutingHandlerSerializer(allow_null=True)
    working_time = serializers.BooleanField(help_text="office hours of a working day")
    evaluated = RoutingEvaluatedSerializer(many=True)


class RoutingRuleSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    order = serializers.IntegerField()
    name = serializers.CharField()
    is_active = serializers.BooleanField()
    version = serializers.IntegerField()
    category_level = serializers.CharField()
    category_code = serializers.CharField()
    area = serializers.SerializerMethodField()
    time_window = serializers.CharField()
    source = serializers.CharField()
    handler_kind = serializers.CharField()
    department = serializers.SerializerMethodField()
    co_handlers = serializers.SerializerMethodField()
    squad_code = serializers.CharField()
    note = serializers.CharField()
    unavailable = serializers.SerializerMethodField()
    changed_at = serializers.DateTimeField()

    def get_area(self, obj) -> str | None:
        return obj.area.code if obj.area_id else None

    def get_department(self, obj) -> str | None:
        return obj.department.code if obj.department_id else None

    def get_co_handlers(self, obj) -> list[str]:
        return sorted(d.code for d in obj.co_handlers.all())

    def get_unavailable(self, obj) -> list[str]:
        """Why the rule cannot match now (its department switched off …); empty when it can."""
        return list(routing.unavailable_reasons(obj, self.context["squads"]))


def _float(request, name: str) -> float | None:
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    try:
        value = float(raw)
        if value != value or abs(value) > (90 if name == "lat" else 180):
            raise ValueError
    except ValueError:
        raise ActionError(
            _("请提供有效的坐标。"), code="invalid", fields={name: _("应为数字（WGS-84）。")}
        ) from None
    return value


def _moment_param(request, name: str = "at"):
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return timezone.now()
    try:
        value = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise ActionError(
            _("时间格式应为 ISO 8601，例如 2026-10-01T22:30:00+08:00。"),
            code="invalid",
            fields={name: _("时间格式不正确。")},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@extend_schema(tags=["dispatch"])
class RoutingTestView(APIView):
    """规则测试: which rule an incident of this category at this place and time would match, and
    the whole list evaluated (matched, also matching, not matching and why, switched off,
    unavailable)."""

    permission_classes = [RulesReaders]

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, required=True, description="leaf category code"),
            OpenApiParameter("lat", float, description="WGS-84 (with lng)"),
            OpenApiParameter("lng", float, description="WGS-84 (with lat)"),
            OpenApiParameter("area", str, description="an area code instead of the point"),
            OpenApiParameter("at", str, description="ISO 8601 date-time (default: now)"),
            OpenApiParameter("source", str, description="incident source (default: any)"),
        ],
        responses={200: RoutingTestResultSerializer, 400: ERR, 401: ERR, 403: ERR},
    )
    def get(self, request):
        params = request.query_params
        lat, lng = _float(request, "lat"), _float(request, "lng")
        facts = routing.facts_for_test(
            category_code=params.get("category", "")[:16],
            lat=lat,
            lng=lng,
            area_code=params.get("area", "")[:40],
            at=_moment_param(request),
            source=params.get("source", "")[:16],
        )
        return Response(routing.evaluate(facts).as_dict())


@extend_schema(tags=["dispatch"])
class RoutingRuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The routing rules in evaluation order (the centre, register administrators)."""

    serializer_class = RoutingRuleSerializer
    permission_classes = [RulesReaders]
    lookup_value_regex = r"\d+"
    pagination_class = None

    def get_queryset(self):
        return (
            RoutingRule.objects.select_related("area", "department")
            .prefetch_related("co_handlers")
            .order_by("order", "id")
        )

    def get_serializer_context(self):
        from enforcement.selectors.team import squads

        return {
            **super().get_serializer_context(),
            "squads": dict(squads().values_list("code", "name")),
        }

    @extend_schema(responses={200: RoutingRuleSerializer(many=True), 401: ERR, 403: ERR})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: RoutingRuleSerializer, **READ_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# --- dispatching ---------------------------------------------------------------------------------------


class DispatchCreateSerializer(BoundedSerializer):
    incident = serializers.RegexField(r"^SJ\d{13}$", help_text="incident number")
    kind = serializers.ChoiceField(
        choices=HandlerKind.choices,
        required=False,
        allow_blank=True,
        help_text="leave out to follow the first matching rule",
    )
    department = serializers.CharField(max_length=32, required=False, allow_blank=True)
    co_handlers = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=10
    )
    squad = serializers.CharField(max_length=16, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    seen_dispatches = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="how many dispatches the caller saw (a lost race answers 409)",
    )


class DispatchSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    incident = serializers.CharField(source="incident.number")
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    rule = serializers.IntegerField(source="rule_id", allow_null=True)
    rule_version = serializers.IntegerField(allow_null=True)
    followed_rule = serializers.BooleanField()
    reason = serializers.CharField()
    department = serializers.SerializerMethodField()
    squad = serializers.CharField(source="squad_code")
    lead_number = serializers.CharField()
    work_orders = serializers.SerializerMethodField()
    at = serializers.DateTimeField()

    def get_department(self, obj) -> str | None:
        return obj.department.code if obj.department_id else None

    def get_work_orders(self, obj) -> WorkOrderSiblingSerializer(many=True):
        return WorkOrderSiblingSerializer(
            obj.work_orders.select_related("department").order_by("-role", "id"), many=True
        ).data


class CentreOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and who.is_centre(request.user))


@extend_schema(tags=["dispatch"])
class DispatchCreateView(APIView):
    """分流交办: route an incident — by the first matching rule, or by hand with a reason."""

    permission_classes = [CentreOnly]

    @extend_schema(
        request=DispatchCreateSerializer, responses={201: DispatchSerializer, **ACTION_ERRORS}
    )
    def post(self, request):
        data = _body(DispatchCreateSerializer, request)
        incident = incident_sel.visible(request.user).filter(number=data["incident"]).first()
        if incident is None:
            raise NotFound(_("事件不存在。"))
        choice = None
        if data.get("kind"):
            choice = routing.Choice(
                kind=data["kind"],
                department=(data.get("department") or "").strip().upper(),
                co_handlers=tuple(
                    c.strip().upper() for c in data.get("co_handlers", []) if c.strip()
                ),
                squad=(data.get("squad") or "").strip().upper(),
            )
        dispatch = svc.incident_dispatch(
            actor=request.user,
            incident=incident,
            choice=choice,
            note=data["note"],
            seen_dispatches=data.get("seen_dispatches"),
        )
        return Response(DispatchSerializer(dispatch).data, status=201)


class ToRouteSerializer(BoundedSerializer):
    number = serializers.CharField()
    category = serializers.CharField(source="category_code")
    category_name = serializers.CharField(source="category.name")
    urgency = serializers.CharField()
    grid = serializers.SerializerMethodField()
    state = serializers.CharField()
    deadline = serializers.DateTimeField(source="due_at", allow_null=True)
    clock_status = serializers.CharField()
    why = serializers.SerializerMethodField()
    suggestion = serializers.SerializerMethodField()

    def get_grid(self, obj) -> str | None:
        return obj.grid.code if obj.grid_id else None

    def get_why(self, obj) -> str:
        return sel.why_waiting(obj)

    def get_suggestion(self, obj) -> RoutingTestResultSerializer:
        result = routing.evaluate(routing.facts_for(obj))
        return {
            "rule": result.rule_dict(),
            "handler": result.handler_dict(),
            "working_time": result.facts.working,
            "evaluated": [],
        }


@extend_schema(tags=["dispatch"])
class ToRouteView(APIView):
    """待分拨: incidents waiting for the centre, each with the rule that would route it (or
    none: to route by hand)."""

    permission_classes = [CentreOnly]

    @extend_schema(responses={200: ToRouteSerializer(many=True), 401: ERR, 403: ERR})
    def get(self, request):
        incidents = list(sel.to_route()[:200])
        return Response(ToRouteSerializer(incidents, many=True).data)


# --- whistles ----------------------------------------------------------------------------------------


class WhistleCallSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    reported_at = serializers.DateTimeField(allow_null=True)
    status = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_status(self, obj) -> str:
        return obj.status(timezone.now())


class WhistleSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    incident = serializers.CharField(source="incident.number")
    blown_at = serializers.DateTimeField()
    meet_at = serializers.DateTimeField()
    place = serializers.CharField()
    note = serializers.CharField()
    calls = WhistleCallSerializer(many=True)


class WhistleCreateSerializer(BoundedSerializer):
    incident = serializers.RegexField(r"^SJ\d{13}$")
    departments = serializers.ListField(
        child=serializers.CharField(max_length=32), min_length=1, max_length=20
    )
    meet_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class WhistleReportSerializer(BoundedSerializer):
    department = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="the centre recording a district department's report",
    )
    at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


@extend_schema(tags=["dispatch"])
class WhistleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """吹哨报到: whistles the caller blew, was called by, or oversees."""

    serializer_class = WhistleSerializer
    lookup_value_regex = r"\d+"
    error_statuses = (404,)

    def get_queryset(self):
        return sel.whistles_for(self.request.user).order_by("-blown_at", "-id")

    def _get(self, pk) -> Whistle:
        whistle = self.get_queryset().filter(pk=pk).first()
        if whistle is None:
            raise NotFound(_("吹哨记录不存在。"))
        return whistle

    @extend_schema(responses={200: WhistleSerializer(many=True), 401: ERR, 403: ERR, 404: ERR})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: WhistleSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        return Response(WhistleSerializer(self._get(pk)).data)

    @extend_schema(
        request=WhistleCreateSerializer, responses={201: WhistleSerializer, **ACTION_ERRORS}
    )
    def create(self, request):
        data = _body(WhistleCreateSerializer, request)
        incident = incident_sel.visible(request.user).filter(number=data["incident"]).first()
        if incident is None:
            raise NotFound(_("事件不存在。"))
        departments = [_department(code, "departments") for code in data["departments"]]
        whistle = svc.whistle_blow(
            actor=request.user,
            incident=incident,
            departments=departments,
            meet_at=data["meet_at"],
            place=data["place"],
            note=data["note"],
        )
        return Response(WhistleSerializer(self._get(whistle.pk)).data, status=201)

    @extend_schema(
        request=WhistleReportSerializer, responses={200: WhistleSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        data = _body(WhistleReportSerializer, request)
        whistle = self._get(pk)
        code = (data.get("department") or "").strip().upper()
        if code:
            call = whistle.calls.filter(department__code=code).first()
        else:
            call = whistle.calls.filter(department_id=who.department_of(request.user)).first()
        if call is None:
            raise ActionError(
                _("该部门不在此次吹哨之列。"),
                code="invalid",
                fields={"department": _("不在召集之列。")},
            )
        svc.whistle_report(actor=request.user, call=call, note=data["note"], at=data.get("at"))
        return Response(WhistleSerializer(self._get(pk)).data)
