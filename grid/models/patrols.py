"""Patrols (巡查): a grid member walks their grid with the phone, which samples positions while
the page is open; findings along the way carry words, a place and photos (each may become an
incident). Duty standards say how often each grid must be walked and how many households
visited; the compliance table compares."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Area


class DutyStandard(models.Model):
    """How often a grid must be walked and how many households visited. The row on the town is
    the default for grids without their own."""

    area = models.OneToOneField(
        Area, on_delete=models.PROTECT, related_name="duty_standard", verbose_name=_("区域")
    )
    patrols_per_week = models.PositiveSmallIntegerField(_("每周巡查次数"), default=5)
    visits_per_month = models.PositiveIntegerField(_("每月走访户数"), default=30)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("巡查标准")
        verbose_name_plural = _("巡查标准")

    def __str__(self) -> str:
        return f"{self.area}: {self.patrols_per_week}/wk, {self.visits_per_month}/mo"


class Patrol(models.Model):
    class Status(models.TextChoices):
        WALKING = "walking", _("巡查中")
        FINISHED = "finished", _("已完成")

    # made by the phone, so that a resend after a lost signal never makes a second patrol
    public_id = models.UUIDField(_("编号"), unique=True, default=uuid.uuid4)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patrols",
        verbose_name=_("网格员"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("网格")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.WALKING
    )
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # [[lng, lat, accuracy_m, epoch_ms], ...] in time order, one entry per sampled position
    track = models.JSONField(_("轨迹"), default=list, blank=True)
    distance_m = models.FloatField(_("里程（米）"), default=0)
    households_visited = models.PositiveIntegerField(_("走访户数"), default=0)
    note = models.TextField(_("巡查情况"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        indexes = [
            models.Index(fields=["member", "started_at"], name="grid_patrol_member"),
            models.Index(fields=["area", "started_at"], name="grid_patrol_area"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="walking") & Q(finished_at__isnull=True))
                | (Q(status="finished") & Q(finished_at__isnull=False)),
                name="grid_patrol_finished_state",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=models.F("started_at")),
                name="grid_patrol_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.started_at:%Y-%m-%d %H:%M} {self.member}"

    @property
    def duration_minutes(self) -> int | None:
        if not self.finished_at:
            return None
        return int((self.finished_at - self.started_at).total_seconds() // 60)


class FindingCategory(models.TextChoices):
    """The five networks merged in one grid (五网融合)."""

    WORK_SAFETY = "work_safety", _("安全生产")
    PUBLIC_ORDER = "public_order", _("平安稳定")
    ENVIRONMENT = "environment", _("生态环境")
    CIVIL_AFFAIRS = "civil_affairs", _("民生服务")
    RESIDENT_CONTACT = "resident_contact", _("联系群众")


class Finding(models.Model):
    """Something seen on a patrol. The next issue turns findings into incidents."""

    Category = FindingCategory

    public_id = models.UUIDField(_("编号"), unique=True, default=uuid.uuid4)
    patrol = models.ForeignKey(
        Patrol, on_delete=models.PROTECT, related_name="findings", verbose_name=_("巡查")
    )
    category = models.CharField(_("类别"), max_length=20, choices=FindingCategory.choices)
    description = models.TextField(_("情况描述"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    micro_grid = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("微网格"),
    )
    reported_at = models.DateTimeField(_("发现时间"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reported_at", "id"]
        verbose_name = _("巡查发现")
        verbose_name_plural = _("巡查发现")

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:30]}"


class FindingPhoto(models.Model):
    """A photo of a finding: the evidence itself lives in portal.Photo (original unaltered with
    its SHA-256, an EXIF-free thumbnail)."""

    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="photos", verbose_name=_("巡查发现")
    )
    photo = models.OneToOneField(
        "portal.Photo", on_delete=models.PROTECT, related_name="+", verbose_name=_("照片")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("巡查照片")
        verbose_name_plural = _("巡查照片")

    def __str__(self) -> str:
        return f"{self.finding_id}:{self.photo_id}"
