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


def test_retire_missing_on_the_command_line_retires_what_the_file_does_not_list(
    township, tmp_path
):
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
    box = page.split('name="retire_missing"')[0].rsplit("<input", 1)[1] + page.split(
        'name="retire_missing"'
    )[1].split(">", 1)[0]
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
