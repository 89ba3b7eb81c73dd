"""Grid pages: the map and an area's card, people pages (scope, changes with an effective
date), patrols on the phone (idempotent forms, positions, photos) and the compliance table;
foreign objects are 404."""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grid.models import Assignment, AssignmentRole, Finding, FindingPhoto, Patrol
from grid.services.people import assignment_start
from tests.grid.test_patrols import png
from tests.portal.area_fixtures import point

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(town, make_user):
    admin = make_user("supervisor")
    head, member, other = make_user("grid_head"), make_user("grid_member"), make_user("grid_member")
    on = date(2024, 1, 1)
    assignment_start(actor=admin, area=town["V1G1"], role=AssignmentRole.HEAD, user=head, on=on)
    assignment_start(actor=admin, area=town["V1G1"], role=AssignmentRole.MEMBER, user=member, on=on)
    assignment_start(actor=admin, area=town["V2G1"], role=AssignmentRole.MEMBER, user=other, on=on)
    return {"admin": admin, "head": head, "member": member, "other": other}


def test_the_map_page_carries_its_data_and_no_inline_script(client, crew):
    client.force_login(crew["member"])
    page = client.get(reverse("grid:map")).content.decode()
    assert 'data-geojson-url="/api/v1/areas/"' in page
    assert '"V1G1"' in page  # the member's grids, for "my grids"
    assert "<script>" not in page and "onclick" not in page
    assert "vendor/leaflet/leaflet.js" in page


def test_a_tile_url_from_settings_is_allowed_by_the_page_policy(client, crew, settings):
    settings.MAP_TILE_URL = (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    )
    settings.MAP_TILE_SUBDOMAINS = "01234567"
    client.force_login(crew["member"])
    response = client.get(reverse("grid:map"))
    assert "img-src https://*.tianditu.gov.cn " in response["Content-Security-Policy"]
    assert "tianditu" in response.content.decode()


def test_the_card_shows_people_and_compliance_to_the_head(client, crew, town):
    client.force_login(crew["head"])
    page = client.get(reverse("grid:map-card", args=["V1G1"])).content.decode()
    assert crew["head"].display_name in page and crew["member"].display_name in page
    assert "本周巡查" in page and "未达标" in page
    assert reverse("grid:people-area", args=["V1G1"]) in page


def test_the_card_of_another_grid_shows_people_but_not_compliance(client, crew):
    client.force_login(crew["member"])
    page = client.get(reverse("grid:map-card", args=["V2G1"])).content.decode()
    assert crew["other"].display_name in page
    assert "本周巡查" not in page
    assert client.get(reverse("grid:map-card", args=["NOPE"])).status_code == 404


def test_map_pages_are_for_staff_of_the_grid(client, make_user, town):
    client.force_login(make_user("citizen"))
    assert client.get(reverse("grid:map")).status_code == 403
    assert client.get(reverse("grid:map-card", args=["V1G1"])).status_code == 403


def test_people_pages_follow_scope(client, crew):
    client.force_login(crew["head"])
    listing = client.get(reverse("grid:people")).content.decode()
    assert "东村一网格" in listing and "西村一网格" not in listing
    assert client.get(reverse("grid:people-area", args=["V1G1"])).status_code == 200
    assert client.get(reverse("grid:people-area", args=["V1G1M1"])).status_code == 200
    assert client.get(reverse("grid:people-area", args=["V2G1"])).status_code == 404
    assert client.post(reverse("grid:people-assign", args=["V2G1"]), {}).status_code == 404
    client.force_login(crew["member"])
    assert client.get(reverse("grid:people")).status_code == 403


def test_the_people_list_costs_the_same_for_more_grids(client, crew, town, make_user):
    client.force_login(crew["admin"])
    client.get(reverse("grid:people"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("grid:people"))
    for code in ("V1G2", "V2G2", "S1"):
        assignment_start(
            actor=crew["admin"],
            area=town[code],
            role=AssignmentRole.MEMBER,
            user=make_user("grid_member"),
            on=date(2024, 1, 1),
        )
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("grid:people"))
    assert len(after) == len(before)


def on_duty(page: str) -> str:
    """The "people on duty that day" panel of an area's people page."""
    return page.split('class="people-list"')[1].split("</ul>")[0]


def test_a_head_changes_a_member_with_an_effective_date_and_the_past_stays(client, crew, make_user):
    newcomer = make_user("grid_member")
    client.force_login(crew["head"])
    url = reverse("grid:people-assign", args=["V1G1"])
    response = client.post(
        url, {"role": "member", "user": newcomer.pk, "employment": "part_time", "on": "2025-05-01"}
    )
    assert response.status_code == 302
    old = Assignment.objects.get(user=crew["member"])
    response = client.post(
        reverse("grid:people-end", args=["V1G1"]),
        {"assignment": old.pk, "on": "2025-05-01", "note": "调到镇里"},
    )
    assert response.status_code == 302
    page = client.get(
        reverse("grid:people-area", args=["V1G1"]) + "?on=2025-04-30"
    ).content.decode()
    assert crew["member"].display_name in on_duty(page)
    page = client.get(
        reverse("grid:people-area", args=["V1G1"]) + "?on=2025-05-01"
    ).content.decode()
    assert crew["member"].display_name not in on_duty(page)
    assert newcomer.display_name in on_duty(page)
    # heads are appointed by supervisors: a head trying is told so, nothing changes
    response = client.post(
        url, {"role": "head", "user": make_user("grid_head").pk, "on": "2025-06-01"}
    )
    assert response.status_code == 403 and "由督查或管理员任命" in response.content.decode()
    assert Assignment.objects.filter(role="head", area__code="V1G1").count() == 1


def test_a_supervisor_replaces_a_head_from_a_date(client, crew, make_user):
    successor = make_user("grid_head")
    client.force_login(crew["admin"])
    response = client.post(
        reverse("grid:people-assign", args=["V1G1"]),
        {"role": "head", "user": successor.pk, "on": "2025-09-01"},
    )
    assert response.status_code == 302
    heads = Assignment.objects.filter(role="head", area__code="V1G1").order_by("starts_on")
    assert [(h.user, h.ends_on) for h in heads] == [
        (crew["head"], date(2025, 9, 1)),
        (successor, None),
    ]


def test_a_micro_grid_contact_without_an_account(client, crew):
    client.force_login(crew["head"])
    response = client.post(
        reverse("grid:people-assign", args=["V1G1M1"]),
        {
            "role": "contact",
            "person_name": "刘阿姨",
            "person_mobile": "13911112222",
            "on": "2025-01-01",
        },
    )
    assert response.status_code == 302
    assert "刘阿姨" in client.get(reverse("grid:people-area", args=["V1G1"])).content.decode()


# --- patrols -------------------------------------------------------------------------------


def test_a_patrol_on_the_phone_start_twice_walk_find_finish(client, crew, town):
    client.force_login(crew["member"])
    home = client.get(reverse("grid:patrol-home")).content.decode()
    assert "开始巡查" in home
    pid = str(uuid.uuid4())
    for _ in range(2):  # a double tap
        response = client.post(reverse("grid:patrol-start"), {"public_id": pid, "area": "V1G1"})
        assert response.status_code == 302
    assert Patrol.objects.count() == 1
    lat, lng = point(0.5, 1.5)
    body = {
        "points": [
            {"lat": lat, "lng": lng, "accuracy": 5, "at": 1},
            {"lat": lat + 0.001, "lng": lng, "at": 2},
        ]
    }
    for _ in range(2):  # a resend after the signal came back
        response = client.post(
            reverse("grid:patrol-track", args=[pid]),
            json.dumps(body),
            content_type="application/json",
        )
        assert response.json()["points"] == 2
    fid = str(uuid.uuid4())
    for _ in range(2):
        response = client.post(
            reverse("grid:patrol-finding", args=[pid]),
            {
                "client_uuid": fid,
                "category": "environment",
                "description": "河边有人烧秸秆",
                "lat": lat,
                "lng": lng,
                "photos": [SimpleUploadedFile("a.png", png(), content_type="image/png")],
            },
        )
        assert response.status_code == 302
    assert Finding.objects.count() == 1 and FindingPhoto.objects.count() == 1
    assert Finding.objects.get().micro_grid.code == "V1G1M2"
    response = client.post(
        reverse("grid:patrol-finish", args=[pid]), {"households_visited": 4, "note": "正常"}
    )
    assert response.status_code == 302
    detail = client.get(response.url).content.decode()
    assert "河边有人烧秸秆" in detail and 'id="patrol-track"' in detail
    photo = FindingPhoto.objects.get()
    assert client.get(reverse("grid:finding-photo", args=[photo.pk])).status_code == 200


def test_bad_patrol_input_is_named_and_nothing_half_written(client, crew):
    client.force_login(crew["member"])
    response = client.post(
        reverse("grid:patrol-start"), {"public_id": str(uuid.uuid4()), "area": "V2G1"}
    )
    assert response.status_code == 400 and "area" in response.context["start_form"].errors
    pid = str(uuid.uuid4())
    client.post(reverse("grid:patrol-start"), {"public_id": pid, "area": "V1G1"})
    response = client.post(
        reverse("grid:patrol-track", args=[pid]), b"not json", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = client.post(
        reverse("grid:patrol-finding", args=[pid]),
        {
            "client_uuid": str(uuid.uuid4()),
            "category": "work_safety",
            "description": "灭火器过期",
            "photos": [SimpleUploadedFile("x.gif", b"GIF89a....", content_type="image/gif")],
        },
    )
    assert response.status_code == 400 and "不是照片" in response.content.decode()
    assert "灭火器过期" in response.content.decode()  # what was typed is kept


def test_patrols_and_photos_of_others_are_404(client, crew, town):
    patrol = Patrol.objects.create(
        member=crew["other"], area=town["V2G1"], started_at=timezone.now()
    )
    client.force_login(crew["member"])
    assert client.get(reverse("grid:patrol-detail", args=[patrol.public_id])).status_code == 404
    assert (
        client.post(reverse("grid:patrol-finish", args=[patrol.public_id]), {}).status_code == 404
    )
    client.force_login(crew["head"])  # head of V1G1, not V2G1
    assert client.get(reverse("grid:patrol-detail", args=[patrol.public_id])).status_code == 404
    own = Patrol.objects.create(
        member=crew["member"], area=town["V1G1"], started_at=timezone.now() - timedelta(days=9)
    )
    assert client.get(reverse("grid:patrol-detail", args=[own.public_id])).status_code == 200
    client.force_login(crew["admin"])
    assert client.get(reverse("grid:patrol-detail", args=[patrol.public_id])).status_code == 200


def test_the_compliance_page_for_the_head_and_the_supervisor(client, crew, town):
    client.force_login(crew["head"])
    page = client.get(reverse("grid:compliance") + "?week=2025-03-12").content.decode()
    assert "2025-03-10" in page and crew["member"].display_name in page
    assert crew["other"].display_name not in page
    client.force_login(crew["admin"])
    page = client.get(reverse("grid:compliance") + "?week=2025-03-12").content.decode()
    assert crew["other"].display_name in page
    client.force_login(crew["member"])
    assert client.get(reverse("grid:compliance")).status_code == 403


def test_the_findings_api_for_the_outbox(crew, town):
    from rest_framework.test import APIClient

    patrol = Patrol.objects.create(
        member=crew["member"], area=town["V1G1"], started_at=timezone.now()
    )
    api = APIClient()
    api.force_authenticate(crew["member"])
    url = reverse("api-patrol-findings", args=[patrol.public_id])
    fid = str(uuid.uuid4())
    form = {"client_uuid": fid, "category": "civil_affairs", "description": "独居老人需要帮扶"}
    first = api.post(
        url, {**form, "photos": [SimpleUploadedFile("a.png", png())]}, format="multipart"
    )
    assert first.status_code == 201 and first.json()["photos"] == 1
    again = api.post(
        url, {**form, "photos": [SimpleUploadedFile("a.png", png())]}, format="multipart"
    )
    assert again.status_code == 200 and again.json()["public_id"] == first.json()["public_id"]
    assert FindingPhoto.objects.count() == 1
    bad = api.post(url, {"client_uuid": str(uuid.uuid4()), "category": "x"}, format="multipart")
    assert bad.status_code == 400 and {"category", "description"} <= set(bad.json()["fields"])
    other = APIClient()
    other.force_authenticate(crew["other"])
    assert other.post(url, form, format="multipart").status_code == 404  # not their patrol
    own = Patrol.objects.create(member=crew["other"], area=town["V2G1"], started_at=timezone.now())
    taken = other.post(
        reverse("api-patrol-findings", args=[own.public_id]), form, format="multipart"
    )
    assert taken.status_code == 409
