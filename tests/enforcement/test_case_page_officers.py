"""The case page's forms share one read of the squad's officers (issue 19: each form that offers
them read them again, up to eight times); the bytes are those of the page as it was
(tests/enforcement/test_case_page_bytes.py renders the old page, whose forms read their own)."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from enforcement.views import cases as views
from tests.enforcement.world import open_case

FORMER = views._form
RANDOM = re.compile(
    r'started_at" value="[^"]+"|client_uuid" value="[^"]+"|csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"'
)
OFFICERS = re.compile(
    r'"enforcement_officer"."is_active" AND "enforcement_officer"."squad_id" = \d+'
)


def officer_lists(world, user, number, monkeypatch=None):
    client = Client()
    client.force_login(user)
    client.get(f"/enforcement/cases/{number}/")  # the person's caches warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/enforcement/cases/{number}/")
    assert response.status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if OFFICERS.search(q["sql"])]
    return response.content.decode(), reads, len(ctx)


def test_the_forms_read_the_squads_officers_once(world, monkeypatch):
    case = open_case(world)
    for user in (world.officer1.user, world.leader.user):
        html, reads, total = officer_lists(world, user, case.number)
        groups = len(re.findall(r'<div id="id_[a-z]+-officers"', html))
        assert groups >= 2, groups  # several forms offer the officers
        assert len(reads) == 1, reads
        # The page's former way: each form reads them itself.
        with monkeypatch.context() as m:
            m.setattr(views, "_form", lambda action, case, officers=None: FORMER(action, case))
            old_html, old_reads, old_total = officer_lists(world, user, case.number)
        assert len(old_reads) == groups
        assert total == old_total - (groups - 1)
        assert RANDOM.sub("", html) == RANDOM.sub("", old_html)
