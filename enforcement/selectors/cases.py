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
    found = (
        visible_cases(user).select_related("squad", "matter", "lead").filter(number=number).first()
    )
    if found is None:
        raise NotFound(_("未找到该案件。"))
    return found


RUNNING = Q(state__in=OPEN_STATES)
PAUSED = Q(clock_paused=True)


def with_clock(qs: QuerySet[Case], now=None) -> QuerySet[Case]:
    now = now or timezone.now()
    return qs.annotate(
        clock_status=clock.status_case(now, running=RUNNING, paused=PAUSED),
        clock_rank=clock.rank_case(now, running=RUNNING, paused=PAUSED),
    )


__all__ = ["CaseState", "case_get", "visible_cases", "with_clock"]
