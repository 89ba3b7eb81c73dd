"""Patrol pages for the phone (start, walk, findings with photos, finish), a patrol's record,
the photo stream, and the compliance table for heads and supervisors.

Every form carries a UUID made when the page was drawn (or by the phone's script): sending it
twice — a double tap, a resend after the signal came back — finds the first one."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grid.models import Finding, FindingPhoto, Patrol
from grid.selectors import patrols as sel
from grid.selectors.scope import scope_for
from grid.services import patrols as services
from portal import photos as evidence
from portal import roles
from portal.access import role_required
from portal.errors import ActionError
from portal.models import Area, AreaKind

patrol_required = role_required(roles.GRID_MEMBER, roles.GRID_HEAD)
compliance_required = role_required(roles.GRID_HEAD, roles.SUPERVISOR)
record_required = role_required(
    roles.GRID_MEMBER, roles.GRID_HEAD, roles.SUPERVISOR, roles.DISPATCHER
)


class StartForm(forms.Form):
    public_id = forms.UUIDField(widget=forms.HiddenInput)
    area = forms.ModelChoiceField(
        label=gettext_lazy("巡查网格"), queryset=Area.objects.none(), to_field_name="code"
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = services.patrol_areas(member)
        self.fields["area"].empty_label = None


class FindingForm(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label=gettext_lazy("类别"), choices=Finding.Category.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=gettext_lazy("情况描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False)


class FinishForm(forms.Form):
    households_visited = forms.IntegerField(
        label=gettext_lazy("本次走访户数"), min_value=0, max_value=1000, initial=0
    )
    note = forms.CharField(
        label=gettext_lazy("巡查情况"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


def _home_context(request, **given) -> dict:
    member = request.user
    walking = sel.walking_patrol(member)
    area_code = request.GET.get("area", "")
    areas = services.patrol_areas(member)
    if not areas.filter(code=area_code).exists():
        area_code = ""
    context = {
        "walking": walking,
        "recent": sel.patrols_of(member, limit=10),
        "start_form": given.get("start_form")
        or StartForm(member=member, initial={"public_id": uuid.uuid4(), "area": area_code or None}),
        "finding_form": given.get("finding_form")
        or FindingForm(initial={"public_id": uuid.uuid4()}),
        "finish_form": given.get("finish_form") or FinishForm(),
        "areas": areas,
    }
    if walking:
        context["findings"] = walking.findings.prefetch_related("photos")
        context["track_url"] = reverse("grid:patrol-track", args=[walking.public_id])
    return context


@patrol_required
def patrol_home(request):
    return render(request, "grid/patrols/home.html", _home_context(request))


def _errors(form, exc: ActionError):
    """Put the service's field errors on the form; those of fields the form does not have
    (the photos) go on top, so every problem shows at once."""
    placed = False
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
        placed = True
    if not placed:
        form.add_error(None, exc.message)


@patrol_required
@require_POST
def patrol_start(request):
    form = StartForm(request.POST, member=request.user)
    status = 400
    if form.is_valid():
        try:
            patrol, created = services.patrol_start(
                member=request.user,
                area=form.cleaned_data["area"],
                public_id=form.cleaned_data["public_id"],
            )
        except ActionError as exc:
            _errors(form, exc)
            status = exc.status_code
        else:
            if created:
                messages.success(request, _("巡查已开始。页面打开期间会记录您的位置。"))
            return redirect("grid:patrol-home")
    return render(
        request, "grid/patrols/home.html", _home_context(request, start_form=form), status=status
    )


def _own(request, public_id) -> Patrol:
    patrol = (
        Patrol.objects.select_related("area")
        .filter(public_id=public_id, member=request.user)
        .first()
    )
    if patrol is None:
        raise Http404
    return patrol


@patrol_required
@require_POST
def patrol_track(request, public_id):
    """Positions from the phone's script: {"points": [{lat, lng, accuracy, at}, ...]}."""
    patrol = _own(request, public_id)
    try:
        points = json.loads(request.body or b"{}").get("points", [])
    except (ValueError, AttributeError):
        return JsonResponse(
            {"code": "invalid", "message": _("位置数据格式无效。"), "fields": {}}, status=400
        )
    try:
        patrol = services.patrol_track(member=request.user, patrol=patrol, points=points)
    except ActionError as exc:
        return JsonResponse(
            {"code": exc.code, "message": exc.message, "fields": exc.fields}, status=exc.status_code
        )
    return JsonResponse(
        {"points": len(patrol.track), "distance_m": patrol.distance_m, "status": patrol.status}
    )


@patrol_required
@require_POST
def patrol_finding(request, public_id):
    patrol = _own(request, public_id)
    form = FindingForm(request.POST)
    photos = request.FILES.getlist("photos")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            _finding, created = services.finding_add(
                member=request.user,
                patrol=patrol,
                public_id=data["client_uuid"],
                category=data["category"],
                description=data["description"],
                lat=data["lat"],
                lng=data["lng"],
                photos=photos,
            )
        except ActionError as exc:
            _errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("已记录发现。") if created else _("这条发现已经记录过。"))
            return redirect("grid:patrol-home")
    return render(
        request, "grid/patrols/home.html", _home_context(request, finding_form=form), status=status
    )


@patrol_required
@require_POST
def patrol_finish(request, public_id):
    patrol = _own(request, public_id)
    form = FinishForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.patrol_finish(member=request.user, patrol=patrol, **form.cleaned_data)
        except ActionError as exc:
            _errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("巡查已结束。"))
            return redirect("grid:patrol-detail", public_id=patrol.public_id)
    return render(
        request, "grid/patrols/home.html", _home_context(request, finish_form=form), status=status
    )


def _visible_patrols(user):
    """Members see their own patrols, heads also those in the grids they head, supervisors and
    dispatchers all."""
    qs = Patrol.objects.select_related("area", "member")
    if user.is_superuser or user.has_role(roles.SUPERVISOR, roles.DISPATCHER):
        return qs
    if user.has_role(roles.GRID_HEAD):
        head_grids = scope_for(user).grids
        return qs.filter(Q(member=user) | Q(area_id__in=head_grids))
    return qs.filter(member=user)


@record_required
def patrol_detail(request, public_id):
    patrol = _visible_patrols(request.user).filter(public_id=public_id).first()
    if patrol is None:
        raise Http404
    return render(
        request,
        "grid/patrols/detail.html",
        {
            "patrol": patrol,
            "findings": patrol.findings.prefetch_related("photos").select_related("micro_grid"),
            "track": [[p[1], p[0]] for p in patrol.track],
            "boundary": patrol.area.boundary,
        },
    )


@record_required
def finding_photo(request, pk):
    """A finding's photo (the EXIF-free thumbnail), for those who may see the patrol."""
    link = FindingPhoto.objects.select_related("finding", "photo").filter(pk=pk).first()
    if (
        link is None
        or not _visible_patrols(request.user).filter(pk=link.finding.patrol_id).exists()
    ):
        raise Http404
    try:
        return evidence.thumbnail_response(link.photo, actor=request.user, obj=link.finding)
    except evidence.PhotoMissing:
        raise Http404 from None


# --- compliance --------------------------------------------------------------------------


def _week(request) -> date:
    raw = request.GET.get("week", "")
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@compliance_required
def compliance(request):
    day = _week(request)
    user = request.user
    if user.is_superuser or user.has_role(roles.SUPERVISOR):
        areas = Area.objects.filter(kind__in=(AreaKind.GRID, AreaKind.SPECIAL_GRID))
        village = request.GET.get("village", "")
        if village:
            areas = areas.filter(Q(village__code=village) | Q(parent__code=village))
        villages = Area.objects.active().villages().order_by("code")
    else:
        areas = Area.objects.filter(pk__in=scope_for(user).grids)
        village, villages = "", []
    result = sel.compliance(day=day, areas=areas)
    only = request.GET.get("only", "")
    rows = [r for r in result.rows if not r.ok] if only == "missing" else result.rows
    return render(
        request,
        "grid/patrols/compliance.html",
        {
            "result": result,
            "rows": rows,
            "day": day,
            "previous": result.week_start - timedelta(days=7),
            "next": result.week_start + timedelta(days=7),
            "villages": villages,
            "village": village,
            "only": only,
        },
    )
