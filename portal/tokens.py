"""API tokens: issue, check, revoke, rotate. Only the SHA-256 of a key is stored; the key itself
is shown once, when it is issued. People's tokens expire after ``API_TOKEN_DAYS`` (30), system
accounts' (the 12345 hotline) after ``API_TOKEN_SYSTEM_DAYS``; an administrator rotates those
from the admin, the old key working on for ``API_TOKEN_ROTATION_GRACE_HOURS`` so the other
system can switch over without a gap. A changed password, "sign out everywhere" and the owner
or an administrator revoke them.

With ``API_TOKEN_CACHE`` (on with a shared cache: Redis in production) a live token and its
person are read from the cache instead of the database (issue 19: the lookup was most of a
simple API read). Each token has a generation of its own in the cache
(``api-token:<hash>:gen``); its entry is stored under the generation read *before* the database,
and is used only while that generation holds. Whatever could change the answer moves the
generation at once and again when its transaction commits: a revocation (``revoke``,
``revoke_all``, the oldest tokens over the limit in ``issue``), a token saved or deleted
(rotation, the admin), a person saved or deleted (deactivated, edited) — so a revoked token, a
deactivated account or an edited person is refused or read afresh on the very next request in
every process. Expiry is checked against the clock on every request. Only live tokens are
cached (an unknown key always costs its query); the password hash is not cached (the person
comes back with it deferred)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal import audit, roles, user_state
from portal.models import ApiToken

# Roles held by system accounts (no person behind them): their tokens live longer.
SYSTEM_ROLES = (roles.HOTLINE,)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def kind_for(user) -> str:
    return ApiToken.Kind.SYSTEM if user.has_role(*SYSTEM_ROLES) else ApiToken.Kind.PERSON


def lifetime(kind: str) -> timedelta:
    if kind == ApiToken.Kind.SYSTEM:
        return timedelta(days=settings.API_TOKEN_SYSTEM_DAYS)
    return timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def issue(*, user, actor=None, name: str = "", kind: str | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: (the token, its key — shown once, never stored). Beyond
    ``API_TOKEN_MAX_PER_USER`` live tokens the oldest are revoked."""
    kind = kind or kind_for(user)
    key = secrets.token_hex(20)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        kind=kind,
        name=name[:64],
        key_hash=hash_key(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + lifetime(kind),
    )
    keep = max(1, settings.API_TOKEN_MAX_PER_USER)
    surplus = list(
        ApiToken.objects.active(now)
        .filter(user=user)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[keep:]
    )
    if surplus:
        ApiToken.objects.filter(id__in=surplus).update(
            revoked_at=now, revoked_reason=ApiToken.RevokedReason.LIMIT
        )
        changed(ApiToken.objects.filter(id__in=surplus).values_list("key_hash", flat=True))
    audit.record(
        actor=actor or user,
        action="token.issue",
        obj=user,
        after={"token": token.masked, "kind": kind, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


# --- the cache of live tokens (see the module's docstring) ------------------------------------

CACHE_SECONDS = 3600
_PREFIX = "api-token:"


def _gen_key(key_hash: str) -> str:
    return f"{_PREFIX}{key_hash}:gen"


def _entry_key(key_hash: str) -> str:
    return f"{_PREFIX}{key_hash}"


def _new_generation() -> int:
    return secrets.randbits(62) + 1


def _bump_now(hashes) -> None:
    cache.set_many({_gen_key(h): _new_generation() for h in hashes}, None)


def changed(hashes) -> None:
    """These tokens changed: every process reads them afresh from the next request on, and
    again after the surrounding transaction commits."""
    hashes = {h for h in hashes if h}
    if not hashes or not settings.API_TOKEN_CACHE:
        return
    _bump_now(hashes)
    transaction.on_commit(lambda: _bump_now(hashes), robust=True)


def _live_hashes(user_pks) -> list[str]:
    return list(
        ApiToken.objects.filter(user_id__in=user_pks, revoked_at__isnull=True).values_list(
            "key_hash", flat=True
        )
    )


def person_changed(user_pks) -> None:
    """These people changed (saved, deactivated, deleted): their tokens are read afresh. The
    tokens are looked up again at the commit, so that one issued meanwhile is covered too."""
    pks = {int(pk) for pk in user_pks if pk is not None}
    if not pks or not settings.API_TOKEN_CACHE:
        return
    _bump_now(_live_hashes(pks))
    transaction.on_commit(lambda: _bump_now(_live_hashes(pks)), robust=True)


def _fields(model, leave_out=()) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in leave_out]


def _entry(generation: int, token: ApiToken) -> dict:
    from portal.models import User

    return {
        "gen": generation,
        "token": {name: getattr(token, name) for name in _fields(ApiToken)},
        "user": {name: getattr(token.user, name) for name in _fields(User, ("password",))},
    }


def _restore(entry: dict) -> ApiToken:
    from portal.models import User

    db = ApiToken.objects.db
    user = User.from_db(db, list(entry["user"]), list(entry["user"].values()))
    token = ApiToken.from_db(db, list(entry["token"]), list(entry["token"].values()))
    token.user = user
    return token


def _from_database(key_hash: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()


def _look_up(key_hash: str) -> tuple[ApiToken | None, int | None]:
    """(the token or None, the generation it was read under; None without the cache)."""
    if not settings.API_TOKEN_CACHE:
        return _from_database(key_hash), None
    gen_key, entry_key = _gen_key(key_hash), _entry_key(key_hash)
    found = cache.get_many([gen_key, entry_key])
    generation = found.get(gen_key)
    if generation is None:
        cache.add(gen_key, _new_generation(), None)
        generation = cache.get(gen_key)
    entry = found.get(entry_key)
    if entry is not None and generation is not None and entry.get("gen") == generation:
        return _restore(entry), generation
    # the generation was read first: a change committed after this read moves it again
    token = _from_database(key_hash)
    if token is not None and token.revoked_at is None and generation is not None:
        cache.set(entry_key, _entry(generation, token), CACHE_SECONDS)
    return token, generation


def authenticate(key: str) -> tuple[ApiToken | None, str]:
    """(token, "") for a live key, else (None, why): "invalid", "expired" or "revoked"."""
    if not key or len(key) > 128:
        return None, "invalid"
    key_hash = hash_key(key)
    token, generation = _look_up(key_hash)
    if token is None:
        return None, "invalid"
    now = timezone.now()
    if token.revoked_at is not None:
        return None, "revoked"
    if token.expires_at <= now:
        return None, "expired"
    stale = timedelta(seconds=settings.API_TOKEN_LAST_USED_PRECISION_SECONDS)
    if token.last_used_at is None or now - token.last_used_at > stale:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        if generation is not None:  # under the generation read before: never fresher
            cache.set(_entry_key(key_hash), _entry(generation, token), CACHE_SECONDS)
    return token, ""


@transaction.atomic
def revoke(*, token: ApiToken, actor, reason: str = ApiToken.RevokedReason.OWNER) -> bool:
    """Revoke one token; False when it was revoked already."""
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    changed([token.key_hash])
    if done:
        audit.record(
            actor=actor,
            action="token.revoke",
            obj=token.user,
            after={"token": token.masked, "reason": reason},
        )
    return bool(done)


@transaction.atomic
def revoke_all(*, user, reason: str, actor=None) -> int:
    """Revoke every live token of ``user`` (a password change, "sign out everywhere")."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    changed(live.values_list("key_hash", flat=True))
    done = live.update(revoked_at=timezone.now(), revoked_reason=reason)
    if done:
        audit.record(
            actor=actor or user,
            action="token.revoke_all",
            obj=user,
            after={"count": done, "reason": reason},
        )
    return done


@transaction.atomic
def rotate(*, token: ApiToken, actor) -> tuple[ApiToken, str]:
    """A new key for the same account and purpose; the old one works on for the grace period
    (``API_TOKEN_ROTATION_GRACE_HOURS``) and is then gone."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    new, key = issue(user=token.user, actor=actor, name=token.name, kind=token.kind)
    if token.revoked_at is None:
        grace_end = timezone.now() + timedelta(hours=settings.API_TOKEN_ROTATION_GRACE_HOURS)
        token.expires_at = min(token.expires_at, grace_end)
        if settings.API_TOKEN_ROTATION_GRACE_HOURS <= 0:
            token.revoked_at = timezone.now()
        token.revoked_reason = ApiToken.RevokedReason.ROTATED
        token.save(update_fields=["expires_at", "revoked_at", "revoked_reason"])
    audit.record(
        actor=actor,
        action="token.rotate",
        obj=token.user,
        after={"old": token.masked, "new": new.masked},
    )
    return new, key


@transaction.atomic
def sign_out_everywhere(*, user) -> int:
    """End every session of ``user`` (the session hash changes with the epoch) and revoke their
    tokens. The caller logs the current session out."""
    from portal.models import User

    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user_state.changed([user.pk])  # no signal from update(): the cached session user drops
    user.refresh_from_db(fields=["session_epoch"])
    count = revoke_all(user=user, reason=ApiToken.RevokedReason.EVERYWHERE, actor=user)
    audit.record(actor=user, action="account.sign_out_everywhere", obj=user)
    return count


def for_profile(user):
    """The person's tokens for the profile page: the live ones, then the last few ended."""
    now = timezone.now()
    live = list(ApiToken.objects.active(now).filter(user=user).order_by("-created_at"))
    ended = list(
        ApiToken.objects.filter(user=user)
        .exclude(pk__in=[t.pk for t in live])
        .order_by("-created_at")[:5]
    )
    return live, ended
