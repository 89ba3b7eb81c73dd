"""Random inspections (双随机一公开): plans, the draw (its seed and digest shown, reproducible with
``manage.py enforcement check-draw``), each target's result by its inspectors (a problem opens a
lead), and publishing the results."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.models import Matter
from enforcement.models import InspectionPlan, InspectionTarget, InspectionTask
from enforcement.services import inspections as svc
from enforcement.views.common import run, staff_required
from portal import roles
from portal.forms import AccessibleForm


class PlanForm(AccessibleForm):
    code = forms.CharField(label=gettext_lazy("计划编号"), max_length=32)
    name = forms.CharField(label=gettext_lazy("计划名称"), max_length=200)
    matter = forms.ModelChoiceField(label=gettext_lazy("检查事项"), queryset=Matter.objects.none())
    target_kind = forms.ChoiceField(
        label=gettext_lazy("对象类别"),
        required=False,
        choices=[("", gettext_lazy("全部")), *InspectionTarget.Kind.choices],
    )
    target_count = forms.IntegerField(
        label=gettext_lazy("抽取对象数"), min_value=1, max_value=10000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = Matter.objects.filter(
            kind=Matter.Kind.INSPECTION, status=Matter.Status.PUBLISHED
        ).order_by("code")


class DrawForm(AccessibleForm):
    seed = forms.IntegerField(
        label=gettext_lazy("随机种子（留空则随机产生）"),
        required=False,
        min_value=0,
        max_value=2**62,
    )


class ResultForm(AccessibleForm):
    task = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=gettext_lazy("检查结果"),
        choices=[c for c in InspectionTask.Result.choices if c[0] != "pending"],
    )
    findings = forms.CharField(
        label=gettext_lazy("检查情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


@staff_required
def plans(request):
    is_head = request.user.has_role(roles.BUREAU_HEAD)
    form, status = (PlanForm() if is_head else None), 200
    if request.method == "POST" and is_head:
        form = PlanForm(request.POST)
        if form.is_valid():
            plan, status = run(
                request, form, lambda: svc.plan_create(actor=request.user, **form.cleaned_data)
            )
            if status == 200:
                return redirect("enforcement:inspection", code=plan.code)
        else:
            status = 400
    return render(
        request,
        "enforcement/inspections.html",
        {
            "plans": InspectionPlan.objects.select_related("matter").order_by("-created_at")[:100],
            "targets": InspectionTarget.objects.filter(is_active=True).count(),
            "form": form,
        },
        status=status,
    )


@staff_required
def plan_detail(request, code):
    plan = get_object_or_404(InspectionPlan.objects.select_related("matter"), code=code)
    user = request.user
    draw_form = DrawForm(prefix="draw")
    result_forms = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "draw":
            draw_form = DrawForm(request.POST, prefix="draw")
            if draw_form.is_valid():
                _r, status = run(
                    request,
                    draw_form,
                    lambda: svc.plan_draw(
                        plan=plan, actor=user, seed=draw_form.cleaned_data.get("seed")
                    ),
                )
            else:
                status = 400
        elif action == "publish":
            _r, status = run(request, None, lambda: svc.plan_publish(plan=plan, actor=user))
        elif action == "result":
            form = ResultForm(request.POST, prefix="result")
            if form.is_valid():
                task = plan.tasks.filter(pk=form.cleaned_data["task"]).first()
                if task is None:
                    raise Http404
                _r, status = run(
                    request,
                    form,
                    lambda: svc.task_record_result(
                        task=task,
                        actor=user,
                        result=form.cleaned_data["result"],
                        findings=form.cleaned_data["findings"],
                    ),
                )
                result_forms[task.pk] = form
            else:
                status = 400
        if status == 200:
            messages.success(request, _("已保存。"))
            return redirect("enforcement:inspection", code=plan.code)
    tasks = list(plan.tasks.select_related("target", "lead").prefetch_related("inspectors__user"))
    for task in tasks:
        task.form = result_forms.get(task.pk) or ResultForm(
            prefix="result", initial={"task": task.pk}
        )
        task.mine = task.inspectors.filter(user=user).exists() or user.has_role(roles.BUREAU_HEAD)
    return render(
        request,
        "enforcement/inspection.html",
        {
            "plan": plan,
            "tasks": tasks,
            "draw_form": draw_form,
            "is_head": user.has_role(roles.BUREAU_HEAD),
        },
        status=status,
    )
