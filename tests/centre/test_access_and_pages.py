"""Who sees the centre (dispatchers, supervisors and leaders; a registered wall screen for the
board only), the ETag/304 of the live board, 督办, the lists, exports, the duty roster and the
handover, and the call-out form."""

import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from approvals.models import HallDevice
from approvals.services import hall as hall_services
from centre.models import DispatcherDuty, Handover, Press
from enforcement.models import CallOut, DutyShift
from portal import roles, xlsx
from portal.models import Notification
from tests.centre.town import NOW, TODAY, travel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        (roles.DISPATCHER, 200),
        (roles.SUPERVISOR, 200),
        (roles.GRID_HEAD, 403),
        (roles.ENFORCEMENT_OFFICER, 403),
        (roles.SQUAD_LEADER, 403),
        (roles.REVIEWER, 403),
        (roles.CITIZEN, 403),
    ],
)
def test_only_dispatchers_supervisors_and_leaders_see_the_board(ctown, role, status):
    client = client_for(UserFactory.with_role(role))
    with travel(NOW):
        for url in ("/centre/", "/centre/late/", "/centre/figures/", "/centre/duty/"):
            assert client.get(url).status_code == status, url
    api = APIClient()
    api.force_authenticate(UserFactory.with_role(role))
    for url in (
        "/api/v1/centre/board/",
        "/api/v1/centre/late/",
        "/api/v1/centre/map/",
        "/api/v1/centre/areas/",
    ):
        assert api.get(url).status_code == status, url


def test_anonymous_visitors_log_in_first(db):
    answer = Client().get("/centre/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert Client().get("/centre/screen/").status_code == 302
    assert APIClient().get("/api/v1/centre/board/").status_code in (401, 403)


def test_a_registered_wall_screen_reads_the_board_without_a_log_in(ctown):
    device, token = hall_services.hall_device_register(
        name="大屏", kind=HallDevice.Kind.WALL, actor=ctown.supervisor
    )
    wall = Client()
    answer = wall.get(f"/hall/device/?token={token}")
    assert answer.status_code == 302 and answer["Location"].endswith("/centre/screen/")
    with travel(NOW):
        page = wall.get("/centre/screen/")
        assert page.status_code == 200
        assert "c-mode-screen" in page.content.decode()
        assert wall.get("/centre/panels/?mode=screen").status_code == 200
        assert wall.get("/api/v1/centre/board/").status_code == 200
        assert wall.get("/api/v1/centre/map/").status_code == 200
        # the map's villages and grids: the wall has no log-in for /api/v1/areas/
        assert 'data-geojson-url="/api/v1/centre/areas/?' in page.content.decode()
        areas = wall.get("/api/v1/centre/areas/?kind=village,community,grid")
        assert areas.status_code == 200 and areas.json()["type"] == "FeatureCollection"
        assert wall.get("/api/v1/areas/").status_code in (401, 403)
    # no actions and no pages beyond the board
    assert wall.post("/api/v1/centre/press/", {"kind": "case", "number": "x"}).status_code == 403
    assert wall.get("/centre/late/").status_code == 302
    assert wall.session.get_expiry_age() > 300 * 24 * 3600  # no log-in timeout
    hall_services.hall_device_revoke(device=device, actor=ctown.supervisor)
    assert wall.get("/centre/screen/").status_code == 302


def test_a_hall_tv_is_not_a_wall_screen(ctown):
    _device, token = hall_services.hall_device_register(
        name="叫号屏", kind=HallDevice.Kind.SCREEN, actor=ctown.supervisor
    )
    tv = Client()
    tv.get(f"/hall/device/?token={token}")
    assert tv.get("/centre/screen/").status_code == 302
    assert tv.get("/api/v1/centre/board/").status_code in (401, 403)
    assert tv.get("/api/v1/centre/areas/").status_code in (401, 403)


# --- the live board: ETag and 304 ----------------------------------------------------------------


def test_an_unchanged_board_answers_304_and_a_change_a_new_board(
    ctown, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(ctown.dispatcher)
    with travel(NOW):
        first = api.get("/api/v1/centre/board/")
        assert first.status_code == 200
        etag = first["ETag"]
        body = first.json()
        assert body["stamp"] and body["late"]["items"][0]["number"] == ctown.c1.number
        same = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=etag)
        assert same.status_code == 304 and same["ETag"] == etag and not same.content
        with django_capture_on_commit_callbacks(execute=True):  # a change the board shows
            ctown._report(ctown.grid.citizen, "ORD", ctown.grid.V2G1, NOW.replace(minute=0))
        changed = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_board_changes_with_the_clock_even_when_nobody_writes(ctown, settings):
    api = APIClient()
    api.force_authenticate(ctown.dispatcher)
    with travel(NOW):
        etag = api.get("/api/v1/centre/board/")["ETag"]
    later = NOW.replace(minute=1)  # a minute on: past the tick
    with travel(later):
        assert api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_panels_fragment_too(ctown):
    client = client_for(ctown.dispatcher)
    with travel(NOW):
        first = client.get("/centre/panels/")
        assert first.status_code == 200 and ctown.c1.number in first.content.decode()
        again = client.get("/centre/panels/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        page = client.get("/centre/").content.decode()
    assert 'id="centre-panels"' in page and 'id="centre-map"' in page
    assert "<script>" not in page.replace("<script src", "")  # no inline scripts (CSP)


def test_the_board_costs_the_same_queries_whatever_the_town(ctown, django_assert_max_num_queries):
    from django.core.cache import cache

    from centre.selectors import board

    with travel(NOW):
        board.compute(NOW)  # warm the areas' and the calendar's caches
        cache.clear()
        with django_assert_max_num_queries(80) as counted:
            board.compute(NOW)
    before = len(counted.captured_queries)
    ctown._report(ctown.grid.citizen, "ORD", ctown.grid.V2G1, NOW.replace(hour=9))
    ctown._accepted(TODAY, claim=False, hour=8)
    ctown._report(ctown.grid.member1, "URG", ctown.grid.V1G1, NOW.replace(hour=8))
    cache.clear()
    with travel(NOW), django_assert_max_num_queries(before) as again:
        board.compute(NOW)
    assert len(again.captured_queries) == before


# --- 督办 ----------------------------------------------------------------------------------------


def test_press_tells_the_holder_once_in_ten_minutes(ctown):
    api = APIClient()
    api.force_authenticate(ctown.dispatcher)
    with travel(NOW):
        answer = api.post(
            "/api/v1/centre/press/",
            {"kind": "application", "number": ctown.ap1.number, "note": "今天务必办结"},
            format="json",
        )
        assert answer.status_code == 201, answer.content
        assert answer.json()["told"] == 1
        note = Notification.objects.get(kind="centre.press")
        assert note.recipient == ctown.apps.reviewer and "今天务必办结" in note.body
        again = api.post(
            "/api/v1/centre/press/",
            {"kind": "application", "number": ctown.ap1.number},
            format="json",
        )
        assert again.status_code == 400 and again.json()["code"] == "pressed_recently"
        unclaimed = api.post(
            "/api/v1/centre/press/",
            {"kind": "application", "number": ctown.ap2.number},
            format="json",
        )
        assert unclaimed.status_code == 201  # the department's reviewers are told
        assert set(
            Notification.objects.filter(kind="centre.press").values_list("recipient_id", flat=True)
        ) == {ctown.apps.reviewer.pk, ctown.apps.reviewer2.pk}
        case = api.post(
            "/api/v1/centre/press/", {"kind": "case", "number": ctown.c1.number}, format="json"
        )
        assert case.status_code == 201 and case.json()["told"] == 3  # two officers, the leader
        gone = api.post(
            "/api/v1/centre/press/", {"kind": "incident", "number": ctown.in5.number}, format="json"
        )
        assert gone.status_code == 404  # closed: no clock to press
    assert Press.objects.count() == 3


# --- lists and exports ---------------------------------------------------------------------------


def test_the_lists_behind_the_numbers(ctown):
    client = client_for(ctown.dispatcher)
    with travel(NOW):
        late = client.get("/centre/late/?status=overdue").content.decode()
        assert ctown.c1.number in late and ctown.in1.number not in late
        apps = client.get(f"/centre/applications/?status=overdue&department={ctown.apps.dept.pk}")
        assert ctown.ap1.number in apps.content.decode()
        assert f"/staff/applications/{ctown.ap1.number}/" not in apps.content.decode()
        supervisor = client_for(ctown.supervisor).get("/centre/applications/?status=warning")
        assert f"/staff/applications/{ctown.ap2.number}/" in supervisor.content.decode()
        cases = client.get("/centre/cases/?kind=filing").content.decode()
        assert ctown.l1.number in cases and ctown.c1.number not in cases
        assert ctown.ap3.number in client.get("/centre/forecast/").content.decode()
        assert client.get("/centre/figures/?period=month&date=2026-10-01").status_code == 200


@pytest.mark.parametrize(
    "panel",
    [
        "all",
        "late",
        "new_reports",
        "incidents",
        "callouts",
        "cases",
        "applications",
        "forecast",
        "duty",
    ],
)
def test_every_panel_exports_as_xlsx(ctown, panel):
    client = client_for(ctown.supervisor)
    with travel(NOW):
        answer = client.get(f"/centre/export/{panel}.xlsx")
    assert answer.status_code == 200 and answer["Content-Type"] == xlsx.CONTENT_TYPE
    book = xlsx.open_workbook(answer.content)
    rows = [list(r) for ws in book.worksheets for r in xlsx.sheet_rows(ws)]
    assert rows
    if panel == "late":
        assert rows[1][1] == ctown.c1.number and rows[1][5] == "超3个工作日"


def test_the_report_exports_as_one_workbook(ctown):
    client = client_for(ctown.supervisor)
    with travel(NOW):
        answer = client.get("/centre/figures/export.xlsx?period=week&date=2026-10-09")
    book = xlsx.open_workbook(answer.content)
    assert {"概览", "出动达标", "按期率", "网格内解决", "热点分类", "热点网格"} <= set(
        book.sheetnames
    )
    callouts = [list(r) for r in xlsx.sheet_rows(book["出动达标"])]
    # ZD1: respond on time, accept late, set out missed (on site still running); ZD2 all on time
    zd1 = {r[2]: r[3:] for r in callouts[1:] if r[0] == "第一中队"}
    assert zd1["响应"][:3] == (1, 0, 0) or list(zd1["响应"][:3]) == [1, 0, 0]
    assert list(zd1["接单"][:3]) == [0, 1, 0] and list(zd1["出发"][:3]) == [0, 0, 1]


def test_an_unknown_panel_is_404(ctown):
    assert client_for(ctown.dispatcher).get("/centre/export/nothing.xlsx").status_code == 404


# --- duty and handover ---------------------------------------------------------------------------


def test_the_roster_and_the_handover(ctown):
    night = UserFactory.with_role(roles.DISPATCHER)
    client = client_for(ctown.dispatcher)
    answer = client.post(
        "/centre/duty/set/",
        {
            "day": "2026-10-09",
            "shift": "day",
            "dispatchers": [str(ctown.dispatcher.pk), str(night.pk)],
            "lead": str(ctown.dispatcher.pk),
        },
    )
    assert answer.status_code == 302
    assert DispatcherDuty.objects.filter(day=TODAY, shift="day").count() == 2
    refused = client.post(
        "/centre/duty/set/",
        {
            "day": "2026-10-09",
            "shift": "day",
            "dispatchers": [str(night.pk)],
            "lead": str(ctown.dispatcher.pk),
        },
    )
    assert refused.status_code == 400 and "须在值班人员之中" in refused.content.decode()
    too_long = client.post("/centre/duty/handover/", {"text": "很" * 4001})
    assert too_long.status_code == 400 and "很很很" in too_long.content.decode()  # kept
    with travel(NOW):
        assert client.post("/centre/duty/handover/", {"text": "IN3井盖待恢复"}).status_code == 302
    note = Handover.objects.get()
    assert (note.day, note.shift) == (TODAY, "day")
    own = client.post(f"/centre/duty/handover/{note.pk}/ack/")
    assert own.status_code == 302 and not Handover.objects.get().acknowledged_by
    client_for(night).post(f"/centre/duty/handover/{note.pk}/ack/")
    assert Handover.objects.get().acknowledged_by == night
    with travel(NOW):
        duty = ctown.dispatcher.__class__.objects.get(pk=ctown.dispatcher.pk)
        from centre.selectors.duty import dispatchers_on_duty

        assert {u.pk for u in dispatchers_on_duty(NOW)} == {duty.pk, night.pk}


# --- calling out from the board ------------------------------------------------------------------


def test_calling_out_from_an_urgent_incident(ctown):
    client = client_for(ctown.dispatcher)
    DutyShift.objects.filter(day=TODAY).delete()
    DutyShift.objects.create(
        squad=ctown.enf.squad, day=TODAY, officer=ctown.enf.officer2, is_lead=True
    )
    with travel(NOW):
        form = client.get(f"/centre/callouts/new/?incident={ctown.in1.number}")
        page = form.content.decode()
        assert form.status_code == 200 and "井盖缺失" in page and "队员二" in page
        answer = client.post(
            "/centre/callouts/new/",
            {
                "squad": "ZD1",
                "incident": ctown.in1.number,
                "description": "井盖缺失：市民反映的问题",
                "address": "",
                "lat": ctown.in1.lat,
                "lng": ctown.in1.lng,
                "client_uuid": str(uuid.uuid4()),
            },
        )
    callout = CallOut.objects.order_by("-called_at").first()
    assert answer.status_code == 302 and answer["Location"].endswith(
        f"/centre/callouts/{callout.number}/"
    )
    assert callout.source_ref == ctown.in1.number
    assert [o.officer for o in callout.officers.all()] == [ctown.enf.officer2]
    missing = client.post(
        "/centre/callouts/new/",
        {"squad": "ZD1", "description": "", "client_uuid": str(uuid.uuid4())},
    )
    assert missing.status_code == 400
