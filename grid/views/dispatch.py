"""Dispatch pages: the centre's queues and the routing page (desktop), work orders for
departments (desktop and phone) and for the centre, whistles, figures with their .xlsx.
Thin: every change goes through grid.services.dispatch, every read through grid.selectors."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grid.models import Incident, IncidentPhoto
from grid.models.dispatch import (
    Dispatch,
    DispatchState,
    HandlerKind,
    WhistleCall,
    WorkOrderExtension,
    WorkOrderState,
)
from grid.models.incidents import State
from grid.selectors import dispatch as sel
from grid.selectors import dispatch_figures as fig
from grid.selectors import dispatch_scope as who
from grid.selectors import incidents as incident_sel
from grid.selectors import routing
from grid.services import dispatch as svc
from grid.views import dispatch_forms as f
from portal import photos, roles, xlsx
from portal.access import role_required
from portal.errors import ActionError, Conflict
from portal.models import Department
from portal.planner import joins_as_written

CENTRE = (roles.DISPATCHER, roles.SUPERVISOR)
WORK_ORDER_ROLES = (roles.DISPATCHER, roles.SUPERVISOR, roles.DEPARTMENT_STAFF)
WHISTLE_ROLES = (roles.DISPATCHER, roles.SUPERVISOR, roles.DEPARTMENT_STAFF, roles.GRID_HEAD)
LIST_SIZE = 50
# What the list's cards (grid.templatetags.dispatch.work_order_cards) and counts read of a work
# order and its joined rows (issue 19: the incident's and the order's wide rows cost more CPU
# to build than the page's template); the states are read for ConcurrentTransitionMixin.
LIST_COLUMNS = (
    "id",
    "number",
    "state",
    "urgency",
    "role",
    "is_district",
    "is_hotline",
    "step_due_at",
    "done_on_time",
    "department_id",
    "incident_id",
    "department__short_name",
    "department__name",
    "incident__state",
    "incident__description",
    "incident__category__name",
    "incident__grid__name",
)


def _list_rows(qs) -> list:
    return list(qs.only(*LIST_COLUMNS)[:LIST_SIZE])


def _visible_incident(request, number: str) -> Incident:
    incident = incident_sel.get_visible(request.user, number)
    if incident is None:
        raise Http404
    incident.clock_status = incident.clock_status(timezone.now())
    return incident


# --- the centre ------------------------------------------------------------------------------------


TABS = ("route", "returned", "unsigned", "late", "extensions", "whistles")


@role_required(*CENTRE)
def centre(request):
    """The dispatcher's desk: what waits for the centre, most urgent first."""
    tab = request.GET.get("tab", "route")
    if tab not in TABS:
        tab = "route"
    now = timezone.now()
    queues = {
        "route": sel.to_route(now=now),
        "returned": sel.returned_waiting(),
        "unsigned": sel.late_sign_for(now=now),
        "late": sel.late_handling(now=now),
        "extensions": sel.pending_extensions(),
        "whistles": sel.whistles_waiting(now=now),
    }
    counts = {name: qs.count() for name, qs in queues.items()}
    rows = list(queues[tab][:LIST_SIZE])
    if tab == "route":
        for incident in rows:
            incident.why = sel.why_waiting(incident)
            incident.suggestion = routing.evaluate(routing.facts_for(incident, now))
    elif tab in ("returned", "unsigned", "late"):
        for order in rows:
            order.clock_status = order.clock_status(now)
    return render(
        request,
        "grid/dispatch/centre.html",
        {"tab": tab, "rows": rows, "counts": counts, "now": now},
    )


def _route_context(request, incident, form=None, *, evaluation=None):
    now = timezone.now()
    evaluation = evaluation or routing.evaluate(routing.facts_for(incident, now))
    dispatches = sel.dispatches_of(incident)
    return {
        "incident": incident,
        "evaluation": evaluation,
        "form": form
        or f.DispatchForm(
            initial={"seen_dispatches": len(dispatches)}, has_rule=evaluation.rule is not None
        ),
        "dispatches": dispatches,
        "active": next((d for d in dispatches if d.state == DispatchState.ACTIVE), None),
        "routable": incident.state in (State.ACCEPTED, State.HANDLING),
        "whistles": list(sel.whistles_for(request.user).filter(incident=incident)),
    }


@role_required(*CENTRE)
def route_incident(request, number: str):
    """分流交办: the suggested rule and why, the whole list evaluated, and the form."""
    incident = _visible_incident(request, number)
    if request.method != "POST":
        return render(request, "grid/dispatch/route.html", _route_context(request, incident))
    evaluation = routing.evaluate(routing.facts_for(incident))
    form = f.DispatchForm(request.POST, has_rule=evaluation.rule is not None)
    seen_state = request.POST.get("seen_state", incident.state)
    try:
        if seen_state != incident.state:
            raise Conflict(
                _("该事件已被他人处理（当前状态：%(state)s），请查看最新情况。")
                % {"state": incident.get_state_display()},
                code="state_changed",
            )
        if not form.is_valid():
            raise ActionError(_("请按提示修改后再提交。"), code="invalid")
        data = form.cleaned_data
        choice = None
        if data["follow"] == "manual":
            kind = data.get("kind") or ""
            choice = routing.Choice(
                kind=kind,
                department=data.get("district")
                if kind == HandlerKind.DISTRICT
                else data.get("department") or "",
                co_handlers=tuple(data.get("co_handlers") or ())
                if kind == HandlerKind.DEPARTMENT
                else (),
                squad=data.get("squad") or "" if kind == HandlerKind.SQUAD else "",
            )
        dispatch = svc.incident_dispatch(
            actor=request.user,
            incident=incident,
            choice=choice,
            note=data.get("note", ""),
            seen_dispatches=data.get("seen_dispatches"),
        )
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("grid:dispatch-incident", number)
    except ActionError as error:
        if error.code != "invalid":
            form.add_service_error(error)
        messages.error(request, error.message)
        context = _route_context(request, incident, form, evaluation=evaluation)
        return render(request, "grid/dispatch/route.html", context, status=400)
    messages.success(request, _DISPATCHED.get(dispatch.kind, _("已派遣。")))
    return redirect("grid:dispatch-incident", number)


_DISPATCHED = {
    HandlerKind.GRID: _("已交网格自行处置，网格长已收到通知。"),
    HandlerKind.DEPARTMENT: _("已派遣，工单已发给承办部门。"),
    HandlerKind.DISTRICT: _("已转办区级部门：请电话或函件告知，并代为登记签收和答复。"),
    HandlerKind.SQUAD: _("已作为线索移交综合行政执法局。"),
}


@role_required(*CENTRE)
@require_POST
def withdraw(request, pk: int):
    dispatch = Dispatch.objects.select_related("incident").filter(pk=pk).first()
    if dispatch is None:
        raise Http404
    form = f.ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError(_("请写明收回理由。"), code="invalid")
        svc.dispatch_withdraw(
            actor=request.user, dispatch=dispatch, reason=form.cleaned_data["reason"]
        )
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已收回派遣，事件回到待分拨。"))
    return redirect("grid:dispatch-incident", dispatch.incident.number)


@role_required(roles.GRID_HEAD, *CENTRE)
def request_dispatch(request, number: str):
    """交中心派遣 (grid head)."""
    incident = _visible_incident(request, number)
    form = f.ReasonForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ActionError(_("请写明理由。"), code="invalid")
            svc.dispatch_request(
                actor=request.user, incident=incident, reason=form.cleaned_data["reason"]
            )
        except ActionError as error:
            if error.code != "invalid":
                form.add_service_error(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("已提交指挥中心派遣。"))
            return redirect("grid:incident-detail", number)
    return render(
        request,
        "grid/dispatch/simple_form.html",
        {
            "incident": incident,
            "form": form,
            "title": _("交指挥中心派遣"),
            "submit": _("提交"),
            "hint": _("网格确实无法处置、需要职能部门办理时，说明原因，由指挥中心分流交办。"),
        },
        status=400 if form.errors else 200,
    )


@role_required(roles.GRID_HEAD, *CENTRE)
def to_enforcement(request, number: str):
    """“这是违法行为”: hand the incident to enforcement as a lead."""
    incident = _visible_incident(request, number)
    form = f.EnforcementForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ActionError(_("请按提示修改后再提交。"), code="invalid")
            svc.incident_to_enforcement(
                actor=request.user,
                incident=incident,
                note=form.cleaned_data["note"],
                squad_code=form.cleaned_data.get("squad") or "",
            )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("grid:incident-detail", number)
        except ActionError as error:
            if error.code != "invalid":
                form.add_service_error(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("已作为线索移交综合行政执法局，结果将自动反馈到本事件。"))
            return redirect("grid:incident-detail", number)
    return render(
        request,
        "grid/dispatch/simple_form.html",
        {
            "incident": incident,
            "form": form,
            "title": _("认定违法，移交执法"),
            "submit": _("移交执法"),
            "hint": _(
                "照片、位置、上报人和关联事项随线索一并移交；执法局立案、不予立案、移送或结案后，本事件自动进入核查。"
            ),
        },
        status=400 if form.errors else 200,
    )


@role_required(roles.GRID_HEAD, *CENTRE)
def whistle_new(request, number: str):
    """吹哨: call departments to report at a place by a time."""
    incident = _visible_incident(request, number)
    form = f.WhistleForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ActionError(_("请按提示修改后再提交。"), code="invalid")
            data = form.cleaned_data
            whistle = svc.whistle_blow(
                actor=request.user,
                incident=incident,
                departments=list(Department.objects.filter(code__in=data["departments"])),
                meet_at=data["meet_at"],
                place=data["place"],
                note=data.get("note", ""),
            )
        except ActionError as error:
            if error.code != "invalid":
                form.add_service_error(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("已吹哨，各部门已收到报到通知。"))
            return redirect("grid:whistle", whistle.pk)
    return render(
        request,
        "grid/dispatch/whistle_new.html",
        {"incident": incident, "form": form},
        status=400 if form.errors else 200,
    )


# --- work orders ---------------------------------------------------------------------------------------


def _order_or_404(request, pk: int):
    order = sel.get_visible(request.user, pk)
    if order is None:
        raise Http404
    order.clock_status = order.now_status
    return order


@role_required(*WORK_ORDER_ROLES)
def work_orders(request):
    """A department's queue (red → yellow → normal, then the nearest deadline), or every work
    order for the centre with filters."""
    now = timezone.now()
    centre = who.is_centre(request.user)
    tab = request.GET.get("tab", "open")
    if tab not in ("open", "done", "returned", "all"):
        tab = "open"
    state = {
        "open": "open",
        "done": WorkOrderState.DONE,
        "returned": WorkOrderState.RETURNED,
        "all": "all",
    }[tab]
    department = request.GET.get("department", "")[:32] if centre else ""
    clock_status = request.GET.get("clock", "")[:16]
    qs = sel.queue_for(
        request.user, now=now, state=state, clock_status=clock_status, department=department
    )
    if tab != "open":
        qs = qs.order_by("-sent_at", "-id")
    rows = _list_rows(qs)
    counts = {}
    if tab == "open":
        for row in rows:
            counts[row.clock_status] = counts.get(row.clock_status, 0) + 1
    own = who.department_of(request.user)
    return render(
        request,
        "grid/dispatch/work_orders.html",
        {
            "rows": rows,
            "tab": tab,
            "counts": counts,
            "centre": centre,
            "department": Department.objects.filter(pk=own).first() if own else None,
            "departments": Department.objects.filter(is_active=True).order_by("kind", "code")
            if centre
            else [],
            "selected_department": department,
            "clock": clock_status,
            "more": len(rows) == LIST_SIZE,
        },
    )


ORDER_FORMS = {
    "sign_for": f.SignForForm,
    "return": f.ReturnForm,
    "feedback": f.FeedbackForm,
    "request_extension": f.ExtensionForm,
    "decide_extension": f.ExtensionDecisionForm,
    "press": f.NoteForm,
    "cancel": f.ReasonForm,
    "redispatch": f.RedispatchForm,
    "drop": f.NoteForm,
}
ORDER_DONE = {
    "sign_for": _("已签收，请按期办理。"),
    "return": _("已退单，指挥中心将重新派遣。"),
    "feedback": _("已反馈办理结果。"),
    "request_extension": _("已提交延期申请，等待指挥中心审批。"),
    "decide_extension": _("已审批延期申请。"),
    "press": _("已督办，承办部门及其负责人已收到通知。"),
    "cancel": _("已撤销工单。"),
    "redispatch": _("已改派协办部门。"),
    "drop": _("已确认不再协办。"),
}


def _form_kwargs(name: str, order) -> dict:
    if name == "feedback":
        # Unprefixed: the phone's outbox sends the same fields to the API.
        return {"district": order.is_district}
    return {"prefix": name}


def _forms(order, actions, bound=None):
    bound = bound or {}
    result = {}
    for name in actions:
        if name in bound:
            result[name] = bound[name]
            continue
        form_class = ORDER_FORMS[name]
        kwargs = _form_kwargs(name, order)
        result[name] = form_class(**kwargs)
    return result


def _order_context(request, order, *, bound=None, open_action=None):
    actions = sel.available_actions(request.user, order)
    incident = order.incident
    return {
        "order": order,
        "incident": incident,
        "actions": actions,
        "forms": _forms(order, actions, bound),
        "open_action": open_action,
        "centre": who.is_centre(request.user),
        "incident_photos": list(
            IncidentPhoto.objects.filter(
                incident=incident, stage__in=["report", "verify"]
            ).order_by("id")
        ),
        "pending_extension": next(
            (e for e in order.extensions.all() if e.status == WorkOrderExtension.Status.PENDING),
            None,
        ),
        "others": [o for o in order.dispatch.work_orders.all() if o.pk != order.pk],
        "max_due": svc.max_due(order),
    }


@role_required(*WORK_ORDER_ROLES)
@joins_as_written()
def work_order(request, pk: int):
    order = _order_or_404(request, pk)
    return render(request, "grid/dispatch/work_order.html", _order_context(request, order))


def _run(action, form, request, order):
    data = form.cleaned_data if form is not None else {}
    actor = request.user
    if action == "sign_for":
        return svc.work_order_sign_for(actor=actor, work_order=order, at=data.get("at"))
    if action == "return":
        return svc.work_order_return(
            actor=actor, work_order=order, reason=data["reason"], basis=data.get("basis", "")
        )
    if action == "feedback":
        return svc.work_order_feedback(
            actor=actor,
            work_order=order,
            note=data["note"],
            photo_files=data.get("photos") or [],
            client_uuid=data.get("client_uuid"),
            answered_on=data.get("answered_on"),
        )
    if action == "request_extension":
        return svc.work_order_request_extension(
            actor=actor, work_order=order, new_due_on=data["new_due_on"], reason=data["reason"]
        )
    if action == "decide_extension":
        extension = order.extensions.filter(status=WorkOrderExtension.Status.PENDING).first()
        if extension is None:
            raise Conflict(_("该延期申请已被处理。"), code="state_changed")
        return svc.work_order_decide_extension(
            actor=actor, extension=extension, approve=data["approve"], note=data.get("note", "")
        )
    if action == "press":
        return svc.work_order_press(actor=actor, work_order=order, note=data.get("note", ""))
    if action == "cancel":
        return svc.work_order_cancel(actor=actor, work_order=order, reason=data["reason"])
    if action == "redispatch":
        department = Department.objects.filter(code=data["department"]).first()
        if department is None:
            raise ActionError(
                _("请选择部门。"), code="invalid", fields={"department": _("请选择部门。")}
            )
        return svc.work_order_redispatch(
            actor=actor, work_order=order, department=department, note=data.get("note", "")
        )
    if action == "drop":
        return svc.work_order_drop(actor=actor, work_order=order, note=data.get("note", ""))
    raise Http404


@role_required(*WORK_ORDER_ROLES)
@require_POST
def work_order_action(request, pk: int, action: str):
    action = action.replace("-", "_")
    if action not in ORDER_FORMS:
        raise Http404
    order = _order_or_404(request, pk)
    seen = request.POST.get("seen_state", order.state)
    form = ORDER_FORMS[action](request.POST, request.FILES, **_form_kwargs(action, order))
    try:
        if seen != order.state and action not in ("decide_extension",):
            raise Conflict(
                _("该工单已被他人处理（当前状态：%(state)s），请查看最新情况。")
                % {"state": order.get_state_display()},
                code="state_changed",
            )
        if not form.is_valid():
            raise ActionError(_("请按提示修改后再提交。"), code="invalid")
        result = _run(action, form, request, order)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("grid:work-order", pk)
    except ActionError as error:
        if error.code != "invalid":
            form.add_service_error(error)
        messages.error(request, error.message)
        order = _order_or_404(request, pk)
        context = _order_context(request, order, bound={action: form}, open_action=action)
        return render(request, "grid/dispatch/work_order.html", context, status=400)
    if action == "feedback" and not result.created:
        messages.info(request, _("这条反馈已经收到过，没有重复登记。"))
    else:
        messages.success(request, ORDER_DONE[action])
    if action == "redispatch":
        return redirect("grid:work-order", result.pk)
    if sel.get_visible(request.user, pk) is None:
        return redirect("grid:work-orders")
    return redirect("grid:work-order", pk)


def work_order_photo(request, pk: int, photo_id: int):
    """A photo the order's department may see: its own feedback photos, and the incident's
    report and verification photos (thumbnails; ?original=1 the evidence). Audited."""
    if not request.user.is_authenticated:
        raise Http404
    order = sel.visible_work_orders(request.user).filter(pk=pk).select_related("incident").first()
    if order is None:
        raise Http404
    link = order.photos.filter(photo_id=photo_id).select_related("photo").first()
    if link is None:
        link = (
            IncidentPhoto.objects.filter(incident=order.incident, photo_id=photo_id)
            .select_related("photo")
            .first()
        )
    if link is None:
        raise Http404
    try:
        if request.GET.get("original") in ("1", "true"):
            return photos.original_response(link.photo, actor=request.user, obj=order)
        return photos.thumbnail_response(link.photo, actor=request.user, obj=order)
    except photos.PhotoMissing:
        raise Http404 from None


@role_required(*CENTRE)
@require_POST
def extension_decide(request, pk: int):
    extension = WorkOrderExtension.objects.select_related("work_order").filter(pk=pk).first()
    if extension is None:
        raise Http404
    form = f.ExtensionDecisionForm(request.POST, prefix="decide_extension")
    try:
        if not form.is_valid():
            raise ActionError(_("请选择是否批准。"), code="invalid")
        svc.work_order_decide_extension(
            actor=request.user,
            extension=extension,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data.get("note", ""),
        )
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("grid:work-order", extension.work_order_id)
    messages.success(request, ORDER_DONE["decide_extension"])
    return redirect(f"{_url('grid:dispatch-home')}?tab=extensions")


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


# --- whistles ----------------------------------------------------------------------------------------------


@role_required(*WHISTLE_ROLES)
def whistles(request):
    now = timezone.now()
    rows = list(sel.whistles_for(request.user).order_by("-blown_at", "-id")[:LIST_SIZE])
    for whistle in rows:
        whistle.call_list = [(c, c.status(now)) for c in whistle.calls.all()]
    return render(request, "grid/dispatch/whistles.html", {"rows": rows})


@role_required(*WHISTLE_ROLES)
def whistle(request, pk: int):
    item = sel.whistles_for(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    now = timezone.now()
    own = who.department_of(request.user)
    centre = who.is_centre(request.user)
    calls = []
    for call in item.calls.all():
        status = call.status(now)
        district = call.department.kind == Department.Kind.EXTERNAL
        may_report = call.reported_at is None and (
            (own == call.department_id and not district) or (centre and district)
        )
        calls.append(
            {"call": call, "status": status, "may_report": may_report, "district": district}
        )
    return render(
        request,
        "grid/dispatch/whistle.html",
        {"whistle": item, "calls": calls, "form": f.ReportForm(), "centre": centre},
    )


@role_required(*WHISTLE_ROLES)
@require_POST
def whistle_report(request, pk: int):
    call = WhistleCall.objects.select_related("whistle", "department").filter(pk=pk).first()
    if call is None or not sel.whistles_for(request.user).filter(pk=call.whistle_id).exists():
        raise Http404
    form = f.ReportForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError(_("请按提示修改后再提交。"), code="invalid")
        svc.whistle_report(
            actor=request.user,
            call=call,
            note=form.cleaned_data.get("note", ""),
            at=form.cleaned_data.get("at"),
        )
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已报到。"))
    return redirect("grid:whistle", call.whistle_id)


# --- figures -----------------------------------------------------------------------------------------------


def _period(request) -> tuple[fig.Period, date, date]:
    today = timezone.localdate()
    try:
        first = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        first = today - timedelta(days=29)
    try:
        last = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        last = today
    if last < first:
        first, last = last, first
    if (last - first).days > 366 * 3:
        first = last - timedelta(days=366 * 3)
    return fig.Period.days(first, last), first, last


@role_required(*CENTRE)
def figures(request):
    period, first, last = _period(request)
    now = timezone.now()
    return render(
        request,
        "grid/dispatch/figures.html",
        {
            "first": first,
            "last": last,
            "departments": fig.department_figures(period, now=now),
            "rules": fig.rule_figures(period, now=now),
            "categories": fig.category_figures(period),
            "whistles": fig.whistle_figures(period, now=now),
            "query": request.GET.urlencode(),
        },
    )


ORDER_HEADER = [
    "编码",
    "名称",
    "收到工单",
    "已签收",
    "按时签收",
    "按时签收率%",
    "退单",
    "退单率%",
    "已办结",
    "按期办结",
    "超期办结",
    "按期办结率%",
    "在办",
    "在办超期",
    "督办次数",
    "签收用时中位数（分钟）",
    "办理用时中位数（小时）",
    "主要退单理由",
]


def _order_row(item) -> list:
    return [
        item.key,
        item.name,
        item.received,
        item.signed,
        item.signed_on_time,
        item.sign_for_rate,
        item.returned,
        item.return_rate,
        item.done,
        item.done_on_time,
        item.done_late,
        item.on_time_rate,
        item.open,
        item.open_late,
        item.pressed,
        item.median_sign_for_minutes,
        item.median_handling_hours,
        "；".join(f"{reason}（{n}）" for reason, n in item.return_reasons),
    ]


@role_required(*CENTRE)
def figures_export(request):
    from portal import audit

    period, first, last = _period(request)
    now = timezone.now()
    book = xlsx.write_xlsx(
        [
            (
                "部门",
                ORDER_HEADER,
                [_order_row(i) for i in fig.department_figures(period, now=now)],
            ),
            (
                "分拨规则",
                ["派遣事件数", *ORDER_HEADER],
                [[i.dispatches, *_order_row(i)] for i in fig.rule_figures(period, now=now)],
            ),
            (
                "事件分类",
                [
                    "小类编码",
                    "小类名称",
                    "受理事件",
                    "网格内处置",
                    "派遣部门",
                    "网格内解决",
                    "派遣后解决",
                    "网格内处置率%",
                ],
                [
                    [
                        c.key,
                        c.name,
                        c.accepted,
                        c.in_grid,
                        c.dispatched,
                        c.solved_in_grid,
                        c.solved_after_dispatch,
                        c.in_grid_rate,
                    ]
                    for c in fig.category_figures(period)
                ],
            ),
            (
                "吹哨报到",
                [
                    "部门编码",
                    "部门",
                    "被召集",
                    "按时报到",
                    "迟到",
                    "未报到",
                    "待报到",
                    "按时报到率%",
                ],
                [
                    [
                        w.key,
                        w.name,
                        w.called,
                        w.on_time,
                        w.late,
                        w.absent,
                        w.waiting,
                        w.on_time_rate,
                    ]
                    for w in fig.whistle_figures(period, now=now)
                ],
            ),
        ]
    )
    audit.record(
        actor=request.user,
        action="dispatch.figures_export",
        obj=None,
        after={"from": first.isoformat(), "to": last.isoformat()},
    )
    response = HttpResponse(book, content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="dispatch-figures-{first}-{last}.xlsx"'
    return response
