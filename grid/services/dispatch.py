"""Every state change of dispatch: routing an incident, work orders, extensions, presses,
whistles and the enforcement lead hand-off. Keyword-only, atomic, row-locked, audited.

Races: callers pass what they loaded. The services lock the row (the incident for a dispatch,
the work order for its transitions) and re-check the state the caller saw: moved on → Conflict
(409). Two dispatchers routing the same incident at once: the first moves it to ``dispatched``,
the second finds it moved (and the partial unique index "one active dispatch per incident"
would refuse a second one anyway).

The incident itself moves only through the dispatch slot of grid.services.incidents
(``dispatch_enter`` / ``dispatch_done`` / ``dispatch_recall``), called inside these
transactions. Notifications are written in the same transaction (portal.notifications sends
after commit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from grid.models import Incident, IncidentPhoto, IncidentStep
from grid.models.categories import Urgency
from grid.models.dispatch import (
    Dispatch,
    DispatchRequest,
    DispatchState,
    DispatchVia,
    HandlerKind,
    LeadOutcome,
    RoutingStamp,
    Whistle,
    WhistleCall,
    WorkOrder,
    WorkOrderExtension,
    WorkOrderNumberCounter,
    WorkOrderPhoto,
    WorkOrderRole,
    WorkOrderState,
    WorkOrderStep,
)
from grid.models.incidents import Source, State
from grid.selectors import dispatch_scope as who
from grid.selectors import routing
from grid.services import incidents as incident_svc
from portal import audit, clock, photos
from portal.clock import Limit, Unit
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import Department
from portal.notifications import notify_many

PHOTO_PURPOSE = "grid.work_order"
LEAD_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4c1b-9a57-13d15a0c0d13")


def cfg(name: str):
    return settings.DISPATCH[name]


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _label(actor) -> str:
    if getattr(actor, "pk", None):
        return str(actor)
    return actor if isinstance(actor, str) and actor else "系统"


def _text(value, field: str, label: str, *, required=True, limit=2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ActionError(
            _("请填写%(what)s。") % {"what": label}, code="required", fields={field: _("必填。")}
        )
    if len(value) > limit:
        raise ActionError(
            _("%(what)s最多%(n)s字。") % {"what": label, "n": limit},
            code="too_long",
            fields={field: _("最多%(n)s字。") % {"n": limit}},
        )
    return value


def bump_stamp() -> None:
    """Every process reloads its compiled rules (a rule or a department changed)."""
    RoutingStamp.objects.update_or_create(pk=1, defaults={"value": uuid.uuid4()})


# --- numbers ----------------------------------------------------------------------------------


def allocate_number(day: date) -> str:
    """GD + date + 5 digits, inside the caller's transaction (the counter row stays locked)."""
    WorkOrderNumberCounter.objects.bulk_create(
        [WorkOrderNumberCounter(day=day, last=0)], ignore_conflicts=True
    )
    counter = WorkOrderNumberCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"GD{day:%Y%m%d}{counter.last:05d}"


# --- the work order's clock ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignFor:
    due: datetime
    warn: datetime
    escalate_head: datetime
    escalate_centre: datetime


def _after(start: datetime, urgent: bool) -> datetime:
    if urgent:
        return start + timedelta(minutes=cfg("SIGN_FOR_URGENT_MINUTES"))
    return clock.due_at(start, Limit(cfg("SIGN_FOR_WORKING_DAYS"), Unit.WORKING_DAYS))


def sign_for_clock(sent_at: datetime, urgency: str) -> SignFor:
    """签收时限: 30 minutes for urgent categories (the centre never sleeps), else 1 working day
    (settings DISPATCH). Not signed by then: the department is reminded; one more period: its
    head; one more: the centre presses (督办)."""
    urgent = urgency == Urgency.URGENT
    due = _after(sent_at, urgent)
    if urgent:
        minutes = cfg("SIGN_FOR_URGENT_MINUTES")
        warn = due - timedelta(minutes=max(1, -(-minutes // 5)))
    else:
        # Yellow on the last day (with the default 20 % a one-day limit would be yellow at once).
        warn = clock.warn_at(due, Limit(cfg("SIGN_FOR_WORKING_DAYS"), Unit.WORKING_DAYS), warning=0)
    head = _after(due, urgent)
    return SignFor(due=due, warn=warn, escalate_head=head, escalate_centre=_after(head, urgent))


def return_until(sent_at: datetime, sign_for: SignFor, *, hotline: bool) -> datetime:
    """退单: within the sign-for limit; a 12345 hotline order within 1 working day (the
    hotline's own rule), and only with the legal basis."""
    if hotline:
        return clock.due_at(sent_at, Limit(cfg("HOTLINE_RETURN_WORKING_DAYS"), Unit.WORKING_DAYS))
    return sign_for.due


def handling_due(
    incident: Incident, sent_at: datetime, *, extra: int = 0
) -> tuple[datetime, datetime]:
    """办理期限: the category's handling limit from the moment the order was sent (hours or
    working days); a hotline order's own deadline binds when earlier."""
    limit = incident.category.limit("handle").extended(extra)
    due = clock.due_at(sent_at, limit)
    if incident.external_due_at and incident.external_due_at < due:
        due = incident.external_due_at
    return due, clock.warn_at(due, limit)


def max_due(work_order: WorkOrder) -> datetime:
    incident = work_order.incident
    return clock.due_at(work_order.sent_at, incident.category.limit("max_handle"))


def _set_step(order: WorkOrder) -> None:
    if order.state == WorkOrderState.SENT:
        order.step_due_at, order.step_warn_at = order.sign_for_due_at, order.sign_for_warn_at
    elif order.state == WorkOrderState.SIGNED:
        order.step_due_at, order.step_warn_at = order.due_at, order.warn_at
    # done / returned / cancelled: the last deadline stays on record (the clock has stopped)


# --- who ----------------------------------------------------------------------------------------


def _deny(message=None):
    raise Forbidden(message or _("您的角色不能执行此操作。"), code="role_not_allowed")


def _require_centre(actor):
    if not who.is_centre(actor):
        _deny(_("只有指挥中心可以执行此操作。"))


def _require_handler(actor, order: WorkOrder):
    """The order's own department does it; a district order is recorded by the centre."""
    if order.is_district:
        if not who.is_centre(actor):
            _deny(_("区级部门的工单由指挥中心代为登记。"))
        return
    if who.department_of(actor) != order.department_id:
        _deny(_("只有承办部门的工作人员可以执行此操作。"))


# --- telling people -----------------------------------------------------------------------------


def work_order_url(order: WorkOrder) -> str:
    return reverse("grid:work-order", args=[order.pk])


def _tell(people, kind: str, order: WorkOrder, **context) -> int:
    people = {p.pk: p for p in people if p is not None and getattr(p, "pk", None)}
    if not people:
        return 0
    incident = order.incident
    return notify_many(
        recipients=people.values(),
        kind=f"grid.{kind}",
        obj=order,
        context={
            "number": order.number,
            "incident": incident.number,
            "category": incident.category.name,
            "department": order.department.name,
            "sign_for_due_at": order.sign_for_due_at,
            "due_at": order.due_at,
            **context,
        },
        url=work_order_url(order),
    )


def _tell_department(kind: str, order: WorkOrder, *, heads=False, **context) -> int:
    if order.is_district:
        people = who.dispatchers()
    else:
        people = who.department_people(order.department_id)
        if heads:
            people = who.department_heads(order.department_id) or people
    return _tell(people or who.dispatchers(), kind, order, **context)


# --- history --------------------------------------------------------------------------------------


def _record(order: WorkOrder, action: str, *, actor, before: str, now, note="", data=None):
    WorkOrderStep.objects.create(
        work_order=order,
        at=now,
        actor=_user(actor),
        actor_label=_label(actor),
        action=action,
        from_state=before,
        to_state=order.state,
        note=note,
        data=data or {},
    )
    audit.record(
        actor=_user(actor) or _label(actor),
        action=f"work_order.{action}",
        obj=order,
        before={"state": before} if before else None,
        after={"state": order.state, **({"note": note} if note else {}), **(data or {})},
    )


def _lock(order: WorkOrder) -> WorkOrder:
    locked = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("department", "dispatch", "incident", "incident__category")
        .get(pk=order.pk)
    )
    if locked.state != order.state:
        raise Conflict(
            _("该工单已被他人处理（当前状态：%(state)s），请刷新后再试。")
            % {"state": locked.get_state_display()},
            code="state_changed",
        )
    return locked


def _move(order: WorkOrder, name: str, *, actor, now, note="", data=None) -> None:
    before = order.state
    transition = getattr(order, name)
    if not can_proceed(transition):
        raise ActionError(
            _("工单当前状态（%(state)s）不允许此操作。") % {"state": order.get_state_display()},
            code="invalid_transition",
        )
    transition()
    _set_step(order)
    order.save()
    _record(order, name, actor=actor, before=before, now=now, note=note, data=data)


def _incident_note(incident: Incident, action: str, *, actor, now, note: str, data=None) -> None:
    """A line in the incident's history that does not move it (handed back to the grid, a
    whistle, what enforcement did with the lead)."""
    IncidentStep.objects.create(
        incident=incident,
        at=now,
        actor=_user(actor),
        actor_label=_label(actor),
        action=action,
        from_state=incident.state,
        to_state=incident.state,
        note=note,
        data=data or {},
    )
    audit.record(
        actor=_user(actor) or _label(actor),
        action=f"incident.{action}",
        obj=incident,
        after={"state": incident.state, "note": note, **(data or {})},
    )


# --- routing an incident ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    choice: routing.Choice
    department: Department | None
    co_handlers: tuple[Department, ...]
    squad: object | None  # enforcement.models.Squad, through its selector

    @property
    def label(self) -> str:
        if self.choice.kind == HandlerKind.GRID:
            return str(HandlerKind.GRID.label)
        if self.choice.kind == HandlerKind.SQUAD:
            return self.squad.name if self.squad else self.choice.squad or _("执法局（待分派中队）")
        label = self.department.name
        if self.co_handlers:
            label += _("（协办：%(names)s）") % {
                "names": "、".join(d.name for d in self.co_handlers)
            }
        return label


def _bad(field: str, message: str):
    raise ActionError(message, code="invalid_handler", fields={field: message})


def resolve_choice(choice: routing.Choice, incident: Incident) -> Target:
    """Check a handler (from a rule or chosen by hand) against what is in force now."""
    if choice.kind not in HandlerKind.values:
        _bad("kind", _("请选择处理单位类型。"))
    if choice.kind == HandlerKind.GRID:
        if not incident.category.grid_may_handle:
            _bad("kind", _("此类事件网格不能自行处置，请派至部门。"))
        return Target(choice, None, (), None)
    if choice.kind == HandlerKind.SQUAD:
        squad = None
        if choice.squad:
            from enforcement.selectors.team import squads

            squad = squads().filter(code=choice.squad).first()
            if squad is None:
                _bad("squad", _("执法中队“%(code)s”不存在或已停用。") % {"code": choice.squad})
        return Target(choice, None, (), squad)
    codes = [choice.department, *choice.co_handlers]
    found = {d.code: d for d in Department.objects.filter(code__in=[c for c in codes if c])}
    lead = found.get(choice.department)
    if lead is None:
        _bad("department", _("请选择主办部门。"))
    if not lead.is_active:
        _bad("department", _("部门“%(name)s”已停用。") % {"name": lead.name})
    wanted_kind = (
        Department.Kind.EXTERNAL
        if choice.kind == HandlerKind.DISTRICT
        else Department.Kind.INTERNAL
    )
    if lead.kind != wanted_kind:
        _bad(
            "department",
            _("“%(name)s”是区级部门，请选择“区级部门（转办）”。") % {"name": lead.name}
            if lead.kind == Department.Kind.EXTERNAL
            else _("“%(name)s”是镇内部门，请选择“镇职能部门”。") % {"name": lead.name},
        )
    co = []
    for code in choice.co_handlers:
        department = found.get(code)
        if department is None or code == lead.code or department in co:
            _bad("co_handlers", _("协办部门有误：%(code)s") % {"code": code})
        if not department.is_active:
            _bad("co_handlers", _("协办部门“%(name)s”已停用。") % {"name": department.name})
        if department.kind != Department.Kind.INTERNAL:
            _bad("co_handlers", _("协办部门须为镇内部门：%(name)s") % {"name": department.name})
        co.append(department)
    return Target(choice, lead, tuple(co), None)


def _why(evaluation: routing.Evaluation, target: Target, followed: bool, note: str) -> str:
    rule = evaluation.rule
    if followed and rule is not None:
        text = _("按规则 #%(order)s“%(name)s”（第%(version)s版）派至%(to)s") % {
            "order": rule.order,
            "name": rule.name,
            "version": rule.version,
            "to": target.label,
        }
    elif rule is not None:
        text = _("人工派遣至%(to)s（规则 #%(order)s“%(name)s”建议派至%(suggested)s）") % {
            "to": target.label,
            "order": rule.order,
            "name": rule.name,
            "suggested": rule.handler_label,
        }
    else:
        text = _("无匹配规则，人工派遣至%(to)s") % {"to": target.label}
    return f"{text}。{note}" if note else text


def _lock_incident(incident: Incident) -> Incident:
    locked = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("category", "category__branch", "grid", "village")
        .get(pk=incident.pk)
    )
    if locked.state != incident.state:
        raise Conflict(
            _("该事件已被他人处理（当前状态：%(state)s），请刷新后再试。")
            % {"state": locked.get_state_display()},
            code="state_changed",
        )
    return locked


def _check_seen(incident: Incident, seen_dispatches: int | None) -> int:
    count = Dispatch.objects.filter(incident=incident).count()
    if seen_dispatches is not None and count != seen_dispatches:
        raise Conflict(_("该事件刚刚已被他人派遣，请刷新后查看。"), code="already_dispatched")
    if Dispatch.objects.filter(incident=incident, state=DispatchState.ACTIVE).exists():
        raise Conflict(_("该事件已在派遣办理中。"), code="already_dispatched")
    return count


def _routable(incident: Incident) -> None:
    if incident.state not in (State.ACCEPTED, State.HANDLING):
        raise ActionError(
            _("事件当前状态（%(state)s）不能派遣。") % {"state": incident.get_state_display()},
            code="invalid_transition",
        )


@transaction.atomic
def incident_dispatch(
    *,
    actor,
    incident: Incident,
    choice: routing.Choice | None = None,
    note: str = "",
    seen_dispatches: int | None = None,
    via: str = DispatchVia.CENTRE,
    now: datetime | None = None,
) -> Dispatch:
    """分流交办: route an incident. Without ``choice`` the first matching rule decides; a
    dispatcher may choose otherwise, saying why. The rule that matched (id, version, snapshot)
    and the whole evaluation are kept on the dispatch, whatever was chosen."""
    now = _now(now)
    note = _text(note, "note", _("派遣说明"), required=False)
    if via == DispatchVia.GRID_HEAD:
        pass  # checked by incident_to_enforcement
    else:
        _require_centre(actor)
    incident = _lock_incident(incident)
    count = _check_seen(incident, seen_dispatches)
    _routable(incident)
    evaluation = routing.evaluate(routing.facts_for(incident, now))
    if choice is None:
        if evaluation.rule is None:
            raise ActionError(
                _("没有匹配的分拨规则，请人工选择处理单位。"),
                code="no_rule",
                fields={"kind": _("请选择处理单位。")},
            )
        choice = evaluation.choice
    followed = evaluation.rule is not None and choice == evaluation.choice
    if not followed and not note and via == DispatchVia.CENTRE:
        raise ActionError(
            _("人工选择处理单位时请写明理由。"),
            code="reason_required",
            fields={
                "note": _("请说明为何不按规则派遣。")
                if evaluation.rule is not None
                else _("没有匹配的规则：请说明为何派往这里。")
            },
        )
    target = resolve_choice(choice, incident)
    if target.choice.kind == HandlerKind.GRID and incident.state != State.ACCEPTED:
        _bad("kind", _("事件已在网格处置中。"))
    rule = evaluation.rule
    why = _why(evaluation, target, followed, note)
    dispatch = Dispatch.objects.create(
        incident=incident,
        seq=count + 1,
        kind=target.choice.kind,
        state=(
            DispatchState.HANDED_BACK
            if target.choice.kind == HandlerKind.GRID
            else DispatchState.ACTIVE
        ),
        via=via,
        rule_id=rule.id if rule else None,
        rule_version=rule.version if rule else None,
        rule_snapshot=routing.snapshot_of(rule.id, rule.version) if rule else {},
        followed_rule=followed,
        evaluated=evaluation.compact(),
        reason=note,
        department=target.department,
        squad_code=target.squad.code if target.squad else target.choice.squad,
        at=now,
        actor=_user(actor),
        actor_label=_label(actor),
        ended_at=now if target.choice.kind == HandlerKind.GRID else None,
    )
    DispatchRequest.objects.filter(incident=incident, resolved_at__isnull=True).update(
        resolved_at=now
    )
    data = {
        "dispatch": dispatch.pk,
        "rule": rule.id if rule else None,
        "rule_version": rule.version if rule else None,
        "followed_rule": followed,
        "handler": target.choice.as_dict(evaluation.facts),
    }
    if target.choice.kind == HandlerKind.GRID:
        _incident_note(incident, "dispatch_grid", actor=actor, now=now, note=why, data=data)
        from grid.selectors import incident_scope

        heads = incident_scope.heads_of(incident.grid_id)
        if heads:
            notify_many(
                recipients=heads,
                kind="grid.incident_handed_back",
                obj=incident,
                context={"number": incident.number, "category": incident.category.name, "why": why},
                url=reverse("grid:incident-detail", args=[incident.number]),
            )
        return dispatch
    incident = incident_svc.dispatch_enter(
        actor=actor, incident=incident, note=why, data=data, now=now
    )
    if target.choice.kind == HandlerKind.SQUAD:
        _hand_lead(dispatch, incident, target, actor=actor, now=now)
    else:
        _send_orders(dispatch, incident, target, actor=actor, now=now, why=why)
    return dispatch


def _new_order(
    dispatch, incident, department, role, *, actor, now, note="", replaces=None
) -> WorkOrder:
    sign_for = sign_for_clock(now, incident.urgency)
    due, warn = handling_due(incident, now)
    order = WorkOrder(
        number=allocate_number(timezone.localdate(now)),
        dispatch=dispatch,
        incident=incident,
        department=department,
        role=role,
        is_district=dispatch.kind == HandlerKind.DISTRICT and role == WorkOrderRole.LEAD,
        category_code=incident.category_code,
        branch_code=incident.category.branch.code,
        urgency=incident.urgency,
        is_hotline=incident.source == Source.HOTLINE,
        rule_id=dispatch.rule_id,
        rule_version=dispatch.rule_version,
        replaces=replaces,
        sent_at=now,
        sign_for_due_at=sign_for.due,
        sign_for_warn_at=sign_for.warn,
        return_until=return_until(now, sign_for, hotline=incident.source == Source.HOTLINE),
        escalate_head_at=sign_for.escalate_head,
        escalate_centre_at=sign_for.escalate_centre,
        limit_unit=incident.category.limit_unit,
        due_at=due,
        warn_at=warn,
    )
    _set_step(order)
    order.save()
    _record(
        order,
        "send",
        actor=actor,
        before="",
        now=now,
        note=note,
        data={"role": role, "department": department.code, "rule": dispatch.rule_id},
    )
    return order


def _send_orders(dispatch, incident, target: Target, *, actor, now, why: str) -> list[WorkOrder]:
    orders = [
        _new_order(
            dispatch,
            incident,
            target.department,
            WorkOrderRole.LEAD,
            actor=actor,
            now=now,
            note=why,
        )
    ]
    for department in target.co_handlers:
        orders.append(
            _new_order(
                dispatch, incident, department, WorkOrderRole.CO, actor=actor, now=now, note=why
            )
        )
    for order in orders:
        _tell_department("work_order_sent", order, role=order.get_role_display())
    return orders


# --- the enforcement lead ---------------------------------------------------------------------------


def lead_uuid(incident: Incident, dispatch: Dispatch) -> uuid.UUID:
    """Stable per incident and dispatch: a resend returns the lead already received."""
    return uuid.uuid5(LEAD_NAMESPACE, f"{incident.number}:{dispatch.seq}")


def _lead_photos(incident: Incident) -> list[tuple[str, bytes]]:
    result = []
    for link in incident.photos.select_related("photo").order_by("id")[:9]:
        stored = link.photo.original
        try:
            with stored.open("rb") as handle:
                result.append((stored.name.rsplit("/", 1)[-1], handle.read()))
        except OSError:
            continue  # a missing file is the operator's alert (portal.photos); the lead goes on
    return result


def _hand_lead(dispatch: Dispatch, incident: Incident, target: Target, *, actor, now) -> None:
    """Hand the incident to enforcement as a lead (线索) with its photos, place, reporter and
    the matter when the category names one. Enforcement decides; grid learns the outcome from
    ``enforcement.signals.lead_outcome``."""
    from enforcement.services.leads import lead_receive

    key = lead_uuid(incident, dispatch)
    staff_report = incident.source in (Source.GRID_MEMBER, Source.PATROL)
    kwargs = dict(
        source="grid_incident",
        source_ref=incident.number,
        description=f"【{incident.category.full_name}】{incident.description}",
        actor=actor,
        lat=str(incident.lat) if incident.lat is not None else None,
        lng=str(incident.lng) if incident.lng is not None else None,
        area_code=(incident.grid.code if incident.grid_id else "")
        or (incident.village.code if incident.village_id else ""),
        address=incident.address,
        reporter=incident.reporter if staff_report and incident.reporter_id else None,
        reporter_name="" if staff_report or incident.anonymous else incident.reporter_name,
        reporter_contact="" if staff_report or incident.anonymous else incident.reporter_mobile,
        photos=_lead_photos(incident),
        squad=target.squad,
        client_uuid=key,
        received_at=now,
    )
    matter = incident.category.matter_code or None
    try:
        lead = lead_receive(matter_code=matter, **kwargs)
    except ActionError as exc:
        if matter and "matter_code" in exc.fields:
            # The register moved on: the lead goes without the matter; the bureau picks one.
            lead = lead_receive(matter_code=None, **kwargs)
        else:
            raise
    dispatch.lead_client_uuid = key
    dispatch.lead_number = lead.number
    dispatch.save(update_fields=["lead_client_uuid", "lead_number"])
    _incident_note(
        incident,
        "lead_handed",
        actor=actor,
        now=now,
        note=_("已移交综合行政执法，线索编号 %(number)s。") % {"number": lead.number},
        data={"dispatch": dispatch.pk, "lead": lead.number},
    )


@transaction.atomic
def incident_to_enforcement(
    *, actor, incident: Incident, note: str, squad_code: str = "", now: datetime | None = None
) -> Dispatch:
    """“这是违法行为”: the grid head of the incident's grid (or the centre) hands it to
    enforcement as a lead."""
    from grid.selectors import incident_scope

    note = _text(note, "note", _("认定理由"))
    is_centre = who.is_centre(actor)
    if not (is_centre or incident_scope.is_head_of(actor, incident.grid_id)):
        _deny(_("只有本网格的网格长或指挥中心可以移交执法。"))
    return incident_dispatch(
        actor=actor,
        incident=incident,
        choice=routing.Choice(kind=HandlerKind.SQUAD, squad=squad_code),
        note=note,
        via=DispatchVia.CENTRE if is_centre else DispatchVia.GRID_HEAD,
        now=now,
    )


OUTCOME_NOTES = {
    LeadOutcome.FILED: lambda p: (
        _("执法局已立案，案件编号 %(case)s。") % {"case": p["case_number"]}
    ),
    LeadOutcome.NOT_FILED: lambda p: _("执法局不予立案：%(reason)s") % {"reason": p["reason"]},
    LeadOutcome.TRANSFERRED: lambda p: _("执法局已移送：%(reason)s") % {"reason": p["reason"]},
    LeadOutcome.CLOSED: lambda p: (
        _("执法案件 %(case)s 已结案：%(reason)s")
        % {"case": p["case_number"], "reason": p["reason"]}
    ),
}


@transaction.atomic
def lead_outcome_record(
    *,
    client_uuid: str = "",
    lead_number: str = "",
    outcome: str,
    case_number: str = "",
    reason: str = "",
    at: datetime | None = None,
) -> Dispatch | None:
    """What enforcement did with a lead. The first outcome of an active lead sends the incident
    to verification (filed, not filed, transferred or closed — the grid checks the place and
    closes it with an outcome); later ones (a filed case closing) are added to its history.
    Idempotent: the same outcome twice changes nothing."""
    if outcome not in LeadOutcome.values:
        return None
    qs = Dispatch.objects.select_for_update(of=("self",))
    dispatch = None
    if client_uuid:
        dispatch = qs.filter(lead_client_uuid=client_uuid).first()
    if dispatch is None and lead_number:
        dispatch = qs.filter(lead_number=lead_number).first()
    if dispatch is None or dispatch.lead_outcome == outcome:
        return dispatch
    now = at or timezone.now()
    payload = {"case_number": case_number, "reason": reason}
    text = OUTCOME_NOTES[outcome](payload)
    actor = "综合行政执法局"
    dispatch.lead_outcome = outcome
    dispatch.lead_case_number = case_number or dispatch.lead_case_number
    dispatch.lead_reason = reason
    dispatch.lead_outcome_at = now
    incident = Incident.objects.select_related("category").get(pk=dispatch.incident_id)
    data = {
        "dispatch": dispatch.pk,
        "lead": dispatch.lead_number,
        "outcome": outcome,
        "case_number": case_number,
    }
    if dispatch.state == DispatchState.ACTIVE and incident.state == State.DISPATCHED:
        dispatch.state = DispatchState.DONE
        dispatch.ended_at = timezone.now()
        dispatch.end_note = text
        dispatch.save()
        incident_svc.dispatch_done(actor=actor, incident=incident, note=text, data=data)
    else:
        dispatch.save()
        _incident_note(
            incident, "lead_outcome", actor=actor, now=timezone.now(), note=text, data=data
        )
    return dispatch


def on_lead_outcome(sender, **payload) -> None:
    """Receiver of enforcement.signals.lead_outcome (connected in GridConfig.ready)."""
    if payload.get("source") != "grid_incident":
        return
    lead_outcome_record(
        client_uuid=payload.get("client_uuid", ""),
        lead_number=payload.get("lead_number", ""),
        outcome=payload.get("outcome", ""),
        case_number=payload.get("case_number", ""),
        reason=payload.get("reason", ""),
        at=payload.get("at"),
    )


def sync_lead_outcomes(limit: int = 500) -> int:
    """For a signal missed (a worker restarted at the wrong moment): ask enforcement what became
    of every lead still waiting (enforcement.selectors.leads.lead_outcome_for)."""
    from enforcement.selectors.leads import lead_outcome_for

    changed = 0
    waiting = (
        Dispatch.objects.filter(kind=HandlerKind.SQUAD, state=DispatchState.ACTIVE)
        .exclude(lead_number="")
        .select_related("incident")[:limit]
    )
    for dispatch in waiting:
        found = lead_outcome_for("grid_incident", dispatch.incident.number)
        if not found or not found.get("outcome") or found["lead_number"] != dispatch.lead_number:
            continue
        if lead_outcome_record(
            lead_number=dispatch.lead_number,
            outcome=found["outcome"],
            case_number=found.get("case_number", ""),
        ):
            changed += 1
    return changed


# --- work orders ------------------------------------------------------------------------------------


def _moment(value: datetime | None, field: str, *, not_before: datetime, now: datetime) -> datetime:
    """A moment the centre records for a district department (when it signed, answered)."""
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now:
        raise ActionError(
            _("时间不能晚于现在。"), code="invalid", fields={field: _("不能晚于现在。")}
        )
    if value < not_before:
        raise ActionError(
            _("时间不能早于派单时间。"), code="invalid", fields={field: _("不能早于派单时间。")}
        )
    return value


@transaction.atomic
def work_order_sign_for(
    *, actor, work_order: WorkOrder, at: datetime | None = None, now: datetime | None = None
) -> WorkOrder:
    """签收. The handling clock runs from the moment the order was sent (signing late eats into
    it). A district order's sign-for is recorded by the centre with the district's time."""
    now = _now(now)
    order = _lock(work_order)
    _require_handler(actor, order)
    signed_at = _moment(at, "at", not_before=order.sent_at, now=now) if order.is_district else now
    order.signed_at = signed_at
    order.signed_by = _user(actor)
    order.sign_for_on_time = signed_at <= order.sign_for_due_at
    _move(order, "sign_for", actor=actor, now=now, data={"on_time": order.sign_for_on_time})
    return order


@transaction.atomic
def work_order_return(
    *, actor, work_order: WorkOrder, reason: str, basis: str = "", now: datetime | None = None
) -> WorkOrder:
    """退单: within the return window only (the sign-for limit; a hotline order 1 working day and
    with the legal basis), with a reason. Back to the centre: a returned lead order recalls the
    dispatch (the incident waits to be routed again); a returned co-handler order waits for the
    centre to send it elsewhere or drop it. The return and the rule that missed are counted."""
    now = _now(now)
    reason = _text(reason, "reason", _("退单理由"), limit=1000)
    order = _lock(work_order)
    _require_handler(actor, order)
    if now > order.return_until:
        raise ActionError(
            _("已超过可退单期限（%(until)s），不能退单，请按期办理或申请延期。")
            % {"until": timezone.localtime(order.return_until).strftime("%Y-%m-%d %H:%M")},
            code="return_window_over",
        )
    basis = _text(basis, "basis", _("退单依据"), required=order.is_hotline, limit=1000)
    order.returned_at = now
    order.returned_by = _user(actor)
    order.return_reason = reason
    order.return_basis = basis
    _move(
        order,
        "give_back",
        actor=actor,
        now=now,
        note=reason,
        data={"basis": basis, "rule": order.rule_id},
    )
    dispatchers = who.dispatchers()
    if order.role == WorkOrderRole.LEAD:
        _recall(
            order.dispatch,
            actor=actor,
            now=now,
            note=_("主办部门%(department)s退单：%(reason)s")
            % {"department": order.department.name, "reason": reason},
        )
        order.resolved_at = now
        order.save(update_fields=["resolved_at"])
    _tell(dispatchers, "work_order_returned", order, reason=reason)
    return order


def _recall(dispatch: Dispatch, *, actor, now, note: str) -> None:
    """The dispatch ends: open orders are cancelled, the incident goes back to be routed."""
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if dispatch.state != DispatchState.ACTIVE:
        return
    for other in dispatch.work_orders.select_for_update().filter(
        state__in=[WorkOrderState.SENT, WorkOrderState.SIGNED]
    ):
        other.cancelled_at = now
        other.cancel_reason = note
        _move(other, "cancel", actor=actor, now=now, note=note)
        _tell_department("work_order_cancelled", other, reason=note)
    dispatch.state = DispatchState.RECALLED
    dispatch.ended_at = now
    dispatch.end_note = note
    dispatch.save(update_fields=["state", "ended_at", "end_note"])
    incident = Incident.objects.get(pk=dispatch.incident_id)
    if incident.state == State.DISPATCHED:
        incident_svc.dispatch_recall(
            actor=actor, incident=incident, note=note, data={"dispatch": dispatch.pk}, now=now
        )


@transaction.atomic
def dispatch_withdraw(
    *, actor, dispatch: Dispatch, reason: str, now: datetime | None = None
) -> Dispatch:
    """The centre takes a dispatch back (wrong department, the problem went away …)."""
    now = _now(now)
    reason = _text(reason, "reason", _("收回理由"), limit=1000)
    _require_centre(actor)
    if dispatch.state != DispatchState.ACTIVE:
        raise Conflict(_("该派遣已结束。"), code="state_changed")
    _recall(
        dispatch, actor=actor, now=now, note=_("指挥中心收回派遣：%(reason)s") % {"reason": reason}
    )
    dispatch.refresh_from_db()
    return dispatch


@dataclass(frozen=True)
class Feedback:
    work_order: WorkOrder
    created: bool


@transaction.atomic
def work_order_feedback(
    *,
    actor,
    work_order: WorkOrder,
    note: str,
    photo_files=(),
    client_uuid=None,
    answered_on: date | None = None,
    now: datetime | None = None,
) -> Feedback:
    """结果反馈 with words and photos. Idempotent on ``client_uuid`` (the phone's outbox): a
    resend answers with the order as it is, nothing written twice. A district order's answer is
    recorded by the centre with the date of the district's answer. When the lead order is done
    and every co-handler has answered, the incident goes to verification."""
    now = _now(now)
    if client_uuid:
        try:
            client_uuid = uuid.UUID(str(client_uuid))
        except ValueError:
            raise ActionError(
                _("客户端编号格式不正确。"), code="invalid", fields={"client_uuid": _("须为UUID。")}
            ) from None
        existing = WorkOrder.objects.filter(feedback_client_uuid=client_uuid).first()
        if existing is not None:
            if existing.pk != work_order.pk:
                raise Conflict(_("该客户端编号已用于其他工单。"), code="client_uuid_taken")
            return Feedback(existing, False)
    note = _text(note, "note", _("办理结果"))
    checked = photos.check_many(photo_files, field="photos")
    try:
        order = _lock(work_order)
    except Conflict:
        # The same UUID sent twice at once: the first one did it (its lock made us wait).
        existing = (
            WorkOrder.objects.filter(feedback_client_uuid=client_uuid).first()
            if client_uuid
            else None
        )
        if existing is not None and existing.pk == work_order.pk:
            return Feedback(existing, False)
        raise
    _require_handler(actor, order)
    if order.is_district:
        if answered_on is None:
            raise ActionError(
                _("请填写区级部门答复日期。"), code="required", fields={"answered_on": _("必填。")}
            )
        if answered_on > timezone.localdate(now) or answered_on < timezone.localdate(order.sent_at):
            raise ActionError(
                _("答复日期应在派单之后、今天之前。"),
                code="invalid",
                fields={"answered_on": _("日期不在范围内。")},
            )
        order.answered_on = answered_on
        order.done_on_time = answered_on <= timezone.localdate(order.due_at)
    else:
        order.done_on_time = now <= order.due_at
    order.done_at = now
    order.done_by = _user(actor)
    order.feedback_note = note
    order.feedback_client_uuid = client_uuid
    stored = photos.store_many(checked, actor=actor, purpose=PHOTO_PURPOSE)
    WorkOrderPhoto.objects.bulk_create(
        [WorkOrderPhoto(work_order=order, photo=p, order=i) for i, p in enumerate(stored)]
    )
    _move(
        order,
        "feed_back",
        actor=actor,
        now=now,
        note=note,
        data={"photos": len(stored), "on_time": order.done_on_time},
    )
    _finish_if_answered(order.dispatch, actor=actor, now=now)
    return Feedback(order, True)


def _answered(order: WorkOrder) -> bool:
    if order.state in (WorkOrderState.DONE, WorkOrderState.CANCELLED):
        return True
    return order.state == WorkOrderState.RETURNED and order.resolved_at is not None


def _finish_if_answered(dispatch: Dispatch, *, actor, now) -> bool:
    """Lead done and every co-handler answered → the dispatch is done, the incident goes to
    verification with the departments' results (and their photos)."""
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if dispatch.state != DispatchState.ACTIVE:
        return False
    orders = list(dispatch.work_orders.select_related("department").order_by("-role", "id"))
    lead = next(
        (o for o in orders if o.role == WorkOrderRole.LEAD and o.state == WorkOrderState.DONE), None
    )
    if lead is None or not all(_answered(o) for o in orders):
        return False
    lines = []
    for order in orders:
        if order.state == WorkOrderState.DONE:
            lines.append(
                f"{order.department.name}（{order.get_role_display()}）：{order.feedback_note}"
            )
    summary = "\n".join(lines)
    dispatch.state = DispatchState.DONE
    dispatch.ended_at = now
    dispatch.end_note = summary
    dispatch.save(update_fields=["state", "ended_at", "end_note"])
    incident = Incident.objects.get(pk=dispatch.incident_id)
    start = incident.photos.count()
    links = [
        IncidentPhoto(
            incident=incident,
            photo_id=p.photo_id,
            stage=IncidentPhoto.Stage.RESULT,
            order=start + i,
        )
        for i, p in enumerate(
            WorkOrderPhoto.objects.filter(
                work_order__dispatch=dispatch, work_order__state=WorkOrderState.DONE
            ).order_by("-work_order__role", "id")
        )
    ]
    IncidentPhoto.objects.bulk_create(links)
    incident_svc.dispatch_done(
        actor=actor,
        incident=incident,
        note=summary,
        data={"dispatch": dispatch.pk, "work_orders": [o.number for o in orders]},
        now=now,
    )
    return True


@transaction.atomic
def work_order_request_extension(
    *,
    actor,
    work_order: WorkOrder,
    new_due_on: date | None,
    reason: str,
    now: datetime | None = None,
) -> WorkOrderExtension:
    """延期申请: a new date and a reason; the centre decides. At most the category's longest
    handling limit from the moment the order was sent."""
    now = _now(now)
    reason = _text(reason, "reason", _("延期理由"), limit=1000)
    if new_due_on is None:
        raise ActionError(
            _("请填写申请延至的日期。"), code="required", fields={"new_due_on": _("必填。")}
        )
    order = _lock(work_order)
    _require_handler(actor, order)
    if order.state != WorkOrderState.SIGNED:
        raise ActionError(_("签收后、反馈前才能申请延期。"), code="invalid_transition")
    if order.extensions.filter(status=WorkOrderExtension.Status.PENDING).exists():
        raise ActionError(_("已有一个待审批的延期申请。"), code="extension_pending")
    if clock.end_of_day(new_due_on) <= order.due_at:
        raise ActionError(
            _("申请延至的日期须晚于现在的期限。"),
            code="invalid",
            fields={"new_due_on": _("须晚于现在的期限。")},
        )
    latest = max_due(order)
    if clock.local_date(latest) < new_due_on:
        message = _("最迟可延至 %(date)s（此类事件的最长处置时限）。") % {
            "date": timezone.localtime(latest).strftime("%Y-%m-%d %H:%M")
        }
        raise ActionError(message, code="beyond_maximum", fields={"new_due_on": message})
    extension = WorkOrderExtension.objects.create(
        work_order=order, new_due_on=new_due_on, reason=reason, requested_by=actor, requested_at=now
    )
    _record(
        order,
        "request_extension",
        actor=actor,
        before=order.state,
        now=now,
        note=reason,
        data={"new_due_on": new_due_on.isoformat()},
    )
    _tell(
        who.dispatchers(),
        "work_order_extension_requested",
        order,
        new_due_on=new_due_on,
        reason=reason,
    )
    return extension


@transaction.atomic
def work_order_decide_extension(
    *,
    actor,
    extension: WorkOrderExtension,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> WorkOrderExtension:
    now = _now(now)
    _require_centre(actor)
    note = _text(note, "note", _("审批意见"), required=not approve, limit=1000)
    extension = WorkOrderExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != WorkOrderExtension.Status.PENDING:
        raise Conflict(_("该延期申请已被处理。"), code="state_changed")
    order = (
        WorkOrder.objects.select_for_update()
        .select_related("incident__category", "department")
        .get(pk=extension.work_order_id)
    )
    if approve and order.state != WorkOrderState.SIGNED:
        raise ActionError(_("工单已不在办理中，不能延期。"), code="invalid_transition")
    extension.status = extension.Status.APPROVED if approve else extension.Status.REJECTED
    extension.decided_by = actor
    extension.decided_at = now
    extension.decision_note = note
    extension.save()
    if approve:
        latest = max_due(order)
        due = min(clock.end_of_day(extension.new_due_on), latest)
        limit = order.incident.category.limit("handle")
        order.due_at = due
        order.warn_at = clock.warn_at(due, limit)
        _move(order, "extend", actor=actor, now=now, note=note, data={"due_at": due.isoformat()})
    else:
        _record(order, "reject_extension", actor=actor, before=order.state, now=now, note=note)
    _tell_department("work_order_extension_decided", order, approved=approve, note=note)
    return extension


@transaction.atomic
def work_order_press(
    *, actor, work_order: WorkOrder, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """督办: the centre presses a late (or any open) order: the department and its head are told."""
    now = _now(now)
    _require_centre(actor)
    note = _text(note, "note", _("督办意见"), required=False, limit=1000)
    order = _lock(work_order)
    if not order.is_open:
        raise ActionError(_("工单已办结，无需督办。"), code="invalid_transition")
    order.pressed += 1
    order.save(update_fields=["pressed", "updated_at"])
    _record(order, "press", actor=actor, before=order.state, now=now, note=note)
    _tell_department("work_order_pressed", order, heads=False, note=note)
    if not order.is_district:
        _tell(who.department_heads(order.department_id), "work_order_pressed", order, note=note)
    return order


@transaction.atomic
def work_order_cancel(
    *, actor, work_order: WorkOrder, reason: str, now: datetime | None = None
) -> WorkOrder:
    """The centre cancels a co-handler order (no longer needed); cancelling the lead order takes
    the whole dispatch back."""
    now = _now(now)
    _require_centre(actor)
    reason = _text(reason, "reason", _("撤销原因"), limit=1000)
    order = _lock(work_order)
    if order.role == WorkOrderRole.LEAD:
        if not order.is_open:
            raise ActionError(_("工单当前状态不能撤销。"), code="invalid_transition")
        _recall(
            order.dispatch,
            actor=actor,
            now=now,
            note=_("指挥中心撤销主办工单：%(reason)s") % {"reason": reason},
        )
        order.refresh_from_db()
        return order
    order.cancelled_at = now
    order.cancel_reason = reason
    _move(order, "cancel", actor=actor, now=now, note=reason)
    _tell_department("work_order_cancelled", order, reason=reason)
    _finish_if_answered(order.dispatch, actor=actor, now=now)
    return order


def _returned_co(order: WorkOrder) -> WorkOrder:
    locked = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("dispatch", "incident__category__branch", "department")
        .get(pk=order.pk)
    )
    if locked.state != WorkOrderState.RETURNED or locked.role != WorkOrderRole.CO:
        raise ActionError(_("只有被退回的协办工单可以改派或不再协办。"), code="invalid_transition")
    if locked.resolved_at is not None:
        raise Conflict(_("该退单已被处理。"), code="state_changed")
    if locked.dispatch.state != DispatchState.ACTIVE:
        raise ActionError(_("该派遣已结束。"), code="invalid_transition")
    return locked


@transaction.atomic
def work_order_redispatch(
    *,
    actor,
    work_order: WorkOrder,
    department: Department,
    note: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """A returned co-handler order goes to another town department."""
    now = _now(now)
    _require_centre(actor)
    note = _text(note, "note", _("说明"), required=False, limit=1000)
    order = _returned_co(work_order)
    if not department.is_active:
        _bad("department", _("部门“%(name)s”已停用。") % {"name": department.name})
    if department.kind != Department.Kind.INTERNAL:
        _bad("department", _("协办部门须为镇内部门：%(name)s") % {"name": department.name})
    busy = order.dispatch.work_orders.filter(
        state__in=[WorkOrderState.SENT, WorkOrderState.SIGNED, WorkOrderState.DONE],
        department=department,
    )
    if busy.exists() or department.pk == order.department_id:
        _bad("department", _("“%(name)s”已在承办或刚退回此事件。") % {"name": department.name})
    order.resolved_at = now
    order.save(update_fields=["resolved_at", "updated_at"])
    why = _("协办改派：%(from)s退单，改由%(to)s协办。%(note)s") % {
        "from": order.department.name,
        "to": department.name,
        "note": note,
    }
    new = _new_order(
        order.dispatch,
        order.incident,
        department,
        WorkOrderRole.CO,
        actor=actor,
        now=now,
        note=why,
        replaces=order,
    )
    _record(
        order,
        "redispatch",
        actor=actor,
        before=order.state,
        now=now,
        note=why,
        data={"to": new.number},
    )
    _tell_department("work_order_sent", new, role=new.get_role_display())
    return new


@transaction.atomic
def work_order_drop(
    *, actor, work_order: WorkOrder, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """A returned co-handler order is not sent elsewhere: the others carry on without it."""
    now = _now(now)
    _require_centre(actor)
    order = _returned_co(work_order)
    order.resolved_at = now
    order.save(update_fields=["resolved_at", "updated_at"])
    _record(
        order,
        "drop",
        actor=actor,
        before=order.state,
        now=now,
        note=_text(note, "note", _("说明"), required=False),
    )
    _finish_if_answered(order.dispatch, actor=actor, now=now)
    return order


@transaction.atomic
def escalate_unsigned(*, work_order: WorkOrder, now: datetime) -> None:
    """The third step of a late sign-for: the centre presses (督办), recorded on the order
    (called by the reminder sweep, once per order)."""
    order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if order.state != WorkOrderState.SENT or order.history.filter(action="press_auto").exists():
        return
    order.pressed += 1
    order.save(update_fields=["pressed", "updated_at"])
    _record(
        order,
        "press_auto",
        actor="系统",
        before=order.state,
        now=now,
        note=_("超时未签收，提请指挥中心督办。"),
    )


@transaction.atomic
def dispatch_request(
    *, actor, incident: Incident, reason: str, now: datetime | None = None
) -> DispatchRequest:
    """交中心派遣: the grid head asks the centre to route an incident the grid cannot handle."""
    from grid.selectors import incident_scope

    now = _now(now)
    reason = _text(reason, "reason", _("申请理由"), limit=1000)
    incident = _lock_incident(incident)
    if not (incident_scope.is_head_of(actor, incident.grid_id) or who.is_centre(actor)):
        _deny(_("只有本网格的网格长可以申请派遣。"))
    if incident.state not in (State.ACCEPTED, State.HANDLING):
        raise ActionError(
            _("事件当前状态（%(state)s）不能申请派遣。") % {"state": incident.get_state_display()},
            code="invalid_transition",
        )
    try:
        with transaction.atomic():
            request = DispatchRequest.objects.create(
                incident=incident, requested_by=actor, requested_at=now, reason=reason
            )
    except IntegrityError:
        raise Conflict(_("已申请派遣，等待指挥中心处理。"), code="already_requested") from None
    _incident_note(incident, "dispatch_request", actor=actor, now=now, note=reason)
    notify_many(
        recipients=who.dispatchers(),
        kind="grid.dispatch_requested",
        obj=incident,
        context={
            "number": incident.number,
            "category": incident.category.name,
            "grid": incident.grid.name if incident.grid_id else "",
            "reason": reason,
        },
        url=reverse("grid:dispatch-incident", args=[incident.number]),
    )
    return request


# --- whistles -------------------------------------------------------------------------------------


def whistle_url(whistle: Whistle) -> str:
    return reverse("grid:whistle", args=[whistle.pk])


@transaction.atomic
def whistle_blow(
    *,
    actor,
    incident: Incident,
    departments,
    meet_at: datetime,
    place: str,
    note: str = "",
    now: datetime | None = None,
) -> Whistle:
    """吹哨: the centre, or the head of the incident's grid, calls departments to report at a
    place by a time."""
    from grid.selectors import incident_scope

    now = _now(now)
    if not (who.is_centre(actor) or incident_scope.is_head_of(actor, incident.grid_id)):
        _deny(_("只有指挥中心或本网格的网格长可以吹哨。"))
    if not incident.is_open:
        raise ActionError(_("事件已结束，不能吹哨。"), code="invalid_transition")
    place = _text(place, "place", _("报到地点"), limit=200)
    note = _text(note, "note", _("事由"), required=False, limit=1000)
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        raise ActionError(
            _("请至少选择一个部门。"),
            code="required",
            fields={"departments": _("请至少选择一个部门。")},
        )
    inactive = [d.name for d in departments if not d.is_active]
    if inactive:
        raise ActionError(
            _("部门已停用：%(names)s") % {"names": "、".join(inactive)},
            code="invalid",
            fields={"departments": _("含已停用的部门。")},
        )
    if meet_at is None:
        raise ActionError(_("请填写报到时间。"), code="required", fields={"meet_at": _("必填。")})
    if timezone.is_naive(meet_at):
        meet_at = timezone.make_aware(meet_at)
    if meet_at <= now:
        raise ActionError(
            _("报到时间须晚于现在。"), code="invalid", fields={"meet_at": _("须晚于现在。")}
        )
    whistle = Whistle.objects.create(
        incident=incident, blown_by=actor, blown_at=now, meet_at=meet_at, place=place, note=note
    )
    WhistleCall.objects.bulk_create(
        [WhistleCall(whistle=whistle, department=d) for d in departments]
    )
    names = "、".join(d.name for d in departments)
    _incident_note(
        incident,
        "whistle",
        actor=actor,
        now=now,
        note=_("吹哨：%(names)s 于 %(at)s 到 %(place)s 报到。%(note)s")
        % {
            "names": names,
            "at": timezone.localtime(meet_at).strftime("%Y-%m-%d %H:%M"),
            "place": place,
            "note": note,
        },
        data={"whistle": whistle.pk, "departments": [d.code for d in departments]},
    )
    people = []
    district = False
    for department in departments:
        if department.kind == Department.Kind.EXTERNAL:
            district = True
        else:
            people += who.department_people(department.pk)
    if district:
        people += who.dispatchers()
    notify_many(
        recipients={p.pk: p for p in people}.values(),
        kind="grid.whistle_called",
        obj=whistle,
        context={
            "incident": incident.number,
            "category": incident.category.name,
            "meet_at": meet_at,
            "place": place,
            "note": note,
        },
        url=whistle_url(whistle),
    )
    return whistle


@transaction.atomic
def whistle_report(
    *,
    actor,
    call: WhistleCall,
    note: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
) -> WhistleCall:
    """报到: the department reports (a district department's report is recorded by the centre
    with its time). Late is recorded as late; nobody reports twice."""
    now = _now(now)
    call = (
        WhistleCall.objects.select_for_update(of=("self",))
        .select_related("whistle", "department")
        .get(pk=call.pk)
    )
    district = call.department.kind == Department.Kind.EXTERNAL
    if district or at is not None:
        if not who.is_centre(actor):
            _deny(_("区级部门的报到由指挥中心代为登记。"))
    elif who.department_of(actor) != call.department_id:
        _deny(_("只有被召集的部门可以报到。"))
    if call.reported_at is not None:
        raise Conflict(
            _("已经报到过了（%(at)s）。")
            % {"at": timezone.localtime(call.reported_at).strftime("%Y-%m-%d %H:%M")},
            code="already_reported",
        )
    call.reported_at = (
        _moment(at, "at", not_before=call.whistle.blown_at, now=now) if at is not None else now
    )
    call.reported_by = _user(actor)
    call.recorded_by_centre = at is not None or district
    call.note = _text(note, "note", _("报到说明"), required=False, limit=300)
    call.save()
    status = call.status(now)
    audit.record(
        actor=actor,
        action="whistle.report",
        obj=call.whistle,
        after={"department": call.department.code, "status": status},
    )
    return call


def on_department_saved(sender, instance, **kwargs) -> None:
    """A department switched on or off (or renamed): rules naming it show it at once."""
    bump_stamp()
