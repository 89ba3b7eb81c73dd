"""The officer's phone during a call-out (出动): the call-out page rings loudly while it is open
and a call-out waits for a response, shows one big button for the next step (respond, accept,
set out, on site), sends the phone's position while the squad is on its way and checks it on
arrival. Every step is stamped by the server (static/js/callout-phone.js posts to
/api/v1/enforcement/callouts/)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from enforcement.selectors import callouts as sel
from enforcement.services import callouts as svc
from portal import roles
from portal.access import role_required
from portal.errors import NotFound

from .common import STAFF

# Officers and squad leaders answer call-outs, and so do the departments' on-call people (grid's
# department roster); the centre may look at the same page.
PHONE_ROLES = (*STAFF, roles.DISPATCHER, roles.DEPARTMENT_STAFF)


@role_required(*PHONE_ROLES)
def callouts(request):
    now = timezone.now()
    return render(
        request,
        "enforcement/field/callouts.html",
        {
            "open": [sel.summary(c, now) for c in sel.open_for(request.user)],
            "recent": sel.recent_for(request.user),
        },
    )


@role_required(*PHONE_ROLES)
def callout(request, number: str):
    try:
        found = sel.callout_get(request.user, number)
    except NotFound as exc:  # someone else's call-out: "not found", never a 500
        raise Http404(exc.message) from exc
    now = timezone.now()
    return render(
        request,
        "enforcement/field/callout.html",
        {
            "callout": found,
            "summary": sel.summary(found, now),
            "next_step": found.next_step(),
            "may_act": svc.may_act(request.user, found),
        },
    )
