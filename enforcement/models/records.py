"""What a case file holds beside its state: investigation records and evidence (append-only,
SHA-256), evidence preservation, correction orders, suspensions and extensions of the clock,
legal review, collective discussion, the party's statements, the hearing, payments and their
plans, the court application, joint enforcement, documents and the publication."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enforcement.models.cases import Case
from enforcement.models.leads import Lead
from portal.models import Department


class _AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(f"{type(self).__name__} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} is append-only.")


class InvestigationRecord(models.Model):
    """An inquiry (询问笔录) or on-site inspection (现场检查笔录) by at least two officers."""

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", _("询问笔录")
        INSPECTION = "inspection", _("现场检查笔录")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="records")
    client_uuid = models.UUIDField(_("客户端标识"), unique=True)
    kind = models.CharField(_("记录类型"), max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=255)
    subject = models.CharField(
        _("被询问人 / 被检查对象"),
        max_length=200,
        help_text=_("询问：被询问人；检查：现场或单位。"),
    )
    content = models.TextField(_("记录内容"))
    officers = models.JSONField(_("执法人员"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("调查记录")
        verbose_name_plural = _("调查记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


def _evidence_path(instance, filename):
    return f"enforcement/evidence/{instance.case.public_id.hex}/{uuid.uuid4().hex}"


class Evidence(_AppendOnly):
    """An evidence file (photo, audio, video, document) stored unaltered with its SHA-256."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        AUDIO = "audio", _("录音")
        VIDEO = "video", _("视频")
        DOCUMENT = "document", _("书证")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    record = models.ForeignKey(
        InvestigationRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("所属记录"),
    )
    client_uuid = models.UUIDField(_("客户端标识"), unique=True)
    kind = models.CharField(_("证据类型"), max_length=16, choices=Kind.choices)
    # Photos through portal.photos (original + EXIF-free thumbnail); audio, video and
    # documents in ``file``. Either way unaltered, with the SHA-256.
    photo = models.ForeignKey(
        "portal.Photo", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=_evidence_path, max_length=255, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("证明内容"), max_length=255, blank=True)
    taken_at = models.DateTimeField(_("采集时间"), null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("证据")
        verbose_name_plural = _("证据")

    def __str__(self) -> str:
        return self.original_name


class Preservation(models.Model):
    """Evidence registered for preservation (先行登记保存, art. 56): dealt with within 7
    working days, or released."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("保存中")
        RETURNED = "returned", _("解除保存、退还")
        CONFISCATED = "confiscated", _("依法没收")
        TRANSFERRED = "transferred", _("移送有关部门")
        TESTED = "tested", _("送检检测")
        RELEASED = "released", _("期满未处理、解除保存")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="preservations")
    items = models.TextField(_("保存物品清单"))
    place = models.CharField(_("保存地点"), max_length=255)
    started_on = models.DateField(_("保存日期"))
    due_on = models.DateField(_("处理期限"))
    outcome = models.CharField(
        _("处理结果"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN
    )
    dealt_on = models.DateField(_("处理日期"), null=True, blank=True)
    note = models.TextField(_("处理说明"), blank=True)
    officers = models.JSONField(_("执法人员"), default=list)

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("先行登记保存")
        verbose_name_plural = _("先行登记保存")
        indexes = [
            models.Index(
                fields=["due_on"], name="preservation_open_idx", condition=Q(outcome="open")
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_on}"


class CorrectionOrder(models.Model):
    """An order to correct (责令改正) with its deadline (at most 30 days) and the re-check."""

    class Result(models.TextChoices):
        PENDING = "pending", _("待复查")
        CORRECTED = "corrected", _("已改正")
        NOT_CORRECTED = "not_corrected", _("逾期未改正")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="correction_orders")
    requirement = models.TextField(_("改正要求"))
    ordered_on = models.DateField(_("责令日期"))
    deadline = models.DateField(_("改正期限"))
    result = models.CharField(
        _("复查结果"), max_length=16, choices=Result.choices, default=Result.PENDING
    )
    rechecked_on = models.DateField(_("复查日期"), null=True, blank=True)
    recheck_note = models.TextField(_("复查情况"), blank=True)
    officers = models.JSONField(_("执法人员"), default=list)

    class Meta:
        ordering = ["ordered_on", "id"]
        verbose_name = _("责令改正")
        verbose_name_plural = _("责令改正")
        indexes = [
            models.Index(
                fields=["deadline"], name="correction_pending_idx", condition=Q(result="pending")
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.deadline}"


class CaseSuspension(models.Model):
    """A period the 90-day decision limit does not count (art. 60): hearing, public notice,
    testing, appraisal."""

    class Kind(models.TextChoices):
        HEARING = "hearing", _("听证")
        PUBLIC_NOTICE = "public_notice", _("公告")
        TESTING = "testing", _("检测、检验、检疫")
        APPRAISAL = "appraisal", _("技术鉴定")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suspensions")
    kind = models.CharField(_("中止事由"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("说明"), blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("期限中止")
        verbose_name_plural = _("期限中止")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="one_open_case_suspension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"

    @property
    def days(self) -> int | None:
        return None if self.ended_on is None else (self.ended_on - self.started_on).days


class Discussion(models.Model):
    """A collective discussion (集体讨论, art. 57) by the bureau's leadership: who, when, the
    opinion, the conclusion."""

    class Purpose(models.TextChoices):
        DECISION = "decision", _("重大案件处理决定")
        EXTENSION = "extension", _("再次延长办案期限")

    class Conclusion(models.TextChoices):
        AGREE = "agree", _("同意拟处理意见")
        RETURN = "return", _("退回补充调查")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="discussions")
    purpose = models.CharField(_("讨论事项"), max_length=16, choices=Purpose.choices)
    held_at = models.DateTimeField(_("讨论时间"))
    chair = models.CharField(_("主持人"), max_length=64)
    participants = models.JSONField(_("参加人员"), default=list)
    opinion = models.TextField(_("讨论意见"))
    conclusion = models.CharField(_("结论"), max_length=16, choices=Conclusion.choices)
    proposal_revision = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_at", "id"]
        verbose_name = _("集体讨论")
        verbose_name_plural = _("集体讨论")

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_at:%Y-%m-%d}"


class DecisionExtension(models.Model):
    """An extension of the 90-day decision limit: the first by the bureau head, further ones only
    by collective discussion."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decision_extensions")
    days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.TextField(_("延期理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("批准日期"))
    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("集体讨论"),
    )

    class Meta:
        ordering = ["approved_on", "id"]
        verbose_name = _("办案期限延长")
        verbose_name_plural = _("办案期限延长")

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class LegalReview(models.Model):
    """Legal review (法制审核, art. 58) of a major case's proposal: 10 working days; the
    reviewer agrees, disagrees or asks for an amendment."""

    class Opinion(models.TextChoices):
        PENDING = "", _("审核中")
        AGREE = "agree", _("同意")
        DISAGREE = "disagree", _("不同意")
        AMEND = "amend", _("建议修改")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    proposal_revision = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("审核期限"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opinion = models.CharField(
        _("审核意见"), max_length=16, choices=Opinion.choices, blank=True, default=""
    )
    comments = models.TextField(_("审核说明"), blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("法制审核")
        verbose_name_plural = _("法制审核")
        indexes = [
            models.Index(fields=["due_on"], name="review_pending_idx", condition=Q(opinion=""))
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_opinion_display()}"


class Statement(models.Model):
    """The party's statement and defence (陈述申辩), or its waiver."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="statements")
    received_on = models.DateField(_("收到日期"))
    waived = models.BooleanField(_("放弃陈述申辩"), default=False)
    content = models.TextField(_("陈述申辩内容"), blank=True)
    accepted = models.BooleanField(_("意见成立"), null=True)
    reply = models.TextField(_("复核意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("陈述申辩")
        verbose_name_plural = _("陈述申辩")

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_on}"


class Hearing(models.Model):
    """A hearing (听证, art. 64): asked within 5 working days of the notice, announced at least
    7 working days ahead, with its record."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="hearing")
    requested_on = models.DateField(_("申请日期"))
    notice_on = models.DateField(_("听证通知日期"), null=True, blank=True)
    scheduled_on = models.DateField(_("听证日期"), null=True, blank=True)
    place = models.CharField(_("听证地点"), max_length=255, blank=True)
    host = models.CharField(_("主持人"), max_length=64, blank=True)
    held_on = models.DateField(_("举行日期"), null=True, blank=True)
    record = models.TextField(_("听证笔录"), blank=True)
    recorded_at = models.DateTimeField(_("笔录录入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("听证")
        verbose_name_plural = _("听证")

    def __str__(self) -> str:
        return f"{self.case_id} {self.scheduled_on or self.requested_on}"


class Payment(models.Model):
    """A payment of the fine (and the late fee). On-the-spot cash (art. 68) is handed in within
    2 working days (art. 71)."""

    class Method(models.TextChoices):
        BANK = "bank", _("银行缴款")
        ONLINE = "online", _("网上缴款")
        CASH_ON_THE_SPOT = "cash", _("当场收缴")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    client_uuid = models.UUIDField(_("客户端标识"), unique=True, null=True, blank=True)
    amount = models.DecimalField(_("罚款（元）"), max_digits=12, decimal_places=2)
    late_fee = models.DecimalField(_("加处罚款（元）"), max_digits=12, decimal_places=2, default=0)
    paid_on = models.DateField(_("缴款日期"))
    method = models.CharField(_("缴款方式"), max_length=8, choices=Method.choices)
    receipt_number = models.CharField(_("票据号"), max_length=64)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hand_in_due = models.DateField(_("交款期限"), null=True, blank=True)
    handed_in_on = models.DateField(_("交款日期"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("缴款")
        verbose_name_plural = _("缴款")
        indexes = [
            models.Index(
                fields=["hand_in_due"],
                name="payment_cash_open_idx",
                condition=Q(method="cash", handed_in_on__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount}"


class PaymentPlan(models.Model):
    """Deferral or instalments (art. 66), approved by the bureau head."""

    class Kind(models.TextChoices):
        DEFERRAL = "deferral", _("延期缴纳")
        INSTALMENTS = "instalments", _("分期缴纳")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="payment_plan")
    kind = models.CharField(_("方式"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("理由"))
    schedule = models.JSONField(
        _("缴款计划"), default=list
    )  # [{"due": "YYYY-MM-DD", "amount": "…"}]
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("批准日期"))

    class Meta:
        verbose_name = _("暂缓或分期缴纳")
        verbose_name_plural = _("暂缓或分期缴纳")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


class CourtApplication(models.Model):
    """An application to the people's court for enforcement (申请法院强制执行)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="court_application")
    applied_on = models.DateField(_("申请日期"))
    court = models.CharField(_("人民法院"), max_length=128)
    ruling = models.TextField(_("裁定情况"), blank=True)
    ruling_on = models.DateField(_("裁定日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("申请法院强制执行")
        verbose_name_plural = _("申请法院强制执行")

    def __str__(self) -> str:
        return f"{self.case_id} {self.court}"


class JointAction(models.Model):
    """Joint enforcement (联合执法): who took part and each body's findings, in one case file."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="joint_actions")
    held_on = models.DateField(_("日期"))
    bodies = models.ManyToManyField(Department, related_name="+", verbose_name=_("参加单位"))
    participants = models.TextField(_("参加人员"))
    findings = models.JSONField(_("各单位意见"), default=dict)  # {department code: text}
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("联合执法")
        verbose_name_plural = _("联合执法")

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class DocumentCounter(models.Model):
    """The last number of a document kind in a year; locked while allocating."""

    kind = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文书编号计数")
        verbose_name_plural = _("文书编号计数")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="document_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Document(_AppendOnly):
    """An enforcement document (执法文书). Its content is frozen at issue (``context``); the
    PDF is rendered from it (enforcement.documents), always the same bytes (``sha256``)."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("文书种类"), max_length=32)
    number = models.CharField(_("文书编号"), max_length=64, unique=True)
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    issued_at = models.DateTimeField(_("制作时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    context = models.JSONField()
    sha256 = models.CharField(max_length=64, blank=True)
    # The party opens their document with this (the QR code of an on-the-spot decision).
    public_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("执法文书")
        verbose_name_plural = _("执法文书")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "seq"], name="document_seq_once")
        ]
        indexes = [models.Index(fields=["case", "kind"], name="document_case_idx")]

    def __str__(self) -> str:
        return self.number


class Publication(models.Model):
    """A decision published (执法公示): within 7 working days of the decision; a person's name
    and ID masked, an organisation's shown; taken down after the configured years or at once
    when the decision is revoked."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待公示")
        PUBLISHED = "published", _("公示中")
        TAKEN_DOWN = "taken_down", _("已撤下")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="publication")
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    due_on = models.DateField(_("公示期限"))
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content = models.JSONField(_("公示内容"), default=dict)
    take_down_on = models.DateField(_("撤下日期"), null=True, blank=True)
    taken_down_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    take_down_reason = models.CharField(_("撤下原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("执法公示")
        verbose_name_plural = _("执法公示")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="publication_list_idx"),
            models.Index(
                fields=["take_down_on"],
                name="publication_expiry_idx",
                condition=Q(status="published"),
            ),
            models.Index(
                fields=["due_on"], name="publication_due_idx", condition=Q(status="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"
