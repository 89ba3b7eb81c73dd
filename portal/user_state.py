"""What every page asks about the signed-in person, cached per person (issue 19): the names of
their roles (groups) and how many of their notifications are unread. Without it each page paid
two queries for them (plus the session's and the user's own).

Both are cached under a generation of the person's own (``user-state:<pk>:gen``), and the role
names also under a generation of all groups. Whatever changes them sets a new generation —
once at once, and once more when the transaction commits — and a reader reads the generations
first, then the data: a value read before a change was committed can only be stored under a
generation that is already obsolete. So a role taken away, a new notification or one read shows
on the very next request, in every process that shares the cache (production: Redis).

What sets a new generation: a change to a person's groups either way (m2m_changed on
User.groups), a group renamed or deleted, notifications written (portal.notifications
.notify_bulk), marked read (mark_read), or saved or deleted one by one (post_save/post_delete:
the admin)."""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VALUE_SECONDS = 3600
GROUPS_GEN = "user-state:groups:gen"


def _gen_key(pk: int) -> str:
    return f"user-state:{pk}:gen"


def _new() -> int:
    return secrets.randbits(62) + 1


def _generations(pk: int) -> tuple[int, int]:
    keys = [_gen_key(pk), GROUPS_GEN]
    found = cache.get_many(keys)
    if len(found) < 2:
        for key in keys:
            if key not in found:
                cache.add(key, _new(), None)
        found = cache.get_many(keys)
    return found.get(keys[0], 0), found.get(keys[1], 0)


def _bump_now(pks) -> None:
    cache.set_many({_gen_key(pk): _new() for pk in pks}, None)


def changed(pks) -> None:
    """The state of the people ``pks`` changed (roles or notifications): read afresh by their
    next request, and again after the surrounding transaction commits."""
    pks = {int(pk) for pk in pks if pk is not None}
    if not pks:
        return
    _bump_now(pks)
    transaction.on_commit(lambda: _bump_now(pks), robust=True)


def groups_changed() -> None:
    """A group was renamed or deleted: everyone's role names are read afresh."""

    def bump():
        cache.set(GROUPS_GEN, _new(), None)

    bump()
    transaction.on_commit(bump, robust=True)


def _state(user) -> dict:
    """{"roles": frozenset of group names, "unread": int}, read once per user object (a
    request's): two cache reads, or two queries when the person's state changed."""
    found = getattr(user, "_user_state", None)
    if found is not None:
        return found
    gen, groups_gen = _generations(user.pk)
    key = f"user-state:{user.pk}:{gen}:{groups_gen}"
    found = cache.get(key)
    if found is None:
        from portal.models import Notification

        found = {
            "roles": frozenset(user.groups.values_list("name", flat=True)),
            "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        }
        cache.set(key, found, VALUE_SECONDS)
    user._user_state = found
    return found


def forget(user) -> None:
    """Drop what this user object remembers (after it changed the person's state itself)."""
    user.__dict__.pop("_user_state", None)
    user.__dict__.pop("_role_names", None)


def role_names(user) -> set[str]:
    if not user.pk:
        return set()
    if not settings.USER_STATE_CACHE:
        return set(user.groups.values_list("name", flat=True))
    return set(_state(user)["roles"])


def unread_count(user) -> int:
    if not settings.USER_STATE_CACHE:
        from portal.models import Notification

        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return _state(user)["unread"]
