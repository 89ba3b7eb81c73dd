"""The team: squads (中队), officers and auxiliaries, enforcement certificates (执法证) and the
duty roster (值班)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Squad(models.Model):
    code = models.CharField(_("中队编码"), max_length=16, unique=True)
    name = models.CharField(_("中队名称"), max_length=64, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_squads",
        verbose_name=_("中队长"),
    )
    phone = models.CharField(_("值班电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("执法中队")
        verbose_name_plural = _("执法中队")

    def __str__(self) -> str:
        return self.name


class Officer(models.Model):
    """A member of the bureau: an officer (执法人员, counts for art. 42 with a valid certificate)
    or an auxiliary (协管员, assists, never counts)."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("执法人员")
        AUXILIARY = "auxiliary", _("协管员")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enforcement_officer",
        verbose_name=_("用户"),
    )
    squad = models.ForeignKey(
        Squad,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("所属中队"),
        help_text=_("局机关人员（局长、法制审核员）可不属于中队。"),
    )
    kind = models.CharField(_("人员类别"), max_length=16, choices=Kind.choices)
    employee_number = models.CharField(_("工号"), max_length=32, blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        ordering = ["squad__code", "kind", "user__username"]
        verbose_name = _("执法队员")
        verbose_name_plural = _("执法队员")

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def name(self) -> str:
        return self.user.display_name


class Certificate(models.Model):
    """An enforcement certificate (执法证). Valid on a day when that day lies within
    valid_from..valid_to and it was not revoked on or before it."""

    officer = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("持证人")
    )
    number = models.CharField(_("证件编号"), max_length=32, unique=True)
    issuing_body = models.CharField(_("发证机关"), max_length=128)
    fields = models.CharField(_("执法领域"), max_length=200, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期至"))
    revoked_on = models.DateField(_("注销日期"), null=True, blank=True)

    class Meta:
        ordering = ["officer", "-valid_to"]
        verbose_name = _("执法证")
        verbose_name_plural = _("执法证")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="certificate_dates_ordered"
            )
        ]
        indexes = [models.Index(fields=["valid_to"], name="certificate_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.number}（{self.officer}）"

    def valid_on(self, day: date) -> bool:
        if self.revoked_on is not None and self.revoked_on <= day:
            return False
        return self.valid_from <= day <= self.valid_to


class DutyShift(models.Model):
    """Who of a squad is on duty (值班) on a day; a call-out goes to them."""

    squad = models.ForeignKey(
        Squad, on_delete=models.CASCADE, related_name="duty_shifts", verbose_name=_("中队")
    )
    day = models.DateField(_("值班日期"))
    officer = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="duty_shifts", verbose_name=_("值班人员")
    )
    is_lead = models.BooleanField(_("带班"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["day", "squad", "-is_lead", "officer"]
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        constraints = [
            models.UniqueConstraint(fields=["squad", "day", "officer"], name="duty_once_per_day")
        ]
        indexes = [models.Index(fields=["day", "squad"], name="duty_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.squad} {self.officer}"


class PatrolArea(models.Model):
    """A patrol area (片区): a set of villages, grids or special grids of the town's map that
    one squad patrols; a lead located in it goes to that squad."""

    code = models.CharField(_("片区编码"), max_length=16, unique=True)
    name = models.CharField(_("片区名称"), max_length=64)
    squad = models.ForeignKey(
        Squad, on_delete=models.PROTECT, related_name="patrol_areas", verbose_name=_("中队")
    )
    areas = models.ManyToManyField(
        "portal.Area", related_name="patrol_areas", blank=True, verbose_name=_("包含区域")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("巡查片区")
        verbose_name_plural = _("巡查片区")

    def __str__(self) -> str:
        return self.name
