"""API tokens of our own (portal.tokens): hashed, expiring, revoked by a password change (the
person's, or an administrator's reset), by "sign out everywhere" and from the profile page; the
token endpoint under lock-out answers 429 like the log-in page."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal import roles, tokens
from portal.models import ApiToken, User

pytestmark = pytest.mark.django_db

PASSWORD = "Secret#2026"


def _token(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password})


def _me(key):
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


def test_the_endpoint_keeps_its_path_and_shape_and_stores_only_a_hash(client, make_user):
    user = make_user(roles.CITIZEN, username="tok1")
    response = _token(client, "tok1")
    assert response.status_code == 200
    body = response.json()
    key = body["token"]
    assert len(key) == 40 and "expires_at" in body
    stored = ApiToken.objects.get(user=user)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.key_hash, stored.prefix}
    assert stored.expires_at - timezone.now() > timedelta(days=29)
    assert _me(key).json()["username"] == "tok1"


def test_wrong_password_is_400_in_the_error_shape(client, make_user):
    make_user(roles.CITIZEN, username="tok2")
    body = _token(client, "tok2", "nope").json()
    assert body["code"] == "invalid" and "non_field_errors" in body["fields"]


def test_an_old_token_is_refused_after_a_password_change_on_the_profile(make_user):
    user = make_user(roles.CITIZEN, username="tok3")
    other_device = Client()
    other_device.force_login(user)
    _, key = tokens.issue(user=user)
    assert _me(key).status_code == 200

    browser = Client()
    browser.force_login(user)
    response = browser.post(
        reverse("profile-password"),
        {"old_password": PASSWORD, "new_password1": "Qz!8vRt#p2", "new_password2": "Qz!8vRt#p2"},
    )
    assert response.status_code == 302
    refused = _me(key)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
    assert refused["WWW-Authenticate"] == "Token"
    # this browser stays signed in; the other device's session has ended
    assert browser.get(reverse("profile")).status_code == 200
    assert other_device.get(reverse("profile")).status_code == 302
    assert User.objects.get(pk=user.pk).check_password("Qz!8vRt#p2")


def test_an_administrators_reset_revokes_the_tokens_too(admin_client, make_user):
    user = make_user(roles.CITIZEN, username="tok4")
    _, key = tokens.issue(user=user)
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Adm1n#Reset9", "password2": "Adm1n#Reset9", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _me(key).status_code == 401


def test_a_password_hash_upgrade_at_log_in_revokes_nothing(make_user, settings):
    user = make_user(roles.CITIZEN, username="tok5")
    _, key = tokens.issue(user=user)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert user.check_password(PASSWORD)  # rehashed and saved by Django
    assert user.password.startswith("pbkdf2_")
    assert _me(key).status_code == 200


def test_an_expired_token_is_401(make_user):
    user = make_user(roles.CITIZEN)
    token, key = tokens.issue(user=user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _me(key)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert _me("0" * 40).json()["code"] == "invalid_token"


def test_expiry_is_configurable_and_system_accounts_have_their_own(make_user, settings):
    settings.API_TOKEN_DAYS = 7
    settings.API_TOKEN_SYSTEM_DAYS = 90
    person, _ = tokens.issue(user=make_user(roles.CITIZEN))
    system, _ = tokens.issue(user=make_user(roles.HOTLINE))
    assert person.kind == "person" and system.kind == "system"
    assert timedelta(days=6) < person.expires_at - timezone.now() <= timedelta(days=7)
    assert timedelta(days=89) < system.expires_at - timezone.now() <= timedelta(days=90)


def test_rotation_from_the_admin_keeps_the_old_key_for_the_grace_period(
    admin_client, make_user, settings
):
    settings.API_TOKEN_ROTATION_GRACE_HOURS = 24
    hotline = make_user(roles.HOTLINE)
    old, old_key = tokens.issue(user=hotline)
    response = admin_client.post(
        "/admin/portal/apitoken/",
        {"action": "rotate", "_selected_action": [old.pk]},
        follow=True,
    )
    assert response.status_code == 200
    new = ApiToken.objects.exclude(pk=old.pk).get(user=hotline)
    page = response.content.decode()
    assert new.prefix in page  # the new key is shown once
    old.refresh_from_db()
    assert old.revoked_reason == "rotated"
    assert old.expires_at <= timezone.now() + timedelta(hours=24)
    assert _me(old_key).status_code == 200
    # the grace period ends by the clock (the cached token's expiry is checked every request)
    with time_machine.travel(old.expires_at + timedelta(seconds=1)):
        assert _me(old_key).status_code == 401


def test_the_profile_lists_tokens_masked_and_revokes_one(client, make_user):
    user = make_user(roles.CITIZEN)
    keep, keep_key = tokens.issue(user=user)
    drop, drop_key = tokens.issue(user=user)
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert keep.masked in page and drop.masked in page
    assert keep_key not in page and drop_key not in page
    stranger = make_user(roles.CITIZEN)
    theirs, _ = tokens.issue(user=stranger)
    assert client.post(reverse("profile-token-revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("profile-token-revoke", args=[drop.pk]))
    assert response.status_code == 302
    assert _me(drop_key).status_code == 401
    assert _me(keep_key).status_code == 200
    assert "已撤销" in client.get(reverse("profile")).content.decode()


def test_logging_out_ends_only_the_session_and_everywhere_ends_all(make_user):
    user = make_user(roles.CITIZEN)
    _, key = tokens.issue(user=user)
    here, there = Client(), Client()
    here.force_login(user)
    there.force_login(user)
    assert "在所有设备上退出" in here.get(reverse("logout")).content.decode()
    here.post(reverse("logout"))
    assert here.get(reverse("profile")).status_code == 302
    assert there.get(reverse("profile")).status_code == 200
    assert _me(key).status_code == 200

    here.force_login(user)
    here.post(reverse("logout"), {"everywhere": "1"})
    assert here.get(reverse("profile")).status_code == 302
    assert there.get(reverse("profile")).status_code == 302
    assert _me(key).status_code == 401
    # signing in again works
    fresh = Client()
    signed_in = fresh.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert fresh.get(reverse("profile")).status_code == 200


def test_the_token_endpoint_under_lock_out_is_429_with_the_code(client, make_user, settings):
    make_user(roles.CITIZEN, username="locked")
    codes = [
        _token(client, "locked", "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = _token(client, "locked")  # the right password, too late
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out" and "锁定" in body["message"]
    # the log-in page counts the same failures
    assert (
        client.post("/accounts/login/", {"username": "locked", "password": PASSWORD}).status_code
        == 429
    )


def test_too_many_live_tokens_revoke_the_oldest(make_user, settings):
    settings.API_TOKEN_MAX_PER_USER = 2
    user = make_user(roles.CITIZEN)
    first, first_key = tokens.issue(user=user)
    tokens.issue(user=user)
    tokens.issue(user=user)
    assert ApiToken.objects.active().filter(user=user).count() == 2
    first.refresh_from_db()
    assert first.revoked_reason == "limit"


def test_existing_plain_tokens_are_moved_and_their_table_dropped(make_user):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("portal.migrations.0011_api_tokens")
    user = make_user(roles.CITIZEN)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz, "
            "user_id bigint)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", ["a" * 40, user.pk])
    with connection.schema_editor() as editor:
        migration.move_authtoken_keys(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert _me("a" * 40).json()["username"] == user.username


# --- the token cache (issue 19): a live token costs no query, and every change ends it at once --


def _lookups(key) -> tuple[str, int]:
    """(why, queries) of one authentication."""
    with CaptureQueriesContext(connection) as queries:
        token, why = tokens.authenticate(key)
    return (why or "ok"), len(queries)


def test_a_used_token_is_read_from_the_cache_and_its_revocation_ends_it_at_once(make_user):
    user = make_user(roles.CITIZEN)
    token, key = tokens.issue(user=user)
    assert _lookups(key) == ("ok", 2)  # the token with its person, and its first use
    assert _lookups(key) == ("ok", 0)
    assert _me(key).json()["username"] == user.username
    tokens.revoke(token=token, actor=user)
    assert _lookups(key)[0] == "revoked"
    assert _me(key).json()["code"] == "token_revoked"


def test_the_cache_is_off_without_a_shared_cache_and_answers_the_same(make_user, settings):
    settings.API_TOKEN_CACHE = False
    user = make_user(roles.CITIZEN)
    token, key = tokens.issue(user=user)
    assert _lookups(key) == ("ok", 2)
    assert _lookups(key) == ("ok", 1)
    tokens.revoke(token=token, actor=user)
    assert _lookups(key)[0] == "revoked"


def test_every_revocation_path_moves_the_tokens_generation(make_user, settings):
    settings.API_TOKEN_MAX_PER_USER = 2
    user = make_user(roles.CITIZEN)
    oldest, oldest_key = tokens.issue(user=user)
    _, second_key = tokens.issue(user=user)
    assert _lookups(oldest_key)[0] == _lookups(second_key)[0] == "ok"
    assert _lookups(oldest_key)[1] == 0
    tokens.issue(user=user)  # over the limit: the oldest is revoked
    assert _lookups(oldest_key)[0] == "revoked"
    assert _lookups(second_key) == ("ok", 0)  # the others keep their cached entry
    tokens.revoke_all(user=user, reason=ApiToken.RevokedReason.PASSWORD)
    assert _lookups(second_key)[0] == "revoked"


def test_a_deactivated_or_edited_person_is_read_afresh_at_once(make_user):
    user = make_user(roles.CITIZEN, username="cached1")
    _, key = tokens.issue(user=user)
    assert _me(key).json()["real_name"] == user.real_name
    assert _lookups(key)[1] == 0
    user.real_name = "改过的名字"
    user.save(update_fields=["real_name"])
    assert _me(key).json()["real_name"] == "改过的名字"
    user.is_active = False
    user.save()
    refused = _me(key)
    assert refused.status_code == 401 and refused.json()["code"] == "account_inactive"


def test_a_deleted_token_is_gone_at_once(make_user):
    user = make_user(roles.CITIZEN)
    token, key = tokens.issue(user=user)
    assert _lookups(key)[0] == "ok"
    token.delete()
    assert _lookups(key)[0] == "invalid"


def test_a_reader_that_raced_a_revocation_cannot_keep_the_token_alive(make_user):
    """A request that read the token's generation, then the database before a revocation
    committed, stores what it read under that generation — which the revocation has moved."""
    user = make_user(roles.CITIZEN)
    token, key = tokens.issue(user=user)
    key_hash = tokens.hash_key(key)
    generation_seen = cache.get(tokens._gen_key(key_hash))
    if generation_seen is None:
        cache.add(tokens._gen_key(key_hash), 1, None)
        generation_seen = cache.get(tokens._gen_key(key_hash))
    live_row = tokens._from_database(key_hash)  # read before the revocation
    tokens.revoke(token=token, actor=user)
    cache.set(tokens._entry_key(key_hash), tokens._entry(generation_seen, live_row), 60)
    assert _lookups(key)[0] == "revoked"


def test_a_revocation_rolled_back_leaves_the_token_working(make_user):
    user = make_user(roles.CITIZEN)
    token, key = tokens.issue(user=user)
    assert _lookups(key)[0] == "ok"
    with pytest.raises(RuntimeError), transaction.atomic():
        tokens.revoke(token=token, actor=user)
        raise RuntimeError
    assert _lookups(key) == ("ok", 1)  # read afresh (the generation moved), still live
    assert _lookups(key) == ("ok", 0)


def test_the_cache_holds_no_password_hash_and_the_person_still_has_one(make_user):
    user = make_user(roles.CITIZEN)
    _, key = tokens.issue(user=user)
    tokens.authenticate(key)
    entry = cache.get(tokens._entry_key(tokens.hash_key(key)))
    assert "password" not in entry["user"] and entry["user"]["id"] == user.pk
    cached, why = tokens.authenticate(key)
    assert why == "" and cached.user.check_password(PASSWORD)  # deferred: read on demand
