"""Thin Celery wrappers: the periodic sweep of enforcement (preserved goods past their 7
working days are released; publications past their time come down)."""

from celery import shared_task


@shared_task(name="enforcement.tasks.sweep")
def sweep() -> dict:
    from enforcement.services import publication, records

    return {
        "preservations_released": records.release_expired_preservations(),
        "publications_taken_down": publication.take_down_expired(),
    }


@shared_task(name="enforcement.tasks.callout_sweep")
def callout_sweep() -> dict:
    """Escalate missed 1-2-3-45 steps (every CALLOUT_SWEEP_SECONDS; each step once)."""
    from enforcement.callout_reminders import KINDS
    from portal import reminders

    return reminders.run_sweep(kinds=KINDS.values())
