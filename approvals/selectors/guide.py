"""Reads behind the ways residents find a service: popular matters (from real application
counts), life events (一件事) with the matters each needs, and who a matter is for."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language

from approvals.models import Application, LifeEvent, Matter
from approvals.selectors.register import matters_in_force
from portal import stamps, workdays

POPULAR_DAYS = 180
POPULAR_CACHE_SECONDS = 600
POPULAR_CACHE_KEY = "guide:popular:v1"

# The register's change stamp (portal.stamps): every change to what the guide shows — a matter,
# its materials, a life event, a department, a business category or its windows — sets a new
# one in its own transaction (approvals.signals), so whatever is cached under the stamp is
# dropped by the next request after the commit, in every process.
REGISTER_STAMP = "register"
CATALOGUE_CACHE_SECONDS = 3600
# Only the catalogue's own questions are cached (the filters and the page); a free-text search
# or anything else in the query string is answered afresh, so the cache holds a bounded number
# of pages.
CATALOGUE_PARAMS = ("audience", "department", "kind", "channel", "page")  # and an empty q


def register_stamp() -> int:
    return stamps.read(REGISTER_STAMP)


def catalogue_cache_key(params, *, partial: bool) -> str | None:
    """The cache key of the catalogue page (or its results, ``partial``) asked with ``params``
    (request.GET): the register's stamp, today (versions come into and go out of force by
    date), the language and the question; None when the question is not one that is cached."""
    if any(key not in CATALOGUE_PARAMS and key != "q" for key in params):
        return None
    if params.get("q", "").strip():
        return None
    if any(len(params.getlist(key)) > 1 or len(params.get(key, "")) > 40 for key in params):
        return None
    question = "&".join(f"{key}={params.get(key)}" for key in sorted(params))
    digest = hashlib.sha256(question.encode()).hexdigest()[:32]
    return "guide:catalogue:v1:{stamp}:{day}:{language}:{which}:{digest}".format(
        stamp=register_stamp(),
        day=timezone.localdate().isoformat(),
        language=get_language() or "",
        which="results" if partial else "page",
        digest=digest,
    )


# The body of a matter's or a life event's guide page (what is inside the page's frame: no
# menu, no signed-in header, no CSRF token) is the same for every reader in a language on a day:
# rendered once under the stamps of everything it shows (guide_page_stamps) — the register, and
# for a matter the working-day calendar its example due date is counted on.
PAGE_CACHE_SECONDS = CATALOGUE_CACHE_SECONDS


def guide_page_stamps(*, calendar: bool = True) -> dict[str, int]:
    """The stamps a guide page's body is cached under, read in one query before its data."""
    keys = (REGISTER_STAMP, workdays.CALENDAR_STAMP) if calendar else (REGISTER_STAMP,)
    return stamps.read_all(keys)


def guide_page_cache_key(which: str, code: str, *, day, seen: dict[str, int]) -> str:
    """The cache key of the body of a matter's (``which="matter"``) or a life event's
    (``"event"``) guide page: the stamps ``seen`` (guide_page_stamps), the day (versions come into
    and go out of force by date; the example due date counts from today), the language and the
    code (hashed: the URL takes any text)."""
    digest = hashlib.sha256(code.encode()).hexdigest()[:32]
    return "guide:{which}:v1:{stamps}:{day}:{language}:{digest}".format(
        which=which,
        stamps=":".join(f"{key}={value}" for key, value in sorted(seen.items())),
        day=day.isoformat(),
        language=get_language() or "",
        digest=digest,
    )


def _in_force_by_code(codes) -> dict[str, Matter]:
    return {
        m.code: m
        for m in matters_in_force()
        .filter(code__in=set(codes))
        .exclude(kind__in=Matter.EX_OFFICIO_KINDS)
        .only("code", "name", "name_en", "audience", "committed_days", "channel_online", "kind")
    }


def popular_codes(limit: int = 8) -> list[str]:
    """Codes of the matters most applied for in the last ``POPULAR_DAYS`` days (submitted
    applications of every channel), cached for ten minutes: one grouped count."""
    codes = cache.get(POPULAR_CACHE_KEY)
    if codes is None:
        since = timezone.now() - timedelta(days=POPULAR_DAYS)
        rows = (
            Application.objects.filter(submitted_at__gte=since)
            .values("matter__code")
            .annotate(n=Count("id"))
            .order_by("-n", "matter__code")[:30]
        )
        codes = [row["matter__code"] for row in rows]
        cache.set(POPULAR_CACHE_KEY, codes, POPULAR_CACHE_SECONDS)
    return codes[: limit * 2]


def popular_matters(limit: int = 8) -> list[Matter]:
    """The popular matters still in force and applied for (not enforcement), most used first."""
    codes = popular_codes(limit)
    if not codes:
        return []
    by_code = _in_force_by_code(codes)
    return [by_code[c] for c in codes if c in by_code][:limit]


def life_events(with_matters: bool = True) -> list[LifeEvent]:
    """Active life events, each with ``.matters``: the versions in force of its codes, in the
    event's order (two queries whatever the number of events)."""
    events = list(LifeEvent.objects.filter(is_active=True))
    if with_matters:
        by_code = _in_force_by_code(c for e in events for c in e.matter_codes)
        for event in events:
            event.matters = [by_code[c] for c in event.matter_codes if c in by_code]
    return events


def life_event(code: str) -> LifeEvent | None:
    event = LifeEvent.objects.filter(code=code, is_active=True).first()
    if event is None:
        return None
    codes = event.matter_codes
    by_code = {
        m.code: m
        for m in matters_in_force()
        .filter(code__in=codes)
        .exclude(kind__in=Matter.EX_OFFICIO_KINDS)
        .select_related("handling_department", "category")
    }
    event.matters = [by_code[c] for c in codes if c in by_code]
    return event


def where_and_who(matter: Matter) -> dict:
    """Where and when the matter is handled and whom to call: the register's own values, else
    the hall's (settings ONEWINDOW: HALL_ADDRESS, HALL_HOURS, HALL_PHONE, COMPLAINT_PHONE)."""
    from portal.home import localized

    values = settings.ONEWINDOW
    return {
        "address": matter.office_address or localized("HALL_ADDRESS"),
        "hours": matter.office_hours or localized("HALL_HOURS"),
        "enquiry_phone": matter.enquiry_phone or values.get("HALL_PHONE", ""),
        "complaint_phone": matter.complaint_phone or values.get("COMPLAINT_PHONE", ""),
    }
