"""/api/v1/enforcement/: the interfaces other systems rely on, scope, errors and races."""

import uuid
from datetime import date

import pytest
from rest_framework.test import APIClient

from enforcement.models import Case, Lead
from enforcement.services import cases as svc
from tests.enforcement.world import jpeg, open_case

D = date


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def served(world):
    case = open_case(world)
    case = svc.case_set_proposal(
        case=case,
        actor=world.officer1.user,
        penalties=["fine"],
        fine="1000",
        circumstance="ordinary",
    )
    case = svc.case_notify(case=case, actor=world.officer1.user, on=D(2026, 2, 20))
    case = svc.case_decide(case=case, actor=world.head, kind="penalty", on=D(2026, 3, 2))
    return svc.case_serve(
        case=case, actor=world.officer1.user, method="hand", served_on=D(2026, 3, 2)
    )


def test_case_detail_has_state_procedure_every_deadline_and_the_clock(world):
    case = served(world)
    data = client_for(world.officer1.user).get(f"/api/v1/enforcement/cases/{case.number}/").json()
    assert data["state"] == "executing" and data["procedure"] == "general"
    assert data["filing_due"] and data["decision_due"] == "2026-05-31"
    assert data["service_due"] == "2026-03-11" and data["payment_due"] == "2026-03-17"
    assert data["publication_due"] == "2026-03-11"
    assert data["clock_status"] in ("normal", "warning", "overdue")
    assert data["party_id_number"] == "3603**********0018"


@pytest.mark.parametrize(
    ("on", "fee", "total"),
    [
        ("2026-03-17", "0.00", "1000.00"),
        ("2026-03-18", "30.00", "1030.00"),
        ("2026-04-01", "450.00", "1450.00"),
        ("2026-06-01", "1000.00", "2000.00"),
    ],
)
def test_case_late_fee_on_a_date(world, on, fee, total):
    case = served(world)
    data = (
        client_for(world.officer1.user)
        .get(f"/api/v1/enforcement/cases/{case.number}/late-fee/?on={on}")
        .json()
    )
    assert data == {"fine": "1000.00", "late_fee": fee, "total": total}


def test_the_calculators_use_the_same_arithmetic(world):
    client = client_for(world.officer1.user)
    cases = {
        "kind=filing&start=2026-09-28": "2026-10-23",
        "kind=decision&start=2026-03-02&excluded_days=20": "2026-06-20",
        "kind=service&start=2026-02-12": "2026-02-28",
        "kind=payment&start=2026-03-02": "2026-03-17",
        "kind=statement&start=2026-03-10": "2026-03-17",
        "kind=hearing_request&start=2026-03-25": "2026-04-01",
        "kind=preservation&start=2026-09-30": "2026-10-15",
    }
    for query, due in cases.items():
        response = client.get(f"/api/v1/enforcement/deadlines/?{query}")
        assert response.json() == {"due": due}, query
    data = client.get(
        "/api/v1/enforcement/late-fee/?fine=1000&payment_due=2026-03-17&on=2026-04-01"
    ).json()
    assert data == {"late_fee": "450.00", "total": "1450.00"}
    bad = client.get("/api/v1/enforcement/deadlines/?kind=soon&start=2026-13-01")
    assert bad.status_code == 400 and bad.json()["fields"].keys() == {"kind"}
    bad = client.get("/api/v1/enforcement/late-fee/?fine=abc&payment_due=x&on=2026-01-01")
    assert bad.status_code == 400 and "fine" in bad.json()["fields"]


def test_foreign_cases_are_404_and_citizens_are_refused(world):
    case = open_case(world)
    assert (
        client_for(world.officer3.user).get(f"/api/v1/enforcement/cases/{case.number}/").status_code
        == 404
    )
    assert (
        client_for(world.officer3.user)
        .post(f"/api/v1/enforcement/cases/{case.number}/notify/", {}, format="json")
        .status_code
        == 404
    )
    assert client_for(world.citizen).get("/api/v1/enforcement/cases/").status_code == 403
    listed = client_for(world.officer3.user).get("/api/v1/enforcement/cases/").json()
    assert listed["count"] == 0


def test_transitions_are_post_actions_with_the_error_shape(world):
    case = open_case(world)
    client = client_for(world.officer1.user)
    response = client.post(f"/api/v1/enforcement/cases/{case.number}/notify/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "proposal_required"
    response = client.post(
        f"/api/v1/enforcement/cases/{case.number}/proposal/",
        {"penalties": ["fine"], "fine": "1500", "circumstance": "ordinary"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["fine"] == "1500.00"
    response = client.post(
        f"/api/v1/enforcement/cases/{case.number}/decide/", {"kind": "penalty"}, format="json"
    )
    assert response.status_code == 403


def test_a_lost_race_answers_409(world):
    case = open_case(world)
    svc.case_set_proposal(
        case=case,
        actor=world.officer1.user,
        penalties=["fine"],
        fine="800",
        circumstance="ordinary",
    )
    stale = Case.objects.get(pk=case.pk)
    svc.case_notify(case=case, actor=world.officer1.user)
    from portal.errors import Conflict

    with pytest.raises(Conflict):
        svc.case_return_to_investigation(case=stale, actor=world.leader.user, reason="x")


def test_a_patrol_lead_from_the_phone_is_idempotent(world):
    key = str(uuid.uuid4())
    client = client_for(world.officer1.user)
    payload = {
        "client_uuid": key,
        "description": "违规占道",
        "address": "下埠村",
        "photos": [_upload()],
    }
    first = client.post("/api/v1/enforcement/leads/", payload, format="multipart")
    assert first.status_code == 201, first.json()
    assert first.json()["squad"] == "ZD1" and len(first.json()["photos"]) == 1
    again = client.post(
        "/api/v1/enforcement/leads/",
        {"client_uuid": key, "description": "违规占道"},
        format="multipart",
    )
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    other = client_for(world.officer2.user).post(
        "/api/v1/enforcement/leads/", {"client_uuid": key, "description": "x"}, format="multipart"
    )
    assert other.status_code == 409
    assert Lead.objects.count() == 1


def test_the_simplified_procedure_through_the_api(world):
    key = str(uuid.uuid4())
    client = client_for(world.officer1.user)
    payload = {
        "client_uuid": key,
        "matter_code": "XB-CF-001",
        "party_name": "王某",
        "facts": "乱扔垃圾",
        "address": "下埠集市",
        "penalties": ["fine"],
        "fine": "50",
        "circumstance": "lighter",
        "officers": [world.officer2.pk],
    }
    first = client.post("/api/v1/enforcement/simplified/", payload, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["procedure"] == "simplified"
    assert client.post("/api/v1/enforcement/simplified/", payload, format="json").status_code == 200
    too_much = client.post(
        "/api/v1/enforcement/simplified/",
        {**payload, "client_uuid": str(uuid.uuid4()), "fine": "250", "circumstance": "ordinary"},
        format="json",
    )
    assert too_much.status_code == 400 and "fine" in too_much.json()["fields"]


def test_duty_roster_and_board(world):
    from enforcement.services.team import duty_set

    duty_set(
        squad=world.squad,
        day=D(2026, 3, 2),
        officers=[world.officer1, world.officer2],
        lead=world.officer1,
        actor=world.leader.user,
    )
    rows = client_for(world.dispatcher).get("/api/v1/enforcement/duty/?date=2026-03-02").json()
    assert [r["name"] for r in rows] == ["队员一", "队员二"] and rows[0]["is_lead"]
    open_case(world)
    board = client_for(world.head).get("/api/v1/enforcement/board/").json()
    assert {r["squad"]: r["open"] for r in board} == {"ZD1": 1, "ZD2": 0}


def test_documents_download_as_pdf(world):
    case = open_case(world)
    document = case.documents.get()
    response = client_for(world.officer1.user).get(
        f"/api/v1/enforcement/cases/{case.number}/documents/{document.pk}/pdf/"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        client_for(world.officer3.user)
        .get(f"/api/v1/enforcement/cases/{case.number}/documents/{document.pk}/pdf/")
        .status_code
        == 404
    )


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
