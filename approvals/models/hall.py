"""The hall (大厅): tickets, calls, the hall devices and appointments.

A resident takes a **ticket** of a business category; its number (A001…) comes from a
per-category, per-day **counter** row bumped by one atomic upsert, so numbers never repeat. A
clerk at a window **calls** the next waiting ticket of the categories the window serves; each
time a ticket is called at a window a **TicketCall** row records who, where, when and how it
ended — the waiting and service figures are SQL aggregates over those rows. Appointments book
a half-hour slot of a working day; checking in turns one into a priority ticket.

State changes live in approvals.services.hall; reads in approvals.selectors.hall."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from approvals.models.register import BusinessCategory
from portal.models import Window


class TicketCounter(models.Model):
    """The last number issued for one category on one day. Bumped by a single
    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (approvals.services.hall), so two kiosks
    taking a number at the same moment always get different numbers."""

    category = models.ForeignKey(
        BusinessCategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("业务类别")
    )
    day = models.DateField(_("日期"))
    last_number = models.PositiveIntegerField(_("已发号数"), default=0)
    # The taking time of the last number: a later number never carries an earlier time, so
    # the call order (priority, taking time) is the number order within a category.
    last_taken_at = models.DateTimeField(_("最后取号时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("取号计数器")
        verbose_name_plural = _("取号计数器")
        constraints = [
            models.UniqueConstraint(fields=["category", "day"], name="ticket_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.day} {self.last_number}"


class Ticket(models.Model):
    """One queue number of one day."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("办理中")
        FINISHED = "finished", _("已办结")
        NO_SHOW = "no_show", _("过号")
        EXPIRED = "expired", _("已作废")

    class PriorityReason(models.TextChoices):
        NONE = "", _("普通")
        ELDERLY = "elderly", _("老年人")
        DISABLED = "disabled", _("残疾人")
        APPOINTMENT = "appointment", _("预约")

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("自助取号")
        CLERK = "clerk", _("窗口代取")
        APPOINTMENT = "appointment", _("预约签到")
        API = "api", _("接口")

    category = models.ForeignKey(
        BusinessCategory,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("当前业务类别"),
        help_text=_("转类别后为新类别；号码不变。"),
    )
    issued_category = models.ForeignKey(
        BusinessCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("取号类别"),
    )
    day = models.DateField(_("日期"))
    sequence = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=12)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.WAITING
    )
    is_priority = models.BooleanField(_("优先"), default=False)
    priority_reason = models.CharField(
        _("优先原因"), max_length=16, choices=PriorityReason.choices, blank=True, default=""
    )
    source = models.CharField(_("取号方式"), max_length=16, choices=Source.choices)
    taken_at = models.DateTimeField(_("取号时间"))
    queued_at = models.DateTimeField(_("入队时间"), help_text=_("取号时间，或转类别的时间。"))
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("窗口"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("叫号人员"),
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hall_tickets",
        verbose_name=_("办事群众"),
    )

    class Meta:
        ordering = ["-day", "-is_priority", "taken_at", "id"]
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        constraints = [
            models.UniqueConstraint(
                fields=["issued_category", "day", "sequence"], name="ticket_sequence_unique"
            ),
            models.UniqueConstraint(fields=["day", "number"], name="ticket_number_unique"),
            # A window serves one ticket at a time, whatever two clerks press at once.
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status="called"),
                name="ticket_one_current_per_window",
            ),
            models.CheckConstraint(
                condition=~Q(status="called") | Q(window__isnull=False, called_at__isnull=False),
                name="ticket_called_has_window",
            ),
            models.CheckConstraint(
                condition=Q(is_priority=False, priority_reason="")
                | Q(is_priority=True) & ~Q(priority_reason=""),
                name="ticket_priority_has_reason",
            ),
        ]
        indexes = [
            # The calling query: waiting tickets of a category today, priority first, oldest.
            models.Index(
                "day",
                "category",
                models.F("is_priority").desc(),
                "taken_at",
                "id",
                name="ticket_waiting_queue_idx",
                condition=Q(status="waiting"),
            ),
            models.Index(fields=["day", "status"], name="ticket_day_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.day:%Y-%m-%d}）"


class TicketCall(models.Model):
    """One call of a ticket at a window: from the call (and recalls) to its outcome. A ticket
    transferred to another category is called again, so it may have several calls; the
    waiting time of a call runs from ``queued_at``, the service time from ``called_at``."""

    class Outcome(models.TextChoices):
        FINISHED = "finished", _("办结")
        NO_SHOW = "no_show", _("过号")
        TRANSFERRED = "transferred", _("转类别")
        EXPIRED = "expired", _("日终作废")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="calls", verbose_name=_("排队号")
    )
    category = models.ForeignKey(
        BusinessCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("业务类别")
    )
    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, related_name="ticket_calls", verbose_name=_("窗口")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ticket_calls",
        verbose_name=_("叫号人员"),
    )
    queued_at = models.DateTimeField(_("入队时间"))
    called_at = models.DateTimeField(_("叫号时间"))
    announced_at = models.DateTimeField(_("最近播报时间"))
    announcements = models.PositiveSmallIntegerField(_("播报次数"), default=1)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-called_at", "-id"]
        verbose_name = _("叫号记录")
        verbose_name_plural = _("叫号记录")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(outcome=""), name="ticket_call_one_open"
            ),
            models.CheckConstraint(
                condition=Q(outcome="", ended_at__isnull=True)
                | ~Q(outcome="") & Q(ended_at__isnull=False),
                name="ticket_call_outcome_has_end",
            ),
        ]
        indexes = [
            models.Index(fields=["-announced_at"], name="ticket_call_announced_idx"),
            models.Index(fields=["called_at"], name="ticket_call_called_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} → {self.window.number}"


class HallDevice(models.Model):
    """A hall TV or a ticket kiosk that works without a person logged in. It proves itself
    with a token shown once when it is registered; only the token's SHA-256 is stored."""

    class Kind(models.TextChoices):
        SCREEN = "screen", _("叫号大屏")
        KIOSK = "kiosk", _("自助取号机")
        # The command centre's wall screen (centre/): the live board without anyone logged in.
        WALL = "wall", _("指挥中心大屏")

    name = models.CharField(_("设备名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    last_seen_at = models.DateTimeField(_("最近在线"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("大厅设备")
        verbose_name_plural = _("大厅设备")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"


class AppointmentCapacity(models.Model):
    """How many appointments a half-hour slot takes. The most specific row wins: category and
    start time, then category, then start time, then the row with neither; without any row
    the default of approvals.services.hall applies."""

    category = models.ForeignKey(
        BusinessCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("业务类别"),
        help_text=_("留空表示所有类别。"),
    )
    start_time = models.TimeField(
        _("时段开始"), null=True, blank=True, help_text=_("留空表示所有时段。")
    )
    capacity = models.PositiveSmallIntegerField(_("每时段可约人数"))

    class Meta:
        verbose_name = _("预约容量")
        verbose_name_plural = _("预约容量")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "start_time"],
                name="appointment_capacity_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} {self.start_time or '*'}: {self.capacity}"


class AppointmentSlot(models.Model):
    """A slot that has been booked at least once; its row is locked while booking so that two
    citizens cannot both take the last place."""

    category = models.ForeignKey(
        BusinessCategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("业务类别")
    )
    day = models.DateField(_("日期"))
    start_time = models.TimeField(_("时段开始"))

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "day", "start_time"], name="appointment_slot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.day} {self.start_time:%H:%M}"


class Appointment(models.Model):
    """A citizen's booking of a half-hour slot of one category on one working day."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CHECKED_IN = "checked_in", _("已签到")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("爽约")

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="hall_appointments",
        verbose_name=_("预约人"),
    )
    category = models.ForeignKey(
        BusinessCategory,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("业务类别"),
    )
    day = models.DateField(_("预约日期"))
    start_time = models.TimeField(_("时段开始"))
    code = models.CharField(_("签到码"), max_length=6)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("签到排队号"),
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("记为爽约时间"), null=True, blank=True)

    class Meta:
        ordering = ["day", "start_time", "id"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        constraints = [
            models.UniqueConstraint(fields=["day", "code"], name="appointment_code_unique"),
            models.UniqueConstraint(
                fields=["citizen", "category", "day"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="appointment_one_per_day",
            ),
            models.CheckConstraint(
                condition=~Q(status="checked_in") | Q(ticket__isnull=False),
                name="appointment_checked_in_has_ticket",
            ),
        ]
        indexes = [
            models.Index(
                fields=["day", "start_time"],
                name="appointment_booked_idx",
                condition=Q(status="booked"),
            ),
            models.Index(
                fields=["category", "day", "start_time", "status"],
                name="appointment_slot_status_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.day} {self.start_time:%H:%M} {self.citizen}"
