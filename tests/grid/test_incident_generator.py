"""The incidents part of manage.py generate on a small run: every constraint holds, numbers
are gap-free per day, the stored clocks are portal.clock's, open incidents are in reach of the
grid people's queues, and a seed gives the same rows twice."""

import re
from collections import defaultdict
from datetime import date

import pytest

from grid.generate import Generator
from grid.models import Incident, IncidentNumberCounter
from grid.selectors import incidents as sel
from portal import clock
from portal.clock import Limit
from portal.models import User

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 9)


def generate(n=1500, seed=7):
    return Generator(
        incidents=n, seed=seed, today=TODAY, years=1, log=lambda m: None, vacuum=False
    ).run()


def test_small_run_is_consistent(town):
    result = generate()
    assert result["counts"]["incidents"] == 1500
    assert Incident.objects.count() == 1500
    states = set(Incident.objects.values_list("state", flat=True))
    assert {"closed", "voided", "handling", "reported"} <= states
    per_day = defaultdict(list)
    for number in Incident.objects.values_list("number", flat=True):
        assert re.fullmatch(r"SJ\d{13}", number)
        per_day[number[2:10]].append(int(number[10:]))
    for day, seqs in per_day.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), day
    assert IncidentNumberCounter.objects.count() == len(per_day)
    # the stored clock is portal.clock's
    for incident in Incident.objects.filter(state="handling").select_related("category")[:50]:
        limit = Limit(incident.category.handle_limit, incident.category.limit_unit)
        assert incident.due_at == clock.due_at(incident.handle_started_at, limit)
        assert incident.warn_at == clock.warn_at(incident.due_at, limit)
    for incident in Incident.objects.filter(state="closed")[:50]:
        assert incident.outcome and incident.closed_at >= incident.reported_at
        assert incident.history.last().action == "close"
    head = User.objects.get(username="g_gridhead_0001")
    assert (
        sel.grid_queue(head).count()
        == Incident.objects.filter(
            grid__in=sel.scope.grid_ids(head), state__in=sel.OPEN_STATES
        ).count()
    )


def test_same_seed_same_rows(town):
    generate(n=300, seed=3)
    first = list(Incident.objects.order_by("pk").values_list("number", "state", "grid_id"))
    Incident.objects.all().delete()
    IncidentNumberCounter.objects.all().delete()
    from grid.models import Assignment

    Assignment.objects.all().delete()
    User.objects.filter(username__startswith="g_").delete()
    generate(n=300, seed=3)
    assert list(Incident.objects.order_by("pk").values_list("number", "state", "grid_id")) == first
