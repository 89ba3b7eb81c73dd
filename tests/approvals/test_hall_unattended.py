"""The hall as a new user found it (issue 18): the calling page shows a call at once; a kiosk
runs unattended after its one-time registration; an appointment's check-in code comes as a QR
code for the kiosk's scanner; the slip counts what the windows will call first."""

import re
from datetime import time

import pytest
import time_machine

from approvals.models import HallDevice, Ticket
from approvals.services import hall as services
from portal import roles
from tests.approvals.hall_helpers import at, make_hall, take
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    return make_hall()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_calling_page_shows_a_call_the_moment_it_is_made(client, hall):
    take(hall.a)
    client.force_login(hall.clerk1)
    page = text(client.post("/hall/calling/1/next/", follow=True))
    assert "今天还没有叫号" not in page
    recent = page[page.index("本窗口今日已叫") :]
    assert "A001" in recent and "办理中" in recent


def test_an_unregistered_kiosk_is_told_how_to_register_and_then_runs_unattended(client, hall):
    response = client.get("/hall/kiosk/", follow=True)
    assert "这台取号机还没有登记" in text(response)
    _device, token = services.hall_device_register(
        name="大厅取号机", kind=HallDevice.Kind.KIOSK, actor=None
    )
    response = client.get(f"/hall/device/?token={token}", follow=True)
    page = text(response)
    assert "自助取号" in page and "data-kiosk-refresh" in page and "data-scanner" in page
    assert 'class="who"' not in page  # nobody is logged in
    take(hall.b)
    response = client.post("/hall/kiosk/take/", {"category": hall.a.pk}, follow=True)
    ticket = Ticket.objects.get(category=hall.a)
    assert ticket.source == Ticket.Source.KIOSK
    assert "前面还有 1 人" in text(response)  # the B ticket window 2 calls first


def test_the_demo_registers_a_kiosk_and_a_screen_with_known_links(client):
    from approvals.demo import hall as demo
    from portal.demo import seed_core

    seed_core()
    demo.seed()
    demo.seed_devices()
    demo.seed_devices()
    assert HallDevice.objects.filter(kind="kiosk").count() == 1
    assert client.get("/hall/device/?token=demo-kiosk-2026")["Location"] == "/hall/kiosk/"


@time_machine.travel("2026-10-09 10:00 +0800", tick=False)
def test_a_booked_appointment_shows_its_check_in_qr(client, hall):
    citizen = UserFactory.with_role(roles.CITIZEN)
    from portal import workdays

    day = workdays.add_working_days(at("2026-10-09 10:00").date(), 1)
    appointment = services.appointment_book(
        citizen=citizen, category=hall.a, day=day, start_time=time(9, 30)
    )
    client.force_login(citizen)
    page = client.get("/hall/appointments/").content.decode()
    assert 'class="appointment-qr" src="data:image/svg+xml;base64,' in page
    assert f"签到二维码：{appointment.code}" in page
