"""Appointments: slots from the working-day calendar, capacity, check-in, cancel, no-show."""

from datetime import date, time

import pytest

from approvals.models import Appointment, AppointmentCapacity, Ticket
from approvals.selectors import hall as sel
from approvals.services import hall as services
from portal import roles
from portal.errors import ActionError, Conflict, Forbidden
from tests.approvals.hall_helpers import at, make_hall
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MAKE_UP_SATURDAY = date(2026, 10, 10)  # 国庆调休上班
NATIONAL_DAY = date(2026, 10, 1)
BEFORE = at("2026-09-28 10:00")  # a Monday, both days within the booking horizon


@pytest.fixture
def hall():
    return make_hall()


@pytest.fixture
def citizen():
    return UserFactory.with_role(roles.CITIZEN)


def book(hall, citizen, day=MAKE_UP_SATURDAY, start=time(9, 30), now=BEFORE, category=None):
    return services.appointment_book(
        citizen=citizen, category=category or hall.a, day=day, start_time=start, now=now
    )


def test_make_up_saturday_has_slots_national_day_has_none(hall):
    slots = sel.slots_for(category=hall.a, day=MAKE_UP_SATURDAY, now=BEFORE)
    assert [s.start for s in slots][:3] == [time(9, 0), time(9, 30), time(10, 0)]
    assert len(slots) == 12
    assert all(s.available for s in slots)
    assert sel.slots_for(category=hall.a, day=NATIONAL_DAY, now=BEFORE) == []
    assert sel.slots_for(category=hall.a, day=date(2026, 10, 11), now=BEFORE) == []  # Sunday


def test_booking_a_holiday_is_refused_naming_the_day(hall, citizen):
    with pytest.raises(ActionError) as error:
        book(hall, citizen, day=NATIONAL_DAY)
    assert error.value.code == "not_working_day"
    assert "day" in error.value.fields


def test_booking_on_the_make_up_saturday_works(hall, citizen):
    appointment = book(hall, citizen)
    assert appointment.status == Appointment.Status.BOOKED
    assert len(appointment.code) == 6 and appointment.code.isdigit()


def test_capacity_per_slot_is_respected_and_configurable(hall):
    AppointmentCapacity.objects.create(category=None, start_time=None, capacity=2)
    AppointmentCapacity.objects.create(category=hall.a, start_time=time(10, 0), capacity=1)
    people = [UserFactory.with_role(roles.CITIZEN) for _ in range(3)]
    book(hall, people[0])
    book(hall, people[1])
    with pytest.raises(Conflict) as error:
        book(hall, people[2])
    assert error.value.code == "slot_full"
    book(hall, people[2], start=time(10, 0))
    slots = {s.start: s for s in sel.slots_for(category=hall.a, day=MAKE_UP_SATURDAY, now=BEFORE)}
    assert (slots[time(9, 30)].capacity, slots[time(9, 30)].remaining) == (2, 0)
    assert not slots[time(9, 30)].available
    assert (slots[time(10, 0)].capacity, slots[time(10, 0)].remaining) == (1, 0)
    assert slots[time(14, 0)].capacity == 2
    # Category B has no row of its own: the general capacity applies.
    assert sel.slot_capacity(hall.b, time(10, 0)) == 2


def test_default_capacity_without_configuration(hall):
    assert sel.slot_capacity(hall.a, time(9, 0)) == sel.DEFAULT_SLOT_CAPACITY


def test_a_cancelled_place_can_be_booked_again(hall):
    AppointmentCapacity.objects.create(capacity=1)
    first, second = UserFactory.with_role(roles.CITIZEN), UserFactory.with_role(roles.CITIZEN)
    appointment = book(hall, first)
    services.appointment_cancel(appointment=appointment, actor=first, now=BEFORE)
    assert book(hall, second).status == Appointment.Status.BOOKED


def test_one_appointment_per_category_and_day(hall, citizen):
    book(hall, citizen)
    with pytest.raises(ActionError) as error:
        book(hall, citizen, start=time(14, 0))
    assert error.value.code == "already_booked"
    assert book(hall, citizen, category=hall.b).status == Appointment.Status.BOOKED


def test_past_slots_odd_times_and_far_days_are_refused(hall, citizen):
    with pytest.raises(ActionError) as error:
        book(hall, citizen, day=date(2026, 9, 28), start=time(9, 30))  # already begun
    assert error.value.code == "slot_past"
    with pytest.raises(ActionError) as error:
        book(hall, citizen, start=time(9, 15))
    assert error.value.code == "invalid_slot"
    with pytest.raises(ActionError) as error:
        book(hall, citizen, day=date(2026, 10, 30))
    assert error.value.code == "beyond_horizon"


def test_bookable_days_skip_the_holiday_week_and_include_the_make_up_saturday():
    days = sel.bookable_days(today=date(2026, 9, 28))
    assert MAKE_UP_SATURDAY in days
    assert NATIONAL_DAY not in days
    assert date(2026, 10, 11) not in days
    assert len(days) == 11  # today and the next 10 working days


def test_only_citizens_book(hall):
    clerk = hall.clerk1
    with pytest.raises(Forbidden):
        book(hall, clerk)


def test_check_in_on_arrival_gives_a_priority_ticket(hall, citizen):
    appointment = book(hall, citizen)
    walk_in = services.ticket_take(
        category=hall.a, source=Ticket.Source.KIOSK, now=at("2026-10-10 08:50")
    )
    checked = services.appointment_check_in(code=appointment.code, now=at("2026-10-10 09:20"))
    assert checked.status == Appointment.Status.CHECKED_IN
    ticket = checked.ticket
    assert ticket.is_priority and ticket.priority_reason == Ticket.PriorityReason.APPOINTMENT
    assert ticket.resident == citizen
    assert ticket.source == Ticket.Source.APPOINTMENT
    called = services.ticket_call_next(
        window=hall.w1, clerk=hall.clerk1, now=at("2026-10-10 09:21")
    )
    assert called == ticket  # before the walk-in who came earlier
    assert walk_in.number == "A001" and ticket.number == "A002"


def test_check_in_window_opens_an_hour_before_and_closes_after_the_slot(hall, citizen):
    appointment = book(hall, citizen)
    with pytest.raises(ActionError) as error:
        services.appointment_check_in(code=appointment.code, now=at("2026-10-10 08:20"))
    assert error.value.code == "check_in_not_open"
    with pytest.raises(ActionError) as error:
        services.appointment_check_in(code=appointment.code, now=at("2026-10-10 10:16"))
    assert error.value.code == "check_in_closed"
    with pytest.raises(ActionError) as error:
        services.appointment_check_in(code="000000", now=at("2026-10-10 09:30"))
    assert error.value.code == "appointment_not_found"
    assert services.appointment_check_in(code=appointment.code, now=at("2026-10-10 10:14"))


def test_checking_in_twice_is_a_conflict(hall, citizen):
    appointment = book(hall, citizen)
    services.appointment_check_in(appointment=appointment, now=at("2026-10-10 09:00"))
    with pytest.raises(Conflict):
        services.appointment_check_in(appointment=appointment, now=at("2026-10-10 09:01"))


def test_cancel_before_the_slot_only_and_only_ones_own(hall, citizen):
    appointment = book(hall, citizen)
    other = UserFactory.with_role(roles.CITIZEN)
    with pytest.raises(Forbidden):
        services.appointment_cancel(appointment=appointment, actor=other, now=BEFORE)
    with pytest.raises(ActionError) as error:
        services.appointment_cancel(
            appointment=appointment, actor=citizen, now=at("2026-10-10 09:31")
        )
    assert error.value.code == "too_late_to_cancel"
    services.appointment_cancel(appointment=appointment, actor=citizen, now=at("2026-10-10 09:00"))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_no_show_is_recorded_after_the_slot(hall, citizen):
    appointment = book(hall, citizen)  # 09:30–10:00, check-in until 10:15
    kept = book(hall, UserFactory.with_role(roles.CITIZEN), start=time(14, 0))
    assert services.appointments_mark_no_shows(now=at("2026-10-10 10:14")) == 0
    assert services.appointments_mark_no_shows(now=at("2026-10-10 10:16")) == 1
    appointment.refresh_from_db()
    kept.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW
    assert appointment.no_show_at == at("2026-10-10 10:16")
    assert kept.status == Appointment.Status.BOOKED
    # The next morning the afternoon one is a no-show too; checked-in ones never are.
    assert services.hall_sweep(now=at("2026-10-12 08:00"))["no_shows"] == 1


def test_hall_sweep_task_runs_the_service(hall, citizen):
    from approvals.tasks import hall_sweep

    book(hall, citizen, day=date(2026, 9, 29), start=time(9, 0))
    assert hall_sweep.run() == {"no_shows": 1, "expired_tickets": 0}
    assert Appointment.objects.get().status == Appointment.Status.NO_SHOW
