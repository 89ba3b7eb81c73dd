from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days have been entered. A year without a
    confirmed row is worked as plain Monday–Friday and flagged as unconfirmed."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    confirmed = models.BooleanField(
        _("已确认"),
        default=False,
        help_text=_("按国务院办公厅放假安排通知录入完毕后勾选。"),
    )
    source = models.CharField(_("来源"), max_length=128, blank=True)
    note = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from plain Monday–Friday: a statutory holiday (rest day) or a
    make-up working day (调休上班)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    def clean(self):
        weekend = self.date.weekday() >= 5
        if self.is_working_day and not weekend:
            raise ValidationError(
                {"is_working_day": _("周一至周五本来就是工作日，只需登记放假日和周末调休上班日。")}
            )
