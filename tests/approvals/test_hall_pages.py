"""The hall pages as a user sees them: kiosk and slip, device log-in, hall screen, calling,
appointments, figures and devices."""

import re
from datetime import time

import pytest
import time_machine
from django.urls import NoReverseMatch

from approvals.models import Appointment, HallDevice, Ticket
from approvals.services import hall as services
from approvals.views import hall as views
from portal import roles
from tests.approvals.hall_helpers import make_hall, take
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    return make_hall()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- kiosk and slip --------------------------------------------------------------------------


def test_kiosk_needs_hall_staff_or_a_device(client, hall):
    response = client.get("/hall/kiosk/")  # an unattended kiosk: register it, nobody logs in
    assert response.status_code == 302 and response["Location"] == "/hall/device/?kind=kiosk"
    page = client.get(response["Location"]).content.decode()
    assert "取号机" in page and "/accounts/login/" in page
    client.force_login(UserFactory.with_role(roles.CITIZEN))
    assert client.get("/hall/kiosk/").status_code == 403


def test_clerk_takes_a_ticket_for_a_resident_and_sees_the_slip(client, hall):
    take(hall.a)
    client.force_login(hall.clerk1)
    page = text(client.get("/hall/kiosk/"))
    assert "社会保障" in page and "市场准入" in page
    assert "1 人等候" in page
    response = client.post(
        "/hall/kiosk/take/", {"category": hall.a.pk, "priority_reason": "elderly"}
    )
    ticket = Ticket.objects.get(number="A002")
    assert response["Location"] == f"/hall/tickets/{ticket.pk}/slip/"
    assert ticket.source == Ticket.Source.CLERK and ticket.priority_reason == "elderly"
    slip = text(client.get(response["Location"]))
    assert "A002" in slip
    assert "社会保障" in slip
    assert "老年人优先" in slip
    assert "前面还有 0 人" in slip
    assert ticket.taken_at.astimezone().strftime("%Y") in slip
    assert "data-auto-print" not in slip


def test_kiosk_without_a_category_says_so(client, hall):
    client.force_login(hall.clerk1)
    response = client.post("/hall/kiosk/take/", {"category": "999"}, follow=True)
    assert "请选择一个业务类别" in text(response)
    assert Ticket.objects.count() == 0


def test_device_token_opens_the_screen_without_log_in(client, hall):
    _device, token = services.hall_device_register(
        name="大厅电视", kind=HallDevice.Kind.SCREEN, actor=None
    )
    assert client.get("/hall/screen/").status_code == 302
    bad = client.post("/hall/device/", {"token": "wrong"})
    assert bad.status_code == 400 and "设备令牌无效" in text(bad)
    response = client.get(f"/hall/device/?token={token}")
    assert response["Location"] == "/hall/screen/"
    assert client.get("/hall/screen/").status_code == 200
    assert client.get("/hall/screen/state/").status_code == 200
    # A screen is not a kiosk.
    assert client.get("/hall/kiosk/").status_code == 302
    HallDevice.objects.update(is_active=False)
    assert client.get("/hall/screen/state/", HTTP_HX_REQUEST="true").status_code == 403


def test_kiosk_device_prints_the_slip(client, hall):
    _device, token = services.hall_device_register(
        name="取号机1", kind=HallDevice.Kind.KIOSK, actor=None
    )
    client.post("/hall/device/", {"token": token})
    response = client.post("/hall/kiosk/take/", {"category": hall.b.pk})
    assert response["Location"].endswith("/slip/?print=1")
    assert Ticket.objects.get().source == Ticket.Source.KIOSK
    assert "data-auto-print" in text(client.get(response["Location"]))


@time_machine.travel("2026-10-10 09:05 +0800", tick=False)
def test_kiosk_check_in_keeps_the_code_on_error(client, hall):
    citizen = UserFactory.with_role(roles.CITIZEN)
    with time_machine.travel("2026-10-09 10:00 +0800", tick=False):
        appointment = services.appointment_book(
            citizen=citizen, category=hall.a, day=citizen_day(), start_time=time(9, 30)
        )
    client.force_login(hall.clerk1)
    wrong = client.post("/hall/kiosk/check-in/", {"code": "12345"})
    assert wrong.status_code == 400
    assert "签到码是6位数字" in text(wrong)
    assert 'value="12345"' in text(wrong)
    response = client.post("/hall/kiosk/check-in/", {"code": appointment.code})
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN
    assert response["Location"] == f"/hall/tickets/{appointment.ticket_id}/slip/"
    assert "预约优先" in text(client.get(response["Location"]))


def citizen_day():
    from datetime import date

    return date(2026, 10, 10)


# --- hall screen -----------------------------------------------------------------------------


def test_screen_shows_the_latest_call_and_waiting_counts(
    client, hall, django_assert_max_num_queries
):
    take(hall.a)
    take(hall.a)
    take(hall.b)
    services.ticket_call_next(window=hall.w1, clerk=hall.clerk1)
    client.force_login(UserFactory.with_role(roles.SUPERVISOR))
    client.get("/hall/screen/state/")  # warm the session
    with django_assert_max_num_queries(6):
        response = client.get("/hall/screen/state/")
    page = text(response)
    assert "请 A001 号到 1 号窗口" in page
    assert 'data-speech="请 A 0 0 1 号到 1 号窗口办理"' in page
    assert "共 2 人等候" in page
    full = text(client.get("/hall/screen/"))
    assert 'hx-trigger="every 1s"' in full
    assert 'data-speech-lang="zh-CN"' in full


def test_screen_query_count_does_not_grow_with_calls(client, hall, django_assert_max_num_queries):
    for _ in range(12):
        take(hall.a)
    for _ in range(12):
        ticket = services.ticket_call_next(window=hall.w1, clerk=hall.clerk1)
        services.ticket_finish(ticket=ticket, clerk=hall.clerk1)
    client.force_login(UserFactory.with_role(roles.SUPERVISOR))
    client.get("/hall/screen/state/")
    with django_assert_max_num_queries(6):
        assert client.get("/hall/screen/state/").status_code == 200


# --- calling ---------------------------------------------------------------------------------


def test_calling_page_flow(client, hall):
    take(hall.a)
    take(hall.a)
    client.force_login(hall.clerk1)
    page = text(client.get("/hall/calling/"))
    assert "1 号窗口" in page and "叫下一位" in page
    response = client.post("/hall/calling/1/next/", follow=True)
    page = text(response)
    assert "已叫 A001 号" in page
    assert 'id="current-number">A001<' in page
    ticket = Ticket.objects.get(number="A001")
    response = client.post(f"/hall/calling/tickets/{ticket.pk}/finish/", {"window": 1}, follow=True)
    assert "A001 号已办结" in text(response)
    # A second press (double click, or a stale tab) is told, not crashed.
    response = client.post(f"/hall/calling/tickets/{ticket.pk}/finish/", {"window": 1}, follow=True)
    assert response.status_code == 200
    assert "已不在办理中" in text(response)


def test_calling_page_transfer_and_no_show(client, hall):
    take(hall.a)
    client.force_login(hall.clerk1)
    client.post("/hall/calling/1/next/")
    ticket = Ticket.objects.get()
    response = client.post(
        f"/hall/calling/tickets/{ticket.pk}/transfer/",
        {"window": 1, "category": hall.b.pk},
        follow=True,
    )
    assert "A001 号已转到“市场准入”排队" in text(response)
    client.force_login(hall.clerk2)
    client.post("/hall/calling/2/next/")
    response = client.post(
        f"/hall/calling/tickets/{ticket.pk}/no-show/", {"window": 2}, follow=True
    )
    assert "A001 号已过号" in text(response)


def test_clerk_without_windows_is_told(client, hall):
    client.force_login(UserFactory.with_role(roles.WINDOW_CLERK))
    assert "还没有分配值守窗口" in text(client.get("/hall/calling/"))


def test_walk_in_link_only_when_intake_provides_it(client, hall, monkeypatch):
    take(hall.a)
    services.ticket_call_next(window=hall.w1, clerk=hall.clerk1)
    ticket = Ticket.objects.get()
    client.force_login(hall.clerk1)
    real_reverse = views.reverse

    def without_walk_in(name, *args, **kwargs):
        if name == "approvals:walk-in":
            raise NoReverseMatch(name)
        return real_reverse(name, *args, **kwargs)

    monkeypatch.setattr(views, "reverse", without_walk_in)
    assert "登记申请" not in text(client.get("/hall/calling/"))

    def with_walk_in(name, *args, **kwargs):
        if name == "approvals:walk-in":
            return "/intake/walk-in/"
        return real_reverse(name, *args, **kwargs)

    monkeypatch.setattr(views, "reverse", with_walk_in)
    page = text(client.get("/hall/calling/"))
    assert f'href="/intake/walk-in/?ticket={ticket.pk}"' in page
    assert "登记申请" in page


def test_resident_lookup_keeps_what_was_typed(client, hall):
    take(hall.a)
    services.ticket_call_next(window=hall.w1, clerk=hall.clerk1)
    ticket = Ticket.objects.get()
    client.force_login(hall.clerk1)
    response = client.post(
        f"/hall/calling/tickets/{ticket.pk}/resident/", {"resident": "13800001111", "window": 1}
    )
    assert response.status_code == 400
    page = text(response)
    assert "没有找到" in page and 'value="13800001111"' in page
    resident = UserFactory.with_role(roles.CITIZEN, mobile="13800001111")
    response = client.post(
        f"/hall/calling/tickets/{ticket.pk}/resident/",
        {"resident": "13800001111", "window": 1},
        follow=True,
    )
    page = text(response)
    assert "已登记办事群众" in page
    assert resident.id_number not in page and resident.id_number_masked in page


def test_calling_queue_partial(client, hall):
    take(hall.a)
    take(hall.b)
    client.force_login(hall.clerk2)
    page = text(client.get("/hall/calling/2/queue/"))
    assert "社会保障：<strong>1</strong>" in page and "市场准入：<strong>1</strong>" in page
    assert client.get("/hall/calling/1/queue/").status_code == 404


# --- appointments ----------------------------------------------------------------------------


@time_machine.travel("2026-09-28 10:00 +0800", tick=False)
def test_citizen_books_a_slot_on_the_page(client, hall):
    citizen = UserFactory.with_role(roles.CITIZEN)
    client.force_login(citizen)
    page = text(client.get("/hall/appointments/", {"category": hall.a.pk, "day": "2026-10-10"}))
    assert "2026-10-10" in page
    assert 'value="09:30"' in page
    assert "2026-10-01" not in page  # National Day is not offered
    slots = text(
        client.get("/hall/appointments/slots/", {"category": hall.a.pk, "day": "2026-10-01"})
    )
    assert "没有可约时段" in slots
    response = client.post(
        "/hall/appointments/",
        {"category": hall.a.pk, "day": "2026-10-10", "start_time": "09:30"},
        follow=True,
    )
    appointment = Appointment.objects.get()
    assert f"签到码 {appointment.code}" in text(response)
    assert appointment.start_time == time(9, 30)


@time_machine.travel("2026-09-28 10:00 +0800", tick=False)
def test_booking_error_keeps_the_choice(client, hall):
    from approvals.models import AppointmentCapacity

    AppointmentCapacity.objects.create(capacity=1)
    services.appointment_book(
        citizen=UserFactory.with_role(roles.CITIZEN),
        category=hall.a,
        day=citizen_day(),
        start_time=time(9, 30),
    )
    client.force_login(UserFactory.with_role(roles.CITIZEN))
    missing = client.post("/hall/appointments/", {"category": hall.a.pk, "day": "2026-10-10"})
    assert missing.status_code == 400
    assert "请选择一个时段" in text(missing)
    full = client.post(
        "/hall/appointments/", {"category": hall.a.pk, "day": "2026-10-10", "start_time": "09:30"}
    )
    assert full.status_code == 400
    page = text(full)
    assert "该时段已约满" in page
    assert f'<option value="{hall.a.pk}" selected>' in page
    assert '<option value="2026-10-10" selected>' in page


@time_machine.travel("2026-09-28 10:00 +0800", tick=False)
def test_citizen_cancels_own_appointment(client, hall):
    citizen = UserFactory.with_role(roles.CITIZEN)
    appointment = services.appointment_book(
        citizen=citizen, category=hall.a, day=citizen_day(), start_time=time(9, 30)
    )
    client.force_login(citizen)
    response = client.post(f"/hall/appointments/{appointment.pk}/cancel/", follow=True)
    assert "预约已取消" in text(response)
    client.force_login(UserFactory.with_role(roles.CITIZEN))
    assert client.post(f"/hall/appointments/{appointment.pk}/cancel/").status_code == 404


def test_appointments_page_is_for_citizens(client, hall):
    client.force_login(hall.clerk1)
    assert client.get("/hall/appointments/").status_code == 403


# --- figures and devices ---------------------------------------------------------------------


def test_figures_page(client, hall):
    take(hall.a)
    ticket = services.ticket_call_next(window=hall.w1, clerk=hall.clerk1)
    services.ticket_finish(ticket=ticket, clerk=hall.clerk1)
    client.force_login(hall.clerk1)
    assert client.get("/hall/figures/").status_code == 403
    client.force_login(UserFactory.with_role(roles.SUPERVISOR))
    page = text(client.get("/hall/figures/"))
    assert "按业务类别" in page and "A · 社会保障" in page and "1 号窗口" in page
    bad = client.get("/hall/figures/", {"start": "2026-10-10", "end": "2026-10-01"})
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in text(bad)


def test_supervisor_registers_and_revokes_a_device(client, hall):
    client.force_login(UserFactory.with_role(roles.SUPERVISOR))
    response = client.post("/hall/devices/", {"name": "大厅电视1", "kind": "screen"})
    page = text(response)
    token = re.search(r"/hall/device/\?token=([\w-]+)", page).group(1)
    device = HallDevice.objects.get()
    assert token not in device.token_hash  # only the digest is stored
    again = text(client.get("/hall/devices/"))
    assert token not in again and "大厅电视1" in again
    client.post(f"/hall/devices/{device.pk}/revoke/")
    device.refresh_from_db()
    assert not device.is_active
    empty = client.post("/hall/devices/", {"name": "", "kind": "screen"})
    assert empty.status_code == 400


def test_hall_pages_in_english(client, hall):
    take(hall.a)
    client.force_login(hall.clerk1)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Take a ticket" in text(client.get("/hall/kiosk/"))
    assert "Call next" in text(client.get("/hall/calling/"))
    client.post("/hall/calling/1/next/")
    state = text(client.get("/hall/screen/state/"))
    assert "Ticket A001, please go to window 1" in state
    assert "0 people waiting" in state


def test_supervisor_sets_slot_capacity(client, hall):
    from approvals.models import AppointmentCapacity
    from approvals.selectors.hall import slot_capacity

    supervisor = UserFactory.with_role(roles.SUPERVISOR)
    client.force_login(supervisor)
    assert "大厅设置" in text(client.get("/"))
    response = client.post("/hall/capacity/", {"category": "", "start_time": "", "capacity": "3"})
    assert response.status_code == 302
    client.post("/hall/capacity/", {"category": hall.a.pk, "start_time": "09:30", "capacity": "0"})
    assert slot_capacity(hall.a, time(9, 30)) == 0  # closed to booking
    assert slot_capacity(hall.a, time(10, 0)) == 3
    bad = client.post("/hall/capacity/", {"category": "", "start_time": "", "capacity": "-1"})
    assert bad.status_code == 400 and 'value="-1"' in text(bad)
    # Saving the same scope again updates it rather than adding a row.
    client.post("/hall/capacity/", {"category": "", "start_time": "", "capacity": "5"})
    assert AppointmentCapacity.objects.count() == 2
    row = AppointmentCapacity.objects.get(category=None)
    assert row.capacity == 5
    client.post(f"/hall/capacity/{row.pk}/delete/")
    assert slot_capacity(hall.a, time(10, 0)) == 4  # the built-in default again
    client.force_login(hall.clerk1)
    assert client.get("/hall/capacity/").status_code == 403
