"""Cases and leads on the town's one clock (read by the command centre): the legal deadlines
near or past (filing for a lead; decision, service, payment, publication for a case), with who
holds them, each squad's workload for the forecast, and the period's on-time figures. Town-wide
reads: the caller (the centre's pages) checks that the person may see everything.

A case's deadline is its current legal date (``due_kind``); on the one clock it is the end of
that day and its lateness counts in working days, like every limit in days."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enforcement.models import LEAD_OPEN, OPEN_STATES, Case, CaseOfficer, Lead, Squad
from portal.clock import (
    ClockItem,
    ClockStatus,
    Unit,
    Workload,
    WorkloadKeys,
    end_of_day,
    labels,
    start_of_day,
)

KIND = "case"
DUE_KINDS = {
    "filing": gettext_lazy("立案"),
    "decision": gettext_lazy("处罚决定"),
    "service": gettext_lazy("送达"),
    "payment": gettext_lazy("缴款"),
    "publication": gettext_lazy("公示"),
    "cash_hand_in": gettext_lazy("当场收缴罚款上缴"),
}


def _status(due_at, warn_at, now) -> str:
    if due_at is not None and now > due_at:
        return ClockStatus.OVERDUE
    if warn_at is not None and now >= warn_at:
        return ClockStatus.WARNING
    return ClockStatus.NORMAL


def _cases():
    return Case.objects.filter(state__in=OPEN_STATES, clock_paused=False, due_at__isnull=False)


def _leads():
    return Lead.objects.filter(state__in=LEAD_OPEN)


def _case_title(party: str, due_kind: str) -> str:
    return _("%(party)s · %(what)s期限") % {
        "party": party,
        "what": DUE_KINDS.get(due_kind, due_kind),
    }


def _lead_title() -> str:
    return _("线索 · 立案决定期限")


def _no_squad() -> str:
    return _("执法局（待分派中队）")


def _case_items(cases: list[Case], now: datetime, *, lazy_labels=False) -> list[ClockItem]:
    label = labels(lazy_labels)
    officers = defaultdict(list)
    for link in CaseOfficer.objects.filter(case_id__in=[c.pk for c in cases]).select_related(
        "officer__user"
    ):
        officers[link.case_id].append(link.officer.user)
    items = []
    for case in cases:
        people = officers[case.pk]
        leader = case.squad.leader if case.squad.leader_id else None
        names = "、".join(p.display_name for p in people)
        holder = f"{case.squad.name} {names}".strip()
        ids = tuple(dict.fromkeys([p.pk for p in people] + ([leader.pk] if leader else [])))
        phone = next((p.mobile for p in people if p.mobile), "") or (
            leader.mobile if leader else ""
        )
        items.append(
            ClockItem(
                kind=KIND,
                number=case.number,
                title=label(_case_title, case.party_name, case.due_kind),
                holder=holder,
                due_at=case.due_at,
                unit=Unit.WORKING_DAYS,
                status=_status(case.due_at, case.warn_at, now),
                url=reverse("enforcement:case", args=[case.number]),
                holder_ids=ids,
                phone=phone or "",
            )
        )
    return items


def _lead_items(leads: list[Lead], now: datetime, *, lazy_labels=False) -> list[ClockItem]:
    label = labels(lazy_labels)
    items = []
    for lead in leads:
        leader = lead.squad.leader if lead.squad_id and lead.squad.leader_id else None
        items.append(
            ClockItem(
                kind=KIND,
                number=lead.number,
                title=label(_lead_title),
                holder=lead.squad.name if lead.squad_id else label(_no_squad),
                due_at=lead.due_at,
                unit=Unit.WORKING_DAYS,
                status=_status(lead.due_at, lead.warn_at, now),
                url=reverse("enforcement:lead", args=[lead.number]),
                holder_ids=(leader.pk,) if leader else (),
                phone=(leader.mobile or "") if leader else "",
            )
        )
    return items


def late_items(
    *, now: datetime | None = None, limit: int = 20, overdue_only=False
) -> list[ClockItem]:
    """Open cases (clock not suspended) and leads whose deadline is red or yellow, the earliest
    deadline first."""
    keys = late_keys(now=now, limit=limit, overdue_only=overdue_only)
    return items_for([ref for _due, _number, ref in keys], now=now)


def late_keys(
    *, now: datetime | None = None, limit: int = 20, overdue_only=False
) -> list[tuple[datetime, str, tuple[str, int]]]:
    """(deadline, number, ("case"|"lead", id)) of the first ``limit`` open cases (clock not
    suspended) and leads whose deadline is red or yellow, earliest first, read off their clock
    indexes; no row is built."""
    now = now or timezone.now()
    when = Q(due_at__lt=now) if overdue_only else Q(warn_at__lte=now)
    keys = [
        (due, number, ("case", pk))
        for due, number, pk in _cases()
        .filter(when)
        .order_by("due_at", "id")
        .values_list("due_at", "number", "id")[:limit]
    ] + [
        (due, number, ("lead", pk))
        for due, number, pk in _leads()
        .filter(when)
        .order_by("due_at", "id")
        .values_list("due_at", "number", "id")[:limit]
    ]
    keys.sort(key=lambda k: (k[0], k[1]))
    return keys[:limit]


def items_for(
    refs: list[tuple[str, int]], *, now: datetime | None = None, lazy_labels: bool = False
) -> list[ClockItem]:
    """The clock items of these cases and leads (("case"|"lead", id)), in this order.
    ``lazy_labels``: the translated labels are lazy strings (portal.clock.later)."""
    now = now or timezone.now()
    case_ids = [pk for kind, pk in refs if kind == "case"]
    lead_ids = [pk for kind, pk in refs if kind == "lead"]
    cases = (
        list(
            Case.objects.filter(pk__in=case_ids)
            .select_related("squad__leader")
            .only(
                "id",
                "number",
                "state",  # the FSM field: deferred, it would be fetched row by row
                "party_name",
                "due_kind",
                "due_at",
                "warn_at",
                "squad__name",
                "squad__leader",
            )
            .order_by()
        )
        if case_ids
        else []
    )
    leads = (
        list(
            Lead.objects.filter(pk__in=lead_ids)
            .select_related("squad__leader")
            .only("id", "number", "state", "due_at", "warn_at", "squad__name", "squad__leader")
            .order_by()
        )
        if lead_ids
        else []
    )
    found = {
        ("case", c.pk): item
        for c, item in zip(cases, _case_items(cases, now, lazy_labels=lazy_labels), strict=True)
    }
    found.update(
        {
            ("lead", lead.pk): item
            for lead, item in zip(
                leads, _lead_items(leads, now, lazy_labels=lazy_labels), strict=True
            )
        }
    )
    return [found[ref] for ref in refs if ref in found]


def near_deadlines(*, now: datetime | None = None, limit: int = 10) -> dict:
    """The centre's panel: open cases and leads whose legal deadline is near (yellow) or past
    (red), by kind of deadline (filing, decision, service, payment, publication), and the most
    urgent few."""
    now = now or timezone.now()
    red = Q(due_at__lt=now)
    yellow = Q(due_at__gte=now, warn_at__lte=now)
    kinds = {k: {"kind": k, "label": str(v), "red": 0, "yellow": 0} for k, v in DUE_KINDS.items()}
    for due_kind, r, y in (
        _cases()
        .filter(warn_at__lte=now)
        .order_by()
        .values_list("due_kind")
        .annotate(r=Count("id", filter=red), y=Count("id", filter=yellow))
    ):
        entry = kinds.setdefault(
            due_kind, {"kind": due_kind, "label": due_kind, "red": 0, "yellow": 0}
        )
        entry["red"] += r
        entry["yellow"] += y
    leads = (
        _leads()
        .filter(warn_at__lte=now)
        .aggregate(r=Count("id", filter=red), y=Count("id", filter=yellow))
    )
    kinds["filing"]["red"] += leads["r"]
    kinds["filing"]["yellow"] += leads["y"]
    rows = list(kinds.values())
    return {
        "red": sum(r["red"] for r in rows),
        "yellow": sum(r["yellow"] for r in rows),
        "kinds": rows,
        "items": late_items(now=now, limit=limit),
    }


def counts(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    panel = near_deadlines(now=now, limit=0)
    return {"red": panel["red"], "yellow": panel["yellow"]}


def workload(
    *, since: date, now: datetime | None = None, lazy_labels: bool = False
) -> list[Workload]:
    """Each squad's open cases (clock running) and open leads, earliest deadline first, and the
    deadlines it met after ``since``: decisions made, decisions served, leads decided.
    ``lazy_labels``: the translated labels are lazy strings (portal.clock.later)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    squads = {s.pk: s for s in Squad.objects.all()}
    loads: dict[str, Workload] = {}
    cases = list(
        _cases()
        .select_related("squad__leader")
        .only("id", "number", "state", "party_name", "due_kind", "due_at", "warn_at", "squad")
        .order_by("due_at", "id")
    )
    leads = list(
        _leads()
        .filter(squad__isnull=False)
        .select_related("squad__leader")
        .only("id", "number", "state", "due_at", "warn_at", "squad")
        .order_by("due_at", "id")
    )
    for item, squad_id in [
        *zip(
            _case_items(cases, now, lazy_labels=lazy_labels),
            [c.squad_id for c in cases],
            strict=True,
        ),
        *zip(
            _lead_items(leads, now, lazy_labels=lazy_labels),
            [lead.squad_id for lead in leads],
            strict=True,
        ),
    ]:
        key = f"squad:{squad_id}"
        loads.setdefault(key, Workload(key=key, holder=squads[squad_id].name)).items.append(item)
    for load in loads.values():
        load.items.sort(key=lambda i: (i.due_at, i.number))
    done: dict[int, int] = defaultdict(int)
    for squad_id, n in (
        Case.objects.filter(decided_on__gt=since, decided_on__lte=today)
        .order_by()
        .values_list("squad_id")
        .annotate(n=Count("id"))
    ):
        done[squad_id] += n
    for squad_id, n in (
        Case.objects.filter(served_on__gt=since, served_on__lte=today)
        .order_by()
        .values_list("squad_id")
        .annotate(n=Count("id"))
    ):
        done[squad_id] += n
    for squad_id, n in (
        Lead.objects.filter(
            decided_at__gt=end_of_day(since), decided_at__lte=end_of_day(today), squad__isnull=False
        )
        .order_by()
        .values_list("squad_id")
        .annotate(n=Count("id"))
    ):
        done[squad_id] += n
    for squad_id, n in done.items():
        if f"squad:{squad_id}" in loads:
            loads[f"squad:{squad_id}"].completed = n
    return list(loads.values())


def workload_keys(*, since: date, now: datetime | None = None) -> list[WorkloadKeys]:
    """``workload`` for the forecast: the same squads and items, each item only as its key
    (portal.clock.WorkloadKeys; ``ref`` ("case"|"lead", id), for ``items_for``), read as plain
    values (no row, item or label is made: the cases' officers are not read); the decisions
    made and served in one query."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    squads = dict(Squad.objects.values_list("id", "name"))
    loads: dict[str, WorkloadKeys] = {}
    cases = (
        _cases()
        .order_by("due_at", "id")
        .values_list("id", "number", "squad_id", "due_at", "warn_at")
    )
    leads = (
        _leads()
        .filter(squad__isnull=False)
        .order_by("due_at", "id")
        .values_list("id", "number", "squad_id", "due_at", "warn_at")
    )
    for kind, rows in (("case", cases), ("lead", leads)):
        for pk, number, squad_id, due_at, warn_at in rows:
            key = f"squad:{squad_id}"
            load = loads.get(key)
            if load is None:
                load = loads[key] = WorkloadKeys(key=key, holder=squads[squad_id])
            load.items.append(
                (
                    due_at,
                    number,
                    _status(due_at, warn_at, now),
                    due_at.astimezone(tz).date(),
                    (kind, pk),
                )
            )
    for load in loads.values():
        load.items.sort(key=lambda k: (k[0], k[1]))  # due_at, number: as ``workload``
    done: dict[int, int] = defaultdict(int)
    decided = Q(decided_on__gt=since, decided_on__lte=today)
    served = Q(served_on__gt=since, served_on__lte=today)
    for squad_id, made, delivered in (
        Case.objects.filter(decided | served)
        .order_by()
        .values_list("squad_id")
        .annotate(made=Count("id", filter=decided), delivered=Count("id", filter=served))
    ):
        done[squad_id] += made + delivered
    for squad_id, n in (
        Lead.objects.filter(
            decided_at__gt=end_of_day(since), decided_at__lte=end_of_day(today), squad__isnull=False
        )
        .order_by()
        .values_list("squad_id")
        .annotate(n=Count("id"))
    ):
        done[squad_id] += n
    for key, load in loads.items():
        load.completed = done.get(int(key[6:]), 0)
    return list(loads.values())


def period_figures(start: date, end: date) -> dict:
    """Cases' legal deadlines met in [start, end] (dates): decisions made by the decision date,
    decisions served by the service date, leads decided by the filing date."""
    decided = Case.objects.filter(decided_on__gte=start, decided_on__lte=end).aggregate(
        n=Count("id", filter=Q(decision_due__isnull=False)),
        on_time=Count("id", filter=Q(decided_on__lte=F("decision_due"))),
    )
    served = Case.objects.filter(served_on__gte=start, served_on__lte=end).aggregate(
        n=Count("id", filter=Q(service_due__isnull=False)),
        on_time=Count("id", filter=Q(served_on__lte=F("service_due"))),
    )
    leads = Lead.objects.filter(
        decided_at__gte=start_of_day(start), decided_at__lte=end_of_day(end)
    ).aggregate(n=Count("id"), on_time=Count("id", filter=Q(decided_at__lte=F("due_at"))))
    total = decided["n"] + served["n"] + leads["n"]
    on_time = decided["on_time"] + served["on_time"] + leads["on_time"]
    return {
        "deadlines": total,
        "on_time": on_time,
        "on_time_rate": round(100 * on_time / total, 1) if total else None,
        "decisions": decided,
        "services": served,
        "filings": leads,
    }


def item(number: str, *, now: datetime | None = None) -> ClockItem | None:
    """One open case (clock running) or open lead by its number (None otherwise)."""
    now = now or timezone.now()
    case = _cases().filter(number=number).select_related("squad__leader").first()
    if case is not None:
        return _case_items([case], now)[0]
    lead = _leads().filter(number=number).select_related("squad__leader").first()
    return _lead_items([lead], now)[0] if lead is not None else None


def deadline_list(
    *, kind: str = "", status: str = "", now: datetime | None = None, limit: int = 200
) -> list[ClockItem]:
    """Open cases and leads by kind of deadline (``filing`` for leads) and clock status
    (``overdue``, ``warning``, or both when empty), the earliest deadline first."""
    now = now or timezone.now()
    when = {
        "overdue": Q(due_at__lt=now),
        "warning": Q(due_at__gte=now, warn_at__lte=now),
    }.get(status, Q(warn_at__lte=now))
    items: list[ClockItem] = []
    if kind in ("", "filing"):
        leads = _leads().filter(when).select_related("squad__leader").order_by("due_at", "id")
        items += _lead_items(list(leads[:limit]), now)
    if kind != "filing":
        cases = _cases().filter(when).select_related("squad__leader").order_by("due_at", "id")
        if kind:
            cases = cases.filter(due_kind=kind)
        items += _case_items(list(cases[:limit]), now)
    items.sort(key=lambda i: (i.due_at, i.number))
    return items[:limit]
