# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""Issue 16: an import never takes the register out of force by surprise. A partial file adds
and changes; it retires nothing unless the registrar asks for it explicitly (page, command
line, API), and an export of the whole register re-imports as a no-op."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from approvals import register_io as rio
from approvals.models import Matter, RegisterImportJob
from approvals.selectors import register as sel
from approvals.services import register as services
from approvals.views.register_forms import ImportForm
from tests.approvals.register_support import (  # noqa: F401
    demo_register,
    registrar,
    small_register,
    township,
)

pytestmark = pytest.mark.django_db


def in_force_codes() -> set[str]:
    return set(sel.matters_in_force().values_list("code", flat=True))


@pytest.fixture
def register_in_force(demo_register):
    codes = in_force_codes()
    assert len(codes) > 50  # the demo register: nearly a hundred matters in force
    return codes


# --- a partial file retires nothing by default ---------------------------------------------------


def test_a_partial_file_imported_with_the_defaults_retires_nothing(register_in_force):
    retired_before = Matter.objects.filter(status=Matter.Status.RETIRED).count()
    result = rio.import_register(small_register(2), actor="test")
    assert result.applied
    assert (result.report["created"], result.report["retired"]) == (2, 0)
    assert in_force_codes() == register_in_force
    assert Matter.objects.filter(status=Matter.Status.RETIRED).count() == retired_before


def test_the_public_guide_keeps_every_matter_after_a_partial_import(register_in_force, client):
    rio.import_register(small_register(2), actor="test")
    assert client.get(reverse("approvals:guide-matter", args=["XB-GG-006"])).status_code == 200
    page = client.get(reverse("approvals:guide")).content.decode()
    assert "XB-GG-006" in page or "生育" in page


def test_the_command_line_retires_nothing_without_retire_missing(register_in_force, tmp_path):
    path = Path(tmp_path, "partial.xlsx")
    path.write_bytes(small_register(5))
    call_command("register", "import", str(path))
    assert in_force_codes() == register_in_force
    assert Matter.objects.filter(code__startswith="IMP-", status="draft").count() == 5


def test_the_old_keep_missing_flag_is_still_accepted_and_harmless(register_in_force, tmp_path):
    path = Path(tmp_path, "partial.xlsx")
    path.write_bytes(small_register(1))
    call_command("register", "import", str(path), "--keep-missing")
    assert in_force_codes() == register_in_force


def test_retire_missing_on_the_command_line_retires_what_the_file_does_not_list(township, tmp_path):
    from tests.approvals.register_support import make_matter

    for n in range(1, 11):
        make_matter(township, f"OLD-{n:02d}", valid_from=rio_date())
    # 1 of 10 (10%) is below the confirmation threshold: no typed number needed
    keep = [f"OLD-{n:02d}" for n in range(2, 11)]
    path = Path(tmp_path, "partial.xlsx")
    path.write_bytes(_register_with(township, keep))
    call_command("register", "import", str(path), "--retire-missing")
    assert Matter.objects.get(code="OLD-01").status == "retired"
    assert in_force_codes() == set(keep)


def rio_date():
    from datetime import date

    return date(2024, 1, 1)


def _register_with(township, codes: list[str]) -> bytes:
    """An export of the register restricted to ``codes``."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(rio.export_register()))
    matters = [
        dict(zip([c.value for c in wb[rio.MATTER_SHEET][1]], row, strict=False))
        for row in wb[rio.MATTER_SHEET].iter_rows(min_row=2, values_only=True)
    ]
    materials = [
        dict(zip([c.value for c in wb[rio.MATERIAL_SHEET][1]], row, strict=False))
        for row in wb[rio.MATERIAL_SHEET].iter_rows(min_row=2, values_only=True)
    ]
    return rio.build_workbook(
        [m for m in matters if m[rio.C_CODE] in codes],
        [m for m in materials if m[rio.M_CODE] in codes],
    )


def test_the_import_page_leaves_the_retire_box_unticked(registrar, client):
    client.force_login(registrar)
    form = ImportForm()
    assert form.fields["retire_missing"].initial is False
    page = client.get(reverse("approvals:register-import")).content.decode()
    box = (
        page.split('name="retire_missing"')[0].rsplit("<input", 1)[1]
        + page.split('name="retire_missing"')[1].split(">", 1)[0]
    )
    assert "checked" not in box


def test_an_upload_without_the_box_retires_nothing(register_in_force, registrar, client):
    client.force_login(registrar)
    client.post(
        reverse("approvals:register-import"),
        {"file": SimpleUploadedFile("partial.xlsx", small_register(2))},
    )
    job = RegisterImportJob.objects.get()
    assert job.retire_missing is False
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.report["retired"]) == ("ready", 0)


def test_the_api_retires_nothing_unless_asked(register_in_force, registrar):
    api = APIClient()
    api.force_authenticate(registrar)
    response = api.post(
        "/api/v1/register-imports/",
        {"file": SimpleUploadedFile("partial.xlsx", small_register(2))},
    )
    assert response.status_code == 202
    assert response.json()["retire_missing"] is False
    job = RegisterImportJob.objects.get()
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.report["retired"] == 0


def test_a_new_job_defaults_to_retiring_nothing(township):
    job = services.import_job_create(actor="t", file_name="x.xlsx", content=small_register(1))
    assert job.retire_missing is False
    assert RegisterImportJob(file_name="y.xlsx").retire_missing is False


# --- export, then re-import: a no-op ---------------------------------------------------------------


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {
        name: [tuple(row) for row in wb[name].iter_rows(values_only=True)]
        for name in (rio.MATTER_SHEET, rio.MATERIAL_SHEET)
    }


def test_the_whole_demo_register_exported_and_reimported_changes_nothing(register_in_force):
    exported = rio.export_register()
    versions_before = Matter.objects.count()
    for retire_missing in (False, True):
        preview = rio.import_register(
            exported, actor="test", dry_run=True, retire_missing=retire_missing
        )
        assert preview.problems == []
        report = preview.report
        assert [(e["action"], e["code"], e["fields"]) for e in report["entries"]] == []
        assert (report["created"], report["changed"], report["retired"]) == (0, 0, 0)
        assert report["unchanged"] == len(register_in_force)
    result = rio.import_register(exported, actor="test", retire_missing=True)
    assert not result.applied
    assert Matter.objects.count() == versions_before
    assert in_force_codes() == register_in_force
    # the newest versions (drafts included) re-import as a no-op too
    latest = rio.export_register(latest=True)
    assert rio.import_register(latest, actor="test", dry_run=True).report["changed"] == 0


def test_a_row_equal_to_the_version_in_force_leaves_a_pending_draft_alone(demo_register):
    draft = Matter.objects.get(code="XB-GG-007", status=Matter.Status.DRAFT)
    revision = draft.revision
    preview = rio.import_register(rio.export_register(), actor="test", dry_run=True)
    assert "XB-GG-007" not in [e["code"] for e in preview.report["entries"]]
    rio.import_register(rio.export_register(), actor="test")
    draft.refresh_from_db()
    assert draft.channel_self_service is False and draft.revision == revision


def test_every_column_round_trips_exactly(demo_register):
    """Export the demo register, import it into an empty register, publish, export again: the
    two files hold the same cells (stage names with 、, fees with a basis, every channel)."""
    from datetime import date

    from approvals.models import DelegationInstrument

    first = rio.export_register()
    assert "发证、开工查验" in str(_sheets(first)[rio.MATTER_SHEET])
    DelegationInstrument.objects.all().delete()
    Matter.objects.all().delete()
    result = rio.import_register(first, actor="test")
    assert result.report["created"] == len(_sheets(first)[rio.MATTER_SHEET]) - 1
    codes = list(Matter.objects.values_list("code", flat=True))
    services.matters_publish_drafts(actor="test", codes=codes, valid_from=date(2024, 1, 1))
    second = rio.export_register()
    assert _sheets(second)[rio.MATERIAL_SHEET] == _sheets(first)[rio.MATERIAL_SHEET]
    header, *rows = _sheets(first)[rio.MATTER_SHEET]
    header_again, *rows_again = _sheets(second)[rio.MATTER_SHEET]
    assert header_again == header
    category = header.index(rio.C_CATEGORY)
    for row, again in zip(rows, rows_again, strict=True):
        if row[category] is None:  # a new matter without one gets its windows' category
            again = again[:category] + (None,) + again[category + 1 :]
        assert again == row
    assert rio.import_register(second, actor="test", dry_run=True).report["unchanged"] == len(codes)


@pytest.mark.parametrize(
    "stages",
    [
        ["农户申请", "村民小组会议讨论", "发证、开工查验"],
        ["发证、开工查验"],
        ["受理", "审查>复核", "决定"],
        ["受理"],
    ],
)
def test_stage_names_round_trip_through_the_stages_column(township, stages):
    from datetime import date

    from tests.approvals.register_support import make_matter

    make_matter(
        township,
        "RT-1",
        valid_from=date(2024, 1, 1),
        stages=[{"name": n, "who": "", "days": None} for n in stages],
    )
    exported = rio.export_register()
    parsed = rio.read_register(exported)
    assert parsed.matters["RT-1"].stages == stages
    assert rio.import_register(exported, actor="t", dry_run=True).report["unchanged"] == 1


def test_a_district_file_may_still_list_stages_with_commas_or_arrows(township):
    from tests.approvals.register_support import matter_row, workbook

    for text, expected in [
        ("申请、受理、审查、决定", ["申请", "受理", "审查", "决定"]),
        ("申请->受理->决定", ["申请", "受理", "决定"]),
        ("申请\n受理\n决定", ["申请", "受理", "决定"]),
        ("申请→受理、审查→决定", ["申请", "受理、审查", "决定"]),
    ]:
        parsed = rio.read_register(workbook([matter_row("S-1", **{rio.C_STAGES: text})]))
        assert parsed.matters["S-1"].stages == expected, text


def test_inner_full_width_spaces_and_a_zero_fee_round_trip(township):
    from datetime import date
    from decimal import Decimal

    from tests.approvals.register_support import make_matter

    make_matter(
        township,
        "RT-2",
        valid_from=date(2024, 1, 1),
        legal_basis="《条例》\u3000第三条\n第二款",
        fee_free=False,
        fee_amount=Decimal("0"),
        fee_basis="工本费减免",
    )
    exported = rio.export_register()
    row = rio.read_register(exported).matters["RT-2"]
    assert row.legal_basis == "《条例》\u3000第三条\n第二款"
    assert (row.fee_free, row.fee_amount, row.fee_basis) == (False, Decimal("0.00"), "工本费减免")
    assert rio.import_register(exported, actor="t", dry_run=True).report["unchanged"] == 1


def test_the_matter_form_refuses_an_arrow_inside_a_stage_name():
    from approvals.views.register_forms import StagesField

    field = StagesField(required=False)
    assert field.clean("受理\n审查 | 行政审批局 | 3")[1]["name"] == "审查"
    with pytest.raises(Exception, match="第2行"):
        field.clean("受理\n审查→决定")


# --- retiring on purpose: the warning, the typed number, the undo --------------------------------


def _ready_job(content: bytes, *, retire_missing=True) -> RegisterImportJob:
    job = services.import_job_create(
        actor="t", file_name="partial.xlsx", content=content, retire_missing=retire_missing
    )
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "ready", job.errors
    return job


def _apply(job, registrar, **kwargs):
    services.import_job_request_apply(actor=registrar, job=job, **kwargs)
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_the_preview_warns_with_the_count_and_share_of_the_register(
    register_in_force, registrar, client
):
    job = _ready_job(small_register(2))
    total = len(register_in_force)
    assert job.report["retired"] == total
    assert job.report["in_force"] == total
    assert job.report["retire_share"] == 100
    assert job.report["confirm_retire"] is True
    client.force_login(registrar)
    page = client.get(reverse("approvals:register-import-job", args=[job.public_id]))
    text = page.content.decode()
    assert f"将停用 {total} 项，占现行事项 100%" in text
    assert 'class="message message-warning retire-warning"' in text
    assert 'name="retire_count"' in text


def test_above_the_threshold_the_number_must_be_typed(register_in_force, registrar, client):
    from portal.errors import ActionError

    job = _ready_job(small_register(2))
    total = job.report["retired"]
    with pytest.raises(ActionError) as refused:
        services.import_job_request_apply(actor=registrar, job=job)
    assert refused.value.code == "retire_confirmation"
    assert "retire_count" in refused.value.fields
    client.force_login(registrar)
    apply_url = reverse("approvals:register-import-apply", args=[job.public_id])
    response = client.post(apply_url, {"retire_count": str(total - 1)}, follow=True)
    assert f"请输入将停用的事项数 {total}" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "ready" and in_force_codes() == register_in_force

    client.post(apply_url, {"retire_count": str(total)})
    job.refresh_from_db()
    assert job.status == "applying"
    services.import_job_run(job_id=job.pk)
    assert in_force_codes() == set()


def test_below_the_threshold_a_click_is_enough(township, registrar, settings):
    from datetime import date

    from tests.approvals.register_support import make_matter

    for n in range(1, 11):
        make_matter(township, f"OLD-{n:02d}", valid_from=date(2024, 1, 1))
    job = _ready_job(_register_with(township, [f"OLD-{n:02d}" for n in range(1, 10)]))
    assert (job.report["retired"], job.report["retire_share"]) == (1, 10)
    assert job.report["confirm_retire"] is False
    assert _apply(job, registrar).status == "applied"
    assert Matter.objects.get(code="OLD-10").status == "retired"

    settings.ONEWINDOW = {**settings.ONEWINDOW, "REGISTER_RETIRE_CONFIRM_SHARE": 0.05}
    job = _ready_job(_register_with(township, [f"OLD-{n:02d}" for n in range(1, 9)]))
    assert job.report["confirm_retire"] is True  # the threshold is configurable


def test_the_command_line_asks_for_the_number_above_the_threshold(register_in_force, tmp_path):
    from django.core.management import CommandError

    path = Path(tmp_path, "partial.xlsx")
    path.write_bytes(small_register(2))
    total = len(register_in_force)
    with pytest.raises(CommandError, match=f"--confirm-retire {total}"):
        call_command("register", "import", str(path), "--retire-missing")
    assert in_force_codes() == register_in_force
    with pytest.raises(CommandError):
        call_command("register", "import", str(path), "--retire-missing", "--confirm-retire", "3")
    assert in_force_codes() == register_in_force
    call_command(
        "register", "import", str(path), "--retire-missing", "--confirm-retire", str(total)
    )
    assert in_force_codes() == set()


def test_an_imports_retirements_are_undone_in_one_step(register_in_force, registrar, client):
    from portal.models import AuditEntry

    before = {m.code: m for m in sel.matters_in_force().prefetch_related("materials")}
    job = _ready_job(small_register(2))
    job = _apply(job, registrar, retire_count=job.report["retired"])
    assert in_force_codes() == set()
    retired = Matter.objects.get(pk=before["XB-GG-006"].pk)
    assert retired.status == "retired"

    client.force_login(registrar)
    page = client.get(reverse("approvals:register-import-job", args=[job.public_id])).content
    assert "撤销本次停用".encode() in page
    client.post(reverse("approvals:register-import-undo", args=[job.public_id]))
    job.refresh_from_db()
    assert job.undone_at is not None and job.undone_by == registrar

    assert in_force_codes() == register_in_force
    restored = sel.matter_in_force("XB-GG-006")
    assert restored.pk != retired.pk and restored.version == retired.version + 1
    assert restored.status == "published" and restored.valid_to is None
    assert restored.name == retired.name and restored.stages == retired.stages
    assert [m.name for m in restored.materials.all()] == [
        m.name for m in before["XB-GG-006"].materials.all()
    ]
    retired.refresh_from_db()
    assert retired.status == "retired"  # history is kept: the gap is the truth
    assert AuditEntry.objects.filter(action="register.matter.restore").count() == len(
        register_in_force
    )
    assert AuditEntry.objects.filter(action="register.import.undo", object_id=str(job.pk)).exists()

    # one step: a second undo is refused
    from portal.errors import Conflict

    with pytest.raises(Conflict):
        services.import_job_undo_retirements(actor=registrar, job=job)


def test_the_undo_is_offered_for_30_days_only(township, registrar):
    from datetime import date, timedelta

    from django.utils import timezone

    from portal.errors import ActionError
    from tests.approvals.register_support import make_matter

    for n in range(1, 11):
        make_matter(township, f"OLD-{n:02d}", valid_from=date(2024, 1, 1))
    job = _ready_job(_register_with(township, [f"OLD-{n:02d}" for n in range(1, 10)]))
    job = _apply(job, registrar)
    RegisterImportJob.objects.filter(pk=job.pk).update(
        applied_at=timezone.now() - timedelta(days=31)
    )
    job.refresh_from_db()
    assert job.can_undo_retirements() is False
    with pytest.raises(ActionError) as late:
        services.import_job_undo_retirements(actor=registrar, job=job)
    assert late.value.code == "undo_expired"
    assert Matter.objects.get(code="OLD-10").status == "retired"


def test_an_undo_leaves_a_code_that_is_back_in_force_alone(township, registrar):
    from datetime import date

    from tests.approvals.register_support import make_matter

    for n in range(1, 11):
        make_matter(township, f"OLD-{n:02d}", valid_from=date(2024, 1, 1))
    job = _ready_job(_register_with(township, [f"OLD-{n:02d}" for n in range(1, 10)]))
    job = _apply(job, registrar)
    # meanwhile OLD-10 came back through an ordinary import and was published
    rio.import_register(_register_with_retired(township, "OLD-10"), actor="t")
    services.matters_publish_drafts(actor="t", codes=["OLD-10"], valid_from=date.today())
    result = services.import_job_undo_retirements(actor=registrar, job=job)
    assert result["restored"] == [] and result["skipped"] == ["OLD-10"]
    assert Matter.objects.filter(code="OLD-10", status="published").count() == 1


def _register_with_retired(township, code: str) -> bytes:
    from approvals.models import Material

    matter = Matter.objects.filter(code=code).order_by("-version").first()
    return rio.build_workbook(
        [rio.matter_to_row(matter)],
        [rio.material_to_row(code, m) for m in Material.objects.filter(matter=matter)],
    )


def test_the_api_needs_the_typed_number_and_offers_the_undo(register_in_force, registrar):
    api = APIClient()
    api.force_authenticate(registrar)
    job = _ready_job(small_register(2))
    url = f"/api/v1/register-imports/{job.public_id}/"
    refused = api.post(url + "apply/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "retire_confirmation"
    assert "retire_count" in refused.json()["fields"]
    accepted = api.post(url + "apply/", {"retire_count": job.report["retired"]}, format="json")
    assert accepted.status_code == 202
    services.import_job_run(job_id=job.pk)
    undo = api.post(url + "undo-retirements/", format="json")
    assert undo.status_code == 200, undo.json()
    assert in_force_codes() == register_in_force
