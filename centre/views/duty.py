"""The dispatchers' duty roster (值班) and the shift handover (交接班)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from centre.access import centre_required
from centre.models import Handover
from centre.selectors import duty as duty_sel
from centre.services import duty as duty_svc
from portal.errors import ActionError, Conflict


class HandoverForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("交班内容"),
        max_length=duty_svc.HANDOVER_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("在办的紧急事项、未完成的出动、需要下一班跟进的事。"),
    )


class DutyForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    shift = forms.ChoiceField(label=gettext_lazy("班次"))
    dispatchers = forms.MultipleChoiceField(
        label=gettext_lazy("值班调度员"), widget=forms.CheckboxSelectMultiple, required=False
    )
    lead = forms.ChoiceField(label=gettext_lazy("带班"), required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = [
            (s.name, f"{s.label} {s.hours()}") for s in duty_sel.shifts()
        ]
        choices = [(str(u.pk), u.display_name) for u in people]
        self.fields["dispatchers"].choices = choices
        self.fields["lead"].choices = [("", "—"), *choices]


def _week_start(raw: str | None) -> date:
    today = timezone.localdate()
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


def _page(request, *, handover_form=None, duty_form=None, status=200):
    start = _week_start(request.GET.get("start"))
    people = list(duty_sel.dispatchers())
    now = timezone.now()
    slot = duty_sel.current_slot(now)
    following = duty_sel.next_slot(slot) if slot else None
    return render(
        request,
        "centre/duty.html",
        {
            "slot": slot,
            "on_duty": duty_sel.on_duty(slot),
            "next_slot": following,
            "next_on_duty": duty_sel.on_duty(following),
            "roster": duty_sel.roster(start),
            "start": start,
            "previous": start - timedelta(days=7),
            "following": start + timedelta(days=7),
            "handovers": duty_sel.handovers(),
            "handover_form": handover_form or HandoverForm(),
            "duty_form": duty_form
            or DutyForm(
                initial={"day": timezone.localdate(), "shift": slot.shift.name if slot else ""},
                people=people,
            ),
        },
        status=status,
    )


@centre_required
def duty(request):
    return _page(request)


@require_POST
@centre_required
def duty_set(request):
    people = {str(u.pk): u for u in duty_sel.dispatchers()}
    form = DutyForm(request.POST, people=people.values())
    if form.is_valid():
        d = form.cleaned_data
        try:
            duty_svc.duty_set(
                actor=request.user,
                day=d["day"],
                shift=d["shift"],
                dispatchers=[people[pk] for pk in d["dispatchers"]],
                lead=people.get(d["lead"]) if d["lead"] else None,
            )
        except ActionError as error:
            for field, problems in error.fields.items():
                form.add_error(field if field in form.fields else None, problems)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("值班安排已保存。"))
            return redirect(f"{reverse('centre:duty')}?start={d['day'].isoformat()}")
    return _page(request, duty_form=form, status=400)


@require_POST
@centre_required
def handover_write(request):
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            duty_svc.handover_write(actor=request.user, text=form.cleaned_data["text"])
        except ActionError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, _("交班记录已保存。"))
            return redirect("centre:duty")
    return _page(request, handover_form=form, status=400)


@require_POST
@centre_required
def handover_acknowledge(request, pk: int):
    handover = get_object_or_404(Handover, pk=pk)
    try:
        duty_svc.handover_acknowledge(actor=request.user, handover=handover)
    except (ActionError, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已接班。"))
    return redirect("centre:duty")
