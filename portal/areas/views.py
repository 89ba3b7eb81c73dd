"""Pages of the map's register: the list of areas, an area with its history (edit name and
figures, close, split, merge), boundary import with preview, and export. Register
administrators change; supervisors and dispatchers read."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import roles
from portal.access import role_required
from portal.areas import cards, formats, imports, services
from portal.errors import ActionError, Conflict
from portal.models import Area, AreaChange, AreaImport, AreaKind, SpecialKind

ADMIN = (roles.REGISTER_ADMIN,)
READERS = (roles.REGISTER_ADMIN, roles.SUPERVISOR, roles.DISPATCHER)
admin_required = role_required(*ADMIN)
reader_required = role_required(*READERS)


def can_change(user) -> bool:
    return user.is_superuser or user.has_role(*ADMIN)


def _area(code: str) -> Area:
    area = Area.objects.select_related("parent", "village").filter(code=code).first()
    if area is None:
        raise Http404
    return area


def _apply_errors(form: forms.Form, exc: ActionError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)


# --- list and detail -----------------------------------------------------------------------


@reader_required
def area_list(request):
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    show = request.GET.get("show", "active")
    qs = Area.objects.select_related("parent").order_by("code")
    if show != "all":
        qs = qs.active()
    if kind in AreaKind.values:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(name__icontains=query))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/areas/list.html",
        {
            "page": page,
            "kinds": AreaKind.choices,
            "kind": kind,
            "q": query,
            "show": show,
            "can_change": can_change(request.user),
            "counts": {
                label: Area.objects.active().filter(kind=value).count()
                for value, label in AreaKind.choices
                if value != AreaKind.TOWN
            },
        },
    )


class EditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    households = forms.IntegerField(label=gettext_lazy("户数"), min_value=0)
    residents = forms.IntegerField(label=gettext_lazy("人口"), min_value=0)
    enterprises = forms.IntegerField(label=gettext_lazy("企业数"), min_value=0)
    special_kind = forms.ChoiceField(
        label=gettext_lazy("专属网格类型"), choices=SpecialKind.choices, required=False
    )
    effective_on = forms.DateField(
        label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("停用日期（当日起不再有效）"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=gettext_lazy("停用原因"), max_length=500)
    with_children = forms.BooleanField(label=gettext_lazy("下级区域一并停用"), required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy("我确认停用该区域"),
        error_messages={"required": gettext_lazy("停用需要确认。")},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class MergeForm(forms.Form):
    others = forms.CharField(
        label=gettext_lazy("与哪些同级区域合并（编码，逗号分隔）"), max_length=500
    )
    code = forms.CharField(label=gettext_lazy("合并后的编码"), max_length=40)
    name = forms.CharField(label=gettext_lazy("合并后的名称"), max_length=100)
    on = forms.DateField(
        label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("原因"), max_length=500)


class SplitForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("拆分后的区域（GeoJSON，每个要素带 code、name）"),
    )
    on = forms.DateField(
        label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("原因"), max_length=500)


def _detail_context(request, area: Area, **forms_given) -> dict:
    today = timezone.localdate()
    initial = {
        "name": area.name,
        "households": area.households,
        "residents": area.residents,
        "enterprises": area.enterprises,
        "special_kind": area.special_kind,
        "effective_on": today,
        "revision": area.revision,
    }
    return {
        "area": area,
        "children": Area.objects.active().filter(parent=area).order_by("code"),
        "history": AreaChange.objects.filter(area=area)
        .select_related("actor")
        .order_by("-at", "-id"),
        "predecessors": area.predecessors.all(),
        "successors": area.successors.all(),
        "edit_form": forms_given.get("edit_form") or EditForm(initial=initial),
        "close_form": forms_given.get("close_form")
        or CloseForm(initial={"on": today, "revision": area.revision}),
        "merge_form": forms_given.get("merge_form") or MergeForm(initial={"on": today}),
        "split_form": forms_given.get("split_form") or SplitForm(initial={"on": today}),
        "can_change": can_change(request.user) and area.is_active(),
        "sections": cards.sections(area, request.user),
    }


@reader_required
def area_detail(request, code):
    area = _area(code)
    return render(request, "portal/areas/detail.html", _detail_context(request, area))


@admin_required
@require_POST
def area_edit(request, code):
    area = _area(code)
    form = EditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in ("name", "households", "residents", "enterprises")}
        if area.kind == AreaKind.SPECIAL_GRID:
            changes["special_kind"] = data["special_kind"] or SpecialKind.OTHER
        try:
            services.area_update(
                actor=request.user,
                area=area,
                changes=changes,
                effective_on=data["effective_on"],
                expected_revision=data["revision"],
            )
        except ActionError as exc:
            _apply_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("已保存。"))
            return redirect("areas:detail", code=area.code)
    else:
        status = 400
    return render(
        request,
        "portal/areas/detail.html",
        _detail_context(request, area, edit_form=form),
        status=status,
    )


@admin_required
@require_POST
def area_close(request, code):
    area = _area(code)
    form = CloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            closed = services.area_close(
                actor=request.user,
                area=area,
                on=data["on"],
                note=data["note"],
                with_children=data["with_children"],
                expected_revision=data["revision"],
            )
        except ActionError as exc:
            _apply_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(
                request,
                _("已停用 %(n)s 个区域，自 %(d)s 起。") % {"n": len(closed), "d": data["on"]},
            )
            return redirect("areas:detail", code=area.code)
    else:
        status = 400
    return render(
        request,
        "portal/areas/detail.html",
        _detail_context(request, area, close_form=form),
        status=status,
    )


@admin_required
@require_POST
def area_merge(request, code):
    area = _area(code)
    form = MergeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        codes = [c.strip() for c in data["others"].replace("，", ",").split(",") if c.strip()]
        others = list(Area.objects.filter(code__in=codes))
        missing = set(codes) - {a.code for a in others}
        if missing:
            form.add_error("others", _("没有这些编码：%(c)s") % {"c": "、".join(sorted(missing))})
            status = 400
        else:
            try:
                merged = services.area_merge(
                    actor=request.user,
                    areas=[area, *others],
                    on=data["on"],
                    into={"code": data["code"].strip(), "name": data["name"].strip()},
                    note=data["note"],
                )
            except ActionError as exc:
                _apply_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("已合并为 %(name)s。") % {"name": merged.name})
                return redirect("areas:detail", code=merged.code)
    else:
        status = 400
    return render(
        request,
        "portal/areas/detail.html",
        _detail_context(request, area, merge_form=form),
        status=status,
    )


@admin_required
@require_POST
def area_split(request, code):
    area = _area(code)
    form = SplitForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        read = formats.read(upload.read(), upload.name)
        parts = [
            {"code": f.code, "name": f.name, "boundary": f.geometry, **f.figures}
            for f in read.features
        ]
        if read.problems or not parts:
            form.add_error("file", "；".join(read.problems) or _("文件里没有区域。"))
            status = 400
        else:
            try:
                created = services.area_split(
                    actor=request.user, area=area, on=data["on"], parts=parts, note=data["note"]
                )
            except ActionError as exc:
                _apply_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("已拆分为：%(names)s。") % {"names": "、".join(a.name for a in created)},
                )
                return redirect("areas:detail", code=area.code)
    else:
        status = 400
    return render(
        request,
        "portal/areas/detail.html",
        _detail_context(request, area, split_form=form),
        status=status,
    )


# --- import and export ---------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("边界文件"),
        help_text=gettext_lazy(
            "GeoJSON、KML/KMZ，或 zip 压缩的 shapefile（含 .shp .shx .dbf，最好有 .prj 和 .cpg）。"
            "每个要素带 code、name、kind、parent 属性。"
        ),
    )
    on = forms.DateField(
        label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    from_gcj02 = forms.BooleanField(
        label=gettext_lazy("坐标来自高德/腾讯地图（GCJ-02），导入时转换为 WGS-84"),
        required=False,
    )


@admin_required
def area_import(request):
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"on": timezone.localdate()}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.job_create(
                    actor=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    on=form.cleaned_data["on"],
                    from_gcj02=form.cleaned_data["from_gcj02"],
                )
            except ActionError as exc:
                _apply_errors(form, exc)
                status = exc.status_code
            else:
                return redirect("areas:import-job", public_id=job.public_id)
        else:
            status = 400
    recent = AreaImport.objects.select_related("created_by").defer("content")[:10]
    return render(
        request, "portal/areas/import.html", {"form": form, "jobs": recent}, status=status
    )


def _job(public_id) -> AreaImport:
    job = AreaImport.objects.defer("content").filter(public_id=public_id).first()
    if job is None:
        raise Http404
    return job


@admin_required
def area_import_job(request, public_id):
    job = _job(public_id)
    report = job.report or {}
    items = report.get("items", [])
    return render(
        request,
        "portal/areas/import_job.html",
        {
            "job": job,
            "report": report,
            "created": [i for i in items if i["action"] == "create"],
            "changed": [i for i in items if i["action"] == "change"],
            "kinds": dict(AreaKind.choices),
        },
    )


@admin_required
@require_POST
def area_import_apply(request, public_id):
    job = _job(public_id)
    try:
        job = imports.job_apply(actor=request.user, job=job)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        result = job.result
        messages.success(
            request,
            _("已导入：新增 %(c)s 个，修改 %(u)s 个，未变 %(n)s 个。")
            % {
                "c": result.get("created", 0),
                "u": result.get("changed", 0),
                "n": result.get("unchanged", 0),
            },
        )
    return redirect("areas:import-job", public_id=job.public_id)


@reader_required
def area_export(request):
    areas = list(
        Area.objects.active().exclude(kind=AreaKind.TOWN).select_related("parent").order_by("code")
    )
    level = {"village": 1, "community": 1, "grid": 2}
    areas.sort(key=lambda a: (level.get(a.kind, 3), a.code))
    body = json.dumps(formats.export_features(areas), ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="areas-{stamp}.geojson"'
    return response
