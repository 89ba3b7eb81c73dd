"""Reminder rules of work orders and whistles (portal.reminders runs them; each exactly once,
written with its notifications in the sweep's transaction, e-mail/SMS after commit).

| kind | when | who |
| --- | --- | --- |
| grid.work_order_unsigned | the sign-for limit has passed, not signed | the department's staff |
| grid.work_order_unsigned_head | one more sign-for period | the department's head(s) |
| grid.work_order_unsigned_centre | one more period: 督办, recorded on the order | the centre's dispatchers |
| grid.work_order_warning | the handling clock turns yellow | the department's staff |
| grid.work_order_overdue | the handling deadline has passed | the department's staff and head(s) |
| grid.whistle_absent | the whistle's time has passed with a department not reported | the centre and whoever blew it |

District orders (the district does not log in) go to the centre's dispatchers, who phone.
Each is keyed on (kind, work order, the deadline's date): an approved extension that moves the
handling deadline is reminded again; nothing is reminded twice."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import CharField, Exists, OuterRef, Prefetch
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from grid.models.dispatch import Whistle, WhistleCall, WorkOrder, WorkOrderState
from grid.selectors import dispatch_scope as who
from portal.models import Reminder
from portal.reminders import Due, Sweep, rule

UNSIGNED = "grid.work_order_unsigned"
UNSIGNED_HEAD = "grid.work_order_unsigned_head"
UNSIGNED_CENTRE = "grid.work_order_unsigned_centre"
WARNING = "grid.work_order_warning"
OVERDUE = "grid.work_order_overdue"
WHISTLE_ABSENT = "grid.whistle_absent"


def _not_reminded(qs, kind: str, deadline: str):
    qs = qs.annotate(_due_day=TruncDate(deadline, tzinfo=timezone.get_current_timezone()))
    done = Reminder.objects.filter(
        kind=kind,
        object_type="grid.workorder",
        object_id=Cast(OuterRef("pk"), CharField()),
        deadline=OuterRef("_due_day"),
    )
    return qs.filter(~Exists(done))


def _orders(sweep: Sweep, kind: str, state: str, moment: str, deadline: str, *, warn=False):
    qs = WorkOrder.objects.filter(state=state, **{f"{moment}__lte": sweep.now})
    if warn:
        qs = qs.filter(due_at__gte=sweep.now)
    qs = _not_reminded(qs, kind, deadline).select_related(
        "department", "incident", "incident__category"
    )
    return list(qs.order_by(moment)[: sweep.limit])


class _People:
    """Department staff and heads for many orders, each department looked up once."""

    def __init__(self):
        self.staff: dict[int, list] = {}
        self.heads: dict[int, list] = {}
        self._centre = None

    @property
    def centre(self):
        if self._centre is None:
            self._centre = who.dispatchers()
        return self._centre

    def of(self, order: WorkOrder, *, heads=False) -> list:
        if order.is_district:
            return self.centre
        cache, fn = (
            (self.heads, who.department_heads) if heads else (self.staff, who.department_people)
        )
        if order.department_id not in cache:
            cache[order.department_id] = fn(order.department_id)
        return cache[order.department_id] or self.centre


def _due(order: WorkOrder, deadline, recipients, **extra) -> Due:
    from grid.services.dispatch import work_order_url

    return Due(
        obj=order,
        deadline=timezone.localtime(deadline).date(),
        recipients=recipients,
        context={
            "number": order.number,
            "incident": order.incident.number,
            "category": order.incident.category.name,
            "department": order.department.name,
            "sign_for_due_at": order.sign_for_due_at,
            "due_at": order.due_at,
            **extra,
        },
        url=work_order_url(order),
    )


@rule(UNSIGNED, label="work order not signed for in time: the department")
def unsigned(sweep: Sweep) -> Iterator[Due]:
    people = _People()
    for order in _orders(
        sweep, UNSIGNED, WorkOrderState.SENT, "sign_for_due_at", "sign_for_due_at"
    ):
        yield _due(order, order.sign_for_due_at, people.of(order))


@rule(UNSIGNED_HEAD, label="work order still not signed for: the department's head")
def unsigned_head(sweep: Sweep) -> Iterator[Due]:
    people = _People()
    for order in _orders(
        sweep, UNSIGNED_HEAD, WorkOrderState.SENT, "escalate_head_at", "sign_for_due_at"
    ):
        yield _due(order, order.sign_for_due_at, people.of(order, heads=True))


@rule(UNSIGNED_CENTRE, label="work order still not signed for: the centre presses")
def unsigned_centre(sweep: Sweep) -> Iterator[Due]:
    from grid.services.dispatch import escalate_unsigned

    people = _People()
    for order in _orders(
        sweep, UNSIGNED_CENTRE, WorkOrderState.SENT, "escalate_centre_at", "sign_for_due_at"
    ):
        due = _due(order, order.sign_for_due_at, people.centre)
        if due.recipients:
            escalate_unsigned(work_order=order, now=sweep.now)
        yield due


@rule(WARNING, label="work order handling clock warning")
def handling_warning(sweep: Sweep) -> Iterator[Due]:
    people = _People()
    for order in _orders(sweep, WARNING, WorkOrderState.SIGNED, "warn_at", "due_at", warn=True):
        yield _due(order, order.due_at, people.of(order))


@rule(OVERDUE, label="work order handling overdue")
def handling_overdue(sweep: Sweep) -> Iterator[Due]:
    people = _People()
    qs = WorkOrder.objects.filter(state=WorkOrderState.SIGNED, due_at__lt=sweep.now)
    qs = _not_reminded(qs, OVERDUE, "due_at").select_related(
        "department", "incident", "incident__category"
    )
    for order in qs.order_by("due_at")[: sweep.limit]:
        recipients = {p.pk: p for p in [*people.of(order), *people.of(order, heads=True)]}
        yield _due(order, order.due_at, list(recipients.values()))


@rule(WHISTLE_ABSENT, label="whistle: a department did not report")
def whistle_absent(sweep: Sweep) -> Iterator[Due]:
    waiting = WhistleCall.objects.filter(whistle=OuterRef("pk"), reported_at__isnull=True)
    done = Reminder.objects.filter(
        kind=WHISTLE_ABSENT, object_type="grid.whistle", object_id=Cast(OuterRef("pk"), CharField())
    )
    whistles = (
        Whistle.objects.filter(meet_at__lt=sweep.now)
        .filter(Exists(waiting))
        .filter(~Exists(done))
        .select_related("incident", "incident__category", "blown_by")
        .prefetch_related(
            Prefetch(
                "calls",
                queryset=WhistleCall.objects.filter(reported_at__isnull=True)
                .select_related("department")
                .order_by("pk"),
                to_attr="absent_calls",
            )
        )
        .order_by("meet_at")[: sweep.limit]
    )
    centre = who.dispatchers()
    from grid.services.dispatch import whistle_url

    for whistle in whistles:
        absent = [c.department.name for c in whistle.absent_calls]
        yield Due(
            obj=whistle,
            deadline=timezone.localtime(whistle.meet_at).date(),
            recipients=[*centre, whistle.blown_by],
            context={
                "incident": whistle.incident.number,
                "place": whistle.place,
                "meet_at": whistle.meet_at,
                "absent": "、".join(absent),
            },
            url=whistle_url(whistle),
        )
