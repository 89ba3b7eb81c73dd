"""notify(): channels, languages, the outbox, sending, retries, the admin and the pages."""

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal import notifications, roles, sms
from portal.models import AuditEntry, Delivery, Notification, NotificationPreference
from tests.portal import notify_backends

pytestmark = pytest.mark.django_db

KIND = "calendar.next_year_missing"  # a kind with a real template in both languages


@pytest.fixture(autouse=True)
def _clean_outboxes(monkeypatch):
    sms.outbox.clear()
    notify_backends.reset()
    monkeypatch.delenv("FLAKY_REDIS_URL", raising=False)
    monkeypatch.setenv("FLAKY_KEY", "unit")
    yield
    sms.outbox.clear()


@pytest.fixture
def published(monkeypatch):
    """Replace the broker: record the delivery ids a send task was published for."""
    from portal import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.send_delivery, "apply_async", lambda args, **kw: sent.append(args[0]))
    monkeypatch.setattr(
        tasks.send_deliveries, "apply_async", lambda args, **kw: sent.extend(args[0])
    )
    monkeypatch.setattr(
        tasks.fan_out_deliveries, "apply_async", lambda args, **kw: sent.extend(args[0])
    )
    return sent


@pytest.fixture
def citizen(make_user):
    return make_user(roles.CITIZEN, email="citizen@example.cn")


@pytest.fixture
def clerk(make_user):
    return make_user(roles.WINDOW_CLERK, email="clerk@example.cn")


def _notify(person, **kwargs):
    return notifications.notify(recipient=person, kind=KIND, context={"year": 2027}, **kwargs)


# --- channels and language -------------------------------------------------------------------


def test_citizens_get_sms_and_staff_get_email_by_default(citizen, clerk):
    note_c = _notify(citizen)
    note_s = _notify(clerk)
    assert [(d.channel, d.address) for d in note_c.deliveries.all()] == [("sms", citizen.mobile)]
    assert [(d.channel, d.address) for d in note_s.deliveries.all()] == [
        ("email", "clerk@example.cn")
    ]
    assert Notification.objects.filter(recipient__in=[citizen, clerk]).count() == 2
    assert note_c.title == "2027年节假日安排尚未录入"


def test_a_person_chooses_channels_and_language(citizen):
    notifications.preference_update(user=citizen, email=True, sms=False, language="en")
    note = _notify(citizen)
    assert note.title == "Holidays for 2027 are not entered yet"
    assert note.language == "en"
    delivery = note.deliveries.get()
    assert (delivery.channel, delivery.address) == ("email", "citizen@example.cn")
    assert delivery.subject == "Holidays for 2027 are not entered yet"
    assert "State Council" in delivery.body
    entry = AuditEntry.objects.get(action="notification.preferences")
    assert entry.after["language"] == "en"


def test_preferences_of_many_people_in_one_query(
    citizen, clerk, make_user, django_assert_num_queries
):
    chose = make_user(roles.CITIZEN)
    notifications.preference_update(user=chose, email=True, sms=False, language="en")
    with django_assert_num_queries(1):
        found = notifications.preferences_for([citizen, clerk, chose])
    assert found == {
        citizen.pk: notifications.Preference(email=False, sms=True, language="zh-hans"),
        clerk.pk: notifications.Preference(email=True, sms=False, language="zh-hans"),
        chose.pk: notifications.Preference(email=True, sms=False, language="en", stored=True),
    }


def test_notify_takes_no_savepoint_inside_the_callers_transaction(citizen):
    """One transaction with the caller's change: a failure fails both (no partial rollback to
    catch), and two statements fewer per call."""
    with transaction.atomic(), CaptureQueriesContext(transaction.get_connection()) as ctx:
        _notify(citizen)
    assert not [q for q in ctx.captured_queries if "SAVEPOINT" in q["sql"]]
    assert Notification.objects.filter(recipient=citizen).count() == 1


def test_no_address_no_delivery_but_the_inbox_still_gets_it(make_user):
    person = make_user(roles.REVIEWER, email="")  # staff default is e-mail, but none known
    note = _notify(person)
    assert note.deliveries.count() == 0
    assert Notification.objects.filter(recipient=person).count() == 1


def test_inactive_people_are_not_notified(citizen):
    citizen.is_active = False
    citizen.save()
    assert _notify(citizen) is None
    assert not Notification.objects.exists()


def test_callers_may_still_pass_title_and_body(citizen):
    note = notifications.notify(
        recipient=citizen, kind="test.free_text", obj=citizen, title="标题", body="正文", url="/x/"
    )
    assert (note.title, note.body, note.url) == ("标题", "正文", "/x/")
    assert (note.object_type, note.object_id) == ("portal.user", str(citizen.pk))
    assert note.deliveries.get().body == "标题"  # SMS carries the title


def test_notify_many_costs_the_same_queries_for_5_or_50_people(make_user):
    people = [make_user(roles.CITIZEN) for _ in range(50)]

    def cost(group):
        with CaptureQueriesContext(transaction.get_connection()) as ctx:
            notifications.notify_many(recipients=group, kind=KIND, context={"year": 2027})
        return len(ctx.captured_queries)

    assert cost(people[:5]) == cost(people[5:])


# --- enqueue on commit -----------------------------------------------------------------------


def test_a_rolled_back_transaction_sends_nothing(citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _notify(citizen)
            raise RuntimeError("the business change failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_sends_are_enqueued_after_commit(citizen, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = _notify(citizen)
        assert published == []  # nothing before the commit
    delivery = note.deliveries.get()
    assert published == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.enqueued_at is not None


def test_broker_down_at_commit_loses_nothing(
    citizen, published, monkeypatch, django_capture_on_commit_callbacks, settings
):
    from portal import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    with monkeypatch.context() as m:
        m.setattr(tasks.send_delivery, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            note = _notify(citizen)  # the commit itself succeeds
    delivery = note.deliveries.get()
    assert (delivery.status, delivery.enqueued_at) == ("pending", None)

    # Within the grace period the outbox sweep leaves it alone; after it, it is published.
    assert notifications.sweep_outbox()["found"] == 0
    later = timezone.now() + timedelta(seconds=settings.REMINDER_OUTBOX_GRACE_SECONDS + 1)
    assert notifications.sweep_outbox(now=later)["published"] == 1
    assert published == [delivery.pk]


def test_many_deliveries_are_handed_over_in_fan_out_chunks(settings, citizen, monkeypatch):
    from portal import tasks

    settings.REMINDER_FANOUT_THRESHOLD = 2
    settings.REMINDER_FANOUT_CHUNK = 3
    settings.REMINDER_SEND_BATCH = 2
    chunks, batches, singles = [], [], []
    monkeypatch.setattr(tasks.fan_out_deliveries, "apply_async", lambda a, **k: chunks.append(a[0]))
    monkeypatch.setattr(tasks.send_deliveries, "apply_async", lambda a, **k: batches.append(a[0]))
    monkeypatch.setattr(tasks.send_delivery, "apply_async", lambda a, **k: singles.append(a[0]))
    ids = [_notify(citizen).deliveries.get().pk for _ in range(7)]
    assert notifications.enqueue_deliveries(ids) == 7
    assert chunks == [ids[0:3], ids[3:6], ids[6:7]] and batches == singles == []
    # Each fan-out chunk is sent REMINDER_SEND_BATCH rows to a task; a lone row on its own.
    assert tasks.fan_out_deliveries.run(ids[:3]) == 3
    assert batches == [ids[0:2]] and singles == [ids[2]]


# --- sending -------------------------------------------------------------------------------------


def test_a_delivery_is_sent_once_however_often_its_task_runs(clerk):
    delivery = _notify(clerk).deliveries.get()
    assert notifications.send_delivery(delivery.pk).outcome == "sent"
    assert notifications.send_delivery(delivery.pk).outcome == "skipped"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["clerk@example.cn"]
    assert mail.outbox[0].subject == "2027年节假日安排尚未录入"
    assert "/admin/portal/calendaryear/" not in mail.outbox[0].body  # no url given
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.sent_at is not None


def test_the_email_links_back_to_the_portal(clerk, settings):
    note = _notify(clerk, url="/notifications/")
    notifications.send_delivery(note.deliveries.get().pk)
    assert mail.outbox[0].body.endswith(settings.SITE_URL.rstrip("/") + "/notifications/")


def test_an_sms_goes_through_the_gateway_with_its_template_params(citizen, settings):
    settings.SMS_TEMPLATE_IDS = {KIND: "SMS_2027"}
    delivery = _notify(citizen).deliveries.get()
    assert notifications.send_delivery(delivery.pk).outcome == "sent"
    [message] = sms.outbox
    assert message.mobile == citizen.mobile
    assert message.template_id == "SMS_2027"
    assert message.params == {"year": "2027"}
    assert message.text == "2027年节假日安排尚未录入，请尽快在管理后台录入并确认。"


def test_a_claimed_row_is_not_taken_by_a_second_task_until_its_lease_expires(clerk, settings):
    delivery = _notify(clerk).deliveries.get()
    now = timezone.now()
    assert notifications.claim(delivery.pk, now=now) == now
    assert notifications.claim(delivery.pk, now=now) is None
    late = now + timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS + 1)
    assert notifications.claim(delivery.pk, now=late) == late  # its worker died
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 2)


def test_a_failure_is_retried_with_exponential_backoff(citizen, settings, monkeypatch):
    settings.SMS_BACKEND = "tests.portal.notify_backends.FlakyLocmemSmsBackend"
    monkeypatch.setenv("FLAKY_FAILS", "99")
    delivery = _notify(citizen).deliveries.get()
    before = timezone.now()
    result = notifications.send_delivery(delivery.pk)
    assert result.outcome == "retry" and result.retry_in == settings.REMINDER_SEND_BACKOFF_SECONDS
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert "SMS gateway timeout" in delivery.last_error
    assert delivery.next_attempt_at >= before + timedelta(seconds=result.retry_in)
    # Not before its time: an early duplicate of the task does nothing.
    assert notifications.send_delivery(delivery.pk).outcome == "skipped"
    assert [notifications.backoff_seconds(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert notifications.backoff_seconds(30) == settings.REMINDER_SEND_BACKOFF_MAX_SECONDS


def test_the_task_fails_twice_then_succeeds_and_delivers_once(
    citizen, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from portal import tasks

    settings.SMS_BACKEND = "tests.portal.notify_backends.FlakyLocmemSmsBackend"
    settings.REMINDER_SEND_BACKOFF_SECONDS = 0
    monkeypatch.setenv("FLAKY_FAILS", "2")
    delivery = _notify(citizen).deliveries.get()
    tasks.send_delivery.apply(args=[delivery.pk])  # eager: retries run at once
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert len(sms.outbox) == 1
    assert notify_backends.calls("sms") == 3


def test_after_the_last_attempt_it_is_failed_and_the_admin_can_resend(
    citizen, settings, monkeypatch, make_user, client, published
):
    settings.SMS_BACKEND = "tests.portal.notify_backends.FlakyLocmemSmsBackend"
    settings.REMINDER_SEND_BACKOFF_SECONDS = 0
    settings.REMINDER_SEND_MAX_ATTEMPTS = 3
    monkeypatch.setenv("FLAKY_FAILS", "3")
    note = _notify(citizen)
    delivery = note.deliveries.get()
    outcomes = [notifications.send_delivery(delivery.pk).outcome for _ in range(4)]
    assert outcomes == ["retry", "retry", "failed", "skipped"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)

    supervisor = make_user(roles.SUPERVISOR)
    client.force_login(supervisor)
    page = client.get(reverse("admin:portal_delivery_changelist") + "?status__exact=failed")
    assert page.status_code == 200
    assert "发送失败" in page.content.decode()
    assert citizen.mobile_masked in page.content.decode()
    assert citizen.mobile not in page.content.decode()
    detail = client.get(reverse("admin:portal_delivery_change", args=[delivery.pk]))
    assert detail.status_code == 200
    assert "simulated: SMS gateway timeout" in detail.content.decode()
    inbox_copy = client.get(reverse("admin:portal_notification_change", args=[note.pk]))
    assert inbox_copy.status_code == 403  # the outbox, not other people's inboxes

    response = client.post(
        reverse("admin:portal_delivery_changelist"),
        {"action": "resend", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "已重新排队发送 1 条消息" in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert AuditEntry.objects.filter(action="notification.resend", actor=supervisor).count() == 1
    assert notifications.send_delivery(delivery.pk).outcome == "sent"  # the 4th call succeeds
    assert len(sms.outbox) == 1


def test_resend_skips_rows_that_did_not_fail(clerk, make_user, client):
    delivery = _notify(clerk).deliveries.get()
    client.force_login(make_user(roles.SUPERVISOR))
    response = client.post(
        reverse("admin:portal_delivery_changelist"),
        {"action": "resend", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "1 条消息不是“发送失败”状态，未重发" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_a_permanent_error_fails_at_once(citizen, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_URL = "http://127.0.0.1:9/never"
    settings.SMS_TEMPLATE_IDS = {}  # the gateway needs a template id: retrying will not help
    delivery = _notify(citizen).deliveries.get()
    assert notifications.send_delivery(delivery.pk).outcome == "failed"
    delivery.refresh_from_db()
    assert "no SMS template id" in delivery.last_error


# --- the outbox sweep ----------------------------------------------------------------------------


def test_the_outbox_sweep_picks_only_rows_the_broker_lost(clerk, settings, published):
    now = timezone.now()
    grace = timedelta(seconds=settings.REMINDER_OUTBOX_GRACE_SECONDS + 1)
    requeue = timedelta(seconds=settings.REMINDER_OUTBOX_REQUEUE_AFTER_SECONDS + 1)
    never = _notify(clerk).deliveries.get()
    fresh = _notify(clerk).deliveries.get()
    just_queued = _notify(clerk).deliveries.get()
    long_queued = _notify(clerk).deliveries.get()
    sent = _notify(clerk).deliveries.get()
    Delivery.objects.filter(pk__in=[never.pk, just_queued.pk, long_queued.pk, sent.pk]).update(
        next_attempt_at=now - grace
    )
    Delivery.objects.filter(pk=fresh.pk).update(next_attempt_at=now)
    Delivery.objects.filter(pk=just_queued.pk).update(enqueued_at=now - timedelta(seconds=5))
    Delivery.objects.filter(pk=long_queued.pk).update(enqueued_at=now - requeue)
    Delivery.objects.filter(pk=sent.pk).update(status="sent")
    result = notifications.sweep_outbox(now=now)
    assert sorted(published) == sorted([never.pk, long_queued.pk])
    assert result["published"] == 2


def test_the_outbox_sweep_revives_rows_whose_worker_died(clerk, settings, published):
    settings.REMINDER_SEND_MAX_ATTEMPTS = 2
    now = timezone.now()
    dead = now - timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS + 1)
    once = _notify(clerk).deliveries.get()
    twice = _notify(clerk).deliveries.get()
    Delivery.objects.filter(pk=once.pk).update(status="sending", claimed_at=dead, attempts=1)
    Delivery.objects.filter(pk=twice.pk).update(status="sending", claimed_at=dead, attempts=2)
    result = notifications.sweep_outbox(now=now + timedelta(hours=1))
    assert (result["revived"], result["failed"]) == (1, 1)
    once.refresh_from_db()
    twice.refresh_from_db()
    assert once.status == "pending" and published == [once.pk]
    assert (twice.status, twice.last_error) == ("failed", "worker lost while sending")


# --- the HTTP SMS gateway ------------------------------------------------------------------------


class _Gateway(BaseHTTPRequestHandler):
    status = 200
    requests: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Gateway.requests.append(
            (self.headers.get("Authorization"), json.loads(self.rfile.read(length)))
        )
        body = json.dumps({"ok": True, "id": "G-1"}).encode()
        self.send_response(_Gateway.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.requests = []
    _Gateway.status = 200
    settings.SMS_BACKEND = "http"
    settings.SMS_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_KEY = "k-123"
    settings.SMS_TEMPLATE_IDS = {"*": "SMS_DEFAULT"}
    yield _Gateway
    server.shutdown()


def test_the_http_gateway_posts_template_id_params_and_key(gateway):
    assert sms.send(mobile="13900000000", text="你好", kind="x", params={"a": "1"}) == "G-1"
    [(auth, payload)] = gateway.requests
    assert auth == "Bearer k-123"
    assert payload == {
        "mobile": "13900000000",
        "template_id": "SMS_DEFAULT",
        "params": {"a": "1"},
        "text": "你好",
    }


@pytest.mark.parametrize(("status", "error"), [(503, sms.SmsError), (400, sms.PermanentSmsError)])
def test_the_http_gateway_tells_retryable_from_permanent_errors(gateway, status, error):
    gateway.status = status
    with pytest.raises(error) as caught:
        sms.send(mobile="13900000000", text="你好", kind="x")
    assert (type(caught.value) is sms.PermanentSmsError) == (status == 400)


def _checked(page: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    return bool(tag and re.search(r"\bchecked\b", tag.group(0)))


# --- the inbox and the profile -------------------------------------------------------------------


def test_the_inbox_lists_marks_read_and_opens_links(client, citizen):
    first = _notify(citizen, url="/accounts/profile/")
    second = _notify(citizen)
    client.force_login(citizen)
    page = client.get(reverse("notifications")).content.decode()
    assert page.count("2027年节假日安排尚未录入") == 2
    assert 'class="badge">2<' in page

    response = client.get(reverse("notification-open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    first.refresh_from_db()
    assert first.read_at is not None

    unread = client.get(reverse("notifications") + "?unread=1").content.decode()
    assert unread.count("2027年节假日安排尚未录入") == 1

    client.post(reverse("notifications-read"), {"id": [str(second.pk), "abc"]})
    second.refresh_from_db()
    assert second.read_at is not None
    assert "没有未读消息" in client.get(reverse("notifications") + "?unread=1").content.decode()


def test_links_never_leave_the_site_and_others_messages_are_hidden(client, citizen, make_user):
    note = notifications.notify(
        recipient=citizen, kind="x", title="t", url="https://evil.example/phish"
    )
    client.force_login(citizen)
    response = client.get(reverse("notification-open", args=[note.pk]))
    assert response["Location"] == reverse("notifications")
    client.force_login(make_user(roles.CITIZEN))
    assert client.get(reverse("notification-open", args=[note.pk])).status_code == 404


def test_the_profile_shows_and_saves_channel_choices(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("profile")).content.decode()
    assert "消息接收方式" in page
    assert _checked(page, "sms") and not _checked(page, "email")  # the citizen default
    response = client.post(
        reverse("profile-notifications"),
        {"email": "on", "email_address": "new@example.cn", "language": "en"},
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=citizen)
    assert (pref.email, pref.sms, pref.language) == (True, False, "en")
    citizen.refresh_from_db()
    assert citizen.email == "new@example.cn"


def test_choosing_email_without_an_address_names_the_field_and_keeps_the_input(client, make_user):
    person = make_user(roles.CITIZEN, email="")
    client.force_login(person)
    response = client.post(
        reverse("profile-notifications"), {"email": "on", "sms": "on", "language": "en"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "选择电子邮件接收消息时，请填写接收邮箱。" in page
    assert _checked(page, "email") and _checked(page, "sms")
    assert '<option value="en" selected>' in page
    assert not NotificationPreference.objects.exists()


def test_a_bad_language_or_address_is_an_error_not_a_crash(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("profile-notifications"),
        {"email": "on", "email_address": "not-an-address", "language": "xx"},
    )
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_the_sms_choice_needs_a_mobile_number(client, make_user):
    person = make_user(roles.REVIEWER, mobile="")
    client.force_login(person)
    response = client.post(reverse("profile-notifications"), {"sms": "on", "language": "zh-hans"})
    assert response.status_code == 400
    assert "无法接收短信" in response.content.decode()


def test_unknown_channels_are_refused_by_the_sender(clerk):
    delivery = _notify(clerk).deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(channel="fax")
    with mock.patch("portal.notifications.log"):
        assert notifications.send_delivery(delivery.pk).outcome == "failed"


def test_a_retry_the_broker_refused_is_left_to_the_outbox_sweep(citizen, settings, monkeypatch):
    from portal import tasks

    settings.SMS_BACKEND = "tests.portal.notify_backends.FlakyLocmemSmsBackend"
    monkeypatch.setenv("FLAKY_FAILS", "1")
    delivery = _notify(citizen).deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(enqueued_at=timezone.now())

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.send_delivery, "retry", broker_down)
    with pytest.raises(OperationalError):
        tasks.send_delivery.run(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.enqueued_at, delivery.attempts) == ("pending", None, 1)
    later = delivery.next_attempt_at + timedelta(seconds=settings.REMINDER_OUTBOX_GRACE_SECONDS)
    published = []
    monkeypatch.setattr(tasks.send_delivery, "apply_async", lambda a, **k: published.append(a[0]))
    notifications.sweep_outbox(now=later)
    assert published == [delivery.pk]
