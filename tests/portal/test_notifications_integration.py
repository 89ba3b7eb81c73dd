"""Notifications through real Celery worker processes on Redis, sharing the test database.

- a reminder is delivered once to the in-app inbox and the e-mail outbox;
- two sweeps at the same moment, and the same send enqueued many times across two workers,
  deliver once;
- a send that fails twice then succeeds is delivered once;
- Redis stopped while a transaction commits, then started again: nothing is lost.
"""

import email
import email.header
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from portal import notifications, reminders, roles
from portal.models import AuditEntry, Delivery, Notification, Reminder
from tests.conftest import redis_answers, redis_url, require_or_skip

ROOT = Path(__file__).resolve().parents[2]
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
PRIVATE_REDIS_PORT = int(os.environ.get("ONEWINDOW_TEST_PRIVATE_REDIS_PORT", "6390"))
AS_OF = "2026-11-02T09:00:00+08:00"  # the calendar for 2027 is missing on that day

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


# --- helpers -------------------------------------------------------------------------------------


def wait_for(predicate, what: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def read_mails(folder: Path) -> list[tuple[str, str]]:
    """(to, subject) of every message the file-based e-mail backend wrote."""
    found = []
    for path in sorted(folder.glob("*")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                msg = email.message_from_bytes(chunk)
                subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
                found.append((msg["To"], subject))
    return found


def read_sms(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@contextmanager
def app_broker(url: str):
    """Point this process's Celery app (what notify() publishes with) at ``url``."""
    from celery import current_app

    app = current_app._get_current_object()
    old = app.conf.broker_url

    def switch(to):
        from kombu import pools

        pools.reset()  # kombu keeps one pool per broker URL, process-wide
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = to

    switch(url)
    try:
        yield app
    finally:
        switch(old)


class Workers:
    """Celery worker processes (solo pool) on one queue, each also on a queue of its own."""

    def __init__(self, tmp_path: Path, broker: str, **env):
        self.queue = f"itest-notify-{uuid.uuid4().hex[:8]}"
        self.broker = broker
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir(exist_ok=True)
        self.sms_file = tmp_path / "sms.jsonl"
        self.log_dir = tmp_path
        db = settings.DATABASES["default"]
        self.env = dict(os.environ)
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings.test",
                "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                "REDIS_URL": broker,
                "NOTIFICATIONS_QUEUE": self.queue,
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.mail_dir),
                "SMS_BACKEND": "file",
                "SMS_FILE_PATH": str(self.sms_file),
                **{k: str(v) for k, v in env.items()},
            }
        )
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, count: int = 1, *, sends: bool = True):
        """``sends=False``: a worker like the sweeps' one, on its own queue only."""
        for _ in range(count):
            name = f"{self.queue}-w{len(self.procs) + 1}"
            log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "-l",
                    "info",
                    "--pool",
                    "solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-Q",
                    f"{self.queue},{name}" if sends else name,
                    "-n",
                    f"{name}@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.procs.append((name, proc))
        return self

    def logs(self) -> str:
        return "\n".join(
            (self.log_dir / f"{name}.log").read_text(errors="replace")[-4000:]
            for name, _ in self.procs
        )

    def stop(self):
        for _name, proc in self.procs:
            proc.terminate()
        for _name, proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def publish(self, task, *, queue=None, **options):
        from celery import current_app

        with current_app.connection_for_write(self.broker) as conn:
            task.apply_async(queue=queue or self.queue, connection=conn, **options)

    def settle(self):
        """Wait until every worker has finished everything published so far: the shared queue
        is empty, then each worker runs a ping on its own queue (solo pool: one at a time)."""
        import redis

        from portal import tasks

        client = redis.Redis.from_url(self.broker)
        wait_for(lambda: client.llen(self.queue) == 0, "the queue to empty")
        markers = []
        for name, _proc in self.procs:
            marker = f"settled {name} {uuid.uuid4().hex}"
            markers.append(marker)
            self.publish(tasks.ping, queue=name, args=[marker])
        wait_for(
            lambda: (
                AuditEntry.objects.filter(action="celery.ping", note__in=markers).count()
                == len(markers)
            ),
            "every worker to settle",
        )


@pytest.fixture
def shared_db():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database they can share (PostgreSQL)")


@pytest.fixture
def workers(tmp_path, shared_db, settings):
    require_or_skip(redis_answers(), f"Redis does not answer at {redis_url()}")
    made = []

    def make(count=1, broker=None, sends=True, **env):
        w = Workers(tmp_path, broker or redis_url(), **env).start(count, sends=sends)
        settings.NOTIFICATIONS_QUEUE = w.queue  # what this process publishes sends to
        made.append(w)
        return w

    yield make
    for w in made:
        w.stop()
        print(w.logs())  # shown by pytest when the test failed
        try:
            import redis

            client = redis.Redis.from_url(w.broker)
            names = [w.queue, *[n for n, _ in w.procs]]
            client.delete(*names)
            for name in names:  # the routing tables kombu keeps for each queue's exchange
                for key in client.scan_iter(f"_kombu.binding*.{name}"):
                    client.delete(key)
        except Exception:
            pass


def calendar_rule():
    return reminders.Rule(
        reminders.CALENDAR_NEXT_YEAR_MISSING, reminders.calendar_next_year_missing
    )


# --- the tests -----------------------------------------------------------------------------------


def test_a_reminder_is_delivered_once_to_the_inbox_and_by_email(workers, make_user):
    from portal import tasks

    admin = make_user(roles.REGISTER_ADMIN, email="registrar@example.cn")
    w = workers()
    with app_broker(w.broker):
        w.publish(tasks.sweep_reminders, kwargs={"now": AS_OF})
        w.publish(tasks.sweep_reminders, kwargs={"now": AS_OF})  # beat ran twice
        wait_for(lambda: Delivery.objects.filter(status="sent").exists(), "the e-mail to be sent")
        w.settle()

    assert Reminder.objects.filter(kind=reminders.CALENDAR_NEXT_YEAR_MISSING).count() == 1
    [note] = Notification.objects.filter(recipient=admin)
    assert note.title == "2027年节假日安排尚未录入"
    assert read_mails(w.mail_dir) == [("registrar@example.cn", "2027年节假日安排尚未录入")]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_two_concurrent_sweeps_and_duplicate_sends_on_two_workers_deliver_once(workers, make_user):
    admins = [make_user(roles.REGISTER_ADMIN, email=f"admin{i}@example.cn") for i in range(3)]
    w = workers(count=2)
    barrier = threading.Barrier(2, timeout=30)
    rule = calendar_rule()

    def racing(sweep):
        due = list(rule.fn(sweep))  # both sweeps see the reminder as due…
        barrier.wait()  # …and insert at the same moment
        yield from due

    results, errors = [], []

    def sweep():
        try:
            results.append(
                reminders.run_sweep(
                    now=reminders.local_datetime(date(2026, 11, 2)),
                    only=[reminders.Rule(rule.kind, racing)],
                )
            )
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    with app_broker(w.broker):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert sorted(r[rule.kind] for r in results) == [0, 1]
        ids = list(Delivery.objects.values_list("pk", flat=True))
        assert len(ids) == 3
        for _ in range(3):  # the outbox sweep, a redelivery, an impatient operator…
            notifications.enqueue_deliveries(ids, fan_out=False)
        wait_for(
            lambda: Delivery.objects.filter(status="sent").count() == 3, "the e-mails to be sent"
        )
        w.settle()

    assert Notification.objects.count() == 3
    assert sorted(read_mails(w.mail_dir)) == sorted(
        (a.email, "2027年节假日安排尚未录入") for a in admins
    )
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_send_that_fails_twice_then_succeeds_is_delivered_once(workers, make_user):
    key = f"itest-flaky-{uuid.uuid4().hex[:8]}"
    citizen = make_user(roles.CITIZEN, email="zhang@example.cn")
    notifications.preference_update(user=citizen, email=True, sms=True, language="zh-hans")
    w = workers(
        EMAIL_BACKEND="tests.portal.notify_backends.FlakyEmailBackend",
        SMS_BACKEND="tests.portal.notify_backends.FlakySmsBackend",
        FLAKY_FAILS=2,
        FLAKY_REDIS_URL=redis_url(),
        FLAKY_KEY=key,
        REMINDER_SEND_BACKOFF_SECONDS=0.5,
    )
    with app_broker(w.broker):
        with transaction.atomic():
            notifications.notify(
                recipient=citizen,
                kind=reminders.CALENDAR_NEXT_YEAR_MISSING,
                context={"year": 2027},
            )
        wait_for(
            lambda: Delivery.objects.filter(status="sent").count() == 2,
            "the e-mail and the SMS to be sent",
        )
        w.settle()

    rows = {d.channel: d for d in Delivery.objects.all()}
    assert {c: (d.status, d.attempts) for c, d in rows.items()} == {
        "email": ("sent", 3),
        "sms": ("sent", 3),
    }
    assert "simulated" in rows["email"].last_error  # what went wrong on the way stays visible
    assert read_mails(w.mail_dir) == [("zhang@example.cn", "2027年节假日安排尚未录入")]
    [text] = read_sms(w.sms_file)
    assert text["mobile"] == citizen.mobile
    assert text["text"] == "2027年节假日安排尚未录入，请尽快在管理后台录入并确认。"
    import redis

    counters = redis.Redis.from_url(redis_url())
    assert [int(counters.get(f"{key}:{c}")) for c in ("email", "sms")] == [3, 3]
    counters.delete(f"{key}:email", f"{key}:sms")


def test_a_worker_on_the_sweeps_queue_never_takes_the_sends(workers, make_user):
    """The soak's stall: sends waited behind four pool processes held by sweeps. A worker of
    the sweeps' queue is up and working, and the send stays in its own queue until a worker of
    that queue starts."""
    import redis

    from portal import tasks

    citizen = make_user(roles.CITIZEN, email="li@example.cn")
    notifications.preference_update(user=citizen, email=True, sms=False, language="zh-hans")
    w = workers(sends=False)
    [(sweeper, _proc)] = w.procs
    client = redis.Redis.from_url(w.broker)
    with app_broker(w.broker):
        with transaction.atomic():
            notifications.notify(
                recipient=citizen, kind=reminders.CALENDAR_NEXT_YEAR_MISSING, context={"year": 2027}
            )
        marker = f"sweeps worker alive {uuid.uuid4().hex}"
        w.publish(tasks.ping, queue=sweeper, args=[marker])
        w.publish(tasks.ping, queue=sweeper, args=[marker + " again"])
        wait_for(
            lambda: (
                AuditEntry.objects.filter(action="celery.ping", note__startswith=marker).count()
                == 2
            ),
            "the sweeps' worker to run its own tasks",
        )
        delivery = Delivery.objects.get()
        assert delivery.status == "pending" and delivery.attempts == 0
        assert client.llen(w.queue) == 1  # the send waits in its queue, untouched

        w.start(1)  # the notifications worker
        wait_for(lambda: Delivery.objects.filter(status="sent").exists(), "the e-mail to be sent")
    assert read_mails(w.mail_dir) == [("li@example.cn", "2027年节假日安排尚未录入")]
    assert client.llen(w.queue) == 0


# --- Redis stopped during a commit ---------------------------------------------------------------


class PrivateRedis:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.url = f"redis://127.0.0.1:{port}/0"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.3):
                return True
        except OSError:
            return False

    def start(self):
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.folder),
                "--pidfile",
                str(self.folder / "redis.pid"),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            check=True,
        )
        wait_for(self.answers, f"redis-server on port {self.port}", timeout=20)

    def stop(self):
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
        wait_for(lambda: not self.answers(), f"redis-server on port {self.port} to stop", 20)


@pytest.fixture
def private_redis(tmp_path):
    require_or_skip(
        bool(shutil.which("redis-server") and shutil.which("redis-cli")),
        "redis-server is not installed (needed to stop and start a broker of our own)",
    )
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(folder, PRIVATE_REDIS_PORT)
    if server.answers():
        pytest.skip(f"port {PRIVATE_REDIS_PORT} is taken (ONEWINDOW_TEST_PRIVATE_REDIS_PORT)")
    server.start()
    yield server
    if server.answers():
        server.stop()


def test_redis_stopped_during_a_commit_loses_nothing(private_redis, workers, make_user):
    from portal import tasks

    before = make_user(roles.CITIZEN, email="before@example.cn")
    during = make_user(roles.CITIZEN, email="during@example.cn")
    for person in (before, during):
        notifications.preference_update(user=person, email=True, sms=False, language="zh-hans")
    w = workers(broker=private_redis.url, REMINDER_OUTBOX_GRACE_SECONDS=0)

    with app_broker(private_redis.url):
        # The broker is up: sent straight away.
        notifications.notify(recipient=before, kind="test.outage", title="停机之前", body="")
        wait_for(lambda: Delivery.objects.filter(status="sent").count() == 1, "the first e-mail")

        private_redis.stop()
        with transaction.atomic():
            note = notifications.notify(
                recipient=during, kind="test.outage", title="停机期间", body=""
            )
        # The commit went through; the publish after it failed and was only logged.
        delivery = Delivery.objects.get(notification=note)
        assert (delivery.status, delivery.enqueued_at) == ("pending", None)
        assert Notification.objects.filter(recipient=during).count() == 1

        private_redis.start()  # empty: whatever the broker held is gone
        w.publish(tasks.sweep_outbox)  # what beat sends every minute
        wait_for(
            lambda: Delivery.objects.filter(status="sent").count() == 2,
            "the outbox sweep to deliver what the broker missed",
            timeout=120,
        )
        w.settle()

    assert sorted(read_mails(w.mail_dir)) == [
        ("before@example.cn", "停机之前"),
        ("during@example.cn", "停机期间"),
    ]
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
