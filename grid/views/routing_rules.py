"""Routing rule pages for register administrators and supervisors (the centre reads them and
uses the tester): the ordered list with why a rule cannot match, new / change (a new version)
/ switch on-off, the tester, .xlsx import with every problem at once and a preview, export."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grid import routing_io
from grid.models.dispatch import RoutingRule
from grid.selectors import routing
from grid.services import routing_rules as svc
from grid.views import dispatch_forms as f
from portal import roles, xlsx
from portal.access import role_required
from portal.errors import ActionError, Conflict

EDITORS = (roles.REGISTER_ADMIN, roles.SUPERVISOR)
READERS = (roles.REGISTER_ADMIN, roles.SUPERVISOR, roles.DISPATCHER)
MAX_UPLOAD = 5 * 1024 * 1024


def _editor(user) -> bool:
    return user.is_superuser or user.has_role(*EDITORS)


@role_required(*READERS)
def rule_list(request):
    from enforcement.selectors.team import squads

    active_squads = dict(squads().values_list("code", "name"))
    rules = list(
        RoutingRule.objects.select_related("area", "department")
        .prefetch_related("co_handlers")
        .order_by("order", "id")
    )
    for rule in rules:
        rule.problems = routing.unavailable_reasons(rule, active_squads)
        rule.handler_label = routing.compile_rule(rule, active_squads).handler_label
    return render(
        request,
        "grid/dispatch/rules.html",
        {"rules": rules, "editor": _editor(request.user), "squads": active_squads},
    )


def _data(form) -> svc.RuleData:
    data = form.cleaned_data
    return svc.RuleData(
        order=data.get("order"),
        name=data.get("name", ""),
        is_active=data.get("is_active", False),
        category_code=data.get("category_code", ""),
        area_code=data.get("area_code", ""),
        time_window=data.get("time_window", "any"),
        source=data.get("source", ""),
        handler_kind=data.get("handler_kind", ""),
        department_code=data.get("department_code", "")
        if data.get("handler_kind") in ("department", "district")
        else "",
        co_handler_codes=list(data.get("co_handler_codes") or [])
        if data.get("handler_kind") == "department"
        else [],
        squad_code=data.get("squad_code", "") if data.get("handler_kind") == "squad" else "",
        note=data.get("note", ""),
    )


def _initial(rule: RoutingRule) -> dict:
    data = svc.as_data(rule)
    return {
        "seen_version": rule.version,
        "order": data.order,
        "name": data.name,
        "is_active": data.is_active,
        "category_code": data.category_code,
        "area_code": data.area_code,
        "time_window": data.time_window,
        "source": data.source,
        "handler_kind": data.handler_kind,
        "department_code": data.department_code,
        "co_handler_codes": data.co_handler_codes,
        "squad_code": data.squad_code,
        "note": data.note,
    }


@role_required(*EDITORS)
def rule_new(request):
    last = RoutingRule.objects.order_by("-order").values_list("order", flat=True).first() or 0
    form = f.RuleForm(request.POST or None, initial={"order": last + 10, "is_active": True})
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ActionError(_("请按提示修改后再提交。"), code="invalid")
            rule = svc.rule_create(actor=request.user, data=_data(form))
        except ActionError as error:
            if error.code != "invalid":
                form.add_service_error(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("已新增规则 %(code)s。") % {"code": rule.code})
            return redirect("grid:routing-rules")
    return render(
        request,
        "grid/dispatch/rule_edit.html",
        {"form": form, "rule": None},
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
def rule_edit(request, pk: int):
    rule = (
        RoutingRule.objects.select_related("area", "department")
        .prefetch_related("co_handlers")
        .filter(pk=pk)
        .first()
    )
    if rule is None:
        raise Http404
    editor = _editor(request.user)
    if request.method == "POST" and not editor:
        raise Http404
    form = f.RuleForm(request.POST or None, initial=_initial(rule))
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ActionError(_("请按提示修改后再提交。"), code="invalid")
            changed = svc.rule_change(
                actor=request.user,
                rule=rule,
                data=_data(form),
                seen_version=form.cleaned_data.get("seen_version"),
            )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("grid:routing-rule", pk)
        except ActionError as error:
            if error.code != "invalid":
                form.add_service_error(error)
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("已保存，现为第%(version)s版。") % {"version": changed.version}
            )
            return redirect("grid:routing-rules")
    return render(
        request,
        "grid/dispatch/rule_edit.html",
        {
            "form": form,
            "rule": rule,
            "editor": editor,
            "versions": list(rule.versions.order_by("-version")[:20]),
            "dispatch_count": rule.dispatches.count(),
        },
        status=400 if form.errors else 200,
    )


@role_required(*EDITORS)
@require_POST
def rule_switch(request, pk: int):
    rule = RoutingRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    active = request.POST.get("active") == "1"
    try:
        seen = int(request.POST.get("seen_version", ""))
    except ValueError:
        seen = None
    try:
        svc.rule_switch(actor=request.user, rule=rule, active=active, seen_version=seen)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已启用规则。") if active else _("已停用规则。"))
    return redirect("grid:routing-rules")


@role_required(*READERS)
def rule_test(request):
    """规则测试: a category, an area or a point, a moment → which rule matches and why, with
    every rule evaluated — to check a change before saving it."""
    form = f.RuleTestForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            facts = routing.facts_for_test(
                category_code=data["category"],
                lat=data.get("lat"),
                lng=data.get("lng"),
                area_code=data.get("area") or "",
                at=data.get("at") or timezone.now(),
                source=data.get("source") or "",
            )
        except ActionError as error:
            form.add_service_error(error)
        else:
            result = routing.evaluate(facts)
    return render(
        request,
        "grid/dispatch/rule_test.html",
        {"form": form, "result": result},
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
def rule_export(request):
    response = HttpResponse(routing_io.export_rules(), content_type=xlsx.CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="routing-rules-{stamp}.xlsx"'
    return response


def _stash_name(user, digest: str) -> str:
    return f"imports/routing-rules/{user.pk}-{digest}.xlsx"


@role_required(*EDITORS)
def rule_import(request):
    """Upload → every problem at once, or a preview → apply (nothing written before)."""
    form = f.ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and request.POST.get("apply"):
        digest = request.POST.get("digest", "")
        name = _stash_name(request.user, digest)
        if not digest.isalnum() or not default_storage.exists(name):
            messages.error(request, _("预览已过期，请重新上传文件。"))
            return redirect("grid:routing-import")
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
        result = routing_io.import_rules(
            content,
            actor=request.user,
            switch_off_missing=request.POST.get("switch_off_missing") == "1",
            expected_fingerprint=request.POST.get("fingerprint", ""),
        )
        if result.stale:
            messages.error(request, _("规则已被他人修改，预览已失效，请重新上传。"))
            return redirect("grid:routing-import")
        if result.problems:
            context["problems"] = result.problems
        else:
            default_storage.delete(name)
            plan = result.plan
            messages.success(
                request,
                _("已导入：新增 %(c)s，变更 %(u)s，停用 %(r)s。")
                % {"c": len(plan.created), "u": len(plan.changed), "r": len(plan.switched_off)},
            )
            return redirect("grid:routing-rules")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            form.add_error("file", _("文件超过 5 MB。"))
        else:
            result = routing_io.import_rules(
                content,
                actor=request.user,
                dry_run=True,
                switch_off_missing=form.cleaned_data["switch_off_missing"],
            )
            if result.problems:
                context["problems"] = result.problems
            else:
                digest = hashlib.sha256(content).hexdigest()[:32]
                name = _stash_name(request.user, digest)
                if not default_storage.exists(name):
                    default_storage.save(name, ContentFile(content))
                context.update(
                    plan=result.plan,
                    digest=digest,
                    switch_off_missing=form.cleaned_data["switch_off_missing"],
                )
    status = 400 if context.get("problems") or form.errors else 200
    return render(request, "grid/dispatch/rule_import.html", context, status=status)
