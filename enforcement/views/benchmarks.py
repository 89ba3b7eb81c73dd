"""Discretion benchmarks: the list (everyone on the staff), the xlsx export and import (the
bureau head and the register administrator), and each matter's benchmark in public (the guide's
执法事项公示 links to it)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enforcement.models import Benchmark
from enforcement.services import benchmark_io
from portal import access, roles, xlsx
from portal.forms import AccessibleForm

EDITORS = (roles.BUREAU_HEAD, roles.REGISTER_ADMIN)
READERS = (
    *EDITORS,
    roles.ENFORCEMENT_OFFICER,
    roles.SQUAD_LEADER,
    roles.LEGAL_REVIEWER,
    roles.SUPERVISOR,
)


class ImportForm(AccessibleForm):
    file = forms.FileField(label=gettext_lazy("裁量基准表（.xlsx）"))
    dry_run = forms.BooleanField(label=gettext_lazy("只检查，不导入"), required=False)


@access.role_required(*READERS)
def benchmarks(request):
    can_edit = request.user.is_superuser or request.user.has_role(*EDITORS)
    form = ImportForm() if can_edit else None
    result, problems, status = None, [], 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                plan = benchmark_io.check(form.cleaned_data["file"].read())
            except xlsx.SpreadsheetRefused as exc:
                form.add_error("file", exc.message)
                status = 400
            else:
                problems = plan.problems
                if problems:
                    status = 400
                elif form.cleaned_data["dry_run"]:
                    result = {**plan.summary(), "dry_run": True}
                else:
                    result = benchmark_io.apply(plan, actor=request.user)
        else:
            status = 400
    return render(
        request,
        "enforcement/benchmarks.html",
        {
            "benchmarks": Benchmark.objects.prefetch_related("levels").order_by("matter_code"),
            "form": form,
            "problems": problems,
            "result": result,
        },
        status=status,
    )


@access.role_required(*READERS)
def benchmarks_export(request):
    response = HttpResponse(benchmark_io.export_xlsx(), content_type=xlsx.CONTENT_TYPE)
    name = f"benchmarks-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def benchmark_public(request, code):
    benchmark = Benchmark.objects.filter(matter_code=code).prefetch_related("levels").first()
    if benchmark is None:
        raise Http404(_("该事项没有公布裁量基准。"))
    return render(request, "enforcement/benchmark_public.html", {"benchmark": benchmark})


def guide_provider(matters) -> dict:
    """approvals.guide_hooks: each penalty matter's benchmark rows for the public guide."""
    from django.urls import reverse

    codes = [m.code for m in matters]
    result = {}
    for benchmark in Benchmark.objects.filter(matter_code__in=codes).prefetch_related("levels"):
        rows = []
        for level in benchmark.levels.all():
            if level.fine_max:
                value = _("罚款%(low)s元至%(high)s元") % {
                    "low": level.fine_min,
                    "high": level.fine_max,
                }
            else:
                value = _("不予罚款")
            rows.append({"label": level.get_circumstance_display(), "value": value})
        result[benchmark.matter_code] = {
            "benchmark_rows": rows,
            "benchmark_url": reverse("enforcement:benchmark-public", args=[benchmark.matter_code]),
        }
    return result
