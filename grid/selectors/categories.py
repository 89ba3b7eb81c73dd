"""Reads of the category catalogue."""

from datetime import datetime
from itertools import groupby

from django.utils import timezone

from grid.models import Category, CategoryBranch


def in_force(at: datetime | None = None):
    """The leaves in force at ``at`` (now), with their branch, in catalogue order."""
    return (
        Category.objects.in_force(at)
        .filter(branch__is_active=True)
        .select_related("branch")
        .order_by("branch__order", "branch__code", "order", "code")
    )


def leaf_in_force(code: str, at: datetime | None = None) -> Category | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return in_force(at).filter(code=code).first()


def tree(at: datetime | None = None) -> list[tuple[CategoryBranch, list[Category]]]:
    """[(branch, [leaves in force])] for pickers and the catalogue page."""
    leaves = list(in_force(at))
    return [(branch, list(items)) for branch, items in groupby(leaves, key=lambda c: c.branch)]


def current_leaves():
    """The newest version of every category not retired (what the catalogue page edits)."""
    return (
        Category.objects.current()
        .select_related("branch", "changed_by")
        .order_by("branch__order", "branch__code", "order", "code")
    )


def retired_codes() -> list[Category]:
    """The last version of every retired code."""
    current = set(Category.objects.current().values_list("code", flat=True))
    last: dict[str, Category] = {}
    for category in Category.objects.exclude(code__in=current).select_related("branch"):
        if category.code not in last or category.version > last[category.code].version:
            last[category.code] = category
    return sorted(last.values(), key=lambda c: c.code)


def versions(code: str):
    return (
        Category.objects.filter(code=code)
        .select_related("branch", "changed_by")
        .order_by("-version")
    )


def branches(active_only: bool = False):
    qs = CategoryBranch.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def now() -> datetime:
    return timezone.now()
