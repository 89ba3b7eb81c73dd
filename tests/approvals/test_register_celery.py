# ruff: noqa: F811 -- pytest fixtures imported from other modules
"""The register import job through a real Celery worker process on Redis: upload, background
check and preview, confirm, background apply — the job row is what the progress bar follows."""

import time

import pytest

from approvals.models import Matter, RegisterImportJob
from approvals.services import register as services
from tests.approvals.register_support import registrar, small_register, township  # noqa: F401
from tests.portal.test_celery_integration import celery_worker_process  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for_status(job, wanted, timeout=90):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.append((job.status, job.progress))
        if job.status in wanted:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"job stayed {job.status} ({job.progress_note}); seen {seen[-5:]}")


def test_a_real_worker_checks_previews_and_applies_an_import(
    celery_worker_process, settings, township, registrar
):
    settings.REGISTER_IMPORT_QUEUE = celery_worker_process
    job = services.import_job_create(
        actor=registrar, file_name="清单.xlsx", content=small_register(40), language="zh-hans"
    )
    wait_for_status(job, {"ready", "invalid", "failed"})
    assert (job.status, job.report["created"], job.progress) == ("ready", 40, 100)
    assert not Matter.objects.exists()

    services.import_job_request_apply(actor=registrar, job=job)
    wait_for_status(job, {"applied", "failed"})
    assert job.status == RegisterImportJob.Status.APPLIED, job.failure
    assert Matter.objects.filter(status="draft").count() == 40
    assert job.attempts == 2  # one run for the check, one for the apply
