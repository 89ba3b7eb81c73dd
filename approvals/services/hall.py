"""Every state change of the hall: tickets, calls, appointments and hall devices.
Keyword-only, atomic, row-locked, audited.

Concurrency:
- a ticket number comes from one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on the
  per-category, per-day counter row: the row lock it takes serialises the kiosks of one
  category until the ticket is committed, and the first ticket of the day cannot race. Under
  that lock the ticket's taking time is made no earlier than the previous number's, so that
  "priority, then taking time" — the call order — is the number order within a category,
  however the kiosks' requests interleave (issue 16: Z005 was called before Z001);
- "call next" locks the window row (two clerks at one window queue up behind each other)
  and takes the first waiting ticket with ``select_for_update(skip_locked=True)``, so two
  windows pressing at the same moment each get a different ticket without waiting;
- every other ticket action locks the ticket row and answers Conflict (409) when the ticket
  moved on since the caller saw it;
- booking locks the slot row, so the last place of a slot goes to exactly one citizen.

``now`` is a parameter everywhere so that tests and the bench can drive the clock."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from approvals.models import (
    Appointment,
    AppointmentCapacity,
    AppointmentSlot,
    BusinessCategory,
    HallDevice,
    Ticket,
    TicketCall,
    TicketCounter,
)
from approvals.selectors import hall as sel
from portal import audit, roles, workdays
from portal.errors import ActionError, Conflict, Forbidden, NotFound
from portal.models import User, Window

TICKET_DIGITS = 3
DEVICE_TOUCH_SECONDS = 60


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _actor(actor=None, device: HallDevice | None = None):
    """What the audit trail records as the actor: the person, else the hall device."""
    if getattr(actor, "pk", None):
        return actor
    if device is not None:
        return f"device:{device.name}"[:128]
    return "system"


def format_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:0{TICKET_DIGITS}d}"


# --- tickets ---------------------------------------------------------------------------------


def _next_sequence(category_id: int, day, now: datetime) -> tuple[int, datetime]:
    """Bump the day's counter of a category; return the new number and its taking time: ``now``,
    or the previous number's time when that is later (must run inside the ticket's
    transaction: the counter row stays locked until it commits)."""
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (category_id, day, last_number) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (category_id, day) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [category_id, day],
        )
        sequence = cursor.fetchone()[0]
    counter = TicketCounter.objects.filter(category_id=category_id, day=day)
    previous = counter.values_list("last_taken_at", flat=True).first()
    taken_at = max(now, previous) if previous else now
    counter.update(last_taken_at=taken_at)
    return sequence, taken_at


@transaction.atomic
def ticket_take(
    *,
    category: BusinessCategory,
    source: str,
    actor=None,
    device: HallDevice | None = None,
    priority_reason: str = "",
    resident: User | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Issue the next number of a category for today."""
    now = _now(now)
    if category is None or not category.is_active:
        raise ActionError(
            _("请选择一个在办的业务类别。"),
            code="category_inactive",
            fields={"category": _("该业务类别不存在或已停用。")},
        )
    if priority_reason not in Ticket.PriorityReason.values:
        raise ActionError(
            _("优先原因无效。"),
            code="invalid_priority",
            fields={"priority_reason": _("请选择老年人、残疾人或留空。")},
        )
    if source not in Ticket.Source.values:
        raise ActionError(_("取号方式无效。"), code="invalid_source", fields={"source": source})
    day = timezone.localdate(now)
    sequence, now = _next_sequence(category.pk, day, now)
    ticket = Ticket.objects.create(
        category=category,
        issued_category=category,
        day=day,
        sequence=sequence,
        number=format_number(category.ticket_prefix, sequence),
        is_priority=bool(priority_reason),
        priority_reason=priority_reason,
        source=source,
        taken_at=now,
        queued_at=now,
        resident=resident,
    )
    audit.record(
        actor=_actor(actor, device),
        action="hall.ticket_take",
        obj=ticket,
        after={
            "number": ticket.number,
            "category": category.code,
            "priority_reason": priority_reason,
            "source": source,
        },
    )
    return ticket


def _require_window(clerk, window: Window) -> None:
    if not sel.clerk_serves(clerk, window):
        raise Forbidden(
            _("您不在 %(number)s 号窗口值守，不能在此叫号。") % {"number": window.number},
            code="not_your_window",
        )


@transaction.atomic
def ticket_call_next(*, window: Window, clerk, now: datetime | None = None) -> Ticket | None:
    """Call the next waiting ticket of the categories the window serves: priority first, then
    the oldest. None when nobody is waiting."""
    now = _now(now)
    _require_window(clerk, window)
    # Serialise the clerks of this window; other windows are not held up.
    window = Window.objects.select_for_update().get(pk=window.pk)
    busy = Ticket.objects.filter(window=window, status=Ticket.Status.CALLED).first()
    if busy is not None:
        raise Conflict(
            _("本窗口的 %(number)s 号还在办理中，请先办结、过号或转类别。")
            % {"number": busy.number},
            code="window_busy",
        )
    category_ids = sel.window_category_ids(window)
    if not category_ids:
        raise ActionError(
            _("%(number)s 号窗口没有配置服务的业务类别。") % {"number": window.number},
            code="window_without_categories",
        )
    ticket = (
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(
            day=timezone.localdate(now),
            status=Ticket.Status.WAITING,
            category_id__in=category_ids,
        )
        .order_by("-is_priority", "taken_at", "id")
        .first()
    )
    if ticket is None:
        return None
    ticket.status = Ticket.Status.CALLED
    ticket.window = window
    ticket.clerk = clerk
    ticket.called_at = now
    ticket.save(update_fields=["status", "window", "clerk", "called_at"])
    TicketCall.objects.create(
        ticket=ticket,
        category_id=ticket.category_id,
        window=window,
        clerk=clerk,
        queued_at=ticket.queued_at,
        called_at=now,
        announced_at=now,
    )
    audit.record(
        actor=clerk,
        action="hall.ticket_call",
        obj=ticket,
        after={
            "window": window.number,
            "wait_seconds": int((now - ticket.queued_at).total_seconds()),
        },
    )
    return ticket


def _lock_current(ticket: Ticket, clerk) -> tuple[Ticket, TicketCall]:
    """Lock a ticket that is being served; Conflict when it no longer is."""
    try:
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    except Ticket.DoesNotExist:
        raise NotFound(_("没有这个号。"), code="ticket_not_found") from None
    if locked.status != Ticket.Status.CALLED:
        raise Conflict(
            _("%(number)s 号已不在办理中（现为：%(status)s），请刷新。")
            % {"number": locked.number, "status": locked.get_status_display()},
            code="ticket_not_called",
        )
    if ticket.window_id and locked.window_id != ticket.window_id:
        raise Conflict(
            _("%(number)s 号已被其他窗口叫走，请刷新。") % {"number": locked.number},
            code="ticket_moved",
        )
    _require_window(clerk, locked.window)
    call = TicketCall.objects.select_for_update().get(ticket=locked, outcome="")
    return locked, call


def _close(ticket: Ticket, call: TicketCall, *, outcome: str, now: datetime) -> None:
    call.outcome = outcome
    call.ended_at = now
    call.save(update_fields=["outcome", "ended_at"])


@transaction.atomic
def ticket_recall(*, ticket: Ticket, clerk, now: datetime | None = None) -> Ticket:
    """Announce the current ticket again on the hall screen."""
    now = _now(now)
    ticket, call = _lock_current(ticket, clerk)
    call.announced_at = now
    call.announcements += 1
    call.save(update_fields=["announced_at", "announcements"])
    audit.record(
        actor=clerk,
        action="hall.ticket_recall",
        obj=ticket,
        after={"window": ticket.window.number, "announcements": call.announcements},
    )
    return ticket


@transaction.atomic
def ticket_no_show(*, ticket: Ticket, clerk, now: datetime | None = None) -> Ticket:
    """The resident did not come to the window: the ticket is passed (过号)."""
    now = _now(now)
    ticket, call = _lock_current(ticket, clerk)
    _close(ticket, call, outcome=TicketCall.Outcome.NO_SHOW, now=now)
    ticket.status = Ticket.Status.NO_SHOW
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at"])
    audit.record(actor=clerk, action="hall.ticket_no_show", obj=ticket)
    return ticket


@transaction.atomic
def ticket_finish(*, ticket: Ticket, clerk, now: datetime | None = None) -> Ticket:
    now = _now(now)
    ticket, call = _lock_current(ticket, clerk)
    _close(ticket, call, outcome=TicketCall.Outcome.FINISHED, now=now)
    ticket.status = Ticket.Status.FINISHED
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at"])
    audit.record(
        actor=clerk,
        action="hall.ticket_finish",
        obj=ticket,
        after={"service_seconds": int((now - call.called_at).total_seconds())},
    )
    return ticket


@transaction.atomic
def ticket_transfer(
    *, ticket: Ticket, clerk, category: BusinessCategory, now: datetime | None = None
) -> Ticket:
    """Send the ticket to the queue of another category. It keeps its number and its place by
    the time it was taken, so it is called before everyone who came after it."""
    now = _now(now)
    if category is None or not category.is_active:
        raise ActionError(
            _("请选择一个在办的业务类别。"),
            code="category_inactive",
            fields={"category": _("该业务类别不存在或已停用。")},
        )
    ticket, call = _lock_current(ticket, clerk)
    if category.pk == ticket.category_id:
        raise ActionError(
            _("请选择另一个业务类别。"),
            code="same_category",
            fields={"category": _("该号已在这个类别排队。")},
        )
    before = ticket.category.code
    _close(ticket, call, outcome=TicketCall.Outcome.TRANSFERRED, now=now)
    ticket.status = Ticket.Status.WAITING
    ticket.category = category
    ticket.queued_at = now
    ticket.window = None
    ticket.clerk = None
    ticket.called_at = None
    ticket.save(update_fields=["status", "category", "queued_at", "window", "clerk", "called_at"])
    audit.record(
        actor=clerk,
        action="hall.ticket_transfer",
        obj=ticket,
        before={"category": before},
        after={"category": category.code},
    )
    return ticket


@transaction.atomic
def ticket_set_resident(*, ticket: Ticket, clerk, resident: User) -> Ticket:
    """Record who the resident at the window is (optional; links the ticket to a person)."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status not in (Ticket.Status.CALLED, Ticket.Status.FINISHED):
        raise Conflict(
            _("%(number)s 号不在办理中，不能登记办事群众。") % {"number": locked.number},
            code="ticket_not_called",
        )
    _require_window(clerk, locked.window)
    before = locked.resident_id
    locked.resident = resident
    locked.save(update_fields=["resident"])
    audit.record(
        actor=clerk,
        action="hall.ticket_resident",
        obj=locked,
        before={"resident": before},
        after={"resident": resident.pk},
    )
    return locked


@transaction.atomic
def tickets_expire(*, now: datetime | None = None) -> int:
    """Close yesterday's queue: tickets of earlier days still waiting or being served are
    expired (作废), open calls closed. Returns the number of tickets expired."""
    now = _now(now)
    today = timezone.localdate(now)
    stale = list(
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(day__lt=today, status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED])
        .values_list("pk", flat=True)
    )
    if not stale:
        return 0
    TicketCall.objects.filter(ticket_id__in=stale, outcome="").update(
        outcome=TicketCall.Outcome.EXPIRED, ended_at=now
    )
    Ticket.objects.filter(pk__in=stale).update(status=Ticket.Status.EXPIRED, finished_at=now)
    audit.record(
        actor="system", action="hall.tickets_expire", obj=None, after={"tickets": len(stale)}
    )
    return len(stale)


# --- appointments ----------------------------------------------------------------------------


def _slot_error(message: str, code: str, field: str = "start_time") -> ActionError:
    return ActionError(message, code=code, fields={field: message})


def _new_code(day) -> str:
    for _attempt in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        if not Appointment.objects.filter(day=day, code=code).exists():
            return code
    raise Conflict(_("签到码分配繁忙，请重试。"), code="code_busy")  # pragma: no cover


@transaction.atomic
def appointment_book(
    *,
    citizen: User,
    category: BusinessCategory,
    day,
    start_time: time,
    now: datetime | None = None,
) -> Appointment:
    """Book a half-hour slot of a working day within the booking horizon."""
    now = _now(now)
    if not citizen.has_role(roles.CITIZEN, roles.PROXY_AGENT):
        raise Forbidden(_("只有群众可以预约。"), code="citizens_only")
    if category is None or not category.is_active:
        raise ActionError(
            _("请选择一个在办的业务类别。"),
            code="category_inactive",
            fields={"category": _("该业务类别不存在或已停用。")},
        )
    today = timezone.localdate(now)
    if day < today:
        raise ActionError(
            _("该时段已开始或已过去，请选择以后的时段。"),
            code="slot_past",
            fields={"day": _("日期已过。")},
        )
    horizon = workdays.add_working_days(today, sel.BOOKING_HORIZON_WORKING_DAYS)
    if day > horizon:
        raise ActionError(
            _("最多可预约 %(days)s 个工作日内（至 %(last)s）。")
            % {"days": sel.BOOKING_HORIZON_WORKING_DAYS, "last": date_format(horizon, "Y-m-d")},
            code="beyond_horizon",
            fields={"day": _("日期太远。")},
        )
    if not workdays.is_working_day(day):
        raise ActionError(
            _("%(day)s 不是工作日，大厅不办公。") % {"day": date_format(day, "Y-m-d")},
            code="not_working_day",
            fields={"day": _("请选择工作日。")},
        )
    if start_time not in sel.slot_starts():
        raise _slot_error(_("请选择列出的半小时时段。"), "invalid_slot")
    begin, _end = sel.slot_bounds(day, start_time)
    if begin <= now:
        raise _slot_error(_("该时段已开始或已过去，请选择以后的时段。"), "slot_past")
    AppointmentSlot.objects.bulk_create(
        [AppointmentSlot(category=category, day=day, start_time=start_time)],
        ignore_conflicts=True,
    )
    AppointmentSlot.objects.select_for_update().get(
        category=category, day=day, start_time=start_time
    )
    active = [Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN]
    if Appointment.objects.filter(
        citizen=citizen, category=category, day=day, status__in=active
    ).exists():
        raise ActionError(
            _("您当天已预约过该类业务，如需改时段请先取消原预约。"),
            code="already_booked",
            fields={"day": _("当天已有该类别的预约。")},
        )
    taken = Appointment.objects.filter(
        category=category, day=day, start_time=start_time, status__in=active
    ).count()
    if taken >= sel.slot_capacity(category, start_time):
        raise Conflict(
            _("该时段已约满，请选择其他时段。"),
            code="slot_full",
            fields={"start_time": [_("已约满。")]},
        )
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                citizen=citizen,
                category=category,
                day=day,
                start_time=start_time,
                code=_new_code(day),
            )
    except IntegrityError:
        # The same citizen booking the same day from two tabs at once.
        raise ActionError(
            _("您当天已预约过该类业务，如需改时段请先取消原预约。"),
            code="already_booked",
            fields={"day": _("当天已有该类别的预约。")},
        ) from None
    audit.record(
        actor=citizen,
        action="hall.appointment_book",
        obj=appointment,
        after={"category": category.code, "day": day, "start_time": start_time},
    )
    return appointment


def _lock_appointment(appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("category", "citizen")
        .get(pk=appointment.pk)
    )
    if locked.status != Appointment.Status.BOOKED:
        raise Conflict(
            _("该预约已是“%(status)s”状态，不能再操作。") % {"status": locked.get_status_display()},
            code="appointment_not_booked",
        )
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor, now: datetime | None = None):
    now = _now(now)
    if appointment.citizen_id != getattr(actor, "pk", None) and not actor.has_role(
        roles.WINDOW_CLERK, roles.SUPERVISOR
    ):
        raise Forbidden(_("只能取消自己的预约。"), code="not_your_appointment")
    appointment = _lock_appointment(appointment)
    begin, _end = sel.slot_bounds(appointment.day, appointment.start_time)
    if begin <= now:
        raise ActionError(_("预约时段已开始，不能再取消。"), code="too_late_to_cancel")
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_at = now
    appointment.save(update_fields=["status", "cancelled_at"])
    audit.record(actor=actor, action="hall.appointment_cancel", obj=appointment)
    return appointment


@transaction.atomic
def appointment_check_in(
    *,
    appointment: Appointment | None = None,
    code: str = "",
    actor=None,
    device: HallDevice | None = None,
    now: datetime | None = None,
) -> Appointment:
    """On arrival: the appointment becomes a priority ticket of its category. Open from an hour
    before the slot until a quarter of an hour after it ends."""
    now = _now(now)
    today = timezone.localdate(now)
    if appointment is None:
        code = (code or "").strip()
        appointment = Appointment.objects.filter(day=today, code=code).first() if code else None
        if appointment is None:
            raise ActionError(
                _("没有找到今天的这个签到码，请核对。"),
                code="appointment_not_found",
                fields={"code": _("签到码不正确或不是今天的预约。")},
            )
    appointment = _lock_appointment(appointment)
    opens, closes = sel.check_in_window(appointment.day, appointment.start_time)
    if appointment.day != today:
        raise ActionError(
            _("预约日期是 %(day)s，不是今天。") % {"day": date_format(appointment.day, "Y-m-d")},
            code="check_in_closed",
            fields={"code": _("不在签到时间内。")},
        )
    if now > closes:
        raise ActionError(
            _("已过签到时间（%(time)s 前），请取普通号。")
            % {"time": time_format(timezone.localtime(closes).time(), "H:i")},
            code="check_in_closed",
            fields={"code": _("不在签到时间内。")},
        )
    if now < opens:
        raise ActionError(
            _("签到从 %(time)s 开始，请稍后再来。")
            % {"time": time_format(timezone.localtime(opens).time(), "H:i")},
            code="check_in_not_open",
            fields={"code": _("还未到签到时间。")},
        )
    ticket = ticket_take(
        category=appointment.category,
        source=Ticket.Source.APPOINTMENT,
        priority_reason=Ticket.PriorityReason.APPOINTMENT,
        actor=actor,
        device=device,
        resident=appointment.citizen,
        now=now,
    )
    appointment.status = Appointment.Status.CHECKED_IN
    appointment.ticket = ticket
    appointment.checked_in_at = now
    appointment.save(update_fields=["status", "ticket", "checked_in_at"])
    audit.record(
        actor=_actor(actor, device),
        action="hall.appointment_check_in",
        obj=appointment,
        after={"ticket": ticket.number},
    )
    return appointment


@transaction.atomic
def appointments_mark_no_shows(*, now: datetime | None = None) -> int:
    """Booked appointments whose check-in time has passed are recorded as no-shows."""
    now = _now(now)
    today = timezone.localdate(now)
    grace = timedelta(minutes=sel.SLOT_MINUTES + sel.NO_SHOW_GRACE_MINUTES)
    local = timezone.localtime(now)
    latest_start = (local - grace).time() if (local - grace).date() == today else None
    past = Q(day__lt=today)
    if latest_start is not None:
        past |= Q(day=today, start_time__lt=latest_start)
    due = list(
        Appointment.objects.select_for_update(skip_locked=True)
        .filter(past, status=Appointment.Status.BOOKED)
        .order_by("id")
    )
    for appointment in due:
        appointment.status = Appointment.Status.NO_SHOW
        appointment.no_show_at = now
        appointment.save(update_fields=["status", "no_show_at"])
        audit.record(actor="system", action="hall.appointment_no_show", obj=appointment)
    return len(due)


def hall_sweep(*, now: datetime | None = None) -> dict:
    """The periodic job: appointment no-shows and yesterday's leftover tickets."""
    return {
        "no_shows": appointments_mark_no_shows(now=now),
        "expired_tickets": tickets_expire(now=now),
    }


# --- appointment capacity --------------------------------------------------------------------

MAX_SLOT_CAPACITY = 200


@transaction.atomic
def appointment_capacity_set(
    *,
    capacity: int,
    actor,
    category: BusinessCategory | None = None,
    start_time: time | None = None,
) -> AppointmentCapacity:
    """Set how many appointments a slot takes, for a category and/or a start time (None: all).
    0 closes the slot to booking; appointments already made are kept."""
    if not isinstance(capacity, int) or not 0 <= capacity <= MAX_SLOT_CAPACITY:
        raise ActionError(
            _("每时段可约人数应为0到%(max)s之间的整数。") % {"max": MAX_SLOT_CAPACITY},
            code="invalid_capacity",
            fields={"capacity": _("请输入0到%(max)s。") % {"max": MAX_SLOT_CAPACITY}},
        )
    if start_time is not None and start_time not in sel.slot_starts():
        raise _slot_error(_("请选择列出的半小时时段。"), "invalid_slot")
    row = (
        AppointmentCapacity.objects.select_for_update()
        .filter(category=category, start_time=start_time)
        .first()
    )
    before = row.capacity if row else None
    if row is None:
        try:
            with transaction.atomic():
                row = AppointmentCapacity.objects.create(
                    category=category, start_time=start_time, capacity=capacity
                )
        except IntegrityError:
            raise Conflict(
                _("他人刚刚修改了这一设置，请刷新后再试。"), code="capacity_changed"
            ) from None
    else:
        row.capacity = capacity
        row.save(update_fields=["capacity"])
    audit.record(
        actor=actor,
        action="hall.capacity_set",
        obj=row,
        before={"capacity": before},
        after={"capacity": capacity},
    )
    return row


@transaction.atomic
def appointment_capacity_delete(*, row: AppointmentCapacity, actor) -> None:
    audit.record(
        actor=actor, action="hall.capacity_delete", obj=row, before={"capacity": row.capacity}
    )
    AppointmentCapacity.objects.filter(pk=row.pk).delete()


# --- hall devices ----------------------------------------------------------------------------


@transaction.atomic
def hall_device_register(
    *, name: str, kind: str, actor, token: str | None = None
) -> tuple[HallDevice, str]:
    """Register a hall TV or kiosk; returns the device and its token, shown only this once.
    ``token`` is for the demo's known devices only; a real one is always random."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ActionError(
            _("请填写设备名称（不超过64字）。"), code="invalid_name", fields={"name": _("必填。")}
        )
    if kind not in HallDevice.Kind.values:
        raise ActionError(_("设备类型无效。"), code="invalid_kind", fields={"kind": _("必选。")})
    token = token or secrets.token_urlsafe(24)
    device = HallDevice.objects.create(
        name=name, kind=kind, token_hash=sel.token_hash(token), created_by=actor
    )
    audit.record(actor=actor, action="hall.device_register", obj=device, after={"kind": kind})
    return device, token


@transaction.atomic
def hall_device_revoke(*, device: HallDevice, actor) -> HallDevice:
    device = HallDevice.objects.select_for_update().get(pk=device.pk)
    device.is_active = False
    device.save(update_fields=["is_active"])
    audit.record(actor=actor, action="hall.device_revoke", obj=device)
    return device


def hall_device_touch(device: HallDevice, *, now: datetime | None = None) -> None:
    """Remember when a device was last seen (at most once a minute: the screen polls)."""
    now = _now(now)
    if device.last_seen_at and (now - device.last_seen_at).total_seconds() < DEVICE_TOUCH_SECONDS:
        return
    HallDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
    device.last_seen_at = now
