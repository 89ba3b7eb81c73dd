"""/api/v1/evaluations/ and /api/v1/rectifications/."""

import pytest
from rest_framework.test import APIClient

from approvals.models import Evaluation, Rectification
from portal.models import AuditEntry
from tests.approvals import citizen_journey as j

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rate_through_the_api_once(world):
    app = j.completed(world)
    api = _client(world.citizen)
    response = api.post(
        "/api/v1/evaluations/", {"application": app.number, "rating": 1, "comment": "太慢"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rating"] == 1 and body["rating_label"] == "非常不满意"
    assert body["application"] == app.number
    assert "rated_by" not in body and body["on_behalf"] is False
    again = api.post("/api/v1/evaluations/", {"application": app.number, "rating": 5})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    bad = api.post("/api/v1/evaluations/", {"application": app.number, "rating": 9})
    assert bad.status_code == 400 and "rating" in bad.json()["fields"]


def test_staff_cannot_rate_and_strangers_get_404(world):
    app = j.completed(world)
    response = _client(world.release_clerk).post(
        "/api/v1/evaluations/", {"application": app.number, "rating": 5}
    )
    assert response.status_code == 403 and response.json()["code"] == "not_applicant"
    response = _client(world.other_citizen).post(
        "/api/v1/evaluations/", {"application": app.number, "rating": 5}
    )
    assert response.status_code == 404
    assert not Evaluation.objects.exists()


def test_rater_identity_only_for_supervisors(world):
    app = j.completed(world, j.proxy_draft(world))
    _client(world.proxy).post("/api/v1/evaluations/", {"application": app.number, "rating": 2})
    sup = _client(world.supervisor).get("/api/v1/evaluations/").json()["results"][0]
    assert sup["rated_by"]["username"] == world.proxy.username and sup["on_behalf"] is True
    assert sup["rectification"] == Rectification.objects.get().pk
    own = _client(world.citizen).get("/api/v1/evaluations/").json()["results"][0]
    assert "rated_by" not in own and own["application"] == app.number
    for staff in (world.reviewer, world.clerk):
        row = _client(staff).get("/api/v1/evaluations/").json()["results"][0]
        assert row["rating"] == 2
        assert not {"rated_by", "on_behalf", "application", "rectification"} & set(row)
        detail = _client(staff).get(f"/api/v1/evaluations/{row['id']}/").json()
        assert "rated_by" not in detail
    assert _client(world.other_citizen).get("/api/v1/evaluations/").json()["count"] == 0
    pk = sup["id"]
    assert _client(world.other_citizen).get(f"/api/v1/evaluations/{pk}/").status_code == 404


def test_ratings_cannot_be_changed_or_deleted(world):
    app = j.completed(world)
    _client(world.citizen).post("/api/v1/evaluations/", {"application": app.number, "rating": 3})
    pk = Evaluation.objects.get().pk
    for method in ("put", "patch", "delete"):
        response = getattr(_client(world.supervisor), method)(
            f"/api/v1/evaluations/{pk}/", {"rating": 5}
        )
        assert response.status_code == 405
    assert Evaluation.objects.get().rating == 3


def test_rectifications_through_the_api(world):
    app = j.completed(world)
    _client(world.citizen).post("/api/v1/evaluations/", {"application": app.number, "rating": 1})
    rect = Rectification.objects.get()
    assert _client(world.reviewer).get("/api/v1/rectifications/").status_code == 403
    assert _client(world.citizen).get(f"/api/v1/rectifications/{rect.pk}/").status_code == 403
    sup = _client(world.supervisor)
    listing = sup.get("/api/v1/rectifications/?status=open").json()
    assert listing["count"] == 1 and listing["results"][0]["is_overdue"] is False
    assert sup.get("/api/v1/rectifications/?status=overdue").json()["count"] == 0
    response = sup.post(f"/api/v1/rectifications/{rect.pk}/close/", {})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"callbacks", "action_taken", "result"}
    response = sup.post(
        f"/api/v1/rectifications/{rect.pk}/callbacks/",
        {"method": "phone", "citizen_said": "等太久"},
    )
    assert (
        response.status_code == 201 and response.json()["callbacks"][0]["citizen_said"] == "等太久"
    )
    response = sup.patch(f"/api/v1/rectifications/{rect.pk}/", {"action_taken": "优化流程"})
    assert response.status_code == 200 and response.json()["action_taken"] == "优化流程"
    response = sup.post(f"/api/v1/rectifications/{rect.pk}/close/", {"result": "已满意"})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["action_taken"] == "优化流程"
    again = sup.post(f"/api/v1/rectifications/{rect.pk}/close/", {"result": "x"})
    assert again.status_code == 400 and again.json()["code"] == "rectification_closed"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "evaluation.create",
        "rectification.open",
        "rectification.callback",
        "rectification.update",
        "rectification.close",
    } <= actions
    assert sup.get("/api/v1/rectifications/999999/").status_code == 404
