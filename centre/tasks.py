"""Thin Celery wrappers: the forecast computed ahead of the board (every
CENTRE["FORECAST_CACHE_SECONDS"]), so that no dispatcher's poll waits for it."""

from celery import shared_task


@shared_task(name="centre.tasks.forecast_refresh", soft_time_limit=240, time_limit=280)
def forecast_refresh() -> dict:
    """Never together with another heavy periodic job (portal.background)."""
    from centre.selectors import forecast
    from portal import background

    return background.run_heavy(
        "centre.tasks.forecast_refresh", forecast.refresh_all, hold_seconds=280
    )
