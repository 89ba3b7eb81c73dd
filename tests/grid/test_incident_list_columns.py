"""The API's incidents list reads only the columns its serializer shows (grid.selectors.incidents
LIST_COLUMNS and RELATED_COLUMNS; issue 19: it read every column of the incident, its
category's branch, village and handler): the same bytes for every kind of caller, filter, page
and language, with as many queries (a column left out would cost a query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from grid.api import incidents as api
from grid.models import Incident
from grid.selectors import incidents as sel
from tests.grid.incident_fixtures import World
from tests.grid.test_incident_pages import made

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return World()


def old_get_queryset(self):  # the list before it read only its columns
    params = self.request.query_params
    filters = sel.Filters(
        category=params.get("category", "")[:16],
        state=params.get("state", "")[:16],
        clock=params.get("clock_status", "")[:16],
        outcome=params.get("outcome", "")[:20],
        source=params.get("source", "")[:16],
    )
    return (
        sel.search(self.request.user, filters)
        .select_related("category", "grid")
        .order_by("-reported_at", "-id")
    )


def answer(monkeypatch, user, url, language, *, old):
    with monkeypatch.context() as m:
        if old:
            m.setattr(api.IncidentViewSet, "get_queryset", old_get_queryset)
        client = APIClient()
        client.force_authenticate(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    return response.status_code, len(ctx.captured_queries), response.content


def test_the_list_is_the_list_it_was(w, monkeypatch):
    made(w), made(w, category_code="URG"), made(w, w.citizen, anonymous=True)
    made(w, w.member3, lat=World.V2G1[0], lng=World.V2G1[1])
    odd = made(w, description='<b>"&</b> 占道')
    Incident.objects.filter(pk=odd.pk).update(lat=None, lng=None, due_at=None, grid=None)
    urls = [
        "/api/v1/incidents/",
        "/api/v1/incidents/?state=open",
        "/api/v1/incidents/?state=reported",
        "/api/v1/incidents/?clock_status=normal",
        "/api/v1/incidents/?category=URG",
        "/api/v1/incidents/?source=resident",
        "/api/v1/incidents/?page=2",
        "/api/v1/incidents/?page_size=2&page=2",
    ]
    shown = 0
    for user in (w.supervisor, w.dispatcher, w.head1, w.member1, w.member3, w.citizen):
        answer(monkeypatch, user, urls[0], "zh-hans", old=False)  # the person's caches warm
        for url in urls:
            for language in ("zh-hans", "en"):
                old = answer(monkeypatch, user, url, language, old=True)
                assert answer(monkeypatch, user, url, language, old=False) == old, (user, url)
                shown += old[2].count(b'"number"')
    assert shown > 40
