"""Window clerks: walk-in registration, the intake screen, notices printed in one step."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Application, ApplicationMaterial, Notice, State
from approvals.services import applications as svc
from portal import roles
from portal.models import AuditEntry, User
from tests.approvals.app_fixtures import PDF, make_matter
from tests.approvals.staff_fixtures import accepted, fresh, submitted
from tests.factories import DepartmentFactory, UserFactory, valid_id_number

pytestmark = pytest.mark.django_db


def pdf(name="扫描件.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _intake_url(app):
    return reverse("approvals:intake", args=[app.number])


def _checks_post(app, statuses=None, **extra):
    data = {"state": app.state}
    for item in app.materials.all():
        status = (statuses or {}).get(item.name, "received")
        if status:
            data[f"status-{item.pk}"] = status
    data.update(extra)
    return data


# --- walk-in registration --------------------------------------------------------------------


def test_walk_in_finds_a_registered_resident_by_id_number(world, client):
    client.force_login(world.clerk)
    response = client.post(
        reverse("approvals:walk-in"), {"action": "lookup", "id_number": world.citizen.id_number}
    )
    assert response.status_code == 302
    assert world.citizen.id_number not in response["Location"]
    response = client.get(response["Location"])
    body = response.content.decode()
    assert response.status_code == 200
    assert world.citizen.display_name in body and world.citizen.id_number_masked in body
    assert world.citizen.id_number not in body  # masked
    assert world.matter.name in body  # the matter list of step 2


def test_walk_in_registers_an_unknown_resident_with_field_errors_first(world, client):
    client.force_login(world.clerk)
    new_id = valid_id_number(501)
    response = client.post(reverse("approvals:walk-in"), {"action": "lookup", "id_number": new_id})
    assert response.status_code == 200
    assert "没有找到该身份证号码的群众" in response.content.decode()
    assert response.context["resident_form"].initial["id_number"] == new_id
    bad = new_id[:-1] + ("0" if new_id[-1] != "0" else "1")
    response = client.post(
        reverse("approvals:walk-in"),
        {"action": "register", "real_name": "刘大爷", "mobile": "12345", "id_number": bad},
    )
    assert response.status_code == 400
    form = response.context["resident_form"]
    assert "mobile" in form.errors and "id_number" in form.errors
    body = response.content.decode()
    assert "刘大爷" in body  # what was typed is kept
    response = client.post(
        reverse("approvals:walk-in"),
        {"action": "register", "real_name": "刘大爷", "mobile": "13700001111", "id_number": new_id},
    )
    resident = User.objects.get(id_number=new_id)
    assert response.status_code == 302 and f"resident={resident.pk}" in response["Location"]
    assert resident.has_role(roles.CITIZEN) and not resident.has_usable_password()
    assert AuditEntry.objects.filter(action="resident.register", actor=world.clerk).exists()
    # the same ID number again: told on the field
    response = client.post(
        reverse("approvals:walk-in"),
        {"action": "register", "real_name": "刘大爷", "mobile": "13700001111", "id_number": new_id},
    )
    assert response.status_code == 400 and "id_number" in response.context["resident_form"].errors


def test_walk_in_matter_search_partial(world, client):
    make_matter(code="M777", department=world.dept, name="农村宅基地使用审批")
    client.force_login(world.clerk)
    response = client.get(reverse("approvals:walk-in-matters"), {"q": "宅基地"})
    body = response.content.decode()
    assert response.status_code == 200 and "农村宅基地使用审批" in body
    assert world.matter.name not in body and "<html" not in body


def test_walk_in_creates_a_draft_uploads_submits_and_goes_to_intake(world, client):
    client.force_login(world.clerk)
    response = client.post(
        reverse("approvals:walk-in"),
        {
            "action": "create",
            "resident": world.citizen.pk,
            "matter": world.matter.pk,
            "applicant_kind": "person",
            "address": "下埠镇1号",
        },
    )
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:walk-in-draft", args=[app.reference])
    assert app.channel == "hall" and app.first_contact == world.clerk and app.window == world.window
    assert app.applicant == world.citizen and app.address == "下埠镇1号"
    item = app.materials.first()
    draft_url = reverse("approvals:walk-in-draft", args=[app.reference])
    assert world.matter.name in client.get(draft_url).content.decode()
    response = client.post(
        draft_url, {"state": "draft", "action": "submit", f"file-{item.pk}": pdf("身份证.pdf")}
    )
    app = fresh(app)
    assert app.state == State.SUBMITTED and app.number
    assert response["Location"] == reverse("approvals:intake", args=[app.number])
    assert item.files.get().original_name == "身份证.pdf"


def test_walk_in_bad_upload_is_shown_on_its_material_and_nothing_submitted(world, client):
    client.force_login(world.clerk)
    app = svc.application_create(
        actor=world.clerk, matter=world.matter, channel="hall", applicant=world.citizen
    )
    first, second = list(app.materials.all())[:2]
    response = client.post(
        reverse("approvals:walk-in-draft", args=[app.reference]),
        {
            "action": "submit",
            f"file-{first.pk}": SimpleUploadedFile("x.pdf", b"<html>no</html>"),
            f"file-{second.pk}": pdf("申请表.pdf"),
        },
    )
    assert response.status_code == 400
    assert fresh(app).state == State.DRAFT
    assert f"materials.{first.pk}" in response.context["errors"]
    assert "x.pdf" in response.content.decode()
    assert second.files.count() == 1  # the good file is kept


def test_walk_in_with_a_ticket_prefills_the_resident_and_links_the_ticket(world, client):
    from approvals.models import BusinessCategory
    from approvals.services import hall as hall_svc

    category = BusinessCategory.objects.create(code="SCZR", name="市场准入", ticket_prefix="A")
    world.matter.category = category
    world.matter.save()
    ticket = hall_svc.ticket_take(category=category, source="clerk", actor=world.clerk)
    ticket.resident = world.citizen
    ticket.save(update_fields=["resident"])
    client.force_login(world.clerk)
    response = client.get(reverse("approvals:walk-in"), {"ticket": ticket.pk})
    body = response.content.decode()
    assert ticket.number in body and world.citizen.display_name in body
    assert response.context["resident"] == world.citizen
    client.post(
        reverse("approvals:walk-in"),
        {
            "action": "create",
            "ticket": ticket.pk,
            "resident": world.citizen.pk,
            "matter": world.matter.pk,
            "applicant_kind": "person",
        },
    )
    assert Application.objects.get().ticket == ticket


def test_walk_in_needs_resident_and_matter(world, client):
    client.force_login(world.clerk)
    response = client.post(
        reverse("approvals:walk-in"),
        {
            "action": "create",
            "resident": world.citizen.pk,
            "applicant_kind": "organisation",
            "address": "保留的地址",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "organisation_name" in form.errors and form.non_field_errors()
    assert "保留的地址" in response.content.decode()
    assert not Application.objects.exists()


def test_walk_in_refuses_a_matter_not_offered_at_the_window(world, client):
    world.matter.channel_hall = False
    world.matter.save()
    client.force_login(world.clerk)
    response = client.post(
        reverse("approvals:walk-in"),
        {
            "action": "create",
            "resident": world.citizen.pk,
            "matter": world.matter.pk,
            "applicant_kind": "person",
        },
    )
    assert response.status_code == 400 and "不支持" in response.content.decode()


def test_another_clerks_walk_in_draft_is_not_reachable(world, client):
    app = svc.application_create(
        actor=world.clerk, matter=world.matter, channel="hall", applicant=world.citizen
    )
    client.force_login(world.clerk2)
    assert client.get(reverse("approvals:walk-in-draft", args=[app.reference])).status_code == 404


# --- the intake screen -----------------------------------------------------------------------


def test_intake_screen_shows_checklist_beside_the_uploads(world, client):
    app = submitted(world)
    client.force_login(world.clerk)
    response = client.get(_intake_url(app))
    body = response.content.decode()
    assert response.status_code == 200
    for item in app.materials.all():
        assert item.name in body
        f = item.files.get()
        assert reverse("approvals:staff-file", args=[app.number, f.pk]) in body
    assert 'name="preview"' in body and 'target="preview"' in body
    assert 'value="tolerated"' in body  # 场所证明 may be tolerated missing


def test_accept_prints_the_receipt_in_one_step(world, client):
    app = submitted(world)
    client.force_login(world.clerk)
    response = client.post(_intake_url(app), _checks_post(app, action="accept"))
    app = fresh(app)
    notice = Notice.objects.get(application=app, kind="acceptance")
    assert app.state == State.ACCEPTED
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("approvals:staff-notice", args=[app.number, notice.pk])
    )
    page = client.get(response["Location"])
    pdf_url = reverse("approvals:staff-notice-pdf", args=[app.number, notice.pk])
    assert pdf_url in page.content.decode() and "data-autoprint" in page.content.decode()
    pdf_response = client.get(pdf_url)
    assert pdf_response.status_code == 200 and pdf_response["Content-Type"] == "application/pdf"
    assert pdf_response.content.startswith(b"%PDF")
    assert pdf_response["X-Frame-Options"] == "SAMEORIGIN"


def test_accept_with_a_missing_mandatory_material_shows_it_on_the_row_and_keeps_input(
    world, client
):
    app = submitted(world)
    client.force_login(world.clerk)
    first = app.materials.first()
    data = _checks_post(app, {first.name: ""}, action="accept", reason="先写的理由")
    response = client.post(_intake_url(app), data)
    assert response.status_code == 400
    assert f"materials.{first.pk}" in response.context["errors"]
    body = response.content.decode()
    assert "尚未收取" in body and "先写的理由" in body
    assert fresh(app).state == State.SUBMITTED
    # the statuses ticked for the other rows are still ticked
    rows = {r["material"].pk: r["status"] for r in response.context["rows"]}
    assert list(rows.values()).count("received") == 2


def test_tolerated_acceptance_needs_date_and_commitment(world, client):
    app = submitted(world)
    client.force_login(world.clerk)
    place = app.materials.get(name="场所证明")
    data = _checks_post(app, {"场所证明": "tolerated"}, action="accept")
    response = client.post(_intake_url(app), data)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert f"materials.{place.pk}" in errors and f"materials.{place.pk}.commitment" in errors
    data[f"promised-{place.pk}"] = "2099-01-05"
    data[f"commitment-{place.pk}"] = "十个工作日内补交租赁合同"
    response = client.post(_intake_url(app), data)
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == ApplicationMaterial.Status.TOLERATED
    assert place.commitment == "十个工作日内补交租赁合同"


def test_correction_lists_everything_once_and_prints_the_notice(world, client):
    app = submitted(world)
    client.force_login(world.clerk)
    data = _checks_post(
        app,
        {"身份证明": "missing", "申请表": "deficient"},
        action="correction",
        extra_items="请补充经营场所照片",
    )
    response = client.post(_intake_url(app), data)
    assert response.status_code == 400  # a deficient material needs its problem described
    form_id = app.materials.get(name="申请表").pk
    assert f"materials.{form_id}" in response.context["errors"]
    data[f"problem-{form_id}"] = "缺少签名"
    response = client.post(_intake_url(app), data)
    assert response.status_code == 302
    app = fresh(app)
    notice = app.correction_notices.get()
    assert app.state == State.CORRECTION
    assert [i["material"] for i in notice.items] == ["身份证明", "申请表", "其他补正事项"]
    assert Notice.objects.filter(application=app, kind="correction").exists()
    # after the citizen resubmits, the second round shows the correction and may be accepted
    item = app.materials.get(name="身份证明")
    svc.material_upload(
        application=app, actor=world.citizen, application_material=item, uploaded=pdf()
    )
    svc.application_submit(application=app, actor=world.citizen)
    app = fresh(app)
    body = client.get(_intake_url(app)).content.decode()
    assert "此前的补正通知" in body and "本次补正" in body
    assert "disabled" not in body.split('id="do-correction"')[1][:40]


def test_refuse_needs_reason_and_basis_on_their_fields(world, client):
    app = submitted(world)
    client.force_login(world.clerk)
    response = client.post(
        _intake_url(app), {"state": "submitted", "action": "refuse", "reason": "不属于本镇"}
    )
    assert response.status_code == 400
    assert "basis" in response.context["errors"] and "reason" not in response.context["errors"]
    assert "不属于本镇" in response.content.decode()
    response = client.post(
        _intake_url(app),
        {
            "state": "submitted",
            "action": "refuse",
            "reason": "不属于本镇",
            "basis": "《行政许可法》第三十二条",
        },
    )
    notice = Notice.objects.get(application=app, kind="refusal")
    assert response.status_code == 302
    assert reverse("approvals:staff-notice", args=[app.number, notice.pk]) in response["Location"]
    assert fresh(app).state == State.REFUSED


def test_a_second_clerk_acting_on_a_handled_application_is_told_not_500(world, client):
    app = submitted(world)
    data = _checks_post(app, action="accept")
    svc.application_accept(
        application=app,
        actor=world.clerk2,
        checks=[{"id": m.pk, "status": "received"} for m in app.materials.all()],
    )
    client.force_login(world.clerk)
    response = client.post(_intake_url(app), data)
    assert response.status_code == 409
    assert "已被他人处理" in response.content.decode()


def test_intake_upload_only_keeps_the_ticks(world, client):
    app = submitted(world, upload=False)
    client.force_login(world.clerk)
    item = app.materials.first()
    data = _checks_post(app, {"申请表": "missing"}, action="upload")
    data[f"file-{item.pk}"] = pdf("补扫.pdf")
    response = client.post(_intake_url(app), data)
    assert response.status_code == 200
    assert item.files.get().original_name == "补扫.pdf"
    rows = {r["material"].name: r["status"] for r in response.context["rows"]}
    assert rows["申请表"] == "missing"
    assert fresh(app).state == State.SUBMITTED


def test_intake_is_for_clerks_of_the_department(world, client):
    app = submitted(world)
    client.force_login(world.reviewer)
    assert client.get(_intake_url(app)).status_code == 403
    other = UserFactory.with_role(
        roles.WINDOW_CLERK, department=DepartmentFactory(code="ELSE", name="别处")
    )
    client.force_login(other)
    assert client.get(_intake_url(app)).status_code == 404
    assert client.get(reverse("approvals:intake", args=["999999999"])).status_code == 404
    assert client.get(reverse("approvals:intake", args=["not-a-number"])).status_code == 404


def test_intake_of_an_accepted_application_is_read_only(world, client):
    app = accepted(world)
    client.force_login(world.clerk)
    response = client.get(_intake_url(app))
    assert response.status_code == 200 and "不需要受理操作" in response.content.decode()
    assert response.context["editable"] is False


# --- files and notices -----------------------------------------------------------------------


def test_files_are_served_inline_to_staff_in_scope_and_audited(world, client):
    app = submitted(world)
    f = app.materials.first().files.get()
    url = reverse("approvals:staff-file", args=[app.number, f.pk])
    client.force_login(world.clerk)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="application.file_read", actor=world.clerk).exists()
    client.force_login(world.reviewer)  # not accepted yet: outside the reviewer's scope
    assert client.get(url).status_code == 404
    client.force_login(world.citizen)
    assert client.get(url).status_code == 403


def test_a_received_material_drops_the_problem_left_from_the_correction(world, client):
    app = submitted(world)
    identity = app.materials.get(name="身份证明")
    svc.application_request_correction(
        application=app,
        actor=world.clerk,
        checks=[{"id": identity.pk, "status": "missing", "problem": "未提供身份证复印件"}],
    )
    app = fresh(app)
    svc.material_upload(
        application=app, actor=world.citizen, application_material=identity, uploaded=pdf()
    )
    app = svc.application_submit(application=app, actor=world.citizen)
    client.force_login(world.clerk)
    data = _checks_post(app, action="accept")
    data[f"problem-{identity.pk}"] = "未提供身份证复印件"  # prefilled from the last round
    assert client.post(_intake_url(app), data).status_code == 302
    identity.refresh_from_db()
    assert identity.status == "received" and identity.problem == ""
