"""The departments' on-call roster pages (部门值班): a department's staff see their roster and
their own call-outs; its heads (and the centre) put people on call and take them off. Thin:
changes through grid.services.oncall, reads through grid.selectors.oncall."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from enforcement.selectors import callouts as callout_sel
from grid.models import DepartmentOnCall
from grid.selectors import oncall as sel
from grid.services import oncall as svc
from portal import roles
from portal.access import role_required
from portal.errors import ActionError, Conflict, Forbidden
from portal.forms import AccessibleForm

ROSTER_ROLES = (roles.DISPATCHER, roles.SUPERVISOR, roles.DEPARTMENT_STAFF)
DAYS = 14


class DateInput(forms.DateInput):
    input_type = "date"


class OnCallForm(AccessibleForm):
    day = forms.DateField(label=gettext_lazy("值班日期"), widget=DateInput)
    user = forms.ChoiceField(label=gettext_lazy("值班人员"))
    is_lead = forms.BooleanField(label=gettext_lazy("带班（出动时首先呼叫）"), required=False)
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [(str(p.pk), p.display_name) for p in people]


def _department(request):
    departments = sel.visible_departments(request.user)
    if not departments:
        raise Http404
    code = request.GET.get("department") or request.POST.get("department")
    chosen = next((d for d in departments if d.code == code), departments[0])
    return chosen, departments


@role_required(*ROSTER_ROLES)
def roster(request):
    department, departments = _department(request)
    today = timezone.localdate()
    people = sel.department_staff(department.pk)
    may_keep = sel.may_keep(request.user, department.pk)
    form = None
    status = 200
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied(_("只有部门负责人或指挥中心可以安排该部门值班。"))
        form = OnCallForm(request.POST, people=people)
        if form.is_valid():
            d = form.cleaned_data
            person = next((p for p in people if str(p.pk) == d["user"]), None)
            try:
                svc.on_call_add(
                    actor=request.user,
                    department=department,
                    day=d["day"],
                    user=person,
                    is_lead=d["is_lead"],
                    note=d["note"],
                )
            except (ActionError, Conflict) as error:
                for field, problem in error.fields.items():
                    form.add_error(field if field in form.fields else None, problem)
                if not error.fields:
                    form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("已安排%(person)s于%(day)s值班。")
                    % {"person": person.display_name, "day": d["day"].isoformat()},
                )
                return redirect(f"{request.path}?department={department.code}")
        status = 400
    elif may_keep:
        form = OnCallForm(people=people, initial={"day": today})
    days = {}
    for entry in sel.roster(department.pk, today, today + timedelta(days=DAYS - 1)):
        days.setdefault(entry.day, []).append(entry)
    return render(
        request,
        "grid/oncall/roster.html",
        {
            "department": department,
            "departments": departments,
            "today": today,
            "days": [
                (day, days.get(day, [])) for day in (today + timedelta(days=i) for i in range(DAYS))
            ],
            "form": form,
            "may_keep": may_keep,
            "mine": callout_sel.recent_for(request.user, limit=10),
        },
        status=status,
    )


@require_POST
@role_required(*ROSTER_ROLES)
def remove(request, pk: int):
    entry = get_object_or_404(DepartmentOnCall.objects.select_related("department", "user"), pk=pk)
    try:
        svc.on_call_remove(actor=request.user, entry=entry)
    except Forbidden as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消该值班安排。"))
    return redirect(f"{reverse('grid:on-call')}?department={entry.department.code}")
