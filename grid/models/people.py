"""Grid people: who is responsible for which area, from when to when (Zhejiang's "1+3+N": a
head, members and an instructor per grid, a contact per micro-grid, the village's staff).

An assignment is never deleted or rewritten: it starts on a date and ends on a date (the first
day the person is no longer responsible), so who was responsible on any past day stays
answerable. One head and one instructor per grid at a time: a partial unique index for the
current one on every database, and on PostgreSQL an exclusion constraint over the date ranges
(migration 0001), so back-dated entries cannot overlap either."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Area, AreaKind


class AssignmentRole(models.TextChoices):
    HEAD = "head", _("网格长")
    MEMBER = "member", _("网格员")
    INSTRUCTOR = "instructor", _("网格指导员")
    CONTACT = "contact", _("微网格联络员")
    VILLAGE_STAFF = "village_staff", _("村（社区）工作人员")


# roles of which a grid has one at a time
SINGLE_ROLES = (AssignmentRole.HEAD, AssignmentRole.INSTRUCTOR)
# which kinds of area each role is assigned to
ROLE_AREA_KINDS = {
    AssignmentRole.HEAD: (AreaKind.GRID, AreaKind.SPECIAL_GRID),
    AssignmentRole.MEMBER: (AreaKind.GRID, AreaKind.SPECIAL_GRID),
    AssignmentRole.INSTRUCTOR: (AreaKind.GRID, AreaKind.SPECIAL_GRID),
    AssignmentRole.CONTACT: (AreaKind.MICRO_GRID,),
    AssignmentRole.VILLAGE_STAFF: (AreaKind.VILLAGE, AreaKind.COMMUNITY),
}


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("专职")
    PART_TIME = "part_time", _("兼职")


class AssignmentQuerySet(models.QuerySet):
    def on(self, day=None):
        """In force on ``day`` (today by default): starts_on ≤ day < ends_on."""
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))

    def current(self):
        return self.on()


class Assignment(models.Model):
    Role = AssignmentRole

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("区域")
    )
    role = models.CharField(_("职责"), max_length=16, choices=AssignmentRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_assignments",
        verbose_name=_("账号"),
    )
    # A micro-grid contact is often a resident without an account: name and phone only.
    person_name = models.CharField(_("姓名"), max_length=64, blank=True)
    person_mobile = models.CharField(_("联系电话"), max_length=20, blank=True)
    employment = models.CharField(
        _("专兼职"), max_length=12, choices=Employment.choices, blank=True
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(
        _("结束日期"), null=True, blank=True, help_text=_("当日起不再负责；空表示仍在任。")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_note = models.CharField(_("结束原因"), max_length=200, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["area__code", "role", "starts_on", "id"]
        verbose_name = _("网格人员任职")
        verbose_name_plural = _("网格人员任职")
        indexes = [
            models.Index(fields=["user", "role", "ends_on"], name="grid_assign_user"),
            models.Index(fields=["area", "role", "ends_on"], name="grid_assign_area"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="grid_assignment_range",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(person_name=""),
                name="grid_assignment_who",
            ),
            models.UniqueConstraint(
                fields=["area", "role"],
                condition=Q(role__in=SINGLE_ROLES, ends_on__isnull=True),
                name="grid_one_current_head",
            ),
            models.UniqueConstraint(
                fields=["area", "role", "user"],
                condition=Q(ends_on__isnull=True, user__isnull=False),
                name="grid_assignment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.get_role_display()} · {self.person_label}"

    @property
    def person_label(self) -> str:
        if self.user_id:
            return self.user.display_name
        return self.person_name

    @property
    def phone(self) -> str:
        if self.user_id:
            return self.user.mobile
        return self.person_mobile

    def is_active(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)
