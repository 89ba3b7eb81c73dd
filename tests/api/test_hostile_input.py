"""The crashes of issue 17, one test per class: each answered HTTP 500 before."""

import io
import json

import pytest
from rest_framework.test import APIClient

from approvals.models import Application, MaterialFile, State
from portal.models import Notification
from portal.stored_files import ALERT_KIND
from tests.approvals.app_fixtures import PDF
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def new_draft(world, **extra):
    response = client_for(world.citizen).post(
        "/api/v1/applications/",
        {"matter_code": world.matter.code, "channel": "online", **extra},
        format="json",
    )
    return response


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    if code:
        assert body["code"] == code, body
    return body


def test_withdrawing_a_draft_discards_it(world, django_capture_on_commit_callbacks):
    response = new_draft(world)
    assert response.status_code == 201
    reference = response.json()["reference"]
    material = response.json()["materials"][0]["id"]
    citizen = client_for(world.citizen)
    f = io.BytesIO(PDF)
    f.name = "材料.pdf"
    upload = citizen.post(
        f"/api/v1/applications/{reference}/materials/{material}/files/",
        {"file": f},
        format="multipart",
    )
    assert upload.status_code == 201
    stored = MaterialFile.objects.get().file
    path = stored.path

    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post(f"/api/v1/applications/{reference}/withdraw/", {}, format="json")

    assert response.status_code == 204
    assert not Application.objects.filter(public_id=reference[1:]).exists()
    assert citizen.get(f"/api/v1/applications/{reference}/").status_code == 404
    import os

    assert not os.path.exists(path)


def test_someone_else_cannot_discard_a_draft(world):
    reference = new_draft(world).json()["reference"]
    other = client_for(world.other_citizen)
    response = other.post(f"/api/v1/applications/{reference}/withdraw/", {}, format="json")
    assert response.status_code == 404
    assert Application.objects.filter(public_id=reference[1:], state=State.DRAFT).exists()


def test_withdrawing_a_draft_on_the_page_discards_it(world, client):
    reference = new_draft(world).json()["reference"]
    client.force_login(world.citizen)
    response = client.post(f"/applications/{reference}/withdraw/", {"reason": ""})
    assert response.status_code == 302
    assert not Application.objects.filter(public_id=reference[1:]).exists()


@pytest.mark.parametrize("field", ["address", "organisation_name", "credit_code"])
def test_an_over_long_text_is_a_400_naming_the_field(world, field):
    response = new_draft(world, **{field: "长" * 10_000})
    body = assert_error_shape(response, 400, "invalid")
    assert field in body["fields"]
    assert not Application.objects.exists()


def test_deeply_nested_json_is_a_400(world):
    nested = "[" * 5000 + "]" * 5000
    raw = f'{{"matter_code": "{world.matter.code}", "channel": "online", "details": {nested}}}'
    response = client_for(world.citizen).post(
        "/api/v1/applications/", raw, content_type="application/json"
    )
    assert_error_shape(response, 400)


def test_free_json_is_bounded_in_depth_and_size(world):
    deep = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {}}}}}}}}}}
    response = new_draft(world, details=deep)
    assert "details" in assert_error_shape(response, 400, "invalid")["fields"]
    big = {"text": "字" * 40_000}
    response = new_draft(world, details=big)
    assert "details" in assert_error_shape(response, 400, "invalid")["fields"]
    assert new_draft(world, details={"用途": "开店"}).status_code == 201


@pytest.mark.parametrize(
    "query, field",
    [
        ("start=9999-12-31&days=3650", "start"),
        ("start=2199-12-31&days=3650", "days"),
        ("start=0001-01-01&end=9999-12-31", "start"),
        ("start=2026-01-01&end=9999-12-31", "end"),
    ],
)
def test_the_workday_calculator_names_the_field_out_of_range(query, field):
    response = APIClient(raise_request_exception=False).get(f"/api/v1/workdays/?{query}")
    body = assert_error_shape(response, 400)
    assert field in body["fields"]


def test_the_workday_calculator_still_calculates():
    response = APIClient().get("/api/v1/workdays/?start=2026-10-08&days=1")
    assert response.status_code == 200
    assert response.json()["date"] == "2026-10-09"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/matters/%00/",
        "/api/v1/applications/%00/",
        "/api/v1/incidents/%00/",
        "/api/v1/enforcement/cases/%00/",
        "/api/v1/areas/%00/",
        "/api/v1/departments/a%00b/",
        "/api/v1/matters/%1F/history/",
    ],
)
def test_a_nul_in_a_path_parameter_is_not_found(world, path):
    response = client_for(world.supervisor).get(path)
    assert_error_shape(response, 404, "not_found")


def test_a_nul_in_a_page_path_is_the_404_page(client):
    response = client.get("/guide/%00/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


def _a_stored_file_gone_from_disk(world):
    """A citizen's draft with one uploaded file whose stored copy was then deleted from disk."""
    reference = new_draft(world).json()["reference"]
    application = Application.objects.get(public_id=reference[1:])
    material = application.materials.first()
    citizen = client_for(world.citizen)
    f = io.BytesIO(PDF)
    f.name = "材料.pdf"
    citizen.post(
        f"/api/v1/applications/{reference}/materials/{material.pk}/files/",
        {"file": f},
        format="multipart",
    )
    stored = MaterialFile.objects.get()
    stored.file.storage.delete(stored.file.name)
    return citizen, reference, stored


def test_a_stored_file_missing_on_disk_is_an_error_and_one_alert(world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    UserFactory(is_superuser=True, is_active=False)
    citizen, reference, stored = _a_stored_file_gone_from_disk(world)

    for _ in range(2):
        response = citizen.get(f"/api/v1/applications/{reference}/files/{stored.pk}/")
        body = assert_error_shape(response, 404, "file_missing")
        assert "管理员" in body["message"]

    alerts = Notification.objects.filter(kind=ALERT_KIND)
    assert [a.recipient_id for a in alerts] == [admin.pk]
    assert stored.file.name in alerts[0].title + alerts[0].body
    assert not Notification.objects.filter(kind=ALERT_KIND, recipient=world.citizen).exists()


def test_the_stored_file_page_is_the_404_page_when_missing(world, client):
    citizen, reference, stored = _a_stored_file_gone_from_disk(world)
    client.force_login(world.citizen)
    response = client.get(f"/applications/{reference}/files/{stored.pk}/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


def test_json_error_bodies_never_echo_a_parse_crash(world):
    response = client_for(world.citizen).post(
        "/api/v1/applications/", "{not json", content_type="application/json"
    )
    body = assert_error_shape(response, 400)
    assert json.dumps(body)
