"""Incident pages for grid members and heads (phone first), the grid head's board, and the
supervisors' desktop list with filters and .xlsx export. Thin: every change goes through
grid.services.incidents; every read through grid.selectors."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grid.models import Incident, IncidentExtension, IncidentPhoto
from grid.models.incidents import OPEN_STATES, Source, State
from grid.selectors import incident_scope as scope
from grid.selectors import incidents as sel
from grid.services import incidents as svc
from grid.views import forms as f
from portal import photos, roles, sql_memo, xlsx
from portal.access import role_required
from portal.clock import ClockStatus
from portal.errors import ActionError, Conflict
from portal.models import User

GRID_PEOPLE = (roles.GRID_MEMBER, roles.GRID_HEAD)
STAFF = (roles.GRID_MEMBER, roles.GRID_HEAD, roles.DISPATCHER, roles.SUPERVISOR)
CENTRE = (roles.DISPATCHER, roles.SUPERVISOR)
LIST_SIZE = 50


def map_context() -> dict:
    """What the incident maps need: the tile layer (none by default) and the areas' GeoJSON."""
    from django.conf import settings

    return {
        "tiles": {
            "url": settings.MAP_TILE_URL,
            "labels": settings.MAP_TILE_LABELS_URL,
            "subdomains": settings.MAP_TILE_SUBDOMAINS,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "max_zoom": settings.MAP_TILE_MAX_ZOOM,
        },
        "map_coords": getattr(settings, "MAP_TILE_COORDS", "wgs84"),
        "geojson_url": reverse("api-areas"),
    }


def render_map_page(request, template, context, status=200):
    """A page with a map may load tiles from the configured tile server (the map's CSP)."""
    from grid.views.map import _with_tile_policy

    return _with_tile_policy(render(request, template, {**map_context(), **context}, status=status))


def incident_or_404(request, number: str) -> Incident:
    incident = sel.get_visible(request.user, number)
    if incident is None:
        raise Http404
    return incident


def _clocked(incident: Incident) -> Incident:
    incident.clock_status = incident.clock_status(timezone.now())
    return incident


# --- the grid people's phone pages ------------------------------------------------------------


@role_required(*GRID_PEOPLE)
def my_grid(request):
    """My grid's incidents, most urgent first; tabs: to do, mine, closed."""
    tab = request.GET.get("tab", "open")
    if tab not in ("open", "mine", "closed"):
        tab = "open"
    user = request.user
    # compiled once per grid scope and tab, each request's moment put in (issue 19)
    rows = sql_memo.instances(
        Incident.objects.db,
        ("grid_queue", tuple(sorted(scope.grid_ids(user))), tab, user.pk if tab == "mine" else 0),
        lambda now: sel.grid_queue(user, now=now, only=tab)[:LIST_SIZE],
        now=timezone.now(),
    )
    counts = {}
    if tab == "open":
        for row in rows:
            counts[row.clock_status] = counts.get(row.clock_status, 0) + 1
    return render_map_page(
        request,
        "grid/incidents/my_grid.html",
        {
            "rows": rows,
            "tab": tab,
            "counts": counts,
            "has_grid": bool(scope.grid_ids(request.user)),
            "is_head": bool(scope.headed_grid_ids(request.user)),
        },
    )


def duplicate_texts() -> dict:
    """The report page script's texts, in the person's language."""
    return {
        "located": _("已定位（精度约 %s 米）"),
        "locating": _("正在定位…"),
        "locate_failed": _("定位失败：请允许使用位置信息，或到开阔处再试。"),
        "no_gps": _("此浏览器不支持定位。"),
        "outside": _("该位置不在本镇范围内。"),
        "in_area": _("位置：%s"),
        "distance": _("相距约 %s 米"),
        "join": _("是这个，加入关注"),
        "joined": _("已加入关注事件 %s，办结后会通知您，无需重复上报。"),
        "join_failed": _("加入失败，请稍后再试。"),
        "not_located": _("尚未定位"),
        "picked": _("已在地图上选点"),
    }


def _report_page(request, *, resident: bool):
    form = f.ReportForm(request.POST or None, request.FILES or None, resident=resident)
    template = "grid/resident/report.html" if resident else "grid/incidents/report.html"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = svc.incident_report(
                actor=request.user,
                source=Source.RESIDENT if resident else Source.GRID_MEMBER,
                category_code=data["category"],
                description=data["description"],
                address=data.get("address", ""),
                lat=data["lat"],
                lng=data["lng"],
                coords=data.get("coords") or "wgs84",
                location_source=data.get("location_source") or "gps",
                anonymous=data.get("anonymous", False),
                client_uuid=data["client_uuid"],
                photo_files=data.get("photos") or [],
            )
        except Conflict as error:
            messages.error(request, error.message)
        except ActionError as error:
            form.add_service_error(error)
        else:
            incident = result.incident
            if result.created:
                messages.success(request, _("已上报，事件编号 %(n)s。") % {"n": incident.number})
            else:
                messages.info(
                    request,
                    _("这条上报已经收到过（事件编号 %(n)s），没有重复登记。")
                    % {"n": incident.number},
                )
            if resident:
                return redirect("grid:my-report", incident.number)
            return redirect("grid:incident-detail", incident.number)
    return render_map_page(request, template, {"form": form, "duplicate_texts": duplicate_texts()})


@role_required(*GRID_PEOPLE)
def report(request):
    """采集上报 on the phone; with JavaScript the form goes through the offline outbox."""
    return _report_page(request, resident=False)


@role_required(*STAFF)
def incident_detail(request, number: str):
    incident = _clocked(incident_or_404(request, number))
    actions = sel.available_actions(request.user, incident)
    reporter = _reporter_for(request.user, incident)
    handlers = _handlers(incident) if actions & {"accept", "assign", "reassign"} else []
    context = {
        "incident": incident,
        "actions": actions,
        "reporter": reporter,
        "photos_by_stage": _photos(incident),
        "handlers": handlers,
        "forms": _action_forms(incident, actions, handlers),
        "pending_extension": next(
            (e for e in incident.extensions.all() if e.status == "pending"), None
        ),
        "is_centre": scope.is_centre(request.user),
    }
    return render_map_page(request, "grid/incidents/detail.html", context)


def _reporter_for(viewer, incident: Incident) -> dict | None:
    """Who reported it, as far as ``viewer`` may know; audited when personal data is shown."""
    if incident.source in (Source.GRID_MEMBER, Source.PATROL):
        return {"name": str(incident.reporter) if incident.reporter_id else "", "mobile": ""}
    if incident.anonymous and not scope.sees_reporter(viewer):
        return {"name": _("匿名"), "mobile": "", "anonymous": True}
    name = incident.reporter.display_name if incident.reporter_id else incident.reporter_name
    mobile = incident.reporter.mobile if incident.reporter_id else incident.reporter_mobile
    if not (name or mobile):
        return None
    svc.record_reporter_view(actor=viewer, incident=incident)
    return {"name": name, "mobile": mobile, "anonymous": incident.anonymous}


def _photos(incident: Incident) -> list[tuple[str, list[IncidentPhoto]]]:
    groups: dict[str, list[IncidentPhoto]] = {}
    for link in incident.photos.all():
        groups.setdefault(link.get_stage_display(), []).append(link)
    return list(groups.items())


def _handlers(incident: Incident) -> list[User]:
    people = scope.members_of(incident.grid_id)
    return sorted({p.pk: p for p in people}.values(), key=lambda u: u.pk)


def _action_forms(incident, actions, handlers, bound: dict | None = None) -> dict:
    bound = bound or {}
    made = {
        "verify": lambda: f.VerifyForm(prefix="verify"),
        "accept": lambda: f.AcceptForm(prefix="accept", handlers=handlers),
        "void": lambda: f.VoidForm(prefix="void"),
        "assign": lambda: f.HandlerForm(prefix="assign", handlers=handlers),
        "reassign": lambda: f.HandlerForm(prefix="reassign", handlers=handlers),
        "report_result": lambda: f.ResultForm(prefix="report_result"),
        "close": lambda: f.CloseForm(prefix="close"),
        "send_back": lambda: f.ReasonForm(prefix="send_back"),
        "hold": lambda: f.HoldForm(prefix="hold"),
        "resume": lambda: f.NoteForm(prefix="resume"),
        "request_extension": lambda: f.ExtensionForm(prefix="request_extension"),
        "decide_extension": lambda: f.ExtensionDecisionForm(prefix="decide_extension"),
        "merge": lambda: f.MergeForm(prefix="merge"),
    }
    return {name: bound.get(name) or make() for name, make in made.items() if name in actions}


# name: (form class, service call)
def _run(action: str, form, request, incident: Incident, handlers) -> None:
    data = form.cleaned_data if form is not None else {}
    user = request.user
    photos_ = data.get("photos") or []
    if action == "verify":
        svc.incident_verify(actor=user, incident=incident, note=data["note"], photo_files=photos_)
    elif action == "accept":
        handler = _pick(handlers, data.get("handler"))
        svc.incident_accept(actor=user, incident=incident, note=data["note"], handler=handler)
    elif action == "void":
        original = None
        if data.get("duplicate_of"):
            original = sel.visible(user).filter(number=data["duplicate_of"].strip()).first()
            if original is None:
                raise ActionError(
                    _("没有编号为 %(n)s 的事件。") % {"n": data["duplicate_of"]},
                    code="invalid_duplicate",
                    fields={"duplicate_of": _("事件不存在。")},
                )
        svc.incident_void(
            actor=user,
            incident=incident,
            reason=data["reason"],
            note=data["note"],
            duplicate_of=original,
        )
    elif action == "assign":
        svc.incident_start_handling(
            actor=user, incident=incident, handler=_pick(handlers, data.get("handler"))
        )
    elif action == "take":
        svc.incident_start_handling(actor=user, incident=incident, handler=user)
    elif action == "reassign":
        svc.incident_reassign(
            actor=user, incident=incident, handler=_pick(handlers, data.get("handler"))
        )
    elif action == "report_result":
        svc.incident_report_result(
            actor=user, incident=incident, note=data["note"], photo_files=photos_
        )
    elif action == "close":
        svc.incident_close(
            actor=user,
            incident=incident,
            outcome=data["outcome"],
            outcome_reason=data["outcome_reason"],
            note=data["note"],
            photo_files=photos_,
        )
    elif action == "send_back":
        svc.incident_send_back(
            actor=user, incident=incident, reason=data["reason"], photo_files=photos_
        )
    elif action == "hold":
        svc.incident_hold(
            actor=user, incident=incident, reason=data["reason"], review_on=data["review_on"]
        )
    elif action == "resume":
        svc.incident_resume(actor=user, incident=incident, note=data["note"])
    elif action == "request_extension":
        svc.extension_request(
            actor=user, incident=incident, amount=data["amount"], reason=data["reason"]
        )
    elif action == "decide_extension":
        pending = incident.extensions.filter(status=IncidentExtension.Status.PENDING).first()
        if pending is None:
            raise ActionError(_("没有待审批的延期申请。"), code="no_pending_extension")
        svc.extension_decide(
            actor=user, extension=pending, approve=data["approve"] == "1", note=data["note"]
        )
    elif action == "merge":
        into = sel.visible(user).filter(number=data["into"].strip()).first()
        if into is None:
            raise ActionError(
                _("没有编号为 %(n)s 的事件。") % {"n": data["into"]},
                code="invalid_duplicate",
                fields={"into": _("事件不存在。")},
            )
        svc.incident_merge(actor=user, incident=incident, into=into, note=data["note"])
    else:
        raise Http404


def _pick(handlers, pk) -> User | None:
    if not pk:
        return None
    for person in handlers:
        if str(person.pk) == str(pk):
            return person
    raise ActionError(
        _("处置人须为本网格的网格长或网格员。"),
        code="handler_not_in_grid",
        fields={"handler": _("请从列表中选择。")},
    )


FORM_CLASSES = {
    "verify": f.VerifyForm,
    "accept": f.AcceptForm,
    "void": f.VoidForm,
    "assign": f.HandlerForm,
    "reassign": f.HandlerForm,
    "report_result": f.ResultForm,
    "close": f.CloseForm,
    "send_back": f.ReasonForm,
    "hold": f.HoldForm,
    "resume": f.NoteForm,
    "request_extension": f.ExtensionForm,
    "decide_extension": f.ExtensionDecisionForm,
    "merge": f.MergeForm,
    "take": None,
}
DONE = {
    "verify": _("已核实。"),
    "accept": _("已受理。"),
    "void": _("已作废。"),
    "assign": _("已指派处置人。"),
    "take": _("已承接，请尽快处置。"),
    "reassign": _("已改派处置人。"),
    "report_result": _("处置结果已反馈，等待核查结案。"),
    "close": _("已结案。"),
    "send_back": _("已退回处置人。"),
    "hold": _("已挂账。"),
    "resume": _("已恢复办理。"),
    "request_extension": _("延期申请已提交。"),
    "decide_extension": _("已审批延期申请。"),
    "merge": _("已合并。"),
}


@require_POST
@role_required(*STAFF)
def incident_action(request, number: str, action: str):
    if action not in FORM_CLASSES:
        raise Http404
    incident = incident_or_404(request, number)
    # The state the page showed: a change since then is a lost race (409 → a message).
    seen = request.POST.get("seen_state", incident.state)
    handlers = _handlers(incident) if action in ("accept", "assign", "reassign") else []
    form_class = FORM_CLASSES[action]
    form = None
    if form_class is not None:
        kwargs = {"prefix": action}
        if form_class in (f.AcceptForm, f.HandlerForm):
            kwargs["handlers"] = handlers
        form = form_class(request.POST, request.FILES, **kwargs)
    try:
        if seen != incident.state:
            raise Conflict(
                _("该事件已被他人处理（当前状态：%(state)s），请查看最新情况。")
                % {"state": incident.get_state_display()},
                code="state_changed",
            )
        if form is not None and not form.is_valid():
            raise ActionError(_("请按提示修改后再提交。"), code="invalid")
        _run(action, form, request, incident, handlers)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("grid:incident-detail", number)
    except ActionError as error:
        if form is not None and error.code != "invalid":
            form.add_service_error(error)
        messages.error(request, error.message)
        incident = _clocked(incident_or_404(request, number))
        actions = sel.available_actions(request.user, incident)
        handlers = _handlers(incident)
        context = {
            "incident": incident,
            "actions": actions,
            "reporter": _reporter_for(request.user, incident),
            "photos_by_stage": _photos(incident),
            "handlers": handlers,
            "forms": _action_forms(incident, actions, handlers, {action: form} if form else {}),
            "open_action": action,
            "pending_extension": incident.extensions.filter(status="pending").first(),
            "is_centre": scope.is_centre(request.user),
        }
        return render_map_page(request, "grid/incidents/detail.html", context, status=400)
    messages.success(request, DONE[action])
    if sel.get_visible(request.user, number) is None:
        return redirect("grid:my-grid")
    return redirect("grid:incident-detail", number)


def incident_photo(request, number: str, photo_id: int):
    """A photo of an incident the person may see: the EXIF-free thumbnail, or with
    ?original=1 the original (evidence) for staff. Every read is audited."""
    if not request.user.is_authenticated:
        raise Http404
    incident = sel.visible(request.user).filter(number=number).first()
    if incident is None:
        raise Http404
    link = (
        IncidentPhoto.objects.filter(incident=incident, photo_id=photo_id)
        .select_related("photo")
        .first()
    )
    if link is None:
        raise Http404
    try:
        if request.GET.get("original") == "1":
            if not (
                scope.is_centre(request.user) or scope.is_in_grid(request.user, incident.grid_id)
            ):
                raise Http404
            return photos.original_response(link.photo, actor=request.user, obj=incident)
        return photos.thumbnail_response(link.photo, actor=request.user, obj=incident)
    except photos.PhotoMissing:
        raise Http404 from None


# --- the grid head's board -----------------------------------------------------------------------


@role_required(roles.GRID_HEAD, *CENTRE)
def board(request):
    """Per grid: open incidents by state and by clock, with the late ones named."""
    now = timezone.now()
    grids = None if scope.is_centre(request.user) else scope.grid_ids(request.user)
    rows = sel.board(grids, now=now)
    late = list(
        Incident.objects.filter(state__in=OPEN_STATES, due_at__lt=now)
        .filter(**({} if grids is None else {"grid_id__in": grids}))
        .select_related("category", "grid", "handler")
        .order_by("due_at")[:30]
    )
    return render(request, "grid/incidents/board.html", {"rows": rows, "late": late, "now": now})


# --- the supervisors' list ---------------------------------------------------------------------


def _filters(form: f.SearchForm) -> sel.Filters:
    data = form.cleaned_data if form.is_valid() else {}

    def moment(day, end=False):
        if not day:
            return None
        value = datetime.combine(day, time.min)
        aware = timezone.make_aware(value)
        return aware + timezone.timedelta(days=1) if end else aware

    return sel.Filters(
        category=data.get("category") or "",
        village=data.get("village"),
        grid=data.get("grid"),
        state=data.get("state") or "",
        clock=data.get("clock") or "",
        outcome=data.get("outcome") or "",
        source=data.get("source") or "",
        date_from=moment(data.get("date_from")),
        date_to=moment(data.get("date_to"), end=True),
        q=data.get("q") or "",
    )


@role_required(*CENTRE, roles.GRID_HEAD)
def supervise(request):
    form = f.SearchForm(request.GET or None)
    filters = _filters(form)
    qs = sel.search(request.user, filters)
    rows, cursor = sel.page(qs, after=request.GET.get("after", ""), size=LIST_SIZE)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "grid/incidents/supervise.html",
        {
            "form": form,
            "rows": rows,
            "cursor": cursor,
            "query": query.urlencode(),
            "figures": sel.figures(qs) if request.GET.get("figures") != "0" else None,
        },
    )


EXPORT_HEADER = [
    "事件编号",
    "来源",
    "热线工单号",
    "大类",
    "小类",
    "紧急程度",
    "村（社区）",
    "网格",
    "地址",
    "情况描述",
    "上报时间",
    "状态",
    "当前期限",
    "时限状态",
    "处置人",
    "办理结果",
    "结果说明",
    "结案时间",
    "按期办结",
    "处置评分",
]


@role_required(*CENTRE, roles.GRID_HEAD)
def supervise_export(request):
    form = f.SearchForm(request.GET or None)
    qs = sel.search(request.user, _filters(form)).order_by("-reported_at", "-id")
    from django.conf import settings

    limit = settings.ONEWINDOW.get("DASHBOARD_EXPORT_MAX_ROWS", 50000)
    clock_labels = dict(ClockStatus.choices)

    def rows():
        for i in qs[:limit].iterator(chunk_size=2000):
            yield [
                i.number,
                i.get_source_display(),
                i.external_number,
                i.category.branch.name,
                i.category.name,
                i.get_urgency_display(),
                i.village.name if i.village_id else "",
                i.grid.name if i.grid_id else "",
                i.address,
                i.description,
                i.reported_at,
                i.get_state_display(),
                i.due_at,
                str(clock_labels.get(i.clock_status, "")),
                i.handler.display_name if i.handler_id else "",
                i.get_outcome_display(),
                i.outcome_reason,
                i.closed_at,
                "" if i.on_time is None else ("是" if i.on_time else "否"),
                i.handling_score if i.handling_score is not None else "",
            ]

    book = xlsx.XlsxBook()
    book.sheet("事件", EXPORT_HEADER, rows())
    response = HttpResponse(content_type=xlsx.CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="incidents-{stamp}.xlsx"'
    book.save(response)
    from portal import audit

    audit.record(
        actor=request.user, action="incident.export", after={"query": request.GET.urlencode()}
    )
    return response


__all__ = ["State"]
