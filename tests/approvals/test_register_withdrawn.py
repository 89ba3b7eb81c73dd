"""Issue 16: a withdrawn matter's guide and apply pages say in plain words that the matter is no
longer handled here, and since when, instead of a 404; applications already in progress under
it carry on under the version they were accepted with."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from approvals.models import State
from approvals.services import applications as svc
from approvals.services import register as reg
from tests.approvals.app_fixtures import pdf_upload

pytestmark = pytest.mark.django_db


def _withdraw(world, *, effective=None, reason="依湘府字〔2026〕9号收回"):
    return reg.matter_retire(
        actor="test",
        matter=world.matter,
        effective=effective or timezone.localdate(),
        reason=reason,
    )


def test_the_guide_page_of_a_withdrawn_matter_says_since_when(world, client):
    today = timezone.localdate()
    _withdraw(world)
    response = client.get(reverse("approvals:guide-matter", args=[world.matter.code]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "个体工商户设立登记" in text
    assert f"自 {today:%Y-%m-%d} 起不再在本中心办理" in text
    assert "依湘府字〔2026〕9号收回" in text
    assert "在线申请" not in text


def test_in_english_too(world, client):
    today = timezone.localdate()
    _withdraw(world)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        text = client.get(
            reverse("approvals:guide-matter", args=[world.matter.code]),
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
    assert f"no longer handled here since {today:%Y-%m-%d}" in text


def test_the_apply_page_of_a_withdrawn_matter_says_so_instead_of_404(world, client):
    _withdraw(world, effective=timezone.localdate() - timedelta(days=10))
    client.force_login(world.citizen)
    response = client.get(reverse("approvals:apply", args=[world.matter.code]))
    assert response.status_code == 200
    text = response.content.decode()
    since = timezone.localdate() - timedelta(days=10)
    assert f"自 {since:%Y-%m-%d} 起不再在本中心办理" in text
    assert 'name="applicant_name"' not in text
    posted = client.post(reverse("approvals:apply", args=[world.matter.code]), {})
    assert posted.status_code == 400 and "不再在本中心办理".encode() in posted.content


def test_an_unknown_code_is_still_404(world, client):
    assert client.get(reverse("approvals:guide-matter", args=["NO-SUCH"])).status_code == 404
    client.force_login(world.citizen)
    assert client.get(reverse("approvals:apply", args=["NO-SUCH"])).status_code == 404


def test_a_matter_not_yet_in_force_is_not_called_withdrawn(world, client):
    from tests.approvals.app_fixtures import make_matter

    make_matter(code="LATER", department=world.dept, valid_from=date.today() + timedelta(days=9))
    response = client.get(reverse("approvals:guide-matter", args=["LATER"]))
    assert response.status_code == 404


def test_applications_in_progress_carry_on_under_their_version(world, client):
    app = svc.application_create(actor=world.citizen, matter=world.matter, channel="online")
    for material in app.materials.all():
        svc.material_upload(
            application=app,
            actor=world.citizen,
            application_material=material,
            uploaded=pdf_upload(),
        )
    app = svc.application_update_draft(
        application=app, actor=world.citizen, declaration_accepted=True
    )
    app = svc.application_submit(application=app, actor=world.citizen)
    checks = [{"id": m.pk, "status": "received"} for m in app.materials.all()]
    app = svc.application_accept(application=app, actor=world.clerk, checks=checks)
    accepted_version = app.matter_id
    _withdraw(world)  # taken back the same day: the version ends yesterday
    app = svc.application_claim(application=app, actor=world.reviewer)
    app = svc.application_decide(application=app, actor=world.reviewer, outcome="grant")
    app = svc.application_release(application=app, actor=world.release_clerk, method="hand")
    assert app.state == State.COMPLETED and app.matter_id == accepted_version
    client.force_login(world.citizen)
    page = client.get(reverse("approvals:application-detail", args=[app.reference]))
    assert page.status_code == 200 and "个体工商户设立登记" in page.content.decode()
