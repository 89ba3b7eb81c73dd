"""Tickets and calling: numbering, priority order, the window's categories and the clerk's
actions (recall, no-show, transfer, finish), as services."""

import pytest

from approvals.models import Ticket, TicketCall
from approvals.services import hall as services
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import AuditEntry
from tests.approvals.hall_helpers import at, make_hall, take
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    return make_hall()


def test_numbers_count_up_per_category_and_start_again_each_day(hall):
    monday = at("2026-10-12 08:55")
    numbers = [take(hall.a, monday).number for _ in range(3)]
    numbers.append(take(hall.b, monday).number)
    assert numbers == ["A001", "A002", "A003", "B001"]
    tuesday = at("2026-10-13 08:50")
    assert take(hall.a, tuesday).number == "A001"
    assert take(hall.a, monday).number == "A004"  # Monday's counter was not reset by Tuesday's


def test_day_follows_the_hall_time_zone(hall):
    # 23:30 UTC on the 12th is 07:30 on the 13th in Shanghai.
    from datetime import UTC, datetime

    ticket = take(hall.a, datetime(2026, 10, 12, 23, 30, tzinfo=UTC))
    assert str(ticket.day) == "2026-10-13"


def test_priority_first_then_oldest(hall):
    t = at("2026-10-12 09:00")
    first = take(hall.a, t)
    second = take(hall.a, t.replace(minute=1))
    elderly = take(hall.a, t.replace(minute=5), priority=Ticket.PriorityReason.ELDERLY)
    disabled = take(hall.a, t.replace(minute=6), priority=Ticket.PriorityReason.DISABLED)
    called = []
    for minute in range(10, 14):
        ticket = services.ticket_call_next(
            window=hall.w1, clerk=hall.clerk1, now=t.replace(minute=minute)
        )
        called.append(ticket.number)
        services.ticket_finish(
            ticket=ticket, clerk=hall.clerk1, now=t.replace(minute=minute, second=30)
        )
    assert called == [elderly.number, disabled.number, first.number, second.number]


def test_people_ahead_counts_what_the_windows_serving_the_category_call_first(hall):
    """A is served by windows 1 and 2; window 2 also serves B, so B's earlier tickets are called
    before a later A ticket (issue 18: not only the ticket's own category)."""
    from approvals.selectors.hall import people_ahead

    t = at("2026-10-12 09:00")
    first = take(hall.a, t)
    b_ticket = take(hall.b, t.replace(minute=1))
    later = take(hall.a, t.replace(minute=2))
    elderly = take(hall.a, t.replace(minute=3), priority=Ticket.PriorityReason.ELDERLY)
    assert people_ahead(first) == 1  # the elderly resident goes first
    assert people_ahead(later) == 3  # first, the B ticket window 2 will call, the elderly
    assert people_ahead(elderly) == 0
    # B is served by window 2 only, which also calls A: A's earlier tickets come first there
    assert people_ahead(b_ticket) == 2


def test_a_category_on_other_windows_does_not_count(hall):
    from approvals.models import BusinessCategory
    from approvals.selectors.hall import people_ahead
    from tests.factories import WindowFactory

    t = at("2026-10-12 09:00")
    c = BusinessCategory.objects.create(code="HJ", name="户籍", ticket_prefix="D", order=3)
    c.windows.set([WindowFactory(number=7, name="户籍窗口")])
    take(c, t)
    take(c, t.replace(minute=1))
    mine = take(hall.b, t.replace(minute=2))
    assert people_ahead(mine) == 0


def test_a_window_calls_only_its_categories(hall):
    t = at("2026-10-12 09:00")
    take(hall.b, t)  # category B is served at window 2 only
    assert services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=t) is None
    ticket = services.ticket_call_next(window=hall.w2, clerk=hall.clerk2, now=t)
    assert ticket.number == "B001"
    assert ticket.window == hall.w2


def test_yesterdays_tickets_are_not_called_and_expire(hall):
    take(hall.a, at("2026-10-12 16:50"))
    tuesday = at("2026-10-13 09:00")
    assert services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=tuesday) is None
    assert services.tickets_expire(now=tuesday) == 1
    assert Ticket.objects.get().status == Ticket.Status.EXPIRED


def test_clerk_may_call_only_at_own_window(hall):
    take(hall.a, at("2026-10-12 09:00"))
    with pytest.raises(Forbidden) as error:
        services.ticket_call_next(window=hall.w2, clerk=hall.clerk1, now=at("2026-10-12 09:01"))
    assert error.value.code == "not_your_window"


def test_window_serves_one_ticket_at_a_time(hall):
    t = at("2026-10-12 09:00")
    take(hall.a, t)
    take(hall.a, t)
    services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=t)
    with pytest.raises(Conflict) as error:
        services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=t)
    assert error.value.code == "window_busy"
    assert error.value.status_code == 409


def test_recall_announces_again_and_finish_records_times(hall):
    t = at("2026-10-12 09:00")
    take(hall.a, t)
    ticket = services.ticket_call_next(
        window=hall.w1, clerk=hall.clerk1, now=at("2026-10-12 09:12")
    )
    services.ticket_recall(ticket=ticket, clerk=hall.clerk1, now=at("2026-10-12 09:13"))
    call = TicketCall.objects.get()
    assert call.announcements == 2
    assert call.announced_at == at("2026-10-12 09:13")
    services.ticket_finish(ticket=ticket, clerk=hall.clerk1, now=at("2026-10-12 09:20"))
    call.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.FINISHED
    assert call.outcome == TicketCall.Outcome.FINISHED
    assert (call.called_at - call.queued_at).total_seconds() == 12 * 60
    assert (call.ended_at - call.called_at).total_seconds() == 8 * 60
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "hall.ticket_take",
        "hall.ticket_call",
        "hall.ticket_recall",
        "hall.ticket_finish",
    } <= actions


def test_finishing_twice_is_a_conflict(hall):
    take(hall.a, at("2026-10-12 09:00"))
    ticket = services.ticket_call_next(
        window=hall.w1, clerk=hall.clerk1, now=at("2026-10-12 09:01")
    )
    services.ticket_finish(ticket=ticket, clerk=hall.clerk1)
    with pytest.raises(Conflict) as error:
        services.ticket_no_show(ticket=ticket, clerk=hall.clerk1)
    assert error.value.code == "ticket_not_called"


def test_no_show_frees_the_window_for_the_next_ticket(hall):
    t = at("2026-10-12 09:00")
    take(hall.a, t)
    take(hall.a, t.replace(minute=1))
    first = services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=t.replace(minute=5))
    services.ticket_no_show(ticket=first, clerk=hall.clerk1, now=t.replace(minute=8))
    first.refresh_from_db()
    assert first.status == Ticket.Status.NO_SHOW
    second = services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=t.replace(minute=9))
    assert second.number == "A002"


def test_transfer_keeps_the_number_and_its_place_in_the_new_queue(hall):
    t = at("2026-10-12 09:00")
    take(hall.b, t.replace(minute=5))  # B001, taken after A001
    a1 = take(hall.a, t)
    ticket = services.ticket_call_next(window=hall.w1, clerk=hall.clerk1, now=t.replace(minute=10))
    assert ticket == a1
    services.ticket_transfer(
        ticket=ticket, clerk=hall.clerk1, category=hall.b, now=t.replace(minute=15)
    )
    a1.refresh_from_db()
    assert (a1.status, a1.category, a1.number) == (Ticket.Status.WAITING, hall.b, "A001")
    # Window 2 serves B: the transferred A001 was taken first, so it comes before B001.
    nxt = services.ticket_call_next(window=hall.w2, clerk=hall.clerk2, now=t.replace(minute=16))
    assert nxt.number == "A001"
    calls = list(TicketCall.objects.filter(ticket=a1).order_by("called_at"))
    assert [c.outcome for c in calls] == [TicketCall.Outcome.TRANSFERRED, ""]
    assert calls[1].queued_at == t.replace(minute=15)  # waiting in B counted from the transfer


def test_transfer_to_same_category_is_refused(hall):
    take(hall.a, at("2026-10-12 09:00"))
    ticket = services.ticket_call_next(
        window=hall.w1, clerk=hall.clerk1, now=at("2026-10-12 09:01")
    )
    with pytest.raises(ActionError) as error:
        services.ticket_transfer(ticket=ticket, clerk=hall.clerk1, category=hall.a)
    assert error.value.code == "same_category"
    assert "category" in error.value.fields


def test_other_windows_clerk_cannot_finish(hall):
    take(hall.a, at("2026-10-12 09:00"))
    ticket = services.ticket_call_next(
        window=hall.w1, clerk=hall.clerk1, now=at("2026-10-12 09:01")
    )
    with pytest.raises(Forbidden):
        services.ticket_finish(ticket=ticket, clerk=hall.clerk2)


def test_resident_can_be_recorded_on_the_ticket(hall):
    take(hall.a, at("2026-10-12 09:00"))
    ticket = services.ticket_call_next(
        window=hall.w1, clerk=hall.clerk1, now=at("2026-10-12 09:01")
    )
    resident = UserFactory()
    services.ticket_set_resident(ticket=ticket, clerk=hall.clerk1, resident=resident)
    ticket.refresh_from_db()
    assert ticket.resident == resident


def test_inactive_category_and_bad_priority_are_refused(hall):
    hall.b.is_active = False
    hall.b.save()
    with pytest.raises(ActionError) as error:
        take(hall.b)
    assert error.value.fields == {"category": ["该业务类别不存在或已停用。"]}
    with pytest.raises(ActionError) as error:
        take(hall.a, priority="vip")
    assert "priority_reason" in error.value.fields
