"""Change stamps of shared data (portal.models.ChangeStamp, one row per key): whatever is cached
from some data is cached under the stamp it was read with, and a change to the data sets a new
stamp. Values are random, not the next number, so that a value seen inside a transaction that
was rolled back is never reused for different data.

Two ways to set one, for two kinds of data:

- ``bump(key)`` — in the transaction that changes the data (the register: rare changes, read
  with ``read``, one query a request). A reader reads the stamp first, then the data: a stamp
  seen is never older than the data read after it, so a cache entry can only be stale under a
  stamp that is already obsolete, and every process sees the change as soon as it commits. The
  row stays locked until the commit.
- ``bump_on_commit(*keys)`` — for busy data that many transactions change at once (incidents,
  work orders, cases, applications: the command centre's board). Registered inside the
  transaction, applied when it commits (a rolled-back transaction moves nothing, and a stamp
  never moves before the data it stands for is visible), each key once per atomic block, in a
  tiny statement of its own: no row lock held across the writers' transactions, so no queue of
  writers behind one hot row and no deadlock between two keys bumped in opposite orders. The
  models' signals do it for every save and delete (``watch(key, Model, …)``, connected by each
  app in its ready()); a bulk write's service calls it by hand. A process that dies between the
  commit and the bump loses the bump: caches keyed by such stamps must also expire (the board's
  panels are keyed by the clock's tick as well).

Either way the new value also goes to the shared cache (Redis in production) at the commit, and
``read_many(keys)`` answers from a per-process memo of at most ``CHANGE_STAMP_MEMO_SECONDS``
(1 s), else from the cache (one ``get_many``), and asks the database only for a key the cache
does not hold (a cold or restarted cache; the cached copies expire after
``CHANGE_STAMP_CACHE_SECONDS`` so that processes without a shared cache still agree within that
time): a poll whose stamps are fresh costs no query."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from portal.models import ChangeStamp

CACHE_PREFIX = "stamp:"

_lock = threading.Lock()
_memo: dict[str, tuple[float, int]] = {}


def _memo_seconds() -> float:
    return float(getattr(settings, "CHANGE_STAMP_MEMO_SECONDS", 1.0))


def _cache_seconds() -> float:
    return float(getattr(settings, "CHANGE_STAMP_CACHE_SECONDS", 10.0))


def _new_value() -> int:
    return secrets.randbits(62) + 1


def _publish(key: str, value: int) -> None:
    """After the commit: the shared cache gets the new value, this process forgets its memo."""
    if _cache_seconds():
        cache.set(CACHE_PREFIX + key, value, _cache_seconds())
    with _lock:
        _memo.pop(key, None)


def read(key: str) -> int:
    return ChangeStamp.objects.filter(key=key).values_list("value", flat=True).first() or 0


def read_all(keys: Iterable[str]) -> dict[str, int]:
    """``read`` of several keys in one query (0 for a key never bumped)."""
    keys = list(dict.fromkeys(keys))
    stored = dict(ChangeStamp.objects.filter(key__in=keys).values_list("key", "value"))
    return {key: stored.get(key, 0) for key in keys}


def bump(key: str) -> None:
    """Call inside the transaction that changes the data: a new value in the same transaction
    (see above)."""
    value = _new_value()
    if not ChangeStamp.objects.filter(key=key).update(value=value, changed_at=timezone.now()):
        ChangeStamp.objects.update_or_create(key=key, defaults={"value": value})
    cache.delete(CACHE_PREFIX + key)
    transaction.on_commit(partial(_publish, key, value), robust=True)


def _apply(key: str) -> None:
    """At the commit of a ``bump_on_commit``: a new value in the database (its own statement)
    and the cache."""
    value = _new_value()
    now = timezone.now()
    if not ChangeStamp.objects.filter(key=key).update(value=value, changed_at=now):
        try:
            with transaction.atomic():
                ChangeStamp.objects.create(key=key, value=value)
        except IntegrityError:  # created by a concurrent bump meanwhile: overwrite it
            ChangeStamp.objects.filter(key=key).update(value=value, changed_at=now)
    _publish(key, value)


def bump_on_commit(*keys: str) -> None:
    """Move these stamps when the current transaction commits (at once outside one). A key
    bumped twice in the same atomic block moves once."""
    connection = transaction.get_connection()
    pending = set()
    if connection.in_atomic_block:
        here = set(connection.savepoint_ids)
        pending = {
            getattr(fn, "stamp_key", None)
            for sids, fn, _robust in connection.run_on_commit
            if sids == here
        }
    for key in dict.fromkeys(keys):
        if key in pending:
            continue
        fn = partial(_apply, key)
        fn.stamp_key = key  # type: ignore[attr-defined]
        transaction.on_commit(fn, robust=True)


def read_many(keys: Iterable[str]) -> dict[str, int]:
    """Each key's current value (0 for a key never bumped): memo, cache, database."""
    keys = list(dict.fromkeys(keys))
    now = time.monotonic()
    memo_for = _memo_seconds()
    found: dict[str, int] = {}
    missing = []
    for key in keys:
        hit = _memo.get(key)
        if hit is not None and now - hit[0] < memo_for:
            found[key] = hit[1]
        else:
            missing.append(key)
    if not missing:
        return found
    cached = cache.get_many([CACHE_PREFIX + k for k in missing]) if _cache_seconds() else {}
    absent = [k for k in missing if CACHE_PREFIX + k not in cached]
    if absent:
        stored = dict(ChangeStamp.objects.filter(key__in=absent).values_list("key", "value"))
        for key in absent:
            value = stored.get(key, 0)
            # add, not set: a bump published meanwhile is never overwritten by this older value
            if _cache_seconds():
                cache.add(CACHE_PREFIX + key, value, _cache_seconds())
            cached[CACHE_PREFIX + key] = value
    with _lock:
        for key in missing:
            value = int(cached[CACHE_PREFIX + key])
            found[key] = value
            if memo_for:
                _memo[key] = (now, value)
    return found


def forget() -> None:
    """Drop this process's memo (tests)."""
    with _lock:
        _memo.clear()


def watch(key: str, *models) -> None:
    """``bump_on_commit(key)`` whenever a row of these models is saved or deleted. Bulk writes
    (``update()``, ``bulk_create()``) send no signal: their service bumps by hand."""

    def changed(sender, **kwargs):
        if kwargs.get("raw"):  # loaddata
            return
        bump_on_commit(key)

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                changed,
                sender=model,
                weak=False,
                dispatch_uid=f"stamps:{key}:{model._meta.label_lower}:{signal is post_save}",
            )
