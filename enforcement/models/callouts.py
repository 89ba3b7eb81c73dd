"""Call-outs (出动) and the 1-2-3-45 rule: the command centre calls out the squad on duty to an
urgent incident or a call — or a department's on-call person (值班人员, grid's department
on-call roster names them; grid creates those call-outs through enforcement.services, since
enforcement never imports grid) — the phones ring; each step is stamped by the server:

    called ──respond (≤ 1 min)──▶ responded ──accept (≤ 2)──▶ accepted ──set out (≤ 3)──▶ set_out
       │                                                                                   │
       └────────── cancel (the centre stands the squad down) ◀──────────────────────────── │
                                                                       on site (≤ 45) ◀────┘
                                                                          │ finish
                                                                          ▼
                                                                       finished

Every limit counts from the moment of the call (respond by minute 1, accept by minute 2, set
out by minute 3, on site by minute 45), in calendar minutes: the centre works 24 hours. A step
not done by its moment is *missed*: the squad leader and the centre are told at once, exactly
once per step (enforcement.callout_reminders). "On site" is accepted only with the phone's
position within the call-out's radius of the place it was called to."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from portal.fsm import ConcurrentTransitionMixin


class CallOutState(models.TextChoices):
    CALLED = "called", _("待响应")
    RESPONDED = "responded", _("已响应")
    ACCEPTED = "accepted", _("已接单")
    SET_OUT = "set_out", _("已出发")
    ON_SITE = "on_site", _("已到场")
    FINISHED = "finished", _("已处置完毕")
    CANCELLED = "cancelled", _("已撤销")


# Before "on site": the clock of a step is running.
CALLOUT_RUNNING = (
    CallOutState.CALLED,
    CallOutState.RESPONDED,
    CallOutState.ACCEPTED,
    CallOutState.SET_OUT,
)
# In progress, as the centre's board shows them: running, or on site and not yet finished.
CALLOUT_OPEN = (*CALLOUT_RUNNING, CallOutState.ON_SITE)


class CallOutStep(models.TextChoices):
    """The four timed steps of 1-2-3-45, in order."""

    RESPOND = "respond", _("响应")
    ACCEPT = "accept", _("接单")
    SET_OUT = "set_out", _("出发")
    ON_SITE = "on_site", _("到场")


STEPS = (CallOutStep.RESPOND, CallOutStep.ACCEPT, CallOutStep.SET_OUT, CallOutStep.ON_SITE)
# The state a step leads to.
STEP_STATE = {
    CallOutStep.RESPOND: CallOutState.RESPONDED,
    CallOutStep.ACCEPT: CallOutState.ACCEPTED,
    CallOutStep.SET_OUT: CallOutState.SET_OUT,
    CallOutStep.ON_SITE: CallOutState.ON_SITE,
}
# The field prefix of each step's stamp (``responded_at``, ``responded_by``, …).
DONE_FIELD = {
    CallOutStep.RESPOND: "responded",
    CallOutStep.ACCEPT: "accepted",
    CallOutStep.SET_OUT: "set_out",
    CallOutStep.ON_SITE: "on_site",
}


class CallOutAction(models.TextChoices):
    CALL = "call", _("呼叫出动")
    RESPOND = "respond", _("响应")
    ACCEPT = "accept", _("接单")
    SET_OUT = "set_out", _("出发")
    ARRIVE = "arrive", _("到场")
    FINISH = "finish", _("处置完毕")
    CANCEL = "cancel", _("撤销")


class CallOutSource(models.TextChoices):
    INCIDENT = "incident", _("事件")
    CALL = "call", _("来电")


class CallOutNumberCounter(models.Model):
    """One row per day: the last sequence handed out (locked while allocating)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("出动编号计数")
        verbose_name_plural = _("出动编号计数")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class CallOut(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("出动编号"), max_length=24, unique=True)
    # Made by the dispatcher's form before the first try: a double submit is one call-out.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    # Who was called out: a squad (its officers on duty), or a department's on-call person
    # (the department and the person as they were at the call). Exactly one of the two.
    squad = models.ForeignKey(
        "enforcement.Squad",
        on_delete=models.PROTECT,
        related_name="callouts",
        verbose_name=_("中队"),
        null=True,
        blank=True,
    )
    department = models.ForeignKey(
        "portal.Department",
        on_delete=models.PROTECT,
        related_name="callouts",
        verbose_name=_("部门"),
        null=True,
        blank=True,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="department_callouts",
        verbose_name=_("值班人员"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=CallOutSource.choices)
    # The incident's number (grid's) when called out from an incident; enforcement never
    # reads grid's tables, so the place and the words come along.
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    description = models.TextField(_("警情"), max_length=2000)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    area_code = models.CharField(_("区域编码"), max_length=32, blank=True)
    radius_m = models.PositiveIntegerField(_("到场核验半径（米）"))

    state = FSMField(
        _("状态"), default=CallOutState.CALLED, choices=CallOutState.choices, protected=True
    )
    called_at = models.DateTimeField(_("呼叫时间"))
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调度员"),
    )
    caller_label = models.CharField(max_length=128)

    # The four moments of 1-2-3-45, fixed when the call goes out.
    respond_due_at = models.DateTimeField(_("响应时限"))
    accept_due_at = models.DateTimeField(_("接单时限"))
    set_out_due_at = models.DateTimeField(_("出发时限"))
    on_site_due_at = models.DateTimeField(_("到场时限"))

    # The server's stamps of each step and who did it.
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    set_out_at = models.DateTimeField(_("出发时间"), null=True, blank=True)
    set_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_site_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    on_site_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_site_lat = models.FloatField(null=True, blank=True)
    on_site_lng = models.FloatField(null=True, blank=True)
    on_site_distance_m = models.PositiveIntegerField(_("到场时距现场（米）"), null=True, blank=True)

    # The squad's last known position while the call-out is open (the phone sends it).
    last_lat = models.FloatField(null=True, blank=True)
    last_lng = models.FloatField(null=True, blank=True)
    last_position_at = models.DateTimeField(_("最近定位时间"), null=True, blank=True)

    finished_at = models.DateTimeField(_("处置完毕时间"), null=True, blank=True)
    result_note = models.TextField(_("处置情况"), blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-called_at", "-id"]
        verbose_name = _("出动")
        verbose_name_plural = _("出动")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(squad__isnull=False, department__isnull=True, person__isnull=True)
                    | Q(squad__isnull=True, department__isnull=False, person__isnull=False)
                ),
                name="callout_squad_or_department",
            )
        ]
        indexes = [
            models.Index(
                fields=["called_at"],
                name="callout_open_idx",
                condition=Q(state__in=["called", "responded", "accepted", "set_out", "on_site"]),
            ),
            models.Index(fields=["squad", "-called_at"], name="callout_squad_idx"),
            models.Index(fields=["department", "-called_at"], name="callout_department_idx"),
            models.Index(fields=["person", "-called_at"], name="callout_person_idx"),
            models.Index(fields=["-called_at"], name="callout_called_idx"),
            models.Index(fields=["source", "source_ref"], name="callout_source_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_department(self) -> bool:
        return self.department_id is not None

    @property
    def target_kind(self) -> str:
        return "department" if self.department_id is not None else "squad"

    @property
    def target_name(self) -> str:
        """Who was called out, as people read it: the squad, or "department · person"."""
        if self.department_id is not None:
            return f"{self.department.display_short_name} · {self.person.display_name}"
        return self.squad.name

    @property
    def is_open(self) -> bool:
        return self.state in CALLOUT_OPEN

    def due(self, step: str):
        return getattr(self, f"{step}_due_at")

    def done_at(self, step: str):
        return getattr(self, f"{DONE_FIELD[step]}_at")

    def next_step(self) -> str:
        """The step the phone should offer now ("" when none is left)."""
        for step in STEPS:
            if self.done_at(step) is None:
                return step if self.state in CALLOUT_RUNNING else ""
        return ""

    # --- transitions: guards and state only ------------------------------------------------
    @transition(field=state, source=CallOutState.CALLED, target=CallOutState.RESPONDED)
    def respond(self):
        pass

    @transition(field=state, source=CallOutState.RESPONDED, target=CallOutState.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=CallOutState.ACCEPTED, target=CallOutState.SET_OUT)
    def set_out(self):
        pass

    @transition(field=state, source=CallOutState.SET_OUT, target=CallOutState.ON_SITE)
    def arrive(self):
        pass

    @transition(field=state, source=CallOutState.ON_SITE, target=CallOutState.FINISHED)
    def finish(self):
        pass

    @transition(field=state, source=list(CALLOUT_OPEN), target=CallOutState.CANCELLED)
    def cancel(self):
        pass


class CallOutOfficer(models.Model):
    """Who the call-out went to: the squad's officers on duty at the moment of the call (the
    shift leader first), kept as they were."""

    callout = models.ForeignKey(CallOut, on_delete=models.CASCADE, related_name="officers")
    officer = models.ForeignKey(
        "enforcement.Officer", on_delete=models.PROTECT, related_name="callouts"
    )
    is_lead = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_lead", "id"]
        verbose_name = _("出动人员")
        verbose_name_plural = _("出动人员")
        constraints = [
            models.UniqueConstraint(fields=["callout", "officer"], name="callout_officer_once")
        ]
        indexes = [models.Index(fields=["officer", "callout"], name="callout_officer_idx")]

    def __str__(self) -> str:
        return f"{self.callout_id}: {self.officer_id}"


class CallOutEvent(models.Model):
    """The call-out's history: every step with the server's time and the phone's position.
    Append-only."""

    callout = models.ForeignKey(CallOut, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=128)
    action = models.CharField(max_length=16, choices=CallOutAction.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    on_time = models.BooleanField(null=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("出动记录")
        verbose_name_plural = _("出动记录")
        indexes = [models.Index(fields=["callout", "at"], name="callout_event_idx")]

    def __str__(self) -> str:
        return f"{self.callout_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("History is append-only.")
        super().save(*args, **kwargs)
