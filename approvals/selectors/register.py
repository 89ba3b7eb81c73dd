"""Reads of the register: the version in force on a date, the public guide's search, the
history of a matter, the administrators' lists.

A version is *in force* on a day when it is not a draft, has a start date on or before that day
and no end date before it. Retired versions stay in force for the dates they covered, so that
an application is always judged by the version that was in force when it was accepted."""

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from approvals.models import (
    BusinessCategory,
    DelegationInstrument,
    DelegationItem,
    Material,
    Matter,
    RegisterImportJob,
)
from portal.models import Department, Window
from portal.pinyin import is_latin

CHANNEL_FIELDS = {
    "hall": "channel_hall",
    "online": "channel_online",
    "self_service": "channel_self_service",
    "proxy": "channel_proxy",
}


def today() -> date:
    return timezone.localdate()


def in_force_q(on: date, prefix: str = "") -> Q:
    return (
        ~Q(**{f"{prefix}status": Matter.Status.DRAFT})
        & Q(**{f"{prefix}valid_from__isnull": False, f"{prefix}valid_from__lte": on})
        & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on}))
    )


def matters_in_force(on: date | None = None) -> QuerySet[Matter]:
    """Every version in force on ``on`` (default: today) — one per code at most."""
    return Matter.objects.filter(in_force_q(on or today()))


def matter_in_force(code: str, on: date | None = None) -> Matter | None:
    """The version of ``code`` in force on ``on`` (default: today), or None. Applications call
    this at acceptance time and keep a foreign key to the exact version."""
    return (
        matters_in_force(on)
        .filter(code=code)
        .select_related("handling_department", "delegating_department", "category")
        .prefetch_related("materials")
        .first()
    )


def matter_in_force_id(code: str, on: date | None = None) -> int | None:
    """The key of ``matter_in_force(code, on)``, read alone (an acceptance asks whether the
    application's version is still the one in force: almost always, and then nothing else
    about it is needed)."""
    return matters_in_force(on).filter(code=code).values_list("pk", flat=True).first()


def matter_versions(code: str, *, include_drafts: bool = True) -> QuerySet[Matter]:
    qs = Matter.objects.filter(code=code).select_related(
        "handling_department", "delegating_department", "published_by"
    )
    if not include_drafts:
        qs = qs.exclude(status=Matter.Status.DRAFT)
    return qs.order_by("version")


def matter_latest(code: str) -> Matter | None:
    """The newest version of a code, draft or not."""
    return Matter.objects.filter(code=code).order_by("-version").first()


def matter_draft(code: str) -> Matter | None:
    return Matter.objects.filter(code=code, status=Matter.Status.DRAFT).first()


def matter_history(code: str) -> list[dict]:
    """Who held the power when: every non-draft version of ``code`` in date order, with the
    delegation instrument items that touched it."""
    versions = list(
        matter_versions(code, include_drafts=False).prefetch_related(
            Prefetch(
                "delegation_items",
                queryset=DelegationItem.objects.select_related("instrument"),
            )
        )
    )
    versions.sort(key=lambda m: (m.valid_from or date.max, m.version))
    return [
        {
            "matter": m,
            "version": m.version,
            "status": m.status,
            "valid_from": m.valid_from,
            "valid_to": m.valid_to,
            "delegation_mode": m.delegation_mode,
            "delegating_department": m.delegating_department,
            "handling_department": m.handling_department,
            "items": list(m.delegation_items.all()),
        }
        for m in versions
    ]


# --- the public guide ---------------------------------------------------------------------


def name_query(word: str) -> Q:
    """One search word against a matter: part of the name, the code's start, or (for letters)
    the pinyin initials or the full pinyin — "lnr" and "laonian" find 老年人优待证办理."""
    condition = Q(name__icontains=word) | Q(code__istartswith=word)
    if is_latin(word):
        key = word.lower()
        condition |= Q(search_initials__contains=key) | Q(search_pinyin__contains=key)
    return condition


def guide_search(
    *,
    q: str = "",
    department: str = "",
    kind: str = "",
    channel: str = "",
    category: str = "",
    audience: str = "",
    appliable: bool | None = None,
    on: date | None = None,
) -> QuerySet[Matter]:
    """The public catalogue: versions in force, searched by partial name (Chinese works: every
    word must occur in the name), pinyin initials or full pinyin, or by code (exact or
    prefix), filtered by handling or delegating department (code), kind, channel, business
    category (code) and audience (a matter for both persons and organisations shows in
    either). ``appliable`` True keeps the services people apply for, False the penalties,
    compulsion and inspections the town exercises itself (执法事项公示), None both."""
    qs = matters_in_force(on).select_related("handling_department", "category")
    if appliable is True:
        qs = qs.exclude(kind__in=Matter.EX_OFFICIO_KINDS)
    elif appliable is False:
        qs = qs.filter(kind__in=Matter.EX_OFFICIO_KINDS).select_related("delegating_department")
    words = [w for w in (q or "").split() if w]
    for word in words:
        qs = qs.filter(name_query(word))
    if department:
        qs = qs.filter(
            Q(handling_department__code=department) | Q(delegating_department__code=department)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if channel in CHANNEL_FIELDS:
        qs = qs.filter(**{CHANNEL_FIELDS[channel]: True})
    if category:
        qs = qs.filter(category__code=category)
    if audience in (Matter.Audience.PERSON, Matter.Audience.ORGANISATION):
        qs = qs.filter(audience__in=[audience, Matter.Audience.BOTH])
    return qs.order_by("code")


def guide_matter(code: str, on: date | None = None) -> Matter | None:
    """Everything the guide page of one matter shows, or None when no version is in force."""
    return (
        matters_in_force(on)
        .filter(code=code)
        .select_related("handling_department", "delegating_department", "category")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch(
                "category__windows",
                queryset=Window.objects.filter(is_active=True).order_by("number"),
            ),
        )
        .first()
    )


def matter_withdrawn(code: str, on: date | None = None) -> dict | None:
    """When ``code`` was handled here before ``on`` but no version is in force on ``on``: the
    last version that was (``matter``), the first day it no longer was (``since``), the reason
    it was retired, and a version announced for later (``next``), if any. None otherwise
    (in force, never in force, unknown)."""
    on = on or today()
    if matters_in_force(on).filter(code=code).exists():
        return None
    last = (
        Matter.objects.filter(code=code, valid_from__isnull=False, valid_to__lt=on)
        .exclude(status=Matter.Status.DRAFT)
        .select_related("handling_department", "delegating_department")
        .order_by("-valid_to", "-version")
        .first()
    )
    if last is None:
        return None
    upcoming = (
        Matter.objects.filter(code=code, status=Matter.Status.PUBLISHED, valid_from__gt=on)
        .order_by("valid_from")
        .first()
    )
    return {
        "matter": last,
        "since": last.valid_to + timedelta(days=1),
        "reason": last.retire_reason,
        "next": upcoming,
    }


def guide_material(code: str, material_id: int, on: date | None = None) -> Material | None:
    """A material of the version in force (its forms may be downloaded by anyone)."""
    matter = matters_in_force(on).filter(code=code).first()
    if matter is None:
        return None
    return Material.objects.filter(pk=material_id, matter=matter).first()


def guide_departments(on: date | None = None) -> QuerySet[Department]:
    """Departments that handle at least one matter in force (the catalogue's filter)."""
    in_force = matters_in_force(on).filter(handling_department=OuterRef("pk"))
    return Department.objects.filter(Exists(in_force)).order_by("kind", "code")


def guide_categories() -> QuerySet[BusinessCategory]:
    return BusinessCategory.objects.filter(is_active=True)


# --- administration -------------------------------------------------------------------------


def admin_matters(
    *,
    q: str = "",
    status: str = "",
    department: str = "",
    kind: str = "",
    delegation_mode: str = "",
    latest_only: bool = True,
) -> QuerySet[Matter]:
    """The administrators' list: by default the newest version of each code."""
    qs = Matter.objects.select_related("handling_department", "delegating_department")
    if latest_only:
        newest = (
            Matter.objects.filter(code=OuterRef("code")).order_by("-version").values("version")[:1]
        )
        qs = qs.filter(version=Subquery(newest))
    for word in (q or "").split():
        qs = qs.filter(Q(name__icontains=word) | Q(code__istartswith=word))
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(
            Q(handling_department__code=department) | Q(delegating_department__code=department)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if delegation_mode:
        qs = qs.filter(delegation_mode=delegation_mode)
    return qs.order_by("code", "-version")


def register_counts(on: date | None = None) -> dict:
    on = on or today()
    return {
        "in_force": matters_in_force(on).count(),
        "drafts": Matter.objects.filter(status=Matter.Status.DRAFT).count(),
        "retired": Matter.objects.filter(status=Matter.Status.RETIRED).count(),
    }


def matter_for_admin(pk: int) -> Matter | None:
    return (
        Matter.objects.select_related(
            "handling_department", "delegating_department", "category", "published_by"
        )
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch(
                "delegation_items",
                queryset=DelegationItem.objects.select_related("instrument"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def instruments_list() -> QuerySet[DelegationInstrument]:
    return DelegationInstrument.objects.annotate(item_count=Count("items")).order_by(
        "-effective_date", "-id"
    )


def instrument_detail(pk: int) -> DelegationInstrument | None:
    return (
        DelegationInstrument.objects.prefetch_related(
            Prefetch(
                "items",
                queryset=DelegationItem.objects.select_related("matter").order_by("order", "id"),
            )
        )
        .filter(pk=pk)
        .first()
    )


def draft_instruments() -> QuerySet[DelegationInstrument]:
    return DelegationInstrument.objects.filter(status=DelegationInstrument.Status.DRAFT)


def import_jobs_recent(limit: int = 10) -> QuerySet[RegisterImportJob]:
    return RegisterImportJob.objects.defer("source").select_related("created_by")[:limit]


def import_job(public_id) -> RegisterImportJob | None:
    return (
        RegisterImportJob.objects.defer("source")
        .select_related("created_by", "applied_by")
        .filter(public_id=public_id)
        .first()
    )
