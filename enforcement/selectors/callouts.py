"""Reads of call-outs (出动): one call-out, an officer's (or a department's on-call person's) open
ones, those in progress with their 1-2-3-45 timings (the centre's board and map), and compliance
per squad — and per department, beside them — and step (figures)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import (
    CALLOUT_OPEN,
    CALLOUT_RUNNING,
    CallOut,
    CallOutEvent,
    CallOutOfficer,
    CallOutState,
    CallOutStep,
    Squad,
)
from enforcement.models.callouts import DONE_FIELD, STEPS
from portal import roles
from portal.errors import NotFound
from portal.models import Department, StaffProfile

from .scope import is_bureau, officer_for, squad_ids

CENTRE_ROLES = (roles.DISPATCHER, roles.SUPERVISOR)


class StepStatus:
    ON_TIME = "on_time"  # done by its moment
    LATE = "late"  # done after its moment
    MISSED = "missed"  # not done and the moment has passed
    RUNNING = "running"  # not done, its moment still ahead
    NONE = "none"  # the call-out was stood down before it


def sees_all(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or is_bureau(user) or user.has_role(*CENTRE_ROLES))
    )


TARGET_RELATED = ("squad", "department", "person")


def headed_departments(user) -> list[int]:
    """The departments ``user`` heads (their staff profile marked head): they see the
    department's call-outs and are told of its missed steps."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        StaffProfile.objects.filter(user=user, is_department_head=True).values_list(
            "department_id", flat=True
        )
    )


def visible_callouts(user) -> QuerySet[CallOut]:
    """The centre and the bureau see every call-out; officers and squad leaders their squad's
    and the ones that went to them; a department's on-call person the ones that went to them,
    its heads the department's; anyone else none."""
    qs = CallOut.objects.all()
    if sees_all(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    mine = CallOutOfficer.objects.filter(officer__user=user).values("callout_id")
    return qs.filter(
        Q(squad_id__in=squad_ids(user))
        | Q(pk__in=mine)
        | Q(person=user)
        | Q(department_id__in=headed_departments(user))
    )


def callout_get(user, number: str) -> CallOut:
    found = (
        visible_callouts(user)
        .filter(number=number)
        .select_related(
            "squad",
            "squad__leader",
            "department",
            "person",
            "called_by",
            "responded_by",
            "accepted_by",
            "set_out_by",
            "on_site_by",
        )
        .prefetch_related(
            Prefetch("officers", queryset=CallOutOfficer.objects.select_related("officer__user")),
            Prefetch("history", queryset=CallOutEvent.objects.order_by("at", "id")),
        )
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该出动。"))
    return found


def open_for(user) -> QuerySet[CallOut]:
    """The open call-outs that went to ``user`` (or to a squad they lead), newest first: what
    the officer's phone rings for."""
    if not getattr(user, "is_authenticated", False):
        return CallOut.objects.none()
    led = Squad.objects.filter(leader=user).values("pk")
    mine = CallOutOfficer.objects.filter(officer__user=user).values("callout_id")
    return (
        CallOut.objects.filter(state__in=CALLOUT_OPEN)
        .filter(Q(pk__in=mine) | Q(squad_id__in=led) | Q(person=user))
        .select_related(*TARGET_RELATED)
        .order_by("-called_at", "-id")
    )


def recent_for(user, *, limit: int = 20) -> list[CallOut]:
    if not getattr(user, "is_authenticated", False):
        return []
    officer = officer_for(user)
    led = Squad.objects.filter(leader=user).values("pk")
    q = Q(squad_id__in=led) | Q(person=user)
    if officer is not None:
        q |= Q(officers__officer=officer)
    return list(
        CallOut.objects.filter(q)
        .select_related(*TARGET_RELATED)
        .distinct()
        .order_by("-called_at")[:limit]
    )


def step_status(callout: CallOut, step: str, now: datetime) -> str:
    at = callout.done_at(step)
    due = callout.due(step)
    if at is not None:
        return StepStatus.ON_TIME if at <= due else StepStatus.LATE
    if callout.state == CallOutState.CANCELLED:
        end = callout.cancelled_at or now
        return StepStatus.MISSED if end > due else StepStatus.NONE
    if callout.state in CALLOUT_RUNNING:
        return StepStatus.MISSED if now > due else StepStatus.RUNNING
    return StepStatus.NONE


def timings(callout: CallOut, now: datetime) -> list[dict]:
    """The four steps of one call-out: the moment each was due, when it was done (server
    time), minutes and seconds from the call, and its status."""
    rows = []
    for step in STEPS:
        at = callout.done_at(step)
        rows.append(
            {
                "step": str(step),
                "label": str(CallOutStep(step).label),
                "due": callout.due(step),
                "at": at,
                "seconds": round((at - callout.called_at).total_seconds()) if at else None,
                "limit_minutes": round(
                    (callout.due(step) - callout.called_at).total_seconds() / 60
                ),
                "status": step_status(callout, step, now),
            }
        )
    return rows


def in_progress(*, now: datetime | None = None, limit: int = 50) -> list[dict]:
    """Call-outs in progress (called, and not yet finished or stood down), newest first, with
    their 1-2-3-45 timings and the squad's last known position: the centre's panel and map."""
    now = now or timezone.now()
    rows = list(
        CallOut.objects.filter(state__in=CALLOUT_OPEN)
        .select_related(*TARGET_RELATED)
        .order_by("-called_at", "-id")[:limit]
    )
    return [summary(c, now) for c in rows]


def summary(callout: CallOut, now: datetime) -> dict:
    steps = timings(callout, now)
    department = callout.department if callout.department_id else None
    return {
        "number": callout.number,
        # Who was called out: "squad" or "department" (a department's on-call person).
        "target_kind": callout.target_kind,
        "target_name": callout.target_name,
        # The squad's code ("" for a department's call-out); ``squad_name`` is the called-out
        # unit's name either way (the squad, or "department · person") for readers that show
        # one name.
        "squad": callout.squad.code if callout.squad_id else "",
        "squad_name": callout.target_name,
        "department": department.code if department else "",
        "department_name": department.display_name if department else "",
        "person_name": callout.person.display_name if callout.person_id else "",
        "state": callout.state,
        "state_label": str(callout.get_state_display()),
        "source": callout.source,
        "source_ref": callout.source_ref,
        "description": callout.description[:120],
        "address": callout.address,
        "lat": callout.lat,
        "lng": callout.lng,
        "called_at": callout.called_at,
        "steps": steps,
        "missed": [s["step"] for s in steps if s["status"] in (StepStatus.MISSED, StepStatus.LATE)],
        "last_position": (
            {
                "lat": callout.last_lat,
                "lng": callout.last_lng,
                "at": callout.last_position_at,
            }
            if callout.last_lat is not None
            else None
        ),
    }


def last_positions(*, now: datetime | None = None) -> list[dict]:
    """Where each squad was last seen during its open call-outs (the map's squad markers)."""
    rows = (
        CallOut.objects.filter(state__in=CALLOUT_OPEN, last_lat__isnull=False)
        .select_related(*TARGET_RELATED)
        .order_by("squad_id", "person_id", "-last_position_at")
    )
    seen: dict[tuple, dict] = {}
    for c in rows:
        # One marker per squad, and one per department's on-call person.
        key = ("squad", c.squad_id) if c.squad_id else ("person", c.person_id)
        if key in seen:
            continue
        seen[key] = {
            "target_kind": c.target_kind,
            "squad": c.squad.code if c.squad_id else "",
            "squad_name": c.target_name,
            "number": c.number,
            "state": c.state,
            "state_label": str(c.get_state_display()),
            "lat": c.last_lat,
            "lng": c.last_lng,
            "at": c.last_position_at,
        }
    return list(seen.values())


def compliance(start: datetime, end: datetime, *, now: datetime | None = None) -> list[dict]:
    """1-2-3-45 compliance per squad and step of the call-outs called in [start, end) — and per
    department (its on-call people's call-outs), listed after the squads: on time, late (done
    after its moment), missed (never done, its moment passed); steps whose moment is still
    ahead, or that a stand-down made moot, do not count. One query (and the names)."""
    now = now or timezone.now()
    counts = {}
    for step in STEPS:
        at = f"{DONE_FIELD[step]}_at"
        due = f"{step}_due_at"
        counts[f"{step}__on_time"] = Count("id", filter=Q(**{f"{at}__lte": F(due)}))
        counts[f"{step}__late"] = Count("id", filter=Q(**{f"{at}__gt": F(due)}))
        counts[f"{step}__missed"] = Count(
            "id",
            filter=Q(**{f"{at}__isnull": True})
            & (
                (Q(state__in=CALLOUT_RUNNING) & Q(**{f"{due}__lt": now}))
                | (Q(state=CallOutState.CANCELLED) & Q(cancelled_at__gt=F(due)))
            ),
        )
    rows = (
        CallOut.objects.filter(called_at__gte=start, called_at__lt=end)
        .order_by()
        .values("squad_id", "department_id")
        .annotate(total=Count("id"), **counts)
    )
    rows = list(rows)
    squads = {s.pk: s for s in Squad.objects.all()}
    department_ids = {r["department_id"] for r in rows if r["department_id"]}
    departments = {d.pk: d for d in Department.objects.filter(pk__in=department_ids)}
    out = []
    for row in rows:
        squad = squads.get(row["squad_id"])
        department = departments.get(row["department_id"])
        steps = []
        for step in STEPS:
            on_time = row[f"{step}__on_time"]
            late = row[f"{step}__late"]
            missed = row[f"{step}__missed"]
            counted = on_time + late + missed
            steps.append(
                {
                    "step": str(step),
                    "label": str(CallOutStep(step).label),
                    "on_time": on_time,
                    "late": late,
                    "missed": missed,
                    "rate": round(100 * on_time / counted, 1) if counted else None,
                }
            )
        if department is not None:
            row_id = {
                "kind": "department",
                "code": department.code,
                "name": department.display_name,
                "squad": "",
                "squad_name": department.display_name,
            }
        else:
            row_id = {
                "kind": "squad",
                "code": squad.code if squad else "",
                "name": squad.name if squad else "—",
                "squad": squad.code if squad else "",
                "squad_name": squad.name if squad else "—",
            }
        out.append({**row_id, "callouts": row["total"], "steps": steps})
    out.sort(key=lambda r: (r["kind"] != "squad", r["code"]))
    return out


def for_source(source_ref: str) -> list[CallOut]:
    """The call-outs made for an incident (by its number)."""
    if not source_ref:
        return []
    return list(
        CallOut.objects.filter(source_ref=source_ref)
        .select_related(*TARGET_RELATED)
        .order_by("-called_at")
    )


def position_stamp():
    """The newest position any phone sent for an open call-out (None when none): part of the
    centre's change stamp, since positions are not history."""
    from django.db.models import Max

    return CallOut.objects.filter(state__in=CALLOUT_OPEN).aggregate(m=Max("last_position_at"))["m"]
