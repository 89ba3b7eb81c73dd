"""Reads of leads: scope, queues and what became of a lead."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import LEAD_OPEN, Lead, LeadState
from portal import clock
from portal.errors import NotFound

from .scope import is_bureau, scope_filter, squad_ids


def visible_leads(user) -> QuerySet[Lead]:
    q = scope_filter(user)
    qs = Lead.objects.all()
    return qs if q is None else qs.filter(q)


def lead_get(user, number: str) -> Lead:
    found = (
        visible_leads(user)
        .select_related("squad", "matter", "reporter", "transfer_body")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound(_("未找到该线索。"))
    return found


def with_clock(qs: QuerySet[Lead], now=None) -> QuerySet[Lead]:
    now = now or timezone.now()
    running = Q(state__in=LEAD_OPEN)
    return qs.annotate(
        clock_status=clock.status_case(now, running=running),
        clock_rank=clock.rank_case(now, running=running),
    )


def open_queue(user, *, squad=None, now=None) -> QuerySet[Lead]:
    qs = visible_leads(user).filter(state__in=LEAD_OPEN)
    if squad is not None:
        qs = qs.filter(squad=squad)
    return (
        with_clock(qs, now).select_related("squad", "matter").order_by("clock_rank", "due_at", "id")
    )


# The desk's open leads as plain rows (issue 19): the columns its table shows, in the order
# enforcement_tags.lead_rows reads them — no Lead, Squad or Matter built for ~200 rows, the
# long columns never read — and the statement compiled once per scope in this process (the SQL
# text and its parameters, the moment ``now`` put in at each use; never a row).
DESK_LEAD_COLUMNS = (
    "number",
    "description",
    "source",
    "squad__name",
    "state",
    "filing_due",
    "clock_status",
)
DESK_LEADS = 200
_NOW = datetime(1970, 1, 1, 0, 0, 0, 424242, tzinfo=UTC)  # stands for ``now`` in a kept statement
_SQL_MEMO: dict[tuple, tuple[str, tuple, tuple[int, ...]]] = {}
SQL_MEMO_SIZE = 256


def desk_queryset(user, now) -> QuerySet:
    """The desk's open leads (``DESK_LEAD_COLUMNS``), most urgent first."""
    return (
        with_clock(visible_leads(user).filter(state__in=LEAD_OPEN), now)
        .order_by("clock_rank", "due_at", "id")
        .values_list(*DESK_LEAD_COLUMNS)[:DESK_LEADS]
    )


def desk_leads(user, now=None) -> list[tuple]:
    """``desk_queryset``'s rows as tuples of ``DESK_LEAD_COLUMNS``."""
    now = now or timezone.now()
    if is_bureau(user):
        scope = None
    else:
        scope = tuple(sorted(squad_ids(user)))
        if not scope:
            return []  # Q(pk__in=[]): no query, as the ORM does
    alias = Lead.objects.db
    key = (alias, scope)
    found = _SQL_MEMO.get(key)
    if found is None:
        qs = desk_queryset(user, _NOW)
        sql, params = qs.query.get_compiler(alias).as_sql()
        at = tuple(i for i, p in enumerate(params) if isinstance(p, datetime) and p == _NOW)
        found = (sql, tuple(params), at)
        if len(_SQL_MEMO) >= SQL_MEMO_SIZE:
            _SQL_MEMO.clear()
        _SQL_MEMO[key] = found
    sql, params, at = found
    params = list(params)
    for i in at:
        params[i] = now
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def lead_outcome_for(source: str, source_ref: str) -> dict | None:
    """What became of the latest lead from ``source``/``source_ref`` (the signal's payload
    without ``at``), or None when there is no such lead. For receivers that missed a signal."""
    lead = (
        Lead.objects.filter(source=source, source_ref=source_ref)
        .select_related("case")
        .order_by("-received_at", "-id")
        .first()
    )
    if lead is None:
        return None
    outcome = {
        LeadState.FILED: "filed",
        LeadState.NOT_FILED: "not_filed",
        LeadState.TRANSFERRED: "transferred",
    }.get(lead.state, "")
    case = getattr(lead, "case", None) if lead.state == LeadState.FILED else None
    if case is not None and case.state == "closed":
        outcome = "closed"
    return {
        "lead_number": lead.number,
        "state": lead.state,
        "outcome": outcome,
        "case_number": case.number if case else "",
    }
