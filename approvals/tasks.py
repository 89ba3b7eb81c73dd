"""Celery tasks of the approvals app: thin wrappers around services."""

import logging

from celery import shared_task

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
