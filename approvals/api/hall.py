"""The hall API: a kiosk, a calling terminal or a hall screen can be a separate program.

Authentication: staff and citizens as everywhere (session or ``Authorization: Token …``); a
registered hall device with ``Authorization: Device <token>`` (kiosk: take tickets and check
in appointments; screen: read the screen state). Errors are ``{"code", "message",
"fields"}``; a lost race (the ticket moved on, the window is busy, the slot filled up) is 409.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import authentication, permissions, serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.models import Appointment, BusinessCategory, HallDevice, Ticket
from approvals.selectors import hall as sel
from approvals.services import hall as services
from portal import roles, workdays
from portal.api_fields import BoundedModelSerializer, BoundedSerializer
from portal.authentication import ApiTokenAuthentication
from portal.errors import ActionError, Forbidden
from portal.models import User, Window

HALL_STAFF = (roles.WINDOW_CLERK, roles.SUPERVISOR)


# --- authentication and permissions ----------------------------------------------------------


class HallDeviceAuthentication(authentication.BaseAuthentication):
    """``Authorization: Device <token>`` for hall TVs and kiosks (no person logged in)."""

    keyword = "Device"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        device = None
        if len(header) == 2:
            device = sel.device_for_token(header[1].decode(errors="replace"))
        if device is None:
            raise AuthenticationFailed(_("设备令牌无效或已停用。"), code="invalid_device")
        services.hall_device_touch(device)
        return AnonymousUser(), device

    def authenticate_header(self, request):
        return self.keyword


class HallDeviceScheme(OpenApiAuthenticationExtension):
    target_class = "approvals.api.hall.HallDeviceAuthentication"
    name = "hallDevice"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A registered hall device (TV or kiosk): `Device <token>`.",
        }


# The device scheme first, so that a request without credentials is told (401, with
# "WWW-Authenticate: Device") how a hall device authenticates.
AUTHENTICATION = [
    HallDeviceAuthentication,
    authentication.SessionAuthentication,
    ApiTokenAuthentication,
]


def _device(request, kind: str | None = None) -> HallDevice | None:
    device = request.auth if isinstance(request.auth, HallDevice) else None
    if device is not None and kind and device.kind != kind:
        return None
    return device


def _is(request, *role_names) -> bool:
    user = request.user
    return bool(
        user and user.is_authenticated and (user.is_superuser or user.has_role(*role_names))
    )


class HallStaffOrDevice(permissions.BasePermission):
    """Hall staff, or a registered device of the view's ``device_kind``."""

    def has_permission(self, request, view):
        if _is(request, *HALL_STAFF):
            return True
        return _device(request, getattr(view, "device_kind", None)) is not None


class HasRole(permissions.BasePermission):
    def has_permission(self, request, view):
        return _is(request, *view.roles)


# --- serializers -----------------------------------------------------------------------------


class CategorySerializer(BoundedModelSerializer):
    waiting = serializers.IntegerField(read_only=True)
    priority_waiting = serializers.IntegerField(read_only=True)

    class Meta:
        model = BusinessCategory
        fields = ["id", "code", "name", "ticket_prefix", "waiting", "priority_waiting"]


class TicketSerializer(BoundedModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    window = serializers.SlugRelatedField(slug_field="number", read_only=True)
    resident = serializers.SerializerMethodField()
    people_ahead = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "day",
            "category",
            "category_name",
            "status",
            "is_priority",
            "priority_reason",
            "source",
            "taken_at",
            "called_at",
            "finished_at",
            "window",
            "resident",
            "people_ahead",
        ]

    def get_resident(self, obj) -> dict | None:
        if obj.resident_id is None:
            return None
        return {
            "id": obj.resident_id,
            "name": obj.resident.display_name,
            "id_number": obj.resident.id_number_masked,
        }

    def get_people_ahead(self, obj) -> int:
        return sel.people_ahead(obj)


class TakeTicketSerializer(BoundedSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=BusinessCategory.objects.filter(is_active=True)
    )
    priority_reason = serializers.ChoiceField(
        choices=[
            "",
            Ticket.PriorityReason.ELDERLY,
            Ticket.PriorityReason.DISABLED,
        ],
        required=False,
        default="",
        allow_blank=True,
    )


class TransferSerializer(BoundedSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=BusinessCategory.objects.filter(is_active=True)
    )


class ResidentSerializer(BoundedSerializer):
    resident = serializers.CharField(
        max_length=18, help_text="mobile number or ID number of a registered resident"
    )


class CallSerializer(BoundedSerializer):
    number = serializers.CharField()
    window = serializers.IntegerField()
    category = serializers.CharField()
    announced_at = serializers.DateTimeField()
    announcements = serializers.IntegerField()
    text = serializers.CharField()


class AppointmentSerializer(BoundedModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    ticket = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "category",
            "category_name",
            "day",
            "start_time",
            "code",
            "status",
            "ticket",
            "created_at",
            "checked_in_at",
            "cancelled_at",
            "no_show_at",
        ]


class BookSerializer(BoundedSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=BusinessCategory.objects.filter(is_active=True)
    )
    day = serializers.DateField()
    start_time = serializers.TimeField()


class CheckInSerializer(BoundedSerializer):
    code = serializers.RegexField(r"^\d{6}$")


class SlotSerializer(BoundedSerializer):
    start = serializers.TimeField()
    end = serializers.TimeField()
    capacity = serializers.IntegerField()
    booked = serializers.IntegerField()
    remaining = serializers.IntegerField()
    available = serializers.BooleanField()


def _ticket_response(ticket: Ticket, code=status.HTTP_200_OK) -> Response:
    ticket = Ticket.objects.select_related("category", "window", "resident").get(pk=ticket.pk)
    return Response(TicketSerializer(ticket).data, status=code)


# --- tickets and calling ---------------------------------------------------------------------


class CategoryListView(APIView):
    """Active business categories with today's waiting counts."""

    authentication_classes = AUTHENTICATION
    permission_classes = [HallStaffOrDevice]

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request):
        categories = sel.categories_with_waiting(day=timezone.localdate())
        return Response(CategorySerializer(categories, many=True).data)


class TicketTakeView(APIView):
    """Take a ticket (a kiosk device, or a clerk for a resident)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [HallStaffOrDevice]
    device_kind = HallDevice.Kind.KIOSK

    @extend_schema(request=TakeTicketSerializer, responses={201: TicketSerializer})
    def post(self, request):
        data = TakeTicketSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device = _device(request, HallDevice.Kind.KIOSK)
        ticket = services.ticket_take(
            category=data.validated_data["category"],
            priority_reason=data.validated_data.get("priority_reason") or "",
            source=Ticket.Source.KIOSK if device else Ticket.Source.API,
            actor=request.user if request.user.is_authenticated else None,
            device=device,
        )
        return _ticket_response(ticket, status.HTTP_201_CREATED)


class TicketDetailView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [HallStaffOrDevice]
    device_kind = HallDevice.Kind.KIOSK

    @extend_schema(responses=TicketSerializer)
    def get(self, request, pk: int):
        tickets = Ticket.objects.all()
        if not request.user.is_authenticated:
            tickets = tickets.filter(day=timezone.localdate())
        return _ticket_response(get_object_or_404(tickets, pk=pk))


class ClerkView(APIView):
    permission_classes = [HasRole]
    roles = (roles.WINDOW_CLERK,)


class WindowStateView(ClerkView):
    """The clerk's view of one of their windows: current ticket and waiting counts."""

    @extend_schema(
        responses=inline_serializer(
            "HallWindowState",
            {
                "window": serializers.IntegerField(),
                "current": TicketSerializer(allow_null=True),
                "categories": CategorySerializer(many=True),
            },
        )
    )
    def get(self, request, number: int):
        window = get_object_or_404(sel.clerk_windows(request.user), number=number)
        current = sel.current_ticket(window)
        return Response(
            {
                "window": window.number,
                "current": TicketSerializer(current).data if current else None,
                "categories": CategorySerializer(
                    sel.window_queue(window=window, day=timezone.localdate()), many=True
                ).data,
            }
        )


class CallNextView(ClerkView):
    """Call the next ticket at a window. ``ticket`` is null when nobody is waiting; 409 when the
    window still has a ticket being served."""

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "HallCallNext",
            {"ticket": TicketSerializer(allow_null=True), "message": serializers.CharField()},
        ),
    )
    def post(self, request, number: int):
        window = get_object_or_404(Window, number=number)
        ticket = services.ticket_call_next(window=window, clerk=request.user)
        if ticket is None:
            return Response({"ticket": None, "message": _("暂无等候的号。")})
        ticket = Ticket.objects.select_related("category", "window", "resident").get(pk=ticket.pk)
        return Response({"ticket": TicketSerializer(ticket).data, "message": ""})


def _ticket_action(service):
    class View(ClerkView):
        @extend_schema(request=None, responses=TicketSerializer)
        def post(self, request, pk: int):
            ticket = get_object_or_404(Ticket, pk=pk)
            return _ticket_response(service(ticket=ticket, clerk=request.user))

    View.__doc__ = service.__doc__
    View.__name__ = View.__qualname__ = (
        "Ticket" + service.__name__.removeprefix("ticket_").title().replace("_", "") + "View"
    )
    return View


TicketRecallView = _ticket_action(services.ticket_recall)
TicketNoShowView = _ticket_action(services.ticket_no_show)
TicketFinishView = _ticket_action(services.ticket_finish)


class TicketTransferView(ClerkView):
    """Send the ticket being served to the queue of another category."""

    @extend_schema(request=TransferSerializer, responses=TicketSerializer)
    def post(self, request, pk: int):
        ticket = get_object_or_404(Ticket, pk=pk)
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_transfer(
            ticket=ticket, clerk=request.user, category=data.validated_data["category"]
        )
        return _ticket_response(ticket)


class TicketResidentView(ClerkView):
    """Record which registered resident holds the ticket (by mobile or ID number)."""

    @extend_schema(request=ResidentSerializer, responses=TicketSerializer)
    def post(self, request, pk: int):
        ticket = get_object_or_404(Ticket, pk=pk)
        data = ResidentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resident: User | None = sel.find_resident(data.validated_data["resident"])
        if resident is None:
            raise ActionError(
                _("没有找到该手机号或身份证号对应的群众账号。"),
                code="resident_not_found",
                fields={"resident": _("未找到。")},
            )
        ticket = services.ticket_set_resident(ticket=ticket, clerk=request.user, resident=resident)
        return _ticket_response(ticket)


class ScreenStateView(APIView):
    """What the hall TV shows: the latest calls and the waiting counts."""

    authentication_classes = AUTHENTICATION
    permission_classes = [HallStaffOrDevice]
    device_kind = HallDevice.Kind.SCREEN

    @extend_schema(
        responses=inline_serializer(
            "HallScreenState",
            {
                "day": serializers.DateField(),
                "calls": CallSerializer(many=True),
                "categories": CategorySerializer(many=True),
                "total_waiting": serializers.IntegerField(),
            },
        )
    )
    def get(self, request):
        state = sel.screen_state(day=timezone.localdate())
        calls = [
            {
                "number": call.ticket.number,
                "window": call.window.number,
                "category": call.category.code,
                "announced_at": call.announced_at,
                "announcements": call.announcements,
                "text": _("请 %(number)s 号到 %(window)s 号窗口")
                % {"number": call.ticket.number, "window": call.window.number},
            }
            for call in state.calls
        ]
        return Response(
            {
                "day": state.day,
                "calls": CallSerializer(calls, many=True).data,
                "categories": CategorySerializer(state.categories, many=True).data,
                "total_waiting": state.total_waiting,
            }
        )


# --- appointments ----------------------------------------------------------------------------


def _date_param(request, name: str) -> date:
    raw = request.query_params.get(name, "")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ActionError(
            _("日期格式应为 YYYY-MM-DD。"),
            code="invalid_date",
            fields={name: _("日期格式应为 YYYY-MM-DD。")},
        ) from None
    if not sel.FIRST_DAY <= value <= sel.LAST_DAY:
        raise ActionError(
            _("日期超出范围。"), code="invalid_date", fields={name: _("日期超出范围。")}
        )
    return value


class SlotListView(APIView):
    """Half-hour slots of a category on a day (empty on a rest day)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("category", OpenApiTypes.STR, required=True),
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
        ],
        responses=inline_serializer(
            "HallSlots",
            {
                "category": serializers.CharField(),
                "date": serializers.DateField(),
                "working_day": serializers.BooleanField(),
                "slots": SlotSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        day = _date_param(request, "date")
        category = (
            sel.active_categories().filter(code=request.query_params.get("category", "")).first()
        )
        if category is None:
            raise ActionError(
                _("请选择一个在办的业务类别。"),
                code="category_inactive",
                fields={"category": _("该业务类别不存在或已停用。")},
            )
        slots = sel.slots_for(category=category, day=day)
        return Response(
            {
                "category": category.code,
                "date": day,
                "working_day": workdays.is_working_day(day),
                "slots": SlotSerializer(
                    [
                        {
                            "start": s.start,
                            "end": s.end,
                            "capacity": s.capacity,
                            "booked": s.booked,
                            "remaining": s.remaining,
                            "available": s.available,
                        }
                        for s in slots
                    ],
                    many=True,
                ).data,
            }
        )


class CitizenView(APIView):
    permission_classes = [HasRole]
    roles = (roles.CITIZEN, roles.PROXY_AGENT)


class AppointmentListView(CitizenView):
    """A citizen's appointments (GET) and booking a slot (POST)."""

    @extend_schema(responses=AppointmentSerializer(many=True))
    def get(self, request):
        return Response(
            AppointmentSerializer(sel.appointments_of(request.user)[:100], many=True).data
        )

    @extend_schema(request=BookSerializer, responses={201: AppointmentSerializer})
    def post(self, request):
        data = BookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_book(citizen=request.user, **data.validated_data)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentCancelView(CitizenView):
    @extend_schema(request=None, responses=AppointmentSerializer)
    def post(self, request, pk: int):
        appointment = get_object_or_404(Appointment, pk=pk, citizen=request.user)
        appointment = services.appointment_cancel(appointment=appointment, actor=request.user)
        return Response(AppointmentSerializer(appointment).data)


class AppointmentCheckInView(APIView):
    """Check in an appointment of today by its 6-digit code (kiosk device or clerk); the answer
    holds the priority ticket."""

    authentication_classes = AUTHENTICATION
    permission_classes = [HallStaffOrDevice]
    device_kind = HallDevice.Kind.KIOSK

    @extend_schema(
        request=CheckInSerializer,
        responses=inline_serializer(
            "HallCheckIn",
            {"appointment": AppointmentSerializer(), "ticket": TicketSerializer()},
        ),
    )
    def post(self, request):
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device = _device(request, HallDevice.Kind.KIOSK)
        if device is None and not _is(request, *HALL_STAFF):
            raise Forbidden(_("只有取号机或窗口人员可以签到。"), code="forbidden")
        appointment = services.appointment_check_in(
            code=data.validated_data["code"],
            actor=request.user if request.user.is_authenticated else None,
            device=device,
        )
        ticket = Ticket.objects.select_related("category", "window", "resident").get(
            pk=appointment.ticket_id
        )
        return Response(
            {
                "appointment": AppointmentSerializer(appointment).data,
                "ticket": TicketSerializer(ticket).data,
            },
            status=status.HTTP_201_CREATED,
        )


# --- figures ---------------------------------------------------------------------------------


class FiguresView(APIView):
    """Waiting and service times (seconds) per category, window, clerk and hour."""

    permission_classes = [HasRole]
    roles = (roles.SUPERVISOR,)

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="default: today"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="default: start"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        today = timezone.localdate()
        start = _date_param(request, "start") if "start" in request.query_params else today
        end = _date_param(request, "end") if "end" in request.query_params else start
        if end < start or (end - start).days > 366:
            raise ActionError(
                _("结束日期不能早于开始日期，且一次最多查询一年。"),
                code="invalid_range",
                fields={"end": _("日期范围无效。")},
            )
        return Response(sel.hall_figures(start=start, end=end))
