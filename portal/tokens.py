"""API tokens: issue, check, revoke, rotate. Only the SHA-256 of a key is stored; the key itself
is shown once, when it is issued. People's tokens expire after ``API_TOKEN_DAYS`` (30), system
accounts' (the 12345 hotline) after ``API_TOKEN_SYSTEM_DAYS``; an administrator rotates those
from the admin, the old key working on for ``API_TOKEN_ROTATION_GRACE_HOURS`` so the other
system can switch over without a gap. A changed password, "sign out everywhere" and the owner
or an administrator revoke them."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal import audit, roles
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
    audit.record(
        actor=actor or user,
        action="token.issue",
        obj=user,
        after={"token": token.masked, "kind": kind, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


def authenticate(key: str) -> tuple[ApiToken | None, str]:
    """(token, "") for a live key, else (None, why): "invalid", "expired" or "revoked"."""
    if not key or len(key) > 128:
        return None, "invalid"
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
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
    return token, ""


@transaction.atomic
def revoke(*, token: ApiToken, actor, reason: str = ApiToken.RevokedReason.OWNER) -> bool:
    """Revoke one token; False when it was revoked already."""
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
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
    done = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
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
