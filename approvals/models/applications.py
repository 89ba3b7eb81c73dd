"""Applications (办件): the one-window workflow, its clock and its records.

The state moves only through the FSM transitions below, called only from
approvals.services.applications. Transitions check guards and change state; everything else
(locking, audit, history, clock, notices, side effects) lives in the services."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from approvals.models.register import Material, Matter
from portal.clock import ClockStatus
from portal.fsm import ConcurrentTransitionMixin
from portal.models import Department, Window
from portal.models.choices import ChoiceLabels


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    CORRECTION = "correction", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    IN_REVIEW = "in_review", _("审查中")
    SUSPENDED = "suspended", _("特别程序中")
    FORWARDED = "forwarded", _("已转报")
    READY_FOR_RELEASE = "ready_for_release", _("待出件")
    COMPLETED = "completed", _("已办结")
    REFUSED = "refused", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


# The clock runs from acceptance until the decision.
CLOCK_RUNNING = (State.ACCEPTED, State.IN_REVIEW, State.FORWARDED)
BEFORE_DECISION = (
    State.DRAFT,
    State.SUBMITTED,
    State.CORRECTION,
    State.ACCEPTED,
    State.IN_REVIEW,
    State.SUSPENDED,
    State.FORWARDED,
)
OPEN_STATES = (*BEFORE_DECISION[1:], State.READY_FOR_RELEASE)


class ApplicationQuerySet(models.QuerySet):
    def with_clock_status(self, today):
        """Annotate ``clock_status`` in SQL from the stored due and warning dates, which the
        services recompute on every transition."""
        return self.annotate(
            clock_status=Case(
                When(state=State.SUSPENDED, then=Value(ClockStatus.PAUSED.value)),
                When(
                    ~Q(state__in=CLOCK_RUNNING),
                    accepted_on__isnull=True,
                    then=Value(ClockStatus.NOT_STARTED.value),
                ),
                When(~Q(state__in=CLOCK_RUNNING), then=Value(ClockStatus.STOPPED.value)),
                When(due_date__lt=today, then=Value(ClockStatus.OVERDUE.value)),
                When(warning_date__lte=today, then=Value(ClockStatus.WARNING.value)),
                default=Value(ClockStatus.NORMAL.value),
                output_field=models.CharField(),
            ),
            clock_rank=Case(
                When(state__in=CLOCK_RUNNING, due_date__lt=today, then=Value(0)),
                When(state__in=CLOCK_RUNNING, warning_date__lte=today, then=Value(1)),
                When(state=State.SUSPENDED, then=Value(3)),
                default=Value(2),
                output_field=models.IntegerField(),
            ),
        )

    def open(self):
        return self.filter(state__in=OPEN_STATES)


class ApplicationNumberCounter(models.Model):
    """One row per day: the last sequence number handed out. Locked while allocating, so a
    rolled-back submission gives its number back (no gaps, no duplicates)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("办件编号计数")
        verbose_name_plural = _("办件编号计数")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Application(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        HALL = "hall", _("窗口登记")
        PROXY = "proxy", _("帮代办")
        SELF_SERVICE = "self_service", _("自助终端")

    class Outcome(models.TextChoices):
        GRANT = "grant", _("准予")
        DENY = "deny", _("不予")

    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("自然人")
        ORGANISATION = "organisation", _("法人或其他组织")

    class ReleaseMethod(models.TextChoices):
        HAND = "hand", _("窗口领取")
        MAIL = "mail", _("邮寄")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("办件编号"), max_length=32, unique=True, null=True, blank=True)
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True)
    outcome = models.CharField(_("办理结果"), max_length=8, choices=Outcome.choices, blank=True)

    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, related_name="applications", verbose_name=_("事项")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("办理部门"),
    )
    delegating_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forwarded_applications",
        verbose_name=_("来源部门"),
    )

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("申请人账号"),
    )
    applicant_kind = models.CharField(
        _("申请人类型"), max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField(_("申请人"), max_length=128)
    applicant_id_number = models.CharField(_("证件号码"), max_length=18, blank=True)
    applicant_mobile = models.CharField(_("联系电话"), max_length=11)
    organisation_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("联系地址"), max_length=255, blank=True)
    # The applicant's village or community (the town's map, portal.Area): chosen from the list
    # or from the phone's position, else the applicant's own; the dashboards filter by it.
    village = models.ForeignKey(
        "portal.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属村（社区）"),
    )
    details = models.JSONField(_("申请事项说明"), default=dict, blank=True)
    declaration_accepted = models.BooleanField(_("已签署承诺声明"), default=False)

    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="filed_applications",
        verbose_name=_("填报人"),
    )
    proxy_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proxy_applications",
        verbose_name=_("帮代办员"),
    )
    proxy_consent = models.TextField(_("委托代办同意记录"), blank=True)
    proxy_consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    first_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="first_contact_applications",
        verbose_name=_("首问负责人"),
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("受理窗口"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_applications",
        verbose_name=_("承办人"),
    )
    ticket = models.ForeignKey(
        "approvals.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("来自取号"),
    )

    submission_round = models.PositiveSmallIntegerField(_("提交轮次"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    received_on = models.DateField(_("收件日期"), null=True, blank=True)
    deemed_acceptance_on = models.DateField(_("视为受理日期"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("逾期视为受理"), default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    forwarded_on = models.DateField(_("转报日期"), null=True, blank=True)
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
    decision_basis = models.TextField(_("决定依据"), blank=True)
    refused_on = models.DateField(_("不予受理日期"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    refusal_basis = models.TextField(_("不予受理依据"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    release_due_on = models.DateField(_("发证期限"), null=True, blank=True)
    released_on = models.DateField(_("出件日期"), null=True, blank=True)
    release_method = models.CharField(
        _("出件方式"), max_length=8, choices=ReleaseMethod.choices, blank=True
    )
    tracking_number = models.CharField(_("邮件单号"), max_length=64, blank=True)

    # The clock, recomputed from acceptance, suspensions and extensions on every transition.
    due_date = models.DateField(_("承诺办结日期"), null=True, blank=True)
    statutory_due_date = models.DateField(_("法定办结日期"), null=True, blank=True)
    warning_date = models.DateField(_("预警起始日期"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0)
    paused_days = models.PositiveSmallIntegerField(_("暂停计时天数"), default=0)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["department", "state", "due_date"], name="app_dept_queue_idx"),
            models.Index(fields=["state", "deemed_acceptance_on"], name="app_deemed_idx"),
            models.Index(fields=["state", "due_date"], name="app_state_due_idx"),
            # The one clock: running applications in due-date order (the late list's first N).
            models.Index(
                fields=["due_date", "id"],
                include=["warning_date"],
                name="app_clock_idx",
                condition=Q(
                    state__in=["accepted", "in_review", "forwarded"], due_date__isnull=False
                ),
            ),
            models.Index(fields=["applicant", "created_at"], name="app_applicant_idx"),
            models.Index(fields=["proxy_agent", "created_at"], name="app_proxy_idx"),
            models.Index(fields=["handler", "state"], name="app_handler_idx"),
            models.Index(fields=["delegating_department", "state"], name="app_district_idx"),
            models.Index(fields=["state", "submitted_at"], name="app_intake_idx"),
            # The API list's order (newest submission first) for whoever sees every
            # application: 50 rows off the index instead of a sort of the whole table
            # (3.8 s at 300,000 applications, issue 19).
            models.Index(fields=["-submitted_at", "-id"], name="app_submitted_desc_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=State.READY_FOR_RELEASE) | ~Q(outcome=""),
                name="app_ready_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(state=State.DRAFT) | Q(number__isnull=False),
                name="app_numbered_once_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.matter.name if self.matter_id else ''}"

    @property
    def reference(self) -> str:
        return self.number or f"D{self.public_id.hex}"

    @property
    def is_forward_matter(self) -> bool:
        return self.matter.delegation_mode == Matter.DelegationMode.FORWARD

    # --- transitions: guards and state only -------------------------------------------------
    @transition(field=state, source=[State.DRAFT, State.CORRECTION], target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.CORRECTION)
    def request_correction(self):
        pass

    @transition(field=state, source=[State.SUBMITTED, State.CORRECTION], target=State.REFUSED)
    def refuse(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=State.ACCEPTED, target=State.IN_REVIEW)
    def claim(self):
        pass

    @transition(field=state, source=State.IN_REVIEW, target=State.IN_REVIEW)
    def reassign(self):
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.SUSPENDED,
        conditions=[lambda app: app.matter.suspension_allowed],
    )
    def suspend(self):
        pass

    @transition(field=state, source=State.SUSPENDED, target=State.IN_REVIEW)
    def resume(self):
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.FORWARDED,
        conditions=[lambda app: app.is_forward_matter],
    )
    def forward(self):
        pass

    @transition(field=state, source=State.FORWARDED, target=State.READY_FOR_RELEASE)
    def record_district_decision(self):
        pass

    @transition(
        field=state,
        source=State.IN_REVIEW,
        target=State.READY_FOR_RELEASE,
        conditions=[lambda app: not app.is_forward_matter],
    )
    def decide(self):
        pass

    @transition(field=state, source=State.READY_FOR_RELEASE, target=State.COMPLETED)
    def release(self):
        pass

    @transition(field=state, source=list(BEFORE_DECISION), target=State.WITHDRAWN)
    def withdraw(self):
        pass


class ApplicationMaterial(ChoiceLabels, models.Model):
    """One required material of the matter version, as checked at intake."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待核验")
        RECEIVED = "received", _("已收取")
        MISSING = "missing", _("缺少")
        DEFICIENT = "deficient", _("不符合要求")
        TOLERATED = "tolerated", _("容缺后补")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    mandatory = models.BooleanField(_("是否必需"), default=True)
    tolerated_missing_allowed = models.BooleanField(_("可容缺"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("核验结果"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    problem = models.TextField(_("问题说明"), blank=True)
    promised_on = models.DateField(_("承诺补交日期"), null=True, blank=True)
    commitment = models.TextField(_("容缺承诺"), blank=True)
    supplied_on = models.DateField(_("补交日期"), null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        indexes = [
            models.Index(
                fields=["promised_on"],
                name="appmat_tolerated_due_idx",
                condition=Q(status="tolerated", supplied_on__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.name


def _upload_path(instance, filename):
    return (
        f"applications/{instance.application_material.application.public_id.hex}/{uuid.uuid4().hex}"
    )


class MaterialFile(models.Model):
    """An uploaded file, stored under a random name; served only through access-checked views."""

    application_material = models.ForeignKey(
        ApplicationMaterial, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(upload_to=_upload_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    submission_round = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("材料文件")
        verbose_name_plural = _("材料文件")

    def __str__(self) -> str:
        return self.original_name


class StateChange(models.Model):
    """The application's history: who moved it, when, from where to where and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=128)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} -> {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("History is append-only.")
        super().save(*args, **kwargs)


class Suspension(models.Model):
    """A special procedure (art. 45): its working days do not count toward the time limit."""

    class Kind(models.TextChoices):
        HEARING = "hearing", _("听证")
        TESTING = "testing", _("检验检测")
        EXPERT_REVIEW = "expert_review", _("专家评审")
        ON_SITE = "on_site", _("现场核查")
        SUPPLEMENT = "supplement", _("补充材料")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="suspensions"
    )
    kind = models.CharField(_("特别程序"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("理由"))
    expected_days = models.PositiveSmallIntegerField(_("预计时长（工作日）"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(ended_on__isnull=True),
                name="one_open_suspension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


class Extension(models.Model):
    """An extension of the time limit (art. 42): once per application, approved by a supervisor."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        # the application was decided, forwarded, withdrawn or refused before a supervisor
        # answered: nothing is left to extend
        CLOSED = "closed", _("已关闭")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField(_("延期天数（工作日）"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_extension_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"+{self.days} ({self.status})"


class CorrectionNotice(models.Model):
    """The one-time notice (一次性告知): everything to correct for one submission, at once."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="correction_notices"
    )
    submission_round = models.PositiveSmallIntegerField()
    items = models.JSONField(_("补正内容"))
    issued_on = models.DateField(_("告知日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["issued_on", "id"]
        verbose_name = _("补正材料通知")
        verbose_name_plural = _("补正材料通知")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "submission_round"], name="one_correction_per_submission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.submission_round}"


class Notice(models.Model):
    """A document issued to the applicant. Its content is frozen at issue (``context``);
    the PDF is rendered from it on demand, always the same."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("受理通知书")
        CORRECTION = "correction", _("补正材料通知书")
        REFUSAL = "refusal", _("不予受理通知书")
        SUSPENSION = "suspension", _("特别程序告知书")
        EXTENSION = "extension", _("延期告知书")
        DECISION_GRANT = "decision_grant", _("准予行政许可决定书")
        DECISION_DENY = "decision_deny", _("不予行政许可决定书")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("文书类型"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("文书编号"), max_length=64, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    context = models.JSONField()

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("文书")
        verbose_name_plural = _("文书")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
