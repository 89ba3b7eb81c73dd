"""Reads of the team: squads, officers, certificates, the duty roster, patrol areas."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch, Q

from enforcement.models import Certificate, DutyShift, Officer, Squad


def _with_ancestors(area_code: str) -> list[str]:
    """The area's code and those of the areas above it (micro-grid → grid → village)."""
    from portal.models import Area

    area = Area.objects.filter(code=area_code).select_related("parent", "village").first()
    if area is None:
        return [area_code]
    codes = [area.code]
    parent = area.parent
    while parent is not None:
        codes.append(parent.code)
        parent = parent.parent if parent.parent_id else None
    if area.village_id:
        codes.append(area.village.code)
    return list(dict.fromkeys(codes))


def squad_for_area(area_code: str) -> Squad | None:
    """The squad whose patrol area (片区) covers the area: the area itself or one above it."""
    from enforcement.models import PatrolArea

    if not area_code:
        return None
    codes = _with_ancestors(area_code)
    patrol = (
        PatrolArea.objects.filter(is_active=True, squad__is_active=True, areas__code__in=codes)
        .select_related("squad")
        .order_by("code")
        .first()
    )
    return patrol.squad if patrol else None


def area_code_at(lat, lng) -> str:
    """The most specific area code of the town's map at a point ("" outside the town)."""
    from portal.areas import locate

    if lat is None or lng is None:
        return ""
    found = locate(float(lat), float(lng))
    ref = found.most_specific if found else None
    return ref.code if ref else ""


def officers(*, squad: Squad | None = None, on: date | None = None, certified_only=False):
    qs = (
        Officer.objects.filter(is_active=True)
        .select_related("user", "squad")
        .prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.order_by("-valid_to"))
        )
        .order_by("squad__code", "kind", "user__username")
    )
    if squad is not None:
        qs = qs.filter(squad=squad)
    if certified_only and on is not None:
        qs = (
            qs.filter(kind=Officer.Kind.OFFICER)
            .filter(
                Q(certificates__valid_from__lte=on, certificates__valid_to__gte=on)
                & (Q(certificates__revoked_on__isnull=True) | Q(certificates__revoked_on__gt=on))
            )
            .distinct()
        )
    return qs


def certificates_expiring(*, today: date, within_days: int):
    """Certificates whose last valid day falls within ``within_days`` of ``today``."""
    return (
        Certificate.objects.filter(
            valid_to__gte=today,
            valid_to__lte=today + timedelta(days=within_days),
            revoked_on__isnull=True,
            officer__is_active=True,
        )
        .select_related("officer__user", "officer__squad__leader")
        .order_by("valid_to")
    )


def duty_roster(*, day: date, squad: Squad | None = None):
    qs = DutyShift.objects.filter(day=day).select_related("squad", "officer__user")
    if squad is not None:
        qs = qs.filter(squad=squad)
    return qs.order_by("squad__code", "-is_lead", "officer__user__username")


def squads():
    return Squad.objects.filter(is_active=True).select_related("leader").order_by("code")
