"""/api/v1/incidents/: the interfaces other systems rely on, error shapes, scope, races."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from grid.models import Incident
from grid.models.incidents import Source, State
from grid.services import incidents as svc
from portal import tokens
from portal.models import AuditEntry
from tests.grid.incident_fixtures import World, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return World()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def photo(name="p.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


def post_report(client, key, **extra):
    data = {
        "client_uuid": str(key),
        "category": "ORD",
        "description": "占道经营",
        "lat": World.V1G1[0],
        "lng": World.V1G1[1],
        **extra,
    }
    return client.post("/api/v1/incidents/", data, format="multipart")


def test_create_then_replay_the_same_uuid(w):
    client = client_for(w.member1)
    key = uuid.uuid4()
    first = post_report(client, key, photos=[photo(), photo("b.jpg")])
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["number"].startswith("SJ") and body["created"] is True
    assert body["state"] == State.VERIFIED and body["grid"] == "V1G1"
    assert body["page_url"] == f"/grid/incidents/{body['number']}/"
    detail = client.get(f"/api/v1/incidents/{body['number']}/").json()
    assert len(detail["photos"]) == 2
    audit_before = AuditEntry.objects.count()
    again = post_report(client, key, photos=[photo()])
    assert again.status_code == 200
    assert again.json()["number"] == body["number"] and again.json()["created"] is False
    assert "没有重复登记" in again.json()["message"]
    assert Incident.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_create_errors_name_the_field(w):
    client = client_for(w.member1)
    response = post_report(
        client, uuid.uuid4(), lat=World.OUTSIDE[0], lng=World.OUTSIDE[1], category="NOPE"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert {"category", "lat"} <= set(body["fields"])
    response = post_report(client, uuid.uuid4(), photos=[photo()], description="")
    assert response.status_code == 400 and "description" in response.json()["fields"]
    bad = client.post(
        "/api/v1/incidents/",
        {
            "category": "ORD",
            "description": "x",
            "lat": World.V1G1[0],
            "lng": World.V1G1[1],
            "photos": [
                __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                    "evil.jpg", b"<?php", content_type="image/jpeg"
                )
            ],
        },
        format="multipart",
    )
    assert bad.status_code == 400 and "photos" in bad.json()["fields"]


def test_detail_fields_and_scope(w):
    incident = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        photo_files=[jpeg()],
    ).incident
    body = client_for(w.member2).get(f"/api/v1/incidents/{incident.number}/").json()
    for key in ("state", "outcome", "grid", "deadline", "clock_status"):
        assert key in body
    assert body["grid"] == "V1G1" and body["clock_status"] in ("normal", "warning")
    assert body["deadline"] is not None
    # A member of another grid: not found, with the usual body.
    response = client_for(w.member3).get(f"/api/v1/incidents/{incident.number}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client_for(w.member3).post(f"/api/v1/incidents/{incident.number}/accept/", {})
    assert response.status_code == 404
    assert client_for(w.citizen).get(f"/api/v1/incidents/{incident.number}/").status_code == 404
    listing = client_for(w.member3).get("/api/v1/incidents/").json()
    assert listing["count"] == 0
    assert client_for(w.dispatcher).get("/api/v1/incidents/").json()["count"] == 1


def test_transitions_as_post_actions_with_403_400_409(w):
    incident = svc.incident_report(
        actor=w.citizen,
        source=Source.RESIDENT,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
    ).incident
    url = f"/api/v1/incidents/{incident.number}"
    # the reporter may see it, not verify it
    assert client_for(w.citizen).post(f"{url}/verify/", {}).status_code == 403
    assert client_for(w.member1).post(f"{url}/accept/", {}).status_code == 403
    verified = client_for(w.member1).post(f"{url}/verify/", {"note": "属实"})
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    again = client_for(w.member2).post(f"{url}/verify/", {})
    assert again.status_code == 400 and again.json()["code"] == "invalid_transition"
    accepted = client_for(w.head1).post(f"{url}/accept/", {"handler": w.member2.username})
    assert accepted.json()["state"] == "handling"
    result = client_for(w.member2).post(
        f"{url}/report-result/", {"note": "已清理", "photos": [photo()]}, format="multipart"
    )
    assert result.status_code == 200 and result.json()["state"] == "feedback"
    closed = client_for(w.head1).post(f"{url}/close/", {"outcome": "solved"})
    assert closed.status_code == 200
    assert closed.json()["outcome"] == "solved" and closed.json()["state"] == "closed"
    rated = client_for(w.citizen).post(f"{url}/rate/", {"score": 5})
    assert rated.status_code == 200
    assert client_for(w.citizen).post(f"{url}/rate/", {"score": 5}).status_code == 409


def test_a_lost_race_is_409_through_the_page_state(w):
    incident = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        photo_files=[jpeg()],
    ).incident
    seen = Incident.objects.get(pk=incident.pk)
    svc.incident_accept(actor=w.head1, incident=incident)
    from portal.errors import Conflict

    with pytest.raises(Conflict) as info:
        svc.incident_accept(actor=w.dispatcher, incident=seen)
    assert info.value.status_code == 409


def test_hotline_intake_is_idempotent_on_its_number(w):
    token, key = tokens.issue(user=w.hotline)
    assert token.kind == "system"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    due = (timezone.now() + timedelta(days=2)).isoformat()
    payload = {
        "external_number": "12345-2026-000123",
        "category": "ORD",
        "description": "来电反映占道经营",
        "lat": World.V1G1[0],
        "lng": World.V1G1[1],
        "due_at": due,
        "caller_name": "王先生",
        "caller_mobile": "13912345678",
    }
    first = client.post("/api/v1/incidents/hotline/", payload, format="json")
    assert first.status_code == 201, first.json()
    second = client.post("/api/v1/incidents/hotline/", payload, format="json")
    assert second.status_code == 200 and second.json()["number"] == first.json()["number"]
    assert Incident.objects.filter(source="hotline").count() == 1
    incident = Incident.objects.get()
    assert incident.state == State.REPORTED and incident.reporter is None
    assert incident.external_due_at is not None
    by_village = client.post(
        "/api/v1/incidents/hotline/",
        {
            **payload,
            "external_number": "12345-2026-000124",
            "lat": None,
            "lng": None,
            "village": "V2",
        },
        format="json",
    )
    assert by_village.status_code == 201
    assert Incident.objects.get(external_number="12345-2026-000124").village.code == "V2"
    status = client.get("/api/v1/incidents/hotline/12345-2026-000123/")
    assert status.status_code == 200 and status.json()["rating_url"] is None
    assert client.get("/api/v1/incidents/hotline/nope/").status_code == 404
    # Everyone else: 403.
    assert client_for(w.member1).post("/api/v1/incidents/hotline/", payload).status_code == 403
    assert APIClient().post("/api/v1/incidents/hotline/", payload).status_code in (401, 403)


def test_duplicates_and_categories_endpoints(w):
    near = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0] + 0.0005,
        lng=World.V1G1[1],
        photo_files=[jpeg()],
    ).incident
    client = client_for(w.citizen)
    found = client.get(
        "/api/v1/incidents/duplicates/",
        {"category": "ORD", "lat": World.V1G1[0], "lng": World.V1G1[1]},
    )
    assert found.status_code == 200
    assert [(c["number"], 50 <= c["distance_m"] <= 60) for c in found.json()] == [
        (near.number, True)
    ]
    assert client.get("/api/v1/incidents/duplicates/", {"category": "ORD"}).status_code == 400
    categories = client.get("/api/v1/incidents/categories/").json()
    by_code = {c["code"]: c for c in categories}
    assert set(by_code) == {"ORD", "URG", "DSP", "FIX"}
    assert by_code["URG"]["urgency"] == "urgent"
    assert by_code["URG"]["limits"] == {
        "unit": "hours",
        "verify": 2,
        "accept": 2,
        "handle": 24,
        "max_handle": 48,
    }
    # join from the suggestion: 201, then 200
    url = f"/api/v1/incidents/{near.number}/join/"
    key = str(uuid.uuid4())
    assert client.post(url, {"client_uuid": key}).status_code == 201
    assert client.post(url, {"client_uuid": key}).status_code == 200
    assert client.get(f"/api/v1/incidents/{near.number}/").status_code == 200


def test_anonymous_reporter_only_for_supervisors_and_audited(w):
    incident = svc.incident_report(
        actor=w.citizen,
        source=Source.RESIDENT,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        anonymous=True,
    ).incident
    url = f"/api/v1/incidents/{incident.number}/"
    assert client_for(w.member1).get(url).json()["reporter"] is None
    assert client_for(w.dispatcher).get(url).json()["reporter"] is None
    assert not AuditEntry.objects.filter(action="incident.reporter_view").exists()
    assert client_for(w.supervisor).get(url).json()["reporter"] == w.citizen.display_name
    assert AuditEntry.objects.filter(
        action="incident.reporter_view", actor=w.supervisor, object_id=str(incident.pk)
    ).exists()
    assert client_for(w.citizen).get(url).json()["reporter"] == w.citizen.display_name


def test_photo_reads_are_audited_and_scoped(w):
    incident = svc.incident_report(
        actor=w.member1,
        source=Source.GRID_MEMBER,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        photo_files=[jpeg()],
    ).incident
    link = incident.photos.get()
    url = f"/api/v1/incidents/{incident.number}/photos/{link.photo_id}/"
    response = client_for(w.member2).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client_for(w.member3).get(url).status_code == 404
    original = client_for(w.head1).get(url + "?original=1")
    assert b"".join(original.streaming_content) == jpeg()
    assert AuditEntry.objects.filter(action="photo.read_original", actor=w.head1).exists()
