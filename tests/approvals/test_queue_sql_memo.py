"""The review and intake queues' statements compiled once per process (portal.sql_memo, issue
19): the pages are byte for byte the pages the ORM built on every request (both languages,
each filter, the first page and the next), with the same SQL statements in the same order, and a change to the
applications shows on the next read (only the SQL is kept, never a row)."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from approvals.models import Application
from approvals.selectors import applications as sel
from approvals.selectors import staff as staff_sel
from approvals.templatetags import applications as tags
from portal import sql_memo
from tests.approvals.staff_fixtures import accepted, in_review, submitted

RANDOM = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
NEXT = re.compile(r"after=([A-Za-z0-9_-]+)")


def old_ways(m):
    """The code before the memo: each statement built and compiled on every request."""
    m.setattr(
        staff_sel,
        "kept_keyset_page",
        lambda key, build, keys, cursor: staff_sel.keyset_page(build(), keys, cursor),
    )
    m.setattr(
        staff_sel,
        "kept_clock_counts",
        lambda key, build, today: staff_sel.clock_counts(build(), today),
    )
    m.setattr(tags, "_kept", lambda draw: draw)


def page(monkeypatch, user, language, url, *, old, headers=None):
    with monkeypatch.context() as m:
        if old:
            old_ways(m)
        client = Client(headers=headers or {})
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(translation.get_language()):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries], RANDOM.sub(b"random", response.content)


def same(monkeypatch, user, url, **kwargs):
    """Old and new page, both languages, the new one read twice (compiled, then kept)."""
    pages = []
    for language in ("zh-hans", "en"):
        page(monkeypatch, user, language, url, old=False, **kwargs)  # the person's caches warm
        old = page(monkeypatch, user, language, url, old=True, **kwargs)
        for _ in range(2):
            assert page(monkeypatch, user, language, url, old=False, **kwargs) == old, (
                url,
                language,
            )
        pages.append(old[1])
    return pages


def queue(world, size):
    """Applications in every state and clock colour of the review queue, and fresh
    submissions for the intake queue."""
    made = [submitted(world), submitted(world)]
    made += [accepted(world) for _ in range(2)] + [in_review(world) for _ in range(2)]
    today = timezone.localdate()
    for n, app in enumerate(made[2:]):  # overdue, warning and normal clocks
        Application.objects.filter(pk=app.pk).update(
            due_date=today + datetime.timedelta(days=n - 2),
            warning_date=today + datetime.timedelta(days=n - 3),
        )
    return made


@pytest.mark.parametrize("size", [50, 2])
def test_the_review_and_intake_queues_are_the_pages_they_were(world, monkeypatch, size):
    monkeypatch.setattr(staff_sel.keyset_page, "__defaults__", (size,))
    sql_memo.clear()
    queue(world, size)
    review = reverse("approvals:review-queue")
    intake = reverse("approvals:intake-queue")
    for show in ("", "mine", "unclaimed", "odd"):
        before = same(monkeypatch, world.reviewer, f"{review}?show={show}")
        cursors = NEXT.findall(before[0].decode())
        for cursor in cursors[:1]:  # the next page, as htmx asks for it, and as a page
            same(
                monkeypatch,
                world.reviewer,
                f"{review}?show={show}&after={cursor}",
                headers={"HX-Request": "true"},
            )
            same(monkeypatch, world.reviewer, f"{review}?show={show}&after={cursor}")
        if size == 2 and show == "":
            assert cursors, show
    before = same(monkeypatch, world.clerk, intake)
    assert before[0].count(b"<tr data-href") == min(2, size)

    # a change shows on the next read: nothing but the SQL is kept
    newer = submitted(world)
    claimed = in_review(world)
    after = same(monkeypatch, world.clerk, intake)
    assert after != before
    if size == 50:
        assert newer.number.encode() in after[0]
        assert claimed.number.encode() in same(monkeypatch, world.reviewer, review)[0]


def fields(obj):
    return {k: v for k, v in vars(obj).items() if k != "_state"}


def test_kept_instances_are_the_querysets_instances(world):
    """Every column, annotation and select_related row (a missing handler too), every day."""
    sql_memo.clear()
    queue(world, 50)
    for day in (timezone.localdate(), timezone.localdate() + datetime.timedelta(days=9)):
        for kind, build in (
            ("review", lambda d=day: staff_sel.slim(sel.review_queue(world.reviewer, d), "review")),
            ("whole", lambda d=day: sel.review_queue(world.reviewer, d)),
            ("intake", lambda d=day: staff_sel.slim(sel.intake_queue(world.clerk, d), "intake")),
            ("none", lambda: Application.objects.filter(pk__in=[])),
        ):
            expected = list(build())
            for _ in range(2):
                got = sql_memo.instances("default", (kind, day), build)
                assert [fields(o) for o in got] == [fields(o) for o in expected], kind
                for o, e in zip(got, expected, strict=True):
                    assert type(o) is type(e) and o._state.adding is False
                    assert o._state.db == e._state.db
                    cached = {n: fields(v) if v else v for n, v in o._state.fields_cache.items()}
                    assert cached == {
                        n: fields(v) if v else v for n, v in e._state.fields_cache.items()
                    }
            counts = sql_memo.aggregate(
                "default",
                (kind, day),
                lambda b=build: b().order_by(),
                **staff_sel._clock_aggregates(day),
            )
            assert counts == build().order_by().aggregate(**staff_sel._clock_aggregates(day))
    assert any(
        o.handler_id is None
        for o in sql_memo.instances("default", ("whole", day), lambda: Application.objects.all())
    )
