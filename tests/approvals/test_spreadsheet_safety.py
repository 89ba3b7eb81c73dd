# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""Issue 17: what the register and the dashboards write is data, never a formula; what the
register import reads is bounded before it is parsed."""

import io
import zipfile
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from approvals import register_io as rio
from approvals.models import Matter, RegisterImportJob
from approvals.services import register as services
from tests.approvals.dashboard_data import TODAY, Town, at
from tests.approvals.register_support import (  # noqa: F401
    make_matter,
    matter_row,
    registrar,
    township,
    workbook,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/x","点击办理")'
DDE = "=cmd|' /C calc'!A0"


def formulas(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


def test_a_formula_imported_into_the_register_is_exported_as_text(township, registrar):
    content = workbook([matter_row("IMP-F1", **{rio.C_BASIS: HYPERLINK, rio.C_NAME: DDE})])
    assert rio.import_register(content, actor="test").applied
    services.matters_publish_drafts(actor="test", codes=["IMP-F1"], valid_from=date(2025, 1, 1))
    assert Matter.objects.get(code="IMP-F1").legal_basis == HYPERLINK

    api = APIClient()
    api.force_authenticate(registrar)
    exported = api.get("/api/v1/register/export/").content
    assert formulas(exported) == []
    sheet = openpyxl.load_workbook(io.BytesIO(exported))[rio.MATTER_SHEET]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "IMP-F1")
    basis = row[header.index(rio.C_BASIS)]
    assert (basis.value, basis.data_type, basis.quotePrefix) == (HYPERLINK, "s", True)
    # and the round trip changes nothing
    assert rio.import_register(exported, actor="test").report["unchanged"] >= 1


def test_the_dashboard_exports_write_text_as_text(client, world):
    town = Town(world)
    town.rollup()
    Matter.objects.filter(pk=town.e.matter_id).update(name=DDE)
    client.force_login(world.supervisor)
    with at(TODAY, 11):
        response = client.get(
            reverse("approvals:dashboard-export"), {"view": "list", "status": "open"}
        )
    assert response.status_code == 200
    assert formulas(response.content) == []
    names = [r[3] for r in openpyxl.load_workbook(io.BytesIO(response.content))["办件清单"].values]
    assert DDE in names


def test_an_oversized_register_is_refused_with_a_clear_message(township, settings):
    settings.XLSX_MAX_ROWS = 20
    content = workbook([matter_row(f"IMP-{n:03d}") for n in range(30)])
    result = rio.import_register(content, actor="test")
    assert not result.applied
    (problem,) = result.problems
    assert "超过 20 行" in problem.message
    assert not Matter.objects.filter(code__startswith="IMP-").exists()


def test_a_register_zip_bomb_is_refused_before_parsing(township, settings, registrar):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    source = zipfile.ZipFile(io.BytesIO(workbook([matter_row()])))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<!--" + b" " * (4 << 20) + b"--><sheetData>")
            out.writestr(item.filename, data)
    api = APIClient()
    api.force_authenticate(registrar)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        "/api/v1/register-imports/",
        {"file": SimpleUploadedFile("bomb.xlsx", bomb.getvalue())},
        format="multipart",
    )
    assert response.status_code == 202
    job = RegisterImportJob.objects.get(public_id=response.json()["public_id"])
    services.import_job_run(job_id=job.pk)
    status = api.get(f"/api/v1/register-imports/{job.public_id}/").json()
    assert status["status"] != "ready"
    assert "解压后超过 1 MB" in str(status), status
