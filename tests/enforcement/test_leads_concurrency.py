"""Leads under real concurrency (PostgreSQL row locks)."""

import uuid

import pytest
from django.db import connection

from enforcement.models import Lead, LeadState
from enforcement.services import leads as svc
from portal.errors import Conflict
from portal.models import AuditEntry
from tests.enforcement.races import race
from tests.enforcement.world import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    return World()


def test_the_same_lead_sent_twice_at_once_is_one_lead(world):
    key = uuid.uuid4()

    def send():
        return svc.lead_receive(
            source="grid_incident",
            source_ref="SJ1",
            description="占道经营",
            actor=world.dispatcher,
            squad=world.squad,
            client_uuid=key,
        ).pk

    results = race([send, send, send])
    assert all(r[0] == "ok" for r in results), results
    assert len({r[1] for r in results}) == 1
    assert Lead.objects.count() == 1


def test_two_leaders_deciding_at_once_one_wins_one_conflict(world):
    lead = svc.lead_receive(
        source="patrol",
        description="违规搭建",
        actor=world.officer1.user,
        squad=world.squad,
    )
    seen_1, seen_2 = Lead.objects.get(pk=lead.pk), Lead.objects.get(pk=lead.pk)
    results = race(
        [
            lambda: svc.lead_not_file(lead=seen_1, actor=world.leader.user, reason="不构成违法"),
            lambda: svc.lead_transfer(
                lead=seen_2, actor=world.head, reason="属区住建局管辖", body_name="区住建局"
            ),
        ]
    )
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    error = next(r[1] for r in results if r[0] == "error")
    assert isinstance(error, Conflict) and error.status_code == 409
    lead.refresh_from_db()
    assert lead.state in (LeadState.NOT_FILED, LeadState.TRANSFERRED)
    assert lead.history.exclude(action="receive").count() == 1
    assert (
        AuditEntry.objects.filter(
            object_id=str(lead.pk),
            action__in=["enforcement.lead_not_file", "enforcement.lead_transfer"],
        ).count()
        == 1
    )
