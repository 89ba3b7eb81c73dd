"""Resident pages (phone first): report a problem (随手拍), my reports with their status in
plain words, the outcome, reopen and rating; and the rating link a resident or hotline caller
gets in the closing message (no log-in needed: the link is signed)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grid.models import Incident, IncidentRating
from grid.models.incidents import State
from grid.selectors import incidents as sel
from grid.services import incidents as svc
from grid.views import forms as f
from grid.views.incidents import _report_page
from portal import roles
from portal.access import role_required
from portal.errors import ActionError

PAGE = 20


@role_required(roles.CITIZEN)
def report(request):
    return _report_page(request, resident=True)


@role_required(roles.CITIZEN)
def my_reports(request):
    rows = list(sel.my_reports(request.user)[:100])
    for incident in rows:
        incident.plain = sel.plain_status(incident)
    return render(request, "grid/resident/my_reports.html", {"rows": rows})


def _mine(request, number: str) -> Incident:
    incident = sel.my_reports(request.user).filter(number=number).first()
    if incident is None:
        raise Http404
    return sel.get_visible(request.user, number) or incident


@role_required(roles.CITIZEN, roles.GRID_MEMBER, roles.GRID_HEAD)
def my_report(request, number: str):
    incident = _mine(request, number)
    now = timezone.now()
    rated = incident.ratings.filter(user=request.user).first()
    context = {
        "incident": incident,
        "plain": sel.plain_status(incident),
        "can_reopen": sel.can_reopen(incident, now),
        "can_rate": incident.state == State.CLOSED and rated is None,
        "rated": rated,
        "reopen_form": f.ReasonForm(prefix="reopen"),
        "rate_form": f.RateForm(prefix="rate"),
        "photos": [p for p in incident.photos.all()],
        "steps": _public_steps(incident),
    }
    return render(request, "grid/resident/my_report.html", context)


def _public_steps(incident: Incident) -> list[dict]:
    """The timeline a resident sees: when, what — never who."""
    labels = {
        "report": _("已上报"),
        "verify": _("网格员已核实"),
        "accept": _("已受理"),
        "start_handling": _("网格开始处置"),
        "reassign": _("更换处置人"),
        "dispatch": _("已派遣至相关部门"),
        "dispatch_done": _("部门已办理"),
        "report_result": _("处置完成，等待核查"),
        "send_back": _("核查未通过，继续处置"),
        "close": _("已办结"),
        "reopen": _("已重新打开"),
        "hold": _("暂时挂起"),
        "resume": _("恢复办理"),
        "void": _("未受理"),
        "merge": _("与其他事件合并"),
        "join": _("有其他群众反映同一问题"),
    }
    return [
        {"at": step.at, "label": labels[step.action]}
        for step in incident.history.all()
        if step.action in labels
    ]


@require_POST
@role_required(roles.CITIZEN, roles.GRID_MEMBER, roles.GRID_HEAD)
def reopen(request, number: str):
    incident = _mine(request, number)
    form = f.ReasonForm(request.POST, request.FILES, prefix="reopen")
    if not form.is_valid():
        messages.error(request, _("请填写重新打开的理由。"))
        return redirect("grid:my-report", number)
    try:
        svc.incident_reopen(
            actor=request.user,
            incident=incident,
            reason=form.cleaned_data["reason"],
            photo_files=form.cleaned_data.get("photos") or [],
        )
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已重新打开，我们会继续处理。"))
    return redirect("grid:my-report", number)


@require_POST
@role_required(roles.CITIZEN, roles.GRID_MEMBER, roles.GRID_HEAD)
def rate(request, number: str):
    incident = _mine(request, number)
    form = f.RateForm(request.POST, prefix="rate")
    if not form.is_valid():
        messages.error(request, _("请选择评分。"))
        return redirect("grid:my-report", number)
    try:
        svc.incident_rate(
            incident=incident,
            actor=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            rater=IncidentRating.Rater.REPORTER
            if incident.reporter_id == request.user.pk
            else IncidentRating.Rater.FOLLOWER,
        )
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("感谢您的评价。"))
    return redirect("grid:my-report", number)


@require_http_methods(["GET", "POST"])
def rate_by_link(request, token: str):
    """The signed link in the closing message: a resident or a hotline caller rates 1–5."""
    data = svc.read_rating_token(token)
    incident = Incident.objects.filter(pk=(data or {}).get("i")).select_related("category").first()
    if data is None or incident is None:
        return render(request, "grid/resident/rate_link.html", {"invalid": True}, status=404)
    rater = data.get("r") or IncidentRating.Rater.CALLER
    user = None
    if data.get("u"):
        from portal.models import User

        user = User.objects.filter(pk=data["u"], is_active=True).first()
        if user is None:
            raise Http404
    done = (
        incident.ratings.filter(user=user).exists()
        if user
        else incident.ratings.filter(rater=IncidentRating.Rater.CALLER).exists()
    )
    form = f.RateForm(request.POST or None)
    if request.method == "POST" and not done and form.is_valid():
        try:
            svc.incident_rate(
                incident=incident,
                actor=user,
                rater=rater if user else IncidentRating.Rater.CALLER,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ActionError as error:
            form.add_service_error(error)
        else:
            done = True
            messages.success(request, _("感谢您的评价。"))
    return render(
        request,
        "grid/resident/rate_link.html",
        {
            "incident": incident,
            "form": form,
            "done": done,
            "plain": sel.plain_status(incident),
        },
    )
