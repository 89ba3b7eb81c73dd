"""A caller whose view of the state is stale gets 409, always — also when its request arrives
after the other person's change was committed (issue 17: 2 of 50 races answered 400)."""

import pytest

from tests.approvals.test_applications_api import client_for, online_submitted

pytestmark = pytest.mark.django_db


def submitted(world):
    body = online_submitted(world)
    checks = [{"id": m["id"], "status": "received"} for m in body["materials"]]
    return body["number"], {"checks": checks}


def test_the_second_clerk_to_accept_gets_409(world):
    number, intake = submitted(world)
    first = client_for(world.clerk).post(
        f"/api/v1/applications/{number}/accept/", intake, format="json"
    )
    assert first.status_code == 200

    late = client_for(world.clerk2).post(
        f"/api/v1/applications/{number}/accept/", intake, format="json"
    )

    assert late.status_code == 409
    assert late.json()["code"] == "state_changed"


def test_a_second_click_of_the_same_clerk_is_still_400(world):
    number, intake = submitted(world)
    clerk = client_for(world.clerk)
    assert (
        clerk.post(f"/api/v1/applications/{number}/accept/", intake, format="json").status_code
        == 200
    )
    again = clerk.post(f"/api/v1/applications/{number}/accept/", intake, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invalid_transition"


def test_an_action_never_allowed_in_either_state_is_400(world):
    number, intake = submitted(world)
    client_for(world.clerk).post(f"/api/v1/applications/{number}/accept/", intake, format="json")
    response = client_for(world.clerk2).post(
        f"/api/v1/applications/{number}/release/", {"method": "window"}, format="json"
    )
    assert response.status_code in (400, 403)
    assert response.json()["code"] != "state_changed"
