"""My grid's incidents with their statement compiled once per grid scope and tab, each
request's moment put in (portal.sql_memo.instances with ``now``, issue 19): byte for byte the
page the ORM built on every request, in both languages and every tab, with the same SQL (but for each request's moment); a
new incident and a clock that turns red show on the next read (only the SQL is kept)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from grid.models import Incident
from grid.selectors import incidents as sel
from portal import sql_memo
from tests.grid.incident_fixtures import World
from tests.grid.test_incident_pages import made

pytestmark = pytest.mark.django_db
RANDOM = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
MOMENT = re.compile(r"'\d{4}-\d\d-\d\dT[\d:.]+\+00:00'::timestamptz")  # each request's own


@pytest.fixture
def w(db):
    return World()


def page(monkeypatch, user, language, url, *, old):
    with monkeypatch.context() as m:
        if old:  # the ORM's statement built and compiled on every request
            m.setattr(sql_memo, "instances", lambda alias, key, build, now=None: list(build(now)))
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(translation.get_language()):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
    assert response.status_code == 200
    sql = [MOMENT.sub("now", q["sql"]) for q in ctx.captured_queries]
    return sql, RANDOM.sub(b"random", response.content)


def same(monkeypatch, user, url):
    pages = []
    for language in ("zh-hans", "en"):
        page(monkeypatch, user, language, url, old=False)  # the person's caches warm
        old = page(monkeypatch, user, language, url, old=True)
        for _ in range(2):  # compiled, then kept
            new = page(monkeypatch, user, language, url, old=False)
            assert new == old, (url, language)
        pages.append(old[1])
    return pages


def test_my_grid_is_the_page_it_was(w, monkeypatch):
    sql_memo.clear()
    ordinary, urgent = made(w), made(w, category_code="URG")
    made(w, w.member3, lat=World.V2G1[0], lng=World.V2G1[1])
    late = made(w)
    Incident.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - timedelta(hours=3), warn_at=timezone.now() - timedelta(hours=9)
    )
    for tab in ("", "open", "mine", "closed", "odd"):
        for user in (w.member1, w.member3):
            same(monkeypatch, user, f"/grid/incidents/?tab={tab}")
    before = same(monkeypatch, w.member1, "/grid/incidents/")
    assert urgent.number.encode() in before[0] and ordinary.number.encode() in before[0]
    # a new incident, and a clock that has run out since the statement was kept
    newer = made(w)
    Incident.objects.filter(pk=ordinary.pk).update(
        due_at=timezone.now() + timedelta(seconds=2), warn_at=F("due_at")
    )
    after = same(monkeypatch, w.member1, "/grid/incidents/")
    assert newer.number.encode() in after[0]
    kept = sql_memo.instances(
        "default",
        ("t", 1),
        lambda now: sel.grid_queue(w.member1, now=now),
        now=timezone.now() + timedelta(minutes=1),
    )
    assert {i.number: i.clock_status for i in kept}[ordinary.number] == "overdue"


def test_a_statement_that_derives_from_the_moment_is_compiled_every_time(w):
    sql_memo.clear()
    made(w)
    now = timezone.now()

    def build(moment):  # a day after the moment: not the moment itself
        return sel.grid_queue(w.member1, now=moment + timedelta(days=30))

    for later in (now, now + timedelta(days=1)):
        got = sql_memo.instances("default", ("derived",), build, now=later)
        assert [(i.pk, i.clock_status) for i in got] == [
            (i.pk, i.clock_status) for i in build(later)
        ]
        assert got and got[0].clock_status == "overdue"
    assert sql_memo._MEMO[("instances", "default", "derived", False)] is sql_memo._EVERY_TIME


def test_a_page_with_many_keys_forgets_only_its_own(w, monkeypatch):
    sql_memo.clear()
    monkeypatch.setattr(sql_memo, "SIZE", 3)
    made(w)

    def build():
        return Incident.objects.all()

    sql_memo.instances("default", ("other", 1), build)
    for n in range(7):
        assert len(sql_memo.instances("default", ("many", n), build)) == 1
        assert sum(1 for k in sql_memo._MEMO if k[2] == "many") <= 3
    assert ("instances", "default", "other", 1, True) in sql_memo._MEMO
