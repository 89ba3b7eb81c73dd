"""The incident category catalogue (事件分类): two levels, a branch (城市管理, 安全生产…) that
belongs to one of the five networks, and leaves (占道经营, 消防隐患…) that set the urgency,
the time limits and the rules of an incident.

A leaf row is one *version* of a category; all versions share the stable ``code``. A change
closes the version in force and opens the next one from that moment: an incident points at the
version in force when it was reported and so keeps the limits it started with."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.clock import Limit, Unit


class Network(models.TextChoices):
    """五网融合: the five networks merged in one grid."""

    WORK_SAFETY = "work_safety", _("安全生产")
    PUBLIC_ORDER = "public_order", _("社会治安与稳定")
    ENVIRONMENT = "environment", _("生态环境与城乡管理")
    CIVIL_AFFAIRS = "civil_affairs", _("民政民生")
    RESIDENT_CONTACT = "resident_contact", _("联系服务群众")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    ORDINARY = "ordinary", _("一般")
    COMPLEX = "complex", _("复杂")


# Limits of a category are in calendar hours (the centre works 24 h) or in working days.
LIMIT_UNITS = [
    (Unit.HOURS.value, Unit.HOURS.label),
    (Unit.WORKING_DAYS.value, Unit.WORKING_DAYS.label),
]


class CategoryBranch(models.Model):
    """The first level of the catalogue."""

    code = models.CharField(_("大类编码"), max_length=16, unique=True)
    name = models.CharField(_("大类名称"), max_length=64)
    network = models.CharField(_("所属网络"), max_length=20, choices=Network.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("事件大类")
        verbose_name_plural = _("事件大类")

    def __str__(self) -> str:
        return self.name


class CategoryQuerySet(models.QuerySet):
    def in_force(self, at=None):
        """The versions in force at ``at`` (now by default): one per code at most."""
        from django.utils import timezone

        at = at or timezone.now()
        return self.filter(valid_from__lte=at).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))

    def current(self):
        """The newest version of every code that has not been retired."""
        return self.filter(valid_to__isnull=True)


class Category(models.Model):
    """One version of a leaf category."""

    code = models.CharField(_("小类编码"), max_length=16, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_to = models.DateTimeField(
        _("失效时间"), null=True, blank=True, help_text=_("空表示现行有效。")
    )
    branch = models.ForeignKey(
        CategoryBranch,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("事件大类"),
    )
    name = models.CharField(_("小类名称"), max_length=64)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    limit_unit = models.CharField(
        _("时限单位"),
        max_length=16,
        choices=LIMIT_UNITS,
        help_text=_("紧急类按自然小时计（中心24小时值守），其余按工作日计。"),
    )
    verify_limit = models.PositiveSmallIntegerField(
        _("核实时限"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    accept_limit = models.PositiveSmallIntegerField(
        _("受理时限"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    handle_limit = models.PositiveSmallIntegerField(
        _("处置时限"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    max_handle_limit = models.PositiveSmallIntegerField(
        _("延期后最长处置时限"),
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("含一次延期在内的最长处置时限；等于处置时限表示不可延期。"),
    )
    grid_may_handle = models.BooleanField(_("网格可自行处置"), default=True)
    possible_violation = models.BooleanField(
        _("可能涉及违法"), default=False, help_text=_("可作为执法线索移交综合行政执法。")
    )
    matter_code = models.CharField(
        _("关联事项编码"),
        max_length=64,
        blank=True,
        help_text=_("事项清单中对应的行政处罚事项（可选）。"),
    )
    duplicate_radius_m = models.PositiveIntegerField(
        _("疑似重复半径（米）"), default=200, validators=[MinValueValidator(10)]
    )
    duplicate_days = models.PositiveSmallIntegerField(
        _("疑似重复天数"), default=14, validators=[MinValueValidator(1)]
    )
    accepted_text = models.CharField(_("受理告知语"), max_length=300, blank=True)
    closed_text = models.CharField(_("结案告知语"), max_length=300, blank=True)

    change_note = models.CharField(_("变更说明"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("变更人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["branch__order", "order", "code", "-version"]
        verbose_name = _("事件小类")
        verbose_name_plural = _("事件小类")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="category_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="category_one_current"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="category_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(max_handle_limit__gte=F("handle_limit")),
                name="category_max_covers_handle",
            ),
            models.CheckConstraint(
                condition=Q(limit_unit__in=["hours", "working_days"]),
                name="category_limit_unit",
            ),
        ]
        indexes = [models.Index(fields=["code", "valid_from"], name="category_in_force_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        return f"{self.branch.name} › {self.name}"

    def limit(self, step: str) -> Limit:
        """The limit of a step: ``verify``, ``accept``, ``handle`` or ``max_handle``."""
        return Limit(getattr(self, f"{step}_limit"), self.limit_unit)

    @property
    def max_extension(self) -> int:
        return self.max_handle_limit - self.handle_limit

    @property
    def unit_label(self) -> str:
        return Unit(self.limit_unit).label

    def limits_dict(self) -> dict:
        return {
            "unit": self.limit_unit,
            "verify": self.verify_limit,
            "accept": self.accept_limit,
            "handle": self.handle_limit,
            "max_handle": self.max_handle_limit,
        }
