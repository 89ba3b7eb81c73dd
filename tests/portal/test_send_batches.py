"""Sending outbox rows many to a task (notifications.send_deliveries, issue 19): one claim, one
mail connection, a few updates — and still each row sent once, failures retried on their own."""

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import notifications, roles, sms, tasks
from portal.models import Delivery
from tests.portal import notify_backends

pytestmark = pytest.mark.django_db

KIND = "calendar.next_year_missing"


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    sms.outbox.clear()
    notify_backends.reset()
    monkeypatch.delenv("FLAKY_REDIS_URL", raising=False)
    monkeypatch.setenv("FLAKY_KEY", "batch")
    yield
    sms.outbox.clear()


@pytest.fixture
def published(monkeypatch):
    """The broker replaced: (task name, args, countdown) of what was published."""
    out = []
    for task in (tasks.send_delivery, tasks.send_deliveries):
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args, _name=task.name, **kw: out.append((_name, args[0], kw.get("countdown"))),
        )
    return out


def _rows(make_user, n, *, channel="email"):
    ids = []
    for i in range(n):
        if channel == "email":
            person = make_user(roles.WINDOW_CLERK, email=f"staff{i}@example.cn")
        else:
            person = make_user(roles.CITIZEN)
        note = notifications.notify(recipient=person, kind=KIND, context={"year": 2027})
        ids.append(note.deliveries.get().pk)
    return ids


def test_a_batch_sends_every_row_once_with_a_constant_number_of_queries(make_user, settings):
    settings.REMINDER_SEND_MARK_EVERY = 1000
    emails, texts = _rows(make_user, 6), _rows(make_user, 4, channel="sms")
    ids = emails + texts
    with CaptureQueriesContext(connection) as queries:
        result = notifications.send_deliveries(ids)
    assert result.as_dict() == {"sent": 10, "skipped": 0, "failed": 0, "retry": 0, "released": 0}
    # claim, read, mark sent: not three per row as one task per row takes
    assert len(queries) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Delivery.objects.filter(pk__in=emails).values_list("address", flat=True)
    )
    assert len(sms.outbox) == 4
    rows = Delivery.objects.filter(pk__in=ids)
    assert {(d.status, d.attempts) for d in rows} == {("sent", 1)}
    assert all(d.sent_at is not None for d in rows)
    # Again (a redelivered message, the outbox sweep): nothing is sent twice.
    again = notifications.send_deliveries(ids)
    assert (again.sent, again.skipped) == (0, 10)
    assert len(mail.outbox) == 6 and len(sms.outbox) == 4


def test_rows_another_task_holds_or_not_yet_due_are_left_alone(make_user, settings):
    a, b, c = _rows(make_user, 3)
    now = timezone.now()
    assert notifications.claim(a, now=now) == now  # another task is sending it
    Delivery.objects.filter(pk=b).update(next_attempt_at=now + timedelta(minutes=5))
    result = notifications.send_deliveries([a, b, c, c])
    assert (result.sent, result.skipped) == (1, 2)
    assert [m.to[0] for m in mail.outbox] == [Delivery.objects.get(pk=c).address]
    assert Delivery.objects.get(pk=a).status == "sending"
    assert Delivery.objects.get(pk=b).status == "pending"
    # A claim that outlived its lease belongs to a dead worker: a batch takes it.
    late = now + timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS + 1)
    Delivery.objects.filter(pk=a).update(claimed_at=now - (late - now))
    assert notifications.send_deliveries([a]).sent == 1
    assert Delivery.objects.get(pk=a).attempts == 2


def test_the_emails_of_a_batch_share_one_connection(make_user, settings):
    settings.EMAIL_BACKEND = "tests.portal.notify_backends.CountingLocmemEmailBackend"
    notify_backends.reset()
    ids = _rows(make_user, 5)
    assert notifications.send_deliveries(ids).sent == 5
    assert len(mail.outbox) == 5
    assert notify_backends.calls("connections") == 1


def test_a_failed_row_is_retried_on_its_own_and_the_others_are_sent(
    make_user, settings, monkeypatch, published
):
    settings.SMS_BACKEND = "tests.portal.notify_backends.FlakyLocmemSmsBackend"
    monkeypatch.setenv("FLAKY_FAILS", "1")  # the first SMS fails, the others go out
    ids = _rows(make_user, 3, channel="sms")
    result = tasks.send_deliveries.run(ids)
    assert result == {"sent": 2, "skipped": 0, "failed": 0, "retry": 1, "released": 0}
    failed = Delivery.objects.get(pk=ids[0])
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert "SMS gateway timeout" in failed.last_error
    assert failed.next_attempt_at >= timezone.now() + timedelta(seconds=50)
    # Its retry is its own task after the back-off; nobody else's.
    assert published == [
        ("portal.tasks.send_delivery", ids[0], settings.REMINDER_SEND_BACKOFF_SECONDS)
    ]
    assert len(sms.outbox) == 2
    Delivery.objects.filter(pk=ids[0]).update(next_attempt_at=timezone.now())
    assert notifications.send_delivery(ids[0]).outcome == "sent"
    assert len(sms.outbox) == 3


def test_a_permanent_failure_ends_failed_without_a_retry(make_user, settings, published):
    settings.SMS_TEMPLATE_IDS = {}
    settings.SMS_BACKEND = "tests.portal.notify_backends.PermanentFailureSmsBackend"
    ids = _rows(make_user, 2, channel="sms")
    result = tasks.send_deliveries.run(ids)
    assert result["failed"] == 2 and result["sent"] == 0
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"failed"}
    assert published == []


def test_rows_not_tried_in_the_batch_time_are_given_back_and_published(
    make_user, settings, published
):
    ids = _rows(make_user, 4)
    result = notifications.send_deliveries(ids, seconds=0)
    assert (result.sent, result.released) == (0, 4)
    rows = Delivery.objects.filter(pk__in=ids)
    # pending again, the attempt not counted, published afresh
    assert {(d.status, d.attempts, d.claimed_at) for d in rows} == {("pending", 0, None)}
    assert all(d.enqueued_at is not None for d in rows)
    assert [(name, args) for name, args, _c in published] == [("portal.tasks.send_deliveries", ids)]
    assert mail.outbox == []


def test_the_soft_time_limit_keeps_what_was_sent_and_gives_the_rest_back(
    make_user, settings, monkeypatch, published
):
    settings.REMINDER_SEND_MARK_EVERY = 1000
    ids = _rows(make_user, 5)
    real = notifications._send_email
    calls = []

    def hangs_on_the_third(delivery, connection=None):
        calls.append(delivery.pk)
        if len(calls) == 3:
            raise SoftTimeLimitExceeded()
        real(delivery, connection)

    monkeypatch.setattr(notifications, "_send_email", hangs_on_the_third)
    with pytest.raises(SoftTimeLimitExceeded):
        notifications.send_deliveries(ids)
    status = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [status[pk] for pk in ids] == ["sent", "sent", "pending", "pending", "pending"]
    hung = Delivery.objects.get(pk=ids[2])
    assert hung.attempts == 1 and "SoftTimeLimitExceeded" in hung.last_error
    for pk in ids[3:]:  # never tried: not an attempt, for the outbox sweep to publish
        row = Delivery.objects.get(pk=pk)
        assert (row.attempts, row.enqueued_at, row.claimed_at) == (0, None, None)
    assert [(n, a) for n, a, _c in published] == [("portal.tasks.send_delivery", ids[2])]
    assert len(mail.outbox) == 2


def test_sent_rows_are_marked_a_few_at_a_time(make_user, settings, monkeypatch):
    """What a worker dying mid-batch can send twice is bounded by REMINDER_SEND_MARK_EVERY."""
    settings.REMINDER_SEND_MARK_EVERY = 2
    ids = _rows(make_user, 5)
    seen = []
    real = notifications._send_email

    def watching(delivery, connection=None):
        seen.append(Delivery.objects.filter(pk__in=ids, status="sent").count())
        real(delivery, connection)

    monkeypatch.setattr(notifications, "_send_email", watching)
    assert notifications.send_deliveries(ids).sent == 5
    assert seen == [0, 0, 2, 2, 4]


def test_enqueue_sends_rows_a_batch_to_a_task_and_a_lone_row_on_its_own(
    make_user, settings, published
):
    settings.REMINDER_SEND_BATCH = 3
    ids = _rows(make_user, 7)
    assert notifications.enqueue_deliveries(ids, fan_out=False) == 7
    assert [(n, a) for n, a, _c in published] == [
        ("portal.tasks.send_deliveries", ids[0:3]),
        ("portal.tasks.send_deliveries", ids[3:6]),
        ("portal.tasks.send_delivery", ids[6]),
    ]
    published.clear()
    settings.REMINDER_SEND_BATCH = 1  # one task per row, as before
    notifications.enqueue_deliveries(ids[:2], fan_out=False)
    assert [(n, a) for n, a, _c in published] == [
        ("portal.tasks.send_delivery", ids[0]),
        ("portal.tasks.send_delivery", ids[1]),
    ]
