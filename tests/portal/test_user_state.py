"""What every page asks about the signed-in person — the session, their roles, their unread
count — comes from the shared cache (issue 19), and every change shows on the very next request:
a role taken away (either side of the relation), a notification written or read, a sign-out."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import notifications, roles, user_state
from portal.models import Notification

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _badge(client) -> str:
    body = client.get(reverse("profile")).content.decode()
    start = body.index('class="bell"')
    return body[start : body.index("</a>", start)]


def _note(user, title="新消息"):
    return notifications.notify(
        recipient=user, kind="test.free_text", obj=user, title=title, body="", channels=[]
    )


def test_a_page_reads_neither_session_nor_roles_nor_unread_count_from_the_database(make_user):
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    client.get(reverse("approvals:review-queue"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("approvals:review-queue")).status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "django_session" not in sql
    assert "auth_group" not in sql
    assert 'FROM "portal_notification"' not in sql
    # nor the person (portal.session_user: a changed password, a deactivation, "sign out
    # everywhere" move the person's generation; tests/portal/test_session_user.py)
    assert 'FROM "portal_user" WHERE "portal_user"."id" =' not in sql


def test_a_role_taken_away_ends_access_at_once_either_side(make_user):
    user = make_user(roles.REVIEWER)
    client = _signed_in(user)
    url = reverse("approvals:review-queue")
    assert client.get(url).status_code == 200
    user.groups.remove(Group.objects.get(name=roles.REVIEWER))
    assert client.get(url).status_code in (302, 403)

    user.groups.add(Group.objects.get(name=roles.REVIEWER))
    assert client.get(url).status_code == 200
    Group.objects.get(name=roles.REVIEWER).user_set.remove(user)
    assert client.get(url).status_code in (302, 403)
    Group.objects.get(name=roles.REVIEWER).user_set.add(user)
    assert client.get(url).status_code == 200
    Group.objects.get(name=roles.REVIEWER).user_set.clear()
    assert client.get(url).status_code in (302, 403)


def test_a_new_notification_and_reading_it_show_in_the_badge_at_once(make_user):
    user = make_user(roles.CITIZEN)
    client = _signed_in(user)
    assert 'class="badge"' not in _badge(client)
    note = _note(user)
    assert '<span class="badge">1</span>' in _badge(client)
    _note(user, "再一条")
    assert '<span class="badge">2</span>' in _badge(client)
    client.get(reverse("notification-open", args=[note.pk]))
    assert '<span class="badge">1</span>' in _badge(client)
    client.post(reverse("notifications-read"))
    assert 'class="badge"' not in _badge(client)
    # one by one (the admin): saved or deleted rows count too
    other = _note(user, "第三条")
    assert '<span class="badge">1</span>' in _badge(client)
    Notification.objects.get(pk=other.pk).delete()
    assert 'class="badge"' not in _badge(client)


def test_a_value_read_before_the_commit_is_never_served_after_it(
    make_user, django_capture_on_commit_callbacks
):
    """Another process may read (and cache) the old count between the write and the commit:
    the generation set at commit makes that entry unreachable."""
    user = make_user(roles.CITIZEN)
    assert user_state.unread_count(user) == 0
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _note(user)
        # what a reader elsewhere would cache before the commit, under the generation it saw
        gen, groups_gen = user_state._generations(user.pk)
        from django.core.cache import cache

        cache.set(f"user-state:{user.pk}:{gen}:{groups_gen}", {"roles": frozenset(), "unread": 0})
    user_state.forget(user)
    assert user_state.unread_count(user) == 1


def test_signing_out_ends_the_cached_session(make_user):
    user = make_user(roles.CITIZEN)
    client = _signed_in(user)
    cookie = client.cookies["sessionid"].value
    assert client.get(reverse("profile")).status_code == 200
    client.post(reverse("logout"))
    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert stolen.get(reverse("profile")).status_code == 302
