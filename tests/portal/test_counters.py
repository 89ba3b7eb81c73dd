"""portal.counters.next_value: the one-statement counter hands out what the three statements it
replaced handed out (issue 19): 1, 2, 3 … per key, continuing a row already there, a value
given back by a rollback, and the row kept as the old way kept it."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from approvals.models import ApplicationNumberCounter
from grid.models import IncidentNumberCounter
from portal import counters

pytestmark = pytest.mark.django_db


def _old_way(model, day):
    model.objects.bulk_create([model(day=day, last=0)], ignore_conflicts=True)
    counter = model.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@pytest.mark.parametrize("model", [ApplicationNumberCounter, IncidentNumberCounter])
def test_the_values_and_rows_are_the_old_ways(model):
    days = [date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 4), date(2027, 1, 1)]
    with transaction.atomic():
        old = [_old_way(model, d) for d in days + days]
        old_rows = sorted(model.objects.values_list("day", "last"))
        transaction.set_rollback(True)
    new = [counters.next_value(model, day=d) for d in days + days]
    assert new == old == [1, 1, 2, 1, 3, 2, 4, 2]
    assert sorted(model.objects.values_list("day", "last")) == old_rows


def test_a_row_already_there_continues_and_a_rollback_gives_the_value_back():
    day = date(2026, 12, 4)
    ApplicationNumberCounter.objects.create(day=day, last=41)
    assert counters.next_value(ApplicationNumberCounter, day=day) == 42
    with transaction.atomic():
        assert counters.next_value(ApplicationNumberCounter, day=day) == 43
        transaction.set_rollback(True)
    assert counters.next_value(ApplicationNumberCounter, day=day) == 43
    other = date(2026, 12, 5)
    with transaction.atomic():
        assert counters.next_value(ApplicationNumberCounter, day=other) == 1
        transaction.set_rollback(True)
    assert not ApplicationNumberCounter.objects.filter(day=other).exists()
    with CaptureQueriesContext(connection) as queries:
        assert counters.next_value(ApplicationNumberCounter, day=other) == 1
    assert len(queries) == 1
