"""Proxy agents (帮代办员): find or register a resident, record consent, file, follow, print."""

import re

import pytest
from django.urls import reverse

from approvals.models import Application, Notice, State
from portal import roles
from portal.models import AuditEntry, User
from tests.approvals import citizen_journey as j
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def proxy_client(client, world):
    client.force_login(world.proxy)
    return client


def test_proxy_home_lists_what_the_agent_filed(proxy_client, world):
    mine = j.accepted(world, j.proxy_draft(world))
    other = j.accepted(world)  # the citizen's own online application
    response = proxy_client.get(reverse("approvals:proxy-home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert mine.number in html and other.number not in html
    notice = Notice.objects.get(application=mine, kind=Notice.Kind.ACCEPTANCE)
    receipt = reverse("approvals:notice-pdf", args=[mine.reference, notice.pk])
    assert receipt in html and "打印受理通知书" in html
    pdf = proxy_client.get(receipt)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_proxy_pages_are_for_proxy_agents(client, world):
    client.force_login(world.citizen)
    assert client.get(reverse("approvals:proxy-home")).status_code == 403
    assert client.get(reverse("approvals:proxy-new")).status_code == 403


def test_search_validates_the_id_number_on_its_field(proxy_client, world):
    bad = valid_id_number(5)[:-1] + ("0" if valid_id_number(5)[-1] != "0" else "1")
    response = proxy_client.get(reverse("approvals:proxy-new"), {"id_number": bad})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_id_number_error"' in html and "校验码不正确" in html
    assert f'value="{bad}"' in html


def test_found_resident_is_shown_masked_and_the_lookup_audited(proxy_client, world):
    response = proxy_client.get(
        reverse("approvals:proxy-new"), {"id_number": world.citizen.id_number}
    )
    html = response.content.decode()
    assert world.citizen.real_name in html and world.citizen.id_number_masked in html
    assert world.citizen.mobile not in html
    assert AuditEntry.objects.filter(action="person.lookup", actor=world.proxy).exists()


def test_register_a_new_resident_then_file_with_consent(proxy_client, world):
    id_number = valid_id_number(777)
    response = proxy_client.get(reverse("approvals:proxy-new"), {"id_number": id_number})
    assert "登记新村民" in response.content.decode()
    response = proxy_client.post(
        reverse("approvals:proxy-resident-register"),
        {"real_name": "王阿婆", "mobile": "13900001111", "id_number": id_number},
    )
    resident = User.objects.get(id_number=id_number)
    assert resident.has_role(roles.CITIZEN) and not resident.has_usable_password()
    assert response.status_code == 302
    file_url = response["Location"]
    assert file_url.startswith(reverse("approvals:proxy-file"))
    html = proxy_client.get(file_url).content.decode()
    assert world.matter.name in html
    # consent is required, on its field; the chosen matter stays chosen
    response = proxy_client.post(
        reverse("approvals:proxy-file"),
        {"id_number": id_number, "matter": world.matter.code, "consent_method": "signed"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_consent_confirmed_error"' in html
    assert re.search(rf'<input[^>]*name="matter" value="{world.matter.code}"[^>]*checked', html)
    assert not Application.objects.exists()
    response = proxy_client.post(
        reverse("approvals:proxy-file"),
        {
            "id_number": id_number,
            "matter": world.matter.code,
            "consent_method": "signed",
            "consent_note": "委托书编号 2026-001",
            "consent_confirmed": "on",
        },
    )
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "approvals:apply-step", args=[app.reference, "applicant"]
    )
    assert app.channel == "proxy" and app.applicant == resident and app.proxy_agent == world.proxy
    assert "村民当面签署委托书" in app.proxy_consent and "2026-001" in app.proxy_consent


def test_register_errors_stay_on_their_fields(proxy_client, world):
    response = proxy_client.post(
        reverse("approvals:proxy-resident-register"),
        {"real_name": "李四", "mobile": "123", "id_number": world.citizen.id_number},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_mobile_error"' in html
    assert "李四" in html


def test_the_agent_fills_the_steps_and_submits_for_the_resident(proxy_client, world):
    app = j.proxy_draft(world)
    step = reverse("approvals:apply-step", args=[app.reference, "applicant"])
    html = proxy_client.get(step).content.decode()
    assert world.citizen.real_name in html and "代办" in html
    proxy_client.post(
        step,
        {"applicant_kind": "person", "applicant_mobile": world.citizen.mobile, "address": "村里"},
    )
    j.upload_all(app, world.proxy)
    proxy_client.post(
        reverse("approvals:apply-step", args=[app.reference, "declaration"]),
        {"declaration_accepted": "on"},
    )
    response = proxy_client.post(reverse("approvals:apply-step", args=[app.reference, "review"]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.address == "村里"


def test_an_agent_cannot_see_other_agents_filings(client, world):
    from tests.factories import UserFactory

    app = j.submitted(world, j.proxy_draft(world))
    other_agent = UserFactory.with_role(roles.PROXY_AGENT, department=world.dept)
    client.force_login(other_agent)
    assert (
        client.get(reverse("approvals:application-detail", args=[app.reference])).status_code == 404
    )
    assert app.number not in client.get(reverse("approvals:proxy-home")).content.decode()


def test_apply_button_sends_proxy_agents_to_proxy_filing(proxy_client, world):
    response = proxy_client.get(reverse("approvals:apply", args=[world.matter.code]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('approvals:proxy-new')}?matter={world.matter.code}"


def test_proxy_home_query_count_does_not_grow(proxy_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    j.accepted(world, j.proxy_draft(world))
    url = reverse("approvals:proxy-home")
    proxy_client.get(url)
    with CaptureQueriesContext(connection) as few:
        proxy_client.get(url)
    for _ in range(4):
        j.accepted(world, j.proxy_draft(world))
    proxy_client.get(url)  # the notifications changed the person's cached state: warm again
    with CaptureQueriesContext(connection) as many:
        proxy_client.get(url)
    assert len(many) == len(few) <= 12
