"""What one action on an incident costs (issue 12's bench: the head's acceptance): one incident
is judged visible on its row in hand (exactly whom the lists show it to), and the acceptance
through the API reads and writes a fixed handful of statements — pinned, so that a round trip
added later fails here instead of in the bench at a million incidents."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from grid.models import AssignmentRole, Incident
from grid.models.incidents import Source
from grid.selectors import incident_scope as scope
from grid.selectors import incidents as sel
from grid.services import incidents as svc
from grid.services.people import assignment_start
from portal import roles
from portal.models import Notification
from tests.grid.incident_fixtures import World, jpeg, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return World()


def report(w, actor, where, code="ORD", **kw):
    source = Source.RESIDENT if actor.has_role(roles.CITIZEN) else Source.GRID_MEMBER
    return svc.incident_report(
        actor=actor,
        source=source,
        category_code=code,
        description="占道经营",
        lat=where[0],
        lng=where[1],
        **kw,
    ).incident


def test_one_incident_is_visible_to_exactly_whom_the_lists_show_it(w):
    village_staff = user(roles.PROXY_AGENT)
    assignment_start(
        actor=w.supervisor,
        area=w.town["V2"],
        role=AssignmentRole.VILLAGE_STAFF,
        user=village_staff,
        on=date(2024, 1, 1),
    )
    incidents = [
        report(w, w.citizen, World.V1G1),
        report(w, w.member1, World.V1G1, photo_files=[jpeg()]),
        report(w, w.member3, World.V2G1),
        report(w, w.citizen2, World.V1G2),
        report(w, w.citizen2, World.V2G1),
    ]
    # the first citizen follows an incident of a grid they have nothing to do with
    svc.incident_join(actor=w.citizen, incident=incidents[4])
    people = [
        w.supervisor,
        w.dispatcher,
        w.head1,
        w.member1,
        w.member2,
        w.head2,
        w.member3,
        w.citizen,
        w.citizen2,
        w.hotline,
        village_staff,
    ]
    seen = set()
    for person in people:
        for incident in incidents:
            fresh = type(person).objects.get(pk=person.pk)  # nothing remembered on it
            listed = sel.visible(fresh).filter(pk=incident.pk).exists()
            assert scope.may_see(fresh, incident) == listed, (person, incident.number)
            assert (sel.one_visible(fresh, incident.number) is not None) == listed
            assert (sel.get_visible(fresh, incident.number) is not None) == listed
            seen.add((person.pk, listed))
    # both answers occur for most people (the rule is exercised, not vacuous)
    assert {pk for pk, listed in seen if listed} >= {p.pk for p in people if p != w.hotline}
    assert {pk for pk, listed in seen if not listed} >= {
        p.pk for p in people if p not in (w.supervisor, w.dispatcher)
    }


def test_the_detail_shows_the_people_named_on_the_incident(w):
    incident = report(w, w.member1, World.V1G1, photo_files=[jpeg()])
    svc.incident_accept(actor=w.head1, incident=incident, handler=w.member2)
    found = sel.get_visible(w.head1, incident.number)
    with CaptureQueriesContext(connection) as ctx:
        names = (
            found.reporter.pk,
            found.verified_by.pk,
            found.accepted_by.pk,
            found.handler.pk,
            found.closed_by,
            found.grid.name,
            found.category.branch.name,
            len(found.history.all()),
            len(found.followers.all()),
        )
    assert len(ctx) == 0
    assert names[:5] == (w.member1.pk, w.member1.pk, w.head1.pk, w.member2.pk, None)
    assert names[-2:] == (4, 0)  # reported, verified by its photo, accepted, handling


def test_accepting_through_the_api_costs_a_fixed_handful_of_statements(
    w, django_capture_on_commit_callbacks
):
    """The grid may not handle a DSP incident: the centre is told (a notification, an e-mail
    to a dispatcher with an address). The statements, in order — nothing read twice:

    the incident by number (the session and the person are cached), the head's assignments (scope
    and role checks), [savepoint: the service's transaction, nested in the test's], the row
    locked, the row, its history, the audit, its followers (whom to tell), the dispatchers,
    their preferences (one query), the notifications, the outbox, [release]; then the answer:
    the row with its category and areas, the people it names, its history, photos, followers
    and extensions."""
    w.dispatcher.email = "dispatch@example.org"
    w.dispatcher.save()
    first, second = (report(w, w.member1, World.V1G1, "DSP") for _ in range(2))
    for incident in (first, second):
        svc.incident_verify(actor=w.member1, incident=incident)
    client = APIClient()
    client.force_login(w.head1)
    assert client.post(f"/api/v1/incidents/{first.number}/accept/", {}).status_code == 200
    with django_capture_on_commit_callbacks() as callbacks:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(f"/api/v1/incidents/{second.number}/accept/", {})
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 19, "\n".join(s[:120] for s in sql)
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1  # the service's; none for notify
    followed = 'SELECT "grid_incidentfollower"."incident_id" AS "incident_id" FROM'
    assert not any(s.startswith(followed) for s in sql)  # no list of what the head follows
    assert not any(s.startswith('SELECT "portal_staffprofile"') for s in sql)  # one for prefs
    # told once, the e-mail handed over only at commit, the board's stamp moved at commit
    told = Notification.objects.filter(object_id=str(second.pk), kind="grid.incident_to_dispatch")
    assert list(told.values_list("recipient_id", flat=True)) == [w.dispatcher.pk]
    assert {getattr(c, "func", c).__name__ for c in callbacks} >= {
        "_enqueue_after_commit",
        "_apply",
    }
    assert Incident.objects.get(pk=second.pk).accepted_by_id == w.head1.pk


def test_a_transition_writes_only_the_columns_it_changed_and_the_row_matches(w):
    incident = report(w, w.member1, World.V1G1, photo_files=[jpeg()])
    with CaptureQueriesContext(connection) as ctx:
        done = svc.incident_accept(actor=w.head1, incident=incident, handler=w.member2)
    updates = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "grid_incident"')
    ]
    assert len(updates) == 2  # accepted, then handling
    accepted, handling = (u[: u.index(" WHERE ")] for u in updates)
    assert '"accepted_by_id"' in accepted and '"updated_at"' in accepted
    assert '"description"' not in accepted and '"number"' not in accepted
    assert '"handler_id"' in handling and '"accepted_by_id"' not in handling
    fresh = Incident.objects.get(pk=incident.pk)
    for field in Incident._meta.concrete_fields:
        assert getattr(fresh, field.attname) == getattr(done, field.attname), field.name
    assert (fresh.state, fresh.handler_id, fresh.accepted_by_id) == (
        "handling",
        w.member2.pk,
        w.head1.pk,
    )
