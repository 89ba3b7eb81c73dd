"""Heavy periodic work, one job at a time, and off the web's cores.

The reminder sweep and the centre's forecast both fall due every five minutes and, on a
county-sized town, each takes seconds of CPU; started together in a worker of several processes
they took both cores at once and the web stalled for 15-20 s (issue 19, the 80-user step). Each
takes the one shared slot before it starts (``heavy_slot``): a job that finds it taken waits up
to HEAVY_SLOT_WAIT_SECONDS for it and is skipped when it is still taken (the next period runs
it; the forecast's kept copy outlives three periods, a sweep resumes where the last stopped).
The slot is a cache key with the job's time limit as its life, so a dead worker's slot frees
itself.

The sweeps' worker also asks PostgreSQL for no parallel workers (``serial_queries``): its
backends and their parallel helpers run at normal priority, which the worker's own lowered
priority (SWEEPS_WORKER_NICE) does not reach."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

SLOT_KEY = "portal:background:heavy-slot"


class SlotTaken(Exception):
    """Another heavy job held the slot for the whole wait."""


@contextmanager
def heavy_slot(job: str, *, hold_seconds: int, wait_seconds: float | None = None) -> Iterator[None]:
    """Run the block as the only heavy job of the site. ``hold_seconds``: the job's time limit
    (the slot frees itself after it); ``wait_seconds`` (default HEAVY_SLOT_WAIT_SECONDS): how
    long to wait for a taken slot before SlotTaken."""
    wait = settings.HEAVY_SLOT_WAIT_SECONDS if wait_seconds is None else wait_seconds
    token = f"{job}:{uuid.uuid4().hex}"
    deadline = time.monotonic() + wait
    while not cache.add(SLOT_KEY, token, hold_seconds):
        if time.monotonic() >= deadline:
            raise SlotTaken(f"{job}: the slot is held by {cache.get(SLOT_KEY)!r}")
        time.sleep(min(settings.HEAVY_SLOT_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
    try:
        yield
    finally:
        if cache.get(SLOT_KEY) == token:  # never free a slot another job took after ours expired
            cache.delete(SLOT_KEY)


def run_heavy(job: str, work, *, hold_seconds: int):
    """``work()`` in the heavy slot; {"skipped": reason} when the slot stayed taken."""
    try:
        with heavy_slot(job, hold_seconds=hold_seconds):
            return work()
    except SlotTaken as taken:
        log.warning("%s skipped: %s (the next period runs it)", job, taken)
        return {"skipped": str(taken)}


def _no_parallel_workers(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")


def serial_queries() -> None:
    """Every database connection this process opens from now on asks for no parallel workers."""
    connection_created.connect(_no_parallel_workers, dispatch_uid="portal.background.serial")
