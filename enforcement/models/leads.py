"""Leads (线索/案源): what might be a violation, from a patrol, a grid incident, a complaint,
the hotline, a referral or an inspection. Within 15 working days (once extended by 15, approved)
the bureau files a case, decides not to file (the source is told) or transfers the lead to the
competent body (移送), tracked until that body's receipt is recorded.

The state moves only through the transitions below, called only from
enforcement.services.leads."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from approvals.models import Matter
from enforcement.models.team import Squad
from portal.fsm import ConcurrentTransitionMixin
from portal.models import Department
from portal.models.choices import ChoiceLabels


class LeadSource(models.TextChoices):
    PATROL = "patrol", _("巡查发现")
    GRID_INCIDENT = "grid_incident", _("网格事件")
    COMPLAINT = "complaint", _("投诉举报")
    HOTLINE = "hotline", _("热线交办")
    REFERRAL = "referral", _("部门移送")
    INSPECTION = "inspection", _("监督检查")


class LeadState(models.TextChoices):
    RECEIVED = "received", _("待核查")
    FILING_PROPOSED = "filing_proposed", _("立案审批中")
    FILED = "filed", _("已立案")
    NOT_FILED = "not_filed", _("不予立案")
    TRANSFERRED = "transferred", _("已移送")


LEAD_OPEN = (LeadState.RECEIVED, LeadState.FILING_PROPOSED)


class LeadNumberCounter(models.Model):
    """The last lead number of a year; locked while allocating (a rollback gives it back)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("线索编号计数")
        verbose_name_plural = _("线索编号计数")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Lead(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    Source = LeadSource
    State = LeadState

    number = models.CharField(_("线索编号"), max_length=32, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A resend with the same UUID (a phone back online, a retried hand-off) never makes a
    # second lead.
    client_uuid = models.UUIDField(_("客户端标识"), unique=True)
    state = FSMField(
        _("状态"),
        max_length=20,
        choices=LeadState.choices,
        default=LeadState.RECEIVED,
        protected=True,
    )
    source = models.CharField(_("线索来源"), max_length=16, choices=LeadSource.choices)
    source_ref = models.CharField(
        _("来源编号"), max_length=64, blank=True, help_text=_("如网格事件编号、热线工单号。")
    )
    description = models.TextField(_("线索内容"))
    address = models.CharField(_("地点"), max_length=255, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    area_code = models.CharField(_("所在区域编码"), max_length=40, blank=True, db_index=True)
    matter = models.ForeignKey(
        Matter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及事项"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_leads",
        verbose_name=_("报告人账号"),
    )
    reporter_name = models.CharField(_("报告人"), max_length=64, blank=True)
    reporter_contact = models.CharField(_("报告人联系方式"), max_length=64, blank=True)
    squad = models.ForeignKey(
        Squad,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("承办中队"),
    )
    received_at = models.DateTimeField(_("接收时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    # The clock: 15 working days to decide, once extended by 15 (approved).
    extension_days = models.PositiveSmallIntegerField(_("延长工作日"), default=0)
    filing_due = models.DateField(_("立案决定期限"))
    due_at = models.DateTimeField(_("期限时刻"))
    warn_at = models.DateTimeField(_("预警时刻"))
    # The filing proposal (立案呈批): party, facts, matters, officers; approved by the head.
    proposal = models.JSONField(_("立案呈批内容"), default=dict, blank=True)
    proposed_at = models.DateTimeField(_("呈批时间"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("呈批人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    not_filed_reason = models.TextField(_("不予立案理由"), blank=True)
    source_told_at = models.DateTimeField(_("告知来源时间"), null=True, blank=True)
    source_told_how = models.CharField(_("告知方式"), max_length=200, blank=True)
    transfer_body = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("移送机关"),
    )
    transfer_body_name = models.CharField(_("移送机关名称"), max_length=128, blank=True)
    transfer_reason = models.TextField(_("移送理由"), blank=True)
    transfer_sent_on = models.DateField(_("移送日期"), null=True, blank=True)
    transfer_receipt_on = models.DateField(_("接收回执日期"), null=True, blank=True)
    transfer_receipt_note = models.CharField(_("回执说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("案件线索")
        verbose_name_plural = _("案件线索")
        indexes = [
            models.Index(fields=["squad", "state", "due_at"], name="lead_squad_queue_idx"),
            models.Index(fields=["state", "due_at"], name="lead_state_due_idx"),
            models.Index(fields=["source", "source_ref"], name="lead_source_ref_idx"),
            models.Index(
                fields=["transfer_sent_on"],
                name="lead_transfer_open_idx",
                condition=Q(state="transferred", transfer_receipt_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in LEAD_OPEN

    # --- transitions: guards and state only ------------------------------------------------
    @transition(field=state, source=LeadState.RECEIVED, target=LeadState.FILING_PROPOSED)
    def propose_filing(self):
        pass

    @transition(field=state, source=LeadState.FILING_PROPOSED, target=LeadState.RECEIVED)
    def reject_filing(self):
        pass

    @transition(field=state, source=LeadState.FILING_PROPOSED, target=LeadState.FILED)
    def approve_filing(self):
        pass

    @transition(field=state, source=list(LEAD_OPEN), target=LeadState.NOT_FILED)
    def not_file(self):
        pass

    @transition(field=state, source=list(LEAD_OPEN), target=LeadState.TRANSFERRED)
    def transfer(self):
        pass

    @transition(field=state, source=list(LEAD_OPEN), target=None)
    def assign(self):
        pass


def _lead_photo_path(instance, filename):
    """Referenced by migration 0001 (lead photos are portal.Photo rows since 0004)."""
    return f"enforcement/leads/{uuid.uuid4().hex}"


class LeadPhoto(models.Model):
    """A photo that came with the lead (portal.photos: the original unaltered with its SHA-256,
    an EXIF-free thumbnail for pages)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="photos")
    photo = models.ForeignKey("portal.Photo", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("线索照片")
        verbose_name_plural = _("线索照片")
        constraints = [models.UniqueConstraint(fields=["lead", "photo"], name="lead_photo_once")]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.photo_id}"


class LeadExtension(models.Model):
    """Once per lead: 15 more working days to decide, approved by the bureau head."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
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
        verbose_name = _("线索延期")
        verbose_name_plural = _("线索延期")
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_extension_per_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead} +{self.days}"


class LeadEvent(models.Model):
    """The lead's history: who, when, from, to and why; append-only."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="history")
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
        verbose_name = _("线索记录")
        verbose_name_plural = _("线索记录")

    def __str__(self) -> str:
        return f"{self.lead_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("History is append-only.")
        super().save(*args, **kwargs)
