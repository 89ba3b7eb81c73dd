"""Reads of cases: scope, queues, the deadline board."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import OPEN_STATES, Case, CaseState
from portal import clock
from portal.errors import NotFound

from .scope import scope_filter


def visible_cases(user) -> QuerySet[Case]:
    q = scope_filter(user)
    qs = Case.objects.all()
    return qs if q is None else qs.filter(q)


def case_get(user, number: str) -> Case:
    found = _scoped(user, number).first()
    if found is None:
        raise NotFound(_("未找到该案件。"))
    return found


def _scoped(user, number: str) -> QuerySet[Case]:
    return visible_cases(user).select_related("squad", "matter", "lead").filter(number=number)


# What the case page reads of its case, loaded with it: the plan and the payments (the fee, the
# outstanding sum, the acts and the list), the preservations and correction orders (the acts
# and the lists).
PAGE_RELATED = ("squad", "matter", "lead", "payment_plan")
PAGE_PREFETCH = ("payments", "preservations", "correction_orders")
# The case's rows the page lists that are mostly none (a closed case has its documents, history
# and payments): which of them a case has is asked in one query (``lists_of``), and only those are
# read (``page_read``; issue 19: eleven reads, most of them empty, were a third of the page's queries).
PAGE_PROBED = (
    "evidence",
    "records",
    "reviews",
    "discussions",
    "statements",
    "hearing",
    "suspensions",
    "decision_extensions",
    "joint_actions",
    *PAGE_PREFETCH,
)


def case_page_get(user, number: str) -> Case:
    """``case_get`` for the case page: the same scope, with what the page reads of the case
    (``page_read``)."""
    found = page_read(_scoped(user, number).select_related(*PAGE_RELATED))
    if found is None:
        raise NotFound(_("未找到该案件。"))
    return found


def page_read(qs: QuerySet[Case]) -> Case | None:
    """The first case of ``qs`` with ``page_lists`` (the names of PAGE_PROBED it has rows of) and its
    PAGE_PREFETCH rows loaded: read where it has some, none where it has none. The page shows
    its own clock (services.cases.clock_status), not the SQL one of ``with_clock``."""
    from django.db.models import prefetch_related_objects

    found = qs.first()
    if found is None:
        return None
    found.page_lists = lists_of(found.pk)
    prefetch_related_objects([found], *(n for n in PAGE_PREFETCH if n in found.page_lists))
    cache = found.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in PAGE_PREFETCH:
        if name not in found.page_lists:
            empty = getattr(found, name).all()
            empty._result_cache = []
            empty._prefetch_done = True
            cache[name] = empty
    return found


_PROBE: list[str] = []


def lists_of(case_id: int) -> frozenset[str]:
    """The names of PAGE_PROBED that case ``case_id`` has rows of (one query)."""
    from django.db import connection

    if not _PROBE:
        parts = []
        for name in PAGE_PROBED:
            related = Case._meta.get_field(name).related_model
            column = related._meta.get_field("case").column
            quote = connection.ops.quote_name
            parts.append(
                f"EXISTS (SELECT 1 FROM {quote(related._meta.db_table)} "
                f"WHERE {quote(column)} = %(case)s)"
            )
        _PROBE.append("SELECT " + ", ".join(parts))
    with connection.cursor() as cursor:
        cursor.execute(_PROBE[0], {"case": case_id})
        row = cursor.fetchone()
    return frozenset(name for name, has in zip(PAGE_PROBED, row, strict=True) if has)


RUNNING = Q(state__in=OPEN_STATES)
PAUSED = Q(clock_paused=True)


def with_clock(qs: QuerySet[Case], now=None) -> QuerySet[Case]:
    now = now or timezone.now()
    return qs.annotate(
        clock_status=clock.status_case(now, running=RUNNING, paused=PAUSED),
        clock_rank=clock.rank_case(now, running=RUNNING, paused=PAUSED),
    )


__all__ = [
    "CaseState",
    "case_get",
    "case_page_get",
    "lists_of",
    "page_read",
    "visible_cases",
    "with_clock",
]


def board_by_squad(user, now=None) -> list[dict]:
    """Open cases per squad by clock status (one query)."""
    from django.db.models import Count

    from enforcement.models import Squad

    now = now or timezone.now()
    status = clock.status_case(now, running=RUNNING, paused=PAUSED)
    rows = (
        visible_cases(user)
        .filter(state__in=OPEN_STATES)
        .annotate(clock_status=status)
        .values("squad_id", "clock_status")
        .annotate(n=Count("id"))
    )
    squads = {s.pk: s for s in Squad.objects.filter(is_active=True)}
    board: dict[int, dict] = {}
    for pk, squad in squads.items():
        board[pk] = {
            "squad": squad.code,
            "squad_name": squad.name,
            "open": 0,
            "overdue": 0,
            "warning": 0,
            "normal": 0,
            "paused": 0,
        }
    for row in rows:
        entry = board.get(row["squad_id"])
        if entry is None:
            continue
        entry["open"] += row["n"]
        if row["clock_status"] in entry:
            entry[row["clock_status"]] += row["n"]
    scope = visible_squads(user)
    return [
        v
        for k, v in sorted(board.items(), key=lambda kv: kv[1]["squad"])
        if scope is None or k in scope
    ]


def visible_squads(user) -> set[int] | None:
    from .scope import is_bureau, squad_ids

    return None if is_bureau(user) else squad_ids(user)


def _in_order(ids: list[int], now=None) -> list[Case]:
    """The cases of ``ids``, with their clock, in that order (one query)."""
    found = {
        c.pk: c
        for c in with_clock(Case.objects.filter(pk__in=ids), now).select_related("squad", "matter")
    }
    return [found[pk] for pk in ids if pk in found]


def _ranked_ids(qs: QuerySet[Case], now, limit: int) -> list[int]:
    """The ids of the most urgent open cases of ``qs``: ranked on the open cases' covering
    index alone (no wide rows read)."""
    return list(
        with_clock(qs.filter(state__in=OPEN_STATES), now)
        .order_by("clock_rank", "due_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def deadline_board(user, *, squad=None, status=None, now=None, limit=50) -> list[Case]:
    """The most urgent open cases first (overdue, warning, normal, paused), with their current
    legal deadline: the bureau's deadline board by case."""
    now = now or timezone.now()
    qs = visible_cases(user)
    if squad is not None:
        qs = qs.filter(squad=squad)
    if status:
        qs = with_clock(qs, now).filter(clock_status=status)
    return _in_order(_ranked_ids(qs, now, limit), now)


def officer_cases(user, *, limit=50, now=None) -> list[Case]:
    """An officer's own open cases (assigned to them), the most urgent first: overdue, warning,
    normal, paused, each by its current deadline."""
    from enforcement.models import CaseOfficer

    now = now or timezone.now()
    mine = CaseOfficer.objects.filter(officer__user=user).values("case_id")
    return _in_order(_ranked_ids(Case.objects.filter(pk__in=mine), now, limit), now)
