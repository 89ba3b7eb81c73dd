"""The signed-in person of a page comes from the shared cache (portal.session_user, issue 19)
and every change that ends or alters a session shows on the very next request: a changed
password, a deactivation, a deletion, "sign out everywhere", an edit, a rotated SECRET_KEY."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles, session_user, tokens
from portal.models import User

pytestmark = pytest.mark.django_db

PERSON_QUERY = 'FROM "portal_user" WHERE "portal_user"."id" ='


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _person_queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return sum(PERSON_QUERY in q["sql"] for q in ctx.captured_queries), response


def _user_of(client):
    """The user get_user gives for the client's session (as the middleware asks)."""
    request = RequestFactory().get("/")
    request.session = client.session
    return session_user.get_user(request)


def _fields(user) -> dict:
    return {
        f.attname: getattr(user, f.attname)
        for f in User._meta.concrete_fields
        if f.attname != "password"
    }


def test_the_second_page_reads_the_person_from_the_cache_as_the_database_has_them(make_user):
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    url = reverse("profile")
    first, _ = _person_queries(client, url)
    second, response = _person_queries(client, url)
    assert first == 1 and second == 0 and response.status_code == 200
    cached = _user_of(client)
    assert cached.is_authenticated and _fields(cached) == _fields(User.objects.get(pk=user.pk))
    # the password hash is not kept in the cache: read from the database if asked for
    assert "password" not in cached.__dict__
    assert cached.password == User.objects.get(pk=user.pk).password


def test_an_edit_shows_on_the_next_page(make_user):
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    client.get(reverse("profile"))
    user.real_name = "改了名字"
    user.save()
    assert "改了名字" in client.get(reverse("profile")).content.decode()
    assert _user_of(client).real_name == "改了名字"


def test_a_changed_password_ends_the_other_sessions_at_once(make_user):
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    url = reverse("approvals:review-queue")
    client.get(url)
    assert client.get(url).status_code == 200
    user.set_password("a-new-password-1234")
    user.save()
    assert client.get(url).status_code in (302, 403)
    assert not _user_of(client).is_authenticated


def test_a_deactivated_or_deleted_person_is_signed_out_at_once(make_user):
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    url = reverse("approvals:review-queue")
    client.get(url)
    person = User.objects.get(pk=user.pk)
    person.is_active = False
    person.save()
    assert client.get(url).status_code in (302, 403)

    other = make_user(roles.REVIEWER)
    client = _signed_in(other)
    client.get(url)
    assert client.get(url).status_code == 200
    other.delete()
    assert client.get(url).status_code in (302, 403)


def test_sign_out_everywhere_ends_every_session_at_once(make_user):
    user = make_user(roles.REVIEWER)
    elsewhere = _signed_in(user)
    url = reverse("approvals:review-queue")
    elsewhere.get(url)
    assert elsewhere.get(url).status_code == 200
    tokens.sign_out_everywhere(user=User.objects.get(pk=user.pk))
    assert elsewhere.get(url).status_code in (302, 403)


def test_a_rotated_secret_key_is_never_answered_from_the_cache(make_user, settings):
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    url = reverse("approvals:review-queue")
    client.get(url)
    old = settings.SECRET_KEY
    # rotated with the old key kept as a fallback: the session is verified (and its hash
    # renewed) by Django from the database, then served from the cache again
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "n" * 60, [old]
    count, response = _person_queries(client, url)
    assert count == 1 and response.status_code == 200
    assert client.get(url).status_code == 200  # the renewed hash: read and kept
    count, response = _person_queries(client, url)
    assert count == 0 and response.status_code == 200
    # rotated without the fallback: signed out, whatever the cache holds
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "m" * 60, []
    assert client.get(url).status_code in (302, 403)


def test_a_forged_or_stale_session_hash_is_never_accepted_from_the_cache(make_user):
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    url = reverse("approvals:review-queue")
    client.get(url)
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()
    assert client.get(url).status_code in (302, 403)


def test_without_the_shared_cache_the_person_is_read_every_time(make_user, settings):
    settings.USER_STATE_CACHE = False
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    url = reverse("profile")
    client.get(url)
    count, response = _person_queries(client, url)
    assert count == 1 and response.status_code == 200
