"""Issue 16: the demo's history is made through the services at the simulated dates. A completed
demo application received days ago has its timeline steps, notices and queue times dated then
(not all today); intake countdowns follow from the real receipt dates; seed_demo stays
idempotent; and the simulated clock is a plain override used only by the seeder."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from approvals.models import Application, Notice, StateChange, Ticket, TicketCall
from portal import workdays
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db


def local(moment):
    return timezone.localtime(moment).date()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo is seeded once for this module (a minute of work) inside a transaction that is
    rolled back after the module's last test; every test still runs in its own savepoint."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(seeded_once, db):
    return None


def _demo(key) -> Application:
    return Application.objects.get(details__demo=key)


def test_a_completed_demo_application_has_its_history_dated_then(demo):
    app = _demo("completed")
    today = timezone.localdate()
    assert app.received_on < today and app.accepted_on < app.decided_on < app.released_on
    steps = {c.action: local(c.at) for c in StateChange.objects.filter(application=app)}
    assert steps["submit"] == app.received_on
    assert steps["accept"] == app.accepted_on
    assert steps["claim"] >= app.accepted_on
    assert steps["decide"] == app.decided_on
    assert steps["release"] == app.released_on
    assert local(app.submitted_at) == app.received_on
    assert local(app.created_at) <= app.received_on
    notices = {n.kind: n for n in Notice.objects.filter(application=app)}
    acceptance = notices[Notice.Kind.ACCEPTANCE]
    assert local(acceptance.issued_at) == app.accepted_on
    assert acceptance.context["issued_on"] == app.accepted_on.isoformat()
    decision = notices[Notice.Kind.DECISION_GRANT]
    assert local(decision.issued_at) == decision_day(decision) == app.decided_on
    # the trail agrees with the history
    accepted = AuditEntry.objects.get(
        action="application.accept", object_type="approvals.application", object_id=str(app.pk)
    )
    assert local(accepted.at) == app.accepted_on


def decision_day(notice):
    from datetime import date

    return date.fromisoformat(notice.context["issued_on"])


def test_a_walk_in_demo_application_has_its_queue_times_that_morning(demo):
    app = _demo("completed")
    assert app.channel == Application.Channel.HALL
    ticket = app.ticket
    assert ticket is not None and ticket.day == app.received_on
    call = TicketCall.objects.get(ticket=ticket)
    assert local(call.called_at) == app.received_on
    assert ticket.status == Ticket.Status.FINISHED
    assert timedelta(0) < call.called_at - ticket.taken_at < timedelta(hours=1)
    assert call.ended_at is not None and local(call.ended_at) == app.received_on


def test_intake_countdowns_follow_from_the_real_receipt_dates(demo):
    waiting = _demo("intake")
    assert waiting.state == "submitted"
    assert local(waiting.submitted_at) == waiting.received_on < timezone.localdate()
    assert waiting.deemed_acceptance_on == workdays.add_working_days(waiting.received_on, 5)
    correction = _demo("correction")
    notice = Notice.objects.get(application=correction, kind=Notice.Kind.CORRECTION)
    asked = StateChange.objects.get(application=correction, action="request_correction")
    assert local(notice.issued_at) == local(asked.at) > correction.received_on


def test_not_everything_happened_today(demo):
    today = timezone.localdate()
    days = {local(c.at) for c in StateChange.objects.filter(application__details__has_key="demo")}
    assert len(days) >= 5 and min(days) < today - timedelta(days=7)


def test_seed_demo_stays_idempotent(demo):
    counts = (
        Application.objects.count(),
        StateChange.objects.count(),
        Notice.objects.count(),
        Ticket.objects.count(),
        TicketCall.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        Application.objects.count(),
        StateChange.objects.count(),
        Notice.objects.count(),
        Ticket.objects.count(),
        TicketCall.objects.count(),
    ) == counts


def test_the_simulated_clock_is_scoped_and_restored():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from portal.demo_clock import simulated

    moment = datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    before = timezone.now()
    with simulated(moment):
        inside = timezone.now()
        assert timedelta(0) <= inside - moment < timedelta(seconds=5)
        assert timezone.localdate() == moment.date()
        later = timezone.now()
        assert later >= inside  # the simulated clock moves on with the real one
    assert timezone.now() - before < timedelta(minutes=5)


def test_the_pending_extension_was_asked_before_today_within_the_limit(demo):
    from approvals.models import Extension

    extension = Extension.objects.get(application__details__demo="extension", status="pending")
    assert local(extension.requested_at) < timezone.localdate()
    assert extension.application.due_date >= local(extension.requested_at)


def test_the_demos_on_time_rate_reads_like_a_working_hall(demo):
    """Most decisions within their limit, one late: a rate neither perfect nor alarming."""
    from approvals.selectors import dashboard as sel

    today = timezone.localdate()
    totals = sel.history(sel.Filters(start=today - timedelta(days=29), end=today))["totals"]
    assert totals["decided"] >= 5
    late = totals["decided"] - totals["decided_on_time"]
    assert late == 1, totals
    assert 75 <= totals["on_time_pct"] < 100
