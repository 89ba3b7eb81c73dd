"""Hall pages: the kiosk and its ticket slip, the hall screen, window calling, citizens'
appointments, the waiting-time figures and the registration of hall devices.

Who may open the kiosk and the hall screen: hall staff (window clerks and supervisors, as in
the menu) or a registered hall device. A device is registered by a supervisor on the devices
page, which shows a token once; opening /hall/device/?token=… on the TV or kiosk stores the
device in that browser's session (for a year) and the page then works without anyone logged
in. Revoking the device stops it at its next request."""

from __future__ import annotations

from datetime import date, time
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals.models import (
    Appointment,
    AppointmentCapacity,
    BusinessCategory,
    HallDevice,
    Ticket,
)
from approvals.selectors import hall as sel
from approvals.services import hall as services
from portal import access, roles
from portal.errors import ActionError
from portal.models import Window

SESSION_DEVICE = sel.SESSION_DEVICE
SESSION_WINDOW = "hall_window"
DEVICE_SESSION_SECONDS = 365 * 24 * 3600
HALL_STAFF = (roles.WINDOW_CLERK, roles.SUPERVISOR)


# --- access ----------------------------------------------------------------------------------


def _has_role(user, *role_names) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*role_names)))


def _session_device(request, kind: str) -> HallDevice | None:
    device = sel.device_in_session(request.session, kind)
    if device is not None:
        services.hall_device_touch(device)
    return device


def hall_page(kind: str):
    """Hall staff, or a hall device of this kind registered in the browser's session."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            request.hall_device = None
            if not _has_role(request.user, *HALL_STAFF):
                request.hall_device = _session_device(request, kind)
                if request.hall_device is None:
                    if request.headers.get("HX-Request"):
                        return HttpResponse(status=403)
                    if not request.user.is_authenticated:
                        # an unattended kiosk or TV: register the device, nobody logs in
                        return redirect(f"{reverse('approvals:hall-device-login')}?kind={kind}")
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


role_required = access.role_required


def _actor(request):
    return request.user if request.user.is_authenticated else None


# --- kiosk and slip --------------------------------------------------------------------------

PRIORITY_CHOICES = [
    ("", gettext_lazy("普通")),
    (Ticket.PriorityReason.ELDERLY, gettext_lazy("老年人优先")),
    (Ticket.PriorityReason.DISABLED, gettext_lazy("残疾人优先")),
]


class TakeTicketForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=BusinessCategory.objects.filter(is_active=True), label=gettext_lazy("业务类别")
    )
    priority_reason = forms.ChoiceField(
        choices=PRIORITY_CHOICES, required=False, label=gettext_lazy("优先")
    )


class CheckInForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\d{6}$",
        label=gettext_lazy("签到码"),
        error_messages={"invalid": gettext_lazy("签到码是6位数字。")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "data-scanner": "1"}
        ),
    )


def _kiosk_context(request, check_in_form=None):
    return {
        "categories": sel.categories_with_waiting(day=timezone.localdate()),
        "priority_choices": PRIORITY_CHOICES,
        "check_in_form": check_in_form or CheckInForm(),
        "device": request.hall_device,
    }


@hall_page(HallDevice.Kind.KIOSK)
def kiosk(request):
    return render(request, "approvals/hall/kiosk.html", _kiosk_context(request))


def _slip_redirect(request, ticket: Ticket):
    url = reverse("approvals:hall-ticket-slip", args=[ticket.pk])
    return redirect(f"{url}?print=1" if request.hall_device else url)


@require_POST
@hall_page(HallDevice.Kind.KIOSK)
def kiosk_take(request):
    form = TakeTicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择一个业务类别。"))
        return redirect("approvals:kiosk")
    try:
        ticket = services.ticket_take(
            category=form.cleaned_data["category"],
            source=Ticket.Source.KIOSK if request.hall_device else Ticket.Source.CLERK,
            priority_reason=form.cleaned_data["priority_reason"] or "",
            actor=_actor(request),
            device=request.hall_device,
        )
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("approvals:kiosk")
    return _slip_redirect(request, ticket)


@require_POST
@hall_page(HallDevice.Kind.KIOSK)
def kiosk_check_in(request):
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            appointment = services.appointment_check_in(
                code=form.cleaned_data["code"], actor=_actor(request), device=request.hall_device
            )
        except ActionError as error:
            form.add_error("code", error.message)
        else:
            return _slip_redirect(request, appointment.ticket)
    return render(request, "approvals/hall/kiosk.html", _kiosk_context(request, form), status=400)


@hall_page(HallDevice.Kind.KIOSK)
def ticket_slip(request, pk: int):
    tickets = Ticket.objects.select_related("category")
    if request.hall_device:
        tickets = tickets.filter(day=timezone.localdate())
    ticket = get_object_or_404(tickets, pk=pk)
    return render(
        request,
        "approvals/hall/slip.html",
        {
            "ticket": ticket,
            "ahead": sel.people_ahead(ticket),
            "auto_print": request.GET.get("print") == "1",
            "device": request.hall_device,
        },
    )


# --- hall screen -----------------------------------------------------------------------------


def _speech_number(number: str) -> str:
    """'A012' -> 'A 0 1 2': speech engines then read the digits one by one."""
    return " ".join(number)


def _screen_context(request):
    state = sel.screen_state(day=timezone.localdate())
    calls = [
        {
            "key": f"{call.pk}-{call.announcements}",
            "number": call.ticket.number,
            "window": call.window.number,
            "category": call.category.display_name,
            "at": call.announced_at,
            "text": _("请 %(number)s 号到 %(window)s 号窗口")
            % {"number": call.ticket.number, "window": call.window.number},
            "speech": _("请 %(number)s 号到 %(window)s 号窗口办理")
            % {"number": _speech_number(call.ticket.number), "window": call.window.number},
        }
        for call in state.calls
    ]
    return {"state": state, "calls": calls, "device": request.hall_device}


@hall_page(HallDevice.Kind.SCREEN)
def hall_screen(request):
    return render(request, "approvals/hall/screen.html", _screen_context(request))


@hall_page(HallDevice.Kind.SCREEN)
def hall_screen_state(request):
    return render(request, "approvals/hall/_screen_state.html", _screen_context(request))


# --- devices ---------------------------------------------------------------------------------

# The page each kind of device opens after presenting its token; other apps register theirs
# (the command centre's wall screen) in their AppConfig.ready.
DEVICE_HOME = {
    HallDevice.Kind.SCREEN: "approvals:hall-screen",
    HallDevice.Kind.KIOSK: "approvals:kiosk",
}


def register_device_home(kind: str, url_name: str) -> None:
    DEVICE_HOME[kind] = url_name


def device_login(request):
    """Where a hall TV or kiosk presents its token (link from the devices page)."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    error = ""
    if token:
        device = sel.device_for_token(token)
        if device is not None:
            request.session.cycle_key()
            request.session[SESSION_DEVICE] = device.pk
            request.session.set_expiry(DEVICE_SESSION_SECONDS)
            services.hall_device_touch(device)
            return redirect(DEVICE_HOME.get(device.kind, "approvals:kiosk"))
        error = _("设备令牌无效或已停用。")
    kind = request.GET.get("kind", "")
    return render(
        request,
        "approvals/hall/device_login.html",
        {"error": error, "kind": kind if kind in HallDevice.Kind.values else ""},
        status=400 if error else 200,
    )


class DeviceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("设备名称"), max_length=64)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=HallDevice.Kind.choices)


@role_required(roles.SUPERVISOR)
def devices(request):
    form = DeviceForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            device, token = services.hall_device_register(
                name=form.cleaned_data["name"], kind=form.cleaned_data["kind"], actor=request.user
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            created = {
                "device": device,
                "token": token,
                "url": request.build_absolute_uri(reverse("approvals:hall-device-login"))
                + f"?token={token}",
            }
            form = DeviceForm()
    return render(
        request,
        "approvals/hall/devices.html",
        {"form": form, "created": created, "devices": HallDevice.objects.all()},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(roles.SUPERVISOR)
def device_revoke(request, pk: int):
    device = get_object_or_404(HallDevice, pk=pk)
    services.hall_device_revoke(device=device, actor=request.user)
    messages.success(request, _("已停用设备：%(name)s") % {"name": device.name})
    return redirect("approvals:hall-devices")


# --- appointment capacity --------------------------------------------------------------------


class CapacityForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=BusinessCategory.objects.filter(is_active=True),
        required=False,
        label=gettext_lazy("业务类别"),
        empty_label=gettext_lazy("所有类别"),
    )
    start_time = forms.TypedChoiceField(
        label=gettext_lazy("时段开始"), required=False, coerce=time.fromisoformat, empty_value=None
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("每时段可约人数"),
        min_value=0,
        max_value=services.MAX_SLOT_CAPACITY,
        help_text=gettext_lazy("0 表示该时段不开放预约。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_time"].choices = [("", _("所有时段"))] + [
            (s.strftime("%H:%M"), s.strftime("%H:%M")) for s in sel.slot_starts()
        ]


@role_required(roles.SUPERVISOR)
def capacity(request):
    form = CapacityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_capacity_set(actor=request.user, **form.cleaned_data)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("预约容量已保存。"))
            return redirect("approvals:hall-capacity")
    rows = AppointmentCapacity.objects.select_related("category").order_by(
        "category__order", "category_id", "start_time"
    )
    return render(
        request,
        "approvals/hall/capacity.html",
        {"form": form, "rows": rows, "default": sel.DEFAULT_SLOT_CAPACITY},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(roles.SUPERVISOR)
def capacity_delete(request, pk: int):
    row = get_object_or_404(AppointmentCapacity, pk=pk)
    services.appointment_capacity_delete(row=row, actor=request.user)
    messages.success(request, _("已删除该设置。"))
    return redirect("approvals:hall-capacity")


# --- calling ---------------------------------------------------------------------------------


def _walk_in_url(ticket: Ticket | None) -> str:
    """The intake page for the resident of this ticket, once the intake area provides it."""
    if ticket is None:
        return ""
    try:
        return f"{reverse('approvals:walk-in')}?ticket={ticket.pk}"
    except NoReverseMatch:
        return ""


def _chosen_window(request, windows: list[Window]) -> Window | None:
    wanted = request.GET.get("window") or request.session.get(SESSION_WINDOW)
    for window in windows:
        if str(window.number) == str(wanted):
            return window
    return windows[0] if windows else None


def _render_calling(request, window: Window | None, windows, *, resident_query="", status=200):
    day = timezone.localdate()
    current = sel.current_ticket(window) if window else None
    context = {
        "windows": windows,
        "window": window,
        "current": current,
        "queue": sel.window_queue(window=window, day=day) if window else [],
        "recent": sel.served_today(window=window, day=day) if window else [],
        "walk_in_url": _walk_in_url(current),
        "transfer_categories": sel.active_categories().exclude(
            pk=getattr(current, "category_id", None)
        ),
        "resident_query": resident_query,
    }
    return render(request, "approvals/hall/calling.html", context, status=status)


@role_required(roles.WINDOW_CLERK)
def calling(request):
    windows = list(sel.clerk_windows(request.user))
    window = _chosen_window(request, windows)
    if window is not None:
        request.session[SESSION_WINDOW] = window.number
    return _render_calling(request, window, windows)


@role_required(roles.WINDOW_CLERK)
def calling_queue(request, number: int):
    window = get_object_or_404(sel.clerk_windows(request.user), number=number)
    return render(
        request,
        "approvals/hall/_calling_queue.html",
        {"window": window, "queue": sel.window_queue(window=window, day=timezone.localdate())},
    )


def _back_to_window(number) -> HttpResponse:
    return redirect(f"{reverse('approvals:calling')}?window={number}")


@require_POST
@role_required(roles.WINDOW_CLERK)
def call_next(request, number: int):
    window = get_object_or_404(Window, number=number)
    try:
        ticket = services.ticket_call_next(window=window, clerk=request.user)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        if ticket is None:
            messages.info(request, _("暂无等候的号。"))
        else:
            messages.success(
                request,
                _("已叫 %(number)s 号（%(category)s）。")
                % {"number": ticket.number, "category": ticket.category.display_name},
            )
    return _back_to_window(number)


ACTIONS = {
    "recall": (services.ticket_recall, gettext_lazy("已重呼 %(number)s 号。")),
    "no-show": (services.ticket_no_show, gettext_lazy("%(number)s 号已过号。")),
    "finish": (services.ticket_finish, gettext_lazy("%(number)s 号已办结。")),
}


@require_POST
@role_required(roles.WINDOW_CLERK)
def ticket_action(request, pk: int, action: str):
    ticket = get_object_or_404(Ticket.objects.select_related("window"), pk=pk)
    number = request.POST.get("window") or (ticket.window.number if ticket.window else "")
    try:
        if action == "transfer":
            category = BusinessCategory.objects.filter(
                pk=request.POST.get("category")
                if str(request.POST.get("category", "")).isdigit()
                else None
            ).first()
            ticket = services.ticket_transfer(ticket=ticket, clerk=request.user, category=category)
            messages.success(
                request,
                _("%(number)s 号已转到“%(category)s”排队。")
                % {"number": ticket.number, "category": ticket.category.display_name},
            )
        elif action in ACTIONS:
            service, message = ACTIONS[action]
            ticket = service(ticket=ticket, clerk=request.user)
            messages.success(request, message % {"number": ticket.number})
        else:
            raise PermissionDenied
    except ActionError as error:
        messages.error(request, error.message)
    return _back_to_window(number)


@require_POST
@role_required(roles.WINDOW_CLERK)
def ticket_resident(request, pk: int):
    ticket = get_object_or_404(Ticket.objects.select_related("window"), pk=pk)
    query = request.POST.get("resident", "").strip()
    windows = list(sel.clerk_windows(request.user))
    window = ticket.window if ticket.window in windows else _chosen_window(request, windows)
    resident = sel.find_resident(query)
    if resident is None:
        messages.error(request, _("没有找到该手机号或身份证号对应的群众账号。"))
        return _render_calling(request, window, windows, resident_query=query, status=400)
    try:
        services.ticket_set_resident(ticket=ticket, clerk=request.user, resident=resident)
    except ActionError as error:
        messages.error(request, error.message)
        return _render_calling(request, window, windows, resident_query=query, status=400)
    messages.success(
        request,
        _("已登记办事群众：%(name)s（%(id)s）")
        % {"name": resident.display_name, "id": resident.id_number_masked},
    )
    return _back_to_window(window.number if window else "")


# --- appointments ----------------------------------------------------------------------------


class BookingForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=BusinessCategory.objects.filter(is_active=True),
        label=gettext_lazy("业务类别"),
        empty_label=gettext_lazy("请选择"),
    )
    day = forms.TypedChoiceField(
        label=gettext_lazy("日期"), coerce=date.fromisoformat, empty_value=None
    )
    start_time = forms.TypedChoiceField(
        label=gettext_lazy("时段"),
        coerce=time.fromisoformat,
        empty_value=None,
        error_messages={"required": gettext_lazy("请选择一个时段。")},
    )

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", _("请选择"))] + [
            (d.isoformat(), f"{date_format(d, 'Y-m-d')} {date_format(d, 'l')}") for d in days
        ]
        self.fields["start_time"].choices = [
            (s.strftime("%H:%M"), s.strftime("%H:%M")) for s in sel.slot_starts()
        ]


def _selected(form: BookingForm, data) -> tuple[BusinessCategory | None, date | None]:
    """The category and day picked so far (for listing slots), valid or not yet complete."""
    category = day = None
    raw_category, raw_day = data.get("category", ""), data.get("day", "")
    if str(raw_category).isdigit():
        category = sel.active_categories().filter(pk=raw_category).first()
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        day = None
    return category, day


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI (the kiosk's scanner types the code it reads)."""
    import base64
    import io

    import qrcode
    from qrcode.image.svg import SvgPathImage

    buffer = io.BytesIO()
    qrcode.make(text, image_factory=SvgPathImage, box_size=8, border=2).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _appointments_context(request, form, data):
    category, day = _selected(form, data)
    mine = list(sel.appointments_of(request.user)[:20])
    today = timezone.localdate()
    for appointment in mine:
        appointment.qr = (
            qr_data_uri(appointment.code)
            if appointment.status == "booked" and appointment.day >= today
            else ""
        )
    return {
        "form": form,
        "category": category,
        "day": day,
        "slots": sel.slots_for(category=category, day=day) if category and day else None,
        "chosen_start": data.get("start_time", ""),
        "mine": mine,
        "today": today,
    }


@role_required(roles.CITIZEN, roles.PROXY_AGENT)
def appointments(request):
    days = sel.bookable_days()
    data = request.POST if request.method == "POST" else request.GET
    form = BookingForm(data if request.method == "POST" else None, days=days, initial=data.dict())
    if request.method == "POST":
        if form.is_valid():
            try:
                appointment = services.appointment_book(
                    citizen=request.user,
                    category=form.cleaned_data["category"],
                    day=form.cleaned_data["day"],
                    start_time=form.cleaned_data["start_time"],
                )
            except ActionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("预约成功：%(day)s %(time)s %(category)s，签到码 %(code)s。")
                    % {
                        "day": date_format(appointment.day, "Y-m-d"),
                        "time": appointment.start_time.strftime("%H:%M"),
                        "category": appointment.category.display_name,
                        "code": appointment.code,
                    },
                )
                return redirect("approvals:appointments")
    return render(
        request,
        "approvals/hall/appointments.html",
        _appointments_context(request, form, data),
        status=400 if form.errors else 200,
    )


@role_required(roles.CITIZEN, roles.PROXY_AGENT)
def appointment_slots(request):
    form = BookingForm(days=sel.bookable_days())
    return render(
        request,
        "approvals/hall/_slots.html",
        _appointments_context(request, form, request.GET),
    )


@require_POST
@role_required(roles.CITIZEN, roles.PROXY_AGENT)
def appointment_cancel(request, pk: int):
    appointment = get_object_or_404(Appointment, pk=pk, citizen=request.user)
    try:
        services.appointment_cancel(appointment=appointment, actor=request.user)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("预约已取消。"))
    return redirect("approvals:appointments")


# --- figures ---------------------------------------------------------------------------------


class FiguresForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("开始日期"), required=False)
    end = forms.DateField(label=gettext_lazy("结束日期"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        if start and end and (end - start).days > 366:
            self.add_error("end", _("一次最多查询一年。"))
        for name in ("start", "end"):
            value = data.get(name)
            if value and not sel.FIRST_DAY <= value <= sel.LAST_DAY:
                self.add_error(name, _("日期超出范围。"))
        return data


def _in_minutes(figures: dict) -> dict:
    """Seconds to minutes (one decimal) for the page; the API keeps seconds."""

    def convert(row: dict) -> dict:
        return {
            **row,
            **{
                f"{key}_min": None if row.get(key) is None else round(row[key] / 60, 1)
                for key in sel.DURATIONS
            },
        }

    return {
        **figures,
        "overall": convert(figures["overall"]),
        **{key: [convert(r) for r in figures[key]] for key in sel.FIGURE_GROUPS},
    }


@role_required(roles.SUPERVISOR)
def figures(request):
    form = FiguresForm(request.GET or None)
    today = timezone.localdate()
    start = end = today
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or today
        end = form.cleaned_data.get("end") or start
    return render(
        request,
        "approvals/hall/figures.html",
        {"form": form, "figures": _in_minutes(sel.hall_figures(start=start, end=end))},
        status=400 if form.errors else 200,
    )
