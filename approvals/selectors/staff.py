"""Reads behind the staff pages: keyset pages of the queues, one application with everything its
screens show, pending extensions, the reviewers of a department, the walk-in matter search.

The queues themselves (which rows, in which order) are approvals.selectors.applications; this
module pages through them and adds what only the pages need."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from approvals.models import (
    Application,
    ApplicationMaterial,
    Extension,
    MaterialFile,
    Matter,
    State,
    StateChange,
    Ticket,
)
from approvals.models.applications import CLOCK_RUNNING
from approvals.selectors import register as register_sel
from portal import roles, sql_memo
from portal.models import User

PAGE_SIZE = 50

# --- keyset pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One column of a queue's ordering (always ascending; PostgreSQL puts NULLs last)."""

    name: str
    nullable: bool = False


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    cursor: str | None

    @property
    def is_first(self) -> bool:
        return not self.cursor


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode_cursor(values: list) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, length: int) -> list | None:
    """The values of a cursor, or None when it is missing or not one of ours."""
    if not cursor or len(cursor) > 512:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != length:
        return None
    if not all(v is None or isinstance(v, int | str) for v in values):
        return None
    return values


def _after(keys: tuple[Key, ...], values: list) -> Q:
    """Rows strictly after ``values`` in the lexicographic order of ``keys``."""

    def equal(key: Key, value) -> Q:
        return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})

    def greater(key: Key, value) -> Q:
        if value is None:  # NULLs sort last: nothing comes after them in this column
            return Q(pk__in=[])
        q = Q(**{f"{key.name}__gt": value})
        return q | Q(**{f"{key.name}__isnull": True}) if key.nullable else q

    result = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        result |= prefix & greater(key, value)
        prefix &= equal(key, value)
    return result


def page_queryset(
    qs: QuerySet, keys: tuple[Key, ...], values: list | None, size: int = PAGE_SIZE
) -> QuerySet:
    """The rows of one page, in one SQL statement that first picks the page's ids in a narrow
    subquery (only the sort keys, no joins: a top-N over the queue's index) and only then joins
    the related rows for those ids. Sorting the whole joined queue would drag every wide row of
    a department's open work through the sort."""
    narrow = qs.filter(_after(keys, values)) if values is not None else qs
    ids = narrow.values("pk")[: size + 1]
    return qs.filter(pk__in=ids)


def keyset_page(
    qs: QuerySet, keys: tuple[Key, ...], cursor: str | None, size: int = PAGE_SIZE
) -> KeysetPage:
    """One page of an ordered queryset, after the row the cursor names. A cursor that does not
    decode, or whose values do not fit the columns, starts again from the first page."""
    values = decode_cursor(cursor, len(keys))
    try:
        rows = list(page_queryset(qs, keys, values, size))
    except (ValidationError, ValueError, TypeError):
        values = None
        rows = list(page_queryset(qs, keys, None, size))
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([getattr(rows[-1], k.name) for k in keys]) if more else None
    return KeysetPage(rows=rows, next_cursor=next_cursor, cursor=cursor if values else None)


def kept_keyset_page(
    key: tuple, build, keys: tuple[Key, ...], cursor: str | None, size: int | None = None
) -> KeysetPage:
    """``keyset_page(build(), keys, cursor, size)``; the first page's statement compiled once
    per ``key`` in this process (portal.sql_memo, issue 19) — ``key`` names everything
    ``build()``'s statement depends on (the queue, the scope's ids, the day, the filters). A
    page after a cursor is built and compiled as it comes."""
    if size is None:  # keyset_page's (which tests shorten)
        size = keyset_page.__defaults__[0]
    if decode_cursor(cursor, len(keys)) is not None:
        return keyset_page(build(), keys, cursor, size)
    rows = sql_memo.instances(
        Application.objects.db,
        ("keyset_page", *key, size),
        lambda: page_queryset(build(), keys, None, size),
    )
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([getattr(rows[-1], k.name) for k in keys]) if more else None
    return KeysetPage(rows=rows, next_cursor=next_cursor, cursor=None)


# The columns each queue's rows show. A queue row needs a dozen columns; loading every column
# of the application (about sixty) and of its matter (about fifty, with texts and JSON) costs
# more than the SQL. The pinned query-count tests fail if a template reaches for one left out.
_APP = ("id", "public_id", "number", "state", "applicant_name")
_PERSON = ("real_name", "first_name", "last_name", "username")
ROW_FIELDS = {
    "intake": (
        *_APP,
        "channel",
        "submission_round",
        "submitted_at",
        "deemed_acceptance_on",
        "matter__name",
        "matter__name_en",
        "department__name",
        "department__name_en",
        "department__short_name",
    ),
    "review": (
        *_APP,
        "accepted_on",
        "due_date",
        "matter__name",
        "matter__name_en",
        *(f"handler__{f}" for f in _PERSON),
    ),
    "district": (
        *_APP,
        "forwarded_on",
        "due_date",
        "matter__name",
        "matter__name_en",
        "department__name",
        "department__name_en",
    ),
    "release": (
        *_APP,
        "outcome",
        "decided_on",
        "release_due_on",
        "matter__name",
        "matter__name_en",
    ),
    "supervision": (
        *_APP,
        "due_date",
        "matter__name",
        "matter__name_en",
        "department__name",
        "department__name_en",
        "department__short_name",
        *(f"handler__{f}" for f in _PERSON),
    ),
}


def slim(qs: QuerySet[Application], kind: str) -> QuerySet[Application]:
    """Only the columns the rows of queue ``kind`` show (the related rows stay joined)."""
    return qs.only(*ROW_FIELDS[kind])


INTAKE_KEYS = (Key("submitted_at"), Key("id"))
REVIEW_KEYS = (Key("clock_rank"), Key("due_date", nullable=True), Key("id"))
RELEASE_KEYS = (Key("release_due_on", nullable=True), Key("decided_on", nullable=True), Key("id"))
SUPERVISION_KEYS = (Key("due_date", nullable=True), Key("id"))


# --- counts for the queue headers ------------------------------------------------------------


def _clock_aggregates(today: date) -> dict:
    running = Q(state__in=CLOCK_RUNNING)
    return {
        "total": Count("id"),
        "overdue": Count("id", filter=running & Q(due_date__lt=today)),
        "warning": Count("id", filter=running & Q(due_date__gte=today, warning_date__lte=today)),
        "paused": Count("id", filter=Q(state=State.SUSPENDED)),
        "unclaimed": Count("id", filter=Q(state=State.ACCEPTED)),
    }


def clock_counts(qs: QuerySet[Application], today: date) -> dict[str, int]:
    """How many rows of a review-type queue are overdue, warning, normal and paused (one query)."""
    return qs.order_by().aggregate(**_clock_aggregates(today))


def kept_clock_counts(key: tuple, build, today: date) -> dict[str, int]:
    """``clock_counts(build(), today)``, its statement compiled once per ``key`` and day in
    this process (portal.sql_memo; ``key`` as for ``kept_keyset_page``)."""
    return sql_memo.aggregate(
        Application.objects.db,
        ("clock_counts", *key, today),
        lambda: build().order_by(),
        **_clock_aggregates(today),
    )


# --- one application -------------------------------------------------------------------------


def application_for_screen(application: Application) -> Application:
    """Load what the staff screens show of one application in a fixed number of queries."""
    return screen_narrow(Application.objects.filter(pk=application.pk)).get()


def screen_narrow(qs: QuerySet[Application]) -> QuerySet[Application]:
    """What the staff screens read with an application (``application_for_screen``; as the
    ``narrow`` of ``selectors.applications.application_get``, read with its scope at once)."""
    materials = (
        ApplicationMaterial.objects.select_related("material")
        .order_by("order", "id")
        .prefetch_related(
            Prefetch(
                "files",
                queryset=MaterialFile.objects.select_related("uploaded_by").order_by(
                    "uploaded_at", "id"
                ),
            )
        )
    )
    return qs.select_related(
        "matter",
        "department",
        "delegating_department",
        "applicant",
        "handler",
        "window",
        "first_contact",
        "ticket",
    ).prefetch_related(
        Prefetch("materials", queryset=materials),
        Prefetch("history", queryset=StateChange.objects.order_by("at", "id")),
        "notices",
        Prefetch("extensions", queryset=Extension.objects.select_related("requested_by")),
        "suspensions",
        "correction_notices",
    )


# --- supervision -----------------------------------------------------------------------------


def pending_extensions() -> QuerySet[Extension]:
    """Extension requests waiting for a supervisor, oldest first."""
    return (
        Extension.objects.filter(status=Extension.Status.PENDING)
        .select_related(
            "application__matter", "application__department", "application__handler", "requested_by"
        )
        .order_by("requested_at", "id")
    )


def department_reviewers(department_id: int) -> QuerySet[User]:
    """Active reviewers of one department, for reassigning its applications."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name=roles.REVIEWER,
            staff_profile__department_id=department_id,
        )
        .annotate(
            open_count=Count(
                "handled_applications",
                filter=Q(
                    handled_applications__state__in=[State.IN_REVIEW, State.SUSPENDED],
                ),
            )
        )
        .order_by("real_name", "username")
    )


# --- walk-in registration --------------------------------------------------------------------


def walk_in_matters(q: str = "", category: str = "", limit: int = 30) -> list[Matter]:
    """Matters in force that can be applied for at a window, searched by name or code
    (penalties, compulsion and inspections are never applied for)."""
    return list(
        register_sel.guide_search(q=q, channel="hall", category=category, appliable=True)[:limit]
    )


def walk_in_drafts(clerk, limit: int = 10) -> list[Application]:
    """Walk-in drafts this clerk started and has not submitted yet, newest first."""
    return list(
        Application.objects.filter(
            filed_by=clerk, state=State.DRAFT, channel=Application.Channel.HALL
        )
        .select_related("matter")
        .order_by("-created_at", "-id")[:limit]
    )


def walk_in_ticket(ticket_id) -> Ticket | None:
    try:
        pk = int(ticket_id)
    except (TypeError, ValueError):
        return None
    return Ticket.objects.filter(pk=pk).select_related("resident", "category", "window").first()


def find_resident_by_id_number(id_number: str) -> User | None:
    from portal import idnumber

    value = idnumber.normalize(id_number)
    if not value:
        return None
    return User.objects.filter(id_number=value).first()


def today() -> date:
    return timezone.localdate()
