"""The cases API's list read with only the columns its serializer shows (issue 19: the cases'
and their matters' wide rows) gives the JSON it gave, byte for byte, for each kind of caller,
each filter, both languages, with as many queries."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from enforcement.api import views
from enforcement.models import Case
from tests.enforcement.world import open_case

QUERIES = [
    "",
    "?state=investigating",
    "?squad=ZD2",
    "?mine=1",
    "?procedure=general",
    "?procedure=simplified",
    "?page=2",
]


def get(monkeypatch, user, language, query, old):
    with monkeypatch.context() as m:
        if old:
            m.setattr(views, "_case_list_columns", lambda qs: qs)
        client = APIClient()
        client.force_authenticate(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                f"/api/v1/enforcement/cases/{query}", HTTP_ACCEPT_LANGUAGE=language
            )
    return response.status_code, response.content, len(ctx)


def test_the_case_list_is_the_json_it_was(world, monkeypatch):
    cases = [open_case(world) for _ in range(4)]
    Case.objects.filter(pk=cases[3].pk).update(squad=world.squad2)
    Case.objects.filter(pk=cases[0].pk).update(
        fine=Decimal("1234.50"), party_name="<b>&\"'</b> 张三", due_kind="", due_at=None
    )
    Case.objects.filter(pk=cases[1].pk).update(procedure="simplified", fine=Decimal("0"))
    seen = set()
    users = [
        world.head,
        world.leader.user,
        world.officer1.user,
        world.officer3.user,
        world.reviewer,
        world.citizen,
    ]
    for user in users:
        for query in QUERIES:
            for language in ("zh-hans", "en"):
                get(monkeypatch, user, language, query, old=False)  # caches warm
                old = get(monkeypatch, user, language, query, old=True)
                new = get(monkeypatch, user, language, query, old=False)
                assert new == old, (user, query, language)
                seen.add(new[1].count(b'"number"'))
    assert {0, 1, 3, 4} <= seen, seen
