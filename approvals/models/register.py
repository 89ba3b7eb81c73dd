"""The register of delegated powers (赋权事项清单). A matter row is one *version* of a matter;
all versions share the stable ``code``. Applications point at the exact version in force when
they were accepted."""

import math

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Department, Window


class BusinessCategory(models.Model):
    """A business category of the hall (社会保障, 市场准入…): matters map to it, windows serve
    it, tickets are numbered per category with its prefix."""

    code = models.CharField(_("类别编码"), max_length=32, unique=True)
    name = models.CharField(_("类别名称"), max_length=64, unique=True)
    ticket_prefix = models.CharField(_("取号字母"), max_length=2, unique=True)
    windows = models.ManyToManyField(
        Window, blank=True, related_name="categories", verbose_name=_("服务窗口")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("业务类别")
        verbose_name_plural = _("业务类别")

    def __str__(self) -> str:
        return self.name


class Matter(models.Model):
    class Kind(models.TextChoices):
        LICENSING = "licensing", _("行政许可")
        PENALTY = "penalty", _("行政处罚")
        COMPULSION = "compulsion", _("行政强制")
        LEVY = "levy", _("行政征收")
        PAYMENT = "payment", _("行政给付")
        INSPECTION = "inspection", _("行政检查")
        CONFIRMATION = "confirmation", _("行政确认")
        AWARD = "award", _("行政奖励")
        ADJUDICATION = "adjudication", _("行政裁决")
        OTHER = "other", _("其他行政权力")
        PUBLIC_SERVICE = "public_service", _("公共服务")

    class DelegationMode(models.TextChoices):
        DIRECT = "direct", _("直接赋权")
        ENTRUSTED = "entrusted", _("委托行使")
        FORWARD = "forward", _("受理转报")
        OWN = "own", _("本级")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    code = models.CharField(_("事项编码"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)

    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("事项类型"), max_length=20, choices=Kind.choices)
    delegation_mode = models.CharField(_("行使方式"), max_length=16, choices=DelegationMode.choices)
    delegating_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegated_matters",
        verbose_name=_("来源部门"),
    )
    handling_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="handled_matters",
        verbose_name=_("办理部门"),
    )
    category = models.ForeignKey(
        BusinessCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
        verbose_name=_("窗口业务类别"),
    )
    legal_basis = models.TextField(_("设定依据"), blank=True)

    statutory_days = models.PositiveSmallIntegerField(
        _("法定时限（工作日）"), validators=[MinValueValidator(1)]
    )
    committed_days = models.PositiveSmallIntegerField(
        _("承诺时限（工作日）"), validators=[MinValueValidator(1)]
    )
    warning_days = models.PositiveSmallIntegerField(
        _("预警阈值（工作日）"),
        null=True,
        blank=True,
        help_text=_("剩余工作日不超过此数即黄牌预警；留空则为承诺时限的20%（向上取整，至少1天）。"),
    )
    suspension_allowed = models.BooleanField(_("允许特别程序中止"), default=True)
    extension_allowed = models.BooleanField(_("允许延期"), default=False)
    max_extension_days = models.PositiveSmallIntegerField(_("最长延期（工作日）"), default=0)

    fee_free = models.BooleanField(_("不收费"), default=True)
    fee_amount = models.DecimalField(
        _("收费金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fee_basis = models.TextField(_("收费依据"), blank=True)

    channel_hall = models.BooleanField(_("窗口办理"), default=True)
    channel_online = models.BooleanField(_("网上办理"), default=False)
    channel_self_service = models.BooleanField(_("自助终端"), default=False)
    channel_proxy = models.BooleanField(_("帮代办"), default=False)
    special_lane = models.CharField(_("特色标签"), max_length=32, blank=True)
    stages = models.JSONField(_("办理环节"), default=list, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="matter_code_version_unique"),
            models.CheckConstraint(
                condition=Q(committed_days__lte=models.F("statutory_days")),
                name="matter_committed_within_statutory",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="matter_valid_range_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_from", "valid_to"], name="matter_in_force_idx"),
            models.Index(fields=["handling_department", "status"], name="matter_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code} v{self.version}）"

    @property
    def effective_warning_days(self) -> int:
        if self.warning_days:
            return self.warning_days
        return max(1, math.ceil(self.committed_days * 0.2))

    def clean(self):
        errors = {}
        if (
            self.committed_days
            and self.statutory_days
            and self.committed_days > self.statutory_days
        ):
            errors["committed_days"] = _("承诺时限不得超过法定时限。")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("失效日期不得早于生效日期。")
        if self.extension_allowed and not self.max_extension_days:
            errors["max_extension_days"] = _("允许延期时须填写最长延期天数。")
        if not self.extension_allowed and self.max_extension_days:
            errors["max_extension_days"] = _("不允许延期的事项，最长延期应为0。")
        if self.delegation_mode in (self.DelegationMode.FORWARD, self.DelegationMode.ENTRUSTED):
            if not self.delegating_department_id:
                errors["delegating_department"] = _("委托行使和受理转报事项须填写来源部门。")
        if not self.fee_free and self.fee_amount is None:
            errors["fee_amount"] = _("收费事项须填写收费金额。")
        if errors:
            raise ValidationError(errors)


class Material(models.Model):
    """A material required by one matter version."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        BOTH = "both", _("原件和复印件")
        ELECTRONIC = "electronic", _("电子材料")

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="materials", verbose_name=_("事项")
    )
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("原件或复印件"), max_length=16, choices=Form.choices)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    mandatory = models.BooleanField(_("是否必需"), default=True)
    tolerated_missing = models.BooleanField(_("是否容缺"), default=False)
    blank_form = models.FileField(
        _("空白表格"), upload_to="register/forms/", blank=True, max_length=255
    )
    sample_form = models.FileField(
        _("示例样表"), upload_to="register/samples/", blank=True, max_length=255
    )
    notes = models.TextField(_("填写说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["matter", "order", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(fields=["matter", "name"], name="material_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
