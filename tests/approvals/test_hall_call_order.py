"""Issue 16: within a priority level the windows call tickets in the order of their numbers,
always — also when the tickets were taken at the same moment (a morning rush at two kiosks),
where a later number used to carry an earlier taking time (Z005 called before Z001)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from approvals.models import Ticket, TicketCall
from approvals.services import hall as services
from tests.approvals.hall_helpers import at, make_hall, take
from tests.approvals.test_hall_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _call_all(window, clerk, now=None) -> list[str]:
    """Call and finish every waiting ticket at one window; the numbers in the order called."""
    called = []
    while True:
        ticket = services.ticket_call_next(window=window, clerk=clerk, now=now)
        if ticket is None:
            return called
        services.ticket_finish(ticket=ticket, clerk=clerk, now=now)
        called.append(ticket.number)


def test_a_later_number_never_carries_an_earlier_taking_time():
    """Two kiosks whose clocks disagree by a few seconds: kiosk 2 is behind."""
    hall = make_hall()
    base = at("2026-10-12 08:30")
    for skew in [5, 1, 4, 0, 3]:  # seconds after 08:30, out of order
        take(hall.a, base + timedelta(seconds=skew))
    numbers = list(Ticket.objects.order_by("sequence").values_list("number", "taken_at"))
    times = [taken for _number, taken in numbers]
    assert times == sorted(times), "the taking times follow the numbers"
    assert _call_all(hall.w1, hall.clerk1, base + timedelta(minutes=5)) == [
        "A001",
        "A002",
        "A003",
        "A004",
        "A005",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_tickets_taken_in_a_rush_at_two_kiosks_are_called_in_number_order():
    hall = make_hall()

    def rush_take(category, priority=""):
        # the moment the resident pressed the button, before the number is allocated
        pressed = timezone.now()
        return take(category, pressed, priority=priority).number

    jobs = [lambda: rush_take(hall.a)] * 30 + [lambda: rush_take(hall.b)] * 10
    jobs += [lambda: rush_take(hall.a, "elderly")] * 6
    results, errors = run_together(jobs, workers=10)
    assert errors == [] and len(results) == 46

    calls = _call_all(hall.w1, hall.clerk1)  # window 1 serves category A only
    priority = list(
        Ticket.objects.filter(category=hall.a, is_priority=True).values_list("number", flat=True)
    )
    assert calls[: len(priority)] == sorted(priority)
    assert calls[len(priority) :] == sorted(set(calls) - set(priority))
    assert len(calls) == 36

    calls_b = _call_all(hall.w2, hall.clerk2)
    assert calls_b == [f"B{n:03d}" for n in range(1, 11)]
    assert list(TicketCall.objects.order_by("id").values_list("ticket__number", flat=True)) == [
        *calls,
        *calls_b,
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_window_serving_two_categories_keeps_each_series_in_order():
    hall = make_hall()
    base = at("2026-10-12 09:00")
    jobs = []
    for n in range(20):
        when = base + timedelta(seconds=(n * 7) % 5)  # many equal and reversed times
        category = hall.a if n % 2 else hall.b
        jobs.append(lambda c=category, w=when: take(c, w).number)
    results, errors = run_together(jobs, workers=8)
    assert errors == []
    calls = _call_all(hall.w2, hall.clerk2, base + timedelta(minutes=10))
    assert len(calls) == 20
    for prefix in "AB":
        series = [c for c in calls if c.startswith(prefix)]
        assert series == sorted(series), series
