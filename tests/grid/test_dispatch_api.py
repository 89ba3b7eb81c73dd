"""/api/v1/ for dispatch: the interfaces kept exactly (the rule tester; a work order's state,
sign_for_due_at, due_at, clock_status, rule), scope (a department sees its own work orders
only: 404 for others; the centre all), the error shape, 409 on a lost race, the phone's
feedback replayed."""

import uuid

import pytest
from rest_framework.test import APIClient

from grid.models import Incident
from grid.services import dispatch as svc
from tests.grid.dispatch_fixtures import DispatchWorld, at, jpeg

pytestmark = pytest.mark.django_db
MON = at(2026, 9, 14, 10, 0)


@pytest.fixture
def w(db):
    return DispatchWorld()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rule_tester_answers_the_documented_shape(w):
    rule = w.rule(
        10, "城管类", category_code="CSGL", handler_kind="department", department_code="GHJSB"
    )
    night = w.rule(
        5,
        "夜间转区城管局",
        category_code="CSGL",
        time_window="off",
        handler_kind="district",
        department_code="QCGJ",
    )
    api = client_for(w.dispatcher)
    lat, lng = w.V1G1
    body = api.get(
        "/api/v1/routing-rules/test/",
        {"category": "DSP", "lat": lat, "lng": lng, "at": "2026-09-16T10:00:00+08:00"},
    ).json()
    assert body["rule"] == {"id": rule.pk, "name": "城管类", "order": 10}
    assert body["handler"] == {"kind": "department", "code": "GHJSB"}
    assert [e["id"] for e in body["evaluated"]] == [night.pk, rule.pk]
    assert body["evaluated"][0]["status"] == "no_match" and body["evaluated"][0]["checks"] == [
        "time"
    ]
    # National Day at 10:00 is a holiday: the night rule.
    body = api.get(
        "/api/v1/routing-rules/test/",
        {"category": "DSP", "area": "V1G1", "at": "2026-10-01T10:00:00+08:00"},
    ).json()
    assert body["rule"]["id"] == night.pk and body["handler"] == {
        "kind": "district",
        "code": "QCGJ",
    }


def test_rule_tester_without_a_match_answers_null_and_every_reason(w):
    hotline = w.rule(
        10, "热线", source="hotline", handler_kind="department", department_code="GHJSB"
    )
    body = (
        client_for(w.dispatcher)
        .get("/api/v1/routing-rules/test/", {"category": "ORD", "area": "V1G1"})
        .json()
    )
    assert body["rule"] is None and body["handler"] is None
    assert body["evaluated"][0]["id"] == hotline.pk and body["evaluated"][0]["checks"] == ["source"]


def test_rule_tester_errors_name_the_field(w):
    api = client_for(w.dispatcher)
    response = api.get(
        "/api/v1/routing-rules/test/", {"category": "NOPE", "lat": "abc", "lng": "1"}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"lat": ["应为数字（WGS-84）。"]}
    response = api.get("/api/v1/routing-rules/test/", {"category": "NOPE", "area": "V1G1"})
    assert response.status_code == 400 and set(response.json()["fields"]) == {"category"}
    response = api.get(
        "/api/v1/routing-rules/test/", {"category": "DSP", "area": "V1G1", "at": "tomorrow"}
    )
    assert response.status_code == 400 and "at" in response.json()["fields"]
    assert (
        client_for(w.member1).get("/api/v1/routing-rules/test/", {"category": "DSP"}).status_code
        == 403
    )


def _dispatched(w):
    w.rule(
        10,
        "道路破损",
        category_code="DSP",
        handler_kind="department",
        department_code="GHJSB",
        co_handler_codes=["SHSWB"],
    )
    incident = w.to_route(when=MON)
    response = client_for(w.dispatcher).post(
        "/api/v1/dispatches/", {"incident": incident.number, "seen_dispatches": 0}, format="json"
    )
    assert response.status_code == 201, response.json()
    return incident, response.json()


def test_dispatch_then_a_second_dispatcher_gets_409(w):
    incident, body = _dispatched(w)
    assert body["followed_rule"] is True and len(body["work_orders"]) == 2
    assert body["work_orders"][0]["role"] == "lead"
    again = client_for(w.dispatcher).post(
        "/api/v1/dispatches/", {"incident": incident.number, "seen_dispatches": 0}, format="json"
    )
    assert again.status_code == 409
    assert set(again.json()) == {"code", "message", "fields"}
    assert (
        client_for(w.roads_staff)
        .post("/api/v1/dispatches/", {"incident": incident.number}, format="json")
        .status_code
        == 403
    )


def test_work_order_detail_and_scope(w):
    _incident, body = _dispatched(w)
    lead_id = body["work_orders"][0]["id"]
    co_id = body["work_orders"][1]["id"]
    detail = client_for(w.roads_staff).get(f"/api/v1/work-orders/{lead_id}/").json()
    for key in ("state", "sign_for_due_at", "due_at", "clock_status", "rule"):
        assert key in detail
    assert detail["state"] == "sent" and detail["rule"] is not None
    assert detail["department"] == "GHJSB"
    # Another department: its own list only, and 404 for this one.
    social = client_for(w.social_staff)
    assert social.get(f"/api/v1/work-orders/{lead_id}/").status_code == 404
    assert [o["id"] for o in social.get("/api/v1/work-orders/").json()["results"]] == [co_id]
    assert client_for(w.member1).get(f"/api/v1/work-orders/{lead_id}/").status_code == 404
    everything = client_for(w.dispatcher).get("/api/v1/work-orders/").json()["results"]
    assert {o["id"] for o in everything} == {lead_id, co_id}
    # Acting on another department's order is 404, not 403.
    assert (
        social.post(f"/api/v1/work-orders/{lead_id}/sign-for/", {}, format="json").status_code
        == 404
    )


def test_sign_for_return_window_and_feedback_replay(w):
    _incident, body = _dispatched(w)
    lead_id = body["work_orders"][0]["id"]
    api = client_for(w.roads_staff)
    signed = api.post(f"/api/v1/work-orders/{lead_id}/sign-for/", {}, format="json")
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    again = api.post(f"/api/v1/work-orders/{lead_id}/sign-for/", {}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invalid_transition"
    from django.core.files.uploadedfile import SimpleUploadedFile

    key = str(uuid.uuid4())
    data = {
        "client_uuid": key,
        "note": "已修复路面。",
        "photos": [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")],
    }
    first = api.post(f"/api/v1/work-orders/{lead_id}/feedback/", data, format="multipart")
    assert first.status_code == 201, first.json()
    assert first.json()["created"] is True and len(first.json()["photos"]) == 1
    replay = api.post(
        f"/api/v1/work-orders/{lead_id}/feedback/",
        {"client_uuid": key, "note": "已修复路面。"},
        format="multipart",
    )
    assert replay.status_code == 200 and replay.json()["created"] is False
    photo = first.json()["photos"][0]["url"]
    assert api.get(photo).status_code == 200
    assert client_for(w.social_staff).get(photo).status_code == 404


def test_whistle_through_the_api(w):
    incident, _body = _dispatched(w)
    api = client_for(w.dispatcher)
    created = api.post(
        "/api/v1/whistles/",
        {
            "incident": incident.number,
            "departments": ["GHJSB", "QCGJ"],
            "meet_at": "2030-01-01T10:00:00+08:00",
            "place": "东村路口",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    whistle = created.json()
    reported = client_for(w.roads_staff).post(
        f"/api/v1/whistles/{whistle['id']}/report/", {}, format="json"
    )
    assert reported.status_code == 200
    statuses = {c["department"]: c["status"] for c in reported.json()["calls"]}
    assert statuses == {"GHJSB": "on_time", "QCGJ": "waiting"}
    assert client_for(w.social_staff).get(f"/api/v1/whistles/{whistle['id']}/").status_code == 404


def test_routing_rules_list_says_why_a_rule_cannot_match(w):
    w.rule(10, "规划建设", handler_kind="department", department_code="GHJSB")
    w.roads.is_active = False
    w.roads.save()
    rules = (
        client_for(w.registrar if hasattr(w, "registrar") else w.supervisor)
        .get("/api/v1/routing-rules/")
        .json()
    )
    assert rules[0]["unavailable"] and "停用" in rules[0]["unavailable"][0]
    assert client_for(w.member1).get("/api/v1/routing-rules/").status_code == 403


def test_to_route_queue_with_suggestion(w):
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    incident = w.to_route(when=MON)
    queue = client_for(w.dispatcher).get("/api/v1/dispatches/queue/").json()
    assert queue[0]["number"] == incident.number
    assert queue[0]["suggestion"]["handler"] == {"kind": "department", "code": "GHJSB"}
    assert Incident.objects.get(pk=incident.pk).state == "accepted"
    svc  # noqa: B018 - the services are exercised through the API above
