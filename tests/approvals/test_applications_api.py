import io
from datetime import date

import pytest
from rest_framework.test import APIClient

from approvals.models import Application, State
from tests.approvals.app_fixtures import PDF

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client, ref, material_id, content=PDF, name="材料.pdf"):
    f = io.BytesIO(content)
    f.name = name
    return client.post(
        f"/api/v1/applications/{ref}/materials/{material_id}/files/",
        {"file": f},
        format="multipart",
    )


def online_submitted(world):
    citizen = client_for(world.citizen)
    response = citizen.post(
        "/api/v1/applications/",
        {"matter_code": world.matter.code, "channel": "online"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    ref = body["reference"]
    assert ref.startswith("D") and body["state"] == "draft"
    for material in body["materials"]:
        assert upload(citizen, ref, material["id"]).status_code == 201
    assert (
        citizen.patch(
            f"/api/v1/applications/{ref}/", {"declaration_accepted": True}, format="json"
        ).status_code
        == 200
    )
    response = citizen.post(f"/api/v1/applications/{ref}/submit/")
    assert response.status_code == 200, response.json()
    return response.json()


def test_full_journey_through_the_api(world):
    body = online_submitted(world)
    number = body["number"]
    assert body["state"] == "submitted" and number
    clerk = client_for(world.clerk)
    checks = [{"id": m["id"], "status": "received"} for m in body["materials"]]
    response = clerk.post(
        f"/api/v1/applications/{number}/accept/", {"checks": checks}, format="json"
    )
    assert response.status_code == 200, response.json()
    detail = response.json()
    assert detail["state"] == "accepted"
    assert detail["clock"]["status"] in ("normal", "warning", "overdue")
    assert detail["notices"][0]["kind"] == "acceptance"

    reviewer = client_for(world.reviewer)
    assert reviewer.post(f"/api/v1/applications/{number}/claim/").status_code == 200
    response = reviewer.post(
        f"/api/v1/applications/{number}/suspend/",
        {"kind": "on_site", "reason": "现场核查经营场所", "expected_days": 2},
        format="json",
    )
    assert response.status_code == 200 and response.json()["clock"]["paused"] is True
    assert reviewer.post(f"/api/v1/applications/{number}/resume/").status_code == 200
    response = reviewer.post(
        f"/api/v1/applications/{number}/request-extension/",
        {"days": 5, "reason": "需组织专家论证"},
        format="json",
    )
    assert response.status_code == 200
    response = client_for(world.supervisor).post(
        f"/api/v1/applications/{number}/approve-extension/", {"approve": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["extension_days"] == 5
    response = reviewer.post(
        f"/api/v1/applications/{number}/decide/", {"outcome": "grant"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "ready_for_release"
    response = client_for(world.release_clerk).post(
        f"/api/v1/applications/{number}/release/", {"method": "hand"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "completed"

    history = [h["action"] for h in response.json()["history"]]
    assert history == [
        "submit",
        "accept",
        "claim",
        "suspend",
        "resume",
        "approve_extension",
        "decide",
        "release",
    ]
    kinds = [n["kind"] for n in response.json()["notices"]]
    assert kinds == ["acceptance", "suspension", "extension", "decision_grant"]


def test_errors_have_stable_codes(world):
    body = online_submitted(world)
    number = body["number"]
    reviewer = client_for(world.reviewer)
    # reviewers cannot see applications before acceptance: 404, not 403
    assert reviewer.post(f"/api/v1/applications/{number}/claim/").status_code == 404
    clerk = client_for(world.clerk)
    response = clerk.post(f"/api/v1/applications/{number}/claim/")
    assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"
    response = clerk.post(f"/api/v1/applications/{number}/resume/")
    assert response.status_code in (400, 403)
    response = clerk.post(f"/api/v1/applications/{number}/refuse/", {"reason": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "reason_required" and set(body["fields"]) == {"reason", "basis"}
    response = clerk.post(
        f"/api/v1/applications/{number}/accept/",
        {"checks": [{"id": 1, "status": "bogus"}]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_invalid_transition_in_state_is_400(world):
    body = online_submitted(world)
    response = client_for(world.citizen).post(f"/api/v1/applications/{body['number']}/submit/")
    assert response.status_code == 400 and response.json()["code"] == "invalid_transition"


def test_scope_other_citizens_get_404_for_objects_and_files(world):
    body = online_submitted(world)
    number = body["number"]
    other = client_for(world.other_citizen)
    assert other.get(f"/api/v1/applications/{number}/").status_code == 404
    assert other.get("/api/v1/applications/").json()["count"] == 0
    file_id = body["materials"][0]["files"][0]["id"]
    assert other.get(f"/api/v1/applications/{number}/files/{file_id}/").status_code == 404
    owner = client_for(world.citizen)
    response = owner.get(f"/api/v1/applications/{number}/files/{file_id}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert owner.get("/api/v1/applications/").json()["count"] == 1


def test_bad_upload_is_a_clear_error(world):
    citizen = client_for(world.citizen)
    body = citizen.post(
        "/api/v1/applications/",
        {"matter_code": world.matter.code, "channel": "online"},
        format="json",
    ).json()
    response = upload(
        citizen,
        body["reference"],
        body["materials"][0]["id"],
        content=b"<html>not a pdf</html>",
        name="x.pdf",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_type" and "file" in response.json()["fields"]
    response = citizen.post(
        f"/api/v1/applications/{body['reference']}/materials/{body['materials'][0]['id']}/files/",
        {},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "file_required"


def test_list_filters_by_state_and_clock(world):
    online_submitted(world)
    supervisor = client_for(world.supervisor)
    assert supervisor.get("/api/v1/applications/", {"state": "submitted"}).json()["count"] == 1
    assert supervisor.get("/api/v1/applications/", {"state": "accepted"}).json()["count"] == 0
    assert (
        supervisor.get("/api/v1/applications/", {"clock_status": "not_started"}).json()["count"]
        == 1
    )


def test_state_filter_counts_without_distinct(world):
    """The queue page of the API filters a plain column: its count must not be a count over a
    DISTINCT subquery (876 ms at a million rows), and several states still add up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    online_submitted(world)
    supervisor = client_for(world.supervisor)
    with CaptureQueriesContext(connection) as queries:
        body = supervisor.get("/api/v1/applications/", {"state": ["submitted", "accepted"]}).json()
    assert body["count"] == 1 and len(body["results"]) == 1
    reads = [q["sql"] for q in queries if "approvals_application" in q["sql"]]
    assert reads and not any("DISTINCT" in sql.upper() for sql in reads), reads


def test_detail_reads_files_in_one_query_and_shows_the_clock(world):
    """The clerk's read before an acceptance: one query for every material's files (was one
    per material), and the clock status like the list and the transitions' answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submitted = online_submitted(world)
    assert len(submitted["materials"]) >= 2
    clerk = client_for(world.clerk)
    with CaptureQueriesContext(connection) as queries:
        body = clerk.get(f"/api/v1/applications/{submitted['number']}/").json()
    files = [q for q in queries if 'FROM "approvals_materialfile"' in q["sql"]]
    assert len(files) == 1, [q["sql"] for q in files]
    assert all(m["files"] for m in body["materials"])
    assert body["clock_status"] == "not_started"


def test_unfiltered_list_is_read_newest_first_off_an_index(world):
    """The API list of whoever sees everything (a supervisor): 50 rows in the list's order off
    an index, not a sort of every application (3.8 s at 300,000)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    online_submitted(world)
    qs = Application.objects.order_by("-submitted_at", "-id")[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "app_submitted_desc_idx" in plan and "Sort" not in plan, plan


def test_notice_pdf_contains_applicant_number_and_due_date(world):
    from pypdf import PdfReader

    body = online_submitted(world)
    number = body["number"]
    checks = [{"id": m["id"], "status": "received"} for m in body["materials"]]
    detail = (
        client_for(world.clerk)
        .post(f"/api/v1/applications/{number}/accept/", {"checks": checks}, format="json")
        .json()
    )
    notice_id = detail["notices"][0]["id"]
    response = client_for(world.citizen).get(
        f"/api/v1/applications/{number}/notices/{notice_id}/pdf/"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    due = date.fromisoformat(detail["due_date"])
    assert "受理通知书" in text
    assert world.citizen.real_name in text
    assert number[-5:] in text.replace(" ", "")
    assert f"{due.year}年{due.month}月{due.day}日" in text.replace(" ", "")
    assert (
        client_for(world.other_citizen)
        .get(f"/api/v1/applications/{number}/notices/{notice_id}/pdf/")
        .status_code
        == 404
    )


def test_public_status_lookup_needs_number_and_mobile_digits(world, client):
    body = online_submitted(world)
    number = body["number"]
    last4 = world.citizen.mobile[-4:]
    response = client.get("/api/v1/status/", {"number": number, "mobile_last4": last4})
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "submitted" and "applicant_name" not in data
    wrong = "0000" if last4 != "0000" else "1111"
    assert (
        client.get("/api/v1/status/", {"number": number, "mobile_last4": wrong}).status_code == 404
    )
    assert client.get("/api/v1/status/", {"number": "abc", "mobile_last4": "12"}).status_code == 404


def test_status_lookup_is_rate_limited(world, client):
    from django.core.cache import cache

    cache.clear()
    try:
        codes = [
            client.get("/api/v1/status/", {"number": "1", "mobile_last4": "1234"}).status_code
            for _ in range(12)
        ]
        assert codes[:10] == [404] * 10 and codes[10:] == [429, 429]
        assert (
            client.get("/api/v1/status/", {"number": "1", "mobile_last4": "1234"}).json()["code"]
            == "throttled"
        )
    finally:
        cache.clear()


def test_walk_in_and_proxy_through_the_api(world):
    clerk = client_for(world.clerk)
    response = clerk.post(
        "/api/v1/applications/",
        {
            "matter_code": world.matter.code,
            "channel": "hall",
            "applicant_id_number": world.citizen.id_number,
        },
        format="json",
    )
    assert response.status_code == 201
    response = clerk.post(
        "/api/v1/applications/",
        {
            "matter_code": world.matter.code,
            "channel": "hall",
            "applicant_id_number": "110105194912310021",
        },
        format="json",
    )
    assert response.status_code == 400 and "applicant_id_number" in response.json()["fields"]
    proxy = client_for(world.proxy)
    response = proxy.post(
        "/api/v1/applications/",
        {
            "matter_code": world.matter.code,
            "channel": "proxy",
            "applicant_id_number": world.citizen.id_number,
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "consent_required"
    response = proxy.post(
        "/api/v1/applications/",
        {
            "matter_code": world.matter.code,
            "channel": "proxy",
            "applicant_id_number": world.citizen.id_number,
            "proxy_consent": "村民口头同意并签字",
        },
        format="json",
    )
    assert response.status_code == 201
    assert Application.objects.filter(channel="proxy", state=State.DRAFT).count() == 1


def test_the_list_counts_each_scope_arm_once_and_agrees_with_the_rows(world):
    """The list's count is summed over the arms of the caller's scope (each less the ones
    before it, selectors.applications.scope_count): for every kind of caller, with and without
    filters, it is the number of rows the same filters list — including a person whose arms
    overlap (a clerk who is also a reviewer, whose own application is in the department)."""
    from approvals.selectors import applications as sel
    from portal import roles
    from tests.factories import UserFactory

    first = online_submitted(world)
    checks = [{"id": m["id"], "status": "received"} for m in first["materials"]]
    accepted = client_for(world.clerk).post(
        f"/api/v1/applications/{first['number']}/accept/", {"checks": checks}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    online_submitted(world)  # submitted: the clerk's, not the reviewer's
    client_for(world.citizen).post(
        "/api/v1/applications/",
        {"matter_code": world.matter.code, "channel": "online"},
        format="json",
    )  # a draft: the citizen's own only
    both = UserFactory.with_role(roles.WINDOW_CLERK, department=world.dept, windows=[world.window])
    both.groups.add(*UserFactory.with_role(roles.REVIEWER).groups.all())
    Application.objects.update(applicant=both)  # every application is also their own
    people = [
        world.citizen,
        world.clerk,
        world.reviewer,
        world.district_reviewer,
        world.supervisor,
        world.proxy,
        both,
    ]
    queries = ["", "?state=accepted", "?state=submitted&state=draft", "?channel=online"]
    for person in people:
        person = type(person).objects.get(pk=person.pk)
        for query in queries:
            body = client_for(person).get(f"/api/v1/applications/{query}").json()
            assert body["count"] == len(body["results"]), (person.username, query, body)
            expected = sel.visible_applications(person)
            if "state=" in query:
                states = [part.split("=")[1] for part in query[1:].split("&")]
                expected = expected.filter(state__in=states)
            if "channel" in query:
                expected = expected.filter(channel="online")
            assert body["count"] == expected.count(), (person.username, query)
    assert sel.scope_arms(both) is not None and len(sel.scope_arms(both)) == 3
