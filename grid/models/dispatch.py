"""Dispatch (分流交办): routing rules (分拨规则), dispatches, work orders to departments (工单),
their history, extensions and feedback photos, and whistles (吹哨报到).

- A **routing rule** says where incidents go: category (a leaf or a whole branch) × area
  (village, grid or special grid) × time (working hours / nights and holidays, from the
  calendar) × source → the grid itself, a town department (with co-handlers), an enforcement
  squad (as a lead) or a district department. Rules are evaluated in ``order``; the first that
  matches wins. Every change makes a new ``version`` (kept in RoutingRuleVersion), so a dispatch
  can always say which rule, as it then was, sent the incident where it went.
- A **dispatch** is one routing decision for an incident: the rule that matched (id, version
  and a snapshot), what the dispatcher chose, and the work orders or the lead it made.
- A **work order** goes to one department (主办 lead or 协办 co-handler) and has its own clock:
  sign for it within its limit, handle it within the category's limit. States::

      sent ──sign_for──▶ signed ──feed_back──▶ done
        │                  │
        └──return──────────┴──▶ returned   (within the return window only)
        └──cancel──────────┴──▶ cancelled  (by the centre)

- A **whistle** calls several departments to report at a place by a time (吹哨报到)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from portal import clock
from portal.fsm import ConcurrentTransitionMixin
from portal.models.choices import ChoiceLabels


class HandlerKind(models.TextChoices):
    GRID = "grid", _("网格自行处置")
    DEPARTMENT = "department", _("镇职能部门")
    SQUAD = "squad", _("执法中队（线索）")
    DISTRICT = "district", _("区级部门（转办）")


class TimeWindow(models.TextChoices):
    ANY = "any", _("任何时间")
    WORKING = "working", _("工作时间")
    OFF = "off", _("夜间及节假日")


class CategoryLevel(models.TextChoices):
    ANY = "any", _("任何分类")
    BRANCH = "branch", _("大类")
    LEAF = "leaf", _("小类")


class RoutingRule(models.Model):
    code = models.CharField(_("规则编码"), max_length=16, unique=True)
    order = models.PositiveIntegerField(_("顺序"), db_index=True)
    name = models.CharField(_("规则名称"), max_length=64)
    is_active = models.BooleanField(_("启用"), default=True)
    category_level = models.CharField(
        _("分类范围"), max_length=8, choices=CategoryLevel.choices, default=CategoryLevel.ANY
    )
    category_code = models.CharField(
        _("分类编码"), max_length=16, blank=True, help_text=_("小类或大类编码；空表示任何分类。")
    )
    area = models.ForeignKey(
        "portal.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区域"),
        help_text=_("村（社区）、网格或专属网格；空表示全镇。"),
    )
    time_window = models.CharField(
        _("时段"), max_length=8, choices=TimeWindow.choices, default=TimeWindow.ANY
    )
    source = models.CharField(_("来源"), max_length=16, blank=True, help_text=_("空表示任何来源。"))
    handler_kind = models.CharField(_("处理单位类型"), max_length=12, choices=HandlerKind.choices)
    department = models.ForeignKey(
        "portal.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主办部门"),
    )
    co_handlers = models.ManyToManyField(
        "portal.Department", blank=True, related_name="+", verbose_name=_("协办部门")
    )
    squad_code = models.CharField(
        _("执法中队编码"),
        max_length=16,
        blank=True,
        help_text=_("空表示由执法局按片区确定中队。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    changed_at = models.DateTimeField(_("修改时间"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("分拨规则")
        verbose_name_plural = _("分拨规则")
        constraints = [
            models.CheckConstraint(
                condition=~Q(handler_kind__in=["department", "district"])
                | Q(department__isnull=False),
                name="routing_rule_names_department",
            ),
            models.CheckConstraint(
                condition=Q(category_level="any", category_code="")
                | (~Q(category_level="any") & ~Q(category_code="")),
                name="routing_rule_category_level",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.order} {self.name}"


class RoutingRuleVersion(models.Model):
    """Every version of a rule as it was saved (append-only): what a dispatch followed."""

    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(encoder=DjangoJSONEncoder)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=128)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["rule", "version"]
        verbose_name = _("分拨规则版本")
        verbose_name_plural = _("分拨规则版本")
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="routing_rule_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Rule versions are append-only.")
        super().save(*args, **kwargs)


class RoutingStamp(models.Model):
    """One row: changed whenever a rule or a department changes, so every process reloads the
    rules it keeps in memory."""

    value = models.UUIDField()

    class Meta:
        verbose_name = _("分拨规则版本戳")
        verbose_name_plural = _("分拨规则版本戳")

    def __str__(self) -> str:
        return str(self.value)


class DispatchState(models.TextChoices):
    ACTIVE = "active", _("办理中")
    DONE = "done", _("已办结")
    RECALLED = "recalled", _("已收回重派")
    HANDED_BACK = "handed_back", _("交网格处置")


class DispatchVia(models.TextChoices):
    CENTRE = "centre", _("指挥中心派遣")
    GRID_HEAD = "grid_head", _("网格长认定违法")


class LeadOutcome(models.TextChoices):
    FILED = "filed", _("已立案")
    NOT_FILED = "not_filed", _("不予立案")
    TRANSFERRED = "transferred", _("已移送")
    CLOSED = "closed", _("已结案")


class Dispatch(models.Model):
    incident = models.ForeignKey(
        "grid.Incident", on_delete=models.PROTECT, related_name="dispatches"
    )
    seq = models.PositiveSmallIntegerField(_("第几次派遣"))
    kind = models.CharField(_("处理单位类型"), max_length=12, choices=HandlerKind.choices)
    state = models.CharField(
        _("状态"), max_length=12, choices=DispatchState.choices, default=DispatchState.ACTIVE
    )
    via = models.CharField(
        _("派遣方式"), max_length=12, choices=DispatchVia.choices, default=DispatchVia.CENTRE
    )
    # What the rules said at the moment of dispatch ("why did this go there?").
    rule = models.ForeignKey(
        RoutingRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
        verbose_name=_("匹配规则"),
    )
    rule_version = models.PositiveIntegerField(_("规则版本"), null=True, blank=True)
    rule_snapshot = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    followed_rule = models.BooleanField(
        _("按规则派遣"), default=False, help_text=_("否表示调度员人工选择了处理单位。")
    )
    evaluated = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("派遣说明"), blank=True)
    department = models.ForeignKey(
        "portal.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主办部门"),
    )
    squad_code = models.CharField(_("执法中队"), max_length=16, blank=True)
    # The enforcement lead (squad dispatches): what enforcement told us became of it.
    lead_client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    lead_number = models.CharField(_("线索编号"), max_length=32, blank=True)
    lead_outcome = models.CharField(
        _("线索结果"), max_length=12, choices=LeadOutcome.choices, blank=True
    )
    lead_case_number = models.CharField(_("案件编号"), max_length=40, blank=True)
    lead_reason = models.TextField(_("线索处理说明"), blank=True)
    lead_outcome_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(_("派遣时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=128)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_note = models.TextField(blank=True)

    class Meta:
        ordering = ["incident", "seq"]
        verbose_name = _("派遣")
        verbose_name_plural = _("派遣")
        constraints = [
            models.UniqueConstraint(fields=["incident", "seq"], name="dispatch_seq_once"),
            # Two dispatchers routing one incident at once: one active dispatch at most.
            models.UniqueConstraint(
                fields=["incident"], condition=Q(state="active"), name="dispatch_one_active"
            ),
        ]
        indexes = [
            models.Index(fields=["rule", "at"], name="dispatch_rule_idx"),
            models.Index(fields=["at"], name="dispatch_at_idx"),
            models.Index(
                fields=["kind", "state"],
                name="dispatch_open_lead_idx",
                condition=Q(kind="squad", state="active"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}#{self.seq}"


class WorkOrderState(models.TextChoices):
    SENT = "sent", _("待签收")
    SIGNED = "signed", _("办理中")
    DONE = "done", _("已反馈")
    RETURNED = "returned", _("已退单")
    CANCELLED = "cancelled", _("已撤销")


OPEN_ORDER_STATES = (WorkOrderState.SENT, WorkOrderState.SIGNED)


class WorkOrderRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class WorkOrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_ORDER_STATES)

    def with_clock_status(self, now):
        """``clock_status`` / ``clock_rank`` from the running step's deadline (sign-for while
        sent, handling while signed) — the same rules as every clock of the portal."""
        running = Q(state__in=OPEN_ORDER_STATES)
        return self.annotate(
            clock_status=clock.status_case(
                now, due="step_due_at", warn="step_warn_at", running=running
            ),
            clock_rank=clock.rank_case(
                now, due="step_due_at", warn="step_warn_at", running=running
            ),
        )


class WorkOrderNumberCounter(models.Model):
    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单编号计数")
        verbose_name_plural = _("工单编号计数")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class WorkOrder(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("工单编号"), max_length=24, unique=True)
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="work_orders")
    incident = models.ForeignKey(
        "grid.Incident", on_delete=models.PROTECT, related_name="work_orders"
    )
    department = models.ForeignKey(
        "portal.Department",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("承办部门"),
    )
    role = models.CharField(_("承办方式"), max_length=4, choices=WorkOrderRole.choices)
    is_district = models.BooleanField(
        _("区级转办"), default=False, help_text=_("区级部门不登录系统，由指挥中心代为登记。")
    )
    state = FSMField(
        _("状态"), default=WorkOrderState.SENT, choices=WorkOrderState.choices, protected=True
    )
    # Copies for queues and figures without joins.
    category_code = models.CharField(_("小类编码"), max_length=16)
    branch_code = models.CharField(_("大类编码"), max_length=16)
    urgency = models.CharField(_("紧急程度"), max_length=10)
    is_hotline = models.BooleanField(_("12345热线工单"), default=False)
    rule = models.ForeignKey(
        RoutingRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("匹配规则"),
    )
    rule_version = models.PositiveIntegerField(_("规则版本"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("替代的退单"),
    )

    # The clock: sign for by sign_for_due_at, handle by due_at; step_* is whichever runs now.
    sent_at = models.DateTimeField(_("派单时间"))
    sign_for_due_at = models.DateTimeField(_("签收期限"))
    sign_for_warn_at = models.DateTimeField(_("签收预警时间"))
    return_until = models.DateTimeField(_("可退单期限"))
    escalate_head_at = models.DateTimeField(_("未签收告知部门负责人时间"))
    escalate_centre_at = models.DateTimeField(_("未签收提请中心督办时间"))
    limit_unit = models.CharField(_("处置时限单位"), max_length=16)
    due_at = models.DateTimeField(_("办理期限"))
    warn_at = models.DateTimeField(_("办理预警时间"))
    step_due_at = models.DateTimeField(null=True, blank=True)
    step_warn_at = models.DateTimeField(null=True, blank=True)

    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sign_for_on_time = models.BooleanField(_("按时签收"), null=True, blank=True)
    done_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    feedback_note = models.TextField(_("办理结果"), blank=True)
    feedback_client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    answered_on = models.DateField(
        _("区级部门答复日期"), null=True, blank=True, help_text=_("区级转办由指挥中心登记。")
    )
    done_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退单时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(_("退单理由"), blank=True)
    return_basis = models.TextField(_("退单依据"), blank=True)
    # A returned co-handler order waits for the centre: redispatched or dropped.
    resolved_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("撤销原因"), blank=True)
    pressed = models.PositiveSmallIntegerField(_("督办次数"), default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""),
                name="work_order_return_has_reason",
            ),
            models.UniqueConstraint(
                fields=["dispatch", "department"],
                condition=Q(state__in=["sent", "signed", "done"]),
                name="work_order_one_per_department",
            ),
        ]
        indexes = [
            # A department's queue: its open orders by the running clock.
            models.Index(
                fields=["department", "step_due_at"],
                name="work_order_queue_idx",
                condition=Q(state__in=["sent", "signed"]),
            ),
            # Everything open, for the centre's late lists and the sweeps.
            models.Index(
                fields=["state", "step_due_at"],
                name="work_order_open_idx",
                condition=Q(state__in=["sent", "signed"]),
            ),
            # The one clock: open orders in the running step's deadline order (the late list
            # reads its first N off it), and the centre's counts by department (index-only).
            models.Index(
                fields=["step_due_at", "id"],
                include=["step_warn_at"],
                name="work_order_clock_idx",
                condition=Q(state__in=["sent", "signed"], step_due_at__isnull=False),
            ),
            models.Index(
                fields=["department", "state"],
                include=["sign_for_due_at", "due_at"],
                name="work_order_open_dept_idx",
                condition=Q(state__in=["sent", "signed"]),
            ),
            models.Index(fields=["department", "sent_at"], name="work_order_dept_time_idx"),
            models.Index(fields=["rule", "sent_at"], name="work_order_rule_time_idx"),
            models.Index(fields=["sent_at"], name="work_order_sent_idx"),
            # Returns in a period, with their reasons (figures).
            models.Index(
                fields=["sent_at"],
                name="work_order_returned_idx",
                condition=Q(state="returned"),
            ),
            models.Index(
                fields=["returned_at"],
                name="work_order_unresolved_idx",
                condition=Q(state="returned", resolved_at__isnull=True),
            ),
            # The centre's returned leads waiting for redispatch: every returned lead order, to
            # be joined to its incident's state (index-only; the rows are wide).
            models.Index(
                fields=["incident"],
                include=["id", "dispatch", "returned_at"],
                name="work_order_returned_lead_idx",
                condition=Q(state="returned", role="lead"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ORDER_STATES

    def clock_status(self, now) -> str:
        return clock.status(
            now=now,
            due_at=self.step_due_at,
            warn_at=self.step_warn_at,
            running=self.state in OPEN_ORDER_STATES,
        )

    # --- transitions: guards and state only ------------------------------------------------
    @transition(field=state, source=WorkOrderState.SENT, target=WorkOrderState.SIGNED)
    def sign_for(self):
        pass

    @transition(field=state, source=WorkOrderState.SIGNED, target=WorkOrderState.DONE)
    def feed_back(self):
        pass

    @transition(
        field=state,
        source=[WorkOrderState.SENT, WorkOrderState.SIGNED],
        target=WorkOrderState.RETURNED,
    )
    def give_back(self):
        pass

    @transition(
        field=state,
        source=[WorkOrderState.SENT, WorkOrderState.SIGNED],
        target=WorkOrderState.CANCELLED,
    )
    def cancel(self):
        pass

    @transition(field=state, source=WorkOrderState.SIGNED, target=WorkOrderState.SIGNED)
    def extend(self):
        pass


class WorkOrderStep(models.Model):
    """A work order's history: who, when, from, to, why. Append-only."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=128)
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("工单办理记录")
        verbose_name_plural = _("工单办理记录")
        indexes = [models.Index(fields=["work_order", "at"], name="work_order_step_idx")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} -> {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("History is append-only.")
        super().save(*args, **kwargs)


class WorkOrderPhoto(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    photo = models.OneToOneField(
        "portal.Photo", on_delete=models.PROTECT, related_name="work_order_link"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("工单照片")
        verbose_name_plural = _("工单照片")

    def __str__(self) -> str:
        return f"{self.work_order_id}/{self.photo_id}"


class WorkOrderExtension(models.Model):
    """延期: the department asks for a new date with a reason; the centre approves or not."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    new_due_on = models.DateField(_("申请延至"))
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
        verbose_name = _("工单延期")
        verbose_name_plural = _("工单延期")
        constraints = [
            models.UniqueConstraint(
                fields=["work_order"],
                condition=Q(status="pending"),
                name="work_order_one_pending_extension",
            )
        ]
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="work_order_ext_pending_idx",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id} → {self.new_due_on} ({self.status})"


class Whistle(models.Model):
    """吹哨: the centre or a grid head calls departments to report at a place by a time."""

    incident = models.ForeignKey("grid.Incident", on_delete=models.PROTECT, related_name="whistles")
    blown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    blown_at = models.DateTimeField(_("吹哨时间"))
    meet_at = models.DateTimeField(_("报到时间"))
    place = models.CharField(_("报到地点"), max_length=200)
    note = models.TextField(_("事由"), blank=True)

    class Meta:
        ordering = ["-blown_at", "-id"]
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        indexes = [
            models.Index(fields=["meet_at"], name="whistle_meet_idx"),
            models.Index(fields=["blown_at"], name="whistle_blown_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} @ {self.meet_at:%Y-%m-%d %H:%M}"


class WhistleCall(models.Model):
    """One department called by a whistle, and when it reported (报到)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("待报到")
        ON_TIME = "on_time", _("按时报到")
        LATE = "late", _("迟到")
        ABSENT = "absent", _("未报到")

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="calls")
    department = models.ForeignKey(
        "portal.Department", on_delete=models.PROTECT, related_name="whistle_calls"
    )
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by_centre = models.BooleanField(default=False)
    note = models.CharField(_("报到说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["whistle", "department__code"]
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        constraints = [
            models.UniqueConstraint(fields=["whistle", "department"], name="whistle_call_once")
        ]
        indexes = [models.Index(fields=["department", "whistle"], name="whistle_call_dept_idx")]

    def __str__(self) -> str:
        return f"{self.whistle_id}/{self.department_id}"

    def status(self, now) -> str:
        meet_at = self.whistle.meet_at
        if self.reported_at is not None:
            return self.Status.ON_TIME if self.reported_at <= meet_at else self.Status.LATE
        return self.Status.ABSENT if now > meet_at else self.Status.WAITING


class DispatchRequest(models.Model):
    """A grid head asks the centre to dispatch an incident the grid could handle but cannot
    (交中心派遣): it joins the centre's "to route" queue until a dispatch resolves it."""

    incident = models.ForeignKey(
        "grid.Incident", on_delete=models.CASCADE, related_name="dispatch_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    reason = models.TextField(_("申请理由"))
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("派遣申请")
        verbose_name_plural = _("派遣申请")
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(resolved_at__isnull=True),
                name="dispatch_request_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.reason[:20]}"
