"""The town's map: town → village/community → grid → micro-grid, plus special grids.

Boundaries are GeoJSON geometries (Polygon or MultiPolygon, WGS-84/CGCS2000 longitude-latitude)
stored as JSON; every geometric question goes through :mod:`portal.areas` (shapely in memory),
so the database needs no spatial extension. Areas are never deleted: an area that stops
existing is closed on a date (``active_to``) and keeps its code, its history and everything
that points at it, so "which grid was this, and who was responsible, on that day" stays
answerable."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    TOWN = "town", _("镇")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    MICRO_GRID = "micro_grid", _("微网格")
    SPECIAL_GRID = "special_grid", _("专属网格")


class SpecialKind(models.TextChoices):
    INDUSTRIAL_PARK = "industrial_park", _("工业园区")
    PORT = "port", _("港口")
    MARKET = "market", _("市场")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)

# Which kinds an area of each kind may hang under.
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    AreaKind.TOWN: (),
    AreaKind.VILLAGE: (AreaKind.TOWN,),
    AreaKind.COMMUNITY: (AreaKind.TOWN,),
    AreaKind.GRID: VILLAGE_KINDS,
    AreaKind.MICRO_GRID: (AreaKind.GRID,),
    AreaKind.SPECIAL_GRID: (AreaKind.TOWN, *VILLAGE_KINDS),
}


class AreaQuerySet(models.QuerySet):
    def active(self, on=None):
        """Areas in force on ``on`` (today by default): active_from ≤ on < active_to."""
        on = on or timezone.localdate()
        return self.filter(active_from__lte=on).filter(
            Q(active_to__isnull=True) | Q(active_to__gt=on)
        )

    def villages(self):
        return self.filter(kind__in=VILLAGE_KINDS)

    def grids(self):
        return self.filter(kind=AreaKind.GRID)

    def micro_grids(self):
        return self.filter(kind=AreaKind.MICRO_GRID)

    def special_grids(self):
        return self.filter(kind=AreaKind.SPECIAL_GRID)

    def within(self, area):
        """``area`` and every area below it (its grids, micro-grids and special grids)."""
        if area.kind == AreaKind.TOWN:
            return self.all()
        if area.kind in VILLAGE_KINDS:
            return self.filter(Q(pk=area.pk) | Q(village=area))
        if area.kind == AreaKind.GRID:
            return self.filter(Q(pk=area.pk) | Q(parent=area))
        return self.filter(pk=area.pk)


class Area(models.Model):
    """One area of the town's map. ``code`` is the town's own code (imported, never generated
    over) and never changes or is reused."""

    Kind = AreaKind
    SpecialKind = SpecialKind

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=AreaKind.choices, db_index=True)
    special_kind = models.CharField(
        _("专属网格类型"), max_length=20, choices=SpecialKind.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级区域"),
    )
    # The village or community the area lies in (grids, micro-grids, special grids of a
    # village); empty for the town, the villages themselves and town-level special grids.
    village = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属村（社区）"),
    )
    boundary = models.JSONField(_("边界"), null=True, blank=True)
    households = models.PositiveIntegerField(_("户数"), default=0)
    residents = models.PositiveIntegerField(_("人口"), default=0)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    active_from = models.DateField(_("启用日期"))
    active_to = models.DateField(
        _("停用日期"), null=True, blank=True, help_text=_("当日起不再有效；空表示仍在使用。")
    )
    predecessors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="successors",
        verbose_name=_("由哪些区域拆分或合并而来"),
    )
    revision = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [
            models.Index(fields=["kind", "active_to"], name="area_kind_active"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gt=F("active_from")),
                name="area_active_range",
            ),
            models.CheckConstraint(
                condition=(Q(kind=AreaKind.TOWN) & Q(parent__isnull=True))
                | (~Q(kind=AreaKind.TOWN) & Q(parent__isnull=False)),
                name="area_parent_unless_town",
            ),
            models.CheckConstraint(
                condition=Q(kind=AreaKind.TOWN) | Q(boundary__isnull=False),
                name="area_boundary_unless_town",
            ),
            models.CheckConstraint(
                condition=Q(kind=AreaKind.SPECIAL_GRID) | Q(special_kind=""),
                name="area_special_kind_only_special",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="area_not_own_parent",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind=AreaKind.TOWN), name="area_one_town"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_village(self) -> bool:
        return self.kind in VILLAGE_KINDS

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.active_from <= on and (self.active_to is None or on < self.active_to)

    def kind_label(self) -> str:
        if self.kind == AreaKind.SPECIAL_GRID and self.special_kind:
            return f"{self.get_kind_display()}·{self.get_special_kind_display()}"
        return self.get_kind_display()


class AreaChange(models.Model):
    """The history of an area: created, changed (which fields, before and after), closed,
    split or merged — on which date it took effect, who did it and why. Append-only."""

    class Action(models.TextChoices):
        CREATED = "created", _("新建")
        CHANGED = "changed", _("修改")
        CLOSED = "closed", _("撤销")
        SPLIT = "split", _("拆分")
        MERGED = "merged", _("合并")

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="changes", verbose_name=_("区域")
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    effective_on = models.DateField(_("生效日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人名称"), max_length=128, blank=True)
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("区域变更记录")
        verbose_name_plural = _("区域变更记录")

    def __str__(self) -> str:
        return f"{self.area.code} {self.action} {self.effective_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Area history is append-only.")
        super().save(*args, **kwargs)


class ChangeStamp(models.Model):
    """A version stamp per shared in-memory structure (e.g. ``areas``): services set a new one
    in the transaction that changes the data, every process compares it with the one its copy
    was built from and rebuilds when they differ."""

    key = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("变更戳")
        verbose_name_plural = _("变更戳")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class AreaImport(models.Model):
    """A boundary file a register administrator uploaded: kept with its check and preview, so
    that what is applied is exactly what was previewed (or, if the map changed since, checked
    again and previewed anew)."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("已检查")
        APPLIED = "applied", _("已导入")

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    effective_on = models.DateField(_("生效日期"))
    from_gcj02 = models.BooleanField(_("从 GCJ-02 转换"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.CHECKED
    )
    ok = models.BooleanField(_("检查通过"), default=False)
    stamp = models.BigIntegerField(default=0)
    report = models.JSONField(default=dict)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("边界导入")
        verbose_name_plural = _("边界导入")

    def __str__(self) -> str:
        return self.file_name
