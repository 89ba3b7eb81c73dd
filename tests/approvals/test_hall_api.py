"""The hall API end to end through DRF: devices, clerks, citizens; the error format; 409."""

from datetime import time

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from approvals.models import Appointment, HallDevice, Ticket
from approvals.services import hall as services
from portal import roles
from tests.approvals.hall_helpers import make_hall, take
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    return make_hall()


@pytest.fixture
def api():
    return APIClient()


def device(kind, actor=None):
    return services.hall_device_register(name=f"大厅{kind}", kind=kind, actor=actor)


def test_kiosk_device_takes_a_ticket_with_its_token(hall, api):
    _device, token = device(HallDevice.Kind.KIOSK)
    response = api.post(
        "/api/v1/hall/tickets/",
        {"category": "SHBZ", "priority_reason": "elderly"},
        HTTP_AUTHORIZATION=f"Device {token}",
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "A001"
    assert body["is_priority"] is True
    assert body["source"] == "kiosk"
    assert body["people_ahead"] == 0
    assert body["category_name"] == "社会保障"


def test_bad_or_revoked_or_wrong_kind_device_is_refused(hall, api):
    screen, screen_token = device(HallDevice.Kind.SCREEN)
    response = api.post(
        "/api/v1/hall/tickets/", {"category": "SHBZ"}, HTTP_AUTHORIZATION="Device nonsense"
    )
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}
    # A screen may read the screen but not take tickets.
    assert (
        api.post(
            "/api/v1/hall/tickets/",
            {"category": "SHBZ"},
            HTTP_AUTHORIZATION=f"Device {screen_token}",
        ).status_code
        == 403
    )
    assert (
        api.get("/api/v1/hall/screen/", HTTP_AUTHORIZATION=f"Device {screen_token}").status_code
        == 200
    )
    services.hall_device_revoke(device=screen, actor=None)
    assert (
        api.get("/api/v1/hall/screen/", HTTP_AUTHORIZATION=f"Device {screen_token}").status_code
        == 401
    )


def test_unknown_category_names_the_field(hall, api):
    api.force_authenticate(hall.clerk1)
    response = api.post("/api/v1/hall/tickets/", {"category": "NOPE"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "category" in body["fields"]


def test_citizen_cannot_take_tickets_or_call(hall, api):
    api.force_authenticate(UserFactory.with_role(roles.CITIZEN))
    assert api.post("/api/v1/hall/tickets/", {"category": "SHBZ"}).status_code == 403
    assert api.post("/api/v1/hall/windows/1/call-next/").status_code == 403
    assert api.get("/api/v1/hall/screen/").status_code == 403


def test_calling_flow_through_the_api(hall, api):
    take(hall.a)
    take(hall.a)
    api.force_authenticate(hall.clerk1)
    response = api.post("/api/v1/hall/windows/1/call-next/")
    assert response.status_code == 200
    ticket = response.json()["ticket"]
    assert (ticket["number"], ticket["status"], ticket["window"]) == ("A001", "called", 1)
    state = api.get("/api/v1/hall/windows/1/").json()
    assert state["current"]["number"] == "A001"
    assert state["categories"][0]["waiting"] == 1

    # Window busy: a 409 in the stable format.
    busy = api.post("/api/v1/hall/windows/1/call-next/")
    assert busy.status_code == 409
    assert busy.json()["code"] == "window_busy"

    assert api.post(f"/api/v1/hall/tickets/{ticket['id']}/recall/").status_code == 200
    transfer = api.post(
        f"/api/v1/hall/tickets/{ticket['id']}/transfer/", {"category": "SCZR"}, format="json"
    )
    assert transfer.status_code == 200
    assert (transfer.json()["category"], transfer.json()["status"]) == ("SCZR", "waiting")

    # The transferred ticket is no longer at this window: a lost race for a stale terminal.
    stale = api.post(f"/api/v1/hall/tickets/{ticket['id']}/finish/")
    assert stale.status_code == 409
    assert stale.json()["code"] == "ticket_not_called"

    nxt = api.post("/api/v1/hall/windows/1/call-next/").json()["ticket"]
    assert nxt["number"] == "A002"
    assert api.post(f"/api/v1/hall/tickets/{nxt['id']}/no-show/").json()["status"] == "no_show"
    empty = api.post("/api/v1/hall/windows/1/call-next/")
    assert empty.status_code == 200 and empty.json()["ticket"] is None

    api.force_authenticate(hall.clerk2)
    moved = api.post("/api/v1/hall/windows/2/call-next/").json()["ticket"]
    assert moved["number"] == "A001"
    resident = UserFactory.with_role(roles.CITIZEN, mobile="13912345678")
    identified = api.post(
        f"/api/v1/hall/tickets/{moved['id']}/resident/", {"resident": "13912345678"}
    )
    assert identified.json()["resident"]["id"] == resident.pk
    assert "*" in identified.json()["resident"]["id_number"]
    missing = api.post(f"/api/v1/hall/tickets/{moved['id']}/resident/", {"resident": "13900000000"})
    assert missing.status_code == 400 and "resident" in missing.json()["fields"]
    done = api.post(f"/api/v1/hall/tickets/{moved['id']}/finish/")
    assert done.json()["status"] == "finished"


def test_clerk_cannot_call_at_someone_elses_window(hall, api):
    api.force_authenticate(hall.clerk1)
    response = api.post("/api/v1/hall/windows/2/call-next/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_window"
    assert api.get("/api/v1/hall/windows/2/").status_code == 404


def test_screen_state(hall, api):
    take(hall.a)
    take(hall.b)
    ticket = services.ticket_call_next(window=hall.w1, clerk=hall.clerk1)
    api.force_authenticate(hall.clerk1)
    body = api.get("/api/v1/hall/screen/").json()
    assert body["calls"][0]["text"] == "请 A001 号到 1 号窗口"
    assert body["calls"][0]["window"] == 1
    assert {c["code"]: c["waiting"] for c in body["categories"]} == {"SHBZ": 0, "SCZR": 1}
    assert body["total_waiting"] == 1
    assert ticket.number == "A001"


@time_machine.travel("2026-09-28 10:00 +0800", tick=False)
def test_appointments_through_the_api(hall, api):
    citizen = UserFactory.with_role(roles.CITIZEN)
    api.force_authenticate(citizen)
    slots = api.get("/api/v1/hall/appointments/slots/", {"category": "SHBZ", "date": "2026-10-10"})
    assert slots.status_code == 200
    assert slots.json()["working_day"] is True
    assert len(slots.json()["slots"]) == 12
    holiday = api.get(
        "/api/v1/hall/appointments/slots/", {"category": "SHBZ", "date": "2026-10-01"}
    )
    assert holiday.json()["slots"] == [] and holiday.json()["working_day"] is False
    bad = api.get("/api/v1/hall/appointments/slots/", {"category": "SHBZ", "date": "10/10"})
    assert bad.status_code == 400 and "date" in bad.json()["fields"]

    booked = api.post(
        "/api/v1/hall/appointments/",
        {"category": "SHBZ", "day": "2026-10-10", "start_time": "09:30"},
        format="json",
    )
    assert booked.status_code == 201, booked.json()
    code = booked.json()["code"]
    holiday_booking = api.post(
        "/api/v1/hall/appointments/",
        {"category": "SCZR", "day": "2026-10-01", "start_time": "09:30"},
        format="json",
    )
    assert holiday_booking.status_code == 400
    assert holiday_booking.json()["code"] == "not_working_day"
    assert [a["code"] for a in api.get("/api/v1/hall/appointments/").json()] == [code]

    # Another citizen's appointment is not theirs to cancel.
    api.force_authenticate(UserFactory.with_role(roles.CITIZEN))
    appointment_id = booked.json()["id"]
    assert api.post(f"/api/v1/hall/appointments/{appointment_id}/cancel/").status_code == 404

    # On the day, the kiosk checks in by code and hands out a priority ticket.
    _device, token = device(HallDevice.Kind.KIOSK)
    api.force_authenticate(None)
    with time_machine.travel("2026-10-10 09:10 +0800", tick=False):
        response = api.post(
            "/api/v1/hall/appointments/check-in/",
            {"code": code},
            HTTP_AUTHORIZATION=f"Device {token}",
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["ticket"]["priority_reason"] == "appointment"
        again = api.post(
            "/api/v1/hall/appointments/check-in/",
            {"code": code},
            HTTP_AUTHORIZATION=f"Device {token}",
            format="json",
        )
        assert again.status_code == 409
    assert Appointment.objects.get().status == Appointment.Status.CHECKED_IN


@time_machine.travel("2026-09-28 10:00 +0800", tick=False)
def test_full_slot_is_409(hall, api):
    from approvals.models import AppointmentCapacity

    AppointmentCapacity.objects.create(capacity=1)
    payload = {"category": "SHBZ", "day": "2026-10-10", "start_time": "09:30"}
    api.force_authenticate(UserFactory.with_role(roles.CITIZEN))
    assert api.post("/api/v1/hall/appointments/", payload, format="json").status_code == 201
    api.force_authenticate(UserFactory.with_role(roles.CITIZEN))
    response = api.post("/api/v1/hall/appointments/", payload, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    assert "start_time" in response.json()["fields"]


def test_figures_for_supervisors_only(hall, api):
    take(hall.a)
    ticket = services.ticket_call_next(window=hall.w1, clerk=hall.clerk1)
    services.ticket_finish(ticket=ticket, clerk=hall.clerk1)
    api.force_authenticate(hall.clerk1)
    assert api.get("/api/v1/hall/figures/").status_code == 403
    api.force_authenticate(UserFactory.with_role(roles.SUPERVISOR))
    body = api.get("/api/v1/hall/figures/").json()
    assert body["overall"]["finished"] == 1
    assert body["by_window"][0]["number"] == 1
    bad = api.get("/api/v1/hall/figures/", {"start": "2026-10-10", "end": "2026-10-01"})
    assert bad.status_code == 400 and "end" in bad.json()["fields"]


def test_ticket_detail_for_device_is_today_only(hall, api):
    ticket = take(hall.a)
    _device, token = device(HallDevice.Kind.KIOSK)
    response = api.get(f"/api/v1/hall/tickets/{ticket.pk}/", HTTP_AUTHORIZATION=f"Device {token}")
    assert response.json()["number"] == "A001"
    Ticket.objects.filter(pk=ticket.pk).update(day="2026-01-05")
    response = api.get(f"/api/v1/hall/tickets/{ticket.pk}/", HTTP_AUTHORIZATION=f"Device {token}")
    assert response.status_code == 404


def test_the_sweep_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["hall-sweep"]
    assert entry["task"] == "approvals.tasks.hall_sweep"


def test_schema_documents_the_hall_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/hall/tickets/",
        "/api/v1/hall/windows/{number}/call-next/",
        "/api/v1/hall/appointments/check-in/",
        "/api/v1/hall/screen/",
    ):
        assert path in schema
    assert time(9, 30)  # keep the import honest


def test_far_off_dates_are_refused_not_crashed(hall, api):
    api.force_authenticate(UserFactory.with_role(roles.SUPERVISOR))
    for start, end in (("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31")):
        response = api.get("/api/v1/hall/figures/", {"start": start, "end": end})
        assert response.status_code == 400
        assert "start" in response.json()["fields"]
    api.force_authenticate(UserFactory.with_role(roles.CITIZEN))
    slots = api.get("/api/v1/hall/appointments/slots/", {"category": "SHBZ", "date": "0001-01-03"})
    assert slots.status_code == 400
    for day in ("0001-01-03", "9999-12-30"):
        booked = api.post(
            "/api/v1/hall/appointments/",
            {"category": "SHBZ", "day": day, "start_time": "09:30"},
            format="json",
        )
        assert booked.status_code == 400
        assert "day" in booked.json()["fields"]
