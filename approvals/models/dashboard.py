"""Daily rollups behind the supervisors' dashboards (限时办结看板).

History is read from these tables, not from the applications themselves, so that a dashboard
costs the same whatever the number of years stored: one row per day and per combination of
department, matter version, window and channel that had any event that day. The rows are
derived data, rebuilt for a range of days by approvals.services.dashboard.rollup_refresh
(a beat task refreshes the last weeks every few minutes; ``manage.py dashboard_rollup`` backfills).
What is open *now* (the red and yellow cards, the overdue list) is read live from the
applications with the clock status computed in SQL.

Each counter is keyed by the day the event happened: acceptances by ``accepted_on``, decisions by
``decided_on``, completions by ``released_on``, ratings by the day they were given, and so on.
Working-day sums (real handling time) are computed with the portal's calendar at refresh time.

The indexes on the applications and their records that these refreshes and the live panels
rely on are created by this area's migration (0007_dashboard) with ``RunSQL``, so the models
of the other areas stay untouched."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models.register import BusinessCategory, Matter
from portal.models import Department, Window


def _counter(label):
    return models.PositiveIntegerField(label, default=0)


class ApplicationDayStat(models.Model):
    day = models.DateField(_("日期"))
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("办理部门"),
    )
    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("事项")
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("受理窗口"),
    )
    channel = models.CharField(_("申请渠道"), max_length=16)
    village = models.ForeignKey(
        "portal.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("所属村（社区）"),
    )

    accepted = _counter(_("受理"))
    deemed_accepted = _counter(_("逾期视为受理"))
    refused = _counter(_("不予受理"))
    withdrawn = _counter(_("撤回"))
    corrections = _counter(_("一次性告知补正"))
    decided = _counter(_("作出决定"))
    decided_on_time = _counter(_("按时决定"))
    granted = _counter(_("准予"))
    denied = _counter(_("不予"))
    handling_days = _counter(_("实际办理工作日合计"))
    committed_days = _counter(_("承诺时限合计"))
    statutory_days = _counter(_("法定时限合计"))
    limit_days = _counter(_("含延期时限合计"))
    overdue_days = _counter(_("超期工作日合计"))
    completed = _counter(_("办结"))
    released_late = _counter(_("超期发证"))
    suspensions = _counter(_("特别程序"))
    extensions = _counter(_("延期"))
    extension_days = _counter(_("延期工作日合计"))
    rating_1 = _counter(_("非常不满意"))
    rating_2 = _counter(_("不满意"))
    rating_3 = _counter(_("基本满意"))
    rating_4 = _counter(_("满意"))
    rating_5 = _counter(_("非常满意"))
    rectifications = _counter(_("差评整改"))

    class Meta:
        verbose_name = _("办件日汇总")
        verbose_name_plural = _("办件日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "department", "matter", "window", "channel", "village"],
                name="dash_app_day_village_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            # the public per-matter page and the per-matter table
            models.Index(fields=["matter", "day"], name="dash_app_day_matter_idx"),
            models.Index(fields=["department", "day"], name="dash_app_day_dept_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.day} {self.department_id}/{self.matter_id}/{self.window_id}/{self.channel}"
            f"/{self.village_id}"
        )


DIMENSIONS = ("day", "department_id", "matter_id", "window_id", "channel", "village_id")
APPLICATION_COUNTERS = tuple(
    f.name
    for f in ApplicationDayStat._meta.concrete_fields
    if f.attname not in DIMENSIONS and f.name != "id"
)


class HallDayStat(models.Model):
    """Calls of the hall per day, category, window and hour of the call (local time)."""

    day = models.DateField(_("日期"))
    category = models.ForeignKey(
        BusinessCategory,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("业务类别"),
    )
    window = models.ForeignKey(
        Window, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("窗口")
    )
    hour = models.PositiveSmallIntegerField(_("时段"))
    calls = _counter(_("叫号"))
    finished = _counter(_("办结"))
    no_shows = _counter(_("过号"))
    transferred = _counter(_("转类别"))
    wait_seconds = models.BigIntegerField(_("等候秒数合计"), default=0)
    wait_max = models.PositiveIntegerField(_("最长等候秒数"), default=0)
    service_seconds = models.BigIntegerField(_("办理秒数合计"), default=0)
    service_max = models.PositiveIntegerField(_("最长办理秒数"), default=0)

    class Meta:
        verbose_name = _("大厅日汇总")
        verbose_name_plural = _("大厅日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "category", "window", "hour"], name="dash_hall_day_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category_id}/{self.window_id}/{self.hour}"


HALL_COUNTERS = tuple(
    f.name
    for f in HallDayStat._meta.concrete_fields
    if f.attname not in ("id", "day", "category_id", "window_id", "hour")
)


class RollupRun(models.Model):
    """One refresh of the rollups: which days, how long it took. The dashboard shows the last."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"))
    start_day = models.DateField(_("起始日期"))
    end_day = models.DateField(_("截止日期"))
    application_rows = models.PositiveIntegerField(_("办件汇总行数"), default=0)
    hall_rows = models.PositiveIntegerField(_("大厅汇总行数"), default=0)
    milliseconds = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        ordering = ["-finished_at", "-id"]
        verbose_name = _("汇总刷新记录")
        verbose_name_plural = _("汇总刷新记录")
        indexes = [models.Index(fields=["-finished_at"], name="dash_rollup_run_idx")]

    def __str__(self) -> str:
        return f"{self.start_day}–{self.end_day} @ {self.finished_at:%Y-%m-%d %H:%M}"
