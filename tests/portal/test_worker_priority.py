"""The sweeps' worker yields the CPU to the web workers: a worker started on the sweeps' queue
alone runs at SWEEPS_WORKER_NICE (the 5-minute forecast and the reminder sweeps take tens of
seconds of CPU at full size and stalled every request under load); the sends' worker alone
yields less (SENDS_WORKER_NICE: a sweep's fan-out of sends took a core for seconds); a worker of
every queue keeps its priority."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from portal.celery import queues_of, sends_only, sweeps_only
from tests.conftest import redis_answers, redis_url, require_or_skip

ROOT = Path(__file__).resolve().parents[2]


def test_which_workers_are_sends_only():
    assert sends_only({"notifications"}, "notifications")
    assert not sends_only({"celery", "notifications"}, "notifications")
    assert not sends_only(set(), "notifications")
    assert not sends_only({"celery"}, "notifications")


def test_which_workers_are_sweeps_only():
    assert queues_of(None) == set() and queues_of("") == set()
    assert queues_of("celery") == {"celery"}
    assert queues_of("celery, notifications") == {"celery", "notifications"}
    assert queues_of(["celery"]) == {"celery"}
    assert sweeps_only({"celery"}, "notifications")
    assert not sweeps_only({"notifications"}, "notifications")
    assert not sweeps_only({"celery", "notifications"}, "notifications")
    assert not sweeps_only(set(), "notifications")  # no -Q: every queue


def _priority_when_ready(queue: str) -> int:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.test", REDIS_URL=redis_url())
    env["SWEEPS_WORKER_NICE"] = "7"
    env["SENDS_WORKER_NICE"] = "3"
    name = f"prio-{os.getpid()}-{queue}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo"]
        + ["-Q", queue, "-n", f"{name}@%h", "-l", "info"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        seen = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if " ready." in line:
                return os.getpriority(os.PRIO_PROCESS, proc.pid)
        raise AssertionError("the worker never became ready:\n" + "".join(seen[-30:]))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.integration
def test_a_real_sweeps_worker_yields_most_the_sends_worker_a_little_a_worker_of_both_not():
    require_or_skip(redis_answers(), f"Redis does not answer at {redis_url()}")
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert _priority_when_ready("celery") == base + 7
    assert _priority_when_ready(settings.NOTIFICATIONS_QUEUE) == base + 3
    assert _priority_when_ready(f"celery,{settings.NOTIFICATIONS_QUEUE}") == base
