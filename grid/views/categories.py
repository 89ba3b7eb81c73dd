"""The category catalogue for the register administrator: the leaves in force, their versions,
new and changed leaves (a change is a new version from now), retire and restore, and the .xlsx
import (every problem at once, a preview, then apply) and export."""

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

from grid import category_io
from grid.models import Category
from grid.selectors import categories as sel
from grid.services import categories as svc
from grid.views.forms import CategoryForm, ImportForm
from portal import roles, xlsx
from portal.access import role_required
from portal.errors import ActionError

ADMINS = (roles.REGISTER_ADMIN,)
FIELDS = [name for name in svc.LEAF_FIELDS]


@role_required(*ADMINS, roles.SUPERVISOR)
def catalogue(request):
    leaves = list(sel.current_leaves())
    branches: dict = {}
    for leaf in leaves:
        branches.setdefault(leaf.branch, []).append(leaf)
    return render(
        request,
        "grid/categories/catalogue.html",
        {
            "branches": list(branches.items()),
            "retired": sel.retired_codes(),
            "can_edit": request.user.has_role(*ADMINS) or request.user.is_superuser,
            "count": len(leaves),
        },
    )


@role_required(*ADMINS)
def category_new(request):
    form = CategoryForm(
        request.POST or None,
        initial={"duplicate_radius_m": 200, "duplicate_days": 14, "grid_may_handle": True},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            category = svc.category_create(
                actor=request.user,
                code=data.pop("code"),
                fields=data,
            )
        except ActionError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增分类 %(name)s。") % {"name": category.name})
            return redirect("grid:category-versions", category.code)
    return render(request, "grid/categories/edit.html", {"form": form, "category": None})


@role_required(*ADMINS)
def category_edit(request, code: str):
    current = sel.current_leaves().filter(code=code).first()
    if current is None:
        raise Http404
    initial = {name: getattr(current, name) for name in FIELDS}
    initial["code"] = current.code
    form = CategoryForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        seen = request.POST.get("version")
        data = dict(form.cleaned_data)
        data.pop("code", None)
        note = data.pop("change_note", "")
        try:
            if seen and str(current.version) != seen:
                from portal.errors import Conflict

                raise Conflict(
                    _("该分类已被他人修改（现为第%(version)s版），请刷新后再试。")
                    % {"version": current.version},
                    code="category_changed",
                )
            after = svc.category_change(
                actor=request.user, category=current, fields=data, note=note
            )
        except ActionError as error:
            form.add_service_error(error)
        else:
            if after.pk == current.pk:
                messages.info(request, _("没有改动。"))
            else:
                messages.success(
                    request,
                    _("已保存为第%(v)s版，自现在起对新上报的事件生效；已上报的事件保留原时限。")
                    % {"v": after.version},
                )
            return redirect("grid:category-versions", code)
    return render(request, "grid/categories/edit.html", {"form": form, "category": current})


@role_required(*ADMINS, roles.SUPERVISOR)
def category_versions(request, code: str):
    versions = list(sel.versions(code))
    if not versions:
        raise Http404
    return render(
        request,
        "grid/categories/versions.html",
        {
            "versions": versions,
            "current": next((v for v in versions if v.valid_to is None), None),
            "can_edit": request.user.has_role(*ADMINS) or request.user.is_superuser,
        },
    )


@require_POST
@role_required(*ADMINS)
def category_retire(request, code: str):
    current = sel.current_leaves().filter(code=code).first()
    if current is None:
        raise Http404
    try:
        svc.category_retire(actor=request.user, category=current, note=request.POST.get("note", ""))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已停用，新上报不能再选择该分类；已上报的事件不受影响。"))
    return redirect("grid:category-versions", code)


@require_POST
@role_required(*ADMINS)
def category_restore(request, code: str):
    if not Category.objects.filter(code=code).exists():
        raise Http404
    try:
        svc.category_restore(actor=request.user, code=code)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已恢复启用。"))
    return redirect("grid:category-versions", code)


@role_required(*ADMINS, roles.SUPERVISOR)
def category_export(request):
    content = category_io.export_catalogue()
    response = HttpResponse(content, content_type=xlsx.CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="incident-categories-{stamp}.xlsx"'
    return response


def _stash_name(user, digest: str) -> str:
    """The uploaded file between the preview and "apply" (any web process can read it)."""
    return f"imports/incident-categories/{user.pk}-{digest}.xlsx"


def _stash(user, digest: str, content: bytes) -> None:
    name = _stash_name(user, digest)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))


def _unstash(user, digest: str) -> bytes | None:
    if not digest.isalnum():
        return None
    name = _stash_name(user, digest)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@role_required(*ADMINS)
def category_import(request):
    """Upload → every problem at once, or a preview of what would change → apply."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and request.POST.get("apply"):
        digest = request.POST.get("digest", "")
        content = _unstash(request.user, digest)
        if content is None:
            messages.error(request, _("预览已过期，请重新上传文件。"))
            return redirect("grid:category-import")
        result = category_io.import_catalogue(
            content,
            actor=request.user,
            retire_missing=request.POST.get("retire_missing") == "1",
            expected_fingerprint=request.POST.get("fingerprint", ""),
        )
        if result.stale:
            messages.error(request, _("分类已被他人修改，预览已失效，请重新上传。"))
            return redirect("grid:category-import")
        if result.problems:
            context["problems"] = result.problems
        else:
            default_storage.delete(_stash_name(request.user, digest))
            plan = result.plan
            messages.success(
                request,
                _("已导入：新增 %(c)s，变更 %(u)s，停用 %(r)s。")
                % {"c": len(plan.created), "u": len(plan.changed), "r": len(plan.retired)},
            )
            return redirect("grid:categories")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(20 * 1024 * 1024 + 1)
        if len(content) > 20 * 1024 * 1024:
            form.add_error("file", _("文件超过 20 MB。"))
        else:
            result = category_io.import_catalogue(
                content,
                actor=request.user,
                dry_run=True,
                retire_missing=form.cleaned_data["retire_missing"],
            )
            if result.problems:
                context["problems"] = result.problems
            else:
                digest = hashlib.sha256(content).hexdigest()[:32]
                _stash(request.user, digest, content)
                context.update(
                    plan=result.plan,
                    digest=digest,
                    retire_missing=form.cleaned_data["retire_missing"],
                )
    return render(request, "grid/categories/import.html", context)
