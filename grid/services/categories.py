"""Changes to the incident category catalogue. Keyword-only, atomic, audited.

A leaf is never edited in place: a change closes the version in force at ``at`` (now) and opens
version N+1 from the same moment, so an incident reported before keeps the limits it started
with. The caller passes the version it saw; if someone changed the category since, Conflict."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grid.models import Category, CategoryBranch
from portal import audit
from portal.errors import ActionError, Conflict

LEAF_FIELDS = (
    "branch",
    "name",
    "order",
    "urgency",
    "limit_unit",
    "verify_limit",
    "accept_limit",
    "handle_limit",
    "max_handle_limit",
    "grid_may_handle",
    "possible_violation",
    "matter_code",
    "duplicate_radius_m",
    "duplicate_days",
    "accepted_text",
    "closed_text",
)
BRANCH_FIELDS = ("name", "network", "order", "is_active")


def snapshot(category: Category) -> dict:
    data = {f: getattr(category, f) for f in LEAF_FIELDS if f != "branch"}
    data["branch"] = category.branch.code if category.branch_id else None
    return data


def _fields_of(exc: ValidationError) -> dict:
    if hasattr(exc, "message_dict"):
        return {k if k != "__all__" else "non_field_errors": v for k, v in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def check_matter_code(code: str) -> str | None:
    """A problem with a related matter code, or None. The matter must be a penalty matter of
    the register (any version)."""
    if not code:
        return None
    from approvals.models import Matter

    matters = Matter.objects.filter(code=code)
    if not matters.exists():
        return _("事项清单中没有编码为 %(code)s 的事项。") % {"code": code}
    if not matters.filter(kind=Matter.Kind.PENALTY).exists():
        return _("关联事项应为行政处罚事项。")
    return None


def validate_leaf(category: Category) -> None:
    """Model validation plus the catalogue's own rules; ActionError naming every field."""
    errors: dict[str, list[str]] = {}
    try:
        category.full_clean(exclude=["valid_from", "version", "code"])
    except ValidationError as exc:
        errors.update(_fields_of(exc))
    if category.max_handle_limit and category.handle_limit:
        if category.max_handle_limit < category.handle_limit:
            errors.setdefault("max_handle_limit", []).append(
                _("延期后最长处置时限不得小于处置时限。")
            )
    if category.limit_unit == "working_days":
        for name in ("verify_limit", "accept_limit", "handle_limit", "max_handle_limit"):
            value = getattr(category, name) or 0
            if value > 60:
                errors.setdefault(name, []).append(_("按工作日计的时限不宜超过60个工作日。"))
    problem = check_matter_code(category.matter_code)
    if problem:
        errors.setdefault("matter_code", []).append(problem)
    if category.branch_id and not category.branch.is_active:
        errors.setdefault("branch", []).append(_("该大类已停用。"))
    if errors:
        raise ActionError(_("分类信息有误，请按字段提示修改。"), code="invalid", fields=errors)


@transaction.atomic
def branch_save(*, actor, code: str, fields: dict) -> CategoryBranch:
    code = (code or "").strip().upper()
    branch = CategoryBranch.objects.select_for_update().filter(code=code).first()
    before = {f: getattr(branch, f) for f in BRANCH_FIELDS} if branch else None
    branch = branch or CategoryBranch(code=code)
    for name in BRANCH_FIELDS:
        if name in fields:
            setattr(branch, name, fields[name])
    try:
        branch.full_clean(validate_unique=branch.pk is None)
    except ValidationError as exc:
        raise ActionError(
            _("大类信息有误，请按字段提示修改。"), code="invalid", fields=_fields_of(exc)
        ) from None
    after = {f: getattr(branch, f) for f in BRANCH_FIELDS}
    if before == after:
        return branch
    branch.save()
    audit.record(actor=actor, action="category_branch.save", obj=branch, before=before, after=after)
    return branch


@transaction.atomic
def category_create(*, actor, code: str, fields: dict, at: datetime | None = None) -> Category:
    code = (code or "").strip().upper()
    if not code:
        raise ActionError(_("请填写小类编码。"), code="invalid", fields={"code": _("必填。")})
    if Category.objects.filter(code=code).exists():
        raise ActionError(
            _("小类编码 %(code)s 已存在。") % {"code": code},
            code="duplicate_code",
            fields={"code": _("编码已存在。")},
        )
    category = Category(code=code, version=1, valid_from=at or timezone.now())
    _assign(category, fields)
    category.changed_by = actor if getattr(actor, "pk", None) else None
    category.change_note = str(fields.get("change_note", ""))[:200]
    validate_leaf(category)
    category.save()
    audit.record(actor=actor, action="category.create", obj=category, after=snapshot(category))
    return category


def _assign(category: Category, fields: dict) -> None:
    for name in LEAF_FIELDS:
        if name in fields:
            setattr(category, name, fields[name])


def _lock_current(code: str) -> Category | None:
    return (
        Category.objects.select_for_update()
        .select_related("branch")
        .filter(code=code, valid_to__isnull=True)
        .first()
    )


@transaction.atomic
def category_change(
    *, actor, category: Category, fields: dict, note: str = "", at: datetime | None = None
) -> Category:
    """A new version from ``at`` (now) with ``fields`` changed. Returns the version in force
    afterwards (the same one if nothing changed)."""
    current = _lock_current(category.code)
    if current is None:
        raise ActionError(_("该分类已停用，不能修改。"), code="category_retired")
    if current.pk != category.pk:
        raise Conflict(
            _("该分类已被他人修改（现为第%(version)s版），请刷新后再试。")
            % {"version": current.version},
            code="category_changed",
        )
    candidate = Category(code=current.code, version=current.version + 1)
    for name in LEAF_FIELDS:
        setattr(candidate, name, getattr(current, name))
    _assign(candidate, fields)
    if snapshot(candidate) == snapshot(current):
        return current
    at = at or timezone.now()
    candidate.valid_from = at
    candidate.changed_by = actor if getattr(actor, "pk", None) else None
    candidate.change_note = note[:200]
    validate_leaf(candidate)
    current.valid_to = at
    current.save(update_fields=["valid_to"])
    candidate.save()
    audit.record(
        actor=actor,
        action="category.change",
        obj=candidate,
        before=snapshot(current),
        after=snapshot(candidate),
        note=note,
    )
    return candidate


@transaction.atomic
def category_retire(
    *, actor, category: Category, note: str = "", at: datetime | None = None
) -> Category:
    """No new incident can use the category from ``at``; open incidents keep their version."""
    current = _lock_current(category.code)
    if current is None or current.pk != category.pk:
        raise Conflict(_("该分类已被他人修改，请刷新后再试。"), code="category_changed")
    current.valid_to = at or timezone.now()
    current.save(update_fields=["valid_to"])
    audit.record(
        actor=actor,
        action="category.retire",
        obj=current,
        after={"valid_to": current.valid_to},
        note=note,
    )
    return current


@transaction.atomic
def category_restore(*, actor, code: str, note: str = "", at: datetime | None = None) -> Category:
    """A retired category back in force, as a new version with its last limits."""
    if Category.objects.filter(code=code, valid_to__isnull=True).exists():
        raise ActionError(_("该分类仍在使用中。"), code="category_in_force")
    last = Category.objects.filter(code=code).order_by("-version").first()
    if last is None:
        raise ActionError(_("没有该分类。"), code="not_found")
    restored = Category(code=code, version=last.version + 1, valid_from=at or timezone.now())
    for name in LEAF_FIELDS:
        setattr(restored, name, getattr(last, name))
    restored.changed_by = actor if getattr(actor, "pk", None) else None
    restored.change_note = note[:200]
    validate_leaf(restored)
    restored.save()
    audit.record(actor=actor, action="category.restore", obj=restored, after=snapshot(restored))
    return restored
