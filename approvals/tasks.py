"""Celery tasks of the approvals app: thin wrappers around services."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

log = logging.getLogger(__name__)


# --- applications ----------------------------------------------------------------------------


@shared_task(name="approvals.tasks.sweep_deemed_acceptances", acks_late=True)
def sweep_deemed_acceptances():
    """Licensing Law art. 32: accept submissions left 5 working days without a decision."""
    from approvals.services.applications import sweep_deemed_acceptances as sweep

    done = sweep()
    log.info("deemed acceptances: %s", done)
    return done


# --- hall ------------------------------------------------------------------------------------


@shared_task(name="approvals.tasks.hall_sweep", acks_late=True)
def hall_sweep():
    """Record appointment no-shows once their check-in time has passed, and expire tickets
    left in yesterday's queue."""
    from approvals.services.hall import hall_sweep as sweep

    done = sweep()
    log.info("hall sweep: %s", done)
    return done


# --- dashboard (issue 8): daily rollups -------------------------------------------------------


@shared_task(name="approvals.tasks.dashboard_rollup_recent", acks_late=True)
def dashboard_rollup_recent():
    """Rebuild the dashboard's daily rollups of the last weeks (deemed acceptances are dated
    back, so recent days can still change). One transaction; a concurrent run waits."""
    from approvals.services.dashboard import rollup_recent

    run = rollup_recent()
    log.info(
        "dashboard rollup %s..%s: %s application rows, %s hall rows in %s ms",
        run.start_day,
        run.end_day,
        run.application_rows,
        run.hall_rows,
        run.milliseconds,
    )
    return run.pk


# --- register ---------------------------------------------------------------------------------


@shared_task(
    bind=True,
    name="approvals.tasks.register_import_run",
    acks_late=True,
    max_retries=3,
    soft_time_limit=600,
    time_limit=660,
)
def register_import_run(self, job_id: int):
    """Check and preview, or apply, one register import job (whatever it is waiting for).
    Database hiccups are retried; after the last retry, or on any other error, the job is
    marked failed so that it shows where the administrator looks."""
    from approvals.services import register as services

    try:
        return services.import_job_run(job_id=job_id)
    except (OperationalError, InterfaceError) as exc:
        if self.request.retries >= self.max_retries:
            services.import_job_fail(job_id=job_id, message=str(exc))
            log.exception("register import job %s failed after retries", job_id)
            return None
        raise self.retry(exc=exc, countdown=5 * (self.request.retries + 1)) from exc
    except Exception as exc:  # noqa: BLE001 - shown on the job page, logged in full
        log.exception("register import job %s failed", job_id)
        services.import_job_fail(job_id=job_id, message=f"{type(exc).__name__}: {exc}")
        return None
