"""The board's change stamp: has anything the board shows changed since the client's copy?

Every state change in every app goes through a service that writes the audit trail in the same
transaction, so the audit trail's newest entry says when anything last changed. The stamp is:

- the highest audit entry id, and how many entries the last 1,000 ids hold (a transaction that
  commits after a later one, with a lower id, still changes the count);
- the newest position a squad's phone sent during an open call-out (positions are not audited);
- the time, in TICK_SECONDS buckets (clocks turn yellow and red without anyone writing);
- the language.

Two tiny index-only queries, whatever the size of the town: an unchanged board answers 304
without computing anything."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from enforcement.selectors.callouts import position_stamp
from portal.models import AuditEntry

VERSION = "1"  # bump when the board's shape changes
WINDOW = 1000


def audit_stamp() -> tuple[int, int]:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.m, (SELECT count(*) FROM {table} WHERE id > t.m - %s) "  # noqa: S608
            f"FROM (SELECT max(id) AS m FROM {table}) t",
            [WINDOW],
        )
        top, recent = cursor.fetchone()
    return top or 0, recent or 0


def bucket(now: datetime) -> int:
    return int(now.timestamp()) // max(int(settings.CENTRE["TICK_SECONDS"]), 1)


def change_stamp(now: datetime | None = None) -> str:
    now = now or timezone.now()
    top, recent = audit_stamp()
    position = position_stamp()
    raw = ":".join(
        [
            VERSION,
            str(top),
            str(recent),
            position.isoformat() if position else "-",
            str(bucket(now)),
            translation.get_language() or "",
        ]
    )
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:20]
