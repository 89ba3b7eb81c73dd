"""Races against real PostgreSQL, in threads with their own connections: numbers never repeat,
two windows never get the same ticket, the last place of a slot goes to one citizen."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import time

import pytest
from django.db import connection, connections

from approvals.models import Appointment, AppointmentCapacity, Ticket, TicketCall
from approvals.services import hall as services
from portal import roles
from portal.errors import ActionError, Conflict
from tests.approvals.hall_helpers import at, make_hall, take
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def run_together(jobs, workers):
    """Run the callables at (nearly) the same moment, each thread on its own connection."""
    barrier = threading.Barrier(workers)
    results, errors = [], []
    lock = threading.Lock()

    def worker(batch):
        try:
            barrier.wait(timeout=30)
            for job in batch:
                try:
                    value = job()
                    with lock:
                        results.append(value)
                except Exception as exc:  # noqa: BLE001 - collected and asserted on
                    with lock:
                        errors.append(exc)
        finally:
            connections.close_all()

    batches = [jobs[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(worker, batches))
    return results, errors


def test_hundred_tickets_taken_in_parallel_get_hundred_distinct_numbers():
    hall = make_hall()
    now = at("2026-10-12 09:00")
    results, errors = run_together([lambda: take(hall.a, now).number] * 100, workers=25)
    assert errors == []
    assert len(results) == 100
    assert len(set(results)) == 100
    assert sorted(results) == [f"A{n:03d}" for n in range(1, 101)]
    assert Ticket.objects.count() == 100


def test_two_windows_calling_at_once_get_different_tickets():
    hall = make_hall()
    now = at("2026-10-12 09:00")
    for _ in range(40):
        take(hall.a, now)  # category A is served by both windows
    w1 = [lambda: _call_and_finish(hall.w1, hall.clerk1, now)] * 20
    w2 = [lambda: _call_and_finish(hall.w2, hall.clerk2, now)] * 20
    jobs = [job for pair in zip(w1, w2, strict=True) for job in pair]
    results, errors = run_together(jobs, workers=2)
    assert errors == []
    numbers = [number for number in results if number]
    assert len(numbers) == 40
    assert len(set(numbers)) == 40  # nobody was called twice
    assert TicketCall.objects.count() == 40
    assert set(TicketCall.objects.values_list("window__number", flat=True)) == {1, 2}


def _call_and_finish(window, clerk, now):
    ticket = services.ticket_call_next(window=window, clerk=clerk, now=now)
    if ticket is None:
        return None
    services.ticket_finish(ticket=ticket, clerk=clerk, now=now)
    return ticket.number


def test_two_windows_pressing_next_at_the_same_instant_get_different_tickets():
    hall = make_hall()
    now = at("2026-10-12 09:00")
    take(hall.a, now)
    take(hall.a, now)
    results, errors = run_together(
        [
            lambda: services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=now).number,
            lambda: services.ticket_call_next(window=hall.w2, clerk=hall.clerk2, now=now).number,
        ],
        workers=2,
    )
    assert errors == []
    assert sorted(results) == ["A001", "A002"]


def test_two_clerks_at_one_window_one_wins_the_other_is_told():
    hall = make_hall()
    hall.clerk2.staff_profile.windows.add(hall.w1)
    now = at("2026-10-12 09:00")
    take(hall.a, now)
    take(hall.a, now)
    results, errors = run_together(
        [
            lambda: services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=now).number,
            lambda: services.ticket_call_next(window=hall.w1, clerk=hall.clerk2, now=now).number,
        ],
        workers=2,
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert errors[0].code == "window_busy"
    assert Ticket.objects.filter(status=Ticket.Status.CALLED).count() == 1


def test_finish_and_no_show_at_once_one_wins():
    hall = make_hall()
    now = at("2026-10-12 09:00")
    take(hall.a, now)
    ticket = services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=now)
    results, errors = run_together(
        [
            lambda: services.ticket_finish(ticket=ticket, clerk=hall.clerk1).status,
            lambda: services.ticket_no_show(ticket=ticket, clerk=hall.clerk1).status,
        ],
        workers=2,
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict)
    ticket.refresh_from_db()
    assert ticket.status == results[0]
    assert TicketCall.objects.get().outcome == results[0]


def test_the_last_place_of_a_slot_goes_to_exactly_one_citizen():
    hall = make_hall()
    AppointmentCapacity.objects.create(category=hall.a, capacity=3)
    citizens = [UserFactory.with_role(roles.CITIZEN) for _ in range(8)]
    now = at("2026-10-09 10:00")
    results, errors = run_together(
        [
            (
                lambda c=c: (
                    services.appointment_book(
                        citizen=c,
                        category=hall.a,
                        day=at("2026-10-10 00:00").date(),
                        start_time=time(9, 30),
                        now=now,
                    ).pk
                )
            )
            for c in citizens
        ],
        workers=8,
    )
    assert len(results) == 3
    assert len(errors) == 5
    assert all(isinstance(e, ActionError) and e.code == "slot_full" for e in errors)
    assert Appointment.objects.filter(status=Appointment.Status.BOOKED).count() == 3
