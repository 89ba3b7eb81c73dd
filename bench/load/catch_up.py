#!/usr/bin/env python
"""Before the measured window: the reminders that the generated history has already had.

``manage.py generate`` writes three years of a town as if the portal had run all along, but
not the reminder ledger (nor the notices or audit entries): the first sweep after a generation
finds every overdue incident, escalation step and late work order of those three years due at
once — about 12,000 reminders and 180,000 messages at full size, four bounded sweeps of a
worker core (docs/performance.md). A town that has been running sent those as they fell due.
This records each of them in the ledger (``portal.models.Reminder``, the rules' own keys, each
rule run as the sweep runs it) without making its messages, so that the window measures a
working day: the beat's sweeps still run and still issue what falls due during it.

    DATABASE_URL=... python bench/load/catch_up.py      # run.py does it (--no-catch-up: not)

Prints one line per rule with reminders recorded. Nothing here is product code."""

from __future__ import annotations

import itertools
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from portal import reminders
    from portal.models import Reminder

    sweep = reminders.Sweep(now=timezone.now(), limit=10**9)
    total = 0
    started = time.monotonic()
    for rule in reminders.rules():
        token, now, recorded = uuid.uuid4(), timezone.now(), 0
        items = iter(rule.fn(sweep) or ())
        while chunk := list(itertools.islice(items, 5000)):
            rows = {}
            for due in chunk:
                people = [u for u in due.recipients if u is not None and u.is_active]
                if people:  # as a sweep: nobody to tell yet is not recorded
                    object_type, object_id, deadline = due.key
                    rows.setdefault(
                        due.key,
                        Reminder(
                            kind=rule.kind,
                            object_type=object_type,
                            object_id=object_id,
                            deadline=deadline,
                            sweep=token,
                            created_at=now,
                            recipients=len(people),
                        ),
                    )
            with transaction.atomic():
                Reminder.objects.bulk_create(rows.values(), ignore_conflicts=True)
            recorded += len(rows)
        if recorded:
            print(f"  {rule.kind}: {recorded:,} reminders recorded as given", flush=True)
        total += recorded
    print(f"reminder ledger caught up: {total:,} in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
