"""A simulated clock for the demo seeders, so that the demo's history is made through the real
services *at the dates it tells*: inside ``simulated(moment)``, Django's ``timezone.now()`` —
and with it every ``auto_now``/``auto_now_add`` timestamp, ``timezone.localdate()`` and so every
service's default "today" — reads ``moment`` plus the real time elapsed since entering (so
steps keep their order).

Runtime-safe by construction: plain Python, no test library (time-machine is a development
dependency and ``make run``/docker run the seeder too). It replaces one module attribute of
the running process for the duration of the block and puts it back, so it is for
single-threaded seeding only (``manage.py seed_demo``), never for code that serves requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone


@contextmanager
def simulated(moment: datetime) -> Iterator[datetime]:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    real_now = timezone.now
    started = real_now()

    def now() -> datetime:
        return moment + (real_now() - started)

    timezone.now = now
    try:
        yield moment
    finally:
        timezone.now = real_now
