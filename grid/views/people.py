"""Grid people pages: who is responsible where (today or on any past date), each area's team
and history, and changes with an effective date (replace a head, add or end a member, a
contact). Heads manage their own grids; supervisors and register administrators everything;
dispatchers read."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grid.models import Assignment, AssignmentRole, DutyStandard, Employment
from grid.selectors import people as sel
from grid.selectors.scope import scope_for
from grid.services import patrols as patrol_services
from grid.services import people as services
from portal import roles
from portal.access import role_required
from portal.errors import ActionError
from portal.models import Area, AreaKind, User

PEOPLE_ROLES = (roles.GRID_HEAD, roles.SUPERVISOR, roles.REGISTER_ADMIN, roles.DISPATCHER)
people_required = role_required(*PEOPLE_ROLES)
ALL_AREAS_ROLES = (roles.SUPERVISOR, roles.REGISTER_ADMIN, roles.DISPATCHER)


def _visible(user):
    """Grids and special grids the person may look at here."""
    qs = Area.objects.filter(kind__in=(AreaKind.GRID, AreaKind.SPECIAL_GRID))
    if user.is_superuser or user.has_role(*ALL_AREAS_ROLES):
        return qs
    scope = scope_for(user)
    return qs.filter(pk__in=scope.grids)


def _area_or_404(user, code) -> Area:
    area = Area.objects.select_related("parent", "village").filter(code=code).first()
    if area is None:
        raise Http404
    grid = area.parent if area.kind == AreaKind.MICRO_GRID else area
    if area.kind in (AreaKind.VILLAGE, AreaKind.COMMUNITY):
        if not (user.is_superuser or user.has_role(*ALL_AREAS_ROLES)):
            raise Http404
    elif not _visible(user).filter(pk=grid.pk).exists():
        raise Http404
    return area


def _day(request) -> date:
    raw = request.GET.get("on", "")
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@people_required
def people(request):
    day = _day(request)
    areas = _visible(request.user).active(day).select_related("parent").order_by("code")
    village = request.GET.get("village", "")
    if village:
        areas = areas.filter(Q(village__code=village) | Q(parent__code=village))
    query = request.GET.get("q", "").strip()
    if query:
        matching = Assignment.objects.on(day).filter(
            Q(user__real_name__icontains=query) | Q(user__username__icontains=query)
        )
        areas = areas.filter(
            Q(name__icontains=query)
            | Q(code__icontains=query)
            | Q(pk__in=matching.values("area_id"))
        )
    page = Paginator(areas, 30).get_page(request.GET.get("page"))
    teams = sel.teams(list(page.object_list), day)
    rows = [(area, teams[area.pk]) for area in page.object_list]
    villages = (
        Area.objects.active(day).villages().order_by("code")
        if request.user.has_role(*ALL_AREAS_ROLES) or request.user.is_superuser
        else []
    )
    return render(
        request,
        "grid/people/list.html",
        {
            "rows": rows,
            "page": page,
            "day": day,
            "villages": villages,
            "village": village,
            "q": query,
        },
    )


def _candidates(role: str):
    wanted = (
        (roles.GRID_HEAD,) if role == AssignmentRole.HEAD else (roles.GRID_MEMBER, roles.GRID_HEAD)
    )
    if role == AssignmentRole.VILLAGE_STAFF:
        wanted = (roles.PROXY_AGENT, roles.GRID_HEAD, roles.GRID_MEMBER)
    return (
        User.objects.filter(groups__name__in=wanted, is_active=True)
        .distinct()
        .order_by("real_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.username}）"


class AssignForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("职责"), choices=AssignmentRole.choices)
    user = UserChoiceField(label=gettext_lazy("人员"), queryset=User.objects.none(), required=False)
    person_name = forms.CharField(
        label=gettext_lazy("姓名（无账号的联络员）"), max_length=64, required=False
    )
    person_mobile = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    employment = forms.ChoiceField(
        label=gettext_lazy("专兼职"), choices=[("", "—"), *Employment.choices], required=False
    )
    on = forms.DateField(
        label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args, area: Area, **kwargs):
        super().__init__(*args, **kwargs)
        if area.kind == AreaKind.MICRO_GRID:
            allowed = [AssignmentRole.CONTACT]
        elif area.kind in (AreaKind.VILLAGE, AreaKind.COMMUNITY):
            allowed = [AssignmentRole.VILLAGE_STAFF]
        else:
            allowed = [AssignmentRole.MEMBER, AssignmentRole.HEAD, AssignmentRole.INSTRUCTOR]
        self.fields["role"].choices = [(r, AssignmentRole(r).label) for r in allowed]
        role = self.data.get("role") or allowed[0]
        self.fields["user"].queryset = (
            _candidates(role) if role in AssignmentRole.values else User.objects.none()
        )


class EndForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(
        label=gettext_lazy("结束日期（当日起不再负责）"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=gettext_lazy("结束原因"), max_length=200)


class StandardForm(forms.Form):
    patrols_per_week = forms.IntegerField(
        label=gettext_lazy("每周巡查次数"), min_value=0, max_value=50
    )
    visits_per_month = forms.IntegerField(
        label=gettext_lazy("每月走访户数"), min_value=0, max_value=5000
    )


def _micro_rows(area: Area, day: date) -> list:
    if area.kind != AreaKind.GRID:
        return []
    micros = list(Area.objects.active(day).filter(parent=area).order_by("code"))
    teams = sel.teams(micros, day)
    return [(m, teams[m.pk]) for m in micros]


def _area_context(request, area: Area, **given) -> dict:
    day = _day(request)
    today = timezone.localdate()
    team = sel.responsible_on(area, day)
    standard = DutyStandard.objects.filter(area=area).first()
    can_manage = services.can_manage(request.user, area)
    return {
        "area": area,
        "team": team,
        "day": day,
        "is_today": day == today,
        "history": sel.history(area),
        "micro_rows": _micro_rows(area, day),
        "can_manage": can_manage,
        "assign_form": given.get("assign_form") or AssignForm(area=area, initial={"on": today}),
        "end_form": given.get("end_form") or EndForm(initial={"on": today}),
        "standard_form": given.get("standard_form")
        or StandardForm(
            initial={
                "patrols_per_week": standard.patrols_per_week if standard else "",
                "visits_per_month": standard.visits_per_month if standard else "",
            }
        ),
        "standard": standard,
        "show_standard": area.kind in (AreaKind.GRID, AreaKind.SPECIAL_GRID),
    }


@people_required
def people_area(request, code):
    area = _area_or_404(request.user, code)
    return render(request, "grid/people/area.html", _area_context(request, area))


def _errors(form, exc: ActionError):
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@people_required
@require_POST
def people_assign(request, code):
    area = _area_or_404(request.user, code)
    form = AssignForm(request.POST, area=area)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        replace = data["role"] in (AssignmentRole.HEAD, AssignmentRole.INSTRUCTOR)
        try:
            services.assignment_start(
                actor=request.user,
                area=area,
                role=data["role"],
                user=data["user"],
                person_name=data["person_name"],
                person_mobile=data["person_mobile"],
                employment=data["employment"],
                on=data["on"],
                note=data["note"],
                replace=replace,
            )
        except ActionError as exc:
            _errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("已保存，自 %(d)s 起生效。") % {"d": data["on"]})
            return redirect("grid:people-area", code=area.code)
    return render(
        request,
        "grid/people/area.html",
        _area_context(request, area, assign_form=form),
        status=status,
    )


@people_required
@require_POST
def people_end(request, code):
    area = _area_or_404(request.user, code)
    form = EndForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        assignment = Assignment.objects.filter(
            pk=data["assignment"], area__in=Area.objects.within(area)
        ).first()
        if assignment is None:
            raise Http404
        try:
            services.assignment_end(
                actor=request.user, assignment=assignment, on=data["on"], note=data["note"]
            )
        except ActionError as exc:
            _errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("已结束，自 %(d)s 起不再负责。") % {"d": data["on"]})
            return redirect("grid:people-area", code=area.code)
    return render(
        request, "grid/people/area.html", _area_context(request, area, end_form=form), status=status
    )


@people_required
@require_POST
def people_standard(request, code):
    area = _area_or_404(request.user, code)
    form = StandardForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            patrol_services.duty_standard_set(actor=request.user, area=area, **form.cleaned_data)
        except ActionError as exc:
            _errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("巡查标准已保存。"))
            return redirect("grid:people-area", code=area.code)
    return render(
        request,
        "grid/people/area.html",
        _area_context(request, area, standard_form=form),
        status=status,
    )
