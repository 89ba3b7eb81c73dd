"""The API's applications list reads only the columns its serializer shows (LIST_COLUMNS, issue
19): the same bytes as when it read every column of the application, matter, department and
handler, for every kind of caller, filter, page and language, with the same SQL statements but
for their columns (a column left out would cost a query per row); and the counts, which no
longer build the clock's CASE expressions unless a filter reads the clock, with the same SQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.api import applications as api
from approvals.selectors import applications as sel
from tests.approvals.staff_fixtures import accepted, decided, in_review, submitted

pytestmark = pytest.mark.django_db


def old_get_queryset(self):  # the list before LIST_COLUMNS
    arms = self._arms if self.action == "list" else False
    qs = sel.visible_applications(self.request.user, arms).with_clock_status(timezone.localdate())
    if self.action == "list":
        return qs.select_related("matter", "department", "handler").order_by("-submitted_at", "-id")
    return qs


def old_count_list(self):  # the count before it left out the unused clock
    today = timezone.localdate()
    return sel.scope_count(
        self.request.user,
        lambda qs: self.filter_queryset(qs.with_clock_status(today)),
        self._arms,
    )


def answer(monkeypatch, user, url, language, *, old):
    with monkeypatch.context() as m:
        if old:
            m.setattr(api.ApplicationViewSet, "get_queryset", old_get_queryset)
            m.setattr(api.ApplicationViewSet, "count_list", old_count_list)
        client = APIClient()
        client.force_authenticate(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    return response.status_code, [q["sql"] for q in ctx.captured_queries], response.content


def test_the_list_is_the_list_it_was(world, monkeypatch):
    submitted(world), accepted(world), in_review(world), decided(world)
    world.reviewer.real_name = ""
    world.reviewer.save()
    urls = [
        "/api/v1/applications/",
        "/api/v1/applications/?state=accepted&state=in_review",
        "/api/v1/applications/?state=submitted",
        "/api/v1/applications/?clock_status=normal",
        "/api/v1/applications/?page_size=2&page=2",
        "/api/v1/applications/?page=2",
        f"/api/v1/applications/?matter={world.matter.code}",
    ]
    people = (world.citizen, world.clerk, world.reviewer, world.supervisor)
    shown = 0
    for user in (*people, world.district_reviewer):
        answer(monkeypatch, user, urls[0], "zh-hans", old=False)  # the person's caches warm
        for url in urls:
            for language in ("zh-hans", "en"):
                old = answer(monkeypatch, user, url, language, old=True)
                new = answer(monkeypatch, user, url, language, old=False)
                assert new[0] == old[0] and new[2] == old[2], (user, url)
                assert len(new[1]) == len(old[1]), (user, url)
                # every statement the same but the page's (its columns)
                assert [q for q in new[1] if "LIMIT" not in q] == [
                    q for q in old[1] if "LIMIT" not in q
                ], (user, url)
                shown += old[2].count(b'"reference"')
    assert shown > 40
