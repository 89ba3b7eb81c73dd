"""Celery tasks of the core: thin wrappers around portal.notifications and portal.reminders.
Queues, schedule and time limits: docs/operations.md."""

import logging

from celery import shared_task
from celery.exceptions import Retry
from django.utils.dateparse import parse_datetime

log = logging.getLogger(__name__)


@shared_task(
    name="portal.tasks.send_delivery",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the outbox row counts attempts (REMINDER_SEND_MAX_ATTEMPTS)
    soft_time_limit=60,
    time_limit=90,
)
def send_delivery(self, delivery_id: int):
    """Send one outbox row (e-mail or SMS). The row is claimed atomically, so running this
    twice for one row sends once; a failure is retried with exponential back-off."""
    from portal import notifications

    result = notifications.send_delivery(delivery_id)
    if result.outcome == "retry":
        try:
            raise self.retry(countdown=result.retry_in)
        except Retry:
            raise
        except Exception:
            # The retry could not be published (broker away): leave it to the outbox sweep.
            notifications.mark_not_enqueued([delivery_id])
            raise
    return result.outcome


@shared_task(
    name="portal.tasks.send_deliveries",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=120,  # REMINDER_SEND_BATCH_SECONDS (60) and one slow send after it
    time_limit=150,
)
def send_deliveries(delivery_ids: list[int]):
    """Send many outbox rows (a sweep's e-mails and SMS, REMINDER_SEND_BATCH at a time) in one
    task: one claim, one mail connection, a few updates. Each row still sends once; a failed
    row is retried on its own (``send_delivery``) after its back-off."""
    from portal import notifications

    result = notifications.send_deliveries(delivery_ids)
    notifications.publish_retries(result.retry)
    return result.as_dict()


@shared_task(name="portal.tasks.fan_out_deliveries", acks_late=True, soft_time_limit=120)
def fan_out_deliveries(delivery_ids: list[int]):
    """Publish one send task per row (a big sweep hands these over in a few messages)."""
    from portal import notifications

    return notifications.enqueue_deliveries(delivery_ids, fan_out=False)


@shared_task(
    name="portal.tasks.sweep_reminders", acks_late=True, soft_time_limit=240, time_limit=280
)
def sweep_reminders(now: str | None = None):
    """Beat, every REMINDER_SWEEP_MINUTES: run every registered reminder rule. ``now`` (ISO
    8601) replays the sweep as of another moment (tests, catching up after an outage)."""
    from portal import background, reminders

    return background.run_heavy(
        "portal.tasks.sweep_reminders",
        lambda: reminders.run_sweep(now=parse_datetime(now) if now else None),
        hold_seconds=280,  # the task's time limit
    )


@shared_task(name="portal.tasks.sweep_outbox", acks_late=True, soft_time_limit=50, time_limit=58)
def sweep_outbox():
    """Beat, every minute: publish outbox rows the broker never got; revive dead claims."""
    from portal import notifications

    return notifications.sweep_outbox()


@shared_task(name="portal.tasks.check_calendar_next_year", acks_late=True)
def check_calendar_next_year():
    """Kept for the daily beat entry: the same rule the reminder sweep runs, so the register
    administrators are told once per year, however often it runs."""
    from portal import services

    result = services.calendar_check_next_year()
    log.info(
        "calendar next-year check: %s",
        {None: "too early", True: "confirmed", False: "missing (administrators reminded once)"}[
            result
        ],
    )
    return result


@shared_task(name="portal.tasks.ping")
def ping(value):
    """Used by the integration test to prove a real worker runs tasks."""
    from portal.audit import record
    from portal.models import AuditEntry

    record(actor="worker", action="celery.ping", obj=None, note=str(value))
    return AuditEntry.objects.filter(action="celery.ping").count()
