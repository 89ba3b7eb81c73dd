"""The departments' on-call roster (部门值班): who of a department answers a call-out (出动) from
the command centre on a given day, 24 hours. A department's heads (and the centre) keep it; a
call-out to a department goes to its lead on-call person of the day (带班), or to the one the
dispatcher picks among those on call. The call-out itself is enforcement's CallOut, created
through ``grid.services.oncall.department_callout_create`` (grid may import enforcement;
enforcement never imports grid)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentOnCall(models.Model):
    department = models.ForeignKey(
        "portal.Department",
        on_delete=models.CASCADE,
        related_name="on_call",
        verbose_name=_("部门"),
    )
    day = models.DateField(_("值班日期"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="department_on_call",
        verbose_name=_("值班人员"),
    )
    is_lead = models.BooleanField(_("带班"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("排班人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "department", "-is_lead", "user_id"]
        verbose_name = _("部门值班")
        verbose_name_plural = _("部门值班")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day", "user"], name="dept_on_call_once_per_day"
            ),
            # One lead (带班) per department and day, whatever two keepers do at once.
            models.UniqueConstraint(
                fields=["department", "day"],
                condition=models.Q(is_lead=True),
                name="dept_on_call_one_lead",
            ),
        ]
        indexes = [models.Index(fields=["day", "department"], name="dept_on_call_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id} {self.user_id}"
