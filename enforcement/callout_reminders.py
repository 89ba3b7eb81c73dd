"""Missed 1-2-3-45 steps, escalated at once and exactly once.

One reminder rule per step (portal.reminders: the ledger's unique key (kind, call-out, day of
the call) makes each step's escalation happen once, whatever the number of sweeps, workers or
retries). A step is missed when it was not done by its moment — still not done, or done late
before the sweep came round. Who is told: the squad's leader (for a department's on-call person:
the department's heads) and the centre (the dispatchers on duty, as the centre registers them;
else every dispatcher). The beat runs these rules every
CALLOUT_SWEEP_SECONDS (enforcement.tasks.callout_sweep); the five-minute reminder sweep runs
them too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from enforcement.models import CallOut, CallOutState, CallOutStep
from enforcement.models.callouts import DONE_FIELD, STEPS
from enforcement.services.callouts import centre_recipients, leaders, phone_url
from portal.reminders import Due, Sweep, not_yet_reminded, rule

KINDS = {step: f"enforcement.callout_{step}_missed" for step in STEPS}


def _missed(step: str, sweep: Sweep):
    at = f"{DONE_FIELD[step]}_at"
    due = f"{step}_due_at"
    since = sweep.now - timedelta(hours=int(settings.CALLOUTS["ESCALATE_WITHIN_HOURS"]))
    not_done = Q(**{f"{at}__isnull": True}) & ~Q(
        state__in=[CallOutState.CANCELLED, CallOutState.FINISHED]
    )
    done_late = Q(**{f"{at}__gt": F(due)})
    return (
        CallOut.objects.filter(called_at__gte=since, **{f"{due}__lt": sweep.now})
        .filter(not_done | done_late)
        .select_related("squad__leader", "department", "person", "called_by")
        .annotate(call_day=TruncDate("called_at", tzinfo=timezone.get_current_timezone()))
    )


def _escalate(step: str, sweep: Sweep) -> Iterator[Due]:
    kind = KINDS[step]
    qs = not_yet_reminded(_missed(step, sweep), kind=kind, deadline="call_day")
    centre = None
    for callout in qs.order_by("called_at", "pk")[: sweep.limit]:
        centre = centre if centre is not None else centre_recipients(sweep.now)
        leader = leaders(callout)
        caller = [callout.called_by] if callout.called_by_id else []
        done_at = callout.done_at(step)
        yield Due(
            obj=callout,
            deadline=callout.call_day,
            recipients=[*leader, *centre, *caller],
            context={
                "number": callout.number,
                "squad": callout.target_name,
                "step": str(CallOutStep(step).label),
                "minutes": round((callout.due(step) - callout.called_at).total_seconds() / 60),
                "done_late": done_at is not None,
                "called_at": timezone.localtime(callout.called_at),
            },
            url=phone_url(callout),
            urgent=True,
        )


@rule(KINDS[CallOutStep.RESPOND], label="call-out not responded within its limit")
def respond_missed(sweep: Sweep) -> Iterator[Due]:
    yield from _escalate(CallOutStep.RESPOND, sweep)


@rule(KINDS[CallOutStep.ACCEPT], label="call-out not accepted within its limit")
def accept_missed(sweep: Sweep) -> Iterator[Due]:
    yield from _escalate(CallOutStep.ACCEPT, sweep)


@rule(KINDS[CallOutStep.SET_OUT], label="squad not set out within its limit")
def set_out_missed(sweep: Sweep) -> Iterator[Due]:
    yield from _escalate(CallOutStep.SET_OUT, sweep)


@rule(KINDS[CallOutStep.ON_SITE], label="squad not on site within its limit")
def on_site_missed(sweep: Sweep) -> Iterator[Due]:
    yield from _escalate(CallOutStep.ON_SITE, sweep)
