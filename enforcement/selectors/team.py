"""Reads of the team: squads, officers, certificates, the duty roster, patrol areas."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch, Q

from enforcement.models import Certificate, DutyShift, Officer, Squad


def squad_for_area(area_code: str) -> Squad | None:
    """The squad whose patrol area covers the area (patrol areas come with the town's map)."""
    return None


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
