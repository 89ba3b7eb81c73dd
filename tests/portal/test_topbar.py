"""The top bar kept per what it shows (portal.templatetags.shell, issue 19) is byte for byte
what its template renders — anonymous and signed-in people of several roles, both languages,
the current page in the menu or not, a path the language form returns to that needs escaping,
unread counts, first and later renders (other CSRF tokens, other paths)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.middleware.csrf import get_token
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

from portal import roles
from portal.menu import menu_for
from portal.templatetags import shell

pytestmark = pytest.mark.django_db

CACHED = Template("{% load i18n shell %}{% get_current_language as LANG %}{% topbar %}")
PLAIN = Template(
    '{% load i18n %}{% get_current_language as LANG %}{% include "portal/_topbar.html" %}'
)


def _request(path, user):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _context(request, values):
    context = RequestContext(request)
    context.update(dict(values))  # above what the context processors give
    return context


def _both(path, user, extra=None):
    request = _request(path, user)
    # the same request and the same (masked) CSRF token: each context would mask it afresh
    token = get_token(request)
    values = {"csrf_token": token, **(extra or {})}
    cached = CACHED.render(_context(request, values))
    plain = PLAIN.render(_context(request, values))
    assert token in cached
    return cached, plain


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "role", [None, roles.CITIZEN, roles.WINDOW_CLERK, roles.SUPERVISOR, "super"]
)
def test_the_kept_bar_is_what_the_template_renders(make_user, language, role):
    shell._memo.clear()
    if role is None:
        user = AnonymousUser()
    elif role == "super":
        user = make_user(roles.CITIZEN, is_superuser=True, real_name="管理 <员>")
    else:
        user = make_user(role, real_name='张"三"&')
    with translation.override(language):
        menu = menu_for(user)
        paths = ["/", '/x/?next=<b>&q="引号"&amp', *(item["url"] for item in menu[:3])]
        for path in paths:
            for unread in (None, 0, 1, 7):
                extra = {} if unread is None else {"unread_notifications": unread}
                for _ in range(2):  # first render (kept), then from the memo
                    cached, plain = _both(path, user, extra)
                    assert cached == plain, (path, unread)
                    assert "csrfmiddlewaretoken" in cached
    assert shell._memo  # something was kept


def test_every_request_gets_its_own_token_and_path(make_user):
    shell._memo.clear()
    user = make_user(roles.WINDOW_CLERK)
    with translation.override("zh-hans"):
        first, _ = _both("/a/?x=1", user)
        second, plain = _both("/a/?x=2", user)
    assert second == plain and first != second
    assert 'value="/a/?x=2"' in second and 'value="/a/?x=1"' in first
    assert len(shell._memo) == 1


def test_without_a_request_or_a_token_the_template_renders_as_before(make_user):
    user = make_user(roles.WINDOW_CLERK)
    with translation.override("zh-hans"):
        values = {
            "user": user,
            "menu": menu_for(user),
            "LANG": "zh-hans",
            "unread_notifications": 2,
        }
        from django.template import Context

        cached = Template("{% load shell %}{% topbar %}").render(Context(values))
        plain = Template('{% include "portal/_topbar.html" %}').render(Context(values))
    assert cached == plain
