"""Random inspections (双随机一公开): a plan draws targets from the register of targets and two
certified inspectors for each from the officers, conflicts of interest excluded; the draw is
seeded, logged and reproducible (enforcement.services.inspections.draw); results are published
within 20 working days; a finding opens a lead."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models import Matter
from enforcement.models.leads import Lead
from enforcement.models.team import Officer


class InspectionTarget(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        SHOP = "shop", _("个体商户")
        SITE = "site", _("场所、工地")

    code = models.CharField(_("对象编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    area_code = models.CharField(_("所在区域编码"), max_length=40, blank=True)
    matter_codes = models.JSONField(_("适用检查事项"), default=list, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OfficerConflict(models.Model):
    """An officer who must not inspect a target (回避: kin, former employer, …)."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="conflicts")
    target = models.ForeignKey(InspectionTarget, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(_("回避事由"), max_length=200)

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [models.UniqueConstraint(fields=["officer", "target"], name="conflict_once")]

    def __str__(self) -> str:
        return f"{self.officer} / {self.target}"


class InspectionPlan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("待抽取")
        DRAWN = "drawn", _("已抽取")
        PUBLISHED = "published", _("结果已公开")

    code = models.CharField(_("计划编号"), max_length=32, unique=True)
    name = models.CharField(_("计划名称"), max_length=200)
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查事项")
    )
    target_kind = models.CharField(
        _("对象类别"), max_length=16, choices=InspectionTarget.Kind.choices, blank=True
    )
    target_count = models.PositiveIntegerField(_("抽取对象数"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    drawn_on = models.DateField(_("抽取日期"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    draw_log = models.JSONField(_("抽取记录"), default=dict, blank=True)
    draw_digest = models.CharField(_("抽取记录校验值"), max_length=64, blank=True)
    results_due = models.DateField(_("结果公开期限"), null=True, blank=True)
    published_at = models.DateTimeField(_("结果公开时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("双随机抽查计划")
        verbose_name_plural = _("双随机抽查计划")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InspectionTask(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("待检查")
        COMPLIANT = "compliant", _("未发现问题")
        PROBLEM = "problem", _("发现问题")
        NOT_FOUND = "not_found", _("无法联系或已停业")

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="tasks")
    target = models.ForeignKey(InspectionTarget, on_delete=models.PROTECT, related_name="tasks")
    order = models.PositiveIntegerField(_("抽取顺序"))
    inspectors = models.ManyToManyField(Officer, related_name="inspection_tasks")
    result = models.CharField(
        _("检查结果"), max_length=16, choices=Result.choices, default=Result.PENDING
    )
    findings = models.TextField(_("检查情况"), blank=True)
    inspected_on = models.DateField(_("检查日期"), null=True, blank=True)
    lead = models.OneToOneField(
        Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="inspection_task"
    )

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("抽查任务")
        verbose_name_plural = _("抽查任务")
        constraints = [
            models.UniqueConstraint(fields=["plan", "target"], name="inspection_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.target.code}"
