"""督办: the centre presses the holder of a late item (an application, incident, work order or
case) from the one clock. The holder is told; the press is kept here (the items' own apps keep
their histories)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Press(models.Model):
    class Kind(models.TextChoices):
        APPLICATION = "application", _("办件")
        INCIDENT = "incident", _("事件")
        WORK_ORDER = "work_order", _("工单")
        CASE = "case", _("案件")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("编号"), max_length=40)
    holder = models.CharField(_("承办人"), max_length=200)
    due_at = models.DateTimeField(_("期限"))
    note = models.CharField(_("督办意见"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("督办人"),
    )
    at = models.DateTimeField(_("督办时间"))
    told = models.PositiveSmallIntegerField(_("通知人数"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        indexes = [models.Index(fields=["kind", "number"], name="centre_press_item_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"
