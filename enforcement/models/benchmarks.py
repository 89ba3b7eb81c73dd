"""The discretion benchmark (行政处罚裁量基准) per penalty matter: for each circumstance
(不予处罚 / 减轻 / 从轻 / 一般 / 从重) a fine range. A notice or decision uses a fine inside the
chosen circumstance's range, or carries a written reason and goes to legal review. "减轻"
goes below the legal minimum only where the level says the law allows it."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from enforcement.models.cases import Circumstance


class Benchmark(models.Model):
    matter_code = models.CharField(_("事项编码"), max_length=64, unique=True)
    violation = models.CharField(_("违法行为"), max_length=300)
    violated_provision = models.TextField(_("违法依据"), blank=True)
    penalty_provision = models.TextField(_("处罚依据"), blank=True)
    legal_min = models.DecimalField(
        _("法定最低罚款（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    legal_max = models.DecimalField(
        _("法定最高罚款（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    one_officer_allowed = models.BooleanField(
        _("简易程序可由一名执法人员实施"),
        default=False,
        help_text=_("仅当该事项所依据的法律另有规定时勾选（行政处罚法第五十二条）。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["matter_code"]
        verbose_name = _("裁量基准")
        verbose_name_plural = _("裁量基准")
        constraints = [
            models.CheckConstraint(
                condition=Q(legal_min__isnull=True)
                | Q(legal_max__isnull=True)
                | Q(legal_max__gte=F("legal_min")),
                name="benchmark_legal_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter_code} {self.violation}"


class BenchmarkLevel(models.Model):
    benchmark = models.ForeignKey(
        Benchmark, on_delete=models.CASCADE, related_name="levels", verbose_name=_("裁量基准")
    )
    circumstance = models.CharField(_("裁量情节"), max_length=16, choices=Circumstance.choices)
    description = models.TextField(_("适用情形"), blank=True)
    fine_min = models.DecimalField(_("罚款下限（元）"), max_digits=12, decimal_places=2, default=0)
    fine_max = models.DecimalField(_("罚款上限（元）"), max_digits=12, decimal_places=2, default=0)
    below_legal_minimum = models.BooleanField(
        _("法律允许低于法定最低限"),
        default=False,
        help_text=_("仅“减轻处罚”且法律允许时可低于法定最低罚款。"),
    )

    class Meta:
        ordering = ["benchmark", "circumstance"]
        verbose_name = _("裁量档次")
        verbose_name_plural = _("裁量档次")
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "circumstance"], name="benchmark_level_once"
            ),
            models.CheckConstraint(
                condition=Q(fine_max__gte=F("fine_min")), name="benchmark_level_range_ordered"
            ),
            models.CheckConstraint(condition=Q(fine_min__gte=0), name="benchmark_level_min_ok"),
        ]

    def __str__(self) -> str:
        return f"{self.benchmark.matter_code} {self.get_circumstance_display()}"
