"""Issue 16: penalty, compulsion and inspection matters are things the town does to people, not
services people apply for. No apply button in the guide, not among the walk-in matters nor in
the proxy agent's list, the apply URL and the services refuse them; the guide shows them in a
separate section 执法事项公示 (basis, who enforces, a hook for the discretion benchmark)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from approvals import guide_hooks
from approvals.models import Application, Matter
from approvals.services import applications as svc
from portal.errors import ActionError
from tests.approvals.app_fixtures import make_matter

pytestmark = pytest.mark.django_db

EX_OFFICIO = ("penalty", "compulsion", "inspection")


@pytest.fixture
def enforcement_matters(world):
    """One of each ex-officio kind, offered (by mistake) on every channel."""
    matters = {}
    for n, kind in enumerate(EX_OFFICIO, start=1):
        matters[kind] = make_matter(
            code=f"ZF-{n:03d}",
            department=world.dept,
            name={
                "penalty": "对占道经营的处罚",
                "compulsion": "查封扣押",
                "inspection": "日常巡查",
            }[kind],
            kind=kind,
            legal_basis=f"《城市市容和环境卫生管理条例》第{n}条",
            channel_self_service=True,
        )
    return matters


def test_the_model_knows_which_matters_are_applied_for(enforcement_matters, world):
    assert world.matter.is_appliable and not world.matter.is_ex_officio
    for matter in enforcement_matters.values():
        assert matter.is_ex_officio and not matter.is_appliable


def test_the_guide_lists_them_apart_without_an_apply_button(enforcement_matters, world, client):
    catalogue = client.get(reverse("approvals:guide")).content.decode()
    assert world.matter.name in catalogue
    for matter in enforcement_matters.values():
        assert matter.name not in catalogue
    assert reverse("approvals:guide-enforcement") in catalogue
    section = client.get(reverse("approvals:guide-enforcement"))
    assert section.status_code == 200
    text = section.content.decode()
    assert "执法事项公示" in text
    for matter in enforcement_matters.values():
        assert matter.name in text and matter.legal_basis in text
    assert world.dept.name in text
    assert world.matter.name not in text
    page = client.get(reverse("approvals:guide-matter", args=["ZF-001"])).content.decode()
    assert "执法事项公示" in page and "在线申请" not in page
    assert reverse("approvals:apply", args=["ZF-001"]) not in page


def test_the_enforcement_section_leaves_a_hook_for_the_discretion_benchmark(
    enforcement_matters, client
):
    def benchmark(matters):
        return {
            m.code: {"benchmark_rows": [{"label": "一般情节", "value": "罚款200元至500元"}]}
            for m in matters
            if m.kind == "penalty"
        }

    guide_hooks.register_enforcement_provider(benchmark)
    try:
        page = client.get(reverse("approvals:guide-matter", args=["ZF-001"])).content.decode()
        section = client.get(reverse("approvals:guide-enforcement")).content.decode()
    finally:
        guide_hooks.unregister_enforcement_provider(benchmark)
    assert "裁量基准" in page and "罚款200元至500元" in page
    assert "罚款200元至500元" in section


def test_they_are_not_walk_in_matters(enforcement_matters, world, client):
    client.force_login(world.clerk)
    html = client.get(reverse("approvals:walk-in-matters"), {"q": ""}).content.decode()
    assert world.matter.name in html
    for matter in enforcement_matters.values():
        assert matter.name not in html


def test_they_are_not_in_the_proxy_agents_list(enforcement_matters, world, client):
    client.force_login(world.proxy)
    html = client.get(
        reverse("approvals:proxy-file"), {"id_number": world.citizen.id_number}
    ).content.decode()
    assert world.matter.name in html
    for matter in enforcement_matters.values():
        assert matter.name not in html
    from approvals.views.citizen import _proxy_matters

    codes = {m.code for m in _proxy_matters()}
    assert world.matter.code in codes and not codes & {"ZF-001", "ZF-002", "ZF-003"}


def test_the_apply_url_refuses_them(enforcement_matters, world, client):
    client.force_login(world.citizen)
    for matter in enforcement_matters.values():
        response = client.get(reverse("approvals:apply", args=[matter.code]))
        assert response.status_code == 400
        text = response.content.decode()
        assert "依法主动实施" in text and 'name="applicant_name"' not in text
        assert client.post(reverse("approvals:apply", args=[matter.code]), {}).status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize("channel", ["online", "hall", "proxy", "self_service"])
def test_the_service_refuses_them_on_every_channel(enforcement_matters, world, channel):
    actor = {"online": world.citizen, "self_service": world.citizen, "hall": world.clerk}.get(
        channel, world.proxy
    )
    with pytest.raises(ActionError) as refused:
        svc.application_create(
            actor=actor,
            matter=enforcement_matters["penalty"],
            channel=channel,
            applicant=world.citizen,
            proxy_consent="同意",
        )
    assert refused.value.code == "not_appliable"


def test_the_api_refuses_them(enforcement_matters, world):
    api = APIClient()
    api.force_authenticate(world.citizen)
    response = api.post(
        "/api/v1/applications/", {"matter_code": "ZF-001", "channel": "online"}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "not_appliable"
    assert Matter.objects.filter(code="ZF-001").exists()


def test_their_guide_page_speaks_of_no_acceptance_fee_or_materials(enforcement_matters, client):
    page = client.get(reverse("approvals:guide-matter", args=["ZF-001"])).content.decode()
    for words in ("承诺时限", "项申请材料", "例如今天", "近90天办理时效", "收费标准"):
        assert words not in page, words
    assert "《城市市容和环境卫生管理条例》第1条" in page and "实施" in page
