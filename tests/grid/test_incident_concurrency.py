"""Races against a real database: threads with their own connections act at the same moment."""

import uuid

import pytest
from django.db import connection

from grid.models import Incident
from grid.models.incidents import Source, State
from grid.services import incidents as svc
from portal.errors import Conflict
from portal.models import AuditEntry
from tests.approvals.test_applications_concurrency import _race
from tests.grid.incident_fixtures import World, jpeg

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def w(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    return World()


def test_the_head_and_the_centre_accepting_at_once_one_wins_one_409(w):
    incident = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        photo_files=[jpeg()],
    ).incident
    seen_1 = Incident.objects.get(pk=incident.pk)
    seen_2 = Incident.objects.get(pk=incident.pk)
    results = _race(
        [
            lambda: svc.incident_accept(actor=w.head1, incident=seen_1),
            lambda: svc.incident_accept(actor=w.dispatcher, incident=seen_2),
        ]
    )
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    error = next(r[1] for r in results if r[0] == "error")
    assert isinstance(error, Conflict) and error.status_code == 409
    assert (
        AuditEntry.objects.filter(action="incident.accept", object_id=str(incident.pk)).count() == 1
    )
    incident.refresh_from_db()
    assert (
        incident.state == State.ACCEPTED and incident.history.filter(action="accept").count() == 1
    )


def test_the_same_report_sent_twice_at_once_is_one_incident(w):
    key = uuid.uuid4()

    def send():
        return svc.incident_report(
            actor=w.member1,
            source=Source.GRID_MEMBER,
            category_code="ORD",
            description="x",
            lat=World.V1G1[0],
            lng=World.V1G1[1],
            photo_files=[jpeg()],
            client_uuid=key,
        )

    results = _race([send, send, send])
    assert all(r[0] == "ok" for r in results), results
    numbers = {r[1].incident.number for r in results}
    assert len(numbers) == 1
    assert sorted(r[1].created for r in results) == [False, False, True]
    assert Incident.objects.count() == 1


def test_the_same_hotline_order_pushed_twice_at_once_is_one_incident(w):
    def push():
        return svc.incident_report(
            actor=w.hotline,
            source=Source.HOTLINE,
            category_code="ORD",
            description="x",
            lat=World.V1G1[0],
            lng=World.V1G1[1],
            external_number="12345-RACE",
        )

    results = _race([push, push])
    assert all(r[0] == "ok" for r in results), results
    assert len({r[1].incident.pk for r in results}) == 1
    assert Incident.objects.filter(external_number="12345-RACE").count() == 1
