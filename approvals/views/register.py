"""Pages of the register: the public service guide (办事指南) and the register administration
(事项清单管理). Thin: forms in, services and selectors do the work."""

import os
from datetime import date

from django.contrib import messages
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals import guide_hooks, register_io
from approvals.models import DelegationInstrument, DelegationItem, Matter, RegisterImportJob
from approvals.selectors import guide as guide_sel
from approvals.selectors import register as sel
from approvals.services import register as services
from approvals.views.register_forms import (
    MATTER_FORM_FIELDS,
    AttachForm,
    GuideSearchForm,
    ImportForm,
    InstrumentForm,
    InstrumentItemForm,
    MaterialFormSet,
    MatterForm,
    PublishDraftsForm,
    PublishForm,
    RetireForm,
)
from portal import audit, roles, workdays
from portal.access import role_required
from portal.errors import ActionError, Conflict
from portal.models import Department

GUIDE_PAGE_SIZE = 20
ADMIN_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_register_admin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(roles.REGISTER_ADMIN))
    )


register_admin_required = role_required(roles.REGISTER_ADMIN)


def _querystring(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def _apply_url(code: str) -> str | None:
    """The online application page of the applications area, if it exists."""
    for kwargs in ({"code": code}, {"matter_code": code}):
        try:
            return reverse("approvals:apply", kwargs=kwargs)
        except NoReverseMatch:
            continue
    try:
        return reverse("approvals:apply") + "?" + urlencode({"matter": code})
    except NoReverseMatch:
        return None


def default_stages(matter: Matter) -> list[dict]:
    """The process chart when the register gives no stages: the one-window path."""
    dept = matter.handling_department.short_name or matter.handling_department.name
    if matter.kind in (Matter.Kind.PENALTY, Matter.Kind.COMPULSION):
        names = [_("立案"), _("调查取证"), _("告知与陈述申辩"), _("决定"), _("送达"), _("执行")]
        return [{"name": n, "who": dept, "days": None} for n in names]
    if matter.kind == Matter.Kind.INSPECTION:
        names = [_("制定检查计划"), _("实施检查"), _("发现问题依法处理"), _("结果公开")]
        return [{"name": n, "who": dept, "days": None} for n in names]
    if matter.delegation_mode == Matter.DelegationMode.FORWARD:
        district = (
            matter.delegating_department.short_name or matter.delegating_department.name
            if matter.delegating_department_id
            else _("区级部门")
        )
        return [
            {"name": _("提交申请"), "who": _("申请人"), "days": None},
            {"name": _("窗口受理"), "who": _("综合受理窗口"), "days": None},
            {"name": _("初审"), "who": dept, "days": None},
            {"name": _("转报"), "who": dept, "days": None},
            {"name": _("审批决定"), "who": district, "days": None},
            {"name": _("统一出件"), "who": _("出件窗口"), "days": None},
        ]
    return [
        {"name": _("提交申请"), "who": _("申请人"), "days": None},
        {"name": _("窗口受理"), "who": _("综合受理窗口"), "days": None},
        {"name": _("审查"), "who": dept, "days": None},
        {"name": _("决定"), "who": dept, "days": None},
        {"name": _("统一出件"), "who": _("出件窗口"), "days": None},
    ]


# --- the public guide ---------------------------------------------------------------------


def _guide_context(request) -> dict:
    departments = list(sel.guide_departments())
    form = GuideSearchForm(request.GET or None, departments=departments)
    filters = {"q": "", "audience": "", "department": "", "kind": "", "channel": ""}
    if form.is_bound and form.is_valid():
        filters.update({k: form.cleaned_data.get(k) or "" for k in filters})
    page = Paginator(sel.guide_search(**filters, appliable=True), GUIDE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    searched = any(filters.values())
    return {
        "form": form,
        "page": page,
        "filters": filters,
        "searched": searched,
        "filters_open": any(filters[k] for k in ("department", "kind", "channel")),
        "querystring": _querystring(request),
        "life_events": [] if searched else guide_sel.life_events(),
    }


def guide(request):
    """The catalogue is the same for everyone who asks the same question in the same language
    on the same day: rendered once per register change stamp (guide_sel.catalogue_cache_key),
    so a change to the register shows on the next request. Free-text searches are not cached."""
    partial = bool(request.headers.get("HX-Request"))
    template = "approvals/guide/_results.html" if partial else "approvals/guide/_catalogue.html"
    key = guide_sel.catalogue_cache_key(request.GET, partial=partial)
    body = cache.get(key) if key else None
    if body is None:
        body = render_to_string(template, _guide_context(request), request=request)
        if key:
            cache.set(key, body, guide_sel.CATALOGUE_CACHE_SECONDS)
    if partial:
        return HttpResponse(body)
    return render(request, "approvals/guide/catalogue.html", {"body": mark_safe(body)})  # noqa: S308  (our own rendering)


def guide_enforcement(request):
    """执法事项公示: the penalties, compulsion and inspections the town exercises — basis and
    who enforces, and what other apps add through approvals.guide_hooks (the discretion
    benchmark). Never applied for, so they are not in the catalogue of services."""
    q = (request.GET.get("q") or "").strip()[:100]
    kind = request.GET.get("kind", "")
    if kind not in Matter.EX_OFFICIO_KINDS:
        kind = ""
    page = Paginator(
        sel.guide_search(q=q, kind=kind, appliable=False).select_related("delegating_department"),
        GUIDE_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    details = guide_hooks.enforcement_details(page.object_list)
    return render(
        request,
        "approvals/guide/enforcement.html",
        {
            "page": page,
            "rows": [(m, details.get(m.code, {})) for m in page.object_list],
            "q": q,
            "kind": kind,
            "kinds": [(k.value, k.label) for k in Matter.EX_OFFICIO_KINDS],
            "querystring": _querystring(request),
        },
    )


def matter_withdrawn_page(request, withdrawn: dict, *, status: int = 200):
    """What the guide and the apply page say about a matter no longer handled here."""
    return render(request, "approvals/guide/withdrawn.html", withdrawn, status=status)


def _cached_page(request, template: str, cached: dict):
    """The frame (menu, signed-in header, CSRF) around a cached body, rendered per request."""
    return render(
        request,
        template,
        {"title": cached["title"], "body": mark_safe(cached["body"])},  # noqa: S308  (our own rendering)
    )


def guide_event(request, code: str):
    """A life event (一件事): the matters it needs, in order, each with its guide and apply.
    The body is rendered once per register change stamp, day and language
    (guide_sel.guide_page_cache_key), without the request: nothing in it is anyone's own."""
    key = guide_sel.guide_page_cache_key(
        "event", code, day=timezone.localdate(), seen=guide_sel.guide_page_stamps(calendar=False)
    )
    cached = cache.get(key)
    if cached is None:
        event = guide_sel.life_event(code)
        if event is None:
            raise Http404(_("没有找到该“一件事”。"))
        others = [e for e in guide_sel.life_events(False) if e.pk != event.pk]
        cached = {
            "title": str(event.display_name),
            "body": render_to_string(
                "approvals/guide/_event.html", {"event": event, "others": others}
            ),
        }
        cache.set(key, cached, guide_sel.PAGE_CACHE_SECONDS)
    return _cached_page(request, "approvals/guide/event.html", cached)


def _guide_matter_body(matter: Matter, today: date) -> str:
    due = workdays.add_working_days(today, matter.committed_days)
    context = {
        "matter": matter,
        "materials": list(matter.materials.all()),
        "windows": list(matter.category.windows.all()) if matter.category_id else [],
        "stages": matter.stage_list() or default_stages(matter),
        "apply_url": _apply_url(matter.code),
        "example_due": due,
        "example_due_confirmed": workdays.is_confirmed(due),
        "today": today,
        # penalties, compulsion and inspections are exercised by the town, not applied for
        "ex_officio": matter.is_ex_officio,
        "enforcement": guide_hooks.enforcement_details([matter]).get(matter.code, {})
        if matter.is_ex_officio
        else {},
        "guide": guide_sel.where_and_who(matter),
        "faq": matter.faq_items(),
    }
    return render_to_string("approvals/guide/_matter.html", context)


def guide_matter(request, code: str):
    """A matter's guide. The body is the same for every reader in a language on a day: rendered
    once per register and calendar change stamp (guide_sel.guide_page_cache_key), without the
    request (nothing in it is anyone's own; the apply link depends on the matter only), so a
    change to the register or a holiday shows on the next request. Not cached: a withdrawn or
    unknown code (answered as before), and the enforcement matters, whose discretion benchmark
    comes from another app's data (approvals.guide_hooks) that no stamp follows."""
    today = timezone.localdate()
    seen = guide_sel.guide_page_stamps()
    key = guide_sel.guide_page_cache_key("matter", code, day=today, seen=seen)
    cached = cache.get(key)
    if cached is None:
        matter = sel.guide_matter(code, on=today)
        if matter is None:
            withdrawn = sel.matter_withdrawn(code)
            if withdrawn is not None:
                return matter_withdrawn_page(request, withdrawn)
            raise Http404(_("没有找到现行有效的该事项。"))
        workdays.sync(seen[workdays.CALENDAR_STAMP])  # another process's holiday counts at once
        cached = {"title": str(matter.display_name), "body": _guide_matter_body(matter, today)}
        if not matter.is_ex_officio:
            cache.set(key, cached, guide_sel.PAGE_CACHE_SECONDS)
    return _cached_page(request, "approvals/guide/matter.html", cached)


def guide_material_form(request, code: str, material_id: int, which: str):
    material = sel.guide_material(code, material_id)
    if material is None or which not in ("blank", "sample"):
        raise Http404
    stored = material.blank_form if which == "blank" else material.sample_form
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(stored.name))


# --- register administration -------------------------------------------------------------------


def _error_message(request, exc: ActionError) -> None:
    messages.error(request, exc.message)


def _form_errors_from(form, exc: ActionError) -> None:
    for name, errors in (exc.fields or {}).items():
        target = name if name in form.fields else None
        for error in errors:
            form.add_error(target, error)
    if not exc.fields:
        form.add_error(None, exc.message)


@register_admin_required
def register_admin(request):
    params = request.GET
    filters = {
        "q": params.get("q", "").strip(),
        "status": params.get("status", ""),
        "department": params.get("department", ""),
        "kind": params.get("kind", ""),
        "delegation_mode": params.get("delegation_mode", ""),
    }
    if filters["status"] not in Matter.Status.values:
        filters["status"] = ""
    all_versions = params.get("versions") == "all"
    qs = sel.admin_matters(**filters, latest_only=not all_versions)
    page = Paginator(qs, ADMIN_PAGE_SIZE).get_page(params.get("page"))
    return render(
        request,
        "approvals/register/list.html",
        {
            "page": page,
            "filters": filters,
            "all_versions": all_versions,
            "counts": sel.register_counts(),
            "departments": Department.objects.filter(is_active=True),
            "statuses": Matter.Status.choices,
            "kinds": Matter.Kind.choices,
            "modes": Matter.DelegationMode.choices,
            "querystring": _querystring(request),
            "publish_form": PublishDraftsForm(initial={"valid_from": timezone.localdate()}),
            "jobs": sel.import_jobs_recent(5),
        },
    )


def _materials_from(formset) -> list[dict]:
    materials = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        if not form.instance.pk and not form.has_changed():
            continue
        item = {
            key: data.get(key)
            for key in (
                "name",
                "form",
                "copies",
                "mandatory",
                "tolerated_missing",
                "notes",
                "order",
            )
        }
        item["notes"] = item["notes"] or ""
        item["order"] = item["order"] or 0
        item["copies"] = item["copies"] or 1
        if form.instance.pk:
            item["id"] = form.instance.pk
        for file_field in ("blank_form", "sample_form"):
            value = data.get(file_field)
            if value is False:
                item[file_field] = False
            elif isinstance(value, UploadedFile):
                item[file_field] = value
        materials.append(item)
    return materials


def _matter_fields(form) -> dict:
    fields = {name: form.cleaned_data.get(name) for name in MATTER_FORM_FIELDS}
    fields["stages"] = form.cleaned_data.get("stages") or []
    for text in ("legal_basis", "fee_basis", "special_lane", "change_note"):
        fields[text] = fields[text] or ""
    if fields["max_extension_days"] is None:
        fields["max_extension_days"] = 0
    return fields


@register_admin_required
def register_matter_create(request):
    matter = Matter()
    form = MatterForm(request.POST or None, instance=matter, creating=True)
    formset = MaterialFormSet(request.POST or None, request.FILES or None, instance=matter)
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                created = services.matter_create(
                    actor=request.user,
                    code=form.cleaned_data["code"],
                    fields=_matter_fields(form),
                    materials=_materials_from(formset),
                )
            except ActionError as exc:
                _form_errors_from(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("已创建事项草稿。"))
                return redirect("approvals:register-matter", pk=created.pk)
        else:
            status = 400
    return render(
        request,
        "approvals/register/matter_form.html",
        {"form": form, "formset": formset, "creating": True},
        status=status,
    )


def _get_matter(pk: int) -> Matter:
    matter = sel.matter_for_admin(pk)
    if matter is None:
        raise Http404
    return matter


@register_admin_required
def register_matter(request, pk: int):
    matter = _get_matter(pk)
    return render(
        request,
        "approvals/register/matter_detail.html",
        {
            "matter": matter,
            "materials": list(matter.materials.all()),
            "versions": sel.matter_versions(matter.code),
            "publish_form": PublishForm(),
            "retire_form": RetireForm(),
            "attach_form": AttachForm(
                initial={
                    "action": DelegationItem.Action.ADJUST
                    if sel.matter_in_force(matter.code)
                    else DelegationItem.Action.DELEGATE
                }
            ),
            "trail": audit.trail_for(matter)[:30],
            "guide_url": reverse("approvals:guide-matter", args=[matter.code])
            if matter.in_force_on(timezone.localdate())
            else None,
        },
    )


@register_admin_required
def register_matter_edit(request, pk: int):
    matter = _get_matter(pk)
    if not matter.is_draft:
        messages.error(request, _("只有草稿可以修改；请先新建版本。"))
        return redirect("approvals:register-matter", pk=pk)
    form = MatterForm(request.POST or None, instance=matter)
    formset = MaterialFormSet(request.POST or None, request.FILES or None, instance=matter)
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                services.matter_update_draft(
                    actor=request.user,
                    matter=matter,
                    revision=form.cleaned_data.get("revision") or 0,
                    fields=_matter_fields(form),
                    materials=_materials_from(formset),
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                status = 409
            except ActionError as exc:
                _form_errors_from(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("草稿已保存。"))
                return redirect("approvals:register-matter", pk=pk)
        else:
            status = 400
    return render(
        request,
        "approvals/register/matter_form.html",
        {"form": form, "formset": formset, "matter": matter, "creating": False},
        status=status,
    )


@register_admin_required
@require_POST
def register_matter_publish(request, pk: int):
    matter = _get_matter(pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的生效日期。"))
    else:
        try:
            services.matter_publish(
                actor=request.user,
                matter=matter,
                valid_from=form.cleaned_data["valid_from"],
                valid_to=form.cleaned_data.get("valid_to"),
            )
        except ActionError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, _("已发布。"))
    return redirect("approvals:register-matter", pk=pk)


@register_admin_required
@require_POST
def register_matter_retire(request, pk: int):
    matter = _get_matter(pk)
    form = RetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用日期和停用原因。"))
    else:
        try:
            services.matter_retire(
                actor=request.user,
                matter=matter,
                effective=form.cleaned_data["effective"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, _("已停用。"))
    return redirect("approvals:register-matter", pk=pk)


@register_admin_required
@require_POST
def register_matter_new_draft(request, pk: int):
    matter = _get_matter(pk)
    try:
        draft = services.matter_new_draft(actor=request.user, code=matter.code)
    except ActionError as exc:
        _error_message(request, exc)
        return redirect("approvals:register-matter", pk=pk)
    messages.success(request, _("已新建草稿版本，可修改后发布。"))
    return redirect("approvals:register-matter-edit", pk=draft.pk)


@register_admin_required
@require_POST
def register_matter_discard(request, pk: int):
    matter = _get_matter(pk)
    try:
        services.matter_discard_draft(actor=request.user, matter=matter)
    except ActionError as exc:
        _error_message(request, exc)
        return redirect("approvals:register-matter", pk=pk)
    messages.success(request, _("草稿已删除。"))
    latest = sel.matter_latest(matter.code)
    if latest:
        return redirect("approvals:register-matter", pk=latest.pk)
    return redirect("approvals:register-admin")


@register_admin_required
@require_POST
def register_matter_attach(request, pk: int):
    matter = _get_matter(pk)
    form = AttachForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择赋权书和类型。"))
    else:
        instrument = form.cleaned_data["instrument"]
        try:
            services.instrument_add_item(
                actor=request.user,
                instrument=instrument,
                action=form.cleaned_data["action"],
                code=matter.code,
            )
        except ActionError as exc:
            _error_message(request, exc)
        else:
            messages.success(
                request,
                _("已列入赋权书 %(number)s。") % {"number": instrument.document_number},
            )
            return redirect("approvals:register-instrument", pk=instrument.pk)
    return redirect("approvals:register-matter", pk=pk)


@register_admin_required
@require_POST
def register_publish_drafts(request):
    form = PublishDraftsForm(request.POST)
    if request.POST.get("all_drafts"):
        codes = list(
            Matter.objects.filter(status=Matter.Status.DRAFT).values_list("code", flat=True)
        )
    else:
        codes = [c for c in request.POST.getlist("code") if c]
    if not form.is_valid():
        messages.error(request, _("请填写有效的生效日期。"))
        return redirect("approvals:register-admin")
    if not codes:
        messages.error(request, _("请勾选要发布的草稿。"))
        return redirect("approvals:register-admin")
    valid_from = form.cleaned_data["valid_from"]
    try:
        published = services.matters_publish_drafts(
            actor=request.user, codes=codes, valid_from=valid_from
        )
    except ActionError as exc:
        _error_message(request, exc)
    else:
        messages.success(
            request,
            _("已发布 %(n)s 个草稿，自 %(day)s 起生效。")
            % {"n": len(published), "day": valid_from},
        )
    return redirect("approvals:register-admin")


@register_admin_required
def register_history(request, code: str):
    versions = list(sel.matter_versions(code))
    if not versions:
        raise Http404
    return render(
        request,
        "approvals/register/history.html",
        {
            "code": code,
            "history": sel.matter_history(code),
            "drafts": [v for v in versions if v.is_draft],
            "latest": versions[-1],
        },
    )


# --- delegation instruments -----------------------------------------------------------------


@register_admin_required
def register_instruments(request):
    form = InstrumentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "handover_list"}
            try:
                instrument = services.instrument_create(
                    actor=request.user,
                    fields=fields,
                    handover_list=form.cleaned_data.get("handover_list") or None,
                )
            except ActionError as exc:
                _form_errors_from(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("已登记赋权书，请列入事项。"))
                return redirect("approvals:register-instrument", pk=instrument.pk)
        else:
            status = 400
    return render(
        request,
        "approvals/register/instruments.html",
        {"instruments": sel.instruments_list(), "form": form},
        status=status,
    )


def _get_instrument(pk: int) -> DelegationInstrument:
    instrument = sel.instrument_detail(pk)
    if instrument is None:
        raise Http404
    return instrument


@register_admin_required
def register_instrument(request, pk: int):
    instrument = _get_instrument(pk)
    item_form = InstrumentItemForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if item_form.is_valid():
            try:
                services.instrument_add_item(
                    actor=request.user,
                    instrument=instrument,
                    action=item_form.cleaned_data["action"],
                    code=item_form.cleaned_data["code"],
                    note=item_form.cleaned_data.get("note") or "",
                )
            except ActionError as exc:
                _form_errors_from(item_form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("已列入。"))
                return redirect("approvals:register-instrument", pk=pk)
        else:
            status = 400
    return render(
        request,
        "approvals/register/instrument_detail.html",
        {
            "instrument": instrument,
            "item_form": item_form,
            "trail": audit.trail_for(instrument)[:30],
        },
        status=status,
    )


@register_admin_required
@require_POST
def register_instrument_item_remove(request, pk: int, item_pk: int):
    instrument = _get_instrument(pk)
    item = instrument.items.filter(pk=item_pk).first()
    if item is None:
        messages.error(request, _("该条目已被移除。"))
    else:
        try:
            services.instrument_remove_item(actor=request.user, item=item)
        except ActionError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, _("已移除。"))
    return redirect("approvals:register-instrument", pk=pk)


@register_admin_required
@require_POST
def register_instrument_apply(request, pk: int):
    instrument = _get_instrument(pk)
    try:
        services.instrument_apply(actor=request.user, instrument=instrument)
    except ActionError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("赋权书已登记生效，相关事项版本已更新。"))
    return redirect("approvals:register-instrument", pk=pk)


@register_admin_required
def register_instrument_handover(request, pk: int):
    instrument = _get_instrument(pk)
    if not instrument.handover_list:
        raise Http404
    try:
        handle = instrument.handover_list.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=os.path.basename(instrument.handover_list.name)
    )


# --- import and export ------------------------------------------------------------------------


@register_admin_required
def register_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_job_create(
                    actor=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    retire_missing=form.cleaned_data.get("retire_missing", False),
                    language=get_language() or "zh-hans",
                )
            except ActionError as exc:
                _form_errors_from(form, exc)
                status = exc.status_code
            else:
                return redirect("approvals:register-import-job", public_id=job.public_id)
        else:
            status = 400
    return render(
        request,
        "approvals/register/import.html",
        {"form": form, "jobs": sel.import_jobs_recent(10)},
        status=status,
    )


def _get_job(public_id) -> RegisterImportJob:
    job = sel.import_job(public_id)
    if job is None:
        raise Http404
    return job


def _job_context(job: RegisterImportJob) -> dict:
    report = job.report or {}
    entries = report.get("entries", [])
    return {
        "job": job,
        "report": report,
        "created": [e for e in entries if e["action"] == "create"],
        "changed": [e for e in entries if e["action"] == "change"],
        "retired": [e for e in entries if e["action"] == "retire"],
        "can_undo": job.can_undo_retirements(),
        "confirm_percent": round(register_io.retire_confirm_share() * 100),
    }


@register_admin_required
def register_import_job(request, public_id):
    job = _get_job(public_id)
    return render(request, "approvals/register/import_job.html", _job_context(job))


@register_admin_required
def register_import_progress(request, public_id):
    job = _get_job(public_id)
    return render(request, "approvals/register/_import_job_panel.html", _job_context(job))


@register_admin_required
@require_POST
def register_import_apply(request, public_id):
    job = _get_job(public_id)
    try:
        services.import_job_request_apply(
            actor=request.user, job=job, retire_count=request.POST.get("retire_count")
        )
    except ActionError as exc:
        _error_message(request, exc)
    return redirect("approvals:register-import-job", public_id=job.public_id)


@register_admin_required
@require_POST
def register_import_undo(request, public_id):
    job = _get_job(public_id)
    try:
        result = services.import_job_undo_retirements(actor=request.user, job=job)
    except ActionError as exc:
        _error_message(request, exc)
    else:
        message = _("已撤销本次导入的停用：%(n)s 项恢复现行（作为新版本）。") % {
            "n": len(result["restored"])
        }
        if result["skipped"]:
            message += _("%(codes)s 已有现行或待生效版本，未重复恢复。") % {
                "codes": "、".join(result["skipped"])
            }
        messages.success(request, message)
    return redirect("approvals:register-import-job", public_id=job.public_id)


@register_admin_required
def register_export(request):
    latest = request.GET.get("latest") == "1"
    on = None
    if request.GET.get("on"):
        try:
            on = date.fromisoformat(request.GET["on"])
        except ValueError:
            messages.error(request, _("日期格式应为 YYYY-MM-DD。"))
            return redirect("approvals:register-admin")
    content = register_io.export_register(on=on, latest=latest)
    day = (on or timezone.localdate()).strftime("%Y%m%d")
    name = f"事项清单-{day}{'-最新版本' if latest else ''}.xlsx"
    audit.record(
        actor=request.user,
        action="register.export",
        obj=None,
        note=f"on={on or 'today'} latest={latest}",
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
