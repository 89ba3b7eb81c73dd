"""Heavy periodic jobs one at a time (portal.background): the reminder sweep and the forecast
never run together, a job that finds the slot taken waits and is skipped when it stays taken,
and the sweeps' worker asks PostgreSQL for no parallel workers."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created

from portal import background
from portal.celery import _lower_the_sweeps_priority


@pytest.fixture(autouse=True)
def _free_slot():
    cache.delete(background.SLOT_KEY)
    yield
    cache.delete(background.SLOT_KEY)


def test_a_second_job_waits_for_the_slot_and_runs_when_it_frees():
    order = []
    first_in = threading.Event()

    def first():
        with background.heavy_slot("first", hold_seconds=60):
            first_in.set()
            time.sleep(0.4)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(5)
    with background.heavy_slot("second", hold_seconds=60, wait_seconds=5):
        order.append("second runs")
    thread.join()
    assert order == ["first done", "second runs"]
    assert cache.get(background.SLOT_KEY) is None


def test_a_job_that_finds_the_slot_taken_for_its_whole_wait_is_skipped():
    ran = []
    with background.heavy_slot("sweep", hold_seconds=60):
        started = time.monotonic()
        with pytest.raises(background.SlotTaken, match="sweep"):
            with background.heavy_slot("forecast", hold_seconds=60, wait_seconds=0.3):
                ran.append("forecast")
        assert time.monotonic() - started >= 0.3
    assert ran == []


def test_run_heavy_returns_the_work_or_says_it_skipped(settings):
    settings.HEAVY_SLOT_WAIT_SECONDS = 0.1
    assert background.run_heavy("forecast", lambda: {"en": 3}, hold_seconds=60) == {"en": 3}
    with background.heavy_slot("sweep", hold_seconds=60):
        skipped = background.run_heavy("forecast", lambda: {"en": 3}, hold_seconds=60)
    assert set(skipped) == {"skipped"} and "sweep" in skipped["skipped"]
    assert background.run_heavy("forecast", lambda: {"en": 4}, hold_seconds=60) == {"en": 4}


def test_a_job_never_frees_a_slot_another_took_after_its_own_expired():
    with background.heavy_slot("slow", hold_seconds=1):
        time.sleep(1.2)  # the slot expired while the slow job ran
        assert cache.add(background.SLOT_KEY, "next:token", 60)
    assert cache.get(background.SLOT_KEY) == "next:token"


def test_the_slot_frees_when_the_job_fails():
    with pytest.raises(RuntimeError):
        with background.heavy_slot("sweep", hold_seconds=60):
            raise RuntimeError("the sweep failed")
    assert cache.get(background.SLOT_KEY) is None


def test_jobs_of_several_threads_never_overlap(settings):
    settings.HEAVY_SLOT_POLL_SECONDS = 0.01
    running, most, lock = [0], [0], threading.Lock()

    def job():
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return {}

    threads = [
        threading.Thread(
            target=background.run_heavy, args=(f"job{i}", job), kwargs={"hold_seconds": 60}
        )
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1


def _parallel_workers_of_a_new_connection() -> str:
    conn = connections.create_connection("default")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return cursor.fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def _serial_off():
    yield
    connection_created.disconnect(dispatch_uid="portal.background.serial")


@pytest.mark.django_db
@pytest.mark.usefixtures("_serial_off")
def test_the_sweeps_worker_asks_for_no_parallel_workers(settings):
    if connections["default"].vendor != "postgresql":
        pytest.skip("PostgreSQL's parallel workers")
    settings.SWEEPS_WORKER_NICE = 0  # never renice the test process
    settings.SWEEPS_SERIAL_QUERIES = True
    default = _parallel_workers_of_a_new_connection()
    assert default != "0"
    _lower_the_sweeps_priority(options={"queues": "notifications"})  # the sends' worker
    assert _parallel_workers_of_a_new_connection() == default
    _lower_the_sweeps_priority(options={"queues": "celery"})
    assert _parallel_workers_of_a_new_connection() == "0"


@pytest.mark.django_db
@pytest.mark.usefixtures("_serial_off")
def test_serial_queries_can_be_switched_off(settings):
    if connections["default"].vendor != "postgresql":
        pytest.skip("PostgreSQL's parallel workers")
    settings.SWEEPS_WORKER_NICE = 0
    settings.SWEEPS_SERIAL_QUERIES = False
    _lower_the_sweeps_priority(options={"queues": "celery"})
    assert _parallel_workers_of_a_new_connection() != "0"


def test_the_sweep_and_the_forecast_take_the_slot(settings):
    from centre import tasks as centre_tasks
    from portal import tasks

    settings.HEAVY_SLOT_WAIT_SECONDS = 0.1
    with background.heavy_slot("another heavy job", hold_seconds=60):
        swept = tasks.sweep_reminders.apply(kwargs={"now": "2026-11-02T09:00:00+08:00"}).get()
        forecast = centre_tasks.forecast_refresh()
    assert "another heavy job" in swept["skipped"]
    assert "another heavy job" in forecast["skipped"]
