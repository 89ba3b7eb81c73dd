# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""Spreadsheet import and export: every rule of the issue, including the bad files."""

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from approvals import register_io as rio
from approvals.models import Matter, RegisterImportJob
from approvals.selectors import register as sel
from approvals.services import register as services
from portal.models import AuditEntry
from tests.approvals.register_support import (  # noqa: F401
    make_matter,
    material_row,
    matter_row,
    registrar,
    small_register,
    township,
    workbook,
)

pytestmark = pytest.mark.django_db


def problems_of(content: bytes) -> list[tuple]:
    return [(p.sheet, p.row, p.column) for p in rio.read_register(content).problems]


def writes_nothing(content: bytes, **kwargs):
    before = (Matter.objects.count(), AuditEntry.objects.count())
    result = rio.import_register(content, actor="test", **kwargs)
    assert not result.applied
    assert (Matter.objects.count(), AuditEntry.objects.count()) == before
    return result


# --- a good file ------------------------------------------------------------------------------


def test_preview_shows_what_would_be_created_and_writes_nothing(township):
    result = writes_nothing(small_register(3), dry_run=True)
    assert result.problems == []
    report = result.report
    assert (report["created"], report["changed"], report["retired"]) == (3, 0, 0)
    assert [e["code"] for e in report["entries"]] == ["IMP-001", "IMP-002", "IMP-003"]


def test_apply_creates_drafts_with_their_materials_and_is_idempotent(township):
    content = small_register(3)
    result = rio.import_register(content, actor="test")
    assert result.applied and result.report["created"] == 3
    matter = Matter.objects.get(code="IMP-001")
    assert (matter.version, matter.status) == (1, "draft")
    assert matter.handling_department.code == "GHJSB"
    assert matter.delegating_department.code == "QZRZYJ"
    assert (matter.statutory_days, matter.committed_days) == (20, 10)
    assert (matter.channel_hall, matter.channel_proxy, matter.channel_online) == (True, True, False)
    assert matter.category.code == "GHJS"  # from the windows serving the department
    assert [(m.name, m.form) for m in matter.materials.order_by("order")] == [
        ("申请表", "original"),
        ("申请人居民身份证", "copy"),
    ]
    assert AuditEntry.objects.filter(action="register.matter.import").count() == 3

    again = writes_nothing(content)  # the same file twice changes nothing
    assert again.report["unchanged"] == 3 and not again.report["has_changes"]


def test_a_changed_row_becomes_a_new_draft_and_the_published_version_is_untouched(township):
    rio.import_register(small_register(2), actor="test")
    services.matters_publish_drafts(
        actor="test", codes=["IMP-001", "IMP-002"], valid_from=date(2025, 1, 1)
    )
    changed = small_register(2).replace(b"", b"")  # same file ...
    wb = openpyxl.load_workbook(io.BytesIO(changed))
    wb[rio.MATTER_SHEET]["H2"] = 5  # ... but IMP-001 promises 5 days instead of 10
    buffer = io.BytesIO()
    wb.save(buffer)

    preview = rio.import_register(buffer.getvalue(), actor="test", dry_run=True)
    assert [
        (e["action"], e["code"], e["version"], e["fields"]) for e in preview.report["entries"]
    ] == [("change", "IMP-001", 2, [rio.C_COMMITTED])]
    rio.import_register(buffer.getvalue(), actor="test")
    v1, v2 = Matter.objects.filter(code="IMP-001").order_by("version")
    assert (v1.status, v1.committed_days, v1.valid_to) == ("published", 10, None)
    assert (v2.status, v2.committed_days) == ("draft", 5)
    assert sel.matter_in_force("IMP-001").pk == v1.pk

    # importing another change while the draft exists updates the draft (no third version)
    wb[rio.MATTER_SHEET]["H2"] = 4
    buffer = io.BytesIO()
    wb.save(buffer)
    rio.import_register(buffer.getvalue(), actor="test")
    v2.refresh_from_db()
    assert (Matter.objects.filter(code="IMP-001").count(), v2.committed_days, v2.revision) == (
        2,
        4,
        2,
    )


def test_matters_missing_from_the_file_are_retired_only_when_asked(township):
    make_matter(township, "OLD-1", valid_from=date(2024, 1, 1))
    kept = rio.import_register(small_register(1), actor="test", dry_run=True)
    assert [(e["action"], e["code"]) for e in kept.report["entries"]] == [("create", "IMP-001")]
    preview = rio.import_register(
        small_register(1), actor="test", dry_run=True, retire_missing=True
    )
    assert [(e["action"], e["code"]) for e in preview.report["entries"]] == [
        ("create", "IMP-001"),
        ("retire", "OLD-1"),
    ]

    # retiring the whole register (1 of 1) needs the number typed in
    refused = rio.import_register(small_register(1), actor="test", retire_missing=True)
    assert refused.needs_confirmation and not refused.applied
    assert Matter.objects.get(code="OLD-1").status == "published"
    rio.import_register(small_register(1), actor="test", retire_missing=True, confirm_retire=1)
    old = Matter.objects.get(code="OLD-1")
    assert old.status == "retired"
    assert old.valid_to == timezone.localdate().fromordinal(timezone.localdate().toordinal() - 1)


def test_export_then_import_changes_nothing(township):
    rio.import_register(small_register(3), actor="test")
    services.matters_publish_drafts(
        actor="test", codes=["IMP-001", "IMP-002", "IMP-003"], valid_from=date(2025, 1, 1)
    )
    exported = rio.export_register()
    wb = openpyxl.load_workbook(io.BytesIO(exported))
    assert wb[rio.MATTER_SHEET]["A2"].value == "IMP-001"
    assert wb[rio.MATTER_SHEET]["D2"].value == "直接赋权"
    assert wb[rio.MATERIAL_SHEET]["C2"].value == "原件"
    result = writes_nothing(exported)
    assert result.report["unchanged"] == 3


def test_fees_and_channels_as_a_district_writes_them(township):
    content = workbook(
        [
            matter_row(
                "FEE-1",
                **{
                    rio.C_FEE: "20元；按国家规定收取工本费",
                    rio.C_CHANNELS: "窗口，网上办理；自助",
                    rio.C_STATUTORY: "20个工作日",
                    rio.C_MODE: "驻镇机构",
                    rio.C_FROM: "",
                },
            )
        ]
    )
    rio.import_register(content, actor="test")
    matter = Matter.objects.get(code="FEE-1")
    assert (matter.fee_free, str(matter.fee_amount), matter.fee_basis) == (
        False,
        "20.00",
        "按国家规定收取工本费",
    )
    assert matter.channels == ["hall", "online", "self_service"]
    assert (matter.statutory_days, matter.delegation_mode) == (20, "own")


# --- bad rows: every problem at once -----------------------------------------------------------


def test_every_problem_is_reported_at_once_with_sheet_row_and_column(township):
    content = workbook(
        [
            matter_row("OK-1"),
            matter_row("BAD-1", **{rio.C_STATUTORY: 5, rio.C_COMMITTED: 10}),
            matter_row("BAD-2", **{rio.C_DEPT: "不存在的办公室", rio.C_KIND: "行政审批"}),
            matter_row("OK-1"),
        ],
        [
            material_row("OK-1"),
            material_row("NOPE", "申请书"),
            material_row("OK-1", "身份证", **{rio.M_FORM: "扫描件", rio.M_MANDATORY: "也许"}),
        ],
    )
    result = writes_nothing(content)
    found = [(p.sheet, p.row, p.column) for p in result.problems]
    assert found == [
        ("事项", 3, "承诺时限"),
        ("事项", 4, "事项类型"),
        ("事项", 4, "办理部门"),
        ("事项", 5, "事项编码"),
        ("材料", 3, "事项编码"),
        ("材料", 4, "原件或复印件"),
        ("材料", 4, "是否必需"),
    ]
    messages = [p.message for p in result.problems]
    assert "承诺时限（10个工作日）不得超过法定时限（5个工作日）" in messages[0]
    assert "不存在的办公室" in messages[2]
    assert "重复" in messages[3] and "第2行" in messages[3]


def test_problems_are_told_in_the_users_language(township):
    content = workbook([matter_row("X-1", **{rio.C_DEPT: "不存在的办公室"})])
    with translation.override("en"):
        (problem,) = rio.read_register(content).problems
    assert "Unknown department" in problem.message
    assert "不存在的办公室" in problem.message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"code,name\nA-1,something\n", "不是 .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
        (b"", "不是 .xlsx"),
    ],
    ids=["csv", "old-xls", "empty"],
)
def test_a_file_that_is_not_xlsx_is_refused_clearly(township, content, expected):
    result = writes_nothing(content)
    (problem,) = result.problems
    assert expected in problem.message


def test_a_damaged_xlsx_is_refused_clearly(township):
    good = small_register(2)
    damaged = good[: len(good) // 2]  # a truncated download
    (problem,) = writes_nothing(damaged).problems
    assert "不是 .xlsx" in problem.message or "损坏" in problem.message
    # a zip that is not a workbook
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    (problem,) = writes_nothing(buffer.getvalue()).problems
    assert "损坏" in problem.message


def test_a_missing_sheet_is_refused_clearly(township):
    wb = openpyxl.Workbook()
    wb.active.title = rio.MATTER_SHEET
    wb.active.append(rio.MATTER_COLUMNS)
    buffer = io.BytesIO()
    wb.save(buffer)
    (problem,) = writes_nothing(buffer.getvalue()).problems
    assert (problem.sheet, problem.message) == ("材料", "缺少工作表“材料”。")


def test_a_missing_column_is_refused_clearly(township):
    columns = [c for c in rio.MATTER_COLUMNS if c != rio.C_COMMITTED]
    content = workbook([matter_row()], matter_columns=columns)
    (problem,) = writes_nothing(content).problems
    assert (problem.sheet, problem.row, problem.column) == ("事项", 1, "承诺时限")
    assert "缺少必需的列" in problem.message


def test_duplicate_codes_are_refused(township):
    content = workbook(
        [matter_row("DUP-1"), matter_row("DUP-1", **{rio.C_NAME: "另一个事项"})],
        [material_row("DUP-1")],
    )
    assert problems_of(content) == [("事项", 3, "事项编码")]
    writes_nothing(content)


def test_committed_over_statutory_is_refused(township):
    content = workbook([matter_row(**{rio.C_STATUTORY: 10, rio.C_COMMITTED: 15})])
    assert problems_of(content) == [("事项", 2, "承诺时限")]
    writes_nothing(content)


def test_an_unknown_department_is_refused(township):
    content = workbook([matter_row(**{rio.C_FROM: "火星区农业局"})])
    assert problems_of(content) == [("事项", 2, "来源部门")]
    writes_nothing(content)


# --- atomic, and the preview still true when applying -----------------------------------------


def test_apply_is_all_or_nothing(township, monkeypatch):
    from portal import audit

    real = audit.record
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(audit, "record", flaky)
    with pytest.raises(RuntimeError):
        rio.import_register(small_register(5), actor="test")
    assert not Matter.objects.exists()


def test_a_job_applies_only_the_plan_that_was_previewed(township, registrar):
    job = services.import_job_create(
        actor=registrar, file_name="清单.xlsx", content=small_register(2)
    )
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.report["created"], job.progress) == ("ready", 2, 100)
    assert not Matter.objects.exists()  # the preview wrote nothing

    # someone creates IMP-002 by hand before the administrator confirms
    make_matter(township, "IMP-002")
    services.import_job_request_apply(actor=registrar, job=job)
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "ready"
    assert "重新生成预览" in job.report["notice"]
    assert not Matter.objects.filter(code="IMP-001").exists()

    services.import_job_request_apply(actor=registrar, job=job)
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.applied_by, job.progress) == ("applied", registrar, 100)
    assert Matter.objects.get(code="IMP-001").status == "draft"
    with pytest.raises(services.Conflict):
        services.import_job_request_apply(actor=registrar, job=job)


def test_a_job_with_bad_rows_lists_them_and_cannot_be_applied(township, registrar):
    content = workbook(
        [matter_row("A-1", **{rio.C_DEPT: "无此部门"}), matter_row("A-1")], [material_row("A-1")]
    )
    job = services.import_job_create(actor=registrar, file_name="bad.xlsx", content=content)
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RegisterImportJob.Status.INVALID
    assert [(e["sheet"], e["row"], e["column"]) for e in job.errors] == [
        ("事项", 2, "办理部门"),
        ("事项", 3, "事项编码"),
    ]
    assert bytes(job.source) == content  # the uploaded file is kept with the job
    with pytest.raises(services.Conflict):
        services.import_job_request_apply(actor=registrar, job=job)


def test_a_job_that_keeps_failing_shows_as_failed(township, registrar):
    job = services.import_job_create(actor=registrar, file_name="x.xlsx", content=small_register(1))
    services.import_job_fail(
        job_id=job.pk, message="OperationalError: server closed the connection"
    )
    job.refresh_from_db()
    assert job.status == "failed" and "OperationalError" in job.failure


# --- from the shell ---------------------------------------------------------------------------


def test_command_import_dry_run_apply_and_errors(township, tmp_path, capsys):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(small_register(2))
    call_command("register", "import", str(path), "--dry-run")
    assert "新增 2" in capsys.readouterr().out
    assert not Matter.objects.exists()

    call_command("register", "import", str(path), "--user", "registrar")
    assert Matter.objects.filter(status="draft").count() == 2
    assert (
        AuditEntry.objects.filter(
            action="register.matter.import", actor__username="registrar"
        ).count()
        == 2
    )

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([matter_row(**{rio.C_COMMITTED: 99})]))
    with pytest.raises(CommandError, match="1 处问题"):
        call_command("register", "import", str(bad))
    assert "承诺时限" in capsys.readouterr().err


def test_command_exit_status_is_non_zero_on_errors(township, tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "manage.py", "register", "import", str(bad), "--dry-run"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
    )
    assert proc.returncode != 0
    assert ".xlsx" in proc.stderr


def test_command_export_and_generate(township, tmp_path):
    make_matter(township, "EXP-1", valid_from=date(2024, 1, 1))
    out = tmp_path / "export.xlsx"
    call_command("register", "export", str(out))
    wb = openpyxl.load_workbook(out)
    assert [c.value for c in wb[rio.MATTER_SHEET][1]][:12] == rio.MATTER_COLUMNS
    assert wb[rio.MATTER_SHEET]["A2"].value == "EXP-1"

    generated = tmp_path / "big.xlsx"
    call_command("register", "generate", "--matters", "40", "--materials", "5", str(generated))
    parsed = rio.read_register(generated.read_bytes())
    assert parsed.problems == []
    assert (len(parsed.matters), sum(len(m.materials) for m in parsed.matters.values())) == (
        40,
        200,
    )


def test_a_job_that_cannot_be_queued_shows_as_failed(
    township, registrar, monkeypatch, django_capture_on_commit_callbacks
):
    from approvals import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.register_import_run, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=registrar, file_name="x.xlsx", content=small_register(1)
        )
    job.refresh_from_db()
    assert job.status == "failed"
    assert "消息队列不可用" in job.failure and "Connection refused" in job.failure
