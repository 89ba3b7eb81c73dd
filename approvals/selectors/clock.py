"""Applications on the town's one clock (read by the command centre): those late or about to be,
with who holds them, and each holder's workload for the forecast.

An application's deadline is a date (its committed due date): it is overdue from the next day,
so on the one clock its moment is the end of that day (portal.clock.end_of_day) and its
lateness counts in working days, like every limit in days."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from approvals.models import Application, State
from approvals.models.applications import CLOCK_RUNNING
from portal import clock, roles
from portal.clock import ClockItem, ClockStatus, Unit, Workload, WorkloadKeys, labels
from portal.models import StaffProfile, User

from .dashboard import LIST_FIELDS, Names, held_by, holder_label, names

KIND = "application"


def _url(reference: str) -> str:
    try:
        return reverse("approvals:staff-application", args=[reference])
    except NoReverseMatch:
        return f"/api/v1/applications/{reference}/"


def _status(app: Application, today: date) -> str:
    if app.due_date is not None and app.due_date < today:
        return ClockStatus.OVERDUE
    if app.warning_date is not None and app.warning_date <= today:
        return ClockStatus.WARNING
    return ClockStatus.NORMAL


def _reviewers(department_ids) -> dict[int, list[int]]:
    """The reviewers of each department (who a press of an unclaimed application tells)."""
    people = defaultdict(list)
    for dept, user in StaffProfile.objects.filter(
        department_id__in=department_ids,
        user__is_active=True,
        user__groups__name=roles.REVIEWER,
    ).values_list("department_id", "user_id"):
        people[dept].append(user)
    return people


def _item(
    app: Application, today: date, lookup: Names, reviewers, *, lazy_labels=False
) -> ClockItem:
    if app.handler_id:
        ids = (app.handler_id,)
        phone = app.handler.mobile or ""
    else:
        ids = tuple(reviewers.get(app.department_id, ()))
        phone = ""
    return ClockItem(
        kind=KIND,
        number=app.number or app.reference,
        title=app.matter.name,
        holder=labels(lazy_labels)(holder_label, *held_by(app, lookup)),
        due_at=clock.end_of_day(app.due_date),
        unit=Unit.WORKING_DAYS,
        status=_status(app, today),
        url=_url(app.reference),
        holder_ids=ids,
        phone=phone,
        area_id=app.village_id,
    )


def _running():
    return Application.objects.filter(state__in=CLOCK_RUNNING, due_date__isnull=False)


def late_keys(
    *, now: datetime | None = None, limit: int = 20, overdue_only=False
) -> list[tuple[datetime, str, int]]:
    """(deadline moment, number, id) of the running applications that are overdue (red) or in
    their warning days (yellow), the earliest due date first: the first ``limit`` read off the
    clock index (app_clock_idx) — no row is built. The one clock merges every kind's keys and
    builds only the items it keeps (``items_for``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    qs = _running()
    qs = (
        qs.filter(due_date__lt=today)
        if overdue_only
        else qs.filter(Q(due_date__lt=today) | Q(warning_date__lte=today))
    )
    return [
        (clock.end_of_day(due), number or f"D{public_id.hex}", pk)  # Application.reference
        for due, number, public_id, pk in qs.order_by("due_date", "id").values_list(
            "due_date", "number", "public_id", "id"
        )[:limit]
    ]


def late_items(
    *, now: datetime | None = None, limit: int = 20, overdue_only=False
) -> list[ClockItem]:
    """Running applications that are overdue (red) or in their warning days (yellow), the
    earliest due date first (the most late first). Two steps: the keys on the clock index,
    then those rows with their matter and handler."""
    keys = late_keys(now=now, limit=limit, overdue_only=overdue_only)
    return items_for([pk for _due, _number, pk in keys], now=now)


def items_for(
    ids: list[int], *, now: datetime | None = None, lazy_labels: bool = False
) -> list[ClockItem]:
    """The clock items of these applications, in this order. ``lazy_labels``: the translated
    labels are lazy strings (portal.clock.later)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not ids:
        return []
    rows = {
        a.pk: a
        for a in Application.objects.filter(pk__in=ids)
        .select_related("matter", "handler")
        .only(*LIST_FIELDS, "village_id", "handler__mobile")
    }
    lookup = names()
    reviewers = _reviewers({a.department_id for a in rows.values() if not a.handler_id})
    return [
        _item(rows[pk], today, lookup, reviewers, lazy_labels=lazy_labels)
        for pk in ids
        if pk in rows
    ]


def counts(*, now: datetime | None = None) -> dict:
    """Red and yellow cards of the running clocks (one query; the board's totals)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return _running().aggregate(
        red=Count("id", filter=Q(due_date__lt=today)),
        yellow=Count("id", filter=Q(due_date__gte=today, warning_date__lte=today)),
    )


def workload(
    *, since: date, now: datetime | None = None, lazy_labels: bool = False
) -> list[Workload]:
    """Each holder's running applications (earliest due first) and how many they decided after
    ``since`` up to today: a reviewer their claimed ones, a department its unclaimed pool, a
    district department the forwarded ones. ``lazy_labels``: the translated labels are lazy
    strings (portal.clock.later)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    lookup = names()
    loads: dict[str, Workload] = {}

    def key_of(app) -> tuple[str, str]:
        if app.state == State.FORWARDED:
            return (
                f"district:{app.delegating_department_id}",
                lookup.department_full(app.delegating_department_id),
            )
        if app.handler_id:
            return f"user:{app.handler_id}", app.handler.display_name
        return f"department:{app.department_id}", lookup.department(app.department_id)

    rows = (
        _running()
        .select_related("matter", "handler")
        .only(*LIST_FIELDS, "village_id", "handler__mobile")
        .order_by("due_date", "id")
    )
    for app in rows:
        key, label = key_of(app)
        load = loads.setdefault(key, Workload(key=key, holder=label))
        load.items.append(_item(app, today, lookup, {}, lazy_labels=lazy_labels))
    decided = Application.objects.filter(decided_on__gt=since, decided_on__lte=today).order_by()
    for handler_id, n in (
        decided.filter(handler__isnull=False).values_list("handler_id").annotate(n=Count("id"))
    ):
        if f"user:{handler_id}" in loads:
            loads[f"user:{handler_id}"].completed = n
    for dept_id, n in decided.values_list("department_id").annotate(n=Count("id")):
        if f"department:{dept_id}" in loads:
            loads[f"department:{dept_id}"].completed = n
    for dept_id, n in (
        decided.filter(forwarded_on__isnull=False)
        .values_list("delegating_department_id")
        .annotate(n=Count("id"))
    ):
        if f"district:{dept_id}" in loads:
            loads[f"district:{dept_id}"].completed = n
    return list(loads.values())


def workload_keys(*, since: date, now: datetime | None = None) -> list[WorkloadKeys]:
    """``workload`` for the forecast: the same holders and items, each item only as its key
    (portal.clock.WorkloadKeys; ``ref`` the application's id, for ``items_for``), read as
    plain values (no row, item or label is made); the paces in one query."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    lookup = names()
    loads: dict[str, WorkloadKeys] = {}
    rows = (
        _running()
        .order_by("due_date", "id")
        .values_list(
            "id",
            "number",
            "public_id",
            "state",
            "handler_id",
            "department_id",
            "delegating_department_id",
            "due_date",
            "warning_date",
        )
    )
    moments: dict[date, datetime] = {}  # due date -> its end (the moment on the one clock)
    handlers: set[int] = set()
    found = []
    for pk, number, public_id, state, handler_id, dept_id, district_id, due, warning in rows:
        if state == State.FORWARDED:
            key = f"district:{district_id}"
        elif handler_id:
            key = f"user:{handler_id}"
            handlers.add(handler_id)
        else:
            key = f"department:{dept_id}"
        due_at = moments.get(due)
        if due_at is None:
            due_at = moments[due] = clock.end_of_day(due)
        if due < today:
            status = ClockStatus.OVERDUE
        elif warning is not None and warning <= today:
            status = ClockStatus.WARNING
        else:
            status = ClockStatus.NORMAL
        found.append((key, (due_at, number or f"D{public_id.hex}", status, due, pk)))
        if key not in loads:
            loads[key] = WorkloadKeys(key=key, holder="")
            if state == State.FORWARDED:
                loads[key].holder = lookup.department_full(district_id)
            elif not handler_id:
                loads[key].holder = lookup.department(dept_id)
    people = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in=handlers).only(
            "id", "real_name", "first_name", "last_name", "username"
        )
    }
    for key, keys in found:
        loads[key].items.append(keys)
    for key, load in loads.items():
        if key.startswith("user:"):
            load.holder = people[int(key[5:])]
    done: dict[str, int] = defaultdict(int)
    for handler_id, dept_id, district_id, n, forwarded in (
        Application.objects.filter(decided_on__gt=since, decided_on__lte=today)
        .order_by()
        .values_list("handler_id", "department_id", "delegating_department_id")
        .annotate(n=Count("id"), forwarded=Count("id", filter=Q(forwarded_on__isnull=False)))
    ):
        if handler_id is not None:
            done[f"user:{handler_id}"] += n
        done[f"department:{dept_id}"] += n
        done[f"district:{district_id}"] += forwarded
    for key, load in loads.items():
        load.completed = done.get(key, 0)
    return list(loads.values())


def item(number: str, *, now: datetime | None = None) -> ClockItem | None:
    """One running application on the clock by its number (None when not running)."""
    now = now or timezone.now()
    app = (
        _running()
        .filter(number=number)
        .select_related("matter", "handler")
        .only(*LIST_FIELDS, "village_id", "handler__mobile")
        .first()
    )
    if app is None:
        return None
    reviewers = _reviewers({app.department_id}) if not app.handler_id else {}
    return _item(app, timezone.localdate(now), names(), reviewers)
