"""Reminder rules of incidents (portal.reminders runs them; each is sent exactly once, in the
sweep's transaction, e-mail/SMS after commit).

| kind | when | who |
| --- | --- | --- |
| grid.incident_warning | the step's clock turns yellow | who holds the step |
| grid.incident_overdue | the step's clock turns red | who holds the step |
| grid.incident_escalated | the same moment | the grid head (when not the holder) and supervisors |
| grid.hold_review | an incident on hold reaches its review date | the grid head and who put it on hold |

Who holds a step: verify — the grid's members; accept — the grid head (else the centre's
dispatchers); handle — the handler (else the grid head, or the dispatchers for categories the
grid may not handle); check — the grid head (else the dispatchers).

Each clock of an incident is its own reminder object (``grid.incident_clock`` with the
incident's id and its clock counter), keyed on the deadline's date: a new step, or an extension
that moves the date, is reminded again; the same clock never twice."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from urllib.parse import quote

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.urls import reverse
from django.utils import timezone

from grid.models import Incident, IncidentHold
from grid.models.incidents import CLOCK_RUNNING, Step
from grid.selectors import incident_scope as scope
from portal import roles
from portal.models import Reminder, User
from portal.reminders import Due, Sweep, rule

WARNING = "grid.incident_warning"
OVERDUE = "grid.incident_overdue"
ESCALATED = "grid.incident_escalated"
HOLD_REVIEW = "grid.hold_review"
CLOCK_OBJECT = "grid.incident_clock"


def clock_key(incident: Incident) -> str:
    return f"{incident.pk}:{incident.step_seq}"


def _not_reminded(qs, kind: str):
    """Leave out the clocks already reminded for (kind, clock, deadline date): an anti-join on
    the reminder ledger's unique index."""
    qs = qs.annotate(
        clock_id=Concat(
            Cast("pk", CharField()),
            Value(":"),
            Cast("step_seq", CharField()),
            output_field=CharField(),
        ),
        due_day=TruncDate("due_at", tzinfo=timezone.get_current_timezone()),
    )
    done = Reminder.objects.filter(
        kind=kind,
        object_type=CLOCK_OBJECT,
        object_id=OuterRef("clock_id"),
        deadline=OuterRef("due_day"),
    )
    return qs.filter(~Exists(done))


def _dispatchers() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=roles.DISPATCHER).order_by("pk"))


def _supervisors() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR).order_by("pk"))


def _holders(incidents: list[Incident]) -> dict[int, list[User]]:
    """Who must act next on each incident, in a handful of queries."""
    people = scope.people_of_grids(i.grid_id for i in incidents if i.grid_id)
    handlers = {
        u.pk: u
        for u in User.objects.filter(pk__in={i.handler_id for i in incidents if i.handler_id})
    }
    centre = None
    result = {}
    for incident in incidents:
        heads, members = people.get(incident.grid_id, ([], []))
        if incident.step == Step.VERIFY:
            who = members or heads
        elif incident.step == Step.HANDLE and incident.handler_id:
            who = [handlers[incident.handler_id]] if incident.handler_id in handlers else heads
        elif incident.step == Step.HANDLE and not incident.category.grid_may_handle:
            who = []
        else:
            who = heads
        if not who:
            centre = centre if centre is not None else _dispatchers()
            who = centre
        result[incident.pk] = who
    return result


@functools.cache
def _detail_url_pattern() -> str:
    return reverse("grid:incident-detail", args=["NUMBER"])


def _detail_url(number: str) -> str:
    # reverse() costs ~0.35 ms; a full-size first sweep reminds ~12,000 incidents per rule.
    return _detail_url_pattern().replace("NUMBER", quote(number, safe=""))


def _clock_dues(kind: str, incidents: list[Incident], recipients) -> Iterator[Due]:
    for incident in incidents:
        yield Due(
            obj=(CLOCK_OBJECT, clock_key(incident)),
            deadline=timezone.localtime(incident.due_at).date(),
            recipients=recipients(incident),
            context={
                "number": incident.number,
                "category": incident.category.name,
                "step": incident.get_step_display(),
                "due_at": incident.due_at,
                "grid": incident.grid.name if incident.grid_id else "",
            },
            url=_detail_url(incident.number),
        )


def _running():
    return (
        Incident.objects.filter(state__in=CLOCK_RUNNING, due_at__isnull=False)
        .select_related("category", "grid")
        .defer("grid__boundary")
    )


@rule(WARNING, label="incident clock warning")
def incident_warning(sweep: Sweep) -> Iterator[Due]:
    qs = _running().filter(warn_at__lte=sweep.now, due_at__gte=sweep.now)
    incidents = list(_not_reminded(qs, WARNING).order_by("due_at")[: sweep.limit])
    holders = _holders(incidents)
    yield from _clock_dues(WARNING, incidents, lambda i: holders[i.pk])


@rule(OVERDUE, label="incident clock overdue")
def incident_overdue(sweep: Sweep) -> Iterator[Due]:
    qs = _running().filter(due_at__lt=sweep.now)
    incidents = list(_not_reminded(qs, OVERDUE).order_by("due_at")[: sweep.limit])
    holders = _holders(incidents)
    yield from _clock_dues(OVERDUE, incidents, lambda i: holders[i.pk])


@rule(ESCALATED, label="incident overdue: grid head and supervisors")
def incident_escalated(sweep: Sweep) -> Iterator[Due]:
    qs = _running().filter(due_at__lt=sweep.now)
    incidents = list(_not_reminded(qs, ESCALATED).order_by("due_at")[: sweep.limit])
    holders = _holders(incidents)
    people = scope.people_of_grids(i.grid_id for i in incidents if i.grid_id)
    supervisors = _supervisors()

    def recipients(incident):
        heads, _members = people.get(incident.grid_id, ([], []))
        mine = {u.pk for u in holders[incident.pk]}
        return [u for u in heads if u.pk not in mine] + supervisors

    yield from _clock_dues(ESCALATED, incidents, recipients)


@rule(HOLD_REVIEW, label="incident hold review date")
def hold_review(sweep: Sweep) -> Iterator[Due]:
    holds = IncidentHold.objects.filter(
        ended_at__isnull=True, review_on__lte=sweep.today
    ).select_related("incident", "incident__category", "started_by")
    done = Reminder.objects.filter(
        kind=HOLD_REVIEW,
        object_type="grid.incidenthold",
        object_id=Cast(OuterRef("pk"), CharField()),
        deadline=OuterRef("review_on"),
    )
    holds = list(holds.filter(~Exists(done)).order_by("review_on")[: sweep.limit])
    people = scope.people_of_grids(h.incident.grid_id for h in holds if h.incident.grid_id)
    for hold in holds:
        incident = hold.incident
        heads, _members = people.get(incident.grid_id, ([], []))
        yield Due(
            obj=hold,
            deadline=hold.review_on,
            recipients=[*heads, hold.started_by],
            context={
                "number": incident.number,
                "category": incident.category.name,
                "reason": hold.reason,
                "review_on": hold.review_on,
            },
            url=reverse("grid:incident-detail", args=[incident.number]),
        )
