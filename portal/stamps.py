"""Change stamps of shared data (portal.models.ChangeStamp, one row per key): a service that
changes the data sets a new stamp in the same transaction, and whatever is cached from that
data is cached under the stamp it was read with. A reader reads the stamp first, then the data:
a stamp seen is never older than the data read after it, so a cache entry can only be stale
under a stamp that is already obsolete. Readers in any process see a change as soon as it is
committed; nothing needs to reach them."""

import secrets

from portal.models import ChangeStamp


def read(key: str) -> int:
    return ChangeStamp.objects.filter(key=key).values_list("value", flat=True).first() or 0


def bump(key: str) -> None:
    """Call inside the transaction that changes the data. The new value is random, not the
    next number, so that a value seen inside a transaction that was rolled back is never
    reused for different data."""
    value = secrets.randbits(62) + 1
    if not ChangeStamp.objects.filter(key=key).update(value=value):
        ChangeStamp.objects.update_or_create(key=key, defaults={"value": value})
