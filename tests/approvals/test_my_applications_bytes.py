"""My applications with its count's and page's statements compiled once per person, day and tab
(portal.sql_memo.Kept, issue 19) is byte for byte the page the ORM built on every request, in
both languages, for every tab and page (an odd page number too), with the same SQL statements
in the same order; and a change shows on the next read (only the SQL is kept, never a row).

The old way is the queryset itself under the Paginator (its result notices prefetched on the
page's rows, as the queryset's own prefetch did: the statements are compared)."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from approvals.views import citizen as views
from portal import sql_memo
from tests.approvals import citizen_journey as j

RANDOM = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')


def page(monkeypatch, user, language, url, *, old):
    with monkeypatch.context() as m:
        if old:
            m.setattr(sql_memo, "Kept", lambda alias, key, build: build())
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(translation.get_language()):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
    sql = [q["sql"] for q in ctx.captured_queries]
    return response.status_code, sql, RANDOM.sub(b"random", response.content)


def same(monkeypatch, user, url):
    pages = []
    for language in ("zh-hans", "en"):
        page(monkeypatch, user, language, url, old=False)  # the person's caches warm
        old = page(monkeypatch, user, language, url, old=True)
        for _ in range(2):  # compiled, then kept
            assert page(monkeypatch, user, language, url, old=False) == old, (url, language)
        assert old[0] == 200
        pages.append(old[2])
    return pages


@pytest.mark.parametrize("size", [20, 2])
def test_my_applications_is_the_page_it_was(world, monkeypatch, size):
    monkeypatch.setattr(views, "PAGE_SIZE", size)
    sql_memo.clear()
    url = reverse("approvals:my-applications")
    same(monkeypatch, world.citizen, url)  # none yet
    made = [j.online_draft(world), j.submitted(world), j.accepted(world), j.decided(world)]
    made.append(j.completed(world))
    for state in ("", "open", "draft", "done", "odd"):
        for number in ("", "1", "2", "3", "99", "x"):
            same(monkeypatch, world.citizen, f"{url}?state={state}&page={number}")
    before = same(monkeypatch, world.citizen, url)
    assert all(app.number.encode() in before[0] for app in made[-min(size, 4) :])
    newer = j.submitted(world)
    after = same(monkeypatch, world.citizen, url)
    assert newer.number.encode() in after[0] and after != before
