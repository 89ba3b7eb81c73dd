"""Reads for dispatch: the centre's queues, a department's work-order queue, a work order with
everything its page shows, an incident's dispatches ("why did this go there?")."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from grid.models import Incident
from grid.models.dispatch import (
    OPEN_ORDER_STATES,
    Dispatch,
    DispatchRequest,
    HandlerKind,
    Whistle,
    WhistleCall,
    WorkOrder,
    WorkOrderExtension,
    WorkOrderState,
)
from grid.models.incidents import State
from grid.selectors import dispatch_scope as who

# --- work orders in scope ---------------------------------------------------------------------


def visible_work_orders(user) -> QuerySet[WorkOrder]:
    """The centre sees every work order; a department's staff their department's; others none."""
    qs = WorkOrder.objects.all()
    if who.is_centre(user):
        return qs
    department = who.department_of(user)
    if department is None:
        return qs.none()
    return qs.filter(department_id=department)


def with_related(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return qs.select_related(
        "department", "incident", "incident__category", "incident__grid", "rule"
    )


def get_visible_row(user, pk) -> WorkOrder | None:
    """One work order the person may see, its row only: for a transition, whose service locks
    and reads the order again (get_visible reads everything its page shows)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return visible_work_orders(user).filter(pk=pk).first()


def get_visible(user, pk) -> WorkOrder | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    order = (
        with_related(visible_work_orders(user))
        .select_related("dispatch", "incident__category__branch", "incident__village")
        .prefetch_related(
            "history",
            "photos__photo",
            "extensions",
            Prefetch(
                "dispatch__work_orders",
                queryset=WorkOrder.objects.select_related("department").order_by("-role", "id"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if order is not None:
        order.now_status = order.clock_status(timezone.now())
    return order


def department_queue(department_id: int, *, now: datetime | None = None) -> QuerySet[WorkOrder]:
    """A department's open work orders, red → yellow → normal, then the nearest deadline."""
    now = now or timezone.now()
    return (
        WorkOrder.objects.filter(department_id=department_id, state__in=OPEN_ORDER_STATES)
        .with_clock_status(now)
        .select_related("incident", "incident__category", "incident__grid")
        .order_by("clock_rank", "step_due_at", "id")
    )


def queue_for(
    user,
    *,
    now: datetime | None = None,
    state: str = "",
    clock_status: str = "",
    department: str = "",
) -> QuerySet[WorkOrder]:
    now = now or timezone.now()
    qs = visible_work_orders(user)
    if state == "open" or not state:
        qs = qs.filter(state__in=OPEN_ORDER_STATES)
    elif state != "all":
        qs = qs.filter(state=state)
    if department:
        qs = qs.filter(department__code=department)
    qs = qs.with_clock_status(now)
    if clock_status:
        qs = qs.filter(clock_status=clock_status)
    return qs.select_related(
        "department", "incident", "incident__category", "incident__grid"
    ).order_by("clock_rank", "step_due_at", "-id")


# --- the centre's queues ---------------------------------------------------------------------------


def to_route(*, now: datetime | None = None) -> QuerySet[Incident]:
    """待分拨: accepted incidents the grid does not handle (its category says so, the grid head
    asked, or an earlier dispatch came back: returned, recalled or sent back by the check), and
    incidents in grid handling whose head asked the centre. Urgent first, then by the clock."""
    now = now or timezone.now()
    last = Dispatch.objects.filter(incident=OuterRef("pk")).order_by("-seq")
    open_request = DispatchRequest.objects.filter(incident=OuterRef("pk"), resolved_at__isnull=True)
    qs = (
        Incident.objects.annotate(
            last_dispatch_kind=Subquery(last.values("kind")[:1]),
            last_dispatch_state=Subquery(last.values("state")[:1]),
            requested=Exists(open_request),
        )
        .filter(
            Q(state=State.ACCEPTED, handler__isnull=True)
            & (
                Q(category__grid_may_handle=False)
                | Q(requested=True)
                | Q(
                    last_dispatch_kind__in=[
                        HandlerKind.DEPARTMENT,
                        HandlerKind.SQUAD,
                        HandlerKind.DISTRICT,
                    ]
                )
            )
            | Q(state=State.HANDLING, requested=True)
        )
        .with_clock_status(now)
        .select_related("category", "category__branch", "grid", "village")
    )
    from django.db.models import Case, IntegerField, Value, When

    return qs.annotate(
        urgency_rank=Case(
            When(urgency="urgent", then=Value(0)),
            When(urgency="complex", then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("urgency_rank", "clock_rank", "due_at", "id")


def why_waiting(incident: Incident) -> str:
    from django.utils.translation import gettext as _

    if getattr(incident, "requested", False):
        return _("网格申请派遣")
    state = getattr(incident, "last_dispatch_state", None)
    if state == "recalled":
        return _("退单或收回，待重新派遣")
    if state == "done":
        return _("核查未通过，待重新派遣")
    return _("网格不能自行处置")


def returned_waiting() -> QuerySet[WorkOrder]:
    """Returned co-handler orders waiting for the centre (send elsewhere or drop)."""
    return (
        WorkOrder.objects.filter(state=WorkOrderState.RETURNED, resolved_at__isnull=True)
        .select_related("department", "incident", "incident__category", "dispatch")
        .order_by("returned_at")
    )


def late_sign_for(*, now: datetime | None = None) -> QuerySet[WorkOrder]:
    now = now or timezone.now()
    return (
        WorkOrder.objects.filter(state=WorkOrderState.SENT, sign_for_due_at__lt=now)
        .select_related("department", "incident", "incident__category")
        .order_by("sign_for_due_at")
    )


def late_handling(*, now: datetime | None = None) -> QuerySet[WorkOrder]:
    now = now or timezone.now()
    return (
        WorkOrder.objects.filter(state=WorkOrderState.SIGNED, due_at__lt=now)
        .select_related("department", "incident", "incident__category")
        .order_by("due_at")
    )


def pending_extensions() -> QuerySet[WorkOrderExtension]:
    return (
        WorkOrderExtension.objects.filter(status=WorkOrderExtension.Status.PENDING)
        .select_related(
            "work_order", "work_order__department", "work_order__incident", "requested_by"
        )
        .order_by("requested_at")
    )


def whistles_waiting(*, now: datetime | None = None) -> QuerySet[Whistle]:
    """Whistles with a department that has not reported yet (before and after the time)."""
    waiting = WhistleCall.objects.filter(whistle=OuterRef("pk"), reported_at__isnull=True)
    return (
        Whistle.objects.filter(Exists(waiting))
        .select_related("incident", "incident__category", "blown_by")
        .prefetch_related(
            Prefetch("calls", queryset=WhistleCall.objects.select_related("department"))
        )
        .order_by("meet_at")
    )


def whistles_for(user) -> QuerySet[Whistle]:
    qs = Whistle.objects.select_related(
        "incident", "incident__category", "blown_by"
    ).prefetch_related(Prefetch("calls", queryset=WhistleCall.objects.select_related("department")))
    if who.is_centre(user):
        return qs
    department = who.department_of(user)
    q = Q(pk__in=[])
    if department:
        q |= Q(calls__department_id=department)
    from grid.selectors import incident_scope

    headed = incident_scope.headed_grid_ids(user)
    if headed:
        q |= Q(incident__grid_id__in=headed)
    return qs.filter(q).distinct()


# --- an incident's dispatches ---------------------------------------------------------------------


def dispatches_of(incident: Incident) -> list[Dispatch]:
    return list(
        Dispatch.objects.filter(incident=incident)
        .select_related("rule", "department")
        .prefetch_related(
            Prefetch(
                "work_orders",
                queryset=WorkOrder.objects.select_related("department").order_by("-role", "id"),
            )
        )
        .order_by("seq")
    )


def open_dispatch(incident: Incident) -> Dispatch | None:
    return Dispatch.objects.filter(incident=incident, state="active").first()


def available_actions(user, order: WorkOrder, *, now: datetime | None = None) -> set[str]:
    """What ``user`` may do with ``order`` now (the page shows only these; the services check
    again)."""
    now = now or timezone.now()
    actions: set[str] = set()
    centre = who.is_centre(user)
    own = (order.is_district and centre) or (
        not order.is_district and who.department_of(user) == order.department_id
    )
    pending = any(e.status == WorkOrderExtension.Status.PENDING for e in order.extensions.all())
    if own:
        if order.state == WorkOrderState.SENT:
            actions.add("sign_for")
        if order.state in OPEN_ORDER_STATES and now <= order.return_until:
            actions.add("return")
        if order.state == WorkOrderState.SIGNED:
            actions.add("feedback")
            if not pending and not order.is_district:
                actions.add("request_extension")
    if centre:
        if order.state in OPEN_ORDER_STATES:
            actions.update({"press", "cancel"})
        if pending:
            actions.add("decide_extension")
        if (
            order.state == WorkOrderState.RETURNED
            and order.role == "co"
            and order.resolved_at is None
            and order.dispatch.state == "active"
        ):
            actions.update({"redispatch", "drop"})
    return actions
