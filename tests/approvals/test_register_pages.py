# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""The register administration pages: who may use them, editing drafts without losing work,
publishing, retiring, instruments, and the import flow (upload, preview, apply)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import register_io as rio
from approvals.models import DelegationInstrument, Matter, RegisterImportJob
from approvals.services import register as services
from portal.models import AuditEntry, User
from tests.approvals.register_support import (  # noqa: F401
    make_matter,
    matter_row,
    registrar,
    small_register,
    township,
    workbook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, registrar):
    client.force_login(registrar)
    return client


MATTER_POST = {
    "name": "户外广告设施设置审批",
    "kind": "licensing",
    "delegation_mode": "direct",
    "statutory_days": "10",
    "committed_days": "5",
    "suspension_allowed": "on",
    "extension_allowed": "on",
    "max_extension_days": "10",
    "fee_free": "on",
    "channel_hall": "on",
    "stages": "受理 | 规划建设窗口\n审查 | 规划建设办 | 3\n决定",
    "materials-TOTAL_FORMS": "2",
    "materials-INITIAL_FORMS": "0",
    "materials-MIN_NUM_FORMS": "0",
    "materials-MAX_NUM_FORMS": "1000",
    "materials-0-name": "户外广告设施设置申请表",
    "materials-0-form": "original",
    "materials-0-copies": "1",
    "materials-0-mandatory": "on",
    "materials-0-order": "1",
    "materials-1-name": "",
    "materials-1-form": "",
    "materials-1-copies": "1",
    "materials-1-mandatory": "on",  # as the browser renders the empty row
    "materials-1-order": "0",
}


def test_only_register_administrators_may_enter(client, township):
    url = reverse("approvals:register-admin")
    assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(User.objects.get(username="clerk"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("approvals:register-import")).status_code == 403


def test_every_page_opens_for_the_administrator(admin_client, township):
    draft = make_matter(township, "P-1")
    live = make_matter(township, "P-2", valid_from=date(2024, 1, 1))
    batch = services.instrument_create(
        actor="t",
        fields={
            "title": "赋权决定",
            "document_number": "湘府发〔2026〕9号",
            "issuing_authority": "湘东区人民政府",
            "effective_date": date(2026, 1, 1),
        },
    )
    for url in (
        reverse("approvals:register-admin"),
        reverse("approvals:register-admin") + "?status=draft&versions=all&q=P",
        reverse("approvals:register-matter-create"),
        reverse("approvals:register-matter", args=[draft.pk]),
        reverse("approvals:register-matter", args=[live.pk]),
        reverse("approvals:register-matter-edit", args=[draft.pk]),
        reverse("approvals:register-history", args=["P-2"]),
        reverse("approvals:register-instruments"),
        reverse("approvals:register-instrument", args=[batch.pk]),
        reverse("approvals:register-import"),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_create_a_matter_with_its_materials_and_stages(admin_client, township):
    data = dict(MATTER_POST, code="P-NEW", handling_department=township["GHJSB"].pk)
    response = admin_client.post(reverse("approvals:register-matter-create"), data)
    assert response.status_code == 302
    matter = Matter.objects.get(code="P-NEW")
    assert (matter.status, matter.committed_days) == ("draft", 5)
    assert [m.name for m in matter.materials.all()] == ["户外广告设施设置申请表"]
    assert matter.stage_list()[1] == {"name": "审查", "who": "规划建设办", "days": 3}
    assert AuditEntry.objects.filter(
        action="register.matter.create", object_id=str(matter.pk)
    ).exists()


def test_a_bad_form_names_the_field_and_keeps_what_was_typed(admin_client, township):
    data = dict(
        MATTER_POST,
        code="P-BAD",
        handling_department=township["GHJSB"].pk,
        committed_days="30",
    )
    response = admin_client.post(reverse("approvals:register-matter-create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "承诺时限不得超过法定时限" in page
    assert 'value="户外广告设施设置审批"' in page
    assert not Matter.objects.filter(code="P-BAD").exists()


def test_an_edit_on_a_stale_revision_is_refused_with_the_form_kept(admin_client, township):
    draft = make_matter(township, "P-1")
    services.matter_update_draft(
        actor="other", matter=draft, revision=1, fields={"committed_days": 4}
    )
    material_ids = list(draft.materials.order_by("order").values_list("pk", flat=True))
    data = dict(
        MATTER_POST,
        revision="1",
        handling_department=township["XZSPJ"].pk,
        name="我刚输入的新名称",
        **{
            "materials-TOTAL_FORMS": "2",
            "materials-INITIAL_FORMS": "2",
            "materials-0-id": str(material_ids[0]),
            "materials-0-matter": str(draft.pk),
            "materials-1-id": str(material_ids[1]),
            "materials-1-matter": str(draft.pk),
            "materials-1-name": "身份证",
            "materials-1-form": "copy",
        },
    )
    response = admin_client.post(reverse("approvals:register-matter-edit", args=[draft.pk]), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "已被他人修改" in page and "我刚输入的新名称" in page
    draft.refresh_from_db()
    assert (draft.name, draft.committed_days) == ("个体工商户设立登记", 4)


def test_publish_retire_and_new_version_from_the_pages(admin_client, township):
    draft = make_matter(township, "P-1")
    admin_client.post(
        reverse("approvals:register-matter-publish", args=[draft.pk]), {"valid_from": "2024-01-01"}
    )
    draft.refresh_from_db()
    assert (draft.status, draft.valid_from) == ("published", date(2024, 1, 1))
    response = admin_client.post(reverse("approvals:register-matter-new-draft", args=[draft.pk]))
    v2 = Matter.objects.get(code="P-1", version=2)
    assert response["Location"] == reverse("approvals:register-matter-edit", args=[v2.pk])
    admin_client.post(
        reverse("approvals:register-matter-retire", args=[draft.pk]),
        {"effective": "2026-01-01", "reason": "收回区局"},
    )
    draft.refresh_from_db()
    assert (draft.status, draft.valid_to) == ("retired", date(2025, 12, 31))
    # a second click on publish is told, not crashed
    response = admin_client.post(
        reverse("approvals:register-matter-publish", args=[draft.pk]),
        {"valid_from": "2027-01-01"},
        follow=True,
    )
    assert "不能重复发布" in response.content.decode()


def test_bulk_publish_of_imported_drafts(admin_client, township):
    rio.import_register(small_register(2), actor="t")
    admin_client.post(
        reverse("approvals:register-publish-drafts"),
        {"code": ["IMP-001"], "valid_from": "2026-01-01"},
    )
    assert dict(Matter.objects.values_list("code", "status")) == {
        "IMP-001": "published",
        "IMP-002": "draft",
    }
    rio.import_register(small_register(3), actor="t", retire_missing=False)
    admin_client.post(
        reverse("approvals:register-publish-drafts"),
        {"all_drafts": "1", "valid_from": "2026-02-01"},
    )
    assert set(Matter.objects.values_list("status", flat=True)) == {"published"}


def test_instrument_pages_delegate_and_apply(admin_client, township):
    make_matter(township, "P-D")
    response = admin_client.post(
        reverse("approvals:register-instruments"),
        {
            "title": "关于向下埠镇赋权的决定",
            "document_number": "湘府发〔2026〕1号",
            "issuing_authority": "萍乡市湘东区人民政府",
            "effective_date": "2026-02-01",
            "handover_list": SimpleUploadedFile("交接单.pdf", b"%PDF-1.4 list"),
        },
    )
    instrument = DelegationInstrument.objects.get()
    assert response["Location"] == reverse("approvals:register-instrument", args=[instrument.pk])
    draft = Matter.objects.get(code="P-D")
    admin_client.post(
        reverse("approvals:register-matter-attach", args=[draft.pk]),
        {"instrument": instrument.pk, "action": "delegate"},
    )
    assert instrument.items.get().code == "P-D"
    admin_client.post(reverse("approvals:register-instrument-apply", args=[instrument.pk]))
    draft.refresh_from_db()
    assert (draft.status, draft.valid_from) == ("published", date(2026, 2, 1))
    handover = admin_client.get(
        reverse("approvals:register-instrument-handover", args=[instrument.pk])
    )
    assert b"".join(handover.streaming_content) == b"%PDF-1.4 list"


def test_import_upload_preview_and_apply(
    admin_client, township, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("approvals:register-import"),
            {"file": SimpleUploadedFile("清单.xlsx", small_register(3)), "retire_missing": "on"},
        )
    job = RegisterImportJob.objects.get()
    assert response["Location"] == reverse("approvals:register-import-job", args=[job.public_id])
    assert len(callbacks) == 1  # the background job is queued once the upload is committed

    page = admin_client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page  # polls while queued

    services.import_job_run(job_id=job.pk)  # what the worker does
    panel = admin_client.get(reverse("approvals:register-import-progress", args=[job.public_id]))
    text = panel.content.decode()
    assert "every 1s" not in text and "确认导入" in text and "IMP-003" in text

    with django_capture_on_commit_callbacks():
        admin_client.post(reverse("approvals:register-import-apply", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == "applying"
    services.import_job_run(job_id=job.pk)
    page = admin_client.get(reverse("approvals:register-import-job", args=[job.public_id])).content
    assert "已于".encode() in page and Matter.objects.count() == 3


def test_import_page_shows_every_problem(admin_client, township):
    content = workbook(
        [
            matter_row("E-1", **{rio.C_STATUTORY: 3, rio.C_COMMITTED: 5}),
            matter_row("E-2", **{rio.C_FROM: "火星区农业局"}),
        ]
    )
    job = services.import_job_create(actor="t", file_name="bad.xlsx", content=content)
    services.import_job_run(job_id=job.pk)
    page = admin_client.get(
        reverse("approvals:register-import-job", args=[job.public_id])
    ).content.decode()
    assert "发现 2 处问题" in page
    assert "承诺时限（5个工作日）不得超过法定时限（3个工作日）" in page
    assert "火星区农业局" in page


def test_a_file_that_is_not_xlsx_is_refused_at_upload_keeping_the_form(admin_client, township):
    response = admin_client.post(
        reverse("approvals:register-import"),
        {"file": SimpleUploadedFile("清单.csv", b"a,b,c\n1,2,3\n")},
    )
    assert response.status_code == 400
    assert "不是 .xlsx" in response.content.decode()
    assert not RegisterImportJob.objects.exists()


def test_export_downloads_the_register(admin_client, township):
    make_matter(township, "P-X", valid_from=date(2024, 1, 1))
    response = admin_client.get(reverse("approvals:register-export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    parsed = rio.read_register(response.content)
    assert list(parsed.matters) == ["P-X"]
    assert admin_client.get(reverse("approvals:register-export"), {"on": "bad"}).status_code == 302


def test_the_django_admin_edits_drafts_only_and_audits_them(admin_client, township):
    draft = make_matter(township, "ADM-1")
    live = make_matter(township, "ADM-2", valid_from=date(2024, 1, 1))
    assert admin_client.get("/admin/approvals/matter/").status_code == 200
    assert admin_client.get(f"/admin/approvals/matter/{draft.pk}/change/").status_code == 200
    page = admin_client.get(f"/admin/approvals/matter/{live.pk}/change/").content.decode()
    assert 'name="name"' not in page  # a published version is read-only
    response = admin_client.post(
        "/admin/approvals/matter/",
        {"action": "publish_today", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert AuditEntry.objects.filter(
        action="register.matter.publish", object_id=str(draft.pk), actor__username="registrar"
    ).exists()
