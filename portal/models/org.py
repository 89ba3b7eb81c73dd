from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.names import localized_name


class Department(models.Model):
    """A bureau of the town (internal) or a district/city department that delegates powers."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("镇内机构")
        EXTERNAL = "external", _("区（市）部门")

    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=128, unique=True)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized_name(self.name, getattr(self, "name_en", ""))

    @property
    def display_short_name(self) -> str:
        english = getattr(self, "name_en", "")
        return localized_name(self.short_name or self.name, english)


class Window(models.Model):
    """A service window of the hall."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("综合窗口")
        SPECIALISED = "specialised", _("专业窗口")
        RELEASE = "release", _("出件窗口")

    number = models.PositiveSmallIntegerField(_("窗口号"), unique=True)
    name = models.CharField(_("窗口名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    departments = models.ManyToManyField(
        Department, verbose_name=_("服务部门"), related_name="windows", blank=True
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")

    def __str__(self) -> str:
        return _("%(number)s号窗口（%(name)s）") % {
            "number": self.number,
            "name": self.display_name,
        }

    @property
    def display_name(self) -> str:
        return localized_name(self.name, self.name_en)


class StaffProfile(models.Model):
    """Ties a staff member to a department and the windows they staff. Grids and squads hold
    their own memberships (grid and enforcement apps), pointing back at the user."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("站内消息")
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("用户"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("所属部门"),
    )
    windows = models.ManyToManyField(
        Window, blank=True, related_name="staff", verbose_name=_("值守窗口")
    )
    title = models.CharField(_("职务"), max_length=64, blank=True)
    is_department_head = models.BooleanField(_("部门负责人"), default=False)
    employee_number = models.CharField(_("工号"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("工作人员档案")
        verbose_name_plural = _("工作人员档案")

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"
