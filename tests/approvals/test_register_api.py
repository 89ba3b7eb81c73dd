# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""The register API: read for everyone (versions in force), write for register administrators,
409 when someone else acted first."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from approvals.models import Matter
from approvals.services import register as services
from tests.approvals.register_support import (  # noqa: F401
    make_matter,
    registrar,
    small_register,
    township,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def admin_api(registrar):
    client = APIClient()
    client.force_authenticate(registrar)
    return client


@pytest.fixture
def citizen_api(township):
    from portal.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(username="citizen"))
    return client


@pytest.fixture
def published(township):
    make_matter(township, "API-1", valid_from=date(2024, 1, 1), name="农村村民宅基地建房审批")
    make_matter(
        township, "API-2", valid_from=date(2024, 1, 1), name="临时占用道路审批", kind="other"
    )
    make_matter(township, "API-3", name="草稿事项")
    return township


def test_everyone_reads_the_matters_in_force_with_filters(published, anonymous):
    response = anonymous.get("/api/v1/matters/")
    assert response.status_code == 200
    assert [m["code"] for m in response.json()["results"]] == ["API-1", "API-2"]
    assert [
        m["code"] for m in anonymous.get("/api/v1/matters/", {"q": "宅基地"}).json()["results"]
    ] == ["API-1"]
    assert [
        m["code"] for m in anonymous.get("/api/v1/matters/", {"kind": "other"}).json()["results"]
    ] == ["API-2"]
    assert anonymous.get("/api/v1/matters/", {"on": "2023-06-01"}).json()["count"] == 0
    bad = anonymous.get("/api/v1/matters/", {"on": "yesterday"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_date"


def test_one_matter_with_its_materials_and_no_drafts(published, anonymous):
    data = anonymous.get("/api/v1/matters/API-1/").json()
    assert (data["name"], data["version"], data["committed_days"]) == (
        "农村村民宅基地建房审批",
        1,
        5,
    )
    assert [m["name"] for m in data["materials"]] == ["申请书", "身份证"]
    assert data["channels"] == ["hall", "online"]
    assert anonymous.get("/api/v1/matters/API-3/").status_code == 404
    assert anonymous.get("/api/v1/matters/API-3/").json()["code"] == "not_found"


def test_history_of_a_matter(published, anonymous):
    draft = services.matter_new_draft(actor="t", code="API-1")
    services.matter_publish(actor="t", matter=draft, valid_from=date(2025, 1, 1))
    rows = anonymous.get("/api/v1/matters/API-1/history/").json()
    assert [(r["version"], r["valid_from"], r["valid_to"]) for r in rows] == [
        (1, "2024-01-01", "2024-12-31"),
        (2, "2025-01-01", None),
    ]
    assert anonymous.get("/api/v1/matters/API-1/", {"on": "2024-06-01"}).json()["version"] == 1


def test_only_register_administrators_write(published, anonymous, citizen_api):
    payload = {"code": "X-1"}
    assert anonymous.post("/api/v1/matter-versions/", payload, format="json").status_code in (
        401,
        403,
    )
    assert citizen_api.post("/api/v1/matter-versions/", payload, format="json").status_code == 403
    assert citizen_api.get("/api/v1/matter-versions/").status_code == 403
    assert citizen_api.post("/api/v1/delegation-instruments/", {}, format="json").status_code == 403
    assert citizen_api.get("/api/v1/register/export/").status_code == 403


def test_administrator_creates_edits_and_publishes_a_draft(published, admin_api):
    created = admin_api.post(
        "/api/v1/matter-versions/",
        {
            "code": "API-9",
            "name": "渔业捕捞许可",
            "kind": "licensing",
            "delegation_mode": "direct",
            "delegating_department": "QNYJ",
            "handling_department": "NYFWZX",
            "category": "NYNC",
            "statutory_days": 20,
            "committed_days": 10,
            "extension_allowed": True,
            "max_extension_days": 10,
            "channel_proxy": True,
            "stages": [{"name": "受理"}, {"name": "审查", "who": "农业综合服务中心", "days": 5}],
            "materials": [{"name": "渔业捕捞许可证申请书", "form": "original"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    draft = created.json()
    assert (draft["status"], draft["version"], draft["revision"]) == ("draft", 1, 1)

    url = f"/api/v1/matter-versions/{draft['id']}/"
    edited = admin_api.patch(url, {"revision": 1, "committed_days": 7}, format="json")
    assert edited.status_code == 200 and edited.json()["committed_days"] == 7
    stale = admin_api.patch(url, {"revision": 1, "committed_days": 3}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_revision"
    invalid = admin_api.patch(url, {"revision": 2, "committed_days": 30}, format="json")
    assert invalid.status_code == 400 and "committed_days" in invalid.json()["fields"]

    published_ = admin_api.post(url + "publish/", {"valid_from": "2025-03-01"}, format="json")
    assert published_.status_code == 200 and published_.json()["status"] == "published"
    again = admin_api.post(url + "publish/", {"valid_from": "2025-03-01"}, format="json")
    assert again.status_code == 409

    new = admin_api.post(url + "new-draft/", format="json")
    assert new.status_code == 201 and new.json()["version"] == 2
    assert admin_api.delete(f"/api/v1/matter-versions/{new.json()['id']}/").status_code == 204

    retired = admin_api.post(
        url + "retire/", {"effective": "2026-01-01", "reason": "收回"}, format="json"
    )
    assert retired.status_code == 200 and retired.json()["valid_to"] == "2025-12-31"


def test_instruments_through_the_api(published, admin_api, anonymous):
    make_matter(published, "API-D")
    created = admin_api.post(
        "/api/v1/delegation-instruments/",
        {
            "title": "赋权决定",
            "document_number": "湘府发〔2026〕3号",
            "issuing_authority": "萍乡市湘东区人民政府",
            "effective_date": "2026-01-01",
        },
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    base = f"/api/v1/delegation-instruments/{pk}/"
    assert (
        admin_api.post(
            base + "items/", {"action": "delegate", "code": "API-D"}, format="json"
        ).status_code
        == 201
    )
    assert (
        admin_api.post(
            base + "items/", {"action": "take_back", "code": "API-2"}, format="json"
        ).status_code
        == 201
    )
    wrong = admin_api.post(base + "items/", {"action": "adjust", "code": "API-3"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "not_in_force"
    applied = admin_api.post(base + "apply/", format="json")
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert admin_api.post(base + "apply/", format="json").status_code == 409
    assert Matter.objects.get(code="API-D").valid_from == date(2026, 1, 1)
    assert Matter.objects.get(code="API-2").valid_to == date(2025, 12, 31)
    assert anonymous.get(base).json()["items"][0]["code"] == "API-D"


def test_import_through_the_api(township, admin_api):
    upload = SimpleUploadedFile("清单.xlsx", small_register(2))
    response = admin_api.post(
        "/api/v1/register-imports/", {"file": upload, "retire_missing": "false"}
    )
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["status"] == "queued"
    from approvals.models import RegisterImportJob

    services.import_job_run(job_id=RegisterImportJob.objects.get(public_id=job["public_id"]).pk)
    status = admin_api.get(f"/api/v1/register-imports/{job['public_id']}/").json()
    assert (status["status"], status["report"]["created"]) == ("ready", 2)
    confirm = admin_api.post(f"/api/v1/register-imports/{job['public_id']}/apply/")
    assert confirm.status_code == 202 and confirm.json()["status"] == "applying"
    assert admin_api.post(f"/api/v1/register-imports/{job['public_id']}/apply/").status_code == 409


def test_export_through_the_api(published, admin_api):
    response = admin_api.get("/api/v1/register/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
