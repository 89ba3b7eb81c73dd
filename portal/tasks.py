import logging

from celery import shared_task

from portal import services

log = logging.getLogger(__name__)


@shared_task(name="portal.tasks.check_calendar_next_year", acks_late=True)
def check_calendar_next_year():
    result = services.calendar_check_next_year()
    log.info(
        "calendar next-year check: %s",
        {None: "too early", True: "confirmed", False: "missing, administrators notified"}[result],
    )
    return result


@shared_task(name="portal.tasks.ping")
def ping(value):
    """Used by the integration test to prove a real worker runs tasks."""
    from portal.audit import record
    from portal.models import AuditEntry

    record(actor="worker", action="celery.ping", obj=None, note=str(value))
    return AuditEntry.objects.filter(action="celery.ping").count()
