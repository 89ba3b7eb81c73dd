"""Celery tasks of the grid app: thin wrappers around services."""

from celery import shared_task


@shared_task
def sync_lead_outcomes() -> int:
    """Leads whose outcome signal was missed: ask enforcement (hourly, CELERY_BEAT_SCHEDULE)."""
    from grid.services.dispatch import sync_lead_outcomes as sync

    return sync()
