"""The centre's own records: the dispatchers' duty roster (值班) by day and shift, and the
handover note (交接班) each shift leaves for the next."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DispatcherDuty(models.Model):
    """A dispatcher on duty in one shift of one day (shifts: settings.CENTRE["SHIFTS"]; a night
    shift belongs to the day it starts on)."""

    day = models.DateField(_("值班日期"))
    shift = models.CharField(_("班次"), max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="centre_duties",
        verbose_name=_("调度员"),
    )
    is_lead = models.BooleanField(_("带班"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "shift", "-is_lead", "user_id"]
        verbose_name = _("调度值班")
        verbose_name_plural = _("调度值班")
        constraints = [
            models.UniqueConstraint(fields=["day", "shift", "user"], name="centre_duty_once"),
        ]
        indexes = [models.Index(fields=["day", "shift"], name="centre_duty_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.shift} {self.user}"


class Handover(models.Model):
    """The note a shift leaves for the next: what is open, what to watch. The next shift
    acknowledges it. Append-only: a correction is a new note."""

    day = models.DateField(_("值班日期"))
    shift = models.CharField(_("班次"), max_length=16)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("交班人"),
    )
    written_at = models.DateTimeField(_("交班时间"))
    text = models.TextField(_("交班内容"), max_length=4000)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接班人"),
    )
    acknowledged_at = models.DateTimeField(_("接班时间"), null=True, blank=True)

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")
        indexes = [models.Index(fields=["-written_at"], name="centre_handover_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.shift}: {self.author}"
