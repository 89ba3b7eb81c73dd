"""Cases (案件) under the Administrative Penalty Law (2021).

General procedure: filed (立案, approved by the bureau head) → investigating (调查取证) → legal
review (法制审核) and collective discussion (集体讨论) where the case is major → notice of the
proposed penalty (告知) with the statement and hearing-request windows → hearing (听证) where
asked → decision → service (送达) → execution (执行) → closed (结案). The simplified procedure
(简易程序, art. 51) is decided and served on the spot and enters at execution.

The state moves only through the transitions below, called only from
enforcement.services.cases. Guards that need the law's arithmetic or other rows (two valid
certificates, windows passed, review passed) live in the services, which say what is missing."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from approvals.models import Matter
from enforcement.models.leads import Lead
from enforcement.models.team import Officer, Squad
from portal.fsm import ConcurrentTransitionMixin
from portal.models.choices import ChoiceLabels


class CaseState(models.TextChoices):
    INVESTIGATING = "investigating", _("调查取证")
    LEGAL_REVIEW = "legal_review", _("法制审核")
    DISCUSSION = "discussion", _("集体讨论")
    REVIEWED = "reviewed", _("审核通过")
    NOTIFIED = "notified", _("已告知")
    HEARING = "hearing", _("听证")
    DECIDED = "decided", _("已决定")
    EXECUTING = "executing", _("执行中")
    CLOSED = "closed", _("已结案")


# The 90-day decision clock runs from filing until the decision.
BEFORE_DECISION = (
    CaseState.INVESTIGATING,
    CaseState.LEGAL_REVIEW,
    CaseState.DISCUSSION,
    CaseState.REVIEWED,
    CaseState.NOTIFIED,
    CaseState.HEARING,
)
OPEN_STATES = (*BEFORE_DECISION, CaseState.DECIDED, CaseState.EXECUTING)


class Procedure(models.TextChoices):
    GENERAL = "general", _("普通程序")
    SIMPLIFIED = "simplified", _("简易程序")


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人或其他组织")


class Penalty(models.TextChoices):
    """Kinds of administrative penalty (art. 9) a town bureau imposes."""

    WARNING = "warning", _("警告")
    CRITICISM = "criticism", _("通报批评")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收违法所得、没收非法财物")
    LICENCE_SUSPENSION = "licence_suspension", _("暂扣许可证件")
    LICENCE_REVOCATION = "licence_revocation", _("吊销许可证件")
    PRODUCTION_SUSPENSION = "production_suspension", _("责令停产停业")
    CLOSURE = "closure", _("责令关闭")


class Circumstance(models.TextChoices):
    """The circumstance of the discretion benchmark (裁量情节)."""

    NONE = "none", _("不予处罚")
    MITIGATED = "mitigated", _("减轻处罚")
    LIGHTER = "lighter", _("从轻处罚")
    ORDINARY = "ordinary", _("一般处罚")
    HEAVIER = "heavier", _("从重处罚")


class DecisionKind(models.TextChoices):
    PENALTY = "penalty", _("给予行政处罚")
    NO_PENALTY = "no_penalty", _("不予行政处罚")
    FIRST_VIOLATION = "first_violation", _("首违不罚（第三十三条）")
    TRANSFER_POLICE = "transfer_police", _("移送公安机关（第二十七条）")


class ServiceMethod(models.TextChoices):
    HAND = "hand", _("直接送达")
    LEFT = "left", _("留置送达")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")
    PUBLIC_NOTICE = "public_notice", _("公告送达")
    ON_THE_SPOT = "on_the_spot", _("当场交付")


class CaseNumberCounter(models.Model):
    """The last case number of a year; locked while allocating (a rollback gives it back)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("案件编号计数")
        verbose_name_plural = _("案件编号计数")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    State = CaseState
    Procedure = Procedure
    PartyKind = PartyKind
    DecisionKind = DecisionKind

    number = models.CharField(_("案件编号"), max_length=32, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client_uuid = models.UUIDField(_("客户端标识"), unique=True, null=True, blank=True)
    procedure = models.CharField(
        _("程序"), max_length=16, choices=Procedure.choices, default=Procedure.GENERAL
    )
    state = FSMField(
        _("状态"),
        max_length=20,
        choices=CaseState.choices,
        default=CaseState.INVESTIGATING,
        protected=True,
    )
    lead = models.OneToOneField(
        Lead,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("案件线索"),
    )
    squad = models.ForeignKey(
        Squad, on_delete=models.PROTECT, related_name="cases", verbose_name=_("承办中队")
    )
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, related_name="+", verbose_name=_("处罚事项")
    )
    other_matters = models.ManyToManyField(
        Matter, blank=True, related_name="+", verbose_name=_("其他涉及事项")
    )
    # The party (当事人)
    party_kind = models.CharField(
        _("当事人类型"), max_length=16, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    party_name = models.CharField(_("当事人"), max_length=200)
    party_id_number = models.CharField(_("身份证件号码"), max_length=18, blank=True)
    party_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    party_representative = models.CharField(_("法定代表人（负责人）"), max_length=64, blank=True)
    party_address = models.CharField(_("住所（地址）"), max_length=255, blank=True)
    party_mobile = models.CharField(_("联系电话"), max_length=20, blank=True)
    # The facts and place
    facts = models.TextField(_("违法事实"), blank=True)
    address = models.CharField(_("案发地点"), max_length=255, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    area_code = models.CharField(_("所在区域编码"), max_length=40, blank=True)
    occurred_on = models.DateField(_("违法行为发生日期"), null=True, blank=True)
    # The proposed (later decided) penalty
    penalties = models.JSONField(_("处罚种类"), default=list, blank=True)
    fine = models.DecimalField(
        _("罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    confiscation = models.DecimalField(
        _("没收金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    circumstance = models.CharField(
        _("裁量情节"), max_length=16, choices=Circumstance.choices, blank=True
    )
    # The benchmark level applied, copied when the proposal is made: {"matter_code",
    # "circumstance", "fine_min", "fine_max", "description"}; later benchmark edits never
    # change an old case.
    benchmark = models.JSONField(_("适用的裁量基准"), default=dict, blank=True)
    outside_benchmark_reason = models.TextField(_("超出裁量基准的理由"), blank=True)
    legal_basis = models.TextField(_("处罚依据"), blank=True)
    proposal_revision = models.PositiveIntegerField(_("拟处理意见版本"), default=0)
    complex_case = models.BooleanField(_("情节复杂"), default=False)
    major_reasons = models.JSONField(_("重大案件情形"), default=list, blank=True)
    discussion_required = models.BooleanField(_("须集体讨论"), default=False)
    hearing_right = models.BooleanField(_("当事人享有听证权利"), default=False)
    # Filing
    filed_on = models.DateField(_("立案日期"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("立案批准人"),
    )
    filing_due = models.DateField(_("立案期限"), null=True, blank=True)
    # The 90-day decision clock (art. 60)
    decision_due = models.DateField(_("处罚决定期限"), null=True, blank=True)
    excluded_days = models.PositiveIntegerField(_("不计入期限的天数"), default=0)
    extension_days = models.PositiveIntegerField(_("延长天数"), default=0)
    clock_paused = models.BooleanField(_("期限中止"), default=False)
    # Notice (告知) and the party's windows
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    notified_fine = models.DecimalField(
        _("告知的罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    notified_penalties = models.JSONField(_("告知的处罚种类"), default=list, blank=True)
    statement_due = models.DateField(_("陈述申辩期限"), null=True, blank=True)
    hearing_request_due = models.DateField(_("听证申请期限"), null=True, blank=True)
    # Decision
    decision_kind = models.CharField(
        _("决定类型"), max_length=20, choices=DecisionKind.choices, blank=True
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decision_reason = models.TextField(_("决定理由"), blank=True)
    revoked_on = models.DateField(_("决定撤销日期"), null=True, blank=True)
    # Service (送达, art. 61)
    service_due = models.DateField(_("送达期限"), null=True, blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    service_method = models.CharField(
        _("送达方式"), max_length=16, choices=ServiceMethod.choices, blank=True
    )
    # Execution (执行)
    payment_due = models.DateField(_("缴款期限"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("已缴金额（元）"), max_digits=12, decimal_places=2, default=0
    )
    paid_on = models.DateField(_("缴清日期"), null=True, blank=True)
    # Publication (执法公示)
    publication_due = models.DateField(_("公示期限"), null=True, blank=True)
    # Closing
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closing_report = models.TextField(_("结案报告"), blank=True)
    # Simplified procedure: filed with the bureau afterwards (备案)
    filed_with_bureau_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    # The current legal deadline as the one clock sees it (portal.clock): recomputed on every
    # transition.
    due_at = models.DateTimeField(_("当前期限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时刻"), null=True, blank=True)
    due_kind = models.CharField(_("当前期限类型"), max_length=20, blank=True)
    # The hash of the history's last entry (enforcement.chain): deleting entries from the end
    # shows too.
    chain_head = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        indexes = [
            models.Index(fields=["squad", "state", "due_at"], name="case_squad_queue_idx"),
            models.Index(fields=["state", "due_at"], name="case_state_due_idx"),
            models.Index(fields=["squad", "-filed_on", "-id"], name="case_squad_list_idx"),
            # The deadline board and the officers' lists rank only the open cases: these small
            # covering indexes answer the ranking without reading the wide rows (index-only
            # scans); only the page's 50 rows are then fetched.
            models.Index(
                fields=["due_at"],
                include=["warn_at", "clock_paused", "state", "squad"],
                condition=Q(state__in=list(OPEN_STATES)),
                name="case_open_clock_idx",
            ),
            models.Index(
                fields=["id"],
                include=["due_at", "warn_at", "clock_paused", "state"],
                condition=Q(state__in=list(OPEN_STATES)),
                name="case_open_id_idx",
            ),
            # The one clock: running case clocks in deadline order with what the command
            # centre reads of them (the late list's first N, the deadlines by kind):
            # index-only, and its own condition keeps the planner's estimate of them honest.
            models.Index(
                fields=["due_at", "id"],
                include=["warn_at", "number", "due_kind"],
                condition=Q(
                    state__in=[str(s) for s in OPEN_STATES],
                    clock_paused=False,
                    due_at__isnull=False,
                ),
                name="case_clock_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fine__isnull=True) | Q(fine__gte=0), name="case_fine_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["decided", "executing", "closed"]) | ~Q(decision_kind=""),
                name="case_decided_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def party_is_person(self) -> bool:
        return self.party_kind == PartyKind.PERSON

    @property
    def has_fine(self) -> bool:
        """A fine is (or is proposed to be) imposed: a penalty decision, or none yet."""
        return (
            bool(self.fine)
            and Penalty.FINE in (self.penalties or [])
            and self.decision_kind in ("", DecisionKind.PENALTY)
        )

    # --- transitions: guards and state only ------------------------------------------------
    @transition(
        field=state,
        source=[CaseState.INVESTIGATING, CaseState.NOTIFIED, CaseState.HEARING],
        target=CaseState.LEGAL_REVIEW,
    )
    def submit_review(self):
        pass

    @transition(field=state, source=CaseState.LEGAL_REVIEW, target=CaseState.REVIEWED)
    def pass_review(self):
        pass

    @transition(
        field=state,
        source=[
            CaseState.LEGAL_REVIEW,
            CaseState.INVESTIGATING,
            CaseState.NOTIFIED,
            CaseState.HEARING,
        ],
        target=CaseState.DISCUSSION,
    )
    def submit_discussion(self):
        pass

    @transition(field=state, source=CaseState.DISCUSSION, target=CaseState.REVIEWED)
    def conclude_discussion(self):
        pass

    @transition(
        field=state,
        source=[
            CaseState.LEGAL_REVIEW,
            CaseState.DISCUSSION,
            CaseState.REVIEWED,
            CaseState.NOTIFIED,
            CaseState.HEARING,
        ],
        target=CaseState.INVESTIGATING,
    )
    def return_to_investigation(self):
        pass

    @transition(
        field=state, source=[CaseState.INVESTIGATING, CaseState.REVIEWED], target=CaseState.NOTIFIED
    )
    def notify(self):
        pass

    @transition(field=state, source=CaseState.NOTIFIED, target=CaseState.HEARING)
    def request_hearing(self):
        pass

    @transition(
        field=state,
        source=[CaseState.INVESTIGATING, CaseState.REVIEWED, CaseState.NOTIFIED],
        target=CaseState.DECIDED,
    )
    def decide(self):
        pass

    @transition(field=state, source=CaseState.DECIDED, target=CaseState.EXECUTING)
    def serve(self):
        pass

    @transition(
        field=state, source=[CaseState.DECIDED, CaseState.EXECUTING], target=CaseState.CLOSED
    )
    def close(self):
        pass

    @transition(field=state, source="*", target=None)
    def record(self):
        """Acts that change no state (records, evidence, suspensions) still lock and chain."""


class CaseOfficer(models.Model):
    """The officers assigned to a case (at least two with valid certificates)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        ASSIST = "assist", _("协办")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices)
    assigned_on = models.DateField(_("指派日期"))

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("办案人员")
        verbose_name_plural = _("办案人员")
        constraints = [
            models.UniqueConstraint(fields=["case", "officer"], name="case_officer_once")
        ]
        indexes = [models.Index(fields=["officer", "case"], name="case_officer_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.officer}"


class CaseEvent(models.Model):
    """The case's history as a tamper-evident chain: each entry carries the SHA-256 of the
    previous one and its own hash over its content (enforcement.chain). Append-only; on
    PostgreSQL a trigger refuses UPDATE and DELETE."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="history")
    seq = models.PositiveIntegerField(_("序号"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=128)
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["case", "seq"]
        verbose_name = _("案件记录")
        verbose_name_plural = _("案件记录")
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The case history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The case history is append-only.")
