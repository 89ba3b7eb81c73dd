"""The team page: squads and their patrol areas, officers and their certificates (those about to
expire first), and the duty roster of the week, which a squad leader sets."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import Certificate, DutyShift, Squad
from enforcement.selectors import scope as scope_sel
from enforcement.selectors import team as sel
from enforcement.services.team import duty_set
from enforcement.views import forms as f
from enforcement.views.common import run, staff_required
from portal import roles


@staff_required
def team(request):
    today = timezone.localdate()
    user = request.user
    led = (
        [s for s in Squad.objects.filter(pk__in=scope_sel.leads_squad_of(user))]
        if user.has_role(roles.SQUAD_LEADER)
        else []
    )
    if user.has_role(roles.BUREAU_HEAD):
        led = list(Squad.objects.filter(is_active=True))
    form, status = None, 200
    squad = led[0] if led else None
    if request.GET.get("squad"):
        squad = next((s for s in led if s.code == request.GET["squad"]), squad)
    if squad is not None:
        if request.method == "POST":
            form = f.DutyForm(request.POST, squad=squad, prefix="duty")
            if form.is_valid():
                d = form.cleaned_data
                _r, status = run(
                    request,
                    form,
                    lambda: duty_set(
                        squad=squad,
                        day=d["day"],
                        officers=list(d["officers"]),
                        lead=d.get("lead"),
                        actor=user,
                    ),
                )
                if status == 200:
                    messages.success(request, _("值班安排已保存。"))
                    return redirect(f"{request.path}?squad={squad.code}")
            else:
                status = 400
        else:
            form = f.DutyForm(squad=squad, prefix="duty")
    week = [today + timedelta(days=i) for i in range(7)]
    shifts = DutyShift.objects.filter(day__in=week).select_related("squad", "officer__user")
    roster = {}
    for shift in shifts:
        roster.setdefault((shift.squad_id, shift.day), []).append(shift)
    squads = list(sel.squads().prefetch_related("patrol_areas__areas"))
    days = int(settings.ENFORCEMENT["CERTIFICATE_REMINDER_DAYS"])
    expiring = Certificate.objects.filter(
        valid_to__gte=today, valid_to__lte=today + timedelta(days=days), revoked_on__isnull=True
    ).select_related("officer__user", "officer__squad")
    officers = sel.officers()
    if not scope_sel.is_bureau(user):
        officers = officers.filter(squad_id__in=scope_sel.squad_ids(user))
    return render(
        request,
        "enforcement/team.html",
        {
            "squads": squads,
            "officers": officers,
            "today": today,
            "week": week,
            "roster": [
                {"squad": s, "days": [roster.get((s.pk, d), []) for d in week]} for s in squads
            ],
            "expiring": expiring,
            "form": form,
            "duty_squad": squad,
            "led": led,
        },
        status=status,
    )
