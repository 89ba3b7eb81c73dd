"""A real Celery worker process on Redis runs a task against the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import redis_answers, redis_url, require_or_skip

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _worker_env():
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": redis_url(),
        }
    )
    return env


@pytest.fixture
def celery_worker_process():
    require_or_skip(redis_answers(), f"Redis does not answer at {redis_url()}")
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share (PostgreSQL)")
    queue = f"itest-{os.getpid()}"
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
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=_worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_real_worker_runs_a_task_on_redis(celery_worker_process, settings):
    from celery import current_app

    from portal.models import AuditEntry
    from portal.tasks import ping

    with current_app.connection_for_write(redis_url()) as conn:
        ping.apply_async(args=["hello from the test"], queue=celery_worker_process, connection=conn)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if AuditEntry.objects.filter(action="celery.ping", note="hello from the test").exists():
            break
        time.sleep(0.3)
    entry = AuditEntry.objects.get(action="celery.ping", note="hello from the test")
    assert entry.actor_label == "worker"


def test_calendar_check_task_notifies_register_admins(make_user):
    from datetime import date

    from portal import roles, services
    from portal.models import Notification

    admin = make_user(roles.REGISTER_ADMIN)
    assert services.calendar_check_next_year(today=date(2026, 10, 31)) is None
    assert services.calendar_check_next_year(today=date(2025, 11, 1)) is True
    assert services.calendar_check_next_year(today=date(2026, 11, 1)) is False
    note = Notification.objects.get(recipient=admin)
    assert "2027" in note.title
