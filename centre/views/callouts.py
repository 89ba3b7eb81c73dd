"""Call-outs from the centre's side: call out a squad or a department's on-call person (from an
urgent incident or a call), follow its 1-2-3-45 timings, stand it down. The call-out itself
lives in enforcement (its services and selectors): a squad's is created through enforcement's
service, a department's through grid's (grid keeps the departments' on-call roster and names the
person); the phones have their own pages in enforcement."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from centre.access import centre_required
from enforcement.models import CallOut
from enforcement.selectors import callouts as callout_sel
from enforcement.selectors import team as team_sel
from enforcement.services import callouts as callout_svc
from grid.selectors import incidents as incident_sel
from grid.selectors import oncall as oncall_sel
from grid.services import oncall as oncall_svc
from portal.errors import ActionError, Conflict, NotFound

TARGET_SQUAD = "squad"
TARGET_DEPARTMENT = "department"


class CallOutForm(forms.Form):
    target = forms.ChoiceField(
        label=gettext_lazy("出动对象"),
        choices=[
            (TARGET_SQUAD, gettext_lazy("执法中队（今日值班）")),
            (TARGET_DEPARTMENT, gettext_lazy("部门值班人员")),
        ],
        initial=TARGET_SQUAD,
        required=False,  # a form posted without it (older pages, scripts) calls a squad
        widget=forms.RadioSelect(attrs={"data-callout-target": ""}),
    )
    squad = forms.ChoiceField(label=gettext_lazy("出动中队"), required=False)
    department = forms.ChoiceField(
        label=gettext_lazy("部门及值班人员"),
        required=False,
        help_text=gettext_lazy("选部门即呼叫当天带班人员；也可直接选当天值班的某一人。"),
    )
    incident = forms.CharField(
        label=gettext_lazy("事件编号"),
        required=False,
        max_length=24,
        help_text=gettext_lazy("从事件出动时填写；来电出动可不填。"),
    )
    description = forms.CharField(
        label=gettext_lazy("警情"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(label=gettext_lazy("地点"), max_length=200, required=False)
    lat = forms.FloatField(label=gettext_lazy("纬度"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(
        label=gettext_lazy("经度"), required=False, min_value=-180, max_value=180
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, squads=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["squad"].choices = [("", "—")] + list(squads)
        self.fields["department"].choices = [("", "—")] + list(departments)

    def clean(self):
        data = super().clean()
        data["target"] = data.get("target") or TARGET_SQUAD
        if data.get("target") == TARGET_SQUAD and not data.get("squad"):
            self.add_error("squad", _("请选择出动中队。"))
        if data.get("target") == TARGET_DEPARTMENT and not data.get("department"):
            self.add_error("department", _("请选择部门或值班人员。"))
        return data


def _squad_choices(today):
    on_duty: dict[int, list[str]] = {}
    for shift in team_sel.duty_roster(day=today):
        on_duty.setdefault(shift.squad_id, []).append(
            shift.officer.user.display_name + (_("（带班）") if shift.is_lead else "")
        )
    choices = []
    for squad in team_sel.squads():
        people = on_duty.get(squad.pk)
        label = (
            _("%(squad)s（今日值班：%(people)s）")
            % {"squad": squad.name, "people": "、".join(people)}
            if people
            else _("%(squad)s（今日无人值班，仅通知中队长）") % {"squad": squad.name}
        )
        choices.append((squad.code, label))
    return choices


def _department_choices(today):
    """Per department (an option group): the department itself — the call goes to the day's
    lead on call — and each person on call today; "nobody on call" said in the label."""
    on_call = oncall_sel.on_call_by_department(today)
    choices = []
    for department in oncall_sel.on_call_departments():
        people = on_call.get(department.pk, [])
        name = department.display_short_name
        if not people:
            choices.append((name, [(department.code, _("%(d)s（今日无人值班）") % {"d": name})]))
            continue
        lead = people[0]
        options = [
            (
                department.code,
                _("%(d)s：呼叫带班 %(p)s") % {"d": name, "p": lead.user.display_name},
            )
        ]
        for entry in people:
            label = entry.user.display_name + (_("（带班）") if entry.is_lead else "")
            if entry.user.mobile:
                label += f" {entry.user.mobile}"
            options.append((f"{department.code}:{entry.user_id}", label))
        choices.append((_("%(d)s · 今日值班") % {"d": name}, options))
    return choices


def _department_and_person(value: str):
    code, _sep, pk = (value or "").partition(":")
    department = oncall_sel.on_call_departments().filter(code=code).first()
    if department is None or not pk:
        return department, None
    entry = next(
        (
            e
            for e in oncall_sel.on_call(department.pk, timezone.localdate())
            if str(e.user_id) == pk
        ),
        None,
    )
    return department, (entry.user if entry else None)


def _from_incident(user, number: str) -> dict | None:
    incident = incident_sel.get_visible(user, number) if number else None
    if incident is None:
        return None
    area = incident.micro_grid or incident.grid or incident.village
    squad = team_sel.squad_for_area(area.code) if area else None
    return {
        "incident": incident.number,
        "description": f"{incident.category.name}：{incident.description}"[:2000],
        "address": incident.address,
        "lat": incident.lat,
        "lng": incident.lng,
        "squad": squad.code if squad else "",
        "urgency": incident.get_urgency_display(),
    }


@centre_required
def callout_new(request):
    today = timezone.localdate()
    squads = _squad_choices(today)
    departments = _department_choices(today)
    if request.method == "POST":
        form = CallOutForm(request.POST, squads=squads, departments=departments)
        if form.is_valid():
            d = form.cleaned_data
            squad = department = person = None
            if d["target"] == TARGET_SQUAD:
                squad = team_sel.squads().filter(code=d["squad"]).first()
            else:
                department, person = _department_and_person(d["department"])
                if department is None or (":" in d["department"] and person is None):
                    form.add_error("department", _("该人员今日不在值班表中，请刷新后重选。"))
            incident = None
            if d["incident"]:
                incident = incident_sel.get_visible(request.user, d["incident"].strip())
                if incident is None:
                    form.add_error("incident", _("没有找到该事件。"))
            if (squad is not None or department is not None) and not form.errors:
                common = {
                    "actor": request.user,
                    "description": d["description"],
                    "source": "incident" if incident else "call",
                    "source_ref": incident.number if incident else "",
                    "lat": d["lat"],
                    "lng": d["lng"],
                    "address": d["address"],
                    "client_uuid": d["client_uuid"],
                }
                try:
                    if squad is not None:
                        callout = callout_svc.callout_create(squad=squad, **common)
                    else:
                        callout = oncall_svc.department_callout_create(
                            department=department, person=person, **common
                        )
                except (ActionError, Conflict) as error:
                    for field, problems in error.fields.items():
                        if field == "person":
                            field = "department"
                        form.add_error(field if field in form.fields else None, problems)
                    if not error.fields or error.code in ("nobody_on_call", "not_on_call"):
                        form.add_error(None, error.message)
                else:
                    messages.success(
                        request,
                        _("已呼叫%(squad)s出动（%(number)s），正在等待响应。")
                        % {"squad": callout.target_name, "number": callout.number},
                    )
                    return redirect("centre:callout", number=callout.number)
        status = 400
        prefill = None
    else:
        prefill = _from_incident(request.user, request.GET.get("incident", "").strip())
        initial = {"client_uuid": uuid.uuid4()}
        if prefill:
            initial.update({k: v for k, v in prefill.items() if k != "urgency"})
        if request.GET.get("department"):
            initial.update({"target": TARGET_DEPARTMENT, "department": request.GET["department"]})
        form = CallOutForm(initial=initial, squads=squads, departments=departments)
        status = 200
    return render(
        request,
        "centre/callout_new.html",
        {"form": form, "prefill": prefill},
        status=status,
    )


@centre_required
def callouts(request):
    now = timezone.now()
    recent = [
        callout_sel.summary(c, now)
        for c in CallOut.objects.select_related(*callout_sel.TARGET_RELATED).order_by(
            "-called_at", "-id"
        )[:100]
    ]
    return render(
        request,
        "centre/callouts.html",
        {"open": callout_sel.in_progress(now=now), "recent": recent, "now": now},
    )


def _found(user, number: str):
    try:
        return callout_sel.callout_get(user, number)
    except NotFound as exc:  # an unknown number: the 404 page, never a 500
        raise Http404(exc.message) from exc


@centre_required
def callout_detail(request, number: str):
    callout = _found(request.user, number)
    now = timezone.now()
    return render(
        request,
        "centre/callout.html",
        {
            "callout": callout,
            "summary": callout_sel.summary(callout, now),
            "history": list(callout.history.all()),
            "officers": list(callout.officers.all()),
            "leaders": callout_svc.leaders(callout) if callout.department_id else [],
        },
    )


@require_POST
@centre_required
def callout_cancel(request, number: str):
    callout = _found(request.user, number)
    try:
        callout_svc.callout_cancel(
            actor=request.user, callout=callout, reason=request.POST.get("reason", "")
        )
    except (ActionError, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤销出动，已通知出动人员。"))
    return redirect("centre:callout", number=number)
