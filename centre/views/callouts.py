"""Call-outs from the centre's side: call out a squad (from an urgent incident or a call), follow
its 1-2-3-45 timings, stand it down. The call-out itself lives in enforcement (its services and
selectors); the officers' phones have their own pages there."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
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
from portal.errors import ActionError, Conflict


class CallOutForm(forms.Form):
    squad = forms.ChoiceField(label=gettext_lazy("出动中队"))
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

    def __init__(self, *args, squads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["squad"].choices = [("", "—")] + list(squads)


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
    if request.method == "POST":
        form = CallOutForm(request.POST, squads=squads)
        if form.is_valid():
            d = form.cleaned_data
            squad = team_sel.squads().filter(code=d["squad"]).first()
            incident = None
            if d["incident"]:
                incident = incident_sel.get_visible(request.user, d["incident"].strip())
                if incident is None:
                    form.add_error("incident", _("没有找到该事件。"))
            if squad is not None and not form.errors:
                try:
                    callout = callout_svc.callout_create(
                        actor=request.user,
                        squad=squad,
                        description=d["description"],
                        source="incident" if incident else "call",
                        source_ref=incident.number if incident else "",
                        lat=d["lat"],
                        lng=d["lng"],
                        address=d["address"],
                        client_uuid=d["client_uuid"],
                    )
                except (ActionError, Conflict) as error:
                    for field, problems in error.fields.items():
                        form.add_error(field if field in form.fields else None, problems)
                    if not error.fields:
                        form.add_error(None, error.message)
                else:
                    messages.success(
                        request,
                        _("已呼叫%(squad)s出动（%(number)s），正在等待响应。")
                        % {"squad": squad.name, "number": callout.number},
                    )
                    return redirect("centre:callout", number=callout.number)
        status = 400
        prefill = None
    else:
        prefill = _from_incident(request.user, request.GET.get("incident", "").strip())
        initial = {"client_uuid": uuid.uuid4()}
        if prefill:
            initial.update({k: v for k, v in prefill.items() if k != "urgency"})
        form = CallOutForm(initial=initial, squads=squads)
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
        for c in CallOut.objects.select_related("squad").order_by("-called_at", "-id")[:100]
    ]
    return render(
        request,
        "centre/callouts.html",
        {"open": callout_sel.in_progress(now=now), "recent": recent, "now": now},
    )


@centre_required
def callout_detail(request, number: str):
    callout = callout_sel.callout_get(request.user, number)
    now = timezone.now()
    return render(
        request,
        "centre/callout.html",
        {
            "callout": callout,
            "summary": callout_sel.summary(callout, now),
            "history": list(callout.history.all()),
            "officers": list(callout.officers.all()),
        },
    )


@require_POST
@centre_required
def callout_cancel(request, number: str):
    callout = callout_sel.callout_get(request.user, number)
    try:
        callout_svc.callout_cancel(
            actor=request.user, callout=callout, reason=request.POST.get("reason", "")
        )
    except (ActionError, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤销出动，已通知出动人员。"))
    return redirect("centre:callout", number=number)
