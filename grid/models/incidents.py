"""Incidents (事件) and the eight-step loop "六定八步":

采集上报 report → 信息核实 verify → 确认受理 accept (or 作废 void) → 分流交办 dispatch (or 网格长处置
handle in the grid) → 跟踪督办 supervise → 结果反馈 feedback → 核查结案 verify and close → 考核评价
assess.

States and who moves them (grid.services.incidents does; nothing else saves a state)::

    reported ──verify──▶ verified ──accept──▶ accepted ──start_handling──▶ handling
        │                   │                    │  ╲                          │
        └──────void─────────┴──▶ voided          │   dispatch ─▶ dispatched    │ report_result
                                                 │   (issue 13)    │           ▼
                              on_hold ◀─hold─────┴─────────────────┴──────  feedback
                                 └──resume──▶ (back where it was)            │ close / send_back
                                                                             ▼
                          closed ──reopen (within N days)──▶ handling / accepted

``dispatched`` is the slot of the dispatch issue: its entry (``dispatch``, from ``accepted`` or
``handling``) and its exits (``dispatch_done`` to ``feedback`` when the lead work order is done,
``dispatch_recall`` back to ``accepted``) are declared here with their guards; the dispatch
services call ``grid.services.incidents.dispatch_enter`` / ``dispatch_done`` /
``dispatch_recall`` inside their own transactions. The incident's clock keeps running while it
is dispatched (the work orders have their own)."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from grid.models.categories import Category, Urgency
from portal import clock
from portal.fsm import ConcurrentTransitionMixin
from portal.models.choices import ChoiceLabels


class State(models.TextChoices):
    REPORTED = "reported", _("待核实")
    VERIFIED = "verified", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    HANDLING = "handling", _("处置中")
    DISPATCHED = "dispatched", _("已派遣")
    ON_HOLD = "on_hold", _("挂账")
    FEEDBACK = "feedback", _("待核查")
    CLOSED = "closed", _("已结案")
    VOIDED = "voided", _("已作废")


OPEN_STATES = (
    State.REPORTED,
    State.VERIFIED,
    State.ACCEPTED,
    State.HANDLING,
    State.DISPATCHED,
    State.ON_HOLD,
    State.FEEDBACK,
)
# The partial indexes of open incidents (literal values, as the migrations recorded them).
OPEN_ONLY = Q(state__in=[str(state) for state in OPEN_STATES])
# The clock runs in these; on hold it is paused; closed and voided it has stopped.
CLOCK_RUNNING = (
    State.REPORTED,
    State.VERIFIED,
    State.ACCEPTED,
    State.HANDLING,
    State.DISPATCHED,
    State.FEEDBACK,
)
# Reopen goes back to handling when the grid handled it, else to accepted (to dispatch again).
RESUMABLE = (State.ACCEPTED, State.HANDLING, State.DISPATCHED)


class Source(models.TextChoices):
    GRID_MEMBER = "grid_member", _("网格员上报")
    RESIDENT = "resident", _("群众随手拍")
    HOTLINE = "hotline", _("12345热线")
    PATROL = "patrol", _("巡查发现")
    CAMERA = "camera", _("视频监控")


class Outcome(models.TextChoices):
    SOLVED = "solved", _("已解决")
    PARTLY_SOLVED = "partly_solved", _("部分解决")
    CANNOT_SOLVE_NOW = "cannot_solve_now", _("暂不能解决")
    NOT_RESPONSIBLE = "not_responsible", _("不属于本镇职责")
    DUPLICATE = "duplicate", _("重复事件")


# Outcomes that need a reason in words.
OUTCOMES_WITH_REASON = (Outcome.CANNOT_SOLVE_NOW, Outcome.NOT_RESPONSIBLE, Outcome.PARTLY_SOLVED)


class VoidReason(models.TextChoices):
    NOT_TRUE = "not_true", _("情况不属实")
    NOT_A_PROBLEM = "not_a_problem", _("不构成问题")
    DUPLICATE = "duplicate", _("重复上报")


class Step(models.TextChoices):
    """Which step's clock is running."""

    VERIFY = "verify", _("核实")
    ACCEPT = "accept", _("受理")
    HANDLE = "handle", _("处置")
    CHECK = "check", _("核查结案")


class LocationSource(models.TextChoices):
    GPS = "gps", _("手机定位")
    MAP = "map", _("地图选点")
    VILLAGE = "village", _("按村（社区）")
    OTHER = "other", _("其他")


URGENCY_RANK = {Urgency.URGENT: 0, Urgency.COMPLEX: 1, Urgency.ORDINARY: 2}


def running_q() -> Q:
    return Q(state__in=CLOCK_RUNNING)


def paused_q() -> Q:
    return Q(state=State.ON_HOLD)


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def with_clock_status(self, now):
        """``clock_status`` and ``clock_rank`` in SQL from the stored ``due_at``/``warn_at``
        (the services recompute them on every transition) — the same rules as applications,
        work orders and cases (portal.clock)."""
        return self.annotate(
            clock_status=clock.status_case(now, running=running_q(), paused=paused_q()),
            clock_rank=clock.rank_case(now, running=running_q(), paused=paused_q()),
        )

    def clock_filters(self, now) -> dict[str, Q]:
        """status → its condition (portal.clock.status_filters: the rules of
        ``with_clock_status``), to count the statuses with ``Count("*", filter=...)``."""
        return clock.status_filters(now, running=running_q(), paused=paused_q())


class IncidentNumberCounter(models.Model):
    """One row per day: the last sequence handed out (locked while allocating)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("事件编号计数")
        verbose_name_plural = _("事件编号计数")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Incident(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("事件编号"), max_length=24, unique=True)
    # Made on the phone (or the form) before the first try: a resend is the same incident.
    client_uuid = models.UUIDField(_("客户端编号"), null=True, blank=True, unique=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    external_number = models.CharField(
        _("热线工单号"), max_length=64, blank=True, help_text=_("12345热线的工单编号。")
    )
    source_ref = models.CharField(
        _("来源记录"), max_length=64, blank=True, help_text=_("如巡查记录编号。")
    )
    state = FSMField(_("状态"), default=State.REPORTED, choices=State.choices, protected=True)
    outcome = models.CharField(_("办理结果"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("结果说明"), blank=True)

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("事件分类")
    )
    # Copies of the category version's stable facts, for filters and queues without a join.
    category_code = models.CharField(_("小类编码"), max_length=16)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    description = models.TextField(_("情况描述"), max_length=2000)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    location_source = models.CharField(
        _("位置来源"), max_length=10, choices=LocationSource.choices, default=LocationSource.GPS
    )
    village = models.ForeignKey(
        "portal.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("村（社区）"),
    )
    grid = models.ForeignKey(
        "portal.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("网格"),
    )
    micro_grid = models.ForeignKey(
        "portal.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("微网格"),
    )

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_incidents",
        verbose_name=_("上报人"),
    )
    # A hotline caller has no account: their name and number, seen only by supervisors.
    reporter_name = models.CharField(_("反映人"), max_length=64, blank=True)
    reporter_mobile = models.CharField(_("反映人电话"), max_length=20, blank=True)
    anonymous = models.BooleanField(
        _("匿名"), default=False, help_text=_("除督查人员外，任何人看不到反映人。")
    )

    reported_at = models.DateTimeField(_("上报时间"))
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核实人"),
    )
    verify_note = models.TextField(_("核实情况"), blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_incidents",
        verbose_name=_("处置人"),
    )
    handle_started_at = models.DateTimeField(_("处置时限起算"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    feedback_note = models.TextField(_("处置结果"), blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结案人"),
    )
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(
        _("作废原因"), max_length=16, choices=VoidReason.choices, blank=True
    )
    void_note = models.TextField(_("作废说明"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("重复于"),
    )
    reopen_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    held_from = models.CharField(_("挂账前状态"), max_length=16, blank=True)

    # The clock: the current step, its deadline and warning moment, recomputed by the
    # services on every transition from the category version's limits, holds and extensions.
    step = models.CharField(_("当前环节"), max_length=8, choices=Step.choices, blank=True)
    step_started_at = models.DateTimeField(_("环节起算时间"), null=True, blank=True)
    # Counts the clocks the incident has had; reminders are keyed on it (one per clock).
    step_seq = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(_("期限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    handle_due_at = models.DateTimeField(_("处置期限"), null=True, blank=True)
    external_due_at = models.DateTimeField(_("热线要求办结时间"), null=True, blank=True)
    extension = models.PositiveSmallIntegerField(_("已批准延期"), default=0)

    # Assessment (考核评价): the closing step scores the handling; the reporter rates it.
    on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    handling_score = models.PositiveSmallIntegerField(_("处置评分"), null=True, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        # No default ordering: lists order explicitly (queues by urgency and clock, searches by
        # time); a default order on a million rows would turn every .first() of a unique lookup
        # into a walk along the reported-at index.
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        constraints = [
            models.UniqueConstraint(
                fields=["external_number"],
                condition=Q(source="hotline") & ~Q(external_number=""),
                name="incident_hotline_once",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | ~Q(outcome=""), name="incident_closed_has_outcome"
            ),
            models.CheckConstraint(
                condition=~Q(state="voided") | ~Q(void_reason=""), name="incident_void_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(void_reason="duplicate") | Q(duplicate_of__isnull=False),
                name="incident_duplicate_names_original",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=models.F("id")),
                name="incident_not_own_duplicate",
            ),
        ]
        indexes = [
            # A grid's open incidents (the member's and the head's lists).
            models.Index(
                fields=["grid", "urgency", "due_at"],
                name="incident_grid_open_idx",
                condition=OPEN_ONLY,
            ),
            # Duplicate suggestion: open incidents of one category, recent first.
            models.Index(
                fields=["category_code", "reported_at"],
                name="incident_dup_idx",
                condition=OPEN_ONLY,
            ),
            models.Index(fields=["grid", "-reported_at"], name="incident_grid_time_idx"),
            models.Index(fields=["reporter", "-reported_at"], name="incident_reporter_idx"),
            # A person's own open reports (one arm of a member's scope beside the grid's).
            models.Index(
                fields=["reporter"],
                name="incident_reporter_open_idx",
                condition=OPEN_ONLY,
            ),
            models.Index(fields=["state", "due_at"], name="incident_state_due_idx"),
            models.Index(fields=["-reported_at"], name="incident_reported_idx"),
            models.Index(fields=["village", "-reported_at"], name="incident_village_idx"),
            models.Index(fields=["handler", "state"], name="incident_handler_idx"),
            # The command centre's town-wide counts (by village and grid, state and clock; new
            # reports; the map): the open incidents only, with every column those counts read,
            # so they are index-only scans of the open few whatever the size of the history
            # (counted with COUNT(*): COUNT(id) would read every row, unless the id is here —
            # it is, for the lists that rank the open ones and fetch only the first few rows).
            models.Index(
                fields=["state", "grid"],
                include=[
                    "id",
                    "village",
                    "urgency",
                    "due_at",
                    "warn_at",
                    "lat",
                    "lng",
                    "category",
                    "reported_at",
                ],
                name="incident_open_cover_idx",
                condition=OPEN_ONLY,
            ),
            # The one clock: running clocks in deadline order (the late list reads its first N).
            models.Index(
                fields=["due_at", "id"],
                include=["warn_at"],
                name="incident_clock_idx",
                condition=Q(
                    state__in=[
                        "reported",
                        "verified",
                        "accepted",
                        "handling",
                        "dispatched",
                        "feedback",
                    ],
                    due_at__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def clock_status(self, now) -> str:
        return clock.status(
            now=now,
            due_at=self.due_at,
            warn_at=self.warn_at,
            running=self.state in CLOCK_RUNNING,
            paused=self.state == State.ON_HOLD,
        )

    # --- transitions: guards and state only ------------------------------------------------
    @transition(field=state, source=State.REPORTED, target=State.VERIFIED)
    def verify(self):
        pass

    @transition(field=state, source=State.VERIFIED, target=State.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=[State.REPORTED, State.VERIFIED], target=State.VOIDED)
    def void(self):
        pass

    @transition(field=state, source=list(OPEN_STATES), target=State.VOIDED)
    def merge(self):
        """Staff merge a duplicate found later, whatever step it had reached."""

    @transition(
        field=state,
        source=State.ACCEPTED,
        target=State.HANDLING,
        conditions=[lambda incident: incident.category.grid_may_handle],
    )
    def start_handling(self):
        pass

    @transition(field=state, source=State.HANDLING, target=State.HANDLING)
    def reassign(self):
        pass

    @transition(field=state, source=State.HANDLING, target=State.FEEDBACK)
    def report_result(self):
        pass

    @transition(field=state, source=State.FEEDBACK, target=State.CLOSED)
    def close(self):
        pass

    @transition(
        field=state,
        source=State.FEEDBACK,
        target=RETURN_VALUE(State.HANDLING, State.ACCEPTED),
    )
    def send_back(self):
        """Not fixed: back to the grid's handler, or (dispatched work) to be routed again."""
        return State.HANDLING if self.handler_id else State.ACCEPTED

    @transition(field=state, source=State.CLOSED, target=RETURN_VALUE(*RESUMABLE))
    def reopen(self):
        return State.HANDLING if self.handler_id else State.ACCEPTED

    @transition(field=state, source=[State.ACCEPTED, State.HANDLING], target=State.ON_HOLD)
    def hold(self):
        pass

    @transition(field=state, source=State.ON_HOLD, target=RETURN_VALUE(*RESUMABLE))
    def resume(self):
        return self.held_from if self.held_from in RESUMABLE else State.ACCEPTED

    # The dispatch slot (issue 13 implements what happens around these).
    @transition(field=state, source=[State.ACCEPTED, State.HANDLING], target=State.DISPATCHED)
    def dispatch(self):
        pass

    @transition(field=state, source=State.DISPATCHED, target=State.FEEDBACK)
    def dispatch_done(self):
        pass

    @transition(field=state, source=State.DISPATCHED, target=State.ACCEPTED)
    def dispatch_recall(self):
        pass


class IncidentStep(models.Model):
    """The incident's history: who moved it, when, from where to where and why. Append-only."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=128)
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("事件办理记录")
        verbose_name_plural = _("事件办理记录")
        indexes = [models.Index(fields=["incident", "at"], name="incident_step_idx")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} -> {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("History is append-only.")
        super().save(*args, **kwargs)


class IncidentPhoto(models.Model):
    """A photo of one step: the report, the verification, the result, the check, a reopen."""

    class Stage(models.TextChoices):
        REPORT = "report", _("上报")
        VERIFY = "verify", _("核实")
        RESULT = "result", _("处置结果")
        CHECK = "check", _("核查")
        REOPEN = "reopen", _("重新打开")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    photo = models.OneToOneField(
        "portal.Photo", on_delete=models.PROTECT, related_name="incident_link"
    )
    stage = models.CharField(_("环节"), max_length=8, choices=Stage.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("事件照片")
        verbose_name_plural = _("事件照片")

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.stage}/{self.photo_id}"


class IncidentFollower(models.Model):
    """Someone else who reported the same problem: joined it from the duplicate suggestion, or
    the reporter of an incident merged into this one. Told the outcome once."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("同一问题加入关注")
        MERGED = "merged", _("合并的重复事件")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_incidents",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    merged_from = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Made on the phone when joining: a resent "join" is the same follower.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    note = models.CharField(max_length=300, blank=True)
    joined_at = models.DateTimeField()
    told_outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("关注人")
        verbose_name_plural = _("关注人")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "user"],
                condition=Q(user__isnull=False),
                name="follower_once",
            )
        ]
        indexes = [models.Index(fields=["user", "-joined_at"], name="follower_user_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.user_id}"


class IncidentHold(models.Model):
    """挂账: the incident waits (a budget, a season, a court); its clock is paused, and the
    review date is reminded."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="holds")
    reason = models.TextField(_("挂账原因"))
    review_on = models.DateField(_("复查日期"))
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("挂账")
        verbose_name_plural = _("挂账")
        constraints = [
            models.UniqueConstraint(
                fields=["incident"], condition=Q(ended_at__isnull=True), name="one_open_hold"
            )
        ]
        indexes = [
            models.Index(
                fields=["review_on"], name="hold_review_idx", condition=Q(ended_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.review_on}"


class IncidentExtension(models.Model):
    """延期: once per incident, approved by the grid head or the centre (not by the person who
    asked), at most up to the category's maximum."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="extensions")
    amount = models.PositiveSmallIntegerField(
        _("延长"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("事件延期")
        verbose_name_plural = _("事件延期")
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_extension_per_incident",
            )
        ]

    def __str__(self) -> str:
        return f"+{self.amount} ({self.status})"


class IncidentRating(models.Model):
    """考核评价 by a reporter (or a follower, or the hotline caller through the link in the
    message): 1–5 once each."""

    class Rater(models.TextChoices):
        REPORTER = "reporter", _("上报人")
        FOLLOWER = "follower", _("关注人")
        CALLER = "caller", _("热线来电人")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rater = models.CharField(max_length=10, choices=Rater.choices)
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("事件评价")
        verbose_name_plural = _("事件评价")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "user"],
                condition=Q(user__isnull=False),
                name="rating_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["incident"], condition=Q(rater="caller"), name="rating_once_per_caller"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.score}"


def new_client_uuid() -> uuid.UUID:
    return uuid.uuid4()
